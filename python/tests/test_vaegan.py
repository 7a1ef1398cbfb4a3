"""The Python bindings end to end: training, inference, checkpoints, errors, and a checkpoint
read by the `safetensors` package and decoded again in plain numpy."""
import ctypes
import math

import numpy as np
import pytest
import safetensors.numpy  # required (pip install safetensors): the interop test needs it

import vaegan
from vaegan import Model, VAEGANError

WIDTH = 64


@pytest.fixture(scope="module")
def data():
    """256 rows of 64 values in [0, 1]: four 8×8 stripe patterns plus noise."""
    rng = np.random.default_rng(0)
    grid = np.arange(WIDTH)
    patterns = np.stack([
        (grid // 8) % 2, (grid % 8) // 2 % 2, ((grid // 8 + grid % 8) // 3) % 2, (grid % 3 == 0),
    ]).astype(np.float32)
    x = 0.9 * patterns[np.arange(256) % 4] + 0.1 * rng.random((256, WIDTH), dtype=np.float32)
    return x.astype(np.float32)


def small_vae(**overrides):
    settings = dict(input_width=WIDTH, latent_width=4, encoder_widths=[32], decoder_widths=[32, 48],
                    batch_size=32, seed=3)
    settings.update(overrides)
    return Model.vae(**settings)


@pytest.fixture(scope="module")
def trained(data):
    model = small_vae()
    model.fit(data, epochs=2)
    yield model
    model.close()


def test_version():
    assert vaegan.version().count(".") == 2


def test_fit_reports_metrics(trained):
    m = trained.metrics
    assert trained.kind == "vae"
    assert m["epoch"] == 2 and m["steps"] == 16
    for name in ("loss", "reconstruction", "kl", "eval_nelbo", "active_units"):
        assert math.isfinite(m[name]), name
    assert "d_loss" not in m  # figures a β-VAE does not have are left out


def test_fit_steps_continues_training(data):
    with small_vae() as model:
        model.fit(data, steps=3)
        assert model.metrics["steps"] == 3 and model.metrics["epoch"] == 0
        assert "eval_nelbo" not in model.metrics
        model.fit(data, epochs=1)
        assert model.metrics["steps"] == 3 + 8 and model.metrics["epoch"] == 1


def test_warmup_scales_beta(data):
    with small_vae(warmup_epochs=2, beta=1.0) as model:
        model.fit(data, epochs=1)
        assert 0 < model.metrics["beta"] < 0.5  # β rises from 0 to 0.5 over the first epoch
        model.fit(data, epochs=2)
        assert model.metrics["beta"] == 1.0  # warm-up over


def test_loss_falls(data):
    with small_vae() as model:
        model.fit(data, epochs=1)
        first = model.metrics["loss"]
        model.fit(data, epochs=4)
        assert model.metrics["loss"] < first


def test_sample_shapes_and_seed(trained):
    a = trained.sample(5, seed=11)
    assert a.shape == (5, WIDTH) and a.dtype == np.float32
    assert np.all((a >= 0) & (a <= 1))
    assert np.array_equal(a, trained.sample(5, seed=11))
    assert not np.array_equal(a, trained.sample(5, seed=12))


def test_encode_decode_reconstruct(trained, data):
    x = data[:100]  # more rows than a batch (32): chunked inside
    mu, logvar = trained.encode(x)
    assert mu.shape == (len(x), 4) and logvar.shape == (len(x), 4)
    decoded = trained.decode(mu)
    assert decoded.shape == (len(x), WIDTH)
    assert np.array_equal(decoded, trained.reconstruct(x))
    # float64 and non-contiguous inputs are converted
    assert np.array_equal(trained.decode(np.asfortranarray(mu.astype(np.float64))), decoded)


def test_save_load_round_trip(trained, data, tmp_path):
    path = tmp_path / "vae.safetensors"
    trained.save(path)
    with Model.load(path) as loaded:
        assert (loaded.kind, loaded.input_width, loaded.latent_width) == ("vae", WIDTH, 4)
        z = np.random.default_rng(5).standard_normal((7, 4)).astype(np.float32)
        assert np.array_equal(loaded.decode(z), trained.decode(z))
        assert np.array_equal(loaded.sample(3, seed=2), trained.sample(3, seed=2))
        assert np.array_equal(loaded.encode(data[:9])[0], trained.encode(data[:9])[0])


def test_training_resumes_exactly(data, tmp_path):
    """Training state (weights, Adam moments, generators) survives save/load: one epoch after
    loading equals one epoch without the round trip."""
    with small_vae() as a, small_vae() as b:
        a.fit(data, epochs=1)
        b.fit(data, epochs=1)
        a.save(tmp_path / "a.safetensors")
        with Model.load(tmp_path / "a.safetensors") as c:
            c.fit(data, epochs=1)
            b.fit(data, epochs=1)
            z = np.zeros((1, 4), dtype=np.float32)
            assert np.array_equal(c.decode(z), b.decode(z))
            assert c.metrics["loss"] == b.metrics["loss"]


def test_gan_and_vaegan(data):
    with Model.gan(input_width=WIDTH, latent_width=8, decoder_widths=[32], discriminator_widths=[32],
                   batch_size=32) as gan:
        gan.fit(data, epochs=1)
        assert {"d_loss", "g_loss", "d_real", "d_fake"} <= gan.metrics.keys()
        assert gan.sample(4).shape == (4, WIDTH)
        with pytest.raises(VAEGANError) as error:
            gan.encode(data[:2])
        assert error.value.status == vaegan._lib.ERROR_WRONG_MODEL
    with Model.vaegan(input_width=WIDTH, latent_width=4, encoder_widths=[32], decoder_widths=[32],
                      discriminator_widths=[32, 16], batch_size=32) as model:
        model.fit(data, epochs=1)
        assert {"prior", "llike", "gan"} <= model.metrics.keys()
        assert model.reconstruct(data[:3]).shape == (3, WIDTH)


def test_errors(trained, data):
    with pytest.raises(VAEGANError) as error:
        trained.encode(data[:, :WIDTH - 1])  # wrong width
    assert error.value.status == vaegan._lib.ERROR_SHAPE_MISMATCH
    assert error.value.status_name == "shape mismatch"
    assert "takes rows of 64" in error.value.message and "63" in error.value.message

    bad = data.copy()
    bad[3, 5] = np.nan
    with pytest.raises(VAEGANError) as error:
        trained.fit(bad)
    assert error.value.status == vaegan._lib.ERROR_NON_FINITE and "x[3, 5]" in error.value.message

    with pytest.raises(VAEGANError) as error:
        trained.fit(data * 2)  # outside [0, 1] for the Bernoulli likelihood
    assert error.value.status == vaegan._lib.ERROR_INVALID_ARGUMENT

    with pytest.raises(VAEGANError) as error:
        small_vae(beta=-1)
    assert "β" in error.value.message

    with pytest.raises(VAEGANError) as error:
        trained.decode(np.zeros(4, dtype=np.float32))  # 1-D
    assert error.value.status == vaegan._lib.ERROR_SHAPE_MISMATCH

    with pytest.raises(VAEGANError) as error:
        Model.load("/nonexistent/model.safetensors")
    assert error.value.status == vaegan._lib.ERROR_IO

    with pytest.raises(TypeError):
        Model.vae(latent=3)  # not a vg_config field

    model = small_vae()
    model.close()
    model.close()  # twice is fine
    with pytest.raises(VAEGANError) as error:
        model.sample(1)
    assert error.value.status == vaegan._lib.ERROR_STATE


def test_metrics_before_training_is_a_state_error():
    with small_vae() as model:
        with pytest.raises(VAEGANError) as error:
            model.metrics
        assert error.value.status == vaegan._lib.ERROR_STATE


def test_checkpoint_decoder_in_numpy(trained, tmp_path):
    """The checkpoint read by the `safetensors` package: the decoder's three Dense layers
    (PyTorch layout, weight [out, in]) with ReLU, ReLU, sigmoid reproduce decode(z)."""
    path = tmp_path / "vae.safetensors"
    trained.save(path)
    tensors = safetensors.numpy.load_file(str(path))
    assert tensors["decoder.0.weight"].shape == (32, 4)
    assert tensors["decoder.2.weight"].shape == (WIDTH, 48)

    z = np.random.default_rng(9).standard_normal((10, 4)).astype(np.float32)
    h = z.astype(np.float64)
    for i, activation in enumerate(["relu", "relu", "sigmoid"]):
        w = tensors[f"decoder.{i}.weight"].astype(np.float64)
        b = tensors[f"decoder.{i}.bias"].astype(np.float64)
        h = h @ w.T + b
        h = np.maximum(h, 0) if activation == "relu" else 1 / (1 + np.exp(-h))
    np.testing.assert_allclose(trained.decode(z), h, rtol=0, atol=1e-5)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_weight_is_refused_at_load(trained, tmp_path, value):
    """A checkpoint edited to hold NaN or infinity in one weight does not load: NON_FINITE,
    the message naming the tensor."""
    path = tmp_path / "vae.safetensors"
    trained.save(path)
    with safetensors.safe_open(str(path), "np") as f:
        metadata = f.metadata()
    tensors = safetensors.numpy.load_file(str(path))
    tensors["decoder.2.bias"][3] = value
    safetensors.numpy.save_file(tensors, str(path), metadata=metadata)
    with pytest.raises(VAEGANError) as error:
        Model.load(path)
    assert error.value.status == vaegan._lib.ERROR_NON_FINITE
    assert "decoder.2.bias" in error.value.message


class _Config01(ctypes.Structure):
    """vg_config of vaegan.h 0.1, before pixel_weight: 344 bytes, as an older caller has it."""

    _fields_ = [f for f in vaegan._lib.Config._fields_ if f[0] != "pixel_weight"]


_GUARD = 64


def _guarded(size: int):
    """A buffer of `size` bytes followed by _GUARD guard bytes, all 0xA5."""
    buffer = (ctypes.c_uint8 * (size + _GUARD))(*([0xA5] * (size + _GUARD)))
    return buffer, ctypes.cast(buffer, ctypes.POINTER(vaegan._lib.Config))


def test_config_struct_is_the_librarys_newest():
    """The bindings' vg_config is accepted, and nothing larger is: it is the library's layout."""
    lib, config = vaegan._c, vaegan._lib.Config()
    assert lib.vg_config_init(ctypes.byref(config), ctypes.sizeof(config), vaegan._lib.MODEL_VAE) == vaegan._lib.OK
    buffer, pointer = _guarded(ctypes.sizeof(config) + 8)
    assert lib.vg_config_init(pointer, ctypes.sizeof(config) + 8, vaegan._lib.MODEL_VAE) == vaegan._lib.ERROR_INVALID_ARGUMENT


def test_old_config_size_is_written_and_read_within_its_bytes():
    lib = vaegan._c
    assert ctypes.sizeof(_Config01) == 344
    buffer, pointer = _guarded(344)
    assert lib.vg_config_init(pointer, 344, vaegan._lib.MODEL_VAEGAN) == vaegan._lib.OK
    assert bytes(buffer[344:]) == b"\xa5" * _GUARD, "vg_config_init wrote past the caller's 344 bytes"
    old = ctypes.cast(buffer, ctypes.POINTER(_Config01)).contents
    assert old.size == 344 and old.kind == vaegan._lib.MODEL_VAEGAN and old.gating == 1
    old.input_width, old.latent_width, old.batch_size = 16, 3, 4
    for name in ("encoder", "decoder", "discriminator"):
        getattr(old, f"{name}_widths")[0] = 8
        setattr(old, f"{name}_layers", 1)
    old.feature_layer = 0
    handle = ctypes.c_void_p()
    status = lib.vg_model_create(ctypes.byref(handle), pointer)
    assert status == vaegan._lib.OK, lib.vg_last_error_message()
    with Model(handle) as model:
        assert model.kind == "vaegan" and model.input_width == 16 and model.latent_width == 3
        assert np.all(np.isfinite(model.sample(2, seed=1)))


@pytest.mark.parametrize("size", [0, 8, 343, 348, 353])
def test_invalid_config_sizes_are_refused(size):
    lib = vaegan._c
    buffer, pointer = _guarded(344)
    assert lib.vg_config_init(pointer, size, vaegan._lib.MODEL_VAE) == vaegan._lib.ERROR_INVALID_ARGUMENT
    assert bytes(buffer) == b"\xa5" * (344 + _GUARD), "a refused vg_config_init wrote"
    config = vaegan._lib.Config()
    lib.vg_config_init(ctypes.byref(config), ctypes.sizeof(config), vaegan._lib.MODEL_VAE)
    config.size = size
    handle = ctypes.c_void_p()
    assert lib.vg_model_create(ctypes.byref(handle), ctypes.byref(config)) == vaegan._lib.ERROR_INVALID_ARGUMENT
    assert b"config->size" in lib.vg_last_error_message() and not handle


def test_defaults_come_from_the_library():
    """Model.defaults reads vg_config_init: the kinds' own values, the chosen kind's where
    kinds share a field, and a model built from them has those widths."""
    vae, gan, vaegan_ = Model.defaults("vae"), Model.defaults("gan"), Model.defaults("vaegan")
    assert (vae["latent_width"], gan["latent_width"], vaegan_["latent_width"]) == (32, 64, 32)
    assert math.isclose(vae["learning_rate"], 1e-3, rel_tol=1e-6)
    assert math.isclose(gan["learning_rate"], 2e-4, rel_tol=1e-6)
    assert math.isclose(vaegan_["learning_rate"], 3e-4, rel_tol=1e-6)
    assert vae["encoder_widths"] == [512, 256] and gan["decoder_widths"] == [256, 512]
    assert gan["objective"] == "nonsaturating" and vaegan_["objective"] == "minimax"
    # One Gaussian σ for the tool, the C ABI and Python (Likelihood.defaultGaussianSigma).
    assert math.isclose(vae["sigma"], 0.1, rel_tol=1e-6)
    with pytest.raises(VAEGANError):
        Model.defaults("classifier")
