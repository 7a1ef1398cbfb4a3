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
    case VG_ACTIVATION_RELU: return x <= 0.0f ? 0.0f : x; /* written so NaN passes through */
    case VG_ACTIVATION_LEAKY_RELU: return x <= 0.0f ? alpha * x : x;
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

/* ------------------------------------------------------------ dispatch */

void vg_bias_activation_forward(float *y, const float *bias, int64_t B, int64_t C,
                                vg_activation act, float alpha) {
    if (B <= 0 || C <= 0 || (act == VG_ACTIVATION_IDENTITY && !bias)) return;
    VG_DISPATCH(vg_bias_activation_forward, y, bias, B, C, act, alpha);
}

void vg_activation_backward(float *dx, const float *dy, const float *y, int64_t n,
                            vg_activation act, float alpha) {
    if (n <= 0) return;
    VG_DISPATCH(vg_activation_backward, dx, dy, y, n, act, alpha);
}
