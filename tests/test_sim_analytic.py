"""Analytic latency formulas against the oracle tables of spec 01 (section 3),
Lambert W against known values, optimal k against brute force."""
import math
from fractions import Fraction

import numpy as np
import pytest

from fastcode.sim import (
    SimParameterError,
    expected_time_mds,
    expected_time_mds_asymptotic,
    expected_time_replication,
    expected_time_uncoded,
    harmonic,
    harmonic_tail,
    lambertw,
    normalized_time_mds,
    optimal_k,
    optimal_rate,
    order_stat_mean,
)

# Spec 01, 3.4, oracle table 1: n, mu, E[T_unc], E[T_rep r=2], k*, E[T_MDS(n,k*)], speed-up, alpha* n
ORACLE_TABLE_1 = [
    (10, 0.5, "0.68579", "0.65667", 6, "0.44854", "1.529", "5.76"),
    (10, 1, "0.39290", "0.42833", 7, "0.29938", "1.312", "6.82"),
    (10, 2, "0.24645", "0.31417", 8, "0.21431", "1.150", "7.78"),
    (10, 10, "0.12929", "0.22283", 10, "0.12929", "1.000", "9.27"),
    (20, 1, "0.22989", "0.24645", 14, "0.15341", "1.499", "13.64"),
    (50, 1, "0.10998", "0.11632", 34, "0.06231", "1.765", "34.11"),
    (100, 0.5, "0.11375", "0.10998", 58, "0.04692", "2.424", "57.59"),
    (100, 1, "0.06187", "0.06499", 69, "0.03131", "1.976", "68.22"),
    (100, 2, "0.03594", "0.04250", 78, "0.02241", "1.603", "77.80"),
]
# Oracle table 2: E[T_MDS(10, k)], mu = 1, k = 1..10.
ORACLE_TABLE_2 = ["1.1000", "0.6056", "0.4454", "0.3697", "0.3291",
                  "0.3076", "0.2994", "0.3036", "0.3254", "0.3929"]
# Section 3.3 check values of alpha*(mu).
ALPHA_STAR = {0.1: "0.3405", 0.5: "0.5759", 1: "0.6822", 2: "0.7780", 5: "0.8764", 10: "0.9265"}


@pytest.mark.parametrize("row", ORACLE_TABLE_1, ids=lambda r: f"n={r[0]}-mu={r[1]}")
def test_oracle_table_1_to_printed_digits(row):
    n, mu, unc, rep, k_star, mds, speed, alpha_n = row
    assert f"{expected_time_uncoded(n, mu):.5f}" == unc
    assert f"{expected_time_replication(n, 2, mu):.5f}" == rep
    assert optimal_k(n, mu) == k_star
    assert f"{expected_time_mds(n, k_star, mu):.5f}" == mds
    assert f"{expected_time_uncoded(n, mu) / expected_time_mds(n, k_star, mu):.3f}" == speed
    assert f"{optimal_rate(mu) * n:.2f}" == alpha_n


def test_oracle_table_2_to_printed_digits():
    curve = expected_time_mds(10, np.arange(1, 11), 1.0)
    assert curve.shape == (10,)
    assert [f"{v:.4f}" for v in curve] == ORACLE_TABLE_2
    # Scalar and vector forms agree.
    assert [expected_time_mds(10, k, 1.0) for k in range(1, 11)] == list(curve)


@pytest.mark.parametrize("mu, expected", sorted(ALPHA_STAR.items()))
def test_optimal_rate_check_values(mu, expected):
    assert f"{optimal_rate(mu):.4f}" == expected


def test_optimal_rate_solves_the_stationarity_equation():
    """alpha/(1 - alpha) = mu + log(1/(1 - alpha)) (spec 01, 3.3), and f is minimal there."""
    mus = np.array([0.01, 0.1, 0.5, 1.0, 3.0, 10.0, 100.0])
    a = optimal_rate(mus)
    assert a.shape == mus.shape
    np.testing.assert_allclose(a / (1 - a), mus + np.log(1 / (1 - a)), rtol=1e-12)
    for mu, alpha in zip(mus, a):
        f0 = normalized_time_mds(alpha, mu)
        for d in (1e-4, -1e-4):
            assert normalized_time_mds(alpha + d, mu) > f0


