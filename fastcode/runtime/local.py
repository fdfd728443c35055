"""LocalCluster: real concurrent workers on this machine, the embedded default runtime::

    from fastcode.runtime import LocalCluster
    with LocalCluster(8, straggler_model=model, time_scale=0.05, rng=1) as cluster:
        cluster.setup(scheme, job)          # payloads shipped once
        for x in inputs:
            r = cluster.run_round(x)        # RoundResult: r.output, r.responders, ...

Backends:

- ``"process"`` (default): one process per worker, started with the
  ``forkserver`` method where available (else ``spawn``; never plain ``fork``,
  which is unsafe in a master that runs threads, e.g. BLAS).  Workers run
  single-threaded BLAS unless OMP_NUM_THREADS & co. are set (with forkserver,
  the environment is the one the server was started with: the first cluster's).  One duplex pipe
  per worker carries the small messages; setup payloads and large round
  inputs travel through shared memory (``_shm``), so a 4096 x 4096 matrix is
  copied once at setup and never pickled.  The master waits on the pipes and
  on the process sentinels together, so a killed worker is noticed at once.
- ``"thread"``: one thread per worker, for worker functions that release the
  GIL (NumPy BLAS, fastcode kernels).  No copies at all; a worker whose
  function raises is reported, but a thread cannot be killed, so a stuck one
  just stops being sent work.

Straggler injection, round ids, stale results and failure handling are those
of ``_master`` and ``_worker`` (shared with the MPI runtime).
"""
import contextlib
import multiprocessing as mp
import os
import queue
import selectors
import signal
import threading
import time
import weakref
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from fastcode.runtime import _shm
from fastcode.runtime import _worker as W
from fastcode.runtime._master import DEAD, Master

#: Round inputs at least this big (bytes) go through shared memory instead of the pipes
#: (small enough that a few queued messages never fill a socket buffer).
INLINE_LIMIT = 16 * 1024

# n worker processes already share the cores: each runs single-threaded BLAS,
# else every process spins up a thread per core and they thrash (measured: a
# 256 x 2048 mat-vec took 100+ ms instead of 0.2 ms with 8 workers on 2 cores).
# Set only where the user has not chosen a value.
_BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@contextlib.contextmanager
def _single_threaded_blas():
    """Environment for starting worker processes (the forkserver or spawned
    children copy it at start-up; the master's own environment is restored)."""
    added = [name for name in _BLAS_THREAD_VARS if name not in os.environ]
    for name in added:
        os.environ[name] = "1"
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)
_INLINE, _SHARED = "inline", "shm"

# Worker -> master on a process worker's pipe, before its reply: ("attached", block
# name).  Handled by ProcessTransport.poll (the master never sees it).
_ATTACHED = "attached"


