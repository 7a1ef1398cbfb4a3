/* simd_avx512.c — the SIMD kernels (simd_kernels.h) for AVX-512F, 16 lanes, and batch norm's
 * passes (batchnorm_passes.h) compiled for it. */
#include "internal.h"

#define VG_LANES 16
#define VG_TARGET __attribute__((target("avx512f,avx2,fma")))
#define VG_NAME(name) name##_avx512
#include "simd_kernels.h"
#include "batchnorm_passes.h"
