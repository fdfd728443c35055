"""Block-coordinate gradient coding: runtime formula, exact E[T] and P(T <= t) against oracles and
Monte Carlo, the scheme's block-by-block encoding and decoding (spec 05 §2-§5.2, §7, §8)."""
import itertools
import math
import pickle

import numpy as np
import pytest

from fastcode import PrimeField, Reals
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode.schemes.bcgc import (BlockCoordinateGC, GradientJob, block_decode_times,
                                   completion_probability, cumulative_load, expected_runtime,
                                   least_squares_job, levels_to_blocks, order_stat_means,
                                   plain_gc_blocks, runtime, runtime_samples, worker_fn,
                                   worker_parts_fn)
from fastcode.runtime import VirtualCluster
from fastcode.sim import (Exponential, HeterogeneousShiftedExponential, Pareto, ShiftedExponential,
                          harmonic)

P = PrimeField(65537)


def _random_blocks(rng, N, L):
    x = rng.dirichlet(np.ones(N)) * L
    x[rng.random(N) < 0.3] = 0.0
    if x.sum() == 0:
        x[0] = 1.0
    return x * (L / x.sum())


# ---- the formula ------------------------------------------------------------------------------

def test_runtime_hand_example():
    # N = 3, x = (1, 1, 1): C = (1, 3, 6); τ sorted descending (3, 2, 1): terms 3, 6, 6
    assert cumulative_load([1, 1, 1]).tolist() == [1.0, 3.0, 6.0]
    assert runtime([1, 1, 1], [2.0, 3.0, 1.0]) == 6.0
    # uncoded: the slowest worker does L units
    assert runtime([5, 0, 0], [1.0, 4.0, 2.0]) == 20.0
    # full repetition (s = 2): the fastest worker does 3 L units
    assert runtime([0, 0, 5], [1.0, 4.0, 2.0]) == 15.0


@pytest.mark.parametrize("model", [ShiftedExponential(0.5, 1.0), Pareto(2.5, 1.0),
                                   HeterogeneousShiftedExponential(np.linspace(0.3, 2, 7), 0.5)])
def test_runtime_equals_block_decode_times(rng, model):
    """(RT) = the time the last block has N - s finishers, from simulated partial stragglers."""
    N = 7
    for _ in range(20):
        x = _random_blocks(rng, N, 100.0)
        tau = model.sample(N, rng=rng, size=50)
        finish = tau[:, :, None] * cumulative_load(x)[None, None, :]
        np.testing.assert_allclose(block_decode_times(finish, x).max(axis=1), runtime(x, tau),
                                   rtol=1e-12)


def test_runtime_with_dead_workers():
    # s = 1 tolerates one worker that never finishes; uncoded does not
    assert runtime([0, 4, 0], [1.0, np.inf, 2.0]) == 16.0
    assert runtime([4, 0, 0], [1.0, np.inf, 2.0]) == np.inf


@pytest.mark.parametrize("N", [1, 3, 10])
@pytest.mark.parametrize("mu", [0.2, 1.0])
def test_plain_gc_oracle(N, mu):
    """Spec §5.2: E[T] = (s + 1) L (a + (H_N - H_s)/μ); uncoded L (a + H_N/μ)."""
    L, a = 1000, 1.0
    m = ShiftedExponential(mu, a)
    for s in range(N):
        want = (s + 1) * L * (a + (harmonic(N) - harmonic(s)) / mu)
        assert expected_runtime(plain_gc_blocks(N, L, s), m) == pytest.approx(want, rel=1e-9)
    assert expected_runtime(plain_gc_blocks(N, L, 0), m) == pytest.approx(L * (a + harmonic(N) / mu),
                                                                         rel=1e-9)
    assert expected_runtime(plain_gc_blocks(N, L, N - 1), m) == pytest.approx(
        N * L * (a + 1 / (N * mu)), rel=1e-9)


def test_exact_runtime_vs_monte_carlo(rng):
    """Exact E[T] (DP + quadrature) within 4 standard errors of 2e5 simulated rounds."""
    N, L = 6, 300.0
    for model in (ShiftedExponential(1.0, 1.0), ShiftedExponential(0.2, 1.0), Exponential(2.0),
                  Pareto(3.0, 1.0)):
        x = _random_blocks(rng, N, L)
        T = runtime_samples(x, model, 200_000, rng)
        se = T.std() / math.sqrt(T.size)
        assert abs(expected_runtime(x, model) - T.mean()) < 4 * se, model


