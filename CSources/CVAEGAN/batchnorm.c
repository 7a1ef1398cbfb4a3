/*
 * batchnorm.c — batch normalization (Ioffe & Szegedy 2015) over channels, forward in training
 * and evaluation mode and backward, beside references in double. The passes over channels are
 * in batchnorm_passes.h, built once per instruction set; here are the checks, the choice of
 * build, the split over the pool and the references.
 *
 * x is (B, C, S): S = H·W after a convolution (BatchNorm2d), S = 1 after a dense layer
 * (BatchNorm1d). Statistics are per channel c over its N = B·S values, as PyTorch's:
 *   training:   μ = mean, σ² = biased variance;  y = γ·(x − μ)·rstd + β,  rstd = 1/sqrt(σ² + ε);
 *               running_mean = (1 − m)·running_mean + m·μ,
 *               running_var  = (1 − m)·running_var  + m·σ²·N/(N − 1)   (unbiased; m = momentum)
 *   evaluation: y = γ·(x − running_mean)/sqrt(running_var + ε) + β.
 * The backward (training mode), with x̂ = (x − μ)·rstd:
 *   dβ += Σ dy,  dγ += Σ dy·x̂,  dx = γ·rstd·(dy − Σdy/N − x̂·Σ(dy·x̂)/N).
 * The forward saves μ and rstd per channel for it (saved_mean, saved_rstd).
 *
 * Sums are accumulated in double, channel by channel, in a fixed order (a few interleaved
 * partial sums per channel, so the additions do not wait on each other); channels are split
 * over the thread pool in chunks, so results do not depend on the thread count.
 */
#include <math.h>

#include "internal.h"
#include "vg_core.h"

#define VG_TARGET
#define VG_NAME(name) name##_baseline
#include "batchnorm_passes.h"

/* The three passes in the widest instruction set this CPU runs (the same bits in each). */
typedef struct batchnorm_pass_set {
    vg_range_fn forward_train, forward_eval, backward;
} batchnorm_pass_set;

#define VG_PASS_SET(suffix)                                                                    \
    (batchnorm_pass_set) {                                                                     \
        vg_batchnorm_forward_train_pass_##suffix, vg_batchnorm_forward_eval_pass_##suffix,     \
            vg_batchnorm_backward_pass_##suffix                                                \
    }

static batchnorm_pass_set passes_for_cpu(void) {
    switch (vg_simd_level()) {
    case VG_SIMD_AVX512: return VG_PASS_SET(avx512);
    case VG_SIMD_AVX2: return VG_PASS_SET(avx2);
    default: return VG_PASS_SET(baseline);
    }
}
#undef VG_PASS_SET

/* Channels per task: about VG_ELEMENTWISE_CHUNK elements each, and see below. */
static int64_t channel_chunk(int64_t B, int64_t C, int64_t S) {
    int64_t chunk = vg_items_per_task(B * S);
    /* With S > 1 a channel is B runs of S floats, each beside the next channel's: tasks of few
     * channels would have two threads writing where their runs meet, at the same b, at the
     * same time. At most 8 tasks keep those meeting points few. */
    int64_t eighth = (C + 7) / 8;
    return S > 1 && chunk < eighth ? eighth : chunk;
}

static vg_status check(const char *what, int64_t B, int64_t C, int64_t S, float eps) {
    if (B <= 0 || C <= 0 || S <= 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "%s: sizes must be positive (B=%lld, C=%lld, S=%lld)",
                             what, (long long)B, (long long)C, (long long)S);
    if (!(eps > 0.0f)) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "%s: ε must be positive", what);
    return VG_OK;
}

