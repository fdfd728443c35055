/*
 * GF(2^8) dot product plans: out[r] = sum_j M[r, j] * in[j] over byte regions.
 *
 * A plan analyses the matrix once (it is reused for every call of an encode
 * or of a cached decoder):
 *   - a row with a single non-zero coefficient is a copy (c = 1) or a scaled
 *     copy; an all-zero row is a memset;
 *   - the other rows are split into groups of at most FC_MAX_GROUP outputs,
 *     so each input vector is loaded once per group;
 *   - in each group, inputs whose coefficients are all zero are dropped, and
 *     the tables of every level (nibble tables, affine matrices) are laid out
 *     in the order the kernels read them, so the level may change after the
 *     plan is built.
 * Apply walks the region in stripes short enough that the k input and `rows`
 * output stripes stay in L2 while every group passes over them (this is what
 * keeps wide codes such as k=50, rows=10 off main memory).
 */
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include "gf256.h"
#include "gf256_levels.h"

#if FC_X86 && defined(__SSE2__)
#include <emmintrin.h>
#define FC_HAVE_STREAM 1
#else
#define FC_HAVE_STREAM 0
#endif

typedef struct {
    int n_out, n_in;
    const int *out_rows;   /* n_out row indices into the output array */
    const int *in_cols;    /* n_in input indices */
    fc_group_tables tab;   /* n_in * n_out coefficients, [j * n_out + r] */
} plan_group;

typedef struct {
    int row, col;     /* out[row] = c * in[col] */
    uint8_t c;        /* 0 means zero row (col unused) */
} plan_single;

struct fc_dot_plan {
    int rows, k;
    int n_single, n_groups;
    int n_used;            /* inputs read by some group, listed in used_cols */
    plan_single *singles;
    plan_group *groups;
    const int *used_cols;
    size_t nbytes;
    /* one allocation holds everything after the struct */
};

size_t fc_dot_plan_nbytes(const fc_dot_plan *plan) { return plan->nbytes; }

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

