"""GF(2^16) in pure NumPy, and the additive-FFT Reed-Solomon codec over it.

Field: polynomial x^16+x^5+x^3+x^2+1 (0x1002D), elements written in the Cantor
basis v_0..v_15 below (v_0 = 1, v_i^2 + v_i = v_{i-1}): the uint16 value
b_15..b_0 stands for the field element sum_i b_i v_i.  This is the element
representation of Leopard-RS and reed-solomon-simd, so their shards and ours
hold the same numbers.  Addition is XOR in any basis; products go through the
log/exp tables (logs to the base x of the polynomial basis, mod 65535).

Codec (Lin-Han-Chung additive FFT in the novel polynomial basis): the point
with index j is the element omega_j = value j.  Because the basis is a Cantor
basis, the normalised subspace polynomial of layer i evaluates as
W_i(omega_x) = omega_{x >> i}, so the twiddle of the butterfly block at point
x of layer i is simply the element x >> i.

Everything here is slow and obviously right; the native codec
(fastcode.fields._gf65536) is tested against it.  Symbols are uint16.
"""
from __future__ import annotations

from typing import Iterable, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import SingularMatrixError

#: The field's modulus x^16+x^5+x^3+x^2+1.
POLYNOMIAL = 0x1002D
#: Elements of the field.
ORDER = 65536
#: Order of the multiplicative group; also the "log of zero" of LOG.
MODULUS = 65535
#: The Cantor basis v_0..v_15 (polynomial-basis values) the elements are written in.
CANTOR_BASIS = (0x0001, 0xACCA, 0x3C0E, 0x163E, 0xC582, 0xED2E, 0x914C, 0x4012,
                0x6C98, 0x10D8, 0x6A72, 0xB900, 0xFDB8, 0xFB34, 0xFF38, 0x991E)


def _build_tables() -> Tuple[np.ndarray, np.ndarray]:
    # powers of x in the polynomial basis
    poly_exp = np.zeros(MODULUS, dtype=np.int64)
    x = 1
    for i in range(MODULUS):
        poly_exp[i] = x
        x <<= 1
        if x & 0x10000:
            x ^= POLYNOMIAL
    poly_log = np.zeros(ORDER, dtype=np.int64)
    poly_log[poly_exp] = np.arange(MODULUS)
    # Cantor value -> polynomial-basis value (linear: XOR of basis images)
    to_poly = np.zeros(ORDER, dtype=np.int64)
    for bit, v in enumerate(CANTOR_BASIS):
        width = 1 << bit
        to_poly[width:2 * width] = to_poly[:width] ^ v
    log = poly_log[to_poly]
    log[0] = MODULUS  # never used as a log: zero is special-cased
    exp = np.zeros(2 * MODULUS + 1, dtype=np.uint16)
    exp[log[1:]] = np.arange(1, ORDER)
    exp[MODULUS:2 * MODULUS] = exp[:MODULUS]
    exp[2 * MODULUS] = exp[0]
    for t in (exp, log):
        t.setflags(write=False)
    return exp, log


EXP, LOG = _build_tables()


# ---- element-wise ---------------------------------------------------------

def add(a: ArrayLike, b: ArrayLike) -> Union[np.ndarray, np.generic]:
    """a + b (= a - b = a XOR b), broadcasting.

    Parameters
    ----------
    a, b : uint16 array_like
        Field elements.

    Returns
    -------
    uint16 array (a NumPy scalar for scalar operands)

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> gf65536.add(np.array([3, 1000], np.uint16), np.array([5, 7], np.uint16)).tolist()
    [6, 1007]
    """
    return np.bitwise_xor(a, b)


