"""The master side of the protocol, shared by the local and MPI clusters.

A :class:`Master` drives rounds over a *transport* that moves messages (the
tuples of ``_worker``) between the master and the workers:

    transport.n_workers
    transport.pack_setup(payloads) -> specs      (keeps what it needs alive)
    transport.pack_input(round_input) -> spec
    transport.send(i, message)                   (must not block for long)
    transport.poll(timeout) -> [(worker, message), ...]
        (timeout 0 = whatever is there; may include (worker, (DEAD, reason)))
    transport.alive(i) -> bool
    transport.close()

Per round, the master (1) drains late messages of earlier rounds, (2) draws
the injected delays, (3) sends the round to every worker that is alive, not
dropped by the model (infinite delay) and not still stuck in an earlier round,
(4) collects results in arrival order until the scheme can decode, failing
early when it no longer can and at the timeout otherwise, (5) decodes.
Results are matched to rounds by the round id they carry, never by arrival.

Partial results (``scheme.partial_results``, see ``protocol``): setup also
ships each worker its part generator and due fractions; in a round the master
books every (PART, r, key, array) of the current round as responder
``(worker, key)``, asks ``can_decode`` after each, and decodes from the dict
keyed by those pairs.  A worker's DONE (or ERROR / CANCELLED) is its one final
reply; parts of earlier rounds, or arriving after the decode, are discarded.
"""
import math
import time
from typing import Any, Dict, List, Literal, Optional, Tuple, Union

import numpy as np

from fastcode.errors import ClusterStateError, WorkerFailedError
from fastcode._util.rng import as_generator
from fastcode.runtime import _worker as W
from fastcode.runtime._round import PartialRoundState, RoundState
from fastcode.runtime.protocol import (check_scheme, is_partial, part_plan, sample_delays,
                                       worker_loads)
from fastcode.runtime.result import RoundResult

DEAD = "dead"  # transport-made message: (DEAD, reason)

# A worker that owes this many replies is stuck in earlier rounds: it gets no
# new round, so its queue stays short and the master's sends never block on it
# (MAX_OWED inline messages of < INLINE_LIMIT bytes fit in a socket buffer).
# Not 2: with tiny fast rounds a worker the master did not need is routinely a
# round or two behind without being stuck.
MAX_OWED = 4

SETUP_TIMEOUT = 60.0  # seconds; process start-up + shipping big payloads


