"""GF(2^16) field descriptor: ``fastcode.fields.GF65536``.

Polynomial 0x1002D (x^16+x^5+x^3+x^2+1); elements are uint16 values written in
the Cantor basis of Leopard-RS and reed-solomon-simd (see
fastcode.reference.gf65536), so the numbers in their shards and ours mean the
same field elements.  Element-wise arithmetic and the small dense linear
algebra (Gauss-Jordan) run on the NumPy tables; the bulk use of this field is
the additive-FFT codec ``fastcode.codes.FFTCode``, whose kernels are in C.

Examples
--------
In the Cantor basis the values 0..3 form the subfield GF(4): 2 is a cube root
of unity.

>>> from fastcode.fields import GF65536
>>> GF65536.pow(2, np.arange(5)).tolist()
[1, 2, 3, 1, 2]
"""
import os
from types import ModuleType
from typing import Any, Optional, Tuple, Union, cast

import numpy as np
from numpy.typing import ArrayLike

from fastcode import _config
from fastcode._util.rng import as_generator
from fastcode.errors import FieldTypeError, FieldValueError, ShardSizeError
from fastcode.fields.base import BinaryTableOps, Field
from fastcode.reference import gf65536 as _ref

try:
    # the compiled extension has no type stub: mypy cannot see the module
    from fastcode.fields import _gf65536 as _native  # type: ignore[attr-defined]
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


def native_codec() -> Optional[ModuleType]:
    """The compiled additive-FFT codec (encode/decode kernels), or None.

    None when the backend is "numpy" or the extension is not built (then it
    warns once and the process switches to the NumPy reference).
    ``fastcode.codes.FFTCode`` runs on it when it is there.

    Returns
    -------
    module or None
        The extension module ``fastcode.fields._gf65536``.

    Examples
    --------
    >>> import fastcode
    >>> from fastcode.fields.gf65536 import native_codec
    >>> codec = native_codec()
    >>> codec is None or callable(codec.encode)
    True
    >>> previous = fastcode.get_backend()
    >>> fastcode.set_backend("numpy")
    >>> native_codec() is None
    True
    >>> fastcode.set_backend(previous)
    """
    return _native if _config.use_native(_native, _NATIVE_ERROR) else None


def simd_level() -> str:
    """SIMD level the GF(2^16) kernels use.

    The FFT codec has its own levels, separate from the GF(2^8) kernels'
    (``fastcode.simd_level``); FASTCODE_SIMD sets both where it names a level
    of this codec, else the best level present is used.

    Returns
    -------
    str
        "scalar", "avx2", "avx2_gfni", "avx512", "avx512_gfni", or "numpy"
        without the native codec.

    Examples
    --------
    >>> from fastcode.fields.gf65536 import simd_level, simd_levels
    >>> level = simd_level()
    >>> level == "numpy" or level in simd_levels()
    True
    """
    codec = native_codec()
    return codec.active_level() if codec is not None else "numpy"


def simd_levels() -> Tuple[str, ...]:
    """The levels of the GF(2^16) kernels this CPU can run, lowest first.

    Returns
    -------
    tuple of str
        Empty without the native codec; "scalar" first otherwise.

    Examples
    --------
    >>> from fastcode.fields.gf65536 import simd_levels, native_codec
    >>> levels = simd_levels()
    >>> levels == () if native_codec() is None else levels[0] == "scalar"
    True
    """
    codec = native_codec()
    return codec.available_levels() if codec is not None else ()


