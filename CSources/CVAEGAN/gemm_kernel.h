/*
 * gemm_kernel.h — the GEMM's packing routines and register-blocked micro-kernel, written once
 * with clang's vector extensions and compiled per instruction set by gemm_avx2.c, gemm_avx512.c
 * and gemm_portable.c, which define before including it:
 *   VG_LANES        floats per vector
 *   VG_TARGET       the function attribute that enables the instruction set
 *   VG_NAME(name)   the name for that set (name##_avx2, …)
 *   VG_FMA(a, b, c) a·b + c, fused where the set has FMA
 *   VG_GEMM_MR      rows of the micro-kernel (internal.h has each set's, with KC, MC, NC)
 *   VG_SLICE_DEPTH  the set's KC, at most VG_GEMM_KC
 *   VG_ROW_BLOCK    the set's MC: rows of op(A) packed at a time
 *   VG_EPILOGUE     that set's vg_bias_activation_forward
 * No include guard: it is meant to be included more than once.
 *
 * The design is BLIS's (Van Zee & van de Geijn, "BLIS: A Framework for Rapidly Instantiating
 * BLAS Functionality", 2015): op(B) is packed into panels of KC × NR, op(A) into panels of
 * MR × KC, both zero-padded at the edges, so the micro-kernel streams both from contiguous,
 * cache-resident memory and keeps an MR × NR block of C in registers (NR = 2 vectors): per
 * k it loads two vectors of B, broadcasts MR values of A and issues 2·MR FMAs. Packing also
 * absorbs the transposes, so NN, NT, TN and TT share one kernel.
 *
 * One call of vg_gemm_tile computes one tile of C (at most NC columns) over
 * the whole K, in KC-deep slices: tiles are the unit of work the thread pool hands out.
 * Every element of C is accumulated over k in the same order (slices ascending, k ascending
 * within a slice, one FMA each) whatever the tiling, so the result does not depend on the
 * thread count.
 */
#pragma STDC FP_CONTRACT OFF

#include <string.h>

#include "internal.h"

#define VG_GEMM_NR (2 * VG_LANES)

typedef float vg_vf __attribute__((ext_vector_type(VG_LANES)));
/* The same vector at float alignment, for rows of C at any column. */
typedef float vg_vf_unaligned __attribute__((ext_vector_type(VG_LANES), aligned(4)));

typedef float vg_v8 __attribute__((ext_vector_type(8)));
typedef float vg_v8_unaligned __attribute__((ext_vector_type(8), aligned(4)));

/* out[kk·stride + jj] = rows[jj][k + kk] for kk, jj < 8: an 8 × 8 transpose in registers
 * (pairs interleaved, then pairs of pairs, then the 128-bit halves swapped: the shuffles of
 * the classic AVX transpose), instead of 64 single-float loads and stores. */
