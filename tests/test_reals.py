"""Reals: the float64 field descriptor."""
import pickle

import numpy as np
import pytest

import fastcode
from fastcode import FieldTypeError, Reals, ShardSizeError, SingularMatrixError


def test_descriptor():
    assert fastcode.Reals is Reals and Reals.dtype == np.float64
    assert pickle.loads(pickle.dumps(Reals)) is Reals
    assert Reals == fastcode.fields.RealsField() and hash(Reals) == hash(fastcode.fields.RealsField())
    assert Reals != fastcode.GF256 and Reals != fastcode.PrimeField(65537)
    assert Reals.characteristic == 0 and Reals.order is None


def test_asarray():
    assert Reals.asarray([1, 2]).dtype == np.float64
    assert Reals.asarray(np.array([1 + 2j])).dtype == np.complex128
    x = np.zeros(3)
    assert Reals.asarray(x) is x
    for bad in (["a", "b"], np.array([object()]), np.array(["1.0"])):
        with pytest.raises(FieldTypeError):
            Reals.asarray(bad)
    with pytest.raises(FieldTypeError):
        Reals.add(["x"], [1.0])


def test_elementwise(rng):
    a, b = rng.standard_normal(10), rng.standard_normal(10) + 3
    assert np.array_equal(Reals.add(a, b), a + b)
    assert np.array_equal(Reals.sub(a, b), a - b)
    assert np.array_equal(Reals.mul(a, b), a * b)
    assert np.array_equal(Reals.div(a, b), a / b)
    assert np.array_equal(Reals.neg(a), -a)
    assert np.array_equal(Reals.inv(b), 1 / b)
    assert np.allclose(Reals.pow(np.abs(a), 2.5), np.abs(a) ** 2.5)
    with pytest.raises(ZeroDivisionError):
        Reals.inv([1.0, 0.0])
    with pytest.raises(ZeroDivisionError):
        Reals.div([1.0], [0.0])
    with pytest.raises(ZeroDivisionError):
        Reals.pow([0.0], [-1])
    assert Reals.mul(a[:, None], b[None, :]).shape == (10, 10)


def test_matmul(rng):
    A, B = rng.standard_normal((5, 7)), rng.standard_normal((7, 3))
    assert np.allclose(Reals.matmul(A, B), A @ B)
    out = np.empty((5, 3))
    assert Reals.matmul(A, B, out=out) is out and np.allclose(out, A @ B)
    assert np.allclose(Reals.plan_matmul(A)(B), A @ B)
    assert Reals.matmul(A, B[:, 0]).shape == (5,)
    with pytest.raises(ShardSizeError):
        Reals.matmul(A, B.T)


def test_linear_algebra(rng):
    A = rng.standard_normal((6, 6))
    B = rng.standard_normal((6, 2))
    X = Reals.solve(A, B)
    assert np.allclose(A @ X, B)
    assert np.allclose(Reals.inv_matrix(A) @ A, np.eye(6))
    assert np.isclose(Reals.det(A), np.linalg.det(A))
    assert Reals.rank(A) == 6
    low = rng.standard_normal((6, 2)) @ rng.standard_normal((2, 5))
    assert Reals.rank(low) == 2
    N = Reals.nullspace(low)
    assert N.shape == (3, 5) and np.allclose(low @ N.T, 0, atol=1e-12)
    assert np.allclose(N @ N.T, np.eye(3))
    assert Reals.rank(np.zeros((0, 3))) == 0


def test_singular_and_ill_conditioned():
    S = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(SingularMatrixError):
        Reals.inv_matrix(S)
    with pytest.raises(np.linalg.LinAlgError):
        Reals.solve(S, np.ones(2))
    near = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-17]])
    with pytest.raises(SingularMatrixError, match="condition number"):
        Reals.inv_matrix(near)
    # a stricter limit than eps refuses merely ill-conditioned matrices
    ill = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-9]])
    Reals.solve(ill, np.ones(2))
    with pytest.raises(SingularMatrixError):
        Reals.solve(ill, np.ones(2), rcond_limit=1e-6)
    assert Reals.det(S) == 0.0
    with pytest.raises(ShardSizeError):
        Reals.inv_matrix(np.ones((2, 3)))


def test_cond_is_inf_exactly_when_rank_deficient_in_float64(rng):
    # Rank-deficient matrices give a smallest singular value of rounding noise whose
    # size depends on the LAPACK build (0 on one machine, 1e-17 on another): inf for
    # all of them, the same rule as NumPy's matrix_rank.
    U = rng.standard_normal((6, 3))
    rank3 = U @ U.T                                           # 6 x 6 of rank 3
    for S in ([[1, 1], [1, 1]], [[1.0, 2.0], [2.0, 4.0]], rank3, np.zeros((3, 3)),
              np.outer(np.arange(1.0, 5.0), np.ones(7))):
        S = np.asarray(S, dtype=float)
        assert np.linalg.matrix_rank(S) < min(S.shape)
        assert Reals.cond(S) == np.inf, S
    assert Reals.cond(np.eye(4)) == 1.0
    ill = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-9]])          # full rank, badly conditioned
    assert Reals.cond(ill) == pytest.approx(np.linalg.cond(ill), rel=1e-6)
    assert 1e9 < Reals.cond(ill) < np.inf
    G = rng.standard_normal((8, 5))
    assert Reals.cond(G) == pytest.approx(np.linalg.cond(G), rel=1e-12)
    # a rank-deficient matrix is refused whatever limit the caller sets
    for limit in (None, 1e-30, 0.0):
        with pytest.raises(SingularMatrixError):
            Reals.inv_matrix(rank3, rcond_limit=limit)


def test_complex_linear_algebra(rng):
    A = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))
    b = rng.standard_normal(4) + 0j
    assert np.allclose(A @ Reals.solve(A, b), b)
    N = Reals.nullspace(np.hstack([A, A[:, :1]]))
    assert N.shape == (1, 5) and np.allclose(np.hstack([A, A[:, :1]]) @ N.T, 0, atol=1e-12)
