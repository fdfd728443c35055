# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Native GF(2^16) additive-FFT codec (csrc/gf16_*) behind typed memoryviews.

Private module: the public faces are ``fastcode.fields.gf65536.GF65536`` and
``fastcode.codes.fft.FFTCode``, which validate arguments once.  This layer
still checks every count and length it turns into a pointer, so a direct call
can raise but never crash.  Every C call runs with the GIL released.
"""
from libc.stdint cimport uint8_t, uint16_t
from libc.stdlib cimport malloc, free

import numpy as np
cimport numpy as cnp

cnp.import_array()

from fastcode.errors import ShardSizeError

cdef extern from "gf16.h" nogil:
    ctypedef struct fc_gf16_kernels:
        void (*fft2)(uint8_t *x, uint8_t *y, size_t len, uint16_t c) noexcept nogil
        void (*ifft2)(uint8_t *x, uint8_t *y, size_t len, uint16_t c) noexcept nogil
        void (*fft4)(uint8_t *x0, uint8_t *x1, uint8_t *x2, uint8_t *x3, size_t len,
                     uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1) noexcept nogil
        void (*ifft4)(uint8_t *x0, uint8_t *x1, uint8_t *x2, uint8_t *x3, size_t len,
                      uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1) noexcept nogil
        void (*mul)(uint8_t *x, size_t len, uint16_t c) noexcept nogil
        void (*xor2)(uint8_t *x, const uint8_t *y, size_t len) noexcept nogil
    void fc_gf16_init()
    const uint16_t *fc_gf16_log
    const uint16_t *fc_gf16_exp
    int fc_gf16_detect()
    int fc_gf16_level()
    int fc_gf16_set_level(int level)
    const fc_gf16_kernels *fc_gf16_kernels_for(int level)
    int fc_gf16_supports(int k, int m)
    int fc_gf16_high_rate(int k, int m)
    int fc_gf16_encode(int k, int m, size_t len, const uint8_t *const *data,
                       uint8_t *const *parity, int n_threads)
    int fc_gf16_decode(int k, int m, size_t len, int n_recv, const int *recv_idx,
                       const uint8_t *const *recv, int n_out, const int *out_idx,
                       uint8_t *const *out, int n_threads)
    void fc_gf16_error_locator(int size, const uint8_t *erased, uint16_t *logs)

fc_gf16_init()

LEVELS = ("scalar", "avx2", "avx2_gfni", "avx512", "avx512_gfni")


def detected_level():
    """Highest SIMD level of the GF(2^16) kernels this CPU supports, as a name."""
    return LEVELS[fc_gf16_detect()]


def available_levels():
    """Every level this CPU can run, lowest first."""
    return tuple(name for i, name in enumerate(LEVELS) if fc_gf16_kernels_for(i) != NULL)


def active_level():
    """Level the codec currently uses, as a name."""
    return LEVELS[fc_gf16_level()]


def set_level(str name):
    """Force the codec kernels to ``name`` (one of LEVELS the CPU supports)."""
    if name not in LEVELS:
        raise ValueError(f"SIMD level must be one of {LEVELS}, got {name!r}")
    cdef int rc = fc_gf16_set_level(LEVELS.index(name))
    if rc == -2:
        raise MemoryError(f"could not allocate the product tables of level {name!r}")
    if rc != 0:
        raise ValueError(f"SIMD level {name!r} is not supported by this CPU "
                         f"(highest available: {detected_level()!r})")


def tables():
    """(exp, log) as read-only uint16 arrays: exp has 2*65535+1 entries, log[0] = 65535."""
    exp = np.empty(2 * 65535 + 1, dtype=np.uint16)
    log = np.empty(65536, dtype=np.uint16)
    cdef uint16_t[::1] e = exp, l = log
    cdef Py_ssize_t i
    for i in range(2 * 65535 + 1):
        e[i] = fc_gf16_exp[i]
    for i in range(65536):
        l[i] = fc_gf16_log[i]
    exp.setflags(write=False)
    log.setflags(write=False)
    return exp, log


def supports(int k, int m):
    """Whether k data and m recovery shards are a supported pair."""
    return bool(fc_gf16_supports(k, m))


def high_rate(int k, int m):
    """Whether the pair uses reed-solomon-simd's high-rate layout."""
    return bool(fc_gf16_high_rate(k, m))


