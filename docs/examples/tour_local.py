"""Five-minute tour, part 2: a coded matrix-vector product on local workers."""
import numpy as np

from fastcode.runtime import LocalCluster
from fastcode.schemes.matvec import CodedMatVec
from fastcode.sim import ShiftedExponential


def main():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((2000, 500))
    scheme = CodedMatVec(A, n=8, k=6)        # any 6 of the 8 workers suffice
    model = ShiftedExponential(mu=1.0)       # injected straggler delays
    with LocalCluster(8, straggler_model=model, time_scale=0.01, rng=1) as cluster:
        cluster.setup(scheme, A)             # each worker gets its coded block once
        for _ in range(3):
            x = rng.standard_normal(500)
            r = cluster.run_round(x)         # returns at the 6th result
            assert np.allclose(r.output, A @ x)
            print(f"round {r.round_id}: responders {sorted(r.responders)}, "
                  f"{r.wall_time * 1e3:.1f} ms")


if __name__ == "__main__":   # the process backend starts workers with forkserver/spawn
    main()
