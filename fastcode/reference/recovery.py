"""Gradient-code recovery in plain NumPy: the twin of ``fastcode/codes/_recovery.pyx``.

Slow and obviously right: the tests compare the compiled kernels with these
functions, and a source tree without its compiled extensions, imported under
``FASTCODE_BACKEND=numpy``, runs the gradient codes on them.  Same signatures,
results and errors as the compiled module:

- ``parse_responders(responders, n) -> (idx int64 (k,), key bytes, ascending)``;
- ``sparse_lstsq(indptr, indices, data, rows, ncols, target, rank_tol)
  -> (a (k, r), residual (r,), rank_ok)``, here by a dense Householder QR;
- ``combine(W (m, k), rows, out (m, L))``: ``out[u] = sum_i W[u, i] rows[i]``.
"""
from __future__ import annotations

from typing import Any, Iterable, List, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import InvalidArgumentError, ShardSizeError

__all__ = ["KERNEL", "parse_responders", "sparse_lstsq", "combine", "set_kernel", "read_probe"]

#: The combine kernel in use (the compiled module reports "avx2+fma" or "baseline").
KERNEL = "numpy"


def set_kernel(name: str) -> None:
    """Choose the combine kernel: only the NumPy kernel exists here.

    Parameters
    ----------
    name : str
        "numpy" (the compiled module also takes "avx2+fma" and "baseline").

    Raises
    ------
    ValueError
        Any other name.

    Examples
    --------
    >>> from fastcode.reference import recovery
    >>> recovery.set_kernel("numpy")
    >>> recovery.KERNEL
    'numpy'
    """
    if name != "numpy":
        raise ValueError(f"the NumPy reference has only the 'numpy' kernel, got {name!r}")


def _as_ids(responders: Any) -> List[int]:
    if isinstance(responders, (list, tuple)):
        ids = []
        for i, item in enumerate(responders):
            if isinstance(item, bool) or not isinstance(item, (int, np.integer)):
                raise InvalidArgumentError(f"responders must hold integer worker ids, got "
                                           f"{item!r} at position {i}")
            ids.append(int(item))
        return ids
    try:
        raw = np.asarray(responders)
    except (TypeError, ValueError, OverflowError):
        raise InvalidArgumentError(f"responders must be a sequence of worker ids (integers), "
                                   f"got {responders!r:.80}") from None
    if raw.ndim != 1:
        raise InvalidArgumentError(f"responders must be a 1-D sequence of worker ids, "
                                   f"got shape {raw.shape}")
    if raw.dtype.kind not in "iu" and raw.size:
        raise InvalidArgumentError(f"responders must hold integer worker ids, got dtype {raw.dtype}")
    return [int(v) for v in raw]


