/*
 * GF(2^16) tables in the Cantor basis.
 *
 * The basis v_0..v_15 below (in the polynomial basis of 0x1002D) is a Cantor
 * basis: v_0 = 1 and v_i^2 + v_i = v_{i-1}.  The uint16 value with bits b_i
 * stands for sum b_i v_i.  Addition is XOR either way; products go through
 * logs to the base x of the polynomial basis.  With this basis the subspace
 * polynomials of the additive FFT are W_i(omega_x) = omega_{x >> i}, which is
 * why the codec needs no separate twiddle table.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "gf16.h"

#define POLY 0x1002Du

static const uint16_t cantor_basis[16] = {
    0x0001, 0xACCA, 0x3C0E, 0x163E, 0xC582, 0xED2E, 0x914C, 0x4012,
    0x6C98, 0x10D8, 0x6A72, 0xB900, 0xFDB8, 0xFB34, 0xFF38, 0x991E};

static uint16_t log_table[FC_GF16_ORDER];
static uint16_t exp_table[2 * FC_GF16_MODULUS + 1];
const uint16_t *fc_gf16_log = log_table;
const uint16_t *fc_gf16_exp = exp_table;

static pthread_once_t base_once = PTHREAD_ONCE_INIT;

/* Scratch of the one-time build (static: nothing to allocate, nothing to fail). */
static uint16_t poly_log[FC_GF16_ORDER]; /* discrete log of a polynomial-basis value */
static uint16_t to_poly[FC_GF16_ORDER];  /* Cantor value -> polynomial-basis value */

static void build_base(void)
{
    uint32_t x = 1;
    for (uint32_t i = 0; i < FC_GF16_MODULUS; i++) {
        poly_log[x] = (uint16_t)i;
        x <<= 1;
        if (x & 0x10000u)
            x ^= POLY;
    }
    to_poly[0] = 0;
    for (int bit = 0; bit < 16; bit++) {
        uint32_t width = 1u << bit;
        for (uint32_t j = 0; j < width; j++)
            to_poly[width + j] = to_poly[j] ^ cantor_basis[bit];
    }
    log_table[0] = FC_GF16_MODULUS;
    for (uint32_t v = 1; v < FC_GF16_ORDER; v++)
        log_table[v] = poly_log[to_poly[v]];
    exp_table[0] = 1;  /* covers the sums equal to 0 and 65535 below */
    for (uint32_t v = 1; v < FC_GF16_ORDER; v++) {
        exp_table[log_table[v]] = (uint16_t)v;
        exp_table[log_table[v] + FC_GF16_MODULUS] = (uint16_t)v;
    }
    exp_table[2 * FC_GF16_MODULUS] = 1;
}

void fc_gf16_init(void) { pthread_once(&base_once, build_base); }

/* ---- per-constant product tables (built on first use) --------------------- */

static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *nibble_tables;
static uint64_t *gfni_tables;

/* The 16 products c * (1 << b): multiplication by c is linear over GF(2). */
static void basis_products(uint16_t c, uint16_t prod[16])
{
    for (int b = 0; b < 16; b++)
        prod[b] = fc_gf16_mul1(c, (uint16_t)(1u << b));
}

const uint8_t *fc_gf16_nibble_tables(void)
{
    fc_gf16_init();
    pthread_mutex_lock(&big_lock);
    if (!nibble_tables) {
        uint8_t *t = (uint8_t *)malloc((size_t)FC_GF16_ORDER * 128);
        if (t) {
            for (uint32_t c = 0; c < FC_GF16_ORDER; c++) {
                uint16_t prod[16];
                basis_products((uint16_t)c, prod);
                uint8_t *e = t + (size_t)c * 128;
                for (int j = 0; j < 4; j++) {
                    for (int n = 0; n < 16; n++) {
                        uint16_t p = 0;
                        for (int b = 0; b < 4; b++)
                            if (n >> b & 1)
                                p ^= prod[4 * j + b];
                        e[j * 32 + n] = (uint8_t)p;
                        e[j * 32 + 16 + n] = (uint8_t)(p >> 8);
                    }
                }
            }
        }
        nibble_tables = t;
    }
    pthread_mutex_unlock(&big_lock);
    return nibble_tables;
}

/* 8x8 block of the 16x16 bit matrix: output bits out_base.., input bits in_base.. */
static uint64_t gfni_block(const uint16_t prod[16], int out_base, int in_base)
{
    uint64_t q = 0;
    for (int r = 0; r < 8; r++) {
        uint64_t row = 0;
        for (int j = 0; j < 8; j++)
            row |= (uint64_t)((prod[in_base + j] >> (out_base + r)) & 1u) << j;
        q |= row << (8 * (7 - r));
    }
    return q;
}

const uint64_t *fc_gf16_gfni_tables(void)
{
    fc_gf16_init();
    pthread_mutex_lock(&big_lock);
    if (!gfni_tables) {
        uint64_t *t = (uint64_t *)malloc((size_t)FC_GF16_ORDER * 4 * sizeof(uint64_t));
        if (t) {
            for (uint32_t c = 0; c < FC_GF16_ORDER; c++) {
                uint16_t prod[16];
                basis_products((uint16_t)c, prod);
                uint64_t *e = t + (size_t)c * 4;
                e[0] = gfni_block(prod, 0, 0);  /* A: low -> low  */
                e[1] = gfni_block(prod, 0, 8);  /* B: high -> low */
                e[2] = gfni_block(prod, 8, 0);  /* C: low -> high */
                e[3] = gfni_block(prod, 8, 8);  /* D: high -> high */
            }
        }
        gfni_tables = t;
    }
    pthread_mutex_unlock(&big_lock);
    return gfni_tables;
}
