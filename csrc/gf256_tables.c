/* GF(2^8) log/exp/product tables for polynomial 0x11d, generator 2.
 * Built once per process under pthread_once: any number of threads may call
 * fc_gf256_init at the same moment, and all see the finished tables. */
#include <pthread.h>

#include "gf256.h"

#define FC_GF256_POLY 0x11d

static uint8_t exp_table[512];
static uint8_t log_table[256];
static uint8_t inv_table[256];
static uint8_t mul_table[256 * 256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

const uint8_t *fc_gf256_exp = exp_table;
const uint8_t *fc_gf256_log = log_table;
const uint8_t *fc_gf256_mul_table = mul_table;
const uint8_t *fc_gf256_inv_table = inv_table;

static void build_tables(void) {
    unsigned x = 1;
    for (int i = 0; i < 255; i++) {
        exp_table[i] = (uint8_t)x;
        log_table[x] = (uint8_t)i;
        x <<= 1;
        if (x & 0x100)
            x ^= FC_GF256_POLY;
    }
    /* exp has period 255; extend so exp[log a + log b] needs no modulo. */
    for (int i = 255; i < 512; i++)
        exp_table[i] = exp_table[i - 255];
    log_table[0] = 0;
    for (int a = 0; a < 256; a++) {
        for (int b = 0; b < 256; b++) {
            mul_table[a * 256 + b] =
                (a && b) ? exp_table[log_table[a] + log_table[b]] : 0;
        }
    }
    inv_table[0] = 0;
    for (int a = 1; a < 256; a++)
        inv_table[a] = exp_table[255 - log_table[a]];
}

void fc_gf256_init(void) {
    pthread_once(&tables_once, build_tables);
}

void fc_gf256_nibble_table(uint8_t c, uint8_t *dst) {
    const uint8_t *row = mul_table + (size_t)c * 256;
    for (int x = 0; x < 16; x++) {
        dst[x] = row[x];
        dst[16 + x] = row[x << 4];
    }
}

uint64_t fc_gf256_affine_matrix(uint8_t c) {
    const uint8_t *row = mul_table + (size_t)c * 256;
    uint64_t m = 0;
    for (int i = 0; i < 8; i++) {      /* output bit i */
        unsigned bits = 0;
        for (int j = 0; j < 8; j++)    /* input bit j contributes c * 2^j */
            bits |= ((unsigned)(row[1u << j] >> i) & 1u) << j;
        m |= (uint64_t)bits << (8 * (7 - i));
    }
    return m;
}
