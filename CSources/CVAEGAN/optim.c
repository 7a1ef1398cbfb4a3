/*
 * optim.c — optimizer updates over one flat parameter buffer: SGD with momentum, Adam, AdamW.
 *
 * Models keep all parameters of a part in one allocation (and gradients and moments in the
 * same layout), so each step is a single pass here. Formulas follow PyTorch's torch.optim pages
 * (SGD, Adam, AdamW), so the two frameworks can be compared step for step.
 */
#include <math.h>

#include "internal.h"
#include "vg_core.h"

/* ------------------------------------------------------------ SGD */

void vg_sgd_step_ref(float *param, float *velocity, const float *grad, int64_t n, float lr,
                     float momentum, float weight_decay) {
    for (int64_t i = 0; i < n; i++) {
        float g = grad[i] + weight_decay * param[i];
        velocity[i] = momentum * velocity[i] + g;
        param[i] -= lr * velocity[i];
    }
}

/* No transcendental functions: the compiler's vectorization of the reference is the fast path. */
void vg_sgd_step(float *param, float *velocity, const float *grad, int64_t n, float lr,
                 float momentum, float weight_decay) {
    vg_sgd_step_ref(param, velocity, grad, n, lr, momentum, weight_decay);
}

/* ------------------------------------------------------------ Adam / AdamW */

/* The per-step constants, computed once in double: bias corrections 1 − β^t. */
typedef struct adam_constants {
    float step_size;       /* lr / (1 − β1^t) */
    float inv_sqrt_bc2;    /* 1 / sqrt(1 − β2^t) */
    float decay_factor;    /* AdamW: 1 − lr·wd; otherwise 1 */
    float l2;              /* Adam: wd added to the gradient as wd·p; otherwise 0 */
} adam_constants;

static adam_constants adam_constants_for(float lr, float beta1, float beta2, float weight_decay,
                                         bool decoupled, int64_t step) {
    double bc1 = 1.0 - pow((double)beta1, (double)step);
    double bc2 = 1.0 - pow((double)beta2, (double)step);
    adam_constants k;
    k.step_size = (float)(lr / bc1);
    k.inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    k.decay_factor = decoupled ? 1.0f - lr * weight_decay : 1.0f;
    k.l2 = decoupled ? 0.0f : weight_decay;
    return k;
}

void vg_adam_step_ref(float *param, float *m, float *v, const float *grad, int64_t n, float lr,
                      float beta1, float beta2, float eps, float weight_decay, bool decoupled,
                      int64_t step) {
    adam_constants k = adam_constants_for(lr, beta1, beta2, weight_decay, decoupled, step);
    for (int64_t i = 0; i < n; i++) {
        float p = param[i] * k.decay_factor;
        float g = grad[i] + k.l2 * param[i];
        m[i] = beta1 * m[i] + (1.0f - beta1) * g;
        v[i] = beta2 * v[i] + ((1.0f - beta2) * g) * g;
        float denom = sqrtf(v[i]) * k.inv_sqrt_bc2 + eps;
        param[i] = p - k.step_size * (m[i] / denom);
    }
}

/* The same operations in the same order (mul/add, IEEE sqrt and div, no FMA), so the
 * result matches the reference bit for bit. */
VG_AVX512 static void adam_step_avx512(float *param, float *m, float *v, const float *grad,
                                       int64_t n, float beta1, float beta2, float eps,
                                       adam_constants k) {
    const __m512 b1 = _mm512_set1_ps(beta1), b2 = _mm512_set1_ps(beta2);
    const __m512 one_b1 = _mm512_set1_ps(1.0f - beta1), one_b2 = _mm512_set1_ps(1.0f - beta2);
    const __m512 e = _mm512_set1_ps(eps), step_size = _mm512_set1_ps(k.step_size);
    const __m512 inv_sqrt_bc2 = _mm512_set1_ps(k.inv_sqrt_bc2);
    const __m512 decay = _mm512_set1_ps(k.decay_factor), l2 = _mm512_set1_ps(k.l2);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 mask = vg_tail_mask(n - i);
        __m512 p0 = _mm512_maskz_loadu_ps(mask, param + i);
        __m512 g = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, grad + i), _mm512_mul_ps(l2, p0));
        __m512 mi = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_maskz_loadu_ps(mask, m + i)), _mm512_mul_ps(one_b1, g));
        __m512 vi = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_maskz_loadu_ps(mask, v + i)),
                                  _mm512_mul_ps(_mm512_mul_ps(one_b2, g), g));
        __m512 denom = _mm512_add_ps(_mm512_mul_ps(_mm512_sqrt_ps(vi), inv_sqrt_bc2), e);
        __m512 p = _mm512_sub_ps(_mm512_mul_ps(p0, decay), _mm512_mul_ps(step_size, _mm512_div_ps(mi, denom)));
        _mm512_mask_storeu_ps(m + i, mask, mi);
        _mm512_mask_storeu_ps(v + i, mask, vi);
        _mm512_mask_storeu_ps(param + i, mask, p);
    }
}

void vg_adam_step(float *param, float *m, float *v, const float *grad, int64_t n, float lr,
                  float beta1, float beta2, float eps, float weight_decay, bool decoupled,
                  int64_t step) {
    if (n <= 0) return;
    if (vg_cpu_has_avx512())
        adam_step_avx512(param, m, v, grad, n, beta1, beta2, eps,
                         adam_constants_for(lr, beta1, beta2, weight_decay, decoupled, step));
    else vg_adam_step_ref(param, m, v, grad, n, lr, beta1, beta2, eps, weight_decay, decoupled, step);
}
