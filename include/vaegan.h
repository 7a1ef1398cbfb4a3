/*
 * vaegan.h — the public C interface of VAEGAN.
 *
 * Conventions
 *   - Every fallible function returns a vg_status: VG_OK (0) on success, a negative code
 *     otherwise. Results come back through out-parameters, which come first (after the
 *     handle a call works on).
 *   - vg_last_error_message() describes the most recent failure on the calling thread. It is
 *     never NULL, is meaningful only right after a call returned an error, and the string is
 *     owned by the library: the next failing call on the same thread replaces it.
 *   - Library code never exits or aborts on bad input.
 *
 * Threads
 *   - Distinct handles may be used from different threads at the same time.
 *   - One handle must not be used by two calls at once, const functions included: they use
 *     the handle's workspaces. (A call that finds its handle busy fails with VG_ERROR_STATE
 *     rather than corrupting it, but do not rely on that as a lock.) The one exception is
 *     vg_model_request_stop, made to be called while a training call runs.
 *   - Error state is thread-local.
 *   - The thread count (vg_set_thread_count) is process-wide: it sizes VAEGAN's own thread
 *     pool, which runs the GEMMs and large element-wise passes of every handle. Calls from
 *     several threads share it: while one call's job runs on the pool, another thread's call
 *     runs its work on its own thread, so calls never wait on each other. Results are bitwise
 *     the same for every thread count.
 *
 * New status codes are appended at the end only: their values are part of the ABI.
 */
#ifndef VAEGAN_H
#define VAEGAN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define VG_API __declspec(dllexport)
#else
#define VG_API __attribute__((visibility("default")))
#endif

#define VG_VERSION_MAJOR 0
#define VG_VERSION_MINOR 1
#define VG_VERSION_PATCH 0

typedef enum vg_status {
    VG_OK = 0,
    VG_ERROR_INVALID_ARGUMENT = -1, /* a NULL pointer, a size <= 0, a bad hyperparameter */
    VG_ERROR_SHAPE_MISMATCH = -2,   /* sizes that do not fit each other or the model */
    VG_ERROR_NON_FINITE = -3,       /* NaN or infinity in an input or a loss */
    VG_ERROR_OUT_OF_MEMORY = -4,
    VG_ERROR_IO = -5,               /* a file could not be opened, read or written */
    VG_ERROR_FORMAT = -6,           /* a file's contents are not what they claim */
    VG_ERROR_WRONG_MODEL = -7,      /* a handle of another model kind */
    VG_ERROR_STATE = -8,            /* a call out of order */
    VG_ERROR_INTERNAL = -9,         /* a bug in VAEGAN: please report it */
    VG_CANCELLED = -10,             /* a training call stopped on request (vg_model_request_stop,
                                       a progress callback); not a failure of the model */
} vg_status;

/* Fixed text for a status code; never NULL. */
VG_API const char *vg_status_string(vg_status status);

/* Text of the last failure on the calling thread; never NULL ("" if none). */
VG_API const char *vg_last_error_message(void);

/* Records `message` as the calling thread's last error and returns `status`. For language
 * bindings that report their own failures through the same channel. */
VG_API vg_status vg_error_set(vg_status status, const char *message);

/* Clears the calling thread's last error. */
VG_API void vg_error_clear(void);

/* The library version as "MAJOR.MINOR.PATCH". */
VG_API const char *vg_version(void);

/* Sets the number of threads for the whole process: VAEGAN's pool (the calling thread and
 * count − 1 workers, which spin briefly after each job, then sleep) and OpenBLAS's, which only
 * evaluation's covariances and eigensolvers use. count <= 0 means one per CPU the process may
 * run on. Before the first call the count is VAEGAN_NUM_THREADS if set, else one per CPU. Waits
 * for work running on the old pool to finish. Errors: VG_ERROR_INVALID_ARGUMENT (more than
 * 1024), VG_ERROR_OUT_OF_MEMORY (threads or their buffers could not be had; the old count
 * stays). */
VG_API vg_status vg_set_thread_count(int count);

/* The thread count in force. */
VG_API int vg_thread_count(void);

