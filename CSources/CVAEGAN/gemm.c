/*
 * gemm.c — matrix products through OpenBLAS, and the plain-loop reference they are tested
 * against. Row-major throughout; names follow BLAS (M, N, K, lda, trans_a).
 */
#include <cblas.h>

#include "vg_core.h"

/* Checks that a row-major R×C operand (before transposition) fits its leading dimension. */
static vg_status check_operand(const char *name, bool trans, int64_t rows, int64_t cols,
                               int64_t ld) {
    int64_t stored_cols = trans ? rows : cols;
    int64_t needed = stored_cols > 1 ? stored_cols : 1;
    if (ld < needed)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT,
                             "gemm: leading dimension of %s is %lld, needs at least %lld", name,
                             (long long)ld, (long long)needed);
    return VG_OK;
}

vg_status vg_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                  const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                  float *C, int64_t ldc) {
    if (M < 0 || N < 0 || K < 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "gemm: negative size M=%lld N=%lld K=%lld",
                             (long long)M, (long long)N, (long long)K);
    vg_status status;
    if ((status = check_operand("A", trans_a, M, K, lda)) != VG_OK) return status;
    if ((status = check_operand("B", trans_b, K, N, ldb)) != VG_OK) return status;
    if ((status = check_operand("C", false, M, N, ldc)) != VG_OK) return status;
    if (M == 0 || N == 0) return VG_OK;
    if (!C || (K > 0 && (!A || !B)))
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "gemm: NULL matrix");
    if (K == 0) { /* C = beta·C; BLAS implementations differ on K = 0, so do it here. */
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
        return VG_OK;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N, (blasint)K, alpha, A,
                (blasint)lda, B, (blasint)ldb, beta, C, (blasint)ldc);
    return VG_OK;
}

void vg_gemm_ref(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
                 int64_t ldc) {
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            double sum = 0.0;
            for (int64_t k = 0; k < K; k++) {
                double a = trans_a ? A[k * lda + i] : A[i * lda + k];
                double b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
                sum += a * b;
            }
            double previous = beta == 0.0f ? 0.0 : (double)beta * C[i * ldc + j];
            C[i * ldc + j] = (float)(alpha * sum + previous);
        }
    }
}
