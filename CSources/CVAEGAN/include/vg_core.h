/*
 * vg_core.h — the C core: the hot loops under VAEGAN's Swift API.
 *
 * What is here: GEMM and the dense layer's forward/backward, element-wise activations,
 * losses with their gradients, optimizer updates, the random number generator, and the
 * sample-quality kernels (Fréchet distance, k-NN manifolds).
 * What is not: models, files, allocation. Every buffer is the caller's (only the orthogonal
 * initialization's LAPACKE calls, once at model creation, and the evaluation-time
 * sample-quality kernels allocate internally).
 *
 * Shapes. Matrices are row-major and batch-major: B rows (examples) of C columns (features).
 * A dense layer maps x (B, IN) to y (B, OUT) with weight W (OUT, IN), as PyTorch's nn.Linear.
 *
 * Each SIMD kernel has a scalar twin named *_ref: the specification. The SIMD versions are
 * written once (simd_kernels.h) and built for AVX2 and AVX-512; the CPU picks at run time.
 * Kernels without transcendental functions match their reference bit for bit, except that
 * summed losses may differ in summation order; those with exp/log use VAEGAN's own vectorized
 * approximations, accurate as stated beside each.
 *
 * Backward passes accumulate (+=) into parameter gradients; vg_fill zeroes them.
 */
#ifndef VG_CORE_H
#define VG_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "vaegan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared from here on is internal to the library: hidden, so libVAEGANC.so
 * exports only what vaegan.h declares (VG_API), and a caller's function of the same name
 * (say its own vg_rng_seed) can neither replace ours nor be called by us. Static linking (the
 * Swift package, the tests, the benchmarks) is unaffected: visibility only concerns what a
 * shared object exports. Definitions inherit the visibility of these declarations. */
#pragma GCC visibility push(hidden)

/* ---------------------------------------------------------------- errors (error.c) */