fc_dot_plan *fc_dot_plan_new(int rows, int k, const uint8_t *m)
{
    fc_gf256_init();
    if (rows < 0 || k < 0)
        return NULL;
    /* Classify rows. */
    int n_general = 0, n_single = 0;
    int *nnz = (int *)calloc((size_t)rows + 1, sizeof(int));
    if (!nnz)
        return NULL;
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < k; j++)
            nnz[r] += m[(size_t)r * k + j] != 0;
        if (nnz[r] <= 1)
            n_single++;
        else
            n_general++;
    }
    int n_groups = (n_general + FC_MAX_GROUP - 1) / FC_MAX_GROUP;
    /* Upper bound on storage: every group may keep every input. */
    size_t sz = align8(sizeof(fc_dot_plan)) + align8((size_t)n_single * sizeof(plan_single)) +
                align8((size_t)n_groups * sizeof(plan_group)) +
                align8((size_t)n_general * sizeof(int)) +
                align8((size_t)n_groups * k * sizeof(int)) + align8((size_t)k * sizeof(int)) +
                align8((size_t)n_general * k) + (size_t)n_general * k * 8 +
                (size_t)n_general * k * 32 + 64;
    char *mem = (char *)calloc(1, sz);
    if (!mem) {
        free(nnz);
        return NULL;
    }
    fc_dot_plan *plan = (fc_dot_plan *)mem;
    char *p = mem + align8(sizeof(fc_dot_plan));
    plan->rows = rows;
    plan->k = k;
    plan->nbytes = sz;
    plan->singles = (plan_single *)p;
    p += align8((size_t)n_single * sizeof(plan_single));
    plan->groups = (plan_group *)p;
    p += align8((size_t)n_groups * sizeof(plan_group));
    int *general_rows = (int *)p;
    p += align8((size_t)n_general * sizeof(int));
    int *cols = (int *)p;
    p += align8((size_t)n_groups * k * sizeof(int));
    int *used_cols = (int *)p;
    p += align8((size_t)k * sizeof(int));
    uint8_t *coeffs = (uint8_t *)p;
    p += align8((size_t)n_general * k);
    uint64_t *affine = (uint64_t *)p;
    p += (size_t)n_general * k * 8;
    /* nibble tables 32-byte aligned for tidy loads */
    uint8_t *tables = (uint8_t *)(((uintptr_t)p + 31) & ~(uintptr_t)31);

    int ns = 0, ng = 0;
    for (int r = 0; r < rows; r++) {
        if (nnz[r] > 1) {
            general_rows[ng++] = r;
            continue;
        }
        plan_single s = {r, 0, 0};
        for (int j = 0; j < k; j++) {
            if (m[(size_t)r * k + j]) {
                s.col = j;
                s.c = m[(size_t)r * k + j];
            }
        }
        plan->singles[ns++] = s;
    }
    plan->n_single = ns;
    free(nnz);

    /* Balanced groups: sizes differ by at most one. */
    int start = 0;
    for (int g = 0; g < n_groups; g++) {
        int size = n_general / n_groups + (g < n_general % n_groups);
        plan_group *grp = &plan->groups[g];
        const int *grow = general_rows + start;
        int n_in = 0;
        int *gcols = cols + (size_t)g * k;
        for (int j = 0; j < k; j++) {
            int any = 0;
            for (int r = 0; r < size; r++)
                any |= m[(size_t)grow[r] * k + j] != 0;
            if (!any)
                continue;
            for (int r = 0; r < size; r++) {
                uint8_t c = m[(size_t)grow[r] * k + j];
                coeffs[n_in * size + r] = c;
                affine[n_in * size + r] = fc_gf256_affine_matrix(c);
                fc_gf256_nibble_table(c, tables + ((size_t)n_in * size + r) * 32);
            }
            gcols[n_in++] = j;
        }
        grp->n_out = size;
        grp->n_in = n_in;
        grp->out_rows = grow;
        grp->in_cols = gcols;
        grp->tab.coeff = coeffs;
        grp->tab.nibble = tables;
        grp->tab.affine = affine;
        coeffs += (size_t)n_in * size;
        affine += (size_t)n_in * size;
        tables += (size_t)n_in * size * 32;
        start += size;
    }
    plan->n_groups = n_groups;
    /* Inputs some group reads, in increasing order (the copies read theirs
     * directly, so only these are ever staged). */
    int n_used = 0;
    for (int j = 0; j < k; j++) {
        int any = 0;
        for (int g = 0; g < n_groups && !any; g++)
            for (int i = 0; i < plan->groups[g].n_in && !any; i++)
                any = plan->groups[g].in_cols[i] == j;
        if (any)
            used_cols[n_used++] = j;
    }
    plan->used_cols = used_cols;
    plan->n_used = n_used;
    return plan;
}

void fc_dot_plan_free(fc_dot_plan *plan) { free(plan); }

/* L2 budget for one stripe of all inputs and outputs: half of a 512 KiB L2,
 * leaving room for the tables and the other hyperthread. */
#define FC_STRIPE_BUDGET (192 * 1024)
#define FC_STRIPE_MIN 1024
#define FC_STRIPE_MAX (64 * 1024)

size_t fc_dot_stripe_len(int k, int rows)
{
    size_t per = (size_t)(k + rows > 0 ? k + rows : 1);
    size_t s = FC_STRIPE_BUDGET / per;
    s &= ~(size_t)63;
    if (s < FC_STRIPE_MIN)
        s = FC_STRIPE_MIN;
    if (s > FC_STRIPE_MAX)
        s = FC_STRIPE_MAX;
    return s;
}

/* Passes over the input stripes that the active level makes for this plan. */
static int plan_passes(const fc_dot_plan *plan)
{
    int passes = 0;
    for (int g = 0; g < plan->n_groups; g++)
        passes += (plan->groups[g].n_out + fc_active_max_pass - 1) / fc_active_max_pass;
    return passes;
}

/* Per-thread scratch of apply_range. */
typedef struct {
    const uint8_t **gin; /* k pointers */
    uint8_t **gout;      /* FC_MAX_GROUP pointers */
    uint8_t *stage;      /* k * stripe bytes, or NULL when there is one pass */
    int stream;          /* copies with non-temporal stores (see stream_copy) */
} range_scratch;

/* A call whose regions add up to more than this goes to memory whatever we
 * do: its copies then bypass the caches (see stream_copy). */
#define FC_STREAM_MIN_BYTES (48u << 20)

/* memcpy with non-temporal stores (SSE2, baseline on x86-64): a plain store
 * first reads the destination line from memory (read for ownership), so a
 * copy that will not be read back from cache moves 3 bytes per byte copied;
 * streamed, 2.  Used only by calls too large for the caches to help (RS(50,10)
 * decode of all rows at 1 MiB blocks: 40 of the 50 output rows are copies).
 * The caller issues one sfence after its last streamed store. */
