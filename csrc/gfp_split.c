/* Centre GF(p) elements and split them into balanced signed limbs (doubles).
 *
 * Why balanced digits: the float64 product of a digit and a centred entry of
 * the other operand is bounded by 2^(shift-1) (p-1)/2 instead of
 * 2^shift (p-1), which lets the caller put 4x more inner-dimension terms in
 * one BLAS call before the 2^53 exactness limit.
 *
 * Branch-free and in int32/double so the compiler vectorises the row loops
 * (data-dependent branches on random field elements mispredict half the time). */
#include "gfp.h"

#define CHUNK 256

void fc_gfp_split(size_t rows, size_t cols, const uint32_t *src, ptrdiff_t lds,
                  uint32_t p, int limbs, int shift,
                  double *dst, ptrdiff_t ls, ptrdiff_t rs)
{
    const int32_t half = (int32_t)((p - 1) / 2);
    const int32_t ip = (int32_t)p;             /* p < 2^31 */
    size_t i, j;
    int l;
    for (i = 0; i < rows; i++) {
        const uint32_t *s = src + (ptrdiff_t)i * lds;
        double *d = dst + (ptrdiff_t)i * rs;
        if (limbs == 1) {
            for (j = 0; j < cols; j++) {
                int32_t a = (int32_t)s[j];
                a -= ip & -(int32_t)(a > half);          /* centred: |a| <= half */
                d[j] = (double)a;
            }
            continue;
        }
        {
            const int32_t base = (int32_t)1 << shift;  /* shift <= 30 */
            const int32_t mask = base - 1, hb = base >> 1;
            const double inv_base = 1.0 / (double)base; /* a power of two: exact */
            int32_t a[CHUNK];
            size_t j0, len;
            for (j0 = 0; j0 < cols; j0 += CHUNK) {
                len = cols - j0 < CHUNK ? cols - j0 : CHUNK;
                for (j = 0; j < len; j++) {
                    int32_t x = (int32_t)s[j0 + j];
                    a[j] = x - (ip & -(int32_t)(x > half));
                }
                for (l = 0; l < limbs - 1; l++) {
                    double *dl = d + (ptrdiff_t)l * ls + j0;
                    for (j = 0; j < len; j++) {
                        /* digit in [-base/2, base/2); a - digit is a multiple
                         * of base, so the scaled double is an exact integer */
                        int32_t digit = ((a[j] + hb) & mask) - hb;
                        dl[j] = (double)digit;
                        a[j] = (int32_t)((double)(a[j] - digit) * inv_base);
                    }
                }
                {
                    double *dl = d + (ptrdiff_t)(limbs - 1) * ls + j0;
                    for (j = 0; j < len; j++)
                        dl[j] = (double)a[j];
                }
            }
        }
    }
}
