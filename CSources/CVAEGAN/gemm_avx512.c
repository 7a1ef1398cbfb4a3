/* gemm_avx512.c — the GEMM kernels (gemm_kernel.h) for AVX-512F: 6 × 32 micro-kernel. */
#include "internal.h"

#define VG_LANES 16
#define VG_TARGET __attribute__((target("avx512f,avx2,fma")))
#define VG_NAME(name) name##_avx512
#define VG_FMA(a, b, c) __builtin_elementwise_fma(a, b, c)
#define VG_GEMM_MR VG_GEMM_AVX512_MR
#define VG_SLICE_DEPTH VG_GEMM_AVX512_KC
#define VG_ROW_BLOCK VG_GEMM_MC
#define VG_EPILOGUE vg_bias_activation_forward_avx512
#include "gemm_kernel.h"
