/*
 * iwae.c — the importance-weighted bound's hot loops (Burda et al. 2016): K samples of z per
 * example, the Bernoulli log-likelihood of each decoded row, the log-sum-exp over an
 * example's K log-weights with their normalized weights, and the backward into μ and log σ²,
 * plain or with the doubly reparameterized gradient of Tucker et al. 2018 (DReG).
 *
 * Rows are example-major: row r = b·K + k is sample k of example b, so example b's samples are
 * adjacent and its target row is r / K.
 */
#include <math.h>

#include "internal.h"
#include "vg_core.h"

/* ------------------------------------------------------------ BCE per row */

typedef struct bce_rows_job {
    double *row_loss;
    float *grad;
    const float *logits, *targets, *row_scale;
    float grad_scale;
    int64_t cols, target_repeat;
    bool reference;
} bce_rows_job;

static void bce_rows_range(void *context, int64_t begin, int64_t end) {
    const bce_rows_job *job = context;
    for (int64_t r = begin; r < end; r++) {
        const float *logits = job->logits + r * job->cols;
        const float *targets = job->targets + (r / job->target_repeat) * job->cols;
        float *grad = job->grad ? job->grad + r * job->cols : NULL;
        float scale = job->grad ? job->grad_scale * job->row_scale[r] : 0.0f;
        double loss;
        if (job->reference) {
            vg_bce_logits_ref(&loss, grad, logits, targets, job->cols, scale);
        } else {
            VG_DISPATCH(vg_bce_logits, &loss, grad, logits, targets, job->cols, scale);
        }
        if (job->row_loss) job->row_loss[r] = loss;
    }
}

static void bce_rows(double *row_loss, float *grad, const float *logits, const float *targets,
                     int64_t rows, int64_t cols, int64_t target_repeat, const float *row_scale,
                     float grad_scale, bool reference) {
    bce_rows_job job = {row_loss, grad, logits, targets, row_scale, grad_scale, cols, target_repeat, reference};
    vg_parallel_for(rows, vg_items_per_task(cols > 0 ? cols : 1), bce_rows_range, &job);
}

void vg_bce_logits_rows(double *row_loss, float *grad, const float *logits, const float *targets,
                        int64_t rows, int64_t cols, int64_t target_repeat, const float *row_scale,
                        float grad_scale) {
    bce_rows(row_loss, grad, logits, targets, rows, cols, target_repeat, row_scale, grad_scale, false);
}

void vg_bce_logits_rows_ref(double *row_loss, float *grad, const float *logits,
                            const float *targets, int64_t rows, int64_t cols,
                            int64_t target_repeat, const float *row_scale, float grad_scale) {
    bce_rows(row_loss, grad, logits, targets, rows, cols, target_repeat, row_scale, grad_scale, true);
}

/* ------------------------------------------------------------ samples and weights */

/* σ = exp(½ log σ²) is the same for an example's K samples: it is computed once per block of
 * latent dimensions, on the stack, so the K·L inner loop has no exp. */
#define SIGMA_BLOCK 256

void vg_iwae_sample(float *z, double *log_ratio, const float *mu, const float *logvar,
                    const float *eps, int64_t B, int64_t K, int64_t L) {
    float sigma[SIGMA_BLOCK];
    for (int64_t b = 0; b < B; b++) {
        const float *m = mu + b * L, *lv = logvar + b * L;
        double entropy_part = 0.0; /* Σ_j ½ log σ²_j, the same for every sample of b */
        for (int64_t j = 0; j < L; j++) entropy_part += 0.5 * (double)lv[j];
        for (int64_t k = 0; k < K; k++) log_ratio[b * K + k] = entropy_part;
        for (int64_t j0 = 0; j0 < L; j0 += SIGMA_BLOCK) {
            int64_t width = L - j0 < SIGMA_BLOCK ? L - j0 : SIGMA_BLOCK;
            for (int64_t j = 0; j < width; j++) sigma[j] = expf(0.5f * lv[j0 + j]);
            for (int64_t k = 0; k < K; k++) {
                int64_t r = b * K + k;
                const float *e = eps + r * L + j0;
                float *zr = z + r * L + j0;
                double sum = 0.0;
                for (int64_t j = 0; j < width; j++) {
                    zr[j] = m[j0 + j] + sigma[j] * e[j];
                    sum += 0.5 * ((double)e[j] * e[j] - (double)zr[j] * zr[j]);
                }
                log_ratio[r] += sum;
            }
        }
    }
}

void vg_iwae_combine(double *log_mean_weight, float *weight, const double *log_ratio,
                     const double *nll, int64_t B, int64_t K) {
    for (int64_t b = 0; b < B; b++) {
        const double *ratio = log_ratio + b * K, *loss = nll + b * K;
        double largest = -INFINITY;
        for (int64_t k = 0; k < K; k++) largest = fmax(largest, ratio[k] - loss[k]);
        double sum = 0.0;
        for (int64_t k = 0; k < K; k++) sum += exp(ratio[k] - loss[k] - largest);
        double log_sum = largest + log(sum);
        log_mean_weight[b] = log_sum - log((double)K);
        if (weight) {
            for (int64_t k = 0; k < K; k++) weight[b * K + k] = (float)exp(ratio[k] - loss[k] - log_sum);
        }
    }
}

/* −log w_r = nll_r + ½‖z_r‖² − Σ_j ½ (log σ²_j + ε²_rj) + const, with z_r = μ + σ·ε_r.
 * Plain:  ∂/∂z_r of the weighted sum Σ_k w̃_k·(−log w_k) through the decoder is dz_r (already
 *         weighted); the prior adds w̃_r·s·z_r; log q, with ε fixed, has ∂/∂μ = 0 and
 *         ∂/∂log σ² = −½ per sample, −½·s per example since Σ_k w̃_k = 1.
 * DReG:   the encoder's gradient is Σ_k w̃_k²·∂(−log w_k)/∂z_k·∂z_k/∂φ with log q's own
 *         parameters held fixed: ∂(−log w_k)/∂z_k = ∂nll/∂z + z − ε/σ, and the decoder's part,
 *         dz_r = w̃_r·s·∂nll/∂z, needs one more factor w̃_r. */
void vg_iwae_latent_backward(float *dmu, float *dlogvar, const float *dz, const float *z,
                             const float *eps, const float *logvar, const float *weight,
                             int64_t B, int64_t K, int64_t L, float grad_scale, bool dreg) {
    float sigma[SIGMA_BLOCK];
    for (int64_t b = 0; b < B; b++) {
        for (int64_t j0 = 0; j0 < L; j0 += SIGMA_BLOCK) {
            int64_t width = L - j0 < SIGMA_BLOCK ? L - j0 : SIGMA_BLOCK;
            float *gm = dmu + b * L + j0, *glv = dlogvar + b * L + j0;
            for (int64_t j = 0; j < width; j++) {
                sigma[j] = expf(0.5f * logvar[b * L + j0 + j]);
                gm[j] = 0.0f;
                glv[j] = dreg ? 0.0f : -0.5f * grad_scale;
            }
            for (int64_t k = 0; k < K; k++) {
                int64_t r = b * K + k;
                const float *dzr = dz + r * L + j0, *zr = z + r * L + j0, *er = eps + r * L + j0;
                float w = weight[r];
                for (int64_t j = 0; j < width; j++) {
                    float g = dreg ? w * dzr[j] + w * w * grad_scale * (zr[j] - er[j] / sigma[j])
                                   : dzr[j] + w * grad_scale * zr[j];
                    gm[j] += g;
                    glv[j] += g * er[j] * 0.5f * sigma[j];
                }
            }
        }
    }
}
