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
"""
import itertools
import math

import numpy as np

from fastcode.errors import (
    FieldValueError,
    InvalidArgumentError,
    ShardSizeError,
)
from fastcode.fields import GF256
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

def field_size(field):
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


def check_code_size(n, k, field, extra=0):
    """Validate 1 <= k <= n and n + extra <= field size (InvalidArgumentError)."""
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


def _points(field, values, name, count):
    """A 1-D array of `count` distinct field elements."""
    pts = field.asarray(values, name) if hasattr(field, "asarray") else np.asarray(values)
    pts = np.asarray(pts)
    if pts.ndim != 1 or len(pts) != count:
        raise ShardSizeError(f"{name} must be a 1-D sequence of {count} points, got shape {pts.shape}")
    if len(np.unique(pts)) != count:
        raise FieldValueError(f"{name} must hold distinct points, got duplicates in {pts.tolist()}")
    return pts


def field_prod(field, a, axis=-1):
    """Product of the entries of `a` along `axis` over the field.

    Pairwise (tree) reduction with element-wise ``field.mul``: log2(len) calls
    instead of len, which keeps Python overhead low in decode setup."""
    a = np.moveaxis(np.asarray(a), axis, -1)
    if a.shape[-1] == 0:
        return field.asarray(np.ones(a.shape[:-1], dtype=np.int64))
    while a.shape[-1] > 1:
        half = a.shape[-1] // 2
        prod = field.mul(a[..., :half], a[..., half:2 * half])
        a = prod if a.shape[-1] % 2 == 0 else np.concatenate([prod, a[..., 2 * half:]], axis=-1)
    return a[..., 0]


# ---- Cauchy ---------------------------------------------------------------------

def cauchy_matrix(x, y, field=GF256):
    """Cauchy matrix C[i, j] = 1 / (x_i - y_j), shape (len(x), len(y)).

    x and y must each hold distinct field elements, and no x_i may equal a y_j
    (else FieldValueError)."""
    x = _points(field, x, "x", len(x))
    y = _points(field, y, "y", len(y))
    diff = field.sub(x[:, None], y[None, :])
    if np.any(diff == 0):
        raise FieldValueError("x and y must be disjoint: some x_i equals some y_j")
    return field.inv(diff)


def cauchy_inverse(x, y, field=GF256):
    """Closed-form inverse of the square Cauchy matrix C[i, j] = 1 / (x_i - y_j).

    O(e^2) field operations for e = len(x) = len(y), instead of Gauss-Jordan:

        inv(C)[j, i] = a_j * b_i / (y_j - x_i)   with
        a_j = prod_t (y_j - x_t) / prod_{t != j} (y_j - y_t),
        b_i = prod_t (x_i - y_t) / prod_{t != i} (x_i - x_t).

    (Partial fractions: sum_j z_j / (x - y_j) is a rational function of x; making
    it 1 at x_i and 0 at the other x's fixes its numerator, and z_j is its residue
    at y_j.)  Returns an (e, e) array of the field's dtype."""
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


def cauchy_points(n, k, field=GF256, systematic=True, x=None, y=None):
    """The (x, y) points of ``cauchy(n, k, ...)``, as field arrays.

    Systematic: x has n - k points (parity rows), y has k points.  Default
    x = [k, ..., n-1], y = [0, ..., k-1] (the shard indices; ISA-L's layout over
    GF(2^8)).  Non-systematic: x has n points, default [k, ..., k+n-1]."""
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


def cauchy(n, k, field=GF256, systematic=True, x=None, y=None):
    """Cauchy generator matrix, shape (n, k), dtype of the field.

    systematic=True: identity on top of the (n-k, k) Cauchy block 1/(x_i - y_j);
    every square submatrix of a Cauchy matrix is invertible, so the code is MDS.
    Over GF(2^8) with default points this is ISA-L's ``gf_gen_cauchy1_matrix``.
    systematic=False: the (n, k) Cauchy matrix itself (needs n + k field points).
    """
    x, y = cauchy_points(n, k, field, systematic, x, y)
    block = cauchy_matrix(x, y, field)
    if not systematic:
        return block
    return np.concatenate([field.eye(k), block], axis=0)


# ---- Vandermonde ------------------------------------------------------------------

def vandermonde_points(n, field=GF256, points=None):
    """n distinct evaluation points; default the integers 0..n-1 as field elements."""
    if points is None:
        points = np.arange(n, dtype=np.int64)
    return _points(field, points, "points", n)


