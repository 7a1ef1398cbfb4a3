/*
 * batchnorm.c — batch normalization (Ioffe & Szegedy 2015) over channels, forward in training
 * and evaluation mode and backward, beside references in double.
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
 * Sums are accumulated in double, channel by channel, in a fixed order; channels are split over
 * the thread pool in chunks, so results do not depend on the thread count.
 */
#include <math.h>

#include "internal.h"
#include "vg_core.h"

typedef struct batchnorm_job {
    float *y, *dx, *dgamma, *dbeta, *saved_mean, *saved_rstd, *running_mean, *running_var;
    const float *x, *dy, *gamma, *beta, *mean, *rstd;
    int64_t B, C, S;
    float momentum, eps, dx_beta;
} batchnorm_job;

/* The element (b, c, s) of a (B, C, S) tensor. */
static inline int64_t at(const batchnorm_job *j, int64_t b, int64_t c, int64_t s) {
    return (b * j->C + c) * j->S + s;
}

static void forward_train_channels(void *context, int64_t begin, int64_t end) {
    const batchnorm_job *j = context;
    double n = (double)(j->B * j->S);
    for (int64_t c = begin; c < end; c++) {
        double sum = 0.0;
        for (int64_t b = 0; b < j->B; b++)
            for (int64_t s = 0; s < j->S; s++) sum += j->x[at(j, b, c, s)];
        double mean = sum / n, squares = 0.0;
        for (int64_t b = 0; b < j->B; b++)
            for (int64_t s = 0; s < j->S; s++) {
                double d = j->x[at(j, b, c, s)] - mean;
                squares += d * d;
            }
        double variance = squares / n;
        float rstd = (float)(1.0 / sqrt(variance + j->eps));
        float scale = (j->gamma ? j->gamma[c] : 1.0f) * rstd, shift = j->beta ? j->beta[c] : 0.0f;
        float m = (float)mean;
        for (int64_t b = 0; b < j->B; b++)
            for (int64_t s = 0; s < j->S; s++) {
                int64_t i = at(j, b, c, s);
                j->y[i] = (j->x[i] - m) * scale + shift;
            }
        j->saved_mean[c] = m;
        j->saved_rstd[c] = rstd;
        if (j->running_mean) {
            double unbiased = n > 1 ? squares / (n - 1) : variance;
            j->running_mean[c] = (float)((1.0 - j->momentum) * j->running_mean[c] + j->momentum * mean);
            j->running_var[c] = (float)((1.0 - j->momentum) * j->running_var[c] + j->momentum * unbiased);
        }
    }
}

static void forward_eval_channels(void *context, int64_t begin, int64_t end) {
    const batchnorm_job *j = context;
    for (int64_t c = begin; c < end; c++) {
        float rstd = (float)(1.0 / sqrt((double)j->running_var[c] + j->eps));
        float scale = (j->gamma ? j->gamma[c] : 1.0f) * rstd, shift = j->beta ? j->beta[c] : 0.0f;
        float m = j->running_mean[c];
        for (int64_t b = 0; b < j->B; b++)
            for (int64_t s = 0; s < j->S; s++) {
                int64_t i = at(j, b, c, s);
                j->y[i] = (j->x[i] - m) * scale + shift;
            }
    }
}

static void backward_channels(void *context, int64_t begin, int64_t end) {
    const batchnorm_job *j = context;
    double n = (double)(j->B * j->S);
    for (int64_t c = begin; c < end; c++) {
        double m = j->mean[c], r = j->rstd[c], sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int64_t b = 0; b < j->B; b++)
            for (int64_t s = 0; s < j->S; s++) {
                int64_t i = at(j, b, c, s);
                sum_dy += j->dy[i];
                sum_dy_xhat += j->dy[i] * ((j->x[i] - m) * r);
            }
        if (j->dbeta) j->dbeta[c] += (float)sum_dy;
        if (j->dgamma) j->dgamma[c] += (float)sum_dy_xhat;
        if (!j->dx) continue;
        /* y = γ·x̂ + β with x̂ = (x − μ)·rstd, μ and rstd functions of the whole channel */
        double g = (j->gamma ? j->gamma[c] : 1.0) * r, mean_dy = sum_dy / n, mean_dy_xhat = sum_dy_xhat / n;
        for (int64_t b = 0; b < j->B; b++)
            for (int64_t s = 0; s < j->S; s++) {
                int64_t i = at(j, b, c, s);
                double xhat = (j->x[i] - m) * r;
                float value = (float)(g * (j->dy[i] - mean_dy - xhat * mean_dy_xhat));
                j->dx[i] = j->dx_beta == 0.0f ? value : j->dx_beta * j->dx[i] + value;
            }
    }
}

/* Channels per chunk: about VG_ELEMENTWISE_CHUNK elements each. */
static int64_t channel_chunk(int64_t B, int64_t S) {
    int64_t per_channel = B * S;
    return per_channel >= VG_ELEMENTWISE_CHUNK ? 1 : VG_ELEMENTWISE_CHUNK / per_channel;
}

static vg_status check(const char *what, int64_t B, int64_t C, int64_t S, float eps) {
    if (B <= 0 || C <= 0 || S <= 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "%s: sizes must be positive (B=%lld, C=%lld, S=%lld)",
                             what, (long long)B, (long long)C, (long long)S);
    if (!(eps > 0.0f)) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "%s: ε must be positive", what);
    return VG_OK;
}

vg_status vg_batchnorm_forward_train(float *y, float *saved_mean, float *saved_rstd,
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
    vg_parallel_for(C, channel_chunk(B, S), forward_train_channels, &job);
    return VG_OK;
}

vg_status vg_batchnorm_forward_eval(float *y, const float *x, const float *gamma, const float *beta,
                                    const float *running_mean, const float *running_var, int64_t B,
                                    int64_t C, int64_t S, float eps) {
    vg_status status = check("batch norm forward", B, C, S, eps);
    if (status != VG_OK) return status;
    if (!y || !x || !running_mean || !running_var)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "batch norm forward: NULL buffer");
    batchnorm_job job = {.y = y, .x = x, .gamma = gamma, .beta = beta,
                         .running_mean = (float *)running_mean, .running_var = (float *)running_var,
                         .B = B, .C = C, .S = S, .eps = eps};
    vg_parallel_for(C, channel_chunk(B, S), forward_eval_channels, &job);
    return VG_OK;
}

vg_status vg_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                                const float *x, const float *saved_mean, const float *saved_rstd,
                                const float *gamma, int64_t B, int64_t C, int64_t S, float dx_beta) {
    vg_status status = check("batch norm backward", B, C, S, 1.0f);
    if (status != VG_OK) return status;
    if (!dy || !x || !saved_mean || !saved_rstd)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "batch norm backward: NULL buffer");
    batchnorm_job job = {.dx = dx, .dgamma = dgamma, .dbeta = dbeta, .dy = dy, .x = x,
                         .mean = saved_mean, .rstd = saved_rstd, .gamma = gamma, .B = B, .C = C,
                         .S = S, .dx_beta = dx_beta};
    vg_parallel_for(C, channel_chunk(B, S), backward_channels, &job);
    return VG_OK;
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
