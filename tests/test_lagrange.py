"""Lagrange coded computing: recovery at the threshold through A wrong results, clear errors
below it and beyond A, adversaries at every position, T-privacy (exact by enumeration and
statistical over GF(2^31 - 1)), agreement with the NumPy reference, both jobs on a
LocalCluster, and the reproduction's tables."""
import itertools
import math

import numpy as np
import pytest
from scipy import stats

from fastcode import GF256, PrimeField
from fastcode.codes.correct import EvaluationDecoder, lagrange_basis
from fastcode.errors import (InvalidArgumentError, NotEnoughShardsError, ShardSizeError,
                             UncorrectableError)
from fastcode.reference import lagrange as ref
from fastcode.repro import lagrange as repro
from fastcode.runtime import LocalCluster
from fastcode.runtime.jobs import run_job
from fastcode.schemes.jobs import LagrangeJob, lagrange_gram_job, lagrange_regression_job
from fastcode.schemes.lagrange import (LagrangeCoded, gram, lagrange_worker, recovery_threshold,
                                       regression_gradient, workers_needed)
from fastcode.sim import ShiftedExponential

BIG = PrimeField(2**31 - 1)
F65537 = PrimeField(65537)
# a hung runtime dumps every thread's stack and fails the run (conftest's watchdog)
pytestmark = pytest.mark.usefixtures("watchdog")


def linear(block, _round_input, field):
    """f(x) = 5x + 1 entry-wise: degree 1."""
    return field.add(field.mul(block, 5), 1)


def square(block, _round_input, field):
    """f(x) = x^2 entry-wise: degree 2."""
    return field.mul(block, block)


def cube_plus(block, _round_input, field):
    """f(x) = x^3 + 2x entry-wise: degree 3."""
    x2 = field.mul(block, block)
    return field.add(field.mul(x2, block), field.mul(block, 2))


OF_DEGREE = {1: linear, 2: square, 3: cube_plus}


def results_of(code, data, f, noise=None, round_input=None):
    coded = code.encode(data, noise=noise)
    return [f(coded[i], round_input, code.field) for i in range(code.n)]


def corrupt(value, field, rng):
    """``value`` with every entry changed (uniform non-zero error)."""
    err = rng.integers(1, field.p, size=value.shape).astype(np.uint64)
    return ((value.astype(np.uint64) + err) % field.p).astype(np.uint32)


# ---- sizes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("d, K, T, A, S", [(1, 1, 0, 0, 0), (2, 3, 1, 2, 1), (3, 4, 2, 1, 3)])
def test_sizes_follow_the_paper(d, K, T, A, S):
    code = LagrangeCoded(d, K, T, A, S, field=BIG)
    D = (K + T - 1) * d
    assert code.degree == D
    assert code.k == code.recovery_threshold == D + 2 * A + 1 == recovery_threshold(d, K, T, A)
    assert code.n == code.n_workers == D + S + 2 * A + 1 == workers_needed(d, K, T, A, S)
    assert code.worker_load(0) == 1.0 / K
    assert len(set(code.alphas.tolist()) | set(code.betas.tolist())) == code.n + K + T


# ---- recovery at the threshold ------------------------------------------------------------------

@pytest.mark.parametrize("f, d, K, T, A, S, shape", [
    (gram, 2, 3, 1, 2, 1, (5, 4)),
    (gram, 2, 1, 0, 1, 0, (3, 3)),
    (cube_plus, 3, 2, 2, 2, 2, (7,)),
    (cube_plus, 3, 4, 0, 0, 1, (2, 3)),
])
def test_exact_at_the_threshold_with_A_wrong(f, d, K, T, A, S, shape):
    rng = np.random.default_rng([d, K, T, A, S])
    code = LagrangeCoded(d, K, T, A, S, field=BIG, rng=rng)
    X = BIG.random((K,) + shape, rng)
    want = np.stack([f(x, None, BIG) for x in X])
    res = results_of(code, X, f)
    for trial in range(5):
        responders = sorted(rng.choice(code.n, size=code.k, replace=False).tolist())
        wrong = sorted(rng.choice(responders, size=A, replace=False).tolist())
        given = [corrupt(res[i], BIG, rng) if i in wrong else res[i] for i in responders]
        order = rng.permutation(len(responders))                   # any arrival order
        out = code.decode([given[j] for j in order], [responders[j] for j in order])
        assert out.values.dtype == np.uint32 and out.values.shape == (K,) + want.shape[1:]
        assert np.array_equal(out.values, want)
        assert out.adversaries == tuple(wrong) == code.last_adversaries
        assert out.responders == tuple(responders)


