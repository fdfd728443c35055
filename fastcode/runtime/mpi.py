"""The master/worker protocol on MPI (mpi4py): rank 0 is the master, ranks 1..N workers.

Launch (one crashed rank then aborts the whole job instead of hanging it)::

    mpiexec -n 5 fastcode run uncoded --rounds 20

or from your own script::

    from fastcode.runtime import mpi
    if mpi.rank() == 0:
        with mpi.MPICluster(straggler_model=model) as cluster:
            cluster.setup(scheme, job)
            result = cluster.run_round(x)
    else:
        mpi.serve()

The round logic is the shared one of ``_master``/``_worker`` (same RoundResult,
same failure rules).  What is MPI-specific, and why:

- Every message carries its round in its MPI tag (``round_tag``) *and* in its
  body, and both are checked: a receive that trusts arrival order silently
  decodes a late result of an earlier round.
- The master drains late results at the start of each round (``Master._drain``).
- Sends are never waited for inside a round: ``Isend`` of a pickled buffer,
  requests kept and tested later (and at close).
- Receives are polled (``Improbe`` + matched ``Recv``) with a short sleep
  between polls: MPICH's blocking waits spin, which starves the other ranks
  when the job is oversubscribed (more ranks than cores).
- Workers sharing a node with other ranks limit their BLAS threads to their
  share of its cores (``_share_blas_threads``).  Injected delays count from
  the round start when a worker shares the master's host (same monotonic
  clock), else from the task's arrival.

Faults (tested in tests/test_runtime_mpi.py, with the mpich wheel of the
``mpi`` extra):

- A rank whose worker function *raises* reports the error; the round decodes
  from the survivors, or fails at once with WorkerFailedError.
- A rank that *stalls* past the round's deadline (an injected delay, or a slow
  worker function) leaves the round to the survivors, or to RoundTimeoutError;
  while it still owes MAX_OWED rounds it is sent no new ones.
- A rank stuck *forever* inside its worker function cannot be interrupted by
  MPI.  ``close()`` waits a few seconds for every rank's goodbye, then names
  the silent ranks on stderr; at interpreter exit (after the user's code, before
  MPI_Finalize, which would wait for them forever) the master calls MPI_Abort,
  so the job ends with exit code ``STUCK_EXIT_CODE`` instead of hanging.
- A rank that *dies* (killed, segfault, ``os._exit``, any exit without
  MPI_Finalize): MPICH's launcher (hydra) kills every other rank of the job at
  once, master included (SIGKILL, within about a second), prints "BAD
  TERMINATION OF ONE OF YOUR APPLICATION PROCESSES" with the dead rank's pid and
  signal, and mpiexec exits non-zero.  The master cannot outlive that, so there
  is no dead-rank detection here; rounds already decoded stay decoded.  (With
  ``mpiexec -disable-auto-cleanup`` the survivors live on, the dead rank's
  rounds time out, and the stuck-rank rule above ends the job.)  Bound whole
  jobs with mpiexec's own limit as well (MPICH: ``MPIEXEC_TIMEOUT=seconds``).

mpi4py is optional (the ``mpi`` extra) and imported only when this module's
functions are called.
"""
import atexit
import os
import pickle
import sys
import time

from fastcode.errors import ClusterStateError
from fastcode.runtime import _worker as W
from fastcode.runtime._master import Master

TAG_CONTROL = 0          # setup, ready, stop, bye
_TAG_SPAN = 30000        # round tags cycle over 1..30000 (MPI guarantees tags up to 32767)
BYE = "bye"              # worker -> master after STOP: nothing else will follow
POLL_INTERVAL = 5e-5     # seconds slept between polls (Linux rounds it up to ~0.1 ms)
STUCK_EXIT_CODE = 75     # MPI_Abort code when ranks never acknowledged STOP (see the doc)

_MPI_ENV = ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALNRANKS",
            "HYDI_CONTROL_FD")


def _mpi():
    from mpi4py import MPI  # optional dependency: import on first use only
    return MPI


def round_tag(round_id):
    """The MPI tag of every message of round ``round_id`` (setup/stop use TAG_CONTROL)."""
    return 1 + round_id % _TAG_SPAN


def _tag_of(message):
    kind = message[0]
    if kind in (W.SETUP, W.STOP, BYE, W.READY) or message[1] < 0:
        return TAG_CONTROL
    return round_tag(message[1])


def launched_under_mpi():
    """True when this process was started by mpiexec with more than one rank.

    Looks at the launcher's environment first, so a plain ``fastcode run``
    never initialises MPI; only then asks mpi4py (if installed) for the size."""
    if not any(name in os.environ for name in _MPI_ENV):
        return False
    try:
        MPI = _mpi()
    except ImportError:
        return False
    return MPI.COMM_WORLD.Get_size() > 1


