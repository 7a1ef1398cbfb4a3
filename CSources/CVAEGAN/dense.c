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

/* The dense layer's products, on the process-wide pool, with the fused work they carry. */
static vg_status dense_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                            const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                            float *C, int64_t ldc, const float *bias, bool bias_activation,
                            vg_activation act, float alpha, float *a_row_sums) {
    vg_gemm_problem p = {.trans_a = trans_a, .trans_b = trans_b, .M = M, .N = N, .K = K,
                         .alpha = 1.0f, .beta = beta, .A = A, .lda = lda, .B = B, .ldb = ldb,
                         .C = C, .ldc = ldc, .bias_activation = bias_activation, .bias = bias,
                         .activation = act, .activation_alpha = alpha, .a_row_sums = a_row_sums};
    vg_status status = vg_gemm_run(vg_default_pool_acquire(), &p);
    vg_default_pool_release();
    return status;
}

vg_status vg_dense_forward(float *y, const float *x, const float *w, const float *bias, int64_t B,
                           int64_t IN, int64_t OUT, vg_activation act, float alpha) {
    vg_status status = check_sizes("dense forward", B, IN, OUT);
    if (status != VG_OK) return status;
    if (!y || !x || !w) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "dense forward: NULL buffer");
    /* y = act(x · Wᵀ + b): bias and activation fused into the GEMM, applied to each tile of y
     * as it is finished (the same kernel as vg_bias_activation_forward, so the same values). */
    return dense_gemm(false, true, B, OUT, IN, x, IN, w, IN, 0.0f, y, OUT, bias, true, act, alpha, NULL);
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
        status = dense_gemm(true, false, OUT, IN, B, dy, OUT, x, IN, 1.0f, dw, IN, NULL, false,
                            VG_ACTIVATION_IDENTITY, 0.0f, db);
        if (status != VG_OK) return status;
    } else if (db) {
        vg_column_sums_accumulate(db, dy, B, OUT); /* y = … + b  →  db += Σ_rows dy */
    }
    if (dx) { /* dx (B, IN) = dy · W */
        status = dense_gemm(false, false, B, IN, OUT, dy, OUT, w, IN, dx_beta, dx, IN, NULL, false,
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
