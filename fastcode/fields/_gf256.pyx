# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Native GF(2^8) kernels (csrc/) behind typed memoryviews.

Private module: the public face is ``fastcode.fields.gf256.GF256``, which
validates arguments once.  This layer still checks every length and count it
turns into a pointer, so a direct call can raise but never crash.  Every C call
runs with the GIL released.
"""
from libc.stdint cimport uint8_t, uintptr_t, intptr_t
from libc.stdlib cimport malloc, free
from libc.string cimport memset

import numpy as np
cimport numpy as cnp

cnp.import_array()

from fastcode.errors import ShardSizeError, SingularMatrixError

cdef extern from "gf256.h" nogil:
    ctypedef struct fc_dot_plan:
        pass
    void fc_gf256_init()
    int fc_simd_detect()
    int fc_simd_supported(int level)
    int fc_simd_ranked(int *levels)
    enum: FC_SIMD_N_LEVELS
    int fc_simd_level()
    int fc_simd_set_level(int level)
    const char *fc_simd_level_name(int level)
    int fc_cpu_has(const char *feature)
    void fc_gf256_mul(size_t len, uint8_t c, const uint8_t *inp, uint8_t *out)
    void fc_gf256_mad(size_t len, uint8_t c, const uint8_t *inp, uint8_t *out)
    fc_dot_plan *fc_dot_plan_new(int rows, int k, const uint8_t *matrix)
    void fc_dot_plan_free(fc_dot_plan *plan)
    size_t fc_dot_plan_nbytes(const fc_dot_plan *plan)
    int fc_dot_plan_apply(const fc_dot_plan *plan, size_t len, const uint8_t *const *inp,
                          uint8_t *const *out, int n_threads)
    int fc_dot_plan_apply_batch(const fc_dot_plan *plan, size_t n_stripes, size_t len,
                                const uint8_t *const *inp, uint8_t *const *out, int n_threads)
    int fc_regions_overlap(size_t n_a, const uint8_t *const *a, size_t n_b,
                           const uint8_t *const *b, size_t len, int *a_self)
    size_t fc_dot_stripe_len(int k, int rows)
    int fc_gf256_invert(int n, const uint8_t *a, uint8_t *inv)
    int fc_gf256_rank(int rows, int cols, const uint8_t *a)
    int fc_gf256_det(int n, const uint8_t *a)
    int fc_gf256_solve(int n, int m, const uint8_t *a, const uint8_t *b, uint8_t *x)

fc_gf256_init()

# Every level the kernels know, in the C enum's order (names are not ranks:
# a CPU may have GFNI without AVX-512 or the reverse).
LEVELS = tuple(fc_simd_level_name(i).decode() for i in range(FC_SIMD_N_LEVELS))


def detected_level():
    """The level used by default: the fastest one this CPU (and OS) supports."""
    return LEVELS[fc_simd_detect()]


def supported_levels():
    """The levels this CPU (and OS) can run, slowest first (the default last)."""
    cdef int ranked[FC_SIMD_N_LEVELS]
    cdef int n = fc_simd_ranked(ranked)
    return tuple(LEVELS[ranked[i]] for i in reversed(range(n)))


def active_level():
    """SIMD level the kernels currently use, as a name."""
    return LEVELS[fc_simd_level()]


def set_level(str name):
    """Force the kernels to ``name`` (one of LEVELS that this CPU supports)."""
    if name not in LEVELS:
        raise ValueError(f"SIMD level must be one of {LEVELS}, got {name!r}")
    if fc_simd_set_level(LEVELS.index(name)) != 0:
        raise ValueError(f"SIMD level {name!r} is not supported by this CPU "
                         f"(available: {supported_levels()})")


def cpu_has(str feature):
    """Whether the CPU reports ``feature`` (e.g. 'avx2', 'gfni')."""
    return bool(fc_cpu_has(feature.encode()))


def stripe_len(int k, int rows):
    """Cache-blocking stripe length in bytes for k inputs and ``rows`` outputs."""
    return fc_dot_stripe_len(k, rows)


cdef _scale_region(uint8_t c, const uint8_t[::1] src, uint8_t[::1] out, bint accumulate):
    cdef size_t n = src.shape[0]
    if <size_t>out.shape[0] != n:
        raise ShardSizeError(f"out has length {out.shape[0]}, src has {n}")
    if n:
        with nogil:
            if accumulate:
                fc_gf256_mad(n, c, &src[0], &out[0])
            else:
                fc_gf256_mul(n, c, &src[0], &out[0])


def mul_region(uint8_t c, const uint8_t[::1] src, uint8_t[::1] out):
    """out[:] = c * src (1-D uint8, equal lengths; src may be out)."""
    _scale_region(c, src, out, False)


def mad_region(uint8_t c, const uint8_t[::1] src, uint8_t[::1] out):
    """out[:] ^= c * src (1-D uint8, equal lengths; src may be out)."""
    _scale_region(c, src, out, True)


cdef Py_ssize_t _gather_array(cnp.ndarray arr, Py_ssize_t count, Py_ssize_t length,
                              uint8_t **ptrs, bint writable, str name) except -1:
    """Row addresses of a 2-D uint8 array whose rows are contiguous."""
    cdef Py_ssize_t i, n, stride
    cdef char *base
    if cnp.PyArray_TYPE(arr) != cnp.NPY_UINT8:
        raise TypeError(f"{name} must have dtype uint8, got {arr.dtype}")
    if cnp.PyArray_DIM(arr, 0) != count:
        raise ShardSizeError(f"{name} has {cnp.PyArray_DIM(arr, 0)} rows, expected {count}")
    n = cnp.PyArray_DIM(arr, 1)
    if count and n > 1 and cnp.PyArray_STRIDE(arr, 1) != 1:
        raise ValueError(f"{name} rows must be contiguous (stride 1 along a row)")
    if length >= 0 and n != length:
        raise ShardSizeError(f"{name} rows have length {n}, expected {length}")
    if writable and not cnp.PyArray_ISWRITEABLE(arr):
        raise ValueError(f"{name} is read-only")
    base = <char *>cnp.PyArray_DATA(arr)
    stride = cnp.PyArray_STRIDE(arr, 0)
    for i in range(count):
        ptrs[i] = <uint8_t *>(base + i * stride)
    return n


cdef Py_ssize_t _gather(object regions, Py_ssize_t count, Py_ssize_t length,
                        uint8_t **ptrs, list keep, bint writable, str name) except -1:
    """Fill ptrs with the row addresses of ``regions``: a 2-D uint8 array whose
    rows are contiguous, or a sequence of 1-D contiguous uint8 buffers.
    Returns the common row length (``length`` if >= 0 is required)."""
    cdef const uint8_t[::1] ro1
    cdef uint8_t[::1] rw1
    cdef Py_ssize_t i, n
    if cnp.PyArray_Check(regions) and cnp.PyArray_NDIM(<cnp.ndarray>regions) == 2:
        return _gather_array(<cnp.ndarray>regions, count, length, ptrs, writable, name)
    if len(regions) != count:
        raise ShardSizeError(f"{name} has {len(regions)} buffers, expected {count}")
    for i in range(count):
        if writable:
            rw1 = regions[i]
            n = rw1.shape[0]
            ptrs[i] = &rw1[0] if n else NULL
            keep.append(rw1)
        else:
            ro1 = regions[i]
            n = ro1.shape[0]
            ptrs[i] = <uint8_t *>&ro1[0] if n else NULL
            keep.append(ro1)
        if length < 0:
            length = n
        elif n != length:
            raise ShardSizeError(f"{name}[{i}] has length {n}, expected {length}")
    return length if length >= 0 else 0


cdef int _overlapping(uint8_t **a, Py_ssize_t na, uint8_t **b, Py_ssize_t nb,
                      size_t length, bint same) noexcept nogil:
    """Whether any region of a overlaps one of b (distinct pairs when a is b)."""
    cdef Py_ssize_t i, j
    for i in range(na):
        for j in range(i + 1 if same else 0, nb):
            if a[i] < b[j] + length and b[j] < a[i] + length:
                return 1
    return 0


cdef class DotPlan:
    """Prepared product with a fixed (rows x k) GF(2^8) matrix.

    ``apply(inputs, outputs)`` computes outputs[r] = sum_j M[r, j] * inputs[j]
    over byte regions.  The plan (row classification, grouping, the kernel
    tables of every SIMD level) is built once; it is immutable and may be
    applied from several threads.
    """
    cdef fc_dot_plan *plan
    cdef readonly int rows
    cdef readonly int k

    def __cinit__(self, const uint8_t[:, ::1] matrix):
        self.rows = matrix.shape[0]
        self.k = matrix.shape[1]
        cdef const uint8_t *m = &matrix[0, 0] if self.rows and self.k else NULL
        cdef uint8_t dummy = 0
        with nogil:
            self.plan = fc_dot_plan_new(self.rows, self.k, m if m != NULL else &dummy)
        if self.plan == NULL:
            raise MemoryError("could not allocate a GF(2^8) dot-product plan")

    def __dealloc__(self):
        if self.plan != NULL:
            fc_dot_plan_free(self.plan)

    @property
    def nbytes(self):
        """Bytes held by the prepared tables."""
        return fc_dot_plan_nbytes(self.plan)

    def __reduce__(self):
        raise TypeError("DotPlan holds prepared kernel tables and is not picklable; "
                        "pickle the matrix and rebuild the plan")

    def apply(self, inputs, outputs, int n_threads=1):
        """Fill ``outputs`` (rows regions) from ``inputs`` (k regions).

        Both are 2-D uint8 arrays with contiguous rows or sequences of 1-D
        contiguous uint8 buffers; outputs must be writable and must not
        overlap the inputs.  Returns the region length."""
        cdef list keep = []
        # Pointer arrays on the stack for the usual sizes: small calls are
        # dominated by fixed costs.
        cdef uint8_t *istack[64]
        cdef uint8_t *ostack[64]
        cdef bint iheap = self.k > 64, oheap = self.rows > 64
        cdef uint8_t **iptr = <uint8_t **>malloc(self.k * sizeof(uint8_t *)) if iheap else istack
        cdef uint8_t **optr = <uint8_t **>malloc(self.rows * sizeof(uint8_t *)) if oheap else ostack
        cdef Py_ssize_t length
        cdef int rc = 0
        try:
            if iptr == NULL or optr == NULL:
                raise MemoryError()
            length = _gather(inputs, self.k, -1, iptr, keep, False, "inputs")
            length = _gather(outputs, self.rows, length if self.k else -1, optr, keep, True,
                             "outputs")
            if length and (_overlapping(optr, self.rows, optr, self.rows, length, True)
                           or _overlapping(optr, self.rows, iptr, self.k, length, False)):
                raise ValueError("outputs overlap each other or the inputs")
            if length and self.rows:
                with nogil:
                    rc = fc_dot_plan_apply(self.plan, length, <const uint8_t *const *>iptr,
                                           optr, n_threads)
                if rc == -2:
                    raise MemoryError("could not allocate GF(2^8) dot-product scratch")
            return length
        finally:
            if iheap:
                free(iptr)
            if oheap:
                free(optr)


    def apply_arrays(self, object inputs, object outputs, int n_threads):
        """Fast path of ``apply`` for the common call: ``inputs`` (k, L) and
        ``outputs`` (rows, L) both 2-D uint8 ndarrays with contiguous rows,
        outputs writable and not overlapping.  Returns True when done, False
        (nothing done) when the arguments are of any other form, so the
        caller can take the general path and name the problem there.  Small
        calls are dominated by this fixed cost: it is a few C checks."""
        cdef cnp.ndarray b, o
        cdef Py_ssize_t length, i
        cdef uint8_t *iptr[64]
        cdef uint8_t *optr[64]
        cdef char *base
        cdef int rc = 0
        if type(inputs) is not np.ndarray or type(outputs) is not np.ndarray:
            return False
        b = <cnp.ndarray>inputs
        o = <cnp.ndarray>outputs
        if (self.k > 64 or self.rows > 64 or self.k == 0
                or cnp.PyArray_NDIM(b) != 2 or cnp.PyArray_NDIM(o) != 2
                or cnp.PyArray_TYPE(b) != cnp.NPY_UINT8 or cnp.PyArray_TYPE(o) != cnp.NPY_UINT8
                or cnp.PyArray_DIM(b, 0) != self.k or cnp.PyArray_DIM(o, 0) != self.rows
                or cnp.PyArray_DIM(b, 1) != cnp.PyArray_DIM(o, 1)
                or not cnp.PyArray_ISWRITEABLE(o)):
            return False
        length = cnp.PyArray_DIM(b, 1)
        if length > 1 and (cnp.PyArray_STRIDE(b, 1) != 1 or cnp.PyArray_STRIDE(o, 1) != 1):
            return False
        base = <char *>cnp.PyArray_DATA(b)
        for i in range(self.k):
            iptr[i] = <uint8_t *>(base + i * cnp.PyArray_STRIDE(b, 0))
        base = <char *>cnp.PyArray_DATA(o)
        for i in range(self.rows):
            optr[i] = <uint8_t *>(base + i * cnp.PyArray_STRIDE(o, 0))
        if length == 0 or self.rows == 0:
            return True
        if (_overlapping(optr, self.rows, optr, self.rows, length, True)
                or _overlapping(optr, self.rows, iptr, self.k, length, False)):
            return False
        with nogil:
            rc = fc_dot_plan_apply(self.plan, length, <const uint8_t *const *>iptr, optr,
                                   n_threads)
        if rc == -2:
            raise MemoryError("could not allocate GF(2^8) dot-product scratch")
        return True

    def apply_batch(self, inputs, outputs, int n_threads=1, str in_name="inputs",
                    str out_name="outputs"):
        """The product on a batch of stripes in one C call (GIL released).

        ``inputs``: a 3-D uint8 array (stripes, k, L) whose rows are
        contiguous, or a sequence of stripes, each a (k, L) uint8 array with
        contiguous rows or k 1-D buffers; ``outputs`` the same with rows
        instead of k, writable; all regions L bytes.  Validation errors name
        ``in_name`` / ``out_name``.  Returns BATCH_DONE, or with nothing
        written BATCH_OUT_ROWS_OVERLAP (two output regions share bytes) or
        BATCH_OUT_OVERLAPS_INPUT (an output region shares bytes with an
        input: the caller stages)."""
        cdef list keep = []
        cdef Py_ssize_t n_stripes = len(inputs), length
        cdef uint8_t **iptr = NULL
        cdef uint8_t **optr = NULL
        cdef int rc = 0, status
        if len(outputs) != n_stripes:
            raise ShardSizeError(f"{out_name} has {len(outputs)} stripes, {in_name} has "
                                 f"{n_stripes}")
        try:
            iptr = <uint8_t **>malloc((n_stripes * self.k + 1) * sizeof(uint8_t *))
            optr = <uint8_t **>malloc((n_stripes * self.rows + 1) * sizeof(uint8_t *))
            if iptr == NULL or optr == NULL:
                raise MemoryError()
            length = _gather_batch(inputs, self.k, n_stripes, -1, iptr, keep, False, in_name)
            length = _gather_batch(outputs, self.rows, n_stripes, length, optr, keep, True,
                                   out_name)
            if length <= 0 or self.rows == 0 or n_stripes == 0:
                return BATCH_DONE
            status = _batch_overlap(inputs, outputs, iptr, self.k, optr, self.rows, n_stripes,
                                    length)
            if status != BATCH_DONE:
                return status
            with nogil:
                rc = fc_dot_plan_apply_batch(self.plan, n_stripes, length,
                                             <const uint8_t *const *>iptr, optr, n_threads)
            if rc == -2:
                raise MemoryError("could not allocate GF(2^8) dot-product scratch")
            return BATCH_DONE
        finally:
            free(iptr)
            free(optr)


# Results of DotPlan.apply_batch besides errors: done, or refused with nothing written.
BATCH_DONE = 0
BATCH_OUT_OVERLAPS_INPUT = 1
BATCH_OUT_ROWS_OVERLAP = 2


cdef Py_ssize_t _gather_batch(object stripes, Py_ssize_t count, Py_ssize_t n_stripes,
                              Py_ssize_t length, uint8_t **ptrs, list keep, bint writable,
                              str name) except -2:
    """Row addresses of every stripe, stripe s's row i at ptrs[s * count + i].

    ``stripes`` is a 3-D uint8 array (n_stripes, count, L) whose rows are
    contiguous, or a sequence of n_stripes stripes, each a form ``_gather``
    takes.  Returns L (``length`` if >= 0 is required), or -1 when it cannot
    be told (no stripe has a row)."""
    cdef cnp.ndarray arr
    cdef Py_ssize_t s, i, n, s0, s1
    cdef char *base
    if cnp.PyArray_Check(stripes):
        arr = <cnp.ndarray>stripes
        if cnp.PyArray_NDIM(arr) != 3:
            raise ShardSizeError(f"{name} must be 3-D (stripes, rows, length), got shape "
                                 f"{stripes.shape}")
        if cnp.PyArray_TYPE(arr) != cnp.NPY_UINT8:
            raise TypeError(f"{name} must have dtype uint8, got {arr.dtype}")
        if cnp.PyArray_DIM(arr, 0) != n_stripes:
            raise ShardSizeError(f"{name} has {cnp.PyArray_DIM(arr, 0)} stripes, "
                                 f"expected {n_stripes}")
        if cnp.PyArray_DIM(arr, 1) != count:
            raise ShardSizeError(f"{name} stripes have {cnp.PyArray_DIM(arr, 1)} rows, "
                                 f"expected {count}")
        n = cnp.PyArray_DIM(arr, 2)
        if length >= 0 and n != length:
            raise ShardSizeError(f"{name} rows have length {n}, expected {length}")
        if count and n_stripes and n > 1 and cnp.PyArray_STRIDE(arr, 2) != 1:
            raise ValueError(f"{name} rows must be contiguous (stride 1 along a row)")
        if writable and not cnp.PyArray_ISWRITEABLE(arr):
            raise ValueError(f"{name} is read-only")
        base = <char *>cnp.PyArray_DATA(arr)
        s0 = cnp.PyArray_STRIDE(arr, 0)
        s1 = cnp.PyArray_STRIDE(arr, 1)
        for s in range(n_stripes):
            for i in range(count):
                ptrs[s * count + i] = <uint8_t *>(base + s * s0 + i * s1)
        return n
    if len(stripes) != n_stripes:
        raise ShardSizeError(f"{name} has {len(stripes)} stripes, expected {n_stripes}")
    for s in range(n_stripes):
        if count == 0:
            if len(stripes[s]):
                raise ShardSizeError(f"{name}[{s}] has {len(stripes[s])} rows, expected 0")
            continue
        length = _gather(stripes[s], count, length, ptrs + s * count, keep, writable,
                         f"{name}[{s}]")
    return length


cdef bint _batch_rows_disjoint(object arr, Py_ssize_t length):
    """Whether the regions of a 3-D array (stripes, rows, length) are disjoint
    by its strides alone: rows of a stripe apart, stripes apart (exact for
    positive strides, sufficient for any)."""
    cdef cnp.ndarray a = <cnp.ndarray>arr
    cdef Py_ssize_t S = cnp.PyArray_DIM(a, 0), R = cnp.PyArray_DIM(a, 1)
    cdef Py_ssize_t s0 = abs(cnp.PyArray_STRIDE(a, 0)), s1 = abs(cnp.PyArray_STRIDE(a, 1))
    if R > 1 and s1 < length:
        return False
    return S <= 1 or s0 >= (R - 1) * s1 + length


cdef int _batch_overlap(object inputs, object outputs, uint8_t **iptr, Py_ssize_t k,
                        uint8_t **optr, Py_ssize_t rows, Py_ssize_t n_stripes,
                        Py_ssize_t length) except -1:
    """BATCH_OUT_ROWS_OVERLAP, BATCH_OUT_OVERLAPS_INPUT or BATCH_DONE (no overlap).

    Cheap for the usual layouts: separate arrays (their spans are apart) and
    views of one (stripes, n, L) codeword array (stripe 0 checked, the others
    are its translates); any other layout sorts all the addresses once."""
    cdef bint arrays = cnp.PyArray_Check(inputs) and cnp.PyArray_Check(outputs)
    cdef int self_overlap = 0, cross = 0
    cdef size_t n_a = rows, n_b = k
    cdef uintptr_t lo, hi, p
    cdef Py_ssize_t i
    if arrays and _batch_rows_disjoint(outputs, length):
        span_in = _span(<cnp.ndarray>inputs)
        span_out = _span(<cnp.ndarray>outputs)
        if span_in is None or span_out is None or span_in[1] <= span_out[0] \
                or span_out[1] <= span_in[0]:
            return BATCH_DONE
        if cnp.PyArray_STRIDE(<cnp.ndarray>inputs, 0) == cnp.PyArray_STRIDE(<cnp.ndarray>outputs, 0):
            # stripe 0's regions, and how far they spread
            lo = hi = <uintptr_t>optr[0]
            for i in range(rows):
                p = <uintptr_t>optr[i]
                lo = p if p < lo else lo
                hi = p if p > hi else hi
            for i in range(k):
                p = <uintptr_t>iptr[i]
                lo = p if p < lo else lo
                hi = p if p > hi else hi
            if n_stripes <= 1 or <uintptr_t>abs(cnp.PyArray_STRIDE(<cnp.ndarray>inputs, 0)) >= \
                    hi + <uintptr_t>length - lo:
                cross = fc_regions_overlap(n_a, <const uint8_t *const *>optr, n_b,
                                           <const uint8_t *const *>iptr, length, &self_overlap)
                if cross == -2:
                    raise MemoryError()
                return BATCH_OUT_OVERLAPS_INPUT if cross else BATCH_DONE
    n_a = <size_t>(rows * n_stripes)
    n_b = <size_t>(k * n_stripes)
    with nogil:
        cross = fc_regions_overlap(n_a, <const uint8_t *const *>optr, n_b,
                                   <const uint8_t *const *>iptr, length, &self_overlap)
    if cross == -2:
        raise MemoryError()
    if self_overlap:
        return BATCH_OUT_ROWS_OVERLAP
    return BATCH_OUT_OVERLAPS_INPUT if cross else BATCH_DONE


cdef object _span(cnp.ndarray a):
    """(lo, hi) byte addresses covered by a, or None when it is empty."""
    cdef Py_ssize_t d
    cdef intptr_t lo = <intptr_t>cnp.PyArray_DATA(a), hi
    if cnp.PyArray_SIZE(a) == 0:
        return None
    hi = lo
    for d in range(cnp.PyArray_NDIM(a)):
        if cnp.PyArray_STRIDE(a, d) < 0:
            lo += (cnp.PyArray_DIM(a, d) - 1) * cnp.PyArray_STRIDE(a, d)
        else:
            hi += (cnp.PyArray_DIM(a, d) - 1) * cnp.PyArray_STRIDE(a, d)
    return lo, hi + 1


def dot_prod(const uint8_t[:, ::1] matrix, inputs, outputs, int n_threads=1):
    """outputs[r] = sum_j matrix[r, j] * inputs[j]; see DotPlan.apply."""
    return DotPlan(matrix).apply(inputs, outputs, n_threads)


def inv_matrix(const uint8_t[:, ::1] a):
    """Inverse of the square matrix a; SingularMatrixError if singular."""
    cdef int n = a.shape[0]
    if a.shape[1] != n:
        raise ValueError(f"matrix must be square, got shape {tuple(a.shape)[:2]}")
    out = np.empty((n, n), dtype=np.uint8)
    cdef uint8_t[:, ::1] o = out
    cdef int rc = 0
    if n:
        with nogil:
            rc = fc_gf256_invert(n, &a[0, 0], &o[0, 0])
    if rc == -1:
        raise SingularMatrixError("matrix is singular over GF(2^8)")
    if rc == -2:
        raise MemoryError()
    return out


def solve(const uint8_t[:, ::1] a, const uint8_t[:, ::1] b):
    """x with a @ x = b over GF(2^8); a (n, n), b (n, m)."""
    cdef int n = a.shape[0], m = b.shape[1]
    if a.shape[1] != n:
        raise ValueError(f"a must be square, got shape {tuple(a.shape)[:2]}")
    if b.shape[0] != n:
        raise ValueError(f"b has {b.shape[0]} rows, a has {n}")
    out = np.empty((n, m), dtype=np.uint8)
    cdef uint8_t[:, ::1] o = out
    cdef int rc = 0
    if n and m:
        with nogil:
            rc = fc_gf256_solve(n, m, &a[0, 0], &b[0, 0], &o[0, 0])
    elif n:
        rc = 0 if fc_gf256_rank(n, n, &a[0, 0]) == n else -1
    if rc == -1:
        raise SingularMatrixError("matrix is singular over GF(2^8)")
    if rc == -2:
        raise MemoryError()
    return out


def rank(const uint8_t[:, ::1] a):
    """Rank of a 2-D matrix over GF(2^8)."""
    cdef int r = 0
    if a.shape[0] and a.shape[1]:
        with nogil:
            r = fc_gf256_rank(a.shape[0], a.shape[1], &a[0, 0])
    if r < 0:
        raise MemoryError()
    return r


def det(const uint8_t[:, ::1] a):
    """Determinant of a square matrix over GF(2^8)."""
    cdef int n = a.shape[0]
    if a.shape[1] != n:
        raise ValueError(f"matrix must be square, got shape {tuple(a.shape)[:2]}")
    if n == 0:
        return 1
    cdef int d
    with nogil:
        d = fc_gf256_det(n, &a[0, 0])
    if d < 0:
        raise MemoryError()
    return d