def test_optimal_rate_limits_and_large_mu():
    a = optimal_rate(np.array([1e-6, 1e-3, 1.0, 100.0, 599.0, 601.0, 1e4, 1e8]))
    assert np.all(np.diff(a) > 0) and a[0] < 0.01 and 1 - a[-1] < 1e-7
    for mu in (700.0, 1e4, 1e8):  # beyond exp underflow: still the stationarity equation
        alpha = optimal_rate(mu)
        assert alpha / (1 - alpha) == pytest.approx(mu + math.log(1 / (1 - alpha)), rel=1e-9)
    # A general shift rescales mu: shift * f(alpha) at mu * shift.
    assert optimal_rate(2.0, shift=0.5) == optimal_rate(1.0)


def test_finite_n_optimum_approaches_the_asymptote():
    """n E[T_MDS(n, k*)] -> f(alpha*) and k*/n -> alpha* (Theta(1/n) coded time)."""
    for mu in (0.5, 1.0, 2.0):
        alpha = optimal_rate(mu)
        n = 20000
        k = optimal_k(n, mu)
        assert abs(k / n - alpha) < 2e-3
        assert n * expected_time_mds(n, k, mu) == pytest.approx(normalized_time_mds(alpha, mu), rel=2e-3)


def _brute_force_k(n, mu, shift):
    """Independent argmin with exact rational arithmetic (no NumPy); ties -> smallest k.

    ``mu`` and ``shift`` are the exact decimals (Fraction of their str): n=5, mu=0.05
    is an exact tie of k=1 and k=2, which the binary double 0.05 would break."""
    best, best_k = None, None
    for k in range(1, n + 1):
        tail = sum(Fraction(1, i) for i in range(n - k + 1, n + 1))
        value = Fraction(shift) / k + tail / (k * Fraction(mu))
        if best is None or value < best:
            best, best_k = value, k
    return best_k


@pytest.mark.parametrize("mu", [0.05, 0.3, 1.0, 2.5, 20.0])
@pytest.mark.parametrize("shift", [1.0, 0.25])
def test_optimal_k_matches_brute_force(mu, shift):
    for n in list(range(1, 31)) + [47, 64]:
        assert optimal_k(n, mu, shift) == _brute_force_k(n, Fraction(str(mu)), Fraction(str(shift))), (n, mu, shift)


def test_optimal_k_exact_tie_goes_to_smallest_k():
    assert expected_time_mds(5, 1, 0.05) == pytest.approx(expected_time_mds(5, 2, 0.05), rel=1e-15)
    assert optimal_k(5, 0.05) == 1


def test_unshifted_model_prefers_k_one():
    # Without the deterministic part, (H_n - H_{n-k})/k increases with k.
    assert optimal_k(30, 1.0, shift=0.0) == 1


def test_closed_forms_are_consistent_with_each_other():
    n, mu = 12, 0.8
    # Uncoded = MDS with k = n = 1-replication.
    assert expected_time_uncoded(n, mu) == pytest.approx(expected_time_mds(n, n, mu), rel=1e-14)
    assert expected_time_replication(n, 1, mu) == pytest.approx(expected_time_uncoded(n, mu), rel=1e-14)
    # Full replication (r = n) = MDS with k = 1: the fastest of n whole-job copies.
    assert expected_time_replication(n, n, mu) == pytest.approx(expected_time_mds(n, 1, mu), rel=1e-14)
    # MDS time = k-th order statistic of shift/k + Exp(k mu).
    for k in range(1, n + 1):
        assert expected_time_mds(n, k, mu) == pytest.approx(order_stat_mean(n, k, k * mu, shift=1 / k), rel=1e-14)
    # Shift enters linearly.
    assert expected_time_mds(n, 5, mu, shift=3.0) - expected_time_mds(n, 5, mu, shift=1.0) == pytest.approx(2 / 5)


