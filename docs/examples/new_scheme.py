"""A scheme of your own: A @ x from any n - 1 of n workers with one parity block.

Workers 0..n-2 hold the row blocks A_0..A_{n-2}; worker n-1 holds their sum.
Any n - 1 results give every block: a missing block is the parity result minus
the others.  The class is all the runtime needs (see "Running distributed").
"""
import numpy as np

from fastcode.runtime import LocalCluster, VirtualCluster


def block_times_x(block, x):
    """Worker function: module level, so process and MPI workers import it by name."""
    return block @ x


class ParityMatVec:
    worker_fn = staticmethod(block_times_x)

    def __init__(self, n):
        self.n_workers = n

    def setup_tasks(self, A):
        """Per-worker payloads, shipped once: n - 1 row blocks and their sum."""
        blocks = np.array_split(A, self.n_workers - 1)
        assert len({b.shape for b in blocks}) == 1, "rows must divide evenly in this sketch"
        return [*blocks, np.sum(blocks, axis=0)]

    def worker_load(self, i):
        """Fraction of the whole product each worker computes (scales injected delays)."""
        return 1.0 / (self.n_workers - 1)

    def can_decode(self, responders):
        """Monotone: more responders never make a decodable set undecodable."""
        return len(set(responders)) >= self.n_workers - 1

    def decode(self, results, round_input):
        """``results``: {worker: its result}, in arrival order."""
        k = self.n_workers - 1
        missing = [i for i in range(k) if i not in results]
        if missing:
            (m,) = missing                      # can_decode allows one at most
            results = dict(results)
            results[m] = results[k] - sum(results[i] for i in range(k) if i != m)
        return np.concatenate([results[i] for i in range(k)])


def main():
    rng = np.random.default_rng(0)
    A, x = rng.standard_normal((300, 50)), rng.standard_normal(50)
    scheme = ParityMatVec(4)

    # Real workers (threads here; backend="process" is the default).
    with LocalCluster(4, backend="thread") as cluster:
        cluster.setup(scheme, A)
        r = cluster.run_round(x)
        assert np.allclose(r.output, A @ x)

    # The same scheme on a virtual clock: worker 1 is "ready" last and never computed.
    virtual = VirtualCluster(4)
    virtual.setup(scheme, A)
    v = virtual.run_round(x, times=[1.0, 9.0, 2.0, 3.0])
    assert np.allclose(v.output, A @ x) and v.time == 3.0 and v.computed == 3
    print("ParityMatVec: ok")


if __name__ == "__main__":
    main()