def test_completion_probability_vs_monte_carlo(rng):
    N, L = 7, 500.0
    model = ShiftedExponential(0.5, 1.0)
    for _ in range(3):
        x = _random_blocks(rng, N, L)
        T = runtime_samples(x, model, 200_000, rng)
        ts = np.quantile(T, [0.05, 0.3, 0.6, 0.95])
        p = completion_probability(x, ts, model)
        emp = (T[None, :] <= ts[:, None]).mean(axis=1)
        se = np.sqrt(p * (1 - p) / T.size)
        assert np.all(np.abs(p - emp) < 4 * se + 1e-12), (p, emp)


def test_completion_probability_oracles():
    """Uncoded: P = F(t/L)^N.  Plain GC at s: P(Bin(N, F(t/((s+1)L))) >= N - s)."""
    N, L, mu, a = 8, 100, 0.7, 1.0
    m = ShiftedExponential(mu, a)
    F = lambda u: 1 - math.exp(-mu * (u - a)) if u > a else 0.0       # noqa: E731
    for t in (150.0, 300.0, 800.0):
        assert completion_probability(plain_gc_blocks(N, L, 0), t, m) == pytest.approx(
            F(t / L) ** N, rel=1e-10, abs=1e-15)
        for s in (1, 3, N - 1):
            q = F(t / ((s + 1) * L))
            want = sum(math.comb(N, j) * q ** j * (1 - q) ** (N - j) for j in range(N - s, N + 1))
            got = completion_probability(plain_gc_blocks(N, L, s), t, m)
            assert got == pytest.approx(want, rel=1e-10, abs=1e-15)


def test_completion_probability_shape_and_limits():
    m = ShiftedExponential(1.0, 2.0)
    x = np.array([40.0, 30.0, 20.0, 10.0])
    C = cumulative_load(x)
    assert completion_probability(x, 0.99 * 2.0 * C[-1], m) == 0.0      # below a C_{N-1}
    assert completion_probability(x, 1e9, m) == pytest.approx(1.0)
    ts = np.linspace(200, 2000, 30).reshape(5, 6)
    p = completion_probability(x, ts, m)
    assert p.shape == (5, 6)
    assert np.all(np.diff(p.reshape(-1)) >= -1e-15)


def test_order_stat_means_generic_path(rng):
    """The quadrature path (Pareto) against Monte Carlo, and the closed form against it."""
    N = 6
    tau = np.sort(Pareto(3.0, 1.0).sample(N, rng=rng, size=400_000), axis=1)[:, ::-1]
    got = order_stat_means(N, Pareto(3.0, 1.0))
    se = tau.std(axis=0) / math.sqrt(tau.shape[0])
    assert np.all(np.abs(got - tau.mean(axis=0)) < 4 * se)
    # the generic path for an exponential must reproduce the closed form (subclass check bypassed)
    m = ShiftedExponential(0.4, 1.5)
    closed = order_stat_means(N, m)
    e = [expected_runtime(plain_gc_blocks(N, 1, s), m) / (s + 1) for s in range(N)]
    np.testing.assert_allclose(e, closed, rtol=1e-9)
    assert np.all(np.diff(closed) < 0)


# ---- the scheme ------------------------------------------------------------------------------

def _fixed_gradients(field, rng, N, L):
    if field is Reals:
        return rng.standard_normal((N, L))
    return rng.integers(0, field.p, (N, L)).astype(np.uint32)


def _total(field, G):
    if field is Reals:
        return G.sum(axis=0)
    return (G.astype(np.int64).sum(axis=0) % field.p).astype(np.uint32)


def _check(field, got, want):
    if field is Reals:
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * np.abs(want).max())
    else:
        np.testing.assert_array_equal(got, want)


CASES = [(Reals, "cyclic", 5, [2, 3, 1, 2, 4]),
         (P, "cyclic", 5, [3, 0, 2, 4, 1]),
         (P, "cyclic_mds", 4, [1, 2, 3, 2]),           # 4 | 65536
         (Reals, "frc", 4, [3, 2, 0, 4]),              # levels 0, 1, 3: (s+1) | 4
         (P, "frc", 6, [1, 2, 2, 0, 0, 3])]            # levels 0, 1, 2, 5


@pytest.mark.parametrize("field,code,N,x", CASES)
def test_block_decoding_every_responder_set(rng, field, code, N, x):
    """Each block decodes exactly from every set of N - s of its messages (every straggler set)."""
    L = sum(x)
    sc = BlockCoordinateGC(N, np.array(x), field=field, code=code, rng=rng)
    G = _fixed_gradients(field, rng, N, L)
    want = _total(field, G)
    payloads = sc.setup_tasks(G)
    msgs = [dict(worker_parts_fn(p, None)) for p in payloads]
    for s in sc.levels:
        for W in itertools.combinations(range(N), N - s):
            for order in (W, W[::-1]):
                dec = sc.decoder()
                for w in order:
                    dec.add(w, s, msgs[w][s])
                assert s in dec.decoded
                _check(field, dec.decoded[s], want[sc.coords[s]])
        if code != "frc":          # FRC may decode with fewer (one per group), CRC may not
            dec = sc.decoder()
            for w in range(N - s - 1):
                dec.add(w, s, msgs[w][s])
            assert s not in dec.decoded


