/*
 * Plain-C harness for the GF(2^8) kernels of csrc/ (no Python): every kernel
 * at every SIMD level this CPU runs, against the scalar kernels and against
 * the field's definition (carry-less product reduced by 0x11d, computed here
 * bit by bit, independent of the library's tables).
 *
 *   mul, mad           every length 0..4096, every coefficient, input and
 *                      output offsets 0..63, guard bytes around the output
 *   dot products       plans with 1..255 outputs and 1..255 inputs, lengths
 *                      0..4096 and odd sizes, offsets 0..63 per region,
 *                      copies / scaled copies / zero rows, guard bytes,
 *                      two threads, the batched entry point, and calls
 *                      large enough to stream their copies past the caches
 *
 * Usage: test_gf256_kernels [level ...]   (default: every level the CPU has)
 * Exit status 0 when every check passed; a failure prints the kernel, level,
 * sizes and the first differing byte.  Runs natively (x86: scalar, ssse3,
 * avx2, avx512, avx2_gfni, avx512_gfni as present) and under qemu-aarch64
 * (scalar, neon): see tests/c/Makefile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gf256.h"

#define GUARD 64
#define GUARD_BYTE 0xA5
#define MAX_LEN 4096

static unsigned long long n_checks = 0;
static int failures = 0;

/* ---- the definition, independent of the library ------------------------- */

static uint8_t gf_mul_def(uint8_t a, uint8_t b)
{
    unsigned p = 0, x = a;
    for (int i = 0; i < 8; i++) {
        if (b & (1u << i))
            p ^= x;
        x <<= 1;
        if (x & 0x100)
            x ^= 0x11d;
    }
    return (uint8_t)p;
}

static uint8_t def_table[256][256];

static void build_definition(void)
{
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            def_table[a][b] = gf_mul_def((uint8_t)a, (uint8_t)b);
}

/* The log/exp tables of the library against the definition: exp[i] = 2^i,
 * log[exp[i]] = i, and a*b = exp[log a + log b] for every non-zero pair. */
static void check_log_exp(void)
{
    uint8_t x = 1;
    for (int i = 0; i < 255; i++) {
        if (fc_gf256_exp[i] != x || fc_gf256_log[x] != i) {
            printf("FAIL log/exp table at %d\n", i);
            failures++;
            return;
        }
        x = gf_mul_def(x, 2);
    }
    for (int a = 1; a < 256; a++)
        for (int b = 1; b < 256; b++)
            if (fc_gf256_exp[fc_gf256_log[a] + fc_gf256_log[b]] != def_table[a][b] ||
                fc_gf256_mul1((uint8_t)a, (uint8_t)b) != def_table[a][b]) {
                printf("FAIL log/exp product %d * %d\n", a, b);
                failures++;
                return;
            }
    n_checks += 255 * 255;
}

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    /* xorshift64*: reproducible, no libc rand() differences between targets */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

/* A region of len bytes at address offset `offset` mod 64, with GUARD bytes
 * of GUARD_BYTE before and after it inside the allocation *base. */
static uint8_t *guarded(size_t len, int offset, uint8_t **base)
{
    uint8_t *mem = (uint8_t *)malloc(len + 2 * GUARD + 128);
    if (!mem) {
        printf("out of memory\n");
        exit(2);
    }
    uintptr_t start = ((uintptr_t)mem + GUARD + 63) & ~(uintptr_t)63;
    uint8_t *p = (uint8_t *)(start + (uintptr_t)offset);
    memset(p - GUARD, GUARD_BYTE, len + 2 * GUARD);
    *base = mem;
    return p;
}

static int guards_intact(const uint8_t *p, size_t len)
{
    for (int i = 1; i <= GUARD; i++)
        if (p[-i] != GUARD_BYTE || p[len + (size_t)i - 1] != GUARD_BYTE)
            return 0;
    return 1;
}

static int report(const char *what, const char *level, const char *detail, const uint8_t *got,
                  const uint8_t *want, size_t len)
{
    n_checks++;
    for (size_t i = 0; i < len; i++)
        if (got[i] != want[i]) {
            if (failures < 20)
                printf("FAIL %s [%s] %s: byte %zu is %d, expected %d\n", what, level, detail, i,
                       got[i], want[i]);
            failures++;
            return 0;
        }
    return 1;
}