VG_TARGET static inline __attribute__((always_inline)) void transpose_8x8(
    float *restrict out, int64_t stride, const float *const rows[8], int64_t k) {
    vg_v8 r[8], t[8], u[8];
#pragma clang loop unroll(full)
    for (int i = 0; i < 8; i++) r[i] = *(const vg_v8_unaligned *)(rows[i] + k);
#pragma clang loop unroll(full)
    for (int i = 0; i < 8; i += 2) {
        t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < 8; i += 4) {
        u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        u[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < 4; i++) {
        *(vg_v8_unaligned *)(out + i * stride) = __builtin_shufflevector(u[i], u[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        *(vg_v8_unaligned *)(out + (i + 4) * stride) =
            __builtin_shufflevector(u[i], u[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}

/* panel[k·width + i] = rows[i·ld + k] for k < depth, i < valid, and 0 for valid ≤ i < width:
 * `width` rows of a matrix read side by side into a panel (a transpose). A full panel whose
 * width is a multiple of 8 goes in 8 × 8 blocks through registers. */
VG_TARGET static inline __attribute__((always_inline)) void interleave_rows(
    float *restrict panel, const float *rows, int64_t ld, int64_t width, int64_t valid, int64_t depth) {
    const float *row[VG_GEMM_NR > VG_GEMM_MR ? VG_GEMM_NR : VG_GEMM_MR];
    for (int64_t i = 0; i < width; i++) row[i] = rows + (i < valid ? i : 0) * ld;
    int64_t k = 0;
    if (valid == width && width % 8 == 0)
        for (; k + 8 <= depth; k += 8)
#pragma clang loop unroll(full)
            for (int64_t i = 0; i < width; i += 8) transpose_8x8(panel + k * width + i, width, row + i, k);
    if (valid == width) {
        for (; k < depth; k++)
#pragma clang loop unroll(full)
            for (int64_t i = 0; i < width; i++) panel[k * width + i] = row[i][k];
    } else {
        for (; k < depth; k++)
            for (int64_t i = 0; i < width; i++) panel[k * width + i] = i < valid ? row[i][k] : 0.0f;
    }
}

/* Packs rows [i0, i0 + rows) and depth [p0, p0 + depth) of op(A) into MR-row panels:
 * panel r holds element (i0 + r·MR + i, p0 + k) at [r·MR·depth + k·MR + i]; rows past the
 * edge are zero. */
VG_TARGET static void pack_a(float *restrict packed, const vg_gemm_problem *p, int64_t i0,
                             int64_t rows, int64_t p0, int64_t depth) {
    for (int64_t r0 = 0; r0 < rows; r0 += VG_GEMM_MR) {
        int64_t valid = rows - r0 < VG_GEMM_MR ? rows - r0 : VG_GEMM_MR;
        float *panel = packed + r0 * depth;
        if (p->trans_a) { /* op(A)[i][k] = A[k][i]: MR consecutive floats per k */
            const float *a = p->A + p0 * p->lda + i0 + r0;
            if (valid == VG_GEMM_MR) {
                for (int64_t k = 0; k < depth; k++)
                    memcpy(panel + k * VG_GEMM_MR, a + k * p->lda, VG_GEMM_MR * sizeof(float));
            } else {
                for (int64_t k = 0; k < depth; k++) {
                    int64_t i = 0;
                    for (; i < valid; i++) panel[k * VG_GEMM_MR + i] = a[k * p->lda + i];
                    for (; i < VG_GEMM_MR; i++) panel[k * VG_GEMM_MR + i] = 0.0f;
                }
            }
        } else { /* op(A)[i][k] = A[i][k]: MR rows read side by side */
            interleave_rows(panel, p->A + (i0 + r0) * p->lda + p0, p->lda, VG_GEMM_MR, valid, depth);
        }
    }
}

/* Packs depth [p0, p0 + depth) and columns [j0, j0 + cols) of op(B) into NR-column panels:
 * panel c holds element (p0 + k, j0 + c·NR + j) at [c·NR·depth + k·NR + j]; columns past the
 * edge are zero. */
VG_TARGET static void pack_b(float *restrict packed, const vg_gemm_problem *p, int64_t p0,
                             int64_t depth, int64_t j0, int64_t cols) {
    if (!p->trans_b) {
        /* op(B)[k][j] = B[k][j]: row by row, each row's span of the tile read once, in order,
         * and dealt out NR floats to a panel. Panel by panel instead would read one cache
         * line per row with rows ldb apart, lines that share cache sets when ldb is a multiple
         * of 1024 (a conv's patch width): every row a miss, and each panel reading them again. */
        int64_t full = cols / VG_GEMM_NR * VG_GEMM_NR;
        for (int64_t k = 0; k < depth; k++) {
            const float *row = p->B + (p0 + k) * p->ldb + j0;
            for (int64_t c0 = 0; c0 < full; c0 += VG_GEMM_NR)
                memcpy(packed + c0 * depth + k * VG_GEMM_NR, row + c0, VG_GEMM_NR * sizeof(float));
            if (full < cols) {
                float *out = packed + full * depth + k * VG_GEMM_NR;
                int64_t j = 0;
                for (; j < cols - full; j++) out[j] = row[full + j];
                for (; j < VG_GEMM_NR; j++) out[j] = 0.0f;
            }
        }
        return;
    }
    /* op(B)[k][j] = B[j][k]: NR rows of B read side by side */
    for (int64_t c0 = 0; c0 < cols; c0 += VG_GEMM_NR) {
        int64_t valid = cols - c0 < VG_GEMM_NR ? cols - c0 : VG_GEMM_NR;
        interleave_rows(packed + c0 * depth, p->B + (j0 + c0) * p->ldb + p0, p->ldb, VG_GEMM_NR, valid, depth);
    }
}

/* C block (rows × cols, at most MR × NR) = alpha · Apanel · Bpanel + beta · C block.
 * beta == 0 writes without reading C (so NaN in C does not survive, as BLAS does). */
VG_TARGET static inline __attribute__((always_inline)) void micro_kernel(
    int64_t depth, const float *restrict a, const float *restrict b, float *restrict c, int64_t ldc,
    int64_t rows, int64_t cols, float alpha, float beta) {
    vg_vf acc[VG_GEMM_MR][2];
#pragma clang loop unroll(full)
    for (int i = 0; i < VG_GEMM_MR; i++) acc[i][0] = acc[i][1] = (vg_vf)0.0f;
#pragma clang loop unroll_count(4)
    for (int64_t k = 0; k < depth; k++) {
        vg_vf b0 = *(const vg_vf *)(b + k * VG_GEMM_NR);
        vg_vf b1 = *(const vg_vf *)(b + k * VG_GEMM_NR + VG_LANES);
#pragma clang loop unroll(full)
        for (int i = 0; i < VG_GEMM_MR; i++) {
            vg_vf ai = (vg_vf)a[k * VG_GEMM_MR + i];
            acc[i][0] = VG_FMA(ai, b0, acc[i][0]);
            acc[i][1] = VG_FMA(ai, b1, acc[i][1]);
        }
    }
    vg_vf va = (vg_vf)alpha, vb = (vg_vf)beta;
    if (rows == VG_GEMM_MR && cols == VG_GEMM_NR) {
#pragma clang loop unroll(full)
        for (int i = 0; i < VG_GEMM_MR; i++) {
            vg_vf_unaligned *row = (vg_vf_unaligned *)(c + i * ldc);
            if (beta == 0.0f) {
                row[0] = va * acc[i][0];
                row[1] = va * acc[i][1];
            } else {
                row[0] = va * acc[i][0] + vb * row[0];
                row[1] = va * acc[i][1] + vb * row[1];
            }
        }
        return;
    }
    /* An edge block: the same arithmetic, element by element, on the valid part only. */
    float block[VG_GEMM_MR][VG_GEMM_NR];
    for (int i = 0; i < VG_GEMM_MR; i++) {
        memcpy(&block[i][0], &acc[i][0], sizeof(vg_vf));
        memcpy(&block[i][VG_LANES], &acc[i][1], sizeof(vg_vf));
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) {
            float *out = c + i * ldc + j;
            *out = beta == 0.0f ? alpha * block[i][j] : alpha * block[i][j] + beta * *out;
        }
}

/* Computes the tile rows [i0, i0 + rows) × columns [j0, j0 + cols) of C (cols <= NC, rows
 * any number) over all of K, then its epilogue. Each slice of op(B) is packed once and then
 * serves the tile's row blocks of at most MC rows in turn, each packed when its turn comes:
 * a tall C (the patch gradients of a convolution, thousands of rows against a 512 KiB
 * weight) packs B once, not once per row block. scratch holds VG_GEMM_SCRATCH_FLOATS floats,
 * 64-byte aligned. */
VG_TARGET void VG_NAME(vg_gemm_tile)(const vg_gemm_problem *p, int64_t i0, int64_t rows, int64_t j0,
                                     int64_t cols, float *scratch) {
    float *packed_b = scratch;
    float *packed_a = scratch + (int64_t)VG_GEMM_KC * VG_GEMM_NC;
    float *row_sums = packed_a + (int64_t)VG_GEMM_KC * VG_GEMM_MC;
    /* Only the tiles of the first column block add row sums, so each row's sum is added once;
     * such tiles have at most MC rows (gemm.c), so one sum per row fits the scratch. */
    bool sums = p->a_row_sums && j0 == 0;
    if (sums) memset(row_sums, 0, (size_t)rows * sizeof(float));
    bool epilogue = p->bias_activation && (p->bias || p->activation != VG_ACTIVATION_IDENTITY);
    /* K in slices of equal depth (at most KC): 784 is 262 + 261 + 261, not 384 + 384 + a thin
     * 16 whose micro-kernel calls would be mostly loads and stores of C. */
    int64_t slices = (p->K + VG_SLICE_DEPTH - 1) / VG_SLICE_DEPTH;
    for (int64_t slice = 0, p0 = 0; slice < slices; slice++) {
        int64_t depth = p->K / slices + (slice < p->K % slices ? 1 : 0);
        float beta = p0 == 0 ? p->beta : 1.0f; /* later slices add to what the first wrote */
        pack_b(packed_b, p, p0, depth, j0, cols);
        for (int64_t b0 = 0; b0 < rows; b0 += VG_ROW_BLOCK) {
            int64_t block = rows - b0 < VG_ROW_BLOCK ? rows - b0 : VG_ROW_BLOCK;
            pack_a(packed_a, p, i0 + b0, block, p0, depth);
            if (sums) /* Σ_k op(A)[i][k], k ascending: the order of vg_column_sums_accumulate_ref */
                for (int64_t i = 0; i < block; i++)
                    for (int64_t k = 0; k < depth; k++)
                        row_sums[b0 + i] += packed_a[i / VG_GEMM_MR * VG_GEMM_MR * depth + k * VG_GEMM_MR + i % VG_GEMM_MR];
            for (int64_t c0 = 0; c0 < cols; c0 += VG_GEMM_NR) {
                int64_t valid_cols = cols - c0 < VG_GEMM_NR ? cols - c0 : VG_GEMM_NR;
                for (int64_t r0 = 0; r0 < block; r0 += VG_GEMM_MR) {
                    int64_t valid_rows = block - r0 < VG_GEMM_MR ? block - r0 : VG_GEMM_MR;
                    micro_kernel(depth, packed_a + r0 * depth, packed_b + c0 * depth,
                                 p->C + (i0 + b0 + r0) * p->ldc + j0 + c0, p->ldc, valid_rows, valid_cols,
                                 p->alpha, beta);
                }
            }
            if (slice == slices - 1 && epilogue) /* C = act(C + bias) while the block is in cache */
                for (int64_t i = i0 + b0; i < i0 + b0 + block; i++)
                    VG_EPILOGUE(p->C + i * p->ldc + j0, p->bias ? p->bias + j0 : NULL, 1, cols,
                                p->activation, p->activation_alpha);
        }
        p0 += depth;
    }
    if (sums)
        for (int64_t i = 0; i < rows; i++) p->a_row_sums[i0 + i] += row_sums[i];
}
