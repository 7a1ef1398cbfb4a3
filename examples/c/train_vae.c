/*
 * train_vae.c — the C ABI end to end: build a small β-VAE, train it on generated data,
 * sample, save, load, and check that the loaded model decodes exactly like the original.
 *
 * Data: 512 rows of 784 values in [0, 1], each one of four stripe patterns with a little
 * noise, so two epochs are enough for the loss to fall.
 *
 * Build (see run.sh): gcc -std=c11 -Wall -Wextra -Werror -I include train_vae.c -lVAEGANC
 * Exit status 0 when every call succeeded and both models agree bit for bit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaegan.h"

enum { ROWS = 512, FEATURES = 784, SAMPLES = 8 };

/* Prints the failing call, its status and the library's message; returns 1 for main. */
static int fail(const char *call, vg_status status) {
    fprintf(stderr, "%s failed: %s (%d): %s\n", call, vg_status_string(status), (int)status,
            vg_last_error_message());
    return 1;
}

#define CHECK(call)                                                                               \
    do {                                                                                          \
        vg_status status_ = (call);                                                               \
        if (status_ != VG_OK) return fail(#call, status_);                                        \
    } while (0)

/* Row r: pattern r % 4 (horizontal, vertical or diagonal stripes, or a square) plus noise. */
static void make_data(float *x) {
    uint32_t state = 12345u;
    for (int r = 0; r < ROWS; r++)
        for (int i = 0; i < FEATURES; i++) {
            int row = i / 28, col = i % 28;
            int on;
            switch (r % 4) {
            case 0: on = (row / 4) % 2; break;
            case 1: on = (col / 4) % 2; break;
            case 2: on = ((row + col) / 5) % 2; break;
            default: on = row > 6 && row < 21 && col > 6 && col < 21; break;
            }
            state = state * 1664525u + 1013904223u;
            float noise = (float)(state >> 8) / 16777216.0f * 0.1f; /* [0, 0.1) */
            x[r * FEATURES + i] = on ? 0.9f + noise : noise;
        }
}

int main(void) {
    float *x = malloc(sizeof(float) * ROWS * FEATURES);
    float *samples = malloc(sizeof(float) * SAMPLES * FEATURES);
    float *a = malloc(sizeof(float) * SAMPLES * FEATURES);
    float *b = malloc(sizeof(float) * SAMPLES * FEATURES);
    if (!x || !samples || !a || !b) return 1;
    make_data(x);
    printf("vaegan %s\n", vg_version());

    /* The reference β-VAE, shrunk: 784-128, latent 8, decoder 128-784, batch 64. */
    vg_config config;
    CHECK(vg_config_init(&config, sizeof config, VG_MODEL_VAE));
    config.encoder_layers = 1;
    config.encoder_widths[0] = 128;
    config.decoder_layers = 1;
    config.decoder_widths[0] = 128;
    config.latent_width = 8;
    config.batch_size = 64;
    config.seed = 7;

    vg_model *model = NULL;
    CHECK(vg_model_create(&model, &config));
    CHECK(vg_model_train(model, x, ROWS, FEATURES, 2));

    vg_metrics metrics = {.size = sizeof metrics};
    CHECK(vg_model_last_metrics(model, &metrics));
    printf("epoch %lld, %lld steps: loss %.3f, reconstruction %.3f, KL %.3f, eval -ELBO %.3f, "
           "active units %.0f\n",
           (long long)metrics.epoch, (long long)metrics.steps, metrics.loss,
           metrics.reconstruction, metrics.kl, metrics.eval_nelbo, metrics.active_units);

    CHECK(vg_model_sample(model, samples, SAMPLES * FEATURES, SAMPLES, 42));
    double mean = 0;
    for (int i = 0; i < SAMPLES * FEATURES; i++) mean += samples[i];
    printf("%d samples, mean value %.4f\n", SAMPLES, mean / (SAMPLES * FEATURES));

    char path[64];
    snprintf(path, sizeof path, "/tmp/vaegan-train-vae-%ld.safetensors", (long)getpid());
    CHECK(vg_model_save(model, path));
    vg_model *loaded = NULL;
    CHECK(vg_model_load(&loaded, path));
    unlink(path);

    /* The same z through both models: the outputs must agree bit for bit. */
    int64_t latent = 0;
    CHECK(vg_model_latent_width(loaded, &latent));
    float *z = malloc(sizeof(float) * SAMPLES * (size_t)latent);
    if (!z) return 1;
    for (int64_t i = 0; i < SAMPLES * latent; i++) z[i] = (float)((i * 37) % 19) / 9.0f - 1.0f;
    CHECK(vg_model_decode(model, a, z, SAMPLES, latent));
    CHECK(vg_model_decode(loaded, b, z, SAMPLES, latent));
    int same = memcmp(a, b, sizeof(float) * SAMPLES * FEATURES) == 0;
    printf("decode after save/load: %s\n", same ? "identical" : "DIFFERENT");

    CHECK(vg_model_free(loaded));
    CHECK(vg_model_free(model));
    free(z);
    free(b);
    free(a);
    free(samples);
    free(x);
    return same ? 0 : 1;
}