static void guard_fail(const char *what, const char *level, const char *detail)
{
    if (failures < 20)
        printf("FAIL %s [%s] %s: wrote outside its output\n", what, level, detail);
    failures++;
}

/* ---- mul and mad --------------------------------------------------------- */

static void check_scale_one(const char *level, int mad, size_t len, uint8_t c, int in_off,
                            int out_off)
{
    uint8_t *in_base, *out_base;
    uint8_t *in = guarded(len, in_off, &in_base);
    uint8_t *out = guarded(len, out_off, &out_base);
    static uint8_t want[MAX_LEN + 64], scalar[MAX_LEN + 64], orig[MAX_LEN + 64];
    fill(in, len);
    fill(out, len);
    memcpy(orig, out, len);
    for (size_t i = 0; i < len; i++)
        want[i] = (uint8_t)(def_table[c][in[i]] ^ (mad ? orig[i] : 0));
    memcpy(scalar, orig, len);
    if (mad) {
        fc_gf256_mad(len, c, in, out);
        fc_gf256_mad_base(len, c, in, scalar);
    } else {
        fc_gf256_mul(len, c, in, out);
        fc_gf256_mul_base(len, c, in, scalar);
    }
    char detail[96];
    snprintf(detail, sizeof detail, "len %zu c %d offsets %d/%d", len, c, in_off, out_off);
    const char *name = mad ? "mad" : "mul";
    report(name, level, detail, out, want, len);
    report(mad ? "mad vs scalar" : "mul vs scalar", level, detail, out, scalar, len);
    if (!guards_intact(out, len))
        guard_fail(name, level, detail);
    free(in_base);
    free(out_base);
}

static void check_scale(const char *level)
{
    for (int mad = 0; mad < 2; mad++) {
        for (size_t len = 0; len <= MAX_LEN; len++)
            check_scale_one(level, mad, len, (uint8_t)(rnd() | 2), (int)(len % 64),
                            (int)((len * 7) % 64));
        for (int c = 0; c < 256; c++)
            check_scale_one(level, mad, 67 + (size_t)c, (uint8_t)c, c % 64, (c * 3) % 64);
        for (int off = 0; off < 64; off++)
            for (int off2 = 0; off2 < 64; off2 += 9)
                check_scale_one(level, mad, 131, 0x53, off, off2);
        /* in == out: the element-wise kernels allow it */
        static uint8_t buf[1000], want[1000];
        fill(buf, sizeof buf);
        for (size_t i = 0; i < sizeof buf; i++)
            want[i] = (uint8_t)(def_table[0x8e][buf[i]] ^ (mad ? buf[i] : 0));
        if (mad)
            fc_gf256_mad(sizeof buf, 0x8e, buf, buf);
        else
            fc_gf256_mul(sizeof buf, 0x8e, buf, buf);
        report(mad ? "mad in place" : "mul in place", level, "len 1000", buf, want, sizeof buf);
    }
}

/* ---- dot products --------------------------------------------------------- */

typedef struct {
    int rows, k;
    size_t len;
    uint8_t *matrix;
    uint8_t **in, **out, **bases;
} dot_case;

/* A (rows x k) matrix with general rows and, when rows > 3, a copy, a scaled
 * copy and a zero row; inputs and outputs at the offsets given (or random). */
static void dot_case_new(dot_case *d, int rows, int k, size_t len, int offset)
{
    d->rows = rows;
    d->k = k;
    d->len = len;
    d->matrix = (uint8_t *)malloc((size_t)rows * k + 1);
    fill(d->matrix, (size_t)rows * k);
    if (rows > 3) {
        memset(d->matrix, 0, 3 * (size_t)k);
        d->matrix[rnd() % k] = 1;
        d->matrix[k + rnd() % k] = (uint8_t)(rnd() | 2);
    }
    d->in = (uint8_t **)malloc(sizeof(uint8_t *) * (size_t)k);
    d->out = (uint8_t **)malloc(sizeof(uint8_t *) * (size_t)rows);
    d->bases = (uint8_t **)malloc(sizeof(uint8_t *) * ((size_t)k + rows));
    for (int j = 0; j < k; j++) {
        d->in[j] = guarded(len, offset >= 0 ? offset : (int)(rnd() % 64), &d->bases[j]);
        fill(d->in[j], len);
    }
    for (int r = 0; r < rows; r++) {
        d->out[r] = guarded(len, offset >= 0 ? (offset * 5 + r) % 64 : (int)(rnd() % 64),
                            &d->bases[k + r]);
        fill(d->out[r], len);
    }
}

