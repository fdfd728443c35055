"""Small test-only fields with the fastcode field interface, to check that
matrices and codes are field-generic (odd characteristic, so signs matter)
before the real PrimeField/Reals land.  Deliberately plain, slow NumPy."""
import numpy as np

from fastcode.errors import FieldTypeError, FieldValueError, ShardSizeError, SingularMatrixError
from fastcode._util.rng import as_generator
from fastcode.fields.base import Field


class ToyPrimeField(Field):
    """GF(p) for a small prime p, elements uint32 (products fit in int64)."""

    def __init__(self, p):
        self.p = p
        self.order = p
        self.characteristic = p
        self.name = f"ToyPrimeField({p})"
        self.dtype = np.dtype(np.uint32)

    def __eq__(self, other):
        return isinstance(other, ToyPrimeField) and other.p == self.p

    def __hash__(self):
        return hash(("toy", self.p))

    def asarray(self, x, name="array"):
        arr = np.asarray(x)
        if arr.dtype.kind not in "biu":
            raise FieldTypeError(f"{name} must hold integers, got {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() >= self.p):
            raise FieldValueError(f"{name} has values outside GF({self.p})")
        return arr.astype(self.dtype)

    def random(self, shape, rng=None):
        return as_generator(rng).integers(0, self.p, size=shape).astype(self.dtype)

    def _w(self, a):
        return np.asarray(a).astype(np.int64)

    def add(self, a, b):
        return ((self._w(a) + self._w(b)) % self.p).astype(self.dtype)

    def sub(self, a, b):
        return ((self._w(a) - self._w(b)) % self.p).astype(self.dtype)

    def mul(self, a, b):
        return ((self._w(a) * self._w(b)) % self.p).astype(self.dtype)

    def pow(self, a, e):
        a, e = np.broadcast_arrays(self._w(a), np.asarray(e))
        out = np.ones(a.shape, dtype=np.int64)
        base = a.copy()
        e = e.astype(np.int64).copy()
        neg = e < 0
        while np.any(e > 0):
            out = np.where(e & 1, out * base % self.p, out)
            base = base * base % self.p
            e >>= 1
        out = out.astype(self.dtype)
        if np.any(neg):
            raise ValueError("negative exponents not supported by the toy field")
        return out

    def inv(self, a):
        a = self._w(a)
        if np.any(a % self.p == 0):
            raise ZeroDivisionError("inverse of zero")
        return self.pow(a, np.full(a.shape, self.p - 2))

    def div(self, a, b):
        return self.mul(a, self.inv(b))

    def matmul(self, A, B, out=None):
        if isinstance(B, (list, tuple)):
            B = np.stack([np.asarray(b) for b in B]) if len(B) else np.zeros((0, 0), self.dtype)
        A, B = self._w(A), self._w(B)
        res = np.zeros((A.shape[0],) + B.shape[1:], dtype=np.int64)
        for j in range(A.shape[1]):   # column by column: no int64 overflow
            res = (res + A[:, j:j + 1] * B[j:j + 1]) % self.p
        res = res.astype(self.dtype)
        if out is not None:
            out[...] = res
            return out
        return res

    def _reduce(self, m, ncols):
        m = self._w(m).copy()
        rows = m.shape[0]
        r = 0
        for c in range(ncols):
            nz = np.nonzero(m[r:, c] % self.p)[0] if r < rows else []
            if len(nz) == 0:
                continue
            piv = r + nz[0]
            m[[r, piv]] = m[[piv, r]]
            m[r] = m[r] * int(self.inv(m[r, c])) % self.p
            for i in range(rows):
                if i != r and m[i, c]:
                    m[i] = (m[i] - m[i, c] * m[r]) % self.p
            r += 1
            if r == rows:
                break
        return r, m

    def rank(self, A):
        A = np.asarray(A)
        if A.size == 0:
            return 0
        return self._reduce(A, A.shape[1])[0]

    def inv_matrix(self, A):
        A = np.asarray(A)
        n = A.shape[0]
        if A.ndim != 2 or A.shape[1] != n:
            raise ShardSizeError(f"A must be square, got {A.shape}")
        r, m = self._reduce(np.concatenate([self._w(A), np.eye(n, dtype=np.int64)], axis=1), n)
        if r < n or np.any(np.diag(m[:, :n]) != 1):
            raise SingularMatrixError("singular")
        return m[:, n:].astype(self.dtype)

    def solve(self, A, B):
        return self.matmul(self.inv_matrix(A), B)
