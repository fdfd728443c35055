"""VirtualCluster: a scheme's rounds on a virtual clock (fastcode.runtime.virtual)."""
import warnings

import numpy as np
import pytest
from runtime_doubles import PartialSum, UncodedMatVec

from fastcode.errors import InvalidArgumentError
from fastcode.runtime import VirtualCluster

N_WORKERS = 4


def partial_sum_cluster(rng, r=1):
    """A VirtualCluster set up with PartialSum on N_WORKERS workers in groups of r
    (3 parts each): returns (cluster, V, x)."""
    cluster = VirtualCluster(N_WORKERS)
    V = rng.standard_normal((N_WORKERS // r, 3, 5))
    x = rng.standard_normal(5)
    cluster.setup(PartialSum(N_WORKERS, r=r), V)
    return cluster, V, x


def test_plain_scheme_after_a_partial_one(rng):
    # Regression: setup kept the previous scheme's parts, so a plain scheme set up
    # after a partial-results one was run as partial (AttributeError: worker_parts_fn).
    n = N_WORKERS
    cluster, V, x = partial_sum_cluster(rng)
    r = cluster.run_round(x, np.ones(n))
    assert r.computed == 3 * n and np.allclose(r.output, PartialSum.expected(V, x))
    A = rng.standard_normal((8, 5))
    cluster.setup(UncodedMatVec(n), A)
    r = cluster.run_round(x, np.arange(1.0, n + 1))
    assert r.computed == n and sorted(r.results) == list(range(n))
    assert np.allclose(r.output, A @ x)


def test_part_times_are_checked(rng):
    cluster, V, x = partial_sum_cluster(rng)
    good = [np.array([1.0, 2.0, 3.0]) for _ in range(N_WORKERS)]
    for bad, what in [(np.array([1.0, 3.0, 2.0]), "non-decreasing"),
                      (np.array([-1.0, 2.0, 3.0]), ">= 0"),
                      (np.array([1.0, np.nan, 3.0]), "non-decreasing"),
                      (np.array([1.0, 2.0]), "has 2 entries")]:
        times = list(good)
        times[1] = bad
        with pytest.raises(InvalidArgumentError, match=what):
            cluster.run_round(x, times)
    with pytest.raises(InvalidArgumentError, match="one array per worker"):
        cluster.run_round(x, good[:-1])


def test_dead_worker_parts_at_inf(rng):
    # A worker that never answers sends every part at inf: none of its parts is
    # computed, its replica covers the group, and the all-inf times pass the ordering
    # check without a NumPy warning (np.diff of inf times warned before).
    cluster, V, x = partial_sum_cluster(rng, r=2)
    times = [np.array([1.0, 2.0, 3.0]) for _ in range(N_WORKERS)]
    times[2] = np.full(3, np.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = cluster.run_round(x, times)
    assert 2 not in {w for (_, w, _) in r.arrivals}
    assert np.allclose(r.output, PartialSum.expected(V, x))
