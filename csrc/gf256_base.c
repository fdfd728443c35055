/*
 * Scalar GF(2^8) region kernels: the C reference and the fallback on CPUs
 * without SIMD.  A product is one lookup in the 256-byte row of the product
 * table for the coefficient, which stays in L1.
 * mul and mad are element-wise, so in == out is allowed (no restrict).
 */
#include <string.h>
#include "gf256.h"
#include "gf256_levels.h"

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

/* Up to 4 outputs per pass, 8 bytes at a time: each product byte is looked up
 * and shifted into a 64-bit accumulator per output, so the outputs are written
 * once per 8 bytes instead of read-modified-written for every input. */
#define FC_BASE_PASS FC_BASE_MAX_PASS

static inline __attribute__((always_inline)) void
pass_body(size_t len, const int n_out, int n_in, int stride, const uint8_t *coeff,
          const uint8_t *const *in, uint8_t *const *out)
{
    const uint8_t *rows[FC_BASE_PASS];
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t acc[FC_BASE_PASS] = {0, 0, 0, 0};
        for (int j = 0; j < n_in; j++) {
            uint64_t x;
            memcpy(&x, in[j] + i, 8);  /* unaligned load; byte order handled below */
            for (int r = 0; r < n_out; r++)
                rows[r] = fc_gf256_mul_table + (size_t)coeff[j * stride + r] * 256;
            for (int b = 0; b < 8; b++) {
                unsigned v = (unsigned)(x >> (8 * b)) & 0xff;
                for (int r = 0; r < n_out; r++)
                    acc[r] ^= (uint64_t)rows[r][v] << (8 * b);
            }
        }
        /* x was read and acc is written with the same memcpy byte order, so
         * the lanes line up on either endianness. */
        for (int r = 0; r < n_out; r++)
            memcpy(out[r] + i, &acc[r], 8);
    }
    for (; i < len; i++) {
        for (int r = 0; r < n_out; r++) {
            uint8_t a = 0;
            for (int j = 0; j < n_in; j++)
                a ^= fc_gf256_mul1(coeff[j * stride + r], in[j][i]);
            out[r][i] = a;
        }
    }
}

/* n_out as a compile-time constant keeps the accumulators in registers. */
static void group_pass_base(size_t len, int n_out, int n_in, int stride, const uint8_t *coeff,
                            const uint8_t *const *in, uint8_t *const *out)
{
    switch (n_out) {
    case 1: pass_body(len, 1, n_in, stride, coeff, in, out); break;
    case 2: pass_body(len, 2, n_in, stride, coeff, in, out); break;
    case 3: pass_body(len, 3, n_in, stride, coeff, in, out); break;
    default: pass_body(len, 4, n_in, stride, coeff, in, out); break;
    }
}

/* Group contract of gf256.h; reads t->coeff (the product table serves). */
size_t fc_gf256_group_base(size_t len, int n_out, int n_in, const fc_group_tables *t,
                           const uint8_t *const *in, uint8_t *const *out)
{
    const uint8_t *coeff = t->coeff;
    for (int r = 0; r < n_out; r += FC_BASE_PASS) {
        int n = n_out - r < FC_BASE_PASS ? n_out - r : FC_BASE_PASS;
        group_pass_base(len, n, n_in, n_out, coeff + r, in, out + r);
    }
    return len;
}
