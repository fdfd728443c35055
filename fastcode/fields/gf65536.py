"""GF(2^16) field descriptor: ``fastcode.fields.GF65536``.

Polynomial 0x1002D (x^16+x^5+x^3+x^2+1); elements are uint16 values written in
the Cantor basis of Leopard-RS and reed-solomon-simd (see
fastcode.reference.gf65536), so the numbers in their shards and ours mean the
same field elements.  Element-wise arithmetic and the small dense linear
algebra (Gauss-Jordan) run on the NumPy tables; the bulk use of this field is
the additive-FFT codec ``fastcode.codes.FFTCode``, whose kernels are in C.
"""
import os

import numpy as np

from fastcode import _config
from fastcode._util.rng import as_generator
from fastcode.errors import FieldTypeError, FieldValueError, ShardSizeError
from fastcode.fields.base import BinaryTableOps, Field
from fastcode.reference import gf65536 as _ref

try:
    from fastcode.fields import _gf65536 as _native
    _NATIVE_ERROR = None
except ImportError as exc:  # not built: callers run on the reference, loudly
    _native = None
    _NATIVE_ERROR = exc

if _native is not None and os.environ.get("FASTCODE_SIMD", "") in _native.available_levels():
    # the engine-wide override (fastcode.platform), where it names a level of
    # this codec too ("scalar", "avx2", "avx512", ...); otherwise the best level
    _native.set_level(os.environ["FASTCODE_SIMD"])

__all__ = ["GF65536", "GF65536Field", "native_codec", "simd_level", "simd_levels",
           "set_simd_level"]


def native_codec():
    """The compiled additive-FFT codec (encode/decode kernels), or None when the
    backend is "numpy" or the extension is not built (then it warns once and
    the process switches to the NumPy reference)."""
    return _native if _config.use_native(_native, _NATIVE_ERROR) else None


def simd_level():
    """SIMD level the GF(2^16) kernels use ("scalar", "avx2", "avx2_gfni",
    "avx512", "avx512_gfni"), or "numpy" without the native codec."""
    codec = native_codec()
    return codec.active_level() if codec is not None else "numpy"


def simd_levels():
    """The levels this CPU can run, lowest first (empty without the native codec)."""
    codec = native_codec()
    return codec.available_levels() if codec is not None else ()


def set_simd_level(name):
    """Force the GF(2^16) kernels to level ``name`` (ValueError if this CPU lacks it)."""
    codec = native_codec()
    if codec is None:
        raise ValueError("the native GF(2^16) codec is not in use (numpy backend or not built)")
    codec.set_level(name)


class GF65536Field(BinaryTableOps, Field):
    """GF(2^16), polynomial 0x1002D, Cantor-basis elements (uint16).  Use ``GF65536``."""

    _elementwise = _ref
    _label = "GF(2^16)"

    name = "GF65536"
    dtype = np.dtype(np.uint16)
    order = 65536
    characteristic = 2
    degree = 16
    polynomial = _ref.POLYNOMIAL
    cantor_basis = _ref.CANTOR_BASIS

    def __reduce__(self):
        return "GF65536"

    def __eq__(self, other):
        return isinstance(other, GF65536Field)

    def __hash__(self):
        return hash("GF65536")

    # ---- values -----------------------------------------------------------

    def asarray(self, x, name="array"):
        """x as a uint16 array, rejecting non-integers and values outside 0..65535."""
        if isinstance(x, np.ndarray) and x.dtype == np.uint16:
            return x
        arr = np.asarray(x)
        if arr.dtype == object and arr.size and all(
                isinstance(v, (int, np.integer)) for v in arr.flat):
            raise FieldValueError(f"{name} has values outside GF(2^16) (0..65535): "
                                  f"min {min(arr.flat)}, max {max(arr.flat)}")
        if arr.dtype == object or arr.dtype.kind not in "biu":
            if arr.size == 0 and arr.dtype.kind == "f":
                return arr.astype(np.uint16)
            raise FieldTypeError(f"{name} must hold integers for GF(2^16), got dtype {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() > 65535):
            raise FieldValueError(f"{name} has values outside GF(2^16) (0..65535): "
                                  f"min {arr.min()}, max {arr.max()}")
        return arr.astype(np.uint16)

    def random(self, shape, rng=None):
        """Uniform random elements (uint16) of the given shape."""
        return as_generator(rng).integers(0, 65536, size=shape, dtype=np.uint16)

    # ---- element-wise -----------------------------------------------------

    def add(self, a, b):
        """a + b element-wise (XOR)."""
        return _ref.add(self.asarray(a, "a"), self.asarray(b, "b"))

    sub = add

    def neg(self, a):
        """-a = a in characteristic 2."""
        return self.asarray(a, "a").copy()

    # ---- small dense matrices ------------------------------------------------

    def _square(self, A, name):
        A = self._matrix(A, name)
        if A.shape[0] != A.shape[1]:
            raise ShardSizeError(f"{name} must be square, got shape {A.shape}")
        return A

    def matmul(self, A, B, out=None, n_threads=None):
        """A @ B over GF(2^16): A (rows, k), B (k, L) or (k,), uint16 (meant for
        small matrices: one vectorised pass per column of A)."""
        A = self._matrix(A, "A")
        B = self.asarray(B, "B")
        if B.ndim not in (1, 2) or B.shape[0] != A.shape[1]:
            raise ShardSizeError(f"B must have {A.shape[1]} rows, got shape {B.shape}")
        result = _ref.matmul(A, B)
        if out is None:
            return result
        if not isinstance(out, np.ndarray) or out.dtype != np.uint16 or out.shape != result.shape:
            raise ShardSizeError(f"out must be a uint16 array of shape {result.shape}")
        out[...] = result
        return out

    def inv_matrix(self, A):
        """Inverse of a square matrix; SingularMatrixError if singular."""
        return _ref.inv_matrix(self._square(A, "A"))

    def solve(self, A, B):
        """X with A @ X = B; A (n, n), B (n, m) or (n,).  SingularMatrixError if singular."""
        A = self._square(A, "A")
        B = self.asarray(B, "B")
        vector = B.ndim == 1
        B2 = B.reshape(-1, 1) if vector else B
        if B2.ndim != 2 or B2.shape[0] != A.shape[0]:
            raise ShardSizeError(f"B must have {A.shape[0]} rows, got shape {B.shape}")
        X = _ref.solve(A, B2)
        return X.reshape(-1) if vector else X

    def rank(self, A):
        """Rank of a 2-D matrix."""
        return int(_ref.rank(self._matrix(A, "A")))

    def det(self, A):
        """Determinant of a square matrix (an int in 0..65535)."""
        return int(_ref.det(self._square(A, "A")))


GF65536 = GF65536Field()
