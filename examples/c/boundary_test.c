/*
 * boundary_test.c — every function of vaegan.h fed each bad argument that applies to it.
 *
 * Each case clears the thread's error, makes one call, and passes when the call returns the
 * expected status and (for errors) leaves a non-empty message. Also checked: out-handles are
 * NULL after a failed create/load, errors are thread-local, distinct handles train on
 * two threads at once, and a caller built against an older, smaller vg_config (the 344-byte
 * layout before pixel_weight) gets no byte written past its struct and can create models.
 * The last line is "N passed, M failed"; exit status 0 iff M == 0.
 */
#include <stddef.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaegan.h"
#include "documented_errors.h"

static int passed = 0, failed = 0;

static void check_status(const char *what, vg_status got, vg_status expected) {
    const char *message = vg_last_error_message();
    int ok = got == expected && message != NULL && (expected == VG_OK || message[0] != '\0');
    ok = documented_allows(what, got) && ok; /* and the code is one its comment lists */
    if (ok) {
        passed++;
        if (getenv("VERBOSE")) printf("ok   %-58s %s\n", what, message);
    } else {
        failed++;
        printf("FAIL %-58s got %s (%d), expected %s; message \"%s\"\n", what, vg_status_string(got),
               (int)got, vg_status_string(expected), message ? message : "(NULL)");
    }
}

static void check_true(const char *what, int condition) {
    if (condition) passed++;
    else {
        failed++;
        printf("FAIL %s\n", what);
    }
}

