"""ctypes bindings for include/vaegan.h: finding the library, the structs, the signatures.

Nothing here is Python-friendly on purpose; vaegan/__init__.py builds the API on top.
The struct layouts mirror the header field for field. `load()` passes the library this
module's sizeof(vg_config), which a library older than these bindings refuses; the tests
check that it is the newest size the library knows, so a header change that is not mirrored
here fails loudly.
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

# vg_model_kind, vg_likelihood, vg_objective, vg_output
MODEL_VAE, MODEL_GAN, MODEL_VAEGAN = 0, 1, 2
KIND_NAMES = {MODEL_VAE: "vae", MODEL_GAN: "gan", MODEL_VAEGAN: "vaegan"}
LIKELIHOODS = {"bernoulli": 0, "gaussian": 1}
OBJECTIVES = {"minimax": 0, "nonsaturating": 1}
OUTPUTS = {"sigmoid": 0, "tanh": 1, "identity": 2}
MAX_HIDDEN_LAYERS = 8

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
    "vg_model_train": (ctypes.c_int, [_handle, _floats, _i64, _i64, _i64]),
    "vg_model_train_steps": (ctypes.c_int, [_handle, _floats, _i64, _i64, _i64]),
    "vg_model_last_metrics": (ctypes.c_int, [_handle, ctypes.POINTER(Metrics)]),
    "vg_model_encode": (ctypes.c_int, [_handle, _floats, _floats, _floats, _i64, _i64]),
    "vg_model_decode": (ctypes.c_int, [_handle, _floats, _floats, _i64, _i64]),
    "vg_model_reconstruct": (ctypes.c_int, [_handle, _floats, _floats, _i64, _i64]),
    "vg_model_sample": (ctypes.c_int, [_handle, _floats, _i64, _i64, ctypes.c_uint64]),
    "vg_model_save": (ctypes.c_int, [_handle, ctypes.c_char_p]),
    "vg_model_load": (ctypes.c_int, [ctypes.POINTER(_handle), ctypes.c_char_p]),
    "vg_frechet_distance_of_features": (
        ctypes.c_int, [ctypes.POINTER(ctypes.c_double), _floats, _i64, _floats, _i64, _i64]),
}

_REPO = Path(__file__).resolve().parents[2]


def library_path() -> str:
    """Where the library is: $VAEGAN_LIBRARY; else the newer of the repository's
    .build/debug and .build/release libVAEGANC.so; else an installed libvaegan."""
    explicit = os.environ.get("VAEGAN_LIBRARY")
    if explicit:
        return explicit
    built = [_REPO / ".build" / c / "libVAEGANC.so" for c in ("debug", "release")]
    built = [p for p in built if p.exists()]
    if built:
        return str(max(built, key=lambda p: p.stat().st_mtime))
    installed = ctypes.util.find_library("vaegan")
    if installed:
        return installed
    raise OSError(
        "libvaegan not found: set VAEGAN_LIBRARY, build it with "
        "`swift build --product VAEGANC` in the repository, or install it with scripts/install.sh"
    )


def load(path: str | None = None) -> ctypes.CDLL:
    lib = ctypes.CDLL(path or library_path())
    for name, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(lib, name)
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
