"""Five-minute tour, part 3: the same job under MPI.

    mpiexec -n 9 python -m mpi4py docs/examples/tour_mpi.py

Rank 0 is the master, ranks 1..8 the workers; the scheme object and the
rounds are exactly those of tour_local.py.
"""
import numpy as np

from fastcode.runtime import mpi
from fastcode.schemes.matvec import CodedMatVec
from fastcode.sim import ShiftedExponential


def main():
    if mpi.rank() != 0:
        mpi.serve()                          # a worker: run tasks until the master stops
        return
    rng = np.random.default_rng(0)
    A = rng.standard_normal((2000, 500))
    n = mpi.size() - 1
    scheme = CodedMatVec(A, n=n, k=max(1, n - 2))
    with mpi.MPICluster(straggler_model=ShiftedExponential(mu=1.0), time_scale=0.01,
                        rng=1) as cluster:
        cluster.setup(scheme, A)
        for _ in range(3):
            x = rng.standard_normal(500)
            r = cluster.run_round(x)
            assert np.allclose(r.output, A @ x)
            print(f"round {r.round_id}: responders {sorted(r.responders)}, "
                  f"{r.wall_time * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