/* Records a printf-style message as the calling thread's last error and returns `status`. */
vg_status vg_error_setf(vg_status status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------------- dispatch (threads.c) */

/* The instruction sets the SIMD kernels are built for. */
typedef enum vg_simd {
    VG_SIMD_SCALAR = 0, /* the *_ref kernels */
    VG_SIMD_AVX2 = 1,   /* AVX2 with FMA, 8 lanes */
    VG_SIMD_AVX512 = 2, /* AVX-512F, 16 lanes */
} vg_simd;

/* The best instruction set this CPU runs (asked of the CPU on each call; it is cheap). */
vg_simd vg_simd_level(void);
/* "scalar", "avx2" or "avx512". */
const char *vg_simd_name(vg_simd level);

/* ---------------------------------------------------------------- threads (pool.c, threads.c) */

/* Most threads a pool may have. */
#define VG_MAX_THREADS 1024

/* A fixed set of worker threads that run the tasks of one job at a time, the calling thread
 * among them: tile after tile of a GEMM, chunk after chunk of an element-wise pass. Workers
 * spin briefly after a job, then sleep, so an idle pool costs nothing and a busy machine is
 * shared. Each worker owns a 64-byte-aligned scratch buffer, allocated at creation. A pool
 * runs one job at a time: a thread that finds it busy runs its tasks itself (with a scratch
 * buffer of its own, allocated on its first such call), so threads never wait on each other. */
typedef struct vg_pool vg_pool;

/* task(context, index, worker, scratch): index in [0, tasks); worker in [0, threads), 0 being
 * the caller; scratch the worker's buffer (NULL when the pool has none). */
typedef void (*vg_task_fn)(void *context, int64_t task, int worker, float *scratch);

/* A pool of `threads` (1 ... VG_MAX_THREADS: the caller and threads − 1 workers), each with
 * scratch_floats floats of scratch. Errors: VG_ERROR_INVALID_ARGUMENT, VG_ERROR_OUT_OF_MEMORY
 * (memory or threads that cannot be had; nothing is left behind). */
vg_status vg_pool_create(vg_pool **out, int threads, int64_t scratch_floats);
/* Stops and joins the workers; NULL is a no-op. No job may be running. */
void vg_pool_free(vg_pool *pool);
int vg_pool_thread_count(const vg_pool *pool);
int64_t vg_pool_scratch_floats(const vg_pool *pool);
/* Runs task 0 ... tasks − 1 and returns when all are done. pool may be NULL (run here). Tasks
 * run outside the pool (NULL, or busy) get this thread's own scratch buffer of the pool's size
 * (the GEMM's without a pool) when needs_scratch, NULL otherwise.
 * Errors: VG_ERROR_OUT_OF_MEMORY when that buffer cannot be allocated (no task ran). */
vg_status vg_pool_run(vg_pool *pool, int64_t tasks, vg_task_fn task, void *context,
                      bool needs_scratch);

/* Allocates now the scratch buffer this thread uses when it runs a GEMM beside a busy pool
 * (otherwise allocated on the first such call), so that even that call allocates nothing.
 * Errors: VG_ERROR_OUT_OF_MEMORY. */
vg_status vg_thread_scratch_reserve(void);

/* The process-wide pool the library's kernels use (created on first use: VAEGAN_NUM_THREADS
 * threads, or one per CPU this process may run on), held until vg_default_pool_release, which
 * every acquire must be paired with on the same thread. NULL only if not even one thread's
 * scratch could be allocated (vg_pool_run then runs tasks on the caller). */
vg_pool *vg_default_pool_acquire(void);
void vg_default_pool_release(void);
/* Replaces the process-wide pool by one of `threads` threads, once no job runs on the old one
 * (it waits for them). Must not be called from inside a task. */
vg_status vg_set_default_pool_threads(int threads);
/* For benchmarks: with timing on, the pool adds up the wall time and multiply-adds of the
 * GEMMs run on it (from vg_gemm, the dense layers and vg_gemm_with_pool), including those small
 * enough to run on the caller alone. Turning it on or off resets the totals. */
void vg_pool_set_gemm_timing(vg_pool *pool, bool on);
void vg_pool_gemm_totals(const vg_pool *pool, double *seconds, double *multiply_adds);

/* CPUs this process may run on (its affinity mask), at least 1. */
int vg_available_cpu_count(void);

/* ---------------------------------------------------------------- the CPU (cpu.c) */

/* What CPUID says, with each vector extension counted only where the OS saves its registers. */
typedef struct vg_cpu_features {
    char vendor[13]; /* "GenuineIntel", "AuthenticAMD" */
    char brand[49];  /* the processor brand string */
    int family, model;
    bool sse3, avx2, fma, avx512f, avx512bw, avx512vl, avx512_vnni, avx512_bf16, amx_tile, amx_bf16;
} vg_cpu_features;

vg_cpu_features vg_cpu_features_detect(void);
/* The kernel set OpenBLAS chose for this CPU ("Haswell", "SkylakeX", "Prescott", …). */
const char *vg_openblas_core_name(void);

/* ---------------------------------------------------------------- GEMM (gemm.c) */

/* C (M, N) = alpha · op(A) · op(B) + beta · C, op(X) = X or Xᵀ; BLAS conventions, row-major,
 * any leading dimension. VAEGAN's own packed-panel kernels (AVX-512, AVX2+FMA or portable SSE2,
 * chosen by CPUID), on the process-wide pool; bitwise the same result for any thread count.
 * Errors: VG_ERROR_INVALID_ARGUMENT for negative sizes or leading dimensions too small;
 * VG_ERROR_OUT_OF_MEMORY as vg_pool_run. */
vg_status vg_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                  const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                  float *C, int64_t ldc);
/* The same on a given pool (NULL: the calling thread alone). */
vg_status vg_gemm_with_pool(vg_pool *pool, bool trans_a, bool trans_b, int64_t M, int64_t N,
                            int64_t K, float alpha, const float *A, int64_t lda, const float *B,
                            int64_t ldb, float beta, float *C, int64_t ldc);
/* The same through OpenBLAS's cblas_sgemm (its own threads): the comparison in benchmarks. */
vg_status vg_gemm_openblas(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                           float alpha, const float *A, int64_t lda, const float *B, int64_t ldb,
                           float beta, float *C, int64_t ldc);
/* Floats of scratch one thread of a GEMM needs (the packed panels). */
int64_t vg_gemm_scratch_floats(void);
/* The kernel set vg_gemm uses on this CPU: "avx512", "avx2" or "portable". */
const char *vg_gemm_kernel_name(void);
/* The same, as three plain loops accumulated in double: the reference for tests. */
void vg_gemm_ref(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
                 int64_t ldc);

/* ---------------------------------------------------------------- activations (activation.c) */