def test_order_stat_mean():
    assert order_stat_mean(5, 5, 2.0) == pytest.approx(harmonic(5) / 2)
    assert order_stat_mean(5, 1, 2.0, shift=1.0) == pytest.approx(1 + 1 / 10)
    np.testing.assert_allclose(order_stat_mean(4, np.arange(1, 5), 1.0),
                               np.cumsum([1 / 4, 1 / 3, 1 / 2, 1.0]))


def test_asymptotic_mds_form():
    n, mu = 100_000, 1.0
    k = np.array([10_000, 50_000, 68_216, 90_000])
    np.testing.assert_allclose(expected_time_mds_asymptotic(n, k, mu), expected_time_mds(n, k, mu), rtol=1e-4)
    with pytest.raises(SimParameterError, match="k must be < n"):
        expected_time_mds_asymptotic(10, 10, 1.0)


def test_harmonic_numbers():
    assert harmonic(0) == 0.0
    assert harmonic(10) == pytest.approx(float(sum(Fraction(1, i) for i in range(1, 11))), rel=1e-15)
    assert harmonic(10) == pytest.approx(7381 / 2520, rel=1e-15)
    np.testing.assert_allclose(harmonic(np.array([1, 2, 3])), [1.0, 1.5, 11 / 6])
    # Beyond the direct-summation limit the asymptotic expansion takes over seamlessly.
    n = (1 << 20) + 5
    direct = math.fsum(1.0 / i for i in range(1, n + 1))
    assert harmonic(n) == pytest.approx(direct, rel=1e-15, abs=0)
    assert harmonic(np.array([10**12]))[0] == pytest.approx(math.log(1e12) + 0.5772156649015329, rel=1e-14)
    np.testing.assert_allclose(harmonic_tail(10, np.arange(11)), [harmonic(10) - harmonic(10 - k) for k in range(11)],
                               rtol=1e-14, atol=1e-15)
    with pytest.raises(SimParameterError, match="n must be a non-negative integer"):
        harmonic(-1)
    with pytest.raises(SimParameterError, match="n must be a non-negative integer"):
        harmonic(2.5)


# Lambert W: (z, branch, W) with W known in closed form or to 16 digits.
KNOWN_W = [
    (0.0, 0, 0.0),
    (1.0, 0, 0.5671432904097838),  # the omega constant
    (math.e, 0, 1.0),
    (2 * math.exp(2), 0, 2.0),
    (10.0, 0, 1.7455280027406994),
    (-math.exp(-1), 0, -1.0),
    (-math.exp(-1), -1, -1.0),
    (-0.5 * math.exp(-0.5), 0, -0.5),
    (-2 * math.exp(-2), -1, -2.0),
    (-5 * math.exp(-5), -1, -5.0),
    (-0.1, -1, -3.577152063957297),
    (-1e-300, -1, -697.3227762954601),
]


@pytest.mark.parametrize("z, branch, w", KNOWN_W)
def test_lambertw_known_values(z, branch, w):
    assert lambertw(z, branch) == pytest.approx(w, rel=1e-14, abs=1e-15)


def test_lambertw_is_the_inverse_of_w_exp_w():
    w0 = np.linspace(-0.999, 50, 500)
    np.testing.assert_allclose(lambertw(w0 * np.exp(w0), 0), w0, rtol=1e-12)
    w1 = -np.geomspace(1.001, 700, 500)
    np.testing.assert_allclose(lambertw(w1 * np.exp(w1), -1), w1, rtol=1e-12)
    # Residual test right next to the branch point (the inverse is ill-conditioned there).
    z = -math.exp(-1) + np.logspace(-15, -2, 40)
    for branch in (0, -1):
        w = lambertw(z, branch)
        np.testing.assert_allclose(w * np.exp(w), z, rtol=1e-14)
        assert np.all(w >= -1) if branch == 0 else np.all(w <= -1)


