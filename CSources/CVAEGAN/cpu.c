/*
 * cpu.c — what this CPU can do, asked of CPUID, and what OpenBLAS made of it: for `vaegan info`
 * and the benchmarks, so every figure can name the machine it ran on.
 *
 * Features come from CPUID and XGETBV (the OS must save the wide registers, or the instructions
 * fault), never from model names: a model nobody has tabled yet still gets the right kernels.
 */
#include <cblas.h>
#include <cpuid.h>
#include <string.h>

#include "vg_core.h"

static uint64_t xgetbv0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

vg_cpu_features vg_cpu_features_detect(void) {
    vg_cpu_features f;
    memset(&f, 0, sizeof f);
    unsigned a, b, c, d;
    if (__get_cpuid(0, &a, &b, &c, &d)) {
        memcpy(f.vendor, &b, 4);
        memcpy(f.vendor + 4, &d, 4);
        memcpy(f.vendor + 8, &c, 4);
    }
    unsigned max_extended = __get_cpuid_max(0x80000000u, NULL);
    if (max_extended >= 0x80000004u) {
        unsigned brand[12];
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002u + i, &brand[4 * i], &brand[4 * i + 1], &brand[4 * i + 2], &brand[4 * i + 3]);
        memcpy(f.brand, brand, 48);
        f.brand[48] = '\0';
    }
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    f.family = (int)((a >> 8) & 0xf) + ((((a >> 8) & 0xf) == 0xf) ? (int)((a >> 20) & 0xff) : 0);
    f.model = (int)((a >> 4) & 0xf) | ((((a >> 8) & 0xf) >= 6) ? (int)((a >> 16) & 0xf) << 4 : 0);
    bool fma = c & bit_FMA, osxsave = c & bit_OSXSAVE, avx = c & bit_AVX;
    f.sse3 = c & bit_SSE3;
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    bool ymm_saved = (xcr0 & 0x6) == 0x6, zmm_saved = (xcr0 & 0xe6) == 0xe6;
    bool tiles_saved = (xcr0 & 0x60000) == 0x60000;
    if (__get_cpuid_max(0, NULL) < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    f.avx2 = avx && ymm_saved && (b & bit_AVX2);
    f.fma = fma && ymm_saved;
    f.avx512f = zmm_saved && (b & bit_AVX512F);
    f.avx512bw = zmm_saved && (b & bit_AVX512BW);
    f.avx512vl = zmm_saved && (b & bit_AVX512VL);
    f.avx512_vnni = zmm_saved && (c & bit_AVX512VNNI);
    f.amx_bf16 = tiles_saved && (d & (1u << 22));
    f.amx_tile = tiles_saved && (d & (1u << 24));
    unsigned a1, b1, c1, d1;
    __cpuid_count(7, 1, a1, b1, c1, d1);
    f.avx512_bf16 = zmm_saved && (a1 & (1u << 5));
    return f;
}

const char *vg_openblas_core_name(void) { return openblas_get_corename(); }
