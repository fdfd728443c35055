"""GF(2^8) in pure NumPy: tables, element-wise arithmetic, region kernels and
linear algebra, with the signatures of the native module ``_gf256``.

Polynomial 0x11d (x^8+x^4+x^3+x^2+1), generator 2.  All arrays are uint8.
"""
from __future__ import annotations

from typing import Any, List, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import ShardSizeError, SingularMatrixError

#: The field's modulus x^8+x^4+x^3+x^2+1.
POLYNOMIAL = 0x11D
#: The generator of the multiplicative group used by the tables.
GENERATOR = 2

# Element-wise operands: ints or integer arrays (they index the tables); results: a
# uint8 array, or a NumPy scalar for scalar operands.
_Ints = Union[int, "np.integer[Any]", np.ndarray]
_Elements = Union[np.ndarray, np.generic]
# Regions: a 2-D uint8 array (one row per region) or a sequence of 1-D buffers.
_Regions = Union[np.ndarray, Sequence[Any]]


def _build_tables() -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    exp = np.zeros(512, dtype=np.uint8)
    log = np.zeros(256, dtype=np.int64)
    x = 1
    for i in range(255):
        exp[i] = x
        log[x] = i
        x <<= 1
        if x & 0x100:
            x ^= POLYNOMIAL
    exp[255:510] = exp[:255]
    exp[510:] = exp[:2]
    a = np.arange(256)
    mul = exp[(log[:, None] + log[None, :])]
    mul[0, :] = 0
    mul[:, 0] = 0
    inv = np.zeros(256, dtype=np.uint8)
    inv[1:] = exp[255 - log[1:]]
    for t in (exp, mul, inv):
        t.setflags(write=False)
    return exp, log, np.ascontiguousarray(mul), inv, a


EXP, LOG, MUL, INV, _ARANGE = _build_tables()


# ---- element-wise ---------------------------------------------------------

def add(a: _Ints, b: _Ints) -> _Elements:
    """a + b (= a - b = a XOR b), broadcasting.

    Parameters
    ----------
    a, b : int or uint8 array
        Field elements.

    Returns
    -------
    uint8 array

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> gf256.add(np.array([3, 7], np.uint8), np.array([5, 7], np.uint8)).tolist()
    [6, 0]
    """
    return np.bitwise_xor(a, b)


def mul(a: _Ints, b: _Ints) -> _Elements:
    """a * b, broadcasting (a lookup in the 256 x 256 table MUL).

    Parameters
    ----------
    a, b : int or uint8 array
        Field elements.

    Returns
    -------
    uint8 array

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> gf256.mul(np.array([2, 3], np.uint8), np.array([128, 7], np.uint8)).tolist()
    [29, 9]
    """
    return MUL[a, b]


def inv(a: _Ints) -> _Elements:
    """1 / a element-wise; a must have no zeros (checked by the caller).

    Parameters
    ----------
    a : int or uint8 array
        Non-zero field elements (INV[0] is 0).

    Returns
    -------
    uint8 array

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> a = np.array([1, 2, 142], np.uint8)
    >>> gf256.inv(a).tolist(), gf256.mul(a, gf256.inv(a)).tolist()
    ([1, 142, 2], [1, 1, 1])
    """
    return INV[a]


def div(a: _Ints, b: _Ints) -> _Elements:
    """a / b element-wise; b must have no zeros (checked by the caller).

    Parameters
    ----------
    a, b : int or uint8 array
        Field elements, b non-zero.

    Returns
    -------
    uint8 array

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> gf256.div(np.array([9, 6], np.uint8), np.array([7, 3], np.uint8)).tolist()
    [3, 2]
    """
    return MUL[a, INV[b]]


