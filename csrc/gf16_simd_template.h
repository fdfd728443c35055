/*
 * Region kernels of one SIMD level, written once over a "chunk" abstraction
 * (one 64-byte chunk of 32 symbols: low bytes then high bytes).  The including
 * file defines, for its level:
 *   FC16_SFX(name)   name with the level suffix
 *   FC16_TARGET      the function target attribute
 *   CHUNK, PREP      the register form of a chunk and of a prepared constant
 *   LOADC(p), STOREC(p, v), XORC(a, b), PREPC(c), MULC(v, prep)
 * No include guard: included once per level.
 */

FC16_TARGET void FC16_SFX(fc_gf16_xor2)(uint8_t *x, const uint8_t *y, size_t len)
{
    for (size_t off = 0; off < len; off += 64)
        STOREC(x + off, XORC(LOADC(x + off), LOADC(y + off)));
}

FC16_TARGET void FC16_SFX(fc_gf16_mul)(uint8_t *x, size_t len, uint16_t c)
{
    PREP t = PREPC(c);
    for (size_t off = 0; off < len; off += 64)
        STOREC(x + off, MULC(LOADC(x + off), t));
}

FC16_TARGET void FC16_SFX(fc_gf16_fft2_to)(const uint8_t *x, const uint8_t *y, uint8_t *ox,
                                           uint8_t *oy, size_t len, uint16_t c)
{
    PREP t = PREPC(c);
    for (size_t off = 0; off < len; off += 64) {
        CHUNK a = LOADC(x + off), b = LOADC(y + off);
        a = XORC(a, MULC(b, t));
        b = XORC(b, a);
        STOREC(ox + off, a);
        STOREC(oy + off, b);
    }
}

FC16_TARGET void FC16_SFX(fc_gf16_fft2)(uint8_t *x, uint8_t *y, size_t len, uint16_t c)
{
    FC16_SFX(fc_gf16_fft2_to)(x, y, x, y, len, c);
}

FC16_TARGET void FC16_SFX(fc_gf16_ifft2)(uint8_t *x, uint8_t *y, size_t len, uint16_t c)
{
    PREP t = PREPC(c);
    for (size_t off = 0; off < len; off += 64) {
        CHUNK a = LOADC(x + off), b = LOADC(y + off);
        b = XORC(b, a);
        a = XORC(a, MULC(b, t));
        STOREC(x + off, a);
        STOREC(y + off, b);
    }
}

/* Reading x[0..3] and writing o[0..3] (o may be x). */
FC16_TARGET void FC16_SFX(fc_gf16_fft4_to)(const uint8_t *const *x, uint8_t *const *o, size_t len,
                                           uint16_t c_hi, uint16_t c_lo0, uint16_t c_lo1)
{
    PREP th = PREPC(c_hi), t0 = PREPC(c_lo0), t1 = PREPC(c_lo1);
    const uint8_t *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
    uint8_t *o0 = o[0], *o1 = o[1], *o2 = o[2], *o3 = o[3];
    for (size_t off = 0; off < len; off += 64) {
        CHUNK a = LOADC(x0 + off), b = LOADC(x1 + off);
        CHUNK c = LOADC(x2 + off), d = LOADC(x3 + off);
        a = XORC(a, MULC(c, th));
        c = XORC(c, a);
        b = XORC(b, MULC(d, th));
        d = XORC(d, b);
        a = XORC(a, MULC(b, t0));
        b = XORC(b, a);
        c = XORC(c, MULC(d, t1));
        d = XORC(d, c);
        STOREC(o0 + off, a);
        STOREC(o1 + off, b);
        STOREC(o2 + off, c);
        STOREC(o3 + off, d);
    }
}

FC16_TARGET void FC16_SFX(fc_gf16_fft4)(uint8_t *x0, uint8_t *x1, uint8_t *x2, uint8_t *x3,
                                        size_t len, uint16_t c_hi, uint16_t c_lo0,
                                        uint16_t c_lo1)
{
    uint8_t *x[4] = {x0, x1, x2, x3};
    FC16_SFX(fc_gf16_fft4_to)((const uint8_t *const *)x, x, len, c_hi, c_lo0, c_lo1);
}

/* Reading x[0..3] and writing o[0..3] (o may be x). */
FC16_TARGET void FC16_SFX(fc_gf16_ifft4_from)(const uint8_t *const *x, uint8_t *const *o,
                                              size_t len, uint16_t c_hi, uint16_t c_lo0,
                                              uint16_t c_lo1)
{
    PREP th = PREPC(c_hi), t0 = PREPC(c_lo0), t1 = PREPC(c_lo1);
    const uint8_t *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
    uint8_t *o0 = o[0], *o1 = o[1], *o2 = o[2], *o3 = o[3];
    for (size_t off = 0; off < len; off += 64) {
        CHUNK a = LOADC(x0 + off), b = LOADC(x1 + off);
        CHUNK c = LOADC(x2 + off), d = LOADC(x3 + off);
        b = XORC(b, a);
        a = XORC(a, MULC(b, t0));
        d = XORC(d, c);
        c = XORC(c, MULC(d, t1));
        c = XORC(c, a);
        a = XORC(a, MULC(c, th));
        d = XORC(d, b);
        b = XORC(b, MULC(d, th));
        STOREC(o0 + off, a);
        STOREC(o1 + off, b);
        STOREC(o2 + off, c);
        STOREC(o3 + off, d);
    }
}

FC16_TARGET void FC16_SFX(fc_gf16_ifft4)(uint8_t *x0, uint8_t *x1, uint8_t *x2, uint8_t *x3,
                                         size_t len, uint16_t c_hi, uint16_t c_lo0,
                                         uint16_t c_lo1)
{
    uint8_t *x[4] = {x0, x1, x2, x3};
    FC16_SFX(fc_gf16_ifft4_from)((const uint8_t *const *)x, x, len, c_hi, c_lo0, c_lo1);
}

#undef FC16_SFX
#undef FC16_TARGET
#undef CHUNK
#undef PREP
#undef LOADC
#undef STOREC
#undef XORC
#undef PREPC
#undef MULC
