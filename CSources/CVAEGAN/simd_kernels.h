/*
 * simd_kernels.h — the SIMD kernels, written once with clang's vector extensions and compiled
 * once per instruction set: simd_avx2.c (8 lanes, AVX2+FMA) and simd_avx512.c (16 lanes,
 * AVX-512F) include this file after defining
 *   VG_LANES           lanes per vector
 *   VG_TARGET          the function attribute that enables the instruction set
 *   VG_NAME(name)      the kernel's exported name for that set (name##_avx2, name##_avx512)
 * No include guard: it is meant to be included more than once.
 *
 * Each kernel is an optimization of its *_ref twin in activation.c, dense.c, loss.c or optim.c
 * and does the same floating-point operations in the same order, so kernels without exp/log
 * match their reference bit for bit (FP_CONTRACT is off: no silent fused multiply-adds).
 * exp and log1p are approximated here, with the accuracy stated beside each.
 *
 * Each kernel's body is a chunk function for `count` <= VG_LANES elements, inlined twice: with
 * count = VG_LANES in the main loop (full-width loads and stores), and once with the remainder
 * for the tail, which is copied into a zero-padded vector so nothing is read or written out of
 * bounds.
 */
#pragma STDC FP_CONTRACT OFF

#include <math.h>
#include <string.h>

#include "vg_core.h"

typedef float vf __attribute__((ext_vector_type(VG_LANES)));
typedef int32_t vi __attribute__((ext_vector_type(VG_LANES)));
typedef double vd __attribute__((ext_vector_type(VG_LANES)));

VG_TARGET static inline __attribute__((always_inline)) vf load(const float *p, int64_t n) {
    vf v = 0;
    memcpy(&v, p, (size_t)(n < VG_LANES ? n : VG_LANES) * sizeof(float));
    return v;
}

VG_TARGET static inline __attribute__((always_inline)) void store(float *p, vf v, int64_t n) {
    memcpy(p, &v, (size_t)(n < VG_LANES ? n : VG_LANES) * sizeof(float));
}

VG_TARGET static inline __attribute__((always_inline)) vf splat(float x) { return (vf)x; }

/* Lanes where mask is set take a, the others b (mask lanes are all ones or all zeros). */
VG_TARGET static inline __attribute__((always_inline)) vf select(vi mask, vf a, vf b) { return (vf)(((vi)a & mask) | ((vi)b & ~mask)); }

/* Lanes [0, n) set. */
VG_TARGET static inline __attribute__((always_inline)) vi lanes_below(int64_t n) {
    vi index;
    for (int i = 0; i < VG_LANES; i++) index[i] = i;
    return index < (vi)(int32_t)(n < VG_LANES ? n : VG_LANES);
}

/* exp(x) within 3 ulp where the result is a normal float (x in [-87.3, 88.3]); below that it
 * flushes to 0 (the true value is under 1.2e-38), above it is +inf, and NaN stays NaN. x = n·ln2
 * + r, |r| <= ln2/2, with ln2 split in two so r is exact; e^r by a degree-6 Taylor polynomial
 * (remainder < 1.3e-7 relative); 2^n built in the exponent bits. */
VG_TARGET static inline __attribute__((always_inline)) vf vexp(vf x) {
    vf clamped = __builtin_elementwise_min(__builtin_elementwise_max(x, splat(-87.3f)), splat(88.3f));
    vf n = __builtin_elementwise_roundeven(clamped * splat(1.44269504088896341f));
    vf r = __builtin_elementwise_fma(n, splat(-0.693145751953125f), clamped);
    r = __builtin_elementwise_fma(n, splat(-1.428606765330187e-06f), r);
    vf p = splat(1.0f / 720.0f);
    p = __builtin_elementwise_fma(p, r, splat(1.0f / 120.0f));
    p = __builtin_elementwise_fma(p, r, splat(1.0f / 24.0f));
    p = __builtin_elementwise_fma(p, r, splat(1.0f / 6.0f));
    p = __builtin_elementwise_fma(p, r, splat(0.5f));
    p = __builtin_elementwise_fma(p, r, splat(1.0f));
    p = __builtin_elementwise_fma(p, r, splat(1.0f));
    vi exponent = (__builtin_convertvector(n, vi) + 127) << 23;
    vf result = p * (vf)exponent;
    result = select(x < -87.3f, splat(0.0f), result);
    result = select(x > 88.3f, splat(__builtin_inff()), result);
    return select(x == x, result, x);
}

