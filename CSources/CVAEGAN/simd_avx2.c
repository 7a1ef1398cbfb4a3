/* simd_avx2.c — the SIMD kernels (simd_kernels.h) for AVX2 with FMA, 8 lanes, and batch norm's
 * passes (batchnorm_passes.h) compiled for it. */
#include "internal.h"

#define VG_LANES 8
#define VG_TARGET __attribute__((target("avx2,fma")))
#define VG_NAME(name) name##_avx2
#include "simd_kernels.h"
#include "batchnorm_passes.h"
