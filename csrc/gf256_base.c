/*
 * Scalar GF(2^8) region kernels: the C reference and the fallback on CPUs
 * without SIMD.  A product is one lookup in the 256-byte row of the product
 * table for the coefficient, which stays in L1.
 * mul and mad are element-wise, so in == out is allowed (no restrict).
 */
#include <string.h>
#include "gf256.h"

void fc_gf256_mul_base(size_t len, uint8_t c, const uint8_t *in, uint8_t *out)
{
    if (c == 0) {
        memset(out, 0, len);
    } else if (c == 1) {
        if (out != in)
            memmove(out, in, len);
    } else {
        const uint8_t *row = fc_gf256_mul_table + (size_t)c * 256;
        for (size_t i = 0; i < len; i++)
            out[i] = row[in[i]];
    }
}

void fc_gf256_mad_base(size_t len, uint8_t c, const uint8_t *in, uint8_t *out)
{
    if (c == 0)
        return;
    if (c == 1) {
        for (size_t i = 0; i < len; i++)
            out[i] ^= in[i];
        return;
    }
    const uint8_t *row = fc_gf256_mul_table + (size_t)c * 256;
    for (size_t i = 0; i < len; i++)
        out[i] ^= row[in[i]];
}

/* Group contract of gf256.h; `tables` is unused (the product table serves). */
size_t fc_gf256_group_base(size_t len, int n_out, int n_in, const uint8_t *coeff,
                         const uint8_t *tables, const uint8_t *const *in, uint8_t *const *out)
{
    (void)tables;
    /* Two outputs per pass: each input byte loaded once feeds two lookups. */
    int r = 0;
    for (; r + 2 <= n_out; r += 2) {
        uint8_t *restrict o0 = out[r];
        uint8_t *restrict o1 = out[r + 1];
        memset(o0, 0, len);
        memset(o1, 0, len);
        for (int j = 0; j < n_in; j++) {
            const uint8_t *restrict x = in[j];
            const uint8_t *row0 = fc_gf256_mul_table + (size_t)coeff[j * n_out + r] * 256;
            const uint8_t *row1 = fc_gf256_mul_table + (size_t)coeff[j * n_out + r + 1] * 256;
            for (size_t i = 0; i < len; i++) {
                uint8_t v = x[i];
                o0[i] ^= row0[v];
                o1[i] ^= row1[v];
            }
        }
    }
    if (r < n_out) {
        uint8_t *o = out[r];
        memset(o, 0, len);
        for (int j = 0; j < n_in; j++)
            fc_gf256_mad_base(len, coeff[j * n_out + r], in[j], o);
    }
    return len;
}