typedef enum vg_activation {
    VG_ACTIVATION_IDENTITY = 0,
    VG_ACTIVATION_RELU = 1,       /* NaN stays NaN (as in PyTorch), so divergence shows */
    VG_ACTIVATION_LEAKY_RELU = 2, /* y = x for x > 0, alpha·x otherwise; alpha >= 0 */
    VG_ACTIVATION_SIGMOID = 3,
    VG_ACTIVATION_TANH = 4,
} vg_activation;

/* y = act(x + bias) in place on y (B, C), bias (C) or NULL: the pass after a GEMM, so the bias
 * costs no pass of its own. Accuracy of the SIMD path against the reference: sigmoid within
 * 2e-7 absolute, tanh within 4e-7 absolute (both exact at ±inf, NaN stays NaN); the others bit
 * for bit. */
void vg_bias_activation_forward(float *y, const float *bias, int64_t B, int64_t C,
                                vg_activation act, float alpha);
void vg_bias_activation_forward_ref(float *y, const float *bias, int64_t B, int64_t C,
                                    vg_activation act, float alpha);

/* dx = dy · act'(x), written from the forward's output y alone (every activation here has a
 * derivative expressible in y, so the forward may run in place). dx may alias dy. n = B·C. */
void vg_activation_backward(float *dx, const float *dy, const float *y, int64_t n,
                            vg_activation act, float alpha);
void vg_activation_backward_ref(float *dx, const float *dy, const float *y, int64_t n,
                                vg_activation act, float alpha);

/* ---------------------------------------------------------------- dense layer (dense.c) */

/* y (B, OUT) = act(x (B, IN) · Wᵀ + bias). w is (OUT, IN); bias (OUT) may be NULL. */
vg_status vg_dense_forward(float *y, const float *x, const float *w, const float *bias, int64_t B,
                           int64_t IN, int64_t OUT, vg_activation act, float alpha);

/* Backward of y = x · Wᵀ + b, given dy (B, OUT) (already through the activation):
 *   dw (OUT, IN) += dyᵀ · x        (skipped when dw is NULL)
 *   db (OUT)     += column sums of dy (skipped when db is NULL)
 *   dx (B, IN)    = dy · W + dx_beta · dx   (skipped when dx is NULL; dx_beta 0 or 1)
 * x is the forward's input, w the weight. */
vg_status vg_dense_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                            const float *w, int64_t B, int64_t IN, int64_t OUT, float dx_beta);

/* db (C) += column sums of dy (B, C). */
void vg_column_sums_accumulate(float *db, const float *dy, int64_t B, int64_t C);
void vg_column_sums_accumulate_ref(float *db, const float *dy, int64_t B, int64_t C);

/* ---------------------------------------------------------------- convolutions (conv.c) */

/* The shape of a Conv2d or ConvTranspose2d on a batch (NCHW; square kernel, equal stride and
 * padding in both directions), with its output size worked out as PyTorch does:
 *   Conv2d          OH = (H + 2P − K) / S + 1               weight (CO, CI, K, K)
 *   ConvTranspose2d OH = (H − 1)·S − 2P + K + output_padding   weight (CI, CO, K, K) */
typedef struct vg_conv_geometry {
    int64_t batch;
    int64_t in_channels, in_height, in_width;
    int64_t out_channels, out_height, out_width;
    int64_t kernel, stride, padding, output_padding;
    bool transposed;
} vg_conv_geometry;

/* Fills *g. Errors: VG_ERROR_INVALID_ARGUMENT (a size, kernel or stride not positive, negative
 * padding, output padding on a Conv2d or not below the stride), VG_ERROR_SHAPE_MISMATCH (no
 * output: the kernel is larger than the padded input). */
vg_status vg_conv_geometry_init(vg_conv_geometry *g, bool transposed, int64_t batch,
                                int64_t in_channels, int64_t height, int64_t width,
                                int64_t out_channels, int64_t kernel, int64_t stride,
                                int64_t padding, int64_t output_padding);
/* Floats of workspace the forward and backward of g need (a chunk's patch matrix, one copy of
 * the other side, channel-major, and a zero-padded copy of each of its images). The caller
 * owns it; it holds nothing between calls. */
int64_t vg_conv_workspace_size(const vg_conv_geometry *g);

