/* Internal: the per-level GF(2^16) kernel symbols. */
#ifndef FASTCODE_GF16_LEVELS_H
#define FASTCODE_GF16_LEVELS_H
#include "gf16.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define FC16_X86 1
#else
#define FC16_X86 0
#endif

#define FC16_DECLARE_LEVEL(sfx)                                                               \
    void fc_gf16_fft2_##sfx(uint8_t *, uint8_t *, size_t, uint16_t);                          \
    void fc_gf16_ifft2_##sfx(uint8_t *, uint8_t *, size_t, uint16_t);                         \
    void fc_gf16_fft4_##sfx(uint8_t *, uint8_t *, uint8_t *, uint8_t *, size_t, uint16_t,     \
                            uint16_t, uint16_t);                                              \
    void fc_gf16_ifft4_##sfx(uint8_t *, uint8_t *, uint8_t *, uint8_t *, size_t, uint16_t,    \
                             uint16_t, uint16_t);                                             \
    void fc_gf16_fft2_to_##sfx(const uint8_t *, const uint8_t *, uint8_t *, uint8_t *, size_t, \
                               uint16_t);                                                     \
    void fc_gf16_fft4_to_##sfx(const uint8_t *const *, uint8_t *const *, size_t, uint16_t,     \
                               uint16_t, uint16_t);                                           \
    void fc_gf16_ifft4_from_##sfx(const uint8_t *const *, uint8_t *const *, size_t, uint16_t,  \
                                  uint16_t, uint16_t);                                        \
    void fc_gf16_mul_##sfx(uint8_t *, size_t, uint16_t);                                      \
    void fc_gf16_xor2_##sfx(uint8_t *, const uint8_t *, size_t);

FC16_DECLARE_LEVEL(base)
#if FC16_X86
FC16_DECLARE_LEVEL(avx2)
FC16_DECLARE_LEVEL(avx2_gfni)
FC16_DECLARE_LEVEL(avx512)
FC16_DECLARE_LEVEL(avx512_gfni)
#endif

#endif