/* ==================================================================== models
 *
 * A vg_model is one β-VAE, GAN or VAE-GAN together with its optimizers, its training
 * schedule and the generator that shuffles the training rows: the whole training state, so
 * vg_model_save / vg_model_load continue a run exactly where it stopped.
 *
 *     vg_config config;
 *     vg_config_init(&config, sizeof config, VG_MODEL_VAE);   reference defaults for a β-VAE
 *     config.latent_width = 8;                          ...then change what you need
 *     vg_model *model = NULL;
 *     if (vg_model_create(&model, &config) != VG_OK)
 *         fprintf(stderr, "%s\n", vg_last_error_message());
 *     vg_model_train(model, x, rows, 784, 5);           5 epochs over x (rows × 784)
 *     vg_metrics metrics = {.size = sizeof metrics};
 *     vg_model_last_metrics(model, &metrics);
 *     vg_model_sample(model, out, capacity, 16, 42);    16 rows of 784 values
 *     vg_model_free(model);
 *
 * Data. Every matrix is float32, row-major: `rows` rows (examples) of `features` (or
 * `latent`) values each, rows * features floats in all. The library copies what it needs
 * during the call and keeps no pointer to caller memory after it returns. Output buffers are
 * the caller's; the library writes exactly the floats stated and nothing else. Inputs are
 * checked for NaN and infinity (VG_ERROR_NON_FINITE); training data must also lie in the
 * model's range (VG_ERROR_INVALID_ARGUMENT otherwise):
 *   - β-VAE, Bernoulli likelihood: [0, 1] (pixel intensities; decoder outputs are
 *     probabilities in [0, 1]);
 *   - β-VAE, Gaussian likelihood: any finite value (decoder outputs are means);
 *   - GAN: the generator output's range: [0, 1] for sigmoid, [-1, 1] for tanh, any for identity;
 *   - VAE-GAN: [0, 1] (its decoder ends in a sigmoid).
 *
 * Units. Losses are nats per example (means over the examples of a batch, then over the
 * batches of an epoch). An epoch is one pass over the rows given to vg_model_train, in
 * batches of `batch_size` (the last one may be smaller); a step is one batch.
 *
 * Errors. Every function checks its arguments: NULL pointers and sizes <= 0 give
 * VG_ERROR_INVALID_ARGUMENT, and so does a pointer that is not a live vg_model (freed, or
 * never created). That check is a safety net, not a guarantee: a later vg_model may reuse a
 * freed handle's address. A call on a handle that another thread is inside fails with
 * VG_ERROR_STATE (see "Threads"), and so does, in any function, a bug the library catches
 * instead of crashing (a LAPACK argument error, say: the message says it is one; please report
 * it). Beyond these rules, each function returns only the codes its comment lists ("Errors:
 * ..."; "Errors as vg_x" adds vg_x's list); the boundary test (examples/c/boundary_test.c)
 * reads those lists from this header and checks every status it sees against them.
 * VG_ERROR_INTERNAL is not returned by any function (only vg_error_set passes it on). On
 * failure nothing is
 * written to output buffers except as stated, and vg_last_error_message() says what was
 * wrong; successful calls leave the message as it was.
 */

/* An opaque handle: a model and its training state. Create with vg_model_create or
 * vg_model_load; release with vg_model_free. */
typedef struct vg_model vg_model;

typedef enum vg_model_kind {
    VG_MODEL_VAE = 0,    /* β-VAE (Kingma & Welling 2014; Higgins et al. 2017) */
    VG_MODEL_GAN = 1,    /* GAN (Goodfellow et al. 2014), MLP generator and discriminator */
    VG_MODEL_VAEGAN = 2, /* VAE-GAN (Larsen et al. 2016) */
} vg_model_kind;

/* p(x | z) of the β-VAE's decoder. */
typedef enum vg_likelihood {
    VG_LIKELIHOOD_BERNOULLI = 0, /* binary cross-entropy on logits; data in [0, 1] */
    VG_LIKELIHOOD_GAUSSIAN = 1,  /* Gaussian with standard deviation `sigma` */
} vg_likelihood;

/* What the generator (or the VAE-GAN's decoder) optimizes against the discriminator. */
typedef enum vg_objective {
    VG_OBJECTIVE_MINIMAX = 0,       /* minimize E[log(1 - D(G(z)))] */
    VG_OBJECTIVE_NONSATURATING = 1, /* maximize E[log D(G(z))] */
} vg_objective;

/* The GAN generator's last activation, which fixes the data's range. */
typedef enum vg_output {
    VG_OUTPUT_SIGMOID = 0,  /* [0, 1] */
    VG_OUTPUT_TANH = 1,     /* [-1, 1] */
    VG_OUTPUT_IDENTITY = 2, /* unbounded */
} vg_output;

/* Most hidden layers one network of a model can have. */
#define VG_MAX_HIDDEN_LAYERS 8

