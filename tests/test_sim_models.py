"""Straggler models: shapes, load scaling, sample moments versus closed forms,
validation, immutability and pickling."""
import math
import pickle

import numpy as np
import pytest

from fastcode.sim import (
    BernoulliFailures,
    Deterministic,
    Empirical,
    Exponential,
    HeterogeneousShiftedExponential,
    Pareto,
    PerWorker,
    ShiftedExponential,
    SimParameterError,
)

N_DRAWS = 200_000

ALL_MODELS = [
    ShiftedExponential(1.0),
    ShiftedExponential(0.5, shift=2.0),
    Exponential(2.0),
    Deterministic(1.5),
    BernoulliFailures(0.2),
    BernoulliFailures(0.1, base=ShiftedExponential(2.0)),
    Pareto(3.0, scale=0.5),
    Empirical([0.5, 1.0, 4.0], load=0.5),
]
PER_WORKER_MODELS = [
    HeterogeneousShiftedExponential([1.0, 2.0, 4.0], shift=[1.0, 0.5, 0.0]),
    PerWorker([ShiftedExponential(1.0), Pareto(2.5), Deterministic(2.0)]),
]


def _mean_within(samples, expected, z=5.0):
    """Sample mean within z standard errors of ``expected`` (fixed seeds: no flakiness)."""
    samples = np.asarray(samples)
    stderr = samples.std(ddof=1) / math.sqrt(samples.size)
    assert abs(samples.mean() - expected) <= z * stderr + 1e-12, (samples.mean(), expected, stderr)


@pytest.mark.parametrize("model", ALL_MODELS, ids=repr)
@pytest.mark.parametrize("size, shape", [(None, (7,)), (5, (5, 7)), ((2, 3), (2, 3, 7)), (0, (0, 7))])
def test_sample_shapes_and_dtype(model, size, shape):
    x = model.sample(7, 0.25, rng=1, size=size)
    assert x.shape == shape
    assert x.dtype == np.float64
    assert (x >= 0).all()


@pytest.mark.parametrize("model", ALL_MODELS + PER_WORKER_MODELS, ids=repr)
def test_seeded_and_reproducible(model):
    n = model.n_workers or 4
    a = model.sample(n, 1.0, rng=np.random.default_rng(5), size=10)
    b = model.sample(n, 1.0, rng=5, size=10)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("model", ALL_MODELS + PER_WORKER_MODELS, ids=repr)
def test_load_scales_times_linearly(model):
    """A task of load l takes l * X (spec 01, 3.1): same draws, scaled."""
    n = model.n_workers or 4
    x1 = model.sample(n, 1.0, rng=3, size=50)
    load = np.linspace(0.1, 0.9, n)
    xl = model.sample(n, load, rng=3, size=50)
    np.testing.assert_allclose(xl, x1 * load, rtol=1e-15)


@pytest.mark.parametrize("model", ALL_MODELS + PER_WORKER_MODELS, ids=repr)
def test_immutable_picklable_hashable(model):
    with pytest.raises(AttributeError):
        model.mu = 3.0
    clone = pickle.loads(pickle.dumps(model))
    assert clone == model and hash(clone) == hash(model)
    assert repr(clone) == repr(model)
    n = model.n_workers or 3
    np.testing.assert_array_equal(clone.sample(n, 1.0, rng=9, size=4), model.sample(n, 1.0, rng=9, size=4))


def test_reprs_are_readable():
    assert repr(ShiftedExponential(1.0)) == "ShiftedExponential(mu=1.0, shift=1.0)"
    assert repr(Exponential(2)) == "Exponential(mu=2.0)"
    assert repr(BernoulliFailures(0.1)) == "BernoulliFailures(p=0.1, base=Deterministic(time=1.0))"
    assert repr(Pareto(2.5)) == "Pareto(alpha=2.5, scale=1.0)"
    assert repr(HeterogeneousShiftedExponential([1, 2], 0.5)) == \
        "HeterogeneousShiftedExponential(mu=[1, 2], shift=[0.5, 0.5])"
    assert repr(Empirical(np.arange(1.0, 101.0))).startswith("Empirical(times=<100 samples, median 50.5")
    assert ShiftedExponential(1.0) != ShiftedExponential(1.0, shift=0.0)
    assert Exponential(1.0) != ShiftedExponential(1.0, shift=0.0)  # different types


def test_shifted_exponential_matches_spec_numpy_expression():
    """Spec 01, 3.5: T_i = shift/k + rng.exponential(1/(k mu), size=n) with the same stream."""
    n, k, mu, shift = 12, 5, 0.7, 1.0
    ours = ShiftedExponential(mu, shift).sample(n, 1.0 / k, rng=np.random.default_rng(42))
    spec = shift / k + np.random.default_rng(42).exponential(1 / (k * mu), size=n)
    np.testing.assert_allclose(ours, spec, rtol=1e-14)


