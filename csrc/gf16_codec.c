/*
 * GF(2^16) Reed-Solomon by the Lin-Han-Chung additive FFT (novel polynomial
 * basis, Cantor basis), with the shard layout and the two rates of
 * reed-solomon-simd, so parity bytes are identical to theirs.
 *
 * Points: shard positions are field elements omega_j (value j).  With k data
 * and m recovery shards the crate uses
 *   high rate (chunk = pow2(m)): recovery r at point r, data i at chunk + i;
 *   low rate  (chunk = pow2(k)): data i at point i, recovery r at chunk + r;
 * high rate when pow2(k) > pow2(m), or when they are equal and k <= m.
 *
 * Encode, high rate: parity = FFT_0( XOR_c IFFT_{(c+1) chunk}(data chunk c) )
 *   (each IFFT interpolates one chunk of data on its own coset; their sum is
 *   the polynomial whose values on coset 0 complete the codeword).
 * Encode, low rate: coefficients = IFFT_0(data); recovery chunk c =
 *   FFT_{(c+1) chunk}(coefficients).
 * Decode: with E(x) = prod over erased points of (x + omega_j), multiply each
 *   received value by E(omega_p), IFFT, apply I + D (D the formal
 *   derivative), FFT; at an erased point the value is C(omega_j) E'(omega_j),
 *   so dividing by E'(omega_j) restores it.  log E' is an XOR convolution of
 *   the erasure indicator with the log table: two Walsh-Hadamard transforms.
 *   Only the points below work = pow2(chunk + count) take part: erased points
 *   beyond them contribute the same constant factor to every E(omega_p),
 *   p < work, which cancels.
 *
 * Memory order: the region is cut into stripes of whole 64-byte chunks; each
 * stripe of every shard is gathered into a scratch block small enough to stay
 * in L2 while all FFT layers pass over it (two layers per pass), then written
 * out (stripes are at least 256 bytes wide, see MIN_STRIPE_CHUNKS).  Threads
 * take disjoint ranges of stripes.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "gf16.h"
#include "gf16_levels.h"

#if FC16_X86
#include <immintrin.h>
#endif

/* Outputs larger than this are written with non-temporal stores: they cannot
 * stay in cache anyway, and streaming them saves the read of every output
 * line before its write (a third of the memory traffic of a large encode). */
#define STREAM_MIN_OUTPUT (16u << 20)

#define SCRATCH_TARGET (512u * 1024u)  /* bytes of scratch per stripe (half of L2) */
/* Fewest 64-byte chunks per stripe, even when the scratch then outgrows L2:
 * every shard row is a different page, and reading only 64 bytes of each
 * page per visit leaves the gather bound by TLB misses (4096:4096 with 64 KiB
 * shards encodes 2x faster with 256-byte stripes than with 64-byte ones). */
#define MIN_STRIPE_CHUNKS 4
#define MAX_THREADS 64

