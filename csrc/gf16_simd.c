/*
 * The x86 SIMD levels of the GF(2^16) kernels (gf16_simd_template.h), each
 * function with its own target attribute: the file builds with baseline
 * flags and gf16_dispatch.c picks a level at run time.
 *
 * A product by a constant c is linear over GF(2) on the 16 bits of a symbol:
 *  - split-nibble levels look up c*(n << 4j) for the four nibbles n of the
 *    symbol (16-entry tables, one for the low and one for the high byte of
 *    the product) with byte shuffles and XOR the four;
 *  - GFNI levels apply the 16x16 bit matrix of c as four 8x8 affine blocks.
 */
#include "gf16.h"
#include "gf16_levels.h"

#if FC16_X86
#include <immintrin.h>

#define NIB(c) (fc_gf16_nibble_table_base + (size_t)(c) * 128)
#define GFNI(c) (fc_gf16_gfni_table_base + (size_t)(c) * 4)

/* Set by gf16_dispatch.c before a level using them is activated. */
const uint8_t *fc_gf16_nibble_table_base;
const uint64_t *fc_gf16_gfni_table_base;

/* ---- AVX2, split nibbles: a chunk is two ymm (low bytes, high bytes) ------ */

typedef struct { __m256i lo, hi; } chunk256;
typedef struct { __m256i lo[4], hi[4]; } nib256;

#define T256 __attribute__((target("avx2")))

static inline T256 chunk256 ld256(const uint8_t *p)
{
    chunk256 v;
    v.lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
    v.hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    return v;
}

static inline T256 void st256(uint8_t *p, chunk256 v)
{
    _mm256_storeu_si256((__m256i *)(void *)p, v.lo);
    _mm256_storeu_si256((__m256i *)(void *)(p + 32), v.hi);
}

static inline T256 chunk256 xor256(chunk256 a, chunk256 b)
{
    a.lo = _mm256_xor_si256(a.lo, b.lo);
    a.hi = _mm256_xor_si256(a.hi, b.hi);
    return a;
}

static inline T256 __m256i bcast128(const uint8_t *p)
{
    return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)p));
}

static inline T256 nib256 prep_nib256(uint16_t c)
{
    nib256 t;
    const uint8_t *e = NIB(c);
    for (int j = 0; j < 4; j++) {
        t.lo[j] = bcast128(e + 32 * j);
        t.hi[j] = bcast128(e + 32 * j + 16);
    }
    return t;
}

static inline T256 chunk256 mul_nib256(chunk256 v, nib256 t)
{
    const __m256i mask = _mm256_set1_epi8(0x0f);
    __m256i n0 = _mm256_and_si256(v.lo, mask);
    __m256i n1 = _mm256_and_si256(_mm256_srli_epi16(v.lo, 4), mask);
    __m256i n2 = _mm256_and_si256(v.hi, mask);
    __m256i n3 = _mm256_and_si256(_mm256_srli_epi16(v.hi, 4), mask);
    chunk256 p;
    p.lo = _mm256_xor_si256(
        _mm256_xor_si256(_mm256_shuffle_epi8(t.lo[0], n0), _mm256_shuffle_epi8(t.lo[1], n1)),
        _mm256_xor_si256(_mm256_shuffle_epi8(t.lo[2], n2), _mm256_shuffle_epi8(t.lo[3], n3)));
    p.hi = _mm256_xor_si256(
        _mm256_xor_si256(_mm256_shuffle_epi8(t.hi[0], n0), _mm256_shuffle_epi8(t.hi[1], n1)),
        _mm256_xor_si256(_mm256_shuffle_epi8(t.hi[2], n2), _mm256_shuffle_epi8(t.hi[3], n3)));
    return p;
}

#define FC16_SFX(name) name##_avx2
#define FC16_TARGET T256
#define CHUNK chunk256
#define PREP nib256
#define LOADC ld256
#define STOREC st256
#define XORC xor256
#define PREPC prep_nib256
#define MULC mul_nib256
#include "gf16_simd_template.h"

/* ---- AVX2 + GFNI: four 8x8 affine blocks per product ---------------------- */

typedef struct { __m256i a, b, c, d; } gfni256;

#define T256G __attribute__((target("avx2,gfni")))

static inline T256G gfni256 prep_gfni256(uint16_t c)
{
    const uint64_t *m = GFNI(c);
    gfni256 t;
    t.a = _mm256_set1_epi64x((long long)m[0]);
    t.b = _mm256_set1_epi64x((long long)m[1]);
    t.c = _mm256_set1_epi64x((long long)m[2]);
    t.d = _mm256_set1_epi64x((long long)m[3]);
    return t;
}

static inline T256G chunk256 mul_gfni256(chunk256 v, gfni256 t)
{
    chunk256 p;
    p.lo = _mm256_xor_si256(_mm256_gf2p8affine_epi64_epi8(v.lo, t.a, 0),
                            _mm256_gf2p8affine_epi64_epi8(v.hi, t.b, 0));
    p.hi = _mm256_xor_si256(_mm256_gf2p8affine_epi64_epi8(v.lo, t.c, 0),
                            _mm256_gf2p8affine_epi64_epi8(v.hi, t.d, 0));
    return p;
}

