/*
 * loss.c — losses fused with their gradients: binary cross-entropy on logits, squared error,
 * the Gaussian KL to N(0, I), and the reparameterization z = μ + σ·ε.
 *
 * Sums are returned in double; gradients are scaled by grad_scale (1/B for a batch mean).
 * BCE and squared error run over B × 784 per step, so they have SIMD paths (simd_kernels.h):
 * squared error's gradient matches the reference bit for bit and its sum differs only in
 * summation order; BCE's accuracy is stated in vg_core.h. The latent-sized kernels (B × 32)
 * are scalar.
 */
#include <math.h>

#include "internal.h"
#include "vg_core.h"

/* ------------------------------------------------------------ BCE on logits */

/* loss = max(l,0) − l·t + log(1+e^−|l|): never takes the log of a probability, so it is finite
 * for every finite l. ∂/∂l = sigmoid(l) − t, with sigmoid written through e^−|l| too. */
void vg_bce_logits_ref(double *loss, float *grad, const float *logits, const float *targets,
                       int64_t n, float grad_scale) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        float l = logits[i], t = targets[i];
        float e = expf(-fabsf(l));
        sum += (double)(fmaxf(l, 0.0f) - l * t + log1pf(e));
        if (grad) {
            float r = 1.0f / (1.0f + e);
            float s = l >= 0.0f ? r : e * r;
            grad[i] = grad_scale * (s - t);
        }
    }
    *loss = sum;
}

/* The element-wise losses split over the pool: each chunk's sum, added in chunk order. */
typedef struct loss_job {
    float *grad;
    const float *input, *target;
    float constant_target, grad_scale;
} loss_job;

static double bce_logits_range(void *context, int64_t begin, int64_t end) {
    const loss_job *job = context;
    double sum;
    VG_DISPATCH(vg_bce_logits, &sum, job->grad ? job->grad + begin : NULL, job->input + begin,
                job->target + begin, end - begin, job->grad_scale);
    return sum;
}

void vg_bce_logits(double *loss, float *grad, const float *logits, const float *targets,
                   int64_t n, float grad_scale) {
    loss_job job = {.grad = grad, .input = logits, .target = targets, .grad_scale = grad_scale};
    *loss = vg_parallel_sum(n, VG_ELEMENTWISE_CHUNK, bce_logits_range, &job);
}

void vg_bce_logits_constant(double *loss, float *grad, const float *logits, float target,
                            int64_t n, float grad_scale) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        float l = logits[i];
        float e = expf(-fabsf(l));
        sum += (double)(fmaxf(l, 0.0f) - l * target + log1pf(e));
        if (grad) {
            float r = 1.0f / (1.0f + e);
            grad[i] = grad_scale * ((l >= 0.0f ? r : e * r) - target);
        }
    }
    *loss = sum;
}

/* ------------------------------------------------------------ squared error */

void vg_squared_error_ref(double *loss, float *grad, const float *prediction,
                          const float *target, int64_t n, float grad_scale) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        float d = prediction[i] - target[i];
        sum += (double)d * d;
        if (grad) grad[i] = (2.0f * grad_scale) * d;
    }
    *loss = sum;
}

static double squared_error_range(void *context, int64_t begin, int64_t end) {
    const loss_job *job = context;
    double sum;
    VG_DISPATCH(vg_squared_error, &sum, job->grad ? job->grad + begin : NULL, job->input + begin,
                job->target + begin, end - begin, job->grad_scale);
    return sum;
}

void vg_squared_error(double *loss, float *grad, const float *prediction, const float *target,
                      int64_t n, float grad_scale) {
    loss_job job = {.grad = grad, .input = prediction, .target = target, .grad_scale = grad_scale};
    *loss = vg_parallel_sum(n, VG_ELEMENTWISE_CHUNK, squared_error_range, &job);
}

/* ------------------------------------------------------------ Gaussian KL */

void vg_gaussian_kl(double *kl, float *dmu, float *dlogvar, double *per_dim, const float *mu,
                    const float *logvar, int64_t B, int64_t C, float grad_scale) {
    double sum = 0.0;
    for (int64_t b = 0; b < B; b++)
        for (int64_t c = 0; c < C; c++) {
            int64_t i = b * C + c;
            float m = mu[i], lv = logvar[i], var = expf(lv);
            /* kl = −½ (1 + logvar − μ² − exp(logvar)) */
            double term = -0.5 * (1.0 + (double)lv - (double)m * m - (double)var);
            sum += term;
            if (per_dim) per_dim[c] += term;
            if (dmu) dmu[i] += grad_scale * m;
            if (dlogvar) dlogvar[i] += grad_scale * 0.5f * (var - 1.0f);
        }
    *kl = sum;
}

/* ------------------------------------------------------------ reparameterization */

void vg_reparameterize_forward(float *z, const float *mu, const float *logvar, const float *eps,
                               int64_t n) {
    for (int64_t i = 0; i < n; i++) z[i] = mu[i] + expf(0.5f * logvar[i]) * eps[i];
}

void vg_reparameterize_backward(float *dmu, float *dlogvar, const float *dz, const float *logvar,
                                const float *eps, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        /* z = μ + exp(½ logvar)·ε */
        dmu[i] += dz[i];
        dlogvar[i] += dz[i] * eps[i] * 0.5f * expf(0.5f * logvar[i]);
    }
}
