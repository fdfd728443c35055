/*
 * SIMD body of the GF(2^8) region kernels, written once and instantiated per
 * instruction set by gf256_simd.c.  Two ways to multiply a vector by a
 * constant c, chosen by the includer:
 *   - split-nibble tables with a byte shuffle (PSHUFB):
 *         c*x = T_lo[x & 15] ^ T_hi[x >> 4]      (FC_AFFINE 0)
 *   - GFNI: c*x is linear over GF(2) in the bits of x, so one GF2P8AFFINEQB
 *     with the 8x8 bit matrix of c does the whole product      (FC_AFFINE 1)
 *
 * The includer defines, before including:
 *   FC_SFX(name)    name with the level suffix (e.g. name##_avx2)
 *   FC_TARGET       function attribute enabling the instruction set
 *   FC_AFFINE       0 (nibble tables) or 1 (affine matrices)
 *   FC_MAX_PASS     outputs per pass over the inputs (at most FC_MAX_GROUP)
 *   FC_PASS_U(G)    vectors per iteration (1 or 2) for G outputs per pass
 *   FC_PREFETCH     how far ahead (bytes) the group kernel prefetches inputs
 *   VEC, VBYTES     vector type and its width in bytes
 *   V_LOADU(p), V_STOREU(p, v), V_XOR(a, b), V_ZERO(),
 *   nibble levels:  V_AND(a, b), V_SHUF(table, idx), V_SRL4(v) (shift right
 *                   by 4 in lanes of 8 or 16 bits: the high nibble is masked
 *                   after it), V_SET1(b), V_BCAST16(p) (broadcast 16 table
 *                   bytes to every 128-bit lane)
 *   affine levels:  V_BCAST64(p) (broadcast the 64-bit matrix at p),
 *                   V_AFFINE(x, m) (GF2P8AFFINEQB with constant 0)
 * and the template undefines them at its end, ready for the next level.
 */

/* A coefficient's table loaded in registers (ctab) and an input vector in
 * the form the product reads (xform). */
#if FC_AFFINE
typedef VEC FC_SFX(ctab);
typedef VEC FC_SFX(xform);
#define FC_TAB_BYTES 8

static inline __attribute__((always_inline)) FC_TARGET const uint8_t *
FC_SFX(group_tables)(const fc_group_tables *t) { return (const uint8_t *)t->affine; }

static inline __attribute__((always_inline)) FC_TARGET FC_SFX(ctab)
FC_SFX(load_tab)(const uint8_t *t) { return V_BCAST64(t); }

static inline __attribute__((always_inline)) FC_TARGET FC_SFX(xform)
FC_SFX(prep)(VEC x) { return x; }

static inline __attribute__((always_inline)) FC_TARGET VEC
FC_SFX(product)(FC_SFX(ctab) m, FC_SFX(xform) x) { return V_AFFINE(x, m); }

static inline __attribute__((always_inline)) FC_TARGET void
FC_SFX(scale_table)(uint8_t c, uint8_t *dst)
{
    uint64_t m = fc_gf256_affine_matrix(c);
    memcpy(dst, &m, 8);
}
#else
typedef struct { VEC lo, hi; } FC_SFX(ctab);
typedef struct { VEC lo, hi; } FC_SFX(xform);
#define FC_TAB_BYTES 32

static inline __attribute__((always_inline)) FC_TARGET const uint8_t *
FC_SFX(group_tables)(const fc_group_tables *t) { return t->nibble; }

static inline __attribute__((always_inline)) FC_TARGET FC_SFX(ctab)
FC_SFX(load_tab)(const uint8_t *t)
{
    FC_SFX(ctab) r = {V_BCAST16(t), V_BCAST16(t + 16)};
    return r;
}

static inline __attribute__((always_inline)) FC_TARGET FC_SFX(xform)
FC_SFX(prep)(VEC x)
{
    const VEC mask = V_SET1(0x0f);
    FC_SFX(xform) r = {V_AND(x, mask), V_AND(V_SRL4(x), mask)};
    return r;
}

