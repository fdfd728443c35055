/*
 * fastcode GF(2^8) kernels: public C API.
 *
 * Field: GF(2^8) with polynomial x^8+x^4+x^3+x^2+1 (0x11d), generator 2, the
 * convention of ISA-L, zfec, Jerasure (w=8) and galois.
 *
 * Region kernels operate on byte regions of length `len`; there is no
 * alignment requirement.  Every kernel has a scalar `*_base` version and SIMD
 * versions selected once at run time (see gf256_dispatch.c).
 *
 * Plain C99 plus intrinsics; no Python in this directory.
 */
#ifndef FASTCODE_GF256_H
#define FASTCODE_GF256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tables (gf256_tables.c) ------------------------------------------ */

/* exp table of length 512 (so exp[log a + log b] needs no reduction),
 * log table (log[0] is unused), full 256x256 product table. */
extern const uint8_t *fc_gf256_exp;
extern const uint8_t *fc_gf256_log;
extern const uint8_t *fc_gf256_mul_table;   /* [a * 256 + b] = a*b */
extern const uint8_t *fc_gf256_inv_table;   /* inv[0] = 0 (undefined) */

void fc_gf256_init(void);  /* builds the tables once (pthread_once): idempotent, thread-safe */

static inline uint8_t fc_gf256_mul1(uint8_t a, uint8_t b) {
    return fc_gf256_mul_table[(size_t)a * 256 + b];
}

/* Split-nibble table of coefficient c: 16 bytes c*x for x in 0..15, then
 * 16 bytes c*(x<<4).  `dst` receives 32 bytes. */
void fc_gf256_nibble_table(uint8_t c, uint8_t *dst);

/* The 8x8 bit matrix of x -> c*x in the layout of GF2P8AFFINEQB: byte 7-i of
 * the result holds row i, whose bit j is bit i of c * 2^j. */
uint64_t fc_gf256_affine_matrix(uint8_t c);

/* ---- SIMD levels and dispatch (gf256_dispatch.c) ----------------------- */

/* Levels are named, not ordered: a CPU may have GFNI without AVX-512 or the
 * reverse.  The split-nibble levels multiply with a byte shuffle (PSHUFB on
 * x86, TBL on AArch64), the *_gfni levels with one GF2P8AFFINEQB per vector. */
enum fc_simd_level {
    FC_SIMD_SCALAR = 0,
    FC_SIMD_SSSE3 = 1,
    FC_SIMD_AVX2 = 2,
    FC_SIMD_AVX512 = 3,
    FC_SIMD_AVX2_GFNI = 4,
    FC_SIMD_AVX512_GFNI = 5,
    FC_SIMD_NEON = 6,       /* AArch64 Advanced SIMD, split-nibble TBL */
    FC_SIMD_N_LEVELS = 7
};

/* The level used by default: the fastest one this CPU (and OS) supports. */
int fc_simd_detect(void);
/* Whether this CPU (and OS) can run `level`. */
int fc_simd_supported(int level);
/* The levels this CPU supports, fastest first, into levels[FC_SIMD_N_LEVELS];
 * returns how many. */
int fc_simd_ranked(int *levels);
/* Level currently used by the kernels. */
int fc_simd_level(void);
/* Force a level; returns 0 on success, -1 if the CPU lacks it. */
int fc_simd_set_level(int level);
const char *fc_simd_level_name(int level);
/* Raw CPU feature flags, for reporting. */
int fc_cpu_has(const char *feature);

/* ---- region kernels ----------------------------------------------------- */

/* out = c * in */
void fc_gf256_mul(size_t len, uint8_t c, const uint8_t *in, uint8_t *out);
/* out ^= c * in */
void fc_gf256_mad(size_t len, uint8_t c, const uint8_t *in, uint8_t *out);

/* The coefficients of a group in every form a kernel reads, each in the
 * order of the coefficients: entry j*n_out + r is the coefficient of input j
 * in output r.  Each level reads only its own form. */
typedef struct {
    const uint8_t *coeff;   /* 1 byte each: the scalar kernels */
    const uint8_t *nibble;  /* 32 bytes each (fc_gf256_nibble_table): shuffle levels */
    const uint64_t *affine; /* 8 bytes each (fc_gf256_affine_matrix): GFNI levels */
} fc_group_tables;

