/*
 * oom_test.c — running out of memory is an error, never an abort. Each case runs in a forked
 * child that first warms the library up (one thread, a tiny model trained one step, so the
 * Swift runtime, the thread pool and OpenBLAS have what they keep), then caps its address
 * space (RLIMIT_AS) at its current size + 128 MB, then makes one call whose sizes need far
 * more. The call must return VG_ERROR_OUT_OF_MEMORY with a message (or, where the library
 * needs little of its own, succeed); a child killed by a signal
 * (a trap, an abort) or exiting otherwise fails the case.
 * Exit status 0 iff every case passes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "small_config.h"

enum { HEADROOM_MB = 128, W = 64 };

/* Bytes of address space this process has mapped now (/proc/self/statm's first field). */
static long long mapped_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long long pages = 0;
    if (!f || fscanf(f, "%lld", &pages) != 1) pages = 0;
    if (f) fclose(f);
    return pages * sysconf(_SC_PAGESIZE);
}

static vg_config small(vg_model_kind kind, int64_t width) { return small_config(kind, width, 4, 0); }

/* What the child does before the cap: everything lazy is set up, then it stays small. */
static void warm_up(void) {
    vg_set_thread_count(1);
    vg_config c = small(VG_MODEL_VAE, W);
    vg_model *m = NULL;
    float x[8 * W] = {0};
    if (vg_model_create(&m, &c) == VG_OK) vg_model_train_steps(m, x, 8, W, 1);
    vg_model_free(m);
}

/* ------------------------------------------------------------------ the cases
 * Each may prepare inputs before calling `cap()` (the caller's own memory is not the
 * library's to fail on), then makes the one call. */

static void cap(void) {
    long long limit = mapped_bytes() + (long long)HEADROOM_MB * 1024 * 1024;
    struct rlimit r = {.rlim_cur = (rlim_t)limit, .rlim_max = (rlim_t)limit};
    if (setrlimit(RLIMIT_AS, &r) != 0) {
        perror("setrlimit");
        _exit(3);
    }
}

/* A 784 → 131072 layer: 411 MB of weights alone. */
static vg_status wide_layer(vg_model_kind kind) {
    vg_config c = small(kind, 784);
    c.encoder_widths[0] = 131072;
    c.decoder_widths[0] = 131072;
    c.discriminator_widths[0] = 131072;
    vg_model *m = NULL;
    cap();
    vg_status s = vg_model_create(&m, &c);
    vg_model_free(m);
    return s;
}
static vg_status wide_vae(void) { return wide_layer(VG_MODEL_VAE); }
static vg_status wide_gan(void) { return wide_layer(VG_MODEL_GAN); }
static vg_status wide_vaegan(void) { return wide_layer(VG_MODEL_VAEGAN); }

/* Batches of 1048576 rows of 784: 3.2 GB for each per-row workspace. */
static vg_status huge_batch(vg_model_kind kind) {
    vg_config c = small(kind, 784);
    c.batch_size = 1048576;
    vg_model *m = NULL;
    cap();
    vg_status s = vg_model_create(&m, &c);
    vg_model_free(m);
    return s;
}
static vg_status batch_vae(void) { return huge_batch(VG_MODEL_VAE); }
static vg_status batch_gan(void) { return huge_batch(VG_MODEL_GAN); }
static vg_status batch_vaegan(void) { return huge_batch(VG_MODEL_VAEGAN); }

/* Width 6000: three 6000² squares of doubles are 864 MB. */
static vg_status frechet_wide(void) {
    enum { D = 6000 };
    float *a = calloc(2 * D, sizeof *a), *b = calloc(2 * D, sizeof *b);
    if (!a || !b) return VG_ERROR_INTERNAL;
    for (int i = 0; i < D; i++) a[i] = 1, b[D + i] = 1;
    double distance = 0;
    cap();
    return vg_frechet_distance_of_features(&distance, a, 2, b, 2, D);
}

/* 2²¹ rows of 64 features (512 MB of the caller's, never touched: zero pages), which the
 * training call copies. */
enum { MANY_ROWS = 1 << 21 };
static float *many_rows(void) { return calloc((size_t)MANY_ROWS * W, sizeof(float)); }

static vg_status train_steps_many_rows(vg_model_kind kind) {
    vg_config c = small(kind, W);
    vg_model *m = NULL;
    float *x = many_rows();
    if (!x || vg_model_create(&m, &c) != VG_OK) return VG_ERROR_INTERNAL;
    cap();
    vg_status s = vg_model_train_steps(m, x, MANY_ROWS, W, 1);
    vg_model_free(m);
    return s;
}
static vg_status train_steps_vae(void) { return train_steps_many_rows(VG_MODEL_VAE); }
static vg_status train_steps_gan(void) { return train_steps_many_rows(VG_MODEL_GAN); }
static vg_status train_steps_vaegan(void) { return train_steps_many_rows(VG_MODEL_VAEGAN); }