/* One case: clear the error, make the call, compare. */
#define EXPECT(expected, call)                                                                    \
    do {                                                                                          \
        vg_error_clear();                                                                         \
        check_status(#call, (call), (expected));                                                  \
    } while (0)

enum { W = 16, L = 4, ROWS = 8 };

/* A small config of `kind`: 16 features, latent 4, one hidden layer of 8 per network. */
static vg_config small(vg_model_kind kind) {
    vg_config c;
    vg_config_init(&c, sizeof c, kind);
    c.input_width = W;
    c.latent_width = L;
    c.encoder_layers = 1;
    c.encoder_widths[0] = 8;
    c.decoder_layers = 1;
    c.decoder_widths[0] = 8;
    c.discriminator_layers = 2;
    c.discriminator_widths[0] = 8;
    c.discriminator_widths[1] = 8;
    c.batch_size = 4;
    return c;
}

/* vg_model_create with one field changed must fail with `expected` and leave out NULL. */
#define EXPECT_CONFIG(kind, field_change, expected)                                               \
    do {                                                                                          \
        vg_config c_ = small(kind);                                                               \
        c_.field_change;                                                                          \
        vg_model *m_ = (vg_model *)&c_; /* any non-NULL value: must be overwritten */             \
        vg_error_clear();                                                                         \
        check_status("vg_model_create: " #kind " " #field_change, vg_model_create(&m_, &c_),      \
                     expected);                                                                   \
        check_true("vg_model_create failure leaves *out NULL (" #field_change ")", m_ == NULL);   \
        vg_model_free(m_);                                                                        \
    } while (0)

/* ---------------------------------------------------------------- older vg_config layouts */

/* vg_config as vaegan.h 0.1 declared it before pixel_weight: what a caller compiled against
 * that header holds. Its enum fields were enums then; int32_t has their size and alignment
 * on x86-64, which the asserts below pin. */
typedef struct {
    int64_t size;
    int32_t kind;
    int64_t input_width, latent_width;
    int64_t encoder_widths[VG_MAX_HIDDEN_LAYERS], encoder_layers;
    int64_t decoder_widths[VG_MAX_HIDDEN_LAYERS], decoder_layers;
    int64_t discriminator_widths[VG_MAX_HIDDEN_LAYERS], discriminator_layers;
    int32_t likelihood;
    float sigma;
    int32_t learn_sigma;
    float beta;
    int64_t warmup_epochs;
    float learning_rate;
    int64_t batch_size;
    uint64_t seed;
    int32_t objective, generator_output;
    float leaky_slope, real_label;
    int64_t discriminator_steps;
    float gamma;
    int64_t feature_layer;
    int32_t gating;
} config_0_1;

_Static_assert(sizeof(config_0_1) == 344, "the 0.1 layout is 344 bytes");
_Static_assert(offsetof(config_0_1, gating) == offsetof(vg_config, gating), "0.1 fields keep their offsets");
_Static_assert(offsetof(config_0_1, likelihood) == offsetof(vg_config, likelihood), "0.1 fields keep their offsets");
_Static_assert(offsetof(config_0_1, objective) == offsetof(vg_config, objective), "0.1 fields keep their offsets");
_Static_assert(offsetof(vg_config, pixel_weight) == 344 && sizeof(vg_config) == 352, "this header's layout");

enum { GUARD = 64, GUARD_BYTE = 0xA5 };

/* An old struct with GUARD bytes right after it, all GUARD_BYTE before a call. */
typedef struct {
    config_0_1 config;
    unsigned char guard[GUARD];
} guarded_config_0_1;

/* 1 if all n bytes at p are still GUARD_BYTE. */
static int untouched(const void *p, size_t n) {
    const unsigned char *bytes = p;
    for (size_t i = 0; i < n; i++)
        if (bytes[i] != GUARD_BYTE) return 0;
    return 1;
}

/* vg_config_init writes only the caller's `size` bytes, and vg_model_create reads only them
 * (pixel_weight, missing from the 0.1 layout, takes its default). Under valgrind (VALGRIND=1
 * run.sh) the heap case catches a write past the struct as an invalid write. */
static void test_older_layouts(const float *x) {
    guarded_config_0_1 g;
    memset(&g, GUARD_BYTE, sizeof g);
    EXPECT(VG_OK, vg_config_init((vg_config *)&g.config, sizeof g.config, VG_MODEL_VAEGAN));
    check_true("vg_config_init(344 bytes) writes nothing past them", untouched(g.guard, GUARD));
    check_true("vg_config_init(344 bytes) sets size = 344", g.config.size == 344);
    check_true("vg_config_init(344 bytes) fills the 0.1 fields",
               g.config.kind == VG_MODEL_VAEGAN && g.config.input_width == 784 && g.config.latent_width == 32 &&
                   g.config.gating == 1 && g.config.feature_layer == 1 && g.config.gamma == 1.0f &&
                   g.config.objective == VG_OBJECTIVE_MINIMAX && g.config.batch_size == 128);

    for (int kind = VG_MODEL_VAE; kind <= VG_MODEL_VAEGAN; kind++) {
        config_0_1 *heap = malloc(sizeof *heap);
        if (!heap) continue;
        EXPECT(VG_OK, vg_config_init((vg_config *)heap, sizeof *heap, kind));
        heap->input_width = W;
        heap->latent_width = L;
        heap->encoder_layers = heap->decoder_layers = 1;
        heap->encoder_widths[0] = heap->decoder_widths[0] = 8;
        heap->discriminator_layers = 2;
        heap->discriminator_widths[0] = heap->discriminator_widths[1] = 8;
        heap->batch_size = 4;
        vg_model *model = NULL;
        EXPECT(VG_OK, vg_model_create(&model, (const vg_config *)heap));
        check_true("a model from the 344-byte layout", model != NULL);
        if (model) {
            float samples[2 * W];
            int32_t made = -1;
            EXPECT(VG_OK, vg_model_train_steps(model, x, ROWS, W, 2));
            EXPECT(VG_OK, vg_model_sample(model, samples, 2 * W, 2, 1));
            EXPECT(VG_OK, vg_model_kind_of(model, &made));
            check_true("the 344-byte layout's kind is kept", made == kind);
            int finite = 1;
            for (int i = 0; i < 2 * W; i++) finite &= isfinite(samples[i]) != 0;
            check_true("a model from the 344-byte layout samples finite values", finite);
        }
        vg_model_free(model);
        free(heap);
    }

    /* A layout of this header read as one: the sizes it accepts tell the two apart. */
    vg_config full;
    EXPECT(VG_OK, vg_config_init(&full, sizeof full, VG_MODEL_VAEGAN));
    check_true("vg_config_init(352 bytes) sets size and pixel_weight", full.size == 352 && full.pixel_weight == 0.5);
}

/* Sizes that are no vg_config layout are refused: by vg_config_init before it writes a byte,
 * by vg_model_create with a message saying what sizes exist. */
static void test_invalid_sizes(void) {
    static const int64_t sizes[] = {0, 8, 16, 340, 343, 345, 348, 351, 353, 360, -344, INT64_MAX};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        guarded_config_0_1 g;
        memset(&g, GUARD_BYTE, sizeof g);
        char what[96];
        snprintf(what, sizeof what, "vg_config_init(size %lld) is refused", (long long)sizes[i]);
        vg_error_clear();
        check_status(what, vg_config_init((vg_config *)&g.config, sizes[i], VG_MODEL_VAE), VG_ERROR_INVALID_ARGUMENT);
        check_true("a refused vg_config_init writes nothing",
                   untouched(&g, sizeof g));

        vg_config c = small(VG_MODEL_VAE);
        c.size = sizes[i];
        vg_model *m = (vg_model *)&c;
        vg_error_clear();
        snprintf(what, sizeof what, "vg_model_create(size %lld) is refused", (long long)sizes[i]);
        check_status(what, vg_model_create(&m, &c), VG_ERROR_INVALID_ARGUMENT);
        check_true("the refusal names config->size", strstr(vg_last_error_message(), "config->size") != NULL);
        check_true("a refused size leaves *out NULL", m == NULL);
    }
    vg_config c = small(VG_MODEL_VAE);
    c.size = 348;
    vg_model *m = NULL;
    vg_model_create(&m, &c);
    check_true("a size between layouts is called that",
               strstr(vg_last_error_message(), "not the size of any vg_config layout") != NULL);
}

/* Networks as a JSON spec: a small DCGAN-like GAN for 1 × 8 × 8 images, from C. */
static void test_networks_json(void) {
    static const char *spec =
        "{\"generator\": {\"input\": [4], \"layers\": ["
        "{\"type\": \"dense\", \"width\": 32}, {\"type\": \"batch_norm\"}, {\"type\": \"activation\", \"function\": \"relu\"},"
        "{\"type\": \"reshape\", \"shape\": [8, 2, 2]},"
        "{\"type\": \"conv_transpose2d\", \"channels\": 4, \"kernel\": 4, \"stride\": 2, \"padding\": 1, \"activation\": \"relu\"},"
        "{\"type\": \"conv_transpose2d\", \"channels\": 1, \"kernel\": 4, \"stride\": 2, \"padding\": 1, \"activation\": \"sigmoid\"}]},"
        " \"discriminator\": {\"input\": [1, 8, 8], \"layers\": ["
        "{\"type\": \"conv2d\", \"channels\": 4, \"kernel\": 4, \"stride\": 2, \"padding\": 1, \"activation\": \"leaky_relu(0.2)\"},"
        "{\"type\": \"flatten\"}, {\"type\": \"dense\", \"width\": 1}]}}";
    vg_config config;
    vg_config_init(&config, sizeof config, VG_MODEL_GAN);
    config.input_width = 64;
    config.latent_width = 4;
    config.batch_size = 8;
    vg_model *model = NULL;
    EXPECT(VG_OK, vg_model_create_with_networks(&model, &config, spec));
    float x[32 * 64], samples[4 * 64];
    for (int i = 0; i < 32 * 64; i++) x[i] = (float)((i * 7) % 10) / 10.0f;
    EXPECT(VG_OK, vg_model_train_steps(model, x, 32, 64, 3));
    EXPECT(VG_OK, vg_model_sample(model, samples, 4 * 64, 4, 1));
    int finite = 1;
    for (int i = 0; i < 4 * 64; i++) finite &= samples[i] >= 0.0f && samples[i] <= 1.0f;
    check_true("a conv GAN from a JSON spec trains and samples values in [0, 1]", finite);
    vg_model_free(model);

    model = NULL;
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_create_with_networks(&model, &config,
        "{\"discriminator\": {\"input\": [64], \"layers\": [{\"type\": \"dense\", \"width\": 2}]}}"));
    check_true("a discriminator that does not end in [1] is refused naming both shapes",
               strstr(vg_last_error_message(), "[2]") != NULL && model == NULL);
    EXPECT(VG_ERROR_FORMAT, vg_model_create_with_networks(&model, &config,
        "{\"generator\": {\"input\": [4], \"layers\": [{\"type\": \"dense\", \"widht\": 64}]}}"));
    check_true("a misspelt key is refused by name", strstr(vg_last_error_message(), "width") != NULL);
    EXPECT(VG_ERROR_FORMAT, vg_model_create_with_networks(&model, &config, "{\"critic\": {}}"));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_create_with_networks(&model, &config, NULL));
    vg_config_init(&config, sizeof config, VG_MODEL_VAEGAN);
    EXPECT(VG_OK, vg_model_create_with_networks(&model, &config, "{}")); /* no parts named: its MLPs */
    vg_model_free(model);
}

