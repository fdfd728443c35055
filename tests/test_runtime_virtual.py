"""VirtualCluster: a scheme's rounds on a virtual clock (fastcode.runtime.virtual)."""
import warnings

import numpy as np
import pytest
from runtime_doubles import PartialSum, UncodedMatVec

from fastcode.errors import InvalidArgumentError
from fastcode.runtime import VirtualCluster


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


def test_part_times_are_checked(rng):
    n = 4
    cluster = VirtualCluster(n)
    V = rng.standard_normal((n, 3, 5))
    x = rng.standard_normal(5)
    cluster.setup(PartialSum(n), V)
    good = [np.array([1.0, 2.0, 3.0]) for _ in range(n)]
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
    n = 4
    cluster = VirtualCluster(n)
    V = rng.standard_normal((2, 3, 5))
    x = rng.standard_normal(5)
    cluster.setup(PartialSum(n, r=2), V)
    times = [np.array([1.0, 2.0, 3.0]) for _ in range(n)]
    times[2] = np.full(3, np.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = cluster.run_round(x, times)
    assert 2 not in {w for (_, w, _) in r.arrivals}
    assert np.allclose(r.output, PartialSum.expected(V, x))
