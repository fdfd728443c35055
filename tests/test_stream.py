"""Load split, integerisation, lower bound and the coded mat-vec scheme of stream computing (spec 06)."""
import itertools
import math

import numpy as np
import pytest

from fastcode.errors import NotEnoughShardsError, ShardSizeError, SingularMatrixError
from fastcode.schemes.stream import (
    StreamWorkers,
    coded_task_count,
    integerize,
    lower_bound_delay,
    optimal_load_split,
    split_cost,
    uniform_split,
)
from fastcode.schemes.stream.scheme import StreamCodedMatVec, worker_fn
from fastcode.sim import md1_delay


def _check_equalised(kappa, theta, gamma, c, m, sigma, total):
    """Σκ = total; every loaded worker costs θ; every idle worker's fixed cost is at least θ."""
    kappa = np.asarray(kappa)
    assert np.all(kappa >= 0)
    assert kappa.sum() == pytest.approx(total, rel=1e-9, abs=1e-7)
    cost = split_cost(kappa, gamma, c, m, sigma)
    loaded = kappa > 0
    assert loaded.any()
    np.testing.assert_allclose(cost[loaded], theta, rtol=1e-9)
    # an idle worker's cost is its fixed cost a_p, which must not be below the common level
    assert np.all(cost[~loaded] >= theta * (1 - 1e-9))


# ---------------------------------------------------------------------------------------------
# the worked example of spec §3 (oracle)

def test_worked_example_no_latency():
    m = np.array([1.0, 0.5, 0.25])
    kappa, theta = optimal_load_split(1.0, 0.0, m, m, 10, 1.2)
    np.testing.assert_allclose(kappa, [1.5245, 3.3726, 7.1030], atol=5e-5)
    assert theta == pytest.approx(5.3729, abs=5e-5)
    _check_equalised(kappa, theta, 1.0, np.zeros(3), m, m, 12)


def test_worked_example_latency_deselects_worker():
    m = np.array([1.0, 0.5, 0.25])
    c = np.array([0.5, 0.5, 12.0])
    kappa, theta = optimal_load_split(1.0, c, m, m, 10, 1.2)
    np.testing.assert_allclose(kappa, [3.8762, 8.1238, 0.0], atol=5e-5)
    assert theta == pytest.approx(27.404, abs=5e-4)
    a2 = c[2] + c[2] ** 2
    assert a2 == 156.0 and a2 >= theta and kappa[2] == 0.0
    _check_equalised(kappa, theta, 1.0, c, m, m, 12)


# ---------------------------------------------------------------------------------------------
# properties of the optimal split

@pytest.mark.parametrize("seed", range(12))
def test_split_sums_and_equalises_random(seed):
    rng = np.random.default_rng(seed)
    P = int(rng.integers(1, 20))
    rates = 10.0 ** rng.uniform(-3, 3, P)
    C = float(10.0 ** rng.uniform(-1, 2))
    m = C / rates
    sigma = m * rng.uniform(0, 2, P)
    c = rng.uniform(0, 5, P) * (rng.random(P) < 0.5)
    gamma = float(rng.choice([0.0, 1e-6, 0.0065, 1.0, 100.0]))
    K = int(rng.integers(1, 2000))
    Omega = float(rng.choice([1.0, 1.05, 1.1, 1.2, 2.0]))
    kappa, theta = optimal_load_split(gamma, c, m, sigma, K, Omega)
    _check_equalised(kappa, theta, gamma, c, m, sigma, coded_task_count(K, Omega))


@pytest.mark.parametrize("seed", range(5))
def test_split_is_min_max_optimal(seed):
    # Any other real split of the same total has a worst worker cost at least θ.
    rng = np.random.default_rng(100 + seed)
    P = 6
    m = rng.uniform(0.1, 3, P)
    c = rng.uniform(0, 2, P)
    kappa, theta = optimal_load_split(1.0, c, m, m, 50, 1.1)
    n = coded_task_count(50, 1.1)
    for _ in range(200):
        other = rng.dirichlet(np.ones(P)) * n
        assert split_cost(other, 1.0, c, m, m).max() >= theta * (1 - 1e-9)
        # small moves away from the optimum cannot lower the maximum either
        move = rng.standard_normal(P) * 0.01
        move -= move.mean()
        near = np.maximum(kappa + move, 0)
        near *= n / near.sum()
        assert split_cost(near, 1.0, c, m, m).max() >= theta * (1 - 1e-9)


