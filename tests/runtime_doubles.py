"""Test doubles for the runtime tests: a straggler model with fixed times and a
scheme whose workers fail on request.  Kept free of pytest so that worker
processes, which import ``faulty_task`` by name, start quickly."""
import time

import numpy as np

from fastcode.runtime.examples import ReplicatedMatVec


class FixedDelays:
    """Straggler model double: the same per-worker times every round, or one
    row per round from a schedule (the last row repeats)."""

    def __init__(self, *rows):
        self.rows = [np.asarray(r, dtype=float) for r in rows]
        self.calls = 0
        self.loads = []

    def sample(self, n_workers, load, rng):
        self.loads.append(load)
        row = self.rows[min(self.calls, len(self.rows) - 1)]
        self.calls += 1
        assert row.shape == (n_workers,)
        return row.copy()

    def mean_time(self, load):
        return float(np.mean(self.rows[0]))


def faulty_task(payload, round_input):
    """Worker function with faults chosen per round by the master:
    round_input = (x, faults) with faults = {worker: (kind, seconds)}, kind one of
    "raise", "sleep" (before computing) or "unpicklable" (a result that cannot be sent)."""
    worker, block = payload
    x, faults = round_input
    kind, seconds = faults.get(int(worker[0]), (None, 0))
    if kind == "raise":
        raise ValueError(f"boom on worker {int(worker[0])}")
    if kind == "sleep":
        time.sleep(seconds)
    if kind == "unpicklable":
        return lambda: None
    return block @ x


class FaultyReplication(ReplicatedMatVec):
    """ReplicatedMatVec whose workers run faulty_task (r=1 is the uncoded scheme)."""

    worker_fn = staticmethod(faulty_task)

    def setup_tasks(self, A):
        return [(np.array([i]), block) for i, block in enumerate(super().setup_tasks(A))]

    def decode(self, results, round_input):
        return super().decode(results, round_input[0])
