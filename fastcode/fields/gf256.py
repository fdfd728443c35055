"""GF(2^8) field descriptor: ``fastcode.GF256``.

Polynomial 0x11d (x^8+x^4+x^3+x^2+1), generator 2: byte-compatible with ISA-L,
zfec, Jerasure (w=8) and galois' default.  Elements are uint8.

Bulk products (``matmul``, ``plan_matmul``, ``mul_region``, ``mad_region``)
run on the native C kernels, or on the NumPy reference when the backend is
"numpy" (``fastcode.set_backend``).  Arguments are validated here, once.

Examples
--------
Encode two parity rows from three data rows, as ISA-L's ``ec_encode_data``
does with the same coefficients:

>>> from fastcode import GF256
>>> C = GF256.asarray([[1, 1, 1], [1, 2, 4]])          # parity coefficients
>>> data = GF256.asarray([[10, 20], [30, 40], [50, 60]])
>>> GF256.matmul(C, data).tolist()
[[38, 0], [254, 180]]
"""
import numbers
from typing import Any, List, Optional, Tuple, TypeVar, Union, cast, overload

import numpy as np
from numpy.typing import ArrayLike

from fastcode import _config
from fastcode._util.memory import overlaps
from fastcode.errors import FieldTypeError, FieldValueError, InvalidArgumentError, ShardSizeError
from fastcode._util.rng import as_generator
from fastcode.fields.base import BinaryTableOps, Field, MatmulPlan, Regions, as_region
from fastcode.reference import gf256 as _ref

#: An ``out=`` container: returned as given (the same array or list of buffers).
_Out = TypeVar("_Out", np.ndarray, "list[Any]", "tuple[Any, ...]")

try:
    # the compiled extension has no type stub: mypy cannot see the module
    from fastcode.fields import _gf256 as _native  # type: ignore[attr-defined]
    _NATIVE_ERROR = None
except ImportError as exc:  # not built: run on the reference, loudly
    _native = None
    _NATIVE_ERROR = exc


# DotPlan.apply_batch's results: the native module's, the same values for the
# reference path when it is not built
_BATCH_DONE = getattr(_native, "BATCH_DONE", 0)
_BATCH_OVERLAPS_INPUT = getattr(_native, "BATCH_OUT_OVERLAPS_INPUT", 1)
_BATCH_ROWS_OVERLAP = getattr(_native, "BATCH_OUT_ROWS_OVERLAP", 2)


def _impl() -> Any:
    return _native if _config.use_native(_native, _NATIVE_ERROR) else _ref


def _region(x: Any, name: str, writable: bool) -> np.ndarray:
    """One 1-D uint8 region from an array or a bytes-like object."""
    return as_region(x, np.uint8, name, writable)


def _contiguous_rows(x: np.ndarray, name: str, writable: bool) -> np.ndarray:
    """A uint8 array of rows (2-D regions or 3-D stripes) with stride 1 along
    its last axis, as the kernels require: rows of one byte get that stride
    (it is never used), an input with strided rows is copied, an output with
    them is refused (ShardSizeError), as is a read-only output (InvalidArgumentError)."""
    if x.size and x.shape[-1] == 1 and x.strides[-1] != 1:
        # one byte per row (e.g. a strided vector reshaped to (n, 1))
        x = np.lib.stride_tricks.as_strided(x, strides=x.strides[:-1] + (1,),
                                            writeable=x.flags.writeable)
    if x.size and x.shape[-1] > 1 and x.strides[-1] != 1:
        if writable:
            raise ShardSizeError(f"{name} rows must be contiguous to be written in place")
        x = np.ascontiguousarray(x)
    if writable and not x.flags.writeable:
        raise InvalidArgumentError(f"{name} is read-only")
    return x


def _regions(x: Any, name: str, count: Optional[int],
             writable: bool) -> Union[np.ndarray, List[np.ndarray]]:
    """A 2-D uint8 array with contiguous rows, or a list of 1-D uint8 regions."""
    if isinstance(x, np.ndarray):
        if x.dtype != np.uint8:
            raise FieldTypeError(f"{name} must have dtype uint8, got {x.dtype}")
        if x.ndim != 2:
            raise ShardSizeError(f"{name} must be 2-D (regions x length), got shape {x.shape}")
        if count is not None and x.shape[0] != count:
            raise ShardSizeError(f"{name} has {x.shape[0]} rows, expected {count}")
        return _contiguous_rows(x, name, writable)
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        raise FieldTypeError(f"{name} must be a 2-D uint8 array or a list of 1-D buffers, "
                             f"got {type(x).__name__}")
    if count is not None and len(x) != count:
        raise ShardSizeError(f"{name} has {len(x)} buffers, expected {count}")
    regions = [_region(r, f"{name}[{i}]", writable) for i, r in enumerate(x)]
    lengths = {len(r) for r in regions}
    if len(lengths) > 1:
        raise ShardSizeError(f"{name} buffers have different lengths {sorted(lengths)}")
    return regions