def error_locator(int size, const uint8_t[::1] erased):
    """log E'(omega_i), i < size (a power of two <= 65536), as uint16."""
    if size < 1 or size > 65536 or size & (size - 1):
        raise ValueError(f"size must be a power of two in [1, 65536], got {size}")
    if erased.shape[0] != size:
        raise ShardSizeError(f"erased has length {erased.shape[0]}, expected {size}")
    out = np.empty(size, dtype=np.uint16)
    cdef uint16_t[::1] o = out
    with nogil:
        fc_gf16_error_locator(size, &erased[0], &o[0])
    return out


# ---- region pointers ----------------------------------------------------------

cdef Py_ssize_t _gather(object regions, Py_ssize_t count, Py_ssize_t length,
                        uint8_t **ptrs, list keep, bint writable, str name) except -2:
    """Fill ptrs with the row addresses of ``regions``: a 2-D uint8 array with
    contiguous rows, or a sequence of 1-D contiguous uint8 buffers.  Returns
    the common row length (``length`` when >= 0 is required)."""
    cdef const uint8_t[::1] ro
    cdef uint8_t[::1] rw
    cdef cnp.ndarray arr
    cdef Py_ssize_t i, n
    cdef char *data
    if cnp.PyArray_Check(regions) and cnp.PyArray_NDIM(<cnp.ndarray>regions) == 2:
        arr = <cnp.ndarray>regions
        if cnp.PyArray_TYPE(arr) != cnp.NPY_UINT8:
            raise TypeError(f"{name} must have dtype uint8, got {arr.dtype}")
        if cnp.PyArray_DIM(arr, 0) != count:
            raise ShardSizeError(f"{name} has {cnp.PyArray_DIM(arr, 0)} rows, expected {count}")
        n = cnp.PyArray_DIM(arr, 1)
        if count and n > 1 and cnp.PyArray_STRIDE(arr, 1) != 1:
            raise ValueError(f"{name} rows must be contiguous (stride 1 along a row)")
        if writable and not cnp.PyArray_ISWRITEABLE(arr):
            raise ValueError(f"{name} is read-only")
        data = <char *>cnp.PyArray_DATA(arr)
        for i in range(count):
            ptrs[i] = <uint8_t *>(data + i * cnp.PyArray_STRIDE(arr, 0))
        keep.append(arr)
    else:
        if len(regions) != count:
            raise ShardSizeError(f"{name} has {len(regions)} buffers, expected {count}")
        n = -1
        for i in range(count):
            if writable:
                rw = regions[i]
                ptrs[i] = &rw[0] if rw.shape[0] else NULL
                keep.append(rw)
                if n < 0:
                    n = rw.shape[0]
                elif rw.shape[0] != n:
                    raise ShardSizeError(f"{name}[{i}] has length {rw.shape[0]}, expected {n}")
            else:
                ro = regions[i]
                ptrs[i] = <uint8_t *>&ro[0] if ro.shape[0] else NULL
                keep.append(ro)
                if n < 0:
                    n = ro.shape[0]
                elif ro.shape[0] != n:
                    raise ShardSizeError(f"{name}[{i}] has length {ro.shape[0]}, expected {n}")
        if n < 0:
            n = 0
    if length >= 0 and count and n != length:
        raise ShardSizeError(f"{name} rows have length {n}, expected {length}")
    return n


