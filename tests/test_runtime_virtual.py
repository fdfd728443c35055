"""VirtualCluster: a scheme's rounds on a virtual clock (fastcode.runtime.virtual)."""
import numpy as np

from fastcode.runtime import VirtualCluster
from runtime_doubles import PartialSum, UncodedMatVec


def test_plain_scheme_after_a_partial_one(rng):
    # Regression: setup kept the previous scheme's parts, so a plain scheme set up
    # after a partial-results one was run as partial (AttributeError: worker_parts_fn).
    n = 4
    cluster = VirtualCluster(n)
    V = rng.standard_normal((n, 3, 5))
    x = rng.standard_normal(5)
    cluster.setup(PartialSum(n), V)
    r = cluster.run_round(x, np.ones(n))
    assert r.computed == 3 * n and np.allclose(r.output, PartialSum.expected(V, x))
    A = rng.standard_normal((8, 5))
    cluster.setup(UncodedMatVec(n), A)
    r = cluster.run_round(x, np.arange(1.0, n + 1))
    assert r.computed == n and sorted(r.results) == list(range(n))
    assert np.allclose(r.output, A @ x)