/* y (B, CO, OH, OW) = act(conv(x) + bias); bias (CO) may be NULL. */
vg_status vg_conv2d_forward(float *y, float *workspace, const float *x, const float *w,
                            const float *bias, const vg_conv_geometry *g, vg_activation act,
                            float alpha);
/* Backward of y = conv(x) + b given dy (already through any activation):
 *   dw += ∂/∂w, db += ∂/∂b (each skipped when NULL), dx = ∂/∂x + dx_beta·dx (skipped when NULL).
 * x is the forward's input (needed for dw), w the weight (needed for dx). */
vg_status vg_conv2d_backward(float *dx, float *dw, float *db, float *workspace, const float *dy,
                             const float *x, const float *w, const vg_conv_geometry *g,
                             float dx_beta);
vg_status vg_conv_transpose2d_forward(float *y, float *workspace, const float *x, const float *w,
                                      const float *bias, const vg_conv_geometry *g,
                                      vg_activation act, float alpha);
vg_status vg_conv_transpose2d_backward(float *dx, float *dw, float *db, float *workspace,
                                       const float *dy, const float *x, const float *w,
                                       const vg_conv_geometry *g, float dx_beta);
/* The references: direct nested loops over the definition, accumulated in double. */
void vg_conv2d_forward_ref(float *y, const float *x, const float *w, const float *bias,
                           const vg_conv_geometry *g, vg_activation act, float alpha);
void vg_conv2d_backward_ref(float *dx, float *dw, float *db, const float *dy, const float *x,
                            const float *w, const vg_conv_geometry *g, float dx_beta);
void vg_conv_transpose2d_forward_ref(float *y, const float *x, const float *w, const float *bias,
                                     const vg_conv_geometry *g, vg_activation act, float alpha);
void vg_conv_transpose2d_backward_ref(float *dx, float *dw, float *db, const float *dy,
                                      const float *x, const float *w, const vg_conv_geometry *g,
                                      float dx_beta);

/* ---------------------------------------------------------------- batch normalization (batchnorm.c) */

/* Over x (B, C, S): S = H·W after a convolution, 1 after a dense layer; statistics per channel
 * over its B·S values, as PyTorch's BatchNorm1d/2d (momentum 0.1 and ε 1e-5 are its defaults).
 * Training: batch mean and biased variance normalize; saved_mean and saved_rstd (C each) keep
 * μ and 1/sqrt(σ² + ε) for the backward; running_mean/var (both or neither may be NULL) move by
 * `momentum` toward μ and the unbiased variance. gamma/beta (C) NULL mean 1 and 0.
 * Errors: VG_ERROR_INVALID_ARGUMENT (sizes, ε <= 0, NULL buffers, B·S < 2 in training). */
vg_status vg_batchnorm_forward_train(float *y, float *saved_mean, float *saved_rstd,
                                     float *running_mean, float *running_var, const float *x,
                                     const float *gamma, const float *beta, int64_t B, int64_t C,
                                     int64_t S, float momentum, float eps);
/* Evaluation: y = γ·(x − running_mean)/sqrt(running_var + ε) + β. */
vg_status vg_batchnorm_forward_eval(float *y, const float *x, const float *gamma, const float *beta,
                                    const float *running_mean, const float *running_var, int64_t B,
                                    int64_t C, int64_t S, float eps);
/* Backward of the training forward: dgamma += Σ dy·x̂, dbeta += Σ dy (each skipped when NULL),
 * dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)) + dx_beta·dx (skipped when NULL). x is the
 * forward's input, saved_mean/saved_rstd what it saved. */
vg_status vg_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                                const float *x, const float *saved_mean, const float *saved_rstd,
                                const float *gamma, int64_t B, int64_t C, int64_t S, float dx_beta);
/* The same three computed by the passes built for baseline x86-64 (SSE2), whatever the CPU:
 * the AVX2 and AVX-512 builds above vectorize the same operations in the same order, so they
 * must give these bits exactly (the tests check it). */
vg_status vg_batchnorm_forward_train_baseline(float *y, float *saved_mean, float *saved_rstd,
                                              float *running_mean, float *running_var,
                                              const float *x, const float *gamma,
                                              const float *beta, int64_t B, int64_t C, int64_t S,
                                              float momentum, float eps);
vg_status vg_batchnorm_forward_eval_baseline(float *y, const float *x, const float *gamma,
                                             const float *beta, const float *running_mean,
                                             const float *running_var, int64_t B, int64_t C,
                                             int64_t S, float eps);