static vg_status train_epochs_vae(void) {
    vg_config c = small(VG_MODEL_VAE, W);
    vg_model *m = NULL;
    float *x = many_rows();
    if (!x || vg_model_create(&m, &c) != VG_OK) return VG_ERROR_INTERNAL;
    cap();
    vg_status s = vg_model_train(m, x, MANY_ROWS, W, 1);
    vg_model_free(m);
    return s;
}

/* 2²¹ samples into the caller's 512 MB: the library's own z (n × latent) must fit or fail.
 * Latent 4: z is 32 MB, and the samples are decoded straight into out, so this succeeds
 * under the cap; latent 64: z alone is 512 MB. */
static vg_status sample_many(int64_t latent) {
    vg_config c = small(VG_MODEL_VAE, W);
    c.latent_width = latent;
    vg_model *m = NULL;
    float *out = many_rows();
    if (!out || vg_model_create(&m, &c) != VG_OK) return VG_ERROR_INTERNAL;
    cap();
    vg_status s = vg_model_sample(m, out, (int64_t)MANY_ROWS * W, MANY_ROWS, 1);
    vg_model_free(m);
    return s;
}
static vg_status sample_small_latent(void) { return sample_many(4); }
static vg_status sample_wide_latent(void) { return sample_many(64); }

static vg_status evaluate_many(void) {
    vg_config c = small(VG_MODEL_VAE, W);
    vg_model *m = NULL;
    float *x = many_rows();
    if (!x || vg_model_create(&m, &c) != VG_OK) return VG_ERROR_INTERNAL;
    vg_metrics metrics = {.size = sizeof metrics};
    cap();
    vg_status s = vg_model_evaluate(m, &metrics, x, MANY_ROWS, W);
    vg_model_free(m);
    return s;
}

static const struct {
    const char *name;
    vg_status (*run)(void);
    vg_status expected;
} cases[] = {
    {"vg_model_create: β-VAE with a 131072-wide layer", wide_vae, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_create: GAN with a 131072-wide layer", wide_gan, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_create: VAE-GAN with a 131072-wide layer", wide_vaegan, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_create: β-VAE with batch size 1048576", batch_vae, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_create: GAN with batch size 1048576", batch_gan, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_create: VAE-GAN with batch size 1048576", batch_vaegan, VG_ERROR_OUT_OF_MEMORY},
    {"vg_frechet_distance_of_features: width 6000", frechet_wide, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_train_steps: β-VAE on 2^21 rows", train_steps_vae, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_train_steps: GAN on 2^21 rows", train_steps_gan, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_train_steps: VAE-GAN on 2^21 rows", train_steps_vaegan, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_train: β-VAE on 2^21 rows", train_epochs_vae, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_sample: 2^21 samples, latent 4 (fits)", sample_small_latent, VG_OK},
    {"vg_model_sample: 2^21 samples, latent 64", sample_wide_latent, VG_ERROR_OUT_OF_MEMORY},
    {"vg_model_evaluate: 2^21 rows", evaluate_many, VG_ERROR_OUT_OF_MEMORY},
};

int main(int argc, char **argv) {
    int failed = 0, count = (int)(sizeof cases / sizeof cases[0]);
    for (int i = 0; i < count; i++) {
        if (argc > 1 && !strstr(cases[i].name, argv[1])) continue;
        int pipefd[2];
        if (pipe(pipefd) != 0) return 2;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            close(pipefd[0]);
            warm_up();
            vg_status s = cases[i].run();
            char message[512];
            snprintf(message, sizeof message, "%s (%d): %s", vg_status_string(s), (int)s, vg_last_error_message());
            if (write(pipefd[1], message, strlen(message)) < 0) _exit(4);
            vg_status expected = cases[i].expected;
            _exit(s == expected && (s == VG_OK || vg_last_error_message()[0]) ? 0 : 1);
        }
        close(pipefd[1]);
        char message[513] = {0};
        ssize_t n = 0, got;
        while ((got = read(pipefd[0], message + n, sizeof message - 1 - (size_t)n)) > 0) n += got;
        close(pipefd[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok) failed++;
        if (WIFSIGNALED(status))
            printf("FAIL %-52s killed by signal %d\n", cases[i].name, WTERMSIG(status));
        else
            printf("%s %-52s %s\n", ok ? "ok  " : "FAIL", cases[i].name, message);
    }
    printf("%s\n", failed ? "FAILED" : "all passed");
    return failed != 0;
}
