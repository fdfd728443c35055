"""VirtualCluster: a scheme's rounds in this process on a virtual clock.

Real worker code and real messages, simulated time.  The caller says when each
worker's message (or, for a partial-results scheme, each of its parts) would be
ready; the cluster processes those events in time order, computes a message only
when its event comes up (each worker's ``worker_parts_fn`` generator is advanced
one part at a time), hands it to the master side, and ends the round at the first
event after which ``scheme.can_decode`` holds.  Everything later is never
computed (purged), as a real master would cancel it.

This is the runtime protocol of ``fastcode.runtime.protocol`` with the waits
replaced by a sort: the same scheme object runs here, on ``LocalCluster`` and under
MPI.  Reproductions use it to run thousands of rounds with exact, repeatable
times (the times come from a straggler model or a measured trace, not a clock).
"""
from dataclasses import dataclass
from typing import Any, Dict, Hashable, List, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import ClusterStateError, InvalidArgumentError, NotEnoughShardsError
from fastcode.runtime.protocol import check_scheme, is_partial, part_plan

__all__ = ["VirtualCluster", "VirtualRound"]


@dataclass(frozen=True)
class VirtualRound:
    """One round on the virtual clock, as ``VirtualCluster.run_round`` returns it.

    Attributes
    ----------
    output : object
        What ``scheme.decode`` returned.
    time : float
        The event time at which the round became decodable.
    arrivals : list of (time, worker, key)
        The events the master used, in order (``key`` is the part key, or None for
        a whole message).
    results : dict
        The messages the master received, keyed as ``scheme.decode`` got them
        (worker ids, or (worker, key) pairs for a partial-results scheme).
    computed : int
        How many messages (parts) were computed; the rest were purged.

    Examples
    --------
    >>> from fastcode.runtime import VirtualCluster
    >>> from fastcode.schemes.matvec import CodedMatVec
    >>> A = np.arange(12.0).reshape(6, 2)
    >>> cluster = VirtualCluster(4)
    >>> _ = cluster.setup(CodedMatVec(A, 4, 2), A)       # any 2 of 4 decode
    >>> r = cluster.run_round(np.array([1.0, -1.0]), times=[3.0, 1.0, np.inf, 2.0])
    >>> r.time, r.arrivals, r.computed, sorted(r.results)
    (2.0, [(1.0, 1, None), (2.0, 3, None)], 2, [1, 3])
    >>> np.allclose(r.output, A @ [1.0, -1.0])
    True
    """

    output: object
    time: float
    arrivals: list
    results: dict
    computed: int


