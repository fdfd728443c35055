/*
 * Run-time CPU detection and kernel dispatch.  The active level can be set
 * to any level the CPU and OS support (FASTCODE_SIMD, tests), never to one
 * they lack.
 */
#include <string.h>
#include "gf256.h"
#include "gf256_levels.h"

#if FC_ARM64 && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)   /* asm/hwcap.h, for C libraries that lack it */
#endif
#endif

fc_group_kernel fc_active_group = fc_gf256_group_base;
fc_scale_kernel fc_active_mul = fc_gf256_mul_base;
fc_scale_kernel fc_active_mad = fc_gf256_mad_base;
int fc_active_max_pass = FC_BASE_MAX_PASS;
static int active_level = FC_SIMD_SCALAR;

static const char *level_names[FC_SIMD_N_LEVELS] = {"scalar", "ssse3", "avx2", "avx512",
                                                      "avx2_gfni", "avx512_gfni", "neon"};

const char *fc_simd_level_name(int level)
{
    return (level >= 0 && level < FC_SIMD_N_LEVELS) ? level_names[level] : "unknown";
}

int fc_cpu_has(const char *feature)
{
#if FC_X86 && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    /* __builtin_cpu_supports needs a literal, hence the table. */
    if (!strcmp(feature, "sse2")) return __builtin_cpu_supports("sse2");
    if (!strcmp(feature, "ssse3")) return __builtin_cpu_supports("ssse3");
    if (!strcmp(feature, "sse4.1")) return __builtin_cpu_supports("sse4.1");
    if (!strcmp(feature, "avx")) return __builtin_cpu_supports("avx");
    if (!strcmp(feature, "avx2")) return __builtin_cpu_supports("avx2");
    if (!strcmp(feature, "avx512f")) return __builtin_cpu_supports("avx512f");
    if (!strcmp(feature, "avx512bw")) return __builtin_cpu_supports("avx512bw");
    if (!strcmp(feature, "avx512vl")) return __builtin_cpu_supports("avx512vl");
    if (!strcmp(feature, "gfni")) return __builtin_cpu_supports("gfni");
    if (!strcmp(feature, "pclmul")) return __builtin_cpu_supports("pclmul");
    if (!strcmp(feature, "vpclmulqdq")) return __builtin_cpu_supports("vpclmulqdq");
#elif FC_ARM64
    /* Advanced SIMD is mandatory in AArch64; Linux also reports it in the
     * hardware capabilities, which is what is checked where available. */
    if (!strcmp(feature, "neon") || !strcmp(feature, "asimd")) {
#if defined(__linux__)
        return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
#else
        return 1;
#endif
    }
#else
    (void)feature;
#endif
    return 0;
}

/* libgcc's __builtin_cpu_supports checks OS support (XGETBV) for the AVX and
 * AVX-512 register state, so a level reported here can run. */
int fc_simd_supported(int level)
{
    switch (level) {
    case FC_SIMD_SCALAR: return 1;
    case FC_SIMD_SSSE3: return fc_cpu_has("ssse3");
    case FC_SIMD_AVX2: return fc_cpu_has("avx2");
    case FC_SIMD_AVX512: return fc_cpu_has("avx512f") && fc_cpu_has("avx512bw");
    case FC_SIMD_AVX2_GFNI: return fc_cpu_has("avx2") && fc_cpu_has("gfni");
    case FC_SIMD_AVX512_GFNI:
        return fc_cpu_has("avx512f") && fc_cpu_has("avx512bw") && fc_cpu_has("avx512vl") &&
               fc_cpu_has("gfni");
    case FC_SIMD_NEON: return FC_ARM64 && fc_cpu_has("neon");
    default: return 0;
    }
}