def power(a: ArrayLike, e: ArrayLike) -> np.ndarray:
    """a ** e for integer e (negative e needs non-zero a, checked by the caller).

    Parameters
    ----------
    a : uint8 array_like
        Bases.
    e : int array_like
        Exponents, broadcast against ``a`` (any integer: reduced mod 255 first).

    Returns
    -------
    uint8 array
        0 ** 0 = 1, 0 ** e = 0 for e != 0.

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> gf256.power(2, np.arange(9)).tolist()          # x^8 = x^4 + x^3 + x^2 + 1
    [1, 2, 4, 8, 16, 32, 64, 128, 29]
    >>> gf256.power(np.array([0, 0, 3], np.uint8), [0, 5, -1]).tolist()
    [1, 0, 244]
    """
    a = np.asarray(a, dtype=np.uint8)
    e = np.asarray(e)
    # Reduce the exponent mod 255 (the order of the multiplicative group) in its
    # own dtype first: LOG[a] * e would overflow int64 for |e| >= 2^55, and a
    # uint64 exponent must not wrap to a negative int64.
    e = e.astype(np.uint64 if e.dtype.kind == "u" else np.int64)
    e_mod = (e % 255).astype(np.int64)
    a, e, e_mod = np.broadcast_arrays(a, e, e_mod)
    out = EXP[(LOG[a] * e_mod) % 255].astype(np.uint8)
    out = np.where(a == 0, np.where(e == 0, 1, 0), out).astype(np.uint8)
    return out


# ---- region kernels --------------------------------------------------------

def mul_region(c: int, src: np.ndarray, out: np.ndarray) -> None:
    """out[:] = c * src over 1-D uint8 regions of equal length.

    Parameters
    ----------
    c : int
        The constant, a field element.
    src : 1-D uint8 array
        Read.
    out : 1-D uint8 array
        Written in place; same length as ``src``.

    Raises
    ------
    ShardSizeError
        Regions of different lengths.

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> out = np.empty(3, np.uint8)
    >>> gf256.mul_region(2, np.array([1, 2, 3], np.uint8), out)
    >>> out.tolist()
    [2, 4, 6]
    """
    if len(out) != len(src):
        raise ShardSizeError(f"out has length {len(out)}, src has {len(src)}")
    out[:] = MUL[int(c)][src]


def mad_region(c: int, src: np.ndarray, out: np.ndarray) -> None:
    """out[:] ^= c * src over 1-D uint8 regions of equal length (multiply-add).

    Parameters
    ----------
    c : int
        The constant, a field element.
    src : 1-D uint8 array
        Read.
    out : 1-D uint8 array
        Accumulated into in place; same length as ``src``.

    Raises
    ------
    ShardSizeError
        Regions of different lengths.

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> out = np.array([1, 1, 1], np.uint8)
    >>> gf256.mad_region(2, np.array([1, 2, 3], np.uint8), out)
    >>> out.tolist()                                     # 1 + 2 * src
    [3, 5, 7]
    """
    if len(out) != len(src):
        raise ShardSizeError(f"out has length {len(out)}, src has {len(src)}")
    out ^= MUL[int(c)][src]


def _rows(regions: _Regions, count: int, name: str, writable: bool) -> List[np.ndarray]:
    if isinstance(regions, np.ndarray) and regions.ndim == 2:
        if regions.dtype != np.uint8:
            raise TypeError(f"{name} must have dtype uint8, got {regions.dtype}")
        if regions.shape[0] != count:
            raise ShardSizeError(f"{name} has {regions.shape[0]} rows, expected {count}")
        rows = [regions[i] for i in range(count)]
    else:
        if len(regions) != count:
            raise ShardSizeError(f"{name} has {len(regions)} buffers, expected {count}")
        rows = [r if isinstance(r, np.ndarray) else np.frombuffer(r, dtype=np.uint8)
                for r in regions]
    if writable and any(not r.flags.writeable for r in rows):
        raise ValueError(f"{name} is read-only")
    return rows


