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
import numpy as np

from fastcode.errors import SingularMatrixError

POLYNOMIAL = 0x1002D
ORDER = 65536
MODULUS = 65535  # order of the multiplicative group; also "log of zero" below
CANTOR_BASIS = (0x0001, 0xACCA, 0x3C0E, 0x163E, 0xC582, 0xED2E, 0x914C, 0x4012,
                0x6C98, 0x10D8, 0x6A72, 0xB900, 0xFDB8, 0xFB34, 0xFF38, 0x991E)


def _build_tables():
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

def add(a, b):
    """a + b (= a - b = a XOR b), broadcasting."""
    return np.bitwise_xor(a, b)


def mul(a, b):
    """a * b element-wise (uint16), broadcasting."""
    a = np.asarray(a, dtype=np.uint16)
    b = np.asarray(b, dtype=np.uint16)
    out = EXP[LOG[a] + LOG[b]]
    return np.where((a == 0) | (b == 0), np.uint16(0), out).astype(np.uint16)


def mul_log(a, log_c):
    """a * c for c given by its log (0..65534); a uint16 array."""
    a = np.asarray(a, dtype=np.uint16)
    return np.where(a == 0, np.uint16(0), EXP[LOG[a] + int(log_c)]).astype(np.uint16)


def inv(a):
    """1 / a element-wise; a must have no zeros (checked by the caller)."""
    a = np.asarray(a, dtype=np.uint16)
    return EXP[(MODULUS - LOG[a]) % MODULUS].astype(np.uint16)


def div(a, b):
    """a / b element-wise; b must have no zeros (checked by the caller)."""
    return mul(a, inv(b))


def power(a, e):
    """a ** e for integer e (negative e needs non-zero a, checked by the caller)."""
    a = np.asarray(a, dtype=np.uint16)
    e = np.asarray(e)
    e = e.astype(np.uint64 if e.dtype.kind == "u" else np.int64)
    e_mod = (e % MODULUS).astype(np.int64)
    a, e, e_mod = np.broadcast_arrays(a, e, e_mod)
    out = EXP[(LOG[a] * e_mod) % MODULUS].astype(np.uint16)
    return np.where(a == 0, np.where(e == 0, 1, 0), out).astype(np.uint16)


# ---- small dense linear algebra (Gauss-Jordan) -------------------------------

def _eliminate(m, n_pivot_cols, full):
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


def solve(a, b):
    """x with a @ x = b; a (n, n), b (n, m) uint16.  SingularMatrixError if singular."""
    a = np.asarray(a, dtype=np.uint16)
    b = np.asarray(b, dtype=np.uint16)
    n = a.shape[0]
    aug = np.concatenate([a, b], axis=1)
    rank, _ = _eliminate(aug, n, full=True)
    if rank < n:
        raise SingularMatrixError("matrix is singular over GF(2^16)")
    return np.ascontiguousarray(aug[:, n:])


def inv_matrix(a):
    """Inverse of the square matrix a."""
    a = np.asarray(a, dtype=np.uint16)
    return solve(a, np.eye(a.shape[0], dtype=np.uint16))


def rank(a):
    """Rank of a 2-D matrix."""
    m = np.array(a, dtype=np.uint16)
    if m.size == 0:
        return 0
    return _eliminate(m, m.shape[1], full=False)[0]


def det(a):
    """Determinant of a square matrix."""
    m = np.array(a, dtype=np.uint16)
    if m.shape[0] == 0:
        return 1
    r, d = _eliminate(m, m.shape[1], full=False)
    return d if r == m.shape[0] else 0


def matmul(a, b):
    """a @ b over GF(2^16): a (r, k), b (k, L), uint16."""
    a = np.asarray(a, dtype=np.uint16)
    b = np.asarray(b, dtype=np.uint16)
    out = np.zeros((a.shape[0],) + b.shape[1:], dtype=np.uint16)
    for j in range(a.shape[1]):
        out ^= mul(a[:, j].reshape((-1,) + (1,) * (b.ndim - 1)), b[j])
    return out


# ---- shard bytes <-> symbols ----------------------------------------------------