/* log(1 + e) for e in [0, 1], within 3e-7 relative: 2·atanh(s), s = e/(2+e) in [0, 1/3], as the
 * odd series 2s(1 + s²/3 + … + s¹⁶/17), remainder < 2e-9 relative; tiny e keeps its accuracy. */
VG_TARGET static inline __attribute__((always_inline)) vf vlog1p_unit(vf e) {
    vf s = e / (splat(2.0f) + e), s2 = s * s;
    vf p = splat(1.0f / 17.0f);
    p = __builtin_elementwise_fma(p, s2, splat(1.0f / 15.0f));
    p = __builtin_elementwise_fma(p, s2, splat(1.0f / 13.0f));
    p = __builtin_elementwise_fma(p, s2, splat(1.0f / 11.0f));
    p = __builtin_elementwise_fma(p, s2, splat(1.0f / 9.0f));
    p = __builtin_elementwise_fma(p, s2, splat(1.0f / 7.0f));
    p = __builtin_elementwise_fma(p, s2, splat(1.0f / 5.0f));
    p = __builtin_elementwise_fma(p, s2, splat(1.0f / 3.0f));
    p = __builtin_elementwise_fma(p, s2, splat(1.0f));
    return (s + s) * p;
}

/* sigmoid(x) = 1/(1+e^−|x|) for x >= 0, e^−|x|/(1+e^−|x|) otherwise (as sigmoid_ref). */
VG_TARGET static inline __attribute__((always_inline)) vf vsigmoid(vf x) {
    vf e = vexp(-__builtin_elementwise_abs(x));
    vf r = splat(1.0f) / (splat(1.0f) + e);
    return select(x >= 0.0f, r, e * r);
}

/* tanh(x) = sign(x)·(1−e)/(1+e), e = e^−2|x| (as tanh_ref). */
VG_TARGET static inline __attribute__((always_inline)) vf vtanh(vf x) {
    vf e = vexp(splat(-2.0f) * __builtin_elementwise_abs(x));
    vf t = (splat(1.0f) - e) / (splat(1.0f) + e);
    return (vf)((vi)t | ((vi)x & (vi)(int32_t)0x80000000));
}

VG_TARGET static inline __attribute__((always_inline)) vf activate(vf x, vg_activation act, float alpha) {
    switch (act) {
    case VG_ACTIVATION_IDENTITY: return x;
    case VG_ACTIVATION_RELU: return select(x <= 0.0f, splat(0.0f), x);
    case VG_ACTIVATION_LEAKY_RELU: return select(x <= 0.0f, splat(alpha) * x, x);
    case VG_ACTIVATION_SIGMOID: return vsigmoid(x);
    case VG_ACTIVATION_TANH: return vtanh(x);
    }
    return x;
}

VG_TARGET static inline __attribute__((always_inline)) double sum_lanes(const vd *v) {
    double s = 0;
    for (int i = 0; i < VG_LANES; i++) s += (*v)[i];
    return s;
}

/* Runs CHUNK(start, count, ...) over [0, n): full vectors, then the tail. */
#define VG_CHUNKED(n, CHUNK, ...)                                                          \
    do {                                                                                   \
        int64_t start_ = 0;                                                                \
        for (; start_ + VG_LANES <= (n); start_ += VG_LANES) CHUNK(start_, VG_LANES, __VA_ARGS__); \
        if (start_ < (n)) CHUNK(start_, (n) - start_, __VA_ARGS__);                        \
    } while (0)

/* ------------------------------------------------------------ activations */

VG_TARGET static inline __attribute__((always_inline)) void
bias_activation_chunk(int64_t c, int64_t count, float *row, const float *bias, vg_activation act, float alpha) {
    vf v = load(row + c, count);
    if (bias) v = v + load(bias + c, count);
    store(row + c, activate(v, act, alpha), count);
}

VG_TARGET void VG_NAME(vg_bias_activation_forward)(float *y, const float *bias, int64_t B, int64_t C,
                                                   vg_activation act, float alpha) {
    for (int64_t b = 0; b < B; b++) VG_CHUNKED(C, bias_activation_chunk, y + b * C, bias, act, alpha);
}

