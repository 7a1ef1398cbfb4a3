"""VAEGAN from Python: β-VAE, GAN and VAE-GAN training through the C library (ctypes + numpy).

    import numpy as np, vaegan
    x = np.random.default_rng(0).random((512, 784), dtype=np.float32)   # values in [0, 1]
    model = vaegan.Model.vae(latent_width=8, encoder_widths=[128], decoder_widths=[128])
    history = model.fit(x, epochs=2, validation_data=x[:64])   # a progress bar on a terminal
    print(history.history["loss"], history.history["val_nelbo"])
    images = model.sample(16, seed=1)          # (16, 784) float32
    mu, logvar = model.encode(x[:4])
    weights = model.state_dict()               # {"encoder.0.weight": array (128, 784), ...}
    model.save("vae.safetensors")              # the whole training state
    model.save("vae-weights.safetensors", weights_only=True)
    again = vaegan.Model.load("vae.safetensors")
    conv = vaegan.Model.gan(architecture="conv")   # the DCGAN preset for 28×28 images
    conv.networks["generator"]["layers"][0]    # {"type": "dense", "width": 6272, ...}: the spec
    modules = vaegan.torch_interop.to_torch(conv)   # torch nn.Modules with these weights (needs torch)
    fid = vaegan.frechet_distance(real_features, fake_features)   # rows × width each

Every failure of the library raises VAEGANError with its status code and message; its
subclasses are also the matching built-in exceptions (ShapeMismatchError and
InvalidArgumentError are ValueErrors, IOError_ an OSError). Arguments this package checks
itself raise TypeError or ValueError. A Model owns one handle: use it from one thread at a
time (distinct models may run on different threads; request_stop() is the exception);
close() or garbage collection frees it. `vaegan.library_path` says which library was loaded
(the order it is looked for in: vaegan/_lib.py).
"""
from __future__ import annotations

import ctypes
import json
import math
import os
import struct
import sys
import tempfile

import numpy as np

from collections import OrderedDict

from . import _lib
from .training import Callback, History, ProgressBar, check_count, run_fit

__all__ = ["Model", "VAEGANError", "ShapeMismatchError", "InvalidArgumentError", "NonFiniteError", "Callback",
           "History", "frechet_distance", "read_metadata", "version", "set_thread_count", "library_path"]

_c = _lib.load()
#: The shared library in use (found as vaegan/_lib.py describes).
library_path = _c.path