def shards_to_symbols(shards):
    """(rows, L) uint8 shards, L even -> (rows, L/2) uint16 symbols.

    Each whole 64-byte chunk holds the low bytes of 32 symbols, then their high
    bytes; a last partial chunk of t bytes holds t/2 low bytes, then t/2 high."""
    shards = np.asarray(shards, dtype=np.uint8)
    rows, length = shards.shape
    whole = length - length % 64
    body = shards[:, :whole].reshape(rows, -1, 2, 32).astype(np.uint16)
    parts = [(body[:, :, 0, :] | (body[:, :, 1, :] << 8)).reshape(rows, -1)]
    half = (length - whole) // 2
    tail = shards[:, whole:].astype(np.uint16)
    parts.append(tail[:, :half] | (tail[:, half:] << 8))
    return np.ascontiguousarray(np.concatenate(parts, axis=1))


def symbols_to_shards(symbols):
    """Inverse of shards_to_symbols: (rows, S) uint16 -> (rows, 2S) uint8."""
    symbols = np.asarray(symbols, dtype=np.uint16)
    rows, count = symbols.shape
    whole = count - count % 32
    lo = (symbols & 0xFF).astype(np.uint8)
    hi = (symbols >> 8).astype(np.uint8)
    body = np.stack([lo[:, :whole].reshape(rows, -1, 32), hi[:, :whole].reshape(rows, -1, 32)],
                    axis=2).reshape(rows, -1)
    return np.ascontiguousarray(np.concatenate([body, lo[:, whole:], hi[:, whole:]], axis=1))


# ---- additive FFT in the novel polynomial basis --------------------------------

def _twiddle_log(x, layer):
    """log of W_layer(omega_x) = omega_{x >> layer}, or None for zero."""
    v = x >> layer
    return None if v == 0 else int(LOG[v])


def fft(work, size, delta):
    """In-place FFT of rows work[0:size] (polynomial in the novel basis ->
    values at the points delta .. delta+size-1).  work (>= size, S) uint16."""
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


def ifft(work, size, delta):
    """Inverse of fft: values at points delta.. -> novel-basis coefficients."""
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


def formal_derivative(work, size):
    """Formal derivative of the polynomial with novel-basis coefficients work[0:size].

    With a Cantor basis every W_i has derivative 1, so by the product rule
    D(X_k) = sum over the set bits i of k of X_{k - 2^i}: the new coefficient j
    is the sum of the old ones at j + 2^i for each clear bit i of j.  Rows are
    rewritten in ascending order, each reading only rows above it (still old)."""
    for j in range(size):
        acc = np.zeros_like(work[j])
        bit = 1
        while j + bit < size:
            if not j & bit:
                acc ^= work[j + bit]
            bit <<= 1
        work[j] = acc


def _next_pow2(n):
    return 1 << max(0, (int(n) - 1).bit_length())


def uses_high_rate(k, m):
    """The layout reed-solomon-simd picks for k originals and m recovery shards.

    High rate: recovery at points 0..m-1, originals at m_pow2 + i.  Low rate:
    originals at points i, recovery at k_pow2 + r.  With equal powers of two
    the "wrong" layout is chosen (it decodes faster), as the crate does."""
    kp, mp = _next_pow2(k), _next_pow2(m)
    if kp != mp:
        return kp > mp
    return k <= m


def supports(k, m):
    """Whether (k, m) is a supported pair: both >= 1 and min_pow2 + max <= 65536."""
    if k < 1 or m < 1 or k > MODULUS or m > MODULUS:
        return False
    return min(_next_pow2(k), _next_pow2(m)) + max(k, m) <= ORDER


def encode_symbols(data, m):
    """Recovery symbols (m, S) of data (k, S) uint16."""
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


def walsh_hadamard(v):
    """Unnormalised Walsh-Hadamard transform of an int64 vector, mod 65535."""
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


def error_locator_logs(erased, size):
    """log E'(omega_i) for the positions i < size (a power of two), where
    E(x) = prod_{j erased} (x + omega_j): sum_j erased[j] * log(omega_i + omega_j)
    with log 0 read as 0, an XOR convolution computed with two Walsh-Hadamard
    transforms (WH twice is size * identity; 1/size = 2^(16-t) mod 65535)."""
    ind = np.zeros(size, dtype=np.int64)
    ind[np.asarray(erased, dtype=np.int64)] = 1
    logs = LOG[:size].copy()
    logs[0] = 0
    prod = (walsh_hadamard(ind) * walsh_hadamard(logs)) % MODULUS
    out = walsh_hadamard(prod)
    scale = pow(2, 16 - (size.bit_length() - 1), MODULUS)
    return (out * scale) % MODULUS


def decode_symbols(k, m, received, symbols):
    """Original symbols (k, S) from received shard symbols.

    received: shard numbers (0..k-1 originals, k..k+m-1 recovery), at least k
    of them; symbols: (len(received), S) uint16 in the same order."""
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