/* A group kernel computes up to FC_MAX_GROUP outputs from n_in inputs over
 * the first len bytes of every region:
 *     out[r][i] = XOR_j  coeff[j*n_out + r] * in[j][i]
 * Outputs are overwritten, never read, and must not overlap the inputs (a
 * SIMD kernel may compute some output bytes twice).  Returns the number of
 * leading bytes done: a SIMD kernel does all of len if len is at least its
 * vector width, else nothing, and the caller then finishes with
 * fc_gf256_group_base (which does all). */
/* Plans group up to 16 outputs; each level runs a group in passes of as
 * many outputs as its registers hold (fc_gf256_max_pass_*). */
#define FC_MAX_GROUP 16
typedef size_t (*fc_group_kernel)(size_t len, int n_out, int n_in, const fc_group_tables *t,
                                  const uint8_t *const *in, uint8_t *const *out);

/* The per-level implementations (exported for tests and benchmarks). */
size_t fc_gf256_group_base(size_t, int, int, const fc_group_tables *,
                           const uint8_t *const *, uint8_t *const *);
void fc_gf256_mul_base(size_t len, uint8_t c, const uint8_t *in, uint8_t *out);
void fc_gf256_mad_base(size_t len, uint8_t c, const uint8_t *in, uint8_t *out);

/* ---- dot product plans (gf256_dot.c) ------------------------------------ */

/* A plan is the prepared form of a (rows x k) coefficient matrix: rows that
 * are copies or single multiples are recognised, the other rows are grouped
 * by FC_MAX_GROUP, all-zero input columns of a group are dropped and the
 * tables of each group (nibble tables and affine matrices, so any level can
 * run the plan) are laid out contiguously.  Plans are
 * immutable once built and may be shared between threads. */
typedef struct fc_dot_plan fc_dot_plan;

/* Returns NULL on allocation failure.  matrix is row-major rows x k. */
fc_dot_plan *fc_dot_plan_new(int rows, int k, const uint8_t *matrix);
void fc_dot_plan_free(fc_dot_plan *plan);
size_t fc_dot_plan_nbytes(const fc_dot_plan *plan);

/* out[r] = sum_j matrix[r, j] * in[j] over len bytes, using up to n_threads
 * threads (regions shorter than the minimum split size stay single-threaded).
 * Returns 0; -1 if a thread could not be started (the work is then
 * completed on the calling thread, the result is correct); -2 if scratch
 * memory could not be allocated (nothing was computed). */
int fc_dot_plan_apply(const fc_dot_plan *plan, size_t len, const uint8_t *const *in,
                      uint8_t *const *out, int n_threads);

/* The same product on n_stripes independent stripes in one call:
 * in holds n_stripes * k pointers (input j of stripe s at in[s * k + j]),
 * out n_stripes * rows pointers (out[s * rows + r]), every region len bytes.
 * Threads take whole stripes when there are at least as many stripes as
 * threads (else each stripe is split by bytes as in fc_dot_plan_apply).
 * Returns as fc_dot_plan_apply. */
int fc_dot_plan_apply_batch(const fc_dot_plan *plan, size_t n_stripes, size_t len,
                            const uint8_t *const *in, uint8_t *const *out, int n_threads);

/* Whether any of the n_a regions at a overlaps one of the n_b regions at b,
 * every region len bytes (1, 0, or -2 if scratch memory could not be
 * allocated); *a_self is set to whether two regions of a overlap each other.
 * O((n_a + n_b) log(n_a + n_b)): one sort of the addresses. */
int fc_regions_overlap(size_t n_a, const uint8_t *const *a, size_t n_b,
                       const uint8_t *const *b, size_t len, int *a_self);

/* The stripe length (bytes) used for cache blocking with k inputs and rows outputs. */
size_t fc_dot_stripe_len(int k, int rows);

/* ---- small dense linear algebra (gf256_linalg.c) ----------------------- */

/* Gauss-Jordan inverse of the n x n matrix a (row-major, left untouched) into
 * inv.  Returns 0, -1 if a is singular, -2 on allocation failure. */
int fc_gf256_invert(int n, const uint8_t *a, uint8_t *inv);
/* Rank of the rows x cols matrix a (left untouched), or -2 on allocation failure. */
int fc_gf256_rank(int rows, int cols, const uint8_t *a);
/* Determinant of the n x n matrix a (0..255), or -2 on allocation failure. */
int fc_gf256_det(int n, const uint8_t *a);
/* Solve a x = b for x (n x m), a n x n, b n x m.  Returns 0, -1 if singular, -2 on allocation failure. */
int fc_gf256_solve(int n, int m, const uint8_t *a, const uint8_t *b, uint8_t *x);

#ifdef __cplusplus
}
#endif
#endif
