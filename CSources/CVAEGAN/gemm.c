/*
 * gemm.c — matrix products: argument checks, the split of C into tiles for the thread pool,
 * the choice of kernel set, and the plain-loop reference everything is tested against.
 * Row-major throughout; names follow BLAS (M, N, K, lda, trans_a).
 *
 * The kernels are VAEGAN's own (gemm_kernel.h), not OpenBLAS's: Debian's OpenBLAS picks its
 * kernels from a table of CPU models and falls back to SSE3 on models it does not know (an
 * AVX-512 Xeon ran at 29 GFLOP/s per core instead of ~140). Here the kernel set follows the
 * CPU's features. OpenBLAS stays for the eigensolvers and as the benchmarks' comparison.
 */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <time.h>

#include "internal.h"
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

/* The checks every entry point shares. *trivial is set when there is nothing to multiply
 * (M or N is 0: nothing to do; K is 0: C = beta·C, done here). */
static vg_status check_problem(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                               const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                               float *C, int64_t ldc, bool *trivial) {
    *trivial = true;
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
    *trivial = false;
    return VG_OK;
}

/* ------------------------------------------------------------ kernel choice */

typedef struct kernel_set {
    const char *name;
    vg_gemm_tile_fn tile;
    int64_t mr, nr, mc;
} kernel_set;

static kernel_set kernel_set_for_cpu(void) {
    switch (vg_simd_level()) {
    case VG_SIMD_AVX512:
        return (kernel_set){"avx512", vg_gemm_tile_avx512, VG_GEMM_AVX512_MR, 32, VG_GEMM_MC};
    case VG_SIMD_AVX2:
        return (kernel_set){"avx2", vg_gemm_tile_avx2, VG_GEMM_AVX2_MR, 16, VG_GEMM_MC};
    default:
        return (kernel_set){"portable", vg_gemm_tile_portable, VG_GEMM_PORTABLE_MR, 8, VG_GEMM_PORTABLE_MC};
    }
}

int64_t vg_gemm_scratch_floats(void) { return VG_GEMM_SCRATCH_FLOATS; }

const char *vg_gemm_kernel_name(void) { return kernel_set_for_cpu().name; }

/* ------------------------------------------------------------ tiles and threads */

/* Below this many multiply-adds a product runs on the calling thread: waking the pool costs
 * more than it saves (about 10 µs of one core's work). */
#define VG_GEMM_PARALLEL_MIN_MACS (1 << 18)

/* C is cut into a grid of tiles: `row_blocks` blocks of whole MR-row panels and `col_blocks`
 * blocks of whole NR-column panels (at most NC columns), each block of a dimension within one
 * panel of the others. A tile packs its slice of B once for all its rows, so rows are split
 * only to give threads work (or, with row sums, to keep a tile within MC rows). Boundaries
 * fall on panel edges, so every element is computed by the same micro-kernel position
 * whatever the grid. */
typedef struct tile_grid {
    const vg_gemm_problem *problem;
    vg_gemm_tile_fn tile;
    int64_t mr, nr;
    int64_t row_panels, col_panels;
    int64_t row_blocks, col_blocks;
} tile_grid;

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* Start of block `index` of `blocks` spread over `panels` panels of `width`, in elements. */
static int64_t block_start(int64_t index, int64_t blocks, int64_t panels, int64_t width) {
    int64_t base = panels / blocks, extra = panels % blocks;
    return (index * base + (index < extra ? index : extra)) * width;
}

static void run_tile(void *context, int64_t task, int worker, float *scratch) {
    (void)worker;
    const tile_grid *g = context;
    const vg_gemm_problem *p = g->problem;
    int64_t rb = task / g->col_blocks, cb = task % g->col_blocks;
    int64_t i0 = block_start(rb, g->row_blocks, g->row_panels, g->mr);
    int64_t i1 = block_start(rb + 1, g->row_blocks, g->row_panels, g->mr);
    int64_t j0 = block_start(cb, g->col_blocks, g->col_panels, g->nr);
    int64_t j1 = block_start(cb + 1, g->col_blocks, g->col_panels, g->nr);
    if (i1 > p->M) i1 = p->M;
    if (j1 > p->N) j1 = p->N;
    if (i1 > i0 && j1 > j0) g->tile(p, i0, i1 - i0, j0, j1 - j0, scratch);
}

static int64_t monotonic_nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static vg_status run_on_grid(vg_pool *pool, const vg_gemm_problem *p);