static int next_pow2(int n)
{
    int p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

static int log2_exact(int n)
{
    int t = 0;
    while ((1 << t) < n)
        t++;
    return t;
}

int fc_gf16_supports(int k, int m)
{
    if (k < 1 || m < 1 || k > FC_GF16_MODULUS || m > FC_GF16_MODULUS)
        return 0;
    int kp = next_pow2(k), mp = next_pow2(m);
    int small = kp < mp ? kp : mp, large = k > m ? k : m;
    return (long)small + large <= FC_GF16_ORDER;
}

int fc_gf16_high_rate(int k, int m)
{
    int kp = next_pow2(k), mp = next_pow2(m);
    if (kp != mp)
        return kp > mp;
    return k <= m;
}

/* ---- shard layout ----------------------------------------------------------- */

typedef struct {
    size_t len;      /* shard bytes */
    size_t n_full;   /* whole 64-byte chunks */
    size_t tail;     /* bytes of the final partial chunk (0: none) */
    size_t n_chunks; /* n_full + (tail != 0) */
} layout;

static layout make_layout(size_t len)
{
    layout g;
    g.len = len;
    g.n_full = len / 64;
    g.tail = len % 64;
    g.n_chunks = g.n_full + (g.tail != 0);
    return g;
}

/* Chunks [c0, c1) of a shard into dst ((c1 - c0) * 64 bytes); the partial
 * chunk is padded: its t/2 low bytes to 0.., its t/2 high bytes to 32.. */
static void gather(const layout *g, const uint8_t *src, size_t c0, size_t c1, uint8_t *dst)
{
    size_t full_end = c1 < g->n_full ? c1 : g->n_full;
    if (full_end > c0)
        memcpy(dst, src + c0 * 64, (full_end - c0) * 64);
    if (c1 > g->n_full) {
        uint8_t *d = dst + (g->n_full - c0) * 64;
        size_t half = g->tail / 2;
        const uint8_t *s = src + g->n_full * 64;
        memset(d, 0, 64);
        memcpy(d, s, half);
        memcpy(d + 32, s + half, half);
    }
}

#if FC16_X86
/* dst 32-byte aligned, n a multiple of 64 */
__attribute__((target("avx2"))) static void stream_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i += 32)
        _mm256_stream_si256((__m256i *)(void *)(dst + i),
                            _mm256_loadu_si256((const __m256i *)(const void *)(src + i)));
}

__attribute__((target("avx2"))) static void stream_fence(void) { _mm_sfence(); }
#endif

static void scatter(const layout *g, const uint8_t *src, size_t c0, size_t c1, uint8_t *dst,
                    int stream)
{
    size_t full_end = c1 < g->n_full ? c1 : g->n_full;
    if (full_end > c0) {
        uint8_t *d = dst + c0 * 64;
#if FC16_X86
        if (stream && ((uintptr_t)d & 31) == 0)
            stream_copy(d, src, (full_end - c0) * 64);
        else
#endif
            memcpy(d, src, (full_end - c0) * 64);
    }
    (void)stream;
    if (c1 > g->n_full) {
        const uint8_t *s = src + (g->n_full - c0) * 64;
        size_t half = g->tail / 2;
        uint8_t *d = dst + g->n_full * 64;
        memcpy(d, s, half);
        memcpy(d + half, s + 32, half);
    }
}

/* ---- transforms over the rows of a scratch block ------------------------------ */
/* Row r of a block is base + r * S (S bytes, a multiple of 64).  Layer i pairs
 * rows r + j and r + 2^i + j of each block of 2^(i+1) rows starting at r, with
 * the twiddle W_i(omega_{r + delta}) = the element (r + delta) >> i. */

#define ROW(r) (base + (size_t)(r) * S)

/* Values at points delta.. -> novel-basis coefficients, layers first.. (the
 * layers below first already done).  Rows [trunc, size) must be zero; only
 * blocks that start below trunc are computed. */
static void ifft_rows(const fc_gf16_kernels *K, uint8_t *base, size_t S, int size, int trunc,
                      int delta, int first)
{
    int layers = log2_exact(size), i = first;
    for (; i + 1 < layers; i += 2) {
        int d = 1 << i;
        for (int r = 0; r < trunc; r += 4 * d)
            K->ifft4(ROW(r), ROW(r + d), ROW(r + 2 * d), ROW(r + 3 * d), (size_t)d * S,
                     (uint16_t)((r + delta) >> (i + 1)), (uint16_t)((r + delta) >> i),
                     (uint16_t)((r + 2 * d + delta) >> i));
    }
    if (i < layers) {
        int d = 1 << i;
        for (int r = 0; r < trunc; r += 2 * d)
            K->ifft2(ROW(r), ROW(r + d), (size_t)d * S, (uint16_t)((r + delta) >> i));
    }
}

/* Coefficients -> values at points delta..: every pass but the last (layers
 * are taken two at a time from the top).  Returns the top layer of the last
 * pass: 1 (layers 1 and 0), 0 (layer 0 alone) or -1 (size 1, no pass).  Rows
 * [trunc, size) of the result are not needed: blocks starting there are skipped. */
