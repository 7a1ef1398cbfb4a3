"""VAEGAN from Python: β-VAE, GAN and VAE-GAN training through the C library (ctypes + numpy).

    import numpy as np, vaegan
    x = np.random.default_rng(0).random((512, 784), dtype=np.float32)   # values in [0, 1]
    model = vaegan.Model.vae(latent_width=8, encoder_widths=[128], decoder_widths=[128])
    model.fit(x, epochs=2)
    print(model.metrics["loss"])
    images = model.sample(16, seed=1)          # (16, 784) float32
    mu, logvar = model.encode(x[:4])
    model.save("vae.safetensors")
    again = vaegan.Model.load("vae.safetensors")
    fid = vaegan.frechet_distance(real_features, fake_features)   # rows × width each

Every failure of the library raises VAEGANError with its status code and message. A Model
owns one handle: use it from one thread at a time (distinct models may run on different
threads); close() or garbage collection frees it.
"""
from __future__ import annotations

import ctypes
import math
import os

import numpy as np

from . import _lib

__all__ = ["Model", "VAEGANError", "frechet_distance", "version", "set_thread_count"]

_c = _lib.load()


class VAEGANError(Exception):
    """A failed library call: `status` (a negative vg_status), `status_name` and `message`."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.status_name = _c.vg_status_string(status).decode()
        self.message = message
        super().__init__(f"{self.status_name}: {message}")


def _check(status: int) -> None:
    """Raises VAEGANError for a failed call, reading the message at once (it is per thread)."""
    if status != _lib.OK:
        raise VAEGANError(status, _c.vg_last_error_message().decode("utf-8", "replace"))


def _fail(status: int, message: str) -> None:
    """Reports a binding-side failure through the same channel as the library's own."""
    _c.vg_error_set(status, message.encode())
    _check(status)


def version() -> str:
    return _c.vg_version().decode()


def set_thread_count(count: int) -> None:
    """Threads for the whole process (OpenBLAS); 0 means all cores."""
    _check(_c.vg_set_thread_count(count))


def _floats(array: np.ndarray):
    return array.ctypes.data_as(ctypes.POINTER(ctypes.c_float))


def _matrix(values, name: str) -> np.ndarray:
    """A C-contiguous float32 2-D array (copied only when it is not one already)."""
    array = np.ascontiguousarray(values, dtype=np.float32)
    if array.ndim != 2:
        _fail(_lib.ERROR_SHAPE_MISMATCH, f"{name} must be a 2-D array (rows, features), not shape {array.shape}")
    return array


