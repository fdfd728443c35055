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
    must be writable and contiguous, since it is filled in place.  Raises
    FieldTypeError for a wrong dtype or object, ShardSizeError for a wrong
    ndim or a non-contiguous output, InvalidArgumentError for a read-only one."""
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
    this generic version just remembers A."""

    def __init__(self, field: "Field", A: np.ndarray) -> None:
        self.field = field
        self.A = A

    @property
    def shape(self) -> Tuple[int, ...]:
        """Shape (rows, k) of the fixed left matrix A."""
        return self.A.shape

    def __call__(self, B: Any, out: Optional[Any] = None) -> np.ndarray:
        return self.field.matmul(self.A, B, out=out)


class Field:
    """Base class: common helpers; subclasses implement the arithmetic."""

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
        """All-zero array of the field's dtype."""
        return np.zeros(shape, dtype=self.dtype)

    def eye(self, n: int) -> np.ndarray:
        """n x n identity matrix."""
        return np.eye(n, dtype=self.dtype)

    def neg(self, a: ArrayLike) -> np.ndarray:
        """-a element-wise."""
        return self.sub(self.zeros(np.shape(a)), a)

    def plan_matmul(self, A: ArrayLike) -> MatmulPlan:
        """Prepare repeated products A @ B with the same A (see MatmulPlan)."""
        return MatmulPlan(self, self.asarray(A))

    def sum(self, a: ArrayLike, axis: int = 0) -> np.ndarray:
        """Sum of ``a`` along ``axis`` in the field (here: repeated ``add``)."""
        a = self.asarray(a, "a")
        a = np.moveaxis(a, axis, 0)
        total = self.zeros(a.shape[1:])
        for row in a:
            total = self.add(total, row)
        return total

    def solve_consistent(self, A: ArrayLike, B: ArrayLike) -> np.ndarray:
        """One X (n, k) with A @ X = B for A (m, n), B (m, k): any shape, any rank.
        SingularMatrixError when no X exists.  Not every field has it."""
        raise FieldValueError(f"{self} cannot solve general linear systems (no solve_consistent)")

    def lstsq(self, A: ArrayLike, B: ArrayLike) -> np.ndarray:
        """argmin_X ||A @ X - B|| for A (m, n), B (m, k).  Only inexact fields have it."""
        raise FieldValueError(f"{self} has no least squares (lstsq needs a real field such as Reals)")


class BinaryTableOps:
    """Element-wise operations of a field GF(2^m) whose products come from the
    log/exp tables of its reference module (``_elementwise``: a module with mul, div,
    inv and power), shared by GF256 and GF65536.  ``_label`` names the field in
    messages ("GF(2^8)")."""

    _elementwise = None
    _label = "GF(2^m)"

    def mul(self, a, b):
        """a * b element-wise."""
        a, b = self.asarray(a, "a"), self.asarray(b, "b")
        np.broadcast_shapes(a.shape, b.shape)  # ValueError, not IndexError, on a mismatch
        return self._elementwise.mul(a, b)

    def _nonzero(self, b, what):
        b = self.asarray(b, what)
        if np.any(b == 0):
            raise ZeroDivisionError(f"{what} has zero entries: division by zero in {self._label}")
        return b

    def div(self, a, b):
        """a / b element-wise; ZeroDivisionError if b has a zero."""
        a, b = self.asarray(a, "a"), self._nonzero(b, "b")
        np.broadcast_shapes(a.shape, b.shape)
        return self._elementwise.div(a, b)

    def inv(self, a):
        """1 / a element-wise; ZeroDivisionError if a has a zero."""
        return self._elementwise.inv(self._nonzero(a, "a"))

    def pow(self, a, e):
        """a ** e element-wise for integer exponents (negative needs a != 0)."""
        a = self.asarray(a, "a")
        e = np.asarray(e)
        if e.dtype.kind not in "biu":
            raise FieldTypeError(f"exponent must be an integer, got dtype {e.dtype}")
        if np.any((e < 0) & (a == 0)):
            raise ZeroDivisionError(f"0 raised to a negative power in {self._label}")
        return self._elementwise.power(a, e)

    def _matrix(self, A, name):
        A = self.asarray(A, name)
        if A.ndim != 2:
            raise ShardSizeError(f"{name} must be a 2-D matrix, got shape {A.shape}")
        return np.ascontiguousarray(A)