/* ---------------------------------------------------------------- stopping and progress */

typedef struct {
    int calls;
    int64_t last_epoch, last_step, last_steps;
    double last_loss;
    int stop_after; /* vote to stop after this many calls (0: never) */
    vg_model *model_to_stop; /* or ask through vg_model_request_stop instead of voting */
} progress_log;

static int32_t log_progress(void *context, int64_t epoch, int64_t step, int64_t steps, double loss) {
    progress_log *log = context;
    log->calls++;
    log->last_epoch = epoch;
    log->last_step = step;
    log->last_steps = steps;
    log->last_loss = loss;
    if (log->stop_after && log->calls == log->stop_after) {
        if (log->model_to_stop) return vg_model_request_stop(log->model_to_stop) == VG_OK ? 0 : 1;
        return 1;
    }
    return 0;
}

static int32_t note_start(void *context, int64_t epoch, int64_t step, int64_t steps, double loss) {
    (void)epoch, (void)step, (void)steps, (void)loss;
    atomic_store((atomic_int *)context, 1);
    return 0;
}

typedef struct {
    vg_model *model;
    const float *x;
    int64_t rows;
    vg_status status;
} long_train_job;

static void *train_long(void *arg) {
    long_train_job *job = arg;
    job->status = vg_model_train(job->model, job->x, job->rows, W, 1000000);
    return NULL;
}

static void test_stopping(const float *x) {
    vg_config config = small(VG_MODEL_VAE);
    config.batch_size = 2; /* 4 steps per epoch of ROWS rows */
    vg_model *model = NULL;
    EXPECT(VG_OK, vg_model_create(&model, &config));
    progress_log log = {0};

    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_request_stop(NULL));
    int not_a_handle = 0;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_request_stop((vg_model *)&not_a_handle));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_set_progress_callback(NULL, log_progress, &log));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_set_progress_callback((vg_model *)&not_a_handle, log_progress, &log));

    EXPECT(VG_OK, vg_model_set_progress_callback(model, log_progress, &log));
    EXPECT(VG_OK, vg_model_train(model, x, ROWS, W, 2));
    check_true("the progress callback hears every step: 2 epochs of 4",
               log.calls == 8 && log.last_epoch == 2 && log.last_step == 4 && log.last_steps == 4 &&
                   isfinite(log.last_loss));
    log = (progress_log){.stop_after = 3};
    EXPECT(VG_CANCELLED, vg_model_train(model, x, ROWS, W, 5));
    check_true("a callback's non-zero answer stops before the next step", log.calls == 3);
    check_true("the message says where it stopped", strstr(vg_last_error_message(), "step 4 of epoch 3") != NULL);
    vg_metrics metrics = {.size = sizeof metrics};
    EXPECT(VG_OK, vg_model_last_metrics(model, &metrics));
    check_true("an unfinished epoch is not counted", metrics.epoch == 2);
    log = (progress_log){.stop_after = 2, .model_to_stop = model};
    EXPECT(VG_CANCELLED, vg_model_train_steps(model, x, ROWS, W, 50));
    check_true("vg_model_request_stop from inside a call stops it at the next step", log.calls == 2 && log.last_epoch == 0);
    log = (progress_log){0};
    EXPECT(VG_OK, vg_model_train(model, x, ROWS, W, 1));
    check_true("after a stop the model trains on (the request was consumed)", log.calls == 4);
    EXPECT(VG_OK, vg_model_request_stop(model));
    EXPECT(VG_CANCELLED, vg_model_train(model, x, ROWS, W, 1));
    check_true("a request made between calls stops the next before its first step", log.calls == 4);
    EXPECT(VG_OK, vg_model_sample(model, (float[W]){0}, W, 1, 1));
    EXPECT(VG_OK, vg_model_set_progress_callback(model, NULL, NULL));
    EXPECT(VG_OK, vg_model_train(model, x, ROWS, W, 1));
    check_true("a removed callback is not called", log.calls == 4);

    /* From another thread, while a (practically endless) call runs: its callback says when. */
    long_train_job job = {model, x, ROWS, VG_ERROR_INTERNAL};
    atomic_int started = 0;
    EXPECT(VG_OK, vg_model_set_progress_callback(model, note_start, &started));
    pthread_t thread;
    pthread_create(&thread, NULL, train_long, &job);
    while (atomic_load(&started) == 0) {
    }
    EXPECT(VG_ERROR_STATE, vg_model_set_progress_callback(model, log_progress, &log)); /* busy */
    EXPECT(VG_OK, vg_model_request_stop(model));
    pthread_join(thread, NULL);
    check_true("vg_model_request_stop from another thread stops a running vg_model_train", job.status == VG_CANCELLED);
    EXPECT(VG_OK, vg_model_set_progress_callback(model, NULL, NULL));
    EXPECT(VG_OK, vg_model_train(model, x, ROWS, W, 1));
    check_true("vg_status_string(VG_CANCELLED)", strcmp(vg_status_string(VG_CANCELLED), "cancelled") == 0);
    vg_model_free(model);
}

