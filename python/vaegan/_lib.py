"""ctypes bindings for include/vaegan.h: finding the library, the structs, the signatures.

Nothing here is Python-friendly on purpose; vaegan/__init__.py builds the API on top.
The struct layouts mirror the header field for field. `load()` passes the library this
module's sizeof(vg_config), which a library older than these bindings refuses; the tests
check that it is the newest size the library knows, so a header change that is not mirrored
here fails loudly.

Where the library comes from, first match wins (`library_candidates()`):
  1. $VAEGAN_LIBRARY: an explicit path (any build, debug included: you asked for it);
  2. the installed package's own copy, vaegan/_native/libVAEGANC.so (pip install ./python
     copies the repository's release build there);
  3. the repository's release build, <repo>/.build/release/libVAEGANC.so, when this package is
     imported from a source checkout (python/vaegan) rather than installed;
  4. an installed libvaegan.so (scripts/install.sh; found by ctypes.util.find_library).
A debug build (.build/debug) is never picked unless $VAEGAN_LIBRARY names it.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

# vg_status
OK = 0
ERROR_INVALID_ARGUMENT = -1
ERROR_SHAPE_MISMATCH = -2
ERROR_NON_FINITE = -3
ERROR_OUT_OF_MEMORY = -4
ERROR_IO = -5
ERROR_FORMAT = -6
ERROR_WRONG_MODEL = -7
ERROR_STATE = -8
ERROR_INTERNAL = -9

CANCELLED = -10

# vg_model_kind, vg_likelihood, vg_objective, vg_output
MODEL_VAE, MODEL_GAN, MODEL_VAEGAN = 0, 1, 2
KIND_NAMES = {MODEL_VAE: "vae", MODEL_GAN: "gan", MODEL_VAEGAN: "vaegan"}
LIKELIHOODS = {"bernoulli": 0, "gaussian": 1}
OBJECTIVES = {"minimax": 0, "nonsaturating": 1}
OUTPUTS = {"sigmoid": 0, "tanh": 1, "identity": 2}
MAX_HIDDEN_LAYERS = 8
MAX_TENSOR_RANK = 4

_Widths = ctypes.c_int64 * MAX_HIDDEN_LAYERS


class Config(ctypes.Structure):
    """struct vg_config."""

    _fields_ = [
        ("size", ctypes.c_int64),
        ("kind", ctypes.c_int32),
        ("input_width", ctypes.c_int64),
        ("latent_width", ctypes.c_int64),
        ("encoder_widths", _Widths),
        ("encoder_layers", ctypes.c_int64),
        ("decoder_widths", _Widths),
        ("decoder_layers", ctypes.c_int64),
        ("discriminator_widths", _Widths),
        ("discriminator_layers", ctypes.c_int64),
        ("likelihood", ctypes.c_int32),
        ("sigma", ctypes.c_float),
        ("learn_sigma", ctypes.c_int32),
        ("beta", ctypes.c_float),
        ("warmup_epochs", ctypes.c_int64),
        ("learning_rate", ctypes.c_float),
        ("batch_size", ctypes.c_int64),
        ("seed", ctypes.c_uint64),
        ("objective", ctypes.c_int32),
        ("generator_output", ctypes.c_int32),
        ("leaky_slope", ctypes.c_float),
        ("real_label", ctypes.c_float),
        ("discriminator_steps", ctypes.c_int64),
        ("gamma", ctypes.c_float),
        ("feature_layer", ctypes.c_int64),
        ("gating", ctypes.c_int32),
        ("pixel_weight", ctypes.c_double),
    ]


class Metrics(ctypes.Structure):
    """struct vg_metrics."""

    _fields_ = [
        ("size", ctypes.c_int64),
        ("kind", ctypes.c_int32),
        ("epoch", ctypes.c_int64),
        ("steps", ctypes.c_int64),
        ("loss", ctypes.c_double),
        ("reconstruction", ctypes.c_double),
        ("kl", ctypes.c_double),
        ("beta", ctypes.c_double),
        ("eval_nelbo", ctypes.c_double),
        ("eval_reconstruction", ctypes.c_double),
        ("eval_kl", ctypes.c_double),
        ("active_units", ctypes.c_double),
        ("d_loss", ctypes.c_double),
        ("g_loss", ctypes.c_double),
        ("d_real", ctypes.c_double),
        ("d_fake", ctypes.c_double),
        ("prior", ctypes.c_double),
        ("llike", ctypes.c_double),
        ("gan", ctypes.c_double),
        ("d_skips", ctypes.c_double),
        ("decoder_skips", ctypes.c_double),
    ]


# int32_t (*vg_progress_callback)(void *context, int64_t epoch, int64_t step, int64_t steps, double loss)
ProgressCallback = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                                    ctypes.c_double)

_handle = ctypes.c_void_p
_floats = ctypes.POINTER(ctypes.c_float)
_i64 = ctypes.c_int64

_SIGNATURES = {
    "vg_status_string": (ctypes.c_char_p, [ctypes.c_int]),
    "vg_last_error_message": (ctypes.c_char_p, []),
    "vg_error_set": (ctypes.c_int, [ctypes.c_int, ctypes.c_char_p]),
    "vg_error_clear": (None, []),
    "vg_version": (ctypes.c_char_p, []),
    "vg_set_thread_count": (ctypes.c_int, [ctypes.c_int]),
    "vg_thread_count": (ctypes.c_int, []),
    "vg_config_init": (ctypes.c_int, [ctypes.POINTER(Config), _i64, ctypes.c_int32]),
    "vg_model_create": (ctypes.c_int, [ctypes.POINTER(_handle), ctypes.POINTER(Config)]),
    "vg_model_free": (ctypes.c_int, [_handle]),
    "vg_model_kind_of": (ctypes.c_int, [_handle, ctypes.POINTER(ctypes.c_int32)]),
    "vg_model_input_width": (ctypes.c_int, [_handle, ctypes.POINTER(_i64)]),
    "vg_model_latent_width": (ctypes.c_int, [_handle, ctypes.POINTER(_i64)]),
    "vg_model_batch_size": (ctypes.c_int, [_handle, ctypes.POINTER(_i64)]),
    "vg_model_create_with_networks": (ctypes.c_int, [ctypes.POINTER(_handle), ctypes.POINTER(Config), ctypes.c_char_p]),
    "vg_model_create_with_architecture": (
        ctypes.c_int, [ctypes.POINTER(_handle), ctypes.POINTER(Config), ctypes.c_char_p]),
    "vg_model_request_stop": (ctypes.c_int, [_handle]),
    "vg_model_set_progress_callback": (ctypes.c_int, [_handle, ProgressCallback, ctypes.c_void_p]),
    "vg_model_evaluate": (ctypes.c_int, [_handle, ctypes.POINTER(Metrics), _floats, _i64, _i64]),
    "vg_model_save_weights": (ctypes.c_int, [_handle, ctypes.c_char_p]),
    "vg_model_tensor_count": (ctypes.c_int, [_handle, ctypes.POINTER(_i64)]),
    "vg_model_tensor_info": (ctypes.c_int, [_handle, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(_i64),
                                            ctypes.POINTER(_i64), _i64]),
    "vg_model_get_tensor": (ctypes.c_int, [_handle, _floats, _i64, ctypes.c_char_p]),
    "vg_model_set_tensor": (ctypes.c_int, [_handle, ctypes.c_char_p, _floats, ctypes.POINTER(_i64), _i64]),
    "vg_model_train": (ctypes.c_int, [_handle, _floats, _i64, _i64, _i64]),
    "vg_model_train_steps": (ctypes.c_int, [_handle, _floats, _i64, _i64, _i64]),
    "vg_model_last_metrics": (ctypes.c_int, [_handle, ctypes.POINTER(Metrics)]),
    "vg_model_encode": (ctypes.c_int, [_handle, _floats, _floats, _floats, _i64, _i64]),
    "vg_model_decode": (ctypes.c_int, [_handle, _floats, _floats, _i64, _i64]),
    "vg_model_reconstruct": (ctypes.c_int, [_handle, _floats, _floats, _i64, _i64]),
    "vg_model_sample": (ctypes.c_int, [_handle, _floats, _i64, _i64, ctypes.c_uint64]),
    "vg_model_save": (ctypes.c_int, [_handle, ctypes.c_char_p]),
    "vg_model_load": (ctypes.c_int, [ctypes.POINTER(_handle), ctypes.c_char_p]),
    "vg_model_load_averaged": (ctypes.c_int, [ctypes.POINTER(_handle), ctypes.c_char_p]),
    "vg_frechet_distance_of_features": (
        ctypes.c_int, [ctypes.POINTER(ctypes.c_double), _floats, _i64, _floats, _i64, _i64]),
}

LIBRARY_NAME = "libVAEGANC.so"
_PACKAGE = Path(__file__).resolve().parent
# python/vaegan -> the repository, when imported from a source checkout.
_REPO = _PACKAGE.parents[1]


def library_candidates() -> list[tuple[str, str]]:
    """(where, path) for every place the library is looked for, in order (see the module doc)."""
    candidates = []
    explicit = os.environ.get("VAEGAN_LIBRARY")
    if explicit:
        candidates.append(("$VAEGAN_LIBRARY", explicit))
    candidates.append(("the package's own copy", str(_PACKAGE / "_native" / LIBRARY_NAME)))
    if (_REPO / "Package.swift").exists():
        candidates.append(("the repository's release build", str(_REPO / ".build" / "release" / LIBRARY_NAME)))
    installed = ctypes.util.find_library("vaegan")
    if installed:
        candidates.append(("an installed libvaegan", installed))
    return candidates


def library_path() -> str:
    """The first library that exists among library_candidates(); OSError naming every place
    looked in otherwise. $VAEGAN_LIBRARY, when set, is used as given (a missing file is an error,
    not a reason to look further)."""
    candidates = library_candidates()
    if os.environ.get("VAEGAN_LIBRARY"):
        return candidates[0][1]
    for where, path in candidates:
        if where == "an installed libvaegan" or Path(path).exists():
            return path
    looked = "; ".join(f"{where}: {path}" for where, path in candidates)
    raise OSError(
        f"vaegan: {LIBRARY_NAME} not found (looked in {looked}). Install the package with "
        "`pip install ./python` from the repository (it builds and copies the release library), build it with "
        "`swift build -c release --product VAEGANC`, or set VAEGAN_LIBRARY to its path"
    )


def load(path: str | None = None) -> ctypes.CDLL:
    """The library at `path` (default: library_path()) with every signature set; its path is
    kept as `lib.path`."""
    path = path or library_path()
    lib = ctypes.CDLL(path)
    lib.path = path
    for name, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(lib, name, None)
        if function is None:
            raise OSError(f"vaegan: {path} has no {name}: the library is older than these bindings; rebuild it")
        function.restype = restype
        function.argtypes = argtypes
    # A library older than these bindings refuses their larger struct; a newer one accepts it.
    config = Config()
    if lib.vg_config_init(ctypes.byref(config), ctypes.sizeof(Config), MODEL_VAE) != OK:
        raise OSError(
            f"vaegan: the library does not accept these bindings' {ctypes.sizeof(Config)}-byte vg_config "
            f"({lib.vg_last_error_message().decode()}); vaegan/_lib.py is newer than the library"
        )
    return lib
