/*
 * conv.c — 2-D convolution and transposed convolution (NCHW), forward and backward, as GEMMs
 * around im2col/col2im, beside direct nested-loop references.
 *
 * Shapes (one example is C·H·W consecutive floats, batch-major):
 *   Conv2d          x (B, CI, H, W) → y (B, CO, OH, OW),  OH = (H + 2P − K) / S + 1,
 *                   weight (CO, CI, K, K), as PyTorch's nn.Conv2d.
 *   ConvTranspose2d x (B, CI, H, W) → y (B, CO, OH, OW),  OH = (H − 1)·S − 2P + K + OP,
 *                   weight (CI, CO, K, K), as PyTorch's nn.ConvTranspose2d.
 *
 * The convolution is a dense layer on patches. im2col lays every output position's receptive
 * field out as one row, "patches" (n·P, CI·K·K) for n examples of P positions, columns in the
 * weight's (ci, kh, kw) order; then Yc (CO, n·P) = W · patchesᵀ. Yc is channel-major ("CNHW":
 * channel c's n·P values in a row), so it reaches NCHW by copying runs of P floats, where a
 * position-major product would need an element-wise transpose. The backward takes
 * dW += dYc · patches (the bias gradient as the row sums of dYc, fused into the product) and
 * d patches = dYcᵀ · W, then col2im, im2col's adjoint, brings the patch gradients back onto the
 * image. A transposed convolution is the adjoint of a convolution: its forward is the
 * convolution's input-gradient path and its backward the convolution's forward path. Both
 * im2col and col2im go through a zero-padded copy of each image, so no tap is bounds-checked.
 *
 * The batch goes through in chunks of examples whose patch matrix stays near 4 MB, so it is
 * written and read again from cache rather than memory, and the workspace is the chunk's
 * (vg_conv_workspace_size floats from the caller; nothing is allocated here). Within a chunk
 * the im2col, col2im and copy back run on the thread pool one example per task, the copy into
 * channel-major order by channels, and the products on the pool as GEMMs do; chunks follow
 * each other in order, so results are bitwise the same for every thread count.
 */
#include <string.h>

#include "internal.h"
#include "vg_core.h"

/* ------------------------------------------------------------ geometry */

vg_status vg_conv_geometry_init(vg_conv_geometry *g, bool transposed, int64_t batch,
                                int64_t in_channels, int64_t height, int64_t width,
                                int64_t out_channels, int64_t kernel, int64_t stride,
                                int64_t padding, int64_t output_padding) {
    if (!g) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "conv: NULL geometry");
    const char *what = transposed ? "conv transpose" : "conv";
    if (batch <= 0 || in_channels <= 0 || height <= 0 || width <= 0 || out_channels <= 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT,
                             "%s: sizes must be positive (batch %lld, channels %lld → %lld, input %lld×%lld)",
                             what, (long long)batch, (long long)in_channels, (long long)out_channels,
                             (long long)height, (long long)width);
    if (kernel <= 0 || stride <= 0 || padding < 0 || output_padding < 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT,
                             "%s: kernel %lld and stride %lld must be positive, padding %lld and output "
                             "padding %lld not negative", what, (long long)kernel, (long long)stride,
                             (long long)padding, (long long)output_padding);
    if (!transposed && output_padding != 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "conv: output padding applies only to a transposed convolution");
    if (transposed && output_padding >= stride) /* PyTorch's rule: it must be below the stride */
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT,
                             "conv transpose: output padding %lld must be smaller than the stride %lld",
                             (long long)output_padding, (long long)stride);
    int64_t out_h, out_w;
    if (transposed) {
        out_h = (height - 1) * stride - 2 * padding + kernel + output_padding;
        out_w = (width - 1) * stride - 2 * padding + kernel + output_padding;
    } else {
        out_h = height + 2 * padding < kernel ? 0 : (height + 2 * padding - kernel) / stride + 1;
        out_w = width + 2 * padding < kernel ? 0 : (width + 2 * padding - kernel) / stride + 1;
    }
    if (out_h <= 0 || out_w <= 0)
        return vg_error_setf(VG_ERROR_SHAPE_MISMATCH,
                             "%s: a %lld×%lld input with kernel %lld, stride %lld, padding %lld has no output",
                             what, (long long)height, (long long)width, (long long)kernel,
                             (long long)stride, (long long)padding);
    *g = (vg_conv_geometry){.batch = batch, .in_channels = in_channels, .in_height = height,
                            .in_width = width, .out_channels = out_channels, .out_height = out_h,
                            .out_width = out_w, .kernel = kernel, .stride = stride,
                            .padding = padding, .output_padding = output_padding,
                            .transposed = transposed};
    return VG_OK;
}