static vg_status forward_train(vg_range_fn pass, float *y, float *saved_mean, float *saved_rstd,
                               float *running_mean, float *running_var, const float *x,
                               const float *gamma, const float *beta, int64_t B, int64_t C,
                               int64_t S, float momentum, float eps) {
    vg_status status = check("batch norm forward", B, C, S, eps);
    if (status != VG_OK) return status;
    if (!y || !x || !saved_mean || !saved_rstd || (!running_mean != !running_var))
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "batch norm forward: NULL buffer");
    if (B * S < 2)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT,
                             "batch norm forward: training needs more than one value per channel (B·S = %lld), as PyTorch does",
                             (long long)(B * S));
    batchnorm_job job = {.y = y, .saved_mean = saved_mean, .saved_rstd = saved_rstd,
                         .running_mean = running_mean, .running_var = running_var, .x = x,
                         .gamma = gamma, .beta = beta, .B = B, .C = C, .S = S,
                         .momentum = momentum, .eps = eps};
    vg_parallel_for(C, channel_chunk(B, C, S), pass, &job);
    return VG_OK;
}

static vg_status forward_eval(vg_range_fn pass, float *y, const float *x, const float *gamma,
                              const float *beta, const float *running_mean, const float *running_var,
                              int64_t B, int64_t C, int64_t S, float eps) {
    vg_status status = check("batch norm forward", B, C, S, eps);
    if (status != VG_OK) return status;
    if (!y || !x || !running_mean || !running_var)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "batch norm forward: NULL buffer");
    batchnorm_job job = {.y = y, .x = x, .gamma = gamma, .beta = beta,
                         .running_mean = (float *)running_mean, .running_var = (float *)running_var,
                         .B = B, .C = C, .S = S, .eps = eps};
    vg_parallel_for(C, channel_chunk(B, C, S), pass, &job);
    return VG_OK;
}

static vg_status backward(vg_range_fn pass, float *dx, float *dgamma, float *dbeta, const float *dy,
                          const float *x, const float *saved_mean, const float *saved_rstd,
                          const float *gamma, int64_t B, int64_t C, int64_t S, float dx_beta) {
    vg_status status = check("batch norm backward", B, C, S, 1.0f);
    if (status != VG_OK) return status;
    if (!dy || !x || !saved_mean || !saved_rstd)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "batch norm backward: NULL buffer");
    batchnorm_job job = {.dx = dx, .dgamma = dgamma, .dbeta = dbeta, .dy = dy, .x = x,
                         .mean = saved_mean, .rstd = saved_rstd, .gamma = gamma, .B = B, .C = C,
                         .S = S, .dx_beta = dx_beta};
    vg_parallel_for(C, channel_chunk(B, C, S), pass, &job);
    return VG_OK;
}

vg_status vg_batchnorm_forward_train(float *y, float *saved_mean, float *saved_rstd,
                                     float *running_mean, float *running_var, const float *x,
                                     const float *gamma, const float *beta, int64_t B, int64_t C,
                                     int64_t S, float momentum, float eps) {
    return forward_train(passes_for_cpu().forward_train, y, saved_mean, saved_rstd, running_mean,
                         running_var, x, gamma, beta, B, C, S, momentum, eps);
}

vg_status vg_batchnorm_forward_eval(float *y, const float *x, const float *gamma, const float *beta,
                                    const float *running_mean, const float *running_var, int64_t B,
                                    int64_t C, int64_t S, float eps) {
    return forward_eval(passes_for_cpu().forward_eval, y, x, gamma, beta, running_mean, running_var, B, C,
                        S, eps);
}

vg_status vg_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                                const float *x, const float *saved_mean, const float *saved_rstd,
                                const float *gamma, int64_t B, int64_t C, int64_t S, float dx_beta) {
    return backward(passes_for_cpu().backward, dx, dgamma, dbeta, dy, x, saved_mean, saved_rstd, gamma, B,
                    C, S, dx_beta);
}

vg_status vg_batchnorm_forward_train_baseline(float *y, float *saved_mean, float *saved_rstd,
                                              float *running_mean, float *running_var,
                                              const float *x, const float *gamma,
                                              const float *beta, int64_t B, int64_t C, int64_t S,
                                              float momentum, float eps) {
    return forward_train(vg_batchnorm_forward_train_pass_baseline, y, saved_mean, saved_rstd,
                         running_mean, running_var, x, gamma, beta, B, C, S, momentum, eps);
}