static void stream_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
#if FC_HAVE_STREAM
    size_t i = (size_t)(-(uintptr_t)dst) & 15;
    if (i > n)
        i = n;
    memcpy(dst, src, i);
    for (; i + 64 <= n; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 48));
        _mm_stream_si128((__m128i *)(void *)(dst + i), a);
        _mm_stream_si128((__m128i *)(void *)(dst + i + 16), b);
        _mm_stream_si128((__m128i *)(void *)(dst + i + 32), c);
        _mm_stream_si128((__m128i *)(void *)(dst + i + 48), d);
    }
    for (; i + 16 <= n; i += 16)
        _mm_stream_si128((__m128i *)(void *)(dst + i),
                         _mm_loadu_si128((const __m128i *)(const void *)(src + i)));
    memcpy(dst + i, src + i, n - i);
#else
    memcpy(dst, src, n);
#endif
}

static void stream_fence(void)
{
#if FC_HAVE_STREAM
    _mm_sfence();
#endif
}

static void run_group(const plan_group *grp, size_t n, const uint8_t **gin, uint8_t **gout)
{
    if (grp->n_in == 0) {
        for (int r = 0; r < grp->n_out; r++)
            memset(gout[r], 0, n);
        return;
    }
    size_t done = fc_active_group(n, grp->n_out, grp->n_in, &grp->tab, gin, gout);
    if (done < n) {  /* tail shorter than a vector */
        for (int j = 0; j < grp->n_in; j++)
            gin[j] += done;
        for (int r = 0; r < grp->n_out; r++)
            gout[r] += done;
        fc_gf256_group_base(n - done, grp->n_out, grp->n_in, &grp->tab, gin, gout);
    }
}

/* Work on bytes [begin, end) of every region. */
static void apply_range(const fc_dot_plan *plan, size_t begin, size_t end,
                        const uint8_t *const *in, uint8_t *const *out, range_scratch *sc)
{
    size_t stripe = fc_dot_stripe_len(plan->k, plan->rows);
    for (size_t off = begin; off < end; off += stripe) {
        size_t n = end - off < stripe ? end - off : stripe;
        /* With several passes every input stripe is read once per pass.
         * Staging it in one contiguous buffer keeps those re-reads in L2 even
         * when the caller's regions sit at power-of-two strides, which would
         * otherwise map every input to the same cache sets. */
        if (sc->stage)
            for (int u = 0; u < plan->n_used; u++) {
                int j = plan->used_cols[u];
                memcpy(sc->stage + (size_t)j * stripe, in[j] + off, n);
            }
        for (int g = 0; g < plan->n_groups; g++) {
            const plan_group *grp = &plan->groups[g];
            for (int j = 0; j < grp->n_in; j++) {
                int c = grp->in_cols[j];
                sc->gin[j] = sc->stage ? sc->stage + (size_t)c * stripe : in[c] + off;
            }
            for (int r = 0; r < grp->n_out; r++)
                sc->gout[r] = out[grp->out_rows[r]] + off;
            run_group(grp, n, sc->gin, sc->gout);
        }
        /* Copies and scaled copies stripe by stripe too, after the groups:
         * the groups prefetched and read the input stripes, so the copies
         * find them in cache (a decode that returns present data rows beside
         * rebuilt ones reads each input once).  Run first, the copies read
         * from memory in short streams the hardware prefetcher barely ramps
         * up on: RS(10,4) decode of all rows at 1 MiB blocks took 1.2x as
         * long as the rebuild and a separate copy. */
        for (int s = 0; s < plan->n_single; s++) {
            const plan_single *sg = &plan->singles[s];
            uint8_t *o = out[sg->row] + off;
            if (sg->c == 0)
                memset(o, 0, n);
            else if (sg->c == 1 && sc->stream)
                stream_copy(o, in[sg->col] + off, n);
            else if (sg->c == 1)
                memcpy(o, in[sg->col] + off, n);
            else
                fc_active_mul(n, sg->c, in[sg->col] + off, o);
        }
    }
}

