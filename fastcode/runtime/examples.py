"""Small self-contained schemes (pure NumPy, no codes) for tests and smoke runs.

- :class:`UncodedMatVec`: worker i holds row block i of A and computes its part
  of A @ x; the master needs every worker (the uncoded baseline).
- :class:`ReplicatedMatVec`: r copies of each of n/r row blocks; the master
  needs one copy of every block (the group rule of r-replication).

They implement the protocol of :mod:`fastcode.runtime.protocol` and nothing
more; the coded schemes (MDS, polynomial, gradient codes) live in
``fastcode.schemes`` and plug into the runtime the same way.
"""
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
