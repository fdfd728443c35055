"""Decoding rules and the Monte Carlo simulator (the Lee et al. reproduction that
uses them is tested in test_lee_repro.py)."""
import math
from statistics import NormalDist

import numpy as np
import pytest

from fastcode.sim import (
    BernoulliFailures,
    Deterministic,
    Empirical,
    FunctionRule,
    GroupRule,
    HeterogeneousShiftedExponential,
    KthFastest,
    PredicateRule,
    ShiftedExponential,
    SimParameterError,
    expected_time_mds,
    expected_time_replication,
    expected_time_uncoded,
    mds,
    normal_ci,
    replication,
    simulate,
    uncoded,
)

# ----------------------------------------------------------------------------- rules


def _random_times(rng, m, n, p_inf=0.0):
    t = rng.exponential(size=(m, n))
    t[rng.random((m, n)) < p_inf] = np.inf
    return t


@pytest.mark.parametrize("k", [1, 2, 5, 9, 10])
def test_kth_fastest_is_the_kth_order_statistic(rng, k):
    t = _random_times(rng, 200, 10, p_inf=0.2)
    np.testing.assert_array_equal(KthFastest(10, k)(t), np.sort(t, axis=-1)[:, k - 1])
    assert KthFastest(10, k).load == 1 / k
    # Leading axes are trial axes.
    np.testing.assert_array_equal(KthFastest(10, k)(t.reshape(20, 10, 10)), np.sort(t, axis=-1)[:, k - 1].reshape(20, 10))


def test_uncoded_and_mds_rules():
    t = np.array([[3.0, 1.0, 2.0, np.inf]])
    assert uncoded(4)(t)[0] == np.inf and uncoded(4).load == 0.25
    assert mds(4, 3)(t)[0] == 3.0 and mds(4, 3).load == 1 / 3
    assert mds(4, 1)(t)[0] == 1.0


def _naive_groups(t, groups):
    return np.array([max(min(row[i] for i in g) for g in groups) for row in t])


def test_group_rule_general_groups(rng):
    groups = [[0, 3], [1], [2, 3, 4], [4, 0]]  # overlapping, unequal, unsorted
    t = _random_times(rng, 300, 6, p_inf=0.3)
    rule = GroupRule(groups, load=0.5, n_workers=6)
    np.testing.assert_array_equal(rule(t), _naive_groups(t, groups))


