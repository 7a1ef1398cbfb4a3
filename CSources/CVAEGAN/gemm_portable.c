/* gemm_portable.c — the GEMM kernels (gemm_kernel.h) for any x86-64 CPU: SSE2, no FMA (a
 * multiply, then an add), 4 × 8 micro-kernel. Used where neither AVX2+FMA nor AVX-512 is. */
#include "internal.h"

#define VG_LANES 4
#define VG_TARGET
#define VG_NAME(name) name##_portable
#define VG_FMA(a, b, c) ((a) * (b) + (c))
#define VG_GEMM_MR VG_GEMM_PORTABLE_MR
#define VG_SLICE_DEPTH VG_GEMM_AVX2_KC
#define VG_ROW_BLOCK VG_GEMM_PORTABLE_MC
#define VG_EPILOGUE vg_bias_activation_forward_ref
#include "gemm_kernel.h"