/* ---------------------------------------------------------------- evaluation */

static void test_evaluate(vg_model *vae, vg_model *gan, vg_model *vaegan, const float *x, const float *bad) {
    vg_metrics m = {.size = sizeof m};
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_evaluate(NULL, &m, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_evaluate(vae, NULL, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_evaluate(vae, &m, NULL, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_evaluate(vae, &m, x, 0, W));
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_evaluate(vae, &m, x, ROWS, W - 1));
    EXPECT(VG_ERROR_NON_FINITE, vg_model_evaluate(vae, &m, bad, ROWS, W));
    m.size = 8;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_evaluate(vae, &m, x, ROWS, W));
    m.size = sizeof m;
    EXPECT(VG_OK, vg_model_evaluate(vae, &m, x, ROWS, W));
    check_true("β-VAE evaluation: a finite negative ELBO, no training figures",
               isfinite(m.eval_nelbo) && m.eval_nelbo > 0 && isnan(m.loss) && isnan(m.d_real));
    EXPECT(VG_OK, vg_model_evaluate(gan, &m, x, ROWS, W));
    check_true("GAN evaluation: D(x) a probability", m.d_real > 0 && m.d_real < 1 && isnan(m.eval_nelbo));
    EXPECT(VG_OK, vg_model_evaluate(vaegan, &m, x, ROWS, W));
    check_true("VAE-GAN evaluation: KL and pixel error", m.eval_kl >= 0 && m.eval_reconstruction > 0 && isnan(m.d_real));
}

/* ---------------------------------------------------------------- named tensors */

static void test_tensors(vg_model *gan) {
    int64_t count = -1, rank = -1, shape[VG_MAX_TENSOR_RANK];
    const char *name = NULL;
    int not_a_handle = 0;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_tensor_count(NULL, &count));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_tensor_count((vg_model *)&not_a_handle, &count));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_tensor_count(gan, NULL));
    EXPECT(VG_OK, vg_model_tensor_count(gan, &count));
    check_true("a small GAN has 10 tensors (G: 2 layers, D: 3)", count == 10);
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_tensor_info(NULL, &name, &rank, shape, 0));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_tensor_info(gan, NULL, &rank, shape, 0));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_tensor_info(gan, &name, NULL, shape, 0));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_tensor_info(gan, &name, &rank, NULL, 0));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_tensor_info(gan, &name, &rank, shape, -1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_tensor_info(gan, &name, &rank, shape, count));
    EXPECT(VG_OK, vg_model_tensor_info(gan, &name, &rank, shape, 0));
    check_true("tensor 0 is generator.0.weight, [8, 4]",
               name && strcmp(name, "generator.0.weight") == 0 && rank == 2 && shape[0] == 8 && shape[1] == L &&
                   shape[2] == 0);

    float weight[8 * L], back[8 * L], bad[8 * L];
    for (int i = 0; i < 8 * L; i++) weight[i] = bad[i] = (float)i / 100.0f;
    bad[3] = NAN;
    const int64_t right[2] = {8, L}, wrong[2] = {L, 8};
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_get_tensor(NULL, back, 8 * L, "generator.0.weight"));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_get_tensor(gan, NULL, 8 * L, "generator.0.weight"));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_get_tensor(gan, back, 8 * L, NULL));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_get_tensor(gan, back, 8 * L, "generator.9.weight"));
    check_true("an unknown name is named", strstr(vg_last_error_message(), "generator.9.weight") != NULL);
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_get_tensor(gan, back, 8 * L - 1, "generator.0.weight"));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_set_tensor(NULL, "generator.0.weight", weight, right, 2));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_set_tensor(gan, NULL, weight, right, 2));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_set_tensor(gan, "generator.0.weight", NULL, right, 2));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_set_tensor(gan, "generator.0.weight", weight, NULL, 2));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_set_tensor(gan, "generator.0.weight", weight, right, 0));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_set_tensor(gan, "generator.0.weight", weight, right, VG_MAX_TENSOR_RANK + 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_set_tensor(gan, "nope", weight, right, 2));
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_set_tensor(gan, "generator.0.weight", weight, wrong, 2));
    check_true("a wrong shape names both", strstr(vg_last_error_message(), "[8, 4]") != NULL &&
                                             strstr(vg_last_error_message(), "[4, 8]") != NULL);
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_set_tensor(gan, "generator.0.weight", weight, right, 1));
    EXPECT(VG_ERROR_NON_FINITE, vg_model_set_tensor(gan, "generator.0.weight", bad, right, 2));
    EXPECT(VG_OK, vg_model_set_tensor(gan, "generator.0.weight", weight, right, 2));
    EXPECT(VG_OK, vg_model_get_tensor(gan, back, 8 * L, "generator.0.weight"));
    check_true("a tensor reads back as written", memcmp(weight, back, sizeof back) == 0);
}

/* ---------------------------------------------------------------- presets and weights-only files */