class DotPlan:
    """Product with a fixed (rows x k) matrix over regions; same contract as the native one.

    Parameters
    ----------
    matrix : (rows, k) uint8 array_like
        The coefficients (copied).

    Attributes
    ----------
    matrix : (rows, k) uint8 array
        The coefficients.
    rows, k : int
        Output and input regions.

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> plan = gf256.DotPlan([[1, 1], [1, 2]])
    >>> outputs = np.empty((2, 3), np.uint8)
    >>> plan.apply(np.array([[1, 2, 3], [4, 5, 6]], np.uint8), outputs)   # the region length
    3
    >>> outputs.tolist()                 # row 0: in0 + in1; row 1: in0 + 2 in1
    [[5, 7, 5], [9, 8, 15]]
    """

    def __init__(self, matrix: ArrayLike) -> None:
        self.matrix = np.array(matrix, dtype=np.uint8)
        self.rows, self.k = self.matrix.shape

    def apply(self, inputs: _Regions, outputs: _Regions, n_threads: int = 1) -> int:
        """outputs[r] = sum_j M[r, j] * inputs[j], in place.

        Parameters
        ----------
        inputs : (k, L) uint8 array or a sequence of k buffers of length L
            Read.
        outputs : (rows, L) uint8 array or a sequence of rows writeable buffers
            Written; must not overlap each other or the inputs.
        n_threads : int, default 1
            Ignored here (the native kernel's thread count).

        Returns
        -------
        int
            The region length L (0 without regions).

        Raises
        ------
        ShardSizeError
            Wrong region counts, or regions of different lengths.
        TypeError
            A 2-D array that is not uint8.
        ValueError
            Read-only outputs, or outputs overlapping each other or the inputs.
        """
        ins = _rows(inputs, self.k, "inputs", writable=False)
        outs = _rows(outputs, self.rows, "outputs", writable=True)
        lengths = {len(x) for x in ins} | {len(x) for x in outs}
        if len(lengths) > 1:
            raise ShardSizeError(f"regions have different lengths {sorted(lengths)}")
        for i, out in enumerate(outs):
            if len(out) and any(np.shares_memory(out, x) for x in ins + outs[i + 1:]):
                raise ValueError("outputs overlap each other or the inputs")
        for r, out in enumerate(outs):
            acc = np.zeros(len(out), dtype=np.uint8)
            for j, x in enumerate(ins):
                acc ^= MUL[self.matrix[r, j]][x]
            out[:] = acc
        return lengths.pop() if lengths else 0


def dot_prod(matrix: ArrayLike, inputs: _Regions, outputs: _Regions, n_threads: int = 1) -> int:
    """outputs[r] = sum_j matrix[r, j] * inputs[j]: ``DotPlan(matrix).apply(...)``.

    Parameters
    ----------
    matrix : (rows, k) uint8 array_like
        The coefficients.
    inputs, outputs, n_threads
        As in ``DotPlan.apply``.

    Returns
    -------
    int
        The region length.

    Raises
    ------
    ShardSizeError, TypeError, ValueError
        As ``DotPlan.apply``.

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> outputs = np.empty((1, 2), np.uint8)
    >>> gf256.dot_prod([[3, 1]], np.array([[1, 2], [4, 4]], np.uint8), outputs)
    2
    >>> outputs.tolist()                                 # 3 [1, 2] + [4, 4]
    [[7, 2]]
    """
    return DotPlan(matrix).apply(inputs, outputs, n_threads)


# ---- linear algebra ----------------------------------------------------------

def _eliminate(m: np.ndarray, n_pivot_cols: int, full: bool) -> Tuple[int, int]:
    """Row-reduce m in place over its first n_pivot_cols columns.
    full=True clears above pivots too (Gauss-Jordan).  Returns (rank, det)."""
    rows = m.shape[0]
    rank, det = 0, 1
    for col in range(n_pivot_cols):
        if rank == rows:
            break
        nz = np.nonzero(m[rank:, col])[0]
        if len(nz) == 0:
            continue
        piv = rank + nz[0]
        if piv != rank:
            m[[rank, piv]] = m[[piv, rank]]
        pv = int(m[rank, col])
        det = int(MUL[det, pv])
        m[rank] = MUL[INV[pv]][m[rank]]
        targets = range(rows) if full else range(rank + 1, rows)
        for r in targets:
            f = m[r, col]
            if r != rank and f:
                m[r] ^= MUL[f][m[rank]]
        rank += 1
    return rank, det