def test_one_below_the_threshold_is_a_clear_error():
    code = LagrangeCoded(2, 3, 1, 2, 1, field=BIG, rng=0)
    X = BIG.random((3, 4, 2), 1)
    res = results_of(code, X, gram)
    idx = list(range(code.k - 1))
    assert not code.can_decode(idx)
    assert code.can_decode(idx + [code.k - 1])
    with pytest.raises(NotEnoughShardsError, match=f"at least {code.k} results"):
        code.decode([res[i] for i in idx], idx)


@pytest.mark.parametrize("field", [F65537, BIG])
def test_A_plus_one_wrong_at_the_threshold_is_never_silent(field):
    """A + 1 results of random content among the first N - S: always UncorrectableError."""
    for case, (d, K, T, A, shape) in enumerate([(2, 2, 1, 1, (3, 2)), (1, 3, 0, 2, (4,)),
                                                 (3, 2, 1, 2, (2, 2)), (2, 1, 0, 1, (1, 1))]):
        rng = np.random.default_rng([field.p % 1000, case])
        code = LagrangeCoded(d, K, T, A, 2, field=field, rng=rng)
        f = OF_DEGREE[d]
        X = field.random((K,) + shape, rng)
        res = results_of(code, X, f)
        for trial in range(40):
            responders = sorted(rng.choice(code.n, size=code.k, replace=False).tolist())
            wrong = set(rng.choice(responders, size=A + 1, replace=False).tolist())
            given = [field.random(res[i].shape, rng) if i in wrong else res[i] for i in responders]
            with pytest.raises(UncorrectableError):
                code.decode(given, responders)


def test_max_errors_zero_only_detects():
    code = LagrangeCoded(2, 2, 0, 2, 0, field=BIG, rng=0)
    X = BIG.random((2, 3, 3), 2)
    res = results_of(code, X, gram)
    idx = list(range(code.n))
    assert np.array_equal(code.decode(res, idx, max_errors=0).values,
                          np.stack([gram(x, None, BIG) for x in X]))
    res[3] = corrupt(res[3], BIG, np.random.default_rng(0))
    with pytest.raises(UncorrectableError, match="max_errors=0"):
        code.decode(res, idx, max_errors=0)
    with pytest.raises(InvalidArgumentError, match="max_errors"):
        code.decode(res, idx, max_errors=3)


def test_more_results_locate_more_adversaries():
    """With R results, floor((R - D - 1) / 2) wrong ones are located, beyond A."""
    code = LagrangeCoded(1, 2, 0, 1, 4, field=BIG, rng=0)         # D = 1, k = 4, n = 8
    X = BIG.random((2, 6), 3)
    res = results_of(code, X, linear)
    rng = np.random.default_rng(5)
    idx = list(range(code.n))
    wrong = [0, 4, 7]                                              # 3 = floor((8 - 2) / 2)
    given = [corrupt(r, BIG, rng) if i in wrong else r for i, r in enumerate(res)]
    out = code.decode(given, idx)
    assert out.adversaries == (0, 4, 7)
    assert np.array_equal(out.values, np.stack([linear(x, None, BIG) for x in X]))


# ---- every position, small n --------------------------------------------------------------------