class VirtualCluster:
    """``n_workers`` virtual workers; ``setup(scheme, job)`` then ``run_round(input, times)``.

    ``times`` of a round, float64, ``inf`` = never ready:

    - a plain scheme: shape (n_workers,), the time worker i's message is ready;
    - a partial-results scheme: either shape (n_workers,), worker i's whole-message
      time, its parts being due as on ``LocalCluster`` (part k at
      ``time * part_loads(i)[k] / part_loads(i)[-1]``), or a sequence of n_workers
      1-D arrays, the ready time of each part of worker i (non-decreasing, one per
      ``parts(i)``).

    Ties are broken by worker id, then part order, so a round is a pure function
    of the scheme, the payloads, the round input and the times.

    Parameters
    ----------
    n_workers : int
        Virtual workers (>= 1).

    Raises
    ------
    InvalidArgumentError
        ``n_workers`` is not an integer >= 1.

    Examples
    --------
    A (4, 2)-MDS coded A @ x; times from a straggler model, so the round time is
    the second order statistic of the draw:

    >>> from fastcode.runtime import VirtualCluster
    >>> from fastcode.schemes.matvec import CodedMatVec
    >>> from fastcode.sim.stragglers import ShiftedExponential
    >>> A = np.arange(12.0).reshape(6, 2)
    >>> cluster = VirtualCluster(4)
    >>> _ = cluster.setup(CodedMatVec(A, 4, 2), A)
    >>> times = ShiftedExponential(mu=1.0).sample(4, load=0.5, rng=0)
    >>> r = cluster.run_round(np.array([1.0, 2.0]), times)
    >>> bool(r.time == np.sort(times)[1]), r.computed  # the two slower ones never computed
    (True, 2)
    >>> np.allclose(r.output, A @ [1.0, 2.0])
    True
    """

    def __init__(self, n_workers: int) -> None:
        if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)) \
                or n_workers < 1:
            raise InvalidArgumentError(f"n_workers must be an integer >= 1, got {n_workers!r}")
        self.n_workers = int(n_workers)
        self.scheme: Optional[Any] = None
        self.payloads: Optional[List[Any]] = None
        self._parts: Optional[List[Tuple[Hashable, ...]]] = None
        self._fractions: Optional[List[Tuple[float, ...]]] = None

    def setup(self, scheme: Any, job: Any) -> List[Any]:
        """Check ``scheme`` against the protocol and keep ``scheme.setup_tasks(job)``.

        Parameters
        ----------
        scheme : Scheme
            A scheme for ``n_workers`` workers (see ``fastcode.runtime.protocol``).
        job : object
            What ``scheme.setup_tasks`` takes (e.g. the matrix A).

        Returns
        -------
        list
            The payloads, one per worker.

        Raises
        ------
        ClusterStateError
            The scheme lacks a protocol attribute, is for another number of
            workers, has a worker function that is not module-level, declares
            inconsistent parts, or ``setup_tasks`` returned the wrong number of
            payloads.

        Examples
        --------
        >>> from fastcode.runtime import VirtualCluster
        >>> from fastcode.schemes.matvec import CodedMatVec
        >>> A = np.arange(12.0).reshape(6, 2)
        >>> payloads = VirtualCluster(4).setup(CodedMatVec(A, 4, 2), A)
        >>> len(payloads)
        4
        """
        check_scheme(scheme, self.n_workers)
        payloads = list(scheme.setup_tasks(job))
        if len(payloads) != self.n_workers:
            raise ClusterStateError(f"setup_tasks returned {len(payloads)} payloads for "
                                    f"{self.n_workers} workers")
        self.scheme, self.payloads = scheme, payloads
        if is_partial(scheme):
            self._parts, self._fractions = part_plan(scheme)
        else:       # a plain scheme after a partial-results one: forget its parts
            self._parts = self._fractions = None
        return payloads

    def _events(self, times: Any) -> List[Tuple[float, int, int]]:
        """Sorted (time, worker, part index) events with finite times."""
        n = self.n_workers
        if self._parts is None:
            t = _times_vector(times, n)
            return sorted((float(t[i]), i, 0) for i in range(n) if np.isfinite(t[i]))
        assert self._fractions is not None          # set together with _parts by setup
        if isinstance(times, np.ndarray) or all(np.ndim(v) == 0 for v in times):
            # whole-message times: parts due in proportion to their loads, as on LocalCluster
            t = _times_vector(times, n)
            per_worker = [t[i] * np.asarray(f, dtype=np.float64) if np.isfinite(t[i])
                          else np.full(len(f), np.inf) for i, f in enumerate(self._fractions)]
        else:
            if len(times) != n:
                raise InvalidArgumentError(f"times must hold one array per worker ({n}), "
                                           f"got {len(times)}")
            per_worker = []
            for i, ti in enumerate(times):
                ti = np.asarray(ti, dtype=np.float64).reshape(-1)
                if len(ti) != len(self._parts[i]):
                    raise InvalidArgumentError(f"times[{i}] has {len(ti)} entries, worker {i} "
                                               f"sends {len(self._parts[i])} parts")
                # compare, not np.diff: inf - inf would warn (a dead worker sends every part at inf)
                if np.any(np.isnan(ti)) or np.any(ti < 0) or np.any(ti[1:] < ti[:-1]):
                    raise InvalidArgumentError(f"times[{i}] must be non-decreasing and >= 0, "
                                               f"got {ti.tolist()[:8]}")
                per_worker.append(ti)
        return sorted((float(t), i, k) for i, ti in enumerate(per_worker)
                      for k, t in enumerate(ti) if np.isfinite(t))

    def run_round(self, round_input: Any,
                  times: Union[ArrayLike, Sequence[ArrayLike]]) -> VirtualRound:
        """Run one round on the virtual clock.

        Parameters
        ----------
        round_input : object
            The round's input, passed to the worker functions and ``decode``.
        times : float64 array with one time per worker, or a sequence of per-part arrays
            When each message (or part) is ready; ``inf`` = never (see the class).

        Returns
        -------
        VirtualRound

        Raises
        ------
        NotEnoughShardsError
            The messages that are ever ready never make the round decodable (with
            the scheme's own reason when its decode gives one).
        ClusterStateError
            ``setup`` was not called, or a worker yielded parts out of order.
        InvalidArgumentError
            ``times`` of the wrong shape, negative or NaN.

        Examples
        --------
        >>> from fastcode.runtime import VirtualCluster
        >>> from fastcode.schemes.matvec import CodedMatVec
        >>> A = np.arange(12.0).reshape(6, 2)
        >>> cluster = VirtualCluster(4)
        >>> _ = cluster.setup(CodedMatVec(A, 4, 2), A)
        >>> cluster.run_round(np.array([1.0, 1.0]), [1.0, np.inf, np.inf, np.inf])
        Traceback (most recent call last):
            ...
        fastcode.errors.NotEnoughShardsError: the round cannot finish: ...
        """
        scheme = self.scheme
        if scheme is None:
            raise ClusterStateError("call setup(scheme, job) before run_round")
        payloads, parts = self.payloads, self._parts
        assert payloads is not None                 # set together with scheme by setup
        gens: Dict[int, Any] = {}
        results: Dict[Hashable, Any] = {}
        arrivals: List[Tuple[float, int, Any]] = []
        computed = 0
        try:
            for t, i, k in self._events(times):
                rkey: Hashable
                if parts is not None:
                    gen = gens.get(i)
                    if gen is None:
                        gen = gens[i] = scheme.worker_parts_fn(payloads[i], round_input)
                    key, msg = next(gen)
                    if key != parts[i][k]:
                        raise ClusterStateError(f"worker {i} yielded part {key!r}, expected "
                                                f"{parts[i][k]!r} (parts(i) order)")
                    rkey = (i, key)
                else:
                    key, rkey = None, i
                    msg = scheme.worker_fn(payloads[i], round_input)
                computed += 1
                results[rkey] = msg
                arrivals.append((t, i, key))
                if scheme.can_decode(list(results)):
                    return VirtualRound(scheme.decode(results, round_input), t, arrivals,
                                        results, computed)
        finally:
            for gen in gens.values():
                gen.close()
        reason = ""
        try:
            scheme.decode(results, round_input)
        except NotEnoughShardsError as exc:
            reason = f": {exc}"
        except Exception:                        # noqa: BLE001  (only the reason is wanted)
            pass
        raise NotEnoughShardsError("the round cannot finish: the messages that are ever ready "
                                   f"({len(results)} of them) do not decode{reason}")


def _times_vector(times: Any, n: int) -> np.ndarray:
    t = np.asarray(times, dtype=np.float64)
    if t.shape != (n,) or np.any(np.isnan(t)) or np.any(t < 0):
        raise InvalidArgumentError(f"times must be {n} ready times >= 0 (inf allowed), "
                                   f"got {np.asarray(times)!r}")
    return t
