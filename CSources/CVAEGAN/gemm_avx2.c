/* gemm_avx2.c — the GEMM kernels (gemm_kernel.h) for AVX2 with FMA: 6 × 16 micro-kernel. */
#include "internal.h"

#define VG_LANES 8
#define VG_TARGET __attribute__((target("avx2,fma")))
#define VG_NAME(name) name##_avx2
#define VG_FMA(a, b, c) __builtin_elementwise_fma(a, b, c)
#define VG_GEMM_MR VG_GEMM_AVX2_MR
#define VG_SLICE_DEPTH VG_GEMM_AVX2_KC
#define VG_ROW_BLOCK VG_GEMM_MC
#define VG_EPILOGUE vg_bias_activation_forward_avx2
#include "gemm_kernel.h"