/* Everything vg_model_create needs. Fill it with vg_config_init, then change fields; fields
 * that do not apply to `kind` are ignored. The struct may grow at the end in later versions;
 * `size` tells the library which version the caller was compiled against, so a library reads
 * and writes only the caller's bytes. Accepted sizes, one per version of this struct (x86-64
 * and other LP64 targets):
 *   344  vaegan.h 0.1 before pixel_weight (ends with `gating` and 4 bytes of padding);
 *   352  this header: sizeof(vg_config).
 * Enumerated fields are int32_t holding the enum's constants, so the layout does not depend
 * on the compiler's enum size (e.g. -fshort-enums). */
typedef struct vg_config {
    int64_t size;          /* the caller's sizeof(vg_config); set by vg_config_init */
    int32_t kind;          /* a vg_model_kind; set by vg_config_init */
    int64_t input_width;   /* features per row: 784 for 28×28 images */
    int64_t latent_width;  /* z's size: 32 (β-VAE, VAE-GAN), 64 (GAN) */
    /* Hidden layer widths, each in 1 ... 16777216; the first `*_layers` entries are used.
     * encoder: β-VAE, VAE-GAN; input side first; 1 to VG_MAX_HIDDEN_LAYERS layers (512, 256).
     * decoder: β-VAE, VAE-GAN decoder and GAN generator; latent side first; 0 to
     *   VG_MAX_HIDDEN_LAYERS layers (256, 512).
     * discriminator: GAN, VAE-GAN; input side first; 1 to VG_MAX_HIDDEN_LAYERS (512, 256). */
    int64_t encoder_widths[VG_MAX_HIDDEN_LAYERS];
    int64_t encoder_layers;
    int64_t decoder_widths[VG_MAX_HIDDEN_LAYERS];
    int64_t decoder_layers;
    int64_t discriminator_widths[VG_MAX_HIDDEN_LAYERS];
    int64_t discriminator_layers;
    /* β-VAE */
    int32_t likelihood;       /* a vg_likelihood: VG_LIKELIHOOD_BERNOULLI */
    float sigma;              /* Gaussian σ > 0 (0.1, for pixels in [0, 1]), the starting value when learned */
    int32_t learn_sigma;      /* Gaussian: 1 to learn one σ for all features, 0 to fix it (0) */
    float beta;               /* weight of the KL term, >= 0 (1) */
    int64_t warmup_epochs;    /* epochs over which β rises linearly from 0, >= 0 (0) */
    /* all models */
    float learning_rate;      /* Adam's step size, > 0: 1e-3 β-VAE, 2e-4 GAN, 3e-4 VAE-GAN */
    int64_t batch_size;       /* rows per optimizer step, 1 ... 1048576 (128) */
    uint64_t seed;            /* initial weights and training noise; seed + 1 shuffles the rows,
                                 as `vaegan train --seed` does (0) */
    /* GAN (and VAE-GAN where noted). The GAN's Adam uses β1 0.5, β2 0.999; the others 0.9, 0.999. */
    int32_t objective;        /* a vg_objective. GAN: non-saturating; VAE-GAN: minimax (the paper's) */
    int32_t generator_output; /* a vg_output. GAN: VG_OUTPUT_SIGMOID */
    float leaky_slope;        /* GAN, VAE-GAN: LeakyReLU slope of D (and G), >= 0 (0.2) */
    float real_label;         /* GAN: D's target for real rows, in (0.5, 1] (1) */
    int64_t discriminator_steps; /* GAN: D steps per G step, k >= 1 (1) */
    /* VAE-GAN */
    float gamma;              /* weight of L_llike against L_GAN for the decoder, >= 0 (1) */
    int64_t feature_layer;    /* D's hidden layer used as the feature space, 0-based (1) */
    int32_t gating;           /* 1: the equilibrium gate skips D's or the decoder's update (1) */
    /* λ of the pixel term λ·½‖x − x̃‖² for encoder and decoder, >= 0 (0.5). A double, so that
     * sizeof(vg_config) grows with it and `size` tells callers built before it apart.
     * (since the 352-byte layout) */
    double pixel_weight;
} vg_config;

/* Fills the caller's `size` bytes at `config` with the reference configuration of `kind`
 * (β-VAE: 784-512-256, latent 32, decoder 256-512-784, Bernoulli, β 1, Adam lr 1e-3, batch
 * 128; GAN: latent 64, G 256-512 sigmoid, D 512-256, non-saturating, lr 2e-4, β1 0.5, k 1;
 * VAE-GAN: latent 32, γ 1, feature layer 1, gating on, pixel weight 0.5, lr 3e-4, β1 0.5) and
 * sets config->size = size. Pass sizeof(vg_config) (sizeof *config): every field of the
 * caller's version is written, and no byte at or past config + size.
 * Errors: VG_ERROR_INVALID_ARGUMENT for NULL, a size that is not one of the accepted sizes
 * listed above vg_config (nothing is written then), or an unknown kind. */