class LocalCluster(Master):
    """n_workers concurrent workers on this machine (see the module doc).

    A context manager; ``setup(scheme, job)`` ships the payloads once,
    ``run_round(round_input, timeout=None)`` returns a :class:`RoundResult`,
    ``close()`` stops the workers (idempotent), ``dead_workers`` names the
    workers gone for good.

    Parameters
    ----------
    n_workers : int
        Number of workers (>= 1).
    straggler_model : StragglerModel, optional
        Object with ``sample(n, load, rng)`` (``fastcode.sim``); None: no injected
        delay.
    backend : {"process", "thread"}
        One process per worker (default) or one thread per worker.
    timeout : float, default 30.0
        Default per-round timeout in seconds (> 0).
    rng : None, int or numpy.random.Generator
        Seed or Generator for the injected delays.
    time_scale : float, default 1.0
        Seconds per unit of the model's time (> 0; the models of
        :mod:`fastcode.sim` are normalised, e.g. a shift of 1 for the whole job).
    additive_delays : bool, default False
        False: an injected time is the task's total time counted from the round
        start (the worker answers at max(delay, compute)); True: the delay is
        added after the computation.
    start_method : {"forkserver", "spawn"}, optional
        Multiprocessing start method of the process backend (default forkserver
        where available).

    Raises
    ------
    ValueError
        n_workers < 1, an unknown backend, start_method "fork", or a timeout or
        time_scale that is not > 0.

    Examples
    --------
    A (4, 2)-MDS coded A @ x on four worker threads; any two results decode:

    >>> from fastcode.runtime import LocalCluster
    >>> from fastcode.schemes.matvec import CodedMatVec
    >>> A = np.arange(12.0).reshape(6, 2)
    >>> with LocalCluster(4, backend="thread") as cluster:
    ...     cluster.setup(CodedMatVec(A, 4, 2), A)
    ...     results = [cluster.run_round(np.array([1.0, x])) for x in (-1.0, 2.0)]
    >>> [r.round_id for r in results], [len(r.responders) for r in results]
    ([0, 1], [2, 2])
    >>> np.allclose(results[1].output, A @ [1.0, 2.0])
    True
    """

    def __init__(self, n_workers: int, straggler_model: Optional[Any] = None,
                 backend: str = "process", timeout: float = 30.0,
                 rng: Union[None, int, np.random.Generator] = None, time_scale: float = 1.0,
                 additive_delays: bool = False, start_method: Optional[str] = None) -> None:
        if int(n_workers) < 1:
            raise ValueError(f"n_workers must be >= 1, got {n_workers}")
        _shm.sweep_stale()      # blocks left by a master that was killed (kill -9)
        transport: Union[ProcessTransport, ThreadTransport]
        if backend == "process":
            transport = ProcessTransport(int(n_workers), start_method)
        elif backend == "thread":
            transport = ThreadTransport(int(n_workers))
        else:
            raise ValueError(f"backend must be 'process' or 'thread', got {backend!r}")
        self.backend = backend
        super().__init__(transport, straggler_model=straggler_model, timeout=timeout, rng=rng,
                         time_scale=time_scale, additive_delays=additive_delays)

    def pids(self) -> List[int]:
        """Process ids of the workers (process backend), e.g. for fault tests.

        Returns
        -------
        list of int
            One per worker, in worker order; empty for the thread backend.

        Examples
        --------
        >>> from fastcode.runtime import LocalCluster
        >>> with LocalCluster(2, backend="thread") as cluster:
        ...     cluster.pids()
        []
        """
        return [p.pid for p in self.transport.processes]


# -- process backend ----------------------------------------------------------

class _PipeChannel:
    """Worker end of a process worker's pipe (the channel of ``_worker``)."""

    def __init__(self, conn):
        self.conn = conn
        self.recv = conn.recv
        self.send = conn.send
        self._payloads = _shm.Attachments(self._acknowledge)
        self._inputs = _shm.Attachments(self._acknowledge)

    def _acknowledge(self, name):
        self.conn.send((_ATTACHED, name))

    def poll(self, timeout):
        return self.conn.poll(timeout)

    def open_payload(self, spec):
        return self._payloads.unpack(spec[1]) if spec[0] == _SHARED else spec[1]

    def open_input(self, spec):
        return self._inputs.unpack(spec[1]) if spec[0] == _SHARED else spec[1]


def _process_main(conn):
    """Entry point of a worker process."""
    # Ctrl-C goes to the whole process group: the master handles it and stops
    # the workers; workers printing their own KeyboardInterrupt would be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    W.serve(_PipeChannel(conn))


def _default_start_method():
    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


class _LinkedBlocks:
    """The master's blocks whose names are still in /dev/shm, each with the workers
    that have yet to attach it; a name is unlinked as soon as that set is empty
    (workers that die or fail their setup leave every set)."""

    def __init__(self):
        self._pending = {}      # name -> (block, set of workers)

    def add(self, block, workers):
        self._pending[block.name] = (block, set(workers))
        self._unlink_if_done(block.name)

    def attached(self, worker, name):
        entry = self._pending.get(name)
        if entry is not None:
            entry[1].discard(worker)
            self._unlink_if_done(name)

    def forget_worker(self, worker):
        for name in list(self._pending):
            self.attached(worker, name)

    def _unlink_if_done(self, name):
        block, waiting = self._pending[name]
        if not waiting:
            del self._pending[name]
            _shm.unlink(block)

    def free(self, block):
        """Close ``block`` for good (unlinking it if it still has a name)."""
        if block is not None:
            linked = self._pending.pop(block.name, None) is not None
            _shm.free(block, linked=linked)


