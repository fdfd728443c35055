"""Polynomial codes, MatDot, OrthoMatDot, OrthoPoly (fastcode.codes.polynomial)."""
import itertools

import numpy as np
import pytest

from fastcode import PrimeField, Reals
from fastcode.fields.prime.ntt import fast_path_ok, inverse_ntt
from fastcode.codes.polynomial import (
    MatDot,
    OrthoMatDot,
    OrthoPolyCode,
    PolynomialCode,
    default_points,
    worker_product,
)
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode.reference import prime as ref

F = PrimeField(65537)


def _results(code, A, B):
    return [worker_product(t) for t in code.encode(A, B)]


def _blocks_AtB(A, B, ka, kb):
    """A_a^T B_b mod p for every (a, b), computed directly."""
    s, r = A.shape
    t = B.shape[1]
    rb, tb = r // ka, t // kb
    return {(a, b): F.matmul(np.ascontiguousarray(A[:, a * rb:(a + 1) * rb].T), B[:, b * tb:(b + 1) * tb])
            for a in range(ka) for b in range(kb)}


# ---- the reference setting of spec 03 §7 ------------------------------------------------------

def test_reference_points():
    code = PolynomialCode(17, 4, 4, F)
    want = [pow(64, j, 65537) for j in range(16)] + [3]
    assert code.points.tolist() == want
    assert code.ntt_available and code.recovery_threshold == 16


@pytest.mark.parametrize("method", ["ntt", "inverse", "solve"])
def test_reference_every_single_straggler(method):
    """GF(65537), N = 17, k_A = k_B = 4, points 64^j and 3, 8-bit data: every
    A_a^T B_b mod p is recovered whichever worker straggles."""
    rng = np.random.default_rng(0)
    A = rng.integers(0, 256, (40, 16)).astype(np.uint32)
    B = rng.integers(0, 256, (40, 12)).astype(np.uint32)
    code = PolynomialCode(17, 4, 4, F, points=[pow(64, j, 65537) for j in range(16)] + [3])
    R = _results(code, A, B)
    blocks = _blocks_AtB(A, B, 4, 4)
    for straggler in range(17):
        ws = [j for j in range(17) if j != straggler]
        C = code.decode([R[j] for j in ws], ws, method=method)
        for (a, b), blk in blocks.items():
            assert np.array_equal(C[a * 4:(a + 1) * 4, b * 3:(b + 1) * 3], blk), (straggler, a, b)


def test_reference_is_the_product_mod_p_not_the_integer_product():
    # 4000 * 255^2 > 65537: the demo's product is mod p (spec 03 §7 finite-field note)
    rng = np.random.default_rng(1)
    A = rng.integers(0, 256, (400, 8)).astype(np.uint32)
    B = rng.integers(0, 256, (400, 8)).astype(np.uint32)
    code = PolynomialCode(17, 4, 4, F)
    ws = list(range(1, 17))
    C = code.decode([_results(code, A, B)[j] for j in ws], ws)
    exact = A.astype(np.int64).T @ B.astype(np.int64)
    assert np.array_equal(C, exact % 65537) and exact.max() >= 65537


# ---- NTT helper ----------------------------------------------------------------------------------

@pytest.mark.parametrize("K", [1, 2, 4, 8, 16, 64])
def test_inverse_ntt_matches_field_intt(K):
    rng = np.random.default_rng(K)
    Y = F.random((K, 20001), rng)          # more than one chunk, ragged tail
    w = F.root_of_unity(K)
    assert np.array_equal(inverse_ntt(F, Y, w), F.intt(Y, axis=0, root=w))
    # one implementation serves both: check it against the O(K^2) definition too
    cols = Y[:, ::997]
    want = ref.mul(ref.dft(cols, pow(w, -1, F.p), F.p), pow(K, -1, F.p), F.p)
    assert np.array_equal(inverse_ntt(F, cols, w), want)


def test_inverse_ntt_extremes_and_fallback():
    K = 16
    Y = np.full((K, 100), 65536, dtype=np.uint32)           # largest values
    w = F.root_of_unity(K)
    assert np.array_equal(inverse_ntt(F, Y, w), F.intt(Y, axis=0, root=w))
    big = PrimeField(2013265921)                              # 15 * 2^27 + 1: beyond the float path
    assert not fast_path_ok(big.p, K)
    Z = big.random((K, 50), 0)
    wb = big.root_of_unity(K)
    assert np.array_equal(inverse_ntt(big, Z, wb), big.intt(Z, axis=0, root=wb))
    want = ref.mul(ref.dft(Z, pow(wb, -1, big.p), big.p), pow(K, -1, big.p), big.p)
    assert np.array_equal(inverse_ntt(big, Z, wb), want)


# ---- every responder set at small n ----------------------------------------------------------------

def test_polynomial_code_all_sets_several_roots_missing():
    """n = 8, K = 4: four roots of unity and four other points; the NTT path
    interpolates up to four missing roots."""
    code = PolynomialCode(8, 2, 2, F)
    assert code.ntt_available
    rng = np.random.default_rng(2)
    A, B = F.random((6, 4), rng), F.random((6, 6), rng)
    want = F.matmul(np.ascontiguousarray(A.T), B)
    R = _results(code, A, B)
    for S in itertools.combinations(range(8), 4):
        for method in ("ntt", "inverse", "solve"):
            assert np.array_equal(code.decode([R[j] for j in S], list(S), method=method), want)