def parse_responders(responders: Iterable[int], n: int) -> Tuple[np.ndarray, bytes, bool]:
    """The responders as an index array, a set key and an order flag.

    Parameters
    ----------
    responders : sequence of int or 1-D integer array
        Distinct worker ids, any order (a list, tuple, range or array: anything
        ``np.asarray`` makes a 1-D integer array of).
    n : int
        Number of workers: ids lie in [0, n).

    Returns
    -------
    idx : (k,) int64 array
        A fresh array of the ids, in the given order.
    key : bytes
        The bitmask of the set, (n + 7) // 8 bytes: bit i of byte i // 8 set iff
        worker i responded (the cache key of the decode weights).
    ascending : bool
        Whether ``idx`` is strictly increasing.

    Raises
    ------
    InvalidArgumentError
        Ids outside [0, n), duplicates, non-integers, or not 1-D.

    Examples
    --------
    >>> from fastcode.reference.recovery import parse_responders
    >>> idx, key, ascending = parse_responders([3, 0, 5], 8)
    >>> idx.tolist(), key, ascending              # bits 0, 3 and 5: 0b101001
    ([3, 0, 5], b')', False)
    >>> parse_responders([0, 3, 5], 8)[1:]        # the same set, the same key
    (b')', True)
    """
    ids = _as_ids(responders)
    key = bytearray((n + 7) // 8)
    for v in ids:
        if not 0 <= v < n:
            raise InvalidArgumentError(f"responder id {v} outside [0, {n})")
        if key[v >> 3] & (1 << (v & 7)):
            raise InvalidArgumentError(f"responder id {v} appears more than once")
        key[v >> 3] |= 1 << (v & 7)
    idx = np.array(ids, dtype=np.int64)
    ascending = bool(np.all(idx[1:] > idx[:-1])) if idx.size > 1 else True
    return idx, bytes(key), ascending


def sparse_lstsq(indptr: ArrayLike, indices: ArrayLike, data: ArrayLike, rows: ArrayLike,
                 ncols: int, target: ArrayLike,
                 rank_tol: float) -> Tuple[np.ndarray, np.ndarray, bool]:
    """Least squares for ``B[rows, :]^T a = target``, B given by its CSR rows.

    Here by a dense Householder QR of M = B[rows, :]^T (the compiled twin works on
    the sparse rows).

    Parameters
    ----------
    indptr : (n + 1,) int64 array
        CSR row pointers of B (n, ncols).
    indices, data : (nnz,) int64 and float64 arrays
        CSR column indices and values (repeated indices add up).
    rows : (k,) int64 array
        The rows of B taken (the responders), k <= ncols.
    ncols : int
        Columns of B.
    target : (ncols, r) float64 array
        The right-hand sides t.
    rank_tol : float
        Relative tolerance of the rank check.

    Returns
    -------
    a : (k, r) float64 array
        The solution (zero when ``rank_ok`` is False).
    residual : (r,) float64 array
        ||M a - t|| per column.
    rank_ok : bool
        False when some |R[c, c]| of the QR of M is <= rank_tol * its largest
        column norm.

    Raises
    ------
    ShardSizeError
        ``target`` without ncols rows, CSR arrays of mismatched lengths or
        ``indptr`` past their end, or k > ncols (underdetermined).
    InvalidArgumentError
        A row outside [0, n) or a column index outside [0, ncols).

    Examples
    --------
    Worker 0 holds parts 0, 1 and worker 1 parts 1, 2; the best weights for the sum
    of the three parts:

    >>> from fastcode.reference.recovery import sparse_lstsq
    >>> indptr, indices, data = [0, 2, 4], [0, 1, 1, 2], [1.0, 1.0, 1.0, 1.0]
    >>> a, residual, ok = sparse_lstsq(indptr, indices, data, [0, 1], 3, np.ones((3, 1)), 1e-11)
    >>> a.round(4).tolist(), residual.round(4).tolist(), ok
    ([[0.6667], [0.6667]], [0.5774], True)
    """
    indptr, indices = np.asarray(indptr, np.int64), np.asarray(indices, np.int64)
    data, rows = np.asarray(data, np.float64), np.asarray(rows, np.int64)
    target = np.asarray(target, np.float64)
    N, k, r = int(ncols), rows.shape[0], target.shape[1]
    nrows_B = indptr.shape[0] - 1
    if target.shape[0] != N:
        raise ShardSizeError(f"target must have {N} rows, got {target.shape[0]}")
    if indices.shape[0] != data.shape[0] or indptr.shape[0] < 1:
        raise ShardSizeError("CSR arrays disagree in length")
    if k > N:
        raise ShardSizeError(f"more unknowns ({k}) than equations ({N}): least squares is "
                             "underdetermined here")
    for v in rows:
        if not 0 <= v < nrows_B:
            raise InvalidArgumentError(f"row {v} outside [0, {nrows_B})")
    if indptr[nrows_B] > indices.shape[0]:
        raise ShardSizeError("indptr points past the end of indices")
    bad = indices[(indices < 0) | (indices >= N)]
    if bad.size:
        raise InvalidArgumentError(f"CSR column index {bad[0]} outside [0, {N})")
    M = np.zeros((N, k))
    for c, row in enumerate(rows):
        span = slice(indptr[row], indptr[row + 1])
        np.add.at(M[:, c], indices[span], data[span])       # repeated indices add up
    out, res = np.zeros((k, r)), np.zeros(r)
    if k == 0:
        return out, np.linalg.norm(target, axis=0), True
    maxnorm = float(np.linalg.norm(M, axis=0).max())
    Q, R = np.linalg.qr(M, mode="complete")
    if np.any(np.abs(np.diag(R)) <= rank_tol * maxnorm):
        return out, res, False
    QtT = Q.T @ target
    out = np.linalg.solve(np.triu(R[:k]), QtT[:k])
    return out, np.linalg.norm(QtT[k:], axis=0), True


def combine(W: ArrayLike, rows: Union[np.ndarray, Sequence[np.ndarray]],
            out: np.ndarray) -> None:
    """out[u, :] = sum_i W[u, i] * rows[i] for u < m, in place.

    Parameters
    ----------
    W : (m, k) float64 array
        The weights (an all-zero column's row is not read).
    rows : (k, L) float64 array or a sequence of k 1-D float64 arrays of length L
        C-contiguous.
    out : (m, L) float64 array
        Written in place.

    Raises
    ------
    ShardSizeError
        ``rows`` not C-contiguous float64, of the wrong count or of unequal
        lengths, or ``out`` not (m, L).

    Examples
    --------
    >>> from fastcode.reference.recovery import combine
    >>> out = np.empty((1, 3))
    >>> combine(np.array([[1.0, 2.0]]), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), out)
    >>> out.tolist()
    [[9.0, 12.0, 15.0]]
    """
    W = np.asarray(W, dtype=np.float64)
    m, k = W.shape
    if isinstance(rows, np.ndarray):
        if rows.ndim != 2 or rows.dtype != np.float64 or not rows.flags.c_contiguous:
            raise ShardSizeError("rows must be a C-contiguous 2-D float64 array")
        if rows.shape[0] != k:
            raise ShardSizeError(f"rows has {rows.shape[0]} vectors, weights have {k}")
        Y = rows
    else:
        if len(rows) != k:
            raise ShardSizeError(f"rows has {len(rows)} vectors, weights have {k}")
        for i, row in enumerate(rows):
            if (not isinstance(row, np.ndarray) or row.ndim != 1 or row.dtype != np.float64
                    or not row.flags.c_contiguous):
                raise ShardSizeError(f"rows[{i}] must be a contiguous 1-D float64 array")
            if row.shape[0] != rows[0].shape[0]:
                raise ShardSizeError(f"rows[{i}] has length {row.shape[0]}, "
                                     f"expected {rows[0].shape[0]}")
        Y = np.stack(rows) if k else np.zeros((0, 0))     # no rows: length 0, as compiled
    if out.shape != (m, Y.shape[1]):
        raise ShardSizeError(f"out must have shape {(m, Y.shape[1])}, got {tuple(out.shape)[:2]}")
    live = np.flatnonzero(np.any(W != 0, axis=0))       # all-zero weights: row not read
    out[...] = W[:, live] @ Y[live] if live.size else 0.0


def read_probe(x: ArrayLike) -> float:
    """Sum of x (the benchmarks' memory-read probe).

    Parameters
    ----------
    x : array
        Any numeric array.

    Returns
    -------
    float

    Examples
    --------
    >>> from fastcode.reference.recovery import read_probe
    >>> read_probe(np.ones(5))
    5.0
    """
    return float(np.sum(x))
