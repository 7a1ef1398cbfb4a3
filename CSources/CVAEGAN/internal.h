/*
 * internal.h — what the C core's files share; never installed, not API.
 *
 * The SIMD kernels are written once (simd_kernels.h) and compiled per instruction set
 * (simd_avx2.c, simd_avx512.c); the public kernels pick one at run time with VG_DISPATCH.
 */
#ifndef VG_INTERNAL_H
#define VG_INTERNAL_H

#include <stdint.h>

#include "vg_core.h"

/* Adam's per-step constants, computed once per step (optim.c) and shared by every path. */
typedef struct vg_adam_constants {
    float beta1, beta2, eps;
    float step_size;    /* lr / (1 − β1^t) */
    float inv_sqrt_bc2; /* 1 / sqrt(1 − β2^t) */
    float decay_factor; /* AdamW: 1 − lr·wd; otherwise 1 */
    float l2;           /* Adam: wd, added to the gradient as wd·p; otherwise 0 */
} vg_adam_constants;

/* Declares one kernel for each instruction set. */
#define VG_DECLARE_SIMD(ret, name, ...) \
    ret name##_avx2(__VA_ARGS__);       \
    ret name##_avx512(__VA_ARGS__);

VG_DECLARE_SIMD(void, vg_bias_activation_forward, float *y, const float *bias, int64_t B, int64_t C,
                vg_activation act, float alpha)
VG_DECLARE_SIMD(void, vg_activation_backward, float *dx, const float *dy, const float *y, int64_t n,
                vg_activation act, float alpha)
VG_DECLARE_SIMD(void, vg_column_sums_accumulate, float *db, const float *dy, int64_t B, int64_t C)
VG_DECLARE_SIMD(void, vg_bce_logits, double *loss, float *grad, const float *logits,
                const float *targets, int64_t n, float grad_scale)
VG_DECLARE_SIMD(void, vg_squared_error, double *loss, float *grad, const float *prediction,
                const float *target, int64_t n, float grad_scale)
VG_DECLARE_SIMD(void, vg_adam_update, float *param, float *m, float *v, const float *grad, int64_t n,
                const vg_adam_constants *constants)

/* Calls name##_avx512, name##_avx2 or name##_ref, whichever this CPU runs best. */
#define VG_DISPATCH(name, ...)                                            \
    do {                                                                  \
        switch (vg_simd_level()) {                                        \
        case VG_SIMD_AVX512: name##_avx512(__VA_ARGS__); break;           \
        case VG_SIMD_AVX2: name##_avx2(__VA_ARGS__); break;               \
        default: name##_ref(__VA_ARGS__); break;                          \
        }                                                                 \
    } while (0)

#endif /* VG_INTERNAL_H */