/* The convolution that both kinds are built on: "image" (IC, IH, IW) ↔ "patches"
 * (PH·PW, IC·K·K). A Conv2d's image is its input; a transposed convolution's image is its
 * output (it is the adjoint of the convolution from its output back to its input). */
typedef struct patch_geometry {
    int64_t channels, height, width;  /* the image */
    int64_t rows_h, rows_w;           /* patch positions */
    int64_t kernel, stride, padding;
} patch_geometry;

static patch_geometry patches_of(const vg_conv_geometry *g) {
    if (g->transposed)
        return (patch_geometry){g->out_channels, g->out_height, g->out_width, g->in_height,
                                g->in_width, g->kernel, g->stride, g->padding};
    return (patch_geometry){g->in_channels, g->in_height, g->in_width, g->out_height,
                            g->out_width, g->kernel, g->stride, g->padding};
}

/* Patch positions of one example and the width of a patch row. */
static int64_t positions(const patch_geometry *p) { return p->rows_h * p->rows_w; }
static int64_t patch_width(const patch_geometry *p) { return p->channels * p->kernel * p->kernel; }


/* Examples per chunk: as many as keep the patch matrix within VG_CONV_CHUNK_FLOATS (at least
 * one, at most the batch). */
#define VG_CONV_CHUNK_FLOATS (1 << 20)

static int64_t chunk_examples(const vg_conv_geometry *g, const patch_geometry *p) {
    int64_t per_example = positions(p) * patch_width(p);
    int64_t n = VG_CONV_CHUNK_FLOATS / (per_example > 0 ? per_example : 1);
    return n < 1 ? 1 : n > g->batch ? g->batch : n;
}

/* ------------------------------------------------------------ im2col and col2im (one example) */

/* Both go through a zero-padded copy of one example's image, "padded" (C, PH, PW): pixel
 * (ih, iw) sits at (ih + P, iw + P) and the border reaches every tap any patch has, so a
 * patch's kernel row is one copy of K floats with no bounds to check. Checking each tap
 * against the image's edges instead cost more than the copies (a third of im2col's time went
 * to the partial rows at the left and right edges alone). */
/* The padded extent along one axis: what the last patch's taps reach, or the image after the
 * leading padding, whichever is further. */
static int64_t padded_extent(const patch_geometry *p, int64_t patch_positions, int64_t image_size) {
    int64_t reach = (patch_positions - 1) * p->stride + p->kernel, interior = image_size + p->padding;
    return reach > interior ? reach : interior;
}
static int64_t padded_height(const patch_geometry *p) { return padded_extent(p, p->rows_h, p->height); }
static int64_t padded_width(const patch_geometry *p) { return padded_extent(p, p->rows_w, p->width); }
static int64_t padded_size(const patch_geometry *p) { return p->channels * padded_height(p) * padded_width(p); }

/* rows[r][(c·K + kh)·K + kw] = image[c][oh·S − P + kh][ow·S − P + kw] (0 outside), r = oh·RW + ow.
 * Written for any K and inlined for the common kernel sizes, where K is a constant and each
 * copy becomes one vector move (the loop overhead, not the bytes, is the cost). */
static inline __attribute__((always_inline)) void im2col_k(float *rows, const float *image,
                                                           const patch_geometry *p, float *padded, int64_t K) {
    int64_t C = p->channels, PH = padded_height(p), PW = padded_width(p), width = C * K * K;
    int64_t P = p->padding, H = p->height, W = p->width;
    for (int64_t c = 0; c < C; c++) { /* the image between zeros: only the border is cleared */
        float *plane = padded + c * PH * PW;
        memset(plane, 0, (size_t)(P * PW) * sizeof(float));
        for (int64_t ih = 0; ih < H; ih++) {
            float *row = plane + (ih + P) * PW;
            memset(row, 0, (size_t)P * sizeof(float));
            memcpy(row + P, image + (c * H + ih) * W, (size_t)W * sizeof(float));
            memset(row + P + W, 0, (size_t)(PW - P - W) * sizeof(float));
        }
        memset(plane + (P + H) * PW, 0, (size_t)((PH - P - H) * PW) * sizeof(float));
    }
    for (int64_t oh = 0; oh < p->rows_h; oh++)
        for (int64_t ow = 0; ow < p->rows_w; ow++) {
            float *row = rows + (oh * p->rows_w + ow) * width;
            const float *corner = padded + oh * p->stride * PW + ow * p->stride;
            for (int64_t c = 0; c < C; c++)
                for (int64_t kh = 0; kh < K; kh++)
                    memcpy(row + (c * K + kh) * K, corner + (c * PH + kh) * PW, (size_t)K * sizeof(float));
        }
}

