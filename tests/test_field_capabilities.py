"""The capabilities codes ask fields for instead of testing their class
(fastcode.fields.base): ``exact``, ``sum``, ``solve_consistent``, ``lstsq``."""
import numpy as np
import pytest

import fastcode
from fastcode import GF256, FieldValueError, PrimeField, Reals, ShardSizeError, SingularMatrixError
from fastcode.reference import prime as ref

PRIMES = [3, 101, 65537, 2**31 - 1]


def test_flags():
    assert GF256.exact and PrimeField(7).exact and not Reals.exact
    assert PrimeField(7).supports_solve_consistent and not PrimeField(7).supports_lstsq
    assert Reals.supports_lstsq and not Reals.supports_solve_consistent
    assert not GF256.supports_solve_consistent and not GF256.supports_lstsq


def test_missing_capabilities_raise_field_value_error():
    with pytest.raises(FieldValueError, match="solve_consistent"):
        GF256.solve_consistent(np.eye(2, dtype=np.uint8), np.eye(2, dtype=np.uint8))
    with pytest.raises(FieldValueError, match="solve_consistent"):
        Reals.solve_consistent(np.eye(2), np.eye(2))
    with pytest.raises(FieldValueError, match="least squares"):
        PrimeField(7).lstsq(np.eye(2, dtype=np.uint32), np.eye(2, dtype=np.uint32))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_sum_matches_each_field(axis, rng):
    F = PrimeField(2**31 - 1)
    a = F.random((7, 5), rng)
    want = (a.astype(np.int64).sum(axis=axis) % F.p).astype(np.uint32)
    assert np.array_equal(F.sum(a, axis=axis), want)
    g = rng.integers(0, 256, (7, 5), dtype=np.uint8)
    assert np.array_equal(GF256.sum(g, axis=axis), np.bitwise_xor.reduce(g, axis=axis))
    r = rng.standard_normal((7, 5))
    assert np.array_equal(Reals.sum(r, axis=axis), r.sum(axis=axis))
    assert F.sum(F.zeros((0, 3))).tolist() == [0, 0, 0]


@pytest.mark.parametrize("p", PRIMES)
@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5), (3, 1), (1, 3)])
def test_solve_consistent_solves_every_consistent_system(p, shape, rng):
    F = PrimeField(p)
    m, n = shape
    for rank_cap in (min(shape), 1, 0):
        # A of rank <= rank_cap, B = A X0 consistent by construction
        A = F.matmul(F.random((m, rank_cap), rng), F.random((rank_cap, n), rng)) if rank_cap \
            else F.zeros((m, n))
        X0 = F.random((n, 3), rng)
        B = ref.matmul(A, X0, p)
        X = F.solve_consistent(A, B)
        assert X.shape == (n, 3) and X.dtype == np.uint32
        assert np.array_equal(ref.matmul(A, X, p), B)
        if ref.rank(A, p) == n:                  # full column rank: the solution is unique
            assert np.array_equal(X, X0)
        x = F.solve_consistent(A, B[:, 0])       # a vector right-hand side
        assert x.shape == (n,) and np.array_equal(ref.matmul(A, x[:, None], p)[:, 0], B[:, 0])


@pytest.mark.parametrize("p", PRIMES)
def test_solve_consistent_refuses_inconsistent_systems(p, rng):
    F = PrimeField(p)
    A = F.random((5, 2), rng)
    B = ref.matmul(A, F.random((2, 3), rng), p)
    # column 1 of B moved off the column space of A (rank 2 in a 5-dim space)
    for _ in range(20):
        e = F.random(5, rng)
        if ref.rank(np.concatenate([A, e[:, None]], axis=1), p) == 3:
            break
    B[:, 1] = F.add(B[:, 1], e)
    with pytest.raises(SingularMatrixError, match="column 1"):
        F.solve_consistent(A, B)
    with pytest.raises(ShardSizeError):
        F.solve_consistent(A, B[:4])


def test_solve_consistent_on_the_reference_backend(rng):
    F = PrimeField(65537)
    A = F.random((6, 3), rng)
    B = ref.matmul(A, F.random((3, 2), rng), F.p)
    old = fastcode.get_backend()
    fastcode.set_backend("numpy")
    try:
        X = F.solve_consistent(A, B)
    finally:
        fastcode.set_backend(old)
    assert np.array_equal(ref.matmul(A, X, F.p), B)


def test_reals_lstsq_is_least_squares(rng):
    A = rng.standard_normal((8, 3))
    B = rng.standard_normal((8, 2))
    X = Reals.lstsq(A, B)
    # normal equations: A^T (A X - B) = 0
    np.testing.assert_allclose(A.T @ (A @ X - B), 0, atol=1e-12)
    D = np.concatenate([A, A[:, :1]], axis=1)                 # rank deficient: minimum norm
    Y = Reals.lstsq(D, B)
    np.testing.assert_allclose(Y, np.linalg.pinv(D) @ B, atol=1e-12)
    assert Reals.lstsq(A, B[:, 0]).shape == (3,)
    with pytest.raises(ShardSizeError):
        Reals.lstsq(A, B[:7])
