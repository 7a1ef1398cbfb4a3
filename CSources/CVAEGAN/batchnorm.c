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
 * Sums are accumulated in double, channel by channel, in a fixed order (a few interleaved
 * partial sums per channel, so the additions do not wait on each other); channels are split
 * over the thread pool in chunks, so results do not depend on the thread count.
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

/* Sums over one channel's B runs of S values in VG_BN_LANES interleaved partial sums (lane
 * k takes positions s ≡ k mod lanes of every run), then the lanes in order: independent chains
 * instead of one long dependent one, in an order fixed by the shape alone. The sums run in
 * double, so the regrouping costs no accuracy that matters. */
#define VG_BN_LANES 4

static double lanes_total(const double lane[VG_BN_LANES]) {
    double total = 0.0;
    for (int k = 0; k < VG_BN_LANES; k++) total += lane[k];
    return total;
}

/* Σ x and then Σ (x − mean)² over channel c. */
static double channel_sum(const batchnorm_job *j, int64_t c) {
    double lane[VG_BN_LANES] = {0};
    for (int64_t b = 0; b < j->B; b++) {
        const float *x = j->x + at(j, b, c, 0);
        int64_t s = 0;
        for (; s + VG_BN_LANES <= j->S; s += VG_BN_LANES)
            for (int k = 0; k < VG_BN_LANES; k++) lane[k] += x[s + k];
        for (; s < j->S; s++) lane[s % VG_BN_LANES] += x[s];
    }
    return lanes_total(lane);
}

static double channel_squares(const batchnorm_job *j, int64_t c, double mean) {
    double lane[VG_BN_LANES] = {0};
    for (int64_t b = 0; b < j->B; b++) {
        const float *x = j->x + at(j, b, c, 0);
        int64_t s = 0;
        for (; s + VG_BN_LANES <= j->S; s += VG_BN_LANES)
            for (int k = 0; k < VG_BN_LANES; k++) {
                double d = x[s + k] - mean;
                lane[k] += d * d;
            }
        for (; s < j->S; s++) {
            double d = x[s] - mean;
            lane[s % VG_BN_LANES] += d * d;
        }
    }
    return lanes_total(lane);
}

/* The statistics of channel c from its Σ and Σ(x − μ)²: y, saved μ and rstd, running ones. */
static void finish_channel_forward(const batchnorm_job *j, int64_t c, double mean, double squares) {
    double n = (double)(j->B * j->S);
    double variance = squares / n;
    float rstd = (float)(1.0 / sqrt(variance + j->eps));
    float scale = (j->gamma ? j->gamma[c] : 1.0f) * rstd, shift = j->beta ? j->beta[c] : 0.0f;
    float m = (float)mean;
    j->saved_mean[c] = m;
    j->saved_rstd[c] = rstd;
    if (j->running_mean) {
        double unbiased = n > 1 ? squares / (n - 1) : variance;
        j->running_mean[c] = (float)((1.0 - j->momentum) * j->running_mean[c] + j->momentum * mean);
        j->running_var[c] = (float)((1.0 - j->momentum) * j->running_var[c] + j->momentum * unbiased);
    }
    if (j->S == 1) return; /* the features' path normalizes row by row */
    for (int64_t b = 0; b < j->B; b++) {
        const float *x = j->x + at(j, b, c, 0);
        float *y = j->y + at(j, b, c, 0);
        for (int64_t s = 0; s < j->S; s++) y[s] = (x[s] - m) * scale + shift;
    }
}

/* Features (S = 1: BatchNorm1d) are read row by row, a block of features at a time, so every
 * access is contiguous; each feature's sums still run over b in order. */
#define VG_BN_FEATURE_BLOCK 256

static void forward_train_features(const batchnorm_job *j, int64_t begin, int64_t end) {
    double sum[VG_BN_FEATURE_BLOCK], squares[VG_BN_FEATURE_BLOCK], mean[VG_BN_FEATURE_BLOCK];
    for (int64_t c0 = begin; c0 < end; c0 += VG_BN_FEATURE_BLOCK) {
        int64_t w = end - c0 < VG_BN_FEATURE_BLOCK ? end - c0 : VG_BN_FEATURE_BLOCK;
        for (int64_t c = 0; c < w; c++) sum[c] = squares[c] = 0.0;
        for (int64_t b = 0; b < j->B; b++) {
            const float *x = j->x + b * j->C + c0;
            for (int64_t c = 0; c < w; c++) sum[c] += x[c];
        }
        for (int64_t c = 0; c < w; c++) mean[c] = sum[c] / (double)j->B;
        for (int64_t b = 0; b < j->B; b++) {
            const float *x = j->x + b * j->C + c0;
            for (int64_t c = 0; c < w; c++) {
                double d = x[c] - mean[c];
                squares[c] += d * d;
            }
        }
        for (int64_t c = 0; c < w; c++) finish_channel_forward(j, c0 + c, mean[c], squares[c]);
        for (int64_t b = 0; b < j->B; b++) {
            const float *x = j->x + b * j->C + c0;
            float *y = j->y + b * j->C + c0;
            for (int64_t c = 0; c < w; c++) {
                float rstd = j->saved_rstd[c0 + c], m = j->saved_mean[c0 + c];
                float scale = (j->gamma ? j->gamma[c0 + c] : 1.0f) * rstd, shift = j->beta ? j->beta[c0 + c] : 0.0f;
                y[c] = (x[c] - m) * scale + shift;
            }
        }
    }
}

