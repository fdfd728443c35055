# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Native GF(p) kernels (csrc/gfp_*.c) behind typed memoryviews.

Private module: the public face is ``fastcode.fields.prime.PrimeField``, which
validates values once (entries < p, 2 < p < 2^31 prime).  This layer checks
every shape it turns into a pointer, so a direct call can raise but never
crash.  Every C call runs with the GIL released.
"""
from libc.stdint cimport uint32_t, uint64_t
from libc.stdlib cimport malloc, free

import numpy as np

from fastcode.errors import ShardSizeError

cdef extern from "gfp.h" nogil:
    void fc_gfp_split(size_t rows, size_t cols, const uint32_t *src, ptrdiff_t lds,
                      uint32_t p, int limbs, int shift,
                      double *dst, ptrdiff_t ls, ptrdiff_t rs)
    int fc_gfp_fold(size_t rows, size_t cols, int limbs, int shift,
                    const double *P, ptrdiff_t ls, ptrdiff_t rs,
                    uint32_t p, uint32_t *out, ptrdiff_t ldo, int first)
    void fc_gfp_matmul_int(size_t m, size_t k, size_t n,
                           const uint32_t *A, ptrdiff_t lda, const uint32_t *B, ptrdiff_t ldb,
                           uint32_t *C, ptrdiff_t ldc, uint32_t p, uint64_t *acc)
    int fc_gfp_rref(int rows, int cols, int pivot_cols, uint32_t *a, uint32_t p,
                    int *piv, uint32_t *det)

MAX_LIMBS = 8


def split(const uint32_t[:, ::1] src, uint32_t p, int limbs, int shift, double[:, :, :] dst):
    """dst[l, i, j] = signed digit l (``shift`` bits, balanced) of centred src[i, j].

    src (rows, cols) uint32 with values < p < 2^31; dst (limbs, rows, cols)
    float64 with unit stride along j, any other strides (e.g. a transposed
    view of a (rows, limbs, cols) buffer)."""
    cdef size_t rows = src.shape[0], cols = src.shape[1]
    if limbs < 1 or limbs > MAX_LIMBS or (limbs > 1 and not 1 <= shift <= 30):
        raise ValueError(f"bad limb split: limbs={limbs}, shift={shift}")
    if dst.shape[0] != limbs or <size_t>dst.shape[1] != rows or <size_t>dst.shape[2] != cols:
        raise ShardSizeError(f"dst has shape {tuple(dst.shape)[:3]}, expected "
                             f"{(limbs, rows, cols)}")
    if rows == 0 or cols == 0:
        return
    if cols > 1 and dst.strides[2] != 8:
        raise ValueError("dst must have unit stride along its last axis")
    cdef ptrdiff_t ls = dst.strides[0] // 8, rs = dst.strides[1] // 8
    with nogil:
        fc_gfp_split(rows, cols, &src[0, 0], src.shape[1], p, limbs, shift,
                     &dst[0, 0, 0], ls, rs)


def fold(const double[:, :, :] P, int shift, uint32_t p, uint32_t[:, ::1] out, bint first):
    """out = (0 if first else out) + sum_l P[l] * 2^(shift l)  (mod p).

    P (limbs, rows, cols) float64 holding exact integers of magnitude at most
    2^53 - 2^33, unit stride along cols; out (rows, cols) uint32."""
    cdef int limbs = P.shape[0], rc = 0
    cdef size_t rows = P.shape[1], cols = P.shape[2]
    if limbs < 1 or limbs > MAX_LIMBS:
        raise ValueError(f"bad fold: {limbs} limbs")
    if <size_t>out.shape[0] != rows or <size_t>out.shape[1] != cols:
        raise ShardSizeError(f"out has shape {(out.shape[0], out.shape[1])}, expected {(rows, cols)}")
    if rows == 0 or cols == 0:
        return
    if cols > 1 and P.strides[2] != 8:
        raise ValueError("P must have unit stride along its last axis")
    cdef ptrdiff_t ls = P.strides[0] // 8, rs = P.strides[1] // 8
    with nogil:
        rc = fc_gfp_fold(rows, cols, limbs, shift, &P[0, 0, 0], ls, rs, p,
                         &out[0, 0], out.shape[1], first)
    if rc != 0:
        raise ValueError(f"limb shift {shift} too large for p = {p}")


def matmul_int(const uint32_t[:, ::1] A, const uint32_t[:, ::1] B, uint32_t p,
               uint32_t[:, ::1] out):
    """out = A @ B mod p with the integer kernel; A (m, k), B (k, n), out (m, n) uint32."""
    cdef size_t m = A.shape[0], k = A.shape[1], n = B.shape[1]
    if <size_t>B.shape[0] != k:
        raise ShardSizeError(f"B has {B.shape[0]} rows, A has {k} columns")
    if <size_t>out.shape[0] != m or <size_t>out.shape[1] != n:
        raise ShardSizeError(f"out has shape {(out.shape[0], out.shape[1])}, expected {(m, n)}")
    if m == 0 or n == 0:
        return
    if k == 0:
        out[:, :] = 0
        return
    cdef uint64_t *acc = <uint64_t *>malloc(n * sizeof(uint64_t))
    if acc == NULL:
        raise MemoryError()
    try:
        with nogil:
            fc_gfp_matmul_int(m, k, n, &A[0, 0], k, &B[0, 0], n, &out[0, 0], n, p, acc)
    finally:
        free(acc)


def rref(uint32_t[:, ::1] a, int pivot_cols, uint32_t p):
    """Reduce a (rows, cols) uint32 in place to reduced row echelon form over
    its first pivot_cols columns.  Returns (rank, pivot columns list, det)."""
    cdef int rows = a.shape[0], cols = a.shape[1], rank = 0
    cdef uint32_t det = 1
    if pivot_cols < 0 or pivot_cols > cols:
        raise ValueError(f"pivot_cols={pivot_cols} outside 0..{cols}")
    if rows == 0 or cols == 0:
        return 0, [], (1 if pivot_cols == 0 else 0)
    cdef int *piv = <int *>malloc((rows + 1) * sizeof(int))
    if piv == NULL:
        raise MemoryError()
    try:
        with nogil:
            rank = fc_gfp_rref(rows, cols, pivot_cols, &a[0, 0], p, piv, &det)
        pivots = [piv[i] for i in range(rank)]
    finally:
        free(piv)
    return rank, pivots, det