static void im2col(float *rows, const float *image, const patch_geometry *p, float *padded) {
    switch (p->kernel) {
    case 3: im2col_k(rows, image, p, padded, 3); break;
    case 4: im2col_k(rows, image, p, padded, 4); break;
    case 5: im2col_k(rows, image, p, padded, 5); break;
    default: im2col_k(rows, image, p, padded, p->kernel); break;
    }
}

/* col2im's local copies of a kernel row hold this many floats: enough for the kernel sizes it
 * is inlined for (3, 4, 5); longer rows are added in place. */
#define VG_COL2IM_ROW_BUFFER 5

/* The adjoint of im2col: image = beta·image + Σ over the patches that read each pixel. The
 * sums run in a fixed order (positions, then channels, then the kernel) from zero, so they are
 * the same on every run; taps on the padding land in the border and are dropped. */
static inline __attribute__((always_inline)) void col2im_k(float *image, const float *rows,
                                                           const patch_geometry *p, float *padded, float beta,
                                                           int64_t K) {
    int64_t C = p->channels, PH = padded_height(p), PW = padded_width(p), width = C * K * K;
    memset(padded, 0, (size_t)(C * PH * PW) * sizeof(float));
    for (int64_t oh = 0; oh < p->rows_h; oh++)
        for (int64_t ow = 0; ow < p->rows_w; ow++) {
            const float *row = rows + (oh * p->rows_w + ow) * width;
            float *corner = padded + oh * p->stride * PW + ow * p->stride;
            for (int64_t c = 0; c < C; c++)
                for (int64_t kh = 0; kh < K; kh++) {
                    float *out = corner + (c * PH + kh) * PW;
                    const float *in = row + (c * K + kh) * K;
                    if (K > VG_COL2IM_ROW_BUFFER) {
                        for (int64_t kw = 0; kw < K; kw++) out[kw] += in[kw];
                        continue;
                    }
                    /* Through locals: out and in might alias as far as the compiler knows,
                     * which kept the K additions scalar; copied, they are one vector add. */
                    float sums[VG_COL2IM_ROW_BUFFER], terms[VG_COL2IM_ROW_BUFFER];
                    memcpy(sums, out, (size_t)K * sizeof(float));
                    memcpy(terms, in, (size_t)K * sizeof(float));
                    for (int64_t kw = 0; kw < K; kw++) sums[kw] += terms[kw];
                    memcpy(out, sums, (size_t)K * sizeof(float));
                }
        }
    for (int64_t c = 0; c < C; c++)
        for (int64_t ih = 0; ih < p->height; ih++) {
            float *out = image + (c * p->height + ih) * p->width;
            const float *sums = padded + (c * PH + ih + p->padding) * PW + p->padding;
            if (beta == 0.0f) memcpy(out, sums, (size_t)p->width * sizeof(float));
            else for (int64_t iw = 0; iw < p->width; iw++) out[iw] = beta * out[iw] + sums[iw];
        }
}

static void col2im(float *image, const float *rows, const patch_geometry *p, float *padded, float beta) {
    switch (p->kernel) {
    case 3: col2im_k(image, rows, p, padded, beta, 3); break;
    case 4: col2im_k(image, rows, p, padded, beta, 4); break;
    case 5: col2im_k(image, rows, p, padded, beta, 5); break;
    default: col2im_k(image, rows, p, padded, beta, p->kernel); break;
    }
}

/* ------------------------------------------------------------ the workspace */

/* What a chunk needs: its patch matrix, the channel-major copy of the side that is not
 * patches, and one padded image per example. */
typedef struct conv_workspace {
    float *patches, *channels, *padded;
} conv_workspace;

static int64_t channel_rows(const vg_conv_geometry *g) { return g->transposed ? g->in_channels : g->out_channels; }

static conv_workspace workspace_parts(float *workspace, const vg_conv_geometry *g, const patch_geometry *p) {
    int64_t rows = chunk_examples(g, p) * positions(p);
    float *channels = workspace + rows * patch_width(p);
    return (conv_workspace){workspace, channels, channels + rows * channel_rows(g)};
}

int64_t vg_conv_workspace_size(const vg_conv_geometry *g) {
    if (!g) return 0;
    patch_geometry p = patches_of(g);
    int64_t examples = chunk_examples(g, &p), rows = examples * positions(&p);
    return rows * patch_width(&p) + rows * channel_rows(g) + examples * padded_size(&p);
}

/* ------------------------------------------------------------ per-example passes on the pool */

typedef enum example_pass {
    PASS_IM2COL,         /* patches ← image */
    PASS_COL2IM,         /* image ← beta·image + col2im(patches), then act(· + bias[c]) */
    PASS_FROM_CHANNELS,  /* NCHW ← act(beta·NCHW + channel-major + bias[c]) */
} example_pass;

