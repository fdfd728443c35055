"""Small dense linear algebra over GF(2^8): inv_matrix, solve, rank, det against
the NumPy reference and against matrices whose inverse/rank/determinant is known
by construction."""
import numpy as np
import pytest

import fastcode
from fastcode import GF256 as F
from fastcode.errors import FastcodeError, SingularMatrixError
from fastcode.reference import gf256 as ref

MUL = ref.MUL  # checked exhaustively against an independent clmul in test_gf256_field.py


@pytest.fixture(params=fastcode.available_simd_levels())
def simd(request):
    """Linalg row operations use the active region kernels: run at every level."""
    prev = fastcode.simd_level()
    fastcode.set_simd_level(request.param)
    yield request.param
    fastcode.set_simd_level(prev)


# ---- constructions ----------------------------------------------------------------------

def mat_mul(A, B):
    """A @ B over GF(2^8) from the product table (independent of the kernels)."""
    A = np.asarray(A, np.uint8)
    B = np.asarray(B, np.uint8)
    out = np.zeros((A.shape[0], B.shape[1]), np.uint8)
    for j in range(A.shape[1]):
        out ^= MUL[A[:, j][:, None], B[j][None, :]]
    return out


def gf_prod(values):
    d = 1
    for v in values:
        d = int(MUL[d, int(v)])
    return d


def invertible(n, rng):
    """(A, det A): A = P L U with P a permutation, L unit lower triangular and U upper
    triangular with a non-zero diagonal, so det A = prod(diag U) (no signs in char 2)."""
    L = np.tril(rng.integers(0, 256, (n, n), dtype=np.uint8), -1) + np.eye(n, dtype=np.uint8)
    U = np.triu(rng.integers(0, 256, (n, n), dtype=np.uint8), 1)
    diag = rng.integers(1, 256, n, dtype=np.uint8)
    U[np.arange(n), np.arange(n)] = diag
    P = np.eye(n, dtype=np.uint8)[rng.permutation(n)]
    return mat_mul(P, mat_mul(L, U)), gf_prod(diag)


def of_rank(m, n, r, rng):
    """An m x n matrix of rank exactly r: P [I_r 0; 0 0] Q with P, Q invertible."""
    D = np.zeros((m, n), np.uint8)
    D[np.arange(r), np.arange(r)] = 1
    return mat_mul(mat_mul(invertible(m, rng)[0], D), invertible(n, rng)[0])


def eye(n):
    return np.eye(n, dtype=np.uint8)


# ---- inverse ------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 16, 17, 33, 64, 100, 255])
def test_inverse_random_invertible(n, rng):
    A, d = invertible(n, rng)
    A0 = A.copy()
    inv = F.inv_matrix(A)
    assert inv.dtype == np.uint8 and inv.shape == (n, n)
    np.testing.assert_array_equal(A, A0)  # input untouched
    np.testing.assert_array_equal(F.matmul(A, inv), eye(n))
    np.testing.assert_array_equal(F.matmul(inv, A), eye(n))
    np.testing.assert_array_equal(mat_mul(A, inv), eye(n))
    np.testing.assert_array_equal(inv, ref.inv_matrix(A))
    np.testing.assert_array_equal(F.inv_matrix(inv), A)
    assert F.det(A) == d == ref.det(A)
    assert F.det(inv) == int(ref.INV[d])
    assert F.rank(A) == n


@pytest.mark.parametrize("n", [2, 6, 40, 255])
def test_inverse_at_every_simd_level(simd, n, rng):
    A, d = invertible(n, rng)
    inv = F.inv_matrix(A)
    np.testing.assert_array_equal(mat_mul(A, inv), eye(n))
    assert F.det(A) == d
    assert F.rank(A) == n
    S = of_rank(n, n, n - 1, rng)
    assert F.rank(S) == n - 1 and F.det(S) == 0
    with pytest.raises(SingularMatrixError):
        F.inv_matrix(S)


def test_inverse_of_uniform_random_matrices(rng):
    # uniformly random: almost always invertible; compare with the reference either way
    for n in (3, 10, 30):
        for _ in range(5):
            A = F.random((n, n), rng)
            try:
                want = ref.inv_matrix(A)
            except SingularMatrixError:
                with pytest.raises(SingularMatrixError):
                    F.inv_matrix(A)
                continue
            np.testing.assert_array_equal(F.inv_matrix(A), want)