class ProcessTransport:
    """Worker processes joined by duplex pipes: the message layer of ``LocalCluster(backend="process")``.

    The transport interface of the master: ``pack_setup``, ``pack_input``,
    ``send``, ``poll``, ``alive``, ``close``.  Setup payloads and round inputs of
    at least INLINE_LIMIT bytes travel through shared memory; the master waits on
    the pipes and on the process sentinels together, so a killed worker is
    noticed at once.  Workers start with single-threaded BLAS unless the BLAS
    thread variables are set.

    Parameters
    ----------
    n_workers : int
        Worker processes to start.
    start_method : {"forkserver", "spawn"}, optional
        Default forkserver where available, else spawn.

    Raises
    ------
    ValueError
        start_method "fork" (unsafe in a master that runs threads).

    Examples
    --------
    Built by ``LocalCluster``; plain ``fork`` is refused before any process starts:

    >>> from fastcode.runtime.local import ProcessTransport
    >>> ProcessTransport(2, start_method="fork")
    Traceback (most recent call last):
        ...
    ValueError: start_method 'fork' is not supported (unsafe with threads); use 'forkserver' or 'spawn'
    """

    def __init__(self, n_workers: int, start_method: Optional[str] = None) -> None:
        method = start_method or _default_start_method()
        if method == "fork":
            raise ValueError("start_method 'fork' is not supported (unsafe with threads); "
                             "use 'forkserver' or 'spawn'")
        # Any: typeshed's BaseContext lacks Process/Pipe, which every concrete context has
        ctx: Any = mp.get_context(method)
        if method == "forkserver":
            # Workers fork from a server that already imported NumPy and this module.
            ctx.set_forkserver_preload(["fastcode.runtime.local"])
        self.n_workers = n_workers
        self.processes: List[Any] = []
        self.conns: List[Any] = []
        self._alive = [True] * n_workers
        self._events: List[Tuple[int, Tuple[Any, ...]]] = []    # DEAD events noticed while sending
        # Shared-memory blocks owned by the master; a dict the finalizer shares.
        # "linked": the blocks not yet unlinked; "setup_of": worker -> its setup block.
        self._blocks: Dict[str, Any] = {"setup": [], "input": [None], "linked": _LinkedBlocks(), "setup_of": {}}
        try:
            with _single_threaded_blas():
                for i in range(n_workers):
                    parent, child = ctx.Pipe(duplex=True)
                    p = ctx.Process(target=_process_main, args=(child,), daemon=True,
                                    name=f"fastcode-worker-{i}")
                    p.start()
                    child.close()
                    self.processes.append(p)
                    self.conns.append(parent)
        except BaseException:
            self.close()
            raise
        # One epoll/poll set for the whole life of the cluster: cheaper per round
        # than multiprocessing.connection.wait, which rebuilds it on every call.
        self._selector = selectors.DefaultSelector()
        for i, (conn, p) in enumerate(zip(self.conns, self.processes)):
            self._selector.register(conn, selectors.EVENT_READ, (i, False))
            self._selector.register(p.sentinel, selectors.EVENT_READ, (i, True))
        # Also stop the workers if the cluster is dropped without close().
        self._finalizer = weakref.finalize(self, _shutdown, self.processes, self.conns,
                                           self._blocks)

    def alive(self, i: int) -> bool:
        """Whether worker ``i`` is still running (False once its death was noticed).

        Parameters
        ----------
        i : int
            Worker id.

        Returns
        -------
        bool
        """
        return self._alive[i]

    def _mark_dead(self, i):
        if self._alive[i]:
            self._alive[i] = False
            for obj in (self.conns[i], self.processes[i].sentinel):
                try:
                    self._selector.unregister(obj)
                except (KeyError, ValueError):
                    pass
            self._blocks["linked"].forget_worker(i)
            p = self.processes[i]
            p.join(0.1)
            code = p.exitcode
            reason = f"died (exit code {code})" if code is not None else "died (pipe closed)"
            self._events.append((i, (DEAD, reason)))

    def pack_setup(self, payloads: Sequence[Any]) -> List[Tuple[str, Any]]:
        """The setup messages' payload specs: arrays in shared memory, the rest inline.

        Payload i's block is unlinked once worker i has mapped it (or answered
        SETUP, or died); the blocks of the previous setup are freed.

        Parameters
        ----------
        payloads : sequence
            Payload i for worker i (arrays, or nested tuples/lists/dicts of them).

        Returns
        -------
        list of (kind, spec) tuples
            One per payload, what ``send`` ships in the SETUP message.
        """
        old = list(self._blocks["setup"])
        linked = self._blocks["linked"]
        specs, blocks, setup_of = [], [], {}
        try:
            for i, payload in enumerate(payloads):
                if _shm.array_bytes(payload):
                    block, packed = _shm.pack(payload)
                    blocks.append(block)
                    setup_of[i] = block.name
                    specs.append((_SHARED, packed))
                else:
                    specs.append((_INLINE, payload))
        except BaseException:
            for block in blocks:
                _shm.free(block)
            raise
        # Payload i is for worker i only: its name goes once worker i has mapped it
        # (or answered SETUP, or died).  The old blocks are closed now (a mapping
        # stays valid after unlink, so a worker mid-round is unharmed).
        for i, block in zip(setup_of, blocks):      # same order: one block per shared payload
            linked.add(block, {i} if i < self.n_workers and self._alive[i] else ())
        self._blocks["setup"][:] = blocks
        self._blocks["setup_of"].clear()
        self._blocks["setup_of"].update(setup_of)
        for block in old:
            linked.free(block)
        return specs

    def pack_input(self, round_input: Any) -> Tuple[str, Any]:
        """The round input's spec: inline below INLINE_LIMIT bytes, else shared memory.

        One shared buffer serves every worker and is rewritten in place each round.

        Parameters
        ----------
        round_input : object
            Arrays, or nested tuples/lists/dicts of them.

        Returns
        -------
        (kind, spec) tuple
        """
        if _shm.array_bytes(round_input) < INLINE_LIMIT:
            return (_INLINE, round_input)
        # One shared buffer for all workers, rewritten in place each round.  A
        # worker still reading it for an older round computes garbage, but that
        # result carries the older round id and is discarded.
        current = self._blocks["input"]
        block, packed, fresh = _shm.repack(current[0], round_input)
        if fresh:
            # Every live worker maps it on its next round (then keeps the mapping
            # while the block is rewritten in place): its name goes after that.
            linked = self._blocks["linked"]
            linked.free(current[0])
            current[0] = block
            linked.add(block, [i for i in range(self.n_workers) if self._alive[i]])
        return (_SHARED, packed)

    def send(self, i: int, message: Tuple[Any, ...]) -> None:
        """Send ``message`` to worker ``i``; a broken pipe marks the worker dead.

        Parameters
        ----------
        i : int
            Worker id.
        message : tuple
            A message of the worker protocol.
        """
        try:
            self.conns[i].send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
            self._mark_dead(i)

    def poll(self, timeout: Optional[float]) -> List[Tuple[int, Tuple[Any, ...]]]:
        """The messages that arrive within ``timeout`` seconds (all already waiting).

        Parameters
        ----------
        timeout : float or None
            Seconds to wait for the first message (0: only what is there).

        Returns
        -------
        list of (worker, message)
            In arrival order per worker; a dead worker appears as
            ``(worker, ("dead", reason))``.
        """
        events, self._events = self._events, []
        if events:
            timeout = 0
        if not any(self._alive):
            if timeout:
                time.sleep(min(timeout, 0.01))  # nothing can ever arrive; avoid a spin
            return events
        ready = [key.data for key, _ in self._selector.select(timeout)]
        died = {i for i, is_sentinel in ready if is_sentinel}
        for i in sorted({i for i, _ in ready}):
            conn = self.conns[i]
            # Read everything already written, including the last words of a
            # worker that has just died.
            try:
                while conn.poll():
                    message = conn.recv()
                    if message[0] == _ATTACHED:
                        self._blocks["linked"].attached(i, message[1])
                        continue
                    if message[0] in (W.READY, W.ERROR) and message[1] == -1:
                        # SETUP answered: mapped (or failed to), either way done with it
                        name = self._blocks["setup_of"].get(i)
                        if name is not None:
                            self._blocks["linked"].attached(i, name)
                    events.append((i, message))
            except (EOFError, OSError):
                died.add(i)
        for i in sorted(died):
            self._mark_dead(i)
        events.extend(self._events)
        self._events = []
        return events

    def close(self) -> None:
        """Stop the workers (STOP, then terminate, then kill; bounded time) and free
        the shared memory.  Idempotent."""
        selector = getattr(self, "_selector", None)
        if selector is not None:
            selector.close()
        fin = getattr(self, "_finalizer", None)
        if fin is not None:
            fin()  # runs _shutdown once, however often close() is called
        else:  # failed during start-up, before the finalizer existed
            _shutdown(self.processes, self.conns, self._blocks)