vg_status vg_batchnorm_backward_baseline(float *dx, float *dgamma, float *dbeta, const float *dy,
                                         const float *x, const float *saved_mean,
                                         const float *saved_rstd, const float *gamma, int64_t B,
                                         int64_t C, int64_t S, float dx_beta);
/* The formulas written straight in double, one channel after another: within rounding of the
 * above, not bit for bit (those sum in four interleaved lanes, round rstd and γ·rstd to float
 * and compute y in float). */
void vg_batchnorm_forward_train_ref(float *y, float *saved_mean, float *saved_rstd,
                                    float *running_mean, float *running_var, const float *x,
                                    const float *gamma, const float *beta, int64_t B, int64_t C,
                                    int64_t S, float momentum, float eps);
void vg_batchnorm_backward_ref(float *dx, float *dgamma, float *dbeta, const float *dy,
                               const float *x, const float *saved_mean, const float *saved_rstd,
                               const float *gamma, int64_t B, int64_t C, int64_t S, float dx_beta);

/* ---------------------------------------------------------------- element-wise (elementwise.c) */

void vg_fill(float *x, float value, int64_t n);
/* y += a · x */
void vg_axpy(float *y, float a, const float *x, int64_t n);
/* x *= a */
void vg_scale(float *x, float a, int64_t n);
/* Σ x² in double. */
double vg_sum_squares(const float *x, int64_t n);
/* Count of NaN and infinite values. */
int64_t vg_count_non_finite(const float *x, int64_t n);
/* y = x / 255 for bytes (pixels to [0, 1]), divided as PyTorch's x / 255 is. */
void vg_bytes_to_unit_floats(float *y, const uint8_t *x, int64_t n);
/* Bernoulli draws in place: x = 1 where u < x, else 0 (x: probabilities in [0, 1], u: uniform
 * in [0, 1)), so each value becomes 1 with probability equal to itself. */
void vg_bernoulli_in_place(float *x, const float *u, int64_t n);

/* ---------------------------------------------------------------- losses (loss.c) */
/* Each returns the sum of its per-element losses in *loss (double) and, when grad is non-NULL,
 * writes grad = grad_scale · ∂loss/∂input (overwriting). grad_scale is usually 1/B so the
 * gradient is that of the batch mean. */

/* Binary cross-entropy on logits l against targets t in [0, 1], stable for any finite l:
 *   loss = max(l, 0) − l·t + log(1 + exp(−|l|)),  ∂/∂l = sigmoid(l) − t.
 * SIMD path against the reference, per element: loss within 3e-7 relative, gradient within
 * 2e-7·grad_scale absolute; for |l| > 87.3, where exp(−|l|) is below 1.22e-38, the SIMD path
 * flushes that term to 0. NaN logits give NaN. grad may alias nothing. */
void vg_bce_logits(double *loss, float *grad, const float *logits, const float *targets,
                   int64_t n, float grad_scale);
void vg_bce_logits_ref(double *loss, float *grad, const float *logits, const float *targets,
                       int64_t n, float grad_scale);

/* Binary cross-entropy on logits against one target for every element (GAN labels). */
void vg_bce_logits_constant(double *loss, float *grad, const float *logits, float target,
                            int64_t n, float grad_scale);

/* Squared error: loss = Σ (p − t)², ∂/∂p = 2 (p − t). */
void vg_squared_error(double *loss, float *grad, const float *prediction, const float *target,
                      int64_t n, float grad_scale);
void vg_squared_error_ref(double *loss, float *grad, const float *prediction,
                          const float *target, int64_t n, float grad_scale);

/* KL(N(μ, σ²) ‖ N(0, 1)) summed over (B, C), with logvar = log σ²:
 *   kl = −½ Σ (1 + logvar − μ² − exp(logvar))
 *   dmu += grad_scale · μ;  dlogvar += grad_scale · ½ (exp(logvar) − 1)   (accumulating:
 *   the reparameterization's backward adds to the same buffers). dmu/dlogvar may be NULL.
 * per_dim (C), if non-NULL, accumulates each latent dimension's KL summed over the batch. */
void vg_gaussian_kl(double *kl, float *dmu, float *dlogvar, double *per_dim, const float *mu,
                    const float *logvar, int64_t B, int64_t C, float grad_scale);