@pytest.mark.parametrize("field,code,N,x", CASES[:2] + CASES[3:4])
def test_virtual_round_every_speed_order(rng, field, code, N, x):
    """End to end on the virtual clock for every ranking of the workers' speeds: exact gradient,
    finish time = T(x) (RT) for cyclic codes, <= T(x) for fractional repetition."""
    L = sum(x)
    sc = BlockCoordinateGC(N, np.array(x), field=field, code=code, rng=rng)
    G = _fixed_gradients(field, rng, N, L)
    want = _total(field, G)
    cluster = VirtualCluster(N)
    cluster.setup(sc, G)
    speeds = np.sort(rng.uniform(1.0, 3.0, N))
    for perm in itertools.permutations(range(N)):
        tau = speeds[list(perm)]
        vr = cluster.run_round(None, sc.part_times(tau))
        _check(field, vr.output, want)
        if code == "frc":
            assert vr.time <= runtime(x, tau) + 1e-12
        else:
            assert vr.time == pytest.approx(runtime(x, tau), rel=1e-12)
        assert max(sc.block_times(vr).values()) == vr.time
        # the master used block messages in time order
        assert [a[0] for a in vr.arrivals] == sorted(a[0] for a in vr.arrivals)


def test_virtual_round_least_squares_and_dead_workers(rng):
    N, L = 6, 40
    x = np.array([0, 10, 10, 10, 5, 5])              # every level tolerates >= 1 straggler
    sc = BlockCoordinateGC(N, x, rng=rng)
    X = rng.standard_normal((90, L))
    y = rng.standard_normal(90)
    theta = rng.standard_normal(L)
    cluster = VirtualCluster(N)
    cluster.setup(sc, least_squares_job(X, y, N))
    want = X.T @ (X @ theta - y)
    tau = rng.uniform(1, 2, N)
    tau[2] = np.inf                                   # a worker that never answers
    vr = cluster.run_round(theta, sc.part_times(tau))
    np.testing.assert_allclose(vr.output, want, rtol=1e-9, atol=1e-9 * np.abs(want).max())
    assert vr.time == pytest.approx(runtime(x, tau))
    assert vr.computed < N * len(sc.levels)           # late blocks are never computed
    tau[4] = np.inf                                   # two dead workers: block 1 cannot decode
    with pytest.raises(NotEnoughShardsError, match="block s=1"):
        cluster.run_round(theta, sc.part_times(tau))