static void dot_case_free(dot_case *d)
{
    for (int i = 0; i < d->k + d->rows; i++)
        free(d->bases[i]);
    free(d->bases);
    free(d->in);
    free(d->out);
    free(d->matrix);
}

/* The definition of row r over the whole region. */
static void dot_definition(const dot_case *d, int r, uint8_t *want)
{
    memset(want, 0, d->len);
    for (int j = 0; j < d->k; j++) {
        const uint8_t *row = def_table[d->matrix[(size_t)r * d->k + j]];
        for (size_t i = 0; i < d->len; i++)
            want[i] ^= row[d->in[j][i]];
    }
}

/* Applies the plan at the active level, then at scalar (the reference
 * kernels), comparing both with the definition; checks the guards. */
static void check_dot_case(const char *level, int level_id, dot_case *d, int threads)
{
    char detail[128];
    snprintf(detail, sizeof detail, "rows %d k %d len %zu threads %d", d->rows, d->k, d->len,
             threads);
    fc_dot_plan *plan = fc_dot_plan_new(d->rows, d->k, d->matrix);
    if (!plan) {
        printf("FAIL plan allocation %s\n", detail);
        failures++;
        return;
    }
    uint8_t *want = (uint8_t *)malloc(d->len + 1);
    uint8_t **scalar = (uint8_t **)malloc(sizeof(uint8_t *) * (size_t)d->rows);
    for (int r = 0; r < d->rows; r++)
        scalar[r] = (uint8_t *)malloc(d->len + 1);
    fc_simd_set_level(FC_SIMD_SCALAR);
    fc_dot_plan_apply(plan, d->len, (const uint8_t *const *)d->in, scalar, 1);
    fc_simd_set_level(level_id);
    fc_dot_plan_apply(plan, d->len, (const uint8_t *const *)d->in, d->out, threads);
    for (int r = 0; r < d->rows; r++) {
        dot_definition(d, r, want);
        if (!report("dot_prod", level, detail, d->out[r], want, d->len))
            break;
        if (!report("dot_prod vs scalar", level, detail, d->out[r], scalar[r], d->len))
            break;
        if (!guards_intact(d->out[r], d->len)) {
            guard_fail("dot_prod", level, detail);
            break;
        }
    }
    for (int j = 0; j < d->k; j++)
        if (!guards_intact(d->in[j], d->len))
            guard_fail("dot_prod input", level, detail);
    for (int r = 0; r < d->rows; r++)
        free(scalar[r]);
    free(scalar);
    free(want);
    fc_dot_plan_free(plan);
}

static void check_dot(const char *level, int level_id, int threads, int rows, int k, size_t len,
                      int offset)
{
    dot_case d;
    dot_case_new(&d, rows, k, len, offset);
    check_dot_case(level, level_id, &d, threads);
    dot_case_free(&d);
}

/* The batched entry point: stripes of one plan against the definition. */
static void check_batch(const char *level, int level_id, int stripes, int rows, int k,
                        size_t len, int threads)
{
    dot_case *d = (dot_case *)malloc(sizeof(dot_case) * (size_t)stripes);
    const uint8_t **in = (const uint8_t **)malloc(sizeof(void *) * (size_t)stripes * k);
    uint8_t **out = (uint8_t **)malloc(sizeof(void *) * (size_t)stripes * rows);
    for (int s = 0; s < stripes; s++) {
        dot_case_new(&d[s], rows, k, len, -1);
        if (s)
            memcpy(d[s].matrix, d[0].matrix, (size_t)rows * k);
        for (int j = 0; j < k; j++)
            in[(size_t)s * k + j] = d[s].in[j];
        for (int r = 0; r < rows; r++)
            out[(size_t)s * rows + r] = d[s].out[r];
    }
    fc_dot_plan *plan = fc_dot_plan_new(rows, k, d[0].matrix);
    fc_simd_set_level(level_id);
    fc_dot_plan_apply_batch(plan, (size_t)stripes, len, in, out, threads);
    uint8_t *want = (uint8_t *)malloc(len + 1);
    char detail[128];
    snprintf(detail, sizeof detail, "stripes %d rows %d k %d len %zu threads %d", stripes, rows,
             k, len, threads);
    for (int s = 0; s < stripes; s++)
        for (int r = 0; r < rows; r++) {
            dot_definition(&d[s], r, want);
            report("dot_prod batch", level, detail, d[s].out[r], want, len);
            if (!guards_intact(d[s].out[r], len))
                guard_fail("dot_prod batch", level, detail);
        }
    free(want);
    fc_dot_plan_free(plan);
    for (int s = 0; s < stripes; s++)
        dot_case_free(&d[s]);
    free(d);
    free(in);
    free(out);
}

