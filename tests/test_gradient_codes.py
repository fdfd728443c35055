"""Exact gradient codes: every straggler pattern, the spec's toy examples, FRC group
rule, caching, bad inputs (docs/schemes/02-gradient-coding.md §2-§5, §8)."""
import itertools
import threading

import numpy as np
import pytest

from fastcode import GF256, PrimeField, Reals
from fastcode.codes import (CommEfficient, CyclicMDS, CyclicRepetition, FractionalRepetition,
                            GradientCode)
from fastcode.errors import (FieldValueError, InvalidArgumentError, NotEnoughShardsError,
                             ShardSizeError)

F65537 = PrimeField(65537)


def _sum(field, G):
    if field is Reals:
        return G.sum(axis=0)
    if field is GF256:
        return np.bitwise_xor.reduce(G, axis=0)
    return (G.astype(np.uint64).sum(axis=0) % field.p).astype(np.uint32)


def _gradients(field, N, d, rng):
    return rng.standard_normal((N, d)) if field is Reals else field.random((N, d), rng)


def _check_all_patterns(code, rng, d=5):
    G = _gradients(code.field, code.N, d, rng)
    Y = code.encode_all(G)
    want = _sum(code.field, G)
    k = code.n - code.s
    for F in itertools.combinations(range(code.n), k):
        order = list(rng.permutation(F))              # any arrival order
        got = code.decode(Y[order], order)[:d]
        if code.field is Reals:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg=str(order))
        else:
            np.testing.assert_array_equal(got, want, err_msg=str(order))
    return Y


@pytest.mark.parametrize("field", [Reals, F65537, GF256], ids=str)
@pytest.mark.parametrize("n,s", [(6, 1), (6, 2), (8, 3), (4, 0)])
def test_frc_every_pattern(field, n, s, rng):
    _check_all_patterns(FractionalRepetition(n, s, field=field), rng)


@pytest.mark.parametrize("n,s", [(6, 1), (6, 2), (10, 4), (7, 3), (5, 0), (4, 3)])
def test_crc_reals_every_pattern(n, s, rng):
    code = CyclicRepetition(n, s, rng=rng, draws=3)
    _check_all_patterns(code, rng)
    # support: row i on (i..i+s) mod n, every row and column has s + 1 non-zeros
    assert np.array_equal(code.B != 0, code.assignment.astype(bool))
    assert np.all((code.B != 0).sum(axis=0) == s + 1) and np.all((code.B != 0).sum(axis=1) == s + 1)
    assert np.all(np.diag(code.B) == 1)


@pytest.mark.parametrize("n,s", [(4, 1), (8, 3), (7, 2)])
def test_crc_prime_every_pattern(n, s, rng):
    _check_all_patterns(CyclicRepetition(n, s, field=F65537, rng=rng), rng)


def test_crc_best_of_draws_is_no_worse_than_one_draw():
    one = CyclicRepetition(7, 3, rng=np.random.default_rng(5), draws=1)
    many = CyclicRepetition(7, 3, rng=np.random.default_rng(5), draws=10)
    assert many.condition_report.worst <= one.condition_report.worst
    assert many.worst_condition_number() == pytest.approx(many.condition_report.worst)


@pytest.mark.parametrize("n,s", [(6, 1), (7, 2), (8, 3), (9, 4), (12, 5), (5, 0)])
def test_cyclic_mds_reals_every_pattern(n, s, rng):
    code = CyclicMDS(n, s)
    _check_all_patterns(code, rng)
    assert np.count_nonzero(code.generator) == s + 1


@pytest.mark.parametrize("n,s", [(4, 1), (8, 3), (16, 5)])
def test_cyclic_mds_prime_every_pattern(n, s, rng):
    _check_all_patterns(CyclicMDS(n, s, field=F65537), rng)


@pytest.mark.parametrize("n,s,kappa", [(6, 1, 3.7), (7, 2, 9.5), (10, 3, 42), (11, 4, 93)])
def test_cyclic_mds_condition_numbers_match_spec(n, s, kappa):
    assert CyclicMDS(n, s).worst_condition_number() == pytest.approx(kappa, rel=0.06)


def test_cyclic_mds_rejects_bad_parameters():
    with pytest.raises(InvalidArgumentError, match="n - s odd"):
        CyclicMDS(6, 2)
    with pytest.raises(FieldValueError):
        CyclicMDS(6, 1, field=F65537)                 # 6 does not divide 65536
    with pytest.raises(InvalidArgumentError):
        CyclicMDS(4, 4)


@pytest.mark.parametrize("field", [Reals, F65537], ids=str)
@pytest.mark.parametrize("n,s,m,c", [(7, 2, 2, 4), (7, 2, 2, 5), (8, 2, 3, 5), (6, 0, 2, 2),
                                     (5, 1, 1, 2), (3, 0, 2, 2)])
