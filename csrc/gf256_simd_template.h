/*
 * SIMD body of the GF(2^8) region kernels, written once and instantiated per
 * instruction set by gf256_simd.c.  Technique: split-nibble tables with a
 * byte shuffle (PSHUFB): c*x = T_lo[x & 15] ^ T_hi[x >> 4].
 *
 * The includer defines, before including:
 *   FC_SFX(name)    name with the level suffix (e.g. name##_avx2)
 *   FC_TARGET       function attribute enabling the instruction set
 *   VEC, VBYTES     vector type and its width in bytes
 *   V_LOADU(p), V_STOREU(p, v), V_XOR(a, b), V_AND(a, b), V_SHUF(table, idx),
 *   V_SRL4(v) (16-bit lane shift right by 4), V_SET1(b), V_ZERO(),
 *   V_BCAST16(p)    broadcast 16 table bytes to every 128-bit lane
 * and the template undefines them at its end, ready for the next level.
 */

/* The body is inlined with a compile-time G so accumulators live in registers. */
static inline __attribute__((always_inline)) FC_TARGET size_t
FC_SFX(group_body)(size_t len, const int G, int n_in, const uint8_t *tables,
                   const uint8_t *const *in, uint8_t *const *out)
{
    const VEC mask = V_SET1(0x0f);
    size_t i = 0;
    for (; i + VBYTES <= len; i += VBYTES) {
        VEC acc[FC_MAX_GROUP];
        for (int r = 0; r < G; r++)
            acc[r] = V_ZERO();
        const uint8_t *t = tables;
        for (int j = 0; j < n_in; j++) {
            VEC x = V_LOADU(in[j] + i);
            VEC lo = V_AND(x, mask);
            VEC hi = V_AND(V_SRL4(x), mask);
            for (int r = 0; r < G; r++, t += 32) {
                VEC p = V_XOR(V_SHUF(V_BCAST16(t), lo), V_SHUF(V_BCAST16(t + 16), hi));
                acc[r] = V_XOR(acc[r], p);
            }
        }
        for (int r = 0; r < G; r++)
            V_STOREU(out[r] + i, acc[r]);
    }
    return i;
}

/* Processes the longest multiple of VBYTES; returns the bytes done (the
 * caller finishes the tail with the scalar kernel). */
FC_TARGET size_t
FC_SFX(fc_gf256_group)(size_t len, int n_out, int n_in, const uint8_t *coeff,
                       const uint8_t *tables, const uint8_t *const *in, uint8_t *const *out)
{
    (void)coeff;  /* the SIMD path reads only the nibble tables */
    switch (n_out) {
    case 1: return FC_SFX(group_body)(len, 1, n_in, tables, in, out);
    case 2: return FC_SFX(group_body)(len, 2, n_in, tables, in, out);
    case 3: return FC_SFX(group_body)(len, 3, n_in, tables, in, out);
    case 4: return FC_SFX(group_body)(len, 4, n_in, tables, in, out);
    case 5: return FC_SFX(group_body)(len, 5, n_in, tables, in, out);
    default: return FC_SFX(group_body)(len, 6, n_in, tables, in, out);
    }
}

/* out = c*in (accumulate = 0) or out ^= c*in (accumulate = 1). */
static inline __attribute__((always_inline)) FC_TARGET void
FC_SFX(scale_body)(size_t len, uint8_t c, const uint8_t *in, uint8_t *out, const int accumulate)
{
    uint8_t table[32];
    fc_gf256_nibble_table(c, table);
    const VEC mask = V_SET1(0x0f);
    const VEC tlo = V_BCAST16(table), thi = V_BCAST16(table + 16);
    size_t i = 0;
    for (; i + VBYTES <= len; i += VBYTES) {
        VEC x = V_LOADU(in + i);
        VEC p = V_XOR(V_SHUF(tlo, V_AND(x, mask)), V_SHUF(thi, V_AND(V_SRL4(x), mask)));
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

#undef FC_SFX
#undef FC_TARGET
#undef VEC
#undef VBYTES
#undef V_LOADU
#undef V_STOREU
#undef V_XOR
#undef V_AND
#undef V_SHUF
#undef V_SRL4
#undef V_SET1
#undef V_ZERO
#undef V_BCAST16