class Master:
    """Rounds of one scheme on a set of workers (see the module doc).

    Parameters
    ----------
    transport : object
        The message layer (local processes/threads, or MPI): ``n_workers``,
        ``pack_setup``, ``pack_input``, ``send``, ``poll``, ``alive``, ``close``.
    straggler_model : StragglerModel, optional
        Object with ``sample(n, load, rng)`` (``fastcode.sim`` models), or None for
        no injected delay.
    timeout : float, default 30.0
        Default per-round timeout in seconds (> 0).
    rng : None, int or numpy.random.Generator
        Seed or Generator for the injected delays.
    time_scale : float, default 1.0
        Seconds per unit of the model's time (> 0; the models of
        :mod:`fastcode.sim` are normalised, e.g. a shift of 1 for the whole job).
    additive_delays : bool, default False
        False: an injected time is the task's total time, counted from the round
        start (from the task's arrival on workers of another host): the worker
        answers at max(delay, compute); True: the delay is added after the
        computation.

    Raises
    ------
    ValueError
        A timeout or time_scale that is not > 0.

    Examples
    --------
    ``LocalCluster`` and ``MPICluster`` are Masters over their transports:

    >>> from fastcode.runtime import LocalCluster
    >>> from fastcode.schemes.matvec import CodedMatVec
    >>> A = np.arange(8.0).reshape(4, 2)
    >>> with LocalCluster(2, backend="thread", timeout=10.0) as cluster:
    ...     cluster.setup(CodedMatVec(A, 2, 1), A)
    ...     r = cluster.run_round(np.array([1.0, 0.0]))
    ...     cluster.dead_workers
    {}
    >>> r.output.tolist()
    [0.0, 2.0, 4.0, 6.0]
    """

    def __init__(self, transport: Any, straggler_model: Optional[Any] = None,
                 timeout: float = 30.0, rng: Union[None, int, np.random.Generator] = None,
                 time_scale: float = 1.0, additive_delays: bool = False) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0, got {timeout}")
        if not time_scale > 0:
            raise ValueError(f"time_scale must be > 0, got {time_scale}")
        self.transport = transport
        self.n_workers = transport.n_workers
        self.straggler_model = straggler_model
        self.timeout = float(timeout)
        self.rng = as_generator(rng)
        self.time_scale = float(time_scale)
        self.additive_delays = bool(additive_delays)
        self.scheme: Optional[Any] = None
        self._loads: Optional[np.ndarray] = None
        self._plan: Optional[Tuple[List[Any], List[Any]]] = None   # partial results: (parts, fractions)
        self._round = 0
        self._owed = [0] * self.n_workers
        self._dead: Dict[int, str] = {}          # worker -> reason, permanent
        self._closed = False

    # -- life cycle -----------------------------------------------------------

    def __enter__(self) -> "Master":
        return self

    def __exit__(self, *exc: Any) -> Literal[False]:
        self.close()
        return False

    def close(self) -> None:
        """Stop the workers and free shared resources (idempotent, never hangs)."""
        if not self._closed:
            self._closed = True
            self.transport.close()

    @property
    def dead_workers(self) -> Dict[int, str]:
        """Workers known to be gone for good: worker id -> reason."""
        return dict(self._dead)

    def _check_open(self):
        if self._closed:
            raise ClusterStateError("the cluster is closed")

    # -- setup ----------------------------------------------------------------

    def setup(self, scheme: Any, job: Any, timeout: Optional[float] = None) -> None:
        """Build the scheme's per-worker payloads from ``job`` and ship them once.

        Payloads stay on the workers for every later round.

        Parameters
        ----------
        scheme : Scheme
            A scheme for this cluster's ``n_workers`` (see ``fastcode.runtime.protocol``).
        job : object
            What ``scheme.setup_tasks`` takes (e.g. the matrix A).
        timeout : float, optional
            Seconds to wait for every worker to load its payload; default the
            larger of the round timeout and SETUP_TIMEOUT (the first setup also
            waits for the workers to start).

        Raises
        ------
        WorkerFailedError
            A worker cannot load its payload (or died, or did not answer in time).
        ClusterStateError
            The cluster is closed, the scheme does not fit it, or
            ``setup_tasks`` returned the wrong number of payloads.
        """
        self._check_open()
        check_scheme(scheme, self.n_workers)
        self._check_partial_support(scheme)
        plan = part_plan(scheme) if is_partial(scheme) else None
        payloads = list(scheme.setup_tasks(job))
        if len(payloads) != self.n_workers:
            raise ClusterStateError(f"scheme.setup_tasks returned {len(payloads)} payloads "
                                    f"for {self.n_workers} workers")
        timeout = max(self.timeout, SETUP_TIMEOUT) if timeout is None else float(timeout)
        self.scheme = None  # a failed setup leaves the cluster not set up
        specs = self.transport.pack_setup(payloads)
        waiting = set()
        for i in range(self.n_workers):
            if self.transport.alive(i):
                message: Tuple[Any, ...]
                if plan is None:
                    message = (W.SETUP, scheme.worker_fn, specs[i])
                else:
                    message = (W.SETUP, scheme.worker_fn, specs[i],
                               (scheme.worker_parts_fn, plan[1][i]))
                self.transport.send(i, message)
                waiting.add(i)
        deadline = time.perf_counter() + timeout
        errors: Dict[int, str] = {}
        while waiting:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise WorkerFailedError(f"setup: workers {sorted(waiting)} did not load their "
                                        f"payloads within {timeout:g} s", failures=errors)
            for worker, message in self.transport.poll(remaining):
                kind = message[0]
                if kind in (W.READY, W.ERROR) and message[1] == -1:
                    waiting.discard(worker)
                    if kind == W.ERROR:
                        errors[worker] = message[2]
                elif kind == DEAD:
                    self._dead[worker] = message[1]
                    waiting.discard(worker)
                    errors[worker] = message[1]
                else:
                    self._dispatch(worker, message, None, 0.0)  # late reply of an old round
        if errors:
            first = min(errors)
            raise WorkerFailedError(f"setup failed on workers {sorted(errors)}; worker {first}: "
                                    f"{errors[first]}", failures=errors)
        self.scheme = scheme
        self._plan = plan
        self._loads = worker_loads(scheme)

    def _check_partial_support(self, scheme: Any) -> None:
        """Transports that cannot run partial-results schemes override this to raise."""

    # -- rounds ---------------------------------------------------------------

    def run_round(self, round_input: Any, timeout: Optional[float] = None) -> RoundResult:
        """Run one round on ``round_input``.

        Either failure below leaves the cluster usable for later rounds.

        Parameters
        ----------
        round_input : object
            Passed to every worker function and to ``scheme.decode``.
        timeout : float, optional
            Seconds; default the cluster's timeout.

        Returns
        -------
        RoundResult

        Raises
        ------
        WorkerFailedError
            As soon as the survivors cannot decode.
        RoundTimeoutError
            The round is not decodable after ``timeout`` seconds.
        ClusterStateError
            The cluster is closed or not set up.
        """
        self._check_open()
        scheme = self.scheme
        if scheme is None:
            raise ClusterStateError("run_round before a successful setup(scheme, job)")
        timeout = self.timeout if timeout is None else float(timeout)
        round_id = self._round
        self._round += 1

        discarded = self._drain()
        assert self._loads is not None          # set together with scheme by setup
        delays = sample_delays(self.straggler_model, self._loads, self.rng) * self.time_scale
        failures, asked = {}, []
        for i in range(self.n_workers):
            if i in self._dead or not self.transport.alive(i):
                failures[i] = self._dead.setdefault(i, "died")
            elif math.isinf(delays[i]):
                failures[i] = "dropped by the straggler model (infinite delay)"
            elif self._owed[i] >= MAX_OWED:
                failures[i] = "busy: still computing an earlier round"
            else:
                asked.append(i)

        start = time.perf_counter()
        # Injected delays count from now for workers that share this machine's clock.
        t_ref = (W.clock_id(), time.monotonic())
        spec = self.transport.pack_input(round_input)
        if self._plan is None:
            state = RoundState(scheme, round_id, start, asked, failures)
        else:
            state = PartialRoundState(scheme, round_id, start, asked, failures,
                                      dict(enumerate(self._plan[0])))
        if state.hopeless():
            # the workers that can answer cannot decode even if all do: fail now, without
            # sending them work they would still owe (back-to-back hopeless rounds would
            # otherwise fill every worker's queue up to MAX_OWED and fail later rounds too)
            raise state.failed_error()
        for i in asked:
            self._owed[i] += 1
            self.transport.send(i, (W.ROUND, round_id, spec, float(delays[i]),
                                    self.additive_delays, t_ref))
        deadline = start + timeout
        while not state.decodable:
            if state.hopeless():
                raise state.failed_error()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise state.timeout_error(timeout)
            events = self.transport.poll(remaining)
            now = time.perf_counter()
            for worker, message in events:
                discarded += self._dispatch(worker, message, state, now)
        wait_time = time.perf_counter() - start

        t0 = time.perf_counter()
        output = scheme.decode(dict(state.results), round_input)
        end = time.perf_counter()
        # Outside the timed part: what the round would take with no runtime cost
        # (0 without injected delays: skip the scheme calls on fast rounds).
        if self._plan is None:
            ideal = ideal_time(scheme, delays) if delays.any() else 0.0
            due = None
        else:
            ideal = ideal_time_partial(scheme, delays, self._plan) if delays.any() else 0.0
            frac = {(w, k): f for w, (keys, fs) in enumerate(zip(*self._plan))
                    for k, f in zip(keys, fs)}
            due = tuple(float(delays[w] * frac.get((w, k), 1.0)) for w, k in state.responders)
        return RoundResult(
            round_id=round_id, output=output, responders=tuple(state.responders),
            latencies=state.latencies, compute_times=state.compute_times,
            service_times=state.service_times, delays=delays, wait_time=wait_time,
            decode_time=end - t0, wall_time=end - start, discarded=discarded,
            failures=state.failures, ideal_time=ideal, responder_due=due)

    def _drain(self):
        """Consume whatever arrived between rounds; returns the stale results count."""
        discarded = 0
        for worker, message in self.transport.poll(0):
            discarded += self._dispatch(worker, message, None, 0.0)
        return discarded

    def _dispatch(self, worker, message, state, now):
        """Route one message; returns 1 if it was a result nobody will use."""
        kind = message[0]
        if kind == DEAD:
            self._dead[worker] = message[1]
            if state is not None:
                state.fail(worker, message[1])
            return 0
        if kind == W.PART:
            if (state is not None and message[1] == state.round_id and not state.decodable
                    and isinstance(state, PartialRoundState)):
                state.accept_part(worker, message[2], message[3], now)
                return 0
            return 1  # a part of an earlier round, or not needed any more
        if kind not in (W.RESULT, W.DONE, W.ERROR, W.CANCELLED) or message[1] < 0:
            return 0  # a late setup acknowledgement: nothing to book
        self._owed[worker] = max(0, self._owed[worker] - 1)
        current = state is not None and message[1] == state.round_id
        if kind == W.DONE:
            if current and isinstance(state, PartialRoundState):
                state.done(worker, message[2], message[3])
            return 0
        if kind == W.RESULT:
            if current and not state.decodable:
                _, _, result, compute, service = message
                state.accept(worker, result, compute, service, now)
                return 0
            return 1  # late (earlier round) or unneeded: never used
        if kind == W.ERROR and current:
            state.fail(worker, "raised " + message[2])
        return 0


def ideal_time(scheme, delays):
    """The round time the injected delays alone imply: the first instant at which
    the workers done by then can decode (the order statistic the simulator
    predicts; inf if they never can)."""
    order = np.argsort(delays, kind="stable")
    for j in range(1, len(order) + 1):
        if math.isinf(delays[order[j - 1]]):
            break
        if scheme.can_decode(tuple(int(i) for i in order[:j])):
            return float(delays[order[j - 1]])
    return math.inf


def ideal_time_partial(scheme, delays, plan):
    """:func:`ideal_time` for partial results: the first instant at which the
    parts due by then (part k of worker w at ``delays[w] * fractions[w][k]``)
    can decode."""
    parts, fractions = plan
    due = sorted((float(delays[w] * f), w, j) for w in range(len(parts))
                 if not math.isinf(delays[w]) for j, f in enumerate(fractions[w]))
    pairs = []
    for t, w, j in due:
        pairs.append((w, parts[w][j]))
        if scheme.can_decode(tuple(pairs)):
            return t
    return math.inf
