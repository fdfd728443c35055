/*
 * Run-time CPU detection and the GF(2^16) kernel tables of every level.
 * Detection reads the CPU the way gf256_dispatch.c does (libgcc's
 * __builtin_cpu_supports, which also checks that the OS saves AVX state).
 * The active level can be lowered (tests, benchmarks) but never raised above
 * what the CPU supports.
 */
#include <pthread.h>
#include "gf16.h"
#include "gf16_levels.h"

#if FC16_X86
extern const uint8_t *fc_gf16_nibble_table_base;
extern const uint64_t *fc_gf16_gfni_table_base;
#endif

#define KERNELS(sfx)                                                                         \
    {fc_gf16_fft2_##sfx,    fc_gf16_ifft2_##sfx,   fc_gf16_fft4_##sfx,                       \
     fc_gf16_ifft4_##sfx,   fc_gf16_fft2_to_##sfx, fc_gf16_fft4_to_##sfx,                    \
     fc_gf16_ifft4_from_##sfx, fc_gf16_mul_##sfx,  fc_gf16_xor2_##sfx}

static const fc_gf16_kernels level_kernels[FC_GF16_N_LEVELS] = {
    KERNELS(base),
#if FC16_X86
    KERNELS(avx2), KERNELS(avx2_gfni), KERNELS(avx512), KERNELS(avx512_gfni),
#endif
};

static const char *level_names[FC_GF16_N_LEVELS] = {"scalar", "avx2", "avx2_gfni", "avx512",
                                                    "avx512_gfni"};

static const fc_gf16_kernels *active = &level_kernels[FC_GF16_SCALAR];
static int active_level = -1;  /* -1: not chosen yet */
static pthread_mutex_t level_lock = PTHREAD_MUTEX_INITIALIZER;

const char *fc_gf16_level_name(int level)
{
    return (level >= 0 && level < FC_GF16_N_LEVELS) ? level_names[level] : "unknown";
}

static int cpu_supports(int level)
{
#if FC16_X86 && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2");
    int avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
    int gfni = __builtin_cpu_supports("gfni");
    switch (level) {
    case FC_GF16_SCALAR: return 1;
    case FC_GF16_AVX2: return avx2;
    case FC_GF16_AVX2_GFNI: return avx2 && gfni;
    case FC_GF16_AVX512: return avx512;
    case FC_GF16_AVX512_GFNI: return avx512 && gfni;
    default: return 0;
    }
#else
    return level == FC_GF16_SCALAR;
#endif
}

int fc_gf16_detect(void)
{
    for (int level = FC_GF16_N_LEVELS - 1; level > 0; level--)
        if (cpu_supports(level))
            return level;
    return FC_GF16_SCALAR;
}

/* Builds the product tables the level reads; 0, or -2 if out of memory. */
static int prepare(int level)
{
    fc_gf16_init();
#if FC16_X86
    if (level == FC_GF16_AVX2 || level == FC_GF16_AVX512) {
        const uint8_t *t = fc_gf16_nibble_tables();
        if (!t)
            return -2;
        fc_gf16_nibble_table_base = t;
    } else if (level == FC_GF16_AVX2_GFNI || level == FC_GF16_AVX512_GFNI) {
        const uint64_t *t = fc_gf16_gfni_tables();
        if (!t)
            return -2;
        fc_gf16_gfni_table_base = t;
    }
#endif
    return 0;
}

const fc_gf16_kernels *fc_gf16_kernels_for(int level)
{
    if (level < 0 || level >= FC_GF16_N_LEVELS || !cpu_supports(level))
        return 0;
    pthread_mutex_lock(&level_lock);
    int rc = prepare(level);
    pthread_mutex_unlock(&level_lock);
    return rc ? 0 : &level_kernels[level];
}

int fc_gf16_set_level(int level)
{
    if (level < 0 || level >= FC_GF16_N_LEVELS || !cpu_supports(level))
        return -1;
    pthread_mutex_lock(&level_lock);
    int rc = prepare(level);
    if (!rc) {
        active = &level_kernels[level];
        active_level = level;
    }
    pthread_mutex_unlock(&level_lock);
    return rc;
}

int fc_gf16_level(void)
{
    if (active_level < 0 && fc_gf16_set_level(fc_gf16_detect()) != 0)
        fc_gf16_set_level(FC_GF16_SCALAR);
    return active_level;
}

const fc_gf16_kernels *fc_gf16_active(void)
{
    fc_gf16_level();
    return active;
}