/* One pass over the examples of a chunk. For im2col/col2im, `out`/`in` step by the examples'
 * sizes; for the copy back, example b's channel c is the run of P floats at (b·C + c)·P in
 * NCHW and at c·n·P + b·P in the channel-major buffer (n = `examples`). */
typedef struct example_job {
    example_pass pass;
    const patch_geometry *patches;
    float *padded;                     /* im2col, col2im: one padded image per example */
    float *out;
    const float *in;
    int64_t out_stride, in_stride; /* floats per example (im2col, col2im) */
    int64_t channels, count, examples; /* C, P and n (the copy back) */
    float beta;
    /* Forwards only: each example's bias (C) or NULL and activation, applied while the
     * example is still in cache rather than in passes over the whole batch. */
    const float *bias;
    vg_activation act;
    float alpha;
} example_job;

/* act(x + bias[c]) over one example's C channels of P values, in place. */
static void finish_example(float *x, const float *bias, int64_t C, int64_t P, vg_activation act, float alpha) {
    if (bias)
        for (int64_t c = 0; c < C; c++)
            for (int64_t q = 0; q < P; q++) x[c * P + q] += bias[c];
    if (act != VG_ACTIVATION_IDENTITY) VG_DISPATCH(vg_bias_activation_forward, x, NULL, 1, C * P, act, alpha);
}

static void run_examples(void *context, int64_t begin, int64_t end) {
    const example_job *j = context;
    int64_t C = j->channels, P = j->count, row = j->examples * P;
    for (int64_t b = begin; b < end; b++) {
        switch (j->pass) {
        case PASS_IM2COL:
            im2col(j->out + b * j->out_stride, j->in + b * j->in_stride, j->patches,
                   j->padded + b * padded_size(j->patches));
            break;
        case PASS_COL2IM:
            col2im(j->out + b * j->out_stride, j->in + b * j->in_stride, j->patches,
                   j->padded + b * padded_size(j->patches), j->beta);
            finish_example(j->out + b * j->out_stride, j->bias, j->patches->channels,
                           j->patches->height * j->patches->width, j->act, j->alpha);
            break;
        case PASS_FROM_CHANNELS:
            for (int64_t c = 0; c < C; c++) {
                float *out = j->out + (b * C + c) * P;
                const float *in = j->in + c * row + b * P;
                float add = j->bias ? j->bias[c] : 0.0f;
                if (j->beta == 0.0f) for (int64_t q = 0; q < P; q++) out[q] = in[q] + add;
                else for (int64_t q = 0; q < P; q++) out[q] = j->beta * out[q] + in[q] + add;
            }
            finish_example(j->out + b * C * P, NULL, C, P, j->act, j->alpha);
            break;
        }
    }
}

static void for_each_example(example_job job, int64_t examples) {
    vg_parallel_for(examples, 1, run_examples, &job);
}

/* im2col of examples [0, n) of `images` (one every `image` floats) into the workspace's patches. */
static void patches_from(const conv_workspace *w, const float *images, const patch_geometry *p, int64_t image,
                         int64_t n) {
    for_each_example((example_job){.pass = PASS_IM2COL, .patches = p, .padded = w->padded, .out = w->patches, .in = images,
                                   .out_stride = positions(p) * patch_width(p), .in_stride = image}, n);
}

/* images = act(beta·images + col2im(the workspace's patches) + bias[c]) for examples [0, n). */
static void patches_onto(float *images, const conv_workspace *w, const patch_geometry *p, int64_t image,
                         int64_t n, float beta, const float *bias, vg_activation act, float alpha) {
    for_each_example((example_job){.pass = PASS_COL2IM, .patches = p, .padded = w->padded, .out = images, .in = w->patches,
                                   .out_stride = image, .in_stride = positions(p) * patch_width(p), .beta = beta,
                                   .bias = bias, .act = act, .alpha = alpha}, n);
}

/* channel-major (C, n·P) ← n examples of NCHW (C, P), split over the pool by channels: each
 * task writes whole rows of the channel-major buffer. Split by examples, as the other passes
 * are, two threads would write the neighbouring runs of one row (example b's and b + 1's P
 * floats) at the same time, sharing the cache lines where the runs meet. */
typedef struct channel_copy_job {
    float *out;
    const float *nchw;
    int64_t C, P, n;
} channel_copy_job;

static void copy_to_channels(void *context, int64_t begin, int64_t end) {
    const channel_copy_job *j = context;
    for (int64_t c = begin; c < end; c++)
        for (int64_t b = 0; b < j->n; b++)
            memcpy(j->out + (c * j->n + b) * j->P, j->nchw + (b * j->C + c) * j->P, (size_t)j->P * sizeof(float));
}