@pytest.mark.parametrize("d, K, T, A, S", [(1, 2, 0, 2, 2), (2, 2, 1, 1, 1)])
def test_adversaries_at_every_position(d, K, T, A, S):
    """Every responder set of k..n workers, every pattern of up to floor((R - D - 1) / 2)
    wrong results among them (errors in one column or in all)."""
    code = LagrangeCoded(d, K, T, A, S, field=BIG, rng=0)
    rng = np.random.default_rng(7)
    X = BIG.random((K, 3), rng)
    f = OF_DEGREE[d]
    want = np.stack([f(x, None, BIG) for x in X])
    res = results_of(code, X, f)
    cases = 0
    for R in range(code.k, code.n + 1):
        for responders in itertools.combinations(range(code.n), R):
            t = (R - code.degree - 1) // 2
            for e in range(t + 1):
                for wrong in itertools.combinations(responders, e):
                    given = []
                    for i in responders:
                        r = res[i].copy()
                        if i in wrong:
                            if i % 2:
                                r = corrupt(r, BIG, rng)
                            else:
                                r[i % 3] = (int(r[i % 3]) + 1) % BIG.p   # one column only
                        given.append(r)
                    out = code.decode(given, responders)
                    assert np.array_equal(out.values, want), (responders, wrong)
                    assert out.adversaries == wrong
                    cases += 1
    assert cases == sum(math.comb(code.n, R) * math.comb(R, e) for R in range(code.k, code.n + 1)
                        for e in range((R - code.degree - 1) // 2 + 1))


# ---- privacy ------------------------------------------------------------------------------------

def test_privacy_exact_by_enumeration():
    """GF(13), K = 2, T = 2: for every data value and every T workers, the T inputs over
    all p^T paddings take every value of GF(13)^T exactly once (uniform, whatever the data);
    T + 1 workers do see the data (the enumeration can tell)."""
    F = PrimeField(13)
    code = LagrangeCoded(1, 2, 2, 1, 3, field=F)                  # n = 9, 9 + 2 + 2 = 13 points
    p, q = F.p, F.p ** 2
    grid = np.arange(q * q)
    X = np.stack([grid // q // p, grid // q % p]).astype(np.uint32)   # (2, L): data values
    Z = np.stack([grid % q // p, grid % p]).astype(np.uint32)         # (2, L): paddings
    coded = code.encode(X, noise=Z)                                   # (9, L)
    for pair in itertools.combinations(range(code.n), 2):
        seen = (coded[pair[0]].astype(np.int64) * p + coded[pair[1]]).reshape(q, q)
        assert np.array_equal(np.sort(seen, axis=1), np.broadcast_to(np.arange(q), (q, q))), pair
    triple = (coded[0].astype(np.int64) * q + coded[1].astype(np.int64) * p + coded[2])
    supports = {frozenset(row.tolist()) for row in triple.reshape(q, q)}
    assert len(supports) > 1                  # 3 > T workers: what they see depends on the data


def _chi2_pvalue(counts):
    return stats.chisquare(counts.ravel()).pvalue


@pytest.mark.parametrize("rng", [123, None], ids=["seeded", "os.urandom"])
def test_privacy_statistical_over_the_big_field(rng):
    """GF(2^31 - 1), K = 3, T = 2: the inputs of T workers are uniform (marginal and joint
    buckets) and distributed alike for two very different data sets."""
    code = LagrangeCoded(2, 3, 2, 1, 1, field=BIG, rng=rng)
    L = 40_000
    datasets = [BIG.zeros((3, L)), np.full((3, L), BIG.p - 1, dtype=np.uint32)]
    joint = []
    for data in datasets:
        coded = code.encode(data)
        for pair in [(0, 1), (2, code.n - 1)]:
            b = (coded[list(pair)].astype(np.uint64) * 8 // BIG.p).astype(np.int64)   # 8 buckets
            for row in b:
                assert _chi2_pvalue(np.bincount(row, minlength=8)) > 1e-6
            counts = np.bincount(b[0] * 8 + b[1], minlength=64)
            assert _chi2_pvalue(counts) > 1e-6                     # independent pair
            joint.append(counts)
    for a, b in zip(joint[:2], joint[2:]):                         # same law for both data sets
        assert stats.chi2_contingency(np.stack([a, b])).pvalue > 1e-6


# ---- the reference ------------------------------------------------------------------------------

@pytest.mark.parametrize("field, K, T, S, shape", [(PrimeField(101), 3, 2, 2, (2, 3)),
                                                   (BIG, 4, 1, 0, (5,)), (BIG, 1, 0, 1, (1,))])
def test_encoding_matches_the_reference(field, K, T, S, shape):
    code = LagrangeCoded(2, K, T, 1, S, field=field, rng=0)
    rng = np.random.default_rng(9)
    X = field.random((K,) + shape, rng)
    Z = field.random((T,) + shape, rng)
    coded = code.encode(X[:, ::1], noise=Z)
    want = ref.encode(np.concatenate([X, Z]), code.betas, code.alphas, field.p)
    assert np.array_equal(coded, want)
    # non-contiguous data and the list form give the same blocks
    wide = np.zeros((K,) + shape[:-1] + (2 * shape[-1],), dtype=np.uint32)
    wide[..., ::2] = X
    assert np.array_equal(code.encode(wide[..., ::2], noise=Z), want)
    assert np.array_equal(code.encode(list(X), noise=list(Z)), want)
    # decoding without errors is interpolation at the betas
    res = [square(c, None, field) for c in coded]
    idx = list(range(code.k))
    got = code.decode([res[i] for i in idx], idx).values
    interp = ref.interpolate_at(code.alphas[:code.degree + 1],
                                np.stack(res[:code.degree + 1]), code.betas[:K], field.p)
    assert np.array_equal(got, interp)
    assert np.array_equal(got, field.mul(X, X))


def test_lagrange_basis_matches_the_reference():
    F = PrimeField(10007)
    pts, at = np.array([3, 7, 11, 20]), np.array([0, 7, 5000])     # 7 is one of the points
    M = lagrange_basis(F, pts, at)
    want = np.array([[ref.basis_value(pts, i, z, F.p) for i in range(4)] for z in at])
    assert np.array_equal(M, want)
    assert np.array_equal(M[1], [0, 1, 0, 0])
    with pytest.raises(InvalidArgumentError, match="distinct"):
        lagrange_basis(F, [1, 2, 1], [0])


def test_evaluation_decoder_on_gf256():
    """The shared decoder also works over GF(2^8) (the field of MDSCode.correct)."""
    pts = np.arange(1, 10, dtype=np.uint8)
    coef = np.random.default_rng(0).integers(0, 256, size=(3, 16), dtype=np.uint8)  # degree 2
    vals = np.stack([GF256.asarray(np.zeros(16, dtype=np.uint8))] * 9)
    for i, a in enumerate(pts):
        acc = np.zeros(16, dtype=np.uint8)
        for c in coef[::-1]:
            acc = GF256.add(GF256.mul(acc, a), c)
        vals[i] = acc
    dec = EvaluationDecoder(GF256, pts, 2, np.array([0], dtype=np.uint8))
    assert dec.max_errors == 3
    bad = vals.copy()
    bad[[1, 5, 8]] ^= 0x5A
    got, wrong = dec(bad)
    assert wrong == [1, 5, 8] and np.array_equal(got[0], coef[0])


# ---- the runtime face and bad input -------------------------------------------------------------

def test_runtime_face_and_out():
    code = LagrangeCoded(2, 2, 1, 1, 1, field=BIG, f=gram, byzantine=[4], rng=0)
    X = BIG.random((2, 3, 3), 4)
    tasks = code.setup_tasks(X)
    assert len(tasks) == code.n and [t[3] for t in tasks] == [i == 4 for i in range(code.n)]
    results = {i: lagrange_worker(tasks[i], None) for i in (6, 4, 0, 1, 2, 3, 5)}
    out = np.empty((2, 3, 3), dtype=np.uint32)
    dec = code.decode(results, "round input, ignored", out=out)
    assert dec.values is out and dec.adversaries == (4,)
    assert np.array_equal(out, np.stack([gram(x, None, BIG) for x in X]))
    strided = np.empty((2, 3, 6), dtype=np.uint32)[..., ::2]
    assert np.array_equal(code.decode(results, None, out=strided).values, out)


def test_bad_input_is_refused():
    with pytest.raises(InvalidArgumentError, match="PrimeField"):
        LagrangeCoded(1, 2, field=GF256)
    with pytest.raises(InvalidArgumentError, match="too few elements"):
        LagrangeCoded(2, 3, 1, 1, 1, field=PrimeField(13))
    with pytest.raises(InvalidArgumentError, match="K"):
        LagrangeCoded(1, 0)
    with pytest.raises(InvalidArgumentError, match="byzantine"):
        LagrangeCoded(1, 2, byzantine=[5])
    code = LagrangeCoded(1, 2, 0, 1, 0, field=BIG, rng=0)
    with pytest.raises(InvalidArgumentError, match="repeated"):
        code.can_decode([0, 0, 1, 2])
    with pytest.raises(InvalidArgumentError, match="indices entry"):
        code.can_decode([0, 1, 2, 9])
    with pytest.raises(ShardSizeError, match="2 blocks"):
        code.encode(BIG.zeros((3, 4)))
    with pytest.raises(InvalidArgumentError, match="needs f"):
        code.setup_tasks(BIG.zeros((2, 4)))
    res = list(code.encode(BIG.zeros((2, 4))))
    with pytest.raises(ShardSizeError, match="shape"):
        code.decode(res[:3] + [res[3][:2]], [0, 1, 2, 3])
    with pytest.raises(InvalidArgumentError, match="indices"):
        code.decode(res, None)


# ---- jobs ---------------------------------------------------------------------------------------

def _run(job, backend, rounds=3):
    model = ShiftedExponential(2.0, shift=1.0)
    with LocalCluster(job.scheme.n, straggler_model=model, backend=backend, rng=1,
                      time_scale=0.002, timeout=30.0) as cluster:
        return run_job(cluster, job, rounds, rng=1)


@pytest.mark.parametrize("factory, backend", [(lagrange_gram_job, "process"),
                                              (lagrange_regression_job, "thread")])
def test_jobs_find_the_two_adversaries_on_a_local_cluster(factory, backend):
    # K = 2, T = 1, A = 2 on 9 workers: S = 0, so every worker answers every round
    job = factory(9, 5, rows=30, cols=6, byzantine=2, private=1, K=2)
    assert isinstance(job, LagrangeJob) and job.scheme.S == 0 and len(job.scheme.byzantine) == 2
    report = _run(job, backend)
    assert report.rounds == 3 and report.failed_rounds == 0 and report.wrong_rounds == 0
    assert job.located == [tuple(sorted(job.scheme.byzantine))] * 3


def test_jobs_with_stragglers_and_checks_that_can_fail():
    job = lagrange_gram_job(9, 2, rows=20, cols=5, byzantine=2, private=1)   # K = 1, S = 2
    assert (job.scheme.K, job.scheme.S) == (1, 2)
    report = _run(job, "thread")
    assert report.wrong_rounds == 0 and report.failed_rounds == 0
    assert all(set(found) <= job.scheme.byzantine for found in job.located)
    # the check fails on a wrong value and on a wrong adversary set
    tasks = job.scheme.setup_tasks(job.data)
    res = {i: lagrange_worker(tasks[i], None) for i in range(job.scheme.n)}
    out = job.scheme.decode(res, None)
    assert job.check(out, None)
    assert not job.check(out._replace(adversaries=out.adversaries[:1]), None)
    bad = out.values.copy()
    bad[0, 0, 0] ^= 1
    assert not job.check(out._replace(values=bad), None)


def test_regression_job_is_exact_fixed_point():
    job = lagrange_regression_job(8, 3, rows=40, cols=8, byzantine=1, private=0, K=2)
    scheme = job.scheme
    assert "fixed point" in job.name
    tasks = scheme.setup_tasks(job.data)
    g = np.random.default_rng(0)
    for _ in range(3):
        w = job.make_input(g)
        res = {i: lagrange_worker(tasks[i], w) for i in range(scheme.n)}
        out = scheme.decode(res, w)
        assert job.check(out, w)
        grad = job.finish(out.values)
        real = job.real_gradient(w)
        # only quantisation separates it from the real-valued gradient
        assert np.max(np.abs(grad - real)) <= 0.1 * np.max(np.abs(real))
    with pytest.raises(ValueError, match="fewer bits"):
        lagrange_regression_job(8, 3, rows=40, cols=8, bits=30)
    with pytest.raises(ValueError, match="needs at least"):
        lagrange_regression_job(4, 3, rows=40, cols=8, byzantine=2, K=2)


def test_worker_functions_have_degree_two():
    """f(u(z)) of the shipped worker functions is a polynomial of degree 2 (K + T - 1):
    decoding with A = 0 from D + 1 results then agrees with every further result."""
    for f, shape in [(gram, (4, 3)), (regression_gradient, (4, 4))]:
        code = LagrangeCoded(2, 2, 1, 0, 3, field=BIG, rng=1)
        w = BIG.random(3, 2)
        X = BIG.random((2,) + shape, 3)
        res = results_of(code, X, f, round_input=w)
        idx = list(range(code.n))
        assert code.decode(res, idx, max_errors=0).adversaries == ()


# ---- the reproduction ---------------------------------------------------------------------------

def test_reproduction_tables():
    thresholds, completion = repro.run(trials=2000, adversaries=(0, 2))
    for d, K, S, A, T, lcc, thr, rep, ss, mds, saving in thresholds.rows:
        assert lcc == (K + T - 1) * d + S + 2 * A + 1 and thr == lcc - S
        assert rep == (K * (S + 2 * A + 1) if T == 0 else "-")
        assert mds == (K + T + S + 2 * A if d == 1 else "-")
        if d == 1:
            assert lcc == mds
    assert completion.failures == 0
    rows = {(r[1], r[2]): r for r in completion.rows}
    assert rows[(2, "uncoded")][-1] == "cannot"
    assert rows[(2, "LCC")][4] == 2 * 7 + 5
    assert rows[(2, "repetition")][5] > rows[(2, "LCC")][5]
    assert math.isclose(rows[(0, "LCC")][7], float(np.mean(
        np.sort(ShiftedExponential(1.0, 1.0).sample(40, 1 / 8, 0, size=200_000), axis=1)[:, 14])),
        rel_tol=0.01)


def test_fastcode_run_lagrange_finds_the_byzantine_workers(capsys):
    """`fastcode run lagrange --byzantine 2` on local workers: exact results, and the two
    adversaries located and reported (JSON document).  K = 2 on 7 workers makes the
    recovery threshold (K - 1) * 2 + 2A + 1 = 7 every worker, so both adversaries answer
    every round: with a straggler to spare, one of them could be the one left out of
    both rounds and never be located (seen under load)."""
    import json

    from fastcode.cli import main
    status = main(["run", "lagrange", "--workers", "7", "--K", "2", "--byzantine", "2",
                   "--rounds", "2", "--rows", "32", "--cols", "8", "--backend", "thread",
                   "--json"])
    summary = json.loads(capsys.readouterr().out)["results"][0]
    assert status == 0
    assert summary["wrong_rounds"] == 0 and summary["failed_rounds"] == 0
    assert len(summary["byzantine_workers"]) == 2
    assert summary["adversaries_located"] == summary["byzantine_workers"]
