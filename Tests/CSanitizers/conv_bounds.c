/*
 * conv_bounds.c — the convolution kernels under AddressSanitizer/UBSan and ThreadSanitizer
 * (scripts/test-sanitizers.sh builds and runs it): forward and backward of both kinds over
 * geometries that reach every edge of the padded-image im2col/col2im (padding 0 to above the
 * kernel, strides 1 to 3, output padding, odd sizes, batches split into several chunks), each
 * buffer — the workspace too — allocated at exactly the size the kernels are told, so a read or
 * write past any of them is a sanitizer report. Each result is compared with the direct-loop
 * reference; exit status 0 when all agree.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "vg_core.h"

typedef struct shape {
    int transposed, batch, in_channels, size, out_channels, kernel, stride, padding, output_padding;
} shape;

static float *filled(int64_t n, unsigned seed) {
    float *a = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        a[i] = (float)((seed >> 9) % 2001) / 1000.0f - 1.0f;
    }
    return a;
}

/* Largest |a − b| relative to the largest |b| (at least 1). */
static double difference(const float *a, const float *b, int64_t n) {
    double worst = 0.0, scale = 1.0;
    for (int64_t i = 0; i < n; i++) scale = fmax(scale, fabs(b[i]));
    for (int64_t i = 0; i < n; i++) worst = fmax(worst, fabs((double)a[i] - b[i]));
    return worst / scale;
}

static int run(shape s) {
    vg_conv_geometry g;
    if (vg_conv_geometry_init(&g, s.transposed, s.batch, s.in_channels, s.size, s.size + 1, s.out_channels,
                              s.kernel, s.stride, s.padding, s.output_padding) != VG_OK) {
        printf("geometry refused: %s\n", vg_last_error_message());
        return 1;
    }
    int64_t in = g.batch * g.in_channels * g.in_height * g.in_width;
    int64_t out = g.batch * g.out_channels * g.out_height * g.out_width;
    int64_t weights = g.in_channels * g.out_channels * g.kernel * g.kernel, channels = g.out_channels;
    float *x = filled(in, 1), *w = filled(weights, 2), *bias = filled(channels, 3), *dy = filled(out, 4);
    float *workspace = filled(vg_conv_workspace_size(&g), 5);
    float *y = filled(out, 6), *y_ref = filled(out, 6);
    float *dx = filled(in, 7), *dx_ref = filled(in, 7);
    float *dw = calloc((size_t)weights, sizeof(float)), *dw_ref = calloc((size_t)weights, sizeof(float));
    float *db = calloc((size_t)channels, sizeof(float)), *db_ref = calloc((size_t)channels, sizeof(float));
    vg_status status;
    if (s.transposed) {
        status = vg_conv_transpose2d_forward(y, workspace, x, w, bias, &g, VG_ACTIVATION_IDENTITY, 0);
        vg_conv_transpose2d_forward_ref(y_ref, x, w, bias, &g, VG_ACTIVATION_IDENTITY, 0);
        if (status == VG_OK) status = vg_conv_transpose2d_backward(dx, dw, db, workspace, dy, x, w, &g, 0.5f);
        vg_conv_transpose2d_backward_ref(dx_ref, dw_ref, db_ref, dy, x, w, &g, 0.5f);
    } else {
        status = vg_conv2d_forward(y, workspace, x, w, bias, &g, VG_ACTIVATION_IDENTITY, 0);
        vg_conv2d_forward_ref(y_ref, x, w, bias, &g, VG_ACTIVATION_IDENTITY, 0);
        if (status == VG_OK) status = vg_conv2d_backward(dx, dw, db, workspace, dy, x, w, &g, 0.5f);
        vg_conv2d_backward_ref(dx_ref, dw_ref, db_ref, dy, x, w, &g, 0.5f);
    }
    double worst = fmax(fmax(difference(y, y_ref, out), difference(dx, dx_ref, in)),
                        fmax(difference(dw, dw_ref, weights), difference(db, db_ref, channels)));
    int bad = status != VG_OK || !(worst < 1e-4);
    printf("%s B%d %d→%d %dx%d k%d s%d p%d op%d: %s (largest difference %.2g)\n",
           s.transposed ? "conv transpose" : "conv", s.batch, s.in_channels, s.out_channels, s.size,
           s.size + 1, s.kernel, s.stride, s.padding, s.output_padding,
           status != VG_OK ? vg_last_error_message() : bad ? "MISMATCH" : "ok", worst);
    free(x); free(w); free(bias); free(dy); free(workspace); free(y); free(y_ref);
    free(dx); free(dx_ref); free(dw); free(dw_ref); free(db); free(db_ref);
    return bad;
}

int main(void) {
    const shape shapes[] = {
        {0, 3, 2, 9, 3, 4, 2, 1, 0},   /* the DCGAN's kind of layer, odd width */
        {0, 2, 1, 7, 2, 3, 1, 0, 0},   /* no padding */
        {0, 2, 2, 6, 3, 5, 1, 2, 0},   /* "same" padding */
        {0, 2, 1, 8, 2, 2, 3, 4, 0},   /* padding above the kernel, stride above it */
        {0, 1, 1, 4, 1, 1, 1, 0, 0},   /* 1×1 */
        {0, 40, 64, 14, 8, 4, 2, 1, 0}, /* patches of 40 examples need more than one chunk */
        {1, 3, 3, 5, 2, 4, 2, 1, 0},
        {1, 2, 2, 4, 3, 3, 2, 1, 1},   /* output padding */
        {1, 2, 1, 6, 2, 5, 3, 0, 2},
        {1, 2, 2, 6, 1, 2, 1, 3, 0},   /* padding above the kernel */
        {1, 40, 8, 7, 64, 4, 2, 1, 0}, /* more than one chunk */
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) bad += run(shapes[i]);
    vg_set_thread_count(2);
    bad += run(shapes[5]) + run(shapes[10]); /* the chunks' tasks on two threads */
    printf("conv_bounds: %d of %zu cases wrong\n", bad, sizeof shapes / sizeof shapes[0] + 2);
    return bad != 0;
}