static void to_channels(float *out, const float *nchw, int64_t C, int64_t P, int64_t n) {
    channel_copy_job job = {out, nchw, C, P, n};
    vg_parallel_for(C, vg_items_per_task(n * P), copy_to_channels, &job);
}

/* n examples of NCHW = act(beta·NCHW + channel-major (C, n·P) + bias[c]). */
static void from_channels(float *nchw, const float *in, int64_t C, int64_t P, int64_t n, float beta,
                          const float *bias, vg_activation act, float alpha) {
    for_each_example((example_job){.pass = PASS_FROM_CHANNELS, .out = nchw, .in = in, .channels = C,
                                   .count = P, .examples = n, .beta = beta, .bias = bias, .act = act,
                                   .alpha = alpha}, n);
}

/* The checks every entry point makes: a geometry of the right kind, and the buffers it needs
 * (`buffers_present`: the caller's conjunction of them) all there. */
static vg_status check_call(const char *what, const vg_conv_geometry *g, bool transposed, bool buffers_present) {
    if (!g) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "%s: NULL geometry", what);
    if (g->transposed != transposed)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "%s: the geometry is that of a %s", what,
                             g->transposed ? "transposed convolution" : "convolution");
    if (!buffers_present) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "%s: NULL buffer", what);
    return VG_OK;
}

/* A chunk of examples: the first and how many. */
typedef struct chunk {
    int64_t first, n;
} chunk;

#define FOR_EACH_CHUNK(ch, g, p)                                                            \
    for (chunk ch = {0, chunk_examples((g), (p))}; ch.first < (g)->batch;                  \
         ch.first += ch.n, ch.n = ch.n < (g)->batch - ch.first ? ch.n : (g)->batch - ch.first)

/* ------------------------------------------------------------ Conv2d */

/* db[c] += Σ_k rows[c][k], k ascending: the order of the sums vg_gemm_fused takes of op(A). */
static void row_sums_accumulate(float *db, const float *rows, int64_t C, int64_t N) {
    for (int64_t c = 0; c < C; c++) {
        float sum = 0.0f;
        for (int64_t k = 0; k < N; k++) sum += rows[c * N + k];
        db[c] += sum;
    }
}

vg_status vg_conv2d_forward(float *y, float *workspace, const float *x, const float *w,
                            const float *bias, const vg_conv_geometry *g, vg_activation act,
                            float alpha) {
    vg_status status = check_call("conv forward", g, false, y && x && w && workspace);
    if (status != VG_OK) return status;
    patch_geometry p = patches_of(g);
    int64_t P = positions(&p), width = patch_width(&p), CO = g->out_channels;
    int64_t image = g->in_channels * g->in_height * g->in_width, out_image = CO * P;
    conv_workspace parts = workspace_parts(workspace, g, &p);
    float *patches = parts.patches, *Yc = parts.channels;
    FOR_EACH_CHUNK(ch, g, &p) {
        int64_t rows = ch.n * P;
        patches_from(&parts, x + ch.first * image, &p, image, ch.n);
        /* Yc (CO, n·P) = W · patchesᵀ; y = Yc + b per channel, back in NCHW */
        status = vg_gemm_fused(false, true, CO, rows, width, w, width, patches, width, 0.0f, Yc, rows, NULL,
                               VG_ACTIVATION_IDENTITY, 0.0f, NULL);
        if (status != VG_OK) return status;
        from_channels(y + ch.first * out_image, Yc, CO, P, ch.n, 0.0f, bias, act, alpha);
    }
    return VG_OK;
}

vg_status vg_conv2d_backward(float *dx, float *dw, float *db, float *workspace, const float *dy,
                             const float *x, const float *w, const vg_conv_geometry *g,
                             float dx_beta) {
    vg_status status = check_call("conv backward", g, false, dy && workspace);
    if (status != VG_OK) return status;
    if (dw && !x) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "conv backward: NULL x");
    if (dx && !w) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "conv backward: NULL w");
    patch_geometry p = patches_of(g);
    int64_t P = positions(&p), width = patch_width(&p), CO = g->out_channels;
    int64_t image = g->in_channels * g->in_height * g->in_width, out_image = CO * P;
    conv_workspace parts = workspace_parts(workspace, g, &p);
    float *patches = parts.patches, *dYc = parts.channels;
    FOR_EACH_CHUNK(ch, g, &p) {
        int64_t rows = ch.n * P;
        to_channels(dYc, dy + ch.first * out_image, CO, P, ch.n);
        if (dw) { /* Yc = W · patchesᵀ  →  dW += dYc · patches, db += the rows' sums of dYc (fused) */
            patches_from(&parts, x + ch.first * image, &p, image, ch.n);
            status = vg_gemm_fused(false, false, CO, width, rows, dYc, rows, patches, width, 1.0f, dw, width, NULL,
                                   VG_ACTIVATION_IDENTITY, 0.0f, db);
            if (status != VG_OK) return status;
        } else if (db) {
            row_sums_accumulate(db, dYc, CO, rows);
        }
        if (dx) { /* d patches = dYcᵀ · W (over the patches, no longer needed), then col2im */
            status = vg_gemm_fused(true, false, rows, width, CO, dYc, rows, w, width, 0.0f, patches, width, NULL,
                                   VG_ACTIVATION_IDENTITY, 0.0f, NULL);
            if (status != VG_OK) return status;
            patches_onto(dx + ch.first * image, &parts, &p, image, ch.n, dx_beta, NULL, VG_ACTIVATION_IDENTITY, 0.0f);
        }
    }
    return VG_OK;
}