/* z = μ + exp(½ logvar) · ε, element-wise over n. */
void vg_reparameterize_forward(float *z, const float *mu, const float *logvar, const float *eps,
                               int64_t n);
/* Backward of the line above: dmu += dz;  dlogvar += dz · ε · ½ exp(½ logvar). Needs the
 * forward's ε and logvar. */
void vg_reparameterize_backward(float *dmu, float *dlogvar, const float *dz, const float *logvar,
                                const float *eps, int64_t n);

/* ---------------------------------------------------------------- importance weighting (iwae.c) */
/* Rows are example-major: row r = b·K + k is sample k of example b. */

/* BCE on logits row by row: row_loss[r] (may be NULL) = Σ_c bce(logits[r][c], t[c]) with t the
 * row r / target_repeat of targets; grad (may be NULL) [r][c] = grad_scale·row_scale[r]·(sigmoid − t).
 * Rows split over the pool; each row as vg_bce_logits (the _ref: as vg_bce_logits_ref). */
void vg_bce_logits_rows(double *row_loss, float *grad, const float *logits, const float *targets,
                        int64_t rows, int64_t cols, int64_t target_repeat, const float *row_scale,
                        float grad_scale);
void vg_bce_logits_rows_ref(double *row_loss, float *grad, const float *logits,
                            const float *targets, int64_t rows, int64_t cols,
                            int64_t target_repeat, const float *row_scale, float grad_scale);

/* K draws of z per example from q = N(μ_b, σ²_b): z[r] = μ[b] + exp(½ logvar[b])·ε[r], and
 * log_ratio[r] = log p(z[r]) − log q(z[r] | x_b) = Σ_j ½ (logvar[b][j] + ε[r][j]² − z[r][j]²)
 * (the ½ log 2π terms cancel). μ, logvar (B, L); ε, z (B·K, L). */
void vg_iwae_sample(float *z, double *log_ratio, const float *mu, const float *logvar,
                    const float *eps, int64_t B, int64_t K, int64_t L);

/* With log w[r] = log_ratio[r] − nll[r] (nll = −log p(x_b | z[r])): log_mean_weight[b] =
 * log (1/K) Σ_k w[b·K + k], the importance-weighted bound of example b, and (weight may be
 * NULL) the normalized weights weight[r] = w[r] / Σ_k w[b·K + k]. */
void vg_iwae_combine(double *log_mean_weight, float *weight, const double *log_ratio,
                     const double *nll, int64_t B, int64_t K);

/* Backward of −grad_scale·Σ_b bound_b into μ and log σ² (B, L; overwritten), given
 * dz (B·K, L), the decoder's ∂/∂z for output gradients weighted by weight[r]·grad_scale, and
 * the forward's z, ε and logvar. dreg: the doubly reparameterized estimator (Tucker et al.
 * 2018) for the encoder, whose weights enter squared and whose log q is held fixed. */
void vg_iwae_latent_backward(float *dmu, float *dlogvar, const float *dz, const float *z,
                             const float *eps, const float *logvar, const float *weight,
                             int64_t B, int64_t K, int64_t L, float grad_scale, bool dreg);

/* ---------------------------------------------------------------- optimizers (optim.c) */

/* SGD with momentum (PyTorch's form): v = momentum·v + (g + wd·p); p −= lr·v. */
void vg_sgd_step(float *param, float *velocity, const float *grad, int64_t n, float lr,
                 float momentum, float weight_decay);
void vg_sgd_step_ref(float *param, float *velocity, const float *grad, int64_t n, float lr,
                     float momentum, float weight_decay);

/* Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), bias-corrected; `step` counts
 * from 1. With decoupled = false weight decay is L2 (g += wd·p, PyTorch's Adam); with
 * decoupled = true it is AdamW's p −= lr·wd·p. Formulas as in PyTorch's torch.optim.AdamW:
 *   m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;
 *   p −= lr · (m / (1−β1^step)) / (sqrt(v / (1−β2^step)) + eps). */
void vg_adam_step(float *param, float *m, float *v, const float *grad, int64_t n, float lr,
                  float beta1, float beta2, float eps, float weight_decay, bool decoupled,
                  int64_t step);
void vg_adam_step_ref(float *param, float *m, float *v, const float *grad, int64_t n, float lr,
                      float beta1, float beta2, float eps, float weight_decay, bool decoupled,
                      int64_t step);