@pytest.mark.parametrize("rates", [
    np.logspace(-3, 3, 7),                 # rates spanning six decades
    np.array([1e3, 1e-3, 1e-3, 1e-3]),     # a single fast worker among very slow ones
    np.array([1e-3, 1e-3, 1e3]),
    np.full(8, 3.7),                       # all equal
    np.array([42.0]),                      # one worker
])
@pytest.mark.parametrize("gamma", [0.0, 1.0, 100.0])
@pytest.mark.parametrize("C", [50.0, 1e4])
def test_bisection_converges_extreme_heterogeneity(rates, gamma, C):
    m = C / rates
    K, Omega = 1000, 1.1
    kappa, theta = optimal_load_split(gamma, 0.0, m, m, K, Omega)
    assert np.all(np.isfinite(kappa)) and math.isfinite(theta)
    _check_equalised(kappa, theta, gamma, np.zeros(rates.size), m, m, 1100)


def test_single_fast_worker_takes_nearly_everything():
    rates = np.array([1e3, 1e-3, 1e-3, 1e-3])
    m = 50.0 / rates
    kappa, _ = optimal_load_split(1.0, 0.0, m, m, 1000, 1.1)
    assert kappa[0] > 1100 - 1e-3
    assert integerize(kappa, 1100, 0).tolist() == [1100, 0, 0, 0]


def test_equal_workers_get_the_uniform_split():
    m = np.full(5, 50 / 440.0)
    for gamma in (0.0, 1.0, 100.0):
        kappa, _ = optimal_load_split(gamma, 0.3, m, m, 1000, 1.05)
        np.testing.assert_allclose(kappa, uniform_split(5, 1000, 1.05), rtol=1e-9)
    assert uniform_split(5, 1000, 1.05).tolist() == [210.0] * 5


def test_gamma_zero_limit_equalises_mean_finish_times():
    rng = np.random.default_rng(7)
    m = rng.uniform(0.1, 2, 6)
    c = np.array([0.0, 0.5, 1.0, 2.0, 0.0, 40.0])
    kappa0, theta0 = optimal_load_split(0.0, c, m, m, 30, 1.2)
    # spec: κ_p = (θ − c_p)^+ / m_p
    np.testing.assert_allclose(kappa0, np.maximum(theta0 - c, 0) / m, rtol=1e-12)
    assert kappa0[5] == 0.0
    kappa_small, _ = optimal_load_split(1e-9, c, m, m, 30, 1.2)
    np.testing.assert_allclose(kappa_small, kappa0, rtol=1e-6, atol=1e-6)


def test_no_latency_split_nearly_proportional_to_rates():
    # c = 0, σ = m and κ ≫ 1: E[T²] ≈ (κ m)², so κ_p ∝ μ_p up to O(1/κ) (spec §3).
    rates = np.array([385.95, 650.92, 373.40, 415.75, 373.98])
    m = 50.0 / rates
    kappa, _ = optimal_load_split(1.0, 0.0, m, m, 1000, 1.1)
    share = kappa / kappa.sum()
    np.testing.assert_allclose(share, rates / rates.sum(), rtol=0.01)


def test_more_redundancy_raises_theta_and_every_load():
    m = np.array([1.0, 0.3, 0.2, 2.0])
    c = np.array([0.0, 1.0, 0.5, 0.1])
    prev_k, prev_t = None, -1.0
    for Omega in (1.0, 1.05, 1.1, 1.2, 1.5):
        k, t = optimal_load_split(1.0, c, m, m, 100, Omega)
        assert t > prev_t
        if prev_k is not None:
            assert np.all(k >= prev_k - 1e-9)
        prev_k, prev_t = k, t


# ---------------------------------------------------------------------------------------------
# integer task counts

