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
  once, master included (SIGKILL, within about a second).  Usually it prints
  "BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES" with the dead rank's
  pid and signal, and mpiexec exits 9.  Now and then (measured on a loaded
  machine: 8 of 115 runs after ``os._exit(1)``, 6 of 75 after ``os._exit(0)``,
  none of 115 after SIGKILL) it ends the job without that message and mpiexec
  exits with the dead rank's own status, which is 0 after ``os._exit(0)``.  So
  judge a job by the master's own final output, not by mpiexec's status alone.
  The master cannot outlive any of this, so there is no dead-rank detection
  here; rounds already decoded stay decoded.  (With ``mpiexec
  -disable-auto-cleanup`` the survivors live on, the dead rank's rounds time
  out, and the stuck-rank rule above ends the job.)  Bound whole
  jobs with mpiexec's own limit as well (MPICH: ``MPIEXEC_TIMEOUT=seconds``).

mpi4py is optional (the ``mpi`` extra) and imported only when this module's
functions are called.
"""
import atexit
import os
import pickle
import sys
import time
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np

from fastcode.errors import ClusterStateError
from fastcode.runtime import _worker as W
from fastcode.runtime._master import Master

#: MPI tag of the control messages: setup, ready, stop, bye.
TAG_CONTROL = 0
_TAG_SPAN = 30000        # round tags cycle over 1..30000 (MPI guarantees tags up to 32767)
#: Worker -> master after STOP: nothing else will follow.
BYE = "bye"
#: Seconds slept between polls (Linux rounds it up to ~0.1 ms).
POLL_INTERVAL = 5e-5
#: MPI_Abort code when ranks never acknowledged STOP (see the module doc).
STUCK_EXIT_CODE = 75

_MPI_ENV = ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALNRANKS",
            "HYDI_CONTROL_FD")


def _mpi() -> Any:
    from mpi4py import MPI  # optional dependency: import on first use only
    return MPI


def round_tag(round_id: int) -> int:
    """The MPI tag of every message of round ``round_id`` (setup/stop use TAG_CONTROL).

    Round tags cycle over 1..30000 (MPI guarantees tags up to 32767), so they
    never collide with TAG_CONTROL = 0.

    Parameters
    ----------
    round_id : int
        The round's sequence number (>= 0).

    Returns
    -------
    int
        In [1, 30000].

    Examples
    --------
    >>> from fastcode.runtime.mpi import round_tag
    >>> round_tag(0), round_tag(29999), round_tag(30000)
    (1, 30000, 1)
    """
    return 1 + round_id % _TAG_SPAN


def _tag_of(message: Tuple[Any, ...]) -> int:
    kind = message[0]
    if kind in (W.SETUP, W.STOP, BYE, W.READY) or message[1] < 0:
        return TAG_CONTROL
    return round_tag(message[1])


def launched_under_mpi() -> bool:
    """True when this process was started by mpiexec with more than one rank.

    Looks at the launcher's environment first, so a plain ``fastcode run``
    never initialises MPI; only then asks mpi4py (if installed) for the size.

    Returns
    -------
    bool
        False without a launcher's environment or without mpi4py.

    Examples
    --------
    In a plain Python process (no mpiexec) MPI is not even initialised:

    >>> from fastcode.runtime.mpi import launched_under_mpi
    >>> launched_under_mpi()
    False
    """
    if not any(name in os.environ for name in _MPI_ENV):
        return False
    try:
        MPI = _mpi()
    except ImportError:
        return False
    return MPI.COMM_WORLD.Get_size() > 1


def rank(comm: Optional[Any] = None) -> int:
    """This process's rank in ``comm`` (COMM_WORLD by default).

    Initialises MPI (imports mpi4py) on first use.

    Parameters
    ----------
    comm : mpi4py.MPI.Comm, optional
        Default ``MPI.COMM_WORLD``.

    Returns
    -------
    int
        0 on the master, 1..size-1 on the workers.

    Raises
    ------
    ImportError
        mpi4py is not installed (the ``mpi`` extra).
    """
    return (comm or _mpi().COMM_WORLD).Get_rank()


def size(comm: Optional[Any] = None) -> int:
    """Number of ranks in ``comm`` (COMM_WORLD by default): workers + 1.

    Parameters
    ----------
    comm : mpi4py.MPI.Comm, optional
        Default ``MPI.COMM_WORLD``.

    Returns
    -------
    int

    Raises
    ------
    ImportError
        mpi4py is not installed (the ``mpi`` extra).
    """
    return (comm or _mpi().COMM_WORLD).Get_size()


class _Endpoint:
    """Pickled point-to-point messages with tag checks, polled sends and receives."""

    def __init__(self, comm: Any, poll_interval: float) -> None:
        self.MPI = _mpi()
        self.comm = comm
        self.poll_interval = poll_interval
        self._sends: List[Tuple[Any, bytes]] = []     # (request, buffer): buffers live until sent
        self._status = self.MPI.Status()
        self.mismatched = 0        # messages whose tag disagreed with their body

    def post(self, message: Tuple[Any, ...], dest: int) -> None:
        """Start sending ``message`` to rank ``dest``; never waits."""
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        request = self.comm.Isend([data, self.MPI.BYTE], dest=dest, tag=_tag_of(message))
        self._sends.append((request, data))  # reaped by the next poll

    def reap(self) -> None:
        """Forget the sends that have completed."""
        if self._sends:
            self._sends = [(r, d) for r, d in self._sends if not r.Test()]

    def take(self, source: int) -> Optional[Tuple[int, Tuple[Any, ...]]]:
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

    def flush(self, timeout: float) -> None:
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
    """The master's transport over MPI (see the module doc); workers are ranks 1..N.

    The message layer of ``MPICluster``: pickled messages, ``Isend`` never waited
    for inside a round, receives polled with a short sleep.  A dead rank ends the
    whole job (MPICH's launcher kills every rank), so every worker is ``alive``.

    Parameters
    ----------
    comm : mpi4py.MPI.Comm, optional
        Default ``MPI.COMM_WORLD``; this process must be its rank 0.
    poll_interval : float, default POLL_INTERVAL
        Seconds slept between receive polls.

    Raises
    ------
    ClusterStateError
        Not rank 0, or fewer than 2 ranks.
    ImportError
        mpi4py is not installed (the ``mpi`` extra).

    Attributes
    ----------
    n_workers : int
        size - 1.
    stuck_ranks : list of int
        Set by ``close``: ranks that never acknowledged STOP.
    """

    def __init__(self, comm: Optional[Any] = None, poll_interval: float = POLL_INTERVAL) -> None:
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
        self.stuck_ranks: List[int] = []      # set by close(): ranks that never acknowledged STOP

    def alive(self, i: int) -> bool:
        """Always True: a dead rank ends the whole job (MPICH's hydra kills every rank).

        Parameters
        ----------
        i : int
            Worker id (rank i + 1).

        Returns
        -------
        bool
        """
        return True

    @staticmethod
    def pack_setup(payloads: Sequence[Any]) -> List[Any]:
        """The payloads as they are (each is pickled when sent to its rank).

        Parameters
        ----------
        payloads : sequence
            Payload i for worker i.

        Returns
        -------
        list
        """
        return list(payloads)

    @staticmethod
    def pack_input(round_input: Any) -> bytes:
        """The round input pickled once per round, not once per worker.

        Parameters
        ----------
        round_input : object

        Returns
        -------
        bytes
        """
        return pickle.dumps(round_input, protocol=pickle.HIGHEST_PROTOCOL)

    def send(self, i: int, message: Tuple[Any, ...]) -> None:
        """Start sending ``message`` to worker ``i`` (rank i + 1); never waits.

        Parameters
        ----------
        i : int
            Worker id.
        message : tuple
            A message of the worker protocol.
        """
        self.endpoint.post(message, i + 1)

    def poll(self, timeout: float) -> List[Tuple[int, Tuple[Any, ...]]]:
        """The messages that arrive within ``timeout`` seconds (all already waiting).

        Parameters
        ----------
        timeout : float
            Seconds to wait for the first message (0: only what is there).

        Returns
        -------
        list of (worker, message)
        """
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

    def close(self, timeout: float = 5.0) -> None:
        """STOP every worker, then drain until each says BYE.

        A worker's earlier messages, late results included, have then all been
        received (MPI keeps per-pair order).  Ranks silent after ``timeout``
        seconds are named on stderr and the job is aborted at interpreter exit
        (exit code STUCK_EXIT_CODE).  Idempotent.

        Parameters
        ----------
        timeout : float, default 5.0
            Seconds to wait for every BYE.
        """
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


_STUCK: List[Tuple[Any, List[int]]] = []  # (comm, ranks) of closed clusters whose workers never said BYE


def _abort_at_exit(comm: Any, ranks: List[int], timeout: float) -> None:
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


def _abort_stuck() -> None:
    comm, ranks = _STUCK[0]
    sys.stderr.write(f"fastcode: aborting the MPI job (exit code {STUCK_EXIT_CODE}): ranks {ranks} "
                     "never stopped\n")
    sys.stderr.flush()
    comm.Abort(STUCK_EXIT_CODE)


class MPICluster(Master):
    """The master of an MPI job (rank 0); same API as LocalCluster.

    A context manager with ``setup(scheme, job)``, ``run_round(round_input,
    timeout=None)`` (a :class:`~fastcode.runtime.RoundResult` per round),
    ``close()`` and ``dead_workers``; the other ranks run ``serve()``.  Partial
    results are not supported (LocalCluster only).

    Parameters
    ----------
    straggler_model : StragglerModel, optional
        Object with ``sample(n, load, rng)`` (``fastcode.sim``); None: no injected
        delay.
    comm : mpi4py.MPI.Comm, optional
        Default COMM_WORLD; workers are ranks 1..size-1.
    timeout : float, default 30.0
        Default per-round timeout in seconds (> 0).
    rng : None, int or numpy.random.Generator
        Seed or Generator for the injected delays.
    time_scale : float, default 1.0
        Seconds per unit of the model's time (> 0).
    additive_delays : bool, default False
        False: an injected time is the task's total time (counted from the round
        start on the master's host, from the task's arrival on other hosts);
        True: the delay is added after the computation.
    poll_interval : float, default POLL_INTERVAL
        Seconds slept between receive polls.

    Raises
    ------
    ClusterStateError
        Not rank 0, or fewer than 2 ranks.
    ValueError
        A timeout or time_scale that is not > 0.
    ImportError
        mpi4py is not installed (the ``mpi`` extra).

    Notes
    -----
    Runs only under ``mpiexec``; see the module doc for a launch script.
    """

    def __init__(self, straggler_model: Optional[Any] = None, comm: Optional[Any] = None,
                 timeout: float = 30.0, rng: Union[None, int, np.random.Generator] = None,
                 time_scale: float = 1.0, additive_delays: bool = False,
                 poll_interval: float = POLL_INTERVAL) -> None:
        super().__init__(MPITransport(comm, poll_interval), straggler_model=straggler_model,
                         timeout=timeout, rng=rng, time_scale=time_scale,
                         additive_delays=additive_delays)

    def _check_partial_support(self, scheme: Any) -> None:
        if getattr(scheme, "partial_results", False) is True:
            raise ClusterStateError("partial results are supported by LocalCluster only: "
                                    f"{scheme!r} has partial_results = True")


# -- worker -------------------------------------------------------------------

class _MPIChannel:
    """Worker end: messages from rank 0, polled with a short sleep (see ``_worker``)."""

    def __init__(self, comm: Any, poll_interval: float) -> None:
        self.endpoint = _Endpoint(comm, poll_interval)
        self._next: Optional[Tuple[Any, ...]] = None

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


def _share_blas_threads() -> None:
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


def serve(comm: Optional[Any] = None, poll_interval: float = POLL_INTERVAL) -> None:
    """Run the worker loop on this rank (> 0) until the master sends STOP.

    Then says BYE to the master and flushes its pending sends (up to 5 s).

    Parameters
    ----------
    comm : mpi4py.MPI.Comm, optional
        Default COMM_WORLD.
    poll_interval : float, default POLL_INTERVAL
        Seconds slept between receive polls.

    Raises
    ------
    ClusterStateError
        Called on rank 0 (the master).
    ImportError
        mpi4py is not installed (the ``mpi`` extra).
    """
    comm = comm or _mpi().COMM_WORLD
    if comm.Get_rank() == 0:
        raise ClusterStateError("rank 0 is the master; serve() runs on ranks 1..N")
    _share_blas_threads()
    channel = _MPIChannel(comm, poll_interval)
    W.serve(channel)
    channel.send((BYE, -1))
    channel.endpoint.flush(5.0)