def vandermonde(n, k, field=GF256, points=None, systematic=True):
    """Vandermonde generator V[i, j] = p_i ** j, shape (n, k).

    systematic=True (default) returns V @ inv(V[:k]): identity on top, and MDS
    for any n distinct points because every k rows of V are invertible."""
    check_code_size(n, k, field)
    pts = vandermonde_points(n, field, points)
    V = field.pow(pts[:, None], np.arange(k, dtype=np.int64)[None, :])
    V = field.asarray(V)
    if not systematic:
        return V
    return systematic_form(V, field)


def zfec_vandermonde(n, k):
    """zfec's systematic generator over GF(2^8), shape (n, k), uint8, zfec's row order.

    zfec (``fec_new(k, n)``) evaluates at the points 0, 1, a, a^2, ..., a^(n-2)
    (a = 2, the generator of GF(2^8) with polynomial 0x11d): row 0 is the point 0
    (so (1, 0, ..., 0)), row r >= 1 is a^(r-1).  The code is V @ inv(V[:k]):
    identity on top, so share i < k is data block i and share i >= k is
    ``G[i] @ data`` byte for byte as zfec writes it.  MDS for any 1 <= k <= n <= 256
    (distinct points)."""
    check_code_size(n, k, GF256)
    powers = GF256.pow(np.full(max(n - 1, 0), 2, dtype=np.uint8), np.arange(max(n - 1, 0)))
    points = np.concatenate([np.zeros(1, dtype=np.uint8), powers])[:n]
    return vandermonde(n, k, GF256, points=points, systematic=True)


def isal_rs_vandermonde(n, k):
    """ISA-L's ``gf_gen_rs_matrix(a, n, k)`` over GF(2^8), shape (n, k), uint8.

    Identity on top; parity row k + r is (1, g, g^2, ..., g^(k-1)) with g = 2^r.
    This matrix is *not* MDS for every (n, k) (e.g. k = 10, n = 15 has singular
    k-row subsets, see ``mds_counterexample``); it is offered only to reproduce
    the bytes of ISA-L-based systems (liberasurecode's ``isa_l_rs_vand``)."""
    check_code_size(n, k, GF256)
    gens = GF256.pow(np.full(n - k, 2, dtype=np.uint8), np.arange(n - k))
    parity = GF256.pow(gens[:, None], np.arange(k)[None, :])
    return np.concatenate([GF256.eye(k), parity], axis=0)


def systematic_form(G, field=GF256):
    """G @ inv(G[:k]) for an (n, k) generator: same code, identity on top.

    SingularMatrixError if the top k x k block is singular."""
    G = field.asarray(G, "G")
    if G.ndim != 2 or G.shape[0] < G.shape[1]:
        raise ShardSizeError(f"G must be (n, k) with n >= k, got shape {G.shape}")
    k = G.shape[1]
    top_inv = field.inv_matrix(G[:k])
    out = field.matmul(G[k:], np.array(top_inv, order="C")) if G.shape[0] > k else G[k:]
    return np.concatenate([field.eye(k), out], axis=0)


systematic = systematic_form


# ---- MDS check ----------------------------------------------------------------------

def mds_counterexample(G, field=GF256, exhaustive_max=5000, samples=2000, rng=None):
    """First k-subset of rows of the (n, k) generator G found singular, or None.

    Exhaustive over all C(n, k) subsets when there are at most ``exhaustive_max``
    of them, else ``samples`` random subsets drawn with ``rng``."""
    G = field.asarray(G, "G")
    if G.ndim != 2:
        raise ShardSizeError(f"G must be a 2-D (n, k) matrix, got shape {G.shape}")
    n, k = G.shape
    if k == 0 or n < k:
        raise ShardSizeError(f"G must be (n, k) with 1 <= k <= n, got shape {G.shape}")
    if math.comb(n, k) <= exhaustive_max:
        subsets = itertools.combinations(range(n), k)
    else:
        gen = as_generator(rng)
        subsets = (tuple(np.sort(gen.choice(n, k, replace=False)).tolist()) for _ in range(samples))
    for rows in subsets:
        if field.rank(G[list(rows)]) < k:
            return rows
    return None


def is_mds(G, field=GF256, exhaustive_max=5000, samples=2000, rng=None):
    """True if every k rows of the (n, k) generator G are linearly independent.

    Checks all C(n, k) row subsets when there are at most ``exhaustive_max`` of
    them; otherwise ``samples`` random subsets (a randomized check: False is
    certain, True is evidence).  ``rng`` seeds the sampling."""
    return mds_counterexample(G, field, exhaustive_max, samples, rng) is None