VG_API vg_status vg_config_init(vg_config *config, int64_t size, int32_t kind);

/* Creates a model with fresh weights drawn from `config->seed`. `config` is read during the
 * call only, and only its first config->size bytes: fields a caller's older (smaller) struct
 * lacks take their defaults for config->kind (as vg_config_init sets them). On success *out is
 * a new handle the caller owns (release with vg_model_free); on failure *out is set to NULL
 * (when out is not NULL).
 * Errors: VG_ERROR_INVALID_ARGUMENT for NULL pointers, a config->size that is not an accepted
 * size (smaller than the oldest layout, between two layouts, or larger than this library's
 * sizeof(vg_config)), or a bad field (the message names it); VG_ERROR_OUT_OF_MEMORY when the
 * model's weights and workspaces cannot be allocated (each is allocated for real, as it is
 * needed; nothing is estimated). */
VG_API vg_status vg_model_create(vg_model **out, const vg_config *config);

/* As vg_model_create, with the networks given as a JSON spec, the form `vaegan spec` prints:
 * {"generator": {"input": [64], "layers": [...]}, "discriminator": {...}} for a GAN,
 * {"encoder": ..., "decoder": ...} for a β-VAE (the encoder's body, before its μ and log σ²
 * heads), the three of them for a VAE-GAN (whose feature_layer then indexes D's layer list).
 * Parts it does not name keep config's MLPs; the widths in config are then ignored for the
 * parts it names. Layers: dense, conv2d, conv_transpose2d, batch_norm, activation,
 * reshape, flatten (README: "Networks as specs"). `networks_json` is read during the call only.
 * Errors as vg_model_create, and VG_ERROR_FORMAT (not a valid spec: the message names the layer
 * and key), VG_ERROR_SHAPE_MISMATCH (the networks do not fit together or the model: the message
 * names both shapes). */
VG_API vg_status vg_model_create_with_networks(vg_model **out, const vg_config *config,
                                               const char *networks_json);

/* As vg_model_create, with every network of the model a named preset (`vaegan spec
 * --architecture NAME` prints them): "mlp", the MLPs of config's widths (as vg_model_create);
 * "conv", the convolutional networks for 1 × 28 × 28 images (β-VAE: conv encoder body and
 * decoder; GAN: DCGAN generator and discriminator; VAE-GAN: both, D's layer 3 as the feature
 * layer), which follow config's latent_width (and the GAN's generator_output, the leaky_slope)
 * and ignore its widths. A preset also sets the VAE-GAN's gamma, objective and gating to its
 * reference values (conv: 0.01, VG_OBJECTIVE_NONSATURATING, 0; mlp: 1, VG_OBJECTIVE_MINIMAX, 1), over
 * config's. "conv" needs input_width 784 (VG_ERROR_SHAPE_MISMATCH otherwise).
 * Errors as vg_model_create, and VG_ERROR_INVALID_ARGUMENT for an unknown name (the message
 * lists the known ones). */
VG_API vg_status vg_model_create_with_architecture(vg_model **out, const vg_config *config,
                                                   const char *architecture);

/* Releases a handle and everything it owns. NULL is a no-op (VG_OK). The handle must not be
 * used afterwards. Errors: VG_ERROR_INVALID_ARGUMENT for a pointer that is not a live handle
 * (e.g. freed twice); VG_ERROR_STATE if another thread is inside a call on it (not freed). */
VG_API vg_status vg_model_free(vg_model *model);

/* The model's kind, a vg_model_kind (int32_t for the reason vg_config gives). These four
 * getters fail only by the two rules above ("Errors"). */
VG_API vg_status vg_model_kind_of(const vg_model *model, int32_t *out);

/* Features per row the model takes and produces (config.input_width). */
VG_API vg_status vg_model_input_width(const vg_model *model, int64_t *out);

/* The latent size (config.latent_width). */
VG_API vg_status vg_model_latent_width(const vg_model *model, int64_t *out);

/* Rows per optimizer step (config.batch_size, or a loaded checkpoint's). */
VG_API vg_status vg_model_batch_size(const vg_model *model, int64_t *out);

/* ---------------------------------------------------------------- training */