static int fft_upper(const fc_gf16_kernels *K, uint8_t *base, size_t S, int size, int trunc,
                     int delta)
{
    int i = log2_exact(size) - 1;
    for (; i >= 2; i -= 2) {
        int d = 1 << (i - 1);
        for (int r = 0; r < trunc; r += 4 * d)
            K->fft4(ROW(r), ROW(r + d), ROW(r + 2 * d), ROW(r + 3 * d), (size_t)d * S,
                    (uint16_t)((r + delta) >> i), (uint16_t)((r + delta) >> (i - 1)),
                    (uint16_t)((r + 2 * d + delta) >> (i - 1)));
    }
    return i;
}

/* The whole FFT in place. */
static void fft_rows(const fc_gf16_kernels *K, uint8_t *base, size_t S, int size, int trunc,
                     int delta)
{
    int i = fft_upper(K, base, S, size, trunc, delta);
    if (i == 1)
        for (int r = 0; r < trunc; r += 4)
            K->fft4(ROW(r), ROW(r + 1), ROW(r + 2), ROW(r + 3), S, (uint16_t)((r + delta) >> 1),
                    (uint16_t)(r + delta), (uint16_t)(r + 2 + delta));
    else if (i == 0)
        for (int r = 0; r < trunc; r += 2)
            K->fft2(ROW(r), ROW(r + 1), S, (uint16_t)(r + delta));
}

/* fft_rows restricted to the blocks that lead to a needed output row: a
 * block [r, r + B) is computed only when need[r + B] - need[r] > 0 (need holds
 * the number of needed rows below each index).  A decode needs only the
 * erased data rows, often a few of thousands. */
static void fft_rows_needed(const fc_gf16_kernels *K, uint8_t *base, size_t S, int size,
                            const int *need, int delta)
{
    int i = log2_exact(size) - 1;
    for (; i >= 1; i -= 2) {
        int d = 1 << (i - 1);
        for (int r = 0; r < size; r += 4 * d)
            if (need[r + 4 * d] > need[r])
                K->fft4(ROW(r), ROW(r + d), ROW(r + 2 * d), ROW(r + 3 * d), (size_t)d * S,
                        (uint16_t)((r + delta) >> i), (uint16_t)((r + delta) >> (i - 1)),
                        (uint16_t)((r + 2 * d + delta) >> (i - 1)));
    }
    if (i == 0)
        for (int r = 0; r < size; r += 2)
            if (need[r + 2] > need[r])
                K->fft2(ROW(r), ROW(r + 1), S, (uint16_t)(r + delta));
}

/* Coefficients f -> f + D f.  D(X_k) is the sum of X_{k - 2^b} over the set
 * bits b of k (every W_b of a Cantor basis has derivative 1), so row j gains
 * row j + 2^b for each clear bit b of j.  For each i the rows [i - w, i) (w the
 * lowest set bit of i) gain the rows [i, i + w); those are only rewritten by
 * later steps, so every term read is still the old coefficient. */
static void derivative_rows(const fc_gf16_kernels *K, uint8_t *base, size_t S, int size)
{
    for (int i = 1; i < size; i++) {
        int w = i & -i;
        K->xor2(ROW(i - w), ROW(i), (size_t)w * S);
    }
}

/* ---- error locator ------------------------------------------------------------ */

static void walsh_hadamard(uint32_t *a, int size)
{
    for (int dist = 1; dist < size; dist <<= 1)
        for (int r = 0; r < size; r += 2 * dist)
            for (int j = r; j < r + dist; j++) {
                uint32_t x = a[j], y = a[j + dist];
                a[j] = (x + y) % FC_GF16_MODULUS;
                a[j + dist] = (x + FC_GF16_MODULUS - y) % FC_GF16_MODULUS;
            }
}

