"""GF(2^8) field descriptor: ``fastcode.GF256``.

Polynomial 0x11d (x^8+x^4+x^3+x^2+1), generator 2: byte-compatible with ISA-L,
zfec, Jerasure (w=8) and galois' default.  Elements are uint8.

Bulk products (``matmul``, ``plan_matmul``, ``mul_region``, ``mad_region``)
run on the native C kernels, or on the NumPy reference when the backend is
"numpy" (``fastcode.set_backend``).  Arguments are validated here, once.
"""
import numbers

import numpy as np

from fastcode import _config
from fastcode._util.memory import overlaps
from fastcode.errors import FieldTypeError, FieldValueError, InvalidArgumentError, ShardSizeError
from fastcode._util.rng import as_generator
from fastcode.fields.base import BinaryTableOps, Field, MatmulPlan, as_region
from fastcode.reference import gf256 as _ref

try:
    from fastcode.fields import _gf256 as _native
    _NATIVE_ERROR = None
except ImportError as exc:  # not built: run on the reference, loudly
    _native = None
    _NATIVE_ERROR = exc


# DotPlan.apply_batch's results: the native module's, the same values for the
# reference path when it is not built
_BATCH_DONE = getattr(_native, "BATCH_DONE", 0)
_BATCH_OVERLAPS_INPUT = getattr(_native, "BATCH_OUT_OVERLAPS_INPUT", 1)
_BATCH_ROWS_OVERLAP = getattr(_native, "BATCH_OUT_ROWS_OVERLAP", 2)


def _impl():
    return _native if _config.use_native(_native, _NATIVE_ERROR) else _ref


def _is_uint8_array(x):
    return isinstance(x, np.ndarray) and x.dtype == np.uint8


def _region(x, name, writable):
    """One 1-D uint8 region from an array or a bytes-like object."""
    return as_region(x, np.uint8, name, writable)


def _contiguous_rows(x, name, writable):
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


def _regions(x, name, count, writable):
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


def is_stripe_batch(x):
    """Whether ``x`` is a batch of stripes rather than one stripe: a 3-D array
    (stripes, rows, L), or a non-empty list/tuple whose items are stripes (2-D
    arrays, or lists/tuples of 1-D buffers) -- never buffers, which a list of
    rows holds.  A list of lists of numbers is not a batch (it is a malformed
    list of rows, refused as such)."""
    if isinstance(x, np.ndarray):
        return x.ndim == 3
    if isinstance(x, (list, tuple)) and len(x):
        first = x[0]
        if isinstance(first, np.ndarray):
            return first.ndim == 2
        return isinstance(first, (list, tuple)) and not (
            len(first) and isinstance(first[0], (numbers.Number, np.generic)))
    return False


def _stripes(x, name, count, writable):
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


def _stripes_length(stripes):
    """The region length of a batch from _stripes, or None when no stripe has a row."""
    if isinstance(stripes, np.ndarray):
        return stripes.shape[2]
    for stripe in stripes:
        length = _region_length(stripe)
        if length is not None:
            return length
    return None


def _batch_rows(stripes):
    """Every row of a batch, as a list of 1-D arrays."""
    return [row for stripe in stripes for row in stripe]


def _copy_batch(dst, src):
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


def _region_length(regions):
    if isinstance(regions, np.ndarray):
        return regions.shape[1]
    return len(regions[0]) if regions else None


def _check_region_alias(src, out):
    """out may be src itself (element-wise kernels) but must not partially overlap it."""
    if np.may_share_memory(src, out) and not (
            src.__array_interface__["data"][0] == out.__array_interface__["data"][0]
            and src.strides == out.strides and src.shape == out.shape):
        raise ValueError("out partially overlaps src (only out is src is allowed)")


