"""Hypothesis property tests of GF(2^8) matmul and linear algebra (bounded examples)."""
import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import fastcode  # noqa: E402
from fastcode import GF256 as F  # noqa: E402
from fastcode.errors import SingularMatrixError  # noqa: E402
from fastcode.reference import gf256 as ref  # noqa: E402

SETTINGS = settings(max_examples=50, deadline=None, database=None)
dims = st.integers(1, 9)
lengths = st.integers(0, 200)


def u8(shape):
    return hnp.arrays(np.uint8, shape, elements=st.integers(0, 255))


def mat_mul(A, B):
    out = np.zeros((A.shape[0], B.shape[1]), np.uint8)
    for j in range(A.shape[1]):
        out ^= ref.MUL[A[:, j][:, None], B[j][None, :]]
    return out


@st.composite
def linear_case(draw):
    rows, k, L = draw(dims), draw(dims), draw(lengths)
    return draw(u8((rows, k))), draw(u8((k, L))), draw(u8((k, L)))


@SETTINGS
@given(linear_case(), st.sampled_from(fastcode.available_simd_levels()))
def test_matmul_is_linear(case, level):
    A, B, C = case
    prev = fastcode.simd_level()
    fastcode.set_simd_level(level)
    try:
        lhs = F.matmul(A, B ^ C)
        rhs = F.matmul(A, B) ^ F.matmul(A, C)
        np.testing.assert_array_equal(lhs, rhs)
        np.testing.assert_array_equal(lhs, mat_mul(A, B ^ C))
        # scaling: A @ (c B) == c (A @ B)
        c = int(A.sum()) % 256
        np.testing.assert_array_equal(F.matmul(A, ref.MUL[c][B]), ref.MUL[c][F.matmul(A, B)])
    finally:
        fastcode.set_simd_level(prev)


@st.composite
def chain(draw):
    m, n, p, L = draw(dims), draw(dims), draw(dims), draw(st.integers(1, 64))
    return draw(u8((m, n))), draw(u8((n, p))), draw(u8((p, L)))


@SETTINGS
@given(chain())
def test_matmul_is_associative(case):
    A, B, C = case
    np.testing.assert_array_equal(F.matmul(F.matmul(A, B), C), F.matmul(A, F.matmul(B, C)))


@SETTINGS
@given(chain())
def test_matmul_distributes_over_matrix_sum(case):
    A, B, _ = case
    A2 = np.roll(A, 1, axis=0)
    np.testing.assert_array_equal(F.matmul(A ^ A2, B), F.matmul(A, B) ^ F.matmul(A2, B))


@SETTINGS
@given(linear_case(), st.integers(1, 4))
def test_matmul_threads_and_lists_agree(case, n_threads):
    A, B, _ = case
    want = mat_mul(A, B)
    np.testing.assert_array_equal(F.matmul(A, B, n_threads=n_threads), want)
    np.testing.assert_array_equal(F.matmul(A, [bytes(r) for r in B]), want)


@SETTINGS
@given(st.integers(1, 12).flatmap(lambda n: u8((n, n))))
def test_square_matrix_linalg_consistency(A):
    n = A.shape[0]
    d = F.det(A)
    r = F.rank(A)
    assert d == ref.det(A)
    assert r == ref.rank(A)
    assert (d != 0) == (r == n)
    if d:
        inv = F.inv_matrix(A)
        np.testing.assert_array_equal(F.matmul(A, inv), np.eye(n, dtype=np.uint8))
        assert int(ref.MUL[d, F.det(inv)]) == 1
        b = np.arange(n, dtype=np.uint8)
        np.testing.assert_array_equal(F.matmul(A, F.solve(A, b)), b)
    else:
        with pytest.raises(SingularMatrixError):
            F.inv_matrix(A)


@SETTINGS
@given(st.integers(1, 10).flatmap(lambda m: st.integers(1, 10).flatmap(
    lambda n: u8((m, n)))), st.integers(1, 10))
def test_rank_bounds(A, p):
    m, n = A.shape
    r = F.rank(A)
    assert 0 <= r <= min(m, n)
    assert F.rank(A.T) == r
    B = F.random((n, p), rng=int(A.sum()))
    assert F.rank(F.matmul(A, B)) <= min(r, F.rank(B))


@SETTINGS
@given(st.integers(0, 300).flatmap(lambda n: u8((n,))), st.integers(0, 255),
       st.integers(0, 255))
def test_region_ops_compose(x, c, d):
    # c*(d*x) == (c*d)*x and mad(c) then mad(d) == mad(c ^ d)
    cd = int(ref.MUL[c, d])
    np.testing.assert_array_equal(F.mul_region(c, F.mul_region(d, x)), F.mul_region(cd, x))
    acc = np.zeros_like(x)
    F.mad_region(c, x, acc)
    F.mad_region(d, x, acc)
    np.testing.assert_array_equal(acc, F.mul_region(c ^ d, x))