def test_inverse_special_matrices(rng):
    np.testing.assert_array_equal(F.inv_matrix(eye(9)), eye(9))
    P = eye(9)[rng.permutation(9)]
    np.testing.assert_array_equal(F.inv_matrix(P), P.T)
    D = np.diag(np.arange(1, 10, dtype=np.uint8))
    np.testing.assert_array_equal(F.inv_matrix(D), np.diag(ref.INV[np.arange(1, 10)]))
    # a matrix that needs a row swap at the first pivot
    A = np.array([[0, 1], [1, 0]], np.uint8)
    np.testing.assert_array_equal(F.inv_matrix(A), A)
    # Cauchy matrix 1/(x_i + y_j) with distinct x, y: always invertible
    x = np.arange(0, 20, dtype=np.uint8)
    y = np.arange(20, 40, dtype=np.uint8)
    C = ref.INV[x[:, None] ^ y[None, :]]
    np.testing.assert_array_equal(mat_mul(C, F.inv_matrix(C)), eye(20))


@pytest.mark.parametrize("a", range(256))
def test_inverse_1x1(a):
    m = np.array([[a]], np.uint8)
    assert F.det(m) == a
    assert F.rank(m) == (a != 0)
    if a == 0:
        with pytest.raises(SingularMatrixError):
            F.inv_matrix(m)
    else:
        assert int(F.inv_matrix(m)[0, 0]) == int(ref.INV[a])
        assert int(MUL[a, F.inv_matrix(m)[0, 0]]) == 1


def test_empty_matrix():
    Z = np.zeros((0, 0), np.uint8)
    assert F.inv_matrix(Z).shape == (0, 0)
    assert F.det(Z) == 1  # empty product
    assert F.rank(Z) == 0
    assert F.solve(Z, np.zeros(0, np.uint8)).shape == (0,)
    assert F.solve(Z, np.zeros((0, 3), np.uint8)).shape == (0, 3)
    assert F.rank(np.zeros((0, 5), np.uint8)) == 0
    assert F.rank(np.zeros((5, 0), np.uint8)) == 0


# ---- singular ---------------------------------------------------------------------------

def _singular_cases(n, rng):
    A, _ = invertible(n, rng)
    cases = {"zero": np.zeros((n, n), np.uint8)}
    if n >= 2:
        dup = A.copy()
        dup[-1] = dup[0]
        cases["duplicate-row"] = dup
        comb = A.copy()  # last row = c * row0 (+ row1 when that is another row)
        comb[-1] = MUL[int(rng.integers(1, 256))][A[0]] ^ (A[1] if n >= 3 else 0)
        cases["combination-row"] = comb
        zc = A.copy()
        zc[:, int(rng.integers(n))] = 0
        cases["zero-column"] = zc
        zr = A.copy()
        zr[int(rng.integers(n))] = 0
        cases["zero-row"] = zr
        cases["rank-1"] = of_rank(n, n, 1, rng)
        cases["rank-n-1"] = of_rank(n, n, n - 1, rng)
        cases["scaled-column"] = A.copy()
        cases["scaled-column"][:, -1] = MUL[int(rng.integers(1, 256))][A[:, 0]]
    return cases


@pytest.mark.parametrize("n", [1, 2, 3, 8, 20, 64, 255])
def test_singular_matrices(n, rng):
    for name, S in _singular_cases(n, rng).items():
        S0 = S.copy()
        with pytest.raises(SingularMatrixError):
            F.inv_matrix(S)
        with pytest.raises(SingularMatrixError):
            F.solve(S, np.ones(n, np.uint8))
        with pytest.raises(SingularMatrixError):
            F.solve(S, np.ones((n, 3), np.uint8))
        with pytest.raises(SingularMatrixError):
            F.solve(S, np.ones((n, 0), np.uint8))
        assert F.det(S) == 0, name
        rank = F.rank(S)
        assert rank < n, name
        if name == "rank-1":
            assert rank == 1
        if name in ("rank-n-1", "duplicate-row", "combination-row", "zero-row",
                    "zero-column", "scaled-column"):
            assert rank == n - 1, name  # one dependency added to an invertible matrix
        if name == "zero":
            assert rank == 0
        if n <= 64:  # the reference is a Python loop: keep the big case fast
            assert ref.det(S) == 0 and ref.rank(S) == rank, name
        np.testing.assert_array_equal(S, S0)


def test_singular_error_is_linalg_error():
    S = np.zeros((3, 3), np.uint8)
    with pytest.raises(np.linalg.LinAlgError):
        F.inv_matrix(S)
    with pytest.raises(FastcodeError):
        F.solve(S, np.zeros(3, np.uint8))
    try:
        F.inv_matrix(S)
    except SingularMatrixError as exc:
        assert "singular" in str(exc).lower()


# ---- rank -------------------------------------------------------------------------------