def _shutdown(processes, conns, blocks, grace=0.5):
    """Stop worker processes: STOP, then terminate, then kill; bounded time."""
    for conn in conns:
        try:
            conn.send((W.STOP,))
        except Exception:
            pass
    deadline = time.monotonic() + grace
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(0.5)
        if p.is_alive():
            p.kill()
            p.join(0.5)
    for conn in conns:
        conn.close()
    linked = blocks["linked"]
    for block in blocks["setup"]:
        linked.free(block)
    blocks["setup"].clear()
    linked.free(blocks["input"][0])
    blocks["input"][0] = None


# -- thread backend -----------------------------------------------------------

class _QueueChannel:
    """Worker end for a thread worker: an inbox queue and the shared outbox."""

    def __init__(self, worker, inbox, outbox):
        self.worker, self.inbox, self.outbox = worker, inbox, outbox
        self._next = None

    def recv(self):
        if self._next is not None:
            message, self._next = self._next, None
            return message
        return self.inbox.get()

    def poll(self, timeout):
        if self._next is None:
            try:
                self._next = self.inbox.get(timeout=timeout)
            except queue.Empty:
                return False
        return True

    def send(self, message):
        self.outbox.put((self.worker, message))

    @staticmethod
    def open_payload(spec):
        return spec

    @staticmethod
    def open_input(spec):
        return spec


