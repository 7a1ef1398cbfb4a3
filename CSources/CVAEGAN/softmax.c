/*
 * softmax.c — softmax cross-entropy on logits against class labels: the domain classifier's
 * loss. Ten classes per row leave nothing for SIMD to win, so this plain loop is both the
 * kernel and its reference.
 */
#include <math.h>

#include "vg_core.h"

vg_status vg_softmax_cross_entropy(double *loss, float *grad, const float *logits,
                                   const int32_t *labels, int64_t B, int64_t C,
                                   float grad_scale) {
    if (!loss || !logits || !labels || B < 0 || C <= 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "softmax cross-entropy: bad argument");
    for (int64_t b = 0; b < B; b++)
        if (labels[b] < 0 || labels[b] >= C)
            return vg_error_setf(VG_ERROR_INVALID_ARGUMENT,
                                 "softmax cross-entropy: label %d of row %lld is outside [0, %lld)",
                                 (int)labels[b], (long long)b, (long long)C);
    double total = 0;
    for (int64_t b = 0; b < B; b++) {
        const float *l = logits + b * C;
        /* log Σ exp(l) = max + log Σ exp(l − max): no overflow for any finite logits. */
        float max = l[0];
        for (int64_t c = 1; c < C; c++) max = l[c] > max ? l[c] : max;
        double sum = 0;
        for (int64_t c = 0; c < C; c++) sum += exp((double)l[c] - max);
        double log_sum = (double)max + log(sum);
        total += log_sum - l[labels[b]];
        if (grad) {
            float *g = grad + b * C;
            for (int64_t c = 0; c < C; c++)
                g[c] = grad_scale * (float)(exp((double)l[c] - log_sum) - (c == labels[b]));
        }
    }
    *loss = total;
    return VG_OK;
}
