"""Small linear-algebra helpers over any fastcode field (rank/inv_matrix/nullspace only)."""
from typing import Iterable, List, Tuple, Union

import numpy as np

from fastcode.errors import SingularMatrixError
from fastcode.fields.base import Field

__all__ = ["independent_rows", "left_inverse", "left_null_space", "random_nonzero", "sub_columns"]


def independent_rows(field: Field, G: np.ndarray, want: int) -> List[int]:
    """Indices of ``want`` linearly independent rows of G (greedy, first rows first).

    Greedy rank tests cost O(rows) eliminations; G is a per-worker setup matrix
    (tens of rows).

    Parameters
    ----------
    field : Field
        The field of G's entries.
    G : 2-D array of the field's dtype
        The matrix, shape (r, c).
    want : int
        How many independent rows to pick.

    Returns
    -------
    list of int
        ``want`` row indices in increasing order: row i is taken iff it is
        independent of the rows taken before it.

    Raises
    ------
    SingularMatrixError
        rank(G) < want.

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.dmtl.linalg import independent_rows
    >>> F7 = PrimeField(7)
    >>> G = F7.asarray([[1, 2], [2, 4], [0, 1], [3, 3]])
    >>> independent_rows(F7, G, 2)          # row 1 = 2 * row 0 is skipped
    [0, 2]
    """
    chosen: List[int] = []
    for i in range(G.shape[0]):
        if len(chosen) == want:
            break
        if field.rank(G[chosen + [i]]) > len(chosen):
            chosen.append(i)
    if len(chosen) < want:
        raise SingularMatrixError(f"matrix of shape {G.shape} has rank {len(chosen)} < {want}")
    return chosen


def left_inverse(field: Field, G: np.ndarray) -> np.ndarray:
    """Q of shape (c, r) with Q @ G = I_c for G (r, c) of full column rank c.

    Picks c independent rows of G and inverts them (the verification step of :ref:`dmtl-scheme`);
    the other columns of Q are zero.

    Parameters
    ----------
    field : Field
        The field of G's entries.
    G : (r, c) array of the field's dtype
        A matrix of full column rank c.

    Returns
    -------
    (c, r) array of the field's dtype
        A left inverse Q (Q @ G = I_c over the field).

    Raises
    ------
    SingularMatrixError
        G does not have full column rank.

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.dmtl.linalg import left_inverse
    >>> F7 = PrimeField(7)
    >>> G = F7.asarray([[1, 2], [2, 4], [0, 1], [3, 3]])
    >>> Q = left_inverse(F7, G)
    >>> Q.tolist()
    [[1, 0, 5, 0], [0, 0, 1, 0]]
    >>> F7.matmul(Q, G).tolist()
    [[1, 0], [0, 1]]
    """
    r, c = G.shape
    Q = field.zeros((c, r))
    if c == 0:
        return Q
    rows = independent_rows(field, G, c)
    Q[:, rows] = field.inv_matrix(G[rows])
    return Q


def left_null_space(field: Field, M: np.ndarray) -> np.ndarray:
    """Rows y (shape (r - rank, r)) spanning {y : y @ M = 0} for M (r, c).

    Parameters
    ----------
    field : Field
        The field of M's entries; it must have ``nullspace`` (the prime fields,
        the reals).
    M : (r, c) array of the field's dtype
        The matrix; with c = 0 every y qualifies.

    Returns
    -------
    (r - rank M, r) array of the field's dtype
        A basis of the left null space, one vector per row (the identity when c = 0).

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.dmtl.linalg import left_null_space
    >>> F7 = PrimeField(7)
    >>> M = F7.asarray([[1, 2], [2, 4], [0, 1]])
    >>> Y = left_null_space(F7, M)
    >>> Y.tolist(), F7.matmul(Y, M).tolist()
    ([[5, 1, 0]], [[0, 0]])
    """
    if M.shape[1] == 0:
        return field.eye(M.shape[0])
    # Field declares no nullspace (GF(2^8) has none); the fields used here (prime, reals) define it.
    return field.nullspace(np.ascontiguousarray(M.T))  # type: ignore[attr-defined]


def random_nonzero(field: Field, shape: Union[int, Tuple[int, ...]],
                   rng: np.random.Generator) -> np.ndarray:
    """Uniform random non-zero field elements (redraws the zeros).

    Parameters
    ----------
    field : Field
        The field to draw from.
    shape : int or tuple of int
        Shape of the result.
    rng : numpy.random.Generator
        The source of randomness.

    Returns
    -------
    array of the field's dtype, shape ``shape``
        Elements uniform on the non-zero field elements.

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.dmtl.linalg import random_nonzero
    >>> x = random_nonzero(PrimeField(3), (4, 5), np.random.default_rng(0))
    >>> x.shape, bool(np.all((x == 1) | (x == 2)))
    ((4, 5), True)
    """
    x = field.random(shape, rng)
    zero = x == 0
    while np.any(zero):
        x[zero] = field.random(int(zero.sum()), rng)
        zero = x == 0
    return x


def sub_columns(datasets: Iterable[int], P: int) -> np.ndarray:
    """Sub-value column indices n*P + i (i = 0..P-1) of the given datasets, in order.

    Parameters
    ----------
    datasets : iterable of int
        Dataset indices n.
    P : int
        Subpacketisation: sub-values per value.

    Returns
    -------
    (len(datasets) P,) int64 array
        The columns of V (or of U, D) holding those datasets' sub-values.

    Examples
    --------
    >>> from fastcode.schemes.dmtl.linalg import sub_columns
    >>> sub_columns([0, 2], 3).tolist()
    [0, 1, 2, 6, 7, 8]
    """
    idx = np.asarray(list(datasets), dtype=np.int64)
    return (idx[:, None] * P + np.arange(P, dtype=np.int64)[None, :]).reshape(-1)
