/*
 * internal.h — what the C core's files share; never installed, not API.
 *
 * The SIMD kernels are written once (simd_kernels.h) and compiled per instruction set
 * (simd_avx2.c, simd_avx512.c); the public kernels pick one at run time with VG_DISPATCH.
 * Batch norm's passes (batchnorm_passes.h) are built in the same two files and in
 * batchnorm.c, which picks a build itself; the GEMM's kernels have their own files.
 */
#ifndef VG_INTERNAL_H
#define VG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vg_core.h"

/* Hidden, like the rest of the core (vg_core.h says why). */
#pragma GCC visibility push(hidden)

/* Adam's per-step constants, computed once per step (optim.c) and shared by every path. */
typedef struct vg_adam_constants {
    float beta1, beta2, eps;
    float step_size;    /* lr / (1 − β1^t) */
    float inv_sqrt_bc2; /* 1 / sqrt(1 − β2^t) */
    float decay_factor; /* AdamW: 1 − lr·wd; otherwise 1 */
    float l2;           /* Adam: wd, added to the gradient as wd·p; otherwise 0 */
} vg_adam_constants;

/* Declares one kernel for each instruction set. */
#define VG_DECLARE_SIMD(ret, name, ...) \
    ret name##_avx2(__VA_ARGS__);       \
    ret name##_avx512(__VA_ARGS__);

VG_DECLARE_SIMD(void, vg_bias_activation_forward, float *y, const float *bias, int64_t B, int64_t C,
                vg_activation act, float alpha)
VG_DECLARE_SIMD(void, vg_activation_backward, float *dx, const float *dy, const float *y, int64_t n,
                vg_activation act, float alpha)
VG_DECLARE_SIMD(void, vg_column_sums_accumulate, float *db, const float *dy, int64_t B, int64_t C)
VG_DECLARE_SIMD(void, vg_bce_logits, double *loss, float *grad, const float *logits,
                const float *targets, int64_t n, float grad_scale)
VG_DECLARE_SIMD(void, vg_squared_error, double *loss, float *grad, const float *prediction,
                const float *target, int64_t n, float grad_scale)
VG_DECLARE_SIMD(void, vg_adam_update, float *param, float *m, float *v, const float *grad, int64_t n,
                const vg_adam_constants *constants)

/* ------------------------------------------------------------ GEMM internals (gemm*.c) */

/* One product C = alpha·op(A)·op(B) + beta·C, with optional fused work:
 *   bias_activation  C = act(C + bias) per tile, after its last K slice (bias may be NULL),
 *              by the same instruction set's vg_bias_activation_forward;
 *   a_row_sums a_row_sums[i] += Σ_k op(A)[i][k] (the bias gradient of a dense layer's dW
 *              product, whose op(A) is dyᵀ), summed in k order like the column-sum kernel. */
typedef struct vg_gemm_problem {
    bool trans_a, trans_b;
    int64_t M, N, K;
    float alpha, beta;
    const float *A;
    int64_t lda;
    const float *B;
    int64_t ldb;
    float *C;
    int64_t ldc;
    bool bias_activation;
    const float *bias;
    vg_activation activation;
    float activation_alpha;
    float *a_row_sums;
} vg_gemm_problem;

/* Blocking per instruction set (gemm_kernel.h): MR × NR registers, KC the depth of a slice,
 * MC × KC of packed A for L2, KC × NC of packed B for L3. MC is a multiple of MR. */
#define VG_GEMM_AVX2_MR 6
#define VG_GEMM_AVX512_MR 6
#define VG_GEMM_PORTABLE_MR 4
/* KC: AVX2's 16 × 384 panel of B (24 KiB) stays in a 32 KiB L1; AVX-512's 32-wide one is
 * kept at 32 KiB by a shallower slice. 384 (not 256) so that K = 784 is 3 slices, not 4. */
#define VG_GEMM_AVX2_KC 384
#define VG_GEMM_AVX512_KC 256
#define VG_GEMM_KC 384 /* the deepest, for the scratch size */
#define VG_GEMM_MC 144
#define VG_GEMM_PORTABLE_MC 128
#define VG_GEMM_NC 2048
/* Scratch a tile needs: packed B, packed A, one row sum per row. The largest of the sets. */
#define VG_GEMM_SCRATCH_FLOATS \
    ((int64_t)VG_GEMM_KC * VG_GEMM_NC + (int64_t)VG_GEMM_KC * VG_GEMM_MC + VG_GEMM_MC)