class VAEGANError(Exception):
    """A failed library call: `status` (a negative vg_status), `status_name` and `message`."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.status_name = _c.vg_status_string(status).decode()
        self.message = message
        super().__init__(f"{self.status_name}: {message}")


class InvalidArgumentError(VAEGANError, ValueError):
    """VG_ERROR_INVALID_ARGUMENT: a bad value (a hyperparameter, data outside the model's range)."""


class ShapeMismatchError(VAEGANError, ValueError):
    """VG_ERROR_SHAPE_MISMATCH: sizes that do not fit each other or the model."""


class NonFiniteError(VAEGANError, ValueError):
    """VG_ERROR_NON_FINITE: NaN or infinity in the data, or training that diverged."""


class IOError_(VAEGANError, OSError):
    """VG_ERROR_IO: a file that could not be opened, read or written."""


_ERRORS = {_lib.ERROR_INVALID_ARGUMENT: InvalidArgumentError, _lib.ERROR_SHAPE_MISMATCH: ShapeMismatchError,
           _lib.ERROR_NON_FINITE: NonFiniteError, _lib.ERROR_IO: IOError_}


def _error(status: int) -> VAEGANError:
    """The exception for a failed call, with the message read at once (it is per thread)."""
    message = _c.vg_last_error_message().decode("utf-8", "replace")
    return _ERRORS.get(status, VAEGANError)(status, message)


def _check(status: int) -> None:
    """Raises the VAEGANError (subclass) for a failed call."""
    if status != _lib.OK:
        raise _error(status)


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


def _matrix(values, name: str, width: int | None = None, integers: bool = False) -> np.ndarray:
    """A C-contiguous float32 2-D array (copied only when it is not one already). With `width`,
    images (n, 28, 28) or (n, 1, 28, 28) whose pixels make rows of `width` are flattened to
    (n, width). TypeError for data that is not real numbers (strings, objects, complex) and for
    integer pixels unless `integers` (scale them to [0, 1] first); ShapeMismatchError (a ValueError) for a shape
    that is not rows."""
    if hasattr(values, "detach") and hasattr(values, "cpu"):  # a torch tensor
        values = values.detach().cpu().numpy()
    array = np.asarray(values)
    if array.dtype.kind not in ("fbiu" if integers else "fb") and not (array.dtype.kind in "iu" and array.size == 0):
        if array.dtype.kind in "iu":
            raise TypeError(f"{name} holds integers ({array.dtype}); pass floats in the model's range, "
                            f"e.g. {name}.astype(np.float32) / 255 for 8-bit pixels")
        raise TypeError(f"{name} must hold real numbers (float32), not {array.dtype}")
    if width is not None and array.ndim > 2 and array.shape[0] > 0 and math.prod(array.shape[1:]) == width:
        array = array.reshape(array.shape[0], width)
    if array.ndim != 2:
        _fail(_lib.ERROR_SHAPE_MISMATCH, f"{name} must be a 2-D array (rows, features), not shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float32)


def frechet_distance(features_a, features_b) -> float:
    """The Fréchet distance between Gaussians fitted to the rows of features_a (n × width) and
    features_b (m × width): ‖μa − μb‖² + tr(Σa + Σb − 2 (Σa Σb)^½), FID when the features are a
    classifier's. Both sets need at least 2 rows; values are taken as float32 (the C ABI's
    type), the moments and square roots are computed in double (vg_frechet_distance_of_features)."""
    a, b = _matrix(features_a, "features_a", integers=True), _matrix(features_b, "features_b", integers=True)
    if a.shape[1] != b.shape[1]:
        _fail(_lib.ERROR_SHAPE_MISMATCH,
              f"features_a has rows of {a.shape[1]} values, features_b of {b.shape[1]}; both need one width")
    distance = ctypes.c_double()
    _check(_c.vg_frechet_distance_of_features(ctypes.byref(distance), _floats(a), a.shape[0], _floats(b), b.shape[0],
                                              a.shape[1]))
    return distance.value


def read_metadata(path: str | os.PathLike) -> dict:
    """The `__metadata__` map (strings to strings) of a safetensors file, read from its JSON
    header alone, without the tensors and without the library: a checkpoint's or weights-only
    file's configuration and specs (docs/checkpoint-format.md). IOError_ for a file that is not
    safetensors."""
    with open(path, "rb") as file:
        prefix = file.read(8)
        length = struct.unpack("<Q", prefix)[0] if len(prefix) == 8 else -1
        text = file.read(length) if 0 <= length <= 100_000_000 else b""
    try:
        header = json.loads(text)
    except ValueError:
        header = None
    if not isinstance(header, dict) or len(text) != length:
        _fail(_lib.ERROR_IO, f"{os.fspath(path)}: not a safetensors file (no JSON header of {length} bytes)")
    return dict(header.get("__metadata__", {}))


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


_ARCHITECTURES = ("mlp", "conv")


class Model:
    """One β-VAE, GAN or VAE-GAN with its training state. Create with Model.vae(),
    Model.gan(), Model.vaegan() or Model.load()."""

    def __init__(self, handle: ctypes.c_void_p):
        # Private: use the class methods.
        self._handle = handle
        self._progress = None  # the ctypes callback while fit runs (kept alive here)
        self.stop_training = False
        self.history = None
        kind, width = ctypes.c_int32(), ctypes.c_int64()
        _check(_c.vg_model_kind_of(handle, ctypes.byref(kind)))
        self.kind = _lib.KIND_NAMES[kind.value]
        _check(_c.vg_model_input_width(handle, ctypes.byref(width)))
        self.input_width = width.value
        _check(_c.vg_model_latent_width(handle, ctypes.byref(width)))
        self.latent_width = width.value
        _check(_c.vg_model_batch_size(handle, ctypes.byref(width)))
        self.batch_size = width.value

    # ---------------------------------------------------------------- creation

    @classmethod
    def _create(cls, kind: int, overrides: dict) -> "Model":
        architecture = overrides.pop("architecture", None)
        networks = overrides.pop("networks", None)
        config = _config(kind, overrides)
        handle = ctypes.c_void_p()
        if architecture is not None and networks is not None:
            raise TypeError("give architecture= or networks=, not both")
        if architecture is not None:
            if architecture not in _ARCHITECTURES:
                raise ValueError(f"architecture must be one of {', '.join(_ARCHITECTURES)}, not {architecture!r}")
            _check(_c.vg_model_create_with_architecture(ctypes.byref(handle), ctypes.byref(config),
                                                        architecture.encode()))
        elif networks is not None:
            text = networks if isinstance(networks, str) else json.dumps(networks)
            _check(_c.vg_model_create_with_networks(ctypes.byref(handle), ctypes.byref(config), text.encode()))
        else:
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
        latent_width=8, encoder_widths=[128], likelihood="gaussian", beta=4, seed=1.
        architecture="conv" uses the convolutional preset for 1 × 28 × 28 images instead of
        the widths (`vaegan spec --model vae --architecture conv` prints it); networks= takes
        a spec (a dict or JSON text, that form) for some or all parts."""
        return cls._create(_lib.MODEL_VAE, overrides)

    @classmethod
    def gan(cls, **overrides) -> "Model":
        """A GAN: the library's defaults (Model.defaults("gan")) with vg_config fields
        overridden by keyword. The generator's hidden widths are `decoder_widths`.
        architecture="conv": the DCGAN generator and discriminator for 28×28; networks= as for
        vae()."""
        return cls._create(_lib.MODEL_GAN, overrides)

    @classmethod
    def vaegan(cls, **overrides) -> "Model":
        """A VAE-GAN: the library's defaults (Model.defaults("vaegan")) with vg_config fields
        overridden by keyword; architecture="conv" for the conv encoder, decoder and DCGAN
        discriminator."""
        return cls._create(_lib.MODEL_VAEGAN, overrides)

    @classmethod
    def load(cls, path: str | os.PathLike, weights: str = "raw") -> "Model":
        """A model from a checkpoint written by save() or `vaegan train` (the whole training
        state), or from a weights-only file (save(weights_only=True), `vaegan export`, or one
        written by other tools: docs/checkpoint-format.md), which trains on from fresh
        optimizer state.

        weights: "raw", the last iterate (what training continues from), or "ema", the file's
        average of the generator (GAN) or decoder (VAE-GAN) with its batch-norm statistics
        re-estimated: what `vaegan sample` and `vaegan eval` use by default for a run trained
        with --ema-decay, so sample() and decode() give their samples. A file without an
        average is refused with "ema" (InvalidArgumentError)."""
        loaders = {"raw": _c.vg_model_load, "ema": _c.vg_model_load_averaged}
        if weights not in loaders:
            raise ValueError(f'weights must be "raw" or "ema", not {weights!r}')
        handle = ctypes.c_void_p()
        _check(loaders[weights](ctypes.byref(handle), os.fsencode(path)))
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

    def fit(self, x, epochs: int = 1, batch_size: int | None = None, validation_data=None, verbose="auto",
            callbacks=None, steps: int | None = None) -> History:
        """Trains on the rows of x like Keras's Model.fit and returns a History.

        x: (n, input_width) floats in the model's range (images (n, 28, 28) or (n, 1, 28, 28)
        are flattened); each epoch is a fresh shuffle in batches of the model's batch size.
        epochs: a positive integer. batch_size: the model's (fixed when it is created:
        Model.vae(batch_size=64)); another value is a ValueError. validation_data: rows (or an
        (x, y) pair, y ignored) evaluated after each epoch (evaluate()), logged with a "val_"
        prefix. verbose: 0 silent, 1 a progress bar, 2 one line per epoch, "auto" (default) 1 on
        a terminal and 2 otherwise. callbacks: vaegan.Callback objects (Keras's hooks).
        steps: train this many optimizer steps (one pass of progress) instead of epochs.

        Ctrl-C stops at the next step boundary, keeps the steps taken and raises
        KeyboardInterrupt; the model stays usable and model.history holds the finished epochs.
        Bad arguments raise TypeError (epochs=1.5, x of strings or integers) or ValueError
        (epochs=0, x of the wrong width: ShapeMismatchError, values out of range:
        InvalidArgumentError).

            history = model.fit(x, epochs=10, validation_data=x_test)
            history.history["val_nelbo"]
        """
        handle = self._live()
        if steps is not None:
            steps = check_count(steps, "steps")
            epochs = 1
        else:
            epochs = check_count(epochs, "epochs")
        if batch_size is not None and check_count(batch_size, "batch_size") != self.batch_size:
            raise ValueError(f"batch_size is fixed when a model is created; this one trains in batches of "
                             f"{self.batch_size}, not {batch_size} (create it with batch_size={batch_size})")
        if verbose == "auto":
            verbose = 1 if sys.stdout.isatty() else 2
        if verbose not in (0, 1, 2) or isinstance(verbose, bool):
            raise ValueError(f"verbose must be 0, 1, 2 or 'auto', not {verbose!r}")
        callbacks = list(callbacks or [])
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be vaegan.Callback objects, not {type(callback).__name__}")
        x = self._rows(x, "x")
        validation = None
        if validation_data is not None:
            if isinstance(validation_data, tuple):
                validation_data = validation_data[0]
            validation = self._rows(validation_data, "validation_data")
        rows = x.shape[0]
        steps_per_epoch = steps if steps is not None else -(-rows // self.batch_size)

        on_step_now = [None]

        def progress(context, epoch, step, count, loss):
            return 1 if on_step_now[0](step, loss) else 0

        def train_epoch(on_step):
            on_step_now[0] = on_step
            if steps is not None:
                status = _c.vg_model_train_steps(handle, _floats(x), rows, x.shape[1], steps)
            else:
                status = _c.vg_model_train(handle, _floats(x), rows, x.shape[1], 1)
            if status == _lib.CANCELLED:
                return None
            _check(status)
            logs = self.metrics
            logs.pop("steps", None)
            return logs

        def evaluate():
            if validation is None:
                return {}
            return {f"val_{name}": value for name, value in self.evaluate(validation).items()}

        self._progress = _lib.ProgressCallback(progress)
        _check(_c.vg_model_set_progress_callback(handle, self._progress, None))
        try:
            return run_fit(self, epochs, steps_per_epoch, train_epoch, evaluate, callbacks, verbose)
        finally:
            _c.vg_model_set_progress_callback(handle, _lib.ProgressCallback(), None)
            self._progress = None

    def request_stop(self) -> None:
        """Asks a fit running on another thread to stop before its next step (vg_model_request_stop);
        that fit then raises KeyboardInterrupt. A request made while nothing trains stops the next
        training call at once."""
        _check(_c.vg_model_request_stop(self._live()))

    def _rows(self, values, name: str) -> np.ndarray:
        """Data rows for this model: floats, (n, input_width) (images flattened), checked here
        so the error names the argument."""
        array = _matrix(values, name, width=self.input_width)
        if array.shape[1] != self.input_width:
            _fail(_lib.ERROR_SHAPE_MISMATCH, f"{name} has rows of {array.shape[1]} values; the {self.kind} model "
                                             f"takes rows of {self.input_width}")
        return array

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

    def evaluate(self, x) -> dict:
        """Figures over rows the model does not train on (vg_model_evaluate), without "eval_":
        β-VAE nelbo, reconstruction, kl, active_units (β = 1, fixed noise); GAN d_real (mean
        D(x)); VAE-GAN kl and reconstruction (½‖x − Dec(μ)‖²), nats per example."""
        x = self._rows(x, "x")
        m = _lib.Metrics()
        m.size = ctypes.sizeof(m)
        _check(_c.vg_model_evaluate(self._live(), ctypes.byref(m), _floats(x), x.shape[0], x.shape[1]))
        result = {}
        for name, _ in _lib.Metrics._fields_[4:]:
            value = getattr(m, name)
            if not math.isnan(value):
                result[name.removeprefix("eval_")] = value
        return result

    # ---------------------------------------------------------------- weights

    def _tensor_infos(self) -> list[tuple[str, tuple[int, ...]]]:
        handle = self._live()
        count = ctypes.c_int64()
        _check(_c.vg_model_tensor_count(handle, ctypes.byref(count)))
        infos = []
        name, rank = ctypes.c_char_p(), ctypes.c_int64()
        shape = (ctypes.c_int64 * _lib.MAX_TENSOR_RANK)()
        for i in range(count.value):
            _check(_c.vg_model_tensor_info(handle, ctypes.byref(name), ctypes.byref(rank), shape, i))
            infos.append((name.value.decode(), tuple(shape[:rank.value])))
        return infos

    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """The weights (and batch norms' running statistics) as numpy arrays (copies) under the
        names and shapes of the checkpoints and of PyTorch: "decoder.0.weight" (out, in), a conv
        weight (out, in, kh, kw), a transposed conv's (in, out, kh, kw). No optimizer state."""
        handle = self._live()
        state = OrderedDict()
        for name, shape in self._tensor_infos():
            array = np.empty(shape, dtype=np.float32)
            _check(_c.vg_model_get_tensor(handle, _floats(array), array.size, name.encode()))
            state[name] = array
        return state

    def load_state_dict(self, state_dict, strict: bool = True) -> None:
        """Sets weights from arrays (numpy, or anything np.asarray takes: lists, CPU torch
        tensors) by name, as PyTorch's load_state_dict does. strict (default): the names must be
        exactly the model's (ValueError listing the missing and unexpected ones); otherwise the
        model's tensors that are given are set and unknown names are ignored. Every array is
        checked (shape: ShapeMismatchError, NaN: NonFiniteError, both ValueErrors) before any
        weight changes. Optimizer state is left as it is."""
        handle = self._live()
        shapes = dict(self._tensor_infos())
        given = dict(state_dict)
        missing = [name for name in shapes if name not in given]
        unexpected = [name for name in given if name not in shapes]
        if strict and (missing or unexpected):
            raise ValueError(f"load_state_dict: missing {missing or 'none'}, unexpected {unexpected or 'none'}")
        arrays = {}
        for name, value in given.items():
            if name not in shapes:
                continue
            if hasattr(value, "detach") and hasattr(value, "cpu"):
                value = value.detach().cpu().numpy()
            array = np.ascontiguousarray(value, dtype=np.float32)
            if array.shape != shapes[name]:
                _fail(_lib.ERROR_SHAPE_MISMATCH, f"load_state_dict: tensor '{name}' has shape {list(shapes[name])}; "
                                                 f"the array given has shape {list(array.shape)}")
            if not np.isfinite(array).all():
                index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
                _fail(_lib.ERROR_NON_FINITE, f"load_state_dict: '{name}' holds {array[index]} at {list(index)}")
            arrays[name] = array
        for name, array in arrays.items():
            shape = (ctypes.c_int64 * array.ndim)(*array.shape)
            _check(_c.vg_model_set_tensor(handle, name.encode(), _floats(array), shape, array.ndim))

    def weights_metadata(self) -> dict:
        """The metadata a weights-only file of this model holds (save(weights_only=True):
        configuration, `<part>_spec`, `<part>_output_type`; docs/checkpoint-format.md), as
        strings. It is read back from such a file written to a temporary directory."""
        with tempfile.TemporaryDirectory(prefix="vaegan-") as directory:
            path = os.path.join(directory, "weights.safetensors")
            self.save(path, weights_only=True)
            return read_metadata(path)

    @property
    def networks(self) -> dict:
        """Each part's network spec, {"encoder": {"input": [784], "layers": [...]}, ...}: the
        form networks= takes and `vaegan spec` prints (from weights_metadata())."""
        metadata = self.weights_metadata()
        return {key[:-len("_spec")]: json.loads(value) for key, value in metadata.items() if key.endswith("_spec")}

    # ---------------------------------------------------------------- inference

    def encode(self, x) -> tuple[np.ndarray, np.ndarray]:
        """(mu, logvar), each (n, latent_width): q(z | x) for each row of x."""
        x = self._rows(x, "x")
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
        x = self._rows(x, "x")
        out = np.empty((x.shape[0], self.input_width), dtype=np.float32)
        _check(_c.vg_model_reconstruct(self._live(), _floats(out), _floats(x), x.shape[0], x.shape[1]))
        return out

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """n samples, (n, input_width): z ~ N(0, I) from `seed`, decoded. Same seed, same samples."""
        n = check_count(n, "n")
        out = np.empty((n, self.input_width), dtype=np.float32)
        _check(_c.vg_model_sample(self._live(), _floats(out), out.size, n, seed))
        return out

    # ---------------------------------------------------------------- checkpoints

    def save(self, path: str | os.PathLike, weights_only: bool = False) -> None:
        """Writes the whole training state as a safetensors file (atomically), or with
        weights_only=True the weights, configuration and architecture spec alone (format
        "vaegan-weights-1": docs/checkpoint-format.md), what `vaegan export` writes."""
        save = _c.vg_model_save_weights if weights_only else _c.vg_model_save
        _check(save(self._live(), os.fsencode(path)))


from . import torch_interop  # noqa: E402  (imports torch only when its functions are called)