def test_polynomial_code_generic_points_all_sets():
    code = PolynomialCode(6, 2, 2, PrimeField(101), points=[2, 3, 5, 7, 11, 13])
    assert not code.ntt_available
    G = PrimeField(101)
    rng = np.random.default_rng(3)
    A, B = G.random((5, 4), rng), G.random((5, 2), rng)
    want = G.matmul(np.ascontiguousarray(A.T), B)
    R = _results(code, A, B)
    for S in itertools.permutations(range(6), 4):
        assert np.array_equal(code.decode([R[j] for j in S], list(S)), want)
    with pytest.raises(InvalidArgumentError):
        code.decode([R[j] for j in range(4)], [0, 1, 2, 3], method="ntt")


def test_matdot_all_sets_exact():
    code = MatDot(6, 3, F)
    assert code.recovery_threshold == 5
    rng = np.random.default_rng(4)
    A, B = F.random((4, 9), rng), F.random((9, 5), rng)
    want = F.matmul(A, B)
    R = _results(code, A, B)
    for S in itertools.permutations(range(6), 5):
        assert np.array_equal(code.decode([R[j] for j in S], list(S)), want)


# ---- reals ------------------------------------------------------------------------------------------

def test_orthomatdot_all_sets():
    # spec 03 §8.2: m = 4, n = 12, error <= 1e-11 on all C(12, 7) responder sets
    code = OrthoMatDot(12, 4)
    rng = np.random.default_rng(5)
    A, B = rng.standard_normal((6, 8)), rng.standard_normal((8, 5))
    want = A @ B
    R = _results(code, A, B)
    worst = max(np.abs(code.decode([R[j] for j in S], list(S)) - want).max() / np.abs(want).max()
                for S in itertools.combinations(range(12), 7))
    assert worst < 1e-11
    assert code.worst_condition_number() == pytest.approx(1.7e4, rel=0.1)


def test_matdot_reals_chebyshev_points():
    code = MatDot(9, 3, Reals)                  # monomials at Chebyshev nodes (spec §8.1)
    rng = np.random.default_rng(6)
    A, B = rng.standard_normal((5, 6)), rng.standard_normal((6, 4))
    R = _results(code, A, B)
    for S in itertools.combinations(range(9), 5):
        assert np.allclose(code.decode([R[j] for j in S], list(S)), A @ B, rtol=0, atol=1e-12)


def test_orthopoly_all_sets_and_triangular_matrix():
    code = OrthoPolyCode(14, 3, 4)
    M = code._chebyshev_product_matrix()
    assert np.allclose(M, np.triu(M))
    diag = [1.0 if (l % 3 == 0 or l < 3) else 0.5 for l in range(12)]   # a = 0 or b = 0 -> 1
    assert np.allclose(np.diag(M), diag)
    rng = np.random.default_rng(7)
    A, B = rng.standard_normal((7, 9)), rng.standard_normal((7, 8))
    want = A.T @ B
    R = _results(code, A, B)
    for S in itertools.combinations(range(14), 12):
        assert np.abs(code.decode([R[j] for j in S], list(S)) - want).max() < 1e-10


def test_default_points():
    assert np.allclose(default_points(Reals, 5, 3), np.cos((2 * np.arange(5) + 1) * np.pi / 10))
    pts = default_points(F, 20, 16)
    assert len(set(pts.tolist())) == 20
    assert all(pow(int(x), 16, 65537) != 1 for x in pts[16:])


# ---- bad inputs ---------------------------------------------------------------------------------------

def test_bad_inputs():
    code = PolynomialCode(6, 2, 2, F)
    rng = np.random.default_rng(8)
    A, B = F.random((4, 4), rng), F.random((4, 6), rng)
    R = _results(code, A, B)
    with pytest.raises(InvalidArgumentError):
        PolynomialCode(3, 2, 2, F)                                  # threshold 4 > n = 3
    with pytest.raises(InvalidArgumentError):
        MatDot(4, 3, F)                                             # threshold 5 > 4
    with pytest.raises(InvalidArgumentError):
        PolynomialCode(6, 2, 2, F, basis="chebyshev")               # Chebyshev basis is real
    with pytest.raises(ShardSizeError):
        code.encode(A, F.random((5, 6), rng))                       # row counts differ
    with pytest.raises(ShardSizeError):
        code.encode(F.random((4, 3), rng), B)                       # 3 columns, k_a = 2
    with pytest.raises(NotEnoughShardsError):
        code.decode(R[:3], [0, 1, 2])                               # too few results
    with pytest.raises(InvalidArgumentError):
        code.decode(R[:4], [0, 1, 1, 2])                            # duplicate ids
    with pytest.raises(InvalidArgumentError):
        code.decode(R[:4], [0, 1, 2, 9])                            # unknown worker
    with pytest.raises(ShardSizeError):
        code.decode([R[0], R[1], R[2], R[3][:1]], [0, 1, 2, 3])     # mismatched shapes
    with pytest.raises(ShardSizeError):
        code.decode(R[:4], [0, 1, 2, 3, 4])                         # results/workers differ
    with pytest.raises(InvalidArgumentError):
        code.decode(R[:4], [0, 1, 2, 3], method="fast")
    with pytest.raises(ShardSizeError):
        MatDot(6, 2, F).encode(F.random((3, 5), rng), F.random((5, 2), rng))   # m does not divide 5