typedef void (*vg_gemm_tile_fn)(const vg_gemm_problem *p, int64_t i0, int64_t rows, int64_t j0,
                                int64_t cols, float *scratch);
void vg_gemm_tile_avx512(const vg_gemm_problem *p, int64_t i0, int64_t rows, int64_t j0,
                         int64_t cols, float *scratch);
void vg_gemm_tile_avx2(const vg_gemm_problem *p, int64_t i0, int64_t rows, int64_t j0,
                       int64_t cols, float *scratch);
void vg_gemm_tile_portable(const vg_gemm_problem *p, int64_t i0, int64_t rows, int64_t j0,
                           int64_t cols, float *scratch);

/* The pool's GEMM timing (vg_pool_set_gemm_timing): whether it is on, and adding one GEMM. */
bool vg_pool_gemm_timing(const vg_pool *pool);
void vg_pool_add_gemm_time(vg_pool *pool, int64_t nanoseconds, int64_t multiply_adds);

/* C = op(A)·op(B) + beta·C on the process-wide pool, then act(C + bias) per tile (bias may be
 * NULL; identity without bias skips the pass), and a_row_sums (may be NULL) += the row sums of
 * op(A): the products of the dense and convolutional layers, sizes already checked. */
vg_status vg_gemm_fused(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                        const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                        float *C, int64_t ldc, const float *bias, vg_activation act, float alpha,
                        float *a_row_sums);

/* Runs a validated problem on `pool` (NULL: the calling thread alone). */
vg_status vg_gemm_run(vg_pool *pool, const vg_gemm_problem *problem);

/* Runs body(context, begin, end) over [0, n) in chunks of `chunk` items on the default pool
 * (one chunk: here, in one call). Chunks are the caller's choice of what is worth a worker's
 * time; their boundaries do not depend on the thread count. */
typedef void (*vg_range_fn)(void *context, int64_t begin, int64_t end);
void vg_parallel_for(int64_t n, int64_t chunk, vg_range_fn body, void *context);

/* Σ body(context, begin, end) over the same kind of chunks (made longer where there would be
 * more than 256), the partial sums added in chunk order: the same result for any thread
 * count. */
typedef double (*vg_range_sum_fn)(void *context, int64_t begin, int64_t end);
double vg_parallel_sum(int64_t n, int64_t chunk, vg_range_sum_fn body, void *context);

/* Elements per chunk of the element-wise passes: a multiple of every vector width, and long
 * enough that a chunk is worth a worker's time. */
#define VG_ELEMENTWISE_CHUNK 16384

/* Items of `item_floats` elements each per task, about VG_ELEMENTWISE_CHUNK elements (at least
 * one item): the chunk for vg_parallel_for over channels or rows. */
static inline int64_t vg_items_per_task(int64_t item_floats) {
    return item_floats >= VG_ELEMENTWISE_CHUNK ? 1 : VG_ELEMENTWISE_CHUNK / item_floats;
}

/* Batch normalization's passes over channels [begin, end) of a batchnorm_job
 * (batchnorm_passes.h), one set per instruction set. */
#define VG_BATCHNORM_PASSES(suffix)                                                          \
    void vg_batchnorm_forward_train_pass_##suffix(void *context, int64_t begin, int64_t end); \
    void vg_batchnorm_forward_eval_pass_##suffix(void *context, int64_t begin, int64_t end);  \
    void vg_batchnorm_backward_pass_##suffix(void *context, int64_t begin, int64_t end);
VG_BATCHNORM_PASSES(baseline)
VG_BATCHNORM_PASSES(avx2)
VG_BATCHNORM_PASSES(avx512)
#undef VG_BATCHNORM_PASSES

/* Calls name##_avx512, name##_avx2 or name##_ref, whichever this CPU runs best. */
#define VG_DISPATCH(name, ...)                                            \
    do {                                                                  \
        switch (vg_simd_level()) {                                        \
        case VG_SIMD_AVX512: name##_avx512(__VA_ARGS__); break;           \
        case VG_SIMD_AVX2: name##_avx2(__VA_ARGS__); break;               \
        default: name##_ref(__VA_ARGS__); break;                          \
        }                                                                 \
    } while (0)

#pragma GCC visibility pop

#endif /* VG_INTERNAL_H */
