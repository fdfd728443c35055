/*
 * fastcode GF(2^16) additive-FFT Reed-Solomon codec: public C API.
 *
 * Field: GF(2^16), polynomial x^16+x^5+x^3+x^2+1 (0x1002D), elements written
 * in the Cantor basis of Leopard-RS / reed-solomon-simd (see gf16_tables.c),
 * so the shard bytes interoperate with theirs.
 *
 * Shard layout: a shard of L bytes (L even) is a sequence of 16-bit symbols.
 * Each whole 64-byte chunk holds the low bytes of 32 symbols, then their high
 * bytes; a final partial chunk of t bytes holds t/2 low bytes, then t/2 high
 * bytes.  The kernels work on 64-byte chunks; the driver pads the tail.
 *
 * Plain C99 plus intrinsics; no Python here.
 */
#ifndef FASTCODE_GF16_H
#define FASTCODE_GF16_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FC_GF16_ORDER 65536
#define FC_GF16_MODULUS 65535

/* ---- field tables (gf16_tables.c) --------------------------------------- */

/* log[0] = 65535 (no log); exp has 2*65535+1 entries so exp[log a + log b]
 * needs no reduction. */
extern const uint16_t *fc_gf16_log;
extern const uint16_t *fc_gf16_exp;

void fc_gf16_init(void);  /* idempotent, thread-safe */

static inline uint16_t fc_gf16_mul1(uint16_t a, uint16_t b)
{
    if (!a || !b)
        return 0;
    return fc_gf16_exp[(uint32_t)fc_gf16_log[a] + fc_gf16_log[b]];
}

/* Product tables of the constant c, for the SIMD kernels (built on demand):
 *  - nibble tables: 128 bytes, [j][h][n] = byte h (0 low, 1 high) of
 *    c * (n << 4j) for j = 0..3, n = 0..15;
 *  - GFNI matrices: 4 qwords A, B, C, D with
 *      low(c*x) = A*low(x) ^ B*high(x),  high(c*x) = C*low(x) ^ D*high(x),
 *    in the operand format of vgf2p8affineqb (row i of the 8x8 bit matrix in
 *    byte 7-i). */
const uint8_t *fc_gf16_nibble_tables(void);   /* 65536 * 128 bytes, or NULL */
const uint64_t *fc_gf16_gfni_tables(void);    /* 65536 * 4 qwords, or NULL */

/* ---- kernels and SIMD levels (gf16_dispatch.c) --------------------------- */

enum fc_gf16_level {
    FC_GF16_SCALAR = 0,
    FC_GF16_AVX2 = 1,
    FC_GF16_AVX2_GFNI = 2,
    FC_GF16_AVX512 = 3,
    FC_GF16_AVX512_GFNI = 4,
    FC_GF16_N_LEVELS = 5
};

/* Region kernels over len bytes (a multiple of 64) of 64-byte chunks; c is a
 * field element (0 allowed: multiplies by zero). */
typedef struct {
    /* x ^= c*y; y ^= x            (FFT butterfly) */
    void (*fft2)(uint8_t *x, uint8_t *y, size_t len, uint16_t c);
    /* y ^= x; x ^= c*y            (IFFT butterfly) */
    void (*ifft2)(uint8_t *x, uint8_t *y, size_t len, uint16_t c);
    /* Two FFT layers on four regions, dist 2 then dist 1:
     *   (x0,x2),(x1,x3) with c_hi, then (x0,x1) with c_lo0, (x2,x3) with c_lo1 */
    void (*fft4)(uint8_t *x0, uint8_t *x1, uint8_t *x2, uint8_t *x3, size_t len,
                 uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1);
    /* The inverse: (x0,x1) with c_lo0, (x2,x3) with c_lo1, then (x0,x2),(x1,x3) with c_hi */
    void (*ifft4)(uint8_t *x0, uint8_t *x1, uint8_t *x2, uint8_t *x3, size_t len,
                  uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1);
    /* Out-of-place forms (the first and last pass of a transform read the
     * shards and write the outputs directly): fft2_to reads x, y and writes
     * ox, oy; fft4_to / ifft4_from read x[0..3] and write o[0..3]. */
    void (*fft2_to)(const uint8_t *x, const uint8_t *y, uint8_t *ox, uint8_t *oy, size_t len,
                    uint16_t c);
    void (*fft4_to)(const uint8_t *const *x, uint8_t *const *o, size_t len, uint16_t c_hi,
                    uint16_t c_lo0, uint16_t c_lo1);
    void (*ifft4_from)(const uint8_t *const *x, uint8_t *const *o, size_t len, uint16_t c_hi,
                       uint16_t c_lo0, uint16_t c_lo1);
    /* x = c*x */
    void (*mul)(uint8_t *x, size_t len, uint16_t c);
    /* x ^= y */
    void (*xor2)(uint8_t *x, const uint8_t *y, size_t len);
} fc_gf16_kernels;

int fc_gf16_detect(void);                 /* highest level this CPU supports */
int fc_gf16_level(void);                  /* level in use */
int fc_gf16_set_level(int level);         /* 0, or -1 if unsupported, -2 if out of memory */
const char *fc_gf16_level_name(int level);
const fc_gf16_kernels *fc_gf16_active(void);
/* Kernels of one level (NULL if the CPU lacks it or its tables cannot be built). */
const fc_gf16_kernels *fc_gf16_kernels_for(int level);

/* ---- codec (gf16_codec.c) ----------------------------------------------- */

/* 1 if k originals and m recovery shards are a supported pair:
 * 1 <= k, m and min(pow2(k), pow2(m)) + max(k, m) <= 65536. */
int fc_gf16_supports(int k, int m);
/* 1 if the pair uses the high-rate layout (reed-solomon-simd's choice). */
int fc_gf16_high_rate(int k, int m);

/* Recovery shards of k data shards of len bytes (len even, > 0).
 * Returns 0, -1 on bad arguments, -2 on allocation failure. */
int fc_gf16_encode(int k, int m, size_t len, const uint8_t *const *data,
                   uint8_t *const *parity, int n_threads);

/* Restores the data shards out_idx[0..n_out) (each < k, none received) from
 * the n_recv >= k received shards recv_idx (0..k-1 data, k..k+m-1 recovery;
 * distinct).  Returns 0, -1 on bad arguments, -2 on allocation failure. */
int fc_gf16_decode(int k, int m, size_t len, int n_recv, const int *recv_idx,
                   const uint8_t *const *recv, int n_out, const int *out_idx,
                   uint8_t *const *out, int n_threads);

/* log E'(omega_i) for i < size (a power of two <= 65536), E the product of
 * (x + omega_j) over the positions j with erased[j] != 0 (exported for tests). */
void fc_gf16_error_locator(int size, const uint8_t *erased, uint16_t *logs);

#ifdef __cplusplus
}
#endif
#endif
