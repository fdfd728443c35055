"""Small linear-algebra helpers over any fastcode field (rank/inv_matrix/nullspace only)."""
import numpy as np

from fastcode.errors import SingularMatrixError

__all__ = ["independent_rows", "left_inverse", "left_null_space", "random_nonzero", "sub_columns"]


def independent_rows(field, G, want):
    """Indices of ``want`` linearly independent rows of G (greedy, first rows first).

    Raises SingularMatrixError if rank(G) < want.  Greedy rank tests cost
    O(rows) eliminations; G is a per-worker setup matrix (tens of rows)."""
    chosen = []
    for i in range(G.shape[0]):
        if len(chosen) == want:
            break
        if field.rank(G[chosen + [i]]) > len(chosen):
            chosen.append(i)
    if len(chosen) < want:
        raise SingularMatrixError(f"matrix of shape {G.shape} has rank {len(chosen)} < {want}")
    return chosen


def left_inverse(field, G):
    """Q of shape (c, r) with Q @ G = I_c for G (r, c) of full column rank c.

    Picks c independent rows of G and inverts them (the verification step of :ref:`dmtl-scheme`);
    the other columns of Q are zero."""
    r, c = G.shape
    Q = field.zeros((c, r))
    if c == 0:
        return Q
    rows = independent_rows(field, G, c)
    Q[:, rows] = field.inv_matrix(G[rows])
    return Q


def left_null_space(field, M):
    """Rows y (shape (r - rank, r)) spanning {y : y @ M = 0} for M (r, c)."""
    if M.shape[1] == 0:
        return field.eye(M.shape[0])
    return field.nullspace(np.ascontiguousarray(M.T))


def random_nonzero(field, shape, rng):
    """Uniform random non-zero field elements (redraws the zeros)."""
    x = field.random(shape, rng)
    zero = x == 0
    while np.any(zero):
        x[zero] = field.random(int(zero.sum()), rng)
        zero = x == 0
    return x


def sub_columns(datasets, P):
    """Sub-value column indices n*P + i (i = 0..P-1) of the given datasets, in order."""
    datasets = np.asarray(list(datasets), dtype=np.int64)
    return (datasets[:, None] * P + np.arange(P, dtype=np.int64)[None, :]).reshape(-1)
