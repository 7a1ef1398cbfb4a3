/*
 * loss.c — losses fused with their gradients: binary cross-entropy on logits, squared error,
 * the Gaussian KL to N(0, I), and the reparameterization z = μ + σ·ε.
 *
 * Sums are returned in double; gradients are scaled by grad_scale (1/B for a batch mean).
 * The BCE is the hot one (B × 784 per step), so it has an AVX-512 path; the latent-sized
 * kernels (B × 32) are scalar.
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

VG_AVX512 static void bce_logits_avx512(double *loss, float *grad, const float *logits,
                                        const float *targets, int64_t n, float grad_scale) {
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
    const __m512 scale = _mm512_set1_ps(grad_scale);
    __m512d sum_lo = _mm512_setzero_pd(), sum_hi = _mm512_setzero_pd();
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 m = vg_tail_mask(n - i);
        __m512 l = _mm512_maskz_loadu_ps(m, logits + i), t = _mm512_maskz_loadu_ps(m, targets + i);
        __m512 e = vg_exp512(_mm512_sub_ps(zero, _mm512_abs_ps(l)));
        __m512 value = _mm512_add_ps(_mm512_sub_ps(_mm512_max_ps(l, zero), _mm512_mul_ps(l, t)),
                                     vg_log1p_unit512(e));
        vg_accumulate_pd(&sum_lo, &sum_hi, _mm512_maskz_mov_ps(m, value));
        if (grad) {
            __m512 r = _mm512_div_ps(one, _mm512_add_ps(one, e));
            __m512 s = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(l, zero, _CMP_GE_OQ), _mm512_mul_ps(e, r), r);
            _mm512_mask_storeu_ps(grad + i, m, _mm512_mul_ps(scale, _mm512_sub_ps(s, t)));
        }
    }
    *loss = _mm512_reduce_add_pd(_mm512_add_pd(sum_lo, sum_hi));
}

void vg_bce_logits(double *loss, float *grad, const float *logits, const float *targets,
                   int64_t n, float grad_scale) {
    if (n <= 0) { *loss = 0.0; return; }
    if (vg_cpu_has_avx512()) bce_logits_avx512(loss, grad, logits, targets, n, grad_scale);
    else vg_bce_logits_ref(loss, grad, logits, targets, n, grad_scale);
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

/* Gradients match the reference bit for bit; the sum differs only in summation order. */
VG_AVX512 static void squared_error_avx512(double *loss, float *grad, const float *prediction,
                                           const float *target, int64_t n, float grad_scale) {
    const __m512 scale = _mm512_set1_ps(2.0f * grad_scale);
    __m512d sum_lo = _mm512_setzero_pd(), sum_hi = _mm512_setzero_pd();
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 m = vg_tail_mask(n - i);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, prediction + i), _mm512_maskz_loadu_ps(m, target + i));
        __m512d dlo = _mm512_cvtps_pd(_mm512_castps512_ps256(d));
        __m512d dhi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(d), 1)));
        sum_lo = _mm512_add_pd(sum_lo, _mm512_mul_pd(dlo, dlo));
        sum_hi = _mm512_add_pd(sum_hi, _mm512_mul_pd(dhi, dhi));
        if (grad) _mm512_mask_storeu_ps(grad + i, m, _mm512_mul_ps(scale, d));
    }
    *loss = _mm512_reduce_add_pd(_mm512_add_pd(sum_lo, sum_hi));
}

void vg_squared_error(double *loss, float *grad, const float *prediction, const float *target,
                      int64_t n, float grad_scale) {
    if (n <= 0) { *loss = 0.0; return; }
    if (vg_cpu_has_avx512()) squared_error_avx512(loss, grad, prediction, target, n, grad_scale);
    else vg_squared_error_ref(loss, grad, prediction, target, n, grad_scale);
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
