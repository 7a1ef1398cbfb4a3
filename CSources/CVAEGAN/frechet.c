/*
 * frechet.c — the Fréchet distance between Gaussians fitted to two sets of feature rows
 * (FID when the features are a classifier's): moments in double, matrix square roots from
 * LAPACK's symmetric eigensolver, which either converges or says so.
 *
 *   d² = ‖μa − μb‖² + tr Σa + tr Σb − 2 tr (Σa^½ Σb Σa^½)^½
 *
 * Σa^½ Σb Σa^½ is symmetric positive semidefinite and has the eigenvalues of Σa Σb, so its
 * trace of square roots equals tr (Σa Σb)^½ of the usual formula without a non-symmetric
 * square root.
 */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vg_core.h"

/* Rows per pass when accumulating the covariance: bounds the double copy of the data. */
enum { COVARIANCE_CHUNK = 1024 };

vg_status vg_mean_covariance(double *mean, double *cov, const float *x, int64_t n, int64_t d) {
    if (!mean || !cov || !x || d <= 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "mean/covariance: bad argument");
    if (n < 2)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT,
                             "mean/covariance: needs at least 2 rows, got %lld", (long long)n);
    for (int64_t j = 0; j < d; j++) mean[j] = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++) mean[j] += x[i * d + j];
    for (int64_t j = 0; j < d; j++) mean[j] /= (double)n;

    int64_t chunk = n < COVARIANCE_CHUNK ? n : COVARIANCE_CHUNK;
    double *centered = malloc((size_t)(chunk * d) * sizeof *centered);
    if (!centered) return vg_error_setf(VG_ERROR_OUT_OF_MEMORY, "mean/covariance: out of memory");
    memset(cov, 0, (size_t)(d * d) * sizeof *cov);
    for (int64_t start = 0; start < n; start += chunk) {
        int64_t rows = n - start < chunk ? n - start : chunk;
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < d; j++) centered[i * d + j] = x[(start + i) * d + j] - mean[j];
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (blasint)d, (blasint)rows,
                    1.0 / (double)(n - 1), centered, (blasint)d, 1.0, cov, (blasint)d);
    }
    free(centered);
    for (int64_t i = 0; i < d; i++) /* dsyrk filled the upper triangle only */
        for (int64_t j = 0; j < i; j++) cov[i * d + j] = cov[j * d + i];
    return VG_OK;
}

/* Eigenvalues below −tolerance·largest mean the matrix was not positive semidefinite; above
 * that, negatives are rounding and count as 0. */
static const double PSD_TOLERANCE = 1e-6;

/* Eigenvalues of the symmetric d×d `a`, ascending, into `w`; with `vectors` `a` is replaced
 * by the eigenvectors as its columns, otherwise destroyed. Fails unless `a` is positive
 * semidefinite up to rounding. */
static vg_status symmetric_eigen(double *a, double *w, int64_t d, bool vectors, const char *what) {
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, vectors ? 'V' : 'N', 'U', (lapack_int)d, a,
                                     (lapack_int)d, w);
    if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR)
        return vg_error_setf(VG_ERROR_OUT_OF_MEMORY, "Fréchet distance: out of memory in the eigensolver");
    if (info < 0) return vg_error_setf(VG_ERROR_INTERNAL, "Fréchet distance: dsyevd argument %d", (int)-info);
    if (info > 0)
        return vg_error_setf(VG_ERROR_NON_FINITE, "Fréchet distance: the eigensolver did not converge on %s", what);
    double largest = fabs(w[0]) > fabs(w[d - 1]) ? fabs(w[0]) : fabs(w[d - 1]);
    if (w[0] < -PSD_TOLERANCE * largest)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT,
                             "Fréchet distance: %s is not positive semidefinite (eigenvalue %g)", what, w[0]);
    return VG_OK;
}

static bool all_finite(const double *x, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return false;
    return true;
}

vg_status vg_frechet_distance(double *distance, const double *mean_a, const double *cov_a,
                              const double *mean_b, const double *cov_b, int64_t d) {
    if (!distance || !mean_a || !cov_a || !mean_b || !cov_b || d <= 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "Fréchet distance: bad argument");
    if (!all_finite(mean_a, d) || !all_finite(mean_b, d) || !all_finite(cov_a, d * d) ||
        !all_finite(cov_b, d * d))
        return vg_error_setf(VG_ERROR_NON_FINITE, "Fréchet distance: NaN or infinity in a mean or covariance");
    size_t square = (size_t)(d * d);
    double *work = malloc((3 * square + (size_t)d) * sizeof *work);
    if (!work) return vg_error_setf(VG_ERROR_OUT_OF_MEMORY, "Fréchet distance: out of memory");
    double *vectors = work, *root = work + square, *product = work + 2 * square;
    double *values = work + 3 * square;

    /* Σa^½ = V diag(√λ) Vᵀ. */
    memcpy(vectors, cov_a, square * sizeof *vectors);
    vg_status status = symmetric_eigen(vectors, values, d, true, "the first covariance");
    if (status == VG_OK) {
        for (int64_t j = 0; j < d; j++) { /* scale eigenvector column j by λj^¼ */
            double s = sqrt(sqrt(values[j] > 0 ? values[j] : 0));
            for (int64_t i = 0; i < d; i++) vectors[i * d + j] *= s;
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)d, (blasint)d, (blasint)d,
                    1.0, vectors, (blasint)d, vectors, (blasint)d, 0.0, root, (blasint)d);
        /* M = Σa^½ Σb Σa^½, symmetrized against rounding. */
        cblas_dsymm(CblasRowMajor, CblasRight, CblasUpper, (blasint)d, (blasint)d, 1.0, cov_b,
                    (blasint)d, root, (blasint)d, 0.0, product, (blasint)d);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)d, (blasint)d, (blasint)d,
                    1.0, product, (blasint)d, root, (blasint)d, 0.0, vectors, (blasint)d);
        for (int64_t i = 0; i < d; i++)
            for (int64_t j = 0; j < i; j++)
                vectors[i * d + j] = vectors[j * d + i] = 0.5 * (vectors[i * d + j] + vectors[j * d + i]);
        status = symmetric_eigen(vectors, values, d, false, "Σa^½ Σb Σa^½ (so the second covariance)");
    }
    if (status == VG_OK) {
        double mean_term = 0, trace = 0, root_trace = 0;
        for (int64_t j = 0; j < d; j++) {
            double delta = mean_a[j] - mean_b[j];
            mean_term += delta * delta;
            trace += cov_a[j * d + j] + cov_b[j * d + j];
            root_trace += sqrt(values[j] > 0 ? values[j] : 0);
        }
        double value = mean_term + trace - 2 * root_trace;
        *distance = value > 0 ? value : 0; /* d² ≥ 0; below it is rounding */
    }
    free(work);
    return status;
}
