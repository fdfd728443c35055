/* Internal: the per-level kernel symbols and the dispatch table. */
#ifndef FASTCODE_GF256_LEVELS_H
#define FASTCODE_GF256_LEVELS_H
#include "gf256.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define FC_X86 1
#else
#define FC_X86 0
#endif

/* AArch64: Advanced SIMD (NEON) is part of the base architecture, so the
 * NEON kernels need no target attribute; getauxval still confirms it. */
#if defined(__aarch64__)
#define FC_ARM64 1
#else
#define FC_ARM64 0
#endif

/* Outputs per pass of the scalar group kernel (gf256_base.c). */
#define FC_BASE_MAX_PASS 4

typedef void (*fc_scale_kernel)(size_t len, uint8_t c, const uint8_t *in, uint8_t *out);

#define FC_DECLARE_LEVEL(sfx)                                                              \
    size_t fc_gf256_group_##sfx(size_t, int, int, const fc_group_tables *,                 \
                                const uint8_t *const *, uint8_t *const *);                 \
    void fc_gf256_mul_##sfx(size_t, uint8_t, const uint8_t *, uint8_t *);                  \
    void fc_gf256_mad_##sfx(size_t, uint8_t, const uint8_t *, uint8_t *);                  \
    extern const int fc_gf256_max_pass_##sfx;
#if FC_X86
FC_DECLARE_LEVEL(ssse3)
FC_DECLARE_LEVEL(avx2)
FC_DECLARE_LEVEL(avx512)
FC_DECLARE_LEVEL(avx2_gfni)
FC_DECLARE_LEVEL(avx512_gfni)
#endif
#if FC_ARM64
FC_DECLARE_LEVEL(neon)
#endif

/* The kernels of the active level (set by gf256_dispatch.c). */
extern fc_group_kernel fc_active_group;
extern fc_scale_kernel fc_active_mul;
extern fc_scale_kernel fc_active_mad;
/* Outputs the active group kernel computes per pass over its inputs. */
extern int fc_active_max_pass;

#endif
