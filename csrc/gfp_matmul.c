/* Integer GF(p) matrix product for small shapes (no BLAS round trip).
 *
 * Row-at-a-time: acc[j] += A[i, t] * B[t, j] in uint64.  A product is at most
 * (p-1)^2 < 2^62, so after a reduction (acc < p) we may add `chunk` products
 * with p + chunk (p-1)^2 < 2^64 before reducing again. */
#include "gfp.h"

void fc_gfp_matmul_int(size_t m, size_t k, size_t n,
                       const uint32_t *A, ptrdiff_t lda, const uint32_t *B, ptrdiff_t ldb,
                       uint32_t *C, ptrdiff_t ldc, uint32_t p, uint64_t *acc)
{
    const uint64_t sq = (uint64_t)(p - 1) * (uint64_t)(p - 1);
    const uint64_t chunk = (UINT64_MAX - p) / sq;     /* >= 4 for p < 2^31 */
    size_t i, j, t, t0, t1;
    for (i = 0; i < m; i++) {
        const uint32_t *a = A + (ptrdiff_t)i * lda;
        for (j = 0; j < n; j++)
            acc[j] = 0;
        for (t0 = 0; t0 < k; t0 = t1) {
            t1 = (k - t0 > chunk) ? t0 + (size_t)chunk : k;
            for (t = t0; t < t1; t++) {
                const uint64_t at = a[t];
                const uint32_t *b = B + (ptrdiff_t)t * ldb;
                if (at == 0)
                    continue;
                for (j = 0; j < n; j++)
                    acc[j] += at * b[j];
            }
            if (t1 < k)
                for (j = 0; j < n; j++)
                    acc[j] %= p;
        }
        for (j = 0; j < n; j++)
            C[(ptrdiff_t)i * ldc + j] = (uint32_t)(acc[j] % p);
    }
}