def test_whole_message_protocol(rng):
    """The plain runtime protocol: worker_fn returns all blocks; ids stand for whole messages."""
    N, L = 5, 30
    x = np.array([0, 0, 10, 15, 5])
    sc = BlockCoordinateGC(N, x, rng=rng)
    G = rng.standard_normal((N, L))
    payloads = pickle.loads(pickle.dumps(sc.setup_tasks(G)))   # payloads travel by pickle
    results = {i: worker_fn(payloads[i], None) for i in (4, 1, 3, 0, 2)}
    assert all(r.shape == (L,) for r in results.values())
    assert not sc.can_decode([4, 1])
    assert sc.can_decode([4, 1, 3])                   # s_min = 2: any 3 workers
    first3 = {k: results[k] for k in (4, 1, 3)}
    np.testing.assert_allclose(sc.decode(first3, None), G.sum(axis=0), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(sc.decode(results, None), G.sum(axis=0), rtol=1e-9, atol=1e-9)
    with pytest.raises(NotEnoughShardsError):
        sc.decode({k: results[k] for k in (4, 1)}, None)
    # part keys and worker ids mix
    # (block s needs N - s = 3, 2, 1 distinct workers for s = 2, 3, 4)
    assert sc.can_decode([(0, 2), (1, 2), (0, 3), 3])
    assert not sc.can_decode([(0, 2), (1, 2), (0, 3), (4, 3), (4, 4), (1, 2)])
    assert sc.worker_fn is worker_fn and sc.worker_fn.__qualname__ == "worker_fn"
    assert sc.worker_load(0) == pytest.approx((3 * 10 + 4 * 15 + 5 * 5) / (N * L))
    np.testing.assert_allclose(sc.part_loads(1) * N * L, [30, 90, 115])
    assert sc.parts(1) == (2, 3, 4)


def test_from_levels_permuted_coordinates(rng):
    """L coding parameters: a level per coordinate; same-level coordinates form one block."""
    N, L = 5, 37
    levels = rng.integers(0, N, L)
    x, coords = levels_to_blocks(levels, N)
    assert x.sum() == L and all(np.all(levels[c] == s) for s, c in enumerate(coords))
    sc = BlockCoordinateGC.from_levels(levels, N, rng=rng)
    G = rng.standard_normal((N, L))
    cluster = VirtualCluster(N)
    cluster.setup(sc, G)
    vr = cluster.run_round(None, sc.part_times(rng.uniform(1, 2, N)))
    np.testing.assert_allclose(vr.output, G.sum(axis=0), rtol=1e-9, atol=1e-9)


def test_generic_job_prepare_called_once_per_subset(rng):
    N, L = 4, 12
    calls = []
    sc = BlockCoordinateGC(N, np.array([3, 3, 3, 3]), rng=rng)
    G = rng.standard_normal((N, L))
    job = GradientJob([g for g in G], _scaled_partial, _counting_prepare)
    payloads = sc.setup_tasks(job)
    for p in payloads:
        p["data"] = [(d, calls) for d in p["data"]]
    out = sc.decode({i: worker_fn(payloads[i], 2.0) for i in range(N)})
    np.testing.assert_allclose(out, 2.0 * G.sum(axis=0), rtol=1e-9)
    assert len(calls) == sum(len(s) for s in sc.stored)   # one prepare per stored subset


def _counting_prepare(payload, theta):
    payload[1].append(1)
    return theta


def _scaled_partial(payload, theta, coords):
    return theta * payload[0][coords]


# ---- bad inputs --------------------------------------------------------------------------------

def test_bad_inputs(rng):
    m = ShiftedExponential(1.0, 1.0)
    with pytest.raises(InvalidArgumentError, match="x must"):
        BlockCoordinateGC(3, np.array([1.5, 1.0, 0.5]))
    with pytest.raises(InvalidArgumentError, match="x must"):
        BlockCoordinateGC(3, np.array([1, -1, 2]))
    with pytest.raises(InvalidArgumentError, match="x must"):
        BlockCoordinateGC(3, np.array([1, 2]))
    with pytest.raises(InvalidArgumentError, match="N must"):
        BlockCoordinateGC(0, np.array([], dtype=int))
    with pytest.raises(InvalidArgumentError, match="code must"):
        BlockCoordinateGC(3, np.array([1, 1, 1]), code="mds")
    with pytest.raises(InvalidArgumentError, match="frc"):
        BlockCoordinateGC(4, np.array([1, 1, 1, 1]), code="frc")    # s = 2: 3 does not divide 4
    with pytest.raises(InvalidArgumentError, match="field"):
        BlockCoordinateGC(3, np.array([1, 1, 1]), field="reals")
    with pytest.raises(InvalidArgumentError, match="coords"):
        BlockCoordinateGC(2, np.array([1, 1]), coords=[[0], [0]])
    sc = BlockCoordinateGC(3, np.array([1, 1, 1]), rng=rng)
    with pytest.raises(ShardSizeError, match="job"):
        sc.setup_tasks(np.zeros((3, 4)))
    with pytest.raises(InvalidArgumentError, match="worker"):
        sc.worker_load(3)
    with pytest.raises(InvalidArgumentError, match="levels"):
        levels_to_blocks([0, 3], 3)
    with pytest.raises(InvalidArgumentError, match="tau"):
        runtime([1, 1, 1], [1.0, 2.0])
    with pytest.raises(InvalidArgumentError, match="x must"):
        runtime([1, -1, 1], [1.0, 2.0, 3.0])
    with pytest.raises(InvalidArgumentError, match="method"):
        expected_runtime([1, 1, 1], m, method="quad")
    with pytest.raises(InvalidArgumentError, match="model"):
        expected_runtime([1, 1, 1], "shifted-exp")
    with pytest.raises(InvalidArgumentError, match="cdf"):
        expected_runtime([1, 1, 1], HeterogeneousShiftedExponential([1.0, 2.0, 3.0]))
    with pytest.raises(InvalidArgumentError, match="model"):
        runtime_samples([1, 1, 1], HeterogeneousShiftedExponential([1.0, 2.0]), 10)
    with pytest.raises(InvalidArgumentError, match="t must"):
        completion_probability([1, 1, 1], -1.0, m)
    with pytest.raises(InvalidArgumentError, match="samples"):
        runtime_samples([1, 1, 1], m, 0)
    with pytest.raises(InvalidArgumentError, match="tau"):
        sc.part_times([1.0, -1.0, 1.0])
    for exc in (InvalidArgumentError, ShardSizeError, NotEnoughShardsError):
        assert issubclass(exc, ValueError)