/* Trains `epochs` epochs over x (rows × features): each epoch a fresh shuffle of the rows,
 * drawn from the model's own generator (seeded from config.seed, saved in checkpoints), then
 * one optimizer step per batch. features must equal the input width and values must be in
 * the model's range (see "Data" above). x is copied once per call (the model may hold that
 * copy until its next training call or vg_model_free). Writes nothing to disk and prints
 * nothing. The β-VAE's KL warm-up counts epochs in batches of the
 * first training call's data.
 * Errors: VG_ERROR_INVALID_ARGUMENT (NULL, rows/epochs <= 0, rows > 2147483647, values out
 * of range), VG_ERROR_SHAPE_MISMATCH (features), VG_ERROR_NON_FINITE (NaN or infinity in x,
 * or training diverged: the steps before the failing one stay applied, and the weights may
 * no longer be usable; load a checkpoint to continue), VG_ERROR_OUT_OF_MEMORY (the copy of x
 * or its shuffle order cannot be allocated; the model is unchanged), VG_CANCELLED (stopped on
 * request: see "Stopping a training call" below). */
VG_API vg_status vg_model_train(vg_model *model, const float *x, int64_t rows, int64_t features,
                                int64_t epochs);

/* Takes `steps` optimizer steps on batches of x: shuffled passes over the rows as in
 * vg_model_train, a new pass starting with each call and whenever one ends. Does not count
 * epochs. Errors as vg_model_train. */
VG_API vg_status vg_model_train_steps(vg_model *model, const float *x, int64_t rows,
                                      int64_t features, int64_t steps);

/* Stopping a training call. Both training calls check, before every step, whether they were
 * asked to stop (by vg_model_request_stop or by a progress callback returning non-zero); if so
 * they return VG_CANCELLED there, at a step boundary, with the model consistent and usable
 * (train again, sample, save): the steps taken stay applied, an unfinished epoch is not counted
 * (vg_metrics.epoch and vg_model_last_metrics keep the last finished epoch's), and the
 * shuffling generator has moved on. vg_last_error_message() says after which step. */

/* Asks the training call running on `model` to stop before its next step. Unlike every other
 * call it may be made while another thread is inside a call on the handle (it only sets the
 * handle's stop flag, an atomic). A request made while no training call runs stops the next
 * one before its first step; returning VG_CANCELLED consumes it. It takes a lock, so it is not
 * async-signal-safe: from a signal handler, set a volatile sig_atomic_t there and return it
 * from a progress callback instead.
 * Errors: VG_ERROR_INVALID_ARGUMENT (NULL, not a live handle). */
VG_API vg_status vg_model_request_stop(vg_model *model);

/* A progress callback, called by the training calls after every step, on the calling thread:
 * `epoch` is the epoch being trained (1-based; 0 in vg_model_train_steps), `step` the steps
 * finished in it (in vg_model_train_steps: in the call), `steps` how many it has, `loss` the
 * running mean of their losses (what vg_metrics.loss reports). Return 0 to go on, non-zero to
 * stop before the next step (VG_CANCELLED, as above; after a call's last step there is nothing
 * left to stop and the call returns VG_OK). It must not call vaegan.h functions on the same
 * handle (they fail with VG_ERROR_STATE) other than vg_model_request_stop. */
typedef int32_t (*vg_progress_callback)(void *context, int64_t epoch, int64_t step, int64_t steps,
                                        double loss);

/* Installs `callback` for every later training call on the handle, with `context` passed back
 * to it unchanged; NULL removes it. The handle keeps both pointers, not what they point to.
 * Errors: VG_ERROR_INVALID_ARGUMENT (NULL model, not a live handle), VG_ERROR_STATE (the handle
 * is inside a call). */
VG_API vg_status vg_model_set_progress_callback(vg_model *model, vg_progress_callback callback,
                                                void *context);

