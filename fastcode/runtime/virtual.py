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

import numpy as np

from fastcode.errors import ClusterStateError, InvalidArgumentError, NotEnoughShardsError
from fastcode.runtime.protocol import check_scheme, is_partial, part_plan

__all__ = ["VirtualCluster", "VirtualRound"]


@dataclass(frozen=True)
class VirtualRound:
    """One round on the virtual clock.

    ``output``: what ``scheme.decode`` returned.  ``time``: the event time at which the
    round became decodable.  ``arrivals``: the (time, worker, key) events the master
    used, in order (``key`` is the part key, or None for a whole message).
    ``results``: the messages the master received, keyed as ``scheme.decode`` got them
    (worker ids, or (worker, key) pairs for a partial-results scheme).  ``computed``:
    how many messages (parts) were computed; the rest were purged."""

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
    """

    def __init__(self, n_workers):
        if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)) \
                or n_workers < 1:
            raise InvalidArgumentError(f"n_workers must be an integer >= 1, got {n_workers!r}")
        self.n_workers = int(n_workers)
        self.scheme = None
        self.payloads = None
        self._parts = self._fractions = None

    def setup(self, scheme, job):
        """Check ``scheme`` against the protocol and keep ``scheme.setup_tasks(job)``."""
        check_scheme(scheme, self.n_workers)
        payloads = list(scheme.setup_tasks(job))
        if len(payloads) != self.n_workers:
            raise ClusterStateError(f"setup_tasks returned {len(payloads)} payloads for "
                                    f"{self.n_workers} workers")
        self.scheme, self.payloads = scheme, payloads
        if is_partial(scheme):
            self._parts, self._fractions = part_plan(scheme)
        return payloads

    def _events(self, times):
        """Sorted (time, worker, part index) events with finite times."""
        n = self.n_workers
        if self._parts is None:
            t = _times_vector(times, n)
            return sorted((float(t[i]), i, 0) for i in range(n) if np.isfinite(t[i]))
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
                if np.any(np.isnan(ti)) or np.any(ti < 0) or np.any(np.diff(ti) < 0):
                    raise InvalidArgumentError(f"times[{i}] must be non-decreasing and >= 0, "
                                               f"got {ti.tolist()[:8]}")
                per_worker.append(ti)
        return sorted((float(t), i, k) for i, ti in enumerate(per_worker)
                      for k, t in enumerate(ti) if np.isfinite(t))

    def run_round(self, round_input, times):
        """Run one round; returns a VirtualRound.  NotEnoughShardsError (with the
        scheme's own reason when its decode gives one) if the ready messages never
        make the round decodable."""
        scheme = self.scheme
        if scheme is None:
            raise ClusterStateError("call setup(scheme, job) before run_round")
        partial = self._parts is not None
        gens = {}
        results = {}
        arrivals = []
        computed = 0
        try:
            for t, i, k in self._events(times):
                if partial:
                    gen = gens.get(i)
                    if gen is None:
                        gen = gens[i] = scheme.worker_parts_fn(self.payloads[i], round_input)
                    key, msg = next(gen)
                    if key != self._parts[i][k]:
                        raise ClusterStateError(f"worker {i} yielded part {key!r}, expected "
                                                f"{self._parts[i][k]!r} (parts(i) order)")
                    rkey = (i, key)
                else:
                    key, rkey = None, i
                    msg = scheme.worker_fn(self.payloads[i], round_input)
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


def _times_vector(times, n):
    t = np.asarray(times, dtype=np.float64)
    if t.shape != (n,) or np.any(np.isnan(t)) or np.any(t < 0):
        raise InvalidArgumentError(f"times must be {n} ready times >= 0 (inf allowed), "
                                   f"got {np.asarray(times)!r}")
    return t