vg_status vg_batchnorm_forward_eval_baseline(float *y, const float *x, const float *gamma,
                                             const float *beta, const float *running_mean,
                                             const float *running_var, int64_t B, int64_t C,
                                             int64_t S, float eps) {
    return forward_eval(vg_batchnorm_forward_eval_pass_baseline, y, x, gamma, beta, running_mean,
                        running_var, B, C, S, eps);
}

vg_status vg_batchnorm_backward_baseline(float *dx, float *dgamma, float *dbeta, const float *dy,
                                         const float *x, const float *saved_mean,
                                         const float *saved_rstd, const float *gamma, int64_t B,
                                         int64_t C, int64_t S, float dx_beta) {
    return backward(vg_batchnorm_backward_pass_baseline, dx, dgamma, dbeta, dy, x, saved_mean,
                    saved_rstd, gamma, B, C, S, dx_beta);
}

/* ------------------------------------------------------------ references */

/* The same formulas written straight, everything in double, one channel after another. */
void vg_batchnorm_forward_train_ref(float *y, float *saved_mean, float *saved_rstd,
                                    float *running_mean, float *running_var, const float *x,
                                    const float *gamma, const float *beta, int64_t B, int64_t C,
                                    int64_t S, float momentum, float eps) {
    double n = (double)(B * S);
    for (int64_t c = 0; c < C; c++) {
        double sum = 0.0, squares = 0.0;
        for (int64_t b = 0; b < B; b++)
            for (int64_t s = 0; s < S; s++) sum += x[(b * C + c) * S + s];
        double mean = sum / n;
        for (int64_t b = 0; b < B; b++)
            for (int64_t s = 0; s < S; s++) {
                double d = x[(b * C + c) * S + s] - mean;
                squares += d * d;
            }
        double rstd = 1.0 / sqrt(squares / n + eps);
        for (int64_t b = 0; b < B; b++)
            for (int64_t s = 0; s < S; s++) {
                int64_t i = (b * C + c) * S + s;
                y[i] = (float)((gamma ? gamma[c] : 1.0) * (x[i] - mean) * rstd + (beta ? beta[c] : 0.0));
            }
        saved_mean[c] = (float)mean;
        saved_rstd[c] = (float)rstd;
        if (running_mean) {
            running_mean[c] = (float)((1.0 - momentum) * running_mean[c] + momentum * mean);
            running_var[c] = (float)((1.0 - momentum) * running_var[c] + momentum * squares / (n - 1));
        }
    }
}

void vg_batchnorm_backward_ref(float *dx, float *dgamma, float *dbeta, const float *dy,
                               const float *x, const float *saved_mean, const float *saved_rstd,
                               const float *gamma, int64_t B, int64_t C, int64_t S, float dx_beta) {
    double n = (double)(B * S);
    for (int64_t c = 0; c < C; c++) {
        double m = saved_mean[c], r = saved_rstd[c], sdy = 0.0, sdyx = 0.0;
        for (int64_t b = 0; b < B; b++)
            for (int64_t s = 0; s < S; s++) {
                int64_t i = (b * C + c) * S + s;
                sdy += dy[i];
                sdyx += dy[i] * (x[i] - m) * r;
            }
        if (dbeta) dbeta[c] += (float)sdy;
        if (dgamma) dgamma[c] += (float)sdyx;
        if (!dx) continue;
        for (int64_t b = 0; b < B; b++)
            for (int64_t s = 0; s < S; s++) {
                int64_t i = (b * C + c) * S + s;
                double xhat = (x[i] - m) * r;
                double value = (gamma ? gamma[c] : 1.0) * r * (dy[i] - sdy / n - xhat * sdyx / n);
                dx[i] = (float)(value + (dx_beta == 0.0f ? 0.0 : (double)dx_beta * dx[i]));
            }
    }
}
