/*
 * threads_test.c — the header's thread rules, exercised (and, under ThreadSanitizer, raced):
 *   1. Distinct handles at once: four threads, one handle each (β-VAE, GAN, VAE-GAN, β-VAE),
 *      each creates, trains, encodes, samples, saves and reloads its model while the others
 *      do the same; every result must equal the same work done afterwards on one thread, bit
 *      for bit (the pool is shared: vg_set_thread_count(2)).
 *   2. Two threads on one handle: both call it over and over (training, sampling, metrics)
 *      while a third asks it to stop; each call must return VG_OK, VG_ERROR_STATE (the handle
 *      was busy) or VG_CANCELLED (training stopped on request), and the handle must still
 *      work afterwards.
 *   3. Fréchet distances on several threads at once, each equal to the serial value.
 * Exit status 0 iff every check passes.
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "small_config.h"

enum { W = 16, L = 4, ROWS = 32, SAMPLES = 8, STEPS = 12, JOBS = 4 };

static int failures = 0;
static void check(const char *what, int ok) {
    if (!ok) {
        printf("FAIL %s\n", what);
        failures++;
    } else if (getenv("VERBOSE")) printf("ok   %s\n", what);
}

static vg_config small(vg_model_kind kind, uint64_t seed) { return small_config(kind, W, 8, seed); }

static void fill_rows(float *x, int seed) {
    for (int i = 0; i < ROWS * W; i++) x[i] = (float)(((i + 1) * (37 + seed)) % 101) / 100.0f;
}

/* ------------------------------------------------------------- 1. distinct handles */

typedef struct job {
    vg_model_kind kind;
    int index;
    vg_status status;
    float samples[SAMPLES * W];
    float reloaded[SAMPLES * W];
    float mu[ROWS * L];
    vg_metrics metrics;
} job;

static void *run_job(void *argument) {
    job *j = argument;
    float x[ROWS * W], logvar[ROWS * L];
    fill_rows(x, j->index);
    vg_config c = small(j->kind, 100 + (uint64_t)j->index);
    vg_model *m = NULL, *loaded = NULL;
    char path[256];
    snprintf(path, sizeof path, "%s/vaegan-threads-%d-%d.safetensors",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), j->index);
    vg_status s = vg_model_create(&m, &c);
    if (s == VG_OK) s = vg_model_train(m, x, ROWS, W, 2);
    if (s == VG_OK) s = vg_model_train_steps(m, x, ROWS, W, STEPS);
    if (s == VG_OK) {
        j->metrics = (vg_metrics){.size = sizeof j->metrics};
        s = vg_model_last_metrics(m, &j->metrics);
    }
    if (s == VG_OK && j->kind != VG_MODEL_GAN) s = vg_model_encode(m, j->mu, logvar, x, ROWS, W);
    if (s == VG_OK) s = vg_model_sample(m, j->samples, SAMPLES * W, SAMPLES, 9);
    if (s == VG_OK) s = vg_model_save(m, path);
    if (s == VG_OK) s = vg_model_load(&loaded, path);
    if (s == VG_OK) s = vg_model_sample(loaded, j->reloaded, SAMPLES * W, SAMPLES, 9);
    if (s != VG_OK) fprintf(stderr, "job %d: %s\n", j->index, vg_last_error_message());
    vg_model_free(loaded);
    vg_model_free(m);
    remove(path);
    j->status = s;
    return NULL;
}

static void distinct_handles(void) {
    const vg_model_kind kinds[JOBS] = {VG_MODEL_VAE, VG_MODEL_GAN, VG_MODEL_VAEGAN, VG_MODEL_VAE};
    static job parallel[JOBS], serial[JOBS];
    pthread_t threads[JOBS];
    for (int i = 0; i < JOBS; i++) {
        parallel[i] = (job){.kind = kinds[i], .index = i};
        serial[i] = parallel[i];
    }
    for (int i = 0; i < JOBS; i++) pthread_create(&threads[i], NULL, run_job, &parallel[i]);
    for (int i = 0; i < JOBS; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < JOBS; i++) run_job(&serial[i]);
    for (int i = 0; i < JOBS; i++) {
        char what[128];
        snprintf(what, sizeof what, "distinct handles: job %d ran", i);
        check(what, parallel[i].status == VG_OK && serial[i].status == VG_OK);
        snprintf(what, sizeof what, "distinct handles: job %d equals its serial run", i);
        check(what, memcmp(parallel[i].samples, serial[i].samples, sizeof parallel[i].samples) == 0 &&
                        memcmp(parallel[i].mu, serial[i].mu, sizeof parallel[i].mu) == 0 &&
                        parallel[i].metrics.loss == serial[i].metrics.loss);
        snprintf(what, sizeof what, "distinct handles: job %d's reloaded model samples the same", i);
        check(what, memcmp(parallel[i].samples, parallel[i].reloaded, sizeof parallel[i].samples) == 0);
    }
}

