"""GF(p) in exact Python-integer arithmetic (object-dtype NumPy arrays).

Slow and obviously right: the tests compare ``fastcode.fields.prime`` with
these functions, and ``FASTCODE_BACKEND=numpy`` routes PrimeField's bulk
operations (matmul, linear algebra, NTT) here.  Inputs are integer arrays with
entries already in [0, p) (the field validates them); outputs are uint32.
"""
import numpy as np

from fastcode.errors import ShardSizeError, SingularMatrixError


def _obj(a):
    return np.asarray(a).astype(object)


def _out(x):
    return np.asarray(x, dtype=object).astype(np.uint32)


# ---- element-wise ---------------------------------------------------------

def add(a, b, p):
    return _out((_obj(a) + _obj(b)) % p)


def sub(a, b, p):
    return _out((_obj(a) - _obj(b)) % p)


def mul(a, b, p):
    return _out((_obj(a) * _obj(b)) % p)


def power(a, e, p):
    """a ** e (negative e needs a != 0, checked by the caller)."""
    a, e = np.broadcast_arrays(_obj(a), _obj(e))
    flat = [pow(int(x), int(y), p) for x, y in zip(a.ravel(), e.ravel())]
    return np.array(flat, dtype=np.uint32).reshape(a.shape)


def inv(a, p):
    return power(a, -1, p)


# ---- bulk -----------------------------------------------------------------

def matmul(A, B, p):
    """A (m, k) @ B (k, n) mod p with Python integers."""
    A, B = _obj(A), _obj(B)
    if A.shape[1] != B.shape[0]:
        raise ShardSizeError(f"A has {A.shape[1]} columns, B has {B.shape[0]} rows")
    m, k = A.shape
    n = B.shape[1]
    C = np.zeros((m, n), dtype=object)
    for t in range(k):
        C = C + np.outer(A[:, t], B[t, :])
    return _out(C % p)


def rref(A, pivot_cols, p):
    """Reduced row echelon form over the first pivot_cols columns.

    Returns (R as list of lists of ints, rank, pivot columns, det) where det is
    the product of pivots with the sign of the row swaps (0 if rank < pivot_cols)."""
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


def inv_matrix(A, p):
    A = np.asarray(A)
    n = A.shape[0]
    aug = np.concatenate([_obj(A), np.eye(n, dtype=np.int64).astype(object)], axis=1)
    M, rank, _, _ = rref(aug, n, p)
    if rank < n:
        raise SingularMatrixError(f"matrix is singular over GF({p}) (rank {rank} < {n})")
    return np.array([row[n:] for row in M], dtype=np.uint32).reshape(n, n)


def solve(A, B, p):
    A, B = np.asarray(A), np.asarray(B)
    n = A.shape[0]
    M, rank, _, _ = rref(np.concatenate([_obj(A), _obj(B)], axis=1), n, p)
    if rank < n:
        raise SingularMatrixError(f"matrix is singular over GF({p}) (rank {rank} < {n})")
    return np.array([row[n:] for row in M], dtype=np.uint32).reshape(n, B.shape[1])


def rank(A, p):
    A = np.asarray(A)
    return rref(A, A.shape[1], p)[1]


def det(A, p):
    A = np.asarray(A)
    return rref(A, A.shape[1], p)[3]


def nullspace(A, p):
    """Rows spanning {x : A @ x = 0}: shape (cols - rank, cols)."""
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


def dft(x, root, p):
    """X[i] = sum_j x[j] root^(i j) along axis 0 (the O(n^2) definition of the NTT)."""
    x = _obj(x)
    n = x.shape[0]
    W = np.array([[pow(root, i * j, p) for j in range(n)] for i in range(n)], dtype=object)
    return _out(np.tensordot(W, x, axes=(1, 0)) % p) if n else x.astype(np.uint32)


def poly_eval(coeffs, points, p):
    """sum_d coeffs[d] * x^d for each x in points: shape (len(points),) + coeffs.shape[1:]."""
    c = _obj(coeffs)
    pts = [int(x) for x in np.asarray(points).ravel()]
    V = np.array([[pow(x, d, p) for d in range(c.shape[0])] for x in pts], dtype=object)
    V = V.reshape(len(pts), c.shape[0])
    return _out(np.tensordot(V, c, axes=(1, 0)) % p)


def interpolate(points, values, p):
    """Coefficients (ascending) of the polynomial of degree < n through (points, values)."""
    pts = [int(x) for x in np.asarray(points).ravel()]
    n = len(pts)
    V = np.array([[pow(x, d, p) for d in range(n)] for x in pts], dtype=object).reshape(n, n)
    vals = _obj(values)
    flat = vals.reshape(n, -1)
    C = solve(V, flat, p)
    return C.reshape(vals.shape)