def frechet_distance(features_a, features_b) -> float:
    """The Fréchet distance between Gaussians fitted to the rows of features_a (n × width) and
    features_b (m × width): ‖μa − μb‖² + tr(Σa + Σb − 2 (Σa Σb)^½), FID when the features are a
    classifier's. Both sets need at least 2 rows; values are taken as float32 (the C ABI's
    type), the moments and square roots are computed in double (vg_frechet_distance_of_features)."""
    a, b = _matrix(features_a, "features_a"), _matrix(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        _fail(_lib.ERROR_SHAPE_MISMATCH,
              f"features_a has rows of {a.shape[1]} values, features_b of {b.shape[1]}; both need one width")
    distance = ctypes.c_double()
    _check(_c.vg_frechet_distance_of_features(ctypes.byref(distance), _floats(a), a.shape[0], _floats(b), b.shape[0],
                                              a.shape[1]))
    return distance.value


_WIDTH_FIELDS = ("encoder_widths", "decoder_widths", "discriminator_widths")
_ENUM_FIELDS = {"likelihood": _lib.LIKELIHOODS, "objective": _lib.OBJECTIVES, "generator_output": _lib.OUTPUTS}


def _config(kind: int, overrides: dict) -> _lib.Config:
    """vg_config_init's defaults for `kind` with `overrides` (vg_config field names) applied."""
    config = _lib.Config()
    _check(_c.vg_config_init(ctypes.byref(config), ctypes.sizeof(config), kind))
    fields = {name for name, _ in _lib.Config._fields_} - {"size", "kind"}
    fields -= {"encoder_layers", "decoder_layers", "discriminator_layers"}
    for name, value in overrides.items():
        if name not in fields:
            raise TypeError(f"unknown configuration field {name!r}; known: {', '.join(sorted(fields))}")
        if name in _WIDTH_FIELDS:
            widths = [int(w) for w in value]
            if len(widths) > _lib.MAX_HIDDEN_LAYERS:
                _fail(_lib.ERROR_INVALID_ARGUMENT,
                      f"{name}: at most {_lib.MAX_HIDDEN_LAYERS} hidden layers, not {len(widths)}")
            array = getattr(config, name)
            for i in range(_lib.MAX_HIDDEN_LAYERS):
                array[i] = widths[i] if i < len(widths) else 0
            setattr(config, name.replace("_widths", "_layers"), len(widths))
        elif name in _ENUM_FIELDS:
            choices = _ENUM_FIELDS[name]
            if value not in choices:
                _fail(_lib.ERROR_INVALID_ARGUMENT, f"{name} must be one of {', '.join(choices)}, not {value!r}")
            setattr(config, name, choices[value])
        elif name in ("learn_sigma", "gating"):
            setattr(config, name, 1 if value else 0)
        else:
            setattr(config, name, value)
    return config


class Model:
    """One β-VAE, GAN or VAE-GAN with its training state. Create with Model.vae(),
    Model.gan(), Model.vaegan() or Model.load()."""

    def __init__(self, handle: ctypes.c_void_p):
        # Private: use the class methods.
        self._handle = handle
        kind, width = ctypes.c_int32(), ctypes.c_int64()
        _check(_c.vg_model_kind_of(handle, ctypes.byref(kind)))
        self.kind = _lib.KIND_NAMES[kind.value]
        _check(_c.vg_model_input_width(handle, ctypes.byref(width)))
        self.input_width = width.value
        _check(_c.vg_model_latent_width(handle, ctypes.byref(width)))
        self.latent_width = width.value

    # ---------------------------------------------------------------- creation

    @classmethod
    def _create(cls, kind: int, overrides: dict) -> "Model":
        config = _config(kind, overrides)
        handle = ctypes.c_void_p()
        _check(_c.vg_model_create(ctypes.byref(handle), ctypes.byref(config)))
        return cls(handle)

    @staticmethod
    def defaults(kind: str) -> dict:
        """The library's defaults for `kind` ("vae", "gan", "vaegan") as vg_config_init writes
        them (each kind's TrainingConfiguration in the Swift library: their one home), by
        field name; widths as lists, enumerations by name. Fields the kind does not read hold
        another kind's default."""
        codes = {name: code for code, name in _lib.KIND_NAMES.items()}
        if kind not in codes:
            _fail(_lib.ERROR_INVALID_ARGUMENT, f"kind must be one of {', '.join(codes)}, not {kind!r}")
        config = _config(codes[kind], {})
        values = {}
        for name, _ in _lib.Config._fields_:
            if name in ("size", "kind") or name.endswith("_layers"):
                continue
            value = getattr(config, name)
            if name in _WIDTH_FIELDS:
                value = list(value)[:getattr(config, name.replace("_widths", "_layers"))]
            elif name in _ENUM_FIELDS:
                value = {code: label for label, code in _ENUM_FIELDS[name].items()}[value]
            values[name] = value
        return values

    @classmethod
    def vae(cls, **overrides) -> "Model":
        """A β-VAE: the library's defaults (Model.defaults("vae"): the reference 784-512-256
        encoder, latent 32, Bernoulli) with vg_config fields overridden by keyword, e.g.
        latent_width=8, encoder_widths=[128], likelihood="gaussian", beta=4, seed=1."""
        return cls._create(_lib.MODEL_VAE, overrides)

    @classmethod
    def gan(cls, **overrides) -> "Model":
        """A GAN: the library's defaults (Model.defaults("gan")) with vg_config fields
        overridden by keyword. The generator's hidden widths are `decoder_widths`."""
        return cls._create(_lib.MODEL_GAN, overrides)

    @classmethod
    def vaegan(cls, **overrides) -> "Model":
        """A VAE-GAN: the library's defaults (Model.defaults("vaegan")) with vg_config fields
        overridden by keyword."""
        return cls._create(_lib.MODEL_VAEGAN, overrides)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Model":
        """A model (with its whole training state) from a checkpoint written by save() or
        `vaegan train`."""
        handle = ctypes.c_void_p()
        _check(_c.vg_model_load(ctypes.byref(handle), os.fsencode(path)))
        return cls(handle)

    # ---------------------------------------------------------------- lifetime

    def close(self) -> None:
        """Frees the handle; the model cannot be used afterwards. Safe to call twice."""
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            _check(_c.vg_model_free(handle))

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _live(self) -> ctypes.c_void_p:
        if not self._handle:
            _fail(_lib.ERROR_STATE, "this Model has been closed")
        return self._handle

    def __repr__(self) -> str:
        state = "closed" if not self._handle else f"input {self.input_width}, latent {self.latent_width}"
        return f"<vaegan.Model {self.kind}: {state}>"

    # ---------------------------------------------------------------- training

    def fit(self, x, epochs: int = 1, steps: int | None = None) -> "Model":
        """Trains on the rows of x (n × input_width, in the model's range): `epochs` epochs,
        or, when `steps` is given, that many optimizer steps instead. Returns self."""
        x = _matrix(x, "x")
        if steps is not None:
            _check(_c.vg_model_train_steps(self._live(), _floats(x), x.shape[0], x.shape[1], steps))
        else:
            _check(_c.vg_model_train(self._live(), _floats(x), x.shape[0], x.shape[1], epochs))
        return self

    @property
    def metrics(self) -> dict:
        """The last fit()'s figures: epoch, steps, and the model's losses (those it has)."""
        m = _lib.Metrics()
        m.size = ctypes.sizeof(m)
        _check(_c.vg_model_last_metrics(self._live(), ctypes.byref(m)))
        result = {"epoch": m.epoch, "steps": m.steps}
        for name, _ in _lib.Metrics._fields_[4:]:
            value = getattr(m, name)
            if not math.isnan(value):
                result[name] = value
        return result

    # ---------------------------------------------------------------- inference

    def encode(self, x) -> tuple[np.ndarray, np.ndarray]:
        """(mu, logvar), each (n, latent_width): q(z | x) for each row of x."""
        x = _matrix(x, "x")
        mu = np.empty((x.shape[0], self.latent_width), dtype=np.float32)
        logvar = np.empty_like(mu)
        _check(_c.vg_model_encode(self._live(), _floats(mu), _floats(logvar), _floats(x), x.shape[0], x.shape[1]))
        return mu, logvar

    def decode(self, z) -> np.ndarray:
        """Decoder (generator) outputs, (n, input_width), for latent rows z (n, latent_width)."""
        z = _matrix(z, "z")
        out = np.empty((z.shape[0], self.input_width), dtype=np.float32)
        _check(_c.vg_model_decode(self._live(), _floats(out), _floats(z), z.shape[0], z.shape[1]))
        return out

    def reconstruct(self, x) -> np.ndarray:
        """decode(encode(x).mu), (n, input_width)."""
        x = _matrix(x, "x")
        out = np.empty((x.shape[0], self.input_width), dtype=np.float32)
        _check(_c.vg_model_reconstruct(self._live(), _floats(out), _floats(x), x.shape[0], x.shape[1]))
        return out

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """n samples, (n, input_width): z ~ N(0, I) from `seed`, decoded. Same seed, same samples."""
        if n <= 0:
            _fail(_lib.ERROR_INVALID_ARGUMENT, f"n must be positive, not {n}")
        out = np.empty((n, self.input_width), dtype=np.float32)
        _check(_c.vg_model_sample(self._live(), _floats(out), out.size, n, seed))
        return out

    # ---------------------------------------------------------------- checkpoints

    def save(self, path: str | os.PathLike) -> None:
        """Writes the whole training state as a safetensors file (atomically)."""
        _check(_c.vg_model_save(self._live(), os.fsencode(path)))
