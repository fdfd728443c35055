/*
 * Scalar GF(2^16) region kernels: the reference every SIMD level is tested
 * against.  One symbol at a time through the log/exp tables, straight from
 * the definitions in gf16.h.
 */
#include <string.h>
#include "gf16.h"
#include "gf16_levels.h"

/* y[j] of a 64-byte chunk: low byte at j, high byte at 32 + j */
static inline uint16_t sym_get(const uint8_t *chunk, int j)
{
    return (uint16_t)(chunk[j] | (chunk[32 + j] << 8));
}

static inline void sym_put(uint8_t *chunk, int j, uint16_t v)
{
    chunk[j] = (uint8_t)v;
    chunk[32 + j] = (uint8_t)(v >> 8);
}

static inline uint16_t mul_log(uint16_t v, uint32_t log_c)
{
    return v ? fc_gf16_exp[fc_gf16_log[v] + log_c] : 0;
}

/* x ^= c*y */
static void mad_base(uint8_t *x, const uint8_t *y, size_t len, uint16_t c)
{
    if (!c)
        return;
    uint32_t lc = fc_gf16_log[c];
    for (size_t off = 0; off < len; off += 64)
        for (int j = 0; j < 32; j++)
            sym_put(x + off, j, sym_get(x + off, j) ^ mul_log(sym_get(y + off, j), lc));
}

void fc_gf16_xor2_base(uint8_t *x, const uint8_t *y, size_t len)
{
    for (size_t i = 0; i < len; i++)
        x[i] ^= y[i];
}

void fc_gf16_fft2_base(uint8_t *x, uint8_t *y, size_t len, uint16_t c)
{
    mad_base(x, y, len, c);
    fc_gf16_xor2_base(y, x, len);
}

void fc_gf16_ifft2_base(uint8_t *x, uint8_t *y, size_t len, uint16_t c)
{
    fc_gf16_xor2_base(y, x, len);
    mad_base(x, y, len, c);
}

void fc_gf16_fft4_base(uint8_t *x0, uint8_t *x1, uint8_t *x2, uint8_t *x3, size_t len,
                       uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1)
{
    fc_gf16_fft2_base(x0, x2, len, c_hi);
    fc_gf16_fft2_base(x1, x3, len, c_hi);
    fc_gf16_fft2_base(x0, x1, len, c_lo0);
    fc_gf16_fft2_base(x2, x3, len, c_lo1);
}

void fc_gf16_ifft4_base(uint8_t *x0, uint8_t *x1, uint8_t *x2, uint8_t *x3, size_t len,
                        uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1)
{
    fc_gf16_ifft2_base(x0, x1, len, c_lo0);
    fc_gf16_ifft2_base(x2, x3, len, c_lo1);
    fc_gf16_ifft2_base(x0, x2, len, c_hi);
    fc_gf16_ifft2_base(x1, x3, len, c_hi);
}

/* The out-of-place forms: copy, then the in-place kernel (reference, not speed). */
static void copy_rows(const uint8_t *const *x, uint8_t *const *o, int count, size_t len)
{
    for (int j = 0; j < count; j++)
        if (o[j] != x[j])
            memcpy(o[j], x[j], len);
}

void fc_gf16_fft2_to_base(const uint8_t *x, const uint8_t *y, uint8_t *ox, uint8_t *oy,
                          size_t len, uint16_t c)
{
    const uint8_t *in[2] = {x, y};
    uint8_t *out[2] = {ox, oy};
    copy_rows(in, out, 2, len);
    fc_gf16_fft2_base(ox, oy, len, c);
}

void fc_gf16_fft4_to_base(const uint8_t *const *x, uint8_t *const *o, size_t len,
                          uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1)
{
    copy_rows(x, o, 4, len);
    fc_gf16_fft4_base(o[0], o[1], o[2], o[3], len, c_hi, c_lo0, c_lo1);
}

void fc_gf16_ifft4_from_base(const uint8_t *const *x, uint8_t *const *o, size_t len,
                             uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1)
{
    copy_rows(x, o, 4, len);
    fc_gf16_ifft4_base(o[0], o[1], o[2], o[3], len, c_hi, c_lo0, c_lo1);
}

void fc_gf16_mul_base(uint8_t *x, size_t len, uint16_t c)
{
    uint32_t lc = fc_gf16_log[c];
    for (size_t off = 0; off < len; off += 64)
        for (int j = 0; j < 32; j++)
            sym_put(x + off, j, c ? mul_log(sym_get(x + off, j), lc) : 0);
}