@pytest.mark.parametrize("mu, shift, load", [(1.0, 1.0, 1.0), (0.5, 1.0, 0.1), (4.0, 0.0, 0.25), (2.0, 3.0, 2.0)])
def test_shifted_exponential_moments(mu, shift, load):
    x = ShiftedExponential(mu, shift).sample(4, load, rng=11, size=N_DRAWS // 4).ravel()
    _mean_within(x, load * (shift + 1 / mu))
    assert ShiftedExponential(mu, shift).mean_time(load) == pytest.approx(load * (shift + 1 / mu), rel=1e-15)
    # Variance of load * Exp(mu) is (load/mu)^2; its estimator's relative s.e. is ~ 2/sqrt(N).
    assert x.var() == pytest.approx((load / mu) ** 2, rel=5 * 2 / math.sqrt(x.size))
    assert x.min() >= load * shift


def test_shifted_exponential_cdf_ppf():
    model = ShiftedExponential(2.0, shift=1.0)
    q = np.array([0.0, 0.1, 0.5, 0.9, 0.999])
    t = model.ppf(q, load=0.5)
    np.testing.assert_allclose(model.cdf(t, load=0.5), q, atol=1e-15)
    assert model.ppf(0.0, load=0.5) == 0.5  # the shift, scaled
    assert model.ppf(1.0) == np.inf
    assert model.cdf(0.99) == 0.0
    x = np.sort(model.sample(1, 0.5, rng=2, size=N_DRAWS).ravel())
    ecdf = np.arange(1, x.size + 1) / x.size
    assert np.max(np.abs(ecdf - model.cdf(x, load=0.5))) < 1.63 / math.sqrt(x.size) * 1.5  # KS, alpha << 1%
    with pytest.raises(SimParameterError, match="q"):
        model.ppf(1.5)


def test_exponential_is_unshifted():
    m = Exponential(3.0)
    assert m.shift == 0.0 and m.mean_time(0.5) == pytest.approx(0.5 / 3)
    _mean_within(m.sample(10, 0.5, rng=4, size=N_DRAWS // 10).ravel(), 0.5 / 3)


def test_pareto_moments_and_tail():
    m = Pareto(3.0, scale=2.0)
    x = m.sample(5, 0.5, rng=6, size=N_DRAWS // 5).ravel()
    assert x.min() >= 1.0  # load * scale
    _mean_within(x, 0.5 * 3.0 * 2.0 / 2.0)
    assert m.mean_time(0.5) == pytest.approx(1.5)
    # Tail: P(X > 2 * scale) = 2^-alpha.
    assert np.mean(x > 2.0) == pytest.approx(2.0 ** -3, abs=5 * math.sqrt(0.125 * 0.875 / x.size))
    np.testing.assert_allclose(m.cdf([1.0, 4.0], load=1.0), [0.0, 1 - 0.5 ** 3])
    assert Pareto(1.0).mean_time() == np.inf and Pareto(0.5).mean_time() == np.inf


def test_bernoulli_failures():
    m = BernoulliFailures(0.3, base=ShiftedExponential(1.0))
    x = m.sample(10, 0.1, rng=8, size=N_DRAWS // 10)
    failed = np.isinf(x)
    assert failed.mean() == pytest.approx(0.3, abs=5 * math.sqrt(0.21 / x.size))
    _mean_within(x[~failed], 0.1 * 2.0)
    assert m.mean_time() == np.inf
    assert BernoulliFailures(0.0, base=Pareto(3.0)).mean_time() == pytest.approx(1.5)
    assert set(np.unique(BernoulliFailures(0.5).sample(6, 0.25, rng=1, size=100))) == {0.25, np.inf}


def test_heterogeneous_per_worker_means():
    mu, shift = np.array([0.5, 1.0, 4.0]), np.array([1.0, 0.0, 2.0])
    m = HeterogeneousShiftedExponential(mu, shift)
    assert m.n_workers == 3
    x = m.sample(3, 0.5, rng=10, size=N_DRAWS // 3)
    for i in range(3):
        _mean_within(x[:, i], 0.5 * (shift[i] + 1 / mu[i]))
        assert x[:, i].min() >= 0.5 * shift[i]
    np.testing.assert_allclose(m.mean_time(0.5), 0.5 * (shift + 1 / mu))
    with pytest.raises(SimParameterError, match="n_workers must be 3"):
        m.sample(4, 1.0, rng=0)


def test_per_worker_models():
    m = PerWorker([Deterministic(2.0), Exponential(1.0)])
    x = m.sample(2, 1.0, rng=12, size=N_DRAWS // 2)
    assert (x[:, 0] == 2.0).all()
    _mean_within(x[:, 1], 1.0)
    np.testing.assert_allclose(m.mean_time(), [2.0, 1.0])
    with pytest.raises(SimParameterError, match="models"):
        PerWorker([m])  # nested per-worker models are not single-worker models


def test_empirical_resamples_measured_times():
    measured = np.array([1.0, 2.0, 6.0])
    m = Empirical(measured, load=0.5)  # times measured for tasks of half the job
    x = m.sample(4, 0.25, rng=13, size=N_DRAWS // 4)
    assert set(np.unique(x)) == {0.5, 1.0, 3.0}  # scaled by 0.25 / 0.5
    _mean_within(x.ravel(), 0.5 * measured.mean())
    assert m.mean_time(0.25) == pytest.approx(0.5 * 3.0)
    counts = np.array([(x == v).mean() for v in (0.5, 1.0, 3.0)])
    np.testing.assert_allclose(counts, 1 / 3, atol=0.01)
    assert Empirical([1.0, np.inf]).mean_time() == np.inf
    assert not m.times.flags.writeable
    measured[0] = 100.0  # the model keeps its own copy
    assert m.times[0] == 1.0


def test_sample_partial_uses_one_speed_per_worker():
    m = ShiftedExponential(1.0)
    c = np.array([0.0, 0.2, 0.5, 1.0])
    t = m.sample_partial(5, c, rng=14, size=3)
    assert t.shape == (3, 5, 4)
    np.testing.assert_allclose(t, t[..., -1:] * c, rtol=1e-15)
    np.testing.assert_allclose(t[..., -1], m.sample(5, 1.0, rng=14, size=3))
    f = BernoulliFailures(0.5).sample_partial(50, c, rng=1)
    assert (f[:, 0] == 0).all() and not np.isnan(f).any()


@pytest.mark.parametrize("make, match", [
    (lambda: ShiftedExponential(0.0), "mu must be > 0"),
    (lambda: ShiftedExponential(-1.0), "mu must be > 0"),
    (lambda: ShiftedExponential(float("nan")), "mu must not contain NaN"),
    (lambda: ShiftedExponential(float("inf")), "mu must be finite"),
    (lambda: ShiftedExponential(1.0, shift=-0.5), "shift must be >= 0"),
    (lambda: ShiftedExponential([1.0, 2.0]), "mu must be a scalar"),
    (lambda: ShiftedExponential("fast"), "mu must be a real number"),
    (lambda: Exponential(-2), "mu must be > 0"),
    (lambda: BernoulliFailures(1.0), r"p must be in \[0, 1\)"),
    (lambda: BernoulliFailures(-0.1), r"p must be in \[0, 1\)"),
    (lambda: BernoulliFailures(0.1, base="exp"), "base must be a StragglerModel"),
    (lambda: Pareto(0.0), "alpha must be > 0"),
    (lambda: Pareto(2.0, scale=0.0), "scale must be > 0"),
    (lambda: Deterministic(-1.0), "time must be >= 0"),
    (lambda: HeterogeneousShiftedExponential([1.0, 0.0]), "mu must be > 0"),
    (lambda: HeterogeneousShiftedExponential([1.0, 2.0], shift=[1.0, 2.0, 3.0]), "same length"),
    (lambda: HeterogeneousShiftedExponential(1.0), "array"),
    (lambda: Empirical([]), "non-empty 1-D"),
    (lambda: Empirical([1.0, -1.0]), "times must be >= 0"),
    (lambda: Empirical([1.0], load=0), "load must be > 0"),
    (lambda: PerWorker([]), "models"),
])
def test_bad_parameters_raise_clear_errors(make, match):
    with pytest.raises(SimParameterError, match=match):
        make()


@pytest.mark.parametrize("call, match", [
    (lambda m: m.sample(0, 1.0, rng=0), "n_workers must be an integer >= 1"),
    (lambda m: m.sample(2.5, 1.0, rng=0), "n_workers must be an integer"),
    (lambda m: m.sample(3, 0.0, rng=0), "load must be > 0"),
    (lambda m: m.sample(3, -1.0, rng=0), "load must be > 0"),
    (lambda m: m.sample(3, [0.5, 0.5], rng=0), r"load must be a scalar or an array of shape \(3,\)"),
    (lambda m: m.sample(3, 1.0, rng=0, size=-1), "size must be an integer >= 0"),
    (lambda m: m.mean_time(0), "load must be > 0"),
    (lambda m: m.sample_partial(3, [[1.0]], rng=0), "checkpoints must be 1-D"),
])
def test_bad_sample_arguments(call, match):
    with pytest.raises(SimParameterError, match=match):
        call(ShiftedExponential(1.0))


def test_errors_are_value_errors():
    with pytest.raises(ValueError):
        ShiftedExponential(-1)