def is_stripe_batch(x: object) -> bool:
    """Whether ``x`` is a batch of stripes rather than one stripe.

    A batch is a 3-D array (stripes, rows, L), or a non-empty list/tuple whose
    items are stripes (2-D arrays, or lists/tuples of 1-D buffers) -- never
    buffers, which a list of rows holds.  A list of lists of numbers is not a
    batch (it is a malformed list of rows, refused as such).  ``matmul`` and
    plans use it to send a batch to ``GF256Plan.batch``.

    Parameters
    ----------
    x : object
        A ``B`` argument of a product.

    Returns
    -------
    bool

    Examples
    --------
    >>> from fastcode.fields.gf256 import is_stripe_batch
    >>> stripe = np.zeros((4, 16), dtype=np.uint8)
    >>> is_stripe_batch(stripe), is_stripe_batch(np.stack([stripe, stripe]))
    (False, True)
    >>> is_stripe_batch([bytearray(16)] * 4), is_stripe_batch([stripe, stripe])
    (False, True)
    """
    if isinstance(x, np.ndarray):
        return x.ndim == 3
    if isinstance(x, (list, tuple)) and len(x):
        first = x[0]
        if isinstance(first, np.ndarray):
            return first.ndim == 2
        return isinstance(first, (list, tuple)) and not (
            len(first) and isinstance(first[0], (numbers.Number, np.generic)))
    return False


def _stripes(x: Any, name: str, count: int,
             writable: bool) -> Union[np.ndarray, List[Union[np.ndarray, List[np.ndarray]]]]:
    """A batch as the kernel takes it: a 3-D uint8 array with contiguous rows
    (an input with strided rows is copied), or a list of stripes each checked
    by ``_regions``.  Errors name the stripe (``name[s]``)."""
    if isinstance(x, np.ndarray):
        if x.dtype != np.uint8:
            raise FieldTypeError(f"{name} must have dtype uint8, got {x.dtype}")
        if x.ndim != 3:
            raise ShardSizeError(f"{name} must be 3-D (stripes, rows, length), got shape {x.shape}")
        if x.shape[1] != count:
            raise ShardSizeError(f"{name} stripes have {x.shape[1]} rows, expected {count}")
        return _contiguous_rows(x, name, writable)
    if isinstance(x, (str, bytes)) or not isinstance(x, (list, tuple)):
        raise FieldTypeError(f"{name} must be a 3-D uint8 array or a list of stripes, "
                             f"got {type(x).__name__}")
    return [_regions(stripe, f"{name}[{s}]", count, writable) for s, stripe in enumerate(x)]


def _stripes_length(stripes: Any) -> Optional[int]:
    """The region length of a batch from _stripes, or None when no stripe has a row."""
    if isinstance(stripes, np.ndarray):
        return stripes.shape[2]
    for stripe in stripes:
        length = _region_length(stripe)
        if length is not None:
            return length
    return None


def _batch_rows(stripes: Any) -> List[np.ndarray]:
    """Every row of a batch, as a list of 1-D arrays."""
    return [row for stripe in stripes for row in stripe]


def _copy_batch(dst: Any, src: np.ndarray) -> None:
    """dst[s][r][...] = src[s, r] for a batch dst (array or list of stripes)."""
    if isinstance(dst, np.ndarray):
        dst[...] = src
        return
    for stripe, block in zip(dst, src):
        if isinstance(stripe, np.ndarray):
            stripe[...] = block
        else:
            for row, values in zip(stripe, block):
                row[...] = values


def _region_length(regions: Any) -> Optional[int]:
    if isinstance(regions, np.ndarray):
        return regions.shape[1]
    return len(regions[0]) if regions else None


def _check_region_alias(src: np.ndarray, out: np.ndarray) -> None:
    """out may be src itself (element-wise kernels) but must not partially overlap it."""
    if np.may_share_memory(src, out) and not (
            src.__array_interface__["data"][0] == out.__array_interface__["data"][0]
            and src.strides == out.strides and src.shape == out.shape):
        raise ValueError("out partially overlaps src (only out is src is allowed)")


