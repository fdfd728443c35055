"""Linear algebra over GF(p) by Gauss-Jordan elimination: RREF, inverse,
solve, rank, determinant, null space.

One elimination kernel (``rref``: native C, or the exact Python-integer
reference on the "numpy" backend) and thin functions around it.  Inputs are
validated uint32 matrices with entries < p (``PrimeField`` checks shapes and
values and names the arguments); results are uint32.
"""
import numpy as np

from fastcode.errors import SingularMatrixError
from fastcode.fields.prime import kernels
from fastcode.reference import prime as reference

__all__ = ["rref", "inv_matrix", "solve", "solve_consistent", "rank", "det", "nullspace"]


def rref(M, pivot_cols, p):
    """(R, rank, pivots, det) of a copy of the uint32 matrix M reduced over GF(p),
    pivots searched in the first ``pivot_cols`` columns (the rest ride along,
    e.g. right-hand sides).  det is that of the leading square block when
    pivot_cols == rows."""
    if kernels.active():
        R = np.array(M, dtype=np.uint32, order="C", copy=True)
        rank_, pivots, det_ = kernels.native.rref(R, pivot_cols, p)
        return R, rank_, pivots, int(det_)
    R, rank_, pivots, det_ = reference.rref(M, pivot_cols, p)
    R = np.array(R, dtype=np.uint32).reshape(np.shape(M))
    return R, rank_, pivots, det_


def _singular(p, rank_, n):
    return SingularMatrixError(f"matrix is singular over GF({p}) (rank {rank_} < {n})")


def inv_matrix(A, p):
    """Inverse of the square matrix A; SingularMatrixError if singular."""
    n = A.shape[0]
    R, rank_, _, _ = rref(np.concatenate([A, np.eye(n, dtype=np.uint32)], axis=1), n, p)
    if rank_ < n:
        raise _singular(p, rank_, n)
    return np.ascontiguousarray(R[:, n:])


def solve(A, B, p):
    """X with A @ X = B for square A (n, n) and B (n, m); SingularMatrixError if singular."""
    n = A.shape[0]
    R, rank_, _, _ = rref(np.concatenate([A, B], axis=1), n, p)
    if rank_ < n:
        raise _singular(p, rank_, n)
    return np.ascontiguousarray(R[:, n:])


def solve_consistent(A, B, p):
    """One X (n, k) with A @ X = B for A (m, n), B (m, k): pivot unknowns from the
    reduced system, free unknowns 0.  SingularMatrixError naming the first
    column of B outside the column space of A."""
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


def rank(A, p):
    """Rank of the 2-D matrix A."""
    return int(rref(A, A.shape[1], p)[1])


def det(A, p):
    """Determinant of the square matrix A (an int in 0..p-1)."""
    return int(rref(A, A.shape[0], p)[3]) if A.shape[0] else 1


def nullspace(A, p):
    """Basis of {x : A @ x = 0} as rows, shape (cols - rank, cols), in reduced
    form (one free column set to 1, the other free columns 0)."""
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
