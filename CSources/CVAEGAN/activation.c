/*
 * activation.c — element-wise activations fused with the bias add, and their backward passes.
 *
 * Every derivative here is written in terms of the forward's output y (ReLU and LeakyReLU by
 * its sign, sigmoid as y(1−y), tanh as 1−y²), so the forward runs in place and the backward
 * needs no copy of the pre-activation.
 */
#include <math.h>

#include "internal.h"
#include "vg_core.h"

/* ------------------------------------------------------------ scalar reference */

/* sigmoid(x) = 1/(1+e^−x), written through e = e^−|x| so nothing overflows. */
static inline float sigmoid_ref(float x) {
    float e = expf(-fabsf(x));
    float r = 1.0f / (1.0f + e);
    return x >= 0.0f ? r : e * r;
}

/* tanh(x) = sign(x)·(1−e)/(1+e), e = e^−2|x|: the same formula as the SIMD path. */
static inline float tanh_ref(float x) {
    float e = expf(-2.0f * fabsf(x));
    return copysignf((1.0f - e) / (1.0f + e), x);
}

static inline float activate_ref(float x, vg_activation act, float alpha) {
    switch (act) {
    case VG_ACTIVATION_IDENTITY: return x;
    case VG_ACTIVATION_RELU: return x > 0.0f ? x : 0.0f;
    case VG_ACTIVATION_LEAKY_RELU: return x > 0.0f ? x : alpha * x;
    case VG_ACTIVATION_SIGMOID: return sigmoid_ref(x);
    case VG_ACTIVATION_TANH: return tanh_ref(x);
    }
    return x;
}

void vg_bias_activation_forward_ref(float *y, const float *bias, int64_t B, int64_t C,
                                    vg_activation act, float alpha) {
    for (int64_t b = 0; b < B; b++)
        for (int64_t c = 0; c < C; c++) {
            float v = y[b * C + c];
            if (bias) v += bias[c];
            y[b * C + c] = activate_ref(v, act, alpha);
        }
}

void vg_activation_backward_ref(float *dx, const float *dy, const float *y, int64_t n,
                                vg_activation act, float alpha) {
    for (int64_t i = 0; i < n; i++) {
        float g = dy[i], out = y[i];
        switch (act) {
        case VG_ACTIVATION_IDENTITY: dx[i] = g; break;
        case VG_ACTIVATION_RELU: dx[i] = out > 0.0f ? g : 0.0f; break;
        case VG_ACTIVATION_LEAKY_RELU: dx[i] = out > 0.0f ? g : alpha * g; break;
        case VG_ACTIVATION_SIGMOID: dx[i] = g * (out * (1.0f - out)); break;
        case VG_ACTIVATION_TANH: dx[i] = g * (1.0f - out * out); break;
        }
    }
}

/* ------------------------------------------------------------ AVX-512 */

VG_AVX512 static inline __m512 activate512(__m512 x, vg_activation act, float alpha) {
    switch (act) {
    case VG_ACTIVATION_IDENTITY: return x;
    case VG_ACTIVATION_RELU:
        return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ), x);
    case VG_ACTIVATION_LEAKY_RELU:
        return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ),
                                    _mm512_mul_ps(_mm512_set1_ps(alpha), x), x);
    case VG_ACTIVATION_SIGMOID: {
        __m512 e = vg_exp512(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_abs_ps(x)));
        __m512 r = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
        return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ),
                                    _mm512_mul_ps(e, r), r);
    }
    case VG_ACTIVATION_TANH: {
        __m512 e = vg_exp512(_mm512_mul_ps(_mm512_set1_ps(-2.0f), _mm512_abs_ps(x)));
        __m512 t = _mm512_div_ps(_mm512_sub_ps(_mm512_set1_ps(1.0f), e),
                                 _mm512_add_ps(_mm512_set1_ps(1.0f), e));
        /* copy x's sign bit onto |t| */
        __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u));
        return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(t), sign));
    }
    }
    return x;
}

VG_AVX512 static void bias_activation_forward_avx512(float *y, const float *bias, int64_t B,
                                                     int64_t C, vg_activation act, float alpha) {
    for (int64_t b = 0; b < B; b++) {
        float *row = y + b * C;
        for (int64_t c = 0; c < C; c += 16) {
            __mmask16 m = vg_tail_mask(C - c);
            __m512 v = _mm512_maskz_loadu_ps(m, row + c);
            if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, bias + c));
            _mm512_mask_storeu_ps(row + c, m, activate512(v, act, alpha));
        }
    }
}

VG_AVX512 static void activation_backward_avx512(float *dx, const float *dy, const float *y,
                                                 int64_t n, vg_activation act, float alpha) {
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 m = vg_tail_mask(n - i);
        __m512 g = _mm512_maskz_loadu_ps(m, dy + i), out = _mm512_maskz_loadu_ps(m, y + i), d;
        switch (act) {
        case VG_ACTIVATION_RELU:
            d = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(out, zero, _CMP_GT_OQ), g);
            break;
        case VG_ACTIVATION_LEAKY_RELU:
            d = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(out, zero, _CMP_GT_OQ),
                                     _mm512_mul_ps(_mm512_set1_ps(alpha), g), g);
            break;
        case VG_ACTIVATION_SIGMOID: d = _mm512_mul_ps(g, _mm512_mul_ps(out, _mm512_sub_ps(one, out))); break;
        case VG_ACTIVATION_TANH: d = _mm512_mul_ps(g, _mm512_sub_ps(one, _mm512_mul_ps(out, out))); break;
        default: d = g; break;
        }
        _mm512_mask_storeu_ps(dx + i, m, d);
    }
}

/* ------------------------------------------------------------ dispatch */

void vg_bias_activation_forward(float *y, const float *bias, int64_t B, int64_t C,
                                vg_activation act, float alpha) {
    if (B <= 0 || C <= 0 || (act == VG_ACTIVATION_IDENTITY && !bias)) return;
    if (vg_cpu_has_avx512()) bias_activation_forward_avx512(y, bias, B, C, act, alpha);
    else vg_bias_activation_forward_ref(y, bias, B, C, act, alpha);
}

void vg_activation_backward(float *dx, const float *dy, const float *y, int64_t n,
                            vg_activation act, float alpha) {
    if (n <= 0) return;
    if (vg_cpu_has_avx512()) activation_backward_avx512(dx, dy, y, n, act, alpha);
    else vg_activation_backward_ref(dx, dy, y, n, act, alpha);
}