@pytest.mark.parametrize("m,n", [(1, 1), (1, 7), (7, 1), (3, 7), (7, 3), (10, 10), (50, 20),
                                 (20, 50), (100, 100), (255, 255), (255, 40)])
def test_rank_constructed(m, n, rng):
    for r in sorted({0, 1, min(m, n) // 2, min(m, n) - 1, min(m, n)}):
        if r < 0:
            continue
        M = of_rank(m, n, r, rng)
        assert F.rank(M) == r, (m, n, r)
        assert F.rank(M.T) == r
        if m * n <= 10_000:
            assert ref.rank(M) == r


@pytest.mark.parametrize("m,n", [(4, 9), (9, 4), (30, 30), (60, 25)])
def test_rank_random_vs_reference(m, n, rng):
    for density in (1.0, 0.3, 0.05):
        M = F.random((m, n), rng)
        M[rng.random((m, n)) > density] = 0
        assert F.rank(M) == ref.rank(M)


def test_rank_noncontiguous_input(rng):
    M = of_rank(12, 20, 7, rng)
    assert F.rank(np.asfortranarray(M)) == 7
    big = np.zeros((12, 40), np.uint8)
    big[:, ::2] = M
    assert F.rank(big[:, ::2]) == 7
    assert F.rank(M.T) == 7


# ---- determinant ------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 50, 255])
def test_det(n, rng):
    A, d = invertible(n, rng)
    B, e = invertible(n, rng)
    assert F.det(A) == d
    assert F.det(mat_mul(A, B)) == int(MUL[d, e])  # multiplicative
    assert F.det(A.T) == d
    # triangular: product of the diagonal
    T = np.triu(F.random((n, n), rng))
    assert F.det(T) == gf_prod(np.diag(T))
    # scaling one row scales the determinant
    c = int(rng.integers(1, 256))
    A2 = A.copy()
    A2[0] = MUL[c][A2[0]]
    assert F.det(A2) == int(MUL[c, d])
    if n <= 50:
        for _ in range(3):
            R = F.random((n, n), rng)
            assert F.det(R) == ref.det(R)


def test_det_2x2_formula(rng):
    # det [[a, b], [c, d]] = ad + bc in characteristic 2
    M = rng.integers(0, 256, (500, 2, 2), dtype=np.uint8)
    for a, b, c, d in M.reshape(-1, 4):
        assert F.det(np.array([[a, b], [c, d]], np.uint8)) == int(MUL[a, d] ^ MUL[b, c])


# ---- solve ----------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 5, 16, 64, 255])
def test_solve_vector_and_matrix(n, rng):
    A, _ = invertible(n, rng)
    A0 = A.copy()
    b = F.random(n, rng)
    x = F.solve(A, b)
    assert x.shape == (n,) and x.dtype == np.uint8
    np.testing.assert_array_equal(mat_mul(A, x[:, None])[:, 0], b)
    np.testing.assert_array_equal(F.matmul(A, x), b)
    for m in (1, 3, n + 5):
        B = F.random((n, m), rng)
        B0 = B.copy()
        X = F.solve(A, B)
        assert X.shape == (n, m) and X.dtype == np.uint8
        np.testing.assert_array_equal(mat_mul(A, X), B)
        np.testing.assert_array_equal(X, mat_mul(F.inv_matrix(A), B))
        if n <= 64:
            np.testing.assert_array_equal(X, ref.solve(A, B))
        np.testing.assert_array_equal(B, B0)
    assert F.solve(A, np.zeros((n, 0), np.uint8)).shape == (n, 0)
    np.testing.assert_array_equal(A, A0)


def test_solve_identity_and_lists(rng):
    B = F.random((6, 4), rng)
    np.testing.assert_array_equal(F.solve(eye(6), B), B)
    A, _ = invertible(3, rng)
    x = F.solve(A.tolist(), [1, 2, 3])
    np.testing.assert_array_equal(mat_mul(A, x[:, None])[:, 0], [1, 2, 3])


def test_solve_noncontiguous_inputs(rng):
    A, _ = invertible(8, rng)
    B = F.random((8, 10), rng)
    want = F.solve(A, B)
    np.testing.assert_array_equal(F.solve(np.asfortranarray(A), np.asfortranarray(B)), want)
    big = np.zeros((8, 20), np.uint8)
    big[:, ::2] = B
    np.testing.assert_array_equal(F.solve(A, big[:, ::2]), want)
    np.testing.assert_array_equal(F.solve(A, big[:, ::2][:, 3]), want[:, 3])
    np.testing.assert_array_equal(F.solve(np.ascontiguousarray(A.T).T, B), want)