#define FC16_SFX(name) name##_avx2_gfni
#define FC16_TARGET T256G
#define CHUNK chunk256
#define PREP gfni256
#define LOADC ld256
#define STOREC st256
#define XORC xor256
#define PREPC prep_gfni256
#define MULC mul_gfni256
#include "gf16_simd_template.h"

/* ---- AVX-512: a chunk is one zmm, low bytes in the low 256 bits ------------ */

#define T512 __attribute__((target("avx512f,avx512bw")))

static inline T512 __m512i ld512(const uint8_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline T512 void st512(uint8_t *p, __m512i v) { _mm512_storeu_si512((void *)p, v); }
static inline T512 __m512i xor512(__m512i a, __m512i b) { return _mm512_xor_si512(a, b); }
/* the high and low 256-bit halves exchanged */
static inline T512 __m512i swap512(__m512i v) { return _mm512_shuffle_i64x2(v, v, 0x4E); }

/* Tables whose low half serves the product's low byte and whose high half
 * serves its high byte, so that one shuffle of [low bytes | high bytes] (or of
 * the swapped chunk) adds one nibble's share to both halves of the product. */
typedef struct { __m512i a, b, c, d; } nib512;

static inline T512 __m512i pair512(const uint8_t *lo_tab, const uint8_t *hi_tab)
{
    __m512i v = _mm512_castsi256_si512(
        _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)lo_tab)));
    return _mm512_inserti64x4(
        v, _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)hi_tab)), 1);
}

static inline T512 nib512 prep_nib512(uint16_t c)
{
    const uint8_t *e = NIB(c);
    /* e + 32j: low-byte table of nibble j, e + 32j + 16: high-byte table */
    nib512 t;
    t.a = pair512(e + 0, e + 64 + 16);   /* nibble 0 of low bytes | nibble 2 of high bytes */
    t.b = pair512(e + 32, e + 96 + 16);  /* nibble 1 of low bytes | nibble 3 of high bytes */
    t.c = pair512(e + 64, e + 0 + 16);   /* (swapped) nibble 2 | nibble 0 */
    t.d = pair512(e + 96, e + 32 + 16);  /* (swapped) nibble 3 | nibble 1 */
    return t;
}

static inline T512 __m512i mul_nib512(__m512i v, nib512 t)
{
    const __m512i mask = _mm512_set1_epi8(0x0f);
    __m512i s = swap512(v);
    __m512i n0 = _mm512_and_si512(v, mask);
    __m512i n1 = _mm512_and_si512(_mm512_srli_epi16(v, 4), mask);
    __m512i m0 = _mm512_and_si512(s, mask);
    __m512i m1 = _mm512_and_si512(_mm512_srli_epi16(s, 4), mask);
    __m512i p = _mm512_ternarylogic_epi64(_mm512_shuffle_epi8(t.a, n0),
                                          _mm512_shuffle_epi8(t.b, n1),
                                          _mm512_shuffle_epi8(t.c, m0), 0x96);
    return _mm512_xor_si512(p, _mm512_shuffle_epi8(t.d, m1));
}

#define FC16_SFX(name) name##_avx512
#define FC16_TARGET T512
#define CHUNK __m512i
#define PREP nib512
#define LOADC ld512
#define STOREC st512
#define XORC xor512
#define PREPC prep_nib512
#define MULC mul_nib512
#include "gf16_simd_template.h"

/* ---- AVX-512 + GFNI: [A | D] on the chunk, [B | C] on the swapped chunk --- */

typedef struct { __m512i straight, crossed; } gfni512;

#define T512G __attribute__((target("avx512f,avx512bw,gfni")))

static inline T512G gfni512 prep_gfni512(uint16_t c)
{
    const uint64_t *m = GFNI(c);
    gfni512 t;
    t.straight = _mm512_set_epi64((long long)m[3], (long long)m[3], (long long)m[3],
                                  (long long)m[3], (long long)m[0], (long long)m[0],
                                  (long long)m[0], (long long)m[0]);
    t.crossed = _mm512_set_epi64((long long)m[2], (long long)m[2], (long long)m[2],
                                 (long long)m[2], (long long)m[1], (long long)m[1],
                                 (long long)m[1], (long long)m[1]);
    return t;
}

static inline T512G __m512i mul_gfni512(__m512i v, gfni512 t)
{
    return _mm512_xor_si512(_mm512_gf2p8affine_epi64_epi8(v, t.straight, 0),
                            _mm512_gf2p8affine_epi64_epi8(swap512(v), t.crossed, 0));
}

#define FC16_SFX(name) name##_avx512_gfni
#define FC16_TARGET T512G
#define CHUNK __m512i
#define PREP gfni512
#define LOADC ld512
#define STOREC st512
#define XORC xor512
#define PREPC prep_gfni512
#define MULC mul_gfni512
#include "gf16_simd_template.h"

#endif /* FC16_X86 */
