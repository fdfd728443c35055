"""The field interface shared by GF256, PrimeField and Reals.

A field is a small immutable descriptor.  Codes are written against these
names only, so every code works over every field:

    dtype, order, characteristic, asarray(x), zeros(shape), eye(n),
    random(shape, rng), add, sub, neg, mul, div, inv, pow, sum(a, axis),
    matmul(A, B, out=None), plan_matmul(A) -> callable(B, out=None),
    inv_matrix(A), solve(A, B), rank(A), det(A)

Element-wise operations broadcast like NumPy.  Matrices are 2-D arrays of the
field's dtype.

Capabilities a code may ask for instead of testing the field's class:

* ``exact``: True when arithmetic is exact (finite fields); False for
  floating point (Reals), whose results carry rounding error, so a code
  chooses well-conditioned constructions and checks residuals;
* ``solve_consistent(A, B)`` (``supports_solve_consistent``): one X with
  A X = B for any A (m, n), or SingularMatrixError when there is none
  (PrimeField);
* ``lstsq(A, B)`` (``supports_lstsq``): argmin ||A X - B|| (Reals).

A field without a capability raises FieldValueError naming what is missing.

Examples
--------
One piece of code, three fields:

>>> from fastcode import GF256, PrimeField, Reals
>>> for F in (GF256, PrimeField(257), Reals):
...     A = F.asarray([[1, 2], [3, 4]])
...     ok = np.allclose(F.matmul(A, F.inv_matrix(A)), F.eye(2))
...     print(F, F.dtype, F.exact, ok)
GF256 uint8 True True
PrimeField(257) uint32 True True
Reals float64 False True
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from fastcode.errors import FieldTypeError, FieldValueError, InvalidArgumentError, ShardSizeError

#: What a bulk operation takes as a list of regions: a 2-D array (rows = regions)
#: or a sequence of 1-D buffers of equal length.
Regions = Union[np.ndarray, "list[Any]", "tuple[Any, ...]"]


def as_region(x: Any, dtype: DTypeLike, name: str, writable: bool = False) -> np.ndarray:
    """One 1-D region of ``dtype`` from an ndarray or a bytes-like buffer.

    Inputs that are not contiguous are copied; an output (``writable=True``)
    must be writable and contiguous, since it is filled in place.  A buffer
    (bytes, bytearray, memoryview, mmap) is viewed without a copy.

    Parameters
    ----------
    x : ndarray or bytes-like
        The region: a 1-D array of ``dtype``, or a 1-D buffer whose items have
        ``dtype``'s size.
    dtype : dtype-like
        The field's dtype (uint8 for GF256).
    name : str
        The argument's name, used in error messages.
    writable : bool, default False
        Whether the region is an output, filled in place.

    Returns
    -------
    1-D ndarray of ``dtype``
        ``x`` itself when it is a suitable array, else a view of the buffer (or
        a contiguous copy of an input).

    Raises
    ------
    FieldTypeError
        A wrong dtype or item size, or an object that is not an array or a buffer.
    ShardSizeError
        A wrong number of dimensions, or a non-contiguous output.
    InvalidArgumentError
        A read-only output.

    Examples
    --------
    >>> from fastcode.fields.base import as_region
    >>> buf = bytearray(b"abcd")
    >>> region = as_region(buf, np.uint8, "out", writable=True)
    >>> region[0] = ord("z")                # writes through to the buffer
    >>> bytes(buf)
    b'zbcd'
    >>> as_region(b"abcd", np.uint8, "out", writable=True)
    Traceback (most recent call last):
        ...
    fastcode.errors.InvalidArgumentError: out is read-only
    """
    dtype = np.dtype(dtype)
    if isinstance(x, np.ndarray):
        if x.dtype != dtype:
            raise FieldTypeError(f"{name} must have dtype {dtype}, got {x.dtype}")
        if x.ndim != 1:
            raise ShardSizeError(f"{name} must be 1-D, got shape {x.shape}")
        if writable:
            if not x.flags.writeable:
                raise InvalidArgumentError(f"{name} is read-only")
            if x.strides[0] != dtype.itemsize and len(x) > 1:
                raise ShardSizeError(f"{name} must be contiguous to be written in place")
            return x
        return np.ascontiguousarray(x)
    try:
        view = memoryview(x)
    except TypeError:
        raise FieldTypeError(f"{name} must be a 1-D {dtype} array or bytes-like, "
                             f"got {type(x).__name__}") from None
    if writable and view.readonly:
        raise InvalidArgumentError(f"{name} is read-only")
    if view.itemsize != dtype.itemsize or view.ndim != 1:
        raise FieldTypeError(f"{name} must be a 1-D buffer of {dtype} items, got format "
                             f"{view.format!r} with {view.ndim} dimensions")
    # np.asarray keeps the buffer's strides (np.frombuffer would raise BufferError on a
    # strided memoryview); the array path then copies or rejects non-contiguous data.
    arr = np.asarray(view)
    if arr.dtype != dtype:
        arr = arr.view(dtype)
    return as_region(arr, dtype, name, writable)


class MatmulPlan:
    """Product with a fixed left matrix A: ``plan(B, out=None)`` returns A @ B.

    Fields with prepared kernels (GF256) subclass it to keep their tables;
    this generic version just remembers A.  Made by ``field.plan_matmul(A)``.

    Parameters
    ----------
    field : Field
        The field of the product.
    A : (rows, k) ndarray of the field's dtype
        The fixed left matrix.

    Examples
    --------
    >>> from fastcode import PrimeField
    >>> F = PrimeField(257)
    >>> plan = F.plan_matmul([[1, 2], [3, 4]])
    >>> plan.shape
    (2, 2)
    >>> plan(F.asarray([[1, 0, 256], [0, 1, 1]])).tolist()
    [[1, 2, 1], [3, 4, 1]]
    """

    def __init__(self, field: "Field", A: np.ndarray) -> None:
        self.field = field
        self.A = A

    @property
    def shape(self) -> Tuple[int, ...]:
        """Shape (rows, k) of the fixed left matrix A."""
        return self.A.shape

    def __call__(self, B: Any, out: Optional[Any] = None) -> np.ndarray:
        """A @ B over the field, into ``out`` when given (as ``field.matmul``)."""
        return self.field.matmul(self.A, B, out=out)


class Field:
    """Base class of the field descriptors: common helpers; subclasses implement the arithmetic.

    A field is a small immutable singleton-like descriptor (``GF256``,
    ``GF65536``, ``PrimeField(p)``, ``Reals``); it holds no data.  Codes call
    only the interface in the module docstring, so they work over every
    field.  Class attributes: ``name``, ``dtype`` (of every array of the
    field), ``order`` (number of elements, None when infinite),
    ``characteristic``, ``exact`` and the capability flags
    ``supports_solve_consistent`` and ``supports_lstsq``.

    Examples
    --------
    >>> from fastcode import Field, GF256, Reals
    >>> isinstance(GF256, Field), GF256.order, GF256.characteristic, GF256.exact
    (True, 256, 2, True)
    >>> Reals.order is None, Reals.supports_lstsq
    (True, True)
    """

    name: str = "field"
    dtype: Any = None
    order: Optional[int] = None
    characteristic: Optional[int] = None
    exact: bool = True
    supports_solve_consistent: bool = False
    supports_lstsq: bool = False

    if TYPE_CHECKING:
        # The interface every field implements (declared for type checkers only: at run
        # time a field has exactly the methods it defines, so ``hasattr`` stays truthful).
        def asarray(self, x: ArrayLike, name: str = "array") -> np.ndarray: ...
        def random(self, shape: Any, rng: Any = None) -> np.ndarray: ...
        def add(self, a: ArrayLike, b: ArrayLike) -> np.ndarray: ...
        def sub(self, a: ArrayLike, b: ArrayLike) -> np.ndarray: ...
        def mul(self, a: ArrayLike, b: ArrayLike) -> np.ndarray: ...
        def div(self, a: ArrayLike, b: ArrayLike) -> np.ndarray: ...
        def inv(self, a: ArrayLike) -> np.ndarray: ...
        def pow(self, a: ArrayLike, e: Any) -> np.ndarray: ...
        def matmul(self, A: ArrayLike, B: Any, out: Optional[Any] = None,
                   n_threads: Optional[int] = None) -> np.ndarray: ...
        def inv_matrix(self, A: ArrayLike) -> np.ndarray: ...
        def solve(self, A: ArrayLike, B: ArrayLike) -> np.ndarray: ...
        def rank(self, A: ArrayLike) -> int: ...
        def det(self, A: ArrayLike) -> Any: ...

    def __repr__(self) -> str:
        return self.name

    def zeros(self, shape: Union[int, Tuple[int, ...]]) -> np.ndarray:
        """All-zero array of the field's dtype.

        Parameters
        ----------
        shape : int or tuple of int

        Returns
        -------
        ndarray of the field's dtype
            Zeros (the field's additive identity).

        Examples
        --------
        >>> from fastcode import GF256
        >>> z = GF256.zeros((2, 3))
        >>> z.dtype, z.tolist()
        (dtype('uint8'), [[0, 0, 0], [0, 0, 0]])
        """
        return np.zeros(shape, dtype=self.dtype)

    def eye(self, n: int) -> np.ndarray:
        """n x n identity matrix.

        Parameters
        ----------
        n : int

        Returns
        -------
        (n, n) ndarray of the field's dtype

        Examples
        --------
        >>> from fastcode import GF256
        >>> A = GF256.asarray([[7, 9], [200, 3]])
        >>> np.array_equal(GF256.matmul(GF256.eye(2), A), A)
        True
        """
        return np.eye(n, dtype=self.dtype)

    def neg(self, a: ArrayLike) -> np.ndarray:
        """-a element-wise (here: 0 - a).

        Parameters
        ----------
        a : array_like
            Field elements.

        Returns
        -------
        ndarray of the field's dtype
            The additive inverses, shape of ``a``.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(7)
        >>> F.neg([0, 1, 6]).tolist()
        [0, 6, 1]
        """
        return self.sub(self.zeros(np.shape(a)), a)

    def plan_matmul(self, A: ArrayLike) -> MatmulPlan:
        """Prepare repeated products A @ B with the same A (see MatmulPlan).

        An encoder or a cached decoder keeps the plan; fields with prepared
        kernels (GF256) build their tables once here.

        Parameters
        ----------
        A : (rows, k) array_like of field elements
            The fixed left matrix.

        Returns
        -------
        MatmulPlan
            ``plan(B, out=None)`` returns A @ B.

        Raises
        ------
        FieldTypeError, FieldValueError
            ``A`` does not hold elements of the field.

        Examples
        --------
        >>> from fastcode import Reals
        >>> plan = Reals.plan_matmul([[1.0, 2.0], [0.0, 1.0]])
        >>> plan(np.array([[1.0], [1.0]])).tolist()
        [[3.0], [1.0]]
        """
        return MatmulPlan(self, self.asarray(A))

    def sum(self, a: ArrayLike, axis: int = 0) -> np.ndarray:
        """Sum of ``a`` along ``axis`` in the field (here: repeated ``add``).

        Parameters
        ----------
        a : array_like
            Field elements.
        axis : int, default 0
            The axis summed over.

        Returns
        -------
        ndarray of the field's dtype
            ``a``'s shape without ``axis``.

        Examples
        --------
        Over GF(2^8) addition is XOR:

        >>> from fastcode import GF256
        >>> GF256.sum([[1, 2], [3, 2]], axis=0).tolist()
        [2, 0]
        """
        a = self.asarray(a, "a")
        a = np.moveaxis(a, axis, 0)
        total = self.zeros(a.shape[1:])
        for row in a:
            total = self.add(total, row)
        return total

    def solve_consistent(self, A: ArrayLike, B: ArrayLike) -> np.ndarray:
        """One X (n, k) with A @ X = B for A (m, n), B (m, k): any shape, any rank.

        Not every field has it: ``supports_solve_consistent`` says whether this
        one does (PrimeField); the others raise.

        Parameters
        ----------
        A : (m, n) array_like of field elements
        B : (m, k) array_like of field elements

        Returns
        -------
        (n, k) ndarray of the field's dtype
            One solution (there may be many).

        Raises
        ------
        FieldValueError
            The field has no ``solve_consistent``.
        SingularMatrixError
            (In fields that have it) no X exists.

        Examples
        --------
        >>> from fastcode import PrimeField, GF256
        >>> F = PrimeField(257)
        >>> A = F.asarray([[1, 2], [2, 4]])             # rank 1
        >>> X = F.solve_consistent(A, [[3], [6]])
        >>> F.matmul(A, X).tolist()
        [[3], [6]]
        >>> GF256.supports_solve_consistent
        False
        """
        raise FieldValueError(f"{self} cannot solve general linear systems (no solve_consistent)")

    def lstsq(self, A: ArrayLike, B: ArrayLike) -> np.ndarray:
        """argmin_X ||A @ X - B|| for A (m, n), B (m, k).  Only inexact fields have it.

        ``supports_lstsq`` says whether this field does (Reals); the others raise.

        Parameters
        ----------
        A : (m, n) array_like
        B : (m, k) or (m,) array_like

        Returns
        -------
        (n, k) or (n,) ndarray
            The least-squares solution.

        Raises
        ------
        FieldValueError
            The field has no least squares (a finite field).

        Examples
        --------
        >>> from fastcode import GF256, Reals
        >>> x = Reals.lstsq([[1.0], [1.0]], [1.0, 3.0])     # the mean fits best
        >>> round(float(x[0]), 6)
        2.0
        >>> GF256.lstsq([[1], [1]], [1, 3])
        Traceback (most recent call last):
            ...
        fastcode.errors.FieldValueError: GF256 has no least squares (lstsq needs a real field such as Reals)
        """
        raise FieldValueError(f"{self} has no least squares (lstsq needs a real field such as Reals)")


class BinaryTableOps:
    """Element-wise operations of a field GF(2^m) whose products come from the
    log/exp tables of its reference module (``_elementwise``: a module with mul, div,
    inv and power), shared by GF256 and GF65536.  ``_label`` names the field in
    messages ("GF(2^8)").

    The methods broadcast like NumPy and return arrays of the field's dtype.

    Examples
    --------
    In GF(2^8) (polynomial 0x11d, as ISA-L) 2 generates the multiplicative group:

    >>> from fastcode import GF256
    >>> GF256.mul(2, 0x80).tolist()           # x * x^7 = x^8 = x^4+x^3+x^2+1
    29
    >>> a = GF256.asarray([1, 2, 3, 255])
    >>> np.array_equal(GF256.mul(a, GF256.inv(a)), np.ones(4, dtype=np.uint8))
    True
    """

    #: The reference module with the field's tables (mul, div, inv, power), set by
    #: the subclass; a plain module, so typed loosely.
    _elementwise: Any = None
    _label = "GF(2^m)"

    if TYPE_CHECKING:
        def asarray(self, x: ArrayLike, name: str = "array") -> np.ndarray: ...

    def mul(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a * b element-wise, broadcasting.

        Parameters
        ----------
        a, b : array_like of field elements

        Returns
        -------
        ndarray of the field's dtype
            The products, of the broadcast shape.

        Raises
        ------
        FieldTypeError, FieldValueError
            An argument does not hold field elements.
        ValueError
            The shapes do not broadcast.

        Examples
        --------
        Scaling a row of bytes by a coefficient, as an encoder does:

        >>> from fastcode import GF256
        >>> GF256.mul(3, [1, 2, 4, 128]).tolist()
        [3, 6, 12, 157]
        """
        a, b = self.asarray(a, "a"), self.asarray(b, "b")
        np.broadcast_shapes(a.shape, b.shape)  # ValueError, not IndexError, on a mismatch
        return self._elementwise.mul(a, b)

    def _nonzero(self, b: ArrayLike, what: str) -> np.ndarray:
        b = self.asarray(b, what)
        if np.any(b == 0):
            raise ZeroDivisionError(f"{what} has zero entries: division by zero in {self._label}")
        return b

    def div(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a / b element-wise, broadcasting.

        Parameters
        ----------
        a, b : array_like of field elements
            ``b`` has no zero.

        Returns
        -------
        ndarray of the field's dtype
            The quotients, of the broadcast shape.

        Raises
        ------
        ZeroDivisionError
            ``b`` has a zero.
        FieldTypeError, FieldValueError
            An argument does not hold field elements.
        ValueError
            The shapes do not broadcast.

        Examples
        --------
        >>> from fastcode import GF256
        >>> q = GF256.div([3, 6, 12], 3)
        >>> q.tolist(), GF256.mul(q, 3).tolist()
        ([1, 2, 4], [3, 6, 12])
        """
        a, b = self.asarray(a, "a"), self._nonzero(b, "b")
        np.broadcast_shapes(a.shape, b.shape)
        return self._elementwise.div(a, b)

    def inv(self, a: ArrayLike) -> np.ndarray:
        """1 / a element-wise.

        Parameters
        ----------
        a : array_like of nonzero field elements

        Returns
        -------
        ndarray of the field's dtype
            The inverses, shape of ``a``.

        Raises
        ------
        ZeroDivisionError
            ``a`` has a zero.
        FieldTypeError, FieldValueError
            ``a`` does not hold field elements.

        Examples
        --------
        >>> from fastcode import GF256
        >>> GF256.inv([1, 2, 142]).tolist()       # 2 * 142 = 1 in GF(2^8)
        [1, 142, 2]
        """
        return self._elementwise.inv(self._nonzero(a, "a"))

    def pow(self, a: ArrayLike, e: ArrayLike) -> np.ndarray:
        """a ** e element-wise for integer exponents (negative needs a != 0).

        Parameters
        ----------
        a : array_like of field elements
        e : array_like of int
            Exponents, broadcast against ``a``; 0 ** 0 = 1.

        Returns
        -------
        ndarray of the field's dtype
            The powers, of the broadcast shape.

        Raises
        ------
        FieldTypeError
            ``e`` is not an integer array, or ``a`` does not hold integers.
        ZeroDivisionError
            0 raised to a negative power.

        Examples
        --------
        The Vandermonde row of the point 2 (ISA-L's generator):

        >>> from fastcode import GF256
        >>> GF256.pow(2, np.arange(10)).tolist()
        [1, 2, 4, 8, 16, 32, 64, 128, 29, 58]
        >>> GF256.pow(2, -1).tolist() == GF256.inv(2).tolist()
        True
        """
        a = self.asarray(a, "a")
        e = np.asarray(e)
        if e.dtype.kind not in "biu":
            raise FieldTypeError(f"exponent must be an integer, got dtype {e.dtype}")
        if np.any((e < 0) & (a == 0)):
            raise ZeroDivisionError(f"0 raised to a negative power in {self._label}")
        return self._elementwise.power(a, e)

    def _matrix(self, A: ArrayLike, name: str) -> np.ndarray:
        A = self.asarray(A, name)
        if A.ndim != 2:
            raise ShardSizeError(f"{name} must be a 2-D matrix, got shape {A.shape}")
        return np.ascontiguousarray(A)
