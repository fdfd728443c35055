"""The NumPy twin of the recovery kernels (fastcode/reference/recovery.py), which an
unbuilt source tree runs under FASTCODE_BACKEND=numpy, against the compiled module."""
import numpy as np
import pytest

from fastcode.codes import CommEfficient, CyclicRepetition
from fastcode.codes import _recovery as compiled
from fastcode.errors import InvalidArgumentError, ShardSizeError
from fastcode.reference import recovery as reference


@pytest.mark.parametrize("responders", [[], [3], [0, 5, 2], (1, 2, 3, 4), np.array([7, 0], np.uint8),
                                        [np.int64(4), 1], list(range(9))])
def test_parse_responders_agrees(responders):
    for got, want in zip(reference.parse_responders(responders, 9),
                         compiled.parse_responders(responders, 9)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("responders", [[9], [-1], [1, 1], [1.5], [True], np.zeros((2, 2), int),
                                        np.array([0.5]), "ab"])
def test_parse_responders_refuses_the_same(responders):
    for module in (compiled, reference):
        with pytest.raises(InvalidArgumentError):
            module.parse_responders(responders, 9)


@pytest.mark.parametrize("L", [0, 1, 17, 2049])
@pytest.mark.parametrize("k, m", [(0, 1), (1, 1), (5, 2), (9, 3)])
def test_combine_agrees(L, k, m, rng):
    W = rng.standard_normal((m, k))
    W[:, ::3] = 0.0                                        # rows that are never read
    Y = rng.standard_normal((k, L))
    Y[::3] = np.nan
    for rows in (Y, [Y[i].copy() for i in range(k)]):
        got, want = np.full((m, L), 7.0), np.full((m, L), 7.0)
        if k == 0 and L and isinstance(rows, list):     # an empty list has length 0
            for module, out in ((compiled, want), (reference, got)):
                with pytest.raises(ShardSizeError):
                    module.combine(W, rows, out)
            continue
        reference.combine(W, rows, got)
        compiled.combine(W, rows, want)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rows, out", [(np.ones((2, 5)), np.empty((1, 4))),
                                       (np.ones((3, 5)), np.empty((1, 5))),
                                       (np.ones((2, 10))[:, ::2], np.empty((1, 5))),
                                       ([np.ones(5), np.ones(4)], np.empty((1, 5)))])
def test_combine_refuses_the_same(rows, out):
    for module in (compiled, reference):
        with pytest.raises(ShardSizeError):
            module.combine(np.ones((1, 2)), rows, out)


@pytest.mark.parametrize("code", [CyclicRepetition(8, 2, rng=0), CommEfficient(7, 2, 2)])
def test_sparse_lstsq_agrees_on_the_codes_own_systems(code, rng):
    indptr, indices, data = code._csr
    T = code.targets()
    for _ in range(5):
        F = np.sort(rng.choice(code.n, code.n - code.s, replace=False)).astype(np.int64)
        got = reference.sparse_lstsq(indptr, indices, data, F, code.m * code.N, T, 1e-11)
        want = compiled.sparse_lstsq(indptr, indices, data, F, code.m * code.N, T, 1e-11)
        assert got[2] == want[2] is True
        np.testing.assert_allclose(got[0], want[0], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(got[1], want[1], atol=1e-9)


def test_sparse_lstsq_rank_deficiency_and_residual(rng):
    # B (3, 4) in CSR: rows 0 and 2 equal, so {0, 2} is rank deficient
    B = np.array([[1.0, 2, 0, 0], [0, 1, 1, 0], [1, 2, 0, 0]])
    indptr = np.array([0, 2, 4, 6], np.int64)
    indices = np.array([0, 1, 1, 2, 0, 1], np.int64)
    data = B[B != 0].astype(np.float64)
    T = rng.standard_normal((4, 2))
    for rows, ok in (([0, 1], True), ([0, 2], False)):
        rows = np.array(rows, np.int64)
        got = reference.sparse_lstsq(indptr, indices, data, rows, 4, T, 1e-11)
        want = compiled.sparse_lstsq(indptr, indices, data, rows, 4, T, 1e-11)
        assert got[2] is want[2] is ok
        if ok:
            a, *_ = np.linalg.lstsq(B[rows].T, T, rcond=None)
            np.testing.assert_allclose(got[0], a, atol=1e-12)
            np.testing.assert_allclose(got[1], np.linalg.norm(B[rows].T @ a - T, axis=0), atol=1e-12)
    for args in ((np.array([3], np.int64), 4, T), (np.array([0], np.int64), 4, T[:3])):
        for module in (compiled, reference):
            with pytest.raises((InvalidArgumentError, ShardSizeError)):
                module.sparse_lstsq(indptr, indices, data, args[0], args[1], args[2], 1e-11)
