/*
 * elementwise.c — small vector helpers: fill, axpy, scale, sums, finiteness, byte conversion.
 *
 * Plain loops without transcendental functions: the compiler vectorizes them at -O2, so they
 * have no hand-written SIMD twin and are their own reference.
 */
#include <string.h>

#include "internal.h"
#include "vg_core.h"

typedef struct fill_job {
    float *x;
    float value;
} fill_job;

static void fill_range(void *context, int64_t begin, int64_t end) {
    const fill_job *job = context;
    uint32_t bits;
    memcpy(&bits, &job->value, sizeof bits);
    if (bits == 0) { /* +0 only: −0 keeps its sign */
        memset(job->x + begin, 0, (size_t)(end - begin) * sizeof(float));
        return;
    }
    for (int64_t i = begin; i < end; i++) job->x[i] = job->value;
}

/* Large fills (gradient zeroing) are split over the pool. */
void vg_fill(float *x, float value, int64_t n) {
    if (n <= 0) return;
    fill_job job = {x, value};
    vg_parallel_for(n, 4 * VG_ELEMENTWISE_CHUNK, fill_range, &job);
}

void vg_axpy(float *y, float a, const float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

void vg_scale(float *x, float a, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] *= a;
}

double vg_sum_squares(const float *x, int64_t n) {
    /* Four partial sums let the loop pipeline; the result is exact enough in double. */
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += (double)x[i] * x[i];
        s1 += (double)x[i + 1] * x[i + 1];
        s2 += (double)x[i + 2] * x[i + 2];
        s3 += (double)x[i + 3] * x[i + 3];
    }
    for (; i < n; i++) s0 += (double)x[i] * x[i];
    return (s0 + s1) + (s2 + s3);
}

int64_t vg_count_non_finite(const float *x, int64_t n) {
    /* A float is NaN or infinite exactly when its exponent bits are all ones. */
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, x + i, sizeof bits);
        count += ((bits >> 23) & 0xFFu) == 0xFFu;
    }
    return count;
}

void vg_bytes_to_unit_floats(float *y, const uint8_t *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = (float)x[i] / 255.0f;
}

void vg_bernoulli_in_place(float *x, const float *u, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = u[i] < x[i] ? 1.0f : 0.0f;
}
