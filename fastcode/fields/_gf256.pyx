# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Native GF(2^8) kernels (csrc/) behind typed memoryviews.

Private module: the public face is ``fastcode.fields.gf256.GF256``, which
validates arguments once.  This layer still checks every length and count it
turns into a pointer, so a direct call can raise but never crash.  Every C call
runs with the GIL released.
"""
from libc.stdint cimport uint8_t
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
