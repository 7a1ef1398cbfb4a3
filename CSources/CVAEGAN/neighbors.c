/*
 * neighbors.c — k-nearest-neighbour manifolds for precision and recall (Kynkäänniemi et al.
 * 2019). A set of feature rows is approximated by the union of balls around its points, each
 * as wide as the distance to its point's k-th nearest neighbour; precision is the share of
 * generated rows inside the real set's manifold, recall the share of real rows inside the
 * generated set's.
 *
 * Squared distances come a block of rows at a time from one GEMM, ‖a‖² + ‖b‖² − 2 a·b; the
 * references compute every difference directly, in double.
 */
#include <math.h>
#include <stdlib.h>

#include "vg_core.h"

/* Query rows per GEMM block: 256 × 10,000 distances are 10 MB. */
enum { BLOCK_ROWS = 256 };

static void squared_norms(float *norms, const float *x, int64_t n, int64_t d) {
    for (int64_t i = 0; i < n; i++) {
        double sum = 0;
        for (int64_t j = 0; j < d; j++) sum += (double)x[i * d + j] * x[i * d + j];
        norms[i] = (float)sum;
    }
}

/* dist[r][j] = ‖queries[r] − points[j]‖² for `rows` queries, clamped at 0 (the expansion can
 * dip below it by rounding). */
static vg_status block_distances(float *dist, const float *queries, const float *query_norms,
                                 int64_t rows, const float *points, const float *point_norms,
                                 int64_t n, int64_t d) {
    vg_status status = vg_gemm(false, true, rows, n, d, -2.0f, queries, d, points, d, 0.0f, dist, n);
    if (status != VG_OK) return status;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < n; j++) {
            float value = dist[r * n + j] + query_norms[r] + point_norms[j];
            dist[r * n + j] = value > 0 ? value : 0;
        }
    return VG_OK;
}

/* Keeps the k smallest values seen so far in best[0..k), ascending. */
static void keep_smallest(float *best, int64_t k, float value) {
    if (value >= best[k - 1]) return;
    int64_t i = k - 1;
    while (i > 0 && best[i - 1] > value) {
        best[i] = best[i - 1];
        i--;
    }
    best[i] = value;
}

static vg_status check_points(const char *what, const float *points, int64_t n, int64_t d, int64_t k) {
    if (!points || d <= 0 || k <= 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "%s: bad argument", what);
    if (n <= k)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "%s: needs more than k = %lld points, got %lld",
                             what, (long long)k, (long long)n);
    if (vg_count_non_finite(points, n * d) != 0)
        return vg_error_setf(VG_ERROR_NON_FINITE, "%s: NaN or infinity in the points", what);
    return VG_OK;
}

vg_status vg_kth_neighbor_distances(float *radii, const float *points, int64_t n, int64_t d, int64_t k) {
    vg_status status = check_points("k-th neighbour distances", points, n, d, k);
    if (status != VG_OK) return status;
    if (!radii) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "k-th neighbour distances: NULL radii");
    int64_t block = n < BLOCK_ROWS ? n : BLOCK_ROWS;
    float *norms = malloc((size_t)n * sizeof *norms);
    float *dist = malloc((size_t)(block * n) * sizeof *dist);
    float *best = malloc((size_t)k * sizeof *best);
    if (!norms || !dist || !best) {
        status = vg_error_setf(VG_ERROR_OUT_OF_MEMORY, "k-th neighbour distances: out of memory");
        goto done;
    }
    squared_norms(norms, points, n, d);
    for (int64_t start = 0; start < n && status == VG_OK; start += block) {
        int64_t rows = n - start < block ? n - start : block;
        status = block_distances(dist, points + start * d, norms + start, rows, points, norms, n, d);
        for (int64_t r = 0; r < rows && status == VG_OK; r++) {
            for (int64_t i = 0; i < k; i++) best[i] = INFINITY;
            for (int64_t j = 0; j < n; j++)
                if (j != start + r) keep_smallest(best, k, dist[r * n + j]);
            radii[start + r] = sqrtf(best[k - 1]);
        }
    }
done:
    free(norms);
    free(dist);
    free(best);
    return status;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void vg_kth_neighbor_distances_ref(float *radii, const float *points, int64_t n, int64_t d, int64_t k) {
    double *others = malloc((size_t)n * sizeof *others);
    if (!others) return;
    for (int64_t i = 0; i < n; i++) {
        int64_t count = 0;
        for (int64_t j = 0; j < n; j++) {
            if (j == i) continue;
            double sum = 0;
            for (int64_t c = 0; c < d; c++) {
                double delta = (double)points[i * d + c] - points[j * d + c];
                sum += delta * delta;
            }
            others[count++] = sum;
        }
        qsort(others, (size_t)count, sizeof *others, compare_doubles);
        radii[i] = (float)sqrt(others[k - 1]);
    }
    free(others);
}

vg_status vg_manifold_fraction(double *fraction, const float *queries, int64_t m,
                               const float *points, const float *radii, int64_t n, int64_t d) {
    if (!fraction || !queries || !points || !radii || m <= 0 || n <= 0 || d <= 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "manifold fraction: bad argument");
    if (vg_count_non_finite(queries, m * d) != 0 || vg_count_non_finite(points, n * d) != 0)
        return vg_error_setf(VG_ERROR_NON_FINITE, "manifold fraction: NaN or infinity in the rows");
    vg_status status = VG_OK;
    int64_t block = m < BLOCK_ROWS ? m : BLOCK_ROWS;
    float *query_norms = malloc((size_t)m * sizeof *query_norms);
    float *point_norms = malloc((size_t)n * sizeof *point_norms);
    float *squared_radii = malloc((size_t)n * sizeof *squared_radii);
    float *dist = malloc((size_t)(block * n) * sizeof *dist);
    if (!query_norms || !point_norms || !squared_radii || !dist) {
        status = vg_error_setf(VG_ERROR_OUT_OF_MEMORY, "manifold fraction: out of memory");
        goto done;
    }
    squared_norms(query_norms, queries, m, d);
    squared_norms(point_norms, points, n, d);
    for (int64_t j = 0; j < n; j++) squared_radii[j] = radii[j] * radii[j];
    int64_t inside = 0;
    for (int64_t start = 0; start < m && status == VG_OK; start += block) {
        int64_t rows = m - start < block ? m - start : block;
        status = block_distances(dist, queries + start * d, query_norms + start, rows, points,
                                 point_norms, n, d);
        for (int64_t r = 0; r < rows && status == VG_OK; r++)
            for (int64_t j = 0; j < n; j++)
                if (dist[r * n + j] <= squared_radii[j]) {
                    inside++;
                    break;
                }
    }
    if (status == VG_OK) *fraction = (double)inside / (double)m;
done:
    free(query_norms);
    free(point_norms);
    free(squared_radii);
    free(dist);
    return status;
}

void vg_manifold_fraction_ref(double *fraction, const float *queries, int64_t m,
                              const float *points, const float *radii, int64_t n, int64_t d) {
    int64_t inside = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double dist = 0;
            for (int64_t c = 0; c < d; c++) {
                double delta = (double)queries[i * d + c] - points[j * d + c];
                dist += delta * delta;
            }
            if (sqrt(dist) <= radii[j]) {
                inside++;
                break;
            }
        }
    *fraction = (double)inside / (double)m;
}