/* ------------------------------------------------------------ ConvTranspose2d */

vg_status vg_conv_transpose2d_forward(float *y, float *workspace, const float *x, const float *w,
                                      const float *bias, const vg_conv_geometry *g,
                                      vg_activation act, float alpha) {
    vg_status status = check_call("conv transpose forward", g, true, y && x && w && workspace);
    if (status != VG_OK) return status;
    patch_geometry p = patches_of(g); /* patches over the output image, one per input pixel */
    int64_t P = positions(&p), width = patch_width(&p), CI = g->in_channels;
    int64_t image = g->out_channels * g->out_height * g->out_width, in_image = CI * P;
    conv_workspace parts = workspace_parts(workspace, g, &p);
    float *patches = parts.patches, *Xc = parts.channels;
    FOR_EACH_CHUNK(ch, g, &p) {
        int64_t rows = ch.n * P;
        to_channels(Xc, x + ch.first * in_image, CI, P, ch.n);
        /* patches (n·P, CO·K·K) = Xcᵀ · W with W (CI, CO·K·K); y = col2im(patches) */
        status = vg_gemm_fused(true, false, rows, width, CI, Xc, rows, w, width, 0.0f, patches, width, NULL,
                               VG_ACTIVATION_IDENTITY, 0.0f, NULL);
        if (status != VG_OK) return status;
        patches_onto(y + ch.first * image, &parts, &p, image, ch.n, 0.0f, bias, act, alpha);
    }
    return VG_OK;
}

/* db[c] += Σ over examples and positions of dy (B, C, S), in that order. */
static void channel_sums_accumulate(float *db, const float *dy, int64_t B, int64_t C, int64_t S) {
    for (int64_t c = 0; c < C; c++) {
        float sum = 0.0f;
        for (int64_t b = 0; b < B; b++)
            for (int64_t s = 0; s < S; s++) sum += dy[(b * C + c) * S + s];
        db[c] += sum;
    }
}

vg_status vg_conv_transpose2d_backward(float *dx, float *dw, float *db, float *workspace,
                                       const float *dy, const float *x, const float *w,
                                       const vg_conv_geometry *g, float dx_beta) {
    vg_status status = check_call("conv transpose backward", g, true, dy && workspace);
    if (status != VG_OK) return status;
    if (dw && !x) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "conv transpose backward: NULL x");
    if (dx && !w) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "conv transpose backward: NULL w");
    patch_geometry p = patches_of(g);
    int64_t P = positions(&p), width = patch_width(&p), CI = g->in_channels;
    int64_t image = g->out_channels * g->out_height * g->out_width, in_image = CI * P;
    conv_workspace parts = workspace_parts(workspace, g, &p);
    float *patches = parts.patches, *Xc = parts.channels;
    if (db) channel_sums_accumulate(db, dy, g->batch, g->out_channels, g->out_height * g->out_width);
    if (!dw && !dx) return VG_OK;
    FOR_EACH_CHUNK(ch, g, &p) {
        int64_t rows = ch.n * P;
        /* forward: patches = Xcᵀ · W, y = col2im(patches)  →  d patches = im2col(dy) */
        patches_from(&parts, dy + ch.first * image, &p, image, ch.n);
        if (dw) { /* dW (CI, CO·K·K) += Xc · d patches */
            to_channels(Xc, x + ch.first * in_image, CI, P, ch.n);
            status = vg_gemm_fused(false, false, CI, width, rows, Xc, rows, patches, width, 1.0f, dw, width, NULL,
                                   VG_ACTIVATION_IDENTITY, 0.0f, NULL);
            if (status != VG_OK) return status;
        }
        if (dx) { /* dXc (CI, n·P) = W · d patchesᵀ (into Xc, no longer needed), then back to NCHW */
            status = vg_gemm_fused(false, true, CI, rows, width, w, width, patches, width, 0.0f, Xc, rows, NULL,
                                   VG_ACTIVATION_IDENTITY, 0.0f, NULL);
            if (status != VG_OK) return status;
            from_channels(dx + ch.first * in_image, Xc, CI, P, ch.n, dx_beta, NULL, VG_ACTIVATION_IDENTITY, 0.0f);
        }
    }
    return VG_OK;
}