def arrays_overlap(cnp.ndarray a, cnp.ndarray b):
    """Whether the byte spans of two 2-D arrays with positive strides intersect
    (a cheap, conservative test for the encoder's fast path)."""
    cdef char *pa = <char *>cnp.PyArray_DATA(a)
    cdef char *pb = <char *>cnp.PyArray_DATA(b)
    if cnp.PyArray_SIZE(a) == 0 or cnp.PyArray_SIZE(b) == 0:
        return False
    cdef char *ea = pa + (cnp.PyArray_DIM(a, 0) - 1) * cnp.PyArray_STRIDE(a, 0) + cnp.PyArray_DIM(a, 1)
    cdef char *eb = pb + (cnp.PyArray_DIM(b, 0) - 1) * cnp.PyArray_STRIDE(b, 0) + cnp.PyArray_DIM(b, 1)
    return pa < eb and pb < ea


def encode(int k, int m, data, parity, int n_threads=1):
    """Fill ``parity`` (m regions) with the recovery shards of ``data`` (k regions).

    Both are 2-D uint8 arrays with contiguous rows or sequences of 1-D
    contiguous buffers of one even length > 0; parity must be writable.  The
    caller keeps parity apart from data and from itself (an overlap gives
    wrong bytes, never a crash).  Returns the shard length."""
    if not fc_gf16_supports(k, m):
        raise ValueError(f"unsupported shard counts k={k}, m={m}")
    cdef list keep = []
    cdef uint8_t **dp = <uint8_t **>malloc(k * sizeof(uint8_t *))
    cdef uint8_t **pp = <uint8_t **>malloc(m * sizeof(uint8_t *))
    cdef Py_ssize_t length
    cdef int rc = 0
    try:
        if dp == NULL or pp == NULL:
            raise MemoryError()
        length = _gather(data, k, -1, dp, keep, False, "data")
        _gather(parity, m, length, pp, keep, True, "parity")
        if length == 0 or length % 2:
            raise ShardSizeError(f"shards must have an even length > 0, got {length}")
        with nogil:
            rc = fc_gf16_encode(k, m, length, <const uint8_t *const *>dp, pp, n_threads)
        if rc == -2:
            raise MemoryError("could not allocate GF(2^16) encoder scratch")
        if rc != 0:
            raise ValueError("GF(2^16) encoder refused its arguments")
        return length
    finally:
        free(dp)
        free(pp)


def decode(int k, int m, recv_idx, received, out_idx, out, int n_threads=1):
    """Restore data shards ``out_idx`` into ``out`` from ``received`` shards.

    recv_idx: the shard numbers (0..k-1 data, k..k+m-1 recovery, distinct,
    at least k) of the rows of ``received``; out_idx: data shard numbers not
    received; ``out`` has one writable region per out_idx entry, kept apart
    from the received shards and from each other by the caller."""
    if not fc_gf16_supports(k, m):
        raise ValueError(f"unsupported shard counts k={k}, m={m}")
    cdef int[::1] ridx = np.ascontiguousarray(recv_idx, dtype=np.intc)
    cdef int[::1] oidx = np.ascontiguousarray(out_idx, dtype=np.intc)
    cdef int n_recv = ridx.shape[0], n_out = oidx.shape[0]
    if n_recv < k or n_recv > k + m:
        raise ValueError(f"need between k={k} and {k + m} received shards, got {n_recv}")
    cdef list keep = []
    cdef uint8_t **rp = <uint8_t **>malloc(n_recv * sizeof(uint8_t *))
    cdef uint8_t **op = <uint8_t **>malloc((n_out + 1) * sizeof(uint8_t *))
    cdef Py_ssize_t length
    cdef int rc = 0
    try:
        if rp == NULL or op == NULL:
            raise MemoryError()
        length = _gather(received, n_recv, -1, rp, keep, False, "received")
        _gather(out, n_out, length, op, keep, True, "out")
        if length == 0 or length % 2:
            raise ShardSizeError(f"shards must have an even length > 0, got {length}")
        with nogil:
            rc = fc_gf16_decode(k, m, length, n_recv, &ridx[0], <const uint8_t *const *>rp,
                                n_out, &oidx[0] if n_out else NULL, op, n_threads)
        if rc == -2:
            raise MemoryError("could not allocate GF(2^16) decoder scratch")
        if rc != 0:
            raise ValueError("GF(2^16) decoder refused its arguments (shard numbers out of "
                             "range, repeated, or an output that was received)")
        return length
    finally:
        free(rp)
        free(op)