/* Training figures, filled by vg_model_last_metrics. */
typedef struct vg_metrics {
    int64_t size;          /* set by the caller: sizeof(vg_metrics) */
    int32_t kind;          /* a vg_model_kind */
    int64_t epoch;         /* epochs completed by vg_model_train (restored by vg_model_load) */
    int64_t steps;         /* batches trained on since creation (restored by vg_model_load) */
    double loss;           /* what each step reports: β-VAE reconstruction + β·KL; GAN D's
                              loss; VAE-GAN L_prior + L_llike */
    /* β-VAE */
    double reconstruction; /* -log p(x | z), nats per example */
    double kl;             /* KL(q(z|x) ‖ N(0, I)), nats per example */
    double beta;           /* mean β used (below the configured β during warm-up) */
    double eval_nelbo;     /* after vg_model_train: negative ELBO (β = 1) over all rows of the
                              call's x, weights after the last epoch, fixed noise */
    double eval_reconstruction;
    double eval_kl;
    double active_units;   /* latent dimensions with eval KL > 0.01 nats */
    /* GAN, VAE-GAN */
    double d_loss;         /* GAN: BCE(D(x), real label) + BCE(D(G(z)), 0) */
    double g_loss;         /* GAN: the generator's objective */
    double d_real;         /* mean D(x), a probability */
    double d_fake;         /* mean D(G(z)) (VAE-GAN: D(Dec(z_p))) */
    /* VAE-GAN */
    double prior;          /* L_prior = KL, nats per example */
    double llike;          /* L_llike in D's feature space */
    double gan;            /* L_GAN as D sees it */
    double d_skips;        /* steps in which the gate skipped D's update */
    double decoder_skips;  /* steps in which the gate skipped the decoder's update */
} vg_metrics;

/* The figures of the last vg_model_train (the means over its last epoch) or
 * vg_model_train_steps call (the means over its steps). NaN marks figures the model does not
 * have, and the eval_* figures after vg_model_train_steps. The caller sets out->size to
 * sizeof(vg_metrics) before the call, so the struct can grow.
 * Errors: VG_ERROR_INVALID_ARGUMENT (NULL, out->size too small); VG_ERROR_STATE when the
 * handle has not trained yet (a loaded model counts as untrained until its first call). */
VG_API vg_status vg_model_last_metrics(const vg_model *model, vg_metrics *out);

/* Figures over the rows of x (rows × features) without training, e.g. for validation data:
 * out->size is set by the caller as for vg_model_last_metrics; kind, epoch and steps are the
 * handle's; the figures are NaN except
 *   - β-VAE: eval_nelbo, eval_reconstruction, eval_kl, active_units (β = 1, fixed noise: the
 *     figures vg_model_train reports for its own rows);
 *   - GAN: d_real, the mean of D(x) (a probability);
 *   - VAE-GAN: eval_kl (KL(q(z|x) ‖ N(0, I))) and eval_reconstruction (½‖x − Dec(μ)‖², the
 *     pixel term), nats per example.
 * The weights and the training state are not changed. Errors: VG_ERROR_INVALID_ARGUMENT
 * (NULL, rows <= 0, out->size too small), VG_ERROR_SHAPE_MISMATCH (features is not the input
 * width), VG_ERROR_NON_FINITE (NaN or infinity in x), VG_ERROR_OUT_OF_MEMORY (β-VAE: its copy
 * of x cannot be allocated; the other kinds read x in place). */
VG_API vg_status vg_model_evaluate(vg_model *model, vg_metrics *out, const float *x, int64_t rows,
                                   int64_t features);

/* ---------------------------------------------------------------- inference
 *
 * These read the weights and write the caller's buffers; they do not change the training
 * state. They use the handle's workspaces, so the one-call-per-handle rule applies. */

/* The approximate posterior q(z | x) = N(mu, exp(logvar)) for rows of x (rows × features):
 * mu and logvar each receive rows × latent_width floats. β-VAE and VAE-GAN only.
 * Errors: VG_ERROR_INVALID_ARGUMENT (NULL, rows or features <= 0), VG_ERROR_SHAPE_MISMATCH
 * (features is not the input width), VG_ERROR_NON_FINITE (NaN or infinity in x),
 * VG_ERROR_WRONG_MODEL (a GAN). */
VG_API vg_status vg_model_encode(const vg_model *model, float *mu, float *logvar, const float *x,
                                 int64_t rows, int64_t features);

/* Decoder (GAN: generator) outputs for latent rows z (rows × latent): out receives
 * rows × input_width floats, in the data's range (Bernoulli β-VAE: probabilities).
 * Errors: VG_ERROR_INVALID_ARGUMENT (NULL, rows or latent <= 0), VG_ERROR_SHAPE_MISMATCH
 * (latent is not the latent width), VG_ERROR_NON_FINITE (NaN or infinity in z). */
VG_API vg_status vg_model_decode(const vg_model *model, float *out, const float *z, int64_t rows,
                                 int64_t latent);

/* Reconstructions of rows of x through z = mu: out receives rows × input_width floats.
 * β-VAE and VAE-GAN only. Errors as vg_model_encode. */
VG_API vg_status vg_model_reconstruct(const vg_model *model, float *out, const float *x,
                                      int64_t rows, int64_t features);