static inline __attribute__((always_inline)) FC_TARGET VEC
FC_SFX(product)(FC_SFX(ctab) t, FC_SFX(xform) x)
{
    return V_XOR(V_SHUF(t.lo, x.lo), V_SHUF(t.hi, x.hi));
}

static inline __attribute__((always_inline)) FC_TARGET void
FC_SFX(scale_table)(uint8_t c, uint8_t *dst) { fc_gf256_nibble_table(c, dst); }
#endif

/* One iteration at byte offset i, inlined with compile-time G (outputs of
 * this pass) and U (vectors per iteration) so the G*U accumulators live in
 * registers.  U = 2 lets each table load serve two products; it is used while
 * G*U accumulators plus the working registers fit the register file
 * (FC_PASS_U).  The table of input j, output r is at (j*stride + r) entries.
 * With `prefetch`, every input line FC_PREFETCH bytes ahead is requested:
 * the hardware prefetchers do not keep up with ten or more concurrent
 * streams (RS(10,4) at 1 MiB blocks ran 1.5-1.8x faster with it on Zen 5). */
static inline __attribute__((always_inline)) FC_TARGET void
FC_SFX(group_step)(size_t i, const int G, const int U, const int prefetch, int n_in,
                   int stride, const uint8_t *tables, const uint8_t *const *in,
                   uint8_t *const *out)
{
    VEC acc[FC_MAX_PASS][2];
    for (int r = 0; r < G; r++)
        for (int u = 0; u < U; u++)
            acc[r][u] = V_ZERO();
    for (int j = 0; j < n_in; j++) {
        FC_SFX(xform) x[2];
        const uint8_t *t = tables + (size_t)j * stride * FC_TAB_BYTES;
        if (prefetch)
            for (int u = 0; u < U; u++)
                __builtin_prefetch(in[j] + i + u * VBYTES + FC_PREFETCH, 0, 3);
        for (int u = 0; u < U; u++)
            x[u] = FC_SFX(prep)(V_LOADU(in[j] + i + u * VBYTES));
        for (int r = 0; r < G; r++, t += FC_TAB_BYTES) {
            FC_SFX(ctab) tab = FC_SFX(load_tab)(t);
            for (int u = 0; u < U; u++)
                acc[r][u] = V_XOR(acc[r][u], FC_SFX(product)(tab, x[u]));
        }
    }
    for (int r = 0; r < G; r++)
        for (int u = 0; u < U; u++)
            V_STOREU(out[r] + i + u * VBYTES, acc[r][u]);
}

/* One pass of G outputs over all len >= VBYTES bytes.  The body runs on
 * addresses where in[0] is vector-aligned (in a packed array every row then
 * is, and no load or store straddles a cache line); the unaligned head and
 * the tail are one vector step each, overlapping the body.  Outputs are only
 * written, never read, and do not overlap the inputs, so bytes computed
 * twice get the same value. */
static inline __attribute__((always_inline)) FC_TARGET void
FC_SFX(group_pass)(size_t len, const int G, int n_in, int stride, const uint8_t *tables,
                   const uint8_t *const *in, uint8_t *const *out)
{
    const int U = FC_PASS_U(G);
    size_t i = (size_t)(-(uintptr_t)in[0]) & (VBYTES - 1);
    if (i)
        FC_SFX(group_step)(0, G, 1, 0, n_in, stride, tables, in, out);
    for (; i + U * VBYTES <= len; i += U * VBYTES)
        FC_SFX(group_step)(i, G, U, 1, n_in, stride, tables, in, out);
    if (U == 2 && i + VBYTES <= len) {
        FC_SFX(group_step)(i, G, 1, 0, n_in, stride, tables, in, out);
        i += VBYTES;
    }
    if (i < len)
        FC_SFX(group_step)(len - VBYTES, G, 1, 0, n_in, stride, tables, in, out);
}