class GF256Plan(MatmulPlan):
    """A @ B with A fixed: the native plan keeps A's grouping and nibble tables."""

    def __init__(self, field, A):
        super().__init__(field, A)
        self._backend = _config.get_backend()
        self._set_kernel()

    def _set_kernel(self):
        self._kernel = _impl().DotPlan(self.A)
        # the native plan's few-checks path for 2-D arrays (None on the reference)
        self._apply_arrays = getattr(self._kernel, "apply_arrays", None)

    def _current_kernel(self):
        if self._backend != _config.get_backend():
            self._backend = _config.get_backend()
            self._set_kernel()

    def __call__(self, B, out=None, n_threads=None):
        """A @ B for B (k, L) (or k buffers); out (rows, L) (or rows buffers).

        A batch B, (stripes, k, L) or a list of stripes, runs as ``batch``."""
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

    def batch(self, B, out=None, n_threads=None, names=("B", "out")):
        """A @ B[s] for every stripe s of a batch, in one C call.

        ``B``: (stripes, k, L) uint8 array (rows contiguous; strided rows are
        copied) or a list of stripes, each a (k, L) array or k 1-D buffers;
        every region L bytes.  ``out``: (stripes, rows, L) array or a list of
        stripes of rows writable buffers, else a new (stripes, rows, L) array.
        ``out`` may overlap B (computed into a temporary first); output
        regions overlapping each other raise InvalidArgumentError with
        nothing written.  Threads take whole stripes.  ``names`` are the
        argument names used in errors."""
        self._current_kernel()
        threads = _config.check_num_threads(n_threads)
        in_name, out_name = names
        rows, k = self.A.shape
        inputs = _stripes(B, in_name, k, writable=False)
        length = _stripes_length(inputs)
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

    def _reference_batch(self, inputs, outputs):
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

    def _call_general(self, B, out, threads):
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
    """GF(2^8), polynomial 0x11d, generator 2; elements uint8.  Use ``fastcode.GF256``."""

    _elementwise = _ref
    _label = "GF(2^8)"

    name = "GF256"
    dtype = np.dtype(np.uint8)
    order = 256
    characteristic = 2
    degree = 8
    polynomial = 0x11D
    generator = 2

    def __reduce__(self):
        return "GF256"

    def __eq__(self, other):
        return isinstance(other, GF256Field)

    def __hash__(self):
        return hash("GF256")

    # ---- values -----------------------------------------------------------

    def asarray(self, x, name="array"):
        """x as a uint8 array, rejecting non-integers and values outside 0..255."""
        if _is_uint8_array(x):
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

    def random(self, shape, rng=None):
        """Uniform random elements (uint8) of the given shape."""
        return as_generator(rng).integers(0, 256, size=shape, dtype=np.uint8)

    # ---- element-wise -----------------------------------------------------

    def add(self, a, b):
        """a + b element-wise (XOR)."""
        return _ref.add(self.asarray(a, "a"), self.asarray(b, "b"))

    sub = add

    def neg(self, a):
        """-a = a in characteristic 2."""
        return self.asarray(a, "a").copy()

    # ---- bulk -------------------------------------------------------------

    def plan_matmul(self, A):
        """Prepared product with the fixed (rows x k) matrix A.

        ``plan(B, out=None, n_threads=None)`` computes A @ B for B a (k, L) uint8
        array or a list of k equal-length 1-D uint8 buffers; ``out`` is a (rows, L)
        array or a list of rows writable buffers, filled without allocation.
        Keep the plan to reuse its kernel tables (an encoder, a cached decoder)."""
        return GF256Plan(self, self._matrix(A, "A"))

    def matmul(self, A, B, out=None, n_threads=None):
        """A @ B over GF(2^8): A (rows, k) coefficients, B (k, L) data or k buffers.

        This is the bulk kernel (ISA-L's dot_prod): out[r] = sum_j A[r, j] * B[j].
        B may also be a 1-D vector of length k.  ``out`` (rows, L) is filled in
        place when given; it may overlap B (the product is then computed into a
        temporary first), but its rows must not overlap each other
        (InvalidArgumentError, nothing written).  Uses ``n_threads`` threads
        (default ``fastcode.get_num_threads()``) on large regions."""
        return self.plan_matmul(A)(B, out=out, n_threads=n_threads)

    def mul_region(self, c, src, out=None):
        """out = c * src over a 1-D uint8 region (out may be src)."""
        c = self._scalar(c)
        src = _region(src, "src", writable=False)
        if out is None:
            out = np.empty_like(src)
        else:
            out = _region(out, "out", writable=True)
            _check_region_alias(src, out)
        _impl().mul_region(c, src, out)
        return out

    def mad_region(self, c, src, out):
        """out ^= c * src over 1-D uint8 regions (the incremental-update kernel)."""
        c = self._scalar(c)
        src = _region(src, "src", writable=False)
        out = _region(out, "out", writable=True)
        _check_region_alias(src, out)
        _impl().mad_region(c, src, out)
        return out

    def _scalar(self, c):
        arr = self.asarray(c, "c")
        if arr.ndim != 0:
            raise ShardSizeError(f"c must be a scalar, got shape {arr.shape}")
        return int(arr)

    # ---- linear algebra ----------------------------------------------------

    def inv_matrix(self, A):
        """Inverse of a square matrix; SingularMatrixError if singular."""
        return _impl().inv_matrix(self._square(A, "A"))

    def solve(self, A, B):
        """X with A @ X = B; A (n, n), B (n, m) or (n,).  SingularMatrixError if singular."""
        A = self._square(A, "A")
        B = self.asarray(B, "B")
        vector = B.ndim == 1
        B2 = np.ascontiguousarray(B.reshape(-1, 1) if vector else B)
        if B2.ndim != 2 or B2.shape[0] != A.shape[0]:
            raise ShardSizeError(f"B must have {A.shape[0]} rows, got shape {B.shape}")
        X = _impl().solve(A, B2)
        return X.reshape(-1) if vector else X

    def rank(self, A):
        """Rank of a 2-D matrix."""
        return int(_impl().rank(self._matrix(A, "A")))

    def det(self, A):
        """Determinant of a square matrix (an int in 0..255)."""
        return int(_impl().det(self._square(A, "A")))

    def _square(self, A, name):
        A = self._matrix(A, name)
        if A.shape[0] != A.shape[1]:
            raise ShardSizeError(f"{name} must be square, got shape {A.shape}")
        return A


GF256 = GF256Field()