/* Exponential moving average of weights: average = decay·average + (1 − decay)·value (one pass
 * over a model part's store after each optimizer step). The pool's version matches the
 * reference bit for bit. */
void vg_ema_update(float *average, const float *value, int64_t n, float decay);
void vg_ema_update_ref(float *average, const float *value, int64_t n, float decay);

/* ---------------------------------------------------------------- random numbers (rng.c) */

/* xoshiro256** (Blackman & Vigna), seeded through splitmix64. Explicit state, owned by the
 * caller; the same seed gives the same stream on every machine (integer arithmetic, and
 * normals through the polar method with VAEGAN's own log, not the platform's libm). */
typedef struct vg_rng {
    uint64_t s[4];
} vg_rng;

void vg_rng_seed(vg_rng *rng, uint64_t seed);
uint64_t vg_rng_next(vg_rng *rng);
/* Uniform in [0, bound) without modulo bias; 0 when bound is 0. */
uint64_t vg_rng_below(vg_rng *rng, uint64_t bound);
/* Uniform floats in [0, 1): 24 random bits each. */
void vg_rng_uniform_fill(vg_rng *rng, float *x, int64_t n);
/* Standard normal floats. */
void vg_rng_normal_fill(vg_rng *rng, float *x, int64_t n);

/* ---------------------------------------------------------------- initialization (init.c) */

/* Floats of workspace vg_orthogonal_init needs for a (rows, cols) weight. */
int64_t vg_orthogonal_workspace_size(int64_t rows, int64_t cols);
/* w (rows, cols) = gain · a random matrix with orthonormal rows or columns (whichever are
 * fewer), from the QR factorization of a Gaussian matrix (LAPACKE sgeqrf/sorgqr). */
vg_status vg_orthogonal_init(float *w, int64_t rows, int64_t cols, float gain, vg_rng *rng,
                             float *workspace);

/* ---------------------------------------------------------------- classification (softmax.c) */

/* Softmax cross-entropy on logits (B, C) against labels in [0, C):
 *   loss = Σ_b (log Σ_c exp l_bc − l_b,label_b),  grad = grad_scale · (softmax(l_b) − onehot).
 * Stable for any finite logits; VG_ERROR_INVALID_ARGUMENT names the first label out of range.
 * grad may be NULL. */
vg_status vg_softmax_cross_entropy(double *loss, float *grad, const float *logits,
                                   const int32_t *labels, int64_t B, int64_t C, float grad_scale);

/* ---------------------------------------------------------------- sample quality (frechet.c, neighbors.c) */
/* Evaluation kernels, not training ones: they allocate their workspaces (and say so with
 * VG_ERROR_OUT_OF_MEMORY). */

/* Mean (d) and unbiased covariance (d, d) of n ≥ 2 rows of d features, in double. */
vg_status vg_mean_covariance(double *mean, double *cov, const float *x, int64_t n, int64_t d);

/* Fréchet distance between N(mean_a, cov_a) and N(mean_b, cov_b) (d dimensions):
 *   ‖μa − μb‖² + tr Σa + tr Σb − 2 tr (Σa^½ Σb Σa^½)^½,
 * with both square roots from LAPACK's symmetric eigensolver (dsyevd) in double. A covariance
 * with an eigenvalue below −1e-6 × its largest is VG_ERROR_INVALID_ARGUMENT (not positive
 * semidefinite); NaN or infinity VG_ERROR_NON_FINITE. */
vg_status vg_frechet_distance(double *distance, const double *mean_a, const double *cov_a,
                              const double *mean_b, const double *cov_b, int64_t d);

/* radii[i] = Euclidean distance from points[i] to its k-th nearest other point (n > k rows of
 * d features). */
vg_status vg_kth_neighbor_distances(float *radii, const float *points, int64_t n, int64_t d, int64_t k);
void vg_kth_neighbor_distances_ref(float *radii, const float *points, int64_t n, int64_t d, int64_t k);

/* *fraction = share of the m query rows within radii[j] of some points[j] (n rows): the
 * k-NN manifold test of improved precision and recall. */
vg_status vg_manifold_fraction(double *fraction, const float *queries, int64_t m,
                               const float *points, const float *radii, int64_t n, int64_t d);
void vg_manifold_fraction_ref(double *fraction, const float *queries, int64_t m,
                              const float *points, const float *radii, int64_t n, int64_t d);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif /* VG_CORE_H */
