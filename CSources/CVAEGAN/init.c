/*
 * init.c — weight initializations that need more than a random fill: orthogonal matrices
 * (Saxe et al. 2014) through LAPACK's QR factorization.
 */
#include <lapacke.h>
#include <string.h>

#include "vg_core.h"

int64_t vg_orthogonal_workspace_size(int64_t rows, int64_t cols) {
    int64_t tall = rows > cols ? rows : cols, narrow = rows > cols ? cols : rows;
    return tall * narrow + narrow;
}

vg_status vg_orthogonal_init(float *w, int64_t rows, int64_t cols, float gain, vg_rng *rng,
                             float *workspace) {
    if (!w || !rng || !workspace || rows <= 0 || cols <= 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "orthogonal init: bad argument");
    /* QR of a tall Gaussian matrix A (tall × narrow): Q's columns are orthonormal. Making R's
     * diagonal positive (flipping Q's columns) makes Q uniform over orthogonal matrices. */
    int64_t tall = rows > cols ? rows : cols, narrow = rows > cols ? cols : rows;
    float *a = workspace, *tau = workspace + tall * narrow;
    vg_rng_normal_fill(rng, a, tall * narrow);
    lapack_int info = LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, (lapack_int)tall, (lapack_int)narrow, a,
                                     (lapack_int)narrow, tau);
    if (info != 0) return vg_error_setf(VG_ERROR_INTERNAL, "orthogonal init: sgeqrf info %d", (int)info);
    /* Remember the signs of R's diagonal before sorgqr overwrites it. */
    for (int64_t j = 0; j < narrow; j++) w[j] = a[j * narrow + j] < 0.0f ? -1.0f : 1.0f;
    info = LAPACKE_sorgqr(LAPACK_ROW_MAJOR, (lapack_int)tall, (lapack_int)narrow,
                          (lapack_int)narrow, a, (lapack_int)narrow, tau);
    if (info != 0) return vg_error_setf(VG_ERROR_INTERNAL, "orthogonal init: sorgqr info %d", (int)info);
    /* Copy the signs out of w (they sit in its first `narrow` slots) into tau, now free. */
    memcpy(tau, w, (size_t)narrow * sizeof *tau);
    /* w (rows, cols) = gain · Q (tall, narrow) with signs, transposed when rows < cols. */
    for (int64_t i = 0; i < tall; i++)
        for (int64_t j = 0; j < narrow; j++) {
            float q = gain * tau[j] * a[i * narrow + j];
            if (rows >= cols) w[i * cols + j] = q;
            else w[j * cols + i] = q;
        }
    return VG_OK;
}