class ThreadTransport:
    """Worker threads joined by queues: the message layer of ``LocalCluster(backend="thread")``.

    No copies at all: payloads and round inputs are the master's own arrays.  A
    worker whose function raises is reported, but a thread cannot be killed, so a
    stuck one just stops being sent work.

    Parameters
    ----------
    n_workers : int
        Worker threads to start (daemon threads).

    Examples
    --------
    >>> from fastcode.runtime.local import ThreadTransport
    >>> transport = ThreadTransport(2)
    >>> transport.alive(1), transport.poll(0)          # nothing sent, nothing received
    (True, [])
    >>> x = np.ones(3)
    >>> transport.pack_input(x) is x                    # no copy
    True
    >>> transport.close()
    >>> transport.alive(1)
    False
    """

    def __init__(self, n_workers: int) -> None:
        self.n_workers = n_workers
        self.outbox: "queue.SimpleQueue[Tuple[int, Tuple[Any, ...]]]" = queue.SimpleQueue()
        self.inboxes: "List[queue.SimpleQueue[Tuple[Any, ...]]]" = [
            queue.SimpleQueue() for _ in range(n_workers)]
        self.threads: List[threading.Thread] = []
        for i in range(n_workers):
            t = threading.Thread(target=W.serve, args=(_QueueChannel(i, self.inboxes[i], self.outbox),),
                                 daemon=True, name=f"fastcode-worker-{i}")
            t.start()
            self.threads.append(t)

    processes: Tuple[Any, ...] = ()

    def alive(self, i: int) -> bool:
        """Whether worker thread ``i`` is running.

        Parameters
        ----------
        i : int
            Worker id.

        Returns
        -------
        bool
        """
        return self.threads[i].is_alive()

    @staticmethod
    def pack_setup(payloads: Sequence[Any]) -> List[Any]:
        """The payloads themselves (threads share the master's memory).

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
    def pack_input(round_input: Any) -> Any:
        """The round input itself (no copy).

        Parameters
        ----------
        round_input : object

        Returns
        -------
        object
            ``round_input``.
        """
        return round_input

    def send(self, i: int, message: Tuple[Any, ...]) -> None:
        """Queue ``message`` for worker ``i``.

        Parameters
        ----------
        i : int
            Worker id.
        message : tuple
            A message of the worker protocol.
        """
        self.inboxes[i].put(message)

    def poll(self, timeout: Optional[float]) -> List[Tuple[int, Tuple[Any, ...]]]:
        """The messages that arrive within ``timeout`` seconds (all already waiting).

        Parameters
        ----------
        timeout : float or None
            Seconds to wait for the first message (0 or None: only what is there).

        Returns
        -------
        list of (worker, message)
        """
        events: List[Tuple[int, Tuple[Any, ...]]] = []
        try:
            events.append(self.outbox.get(timeout=timeout) if timeout else self.outbox.get_nowait())
        except queue.Empty:
            return events
        while True:
            try:
                events.append(self.outbox.get_nowait())
            except queue.Empty:
                return events

    def close(self) -> None:
        """Send every worker STOP and wait up to 1 s in all for the threads (a thread
        stuck in its worker function is abandoned: they are daemon threads)."""
        for inbox in self.inboxes:
            inbox.put((W.STOP,))
        deadline = time.monotonic() + 1.0
        for t in self.threads:
            # Daemon threads: one stuck in worker_fn is abandoned, never waited for.
            t.join(max(0.0, deadline - time.monotonic()))


__all__ = ["LocalCluster", "ProcessTransport", "ThreadTransport", "INLINE_LIMIT"]