def solve(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """x with a @ x = b over GF(2^8), by Gauss-Jordan elimination.

    Parameters
    ----------
    a : (n, n) uint8 array_like
        The matrix.
    b : (n, m) uint8 array_like
        The right-hand sides.

    Returns
    -------
    (n, m) uint8 array

    Raises
    ------
    SingularMatrixError
        ``a`` is singular.
    ValueError
        ``a`` not square, or ``b`` without n rows.

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> a = np.array([[1, 1], [1, 2]], np.uint8)
    >>> x = gf256.solve(a, [[3], [5]])
    >>> x.tolist()
    [[1], [2]]
    >>> check = np.empty((2, 1), np.uint8)
    >>> _ = gf256.dot_prod(a, x, check)                 # a @ x
    >>> check.tolist()
    [[3], [5]]
    """
    a = np.asarray(a, dtype=np.uint8)
    b = np.asarray(b, dtype=np.uint8)
    n = a.shape[0]
    if a.ndim != 2 or a.shape[1] != n:
        raise ValueError(f"a must be square, got shape {a.shape}")
    if b.ndim != 2 or b.shape[0] != n:
        raise ValueError(f"b has {b.shape[0] if b.ndim else 0} rows, a has {n}")
    aug = np.concatenate([a, b], axis=1)
    rank, _ = _eliminate(aug, n, full=True)
    if rank < n:
        raise SingularMatrixError("matrix is singular over GF(2^8)")
    return np.ascontiguousarray(aug[:, n:])


def inv_matrix(a: ArrayLike) -> np.ndarray:
    """Inverse of the square matrix a.

    Parameters
    ----------
    a : (n, n) uint8 array_like

    Returns
    -------
    (n, n) uint8 array

    Raises
    ------
    SingularMatrixError
        ``a`` is singular.
    ValueError
        ``a`` not square.

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> a = np.array([[1, 1], [1, 2]], np.uint8)
    >>> gf256.inv_matrix(a).tolist()
    [[245, 244], [244, 244]]
    >>> gf256.inv_matrix(gf256.inv_matrix(a)).tolist()
    [[1, 1], [1, 2]]
    """
    a = np.asarray(a, dtype=np.uint8)
    return solve(a, np.eye(a.shape[0], dtype=np.uint8))


def rank(a: ArrayLike) -> int:
    """Rank of a 2-D matrix over GF(2^8).

    Parameters
    ----------
    a : (r, c) uint8 array_like

    Returns
    -------
    int

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> gf256.rank([[1, 2], [2, 4]]), gf256.rank([[1, 2], [2, 1]])    # 2 [1, 2] = [2, 4]
    (1, 2)
    """
    m = np.array(a, dtype=np.uint8)
    if m.size == 0:
        return 0
    return _eliminate(m, m.shape[1], full=False)[0]


def det(a: ArrayLike) -> int:
    """Determinant of a square matrix over GF(2^8).

    Parameters
    ----------
    a : (n, n) uint8 array_like

    Returns
    -------
    int
        A field element (0 iff ``a`` is singular).

    Raises
    ------
    ValueError
        ``a`` not square.

    Examples
    --------
    >>> from fastcode.reference import gf256
    >>> gf256.det([[1, 1], [1, 2]]), gf256.det([[1, 2], [2, 4]])      # 1*2 + 1*1 = 3
    (3, 0)
    """
    m = np.array(a, dtype=np.uint8)
    n = m.shape[0]
    if m.ndim != 2 or m.shape[1] != n:
        raise ValueError(f"matrix must be square, got shape {m.shape}")
    r, d = _eliminate(m, n, full=False)
    return d if r == n else 0