def test_comm_efficient_every_pattern(field, n, s, m, c, rng):
    code = CommEfficient(n, s, m, c=c, field=field)
    assert code.upload_fraction == pytest.approx(1 / m)
    assert code.load == pytest.approx(c / n)
    # d not a multiple of m: zero padding, decode returns m * ceil(d / m) entries
    Y = _check_all_patterns(code, rng, d=7)
    assert Y.shape == (n, -(-7 // m))
    # entries outside the support are exactly zero
    for u in range(m):
        assert np.all(code.blocks[u][code.assignment == 0] == 0)


def test_comm_efficient_checked_instance_accuracy(rng):
    """Spec §8.2: n=7, s=2, m=2, c=4, Chebyshev points, block length 5: error ~ 3e-14."""
    code = CommEfficient(7, 2, 2, c=4)
    G = rng.standard_normal((7, 10))
    Y = code.encode_all(G)
    worst = max(np.abs(code.decode(Y[list(F)], F) - G.sum(0)).max()
                for F in itertools.combinations(range(7), 5))
    assert worst < 1e-12


def test_comm_efficient_rejects_c_below_s_plus_m():
    with pytest.raises(InvalidArgumentError, match="s \\+ m"):
        CommEfficient(7, 2, 2, c=3)


# ---- the spec's toy examples ----------------------------------------------------------------

TOY_B = np.array([[0.5, 1, 0], [0, 1, -1], [0.5, 0, 1]])
TOY_A = {(0, 1): (2, -1), (0, 2): (1, 1), (1, 2): (1, 2)}


def test_tandon_toy_example_reals():
    code = GradientCode(TOY_B, s=1)
    for F, a in TOY_A.items():
        np.testing.assert_allclose(code.decode_weights(list(F)), a, atol=1e-12)
        np.testing.assert_allclose(code.decode_weights(list(F)[::-1]), a[::-1], atol=1e-12)
    with pytest.raises(NotEnoughShardsError):
        code.decode_weights([2])


def test_tandon_toy_example_prime():
    p = F65537.p
    half = pow(2, -1, p)
    B = np.array([[half, 1, 0], [0, 1, p - 1], [half, 0, 1]], dtype=np.uint32)
    code = GradientCode(B, field=F65537, s=1)
    for F, a in TOY_A.items():
        want = np.array([x % p for x in a], dtype=np.uint32)
        np.testing.assert_array_equal(code.decode_weights(list(F)), want)


def test_tiny_m2_example():
    """Spec §8.3: n=3, s=0, m=2; f0 = g0[0] + g1[0] - g1[1], f1 = g2[0] + g1[1],
    f2 = g2[1] + g0[1] - g2[0]; f0 + f1 and f1 + f2 are the block sums."""
    B0 = np.array([[1, 1, 0], [0, 0, 1], [0, 0, -1]], dtype=float)
    B1 = np.array([[0, -1, 0], [0, 1, 0], [1, 0, 1]], dtype=float)
    A = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]])
    code = GradientCode(np.stack([B0, B1]), A, s=0)
    np.testing.assert_allclose(code.decode_weights([0, 1, 2]), [[1, 1, 0], [0, 1, 1]], atol=1e-12)
    rng = np.random.default_rng(0)
    G = rng.standard_normal((3, 8))
    Y = np.stack([code.encode(G[code.parts(i)], i) for i in range(3)])
    np.testing.assert_allclose(Y, code.encode_all(G))
    np.testing.assert_allclose(code.decode(Y, [0, 1, 2]), G.sum(0))


def test_support_outside_assignment_is_rejected():
    with pytest.raises(InvalidArgumentError, match="support"):
        GradientCode(TOY_B, np.eye(3), s=1)


# ---- FRC group rule -----------------------------------------------------------------------

def test_frc_first_response_per_group_and_early_finish(rng):
    code = FractionalRepetition(6, 2)            # groups {0,1,2}, {3,4,5}
    G = rng.standard_normal((6, 4))
    Y = code.encode_all(G)
    order = [4, 1, 5, 0]
    np.testing.assert_array_equal(code.decode_weights(order), [1, 1, 0, 0])
    np.testing.assert_array_equal(code.decode_weights([1, 4]), [1, 1])
    assert code.can_decode([4, 1]) and not code.can_decode([0, 1, 2])
    # two responders (< n - s = 4) suffice when they cover both groups
    np.testing.assert_allclose(code.decode(Y[[4, 1]], [4, 1]), G.sum(0))
    with pytest.raises(NotEnoughShardsError, match="group 1"):
        code.decode_weights([0, 1, 2])
    assert code.worst_condition_number() == 1.0
    with pytest.raises(InvalidArgumentError):
        FractionalRepetition(6, 3)


def test_frc_reads_one_vector_per_group(rng):
    """Rows with zero weight are not read: NaNs in them do not leak into the sum."""
    code = FractionalRepetition(4, 1)
    G = rng.standard_normal((4, 3))
    Y = code.encode_all(G)
    Y[1] = np.nan
    Y[3] = np.nan
    np.testing.assert_allclose(code.decode(Y, [0, 1, 2, 3]), G.sum(0))


# ---- caching --------------------------------------------------------------------------------