def mul(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """a * b element-wise (uint16), broadcasting, through the log/exp tables.

    Parameters
    ----------
    a, b : uint16 array_like
        Field elements (Cantor-basis values).

    Returns
    -------
    uint16 array

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> gf65536.mul(np.array([3, 1000], np.uint16), np.array([5, 7], np.uint16)).tolist()
    [12, 3368]
    """
    a = np.asarray(a, dtype=np.uint16)
    b = np.asarray(b, dtype=np.uint16)
    out = EXP[LOG[a] + LOG[b]]
    return np.where((a == 0) | (b == 0), np.uint16(0), out).astype(np.uint16)


def mul_log(a: ArrayLike, log_c: int) -> np.ndarray:
    """a * c for c given by its log (0..65534).

    Parameters
    ----------
    a : uint16 array_like
        Field elements.
    log_c : int
        LOG[c] of the non-zero constant c.

    Returns
    -------
    uint16 array

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> a = np.array([3, 1000], np.uint16)
    >>> gf65536.mul_log(a, int(gf65536.LOG[5])).tolist() == gf65536.mul(a, 5).tolist()
    True
    """
    a = np.asarray(a, dtype=np.uint16)
    return np.where(a == 0, np.uint16(0), EXP[LOG[a] + int(log_c)]).astype(np.uint16)


def inv(a: ArrayLike) -> np.ndarray:
    """1 / a element-wise; a must have no zeros (checked by the caller).

    Parameters
    ----------
    a : uint16 array_like
        Non-zero field elements.

    Returns
    -------
    uint16 array

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> a = np.array([3, 1000], np.uint16)
    >>> gf65536.mul(a, gf65536.inv(a)).tolist()
    [1, 1]
    """
    a = np.asarray(a, dtype=np.uint16)
    return EXP[(MODULUS - LOG[a]) % MODULUS].astype(np.uint16)


def div(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """a / b element-wise; b must have no zeros (checked by the caller).

    Parameters
    ----------
    a, b : uint16 array_like
        Field elements, b non-zero.

    Returns
    -------
    uint16 array

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> gf65536.div(np.array([12, 3368], np.uint16), np.array([5, 7], np.uint16)).tolist()
    [3, 1000]
    """
    return mul(a, inv(b))


def power(a: ArrayLike, e: ArrayLike) -> np.ndarray:
    """a ** e for integer e (negative e needs non-zero a, checked by the caller).

    Parameters
    ----------
    a : uint16 array_like
        Bases.
    e : int array_like
        Exponents, broadcast against ``a`` (reduced mod 65535 first).

    Returns
    -------
    uint16 array
        0 ** 0 = 1, 0 ** e = 0 for e != 0.

    Examples
    --------
    In the Cantor basis the value 2 is v_1, a root of x^2 + x + 1: its order is 3.

    >>> from fastcode.reference import gf65536
    >>> gf65536.power(2, np.arange(5)).tolist()
    [1, 2, 3, 1, 2]
    """
    a = np.asarray(a, dtype=np.uint16)
    e = np.asarray(e)
    e = e.astype(np.uint64 if e.dtype.kind == "u" else np.int64)
    e_mod = (e % MODULUS).astype(np.int64)
    a, e, e_mod = np.broadcast_arrays(a, e, e_mod)
    out = EXP[(LOG[a] * e_mod) % MODULUS].astype(np.uint16)
    return np.where(a == 0, np.where(e == 0, 1, 0), out).astype(np.uint16)


# ---- small dense linear algebra (Gauss-Jordan) -------------------------------

def _eliminate(m: np.ndarray, n_pivot_cols: int, full: bool) -> Tuple[int, int]:
    """Row-reduce m in place over its first n_pivot_cols columns; returns (rank, det)."""
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
        det = int(mul(det, pv))
        m[rank] = mul(m[rank], inv(pv))
        targets = range(rows) if full else range(rank + 1, rows)
        for r in targets:
            f = int(m[r, col])
            if r != rank and f:
                m[r] ^= mul(m[rank], f)
        rank += 1
    return rank, det


def solve(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """x with a @ x = b over GF(2^16), by Gauss-Jordan elimination.

    Parameters
    ----------
    a : (n, n) uint16 array_like
    b : (n, m) uint16 array_like

    Returns
    -------
    (n, m) uint16 array

    Raises
    ------
    SingularMatrixError
        ``a`` is singular.

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> a = np.array([[1, 1], [1, 2]], np.uint16)
    >>> x = gf65536.solve(a, [[3], [5]])
    >>> gf65536.matmul(a, x).tolist()
    [[3], [5]]
    """
    a = np.asarray(a, dtype=np.uint16)
    b = np.asarray(b, dtype=np.uint16)
    n = a.shape[0]
    aug = np.concatenate([a, b], axis=1)
    rank, _ = _eliminate(aug, n, full=True)
    if rank < n:
        raise SingularMatrixError("matrix is singular over GF(2^16)")
    return np.ascontiguousarray(aug[:, n:])


def inv_matrix(a: ArrayLike) -> np.ndarray:
    """Inverse of the square matrix a.

    Parameters
    ----------
    a : (n, n) uint16 array_like

    Returns
    -------
    (n, n) uint16 array

    Raises
    ------
    SingularMatrixError
        ``a`` is singular.

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> a = np.array([[1, 1], [1, 2]], np.uint16)
    >>> gf65536.matmul(a, gf65536.inv_matrix(a)).tolist()
    [[1, 0], [0, 1]]
    """
    a = np.asarray(a, dtype=np.uint16)
    return solve(a, np.eye(a.shape[0], dtype=np.uint16))


def rank(a: ArrayLike) -> int:
    """Rank of a 2-D matrix over GF(2^16).

    Parameters
    ----------
    a : (r, c) uint16 array_like

    Returns
    -------
    int

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> gf65536.rank([[1, 2], [2, 3]]), gf65536.rank([[1, 2], [2, 1]])   # 2 * 2 = 3 here
    (1, 2)
    """
    m = np.array(a, dtype=np.uint16)
    if m.size == 0:
        return 0
    return _eliminate(m, m.shape[1], full=False)[0]


def det(a: ArrayLike) -> int:
    """Determinant of a square matrix over GF(2^16) (1 for the empty matrix).

    Parameters
    ----------
    a : (n, n) uint16 array_like

    Returns
    -------
    int
        A field element (0 iff ``a`` is singular).

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> gf65536.det([[1, 1], [1, 2]])                  # 2 - 1 = 2 XOR 1
    3
    """
    m = np.array(a, dtype=np.uint16)
    if m.shape[0] == 0:
        return 1
    r, d = _eliminate(m, m.shape[1], full=False)
    return d if r == m.shape[0] else 0


def matmul(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """a @ b over GF(2^16).

    Parameters
    ----------
    a : (r, k) uint16 array_like
    b : (k, L) uint16 array_like

    Returns
    -------
    (r, L) uint16 array

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> gf65536.matmul([[1, 1]], [[3], [5]]).tolist()  # 3 XOR 5
    [[6]]
    """
    a = np.asarray(a, dtype=np.uint16)
    b = np.asarray(b, dtype=np.uint16)
    out = np.zeros((a.shape[0],) + b.shape[1:], dtype=np.uint16)
    for j in range(a.shape[1]):
        out ^= mul(a[:, j].reshape((-1,) + (1,) * (b.ndim - 1)), b[j])
    return out


# ---- shard bytes <-> symbols ----------------------------------------------------

def shards_to_symbols(shards: ArrayLike) -> np.ndarray:
    """Shard bytes to field symbols, in reed-solomon-simd's layout.

    Each whole 64-byte chunk holds the low bytes of 32 symbols, then their high
    bytes; a last partial chunk of t bytes holds t/2 low bytes, then t/2 high.

    Parameters
    ----------
    shards : (rows, L) uint8 array_like
        L even.

    Returns
    -------
    (rows, L/2) uint16 array

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> gf65536.shards_to_symbols(np.arange(8, dtype=np.uint8).reshape(1, 8)).tolist()
    [[1024, 1281, 1538, 1795]]
    """
    shards = np.asarray(shards, dtype=np.uint8)
    rows, length = shards.shape
    whole = length - length % 64
    body = shards[:, :whole].reshape(rows, -1, 2, 32).astype(np.uint16)
    parts = [(body[:, :, 0, :] | (body[:, :, 1, :] << 8)).reshape(rows, -1)]
    half = (length - whole) // 2
    tail = shards[:, whole:].astype(np.uint16)
    parts.append(tail[:, :half] | (tail[:, half:] << 8))
    return np.ascontiguousarray(np.concatenate(parts, axis=1))


def symbols_to_shards(symbols: ArrayLike) -> np.ndarray:
    """Inverse of shards_to_symbols: field symbols back to shard bytes.

    Parameters
    ----------
    symbols : (rows, S) uint16 array_like

    Returns
    -------
    (rows, 2S) uint8 array

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> shards = np.arange(8, dtype=np.uint8).reshape(1, 8)
    >>> gf65536.symbols_to_shards(gf65536.shards_to_symbols(shards)).tolist()
    [[0, 1, 2, 3, 4, 5, 6, 7]]
    """
    symbols = np.asarray(symbols, dtype=np.uint16)
    rows, count = symbols.shape
    whole = count - count % 32
    lo = (symbols & 0xFF).astype(np.uint8)
    hi = (symbols >> 8).astype(np.uint8)
    body = np.stack([lo[:, :whole].reshape(rows, -1, 32), hi[:, :whole].reshape(rows, -1, 32)],
                    axis=2).reshape(rows, -1)
    return np.ascontiguousarray(np.concatenate([body, lo[:, whole:], hi[:, whole:]], axis=1))


# ---- additive FFT in the novel polynomial basis --------------------------------

def _twiddle_log(x: int, layer: int) -> Optional[int]:
    """log of W_layer(omega_x) = omega_{x >> layer}, or None for zero."""
    v = x >> layer
    return None if v == 0 else int(LOG[v])


def fft(work: np.ndarray, size: int, delta: int) -> None:
    """In-place FFT of rows work[0:size]: polynomial in the novel basis -> values.

    Parameters
    ----------
    work : (>= size, S) uint16 array
        Rows 0..size-1 hold the coefficients; overwritten with the values at the
        points delta .. delta+size-1.
    size : int
        A power of two.
    delta : int
        The first point (a multiple of ``size``).

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> work = np.array([[1], [2], [3], [4]], np.uint16)
    >>> gf65536.ifft(work, 4, 0)                         # values -> coefficients
    >>> work.ravel().tolist()
    [1, 3, 8, 4]
    >>> gf65536.fft(work, 4, 0)                          # and back
    >>> work.ravel().tolist()
    [1, 2, 3, 4]
    """
    dist = size // 2
    layer = dist.bit_length() - 1
    while dist:
        for r in range(0, size, 2 * dist):
            log_c = _twiddle_log(r + delta, layer)
            x, y = work[r:r + dist], work[r + dist:r + 2 * dist]
            if log_c is not None:
                x ^= mul_log(y, log_c)
            y ^= x
        dist //= 2
        layer -= 1


def ifft(work: np.ndarray, size: int, delta: int) -> None:
    """Inverse of fft, in place: values at points delta.. -> novel-basis coefficients.

    Parameters
    ----------
    work : (>= size, S) uint16 array
        Rows 0..size-1, overwritten.
    size : int
        A power of two.
    delta : int
        The first point (a multiple of ``size``).

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> work = np.array([[1], [2], [3], [4]], np.uint16)
    >>> gf65536.ifft(work, 4, 0)
    >>> gf65536.fft(work, 4, 0)
    >>> work.ravel().tolist()
    [1, 2, 3, 4]
    """
    dist, layer = 1, 0
    while dist < size:
        for r in range(0, size, 2 * dist):
            log_c = _twiddle_log(r + delta, layer)
            x, y = work[r:r + dist], work[r + dist:r + 2 * dist]
            y ^= x
            if log_c is not None:
                x ^= mul_log(y, log_c)
        dist *= 2
        layer += 1


def formal_derivative(work: np.ndarray, size: int) -> None:
    """Formal derivative of the polynomial with novel-basis coefficients work[0:size], in place.

    With a Cantor basis every W_i has derivative 1, so by the product rule
    D(X_k) = sum over the set bits i of k of X_{k - 2^i}: the new coefficient j
    is the sum of the old ones at j + 2^i for each clear bit i of j.  Rows are
    rewritten in ascending order, each reading only rows above it (still old).

    Parameters
    ----------
    work : (>= size, S) uint16 array
        Coefficient rows, overwritten with the derivative's.
    size : int
        Rows of the polynomial.

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> work = np.array([[0], [1], [0], [0]], np.uint16)     # X_1
    >>> gf65536.formal_derivative(work, 4)
    >>> work.ravel().tolist()                                # D(X_1) = X_0
    [1, 0, 0, 0]
    """
    for j in range(size):
        acc = np.zeros_like(work[j])
        bit = 1
        while j + bit < size:
            if not j & bit:
                acc ^= work[j + bit]
            bit <<= 1
        work[j] = acc


def _next_pow2(n: int) -> int:
    return 1 << max(0, (int(n) - 1).bit_length())


def uses_high_rate(k: int, m: int) -> bool:
    """The layout reed-solomon-simd picks for k originals and m recovery shards.

    High rate: recovery at points 0..m-1, originals at m_pow2 + i.  Low rate:
    originals at points i, recovery at k_pow2 + r.  With equal powers of two
    the "wrong" layout is chosen (it decodes faster), as the crate does.

    Parameters
    ----------
    k, m : int
        Original and recovery shards.

    Returns
    -------
    bool
        True for the high-rate layout.

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> gf65536.uses_high_rate(4, 2), gf65536.uses_high_rate(2, 4), gf65536.uses_high_rate(3, 3)
    (True, False, True)
    """
    kp, mp = _next_pow2(k), _next_pow2(m)
    if kp != mp:
        return kp > mp
    return k <= m


def supports(k: int, m: int) -> bool:
    """Whether (k, m) is a supported pair: both >= 1 and min_pow2 + max <= 65536.

    Parameters
    ----------
    k, m : int
        Original and recovery shards.

    Returns
    -------
    bool

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> gf65536.supports(4, 2), gf65536.supports(60000, 10000)
    (True, False)
    """
    if k < 1 or m < 1 or k > MODULUS or m > MODULUS:
        return False
    return min(_next_pow2(k), _next_pow2(m)) + max(k, m) <= ORDER


def encode_symbols(data: ArrayLike, m: int) -> np.ndarray:
    """Recovery symbols of the original symbols ``data``.

    Parameters
    ----------
    data : (k, S) uint16 array_like
        The k original shards' symbols.
    m : int
        Recovery shards; ``supports(k, m)`` must hold.

    Returns
    -------
    (m, S) uint16 array

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> data = np.array([[1, 2], [3, 4], [5, 6]], np.uint16)
    >>> recovery = gf65536.encode_symbols(data, 2)
    >>> recovery.tolist()
    [[5, 1], [2, 1]]
    >>> shards = np.vstack([data, recovery])             # shard numbers 0..4
    >>> gf65536.decode_symbols(3, 2, [0, 3, 4], shards[[0, 3, 4]]).tolist()
    [[1, 2], [3, 4], [5, 6]]
    """
    data = np.asarray(data, dtype=np.uint16)
    k, s = data.shape
    if uses_high_rate(k, m):
        chunk = _next_pow2(m)
        acc = np.zeros((chunk, s), dtype=np.uint16)
        for start in range(0, k, chunk):
            tmp = np.zeros((chunk, s), dtype=np.uint16)
            part = data[start:start + chunk]
            tmp[:len(part)] = part
            ifft(tmp, chunk, start + chunk)
            acc ^= tmp
        fft(acc, chunk, 0)
        return acc[:m].copy()
    chunk = _next_pow2(k)
    coef = np.zeros((chunk, s), dtype=np.uint16)
    coef[:k] = data
    ifft(coef, chunk, 0)
    out = np.zeros((m, s), dtype=np.uint16)
    for start in range(0, m, chunk):
        tmp = coef.copy()
        fft(tmp, chunk, start + chunk)
        rows = min(chunk, m - start)
        out[start:start + rows] = tmp[:rows]
    return out


def walsh_hadamard(v: ArrayLike) -> np.ndarray:
    """Unnormalised Walsh-Hadamard transform of an int64 vector, mod 65535.

    Parameters
    ----------
    v : int array_like
        Length a power of two.

    Returns
    -------
    int64 array
        Entries in [0, 65535).

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> gf65536.walsh_hadamard([1, 0, 0, 0]).tolist()
    [1, 1, 1, 1]
    >>> gf65536.walsh_hadamard([1, 2, 3, 4]).tolist()       # [10, -2, -4, 0] mod 65535
    [10, 65533, 65531, 0]
    """
    v = np.array(v, dtype=np.int64)
    n = len(v)
    dist = 1
    while dist < n:
        v = v.reshape(-1, 2, dist)
        a, b = v[:, 0, :].copy(), v[:, 1, :].copy()
        v[:, 0, :] = (a + b) % MODULUS
        v[:, 1, :] = (a - b) % MODULUS
        v = v.reshape(n)
        dist *= 2
    return v


def error_locator_logs(erased: Iterable[int], size: int) -> np.ndarray:
    """log E'(omega_i) for the positions i < size, E(x) = prod_{j erased} (x + omega_j).

    That is sum_j erased[j] * log(omega_i + omega_j) with log 0 read as 0, an XOR
    convolution computed with two Walsh-Hadamard transforms (WH twice is size *
    identity; 1/size = 2^(16-t) mod 65535).

    Parameters
    ----------
    erased : iterable of int
        The erased positions, in [0, size).
    size : int
        A power of two.

    Returns
    -------
    (size,) int64 array
        Logs mod 65535.

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> logs = gf65536.error_locator_logs([1], 4)      # E(x) = x + omega_1
    >>> logs.tolist() == [int(gf65536.LOG[i ^ 1]) if i != 1 else 0 for i in range(4)]
    True
    """
    ind = np.zeros(size, dtype=np.int64)
    ind[np.asarray(erased, dtype=np.int64)] = 1
    logs = LOG[:size].copy()
    logs[0] = 0
    prod = (walsh_hadamard(ind) * walsh_hadamard(logs)) % MODULUS
    out = walsh_hadamard(prod)
    scale = pow(2, 16 - (size.bit_length() - 1), MODULUS)
    return (out * scale) % MODULUS


def decode_symbols(k: int, m: int, received: Iterable[int], symbols: ArrayLike) -> np.ndarray:
    """Original symbols from any k received shards' symbols.

    Parameters
    ----------
    k, m : int
        Original and recovery shards of the code.
    received : iterable of int
        Shard numbers (0..k-1 originals, k..k+m-1 recovery), at least k of them.
    symbols : (len(received), S) uint16 array_like
        Their symbols, in the same order.

    Returns
    -------
    (k, S) uint16 array

    Examples
    --------
    >>> from fastcode.reference import gf65536
    >>> data = np.array([[1, 2], [3, 4], [5, 6]], np.uint16)
    >>> shards = np.vstack([data, gf65536.encode_symbols(data, 2)])
    >>> gf65536.decode_symbols(3, 2, [4, 1, 3], shards[[4, 1, 3]]).tolist()
    [[1, 2], [3, 4], [5, 6]]
    """
    received = [int(r) for r in received]
    symbols = np.asarray(symbols, dtype=np.uint16)
    s = symbols.shape[1]
    high = uses_high_rate(k, m)
    if high:
        chunk = _next_pow2(m)
        def pos(idx):
            return chunk + idx if idx < k else idx - k
        end = chunk + k
        unknown = set(range(m, chunk))
    else:
        chunk = _next_pow2(k)
        def pos(idx):
            return idx if idx < k else chunk + idx - k
        end = chunk + m
        unknown = set()
    size = _next_pow2(end)
    if not high:
        unknown = set(range(end, size))
    got = {pos(r): i for i, r in enumerate(received)}
    shard_positions = [pos(i) for i in range(k + m)]
    erased = sorted(unknown | {p for p in shard_positions if p not in got})
    logs = error_locator_logs(erased, size)
    work = np.zeros((size, s), dtype=np.uint16)
    for p, i in got.items():
        work[p] = mul_log(symbols[i], logs[p] % MODULUS)
    ifft(work, size, 0)
    formal_derivative(work, size)
    fft(work, size, 0)
    out = np.zeros((k, s), dtype=np.uint16)
    for i in range(k):
        p = pos(i)
        if p in got:
            out[i] = symbols[got[p]]
        else:
            out[i] = mul_log(work[p], (MODULUS - logs[p]) % MODULUS)
    return out