static void forward_train_channels(void *context, int64_t begin, int64_t end) {
    const batchnorm_job *j = context;
    if (j->S == 1) {
        forward_train_features(j, begin, end);
        return;
    }
    double n = (double)(j->B * j->S);
    for (int64_t c = begin; c < end; c++) {
        double mean = channel_sum(j, c) / n;
        finish_channel_forward(j, c, mean, channel_squares(j, c, mean));
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

/* What dx of channel c needs (y = γ·x̂ + β with x̂ = (x − μ)·rstd, μ and rstd functions of
 * the whole channel): dx = g·(dy − mean_dy − x̂·mean_dy_xhat), g = γ·rstd. */
typedef struct channel_gradient {
    double mean, rstd, g, mean_dy, mean_dy_xhat;
} channel_gradient;

static channel_gradient gradient_of(const batchnorm_job *j, int64_t c, double sum_dy, double sum_dy_xhat) {
    double n = (double)(j->B * j->S), r = j->rstd[c];
    return (channel_gradient){j->mean[c], r, (j->gamma ? j->gamma[c] : 1.0) * r, sum_dy / n, sum_dy_xhat / n};
}

/* dx for `count` consecutive elements of one channel starting at flat index i0. */
static inline void input_gradient(const batchnorm_job *j, const channel_gradient *k, int64_t i0, int64_t count) {
    for (int64_t i = i0; i < i0 + count; i++) {
        double xhat = (j->x[i] - k->mean) * k->rstd;
        float value = (float)(k->g * (j->dy[i] - k->mean_dy - xhat * k->mean_dy_xhat));
        j->dx[i] = j->dx_beta == 0.0f ? value : j->dx_beta * j->dx[i] + value;
    }
}

static void backward_features(const batchnorm_job *j, int64_t begin, int64_t end) {
    double sum_dy[VG_BN_FEATURE_BLOCK], sum_dy_xhat[VG_BN_FEATURE_BLOCK];
    for (int64_t c0 = begin; c0 < end; c0 += VG_BN_FEATURE_BLOCK) {
        int64_t w = end - c0 < VG_BN_FEATURE_BLOCK ? end - c0 : VG_BN_FEATURE_BLOCK;
        for (int64_t c = 0; c < w; c++) sum_dy[c] = sum_dy_xhat[c] = 0.0;
        for (int64_t b = 0; b < j->B; b++) {
            const float *x = j->x + b * j->C + c0, *dy = j->dy + b * j->C + c0;
            for (int64_t c = 0; c < w; c++) {
                sum_dy[c] += dy[c];
                sum_dy_xhat[c] += dy[c] * ((x[c] - (double)j->mean[c0 + c]) * j->rstd[c0 + c]);
            }
        }
        for (int64_t c = 0; c < w; c++) {
            if (j->dbeta) j->dbeta[c0 + c] += (float)sum_dy[c];
            if (j->dgamma) j->dgamma[c0 + c] += (float)sum_dy_xhat[c];
        }
        if (!j->dx) continue;
        channel_gradient k[VG_BN_FEATURE_BLOCK];
        for (int64_t c = 0; c < w; c++) k[c] = gradient_of(j, c0 + c, sum_dy[c], sum_dy_xhat[c]);
        for (int64_t b = 0; b < j->B; b++)
            for (int64_t c = 0; c < w; c++) input_gradient(j, &k[c], b * j->C + c0 + c, 1);
    }
}

static void backward_channels(void *context, int64_t begin, int64_t end) {
    const batchnorm_job *j = context;
    if (j->S == 1) {
        backward_features(j, begin, end);
        return;
    }
    for (int64_t c = begin; c < end; c++) {
        double m = j->mean[c], r = j->rstd[c];
        double lane_dy[VG_BN_LANES] = {0}, lane_dy_xhat[VG_BN_LANES] = {0};
        for (int64_t b = 0; b < j->B; b++) {
            const float *x = j->x + at(j, b, c, 0), *dy = j->dy + at(j, b, c, 0);
            int64_t s = 0;
            for (; s + VG_BN_LANES <= j->S; s += VG_BN_LANES)
                for (int k = 0; k < VG_BN_LANES; k++) {
                    lane_dy[k] += dy[s + k];
                    lane_dy_xhat[k] += dy[s + k] * ((x[s + k] - m) * r);
                }
            for (; s < j->S; s++) {
                lane_dy[s % VG_BN_LANES] += dy[s];
                lane_dy_xhat[s % VG_BN_LANES] += dy[s] * ((x[s] - m) * r);
            }
        }
        double sum_dy = lanes_total(lane_dy), sum_dy_xhat = lanes_total(lane_dy_xhat);
        if (j->dbeta) j->dbeta[c] += (float)sum_dy;
        if (j->dgamma) j->dgamma[c] += (float)sum_dy_xhat;
        if (!j->dx) continue;
        channel_gradient k = gradient_of(j, c, sum_dy, sum_dy_xhat);
        for (int64_t b = 0; b < j->B; b++) input_gradient(j, &k, at(j, b, c, 0), j->S);
    }
}

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
    vg_parallel_for(C, channel_chunk(B, C, S), forward_train_channels, &job);
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
    vg_parallel_for(C, channel_chunk(B, C, S), forward_eval_channels, &job);
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
    vg_parallel_for(C, channel_chunk(B, C, S), backward_channels, &job);
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