def set_simd_level(name: str) -> None:
    """Force the GF(2^16) kernels to level ``name``, process-wide.

    Every level computes the same bytes; forcing one lets tests and
    benchmarks exercise each code path on one machine.

    Parameters
    ----------
    name : str
        One of ``simd_levels()``.

    Raises
    ------
    ValueError
        The native codec is not in use (numpy backend or not built), or this
        CPU lacks level ``name`` (or it is unknown).

    Examples
    --------
    The scalar kernels give the same parity as the fastest ones:

    >>> from fastcode import FFTCode
    >>> from fastcode.fields.gf65536 import set_simd_level, simd_level
    >>> code = FFTCode(8, 4)
    >>> data = np.random.default_rng(0).integers(0, 256, (4, 64), dtype=np.uint8)
    >>> fast = code.encode(data)
    >>> previous = simd_level()
    >>> if previous != "numpy":
    ...     set_simd_level("scalar")
    >>> np.array_equal(code.encode(data), fast)
    True
    >>> if previous != "numpy":
    ...     set_simd_level(previous)
    >>> simd_level() == previous
    True
    """
    codec = native_codec()
    if codec is None:
        raise ValueError("the native GF(2^16) codec is not in use (numpy backend or not built)")
    codec.set_level(name)


class GF65536Field(BinaryTableOps, Field):
    """GF(2^16), polynomial 0x1002D, Cantor-basis elements (uint16).  Use ``GF65536``.

    Polynomial 0x1002D (x^16+x^5+x^3+x^2+1); a uint16 value is an element
    written in the Cantor basis of Leopard-RS and reed-solomon-simd, so the
    numbers in their shards and ours mean the same elements (so 1 is the
    identity but 2 is not x: in this basis 0..3 are the subfield GF(4)).
    Addition is XOR.  Element-wise ``mul``, ``div``, ``inv``, ``pow`` come from
    ``fastcode.fields.base.BinaryTableOps``; matrices are meant to be small
    (Gauss-Jordan and products on the NumPy tables).  The bulk use of the
    field is ``fastcode.codes.FFTCode`` (up to 65535 shards), whose kernels are
    in C.  Class attributes: ``name`` "GF65536", ``dtype`` uint16, ``order``
    65536, ``characteristic`` 2, ``degree`` 16, ``polynomial`` 0x1002D,
    ``cantor_basis`` (16 ints).  All instances are equal and pickle to the
    singleton ``GF65536``; the constructor takes no parameters.

    Examples
    --------
    >>> from fastcode.fields import GF65536
    >>> hex(GF65536.polynomial), GF65536.dtype
    ('0x1002d', dtype('uint16'))
    >>> x = GF65536.asarray([1, 2, 3, 40000])
    >>> GF65536.mul(x, GF65536.inv(x)).tolist()
    [1, 1, 1, 1]

    A small systematic code over GF(2^16): parity = C @ data, and the data back
    from any 3 of the 5 rows of [I; C] (C is a Cauchy block, so every square
    submatrix is invertible):

    >>> from fastcode import matrices
    >>> G = matrices.cauchy(5, 3, field=GF65536)
    >>> data = GF65536.random((3, 6), rng=0)
    >>> shards = GF65536.matmul(G, data)
    >>> rows = [0, 3, 4]
    >>> np.array_equal(GF65536.solve(G[rows], shards[rows]), data)
    True
    """

    _elementwise: Any = _ref
    _label = "GF(2^16)"

    name = "GF65536"
    dtype = np.dtype(np.uint16)
    order = 65536
    characteristic = 2
    degree = 16
    polynomial = _ref.POLYNOMIAL
    cantor_basis = _ref.CANTOR_BASIS

    def __reduce__(self) -> str:
        return "GF65536"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GF65536Field)

    def __hash__(self) -> int:
        return hash("GF65536")

    # ---- values -----------------------------------------------------------

    def asarray(self, x: ArrayLike, name: str = "array") -> np.ndarray:
        """x as a uint16 array, rejecting non-integers and values outside 0..65535.

        A uint16 array is returned as is (no copy).

        Parameters
        ----------
        x : array_like of int
            Values in 0..65535 (Cantor-basis elements).
        name : str, default "array"
            The argument's name, used in error messages.

        Returns
        -------
        uint16 ndarray
            Same shape as ``x``.

        Raises
        ------
        FieldTypeError
            ``x`` does not hold integers.
        FieldValueError
            Values outside 0..65535.

        Examples
        --------
        >>> from fastcode.fields import GF65536
        >>> GF65536.asarray([0, 65535]).dtype
        dtype('uint16')
        >>> GF65536.asarray([-1])
        Traceback (most recent call last):
            ...
        fastcode.errors.FieldValueError: array has values outside GF(2^16) (0..65535): min -1, max -1
        """
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

    def random(self, shape: Union[int, Tuple[int, ...]],
               rng: Union[None, int, np.random.Generator] = None) -> np.ndarray:
        """Uniform random elements (uint16) of the given shape.

        Parameters
        ----------
        shape : int or tuple of int
        rng : None, int or numpy.random.Generator, optional
            A seed or a generator (None: fresh entropy).

        Returns
        -------
        uint16 ndarray of ``shape``

        Examples
        --------
        >>> from fastcode.fields import GF65536
        >>> a = GF65536.random(5, rng=np.random.default_rng(0))
        >>> a.shape, a.dtype
        ((5,), dtype('uint16'))
        """
        return as_generator(rng).integers(0, 65536, size=shape, dtype=np.uint16)

    # ---- element-wise -----------------------------------------------------

    def add(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a + b element-wise (XOR), broadcasting; ``sub`` is the same operation.

        Parameters
        ----------
        a, b : array_like of field elements

        Returns
        -------
        uint16 ndarray
            Of the broadcast shape.

        Raises
        ------
        FieldTypeError, FieldValueError
            An argument does not hold elements of GF(2^16).

        Examples
        --------
        >>> from fastcode.fields import GF65536
        >>> GF65536.add([0x00ff, 7], [0xff00, 7]).tolist()
        [65535, 0]
        """
        # (a NumPy scalar for scalar inputs, as NumPy's own ufuncs give)
        return cast(np.ndarray, _ref.add(self.asarray(a, "a"), self.asarray(b, "b")))

    sub = add

    def neg(self, a: ArrayLike) -> np.ndarray:
        """-a = a in characteristic 2 (a copy).

        Parameters
        ----------
        a : array_like of field elements

        Returns
        -------
        uint16 ndarray
            A copy of ``a``.

        Examples
        --------
        >>> from fastcode.fields import GF65536
        >>> GF65536.neg([1, 65535]).tolist()
        [1, 65535]
        """
        return self.asarray(a, "a").copy()

    # ---- small dense matrices ------------------------------------------------

    def _square(self, A: ArrayLike, name: str) -> np.ndarray:
        A = self._matrix(A, name)
        if A.shape[0] != A.shape[1]:
            raise ShardSizeError(f"{name} must be square, got shape {A.shape}")
        return A

    def matmul(self, A: ArrayLike, B: ArrayLike, out: Optional[np.ndarray] = None,
               n_threads: Optional[int] = None) -> np.ndarray:
        """A @ B over GF(2^16): A (rows, k), B (k, L) or (k,), uint16.

        Meant for small matrices: one vectorised pass per column of A, on the
        NumPy tables.  Bulk GF(2^16) coding is ``fastcode.codes.FFTCode``.

        Parameters
        ----------
        A : (rows, k) array_like of field elements
        B : (k, L) or (k,) array_like of field elements
        out : uint16 ndarray, optional
            Of the result's shape, filled in place.
        n_threads : int, optional
            Accepted for interface parity and ignored.

        Returns
        -------
        (rows, L) or (rows,) uint16 ndarray
            ``out`` when given.

        Raises
        ------
        ShardSizeError
            ``A`` not 2-D, ``B`` without k rows, or ``out`` not a uint16 array
            of the result's shape.
        FieldTypeError, FieldValueError
            An argument does not hold elements of GF(2^16).

        Examples
        --------
        >>> from fastcode.fields import GF65536
        >>> A = GF65536.asarray([[1, 0], [1, 1]])
        >>> out = np.empty(2, dtype=np.uint16)
        >>> GF65536.matmul(A, [5, 6], out=out).tolist()           # (5, 5 XOR 6)
        [5, 3]
        """
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

    def inv_matrix(self, A: ArrayLike) -> np.ndarray:
        """Inverse of a square matrix over GF(2^16) (Gauss-Jordan on the tables).

        Parameters
        ----------
        A : (n, n) array_like of field elements

        Returns
        -------
        (n, n) uint16 ndarray

        Raises
        ------
        SingularMatrixError
            ``A`` is singular over GF(2^16).
        ShardSizeError
            ``A`` is not a square 2-D matrix.
        FieldTypeError, FieldValueError
            ``A`` does not hold elements of GF(2^16).

        Examples
        --------
        >>> from fastcode.fields import GF65536
        >>> A = GF65536.asarray([[1, 2], [3, 4]])
        >>> GF65536.matmul(A, GF65536.inv_matrix(A)).tolist()
        [[1, 0], [0, 1]]
        """
        return _ref.inv_matrix(self._square(A, "A"))

    def solve(self, A: ArrayLike, B: ArrayLike) -> np.ndarray:
        """X with A @ X = B over GF(2^16); A (n, n), B (n, m) or (n,).

        Parameters
        ----------
        A : (n, n) array_like of field elements
        B : (n, m) or (n,) array_like of field elements

        Returns
        -------
        uint16 ndarray
            X, shaped like ``B``.

        Raises
        ------
        SingularMatrixError
            ``A`` is singular over GF(2^16).
        ShardSizeError
            ``A`` not square, or ``B`` without n rows.
        FieldTypeError, FieldValueError
            An argument does not hold elements of GF(2^16).

        Examples
        --------
        >>> from fastcode.fields import GF65536
        >>> A = GF65536.asarray([[1, 2], [3, 4]])
        >>> x = GF65536.solve(A, [100, 200])
        >>> GF65536.matmul(A, x).tolist()
        [100, 200]
        """
        A = self._square(A, "A")
        B = self.asarray(B, "B")
        vector = B.ndim == 1
        B2 = B.reshape(-1, 1) if vector else B
        if B2.ndim != 2 or B2.shape[0] != A.shape[0]:
            raise ShardSizeError(f"B must have {A.shape[0]} rows, got shape {B.shape}")
        X = _ref.solve(A, B2)
        return X.reshape(-1) if vector else X

    def rank(self, A: ArrayLike) -> int:
        """Rank of a 2-D matrix over GF(2^16).

        Parameters
        ----------
        A : (m, n) array_like of field elements

        Returns
        -------
        int

        Raises
        ------
        ShardSizeError
            ``A`` is not 2-D.
        FieldTypeError, FieldValueError
            ``A`` does not hold elements of GF(2^16).

        Examples
        --------
        Row 2 is 2 times row 1 (2 * 2 = 3 in the Cantor basis):

        >>> from fastcode.fields import GF65536
        >>> GF65536.rank([[1, 2], [2, 3]]), GF65536.rank([[1, 2], [2, 4]])
        (1, 2)
        """
        return int(_ref.rank(self._matrix(A, "A")))

    def det(self, A: ArrayLike) -> int:
        """Determinant of a square matrix over GF(2^16) (an int in 0..65535).

        Parameters
        ----------
        A : (n, n) array_like of field elements

        Returns
        -------
        int
            In 0..65535; 0 exactly when ``A`` is singular.

        Raises
        ------
        ShardSizeError
            ``A`` is not a square 2-D matrix.
        FieldTypeError, FieldValueError
            ``A`` does not hold elements of GF(2^16).

        Examples
        --------
        >>> from fastcode.fields import GF65536
        >>> GF65536.det([[1, 2], [2, 3]]), GF65536.det(GF65536.eye(3))
        (0, 1)
        """
        return int(_ref.det(self._square(A, "A")))


GF65536 = GF65536Field()