/* n samples: z ~ N(0, I) drawn from a generator seeded with `seed` (the same seed gives the
 * same samples on every machine), then decoded. out_capacity is the size of out in floats
 * and must be at least n × input_width (VG_ERROR_SHAPE_MISMATCH otherwise). The library's
 * own memory is n × latent_width floats of z (VG_ERROR_OUT_OF_MEMORY if it cannot be had);
 * the samples are decoded straight into out. Errors: VG_ERROR_INVALID_ARGUMENT (NULL, n <= 0,
 * out_capacity < 0), VG_ERROR_SHAPE_MISMATCH, VG_ERROR_OUT_OF_MEMORY, as above. */
VG_API vg_status vg_model_sample(const vg_model *model, float *out, int64_t out_capacity, int64_t n,
                                 uint64_t seed);

/* ---------------------------------------------------------------- checkpoints */

/* Writes the whole training state (configuration, weights, optimizer moments, generator
 * states, epoch count) to `path` as a safetensors file, atomically: a reader sees the old file
 * or the new one, never a partial write. Weights are stored under PyTorch-style names
 * ("decoder.0.weight", shape [out, in]), so other tools can read them. The same format as
 * `vaegan train` writes, so either can continue the other's run.
 * Errors: VG_ERROR_INVALID_ARGUMENT (NULL), VG_ERROR_IO. */
VG_API vg_status vg_model_save(const vg_model *model, const char *path);

/* Writes the weights alone, atomically: every named tensor (below) plus the model's
 * configuration and architecture spec in the metadata, "format": "vaegan-weights-1"; no
 * optimizer moments, generator states or epoch count. What `vaegan export` writes, and the
 * form other tools can write (the schema: docs/checkpoint-format.md).
 * Errors: VG_ERROR_INVALID_ARGUMENT (NULL), VG_ERROR_IO. */
VG_API vg_status vg_model_save_weights(const vg_model *model, const char *path);

/* Reads a checkpoint written by vg_model_save or `vaegan train` into a new handle the caller
 * owns; *out is NULL on failure. Also reads weights-only files (vg_model_save_weights,
 * `vaegan export`, or other tools': docs/checkpoint-format.md): their weights and configuration,
 * with fresh training state (zero Adam moments and step counts, epoch 0, the noise and
 * shuffling generators of a new model of seed 0; training hyperparameters the file leaves out
 * take the kind's defaults). Errors: VG_ERROR_INVALID_ARGUMENT (NULL), VG_ERROR_IO (cannot
 * read), VG_ERROR_FORMAT (not a valid checkpoint, or a metadata value that does not parse, e.g.
 * "epoch": "x", or that no model takes, e.g. "batch_size": "0"), VG_ERROR_SHAPE_MISMATCH (a tensor's shape is not the one the metadata's
 * configuration gives), VG_ERROR_WRONG_MODEL (an unknown kind), VG_ERROR_NON_FINITE (NaN or
 * infinity in a weight or optimizer tensor; the message names the tensor and the element, e.g.
 * "tensor 'decoder.1.weight' holds nan at [3, 5]"), VG_ERROR_OUT_OF_MEMORY. */
VG_API vg_status vg_model_load(vg_model **out, const char *path);

/* As vg_model_load, with the file's average of the generator (GAN) or decoder (VAE-GAN) in
 * place of its last iterate and the part's batch-norm statistics re-estimated for it: the
 * weights `vaegan sample` and `vaegan eval` use by default for a run trained with
 * --ema-decay, so vg_model_sample and vg_model_decode give their samples. Meant for sampling
 * and evaluation; training the handle on continues from the average, with the last iterate's
 * optimizer state (a full checkpoint's; a weights-only file's is fresh, as vg_model_load's).
 * Errors as vg_model_load, and VG_ERROR_INVALID_ARGUMENT when the file keeps no average
 * (trained without --ema-decay; a β-VAE never has one). */
VG_API vg_status vg_model_load_averaged(vg_model **out, const char *path);

/* ---------------------------------------------------------------- weights as named tensors
 *
 * A model's weights (and non-trainable state, e.g. batch norm's running statistics) are named
 * tensors: the names and shapes its checkpoints use, PyTorch's ("generator.0.weight", shape
 * [out, in]; docs/checkpoint-format.md lists them). Indices run over the model's parts in build
 * order and each part's tensors in declaration order; they are the same for every handle of one
 * architecture. Optimizer state is not among them.
 *
 *     int64_t count;
 *     vg_model_tensor_count(model, &count);
 *     for (int64_t i = 0; i < count; i++) {
 *         const char *name; int64_t rank, shape[VG_MAX_TENSOR_RANK];
 *         vg_model_tensor_info(model, &name, &rank, shape, i);
 *     }
 *     vg_model_get_tensor(model, out, capacity, "decoder.0.weight");
 */