static int error_locator(int size, const uint8_t *erased, uint16_t *logs)
{
    uint32_t *a = (uint32_t *)malloc(sizeof(uint32_t) * (size_t)size * 2);
    if (!a)
        return -2;
    uint32_t *b = a + size;
    for (int i = 0; i < size; i++) {
        a[i] = erased[i] ? 1 : 0;
        b[i] = i ? fc_gf16_log[i] : 0;  /* log 0 read as 0: drops the j = i factor */
    }
    walsh_hadamard(a, size);
    walsh_hadamard(b, size);
    for (int i = 0; i < size; i++)
        a[i] = (uint32_t)(((uint64_t)a[i] * b[i]) % FC_GF16_MODULUS);
    walsh_hadamard(a, size);
    /* WH applied twice is size * identity; 1/size = 2^(16 - t) mod 2^16 - 1 */
    uint64_t scale = (uint64_t)1 << (16 - log2_exact(size));
    for (int i = 0; i < size; i++)
        logs[i] = (uint16_t)((a[i] * scale) % FC_GF16_MODULUS);
    free(a);
    return 0;
}

void fc_gf16_error_locator(int size, const uint8_t *erased, uint16_t *logs)
{
    fc_gf16_init();
    if (error_locator(size, erased, logs) != 0)
        memset(logs, 0xff, sizeof(uint16_t) * (size_t)size);
}

/* ---- stripes and threads -------------------------------------------------------- */

typedef struct job job;
typedef int (*stripe_fn)(const job *jb, size_t c0, size_t c1, uint8_t *scratch);

struct job {
    const fc_gf16_kernels *K;
    layout g;
    int rows;               /* scratch rows */
    size_t stripe_chunks;   /* chunks per stripe */
    int stream;             /* write outputs with non-temporal stores */
    stripe_fn fn;
    /* encode */
    int k, m, chunk, high;
    const uint8_t *const *data;
    uint8_t *const *parity;
    /* decode */
    int work, end;
    const int *row_src;         /* work rows: index into recv, or -1 (zero row) */
    const uint16_t *row_factor; /* element to multiply a received row by (1: none) */
    const uint8_t *const *recv;
    int n_out;
    const int *out_row;         /* work row of each output */
    const int *need;            /* work + 1 counts: outputs below each row */
    const uint16_t *out_factor;
    uint8_t *const *out;
};

typedef struct {
    const job *jb;
    size_t s0, s1;  /* stripe range */
    int rc;
} thread_task;

static void *run_task(void *arg)
{
    thread_task *t = (thread_task *)arg;
    const job *jb = t->jb;
    size_t S = jb->stripe_chunks * 64;
    char *raw = (char *)malloc((size_t)jb->rows * S + 64);
    if (!raw) {
        t->rc = -2;
        return NULL;
    }
    uint8_t *scratch = (uint8_t *)(((uintptr_t)raw + 63) & ~(uintptr_t)63);
    t->rc = 0;
    for (size_t s = t->s0; s < t->s1 && !t->rc; s++) {
        size_t c0 = s * jb->stripe_chunks;
        size_t c1 = c0 + jb->stripe_chunks;
        if (c1 > jb->g.n_chunks)
            c1 = jb->g.n_chunks;
        t->rc = jb->fn(jb, c0, c1, scratch);
    }
#if FC16_X86
    if (jb->stream)
        stream_fence();
#endif
    free(raw);
    return NULL;
}

