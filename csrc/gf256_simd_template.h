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

/* One iteration at byte offset i, inlined with compile-time G (outputs) and
 * U (vectors per iteration) so the G*U accumulators live in registers.  U = 2
 * lets each table load serve two shuffles; it is used while G*U accumulators
 * plus the working registers fit the register file. */
static inline __attribute__((always_inline)) FC_TARGET void
FC_SFX(group_step)(size_t i, const int G, const int U, int n_in, const uint8_t *tables,
                   const uint8_t *const *in, uint8_t *const *out)
{
    const VEC mask = V_SET1(0x0f);
    VEC acc[FC_MAX_GROUP][2];
    for (int r = 0; r < G; r++)
        for (int u = 0; u < U; u++)
            acc[r][u] = V_ZERO();
    const uint8_t *t = tables;
    for (int j = 0; j < n_in; j++) {
        VEC lo[2], hi[2];
        for (int u = 0; u < U; u++) {
            VEC x = V_LOADU(in[j] + i + u * VBYTES);
            lo[u] = V_AND(x, mask);
            hi[u] = V_AND(V_SRL4(x), mask);
        }
        for (int r = 0; r < G; r++, t += 32) {
            VEC tlo = V_BCAST16(t), thi = V_BCAST16(t + 16);
            for (int u = 0; u < U; u++)
                acc[r][u] = V_XOR(acc[r][u], V_XOR(V_SHUF(tlo, lo[u]), V_SHUF(thi, hi[u])));
        }
    }
    for (int r = 0; r < G; r++)
        for (int u = 0; u < U; u++)
            V_STOREU(out[r] + i + u * VBYTES, acc[r][u]);
}

static inline __attribute__((always_inline)) FC_TARGET size_t
FC_SFX(group_body)(size_t len, const int G, const int U, int n_in, const uint8_t *tables,
                   const uint8_t *const *in, uint8_t *const *out)
{
    size_t i = 0;
    for (; i + U * VBYTES <= len; i += U * VBYTES)
        FC_SFX(group_step)(i, G, U, n_in, tables, in, out);
    if (U == 2 && i + VBYTES <= len) {
        FC_SFX(group_step)(i, G, 1, n_in, tables, in, out);
        i += VBYTES;
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
    case 1: return FC_SFX(group_body)(len, 1, 2, n_in, tables, in, out);
    case 2: return FC_SFX(group_body)(len, 2, 2, n_in, tables, in, out);
    case 3: return FC_SFX(group_body)(len, 3, 2, n_in, tables, in, out);
    case 4: return FC_SFX(group_body)(len, 4, 2, n_in, tables, in, out);
    case 5: return FC_SFX(group_body)(len, 5, 1, n_in, tables, in, out);
    default: return FC_SFX(group_body)(len, 6, 1, n_in, tables, in, out);
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
