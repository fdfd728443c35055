"""Test doubles for the runtime tests: minimal protocol schemes (uncoded and
replicated mat-vec in plain NumPy, built without the data, so the runtime is
tested apart from the real schemes of fastcode.schemes), a straggler model with
fixed times and a scheme whose workers fail on request.  Kept free of pytest so that worker
processes, which import ``faulty_task`` by name, start quickly."""
import time

import numpy as np


def matvec_task(block, x):
    """Worker function of the mat-vec examples: this worker's rows times x."""
    return block @ x


class UncodedMatVec:
    """A @ x split into n_workers row blocks, one per worker; needs all of them."""

    worker_fn = staticmethod(matvec_task)

    def __init__(self, n_workers):
        if n_workers < 1:
            raise ValueError(f"n_workers must be >= 1, got {n_workers}")
        self.n_workers = n_workers

    def setup_tasks(self, A):
        return [np.ascontiguousarray(b) for b in np.array_split(np.asarray(A), self.n_workers)]

    def worker_load(self, i):
        return 1.0 / self.n_workers

    def can_decode(self, responders):
        return len(set(responders)) == self.n_workers

    def decode(self, results, x):
        return np.concatenate([results[i] for i in range(self.n_workers)])


class ReplicatedMatVec:
    """r-replication: n_workers/r row blocks, block g held by workers g*r .. g*r+r-1.

    Decodable as soon as every block has one responder (the group rule)."""

    worker_fn = staticmethod(matvec_task)

    def __init__(self, n_workers, r=2):
        if r < 1 or n_workers % r:
            raise ValueError(f"replication factor r={r} must divide n_workers={n_workers}")
        self.n_workers, self.r = n_workers, r
        self.n_blocks = n_workers // r

    def group(self, i):
        """The row block held by worker i."""
        return i // self.r

    def setup_tasks(self, A):
        blocks = [np.ascontiguousarray(b) for b in np.array_split(np.asarray(A), self.n_blocks)]
        return [blocks[self.group(i)] for i in range(self.n_workers)]

    def worker_load(self, i):
        return 1.0 / self.n_blocks

    def can_decode(self, responders):
        return len({self.group(i) for i in responders}) == self.n_blocks

    def decode(self, results, x):
        first = {}
        for i in results:  # dicts keep arrival order: use each block's first copy
            first.setdefault(self.group(i), results[i])
        return np.concatenate([first[g] for g in range(self.n_blocks)])


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


def parts_task(payload, x):
    """Part generator of PartialSum: part k of this worker is V[k] * x (optionally slow)."""
    V, pause = payload
    for k in range(V.shape[0]):
        if pause:
            time.sleep(pause)
        yield k, V[k] * x


class PartialSum:
    """Partial-results double: r-replicated groups, each worker sends ``n_parts``
    parts (part k = V_g[k] * x); the output is the sum of every group's parts.
    Decodable once every (group, part) has arrived from some worker of the group."""

    partial_results = True
    worker_fn = staticmethod(matvec_task)        # never called in partial mode
    worker_parts_fn = staticmethod(parts_task)

    def __init__(self, n_workers, r=1, n_parts=3, pause=0.0):
        if r < 1 or n_workers % r:
            raise ValueError(f"r={r} must divide n_workers={n_workers}")
        self.n_workers, self.r, self.n_parts, self.pause = n_workers, r, n_parts, pause
        self.n_groups = n_workers // r
        self.calls = []                          # responders passed to can_decode

    def group(self, i):
        return i // self.r

    def setup_tasks(self, V):
        """V: (n_groups, n_parts, m)."""
        V = np.asarray(V, dtype=float)
        assert V.shape[:2] == (self.n_groups, self.n_parts)
        return [(np.ascontiguousarray(V[self.group(i)]), self.pause) for i in range(self.n_workers)]

    def worker_load(self, i):
        return 1.0 / self.n_groups

    def parts(self, i):
        return tuple(range(self.n_parts))

    def part_loads(self, i):
        return np.arange(1, self.n_parts + 1) / self.n_parts * self.worker_load(i)

    def can_decode(self, responders):
        self.calls.append(tuple(responders))
        got = {(self.group(w), k) for w, k in responders}
        return len(got) == self.n_groups * self.n_parts

    def decode(self, results, x):
        first = {}
        for (w, k), v in results.items():
            first.setdefault((self.group(w), k), v)
        return sum(first[g, k] for g in range(self.n_groups) for k in range(self.n_parts))

    @staticmethod
    def expected(V, x):
        return np.asarray(V, dtype=float).sum(axis=(0, 1)) * x