VG_TARGET static inline __attribute__((always_inline)) void
activation_backward_chunk(int64_t i, int64_t count, float *dx, const float *dy, const float *y,
                          vg_activation act, float alpha) {
    vf g = load(dy + i, count), out = load(y + i, count), d;
    switch (act) {
    case VG_ACTIVATION_RELU: d = select(out > 0.0f, g, splat(0.0f)); break;
    case VG_ACTIVATION_LEAKY_RELU: d = select(out > 0.0f, g, splat(alpha) * g); break;
    case VG_ACTIVATION_SIGMOID: d = g * (out * (splat(1.0f) - out)); break;
    case VG_ACTIVATION_TANH: d = g * (splat(1.0f) - out * out); break;
    default: d = g; break;
    }
    store(dx + i, d, count);
}

VG_TARGET void VG_NAME(vg_activation_backward)(float *dx, const float *dy, const float *y, int64_t n,
                                               vg_activation act, float alpha) {
    VG_CHUNKED(n, activation_backward_chunk, dx, dy, y, act, alpha);
}

/* ------------------------------------------------------------ bias gradient */

VG_TARGET static inline __attribute__((always_inline)) void
column_sums_chunk(int64_t c, int64_t count, float *db, const float *dy, int64_t B, int64_t C) {
    vf sum = 0;
    for (int64_t b = 0; b < B; b++) sum = sum + load(dy + b * C + c, count);
    store(db + c, load(db + c, count) + sum, count);
}

VG_TARGET void VG_NAME(vg_column_sums_accumulate)(float *db, const float *dy, int64_t B, int64_t C) {
    VG_CHUNKED(C, column_sums_chunk, db, dy, B, C);
}

/* ------------------------------------------------------------ losses */

VG_TARGET static inline __attribute__((always_inline)) void
bce_chunk(int64_t i, int64_t count, vd *total, float *grad, const float *logits, const float *targets,
          float grad_scale) {
    vf l = load(logits + i, count), t = load(targets + i, count);
    vf e = vexp(-__builtin_elementwise_abs(l));
    vf value = (__builtin_elementwise_max(l, splat(0.0f)) - l * t) + vlog1p_unit(e);
    if (count < VG_LANES) value = select(lanes_below(count), value, splat(0.0f));
    *total += __builtin_convertvector(value, vd);
    if (grad) {
        vf r = splat(1.0f) / (splat(1.0f) + e);
        vf s = select(l >= 0.0f, r, e * r);
        store(grad + i, splat(grad_scale) * (s - t), count);
    }
}

VG_TARGET void VG_NAME(vg_bce_logits)(double *loss, float *grad, const float *logits,
                                      const float *targets, int64_t n, float grad_scale) {
    vd total = 0;
    VG_CHUNKED(n, bce_chunk, &total, grad, logits, targets, grad_scale);
    *loss = sum_lanes(&total);
}

VG_TARGET static inline __attribute__((always_inline)) void
squared_error_chunk(int64_t i, int64_t count, vd *total, float *grad, const float *prediction,
                    const float *target, float grad_scale) {
    vf d = load(prediction + i, count) - load(target + i, count); /* tail lanes: 0 − 0 */
    vd dd = __builtin_convertvector(d, vd);
    *total += dd * dd;
    if (grad) store(grad + i, splat(2.0f * grad_scale) * d, count);
}

VG_TARGET void VG_NAME(vg_squared_error)(double *loss, float *grad, const float *prediction,
                                         const float *target, int64_t n, float grad_scale) {
    vd total = 0;
    VG_CHUNKED(n, squared_error_chunk, &total, grad, prediction, target, grad_scale);
    *loss = sum_lanes(&total);
}

/* ------------------------------------------------------------ Adam */

/* The per-step constants of vg_adam_step, computed once by the caller (optim.c). */
VG_TARGET static inline __attribute__((always_inline)) void
adam_chunk(int64_t i, int64_t count, float *param, float *m, float *v, const float *grad,
           const vg_adam_constants *k) {
    vf p0 = load(param + i, count);
    vf g = load(grad + i, count) + splat(k->l2) * p0;
    vf mi = splat(k->beta1) * load(m + i, count) + splat(1.0f - k->beta1) * g;
    vf vv = splat(k->beta2) * load(v + i, count) + (splat(1.0f - k->beta2) * g) * g;
    vf denom = __builtin_elementwise_sqrt(vv) * splat(k->inv_sqrt_bc2) + splat(k->eps);
    store(m + i, mi, count);
    store(v + i, vv, count);
    store(param + i, p0 * splat(k->decay_factor) - splat(k->step_size) * (mi / denom), count);
}

VG_TARGET void VG_NAME(vg_adam_update)(float *param, float *m, float *v, const float *grad, int64_t n,
                                       const vg_adam_constants *k) {
    VG_CHUNKED(n, adam_chunk, param, m, v, grad, k);
}