static void test_architecture_and_weights(const char *path, const char *missing) {
    vg_config config;
    vg_config_init(&config, sizeof config, VG_MODEL_GAN);
    config.batch_size = 4;
    vg_model *model = (vg_model *)&config;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_create_with_architecture(NULL, &config, "conv"));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_create_with_architecture(&model, NULL, "conv"));
    check_true("a failed create_with_architecture leaves *out NULL", model == NULL);
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_create_with_architecture(&model, &config, NULL));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_create_with_architecture(&model, &config, "resnet"));
    check_true("an unknown preset is refused naming the known ones", strstr(vg_last_error_message(), "conv") != NULL);
    config.input_width = 16;
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_create_with_architecture(&model, &config, "conv"));
    config.input_width = 784;
    config.learning_rate = -1;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_create_with_architecture(&model, &config, "conv"));
    config.learning_rate = 2e-4f;
    EXPECT(VG_OK, vg_model_create_with_architecture(&model, &config, "conv"));
    int64_t rank, shape[VG_MAX_TENSOR_RANK], count = 0;
    const char *name = NULL;
    EXPECT(VG_OK, vg_model_tensor_count(model, &count));
    int found = 0;
    for (int64_t i = 0; i < count; i++) {
        vg_model_tensor_info(model, &name, &rank, shape, i);
        if (strcmp(name, "generator.4.weight") == 0)
            found = rank == 4 && shape[0] == 128 && shape[1] == 64 && shape[2] == 4 && shape[3] == 4;
    }
    check_true("the conv GAN has the DCGAN's ConvTranspose2d(128, 64, 4) weight", found);

    /* vg_model_save_weights, and vg_model_load of what it writes */
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_save_weights(NULL, path));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_save_weights(model, NULL));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_save_weights(model, ""));
    EXPECT(VG_ERROR_IO, vg_model_save_weights(model, missing));
    EXPECT(VG_OK, vg_model_save_weights(model, path));
    static float before[4 * 784], after[4 * 784];
    EXPECT(VG_OK, vg_model_sample(model, before, 4 * 784, 4, 9));
    vg_model *loaded = NULL;
    EXPECT(VG_OK, vg_model_load(&loaded, path));
    EXPECT(VG_OK, vg_model_sample(loaded, after, 4 * 784, 4, 9));
    check_true("a weights-only file samples as the model it came from", memcmp(before, after, sizeof after) == 0);
    static float x[8 * 784];
    for (int i = 0; i < 8 * 784; i++) x[i] = (float)(i % 11) / 10.0f;
    EXPECT(VG_OK, vg_model_train_steps(loaded, x, 8, 784, 1)); /* fresh optimizer state trains */
    vg_metrics metrics = {.size = sizeof metrics};
    EXPECT(VG_OK, vg_model_last_metrics(loaded, &metrics));
    check_true("training from weights only starts at step 0", metrics.steps == 1 && metrics.epoch == 0);
    vg_model_free(loaded);
    vg_model_free(model);
    unlink(path);
}

static void write_file(const char *path, const void *bytes, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(bytes, 1, n, f);
    fclose(f);
}

/* ---------------------------------------------------------------- threads */

static void *other_thread_error(void *arg) {
    (void)arg;
    vg_model_create(NULL, NULL); /* sets this thread's message only */
    const char *message = vg_last_error_message();
    char *copy = malloc(strlen(message) + 1);
    if (copy) strcpy(copy, message);
    return copy;
}

typedef struct {
    vg_model *model;
    const float *x;
    vg_status status;
} train_job;

static void *train_in_thread(void *arg) {
    train_job *job = arg;
    job->status = vg_model_train(job->model, job->x, ROWS, W, 3);
    return NULL;
}