def rank(comm=None):
    """This process's rank in ``comm`` (COMM_WORLD by default)."""
    return (comm or _mpi().COMM_WORLD).Get_rank()


def size(comm=None):
    """Number of ranks in ``comm`` (COMM_WORLD by default): workers + 1."""
    return (comm or _mpi().COMM_WORLD).Get_size()


class _Endpoint:
    """Pickled point-to-point messages with tag checks, polled sends and receives."""

    def __init__(self, comm, poll_interval):
        self.MPI = _mpi()
        self.comm = comm
        self.poll_interval = poll_interval
        self._sends = []           # (request, buffer): buffers live until sent
        self._status = self.MPI.Status()
        self.mismatched = 0        # messages whose tag disagreed with their body

    def post(self, message, dest):
        """Start sending ``message`` to rank ``dest``; never waits."""
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        request = self.comm.Isend([data, self.MPI.BYTE], dest=dest, tag=_tag_of(message))
        self._sends.append((request, data))  # reaped by the next poll

    def reap(self):
        """Forget the sends that have completed."""
        if self._sends:
            self._sends = [(r, d) for r, d in self._sends if not r.Test()]

    def take(self, source):
        """One waiting message from ``source`` as (source, message), or None."""
        st = self._status
        msg = self.comm.Improbe(source=source, tag=self.MPI.ANY_TAG, status=st)
        if msg is None:
            return None
        data = bytearray(st.Get_count(self.MPI.BYTE))
        msg.Recv([data, self.MPI.BYTE])
        message = pickle.loads(data)
        if st.Get_tag() != _tag_of(message):
            self.mismatched += 1  # never trust a message whose tag and body disagree
            return self.take(source)
        return st.Get_source(), message

    def flush(self, timeout):
        """Wait (polling) up to ``timeout`` s for pending sends; cancel the rest."""
        deadline = time.monotonic() + timeout
        while self._sends and time.monotonic() < deadline:
            self.reap()
            time.sleep(self.poll_interval)
        for request, _ in self._sends:
            try:
                request.Cancel()
                request.Free()
            except Exception:
                pass
        self._sends = []


# -- master -------------------------------------------------------------------

class MPITransport:
    """The master's transport over MPI (see the module doc); workers are ranks 1..N."""

    def __init__(self, comm=None, poll_interval=POLL_INTERVAL):
        MPI = _mpi()
        self.comm = comm or MPI.COMM_WORLD
        if self.comm.Get_rank() != 0:
            raise ClusterStateError("the MPI master runs on rank 0; other ranks call serve()")
        self.n_workers = self.comm.Get_size() - 1
        if self.n_workers < 1:
            raise ClusterStateError("an MPI cluster needs at least 2 ranks (1 master + workers)")
        self.ANY_SOURCE = MPI.ANY_SOURCE
        self.endpoint = _Endpoint(self.comm, poll_interval)
        self._closed = False
        self.stuck_ranks = []      # set by close(): ranks that never acknowledged STOP

    def alive(self, i):
        return True  # a dead rank ends the whole job (MPICH's hydra kills every rank)

    @staticmethod
    def pack_setup(payloads):
        return list(payloads)

    @staticmethod
    def pack_input(round_input):
        # Pickled once per round, not once per worker.
        return pickle.dumps(round_input, protocol=pickle.HIGHEST_PROTOCOL)

    def send(self, i, message):
        self.endpoint.post(message, i + 1)

    def poll(self, timeout):
        deadline = time.perf_counter() + timeout
        events = []
        while True:
            got = self.endpoint.take(self.ANY_SOURCE)
            while got is not None:
                source, message = got
                events.append((source - 1, message))
                got = self.endpoint.take(self.ANY_SOURCE)
            if events or time.perf_counter() >= deadline:
                self.endpoint.reap()
                return events
            time.sleep(self.endpoint.poll_interval)

    def close(self, timeout=5.0):
        """STOP every worker, then drain until each says BYE (its earlier messages,
        late results included, have then all been received: MPI keeps per-pair order)."""
        if self._closed:
            return
        self._closed = True
        for i in range(self.n_workers):
            self.send(i, (W.STOP,))
        waiting = set(range(self.n_workers))
        deadline = time.perf_counter() + timeout
        while waiting and time.perf_counter() < deadline:
            for worker, message in self.poll(min(0.05, max(0.0, deadline - time.perf_counter()))):
                if message[0] == BYE:
                    waiting.discard(worker)
        self.endpoint.flush(max(0.0, deadline - time.perf_counter()))
        self.stuck_ranks = sorted(w + 1 for w in waiting)
        if self.stuck_ranks:
            _abort_at_exit(self.comm, self.stuck_ranks, timeout)


