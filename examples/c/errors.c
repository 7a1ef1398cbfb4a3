/*
 * errors.c — the C ABI's error path: calls with bad arguments return a status and leave a
 * message for the calling thread; nothing crashes or exits.
 *
 * Exit status 0 only if every call returned the status expected of it.
 */
#include <stdio.h>

#include "vaegan.h"

static int failures = 0;

/* Prints what a call returned and the message, and counts a mismatch. */
static void expect(const char *what, vg_status got, vg_status expected) {
    printf("%-44s -> %-18s %s\n", what, vg_status_string(got), vg_last_error_message());
    if (got != expected) {
        printf("  expected %s\n", vg_status_string(expected));
        failures++;
    }
}

int main(void) {
    vg_config config;
    vg_config_init(&config, sizeof config, VG_MODEL_GAN);
    config.decoder_widths[0] = 32;
    config.decoder_layers = 1;
    config.discriminator_widths[0] = 32;
    config.discriminator_layers = 1;
    config.input_width = 16;
    config.latent_width = 4;
    vg_model *gan = NULL;
    if (vg_model_create(&gan, &config) != VG_OK) {
        printf("creating the GAN failed: %s\n", vg_last_error_message());
        return 1;
    }
    float x[2 * 16] = {0}, mu[2 * 4], logvar[2 * 4];

    expect("vg_model_create(NULL, &config)", vg_model_create(NULL, &config), VG_ERROR_INVALID_ARGUMENT);
    config.learning_rate = -1;
    vg_model *other = NULL;
    expect("vg_model_create (learning_rate -1)", vg_model_create(&other, &config), VG_ERROR_INVALID_ARGUMENT);
    expect("vg_model_train(gan, NULL, ...)", vg_model_train(gan, NULL, 2, 16, 1), VG_ERROR_INVALID_ARGUMENT);
    expect("vg_model_train (15 features, model takes 16)", vg_model_train(gan, x, 2, 15, 1),
           VG_ERROR_SHAPE_MISMATCH);
    expect("vg_model_encode on a GAN", vg_model_encode(gan, mu, logvar, x, 2, 16), VG_ERROR_WRONG_MODEL);
    expect("vg_model_load (missing file)", vg_model_load(&other, "/nonexistent/model.safetensors"),
           VG_ERROR_IO);

    vg_model_free(gan);
    printf("%s\n", failures == 0 ? "all errors reported as expected" : "some statuses were wrong");
    return failures == 0 ? 0 : 1;
}
