/* small_config.h — the tiny model every C ABI test builds: `width` features, latent 4, one
 * hidden layer of 8 in the encoder and decoder, two of 8 in the discriminator (a kind without
 * one ignores those fields). Header-only, for the test programs in this folder. */
#ifndef VG_TEST_SMALL_CONFIG_H
#define VG_TEST_SMALL_CONFIG_H

#include "vaegan.h"

static inline vg_config small_config(vg_model_kind kind, int64_t width, int64_t batch_size, uint64_t seed) {
    vg_config c;
    vg_config_init(&c, sizeof c, kind);
    c.input_width = width;
    c.latent_width = 4;
    c.encoder_layers = 1;
    c.encoder_widths[0] = 8;
    c.decoder_layers = 1;
    c.decoder_widths[0] = 8;
    c.discriminator_layers = 2;
    c.discriminator_widths[0] = 8;
    c.discriminator_widths[1] = 8;
    c.batch_size = batch_size;
    c.seed = seed;
    return c;
}

#endif
