"""GF(2^16) with polynomial 0x1100b, for liberasurecode's built-in ``liberasurecode_rs_vand``.

That backend works on 16-bit little-endian words (a payload of even length)
with generator x (= 2).  Only what the backend needs is here: element-wise
products, small matrix products and inverses (k x k, Gauss-Jordan), and the
region kernel ``dot_rows`` (out = M @ rows over byte payloads).  Region
products use two 256-entry tables per coefficient (c * w = T_lo[w & 255] ^
T_hi[w >> 8]), so a row costs two table lookups per word in NumPy.
"""
import numpy as np

from fastcode.errors import SingularMatrixError

POLYNOMIAL = 0x1100B
ORDER = 1 << 16


def _tables():
    exp = np.zeros(2 * (ORDER - 1), dtype=np.int64)
    log = np.zeros(ORDER, dtype=np.int64)
    x = 1
    for i in range(ORDER - 1):
        exp[i] = x
        log[x] = i
        x <<= 1
        if x & ORDER:
            x ^= POLYNOMIAL
    exp[ORDER - 1:] = exp[:ORDER - 1]
    return exp, log


EXP, LOG = _tables()
_BYTES = np.arange(256, dtype=np.int64)


def mul(a, b):
    """a * b element-wise (int arrays or ints of 0..65535)."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    out = EXP[LOG[a] + LOG[b]]
    return np.where((a == 0) | (b == 0), 0, out)


def inv(a):
    """1 / a element-wise (ZeroDivisionError on 0)."""
    a = np.asarray(a, dtype=np.int64)
    if np.any(a == 0):
        raise ZeroDivisionError("0 has no inverse in GF(2^16)")
    return EXP[(ORDER - 1 - LOG[a]) % (ORDER - 1)]


def pow_int(a, e):
    """a ** e for ints a (0..65535) and e >= 0."""
    if e == 0:
        return 1
    if a == 0:
        return 0
    return int(EXP[(int(LOG[a]) * e) % (ORDER - 1)])


def matmul(A, B):
    """A @ B over GF(2^16) for small int matrices."""
    A, B = np.asarray(A, dtype=np.int64), np.asarray(B, dtype=np.int64)
    out = np.zeros((A.shape[0], B.shape[1]), dtype=np.int64)
    for j in range(A.shape[1]):
        out ^= mul(A[:, j:j + 1], B[j:j + 1, :])
    return out


def inv_matrix(A):
    """Inverse of the square matrix A (SingularMatrixError if singular)."""
    A = np.array(A, dtype=np.int64)
    n = A.shape[0]
    aug = np.concatenate([A, np.eye(n, dtype=np.int64)], axis=1)
    for col in range(n):
        rows = np.nonzero(aug[col:, col])[0]
        if len(rows) == 0:
            raise SingularMatrixError(f"matrix is singular over GF(2^16) (column {col})")
        pivot = col + rows[0]
        if pivot != col:
            aug[[col, pivot]] = aug[[pivot, col]]
        aug[col] = mul(aug[col], inv(aug[col, col]))
        factors = aug[:, col].copy()
        factors[col] = 0
        nz = np.nonzero(factors)[0]
        if len(nz):
            aug[nz] ^= mul(factors[nz, None], aug[col][None, :])
    return aug[:, n:]


def dot_rows(M, rows, out):
    """out[i] = sum_j M[i, j] * rows[j] over GF(2^16) words.

    rows: k byte buffers of one even length; out: len(M) writable uint8 arrays
    of that length (16-bit little-endian words)."""
    words = [np.frombuffer(r, dtype=np.uint8) for r in rows]
    lo = [w[0::2] for w in words]
    hi = [w[1::2] for w in words]
    for i, target in enumerate(out):
        acc = np.zeros(len(target) // 2, dtype=np.uint16)
        for j, c in enumerate(M[i]):
            c = int(c)
            if c == 0:
                continue
            if c == 1:
                acc ^= words[j].view("<u2")
                continue
            acc ^= mul(c, _BYTES).astype(np.uint16)[lo[j]]
            acc ^= mul(c, _BYTES << 8).astype(np.uint16)[hi[j]]
        target[:] = acc.view(np.uint8)