def test_replication_fast_path_equals_general_path(rng):
    t = _random_times(rng, 500, 12, p_inf=0.1)
    for r in (1, 2, 3, 4, 6, 12):
        fast = replication(12, r)
        groups = np.arange(12).reshape(12 // r, r)
        general = GroupRule(groups[::-1, ::-1], load=r / 12)  # reversed order: no fast path
        assert fast._block == r and general._block is None
        np.testing.assert_array_equal(fast(t), general(t))
        np.testing.assert_array_equal(fast(t), _naive_groups(t, groups))
        assert fast.load == r / 12


def test_predicate_rule_vectorised_and_scalar(rng):
    t = _random_times(rng, 400, 8, p_inf=0.25)
    # "any 5 of 8" is the 5th order statistic.
    vec = PredicateRule(8, lambda done: done.sum(axis=1) >= 5, load=0.2)
    one = PredicateRule(8, lambda done: done.sum() >= 5, load=0.2, vectorized=False)
    expected = np.sort(t, axis=-1)[:, 4]
    np.testing.assert_array_equal(vec(t), expected)
    np.testing.assert_array_equal(one(t), expected)
    # A non-threshold predicate: workers {0, 1} both, or worker 2 and any two of 3..7.
    def pred(done):
        return (done[:, 0] & done[:, 1]) | (done[:, 2] & (done[:, 3:].sum(axis=1) >= 2))
    got = PredicateRule(8, pred, load=0.5)(t)
    for row, value in zip(t, got):
        a = max(row[0], row[1])
        b = max(row[2], np.sort(row[3:])[1])
        assert value == min(a, b)


def test_function_rule(rng):
    t = _random_times(rng, 50, 4)
    rule = FunctionRule(lambda x: x[:, :2].sum(axis=1), 4, load=1.0, name="sum2")
    np.testing.assert_array_equal(rule(t), t[:, :2].sum(axis=1))
    bad = FunctionRule(lambda x: x, 4, load=1.0)
    with pytest.raises(SimParameterError, match="one job time per trial"):
        bad(t)


@pytest.mark.parametrize("make, match", [
    (lambda: KthFastest(5, 6), "k must be <= n_workers=5"),
    (lambda: KthFastest(5, 0), "k must be an integer >= 1"),
    (lambda: replication(10, 3), "r must divide n"),
    (lambda: GroupRule([], load=1.0), "groups must be a non-empty"),
    (lambda: GroupRule([[0], []], load=1.0), "groups must be a non-empty"),
    (lambda: GroupRule([[0, 5]], load=1.0, n_workers=4), r"group indices must be in \[0, 4\)"),
    (lambda: PredicateRule(4, "all", load=1.0), "predicate must be callable"),
    (lambda: KthFastest(4, 2, load=[0.5, 0.5]), r"load must be a scalar or an array of shape \(4,\)"),
    (lambda: KthFastest(4, 2, load=0.0), "load must be > 0"),
])
def test_bad_rules(make, match):
    with pytest.raises(SimParameterError, match=match):
        make()


def test_rule_rejects_wrong_width():
    with pytest.raises(SimParameterError, match=r"times must have shape \(\.\.\., 5\)"):
        mds(5, 2)(np.ones((3, 4)))
    with pytest.raises(SimParameterError, match="predicate must return a bool array"):
        PredicateRule(3, lambda done: True, load=1.0)(np.ones((4, 3)))


# ----------------------------------------------------------------------------- simulate


@pytest.mark.parametrize("rule, exact", [
    (uncoded(10), expected_time_uncoded(10, 1.0)),
    (replication(10, 2), expected_time_replication(10, 2, 1.0)),
    (mds(10, 7), expected_time_mds(10, 7, 1.0)),
    (mds(10, 3), expected_time_mds(10, 3, 1.0)),
])
def test_simulation_matches_closed_forms(rule, exact):
    """Monte Carlo within 3 standard errors of the exact E[T] (spec 01, section 6), fixed seed."""
    res = simulate(rule, ShiftedExponential(1.0), 200_000, rng=2024)
    assert abs(res.mean - exact) <= 3 * res.stderr
    assert abs(res.mean - exact) <= 0.01 * exact
    assert res.ci[0] <= exact <= res.ci[1]


def test_simulation_is_reproducible_and_batch_invariant():
    model, rule = ShiftedExponential(0.5), mds(20, 12)
    a = simulate(rule, model, 10_001, rng=7)
    b = simulate(rule, model, 10_001, rng=np.random.default_rng(7), batch_size=333)
    np.testing.assert_array_equal(a.samples, b.samples)
    c = simulate(rule, model, 10_001, rng=8)
    assert not np.array_equal(a.samples, c.samples)


def test_predicate_simulation_equals_order_statistic_simulation():
    model = ShiftedExponential(1.0)
    a = simulate(mds(10, 7), model, 20_000, rng=3)
    b = simulate(PredicateRule(10, lambda d: d.sum(axis=1) >= 7, load=1 / 7), model, 20_000, rng=3)
    np.testing.assert_array_equal(a.samples, b.samples)


def test_failures_give_infinite_times_and_completion_probability():
    """Erasure model: each worker fails w.p. p, else returns at load * 1.  MDS(n, k)
    completes iff at least k of n survive: P = P(Binomial(n, 1 - p) >= k)."""
    n, k, p = 10, 7, 0.3
    res = simulate(mds(n, k), BernoulliFailures(p), 100_000, rng=5)
    exact = sum(math.comb(n, j) * (1 - p) ** j * p ** (n - j) for j in range(k, n + 1))
    assert abs(res.completed_fraction - exact) <= 4 * math.sqrt(exact * (1 - exact) / res.trials)
    finite = res.samples[np.isfinite(res.samples)]
    assert np.all(finite == 1 / k)
    assert res.mean == np.inf and res.stderr == np.inf and res.ci == (np.inf, np.inf)
    assert res.percentile(1) == 1 / k and res.percentile(99) == np.inf


def test_heterogeneous_workers_with_unequal_loads():
    """Deterministic heterogeneous workers: a load split proportional to speed
    makes everyone finish together (spec 06 idea)."""
    mu = np.array([1.0, 2.0, 4.0])
    model = HeterogeneousShiftedExponential(mu, shift=0.0)
    load = mu / mu.sum()
    res = simulate(uncoded(3), model, 50_000, rng=6, load=load)
    # max of independent Exp(rate mu_i / load_i) = Exp(rate sum mu): E[max of 3 iid Exp(7)] = H_3 / 7.
    assert abs(res.mean - (1 + 1 / 2 + 1 / 3) / 7) <= 4 * res.stderr


def test_empirical_model_simulation():
    model = Empirical([1.0, 3.0])  # each worker's whole-job time is 1 or 3, equally likely
    res = simulate(mds(3, 2), model, 40_000, rng=1)
    # Job time = (1/2) * (2nd smallest of 3) = 0.5 unless at most one worker drew 1.
    p_slow = 0.5 ** 3 + 3 * 0.5 ** 3
    assert abs(res.mean - (0.5 * (1 - p_slow) + 1.5 * p_slow)) <= 4 * res.stderr


def test_result_statistics():
    samples = np.random.default_rng(0).normal(2.0, 1.0, size=10_000)
    from fastcode.sim import SimulationResult
    r95 = SimulationResult(samples, 0.95, "x")
    r99 = SimulationResult(samples, 0.99, "x")
    assert r95.mean == pytest.approx(samples.mean())
    assert r95.stderr == pytest.approx(samples.std(ddof=1) / 100)
    z95, z99 = NormalDist().inv_cdf(0.975), NormalDist().inv_cdf(0.995)
    assert r95.half_width == pytest.approx(z95 * r95.stderr)
    assert r99.half_width / r95.half_width == pytest.approx(z99 / z95)
    assert r95.ci == pytest.approx((samples.mean() - r95.half_width, samples.mean() + r95.half_width))
    assert r95.percentile(50) == pytest.approx(np.median(samples))
    np.testing.assert_allclose(r95.percentile([5, 95]), np.percentile(samples, [5, 95]))
    s = r95.summary()
    assert {"mean", "std", "stderr", "ci_low", "ci_high", "p50", "p95", "p99", "completed_fraction"} <= set(s)
    assert "mean=" in repr(r95) and "95% CI" in repr(r95)
    assert normal_ci([1.0, 1.0, 1.0]) == (1.0, 0.0)


@pytest.mark.parametrize("call, match", [
    (lambda: simulate(mds(5, 2), ShiftedExponential(1.0), 0, rng=0), "trials must be an integer >= 1"),
    (lambda: simulate(mds(5, 2), ShiftedExponential(1.0), 10, rng=0, level=1.0), r"level must be in \(0, 1\)"),
    (lambda: simulate(mds(5, 2), "exp", 10, rng=0), "model must be a StragglerModel"),
    (lambda: simulate(lambda t: t, ShiftedExponential(1.0), 10, rng=0), "rule must be a callable decoding rule"),
    (lambda: simulate(mds(5, 2), ShiftedExponential(1.0), 10, rng=0, load=[1.0]), "load must be a scalar"),
    (lambda: simulate(mds(5, 2), HeterogeneousShiftedExponential([1.0, 2.0]), 10, rng=0), "n_workers must be 2"),
    (lambda: simulate(mds(5, 2), Deterministic(), 10, rng=0, batch_size=0), "batch_size must be"),
    (lambda: normal_ci([]), "samples must not be empty"),
])
def test_bad_simulation_arguments(call, match):
    with pytest.raises(SimParameterError, match=match):
        call()