class GF256Plan(MatmulPlan):
    """A @ B over GF(2^8) with A fixed: the native plan keeps A's grouping and nibble tables.

    Made by ``GF256.plan_matmul(A)``; keep it to reuse its kernel tables (an
    encoder, a cached decoder).  ``plan(B, out=None, n_threads=None)`` is the
    product (ISA-L's ``ec_encode_data`` with prepared tables):
    out[r] = sum_j A[r, j] * B[j] over GF(2^8), byte-identical to ISA-L.  A plan
    follows ``fastcode.set_backend``: it rebuilds its kernel when the backend
    changes.

    Parameters
    ----------
    field : GF256Field
        ``GF256``.
    A : (rows, k) uint8 ndarray
        The fixed coefficient matrix, C-contiguous.

    Examples
    --------
    >>> from fastcode import GF256
    >>> rng = np.random.default_rng(0)
    >>> plan = GF256.plan_matmul(GF256.random((2, 4), rng))   # a parity block
    >>> stripe = GF256.random((4, 1024), rng)
    >>> out = np.empty((2, 1024), dtype=np.uint8)
    >>> plan(stripe, out=out) is out                        # filled in place
    True
    >>> np.array_equal(out, GF256.matmul(plan.A, stripe))
    True
    """

    def __init__(self, field: "GF256Field", A: np.ndarray) -> None:
        super().__init__(field, A)
        self._backend = _config.get_backend()
        self._set_kernel()

    def _set_kernel(self) -> None:
        self._kernel = _impl().DotPlan(self.A)
        # the native plan's few-checks path for 2-D arrays (None on the reference)
        self._apply_arrays = getattr(self._kernel, "apply_arrays", None)

    def _current_kernel(self) -> None:
        if self._backend != _config.get_backend():
            self._backend = _config.get_backend()
            self._set_kernel()

    @overload
    def __call__(self, B: Regions, out: None = None,
                 n_threads: Optional[int] = None) -> np.ndarray: ...

    @overload
    def __call__(self, B: Regions, out: _Out, n_threads: Optional[int] = None) -> _Out: ...

    def __call__(self, B: Regions, out: Optional[Regions] = None,
                 n_threads: Optional[int] = None) -> Regions:
        """A @ B for B (k, L) (or k buffers); out (rows, L) (or rows buffers).

        A 1-D B of length k gives a vector of length rows.  A batch B,
        (stripes, k, L) or a list of stripes, runs as ``batch``.  Arguments and
        errors as ``GF256Field.matmul``; returns ``out`` when given, else a new
        uint8 array."""
        self._current_kernel()
        threads = _config.check_num_threads(n_threads)
        # Fast path (small regions are dominated by per-call cost): 2-D uint8
        # arrays with contiguous rows, checked by the kernel itself.  Any other
        # form, or a validation error, takes the general path, which names the
        # public argument in its error.
        if type(B) is np.ndarray and self._apply_arrays is not None:
            if out is None:
                if B.ndim == 2:
                    result = np.empty((self.A.shape[0], B.shape[1]), dtype=np.uint8)
                    if self._apply_arrays(B, result, threads):
                        return result
            elif self._apply_arrays(B, out, threads):
                return out
        if is_stripe_batch(B):
            return self.batch(B, out, threads)
        return self._call_general(B, out, threads)

    @overload
    def batch(self, B: Regions, out: None = None, n_threads: Optional[int] = None,
              names: Tuple[str, str] = ("B", "out")) -> np.ndarray: ...

    @overload
    def batch(self, B: Regions, out: _Out, n_threads: Optional[int] = None,
              names: Tuple[str, str] = ("B", "out")) -> _Out: ...

    def batch(self, B: Regions, out: Optional[Regions] = None, n_threads: Optional[int] = None,
              names: Tuple[str, str] = ("B", "out")) -> Regions:
        """A @ B[s] for every stripe s of a batch, in one C call.

        Many small stripes (e.g. 4 KiB pages, each encoded on its own) cost one
        call instead of one per stripe.  Threads take whole stripes.

        Parameters
        ----------
        B : (stripes, k, L) uint8 array or list of stripes
            Rows contiguous (strided rows are copied); or a list of stripes, each
            a (k, L) array or k 1-D buffers; every region L bytes.
        out : (stripes, rows, L) uint8 array or list of stripes, optional
            Or a list of stripes of ``rows`` writable buffers; else a new
            (stripes, rows, L) array.  It may overlap B (the products are then
            computed into a temporary first).
        n_threads : int, optional
            Threads to use (default ``fastcode.get_num_threads()``).
        names : (str, str), default ("B", "out")
            The argument names used in errors.

        Returns
        -------
        (stripes, rows, L) uint8 array or list of stripes
            ``out`` when given, else a new array.

        Raises
        ------
        FieldTypeError
            A wrong dtype, or B/out not an array or list of stripes.
        ShardSizeError
            Stripes with the wrong number of rows, regions of unequal length,
            different stripe counts in B and out, or non-contiguous output rows.
        InvalidArgumentError
            Output regions overlapping each other (nothing written), or a
            read-only output.
        ValueError
            ``n_threads`` not an integer in [1, MAX_THREADS].

        Examples
        --------
        >>> from fastcode import GF256
        >>> rng = np.random.default_rng(0)
        >>> plan = GF256.plan_matmul(GF256.random((2, 4), rng))
        >>> pages = GF256.random((8, 4, 4096), rng)           # 8 stripes of 4 rows
        >>> parity = plan.batch(pages, n_threads=2)
        >>> parity.shape
        (8, 2, 4096)
        >>> np.array_equal(parity[5], plan(pages[5]))
        True
        """
        self._current_kernel()
        threads = _config.check_num_threads(n_threads)
        in_name, out_name = names
        rows, k = self.A.shape
        inputs = _stripes(B, in_name, k, writable=False)
        length = _stripes_length(inputs)
        outputs: Union[np.ndarray, List[Any]]
        if out is None:
            if length is None:
                length = 0
            out = outputs = np.empty((len(inputs), rows, length), dtype=np.uint8)
        else:
            outputs = _stripes(out, out_name, rows, writable=True)
            if len(outputs) != len(inputs):
                raise ShardSizeError(f"{out_name} has {len(outputs)} stripes, {in_name} has "
                                     f"{len(inputs)}")
            out_len = _stripes_length(outputs)
            if length is None:
                length = out_len or 0
            elif out_len is not None and out_len != length:
                raise ShardSizeError(f"{out_name} regions have length {out_len}, {in_name} has "
                                     f"{length}")
        if k == 0:
            _copy_batch(outputs, np.zeros((len(outputs), rows, length), dtype=np.uint8))
            return out
        run = getattr(self._kernel, "apply_batch", None)
        if run is None:
            status = self._reference_batch(inputs, outputs)
        else:
            status = run(inputs, outputs, threads, in_name, out_name)
        if status == _BATCH_ROWS_OVERLAP:
            raise InvalidArgumentError(f"{out_name} rows overlap each other")
        if status == _BATCH_OVERLAPS_INPUT:
            staged = np.empty((len(inputs), rows, length), dtype=np.uint8)
            if run is None:
                self._reference_batch(inputs, staged)
            else:
                run(inputs, staged, threads, in_name, out_name)
            _copy_batch(outputs, staged)
        return out

    def _reference_batch(self, inputs: Any, outputs: Any) -> int:
        """The batch on the NumPy reference, stripe by stripe, after the same
        overlap checks as the native kernel (status as its apply_batch)."""
        into_input, between_outputs = overlaps(_batch_rows(outputs), _batch_rows(inputs))
        if between_outputs:
            return _BATCH_ROWS_OVERLAP
        if into_input:
            return _BATCH_OVERLAPS_INPUT
        for stripe_in, stripe_out in zip(inputs, outputs):
            self._kernel.apply(stripe_in, stripe_out)
        return _BATCH_DONE

    def _call_general(self, B: Any, out: Any, threads: int) -> Regions:
        rows, k = self.A.shape
        out_arg = out
        vector = isinstance(B, np.ndarray) and B.ndim == 1
        if vector:
            B = B.reshape(-1, 1)
        inputs = _regions(B, "B", k, writable=False)
        length = _region_length(inputs)
        if length is None:  # k == 0: length comes from out, else empty
            length = 0 if out is None else _region_length(_regions(out, "out", rows, True)) or 0
        if out is None:
            out = np.empty((rows, length), dtype=np.uint8)
            outputs = out
        else:
            if vector:
                if not isinstance(out, np.ndarray):
                    out = _region(out, "out", writable=True)
                out = out.reshape(-1, 1)
            outputs = _regions(out, "out", rows, writable=True)
            out_len = _region_length(outputs)
            if out_len is not None and out_len != length:
                raise ShardSizeError(f"out regions have length {out_len}, B has {length}")
        if k == 0:
            if overlaps(outputs, ())[1]:
                raise InvalidArgumentError("out rows overlap each other")
            for r in ([outputs] if isinstance(outputs, np.ndarray) else outputs):
                r[...] = 0
        elif length and rows:
            try:
                self._kernel.apply(inputs, outputs, threads)
            except ValueError:
                # the kernel refuses overlapping regions before writing anything;
                # only then pay for finding out which kind of overlap it was
                into_input, between_outputs = overlaps(outputs, inputs)
                if between_outputs:
                    raise InvalidArgumentError("out rows overlap each other") from None
                if not into_input:
                    raise
                staged = np.empty((rows, length), dtype=np.uint8)
                self._kernel.apply(inputs, staged, threads)
                for row, src in zip(outputs, staged):
                    row[...] = src
        if out_arg is not None:
            return out_arg
        if vector:
            return out.reshape(-1)
        return out


