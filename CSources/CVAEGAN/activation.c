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

/* ------------------------------------------------------------ dispatch, split over the pool */

typedef struct activation_job {
    float *out;
    const float *dy, *y, *bias;
    int64_t columns;
    vg_activation act;
    float alpha;
} activation_job;

static void bias_activation_rows(void *context, int64_t begin, int64_t end) {
    const activation_job *job = context;
    VG_DISPATCH(vg_bias_activation_forward, job->out + begin * job->columns, job->bias, end - begin,
                job->columns, job->act, job->alpha);
}

void vg_bias_activation_forward(float *y, const float *bias, int64_t B, int64_t C,
                                vg_activation act, float alpha) {
    if (B <= 0 || C <= 0 || (act == VG_ACTIVATION_IDENTITY && !bias)) return;
    activation_job job = {.out = y, .bias = bias, .columns = C, .act = act, .alpha = alpha};
    /* Chunks of whole rows, about VG_ELEMENTWISE_CHUNK elements each; the work is per element,
     * so the split changes nothing in the result. */
    int64_t rows_per_chunk = (VG_ELEMENTWISE_CHUNK + C - 1) / C;
    vg_parallel_for(B, rows_per_chunk, bias_activation_rows, &job);
}

static void activation_backward_range(void *context, int64_t begin, int64_t end) {
    const activation_job *job = context;
    VG_DISPATCH(vg_activation_backward, job->out + begin, job->dy + begin, job->y + begin,
                end - begin, job->act, job->alpha);
}

void vg_activation_backward(float *dx, const float *dy, const float *y, int64_t n,
                            vg_activation act, float alpha) {
    if (n <= 0) return;
    activation_job job = {.out = dx, .dy = dy, .y = y, .act = act, .alpha = alpha};
    vg_parallel_for(n, VG_ELEMENTWISE_CHUNK, activation_backward_range, &job);
}