/* Most dimensions a named tensor has (a conv2d weight: [out, in, kh, kw]). */
#define VG_MAX_TENSOR_RANK 4

/* The number of named tensors. */
VG_API vg_status vg_model_tensor_count(const vg_model *model, int64_t *out);

/* Tensor `index` (0 ... count − 1): *name its name, a string the handle owns (valid until
 * vg_model_free); *rank its rank (1 ... VG_MAX_TENSOR_RANK); shape, which must hold
 * VG_MAX_TENSOR_RANK entries, its sizes in shape[0 ... rank − 1] (the rest are set to 0).
 * Errors: VG_ERROR_INVALID_ARGUMENT (NULL, an index out of range). */
VG_API vg_status vg_model_tensor_info(const vg_model *model, const char **name, int64_t *rank,
                                      int64_t *shape, int64_t index);

/* Copies tensor `name`'s values, float32 row-major, into out, which holds out_capacity floats:
 * at least the tensor's element count (VG_ERROR_SHAPE_MISMATCH otherwise); exactly that many are
 * written. Errors: VG_ERROR_INVALID_ARGUMENT (NULL, an unknown name). */
VG_API vg_status vg_model_get_tensor(const vg_model *model, float *out, int64_t out_capacity,
                                     const char *name);

/* Replaces tensor `name`'s values with `values` (float32 row-major), whose shape (`rank`
 * sizes) must be the tensor's exactly. The optimizer's state is left as it is. Nothing is
 * changed on failure. Errors: VG_ERROR_INVALID_ARGUMENT (NULL, an unknown name, rank outside
 * 1 ... VG_MAX_TENSOR_RANK), VG_ERROR_SHAPE_MISMATCH (another shape: the message names both),
 * VG_ERROR_NON_FINITE (NaN or infinity in values), VG_ERROR_STATE (the handle is busy). */
VG_API vg_status vg_model_set_tensor(vg_model *model, const char *name, const float *values,
                                     const int64_t *shape, int64_t rank);

/* ==================================================================== sample quality
 *
 * Metrics over feature vectors the caller computed (e.g. a classifier's penultimate layer for
 * real and generated images). No handle: these read the caller's rows during the call only,
 * allocate their own double-precision workspaces and free them before returning, and may be
 * called from any number of threads at once.
 *
 *     double fid;
 *     if (vg_frechet_distance_of_features(&fid, real, 10000, fake, 10000, 2048) != VG_OK)
 *         fprintf(stderr, "%s\n", vg_last_error_message());
 */

/* The Fréchet distance between Gaussians fitted to two sets of feature rows (FID when the
 * features are a classifier's; Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update
 * Rule Converge to a Local Nash Equilibrium"):
 *
 *   *distance = ‖μa − μb‖² + tr Σa + tr Σb − 2 tr (Σa^½ Σb Σa^½)^½
 *
 * a squared distance, in squared feature units, >= 0. features_a is rows_a × width floats and
 * features_b rows_b × width, row-major, both with the same width. μ is the mean row and Σ the
 * unbiased covariance (divided by rows − 1), both in double; the square roots come from
 * LAPACK's symmetric eigensolver (dsyevd) in double. tr (Σa^½ Σb Σa^½)^½ equals the
 * tr (Σa Σb)^½ of the usual formula, so scipy's `sqrtm(Σa @ Σb).real` gives the same value.
 * Workspace: about 8 × width² doubles (LAPACK's included); the rows are read in place.
 * Errors: VG_ERROR_INVALID_ARGUMENT (NULL, rows_a or rows_b < 2, width <= 0, rows × width
 * too large to address), VG_ERROR_NON_FINITE (NaN or infinity in the features, the message
 * naming the first as features_a[row, column]; or an eigensolver that did not converge),
 * VG_ERROR_OUT_OF_MEMORY (workspaces that cannot be allocated, e.g. a huge width). *distance
 * is written only on success. */
VG_API vg_status vg_frechet_distance_of_features(double *distance, const float *features_a, int64_t rows_a,
                                                 const float *features_b, int64_t rows_b, int64_t width);

#ifdef __cplusplus
}
#endif

#endif /* VAEGAN_H */