class GF256Field(BinaryTableOps, Field):
    """GF(2^8), polynomial 0x11d, generator 2; elements uint8.  Use ``fastcode.GF256``.

    The field of byte shards: polynomial 0x11d (x^8+x^4+x^3+x^2+1) and
    generator 2, byte-compatible with ISA-L (``gf_mul``, ``gf_inv``,
    ``ec_encode_data``), zfec, Jerasure (w=8) and galois' default: a byte means
    the same element in all of them, so products, inverses and parity bytes are
    theirs.  Addition is XOR.

    Element-wise ``add``/``sub``, ``neg``, ``mul``, ``div``, ``inv``, ``pow``
    use log/exp tables (``mul``, ``div``, ``inv`` and ``pow`` are documented in
    ``fastcode.fields.base.BinaryTableOps``).  The bulk products ``matmul``,
    ``plan_matmul``, ``mul_region`` and ``mad_region`` run on the native SIMD
    kernels (``fastcode.platform`` picks the level) or on the NumPy reference
    when the backend is "numpy"; ``inv_matrix``, ``solve``, ``rank`` and ``det``
    are a Gauss-Jordan elimination on the same backend.  Class attributes: ``name`` "GF256", ``dtype``
    uint8, ``order`` 256, ``characteristic`` 2, ``degree`` 8, ``polynomial``
    0x11D, ``generator`` 2.  All instances are equal and pickle to the
    singleton ``GF256``; the constructor takes no parameters.

    Examples
    --------
    ISA-L's ``gf_mul(2, 0x80)`` and ``gf_inv(2)``:

    >>> from fastcode import GF256
    >>> hex(int(GF256.mul(2, 0x80))), hex(int(GF256.inv(2)))
    ('0x1d', '0x8e')

    The full multiplication and inverse tables, in two calls:

    >>> x = np.arange(256)
    >>> mul_table = GF256.mul(x[:, None], x[None, :])        # (256, 256) uint8
    >>> inv_table = GF256.inv(x[1:])                          # 1 / x for x = 1..255
    >>> bool(np.all(mul_table[x[1:], inv_table] == 1))
    True

    A systematic (5, 3) erasure code: parity = C @ data, and the data back from
    rows 1, 3 and 4 of [I; C]:

    >>> rng = np.random.default_rng(0)
    >>> C = GF256.asarray([[1, 1, 1], [1, 2, 4]])
    >>> data = GF256.random((3, 4096), rng)
    >>> shards = np.vstack([data, GF256.matmul(C, data)])
    >>> G = np.vstack([GF256.eye(3), C])
    >>> decode = GF256.plan_matmul(GF256.inv_matrix(G[[1, 3, 4]]))
    >>> np.array_equal(decode(shards[[1, 3, 4]]), data)
    True
    """

    _elementwise: Any = _ref
    _label = "GF(2^8)"

    name = "GF256"
    dtype = np.dtype(np.uint8)
    order = 256
    characteristic = 2
    degree = 8
    polynomial = 0x11D
    generator = 2

    def __reduce__(self) -> str:
        return "GF256"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GF256Field)

    def __hash__(self) -> int:
        return hash("GF256")

    # ---- values -----------------------------------------------------------

    def asarray(self, x: ArrayLike, name: str = "array") -> np.ndarray:
        """x as a uint8 array, rejecting non-integers and values outside 0..255.

        A uint8 array is returned as is (no copy); other integer arrays are
        converted after a range check.

        Parameters
        ----------
        x : array_like of int
            Values in 0..255.
        name : str, default "array"
            The argument's name, used in error messages.

        Returns
        -------
        uint8 ndarray
            Same shape as ``x``.

        Raises
        ------
        FieldTypeError
            ``x`` does not hold integers (floats, strings, objects).
        FieldValueError
            Values outside 0..255.

        Examples
        --------
        >>> from fastcode import GF256
        >>> GF256.asarray([0, 7, 255]).dtype
        dtype('uint8')
        >>> GF256.asarray([1, 256], name="coefficients")
        Traceback (most recent call last):
            ...
        fastcode.errors.FieldValueError: coefficients has values outside GF(2^8) (0..255): min 1, max 256
        """
        if isinstance(x, np.ndarray) and x.dtype == np.uint8:
            return x
        arr = np.asarray(x)
        if arr.dtype == object and arr.size and all(
                isinstance(v, (int, np.integer)) for v in arr.flat):
            # Python ints too large for int64/uint64: integers, but not field values
            raise FieldValueError(f"{name} has values outside GF(2^8) (0..255): "
                                  f"min {min(arr.flat)}, max {max(arr.flat)}")
        if arr.dtype == object or arr.dtype.kind not in "biu":
            if arr.size == 0 and arr.dtype.kind == "f":
                return arr.astype(np.uint8)
            raise FieldTypeError(f"{name} must hold integers for GF(2^8), got dtype {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() > 255):
            raise FieldValueError(f"{name} has values outside GF(2^8) (0..255): "
                                  f"min {arr.min()}, max {arr.max()}")
        return arr.astype(np.uint8)

    def random(self, shape: Union[int, Tuple[int, ...]],
               rng: Union[None, int, np.random.Generator] = None) -> np.ndarray:
        """Uniform random elements (uint8) of the given shape.

        Parameters
        ----------
        shape : int or tuple of int
        rng : None, int or numpy.random.Generator, optional
            A seed or a generator (None: fresh entropy).

        Returns
        -------
        uint8 ndarray of ``shape``

        Examples
        --------
        >>> from fastcode import GF256
        >>> a = GF256.random((2, 3), rng=0)
        >>> a.shape, a.dtype, np.array_equal(a, GF256.random((2, 3), rng=0))
        ((2, 3), dtype('uint8'), True)
        """
        return as_generator(rng).integers(0, 256, size=shape, dtype=np.uint8)

    # ---- element-wise -----------------------------------------------------

    def add(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a + b element-wise (XOR), broadcasting; ``sub`` is the same operation.

        Parameters
        ----------
        a, b : array_like of field elements

        Returns
        -------
        uint8 ndarray
            Of the broadcast shape.

        Raises
        ------
        FieldTypeError, FieldValueError
            An argument does not hold elements of GF(2^8).

        Examples
        --------
        >>> from fastcode import GF256
        >>> GF256.add([0b1100, 255], [0b1010, 255]).tolist()
        [6, 0]
        >>> GF256.sub(6, 0b1010).tolist()                # = add in characteristic 2
        12
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
        uint8 ndarray
            A copy of ``a``.

        Examples
        --------
        >>> from fastcode import GF256
        >>> GF256.neg([1, 2, 3]).tolist()
        [1, 2, 3]
        """
        return self.asarray(a, "a").copy()

    # ---- bulk -------------------------------------------------------------

    def plan_matmul(self, A: ArrayLike) -> GF256Plan:
        """Prepared product with the fixed (rows x k) matrix A.

        ``plan(B, out=None, n_threads=None)`` computes A @ B for B a (k, L) uint8
        array or a list of k equal-length 1-D uint8 buffers; ``out`` is a (rows, L)
        array or a list of rows writable buffers, filled without allocation.
        Keep the plan to reuse its kernel tables (an encoder, a cached decoder).

        Parameters
        ----------
        A : (rows, k) array_like of field elements
            The coefficient matrix (copied to C order if needed).

        Returns
        -------
        GF256Plan
            Also ``plan.batch`` for many stripes in one call.

        Raises
        ------
        FieldTypeError, FieldValueError
            ``A`` does not hold elements of GF(2^8).
        ShardSizeError
            ``A`` is not 2-D.

        Examples
        --------
        Encode buffers in place, zero-copy (the shards can be bytearrays, mmaps,
        NumPy rows):

        >>> from fastcode import GF256
        >>> encode = GF256.plan_matmul([[1, 1, 1], [1, 2, 4]])
        >>> data = [bytearray(b"abcd"), bytearray(b"efgh"), bytearray(b"ijkl")]
        >>> parity = [bytearray(4), bytearray(4)]
        >>> _ = encode(data, out=parity)
        >>> [p.hex() for p in parity]
        ['6d6e6f60', '121b1c19']
        """
        return GF256Plan(self, self._matrix(A, "A"))

    @overload
    def matmul(self, A: ArrayLike, B: Regions, out: None = None,
               n_threads: Optional[int] = None) -> np.ndarray: ...

    @overload
    def matmul(self, A: ArrayLike, B: Regions, out: _Out,
               n_threads: Optional[int] = None) -> _Out: ...

    def matmul(self, A: ArrayLike, B: Regions, out: Optional[Regions] = None,
               n_threads: Optional[int] = None) -> Regions:
        """A @ B over GF(2^8): A (rows, k) coefficients, B (k, L) data or k buffers.

        This is the bulk kernel (ISA-L's dot_prod): out[r] = sum_j A[r, j] * B[j],
        byte-identical to ISA-L's ``ec_encode_data`` with the same matrix.  It
        prepares a plan each call: keep ``plan_matmul(A)`` to repeat a product.
        A batch B (3-D, or a list of stripes) runs as ``GF256Plan.batch``.

        Parameters
        ----------
        A : (rows, k) array_like of field elements
            The coefficients.
        B : (k, L) uint8 array, list of k buffers, or (k,) vector
            Rows contiguous (strided rows are copied); buffers of equal length.
        out : (rows, L) uint8 array or list of rows writable buffers, optional
            Filled in place when given.  It may overlap B (the product is then
            computed into a temporary first), but its rows must not overlap
            each other.
        n_threads : int, optional
            Threads to use on large regions (default
            ``fastcode.get_num_threads()``); the result does not depend on it.

        Returns
        -------
        (rows, L) uint8 array, (rows,) vector, or ``out``
            ``out`` itself when given.

        Raises
        ------
        FieldTypeError
            A wrong dtype, or B/out neither an array nor a list of buffers.
        FieldValueError
            ``A`` has values outside 0..255.
        ShardSizeError
            Shapes that do not match (B must have k rows, out rows rows of
            length L), buffers of unequal length, or out rows not contiguous.
        InvalidArgumentError
            Rows of ``out`` overlapping each other (nothing written), or a
            read-only ``out``.
        ValueError
            ``n_threads`` not an integer in [1, MAX_THREADS].

        Examples
        --------
        >>> from fastcode import GF256
        >>> A = GF256.asarray([[1, 1], [1, 2]])
        >>> B = GF256.asarray([[1, 2, 3], [4, 5, 6]])
        >>> GF256.matmul(A, B).tolist()                     # 1*B0 ^ 1*B1, 1*B0 ^ 2*B1
        [[5, 7, 5], [9, 8, 15]]

        Large regions, into a preallocated ``out``, on two threads:

        >>> rng = np.random.default_rng(0)
        >>> C = GF256.random((4, 10), rng)
        >>> data = GF256.random((10, 1 << 16), rng)
        >>> parity = np.empty((4, 1 << 16), dtype=np.uint8)
        >>> GF256.matmul(C, data, out=parity, n_threads=2) is parity
        True
        >>> np.array_equal(parity, GF256.matmul(C, data, n_threads=1))
        True
        """
        return self.plan_matmul(A)(B, out=out, n_threads=n_threads)

    def mul_region(self, c: int, src: Any, out: Optional[Any] = None) -> np.ndarray:
        """out = c * src over a 1-D uint8 region (out may be src).

        ISA-L's ``gf_vect_mul``: one coefficient times a whole region, on the
        native kernels.

        Parameters
        ----------
        c : int
            The coefficient, an element of GF(2^8) (0..255).
        src : 1-D uint8 array or bytes-like
            The region.
        out : 1-D uint8 array or writable bytes-like, optional
            Same length; filled in place.  It may be ``src`` itself, but must
            not partially overlap it.

        Returns
        -------
        1-D uint8 ndarray
            The product (a view of ``out`` when given).

        Raises
        ------
        FieldTypeError, FieldValueError
            ``c`` is not an element of GF(2^8), or a region of the wrong type.
        ShardSizeError
            ``c`` is not a scalar, a region not 1-D, or a non-contiguous ``out``.
        InvalidArgumentError
            A read-only ``out``.
        ValueError
            ``out`` partially overlaps ``src``, or has a different length.

        Examples
        --------
        >>> from fastcode import GF256
        >>> GF256.mul_region(3, bytes([1, 2, 4, 128])).tolist()
        [3, 6, 12, 157]
        >>> buf = bytearray([1, 2, 4, 128])
        >>> _ = GF256.mul_region(2, buf, out=buf)          # in place
        >>> list(buf)
        [2, 4, 8, 29]
        """
        c = self._scalar(c)
        src = _region(src, "src", writable=False)
        if out is None:
            out = np.empty_like(src)
        else:
            out = _region(out, "out", writable=True)
            _check_region_alias(src, out)
        _impl().mul_region(c, src, out)
        return out

    def mad_region(self, c: int, src: Any, out: Any) -> np.ndarray:
        """out ^= c * src over 1-D uint8 regions (the incremental-update kernel).

        ISA-L's ``gf_vect_mad``: when data row j changes by ``delta``, parity
        row r changes by ``C[r, j] * delta``, so parity is updated without
        re-encoding the stripe.

        Parameters
        ----------
        c : int
            The coefficient, an element of GF(2^8) (0..255).
        src : 1-D uint8 array or bytes-like
            The region to scale.
        out : 1-D uint8 array or writable bytes-like
            Same length; accumulated into in place.  It may be ``src`` itself,
            but must not partially overlap it.

        Returns
        -------
        1-D uint8 ndarray
            ``out`` (as an array view).

        Raises
        ------
        FieldTypeError, FieldValueError
            ``c`` is not an element of GF(2^8), or a region of the wrong type.
        ShardSizeError
            ``c`` is not a scalar, a region not 1-D, or a non-contiguous ``out``.
        InvalidArgumentError
            A read-only ``out``.
        ValueError
            ``out`` partially overlaps ``src``, or has a different length.

        Examples
        --------
        Update parity after one data row changes:

        >>> from fastcode import GF256
        >>> rng = np.random.default_rng(0)
        >>> C = GF256.asarray([[1, 1, 1], [1, 2, 4]])
        >>> data = GF256.random((3, 64), rng)
        >>> parity = GF256.matmul(C, data)
        >>> new_row = GF256.random(64, rng)
        >>> delta = GF256.add(data[2], new_row)
        >>> for r in range(2):
        ...     _ = GF256.mad_region(int(C[r, 2]), delta, parity[r])
        >>> data[2] = new_row
        >>> np.array_equal(parity, GF256.matmul(C, data))
        True
        """
        c = self._scalar(c)
        src = _region(src, "src", writable=False)
        out = _region(out, "out", writable=True)
        _check_region_alias(src, out)
        _impl().mad_region(c, src, out)
        return out

    def _scalar(self, c: Any) -> int:
        arr = self.asarray(c, "c")
        if arr.ndim != 0:
            raise ShardSizeError(f"c must be a scalar, got shape {arr.shape}")
        return int(arr)

    # ---- linear algebra ----------------------------------------------------

    def inv_matrix(self, A: ArrayLike) -> np.ndarray:
        """Inverse of a square matrix over GF(2^8) (native Gauss-Jordan).

        Parameters
        ----------
        A : (n, n) array_like of field elements

        Returns
        -------
        (n, n) uint8 ndarray

        Raises
        ------
        SingularMatrixError
            ``A`` is singular over GF(2^8).
        ShardSizeError
            ``A`` is not a square 2-D matrix.
        FieldTypeError, FieldValueError
            ``A`` does not hold elements of GF(2^8).

        Examples
        --------
        >>> from fastcode import GF256
        >>> A = GF256.asarray([[1, 2], [3, 4]])
        >>> GF256.inv_matrix(A).tolist()
        [[2, 1], [143, 142]]
        >>> GF256.matmul(A, GF256.inv_matrix(A)).tolist()
        [[1, 0], [0, 1]]
        """
        return _impl().inv_matrix(self._square(A, "A"))

    def solve(self, A: ArrayLike, B: ArrayLike) -> np.ndarray:
        """X with A @ X = B over GF(2^8); A (n, n), B (n, m) or (n,).

        Parameters
        ----------
        A : (n, n) array_like of field elements
        B : (n, m) or (n,) array_like of field elements

        Returns
        -------
        uint8 ndarray
            X, shaped like ``B``.

        Raises
        ------
        SingularMatrixError
            ``A`` is singular over GF(2^8).
        ShardSizeError
            ``A`` not square, or ``B`` without n rows.
        FieldTypeError, FieldValueError
            An argument does not hold elements of GF(2^8).

        Examples
        --------
        >>> from fastcode import GF256
        >>> A = GF256.asarray([[1, 2], [3, 4]])
        >>> x = GF256.solve(A, [7, 9])
        >>> GF256.matmul(A, x).tolist()
        [7, 9]
        """
        A = self._square(A, "A")
        B = self.asarray(B, "B")
        vector = B.ndim == 1
        B2 = np.ascontiguousarray(B.reshape(-1, 1) if vector else B)
        if B2.ndim != 2 or B2.shape[0] != A.shape[0]:
            raise ShardSizeError(f"B must have {A.shape[0]} rows, got shape {B.shape}")
        X = _impl().solve(A, B2)
        return X.reshape(-1) if vector else X

    def rank(self, A: ArrayLike) -> int:
        """Rank of a 2-D matrix over GF(2^8).

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
            ``A`` does not hold elements of GF(2^8).

        Examples
        --------
        Rows (1, 3) and (3, 5) are independent over the reals but dependent over
        GF(2^8), where 3 * (1, 3) = (3, 5):

        >>> from fastcode import GF256, Reals
        >>> GF256.rank([[1, 3], [3, 5]]), Reals.rank([[1, 3], [3, 5]])
        (1, 2)
        >>> GF256.mul(3, [1, 3]).tolist()
        [3, 5]
        """
        return int(_impl().rank(self._matrix(A, "A")))

    def det(self, A: ArrayLike) -> int:
        """Determinant of a square matrix over GF(2^8) (an int in 0..255).

        Parameters
        ----------
        A : (n, n) array_like of field elements

        Returns
        -------
        int
            In 0..255; 0 exactly when ``A`` is singular.

        Raises
        ------
        ShardSizeError
            ``A`` is not a square 2-D matrix.
        FieldTypeError, FieldValueError
            ``A`` does not hold elements of GF(2^8).

        Examples
        --------
        >>> from fastcode import GF256
        >>> GF256.det([[1, 2], [3, 4]])               # 1*4 + 2*3 = 4 XOR 6
        2
        """
        return int(_impl().det(self._square(A, "A")))

    def _square(self, A: ArrayLike, name: str) -> np.ndarray:
        A = self._matrix(A, name)
        if A.shape[0] != A.shape[1]:
            raise ShardSizeError(f"{name} must be square, got shape {A.shape}")
        return A


GF256 = GF256Field()