typedef struct {
    const fc_dot_plan *plan;
    size_t s_begin, s_end;  /* stripes [s_begin, s_end) of the batch */
    size_t begin, end;      /* bytes [begin, end) of each of their regions */
    const uint8_t *const *in;
    uint8_t *const *out;
    range_scratch scratch;
} range_job;

/* Stripes of a batch are back to back in memory in the usual layout, but the
 * hardware prefetchers only follow the streams they have seen: ask for the
 * first lines of every input of the next stripe while this one is computed
 * (the group kernels prefetch ahead within a row, not across stripes). */
#define FC_BATCH_PREFETCH_BYTES 512

static void prefetch_stripe_heads(const fc_dot_plan *plan, size_t begin, size_t end,
                                  const uint8_t *const *in)
{
    size_t n = end - begin < FC_BATCH_PREFETCH_BYTES ? end - begin : FC_BATCH_PREFETCH_BYTES;
    for (int j = 0; j < plan->k; j++)
        for (size_t b = 0; b < n; b += 64)
            __builtin_prefetch(in[j] + begin + b, 0, 3);
}

static void *run_range_job(void *arg)
{
    range_job *j = (range_job *)arg;
    const fc_dot_plan *plan = j->plan;
    for (size_t s = j->s_begin; s < j->s_end; s++) {
        const uint8_t *const *in = j->in + s * (size_t)plan->k;
        if (s + 1 < j->s_end)
            prefetch_stripe_heads(plan, j->begin, j->end, in + plan->k);
        apply_range(plan, j->begin, j->end, in, j->out + s * (size_t)plan->rows, &j->scratch);
    }
    if (j->scratch.stream)
        stream_fence();   /* streamed stores visible before the join */
    return NULL;
}

/* Below this many data bytes per thread, starting a thread costs more than it saves. */
#define FC_MIN_BYTES_PER_THREAD (512 * 1024)
#define FC_MAX_THREADS 256

/* Runs stripes [0, n_stripes) of len bytes: split by stripes when there are at
 * least as many stripes as threads, else each stripe split by bytes. */
static int apply_stripes(const fc_dot_plan *plan, size_t n_stripes, size_t len,
                         const uint8_t *const *in, uint8_t *const *out, int n_threads)
{
    size_t data_bytes = n_stripes * len * (size_t)(plan->k > 0 ? plan->k : 1);
    if (n_threads > FC_MAX_THREADS)
        n_threads = FC_MAX_THREADS;
    if ((size_t)n_threads > data_bytes / FC_MIN_BYTES_PER_THREAD)
        n_threads = (int)(data_bytes / FC_MIN_BYTES_PER_THREAD);
    if (n_threads < 1)
        n_threads = 1;
    if (n_stripes > 1 && n_stripes < (size_t)n_threads) {
        /* few long stripes: each one split by bytes in turn */
        int rc = 0;
        for (size_t s = 0; s < n_stripes; s++) {
            int r = apply_stripes(plan, 1, len, in + s * (size_t)plan->k,
                                  out + s * (size_t)plan->rows, n_threads);
            if (r == -2)
                return r;
            rc |= r;
        }
        return rc;
    }
    /* Per thread: k + FC_MAX_GROUP pointers, and the staging buffer. */
    size_t stripe = fc_dot_stripe_len(plan->k, plan->rows);
    size_t stage = plan_passes(plan) > 1 ? (size_t)plan->k * stripe : 0;
    size_t ptr_bytes = ((size_t)plan->k + FC_MAX_GROUP) * 2 * sizeof(void *);
    size_t per_thread = ((ptr_bytes + 63) & ~(size_t)63) + stage;
    /* Small single-threaded calls (the common decode of short blocks) use the
     * stack: a malloc is a visible share of a 4 KiB call. */
    char stack_mem[2048];
    size_t need = (size_t)n_threads * per_thread + 64;
    char *mem = need <= sizeof(stack_mem) ? stack_mem : (char *)malloc(need);
    if (!mem)
        return -2;
    char *base = (char *)(((uintptr_t)mem + 63) & ~(uintptr_t)63);
    range_job jobs[FC_MAX_THREADS];
    int stream = n_stripes * len * (size_t)(plan->k + plan->rows) >= FC_STREAM_MIN_BYTES;
    /* one stripe: bytes split in 64-byte multiples; a batch: stripes split */
    size_t total = n_stripes == 1 ? len : n_stripes;
    size_t chunk = n_stripes == 1 ? (len / (size_t)n_threads + 63) & ~(size_t)63
                                  : (n_stripes + (size_t)n_threads - 1) / (size_t)n_threads;
    for (int t = 0; t < n_threads; t++) {
        char *p = base + (size_t)t * per_thread;
        size_t b = (size_t)t * chunk, e = b + chunk;
        if (b > total) b = total;
        if (e > total || t == n_threads - 1) e = total;
        jobs[t].plan = plan;
        if (n_stripes == 1) {
            jobs[t].s_begin = 0;
            jobs[t].s_end = 1;
            jobs[t].begin = b;
            jobs[t].end = e;
        } else {
            jobs[t].s_begin = b;
            jobs[t].s_end = e;
            jobs[t].begin = 0;
            jobs[t].end = len;
        }
        jobs[t].in = in;
        jobs[t].out = out;
        jobs[t].scratch.gin = (const uint8_t **)p;
        jobs[t].scratch.gout = (uint8_t **)(jobs[t].scratch.gin + plan->k + FC_MAX_GROUP);
        jobs[t].scratch.stage = stage ? (uint8_t *)(p + ((ptr_bytes + 63) & ~(size_t)63)) : NULL;
        jobs[t].scratch.stream = stream;
    }
    int rc = 0;
    pthread_t tids[FC_MAX_THREADS];
    int started[FC_MAX_THREADS];
    /* Thread 0's share runs on the calling thread. */
    for (int t = 1; t < n_threads; t++)
        started[t] = pthread_create(&tids[t], NULL, run_range_job, &jobs[t]) == 0;
    run_range_job(&jobs[0]);
    for (int t = 1; t < n_threads; t++) {
        if (started[t]) {
            pthread_join(tids[t], NULL);
        } else {
            run_range_job(&jobs[t]);
            rc = -1;
        }
    }
    if (mem != stack_mem)
        free(mem);
    return rc;
}