# ---- single kernels of one level (tests and benchmarks) ---------------------------

cdef const fc_gf16_kernels *_kernels(str level) except NULL:
    if level not in LEVELS:
        raise ValueError(f"SIMD level must be one of {LEVELS}, got {level!r}")
    cdef const fc_gf16_kernels *K = fc_gf16_kernels_for(LEVELS.index(level))
    if K == NULL:
        raise ValueError(f"SIMD level {level!r} is not available on this CPU")
    return K


cdef size_t _chunks(Py_ssize_t n, str name) except 0:
    if n <= 0 or n % 64:
        raise ShardSizeError(f"{name} must have a length that is a positive multiple of 64, got {n}")
    return n


def kernel_fft2(str level, uint8_t[::1] x, uint8_t[::1] y, uint16_t c):
    """x ^= c*y; y ^= x with the kernels of ``level`` (regions of 64-byte chunks)."""
    cdef const fc_gf16_kernels *K = _kernels(level)
    cdef size_t n = _chunks(x.shape[0], "x")
    if y.shape[0] != x.shape[0]:
        raise ShardSizeError("x and y differ in length")
    with nogil:
        K.fft2(&x[0], &y[0], n, c)


def kernel_ifft2(str level, uint8_t[::1] x, uint8_t[::1] y, uint16_t c):
    """y ^= x; x ^= c*y with the kernels of ``level``."""
    cdef const fc_gf16_kernels *K = _kernels(level)
    cdef size_t n = _chunks(x.shape[0], "x")
    if y.shape[0] != x.shape[0]:
        raise ShardSizeError("x and y differ in length")
    with nogil:
        K.ifft2(&x[0], &y[0], n, c)


def kernel_fft4(str level, uint8_t[::1] x0, uint8_t[::1] x1, uint8_t[::1] x2, uint8_t[::1] x3,
                uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1):
    """Two FFT layers on four regions (see gf16.h) with the kernels of ``level``."""
    cdef const fc_gf16_kernels *K = _kernels(level)
    cdef size_t n = _chunks(x0.shape[0], "x0")
    if not x1.shape[0] == x2.shape[0] == x3.shape[0] == x0.shape[0]:
        raise ShardSizeError("regions differ in length")
    with nogil:
        K.fft4(&x0[0], &x1[0], &x2[0], &x3[0], n, c_hi, c_lo0, c_lo1)


def kernel_ifft4(str level, uint8_t[::1] x0, uint8_t[::1] x1, uint8_t[::1] x2, uint8_t[::1] x3,
                 uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1):
    """Two IFFT layers on four regions (see gf16.h) with the kernels of ``level``."""
    cdef const fc_gf16_kernels *K = _kernels(level)
    cdef size_t n = _chunks(x0.shape[0], "x0")
    if not x1.shape[0] == x2.shape[0] == x3.shape[0] == x0.shape[0]:
        raise ShardSizeError("regions differ in length")
    with nogil:
        K.ifft4(&x0[0], &x1[0], &x2[0], &x3[0], n, c_hi, c_lo0, c_lo1)


def kernel_mul(str level, uint8_t[::1] x, uint16_t c):
    """x = c*x with the kernels of ``level``."""
    cdef const fc_gf16_kernels *K = _kernels(level)
    cdef size_t n = _chunks(x.shape[0], "x")
    with nogil:
        K.mul(&x[0], n, c)


def kernel_xor2(str level, uint8_t[::1] x, const uint8_t[::1] y):
    """x ^= y with the kernels of ``level``."""
    cdef const fc_gf16_kernels *K = _kernels(level)
    cdef size_t n = _chunks(x.shape[0], "x")
    if y.shape[0] != x.shape[0]:
        raise ShardSizeError("x and y differ in length")
    with nogil:
        K.xor2(&x[0], &y[0], n)
