/* Centre GF(p) elements and split them into balanced signed limbs (doubles).
 *
 * Why balanced digits: the float64 product of a digit and a centred entry of
 * the other operand is bounded by 2^(shift-1) (p-1)/2 instead of
 * 2^shift (p-1), which lets the caller put 4x more inner-dimension terms in
 * one BLAS call before the 2^53 exactness limit. */
#include "gfp.h"

void fc_gfp_split(size_t rows, size_t cols, const uint32_t *src, ptrdiff_t lds,
                  uint32_t p, int limbs, int shift,
                  double *dst, ptrdiff_t ls, ptrdiff_t rs, ptrdiff_t cs)
{
    const int64_t half = (int64_t)((p - 1) / 2);
    size_t i, j;
    int l;
    if (limbs == 1) {
        for (i = 0; i < rows; i++) {
            const uint32_t *s = src + (ptrdiff_t)i * lds;
            double *d = dst + (ptrdiff_t)i * rs;
            for (j = 0; j < cols; j++) {
                int64_t a = (int64_t)s[j];
                a -= (a > half) ? (int64_t)p : 0;
                d[(ptrdiff_t)j * cs] = (double)a;
            }
        }
        return;
    }
    {
        const int64_t base = (int64_t)1 << shift;
        const int64_t mask = base - 1;
        const int64_t hb = base >> 1;
        for (i = 0; i < rows; i++) {
            const uint32_t *s = src + (ptrdiff_t)i * lds;
            double *d = dst + (ptrdiff_t)i * rs;
            for (j = 0; j < cols; j++) {
                int64_t a = (int64_t)s[j];
                a -= (a > half) ? (int64_t)p : 0;
                for (l = 0; l < limbs - 1; l++) {
                    /* digit in [-base/2, base/2); a - digit is a multiple of base */
                    int64_t digit = ((a + hb) & mask) - hb;
                    d[(ptrdiff_t)l * ls + (ptrdiff_t)j * cs] = (double)digit;
                    a = (a - digit) / base;     /* exact division */
                }
                d[(ptrdiff_t)(limbs - 1) * ls + (ptrdiff_t)j * cs] = (double)a;
            }
        }
    }
}