def test_lambertw_against_scipy():
    special = pytest.importorskip("scipy.special")
    z0 = np.concatenate([np.linspace(-0.36, 20, 300), np.geomspace(20, 1e300, 50)])
    np.testing.assert_allclose(lambertw(z0, 0), special.lambertw(z0, 0).real, rtol=1e-13)
    z1 = np.concatenate([np.linspace(-0.36, -1e-6, 300), -np.geomspace(1e-300, 1e-6, 50)])
    np.testing.assert_allclose(lambertw(z1, -1), special.lambertw(z1, -1).real, rtol=1e-13)


def test_lambertw_domain_errors():
    with pytest.raises(SimParameterError, match="z must be >= -1/e"):
        lambertw(-0.4)
    with pytest.raises(SimParameterError, match=r"z must be in \[-1/e, 0\) for branch -1"):
        lambertw(0.5, -1)
    with pytest.raises(SimParameterError, match=r"z must be in \[-1/e, 0\) for branch -1"):
        lambertw(0.0, -1)
    with pytest.raises(SimParameterError, match="branch must be 0 or -1"):
        lambertw(1.0, 1)
    with pytest.raises(SimParameterError, match="NaN"):
        lambertw(float("nan"))


@pytest.mark.parametrize("call, match", [
    (lambda: expected_time_replication(10, 3, 1.0), "r must divide n"),
    (lambda: expected_time_mds(10, 11, 1.0), r"k must be an integer in \[1, n=10\]"),
    (lambda: expected_time_mds(10, 0, 1.0), r"k must be an integer in \[1, n=10\]"),
    (lambda: expected_time_mds(10, 2.5, 1.0), r"k must be an integer in \[1, n=10\]"),
    (lambda: expected_time_mds(10, np.array([1, 12]), 1.0), r"k must be an integer in \[1, n=10\]"),
    (lambda: expected_time_uncoded(0, 1.0), "n must be an integer >= 1"),
    (lambda: expected_time_uncoded(10, 0.0), "mu must be > 0"),
    (lambda: expected_time_uncoded(10, 1.0, shift=-1), "shift must be >= 0"),
    (lambda: optimal_k(10, -1.0), "mu must be > 0"),
    (lambda: optimal_rate(0.0), "mu must be > 0"),
    (lambda: optimal_rate(1.0, shift=0.0), "shift must be > 0"),
    (lambda: order_stat_mean(5, 6, 1.0), r"j must be an integer in \[1, n=5\]"),
    (lambda: order_stat_mean(5, 2, 0.0), "rate must be > 0"),
    (lambda: normalized_time_mds(1.0, 1.0), r"alpha must be in \(0, 1\)"),
])
def test_bad_inputs_raise_clear_errors(call, match):
    with pytest.raises(SimParameterError, match=match):
        call()


def test_harmonic_tail_for_huge_n_has_no_cancellation():
    n = 10**12
    assert harmonic_tail(n, 1) == 1e-12
    assert harmonic_tail(n, 3) == pytest.approx(1 / n + 1 / (n - 1) + 1 / (n - 2), rel=1e-15)


def test_queueing_delays():
    from fastcode.sim import md1_delay, mg1_delay
    # M/M/1 (E[S^2] = 2 E[S]^2): mean sojourn 1 / (1/E[S] - lam).
    assert mg1_delay(0.5, 1.0, 2.0) == pytest.approx(1 / (1 - 0.5))
    # M/D/1 is half the M/M/1 waiting time: S + rho S / (2 (1 - rho)).
    assert md1_delay(0.01, 50.0 / 2200 * 1000) == pytest.approx(
        22.727272727272727 + 0.01 * 22.727272727272727**2 / (2 * (1 - 0.22727272727272727)))
    assert md1_delay(0.0, 3.0) == 3.0
    assert md1_delay(1.0, 1.0) == np.inf and mg1_delay(2.0, 1.0, 1.0) == np.inf
    with pytest.raises(SimParameterError, match="second_moment must be >= mean_service"):
        mg1_delay(0.1, 2.0, 1.0)
    with pytest.raises(SimParameterError, match="lam must be >= 0"):
        md1_delay(-1.0, 1.0)