def test_weights_cached_and_permuted(rng):
    code = CyclicRepetition(9, 3, rng=rng, draws=2)
    F = [8, 0, 3, 5, 1, 7]
    w1 = code.decode_weights(F)
    hits = code._cache.hits
    perm = rng.permutation(len(F))
    w2 = code.decode_weights([F[i] for i in perm])
    assert code._cache.hits == hits + 1
    np.testing.assert_array_equal(w2, w1[perm])
    w1c = w1.copy()
    w1[0] = 123.0                     # the caller's copy, not the cache entry
    np.testing.assert_array_equal(code.decode_weights(F), w1c)


def test_weight_cache_threads(rng):
    code = CyclicRepetition(12, 3, rng=rng, draws=1)
    sets = [sorted(rng.permutation(12)[:9].tolist()) for _ in range(40)]
    ref = {}
    for F in sets:
        code._cache.clear()
        ref[tuple(F)] = code.decode_weights(F).copy()
    code._cache.clear()
    code._cache.maxsize = 8           # force evictions while threads race
    errors = []

    def work(seed):
        r = np.random.default_rng(seed)
        for _ in range(200):
            F = sets[r.integers(len(sets))]
            if not np.allclose(code.decode_weights(F), ref[tuple(F)], rtol=1e-12, atol=1e-12):
                errors.append(F)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(code._cache) <= 8


# ---- bad inputs ---------------------------------------------------------------------------

@pytest.fixture
def crc():
    return CyclicRepetition(6, 2, rng=0, draws=1)


def test_too_few_responders(crc):
    with pytest.raises(NotEnoughShardsError, match="at least 4"):
        crc.decode_weights([0, 1, 2])
    with pytest.raises(NotEnoughShardsError):
        crc.decode(np.zeros((3, 4)), [0, 1, 2])


@pytest.mark.parametrize("bad", [[0, 1, 2, 2], [0, 1, 2, 6], [-1, 0, 1, 2], [0, 1, 2, 3.5],
                                 np.array([0, 1, 2, 2]), [[0, 1], [2, 3]], ["a", 1, 2, 3]])
def test_bad_responder_ids(crc, bad):
    with pytest.raises(InvalidArgumentError) as exc:
        crc.decode_weights(bad)
    assert isinstance(exc.value, ValueError)


def test_wrong_vector_lengths(crc, rng):
    Y = crc.encode_all(rng.standard_normal((6, 5)))
    F = [0, 1, 2, 3]
    with pytest.raises(ShardSizeError):
        crc.decode(Y[:3], F)                                     # 3 rows for 4 responders
    with pytest.raises(ShardSizeError, match="length"):
        crc.decode([Y[0], Y[1], Y[2], Y[3][:4]], F)              # ragged list
    with pytest.raises(ShardSizeError):
        crc.decode(Y[:4], F, out=np.empty(4))                    # out too short
    with pytest.raises(ShardSizeError):
        crc.encode(rng.standard_normal((2, 5)), 0)               # worker 0 holds 3 parts
    with pytest.raises(ShardSizeError):
        crc.encode_all(rng.standard_normal((5, 5)))
    with pytest.raises(InvalidArgumentError):
        crc.encode(rng.standard_normal((3, 5)), 6)


def test_encode_matches_encode_all(rng):
    for code in (CyclicRepetition(7, 2, rng=rng, draws=1), CommEfficient(7, 2, 2),
                 FractionalRepetition(6, 1, field=GF256)):
        G = _gradients(code.field, code.N, 9, rng)
        Y = code.encode_all(G)
        for i in range(code.n):
            np.testing.assert_allclose(code.encode(G[code.parts(i)], i), Y[i], rtol=1e-12)


@pytest.mark.parametrize("make", [lambda: CyclicRepetition(8, 3, rng=0, draws=1),
                                  lambda: CyclicMDS(7, 2), lambda: CommEfficient(7, 2, 2),
                                  lambda: CyclicRepetition(8, 3, field=F65537, rng=0)])
def test_more_than_n_minus_s_responders(make, rng):
    code = make()
    G = _gradients(code.field, code.N, 6, rng)
    Y = code.encode_all(G)
    for F in ([*range(code.n)], [0, 2, 3, 4, 5, 6, 1][:code.n - 1]):
        got = code.decode(Y[F], F)[:6]
        if code.field is Reals:
            np.testing.assert_allclose(got, G.sum(0), atol=1e-9)
        else:
            np.testing.assert_array_equal(got, _sum(code.field, G))


def test_fields_without_a_solver_are_refused_clearly():
    """Codes ask the field for a solver, not for its class: GF256 has none, so the
    solving codes refuse it up front and a wrapped GF256 code cannot decode."""
    for make in (lambda: CyclicRepetition(6, 2, field=GF256, rng=0), lambda: CyclicMDS(5, 2, field=GF256),
                 lambda: CommEfficient(6, 2, 2, field=GF256)):
        with pytest.raises(InvalidArgumentError, match="solving linear systems"):
            make()
    with pytest.raises(InvalidArgumentError, match="fastcode field"):
        GradientCode(np.eye(3), field="reals")
    code = GradientCode(np.ones((1, 2, 2), dtype=np.uint8), field=GF256, s=0)
    with pytest.raises(FieldValueError, match="solve_consistent"):
        code.decode_weights([0, 1])
