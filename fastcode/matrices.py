"""Generator matrices of MDS codes, written against the field interface.

Every function takes ``field=`` (default ``GF256``) and uses only the field's
methods (asarray, sub, neg, mul, div, inv, pow, matmul, inv_matrix, rank, eye),
so GF256, PrimeField and Reals plug in unchanged.  A generator matrix ``G`` has
shape (n, k) with the field's dtype: codeword = G @ data, data being (k, L).

Conventions
-----------
* Cauchy: entry (i, j) is 1 / (x_i - y_j) for distinct points with x_i != y_j.
  The default points are the integers of the shard indices: data column j has
  y_j = j and parity row i (i in [k, n)) has x_i = i.  Over GF(2^8)
  subtraction is XOR, so the systematic default is exactly ISA-L's
  ``gf_gen_cauchy1_matrix`` (parity entry 1 / (i XOR j)) and parity bytes equal
  ISA-L's.
* Vandermonde: V[i, j] = p_i ** j; the code uses the systematic form
  V @ inv(V[:k]), MDS for any distinct points.  ISA-L's raw "RS matrix"
  (identity on top of a Vandermonde block) is deliberately not offered: it is
  not MDS for every (n, k).

Examples
--------
The default RS(6, 4) generator over GF(2^8) is ISA-L's
``gf_gen_cauchy1_matrix(a, 6, 4)`` (parity entry 1 / (i XOR j), so the first
is ISA-L's ``gf_inv(4)`` = 0x47), and the one ``MDSCode(6, 4)`` encodes with:

>>> from fastcode import matrices, MDSCode
>>> G = matrices.cauchy(6, 4)
>>> G[4:].tolist()
[[71, 167, 122, 186], [167, 71, 186, 122]]
>>> np.array_equal(MDSCode(6, 4).G, G), matrices.is_mds(G)
(True, True)
"""
import itertools
import math
from typing import Any, Iterator, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import (
    FieldValueError,
    InvalidArgumentError,
    ShardSizeError,
)
from fastcode.fields import GF256
from fastcode.fields.base import Field
from fastcode._util.rng import as_generator

__all__ = [
    "cauchy",
    "cauchy_matrix",
    "cauchy_inverse",
    "cauchy_points",
    "vandermonde",
    "vandermonde_points",
    "zfec_vandermonde",
    "isal_rs_vandermonde",
    "systematic",
    "is_mds",
    "mds_counterexample",
    "check_code_size",
    "field_prod",
]


# ---- small helpers ------------------------------------------------------------

def field_size(field: Field) -> Optional[int]:
    """Number of elements of the field as an int, or None when infinite (Reals)."""
    order = getattr(field, "order", None)
    if order is None:
        return None
    try:
        if math.isinf(order):
            return None
    except TypeError:
        pass
    return int(order)


