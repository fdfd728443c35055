/* GF(p) kernels for primes 2 < p < 2^31.  Plain C99, no Python.
 *
 * Elements are uint32_t in [0, p).  Every kernel assumes its inputs are in
 * range (the Python/Cython boundary validates once).  Strides are in
 * elements, not bytes.
 *
 * The bulk product runs through float64 BLAS (called from Python): these
 * kernels prepare the float64 operands (centred values split into signed
 * limbs) and fold the exact float64 partial products back into GF(p).
 */
#ifndef FASTCODE_GFP_H
#define FASTCODE_GFP_H

#include <stddef.h>
#include <stdint.h>

/* gfp_split.c: centre each entry (a > (p-1)/2 ? a - p : a), then write it as
 * `limbs` balanced signed digits d_l of `shift` bits (1 <= shift <= 30),
 * value = sum_l d_l 2^(shift l).  src is rows x cols with row stride lds.
 * Digit l of element (i, j) goes to dst[l*ls + i*rs + j] as a double.
 * limbs = 1 just centres (shift unused). */
void fc_gfp_split(size_t rows, size_t cols, const uint32_t *src, ptrdiff_t lds,
                  uint32_t p, int limbs, int shift,
                  double *dst, ptrdiff_t ls, ptrdiff_t rs);

/* gfp_fold.c: out[i, j] = (first ? 0 : out[i, j]) + sum_l P_l[i, j] 2^(shift l)  (mod p).
 * P_l[i, j] = P[l*ls + i*rs + j] holds an exact integer with
 * |P_l[i, j]| <= 2^53 - 2^33.  Returns -1 (and does nothing) if
 * p 2^shift + p >= 2^52 with limbs > 1, else 0. */
int fc_gfp_fold(size_t rows, size_t cols, int limbs, int shift,
                const double *P, ptrdiff_t ls, ptrdiff_t rs,
                uint32_t p, uint32_t *out, ptrdiff_t ldo, int first);

/* gfp_matmul.c: C = A @ B mod p with integer arithmetic (small products).
 * A m x k (row stride lda), B k x n (row stride ldb), C m x n (row stride ldc).
 * acc is scratch for n uint64 values.  C must not overlap A or B. */
void fc_gfp_matmul_int(size_t m, size_t k, size_t n,
                       const uint32_t *A, ptrdiff_t lda, const uint32_t *B, ptrdiff_t ldb,
                       uint32_t *C, ptrdiff_t ldc, uint32_t p, uint64_t *acc);

/* gfp_linalg.c: reduced row echelon form in place of a (rows x cols, row-major)
 * over its first pivot_cols columns.  piv[r] receives the pivot column of row
 * r (r < rank).  *det receives the product of the pivots times the sign of
 * the row swaps (the determinant when rows == pivot_cols and rank == rows;
 * 0 when rank < pivot_cols).  Returns the rank. */
int fc_gfp_rref(int rows, int cols, int pivot_cols, uint32_t *a, uint32_t p,
                int *piv, uint32_t *det);

/* Shared inline arithmetic. ------------------------------------------------ */

static inline uint32_t fc_gfp_add(uint32_t a, uint32_t b, uint32_t p)
{
    uint32_t s = a + b;            /* < 2p < 2^32: no wrap */
    return s >= p ? s - p : s;
}

/* Shoup's precomputation for multiplying by a fixed w < p: floor(w 2^32 / p). */
static inline uint32_t fc_gfp_shoup(uint32_t w, uint32_t p)
{
    return (uint32_t)(((uint64_t)w << 32) / p);
}

/* a * w mod p for a < 2^32, w < p < 2^31, ws = fc_gfp_shoup(w, p).
 * q = floor(a ws / 2^32) underestimates a w / p by less than 2, so
 * a w - q p lies in [0, 2p); computed mod 2^64, which is exact here. */
static inline uint32_t fc_gfp_mul_shoup(uint32_t a, uint32_t w, uint32_t ws, uint32_t p)
{
    uint64_t q = ((uint64_t)a * ws) >> 32;
    uint64_t r = (uint64_t)a * w - q * p;
    return (uint32_t)(r >= p ? r - p : r);
}

static inline uint32_t fc_gfp_mul(uint32_t a, uint32_t b, uint32_t p)
{
    return (uint32_t)(((uint64_t)a * b) % p);   /* product < 2^62 */
}

#endif