static int run_job(job *jb, int n_threads)
{
    size_t per = SCRATCH_TARGET / ((size_t)jb->rows * 64);
    if (per < MIN_STRIPE_CHUNKS)
        per = MIN_STRIPE_CHUNKS;
    if (per > jb->g.n_chunks)
        per = jb->g.n_chunks;
    jb->stripe_chunks = per;
    size_t n_stripes = (jb->g.n_chunks + per - 1) / per;
    if (n_threads < 1)
        n_threads = 1;
    if (n_threads > MAX_THREADS)
        n_threads = MAX_THREADS;
    if ((size_t)n_threads > n_stripes)
        n_threads = (int)n_stripes;
    thread_task tasks[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    int started[MAX_THREADS];
    for (int t = 0; t < n_threads; t++) {
        tasks[t].jb = jb;
        tasks[t].s0 = n_stripes * t / n_threads;
        tasks[t].s1 = n_stripes * (t + 1) / n_threads;
        tasks[t].rc = 0;
    }
    for (int t = 1; t < n_threads; t++)
        started[t] = pthread_create(&tids[t], NULL, run_task, &tasks[t]) == 0;
    run_task(&tasks[0]);
    int rc = tasks[0].rc;
    for (int t = 1; t < n_threads; t++) {
        if (started[t])
            pthread_join(tids[t], NULL);
        else
            run_task(&tasks[t]);  /* could not start a thread: do its share here */
        if (tasks[t].rc)
            rc = tasks[t].rc;
    }
    return rc;
}

/* ---- gathering into a transform and scattering out of one ---------------------- */

/* Shards src[0..count) (the rows up to size are zero), stripe [c0, c1), put
 * through the IFFT at points delta.. into base.  On whole chunks the first two
 * layers read the shards themselves, which saves a copy pass. */
static void load_ifft(const job *jb, const uint8_t *const *src, int count, size_t c0, size_t c1,
                      uint8_t *base, int size, int delta)
{
    const fc_gf16_kernels *K = jb->K;
    size_t S = (c1 - c0) * 64;
    if (c1 > jb->g.n_full || size < 4) {
        for (int r = 0; r < count; r++)
            gather(&jb->g, src[r], c0, c1, ROW(r));
        memset(ROW(count), 0, (size_t)(size - count) * S);
        ifft_rows(K, base, S, size, count, delta, 0);
        return;
    }
    int top = (count + 3) & ~3;
    if (top < size)
        memset(ROW(top), 0, (size_t)(size - top) * S);
    size_t off = c0 * 64;
    for (int r = 0; r < count; r += 4) {
        const uint8_t *x[4];
        uint8_t *o[4];
        for (int j = 0; j < 4; j++) {
            o[j] = ROW(r + j);
            if (r + j < count) {
                x[j] = src[r + j] + off;
            } else {
                memset(o[j], 0, S);
                x[j] = o[j];
            }
        }
        K->ifft4_from(x, o, S, (uint16_t)((r + delta) >> 1), (uint16_t)(r + delta),
                      (uint16_t)(r + 2 + delta));
    }
    ifft_rows(K, base, S, size, count, delta, 2);
}

/* The FFT of base at points delta.., whose rows [0, count) go to out[0..count)
 * at stripe [c0, c1).  On whole chunks (and outputs not streamed) the last
 * pass writes the outputs itself. */
static void fft_store(const job *jb, uint8_t *base, int size, int count, int delta,
                      uint8_t *const *out, size_t c0, size_t c1)
{
    const fc_gf16_kernels *K = jb->K;
    size_t S = (c1 - c0) * 64;
    if (c1 > jb->g.n_full || jb->stream || size < 2) {
        fft_rows(K, base, S, size, count, delta);
        for (int r = 0; r < count; r++)
            scatter(&jb->g, ROW(r), c0, c1, out[r], jb->stream);
        return;
    }
    size_t off = c0 * 64;
    int i = fft_upper(K, base, S, size, count, delta);
    if (i == 1) {
        for (int r = 0; r < count; r += 4) {
            const uint8_t *x[4];
            uint8_t *o[4];
            for (int j = 0; j < 4; j++) {
                x[j] = ROW(r + j);
                o[j] = r + j < count ? out[r + j] + off : ROW(r + j);
            }
            K->fft4_to(x, o, S, (uint16_t)((r + delta) >> 1), (uint16_t)(r + delta),
                       (uint16_t)(r + 2 + delta));
        }
    } else {
        for (int r = 0; r < count; r += 2)
            K->fft2_to(ROW(r), ROW(r + 1), out[r] + off,
                       r + 1 < count ? out[r + 1] + off : ROW(r + 1), S, (uint16_t)(r + delta));
    }
}

/* ---- encode ----------------------------------------------------------------------- */

static int encode_high_stripe(const job *jb, size_t c0, size_t c1, uint8_t *base)
{
    const fc_gf16_kernels *K = jb->K;
    size_t S = (c1 - c0) * 64;
    int chunk = jb->chunk, k = jb->k;
    uint8_t *acc = base, *tmp = base + (size_t)chunk * S;
    for (int start = 0; start < k; start += chunk) {
        int count = k - start < chunk ? k - start : chunk;
        load_ifft(jb, jb->data + start, count, c0, c1, start ? tmp : acc, chunk, start + chunk);
        if (start)
            K->xor2(acc, tmp, (size_t)chunk * S);
    }
    fft_store(jb, acc, chunk, jb->m, 0, jb->parity, c0, c1);
    return 0;
}

static int encode_low_stripe(const job *jb, size_t c0, size_t c1, uint8_t *base)
{
    size_t S = (c1 - c0) * 64;
    int chunk = jb->chunk, k = jb->k, m = jb->m;
    uint8_t *coef = base, *tmp = base + (size_t)chunk * S;
    load_ifft(jb, jb->data, k, c0, c1, coef, chunk, 0);
    for (int start = 0; start < m; start += chunk) {
        int count = m - start < chunk ? m - start : chunk;
        uint8_t *dst = coef;
        if (start + chunk < m) {  /* not the last chunk: keep the coefficients */
            memcpy(tmp, coef, (size_t)chunk * S);
            dst = tmp;
        }
        fft_store(jb, dst, chunk, count, start + chunk, jb->parity + start, c0, c1);
    }
    return 0;
}

int fc_gf16_encode(int k, int m, size_t len, const uint8_t *const *data,
                   uint8_t *const *parity, int n_threads)
{
    if (!fc_gf16_supports(k, m) || len == 0 || len % 2)
        return -1;
    job jb;
    memset(&jb, 0, sizeof jb);
    jb.K = fc_gf16_active();
    jb.g = make_layout(len);
    jb.k = k;
    jb.m = m;
    jb.data = data;
    jb.parity = parity;
    jb.high = fc_gf16_high_rate(k, m);
    jb.stream = fc_gf16_level() != FC_GF16_SCALAR && (double)m * len >= STREAM_MIN_OUTPUT;
    if (jb.high) {
        jb.chunk = next_pow2(m);
        jb.rows = k > jb.chunk ? 2 * jb.chunk : jb.chunk;
        jb.fn = encode_high_stripe;
    } else {
        jb.chunk = next_pow2(k);
        jb.rows = m > jb.chunk ? 2 * jb.chunk : jb.chunk;
        jb.fn = encode_low_stripe;
    }
    return run_job(&jb, n_threads);
}

/* ---- decode ----------------------------------------------------------------------- */

static int decode_stripe(const job *jb, size_t c0, size_t c1, uint8_t *base)
{
    const fc_gf16_kernels *K = jb->K;
    size_t S = (c1 - c0) * 64;
    for (int p = 0; p < jb->work; p++) {
        int src = jb->row_src[p];
        if (src < 0) {
            memset(ROW(p), 0, S);
            continue;
        }
        gather(&jb->g, jb->recv[src], c0, c1, ROW(p));
        if (jb->row_factor[p] != 1)
            K->mul(ROW(p), S, jb->row_factor[p]);
    }
    ifft_rows(K, base, S, jb->work, jb->end, 0, 0);
    derivative_rows(K, base, S, jb->work);
    fft_rows_needed(K, base, S, jb->work, jb->need, 0);
    for (int o = 0; o < jb->n_out; o++) {
        uint8_t *row = ROW(jb->out_row[o]);
        K->mul(row, S, jb->out_factor[o]);
        scatter(&jb->g, row, c0, c1, jb->out[o], jb->stream);
    }
    return 0;
}

int fc_gf16_decode(int k, int m, size_t len, int n_recv, const int *recv_idx,
                   const uint8_t *const *recv, int n_out, const int *out_idx,
                   uint8_t *const *out, int n_threads)
{
    if (!fc_gf16_supports(k, m) || len == 0 || len % 2 || n_recv < k || n_recv > k + m ||
        n_out < 0 || n_out > k)
        return -1;
    fc_gf16_init();
    int high = fc_gf16_high_rate(k, m);
    int chunk = high ? next_pow2(m) : next_pow2(k);
    int count = high ? k : m;  /* shards in the second region */
    int end = chunk + count;
    int work = next_pow2(end);
    /* point of shard s */
#define POINT(s) (high ? ((s) < k ? chunk + (s) : (s) - k) : ((s) < k ? (s) : chunk + (s) - k))
    size_t n_bytes = (size_t)work * (2 * sizeof(int) + sizeof(uint16_t) * 2 + 1) + sizeof(int) +
                     (size_t)(n_out + 1) * (sizeof(int) + sizeof(uint16_t));
    char *mem = (char *)calloc(1, n_bytes);
    if (!mem)
        return -2;
    int *row_src = (int *)mem;
    int *need = row_src + work;   /* work + 1 entries */
    int *out_row = need + work + 1;
    uint16_t *logs = (uint16_t *)(out_row + n_out + 1);
    uint16_t *row_factor = logs + work;
    uint16_t *out_factor = row_factor + work;
    uint8_t *erased = (uint8_t *)(out_factor + n_out + 1);
    int rc = -1;
    for (int p = 0; p < work; p++)
        row_src[p] = -1;
    for (int i = 0; i < n_recv; i++) {
        int s = recv_idx[i];
        if (s < 0 || s >= k + m || row_src[POINT(s)] >= 0)
            goto done;
        row_src[POINT(s)] = i;
    }
    /* Unknown points: shards not received, the unused end of the recovery
     * region (high rate: [m, chunk)) and, at low rate, the points past the
     * last recovery shard.  Points holding known zeros (padding data) are not
     * erased: high rate [end, work), low rate [k, chunk). */
    for (int s = 0; s < k + m; s++)
        erased[POINT(s)] = row_src[POINT(s)] < 0;
    if (high)
        for (int p = m; p < chunk; p++)
            erased[p] = 1;
    else
        for (int p = end; p < work; p++)
            erased[p] = 1;
    for (int o = 0; o < n_out; o++) {
        int s = out_idx[o];
        if (s < 0 || s >= k || !erased[POINT(s)])
            goto done;
        out_row[o] = POINT(s);
    }
    for (int o = 0; o < n_out; o++)
        need[out_row[o] + 1] = 1;
    for (int p = 0; p < work; p++)
        need[p + 1] += need[p];
    if ((rc = error_locator(work, erased, logs)) != 0)
        goto done;
    for (int p = 0; p < work; p++)
        row_factor[p] = fc_gf16_exp[logs[p]];
    for (int o = 0; o < n_out; o++)
        out_factor[o] = fc_gf16_exp[(FC_GF16_MODULUS - logs[out_row[o]]) % FC_GF16_MODULUS];
#undef POINT
    if (n_out == 0) {
        rc = 0;
        goto done;
    }
    job jb;
    memset(&jb, 0, sizeof jb);
    jb.K = fc_gf16_active();
    jb.g = make_layout(len);
    jb.rows = work;
    jb.fn = decode_stripe;
    jb.stream = fc_gf16_level() != FC_GF16_SCALAR && (double)n_out * len >= STREAM_MIN_OUTPUT;
    jb.k = k;
    jb.m = m;
    jb.work = work;
    jb.end = end;
    jb.row_src = row_src;
    jb.row_factor = row_factor;
    jb.recv = recv;
    jb.n_out = n_out;
    jb.out_row = out_row;
    jb.need = need;
    jb.out_factor = out_factor;
    jb.out = out;
    rc = run_job(&jb, n_threads);
done:
    free(mem);
    return rc;
}