vg_status vg_gemm_run(vg_pool *pool, const vg_gemm_problem *p) {
    if (!vg_pool_gemm_timing(pool)) return run_on_grid(pool, p);
    int64_t start = monotonic_nanoseconds();
    vg_status status = run_on_grid(pool, p);
    vg_pool_add_gemm_time(pool, monotonic_nanoseconds() - start, p->M * p->N * p->K);
    return status;
}

static vg_status run_on_grid(vg_pool *pool, const vg_gemm_problem *p) {
    kernel_set kernels = kernel_set_for_cpu();
    tile_grid g = {.problem = p, .tile = kernels.tile, .mr = kernels.mr, .nr = kernels.nr};
    g.row_panels = ceil_div(p->M, kernels.mr);
    g.col_panels = ceil_div(p->N, kernels.nr);
    /* A tile's row sums are kept in its scratch, MC of them. */
    g.row_blocks = p->a_row_sums ? ceil_div(g.row_panels, kernels.mc / kernels.mr) : 1;
    g.col_blocks = ceil_div(g.col_panels, VG_GEMM_NC / kernels.nr);
    int threads = vg_pool_thread_count(pool);
    if (threads > 1 && (double)p->M * p->N * p->K >= VG_GEMM_PARALLEL_MIN_MACS) {
        /* More column blocks until every thread has an equal share of tiles (or the panels
         * run out): splitting columns repacks only A's rows, a weight or a batch. */
        while (g.col_blocks < g.col_panels &&
               ((g.row_blocks * g.col_blocks) % threads != 0 || g.row_blocks * g.col_blocks < threads) &&
               g.row_blocks * g.col_blocks < 4 * threads)
            g.col_blocks++;
        /* A narrow C (a conv's weight gradient of 16 columns, a logit's one) has too few
         * column panels for every thread: then rows are split too (each tile packs its own
         * B, which costs less than a waiting thread). */
        while (g.row_blocks < g.row_panels && g.row_blocks * g.col_blocks < threads) g.row_blocks++;
    } else {
        pool = NULL; /* small: this thread alone, with its own scratch */
    }
    return vg_pool_run(pool, g.row_blocks * g.col_blocks, run_tile, &g, true);
}

vg_status vg_gemm_fused(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                        const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                        float *C, int64_t ldc, const float *bias, vg_activation act, float alpha,
                        float *a_row_sums) {
    vg_gemm_problem p = {.trans_a = trans_a, .trans_b = trans_b, .M = M, .N = N, .K = K,
                         .alpha = 1.0f, .beta = beta, .A = A, .lda = lda, .B = B, .ldb = ldb,
                         .C = C, .ldc = ldc, .bias_activation = true, .bias = bias,
                         .activation = act, .activation_alpha = alpha, .a_row_sums = a_row_sums};
    vg_status status = vg_gemm_run(vg_default_pool_acquire(), &p);
    vg_default_pool_release();
    return status;
}

vg_status vg_gemm_with_pool(vg_pool *pool, bool trans_a, bool trans_b, int64_t M, int64_t N,
                            int64_t K, float alpha, const float *A, int64_t lda, const float *B,
                            int64_t ldb, float beta, float *C, int64_t ldc) {
    bool trivial;
    vg_status status = check_problem(trans_a, trans_b, M, N, K, A, lda, B, ldb, beta, C, ldc, &trivial);
    if (status != VG_OK || trivial) return status;
    vg_gemm_problem p = {.trans_a = trans_a, .trans_b = trans_b, .M = M, .N = N, .K = K,
                         .alpha = alpha, .beta = beta, .A = A, .lda = lda, .B = B, .ldb = ldb,
                         .C = C, .ldc = ldc};
    return vg_gemm_run(pool, &p);
}

vg_status vg_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                  const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                  float *C, int64_t ldc) {
    vg_pool *pool = vg_default_pool_acquire();
    vg_status status = vg_gemm_with_pool(pool, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb,
                                         beta, C, ldc);
    vg_default_pool_release();
    return status;
}

vg_status vg_gemm_openblas(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                           float alpha, const float *A, int64_t lda, const float *B, int64_t ldb,
                           float beta, float *C, int64_t ldc) {
    bool trivial;
    vg_status status = check_problem(trans_a, trans_b, M, N, K, A, lda, B, ldb, beta, C, ldc, &trivial);
    if (status != VG_OK || trivial) return status;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N, (blasint)K, alpha, A,
                (blasint)lda, B, (blasint)ldb, beta, C, (blasint)ldc);
    return VG_OK;
}

/* ------------------------------------------------------------ reference */

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
