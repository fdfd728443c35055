"""fastcode.matrices: Cauchy / Vandermonde generators, closed-form Cauchy inverse, is_mds."""
import itertools

import numpy as np
import pytest

from _toy_fields import ToyPrimeField
from fastcode import GF256, matrices
from fastcode.errors import FieldValueError, InvalidArgumentError, ShardSizeError
from fastcode.reference import gf256 as ref

P257 = ToyPrimeField(257)
FIELDS = [GF256, P257]


def test_cauchy_gf256_default_is_isal_layout():
    # independent of matrices.py: ISA-L's gf_gen_cauchy1_matrix definition
    for n, k in [(1, 1), (5, 1), (14, 10), (12, 12), (256, 200), (256, 1)]:
        G = matrices.cauchy(n, k)
        assert G.dtype == np.uint8 and G.shape == (n, k)
        expect = np.zeros((n, k), dtype=np.uint8)
        expect[:k] = np.eye(k, dtype=np.uint8)
        for i in range(k, n):
            for j in range(k):
                expect[i, j] = ref.INV[i ^ j]
        np.testing.assert_array_equal(G, expect)


@pytest.mark.parametrize("field", FIELDS, ids=str)
def test_cauchy_entries_and_mds(field):
    x, y = [20, 3, 7], [1, 2, 9, 30]
    C = matrices.cauchy_matrix(x, y, field)
    for i in range(3):
        for j in range(4):
            assert field.mul(C[i, j], field.sub(x[i], y[j])) == 1
    for n, k in [(7, 3), (9, 5), (6, 6), (8, 1)]:
        assert matrices.is_mds(matrices.cauchy(n, k, field), field)
        G = matrices.cauchy(n, k, field, systematic=False)
        assert G.shape == (n, k) and matrices.is_mds(G, field)


@pytest.mark.parametrize("field", FIELDS, ids=str)
def test_cauchy_inverse_matches_gauss_jordan(field, rng):
    for e in list(range(1, 13)) + [40]:
        pts = rng.choice(200, 2 * e, replace=False)
        x, y = pts[:e], pts[e:]
        C = matrices.cauchy_matrix(x, y, field)
        inv = matrices.cauchy_inverse(x, y, field)
        np.testing.assert_array_equal(inv, field.inv_matrix(C))
        np.testing.assert_array_equal(field.matmul(C, inv), field.eye(e))


def test_cauchy_bad_points():
    with pytest.raises(FieldValueError, match="distinct"):
        matrices.cauchy(6, 3, x=[3, 3, 4])
    with pytest.raises(FieldValueError, match="disjoint"):
        matrices.cauchy(6, 3, x=[0, 4, 5])
    with pytest.raises(ShardSizeError, match="3 points"):
        matrices.cauchy(6, 3, x=[4, 5])
    with pytest.raises(FieldValueError):
        matrices.cauchy_matrix([1, 2], [2, 3])
    with pytest.raises(InvalidArgumentError, match="field size 256"):
        matrices.cauchy(200, 100, systematic=False)   # needs n + k points


@pytest.mark.parametrize("field", FIELDS, ids=str)
def test_vandermonde_systematic(field):
    for n, k in [(6, 3), (10, 7), (12, 1), (5, 5)]:
        V = matrices.vandermonde(n, k, field, systematic=False)
        pts = np.arange(n)
        for i in (0, 1, n - 1):
            for j in range(k):
                assert V[i, j] == field.pow(field.asarray(pts[i]), j)
        G = matrices.vandermonde(n, k, field)
        np.testing.assert_array_equal(G[:k], field.eye(k))
        # same code: G @ V[:k] == V
        np.testing.assert_array_equal(field.matmul(G, V[:k]), V)
        assert matrices.is_mds(G, field)


def test_vandermonde_custom_points_and_errors():
    G = matrices.vandermonde(6, 3, points=[9, 8, 7, 6, 5, 4])
    assert matrices.is_mds(G)
    with pytest.raises(FieldValueError, match="distinct"):
        matrices.vandermonde(4, 2, points=[1, 1, 2, 3])
    with pytest.raises(InvalidArgumentError, match="field size"):
        matrices.vandermonde(257, 3)
    with pytest.raises(InvalidArgumentError, match="k must be <= n"):
        matrices.vandermonde(3, 4)


def test_isal_rs_matrix_is_not_mds_but_detected():
    # ISA-L's gf_gen_rs_matrix: identity over rows (2^(i-k))^j; not MDS for all (n, k)
    n, k = 20, 10
    G = np.zeros((n, k), dtype=np.uint8)
    G[:k] = np.eye(k, dtype=np.uint8)
    gen = 1
    for i in range(k, n):
        p = 1
        for j in range(k):
            G[i, j] = p
            p = int(ref.MUL[p, gen])
        gen = int(ref.MUL[gen, 2])
    assert not matrices.is_mds(G, exhaustive_max=10**6)
    bad = matrices.mds_counterexample(G, exhaustive_max=10**6)
    assert GF256.rank(G[list(bad)]) < k


def test_is_mds_detects_and_randomized_branch(rng):
    G = matrices.cauchy(9, 4).copy()
    assert matrices.is_mds(G)
    G[6, 2] = 0          # a zero parity entry: data row 2 + 3 others miss it
    assert not matrices.is_mds(G)
    # randomized branch (exhaustive_max=0) on a code where most subsets are singular
    H = np.concatenate([np.eye(6, dtype=np.uint8), np.eye(6, dtype=np.uint8)[:4]])
    assert not matrices.is_mds(H, exhaustive_max=0, samples=200, rng=rng)
    assert matrices.is_mds(matrices.cauchy(40, 20), exhaustive_max=0, samples=50, rng=rng)
    with pytest.raises(ShardSizeError):
        matrices.is_mds(np.zeros((3, 4), dtype=np.uint8))


def test_systematic_form_singular_top():
    from fastcode.errors import SingularMatrixError
    G = np.array([[1, 1], [1, 1], [1, 2]], dtype=np.uint8)
    with pytest.raises(SingularMatrixError):
        matrices.systematic_form(G)


@pytest.mark.parametrize("field", FIELDS, ids=str)
def test_field_prod(field, rng):
    for width in range(0, 11):
        a = field.random((5, width), rng)
        expect = field.asarray(np.ones(5, dtype=np.int64))
        for j in range(width):
            expect = field.mul(expect, a[:, j])
        np.testing.assert_array_equal(matrices.field_prod(field, a, axis=1), expect)


def test_check_code_size():
    for n, k, msg in [(3, 0, "k must be >= 1"), (3, 4, "k must be <= n"),
                      (257, 10, "field size 256"), (3.0, 1, "n must be an int")]:
        with pytest.raises(InvalidArgumentError, match=msg):
            matrices.check_code_size(n, k, GF256)
    matrices.check_code_size(256, 1, GF256)
    matrices.check_code_size(300, 1, P257.__class__(331))


def test_all_square_submatrices_of_small_cauchy_invertible():
    # the property that makes [I; C] MDS, checked directly
    C = matrices.cauchy(10, 5)[5:]
    for size in range(1, 6):
        for rows in itertools.combinations(range(5), size):
            for cols in itertools.combinations(range(5), size):
                assert GF256.rank(C[np.ix_(rows, cols)]) == size
