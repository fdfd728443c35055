/*
 * Run-time CPU detection and kernel dispatch.  Detection happens once; the
 * active level can be lowered (FASTCODE_SIMD, tests) but never raised above
 * what the CPU and OS support.
 */
#include <string.h>
#include "gf256.h"
#include "gf256_levels.h"

fc_group_kernel fc_active_group = fc_gf256_group_base;
fc_scale_kernel fc_active_mul = fc_gf256_mul_base;
fc_scale_kernel fc_active_mad = fc_gf256_mad_base;
static int active_level = FC_SIMD_SCALAR;

static const char *level_names[FC_SIMD_N_LEVELS] = {"scalar", "ssse3", "avx2", "avx512"};

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
    if (!strcmp(feature, "gfni")) return __builtin_cpu_supports("gfni");
    if (!strcmp(feature, "pclmul")) return __builtin_cpu_supports("pclmul");
    if (!strcmp(feature, "vpclmulqdq")) return __builtin_cpu_supports("vpclmulqdq");
#else
    (void)feature;
#endif
    return 0;
}

int fc_simd_detect(void)
{
    /* libgcc's __builtin_cpu_supports checks OS support (XGETBV) for AVX state. */
    if (fc_cpu_has("avx512f") && fc_cpu_has("avx512bw"))
        return FC_SIMD_AVX512;
    if (fc_cpu_has("avx2"))
        return FC_SIMD_AVX2;
    if (fc_cpu_has("ssse3"))
        return FC_SIMD_SSSE3;
    return FC_SIMD_SCALAR;
}

int fc_simd_level(void) { return active_level; }

int fc_simd_set_level(int level)
{
    if (level < 0 || level >= FC_SIMD_N_LEVELS || level > fc_simd_detect())
        return -1;
    fc_gf256_init();
    switch (level) {
#if FC_X86
    case FC_SIMD_AVX512:
        fc_active_group = fc_gf256_group_avx512;
        fc_active_mul = fc_gf256_mul_avx512;
        fc_active_mad = fc_gf256_mad_avx512;
        break;
    case FC_SIMD_AVX2:
        fc_active_group = fc_gf256_group_avx2;
        fc_active_mul = fc_gf256_mul_avx2;
        fc_active_mad = fc_gf256_mad_avx2;
        break;
    case FC_SIMD_SSSE3:
        fc_active_group = fc_gf256_group_ssse3;
        fc_active_mul = fc_gf256_mul_ssse3;
        fc_active_mad = fc_gf256_mad_ssse3;
        break;
#endif
    default:
        fc_active_group = fc_gf256_group_base;
        fc_active_mul = fc_gf256_mul_base;
        fc_active_mad = fc_gf256_mad_base;
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