int fc_dot_plan_apply(const fc_dot_plan *plan, size_t len, const uint8_t *const *in,
                      uint8_t *const *out, int n_threads)
{
    return apply_stripes(plan, 1, len, in, out, n_threads);
}

int fc_dot_plan_apply_batch(const fc_dot_plan *plan, size_t n_stripes, size_t len,
                            const uint8_t *const *in, uint8_t *const *out, int n_threads)
{
    if (n_stripes == 0 || len == 0 || plan->rows == 0)
        return 0;
    return apply_stripes(plan, n_stripes, len, in, out, n_threads);
}

/* ---- overlap of byte regions ---------------------------------------------- */

typedef struct {
    uintptr_t lo;
    int is_a;
} tagged_region;

static int cmp_region(const void *x, const void *y)
{
    uintptr_t a = ((const tagged_region *)x)->lo, b = ((const tagged_region *)y)->lo;
    return (a > b) - (a < b);
}

int fc_regions_overlap(size_t n_a, const uint8_t *const *a, size_t n_b,
                       const uint8_t *const *b, size_t len, int *a_self)
{
    *a_self = 0;
    if (len == 0 || n_a == 0)
        return 0;
    tagged_region *r = (tagged_region *)malloc((n_a + n_b) * sizeof(tagged_region));
    if (!r)
        return -2;
    for (size_t i = 0; i < n_a; i++) {
        r[i].lo = (uintptr_t)a[i];
        r[i].is_a = 1;
    }
    for (size_t i = 0; i < n_b; i++) {
        r[n_a + i].lo = (uintptr_t)b[i];
        r[n_a + i].is_a = 0;
    }
    qsort(r, n_a + n_b, sizeof(tagged_region), cmp_region);
    /* Sweep in address order: a region overlaps an earlier one iff it starts
     * before the end of the last region of that kind seen so far (all have
     * the same length, so the latest start has the furthest end). */
    uintptr_t end_a = 0, end_b = 0;
    int have_a = 0, have_b = 0, cross = 0;
    for (size_t i = 0; i < n_a + n_b; i++) {
        uintptr_t lo = r[i].lo;
        if (r[i].is_a) {
            if (have_a && lo < end_a)
                *a_self = 1;
            if (have_b && lo < end_b)
                cross = 1;
            end_a = lo + len;
            have_a = 1;
        } else {
            if (have_a && lo < end_a)
                cross = 1;
            end_b = lo + len;
            have_b = 1;
        }
    }
    free(r);
    return cross;
}
