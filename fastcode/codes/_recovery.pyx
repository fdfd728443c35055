# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Hot loops of gradient-code recovery (float64).

Private module: the public face is ``fastcode.codes.gradient``.  Three kernels:

- ``parse_responders(responders, n)``: the responder list as an int64 array
  plus its bitmask (bytes, the decode-weight cache key), rejecting duplicates
  and ids outside [0, n).  Done in C because it runs on every training step
  and a Python loop over 100 ids alone costs several microseconds.
- ``sparse_lstsq(...)``: least squares ``min_a ||M a - t||`` for
  ``M = B[F, :]^T`` built from B's CSR rows, by Householder QR that only
  touches the rows each column can reach (each row of B has few non-zeros and
  cyclic codes give a staircase: O(|F| s^2) instead of a dense O(N |F|^2)).
- ``combine(W, rows, out)``: ``out[u] = sum_i W[u, i] rows[i]`` in one pass
  over the rows, cache-blocked along the vectors so the output block stays in
  L1/L2 while every input byte is read from memory exactly once.

Every shape turned into a pointer is checked here, so a direct call can raise
but never crash; the heavy loops run with the GIL released.
"""
from libc.math cimport fabs, sqrt
from libc.stdint cimport int64_t, uint8_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

cimport cython
import numpy as np

from fastcode.errors import InvalidArgumentError, ShardSizeError

# Columns per cache block of the combine: 2048 doubles = 16 KiB per output row,
# so a few output rows plus the current input lines stay in L1/L2.
cdef enum:
    BLOCK = 2048


# ---- responder sets --------------------------------------------------------------

def parse_responders(object responders, Py_ssize_t n):
    """(idx, key): responders as a fresh int64 array (given order) and the
    bitmask of the set as bytes (bit i of byte i // 8 set iff worker i responded).

    Raises InvalidArgumentError for ids outside [0, n), duplicates or non-integers."""
    cdef Py_ssize_t k, i, nbytes = (n + 7) // 8
    cdef int64_t v
    cdef int64_t[::1] iv
    cdef const int64_t[:] src
    cdef bytearray key = bytearray(nbytes)
    cdef uint8_t *kp = <uint8_t *> <char *> key
    cdef object item
    if type(responders) is list or type(responders) is tuple:
        # fast path: a Python list of ints, read item by item (np.asarray costs ~6 us here)
        k = len(responders)
        arr = np.empty(k, dtype=np.int64)
        iv = arr
        for i in range(k):
            item = responders[i]
            if type(item) is not int:
                if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
                    item = int(item)
                else:
                    raise InvalidArgumentError(f"responders must hold integer worker ids, got "
                                               f"{item!r} at position {i}")
            if item < 0 or item >= n:
                raise InvalidArgumentError(f"responder id {item} outside [0, {n})")
            v = item
            if kp[v >> 3] & (1 << (v & 7)):
                raise InvalidArgumentError(f"responder id {v} appears more than once")
            kp[v >> 3] |= (1 << (v & 7))
            iv[i] = v
        return arr, bytes(key)
    try:
        raw = np.asarray(responders)
    except (TypeError, ValueError, OverflowError):
        raise InvalidArgumentError(f"responders must be a sequence of worker ids (integers), "
                                   f"got {responders!r:.80}") from None
    if raw.ndim != 1:
        raise InvalidArgumentError(f"responders must be a 1-D sequence of worker ids, "
                                   f"got shape {raw.shape}")
    if raw.dtype.kind not in "iu" and raw.size:
        raise InvalidArgumentError(f"responders must hold integer worker ids, got dtype {raw.dtype}")
    if raw.dtype.kind == "u" and raw.size and raw.max() > 2 ** 62:
        raise InvalidArgumentError(f"responder id {raw.max()} outside [0, {n})")
    arr = raw.astype(np.int64)                     # always a copy: callers may mutate theirs
    iv = arr
    k = iv.shape[0]
    for i in range(k):
        v = iv[i]
        if v < 0 or v >= n:
            raise InvalidArgumentError(f"responder id {v} outside [0, {n})")
        if kp[v >> 3] & (1 << (v & 7)):
            raise InvalidArgumentError(f"responder id {v} appears more than once")
        kp[v >> 3] |= (1 << (v & 7))
    return arr, bytes(key)


# ---- sparse least squares ----------------------------------------------------------

def sparse_lstsq(const int64_t[::1] indptr, const int64_t[::1] indices, const double[::1] data,
                 const int64_t[::1] rows, Py_ssize_t ncols, const double[:, ::1] target,
                 double rank_tol):
    """Least squares for ``B[rows, :]^T a = target`` with B (n, ncols) in CSR form.

    indptr (n+1,), indices/data (nnz,) int64/float64: CSR rows of B (column
    indices within each row need not be sorted).  rows (k,): the responders, in
    the column order of the unknowns.  target (ncols, r) float64.
    Returns (a, residual, rank_ok): a (k, r) minimiser, residual (r,) the norms
    ||M a - t||, and rank_ok = False if some |R[c, c]| <= rank_tol * max column
    norm (M numerically rank deficient; ``a`` is then not meaningful).

    M = B[rows, :]^T (ncols x k) is formed column-major; each column remembers
    the row interval [top, bot] that may hold non-zeros, so a Householder
    reflector over rows c..bot[c] is applied only to the columns whose interval
    meets it, and the intervals grow by the fill-in."""
    cdef Py_ssize_t N = ncols, k = rows.shape[0], r = target.shape[1]
    cdef Py_ssize_t nrows_B = indptr.shape[0] - 1
    cdef Py_ssize_t c, c2, i, j, q, lo, hi, a0, a1, row
    cdef int64_t p0, p1, col
    if target.shape[0] != N:
        raise ShardSizeError(f"target must have {N} rows, got {target.shape[0]}")
    if indices.shape[0] != data.shape[0] or indptr.shape[0] < 1:
        raise ShardSizeError("CSR arrays disagree in length")
    if k > N:
        raise ShardSizeError(f"more unknowns ({k}) than equations ({N}): least squares is "
                             "underdetermined here")
    for i in range(k):
        if rows[i] < 0 or rows[i] >= nrows_B:
            raise InvalidArgumentError(f"row {rows[i]} outside [0, {nrows_B})")
    if indptr[nrows_B] > indices.shape[0]:
        raise ShardSizeError("indptr points past the end of indices")
    for i in range(indices.shape[0]):
        if indices[i] < 0 or indices[i] >= N:
            raise InvalidArgumentError(f"CSR column index {indices[i]} outside [0, {N})")

    out = np.zeros((k, r), dtype=np.float64)
    res = np.zeros(r, dtype=np.float64)
    cdef double[:, ::1] A = out
    cdef double[::1] resv = res
    cdef double *M = <double *> malloc(max(N * k, 1) * sizeof(double))
    cdef double *T = <double *> malloc(max(N * r, 1) * sizeof(double))   # column-major rhs
    cdef double *v = <double *> malloc(max(N, 1) * sizeof(double))
    cdef Py_ssize_t *top = <Py_ssize_t *> malloc(max(k, 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *bot = <Py_ssize_t *> malloc(max(k, 1) * sizeof(Py_ssize_t))
    cdef double alpha, nrm, dot, beta, x0, maxnorm = 0.0, s
    cdef bint ok = True
    if M == NULL or T == NULL or v == NULL or top == NULL or bot == NULL:
        free(M); free(T); free(v); free(top); free(bot)
        raise MemoryError()
    try:
        with nogil:
            memset(M, 0, N * k * sizeof(double))
            for c in range(k):
                row = rows[c]
                p0 = indptr[row]
                p1 = indptr[row + 1]
                top[c] = N
                bot[c] = -1
                nrm = 0.0
                for q in range(p0, p1):
                    col = indices[q]
                    M[c * N + col] += data[q]
                    if col < top[c]:
                        top[c] = col
                    if col > bot[c]:
                        bot[c] = col
                for q in range(p0, p1):
                    nrm += M[c * N + indices[q]] * M[c * N + indices[q]]
                nrm = sqrt(nrm)
                if nrm > maxnorm:
                    maxnorm = nrm
            for j in range(r):
                for i in range(N):
                    T[j * N + i] = target[i, j]

            for c in range(k):
                lo = c
                hi = bot[c]
                if top[c] > lo:
                    a0 = top[c]
                else:
                    a0 = lo
                # Householder vector over rows lo..hi of column c
                nrm = 0.0
                for i in range(a0, hi + 1):
                    nrm += M[c * N + i] * M[c * N + i]
                nrm = sqrt(nrm)
                if hi < lo or nrm <= rank_tol * maxnorm:
                    ok = False
                    continue
                for i in range(lo, hi + 1):
                    v[i] = M[c * N + i] if i >= a0 else 0.0
                x0 = v[lo]
                alpha = -nrm if x0 >= 0 else nrm
                v[lo] = x0 - alpha
                # ||v||^2 = 2 nrm (nrm + |x0|); reflector H = I - 2 v v^T / ||v||^2
                beta = 2.0 / (2.0 * nrm * (nrm + fabs(x0)))
                M[c * N + lo] = alpha
                for i in range(lo + 1, hi + 1):
                    M[c * N + i] = 0.0
                if bot[c] > lo:
                    bot[c] = lo
                for c2 in range(c + 1, k):
                    if top[c2] > hi or bot[c2] < lo:
                        continue
                    a0 = top[c2] if top[c2] > lo else lo
                    a1 = bot[c2] if bot[c2] < hi else hi
                    dot = 0.0
                    for i in range(a0, a1 + 1):
                        dot += v[i] * M[c2 * N + i]
                    if dot == 0.0:
                        continue
                    dot *= beta
                    for i in range(lo, hi + 1):
                        M[c2 * N + i] -= dot * v[i]
                    if top[c2] > lo:
                        top[c2] = lo
                    if bot[c2] < hi:
                        bot[c2] = hi
                for j in range(r):
                    dot = 0.0
                    for i in range(lo, hi + 1):
                        dot += v[i] * T[j * N + i]
                    dot *= beta
                    for i in range(lo, hi + 1):
                        T[j * N + i] -= dot * v[i]

            if ok:
                # back substitution with R = upper triangle of M[:k, :k]
                for j in range(r):
                    for c in range(k - 1, -1, -1):
                        s = T[j * N + c]
                        for c2 in range(c + 1, k):
                            s -= M[c2 * N + c] * A[c2, j]
                        A[c, j] = s / M[c * N + c]
                    s = 0.0
                    for i in range(k, N):
                        s += T[j * N + i] * T[j * N + i]
                    resv[j] = sqrt(s)
    finally:
        free(M); free(T); free(v); free(top); free(bot)
    return out, res, bool(ok)


# ---- the combine ----------------------------------------------------------------------

@cython.final
cdef class _Rows:
    """Row pointers of a (k, L) C-contiguous array or of k 1-D contiguous arrays."""
    cdef const double **ptr
    cdef Py_ssize_t k, L
    cdef list keep

    def __dealloc__(self):
        free(self.ptr)


cdef _Rows _gather(object rows, Py_ssize_t k):
    cdef _Rows g = _Rows.__new__(_Rows)
    cdef const double[:, ::1] m2
    cdef const double[::1] m1
    cdef Py_ssize_t i, L = -1
    g.ptr = <const double **> malloc(max(k, 1) * sizeof(double *))
    if g.ptr == NULL:
        raise MemoryError()
    g.keep = []
    if isinstance(rows, np.ndarray):
        if rows.ndim != 2 or rows.dtype != np.float64 or not rows.flags.c_contiguous:
            raise ShardSizeError("rows must be a C-contiguous 2-D float64 array")
        if rows.shape[0] != k:
            raise ShardSizeError(f"rows has {rows.shape[0]} vectors, weights have {k}")
        m2 = rows
        L = m2.shape[1]
        g.keep.append(rows)
        for i in range(k):
            g.ptr[i] = &m2[i, 0] if L > 0 else NULL
    else:
        if len(rows) != k:
            raise ShardSizeError(f"rows has {len(rows)} vectors, weights have {k}")
        for i in range(k):
            r = rows[i]
            if not isinstance(r, np.ndarray) or r.ndim != 1 or r.dtype != np.float64 \
                    or not r.flags.c_contiguous:
                raise ShardSizeError(f"rows[{i}] must be a contiguous 1-D float64 array")
            if L < 0:
                L = r.shape[0]
            elif r.shape[0] != L:
                raise ShardSizeError(f"rows[{i}] has length {r.shape[0]}, expected {L}")
            m1 = r
            g.keep.append(r)
            g.ptr[i] = &m1[0] if L > 0 else NULL
    g.k = k
    g.L = 0 if L < 0 else L
    return g


cdef extern from *:
    """
    /* o[c] = sum_i w[i] rows[i][c0 + c], c < c1 - c0; rows four at a time so the
       output block is loaded and stored once per four inputs.  The same body is
       compiled twice: baseline (SSE2 on x86-64) and, on x86 with GCC/Clang, with
       AVX2+FMA through a target attribute, chosen at run time (no global -march). */
    #define FC_COMBINE_BODY                                                          \
        Py_ssize_t i = 0, c, len_ = c1 - c0;                                         \
        if (k == 0) { for (c = 0; c < len_; c++) o[c] = 0.0; return; }              \
        if (k >= 4) {                                                                \
            const double *r0 = rows[0] + c0, *r1 = rows[1] + c0,                     \
                         *r2 = rows[2] + c0, *r3 = rows[3] + c0;                     \
            double w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];                       \
            for (c = 0; c < len_; c++)                                               \
                o[c] = w0 * r0[c] + w1 * r1[c] + w2 * r2[c] + w3 * r3[c];            \
            i = 4;                                                                   \
        } else {                                                                     \
            const double *r0 = rows[0] + c0; double w0 = w[0];                       \
            for (c = 0; c < len_; c++) o[c] = w0 * r0[c];                            \
            i = 1;                                                                   \
        }                                                                            \
        for (; i + 4 <= k; i += 4) {                                                 \
            const double *r0 = rows[i] + c0, *r1 = rows[i + 1] + c0,                 \
                         *r2 = rows[i + 2] + c0, *r3 = rows[i + 3] + c0;             \
            double w0 = w[i], w1 = w[i + 1], w2 = w[i + 2], w3 = w[i + 3];           \
            for (c = 0; c < len_; c++)                                               \
                o[c] += w0 * r0[c] + w1 * r1[c] + w2 * r2[c] + w3 * r3[c];           \
        }                                                                            \
        for (; i < k; i++) {                                                         \
            const double *r0 = rows[i] + c0; double w0 = w[i];                       \
            for (c = 0; c < len_; c++) o[c] += w0 * r0[c];                           \
        }

    static void fc_combine_base(Py_ssize_t k, const double *w, const double **rows,
                                Py_ssize_t c0, Py_ssize_t c1, double *restrict o)
    { FC_COMBINE_BODY }

    #if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    __attribute__((target("avx2,fma")))
    static void fc_combine_avx2(Py_ssize_t k, const double *w, const double **rows,
                                Py_ssize_t c0, Py_ssize_t c1, double *restrict o)
    { FC_COMBINE_BODY }
    static int fc_combine_have_avx2(void) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    #else
    #define fc_combine_avx2 fc_combine_base
    static int fc_combine_have_avx2(void) { return 0; }
    #endif

    typedef void (*fc_combine_fn)(Py_ssize_t, const double *, const double **,
                                  Py_ssize_t, Py_ssize_t, double *);
    """
    ctypedef void (*fc_combine_fn)(Py_ssize_t, const double *, const double **,
                                   Py_ssize_t, Py_ssize_t, double *) noexcept nogil
    void fc_combine_base(Py_ssize_t, const double *, const double **,
                         Py_ssize_t, Py_ssize_t, double *) noexcept nogil
    void fc_combine_avx2(Py_ssize_t, const double *, const double **,
                         Py_ssize_t, Py_ssize_t, double *) noexcept nogil
    int fc_combine_have_avx2() noexcept nogil


cdef fc_combine_fn _combine_block = fc_combine_avx2 if fc_combine_have_avx2() else fc_combine_base
KERNEL = "avx2+fma" if fc_combine_have_avx2() else "baseline"


def set_kernel(str name):
    """Force the combine kernel: "baseline" or "avx2" (tests run both)."""
    global _combine_block, KERNEL
    if name == "baseline":
        _combine_block = fc_combine_base
    elif name == "avx2":
        if not fc_combine_have_avx2():
            raise ValueError("this CPU has no AVX2+FMA")
        _combine_block = fc_combine_avx2
    else:
        raise ValueError(f"kernel must be 'baseline' or 'avx2', got {name!r}")
    KERNEL = "avx2+fma" if name == "avx2" else "baseline"


def combine(const double[:, ::1] W, object rows, double[:, ::1] out):
    """out[u, :] = sum_i W[u, i] * rows[i] for u < m.

    W (m, k) float64; rows a C-contiguous (k, L) float64 array or a sequence of
    k contiguous 1-D float64 arrays of length L; out (m, L) float64, C-contiguous,
    not overlapping the rows.  Rows whose weights are all zero are skipped (not read)."""
    cdef Py_ssize_t m = W.shape[0], k = W.shape[1], u, i, kk, c0, c1
    cdef _Rows g = _gather(rows, k)
    cdef Py_ssize_t L = g.L
    if out.shape[0] != m or out.shape[1] != L:
        raise ShardSizeError(f"out must have shape {(m, L)}, got {tuple(out.shape)[:2]}")
    if m == 0 or L == 0:
        return
    # drop rows whose weights are all zero (FRC reads one vector per group)
    cdef const double **live = <const double **> malloc(max(k, 1) * sizeof(double *))
    cdef double *wl = <double *> malloc(max(m * k, 1) * sizeof(double))
    if live == NULL or wl == NULL:
        free(live); free(wl)
        raise MemoryError()
    cdef bint nz
    kk = 0
    for i in range(k):
        nz = False
        for u in range(m):
            if W[u, i] != 0.0:
                nz = True
        if nz:
            live[kk] = g.ptr[i]
            for u in range(m):
                wl[u * k + kk] = W[u, i]
            kk += 1
    cdef Py_ssize_t block = BLOCK if m <= 2 else max(256, (2 * BLOCK) // m)
    try:
        with nogil:
            c0 = 0
            while c0 < L:
                c1 = c0 + block
                if c1 > L:
                    c1 = L
                for u in range(m):
                    _combine_block(kk, wl + u * k, live, c0, c1, &out[u, 0] + c0)
                c0 = c1
    finally:
        free(live); free(wl)


def read_probe(const double[::1] x):
    """Sum of x with 8 independent accumulators: a pure streaming read, to measure
    the machine's memory read bandwidth next to ``combine`` (benchmarks only)."""
    cdef Py_ssize_t n = x.shape[0], i = 0
    cdef double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0
    with nogil:
        while i + 8 <= n:
            a0 += x[i]; a1 += x[i + 1]; a2 += x[i + 2]; a3 += x[i + 3]
            a4 += x[i + 4]; a5 += x[i + 5]; a6 += x[i + 6]; a7 += x[i + 7]
            i += 8
        while i < n:
            a0 += x[i]
            i += 1
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
