"""What one round of a distributed job reports (the same for every backend)."""
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import numpy as np


@dataclass
class RoundResult:
    """Outcome of ``cluster.run_round(round_input)``.

    Times are seconds on the master's ``time.perf_counter`` clock, counted from
    the moment the round's messages start going out.

    Attributes
    ----------
    round_id : int
        Sequence number of the round on its cluster (0, 1, ...).
    output : object
        ``scheme.decode(...)`` of the responders' results.
    responders : tuple
        Workers whose results were collected, in arrival order; the round stopped
        at the first prefix the scheme could decode.  Partial-results schemes:
        ``(worker, key)`` pairs, one per part.
    latencies : float64 array, one entry per worker
        Arrival time of each worker's result; NaN for workers that did not answer
        before the round was decoded.  Partial results: arrival of the worker's
        last part received before the decode (NaN if none was).
    compute_times : float64 array, one entry per worker
        Time spent in ``worker_fn`` on each worker (measured there); NaN for
        non-responders.
    service_times : float64 array, one entry per worker
        Time from the worker receiving the round to it sending the result
        (compute + injected wait, measured there); NaN for non-responders.
        Partial results: booked when the worker has sent all its parts, so NaN
        for workers whose last parts came after the decode (compute = time in the
        part generator).
    delays : float64 array, one entry per worker
        Injected completion times drawn from the straggler model, in seconds
        (zeros without a model).
    wait_time : float
        Time until the responders became decodable.
    decode_time : float
        Time spent in ``scheme.decode``.
    wall_time : float
        The whole round, wait + decode + bookkeeping.
    discarded : int
        Late messages of earlier rounds thrown away during this one.
    failures : dict
        Worker id -> reason, for workers that raised, died, were dropped (infinite
        injected delay) or were still busy with an earlier round.
    ideal_time : float
        The round time the injected delays alone imply (first instant the workers
        done by then can decode): what a simulator of the same model predicts for
        this draw.  ``wall_time - ideal_time`` is the price of really running it.
        Partial results: the first instant the parts due by then can decode.
    responder_due : tuple of float or None
        Partial results only (else None): the injected due time of each responder
        pair (its worker's delay scaled by the part's load fraction), used by
        :attr:`overhead`.

    Examples
    --------
    A (4, 2)-MDS coded A @ x on four threads whose injected times are fixed
    (worker 1 first, then worker 3):

    >>> from fastcode.runtime import LocalCluster
    >>> from fastcode.schemes.matvec import CodedMatVec
    >>> from fastcode.sim.stragglers import Deterministic, PerWorker
    >>> A = np.arange(12.0).reshape(6, 2)
    >>> model = PerWorker([Deterministic(t) for t in (8.0, 1.0, 6.0, 2.0)])
    >>> with LocalCluster(4, straggler_model=model, backend="thread", time_scale=0.02) as cluster:
    ...     cluster.setup(CodedMatVec(A, 4, 2), A)
    ...     r = cluster.run_round(np.array([1.0, -1.0]))
    >>> r.round_id, r.responders, r.failures
    (0, (1, 3), {})
    >>> np.allclose(r.output, A @ [1.0, -1.0])
    True
    >>> r.delays.round(3).tolist(), round(r.ideal_time, 3)     # load 1/2 x time x 0.02 s
    ([0.08, 0.01, 0.06, 0.02], 0.02)
    >>> np.isnan(r.latencies).tolist()                          # workers 0 and 2 not awaited
    [True, False, True, False]
    >>> bool(r.wall_time >= r.wait_time >= r.ideal_time)
    True
    """

    round_id: int
    output: Any
    responders: Tuple[int, ...]
    latencies: np.ndarray
    compute_times: np.ndarray
    service_times: np.ndarray
    delays: np.ndarray
    wait_time: float
    decode_time: float
    wall_time: float
    discarded: int = 0
    failures: Dict[int, str] = field(default_factory=dict)
    ideal_time: float = float("nan")
    responder_due: Optional[Tuple[float, ...]] = None

    @property
    def overhead(self) -> float:
        """The runtime's own cost: wall time minus decode time minus the time
        the slowest responder was due to answer, i.e. the later of its injected
        delay (counted from the round start on a shared clock) and its service
        time (compute + wait, counted from its receipt of the task).  What is
        left is messaging, dispatch, scheduling and bookkeeping.  Partial
        results: the responders' part due times (service times are per worker,
        not per part, so they are not counted)."""
        if self.responder_due is not None:
            return self.wall_time - max(self.responder_due, default=0.0) - self.decode_time
        due = max((max(self.delays[i], self.service_times[i]) for i in self.responders),
                  default=0.0)
        return self.wall_time - due - self.decode_time
