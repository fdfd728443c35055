/* Fold exact float64 partial products (one per limb) back into GF(p). */
#include "gfp.h"

/* x mod p for an integer-valued double |x| < 2^53.  The float quotient
 * x * (1/p) has absolute error below 3/p <= 1 (|x/p| < 2^53/p, relative error
 * < 1.5 * 2^-52), and truncation moves it by less than 1 more, so
 * r = x - q p lies in (-2p, 2p): two upward and one downward correction.
 * |q p| <= 2^53 + 2p fits easily in int64. */
static inline uint32_t reduce_double(double x, double pinv, int64_t p)
{
    int64_t xi = (int64_t)x;
    int64_t q = (int64_t)(x * pinv);     /* truncation: |error| <= 1 */
    int64_t r = xi - q * p;
    r += (r < 0) ? p : 0;
    r += (r < 0) ? p : 0;
    r -= (r >= p) ? p : 0;
    return (uint32_t)r;
}

void fc_gfp_fold(size_t rows, size_t cols, int limbs,
                 const double *P, ptrdiff_t ls, ptrdiff_t rs, ptrdiff_t cs,
                 const uint32_t *w, uint32_t p, uint32_t *out, ptrdiff_t ldo, int first)
{
    const double pinv = 1.0 / (double)p;
    uint32_t ws[8];
    size_t i, j;
    int l;
    for (l = 0; l < limbs && l < 8; l++)
        ws[l] = fc_gfp_shoup(w[l], p);
    for (i = 0; i < rows; i++) {
        uint32_t *o = out + (ptrdiff_t)i * ldo;
        const double *row = P + (ptrdiff_t)i * rs;
        for (j = 0; j < cols; j++) {
            const double *e = row + (ptrdiff_t)j * cs;
            uint32_t acc = first ? 0u : o[j];
            for (l = 0; l < limbs; l++) {
                uint32_t r = reduce_double(e[(ptrdiff_t)l * ls], pinv, (int64_t)p);
                if (w[l] != 1u)
                    r = fc_gfp_mul_shoup(r, w[l], ws[l], p);
                acc = fc_gfp_add(acc, r, p);
            }
            o[j] = acc;
        }
    }
}