def test_coded_task_count_rounding():
    assert coded_task_count(1000, 1.1) == 1100
    assert coded_task_count(100, 1.1) == 110            # 100*1.1 is 110.00000000000001 in floats
    assert coded_task_count(1000, 1.002) == 1002
    assert coded_task_count(1000, 1.0) == 1000
    assert coded_task_count(10, 1.25) == 13             # not an integer: ceil, as the authors' code
    assert coded_task_count(1, 1.0) == 1


@pytest.mark.parametrize("seed", range(6))
def test_integerize_sums_exactly(seed, rng):
    r = np.random.default_rng(seed)
    P = int(r.integers(1, 12))
    kappa = r.dirichlet(np.ones(P)) * 237
    counts = integerize(kappa, 237, rng, size=500)
    assert counts.shape == (500, P) and counts.dtype == np.int64
    assert np.all(counts.sum(axis=1) == 237)
    assert np.all(counts >= 0)
    # the random fix-up moves each count by at most the rounding slack of the whole vector
    base = np.floor(kappa + 0.5)
    assert np.all(np.abs(counts - base) <= abs(237 - base.sum()))
    single = integerize(kappa, 237, rng)
    assert single.shape == (P,) and single.sum() == 237


def test_integerize_rounds_half_away_from_zero_like_matlab():
    # 0.5 -> 1 and 2.5 -> 3 (NumPy's rint would give 0 and 2); sums match, so no random fix-up.
    assert integerize(np.array([0.5, 2.5, 1.0]), 5, 0).tolist() == [1, 3, 1]


def test_integerize_deficit_is_spread_uniformly(rng):
    counts = integerize(np.full(5, 0.2), 1, rng, size=20000)
    freq = counts.mean(axis=0)
    np.testing.assert_allclose(freq, 0.2, atol=0.02)


def test_integerize_excess_only_removes_from_holders(rng):
    # base rounding is [1, 1, 1, 1, 0] (sum 4) for a total of 2: two removals among the holders
    counts = integerize(np.array([0.5, 0.5, 0.5, 0.5, 0.0]), 2, rng, size=5000)
    assert np.all(counts >= 0) and np.all(counts.sum(axis=1) == 2)
    assert np.all(counts[:, 4] == 0)
    assert np.all(counts[:, :4].max(axis=1) == 1)


def test_integerize_active_only_keeps_deselected_workers_empty(rng):
    m = np.array([1.0, 0.5, 0.25])
    kappa, _ = optimal_load_split(1.0, [0.5, 0.5, 12], m, m, 10, 1.2)
    counts = integerize(kappa, 12, rng, size=2000, active_only=True)
    assert np.all(counts[:, 2] == 0) and np.all(counts.sum(axis=1) == 12)
    # the authors' rule may give a deficit task to the deselected worker; only a deficit
    # can occur here (3.8762 + 8.1238 round to 4 + 8), so no task goes anywhere else
    loose = integerize(kappa, 12, rng, size=2000)
    assert np.all(loose.sum(axis=1) == 12)


# ---------------------------------------------------------------------------------------------
# lower bound and parameters of spec §4 and §6

def test_spec_rates_from_matlab_seed():
    rs = np.random.RandomState(900)
    rs.random_sample(10000)
    u = rs.random_sample(5)
    mu = 50000 * 1.1 * 0.01 * 4 * u / u.sum()
    np.testing.assert_allclose(mu, [385.95, 650.92, 373.40, 415.75, 373.98], atol=0.01)
    assert mu.sum() == pytest.approx(2200)
    assert 0.01 * 50000 / mu.sum() == pytest.approx(0.227, abs=5e-4)


def test_lower_bound_values():
    S = 50000 / 2200
    expected = S + 0.01 * S * S / (2 * (1 - 0.01 * S))
    assert lower_bound_delay(0.01, 50000, [1000, 1200]) == pytest.approx(expected, rel=1e-14)
    assert expected == pytest.approx(26.0695, abs=1e-4)
    assert lower_bound_delay(0.01, 50000, [2200], iterations_per_job=2) == pytest.approx(
        2 * S + 0.01 * 4 * S * S / (2 * (1 - 0.02 * S)))
    assert md1_delay(0.5, 2.0) == math.inf
    assert md1_delay(0.5, 1.0) == pytest.approx(1.5)   # 1 + 0.5/(2*0.5)