/* ------------------------------------------------------------ references (direct loops, double) */

/* The input pixel a kernel tap reads, or −1 outside: ih = o·S − P + k. */
static int64_t tap(int64_t o, int64_t k, const vg_conv_geometry *g, int64_t size) {
    int64_t i = o * g->stride - g->padding + k;
    return i >= 0 && i < size ? i : -1;
}

void vg_conv2d_forward_ref(float *y, const float *x, const float *w, const float *bias,
                           const vg_conv_geometry *g, vg_activation act, float alpha) {
    int64_t K = g->kernel, CI = g->in_channels, CO = g->out_channels, H = g->in_height, W = g->in_width;
    for (int64_t b = 0; b < g->batch; b++)
        for (int64_t co = 0; co < CO; co++)
            for (int64_t oh = 0; oh < g->out_height; oh++)
                for (int64_t ow = 0; ow < g->out_width; ow++) {
                    double sum = bias ? bias[co] : 0.0;
                    for (int64_t ci = 0; ci < CI; ci++)
                        for (int64_t kh = 0; kh < K; kh++) {
                            int64_t ih = tap(oh, kh, g, H);
                            if (ih < 0) continue;
                            for (int64_t kw = 0; kw < K; kw++) {
                                int64_t iw = tap(ow, kw, g, W);
                                if (iw < 0) continue;
                                sum += (double)x[((b * CI + ci) * H + ih) * W + iw] *
                                       w[((co * CI + ci) * K + kh) * K + kw];
                            }
                        }
                    y[((b * CO + co) * g->out_height + oh) * g->out_width + ow] = (float)sum;
                }
    vg_bias_activation_forward_ref(y, NULL, 1, g->batch * CO * g->out_height * g->out_width, act, alpha);
}

void vg_conv2d_backward_ref(float *dx, float *dw, float *db, const float *dy, const float *x,
                            const float *w, const vg_conv_geometry *g, float dx_beta) {
    int64_t K = g->kernel, CI = g->in_channels, CO = g->out_channels, H = g->in_height, W = g->in_width;
    int64_t OH = g->out_height, OW = g->out_width;
    if (db)
        for (int64_t co = 0; co < CO; co++) {
            double sum = 0.0;
            for (int64_t b = 0; b < g->batch; b++)
                for (int64_t q = 0; q < OH * OW; q++) sum += dy[(b * CO + co) * OH * OW + q];
            db[co] += (float)sum;
        }
    if (dw)
        for (int64_t co = 0; co < CO; co++)
            for (int64_t ci = 0; ci < CI; ci++)
                for (int64_t kh = 0; kh < K; kh++)
                    for (int64_t kw = 0; kw < K; kw++) {
                        double sum = 0.0;
                        for (int64_t b = 0; b < g->batch; b++)
                            for (int64_t oh = 0; oh < OH; oh++) {
                                int64_t ih = tap(oh, kh, g, H);
                                if (ih < 0) continue;
                                for (int64_t ow = 0; ow < OW; ow++) {
                                    int64_t iw = tap(ow, kw, g, W);
                                    if (iw < 0) continue;
                                    sum += (double)dy[((b * CO + co) * OH + oh) * OW + ow] *
                                           x[((b * CI + ci) * H + ih) * W + iw];
                                }
                            }
                        dw[((co * CI + ci) * K + kh) * K + kw] += (float)sum;
                    }
    if (dx) /* gather: each input pixel sums the taps that read it */
        for (int64_t b = 0; b < g->batch; b++)
            for (int64_t ci = 0; ci < CI; ci++)
                for (int64_t ih = 0; ih < H; ih++)
                    for (int64_t iw = 0; iw < W; iw++) {
                        double sum = 0.0;
                        for (int64_t co = 0; co < CO; co++)
                            for (int64_t kh = 0; kh < K; kh++) {
                                int64_t th = ih + g->padding - kh; /* = oh·S */
                                if (th < 0 || th % g->stride || th / g->stride >= OH) continue;
                                for (int64_t kw = 0; kw < K; kw++) {
                                    int64_t tw = iw + g->padding - kw;
                                    if (tw < 0 || tw % g->stride || tw / g->stride >= OW) continue;
                                    sum += (double)dy[((b * CO + co) * OH + th / g->stride) * OW + tw / g->stride] *
                                           w[((co * CI + ci) * K + kh) * K + kw];
                                }
                            }
                        float *out = &dx[((b * CI + ci) * H + ih) * W + iw];
                        *out = (float)(sum + (dx_beta == 0.0f ? 0.0 : (double)dx_beta * *out));
                    }
}

