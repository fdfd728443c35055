/* Fold exact float64 partial products (one per limb) back into GF(p).
 *
 * All in double and branch-free so the row loops vectorise.  For one element
 * with limbs P_0..P_{L-1} (weights 2^(shift l)) it evaluates, Horner style,
 *     t = red(P_{L-1});  t = red(t * 2^shift + red(P_l))  for l = L-2 .. 0
 * and adds t to the output mod p.  t * 2^shift + red(.) < p 2^shift + p,
 * which the caller keeps below 2^52 (checked in fc_gfp_fold). */
#include "gfp.h"

#define CHUNK 256

/* Rounding to the nearest integer by adding and subtracting 1.5 * 2^52
 * (exact in round-to-nearest double arithmetic for |y| < 2^51; needs strict
 * IEEE evaluation: no -ffast-math, no x87). */
static inline double round_nearest(double y)
{
    const double magic = 6755399441055744.0;   /* 1.5 * 2^52 */
    return (y + magic) - magic;
}

/* r mod p for an integer-valued double r with |r| < 2p: with h = (p-1)/2,
 * for r in [qp, qp + p - 1] the value (r - h)/p lies in
 * [q - 1/2 + 1/(2p), q + 1/2 - 1/(2p)], and the
 * float error (~2^-51) is far below the 1/(2p) >= 2^-32 margin, so the
 * rounding returns exactly q = floor(r/p).  No comparisons: the loops
 * vectorise without -fno-trapping-math. */
static inline double reduce_small(double r, double pd, double h, double pinv)
{
    return r - round_nearest((r - h) * pinv) * pd;
}

/* x mod p for an integer-valued double with |x| <= 2^53 - 2^33.
 * Stage 1: q = round(x / p) (|x / p| < 2^51 as p >= 3); the float quotient
 * has absolute error below 3/p <= 1, so |x - q p| < 1.5 p, and
 * |q p| <= |x| + 1.5 p < 2^53 keeps q p and x - q p exact.  Stage 2 is exact. */
static inline double reduce(double x, double pd, double h, double pinv)
{
    double r = x - round_nearest(x * pinv) * pd;
    return reduce_small(r, pd, h, pinv);
}

int fc_gfp_fold(size_t rows, size_t cols, int limbs, int shift,
                const double *P, ptrdiff_t ls, ptrdiff_t rs,
                uint32_t p, uint32_t *out, ptrdiff_t ldo, int first)
{
    const double pd = (double)p, pinv = 1.0 / (double)p, h = (double)((p - 1) / 2);
    const double scale = (double)((uint64_t)1 << (shift < 62 ? shift : 62));
    double t[CHUNK];
    size_t i, j, j0, len;
    int l;
    if (limbs > 1 && pd * scale + pd >= 4503599627370496.0)   /* 2^52 */
        return -1;
    for (i = 0; i < rows; i++) {
        uint32_t *o = out + (ptrdiff_t)i * ldo;
        const double *row = P + (ptrdiff_t)i * rs;
        for (j0 = 0; j0 < cols; j0 += CHUNK) {
            len = cols - j0 < CHUNK ? cols - j0 : CHUNK;
            {
                const double *e = row + (ptrdiff_t)(limbs - 1) * ls + j0;
                for (j = 0; j < len; j++)
                    t[j] = reduce(e[j], pd, h, pinv);
            }
            for (l = limbs - 2; l >= 0; l--) {
                const double *e = row + (ptrdiff_t)l * ls + j0;
                for (j = 0; j < len; j++)
                    t[j] = reduce(t[j] * scale + reduce(e[j], pd, h, pinv), pd, h, pinv);
            }
            if (first) {
                for (j = 0; j < len; j++)
                    o[j0 + j] = (uint32_t)(int32_t)t[j];
            } else {
                for (j = 0; j < len; j++) {
                    double s = (double)(int32_t)o[j0 + j] + t[j];   /* < 2p */
                    o[j0 + j] = (uint32_t)(int32_t)reduce_small(s, pd, h, pinv);
                }
            }
        }
    }
    return 0;
}
