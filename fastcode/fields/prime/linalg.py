"""Linear algebra over GF(p) by Gauss-Jordan elimination: RREF, inverse,
solve, rank, determinant, null space.

One elimination kernel (``rref``: native C, or the exact Python-integer
reference on the "numpy" backend) and thin functions around it.  Inputs are
validated uint32 matrices with entries < p (``PrimeField`` checks shapes and
values and names the arguments); results are uint32.
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np

from fastcode.errors import SingularMatrixError
from fastcode.fields.prime import kernels
from fastcode.reference import prime as reference

__all__ = ["rref", "inv_matrix", "solve", "solve_consistent", "rank", "det", "nullspace"]


def rref(M: np.ndarray, pivot_cols: int, p: int) -> Tuple[np.ndarray, int, List[int], int]:
    """(R, rank, pivots, det) of a copy of the uint32 matrix M reduced over GF(p),
    pivots searched in the first ``pivot_cols`` columns (the rest ride along,
    e.g. right-hand sides).  det is that of the leading square block when
    pivot_cols == rows.

    Parameters
    ----------
    M : (rows, cols) uint32 array
        Entries < p; not modified.
    pivot_cols : int
        Pivots are searched in columns 0 .. pivot_cols - 1 only.
    p : int
        The prime.

    Returns
    -------
    R : (rows, cols) uint32 array
        The reduced row echelon form (pivots 1, zero above and below).
    rank : int
        Number of pivots.
    pivots : list of int
        The pivot columns, ascending.
    det : int
        The product of the pivots with the sign of the row swaps, in
        0..p-1 (0 when rank < pivot_cols).

    Examples
    --------
    Inverting a matrix by reducing [A | I]:

    >>> from fastcode.fields.prime.linalg import rref
    >>> A = np.array([[1, 2], [3, 4]], dtype=np.uint32)
    >>> R, rank, pivots, det = rref(np.hstack([A, np.eye(2, dtype=np.uint32)]), 2, 7)
    >>> R.tolist(), rank, pivots, det
    ([[1, 0, 5, 1], [0, 1, 5, 3]], 2, [0, 1], 5)
    """
    if kernels.active():
        R = np.array(M, dtype=np.uint32, order="C", copy=True)
        rank_, pivots, det_ = kernels.native.rref(R, pivot_cols, p)
        return R, rank_, pivots, int(det_)
    rows, rank_, pivots, det_ = reference.rref(M, pivot_cols, p)
    return np.array(rows, dtype=np.uint32).reshape(np.shape(M)), rank_, pivots, det_


def _singular(p, rank_, n):
    return SingularMatrixError(f"matrix is singular over GF({p}) (rank {rank_} < {n})")


def inv_matrix(A: np.ndarray, p: int) -> np.ndarray:
    """Inverse of the square matrix A; SingularMatrixError if singular.

    Parameters
    ----------
    A : (n, n) uint32 array
        Entries < p.
    p : int
        The prime.

    Returns
    -------
    (n, n) uint32 array
        A^(-1) over GF(p), C-contiguous.

    Raises
    ------
    SingularMatrixError
        A is singular over GF(p).

    Examples
    --------
    >>> from fastcode.fields.prime.linalg import inv_matrix
    >>> A = np.array([[1, 2], [3, 4]], dtype=np.uint32)
    >>> Ainv = inv_matrix(A, 7)
    >>> Ainv.tolist()
    [[5, 1], [5, 3]]
    >>> ((A.astype(np.int64) @ Ainv) % 7).tolist()
    [[1, 0], [0, 1]]
    """
    n = A.shape[0]
    R, rank_, _, _ = rref(np.concatenate([A, np.eye(n, dtype=np.uint32)], axis=1), n, p)
    if rank_ < n:
        raise _singular(p, rank_, n)
    return np.ascontiguousarray(R[:, n:])


def solve(A: np.ndarray, B: np.ndarray, p: int) -> np.ndarray:
    """X with A @ X = B for square A (n, n) and B (n, m); SingularMatrixError if singular.

    Parameters
    ----------
    A : (n, n) uint32 array
        Entries < p.
    B : (n, m) uint32 array
        Right-hand sides, entries < p.
    p : int
        The prime.

    Returns
    -------
    (n, m) uint32 array
        The unique solution X, C-contiguous.

    Raises
    ------
    SingularMatrixError
        A is singular over GF(p).

    Examples
    --------
    >>> from fastcode.fields.prime.linalg import solve
    >>> A = np.array([[1, 2], [3, 4]], dtype=np.uint32)
    >>> X = solve(A, np.array([[1], [2]], dtype=np.uint32), 7)
    >>> X.tolist(), ((A.astype(np.int64) @ X) % 7).tolist()
    ([[0], [4]], [[1], [2]])
    """
    n = A.shape[0]
    R, rank_, _, _ = rref(np.concatenate([A, B], axis=1), n, p)
    if rank_ < n:
        raise _singular(p, rank_, n)
    return np.ascontiguousarray(R[:, n:])


def solve_consistent(A: np.ndarray, B: np.ndarray, p: int) -> np.ndarray:
    """One X (n, k) with A @ X = B for A (m, n), B (m, k): pivot unknowns from the
    reduced system, free unknowns 0.

    Parameters
    ----------
    A : (m, n) uint32 array
        Entries < p, any rank.
    B : (m, k) uint32 array
        Right-hand sides, entries < p.
    p : int
        The prime.

    Returns
    -------
    (n, k) uint32 array
        A solution X.

    Raises
    ------
    SingularMatrixError
        Naming the first column of B outside the column space of A.

    Examples
    --------
    >>> from fastcode.fields.prime.linalg import solve_consistent
    >>> A = np.array([[1, 2, 3], [2, 4, 6]], dtype=np.uint32)     # rank 1
    >>> solve_consistent(A, np.array([[3], [6]], dtype=np.uint32), 7).tolist()
    [[3], [0], [0]]
    """
    n = A.shape[1]
    R, rank_, pivots, _ = rref(np.concatenate([A, B], axis=1), n, p)
    # rows below the rank have a zero A part: the system is consistent iff their B part is too
    bad = np.flatnonzero(np.any(R[rank_:, n:] != 0, axis=0))
    if len(bad):
        raise SingularMatrixError(f"A X = B has no solution over GF({p}): column {int(bad[0])} "
                                  f"of B is outside the column space of A (rank {rank_})")
    X = np.zeros((n, B.shape[1]), dtype=np.uint32)
    X[list(pivots)] = R[:rank_, n:]
    return X


def rank(A: np.ndarray, p: int) -> int:
    """Rank of the 2-D matrix A.

    Parameters
    ----------
    A : (m, n) uint32 array
        Entries < p.
    p : int
        The prime.

    Returns
    -------
    int
        The rank of A over GF(p).

    Examples
    --------
    >>> from fastcode.fields.prime.linalg import rank
    >>> rank(np.array([[1, 2, 3], [2, 4, 6]], dtype=np.uint32), 7)
    1
    >>> A = np.array([[1, 2], [3, 1]], dtype=np.uint32)       # det = -5
    >>> rank(A, 5), rank(A, 7)
    (1, 2)
    """
    return int(rref(A, A.shape[1], p)[1])


def det(A: np.ndarray, p: int) -> int:
    """Determinant of the square matrix A (an int in 0..p-1).

    Parameters
    ----------
    A : (n, n) uint32 array
        Entries < p.
    p : int
        The prime.

    Returns
    -------
    int
        det(A) in 0..p-1 (1 for a 0 x 0 matrix).

    Examples
    --------
    >>> from fastcode.fields.prime.linalg import det
    >>> det(np.array([[1, 2], [3, 4]], dtype=np.uint32), 7)      # -2 mod 7
    5
    """
    return int(rref(A, A.shape[0], p)[3]) if A.shape[0] else 1


def nullspace(A: np.ndarray, p: int) -> np.ndarray:
    """Basis of {x : A @ x = 0} as rows, shape (cols - rank, cols), in reduced
    form (one free column set to 1, the other free columns 0).

    Parameters
    ----------
    A : (m, cols) uint32 array
        Entries < p.
    p : int
        The prime.

    Returns
    -------
    (cols - rank, cols) uint32 array
        The basis, one vector per row.

    Examples
    --------
    >>> from fastcode.fields.prime.linalg import nullspace
    >>> A = np.array([[1, 2, 3], [2, 4, 6]], dtype=np.uint32)
    >>> N = nullspace(A, 7)
    >>> N.tolist(), ((A.astype(np.int64) @ N.T) % 7).tolist()
    ([[5, 1, 0], [4, 0, 1]], [[0, 0], [0, 0]])
    """
    cols = A.shape[1]
    R, rank_, pivots, _ = rref(A, cols, p)
    free = [c for c in range(cols) if c not in set(pivots)]
    N = np.zeros((len(free), cols), dtype=np.uint32)
    if free:
        N[np.arange(len(free)), free] = 1
        if rank_:
            sub = R[:rank_][:, free].astype(np.int64)      # (rank, d)
            N[:, pivots] = ((-sub) % p).T.astype(np.uint32)
    return N
