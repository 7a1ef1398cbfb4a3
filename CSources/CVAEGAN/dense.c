/*
 * dense.c — the fully connected layer: y = act(x · Wᵀ + b) and its backward pass.
 *
 * x is (B, IN), W is (OUT, IN) as in PyTorch's nn.Linear, y is (B, OUT). The forward is one
 * GEMM with bias and activation fused into it; the backward is up to two GEMMs (weight
 * gradient, with the bias gradient fused; input gradient).
 */
#include "internal.h"
#include "vg_core.h"

static vg_status check_sizes(const char *what, int64_t B, int64_t IN, int64_t OUT) {
    if (B <= 0 || IN <= 0 || OUT <= 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT,
                             "%s: sizes must be positive (B=%lld, IN=%lld, OUT=%lld)", what,
                             (long long)B, (long long)IN, (long long)OUT);
    return VG_OK;
}

vg_status vg_dense_forward(float *y, const float *x, const float *w, const float *bias, int64_t B,
                           int64_t IN, int64_t OUT, vg_activation act, float alpha) {
    vg_status status = check_sizes("dense forward", B, IN, OUT);
    if (status != VG_OK) return status;
    if (!y || !x || !w) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "dense forward: NULL buffer");
    /* y = act(x · Wᵀ + b): bias and activation fused into the GEMM, applied to each tile of y
     * as it is finished (the same kernel as vg_bias_activation_forward, so the same values). */
    return vg_gemm_fused(false, true, B, OUT, IN, x, IN, w, IN, 0.0f, y, OUT, bias, act, alpha, NULL);
}

vg_status vg_dense_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                            const float *w, int64_t B, int64_t IN, int64_t OUT, float dx_beta) {
    vg_status status = check_sizes("dense backward", B, IN, OUT);
    if (status != VG_OK) return status;
    /* Every check before any write, so a failed call changes nothing. */
    if (!dy) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "dense backward: NULL dy");
    if (dw && !x) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "dense backward: NULL x");
    if (dx && !w) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "dense backward: NULL w");
    if (dw) { /* forward: y = x · Wᵀ + b  →  dW (OUT, IN) += dyᵀ · x, and db += Σ_rows dy as
               * the row sums of dyᵀ, taken while dyᵀ is packed */
        status = vg_gemm_fused(true, false, OUT, IN, B, dy, OUT, x, IN, 1.0f, dw, IN, NULL,
                               VG_ACTIVATION_IDENTITY, 0.0f, db);
        if (status != VG_OK) return status;
    } else if (db) {
        vg_column_sums_accumulate(db, dy, B, OUT); /* y = … + b  →  db += Σ_rows dy */
    }
    if (dx) { /* dx (B, IN) = dy · W */
        status = vg_gemm_fused(false, false, B, IN, OUT, dy, OUT, w, IN, dx_beta, dx, IN, NULL,
                               VG_ACTIVATION_IDENTITY, 0.0f, NULL);
        if (status != VG_OK) return status;
    }
    return VG_OK;
}

/* ------------------------------------------------------------ bias gradient (column sums) */

/* Each column is summed over the rows in order, then added once: the SIMD path keeps the same
 * order per lane, so both match bit for bit. */
void vg_column_sums_accumulate_ref(float *db, const float *dy, int64_t B, int64_t C) {
    for (int64_t c = 0; c < C; c++) {
        float sum = 0.0f;
        for (int64_t b = 0; b < B; b++) sum += dy[b * C + c];
        db[c] += sum;
    }
}

void vg_column_sums_accumulate(float *db, const float *dy, int64_t B, int64_t C) {
    if (B <= 0 || C <= 0) return;
    VG_DISPATCH(vg_column_sums_accumulate, db, dy, B, C);
}