#define FC_PASS_CASE(g)                                                                 \
    case g:                                                                             \
        FC_SFX(group_pass)(len, (g) <= FC_MAX_PASS ? (g) : FC_MAX_PASS, n_in, n_out,    \
                           tables, in, pass_out);                                       \
        break;

/* Processes all of len if len >= VBYTES, else nothing; returns the bytes
 * done (the caller finishes shorter regions with the scalar kernel).  A group
 * wider than FC_MAX_PASS outputs runs as balanced passes over the inputs. */
FC_TARGET size_t
FC_SFX(fc_gf256_group)(size_t len, int n_out, int n_in, const fc_group_tables *t,
                       const uint8_t *const *in, uint8_t *const *out)
{
    if (len < VBYTES)
        return 0;
    const uint8_t *all_tables = FC_SFX(group_tables)(t);
    const int passes = (n_out + FC_MAX_PASS - 1) / FC_MAX_PASS;
    for (int p = 0, r0 = 0; p < passes; p++) {
        const int g = n_out / passes + (p < n_out % passes);
        const uint8_t *tables = all_tables + (size_t)r0 * FC_TAB_BYTES;
        uint8_t *const *pass_out = out + r0;
        r0 += g;
        switch (g) {
        FC_PASS_CASE(1) FC_PASS_CASE(2) FC_PASS_CASE(3) FC_PASS_CASE(4)
        FC_PASS_CASE(5) FC_PASS_CASE(6) FC_PASS_CASE(7) FC_PASS_CASE(8)
        FC_PASS_CASE(9) FC_PASS_CASE(10) FC_PASS_CASE(11) FC_PASS_CASE(12)
        FC_PASS_CASE(13) FC_PASS_CASE(14) FC_PASS_CASE(15)
        default: FC_PASS_CASE(16)
        }
    }
    return len;
}

/* Outputs per pass of this level (read by the plans to decide staging). */
const int FC_SFX(fc_gf256_max_pass) = FC_MAX_PASS;

#undef FC_PASS_CASE

/* out = c*in (accumulate = 0) or out ^= c*in (accumulate = 1). */
static inline __attribute__((always_inline)) FC_TARGET void
FC_SFX(scale_body)(size_t len, uint8_t c, const uint8_t *in, uint8_t *out, const int accumulate)
{
    uint8_t table[32];
    FC_SFX(scale_table)(c, table);
    const FC_SFX(ctab) tab = FC_SFX(load_tab)(table);
    size_t i = 0;
    for (; i + VBYTES <= len; i += VBYTES) {
        VEC p = FC_SFX(product)(tab, FC_SFX(prep)(V_LOADU(in + i)));
        if (accumulate)
            p = V_XOR(p, V_LOADU(out + i));
        V_STOREU(out + i, p);
    }
    if (i < len) {
        if (accumulate)
            fc_gf256_mad_base(len - i, c, in + i, out + i);
        else
            fc_gf256_mul_base(len - i, c, in + i, out + i);
    }
}

FC_TARGET void FC_SFX(fc_gf256_mul)(size_t len, uint8_t c, const uint8_t *in, uint8_t *out)
{
    FC_SFX(scale_body)(len, c, in, out, 0);
}

FC_TARGET void FC_SFX(fc_gf256_mad)(size_t len, uint8_t c, const uint8_t *in, uint8_t *out)
{
    FC_SFX(scale_body)(len, c, in, out, 1);
}

#undef FC_TAB_BYTES
#undef FC_SFX
#undef FC_TARGET
#undef FC_AFFINE
#undef FC_PASS_U
#undef FC_MAX_PASS
#undef FC_PREFETCH
#undef VEC
#undef VBYTES
#undef V_LOADU
#undef V_STOREU
#undef V_XOR
#undef V_ZERO
#undef V_AND
#undef V_SHUF
#undef V_SRL4
#undef V_SET1
#undef V_BCAST16
#undef V_BCAST64
#undef V_AFFINE