int main(void) {
    if (documented_load("include/vaegan.h") != 0) {
        printf("cannot read the status codes of include/vaegan.h (run from the repository root)\n");
        return 1;
    }
    float x[ROWS * W], z[ROWS * L], out[ROWS * W], mu[ROWS * L], logvar[ROWS * L];
    for (int i = 0; i < ROWS * W; i++) x[i] = (float)(i % 7) / 7.0f;
    for (int i = 0; i < ROWS * L; i++) z[i] = (float)(i % 5) / 5.0f - 0.5f;
    char path[128], missing[] = "/nonexistent-folder/model.safetensors";
    snprintf(path, sizeof path, "/tmp/vaegan-boundary-%ld.safetensors", (long)getpid());

    vg_config vae_config = small(VG_MODEL_VAE), gan_config = small(VG_MODEL_GAN);
    vg_model *vae = NULL, *gan = NULL, *vaegan = NULL;
    vg_config vaegan_config = small(VG_MODEL_VAEGAN);
    EXPECT(VG_OK, vg_model_create(&vae, &vae_config));
    EXPECT(VG_OK, vg_model_create(&gan, &gan_config));
    EXPECT(VG_OK, vg_model_create(&vaegan, &vaegan_config));
    if (!vae || !gan || !vaegan) {
        printf("cannot create the models: %s\n%d passed, %d failed\n", vg_last_error_message(),
               passed, failed + 1);
        return 1;
    }

    /* ---- status, errors, version, threads */
    check_true("vg_status_string(unknown) is not NULL", vg_status_string((vg_status)12345) != NULL);
    check_true("vg_status_string(VG_ERROR_IO)", strcmp(vg_status_string(VG_ERROR_IO), "I/O error") == 0);
    check_true("vg_version is not NULL", vg_version() != NULL && vg_version()[0] != '\0');
    check_true("vg_error_set returns its status", vg_error_set(VG_ERROR_FORMAT, "x") == VG_ERROR_FORMAT);
    check_true("vg_error_set records its message", strcmp(vg_last_error_message(), "x") == 0);
    vg_error_set(VG_ERROR_IO, NULL);
    check_true("vg_error_set(NULL message) gives \"\"", vg_last_error_message()[0] == '\0');
    vg_error_clear();
    check_true("vg_error_clear empties the message", vg_last_error_message()[0] == '\0');
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_set_thread_count(5000));
    check_true("vg_thread_count is positive", vg_thread_count() > 0);

    /* ---- vg_config_init */
    vg_config c;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_config_init(NULL, sizeof c, VG_MODEL_VAE));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_config_init(&c, sizeof c, 7));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_config_init(&c, sizeof c, -1));
    EXPECT(VG_OK, vg_config_init(&c, sizeof c, VG_MODEL_VAE));
    check_true("β-VAE defaults", c.size == (int64_t)sizeof c && c.input_width == 784 &&
                                     c.latent_width == 32 && c.encoder_layers == 2 &&
                                     c.encoder_widths[0] == 512 && c.encoder_widths[1] == 256 &&
                                     c.decoder_layers == 2 && c.decoder_widths[0] == 256 &&
                                     c.decoder_widths[1] == 512 && c.beta == 1.0f &&
                                     c.likelihood == VG_LIKELIHOOD_BERNOULLI &&
                                     fabsf(c.learning_rate - 1e-3f) < 1e-9f && c.batch_size == 128);
    EXPECT(VG_OK, vg_config_init(&c, sizeof c, VG_MODEL_GAN));
    check_true("GAN defaults", c.latent_width == 64 && c.decoder_layers == 2 && c.decoder_widths[0] == 256 &&
                                   c.decoder_widths[1] == 512 && c.discriminator_layers == 2 &&
                                   c.discriminator_widths[0] == 512 && c.discriminator_widths[1] == 256 &&
                                   c.objective == VG_OBJECTIVE_NONSATURATING &&
                                   c.generator_output == VG_OUTPUT_SIGMOID &&
                                   fabsf(c.learning_rate - 2e-4f) < 1e-9f && c.discriminator_steps == 1);
    EXPECT(VG_OK, vg_config_init(&c, sizeof c, VG_MODEL_VAEGAN));
    check_true("VAE-GAN defaults", c.latent_width == 32 && c.gamma == 1.0f &&
                                       c.feature_layer == 1 && c.gating == 1 && c.pixel_weight == 0.5f &&
                                       fabsf(c.learning_rate - 3e-4f) < 1e-9f);
    test_older_layouts(x);
    test_invalid_sizes();

    /* ---- vg_model_create */
    vg_model *m = (vg_model *)&c;
    c = small(VG_MODEL_VAE);
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_create(NULL, &c));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_create(&m, NULL));
    check_true("vg_model_create(&m, NULL) leaves m NULL", m == NULL);
    EXPECT_CONFIG(VG_MODEL_VAE, size = 8, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, size = 0, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, size = sizeof(vg_config) + 8, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, size = 344 + 4, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, kind = 9, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, input_width = 0, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, input_width = -3, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, latent_width = 0, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, encoder_layers = 0, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, encoder_layers = VG_MAX_HIDDEN_LAYERS + 1, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, encoder_widths[0] = 0, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, decoder_layers = -1, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, decoder_widths[0] = -5, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, beta = -1, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, beta = NAN, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, warmup_epochs = -1, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, learning_rate = 0, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, learning_rate = NAN, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, learning_rate = INFINITY, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, batch_size = 0, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, batch_size = -128, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAE, likelihood = 5, VG_ERROR_INVALID_ARGUMENT);
    {
        vg_config g = small(VG_MODEL_VAE);
        g.likelihood = VG_LIKELIHOOD_GAUSSIAN;
        g.sigma = 0;
        m = NULL;
        EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_create(&m, &g));
        g.sigma = 1;
        g.learn_sigma = 2;
        EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_create(&m, &g));
    }
    EXPECT_CONFIG(VG_MODEL_VAE, input_width = (int64_t)1 << 40, VG_ERROR_INVALID_ARGUMENT);
    {
        /* Widths within limits whose weights would not fit in memory. */
        vg_config g = small(VG_MODEL_VAE);
        g.input_width = 1 << 24;
        g.encoder_widths[0] = 1 << 24;
        m = NULL;
        EXPECT(VG_ERROR_OUT_OF_MEMORY, vg_model_create(&m, &g));
    }
    EXPECT_CONFIG(VG_MODEL_GAN, discriminator_layers = 0, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_GAN, real_label = 0.3f, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_GAN, discriminator_steps = 0, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_GAN, objective = 4, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_GAN, generator_output = 4, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_GAN, leaky_slope = -0.2f, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAEGAN, gamma = -1, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAEGAN, feature_layer = 2, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAEGAN, feature_layer = -1, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAEGAN, gating = 2, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAEGAN, pixel_weight = -0.5f, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAEGAN, pixel_weight = NAN, VG_ERROR_INVALID_ARGUMENT);
    EXPECT_CONFIG(VG_MODEL_VAEGAN, encoder_layers = 0, VG_ERROR_INVALID_ARGUMENT);

    /* ---- vg_model_free */
    int not_a_handle = 0;
    EXPECT(VG_OK, vg_model_free(NULL));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_free((vg_model *)&not_a_handle));
    {
        vg_model *doomed = NULL;
        vg_model_create(&doomed, &vae_config);
        EXPECT(VG_OK, vg_model_free(doomed));
        EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_free(doomed)); /* twice */
        int32_t kind;
        EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_kind_of(doomed, &kind)); /* after free */
    }

    /* ---- kind and widths */
    int32_t kind = VG_MODEL_GAN;
    int64_t width = 0;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_kind_of(NULL, &kind));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_kind_of(vae, NULL));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_kind_of((vg_model *)&not_a_handle, &kind));
    EXPECT(VG_OK, vg_model_kind_of(vae, &kind));
    check_true("vg_model_kind_of(vae) is VG_MODEL_VAE", kind == VG_MODEL_VAE);
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_input_width(NULL, &width));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_input_width(vae, NULL));
    EXPECT(VG_OK, vg_model_input_width(gan, &width));
    check_true("vg_model_input_width(gan) == 16", width == W);
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_latent_width(NULL, &width));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_latent_width(vae, NULL));
    EXPECT(VG_OK, vg_model_latent_width(vaegan, &width));
    check_true("vg_model_latent_width(vaegan) == 4", width == L);
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_batch_size(NULL, &width));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_batch_size(vae, NULL));
    EXPECT(VG_OK, vg_model_batch_size(gan, &width));
    check_true("vg_model_batch_size(gan) == 4", width == 4);

    /* ---- vg_model_last_metrics before training */
    vg_metrics metrics = {.size = sizeof metrics};
    EXPECT(VG_ERROR_STATE, vg_model_last_metrics(vae, &metrics));

    /* ---- vg_model_train and vg_model_train_steps */
    float bad[ROWS * W];
    memcpy(bad, x, sizeof bad);
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(NULL, x, ROWS, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train((vg_model *)&not_a_handle, x, ROWS, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(vae, NULL, ROWS, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(vae, x, 0, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(vae, x, -1, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(vae, x, (int64_t)1 << 40, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(vae, x, ROWS, 0, 1));
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_train(vae, x, ROWS, W - 1, 1));
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_train(gan, x, ROWS / 2, W * 2, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(vae, x, ROWS, W, 0));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(vae, x, ROWS, W, -2));
    bad[5] = NAN;
    EXPECT(VG_ERROR_NON_FINITE, vg_model_train(vae, bad, ROWS, W, 1));
    bad[5] = INFINITY;
    EXPECT(VG_ERROR_NON_FINITE, vg_model_train(gan, bad, ROWS, W, 1));
    bad[5] = 1.5f; /* outside [0, 1] */
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(vae, bad, ROWS, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(gan, bad, ROWS, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(vaegan, bad, ROWS, W, 1));
    bad[5] = -0.5f;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train(vae, bad, ROWS, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train_steps(NULL, x, ROWS, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train_steps(vae, NULL, ROWS, W, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train_steps(vae, x, 0, W, 1));
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_train_steps(vae, x, ROWS, W + 1, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_train_steps(vae, x, ROWS, W, 0));
    bad[5] = NAN;
    EXPECT(VG_ERROR_NON_FINITE, vg_model_train_steps(vaegan, bad, ROWS, W, 1));
    EXPECT(VG_OK, vg_model_train(vae, x, ROWS, W, 1));
    EXPECT(VG_OK, vg_model_train_steps(gan, x, ROWS, W, 5));
    EXPECT(VG_OK, vg_model_train(vaegan, x, ROWS, W, 1));

    /* ---- vg_model_last_metrics */
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_last_metrics(NULL, &metrics));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_last_metrics(vae, NULL));
    metrics.size = 8;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_last_metrics(vae, &metrics));
    metrics.size = sizeof metrics;
    EXPECT(VG_OK, vg_model_last_metrics(vae, &metrics));
    check_true("β-VAE metrics: epoch 1, 2 steps, finite loss, no GAN figures",
               metrics.epoch == 1 && metrics.steps == 2 && isfinite(metrics.loss) &&
                   isfinite(metrics.eval_nelbo) && isnan(metrics.d_loss));
    EXPECT(VG_OK, vg_model_last_metrics(gan, &metrics));
    check_true("GAN metrics: 5 steps, epoch 0, finite D loss, no VAE figures",
               metrics.steps == 5 && metrics.epoch == 0 && isfinite(metrics.d_loss) &&
                   isnan(metrics.kl) && isnan(metrics.eval_nelbo));

    /* ---- vg_model_encode */
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_encode(NULL, mu, logvar, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_encode(vae, NULL, logvar, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_encode(vae, mu, NULL, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_encode(vae, mu, logvar, NULL, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_encode(vae, mu, logvar, x, 0, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_encode(vae, mu, logvar, x, ROWS, -W));
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_encode(vae, mu, logvar, x, ROWS, W - 1));
    EXPECT(VG_ERROR_NON_FINITE, vg_model_encode(vae, mu, logvar, bad, ROWS, W));
    EXPECT(VG_ERROR_WRONG_MODEL, vg_model_encode(gan, mu, logvar, x, ROWS, W));
    EXPECT(VG_OK, vg_model_encode(vaegan, mu, logvar, x, ROWS, W));

    /* ---- vg_model_decode */
    float bad_z[ROWS * L];
    memcpy(bad_z, z, sizeof bad_z);
    bad_z[3] = -INFINITY;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_decode(NULL, out, z, ROWS, L));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_decode(vae, NULL, z, ROWS, L));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_decode(vae, out, NULL, ROWS, L));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_decode(vae, out, z, 0, L));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_decode(vae, out, z, ROWS, 0));
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_decode(vae, out, z, ROWS / 2, L * 2));
    EXPECT(VG_ERROR_NON_FINITE, vg_model_decode(gan, out, bad_z, ROWS, L));
    EXPECT(VG_OK, vg_model_decode(gan, out, z, ROWS, L));

    /* ---- vg_model_reconstruct */
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_reconstruct(NULL, out, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_reconstruct(vae, NULL, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_reconstruct(vae, out, NULL, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_reconstruct(vae, out, x, -1, W));
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_reconstruct(vae, out, x, ROWS, W + 3));
    EXPECT(VG_ERROR_NON_FINITE, vg_model_reconstruct(vaegan, out, bad, ROWS, W));
    EXPECT(VG_ERROR_WRONG_MODEL, vg_model_reconstruct(gan, out, x, ROWS, W));
    EXPECT(VG_OK, vg_model_reconstruct(vae, out, x, ROWS, W));

    /* ---- vg_model_sample */
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_sample(NULL, out, ROWS * W, ROWS, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_sample(vae, NULL, ROWS * W, ROWS, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_sample(vae, out, ROWS * W, 0, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_sample(vae, out, ROWS * W, -4, 1));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_sample(vae, out, -1, ROWS, 1));
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_sample(vae, out, ROWS * W - 1, ROWS, 1));
    EXPECT(VG_ERROR_SHAPE_MISMATCH, vg_model_sample(gan, out, ROWS * W, INT64_MAX / 2, 1));
    EXPECT(VG_OK, vg_model_sample(gan, out, ROWS * W, ROWS, 1));

    /* ---- vg_model_save */
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_save(NULL, path));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_save(vae, NULL));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_save(vae, ""));
    EXPECT(VG_ERROR_IO, vg_model_save(vae, missing));
    EXPECT(VG_ERROR_IO, vg_model_save(vae, "/tmp")); /* a folder */

    /* ---- vg_model_load */
    vg_model *loaded = (vg_model *)&not_a_handle;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_load(NULL, path));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_load(&loaded, NULL));
    check_true("vg_model_load failure leaves *out NULL", loaded == NULL);
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_load(&loaded, ""));
    EXPECT(VG_ERROR_IO, vg_model_load(&loaded, missing));

    /* ---- vg_model_load_averaged: a handle's checkpoint keeps no average (the C ABI does
     * not train one), so a valid file is refused too */
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_load_averaged(NULL, path));
    loaded = (vg_model *)&not_a_handle;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_load_averaged(&loaded, NULL));
    check_true("vg_model_load_averaged failure leaves *out NULL", loaded == NULL);
    EXPECT(VG_ERROR_IO, vg_model_load_averaged(&loaded, missing));
    EXPECT(VG_OK, vg_model_save(vaegan, path));
    loaded = (vg_model *)&not_a_handle;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_model_load_averaged(&loaded, path));
    check_true("vg_model_load_averaged names the missing average",
               strstr(vg_last_error_message(), "keeps no averaged weights") != NULL);
    check_true("vg_model_load_averaged refusal leaves *out NULL", loaded == NULL);

    write_file(path, "not a checkpoint", 16);
    EXPECT(VG_ERROR_FORMAT, vg_model_load(&loaded, path));
    EXPECT(VG_ERROR_FORMAT, vg_model_load_averaged(&loaded, path));
    {
        /* A valid safetensors file of an unknown model kind. */
        const char header[] = "{\"__metadata__\":{\"model\":\"mlp\"}}";
        unsigned char bytes[8 + sizeof header];
        uint64_t n = sizeof header - 1;
        for (int i = 0; i < 8; i++) bytes[i] = (unsigned char)(n >> (8 * i));
        memcpy(bytes + 8, header, n);
        write_file(path, bytes, 8 + n);
        EXPECT(VG_ERROR_WRONG_MODEL, vg_model_load(&loaded, path));
    }
    {
        /* A real checkpoint, truncated. */
        EXPECT(VG_OK, vg_model_save(vaegan, path));
        FILE *f = fopen(path, "rb");
        static unsigned char buffer[1 << 20];
        size_t n = f ? fread(buffer, 1, sizeof buffer, f) : 0;
        if (f) fclose(f);
        write_file(path, buffer, n / 2);
        EXPECT(VG_ERROR_FORMAT, vg_model_load(&loaded, path));
        check_true("vg_model_load failure leaves *out NULL", loaded == NULL);
    }
    EXPECT(VG_OK, vg_model_save(gan, path));
    EXPECT(VG_OK, vg_model_load(&loaded, path));
    EXPECT(VG_OK, vg_model_kind_of(loaded, &kind));
    check_true("a loaded GAN is a GAN", kind == VG_MODEL_GAN);
    EXPECT(VG_ERROR_STATE, vg_model_last_metrics(loaded, &metrics));
    EXPECT(VG_ERROR_WRONG_MODEL, vg_model_encode(loaded, mu, logvar, x, ROWS, W));
    EXPECT(VG_OK, vg_model_free(loaded));
    unlink(path);

    /* ---- vg_frechet_distance_of_features (no handle) */
    float shifted[ROWS * W];
    for (int i = 0; i < ROWS * W; i++) shifted[i] = x[i] + 0.5f;
    memcpy(bad, x, sizeof bad);
    double distance = -1;
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_frechet_distance_of_features(NULL, x, ROWS, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_frechet_distance_of_features(&distance, NULL, ROWS, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_frechet_distance_of_features(&distance, x, ROWS, NULL, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_frechet_distance_of_features(&distance, x, 1, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_frechet_distance_of_features(&distance, x, ROWS, x, 0, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_frechet_distance_of_features(&distance, x, -1, x, ROWS, W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_frechet_distance_of_features(&distance, x, ROWS, x, ROWS, 0));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_frechet_distance_of_features(&distance, x, ROWS, x, ROWS, -W));
    EXPECT(VG_ERROR_INVALID_ARGUMENT, vg_frechet_distance_of_features(&distance, x, INT64_MAX / 2, x, ROWS, W));
    bad[37] = NAN;
    EXPECT(VG_ERROR_NON_FINITE, vg_frechet_distance_of_features(&distance, bad, ROWS, x, ROWS, W));
    bad[37] = -INFINITY;
    EXPECT(VG_ERROR_NON_FINITE, vg_frechet_distance_of_features(&distance, x, ROWS, bad, ROWS, W));
    /* Width² workspaces beyond any machine; refused before the rows are read. */
    EXPECT(VG_ERROR_OUT_OF_MEMORY, vg_frechet_distance_of_features(&distance, x, 2, x, 2, (int64_t)1 << 22));
    check_true("vg_frechet_distance_of_features failures leave *distance alone", distance == -1);
    EXPECT(VG_OK, vg_frechet_distance_of_features(&distance, x, ROWS, x, ROWS, W));
    check_true("a set's Fréchet distance to itself is 0", distance >= 0 && distance < 1e-9);
    EXPECT(VG_OK, vg_frechet_distance_of_features(&distance, x, ROWS, shifted, ROWS, W));
    check_true("a set shifted by 0.5 is W × 0.25 away (equal covariances)", fabs(distance - W * 0.25) < 1e-4);

    test_networks_json();
    test_stopping(x);
    memcpy(bad, x, sizeof bad);
    bad[2] = NAN;
    test_evaluate(vae, gan, vaegan, x, bad);
    test_tensors(gan);
    test_architecture_and_weights(path, missing);

    /* ---- errors are thread-local */
    vg_error_set(VG_ERROR_IO, "main thread's error");
    pthread_t thread;
    char *theirs = NULL;
    pthread_create(&thread, NULL, other_thread_error, NULL);
    pthread_join(thread, (void **)&theirs);
    check_true("another thread's error does not replace this thread's",
               strcmp(vg_last_error_message(), "main thread's error") == 0);
    check_true("the other thread saw its own error", theirs && strstr(theirs, "vg_model_create") != NULL);
    free(theirs);

    /* ---- distinct handles train on two threads at once */
    vg_model *second = NULL;
    EXPECT(VG_OK, vg_model_create(&second, &vae_config));
    train_job jobs[2] = {{vae, x, VG_ERROR_INTERNAL}, {second, x, VG_ERROR_INTERNAL}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, train_in_thread, &jobs[i]);
    for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
    check_true("two handles trained concurrently", jobs[0].status == VG_OK && jobs[1].status == VG_OK);

    EXPECT(VG_OK, vg_model_free(second));
    EXPECT(VG_OK, vg_model_free(vaegan));
    EXPECT(VG_OK, vg_model_free(gan));
    EXPECT(VG_OK, vg_model_free(vae));
    /* Every fallible function was driven into at least one error and checked against its list. */
    for (int i = 0; i < documented_count; i++)
        check_true(documented[i].name, documented[i].failed > 0 || strcmp(documented[i].name, "vg_error_set") == 0);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