_STUCK = []  # (comm, ranks) of closed clusters whose workers never said BYE


def _abort_at_exit(comm, ranks, timeout):
    """Name the stuck ranks now; abort the job at interpreter exit (see the module doc).

    atexit handlers run before mpi4py's MPI_Finalize, which would otherwise wait
    for the stuck ranks forever."""
    sys.stderr.write(f"fastcode: MPI ranks {ranks} did not stop within {timeout:g} s of the "
                     "master's STOP (stuck in their worker function?); the job will be aborted "
                     "at exit instead of hanging in MPI_Finalize\n")
    sys.stderr.flush()
    if not _STUCK:
        atexit.register(_abort_stuck)
    _STUCK.append((comm, ranks))


def _abort_stuck():
    comm, ranks = _STUCK[0]
    sys.stderr.write(f"fastcode: aborting the MPI job (exit code {STUCK_EXIT_CODE}): ranks {ranks} "
                     "never stopped\n")
    sys.stderr.flush()
    comm.Abort(STUCK_EXIT_CODE)


class MPICluster(Master):
    """The master of an MPI job (rank 0); same API as LocalCluster.

    Args: as :class:`fastcode.runtime._master.Master`, plus ``comm`` (default
    COMM_WORLD; workers are ranks 1..size-1) and ``poll_interval`` (seconds
    slept between receive polls)."""

    def __init__(self, straggler_model=None, comm=None, timeout=30.0, rng=None, time_scale=1.0,
                 additive_delays=False, poll_interval=POLL_INTERVAL):
        super().__init__(MPITransport(comm, poll_interval), straggler_model=straggler_model,
                         timeout=timeout, rng=rng, time_scale=time_scale,
                         additive_delays=additive_delays)

    def _check_partial_support(self, scheme):
        if getattr(scheme, "partial_results", False) is True:
            raise ClusterStateError("partial results are supported by LocalCluster only: "
                                    f"{scheme!r} has partial_results = True")


# -- worker -------------------------------------------------------------------

class _MPIChannel:
    """Worker end: messages from rank 0, polled with a short sleep (see ``_worker``)."""

    def __init__(self, comm, poll_interval):
        self.endpoint = _Endpoint(comm, poll_interval)
        self._next = None

    def _take(self):
        got = self.endpoint.take(0)
        return None if got is None else got[1]

    def recv(self):
        if self._next is not None:
            message, self._next = self._next, None
            return message
        while True:
            message = self._take()
            if message is not None:
                return message
            self.endpoint.reap()
            time.sleep(self.endpoint.poll_interval)

    def poll(self, timeout):
        if self._next is not None:
            return True
        deadline = None if timeout is None else time.perf_counter() + timeout
        while True:
            self._next = self._take()
            if self._next is not None:
                return True
            now = time.perf_counter()
            if deadline is not None and now >= deadline:
                return False
            wait = self.endpoint.poll_interval
            time.sleep(wait if deadline is None else min(wait, deadline - now))

    def send(self, message):
        self.endpoint.post(message, 0)

    @staticmethod
    def open_payload(spec):
        return spec

    @staticmethod
    def open_input(spec):
        return pickle.loads(spec)


_LOCAL_RANKS_ENV = ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE", "MV2_COMM_WORLD_LOCAL_SIZE")
_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _share_blas_threads():
    """Give this rank its share of the node's cores for BLAS.

    Ranks sharing a node each start a BLAS thread per core by default and
    thrash (measured: 9 ranks on 2 cores, a 256 x 2048 mat-vec went from
    0.3 ms to 100+ ms).  NumPy is loaded before any code of ours runs, so the
    environment is too late; threadpoolctl (in the ``mpi`` extra) resizes the
    loaded BLAS pools.  Left alone when the user set a thread count."""
    if any(name in os.environ for name in _THREAD_ENV):
        return
    local = next((int(os.environ[n]) for n in _LOCAL_RANKS_ENV if n in os.environ), 1)
    if local <= 1:
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(max(1, (os.cpu_count() or 1) // local))


def serve(comm=None, poll_interval=POLL_INTERVAL):
    """Run the worker loop on this rank (> 0) until the master sends STOP."""
    comm = comm or _mpi().COMM_WORLD
    if comm.Get_rank() == 0:
        raise ClusterStateError("rank 0 is the master; serve() runs on ranks 1..N")
    _share_blas_threads()
    channel = _MPIChannel(comm, poll_interval)
    W.serve(channel)
    channel.send((BYE, -1))
    channel.endpoint.flush(5.0)