def check_code_size(n: int, k: int, field: Field, extra: int = 0) -> None:
    """Validate 1 <= k <= n and n + extra <= field size (InvalidArgumentError).

    An MDS code over a finite field needs a distinct evaluation point per
    shard (plus ``extra`` more for a non-systematic Cauchy matrix), so n is at
    most the field size: 256 for GF(2^8), p for GF(p); Reals has no limit.

    Parameters
    ----------
    n : int
        Shards (codeword length); a Python or NumPy integer, not a bool.
    k : int
        Data shards.
    field : Field
        The field the code is over.
    extra : int, default 0
        Field points needed beyond n.

    Raises
    ------
    InvalidArgumentError
        n or k not an integer, k < 1, k > n, or n + extra above the field size.

    Examples
    --------
    >>> from fastcode import GF256, PrimeField
    >>> from fastcode.matrices import check_code_size
    >>> check_code_size(300, 200, PrimeField(65537))          # fine: returns None
    >>> check_code_size(300, 200, GF256)
    Traceback (most recent call last):
        ...
    fastcode.errors.InvalidArgumentError: n = 300 must be <= the field size 256 of GF256
    """
    for name, v in (("n", n), ("k", k)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise InvalidArgumentError(f"{name} must be an int, got {type(v).__name__}")
    if k < 1:
        raise InvalidArgumentError(f"k must be >= 1, got k={k}")
    if k > n:
        raise InvalidArgumentError(f"k must be <= n, got k={k} > n={n}")
    size = field_size(field)
    if size is not None and n + extra > size:
        what = f"n + k = {n + extra}" if extra else f"n = {n}"
        raise InvalidArgumentError(f"{what} must be <= the field size {size} of {field}")


def _points(field: Field, values: ArrayLike, name: str, count: int) -> np.ndarray:
    """A 1-D array of `count` distinct field elements."""
    pts = field.asarray(values, name) if hasattr(field, "asarray") else np.asarray(values)
    pts = np.asarray(pts)
    if pts.ndim != 1 or len(pts) != count:
        raise ShardSizeError(f"{name} must be a 1-D sequence of {count} points, got shape {pts.shape}")
    if len(np.unique(pts)) != count:
        raise FieldValueError(f"{name} must hold distinct points, got duplicates in {pts.tolist()}")
    return pts


def field_prod(field: Field, a: ArrayLike, axis: int = -1) -> np.ndarray:
    """Product of the entries of `a` along `axis` over the field.

    Pairwise (tree) reduction with element-wise ``field.mul``: log2(len) calls
    instead of len, which keeps Python overhead low in decode setup.

    Parameters
    ----------
    field : Field
    a : array_like of field elements
    axis : int, default -1
        The axis multiplied over; an empty axis gives 1.

    Returns
    -------
    ndarray of the field's dtype
        ``a``'s shape without ``axis``.

    Raises
    ------
    FieldTypeError, FieldValueError
        ``a`` does not hold elements of the field.

    Examples
    --------
    >>> from fastcode import GF256, PrimeField
    >>> from fastcode.matrices import field_prod
    >>> field_prod(GF256, [2, 3, 4]).tolist()          # 2 * 3 = 6, 6 * 4 = 24 (no reduction)
    24
    >>> field_prod(PrimeField(7), [[2, 3], [4, 5]]).tolist()    # 6, 20 mod 7
    [6, 6]
    """
    a = np.moveaxis(np.asarray(a), axis, -1)
    if a.shape[-1] == 0:
        return field.asarray(np.ones(a.shape[:-1], dtype=np.int64))
    while a.shape[-1] > 1:
        half = a.shape[-1] // 2
        prod = field.mul(a[..., :half], a[..., half:2 * half])
        a = prod if a.shape[-1] % 2 == 0 else np.concatenate([prod, a[..., 2 * half:]], axis=-1)
    return a[..., 0]


# ---- Cauchy ---------------------------------------------------------------------

#: Points given by the caller: a 1-D sequence or array of field elements.
Points = Union[Sequence[Any], np.ndarray]


def cauchy_matrix(x: Points, y: Points, field: Field = GF256) -> np.ndarray:
    """Cauchy matrix C[i, j] = 1 / (x_i - y_j), shape (len(x), len(y)).

    x and y must each hold distinct field elements, and no x_i may equal a y_j.
    Every square submatrix of a Cauchy matrix is invertible, so [I; C] is the
    generator of an MDS code.

    Parameters
    ----------
    x : sequence of field elements
        Distinct row points.
    y : sequence of field elements
        Distinct column points, disjoint from ``x``.
    field : Field, default GF256

    Returns
    -------
    (len(x), len(y)) ndarray of the field's dtype

    Raises
    ------
    FieldValueError
        Repeated points, or some x_i equal to some y_j.
    ShardSizeError
        ``x`` or ``y`` not 1-D.
    FieldTypeError
        Points that are not field elements (also FieldValueError).

    Examples
    --------
    Over GF(2^8) subtraction is XOR, so C[i, j] = 1 / (x_i XOR y_j):

    >>> from fastcode import GF256
    >>> from fastcode.matrices import cauchy_matrix
    >>> C = cauchy_matrix([4, 5], [0, 1])
    >>> C.tolist()
    [[71, 167], [167, 71]]
    >>> int(GF256.inv(4 ^ 1)) == int(C[0, 1])
    True
    """
    x = _points(field, x, "x", len(x))
    y = _points(field, y, "y", len(y))
    diff = field.sub(x[:, None], y[None, :])
    if np.any(diff == 0):
        raise FieldValueError("x and y must be disjoint: some x_i equals some y_j")
    return field.inv(diff)


def cauchy_inverse(x: Points, y: Points, field: Field = GF256) -> np.ndarray:
    """Closed-form inverse of the square Cauchy matrix C[i, j] = 1 / (x_i - y_j).

    O(e^2) field operations for e = len(x) = len(y), instead of Gauss-Jordan:

        inv(C)[j, i] = a_j * b_i / (y_j - x_i)   with
        a_j = prod_t (y_j - x_t) / prod_{t != j} (y_j - y_t),
        b_i = prod_t (x_i - y_t) / prod_{t != i} (x_i - x_t).

    (Partial fractions: sum_j z_j / (x - y_j) is a rational function of x; making
    it 1 at x_i and 0 at the other x's fixes its numerator, and z_j is its residue
    at y_j.)

    Parameters
    ----------
    x : sequence of e field elements
        Distinct row points.
    y : sequence of e field elements
        Distinct column points, disjoint from ``x``.
    field : Field, default GF256

    Returns
    -------
    (e, e) ndarray of the field's dtype
        inv(cauchy_matrix(x, y, field)).

    Raises
    ------
    FieldValueError
        Repeated points, or some x_i equal to some y_j.
    ShardSizeError
        ``x`` not 1-D, or ``y`` not of the same length.
    FieldTypeError
        Points that are not field elements (also FieldValueError).

    Examples
    --------
    >>> from fastcode import GF256, PrimeField
    >>> from fastcode.matrices import cauchy_inverse, cauchy_matrix
    >>> C = cauchy_matrix([4, 5], [0, 1])
    >>> GF256.matmul(C, cauchy_inverse([4, 5], [0, 1])).tolist()
    [[1, 0], [0, 1]]
    >>> F = PrimeField(257)
    >>> np.array_equal(cauchy_inverse([7, 8, 9], [0, 1, 2], F),
    ...                F.inv_matrix(cauchy_matrix([7, 8, 9], [0, 1, 2], F)))
    True
    """
    x = _points(field, x, "x", len(x))
    y = _points(field, y, "y", len(x))
    e = len(x)
    pts = np.concatenate([y, x])
    diff = field.sub(pts[:, None], pts[None, :])          # (2e, 2e): p_a - p_b
    one = field.asarray(np.ones(1, dtype=np.int64))[0]
    np.fill_diagonal(diff, one)                            # drop the t == j / t == i factors
    if np.any(diff == 0):
        raise FieldValueError("x and y must be disjoint: some x_i equals some y_j")
    # ratio[a] = prod over y's / prod over x's, for every point a (self factors are 1)
    ratio = field.div(field_prod(field, diff[:, :e], axis=1), field_prod(field, diff[:, e:], axis=1))
    a = field.inv(ratio[:e])          # a_j for the y's
    b = ratio[e:]                     # b_i for the x's
    return field.div(field.mul(a[:, None], b[None, :]), diff[:e, e:])   # y_j - x_i


def cauchy_points(n: int, k: int, field: Field = GF256, systematic: bool = True,
                  x: Optional[ArrayLike] = None,
                  y: Optional[ArrayLike] = None) -> Tuple[np.ndarray, np.ndarray]:
    """The (x, y) points of ``cauchy(n, k, ...)``, as field arrays.

    Systematic: x has n - k points (parity rows), y has k points.  Default
    x = [k, ..., n-1], y = [0, ..., k-1] (the shard indices; ISA-L's layout over
    GF(2^8)).  Non-systematic: x has n points, default [k, ..., k+n-1].

    Parameters
    ----------
    n, k : int
        Code length and dimension, 1 <= k <= n.
    field : Field, default GF256
    systematic : bool, default True
    x : sequence of field elements, optional
        The row points (n - k of them, or n when not systematic).
    y : sequence of k field elements, optional
        The column points.

    Returns
    -------
    x, y : 1-D ndarrays of the field's dtype

    Raises
    ------
    InvalidArgumentError
        Bad (n, k), or more points needed than the field has.
    ShardSizeError
        ``x`` or ``y`` of the wrong length.
    FieldValueError
        Repeated points, or x and y not disjoint.

    Examples
    --------
    >>> from fastcode.matrices import cauchy_points
    >>> x, y = cauchy_points(6, 4)
    >>> x.tolist(), y.tolist()
    ([4, 5], [0, 1, 2, 3])
    >>> [p.tolist() for p in cauchy_points(3, 2, systematic=False)]
    [[2, 3, 4], [0, 1]]
    """
    rows = n - k if systematic else n
    check_code_size(n, k, field, extra=0 if systematic else k)
    if x is None:
        x = np.arange(k, k + rows, dtype=np.int64)
    if y is None:
        y = np.arange(k, dtype=np.int64)
    x = _points(field, x, "x", rows)
    y = _points(field, y, "y", k)
    if np.intersect1d(x, y).size:
        raise FieldValueError(f"x and y must be disjoint, both contain {np.intersect1d(x, y).tolist()}")
    return x, y


def cauchy(n: int, k: int, field: Field = GF256, systematic: bool = True,
           x: Optional[ArrayLike] = None, y: Optional[ArrayLike] = None) -> np.ndarray:
    """Cauchy generator matrix, shape (n, k), dtype of the field.

    systematic=True: identity on top of the (n-k, k) Cauchy block 1/(x_i - y_j);
    every square submatrix of a Cauchy matrix is invertible, so the code is MDS.
    Over GF(2^8) with default points this is ISA-L's ``gf_gen_cauchy1_matrix``,
    so parity bytes equal ISA-L's ``ec_encode_data``.
    systematic=False: the (n, k) Cauchy matrix itself (needs n + k field points).

    Parameters
    ----------
    n, k : int
        Code length and dimension, 1 <= k <= n (n <= 256 over GF(2^8)).
    field : Field, default GF256
    systematic : bool, default True
    x, y : sequence of field elements, optional
        The points, as in ``cauchy_points``.

    Returns
    -------
    (n, k) ndarray of the field's dtype

    Raises
    ------
    InvalidArgumentError
        Bad (n, k), or more points needed than the field has.
    ShardSizeError
        ``x`` or ``y`` of the wrong length.
    FieldValueError
        Repeated points, or x and y not disjoint.

    Examples
    --------
    Encode with ISA-L's matrix; any 4 of the 6 shards give the data back:

    >>> from fastcode import GF256
    >>> from fastcode.matrices import cauchy
    >>> G = cauchy(6, 4)
    >>> data = GF256.random((4, 1024), rng=0)
    >>> shards = GF256.matmul(G, data)
    >>> rows = [0, 2, 4, 5]
    >>> np.array_equal(GF256.solve(G[rows], shards[rows]), data)
    True
    """
    x, y = cauchy_points(n, k, field, systematic, x, y)
    block = cauchy_matrix(x, y, field)
    if not systematic:
        return block
    return np.concatenate([field.eye(k), block], axis=0)


# ---- Vandermonde ------------------------------------------------------------------

def vandermonde_points(n: int, field: Field = GF256,
                       points: Optional[ArrayLike] = None) -> np.ndarray:
    """n distinct evaluation points; default the integers 0..n-1 as field elements.

    Parameters
    ----------
    n : int
    field : Field, default GF256
    points : sequence of n field elements, optional
        Checked to be distinct.

    Returns
    -------
    (n,) ndarray of the field's dtype

    Raises
    ------
    ShardSizeError
        ``points`` not 1-D of length n.
    FieldValueError
        Repeated points (or values outside the field).
    FieldTypeError
        Points that are not field elements.

    Examples
    --------
    >>> from fastcode import PrimeField
    >>> from fastcode.matrices import vandermonde_points
    >>> vandermonde_points(4).tolist()
    [0, 1, 2, 3]
    >>> vandermonde_points(3, PrimeField(7), points=[1, 2, 4]).tolist()
    [1, 2, 4]
    """
    if points is None:
        points = np.arange(n, dtype=np.int64)
    return _points(field, points, "points", n)


def vandermonde(n: int, k: int, field: Field = GF256, points: Optional[ArrayLike] = None,
                systematic: bool = True) -> np.ndarray:
    """Vandermonde generator V[i, j] = p_i ** j, shape (n, k).

    systematic=True (default) returns V @ inv(V[:k]): identity on top, and MDS
    for any n distinct points because every k rows of V are invertible.
    systematic=False returns V itself: evaluation of the degree < k polynomial
    with coefficients ``data`` at the points (Reed-Solomon, polynomial codes).

    Parameters
    ----------
    n, k : int
        Code length and dimension, 1 <= k <= n <= field size.
    field : Field, default GF256
    points : sequence of n field elements, optional
        Distinct; default 0..n-1.
    systematic : bool, default True

    Returns
    -------
    (n, k) ndarray of the field's dtype

    Raises
    ------
    InvalidArgumentError
        Bad (n, k) for the field.
    ShardSizeError
        ``points`` not of length n.
    FieldValueError
        Repeated points.
    SingularMatrixError
        Over Reals, a numerically singular V[:k] (systematic form only).

    Examples
    --------
    >>> from fastcode import PrimeField
    >>> from fastcode.matrices import vandermonde, is_mds
    >>> F = PrimeField(257)
    >>> vandermonde(4, 3, F, systematic=False).tolist()       # rows (1, p, p^2)
    [[1, 0, 0], [1, 1, 1], [1, 2, 4], [1, 3, 9]]
    >>> G = vandermonde(7, 4, F)
    >>> G[:4].tolist() == F.eye(4).tolist(), is_mds(G, F)
    (True, True)
    """
    check_code_size(n, k, field)
    pts = vandermonde_points(n, field, points)
    V = field.pow(pts[:, None], np.arange(k, dtype=np.int64)[None, :])
    V = field.asarray(V)
    if not systematic:
        return V
    return systematic_form(V, field)


def zfec_vandermonde(n: int, k: int) -> np.ndarray:
    """zfec's systematic generator over GF(2^8), shape (n, k), uint8, zfec's row order.

    zfec (``fec_new(k, n)``) evaluates at the points 0, 1, a, a^2, ..., a^(n-2)
    (a = 2, the generator of GF(2^8) with polynomial 0x11d): row 0 is the point 0
    (so (1, 0, ..., 0)), row r >= 1 is a^(r-1).  The code is V @ inv(V[:k]):
    identity on top, so share i < k is data block i and share i >= k is
    ``G[i] @ data`` byte for byte as zfec writes it.  MDS for any 1 <= k <= n <= 256
    (distinct points).

    Parameters
    ----------
    n : int
        Shares, at most 256.
    k : int
        Data blocks, 1 <= k <= n.

    Returns
    -------
    (n, k) uint8 ndarray

    Raises
    ------
    InvalidArgumentError
        Bad (n, k), or n > 256.

    Examples
    --------
    >>> from fastcode.matrices import zfec_vandermonde, is_mds
    >>> G = zfec_vandermonde(5, 3)
    >>> G[3:].tolist()
    [[15, 8, 6], [45, 48, 28]]
    >>> is_mds(G)
    True
    """
    check_code_size(n, k, GF256)
    powers = GF256.pow(np.full(max(n - 1, 0), 2, dtype=np.uint8), np.arange(max(n - 1, 0)))
    points = np.concatenate([np.zeros(1, dtype=np.uint8), powers])[:n]
    return vandermonde(n, k, GF256, points=points, systematic=True)


def isal_rs_vandermonde(n: int, k: int) -> np.ndarray:
    """ISA-L's ``gf_gen_rs_matrix(a, n, k)`` over GF(2^8), shape (n, k), uint8.

    Identity on top; parity row k + r is (1, g, g^2, ..., g^(k-1)) with g = 2^r.
    This matrix is *not* MDS for every (n, k) (e.g. k = 10, n = 15 has singular
    k-row subsets, see ``mds_counterexample``); it is offered only to reproduce
    the bytes of ISA-L-based systems (liberasurecode's ``isa_l_rs_vand``).

    Parameters
    ----------
    n : int
        Shards, at most 256.
    k : int
        Data shards, 1 <= k <= n.

    Returns
    -------
    (n, k) uint8 ndarray

    Raises
    ------
    InvalidArgumentError
        Bad (n, k), or n > 256.

    Examples
    --------
    >>> from fastcode.matrices import isal_rs_vandermonde, mds_counterexample
    >>> isal_rs_vandermonde(6, 4)[4:].tolist()
    [[1, 1, 1, 1], [1, 2, 4, 8]]
    >>> mds_counterexample(isal_rs_vandermonde(15, 10))     # 10 shards that cannot decode
    (0, 1, 2, 3, 5, 6, 8, 10, 11, 14)
    """
    check_code_size(n, k, GF256)
    gens = GF256.pow(np.full(n - k, 2, dtype=np.uint8), np.arange(n - k))
    parity = GF256.pow(gens[:, None], np.arange(k)[None, :])
    return np.concatenate([GF256.eye(k), parity], axis=0)


def systematic_form(G: ArrayLike, field: Field = GF256) -> np.ndarray:
    """G @ inv(G[:k]) for an (n, k) generator: same code, identity on top.

    The codewords are the same set (G is multiplied on the right by an
    invertible matrix), so an MDS generator stays MDS; shard i < k is now data
    row i.  Exported as ``systematic`` too.

    Parameters
    ----------
    G : (n, k) array_like of field elements
        n >= k.
    field : Field, default GF256

    Returns
    -------
    (n, k) ndarray of the field's dtype
        Identity in the top k rows.

    Raises
    ------
    SingularMatrixError
        The top k x k block of G is singular.
    ShardSizeError
        G not 2-D with n >= k.
    FieldTypeError, FieldValueError
        G does not hold elements of the field.

    Examples
    --------
    >>> from fastcode.matrices import systematic_form, vandermonde
    >>> V = vandermonde(5, 3, systematic=False)
    >>> np.array_equal(systematic_form(V), vandermonde(5, 3))
    True
    >>> systematic_form(V)[3:].tolist()
    [[1, 1, 1], [15, 8, 6]]
    """
    G = field.asarray(G, "G")
    if G.ndim != 2 or G.shape[0] < G.shape[1]:
        raise ShardSizeError(f"G must be (n, k) with n >= k, got shape {G.shape}")
    k = G.shape[1]
    top_inv = field.inv_matrix(G[:k])
    out = field.matmul(G[k:], np.array(top_inv, order="C")) if G.shape[0] > k else G[k:]
    return np.concatenate([field.eye(k), out], axis=0)


systematic = systematic_form


# ---- MDS check ----------------------------------------------------------------------

def mds_counterexample(G: ArrayLike, field: Field = GF256, exhaustive_max: int = 5000,
                       samples: int = 2000,
                       rng: Union[None, int, np.random.Generator] = None
                       ) -> Optional[Tuple[int, ...]]:
    """First k-subset of rows of the (n, k) generator G found singular, or None.

    Exhaustive over all C(n, k) subsets when there are at most ``exhaustive_max``
    of them, else ``samples`` random subsets drawn with ``rng``.  A subset
    returned is a set of k shards that cannot decode.

    Parameters
    ----------
    G : (n, k) array_like of field elements
        1 <= k <= n.
    field : Field, default GF256
    exhaustive_max : int, default 5000
        Largest C(n, k) checked exhaustively.
    samples : int, default 2000
        Random subsets tried above that.
    rng : None, int or numpy.random.Generator, optional
        Seeds the sampling.

    Returns
    -------
    tuple of int or None
        k sorted row indices whose rows are linearly dependent; None when none
        was found (certain when exhaustive).

    Raises
    ------
    ShardSizeError
        G not 2-D with 1 <= k <= n.
    FieldTypeError, FieldValueError
        G does not hold elements of the field.

    Examples
    --------
    >>> from fastcode.matrices import mds_counterexample, cauchy
    >>> G = np.array([[1, 0], [0, 1], [1, 1], [2, 2]], dtype=np.uint8)
    >>> mds_counterexample(G)                 # rows 2 and 3 are proportional
    (2, 3)
    >>> mds_counterexample(cauchy(8, 4)) is None
    True
    """
    G = field.asarray(G, "G")
    if G.ndim != 2:
        raise ShardSizeError(f"G must be a 2-D (n, k) matrix, got shape {G.shape}")
    n, k = G.shape
    if k == 0 or n < k:
        raise ShardSizeError(f"G must be (n, k) with 1 <= k <= n, got shape {G.shape}")
    subsets: Iterator[Tuple[int, ...]]
    if math.comb(n, k) <= exhaustive_max:
        subsets = itertools.combinations(range(n), k)
    else:
        gen = as_generator(rng)
        subsets = (tuple(np.sort(gen.choice(n, k, replace=False)).tolist()) for _ in range(samples))
    for rows in subsets:
        if field.rank(G[list(rows)]) < k:
            return rows
    return None


def is_mds(G: ArrayLike, field: Field = GF256, exhaustive_max: int = 5000, samples: int = 2000,
           rng: Union[None, int, np.random.Generator] = None) -> bool:
    """True if every k rows of the (n, k) generator G are linearly independent.

    Checks all C(n, k) row subsets when there are at most ``exhaustive_max`` of
    them; otherwise ``samples`` random subsets (a randomized check: False is
    certain, True is evidence).  ``rng`` seeds the sampling.  MDS means any k
    of the n shards decode.

    Parameters
    ----------
    G : (n, k) array_like of field elements
        1 <= k <= n.
    field : Field, default GF256
    exhaustive_max : int, default 5000
        Largest C(n, k) checked exhaustively.
    samples : int, default 2000
        Random subsets tried above that.
    rng : None, int or numpy.random.Generator, optional
        Seeds the sampling.

    Returns
    -------
    bool

    Raises
    ------
    ShardSizeError
        G not 2-D with 1 <= k <= n.
    FieldTypeError, FieldValueError
        G does not hold elements of the field.

    Examples
    --------
    ISA-L's raw RS matrix is not MDS for (15, 10); the Cauchy one is:

    >>> from fastcode.matrices import is_mds, isal_rs_vandermonde, cauchy
    >>> is_mds(isal_rs_vandermonde(15, 10)), is_mds(cauchy(15, 10))
    (False, True)
    """
    return mds_counterexample(G, field, exhaustive_max, samples, rng) is None
