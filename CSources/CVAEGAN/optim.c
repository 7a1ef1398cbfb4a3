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
static vg_adam_constants adam_constants_for(float lr, float beta1, float beta2, float eps,
                                            float weight_decay, bool decoupled, int64_t step) {
    double bc1 = 1.0 - pow((double)beta1, (double)step);
    double bc2 = 1.0 - pow((double)beta2, (double)step);
    vg_adam_constants k;
    k.beta1 = beta1;
    k.beta2 = beta2;
    k.eps = eps;
    k.step_size = (float)(lr / bc1);
    k.inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    k.decay_factor = decoupled ? 1.0f - lr * weight_decay : 1.0f;
    k.l2 = decoupled ? 0.0f : weight_decay;
    return k;
}

/* One pass with the constants fixed: the reference for the SIMD vg_adam_update kernels. */
static void vg_adam_update_ref(float *param, float *m, float *v, const float *grad, int64_t n,
                               const vg_adam_constants *k) {
    for (int64_t i = 0; i < n; i++) {
        float p = param[i] * k->decay_factor;
        float g = grad[i] + k->l2 * param[i];
        m[i] = k->beta1 * m[i] + (1.0f - k->beta1) * g;
        v[i] = k->beta2 * v[i] + ((1.0f - k->beta2) * g) * g;
        float denom = sqrtf(v[i]) * k->inv_sqrt_bc2 + k->eps;
        param[i] = p - k->step_size * (m[i] / denom);
    }
}

void vg_adam_step_ref(float *param, float *m, float *v, const float *grad, int64_t n, float lr,
                      float beta1, float beta2, float eps, float weight_decay, bool decoupled,
                      int64_t step) {
    vg_adam_constants k = adam_constants_for(lr, beta1, beta2, eps, weight_decay, decoupled, step);
    vg_adam_update_ref(param, m, v, grad, n, &k);
}

typedef struct adam_job {
    float *param, *m, *v;
    const float *grad;
    const vg_adam_constants *constants;
} adam_job;

static void adam_range(void *context, int64_t begin, int64_t end) {
    const adam_job *job = context;
    VG_DISPATCH(vg_adam_update, job->param + begin, job->m + begin, job->v + begin,
                job->grad + begin, end - begin, job->constants);
}

/* Element by element, so splitting the pass over the pool changes nothing in the result. */
void vg_adam_step(float *param, float *m, float *v, const float *grad, int64_t n, float lr,
                  float beta1, float beta2, float eps, float weight_decay, bool decoupled,
                  int64_t step) {
    if (n <= 0) return;
    vg_adam_constants k = adam_constants_for(lr, beta1, beta2, eps, weight_decay, decoupled, step);
    adam_job job = {param, m, v, grad, &k};
    vg_parallel_for(n, VG_ELEMENTWISE_CHUNK, adam_range, &job);
}

/* ------------------------------------------------------------ exponential moving average */

/* average = decay·average + (1 − decay)·value, element by element (Yazıcı et al. 2019's EMA of
 * generator weights). No transcendental functions: the compiler vectorizes the reference. */
void vg_ema_update_ref(float *average, const float *value, int64_t n, float decay) {
    float keep = decay, take = 1.0f - decay;
    for (int64_t i = 0; i < n; i++) average[i] = keep * average[i] + take * value[i];
}

typedef struct ema_job {
    float *average;
    const float *value;
    float decay;
} ema_job;

static void ema_range(void *context, int64_t begin, int64_t end) {
    const ema_job *job = context;
    vg_ema_update_ref(job->average + begin, job->value + begin, end - begin, job->decay);
}

/* The same pass split over the pool: each element alone, so the result is the reference's. */
void vg_ema_update(float *average, const float *value, int64_t n, float decay) {
    if (n <= 0) return;
    ema_job job = {average, value, decay};
    vg_parallel_for(n, VG_ELEMENTWISE_CHUNK, ema_range, &job);
}
