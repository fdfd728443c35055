"""GF(2^8) in pure NumPy: tables, element-wise arithmetic, region kernels and
linear algebra, with the signatures of the native module ``_gf256``.

Polynomial 0x11d (x^8+x^4+x^3+x^2+1), generator 2.  All arrays are uint8.
"""
import numpy as np

from fastcode.errors import ShardSizeError, SingularMatrixError

POLYNOMIAL = 0x11D
GENERATOR = 2


def _build_tables():
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

def add(a, b):
    """a + b (= a - b = a XOR b), broadcasting."""
    return np.bitwise_xor(a, b)


def mul(a, b):
    """a * b, broadcasting."""
    return MUL[a, b]


def inv(a):
    """1 / a element-wise; a must have no zeros (checked by the caller)."""
    return INV[a]


def div(a, b):
    """a / b element-wise; b must have no zeros (checked by the caller)."""
    return MUL[a, INV[b]]


def power(a, e):
    """a ** e for integer e (negative e needs non-zero a, checked by the caller)."""
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

def mul_region(c, src, out):
    """out[:] = c * src over 1-D uint8 regions of equal length."""
    if len(out) != len(src):
        raise ShardSizeError(f"out has length {len(out)}, src has {len(src)}")
    out[:] = MUL[int(c)][src]


def mad_region(c, src, out):
    """out[:] ^= c * src over 1-D uint8 regions of equal length."""
    if len(out) != len(src):
        raise ShardSizeError(f"out has length {len(out)}, src has {len(src)}")
    out ^= MUL[int(c)][src]


def _rows(regions, count, name, writable):
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
    """Product with a fixed (rows x k) matrix; same contract as the native one."""

    def __init__(self, matrix):
        self.matrix = np.array(matrix, dtype=np.uint8)
        self.rows, self.k = self.matrix.shape

    def apply(self, inputs, outputs, n_threads=1):
        """outputs[r] = sum_j M[r, j] * inputs[j]; returns the region length."""
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


def dot_prod(matrix, inputs, outputs, n_threads=1):
    """outputs[r] = sum_j matrix[r, j] * inputs[j]."""
    return DotPlan(matrix).apply(inputs, outputs, n_threads)


# ---- linear algebra ----------------------------------------------------------

def _eliminate(m, n_pivot_cols, full):
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


def solve(a, b):
    """x with a @ x = b; a (n, n), b (n, m).  SingularMatrixError if singular."""
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


def inv_matrix(a):
    """Inverse of the square matrix a."""
    a = np.asarray(a, dtype=np.uint8)
    return solve(a, np.eye(a.shape[0], dtype=np.uint8))


def rank(a):
    """Rank of a 2-D matrix."""
    m = np.array(a, dtype=np.uint8)
    if m.size == 0:
        return 0
    return _eliminate(m, m.shape[1], full=False)[0]


def det(a):
    """Determinant of a square matrix."""
    m = np.array(a, dtype=np.uint8)
    n = m.shape[0]
    if m.ndim != 2 or m.shape[1] != n:
        raise ValueError(f"matrix must be square, got shape {m.shape}")
    r, d = _eliminate(m, n, full=False)
    return d if r == n else 0
