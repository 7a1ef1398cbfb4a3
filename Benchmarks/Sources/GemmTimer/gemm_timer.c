/*
 * gemm_timer.c — the timing wrapper around OpenBLAS's cblas_sgemm (see gemm_timer.h).
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <dlfcn.h>
#include <time.h>

#include "gemm_timer.h"

typedef void (*sgemm_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const enum CBLAS_TRANSPOSE,
                         const blasint, const blasint, const blasint, const float, const float *,
                         const blasint, const float *, const blasint, const float, float *, const blasint);

static gemm_timer_totals totals;

void gemm_timer_reset(void) {
    totals.seconds = 0;
    totals.flops = 0;
    totals.calls = 0;
}

gemm_timer_totals gemm_timer_read(void) { return totals; }

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE trans_a,
                 const enum CBLAS_TRANSPOSE trans_b, const blasint M, const blasint N, const blasint K,
                 const float alpha, const float *A, const blasint lda, const float *B, const blasint ldb,
                 const float beta, float *C, const blasint ldc) {
    static sgemm_fn real;
    if (!real) real = (sgemm_fn)dlsym(RTLD_NEXT, "cblas_sgemm");
    double start = seconds_now();
    real(order, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    totals.seconds += seconds_now() - start;
    totals.flops += 2.0 * (double)M * (double)N * (double)K;
    totals.calls += 1;
}
