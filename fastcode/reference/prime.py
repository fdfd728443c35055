"""GF(p) in exact Python-integer arithmetic (object-dtype NumPy arrays).

Slow and obviously right: the tests compare ``fastcode.fields.prime`` with
these functions, and ``FASTCODE_BACKEND=numpy`` routes PrimeField's bulk
operations (matmul, linear algebra, NTT) here.  Inputs are integer arrays with
entries already in [0, p) (the field validates them); outputs are uint32.
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import ShardSizeError, SingularMatrixError


def _obj(a: ArrayLike) -> np.ndarray:
    return np.asarray(a).astype(object)


def _out(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=object).astype(np.uint32)


# ---- element-wise ---------------------------------------------------------

def add(a: ArrayLike, b: ArrayLike, p: int) -> np.ndarray:
    """(a + b) mod p element-wise, broadcasting.

    Parameters
    ----------
    a, b : int array_like
        Field elements in [0, p).
    p : int
        The prime.

    Returns
    -------
    uint32 array

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.add([5, 6], [3, 1], 7).tolist()
    [1, 0]
    """
    return _out((_obj(a) + _obj(b)) % p)


def sub(a: ArrayLike, b: ArrayLike, p: int) -> np.ndarray:
    """(a - b) mod p element-wise, broadcasting.

    Parameters
    ----------
    a, b : int array_like
        Field elements in [0, p).
    p : int
        The prime.

    Returns
    -------
    uint32 array

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.sub([1, 0], [3, 1], 7).tolist()
    [5, 6]
    """
    return _out((_obj(a) - _obj(b)) % p)


def mul(a: ArrayLike, b: ArrayLike, p: int) -> np.ndarray:
    """(a * b) mod p element-wise, broadcasting, in exact integers.

    Parameters
    ----------
    a, b : int array_like
        Field elements in [0, p).
    p : int
        The prime.

    Returns
    -------
    uint32 array

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.mul([3, 6], [5, 6], 7).tolist()
    [1, 1]
    """
    return _out((_obj(a) * _obj(b)) % p)


def power(a: ArrayLike, e: ArrayLike, p: int) -> np.ndarray:
    """a ** e mod p element-wise (negative e needs a != 0, checked by the caller).

    Parameters
    ----------
    a : int array_like
        Bases in [0, p).
    e : int array_like
        Exponents, broadcast against ``a``.
    p : int
        The prime.

    Returns
    -------
    uint32 array
        0 ** 0 = 1.

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.power([3, 0, 3], [2, 0, -1], 7).tolist()
    [2, 1, 5]
    """
    a, e = np.broadcast_arrays(_obj(a), _obj(e))
    flat = [pow(int(x), int(y), p) for x, y in zip(a.ravel(), e.ravel())]
    return np.array(flat, dtype=np.uint32).reshape(a.shape)


def inv(a: ArrayLike, p: int) -> np.ndarray:
    """1 / a mod p element-wise (a != 0, checked by the caller).

    Parameters
    ----------
    a : int array_like
        Non-zero field elements.
    p : int
        The prime.

    Returns
    -------
    uint32 array

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.inv([1, 2, 3, 6], 7).tolist()
    [1, 4, 5, 6]
    """
    return power(a, -1, p)


# ---- bulk -----------------------------------------------------------------

def matmul(A: ArrayLike, B: ArrayLike, p: int) -> np.ndarray:
    """A @ B mod p with Python integers (no overflow).

    Parameters
    ----------
    A : (m, k) int array_like
    B : (k, n) int array_like
    p : int
        The prime.

    Returns
    -------
    (m, n) uint32 array

    Raises
    ------
    ShardSizeError
        A's columns and B's rows differ.

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.matmul([[1, 2], [3, 4]], [[5], [6]], 7).tolist()     # [17, 39] mod 7
    [[3], [4]]
    """
    A, B = _obj(A), _obj(B)
    if A.shape[1] != B.shape[0]:
        raise ShardSizeError(f"A has {A.shape[1]} columns, B has {B.shape[0]} rows")
    m, k = A.shape
    n = B.shape[1]
    C = np.zeros((m, n), dtype=object)
    for t in range(k):
        C = C + np.outer(A[:, t], B[t, :])
    return _out(C % p)


def rref(A: ArrayLike, pivot_cols: int, p: int) -> Tuple[List[List[int]], int, List[int], int]:
    """Reduced row echelon form over the first pivot_cols columns.

    Parameters
    ----------
    A : (r, c) int array_like
        Entries in [0, p); not modified.
    pivot_cols : int
        Pivots are sought in columns 0 .. pivot_cols - 1 only (the rest are
        right-hand sides, e.g. of an augmented matrix).
    p : int
        The prime.

    Returns
    -------
    R : list of lists of int
        The reduced rows.
    rank : int
        Number of pivots.
    pivots : list of int
        Their columns.
    det : int
        The product of the pivots with the sign of the row swaps, mod p (0 if
        rank < pivot_cols).

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.rref([[1, 2, 3], [2, 4, 6]], 3, 7)
    ([[1, 2, 3], [0, 0, 0]], 1, [0], 0)
    >>> prime.rref([[0, 1], [1, 0]], 2, 7)[3]          # one swap: det = -1 mod 7
    6
    """
    M = [[int(x) for x in row] for row in np.asarray(A)]
    rows = len(M)
    rank, det, pivots = 0, 1, []
    for col in range(pivot_cols):
        if rank == rows:
            break
        pr = next((r for r in range(rank, rows) if M[r][col] % p), None)
        if pr is None:
            continue
        if pr != rank:
            M[rank], M[pr] = M[pr], M[rank]
            det = -det
        pv = M[rank][col]
        det = det * pv % p
        iv = pow(pv, -1, p)
        M[rank] = [x * iv % p for x in M[rank]]
        for r in range(rows):
            if r != rank and M[r][col]:
                f = M[r][col]
                M[r] = [(x - f * y) % p for x, y in zip(M[r], M[rank])]
        pivots.append(col)
        rank += 1
    if rank < pivot_cols:
        det = 0
    return M, rank, pivots, det % p


def inv_matrix(A: ArrayLike, p: int) -> np.ndarray:
    """Inverse of a square matrix mod p.

    Parameters
    ----------
    A : (n, n) int array_like
    p : int
        The prime.

    Returns
    -------
    (n, n) uint32 array

    Raises
    ------
    SingularMatrixError
        ``A`` is singular mod p.

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> A = [[1, 2], [3, 4]]
    >>> prime.inv_matrix(A, 7).tolist()
    [[5, 1], [5, 3]]
    >>> prime.matmul(A, prime.inv_matrix(A, 7), 7).tolist()
    [[1, 0], [0, 1]]
    """
    A = np.asarray(A)
    n = A.shape[0]
    aug = np.concatenate([_obj(A), np.eye(n, dtype=np.int64).astype(object)], axis=1)
    M, rank, _, _ = rref(aug, n, p)
    if rank < n:
        raise SingularMatrixError(f"matrix is singular over GF({p}) (rank {rank} < {n})")
    return np.array([row[n:] for row in M], dtype=np.uint32).reshape(n, n)


def solve(A: ArrayLike, B: ArrayLike, p: int) -> np.ndarray:
    """X with A @ X = B mod p.

    Parameters
    ----------
    A : (n, n) int array_like
    B : (n, m) int array_like
    p : int
        The prime.

    Returns
    -------
    (n, m) uint32 array

    Raises
    ------
    SingularMatrixError
        ``A`` is singular mod p.

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> X = prime.solve([[1, 2], [3, 4]], [[5], [6]], 7)
    >>> X.tolist(), prime.matmul([[1, 2], [3, 4]], X, 7).tolist()
    ([[3], [1]], [[5], [6]])
    """
    A, B = np.asarray(A), np.asarray(B)
    n = A.shape[0]
    M, rank, _, _ = rref(np.concatenate([_obj(A), _obj(B)], axis=1), n, p)
    if rank < n:
        raise SingularMatrixError(f"matrix is singular over GF({p}) (rank {rank} < {n})")
    return np.array([row[n:] for row in M], dtype=np.uint32).reshape(n, B.shape[1])


def rank(A: ArrayLike, p: int) -> int:
    """Rank of a matrix mod p.

    Parameters
    ----------
    A : (r, c) int array_like
    p : int
        The prime.

    Returns
    -------
    int

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.rank([[1, 2], [2, 4]], 7), prime.rank([[1, 2], [3, 4]], 7)
    (1, 2)
    """
    A = np.asarray(A)
    return rref(A, A.shape[1], p)[1]


def det(A: ArrayLike, p: int) -> int:
    """Determinant of a square matrix mod p.

    Parameters
    ----------
    A : (n, n) int array_like
    p : int
        The prime.

    Returns
    -------
    int
        In [0, p).

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.det([[1, 2], [3, 4]], 7)                 # -2 mod 7
    5
    """
    A = np.asarray(A)
    return rref(A, A.shape[1], p)[3]


def nullspace(A: ArrayLike, p: int) -> np.ndarray:
    """Rows spanning {x : A @ x = 0} mod p.

    Parameters
    ----------
    A : (r, cols) int array_like
    p : int
        The prime.

    Returns
    -------
    (cols - rank, cols) uint32 array
        One basis vector per free column (1 there, 0 on the other free columns).

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> N = prime.nullspace([[1, 2, 3]], 7)
    >>> N.tolist(), prime.matmul([[1, 2, 3]], N.T, 7).tolist()
    ([[5, 1, 0], [4, 0, 1]], [[0, 0]])
    """
    A = np.asarray(A)
    cols = A.shape[1]
    M, rk, pivots, _ = rref(A, cols, p)
    free = [c for c in range(cols) if c not in pivots]
    N = np.zeros((len(free), cols), dtype=object)
    for i, f in enumerate(free):
        N[i, f] = 1
        for r, c in enumerate(pivots):
            N[i, c] = (-M[r][f]) % p
    return _out(N).reshape(len(free), cols)


def dft(x: ArrayLike, root: int, p: int) -> np.ndarray:
    """X[i] = sum_j x[j] root^(i j) along axis 0 (the O(n^2) definition of the NTT).

    Parameters
    ----------
    x : (n, ...) int array_like
        Entries in [0, p).
    root : int
        A primitive n-th root of unity mod p.
    p : int
        The prime.

    Returns
    -------
    (n, ...) uint32 array

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.dft([1, 2, 3, 4], 2, 5).tolist()         # 2 has order 4 mod 5
    [0, 4, 3, 2]
    """
    x = _obj(x)
    n = x.shape[0]
    powers = [pow(root, e, p) for e in range(n)]          # root^n = 1: exponents mod n
    W = np.array([[powers[i * j % n] for j in range(n)] for i in range(n)], dtype=object)
    return _out(np.tensordot(W, x, axes=(1, 0)) % p) if n else x.astype(np.uint32)


def poly_eval(coeffs: ArrayLike, points: ArrayLike, p: int) -> np.ndarray:
    """sum_d coeffs[d] * x^d mod p for each x in points.

    Parameters
    ----------
    coeffs : (D, ...) int array_like
        Ascending coefficients (trailing axes: several polynomials at once).
    points : int array_like
        Evaluation points (flattened).
    p : int
        The prime.

    Returns
    -------
    uint32 array of shape (len(points),) + coeffs.shape[1:]

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.poly_eval([2, 3], [0, 1, 2], 7).tolist()     # 2 + 3x
    [2, 5, 1]
    """
    c = _obj(coeffs)
    pts = [int(x) for x in np.asarray(points).ravel()]
    V = np.array([[pow(x, d, p) for d in range(c.shape[0])] for x in pts], dtype=object)
    V = V.reshape(len(pts), c.shape[0])
    return _out(np.tensordot(V, c, axes=(1, 0)) % p)


def interpolate(points: ArrayLike, values: ArrayLike, p: int) -> np.ndarray:
    """Coefficients (ascending) of the polynomial of degree < n through (points, values).

    Parameters
    ----------
    points : int array_like
        n distinct points (flattened).
    values : (n, ...) int array_like
        The values there.
    p : int
        The prime.

    Returns
    -------
    uint32 array, the shape of ``values``

    Raises
    ------
    SingularMatrixError
        Repeated points.

    Examples
    --------
    >>> from fastcode.reference import prime
    >>> prime.interpolate([0, 1, 2], [2, 5, 1], 7).tolist()    # 2 + 3x
    [2, 3, 0]
    """
    pts = [int(x) for x in np.asarray(points).ravel()]
    n = len(pts)
    V = np.array([[pow(x, d, p) for d in range(n)] for x in pts], dtype=object).reshape(n, n)
    vals = _obj(values)
    flat = vals.reshape(n, -1)
    C = solve(V, flat, p)
    return C.reshape(vals.shape)
