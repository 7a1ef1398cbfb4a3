/*
 * threads.c — the process-wide thread count, element-wise work split over the pool, and the
 * choice of SIMD instruction set.
 *
 * The count is that of the process-wide pool (pool.c). OpenBLAS, which now serves only the
 * evaluation's eigensolvers and covariances, is given the same count.
 */
#include <cblas.h>

#include "internal.h"
#include "vg_core.h"

vg_status vg_set_thread_count(int count) {
    if (count <= 0) count = vg_available_cpu_count();
    if (count > VG_MAX_THREADS)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "thread count %d is more than %d", count,
                             VG_MAX_THREADS);
    vg_status status = vg_set_default_pool_threads(count);
    if (status != VG_OK) return status;
    openblas_set_num_threads(count);
    return VG_OK;
}

int vg_thread_count(void) {
    int count = vg_pool_thread_count(vg_default_pool_acquire());
    vg_default_pool_release();
    return count;
}

/* ------------------------------------------------------------ element-wise work on the pool */

typedef struct range_job {
    vg_range_fn body;
    void *context;
    int64_t n, chunk;
} range_job;

static void run_range(void *context, int64_t task, int worker, float *scratch) {
    (void)worker;
    (void)scratch;
    const range_job *job = context;
    int64_t begin = task * job->chunk;
    int64_t end = begin + job->chunk < job->n ? begin + job->chunk : job->n;
    job->body(job->context, begin, end);
}

void vg_parallel_for(int64_t n, int64_t chunk, vg_range_fn body, void *context) {
    if (n <= 0) return;
    if (chunk <= 0) chunk = n;
    if (chunk >= n) { /* one chunk: no pool needed */
        body(context, 0, n);
        return;
    }
    range_job job = {body, context, n, chunk};
    /* Without scratch the run cannot fail; with one thread (or a busy pool) it runs the same
     * chunks in order here, so results do not depend on which path ran. */
    (void)vg_pool_run(vg_default_pool_acquire(), (n + chunk - 1) / chunk, run_range, &job, false);
    vg_default_pool_release();
}

/* Most partial sums of one reduction: a longer input gets longer chunks. */
#define VG_MAX_PARTIAL_SUMS 256

typedef struct sum_job {
    vg_range_sum_fn body;
    void *context;
    int64_t chunk;
    double *partials;
} sum_job;

static void run_sum(void *context, int64_t begin, int64_t end) {
    sum_job *job = context;
    job->partials[begin / job->chunk] = job->body(job->context, begin, end);
}

double vg_parallel_sum(int64_t n, int64_t chunk, vg_range_sum_fn body, void *context) {
    if (n <= 0) return 0.0;
    int64_t shortest = (n + VG_MAX_PARTIAL_SUMS - 1) / VG_MAX_PARTIAL_SUMS;
    if (chunk < shortest) chunk = (shortest + 63) / 64 * 64;
    double partials[VG_MAX_PARTIAL_SUMS];
    sum_job job = {body, context, chunk, partials};
    vg_parallel_for(n, chunk, run_sum, &job);
    double sum = 0.0;
    for (int64_t i = 0, chunks = (n + chunk - 1) / chunk; i < chunks; i++) sum += partials[i];
    return sum;
}

/* ------------------------------------------------------------ instruction sets */

vg_simd vg_simd_level(void) {
    __builtin_cpu_init(); /* idempotent; needed when called before constructors ran */
    if (__builtin_cpu_supports("avx512f")) return VG_SIMD_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return VG_SIMD_AVX2;
    return VG_SIMD_SCALAR;
}

const char *vg_simd_name(vg_simd level) {
    switch (level) {
    case VG_SIMD_AVX512: return "avx512";
    case VG_SIMD_AVX2: return "avx2";
    case VG_SIMD_SCALAR: return "scalar";
    }
    return "unknown";
}