def test_strong_heterogeneity_parameters():
    mu = np.array([1, 2, 4, 8, 16.0])
    mu *= 2200 / mu.sum()
    np.testing.assert_allclose(mu, [70.97, 141.94, 283.87, 567.74, 1135.48], atol=0.01)
    assert 200 * 50 / mu[0] == pytest.approx(141, abs=0.5)     # > 100 = 1/λ: uniform is unstable


# ---------------------------------------------------------------------------------------------
# bad inputs

@pytest.mark.parametrize("kwargs, match", [
    (dict(Omega=0.99), "Omega"),
    (dict(Omega=float("nan")), "Omega"),
    (dict(K=0), "K"),
    (dict(K=2.5), "K"),
    (dict(m=[1.0, 0.0]), "m"),
    (dict(m=[1.0, -2.0]), "m"),
    (dict(m=[]), "m"),
    (dict(c=[-1.0, 0.0]), "c"),
    (dict(sigma=[1.0, -1.0]), "sigma"),
    (dict(sigma=[1.0, 1.0, 1.0]), "sigma"),
    (dict(gamma=-1.0), "gamma"),
])
def test_split_bad_inputs(kwargs, match):
    args = dict(gamma=1.0, c=0.0, m=[1.0, 2.0], sigma=[1.0, 2.0], K=10, Omega=1.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        optimal_load_split(**args)


def test_worker_and_bound_bad_inputs():
    with pytest.raises(ValueError, match="rates"):
        StreamWorkers([1.0, 0.0])
    with pytest.raises(ValueError, match="rates"):
        StreamWorkers([1.0, float("inf")])
    with pytest.raises(ValueError, match="latency"):
        StreamWorkers([1.0, 2.0], latency=[0.0, -0.1])
    with pytest.raises(ValueError, match="latency"):
        StreamWorkers([1.0, 2.0], latency=[0.0, 0.1, 0.2])
    with pytest.raises(ValueError, match="lam"):
        lower_bound_delay(0.0, 100, [1.0])
    with pytest.raises(ValueError, match="lam"):
        lower_bound_delay(-1.0, 100, [1.0])
    with pytest.raises(ValueError, match="Z"):
        lower_bound_delay(0.1, 0, [1.0])
    with pytest.raises(ValueError, match="P"):
        uniform_split(0, 10, 1.0)
    with pytest.raises(ValueError, match="Omega"):
        uniform_split(3, 10, 0.5)
    with pytest.raises(ValueError, match="total"):
        integerize([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="kappa"):
        integerize([1.0, -2.0], 3)


# ---------------------------------------------------------------------------------------------
# the coded mat-vec scheme

def _all_results(scheme, A, x):
    tasks = scheme.setup_tasks(A)
    assert len(tasks) == scheme.n_workers
    return {t: worker_fn((t, block), x) for queue in tasks for t, block in queue}


def _rel_err(y, ref):
    return np.abs(y - ref).max() / max(1.0, np.abs(ref).max())


def test_decode_exact_from_every_k_subset(rng):
    K, n = 4, 7
    G = rng.standard_normal((n, K))
    scheme = StreamCodedMatVec(G, [2, 0, 4, 1])
    A = rng.standard_normal((13, 9))                       # 13 rows: padded to 4 blocks of 4
    x = rng.standard_normal(9)
    results = _all_results(scheme, A, x)
    for subset in itertools.permutations(range(n), K):
        y = scheme.decode({t: results[t] for t in subset}, x)
        assert y.shape == (13,)
        assert _rel_err(y, A @ x) < 1e-9


def test_decode_exact_large_random_subsets(rng):
    K, n = 20, 24
    G = rng.standard_normal((n, K))
    scheme = StreamCodedMatVec.with_load_split(G, [1.0, 2.0, 4.0, 8.0], C=5.0, rng=rng)
    A = rng.standard_normal((100, 30))
    X = rng.standard_normal((30, 3))                        # several right-hand sides
    results = _all_results(scheme, A, X)
    for _ in range(50):
        order = rng.permutation(n)
        # late results (after the K-th) must be ignored, even if garbage
        d = {int(t): results[int(t)] for t in order[:K]}
        for t in order[K:]:
            d[int(t)] = np.full_like(results[int(t)], np.nan)
        y = scheme.decode(d, X)
        assert y.shape == (100, 3)
        assert _rel_err(y, A @ X) < 1e-9


def test_scheme_task_layout_and_loads():
    G = np.random.default_rng(1).standard_normal((12, 10))
    scheme = StreamCodedMatVec.with_load_split(G, [1.0, 2.0, 1e-4], C=1.0, c=[0.0, 0.0, 50.0], rng=3)
    assert scheme.n_workers == 3 and scheme.n_tasks == 12 and scheme.recovery_threshold == 10
    assert scheme.kappa.sum() == 12 and scheme.kappa[2] == 0     # slow, far worker deselected
    ids = np.concatenate([scheme.tasks_of(p) for p in range(3)])
    assert ids.tolist() == list(range(12))
    assert all(scheme.owner(t) == p for p in range(3) for t in scheme.tasks_of(p))
    assert sum(scheme.worker_load(p) for p in range(3)) == pytest.approx(1.2)
    assert not scheme.can_decode(range(9))
    assert not scheme.can_decode([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    assert scheme.can_decode(range(10))
    uni = StreamCodedMatVec.with_load_split(G, [1.0, 2.0, 3.0], split="uniform", rng=0)
    assert uni.kappa.tolist() == [4, 4, 4]


def test_scheme_bad_inputs(rng):
    G = rng.standard_normal((6, 4))
    with pytest.raises(ValueError, match="kappa"):
        StreamCodedMatVec(G, [2, 2, 1])                      # sums to 5, not 6
    with pytest.raises(ValueError, match="kappa"):
        StreamCodedMatVec(G, [2.5, 3.5])
    with pytest.raises(ValueError, match="G"):
        StreamCodedMatVec(rng.standard_normal((3, 4)), [3])   # n < K
    scheme = StreamCodedMatVec(G, [3, 3])
    A = rng.standard_normal((8, 5))
    x = rng.standard_normal(5)
    results = _all_results(scheme, A, x)
    with pytest.raises(NotEnoughShardsError):
        scheme.decode({t: results[t] for t in range(3)}, x)
    with pytest.raises(ShardSizeError):
        scheme.decode({0: results[0], 1: results[1], 2: results[2], 3: results[3][:1]}, x)
    with pytest.raises(ValueError, match="task id"):
        scheme.can_decode([0, 1, 2, 99])


def test_scheme_singular_generator_is_reported(rng):
    G = rng.standard_normal((5, 3))
    G[3] = G[0]                                              # rows 0 and 3 equal: not MDS
    scheme = StreamCodedMatVec(G, [5])
    A = rng.standard_normal((6, 4))
    x = rng.standard_normal(4)
    results = _all_results(scheme, A, x)
    with pytest.raises(SingularMatrixError):
        scheme.decode({t: results[t] for t in (0, 3, 1)}, x)
    assert _rel_err(scheme.decode({t: results[t] for t in (0, 1, 2)}, x), A @ x) < 1e-9


def test_partial_results_interface_decodes_from_worker_task_pairs():
    rng = np.random.default_rng(4)
    K = 4
    G = rng.standard_normal((7, K))
    A = rng.standard_normal((10, 5))
    x = rng.standard_normal(5)
    scheme = StreamCodedMatVec(G, [3, 0, 2, 2])
    payloads = scheme.setup_tasks(A)
    assert scheme.partial_results and scheme.parts(1) == ()
    for w in range(4):
        loads = scheme.part_loads(w)
        assert len(loads) == len(scheme.parts(w))
        if len(loads):
            assert loads[-1] == pytest.approx(scheme.worker_load(w))
    messages = {}
    for w in (3, 0, 2):
        for tid, res in scheme.worker_parts_fn(payloads[w], x):
            assert tid in scheme.parts(w)
            messages[(w, tid)] = res
    keys = list(messages)
    assert not scheme.can_decode(keys[:K - 1]) and scheme.can_decode(keys[:K])
    np.testing.assert_allclose(scheme.decode(dict(list(messages.items())[:K]), x), A @ x,
                               rtol=1e-9, atol=1e-9)