/* ------------------------------------------------------------- 2. one handle, two threads */

typedef struct shared {
    vg_model *model;
    atomic_int running;
    atomic_int ok, busy, cancelled, other;
} shared;

static void tally(shared *s, vg_status status) {
    if (status == VG_OK) atomic_fetch_add(&s->ok, 1);
    else if (status == VG_ERROR_STATE) atomic_fetch_add(&s->busy, 1);
    else if (status == VG_CANCELLED) atomic_fetch_add(&s->cancelled, 1);
    else {
        atomic_fetch_add(&s->other, 1);
        fprintf(stderr, "one handle: unexpected %s: %s\n", vg_status_string(status), vg_last_error_message());
    }
}

static void *hammer(void *argument) {
    shared *s = argument;
    float x[ROWS * W], out[SAMPLES * W];
    fill_rows(x, 5);
    for (int i = 0; i < 40; i++) {
        tally(s, vg_model_train_steps(s->model, x, ROWS, W, 3));
        tally(s, vg_model_sample(s->model, out, SAMPLES * W, SAMPLES, (uint64_t)i));
        vg_metrics metrics = {.size = sizeof metrics};
        vg_status st = vg_model_last_metrics(s->model, &metrics);
        tally(s, st == VG_ERROR_STATE && strstr(vg_last_error_message(), "not trained") ? VG_OK : st);
        int64_t width = 0;
        tally(s, vg_model_input_width(s->model, &width));
    }
    return NULL;
}

static void *stopper(void *argument) {
    shared *s = argument;
    while (atomic_load(&s->running)) {
        vg_status st = vg_model_request_stop(s->model);
        if (st != VG_OK) atomic_fetch_add(&s->other, 1);
        usleep(200);
    }
    return NULL;
}

static void one_handle(void) {
    static shared s;
    vg_config c = small(VG_MODEL_VAE, 3);
    check("one handle: created", vg_model_create(&s.model, &c) == VG_OK);
    atomic_store(&s.running, 1);
    pthread_t a, b, stop;
    pthread_create(&stop, NULL, stopper, &s);
    pthread_create(&a, NULL, hammer, &s);
    pthread_create(&b, NULL, hammer, &s);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    atomic_store(&s.running, 0);
    pthread_join(stop, NULL);
    printf("one handle, two threads: %d ok, %d busy (VG_ERROR_STATE), %d cancelled, %d other\n",
           atomic_load(&s.ok), atomic_load(&s.busy), atomic_load(&s.cancelled), atomic_load(&s.other));
    check("one handle: only OK, STATE or CANCELLED", atomic_load(&s.other) == 0);
    float x[ROWS * W], out[SAMPLES * W];
    fill_rows(x, 5);
    vg_status st = vg_model_train_steps(s.model, x, ROWS, W, 2);
    if (st == VG_CANCELLED) st = vg_model_train_steps(s.model, x, ROWS, W, 2); /* a stop left pending */
    check("one handle: trains afterwards", st == VG_OK);
    check("one handle: samples afterwards", vg_model_sample(s.model, out, SAMPLES * W, SAMPLES, 1) == VG_OK);
    int finite = 1;
    for (int i = 0; i < SAMPLES * W; i++) finite &= isfinite(out[i]);
    check("one handle: samples are finite", finite);
    vg_model_free(s.model);
}

/* ------------------------------------------------------------- 3. Fréchet distances */

enum { FD_ROWS = 64, FD_WIDTH = 12, FD_THREADS = 3 };
static float fd_a[FD_ROWS * FD_WIDTH], fd_b[FD_ROWS * FD_WIDTH];

static void *frechet(void *argument) {
    double *distance = argument;
    for (int i = 0; i < 5; i++)
        if (vg_frechet_distance_of_features(distance, fd_a, FD_ROWS, fd_b, FD_ROWS, FD_WIDTH) != VG_OK)
            *distance = NAN;
    return NULL;
}

static void frechet_threads(void) {
    for (int i = 0; i < FD_ROWS * FD_WIDTH; i++) {
        fd_a[i] = (float)((i * 7919) % 1000) / 1000.0f;
        fd_b[i] = (float)((i * 104729) % 997) / 500.0f;
    }
    double serial = 0, distances[FD_THREADS];
    frechet(&serial);
    pthread_t threads[FD_THREADS];
    for (int i = 0; i < FD_THREADS; i++) pthread_create(&threads[i], NULL, frechet, &distances[i]);
    for (int i = 0; i < FD_THREADS; i++) pthread_join(threads[i], NULL);
    int same = isfinite(serial);
    for (int i = 0; i < FD_THREADS; i++) same &= distances[i] == serial;
    check("Fréchet distances on three threads equal the serial one", same);
}

int main(void) {
    check("two pool threads", vg_set_thread_count(2) == VG_OK);
    distinct_handles();
    one_handle();
    frechet_threads();
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}