static void check_dots(const char *level, int level_id)
{
    /* every length 0..4096 on a small shape with a copy row, odd shapes at
     * odd sizes, every offset, 1..255 outputs, 1..255 inputs */
    for (size_t len = 0; len <= MAX_LEN; len++)
        check_dot(level, level_id, 1, len % 3 ? 2 : 5, 3, len, (int)(len % 64));
    static const size_t odd[] = {1, 15, 17, 31, 33, 63, 65, 127, 129, 255, 257, 1023, 1025,
                                 4095, 4097, 10007, 65537};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        check_dot(level, level_id, 1, 4, 10, odd[i], -1);
        check_dot(level, level_id, 1, 17, 7, odd[i], -1);
    }
    for (int off = 0; off < 64; off++)
        check_dot(level, level_id, 1, 3, 4, 200 + (size_t)off, off);
    for (int rows = 1; rows <= 255; rows++)
        check_dot(level, level_id, 1, rows, 3, 97, -1);
    for (int k = 1; k <= 255; k += (k < 20 ? 1 : 13))
        check_dot(level, level_id, 1, 2, k, 130, -1);
    check_dot(level, level_id, 1, 255, 255, 70, -1);
    /* two threads (regions long enough to be split) */
    check_dot(level, level_id, 2, 4, 10, (1 << 17) + 77, -1);
    /* the batched entry point: many short stripes, threads by stripes, and
     * fewer stripes than threads (each split by bytes) */
    check_batch(level, level_id, 9, 4, 10, 333, 1);
    check_batch(level, level_id, 40, 3, 10, 4096, 2);
    check_batch(level, level_id, 2, 4, 10, (1 << 17) + 5, 3);
}

/* ---- main ---------------------------------------------------------------- */

static int wanted(int argc, char **argv, const char *name)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    fc_gf256_init();
    build_definition();
    check_log_exp();
    for (int i = 1; i < argc; i++) {
        int known = 0;
        for (int level = 0; level < FC_SIMD_N_LEVELS; level++)
            known |= !strcmp(argv[i], fc_simd_level_name(level));
        if (!known) {
            printf("unknown level %s\n", argv[i]);
            return 2;
        }
    }
    int ran = 0;
    for (int level = 0; level < FC_SIMD_N_LEVELS; level++) {
        const char *name = fc_simd_level_name(level);
        if (!wanted(argc, argv, name))
            continue;
        if (!fc_simd_supported(level)) {
            printf("skip %-12s (this CPU lacks it)\n", name);
            if (argc >= 2) {
                printf("FAIL level %s was asked for but cannot run here\n", name);
                failures++;
            }
            continue;
        }
        int before = failures;
        unsigned long long checks = n_checks;
        fc_simd_set_level(level);
        check_scale(name);
        check_dots(name, level);
        printf("%-4s %-12s %llu checks\n", failures == before ? "ok" : "FAIL", name,
               n_checks - checks);
        ran++;
    }
    if (!ran) {
        printf("FAIL no level ran\n");
        return 1;
    }
    /* A call too large for the caches copies with non-temporal stores
     * (gf256_dot.c, FC_STREAM_MIN_BYTES): once, at the default level, with
     * copy rows, unaligned regions and guard bytes. */
    int best = fc_simd_detect();
    unsigned long long checks = n_checks;
    int before = failures;
    fc_simd_set_level(best);
    check_dot(fc_simd_level_name(best), best, 1, 6, 3, (6u << 20) + 37, -1);
    check_dot(fc_simd_level_name(best), best, 2, 6, 3, (6u << 20) + 37, -1);
    printf("%-4s streamed copies (%s, 54 MiB calls) %llu checks\n",
           failures == before ? "ok" : "FAIL", fc_simd_level_name(best), n_checks - checks);
    printf("%s: %d levels, %llu checks, %d failures\n", failures ? "FAILED" : "passed", ran,
           n_checks, failures);
    return failures ? 1 : 0;
}
