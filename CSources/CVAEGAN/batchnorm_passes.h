/*
 * batchnorm_passes.h — batch normalization's passes over channels (batchnorm.c says what they
 * compute), written once and compiled once per instruction set: batchnorm.c includes this
 * file for baseline x86-64 (VG_NAME(name) = name##_baseline), simd_avx2.c and simd_avx512.c
 * for theirs. There the compiler vectorizes the same loops wider (the baseline's SSE2 does
 * two doubles at a time); the operations and their order are the same, and FP_CONTRACT is
 * off (no fused multiply-adds), so every set gives the same bits. batchnorm.c picks one per
 * call (vg_simd_level). No include guard: each of those files includes it once.
 */
#pragma STDC FP_CONTRACT OFF
/* The pragma is the guarantee; these flags would override it (and GCC ignores it). */
#if defined(__FAST_MATH__) || !defined(__clang__)
#error "batchnorm_passes.h needs clang without -ffast-math: its builds must give the same bits"
#endif

#include <math.h>

#include "internal.h"

typedef struct batchnorm_job {
    float *y, *dx, *dgamma, *dbeta, *saved_mean, *saved_rstd, *running_mean, *running_var;
    const float *x, *dy, *gamma, *beta, *mean, *rstd;
    int64_t B, C, S;
    float momentum, eps, dx_beta;
} batchnorm_job;

/* The element (b, c, s) of a (B, C, S) tensor. */
VG_TARGET static inline int64_t at(const batchnorm_job *j, int64_t b, int64_t c, int64_t s) {
    return (b * j->C + c) * j->S + s;
}

/* Sums over one channel's B runs of S values in VG_BN_LANES interleaved partial sums (lane
 * k takes positions s ≡ k mod lanes of every run), then the lanes in order: independent chains
 * instead of one long dependent one, in an order fixed by the shape alone. The sums run in
 * double, so the regrouping costs no accuracy that matters. Lanes are only ever indexed by
 * constants (the tails too), so they stay in registers. */
#define VG_BN_LANES 4

VG_TARGET static inline double lanes_total(const double lane[VG_BN_LANES]) {
    double total = 0.0;
    for (int k = 0; k < VG_BN_LANES; k++) total += lane[k];
    return total;
}

/* Σ x and then Σ (x − mean)² over channel c. */
VG_TARGET static inline double channel_sum(const batchnorm_job *j, int64_t c) {
    double lane[VG_BN_LANES] = {0};
    for (int64_t b = 0; b < j->B; b++) {
        const float *x = j->x + at(j, b, c, 0);
        int64_t s = 0;
        for (; s + VG_BN_LANES <= j->S; s += VG_BN_LANES)
            for (int k = 0; k < VG_BN_LANES; k++) lane[k] += x[s + k];
        for (int k = 0; k < VG_BN_LANES; k++) /* the tail; s ≡ 0 mod lanes here */
            if (s + k < j->S) lane[k] += x[s + k];
    }
    return lanes_total(lane);
}

VG_TARGET static inline double channel_squares(const batchnorm_job *j, int64_t c, double mean) {
    double lane[VG_BN_LANES] = {0};
    for (int64_t b = 0; b < j->B; b++) {
        const float *x = j->x + at(j, b, c, 0);
        int64_t s = 0;
        for (; s + VG_BN_LANES <= j->S; s += VG_BN_LANES)
            for (int k = 0; k < VG_BN_LANES; k++) {
                double d = x[s + k] - mean;
                lane[k] += d * d;
            }
        for (int k = 0; k < VG_BN_LANES; k++)
            if (s + k < j->S) {
                double d = x[s + k] - mean;
                lane[k] += d * d;
            }
    }
    return lanes_total(lane);
}

/* The statistics of channel c from its Σ and Σ(x − μ)²: y, saved μ and rstd, running ones. */
VG_TARGET static inline void finish_channel_forward(const batchnorm_job *j, int64_t c, double mean,
                                                    double squares) {
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

VG_TARGET static inline void forward_train_features(const batchnorm_job *j, int64_t begin, int64_t end) {
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
                float scale = (j->gamma ? j->gamma[c0 + c] : 1.0f) * rstd;
                float shift = j->beta ? j->beta[c0 + c] : 0.0f;
                y[c] = (x[c] - m) * scale + shift;
            }
        }
    }
}

VG_TARGET void VG_NAME(vg_batchnorm_forward_train_pass)(void *context, int64_t begin, int64_t end) {
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

VG_TARGET void VG_NAME(vg_batchnorm_forward_eval_pass)(void *context, int64_t begin, int64_t end) {
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

VG_TARGET static inline channel_gradient gradient_of(const batchnorm_job *j, int64_t c, double sum_dy,
                                                     double sum_dy_xhat) {
    double n = (double)(j->B * j->S), r = j->rstd[c];
    return (channel_gradient){j->mean[c], r, (j->gamma ? j->gamma[c] : 1.0) * r, sum_dy / n, sum_dy_xhat / n};
}

/* dx for `count` consecutive elements of one channel starting at flat index i0. */
VG_TARGET static inline void input_gradient(const batchnorm_job *j, const channel_gradient *k, int64_t i0,
                                            int64_t count) {
    for (int64_t i = i0; i < i0 + count; i++) {
        double xhat = (j->x[i] - k->mean) * k->rstd;
        float value = (float)(k->g * (j->dy[i] - k->mean_dy - xhat * k->mean_dy_xhat));
        j->dx[i] = j->dx_beta == 0.0f ? value : j->dx_beta * j->dx[i] + value;
    }
}

VG_TARGET static inline void backward_features(const batchnorm_job *j, int64_t begin, int64_t end) {
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

VG_TARGET void VG_NAME(vg_batchnorm_backward_pass)(void *context, int64_t begin, int64_t end) {
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
            for (int k = 0; k < VG_BN_LANES; k++)
                if (s + k < j->S) {
                    lane_dy[k] += dy[s + k];
                    lane_dy_xhat[k] += dy[s + k] * ((x[s + k] - m) * r);
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
