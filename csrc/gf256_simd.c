/*
 * Instantiations of gf256_simd_template.h for each x86 instruction set and
 * for AArch64 NEON.  Each x86 function carries its own target attribute, so
 * the file compiles with baseline flags and the dispatcher picks a level at
 * run time; NEON is baseline on AArch64.
 */
#include <string.h>
#include "gf256.h"
#include "gf256_levels.h"

/* Input prefetch distance of the group kernels, in bytes (measured on Zen 5,
 * RS(10,4) at 1 MiB blocks: 1 and 1.5 KiB best, 512 B and 2 KiB a little
 * behind; prefetcht0 ahead of prefetcht1). */
#define FC_GROUP_PREFETCH 1024

#if FC_X86

#include <immintrin.h>

/*
 * Outputs per pass (FC_MAX_PASS) and vectors per iteration (FC_PASS_U) of
 * each level follow its register file: the G accumulators (2G with U = 2),
 * the input vector(s) and the coefficient table must stay in registers.  A
 * wider pass reads every input once for more outputs, which is what counts
 * once the data come from L3 or memory.  Measured on Zen 5 (1 thread, 1 MiB
 * blocks, against ISA-L 2.32.1 in the same run): at avx512_gfni, one pass of
 * 10 outputs instead of two of 5 took RS(50,10) from 2.2x to 3.0x ISA-L and
 * RS(20,8) from 1.3x to 3.2x; 16 outputs of U = 1 beat two passes of 8 at
 * RS(20,16) (2.8x vs 2.0x).  At avx512 (shuffle), passes of 16 with U = 2 up
 * to 12 outputs took RS(50,10) from 1.4x to 2.7x.  At avx2 (16 ymm), passes
 * of 11 (U = 1 above 4 outputs) took RS(50,10) from 1.16x to 1.35x and
 * RS(20,8) from 0.78x to 1.01x.  avx2_gfni kept 6 (wider passes were slower:
 * U = 2 needs 2G + 3 of the 16 ymm).  ssse3 was not re-measured.
 */
#define FC_NIBBLE_PASS_U(G) ((G) <= 4 ? 2 : 1)

/* An affine matrix from a table that need not be 8-byte aligned. */
static inline uint64_t fc_load_u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* ---- SSSE3: 16 bytes per vector --------------------------------------- */
#define FC_SFX(name) name##_ssse3
#define FC_MAX_PASS 6
#define FC_AFFINE 0
#define FC_PASS_U(G) FC_NIBBLE_PASS_U(G)
#define FC_PREFETCH FC_GROUP_PREFETCH
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
#define FC_MAX_PASS 11
#define FC_AFFINE 0
#define FC_PASS_U(G) FC_NIBBLE_PASS_U(G)
#define FC_PREFETCH FC_GROUP_PREFETCH
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
#define FC_MAX_PASS 16
#define FC_AFFINE 0
#define FC_PASS_U(G) ((G) <= 12 ? 2 : 1)
#define FC_PREFETCH FC_GROUP_PREFETCH
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

/* ---- AVX2 + GFNI: 32 bytes per vector, VEX-encoded GF2P8AFFINEQB ------- */
/* VEX has no embedded broadcast: the matrix is one broadcast register per
 * coefficient, so G outputs with 2 vectors take 2G + 3 of the 16 ymm. */
#define FC_SFX(name) name##_avx2_gfni
#define FC_MAX_PASS 6
#define FC_PREFETCH FC_GROUP_PREFETCH
#define FC_TARGET __attribute__((target("avx2,gfni")))
#define FC_AFFINE 1
#define FC_PASS_U(G) ((G) <= 6 ? 2 : 1)
#define VEC __m256i
#define VBYTES 32
#define V_LOADU(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define V_STOREU(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define V_XOR(a, b) _mm256_xor_si256((a), (b))
#define V_ZERO() _mm256_setzero_si256()
#define V_BCAST64(p) _mm256_set1_epi64x(fc_load_u64(p))
#define V_AFFINE(x, m) _mm256_gf2p8affine_epi64_epi8((x), (m), 0)
#include "gf256_simd_template.h"

/* ---- AVX-512 + GFNI: 64 bytes per vector -------------------------------- */
/* 32 zmm registers: 2 vectors per iteration up to 14 outputs (2G + 3). */
#define FC_SFX(name) name##_avx512_gfni
#define FC_MAX_PASS 16
#define FC_PREFETCH FC_GROUP_PREFETCH
#define FC_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,gfni")))
#define FC_AFFINE 1
#define FC_PASS_U(G) ((G) <= 14 ? 2 : 1)
#define VEC __m512i
#define VBYTES 64
#define V_LOADU(p) _mm512_loadu_si512((const void *)(p))
#define V_STOREU(p, v) _mm512_storeu_si512((void *)(p), (v))
#define V_XOR(a, b) _mm512_xor_si512((a), (b))
#define V_ZERO() _mm512_setzero_si512()
#define V_BCAST64(p) _mm512_set1_epi64((long long)fc_load_u64(p))
#define V_AFFINE(x, m) _mm512_gf2p8affine_epi64_epi8((x), (m), 0)
#include "gf256_simd_template.h"

#endif /* FC_X86 */

#if FC_ARM64

#include <arm_neon.h>

/* ---- AArch64 NEON: 16 bytes per vector, split-nibble tables with TBL ------
 * 32 vector registers: a pass of G outputs with 2 vectors per iteration holds
 * 2G accumulators, 2 x 2 nibble halves of the inputs, the 2 halves of one
 * table and the mask, so U = 2 up to 8 outputs (23 registers) and passes of
 * up to 12 outputs with U = 1 (17 registers).  vshrq_n_u8 shifts bytes, so
 * the high nibble needs no mask; the template's AND is kept (it is free
 * next to the table lookups) so the template stays one body for all levels.
 * Not yet measured on hardware: the pass widths follow the register count. */
#define FC_SFX(name) name##_neon
#define FC_MAX_PASS 12
#define FC_AFFINE 0
#define FC_PASS_U(G) ((G) <= 8 ? 2 : 1)
#define FC_PREFETCH FC_GROUP_PREFETCH
#define FC_TARGET
#define VEC uint8x16_t
#define VBYTES 16
#define V_LOADU(p) vld1q_u8((const uint8_t *)(const void *)(p))
#define V_STOREU(p, v) vst1q_u8((uint8_t *)(void *)(p), (v))
#define V_XOR(a, b) veorq_u8((a), (b))
#define V_AND(a, b) vandq_u8((a), (b))
#define V_SHUF(t, i) vqtbl1q_u8((t), (i))
#define V_SRL4(v) vshrq_n_u8((v), 4)
#define V_SET1(b) vdupq_n_u8((uint8_t)(b))
#define V_ZERO() vdupq_n_u8(0)
#define V_BCAST16(p) vld1q_u8((const uint8_t *)(const void *)(p))
#include "gf256_simd_template.h"

#endif /* FC_ARM64 */
