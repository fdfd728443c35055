/*
 * Instantiations of gf256_simd_template.h for each x86 instruction set.
 * Each function carries its own target attribute, so the file compiles with
 * baseline flags and the dispatcher picks a level at run time.
 */
#include "gf256.h"
#include "gf256_levels.h"

#if FC_X86

#include <immintrin.h>

/* ---- SSSE3: 16 bytes per vector --------------------------------------- */
#define FC_SFX(name) name##_ssse3
#define FC_TARGET __attribute__((target("ssse3")))
#define VEC __m128i
#define VBYTES 16
#define V_LOADU(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define V_STOREU(p, v) _mm_storeu_si128((__m128i *)(void *)(p), (v))
#define V_XOR(a, b) _mm_xor_si128((a), (b))
#define V_AND(a, b) _mm_and_si128((a), (b))
#define V_SHUF(t, i) _mm_shuffle_epi8((t), (i))
#define V_SRL4(v) _mm_srli_epi16((v), 4)
#define V_SET1(b) _mm_set1_epi8((char)(b))
#define V_ZERO() _mm_setzero_si128()
#define V_BCAST16(p) V_LOADU(p)
#include "gf256_simd_template.h"

/* ---- AVX2: 32 bytes per vector ----------------------------------------- */
#define FC_SFX(name) name##_avx2
#define FC_TARGET __attribute__((target("avx2")))
#define VEC __m256i
#define VBYTES 32
#define V_LOADU(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define V_STOREU(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define V_XOR(a, b) _mm256_xor_si256((a), (b))
#define V_AND(a, b) _mm256_and_si256((a), (b))
#define V_SHUF(t, i) _mm256_shuffle_epi8((t), (i))
#define V_SRL4(v) _mm256_srli_epi16((v), 4)
#define V_SET1(b) _mm256_set1_epi8((char)(b))
#define V_ZERO() _mm256_setzero_si256()
#define V_BCAST16(p) _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)(p)))
#include "gf256_simd_template.h"

/* ---- AVX-512BW: 64 bytes per vector (dispatched only where present) ---- */
#define FC_SFX(name) name##_avx512
#define FC_TARGET __attribute__((target("avx512f,avx512bw")))
#define VEC __m512i
#define VBYTES 64
#define V_LOADU(p) _mm512_loadu_si512((const void *)(p))
#define V_STOREU(p, v) _mm512_storeu_si512((void *)(p), (v))
#define V_XOR(a, b) _mm512_xor_si512((a), (b))
#define V_AND(a, b) _mm512_and_si512((a), (b))
#define V_SHUF(t, i) _mm512_shuffle_epi8((t), (i))
#define V_SRL4(v) _mm512_srli_epi16((v), 4)
#define V_SET1(b) _mm512_set1_epi8((char)(b))
#define V_ZERO() _mm512_setzero_si512()
#define V_BCAST16(p) _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(const void *)(p)))
#include "gf256_simd_template.h"

#endif /* FC_X86 */