/* Default preference, fastest first: the first level the CPU supports wins.
 * Chosen by measurement on an AMD EPYC Zen 5 (AVX-512 F/BW/VL/VBMI + GFNI),
 * 1 thread, dot products timed interleaved with ISA-L 2.32.1 (its AVX512+GFNI
 * kernels) in the same run, blocks at a 16-byte misalignment as NumPy gives
 * them; fastcode / ISA-L for RS(10,4) 4 KiB, RS(10,4) 1 MiB, RS(4,2) 1 MiB,
 * RS(50,10) 1 MiB:
 *     avx512_gfni  1.40  1.41  0.94  2.97
 *     avx2_gfni    0.77  1.00  0.86  1.77
 *     avx512       0.69  0.87  0.86  2.77
 *     avx2         0.49  0.46  0.51  1.32
 * GFNI's one affine instruction per product beats the shuffle pair at the
 * same width.  avx2_gfni is put before avx512 because it wins at the common
 * narrow codes; only a CPU with GFNI and AVX-512BW but without AVX-512VL
 * could choose between the two, and none is known.  The plain avx512 level
 * is ahead of avx2 on this CPU by 1.4-2.1x (Zen 5 executes 512-bit shuffles
 * at full width and does not lower its clock for them), so it stays before
 * avx2; on CPUs that downclock for 512-bit code (Skylake-SP) the benchmarks
 * should be rerun with FASTCODE_SIMD=avx2 to check.  On AArch64 the only
 * SIMD level is neon. */
static const int preference[FC_SIMD_N_LEVELS] = {
    FC_SIMD_AVX512_GFNI, FC_SIMD_AVX2_GFNI, FC_SIMD_AVX512,
    FC_SIMD_AVX2, FC_SIMD_SSSE3, FC_SIMD_NEON, FC_SIMD_SCALAR,
};

int fc_simd_ranked(int *levels)
{
    int n = 0;
    for (int i = 0; i < FC_SIMD_N_LEVELS; i++)
        if (fc_simd_supported(preference[i]))
            levels[n++] = preference[i];
    return n;
}

int fc_simd_detect(void)
{
    for (int i = 0; i < FC_SIMD_N_LEVELS; i++)
        if (fc_simd_supported(preference[i]))
            return preference[i];
    return FC_SIMD_SCALAR;
}

int fc_simd_level(void) { return active_level; }

#if FC_X86 || FC_ARM64
#define FC_USE_LEVEL(sfx)                        \
    do {                                         \
        fc_active_group = fc_gf256_group_##sfx;  \
        fc_active_mul = fc_gf256_mul_##sfx;      \
        fc_active_mad = fc_gf256_mad_##sfx;      \
        fc_active_max_pass = fc_gf256_max_pass_##sfx; \
    } while (0)
#endif

int fc_simd_set_level(int level)
{
    if (!fc_simd_supported(level))
        return -1;
    fc_gf256_init();
    switch (level) {
#if FC_X86
    case FC_SIMD_AVX512_GFNI: FC_USE_LEVEL(avx512_gfni); break;
    case FC_SIMD_AVX2_GFNI: FC_USE_LEVEL(avx2_gfni); break;
    case FC_SIMD_AVX512: FC_USE_LEVEL(avx512); break;
    case FC_SIMD_AVX2: FC_USE_LEVEL(avx2); break;
    case FC_SIMD_SSSE3: FC_USE_LEVEL(ssse3); break;
#endif
#if FC_ARM64
    case FC_SIMD_NEON: FC_USE_LEVEL(neon); break;
#endif
    default:
        fc_active_group = fc_gf256_group_base;
        fc_active_mul = fc_gf256_mul_base;
        fc_active_mad = fc_gf256_mad_base;
        fc_active_max_pass = FC_BASE_MAX_PASS;
        break;
    }
    active_level = level;
    return 0;
}

void fc_gf256_mul(size_t len, uint8_t c, const uint8_t *in, uint8_t *out)
{
    fc_active_mul(len, c, in, out);
}

void fc_gf256_mad(size_t len, uint8_t c, const uint8_t *in, uint8_t *out)
{
    fc_active_mad(len, c, in, out);
}