void vg_conv_transpose2d_forward_ref(float *y, const float *x, const float *w, const float *bias,
                                     const vg_conv_geometry *g, vg_activation act, float alpha) {
    int64_t K = g->kernel, CI = g->in_channels, CO = g->out_channels, H = g->in_height, W = g->in_width;
    int64_t OH = g->out_height, OW = g->out_width;
    for (int64_t b = 0; b < g->batch; b++)
        for (int64_t co = 0; co < CO; co++)
            for (int64_t oh = 0; oh < OH; oh++)
                for (int64_t ow = 0; ow < OW; ow++) {
                    double sum = bias ? bias[co] : 0.0;
                    for (int64_t ci = 0; ci < CI; ci++)
                        for (int64_t kh = 0; kh < K; kh++) {
                            int64_t th = oh + g->padding - kh; /* = ih·S */
                            if (th < 0 || th % g->stride || th / g->stride >= H) continue;
                            for (int64_t kw = 0; kw < K; kw++) {
                                int64_t tw = ow + g->padding - kw;
                                if (tw < 0 || tw % g->stride || tw / g->stride >= W) continue;
                                sum += (double)x[((b * CI + ci) * H + th / g->stride) * W + tw / g->stride] *
                                       w[((ci * CO + co) * K + kh) * K + kw];
                            }
                        }
                    y[((b * CO + co) * OH + oh) * OW + ow] = (float)sum;
                }
    vg_bias_activation_forward_ref(y, NULL, 1, g->batch * CO * OH * OW, act, alpha);
}

void vg_conv_transpose2d_backward_ref(float *dx, float *dw, float *db, const float *dy,
                                      const float *x, const float *w, const vg_conv_geometry *g,
                                      float dx_beta) {
    int64_t K = g->kernel, CI = g->in_channels, CO = g->out_channels, H = g->in_height, W = g->in_width;
    int64_t OH = g->out_height, OW = g->out_width;
    if (db)
        for (int64_t co = 0; co < CO; co++) {
            double sum = 0.0;
            for (int64_t b = 0; b < g->batch; b++)
                for (int64_t q = 0; q < OH * OW; q++) sum += dy[(b * CO + co) * OH * OW + q];
            db[co] += (float)sum;
        }
    /* y[oh][ow] gets x[ih][iw]·w[ci][co][kh][kw] where oh = ih·S − P + kh */
    if (dw)
        for (int64_t ci = 0; ci < CI; ci++)
            for (int64_t co = 0; co < CO; co++)
                for (int64_t kh = 0; kh < K; kh++)
                    for (int64_t kw = 0; kw < K; kw++) {
                        double sum = 0.0;
                        for (int64_t b = 0; b < g->batch; b++)
                            for (int64_t ih = 0; ih < H; ih++) {
                                int64_t oh = tap(ih, kh, g, OH);
                                if (oh < 0) continue;
                                for (int64_t iw = 0; iw < W; iw++) {
                                    int64_t ow = tap(iw, kw, g, OW);
                                    if (ow < 0) continue;
                                    sum += (double)x[((b * CI + ci) * H + ih) * W + iw] *
                                           dy[((b * CO + co) * OH + oh) * OW + ow];
                                }
                            }
                        dw[((ci * CO + co) * K + kh) * K + kw] += (float)sum;
                    }
    if (dx)
        for (int64_t b = 0; b < g->batch; b++)
            for (int64_t ci = 0; ci < CI; ci++)
                for (int64_t ih = 0; ih < H; ih++)
                    for (int64_t iw = 0; iw < W; iw++) {
                        double sum = 0.0;
                        for (int64_t co = 0; co < CO; co++)
                            for (int64_t kh = 0; kh < K; kh++) {
                                int64_t oh = tap(ih, kh, g, OH);
                                if (oh < 0) continue;
                                for (int64_t kw = 0; kw < K; kw++) {
                                    int64_t ow = tap(iw, kw, g, OW);
                                    if (ow < 0) continue;
                                    sum += (double)dy[((b * CO + co) * OH + oh) * OW + ow] *
                                           w[((ci * CO + co) * K + kh) * K + kw];
                                }
                            }
                        float *out = &dx[((b * CI + ci) * H + ih) * W + iw];
                        *out = (float)(sum + (dx_beta == 0.0f ? 0.0 : (double)dx_beta * *out));
                    }
}
