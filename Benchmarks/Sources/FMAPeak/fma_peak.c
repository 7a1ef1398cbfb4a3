/*
 * fma_peak.c — the FMA peak (fma_peak.h): enough independent accumulators to cover the FMA
 * latency on both pipes (12 chains), each thread on its own, all started together.
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <time.h>

#include "fma_peak.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define CHAINS 12
#define ROUNDS 100000 /* FMAs per chain between clock reads */

__attribute__((target("avx512f"))) static double run_avx512(double seconds, double *sink) {
    __m512 acc[CHAINS], a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    double start = now(), flops = 0;
    do {
        for (int r = 0; r < ROUNDS; r++)
            for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
        flops += 2.0 * 16 * CHAINS * ROUNDS;
    } while (now() - start < seconds);
    float out[16];
    *sink = 0; /* every chain feeds the result, or the compiler drops all but one */
    for (int i = 0; i < CHAINS; i++) {
        _mm512_storeu_ps(out, acc[i]);
        *sink += out[0];
    }
    return flops / (now() - start);
}

__attribute__((target("avx2,fma"))) static double run_avx2(double seconds, double *sink) {
    __m256 acc[CHAINS], a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    double start = now(), flops = 0;
    do {
        for (int r = 0; r < ROUNDS; r++)
            for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
        flops += 2.0 * 8 * CHAINS * ROUNDS;
    } while (now() - start < seconds);
    float out[8];
    *sink = 0; /* every chain feeds the result, or the compiler drops all but one */
    for (int i = 0; i < CHAINS; i++) {
        _mm256_storeu_ps(out, acc[i]);
        *sink += out[0];
    }
    return flops / (now() - start);
}

static double run_sse(double seconds, double *sink) {
    __m128 acc[CHAINS], a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm_set1_ps((float)i);
    double start = now(), flops = 0;
    do {
        for (int r = 0; r < ROUNDS; r++)
            for (int i = 0; i < CHAINS; i++) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], a), b);
        flops += 2.0 * 4 * CHAINS * ROUNDS;
    } while (now() - start < seconds);
    float out[4];
    *sink = 0; /* every chain feeds the result, or the compiler drops all but one */
    for (int i = 0; i < CHAINS; i++) {
        _mm_storeu_ps(out, acc[i]);
        *sink += out[0];
    }
    return flops / (now() - start);
}

const char *fma_peak_instruction_set(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return "avx512";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "avx2";
    return "sse";
}

typedef struct worker {
    double seconds, flops_per_second, sink;
} worker;

static void *run(void *argument) {
    worker *w = argument;
    const char *set = fma_peak_instruction_set();
    if (set[3] == '5') w->flops_per_second = run_avx512(w->seconds, &w->sink);
    else if (set[0] == 'a') w->flops_per_second = run_avx2(w->seconds, &w->sink);
    else w->flops_per_second = run_sse(w->seconds, &w->sink);
    return NULL;
}

double fma_peak_gflops(int threads, double seconds) {
    if (threads < 1) threads = 1;
    if (threads > 256) threads = 256;
    pthread_t ids[256];
    worker workers[256];
    for (int i = 0; i < threads; i++) {
        workers[i] = (worker){.seconds = seconds};
        if (i > 0) pthread_create(&ids[i], NULL, run, &workers[i]);
    }
    run(&workers[0]);
    double total = workers[0].flops_per_second;
    for (int i = 1; i < threads; i++) {
        pthread_join(ids[i], NULL);
        total += workers[i].flops_per_second;
    }
    return total / 1e9;
}
