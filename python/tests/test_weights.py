"""Weights as arrays and weights-only files: state_dict() under the checkpoints' PyTorch names
and shapes, load_state_dict() with PyTorch's strictness and our checks, save(weights_only=True)
read back by Model.load and by the safetensors package, and the conv presets."""
import json

import numpy as np
import pytest
import safetensors.numpy

import vaegan
from vaegan import Model

WIDTH = 64


def small_gan(**overrides):
    settings = dict(input_width=WIDTH, latent_width=4, decoder_widths=[16], discriminator_widths=[16, 8],
                    batch_size=16, seed=5)
    settings.update(overrides)
    return Model.gan(**settings)


@pytest.fixture(scope="module")
def data():
    return np.random.default_rng(4).random((64, WIDTH), dtype=np.float32)


def test_state_dict_names_and_shapes_are_the_checkpoints(tmp_path):
    with small_gan() as gan:
        state = gan.state_dict()
        assert list(state)[:2] == ["generator.0.weight", "generator.0.bias"]
        assert state["generator.0.weight"].shape == (16, 4) and state["discriminator.2.weight"].shape == (1, 8)
        gan.save(tmp_path / "gan.safetensors")
        stored = safetensors.numpy.load_file(str(tmp_path / "gan.safetensors"))
        for name, array in state.items():
            np.testing.assert_array_equal(stored[name], array)
        state["generator.0.weight"][:] = 0  # a copy: the model is unchanged
        assert np.any(gan.state_dict()["generator.0.weight"] != 0)


def test_load_state_dict_moves_weights_between_models(data):
    with small_gan(seed=1) as a, small_gan(seed=2) as b:
        a.fit(data, epochs=1, verbose=0)
        assert not np.array_equal(a.sample(3, seed=7), b.sample(3, seed=7))
        b.load_state_dict(a.state_dict())
        np.testing.assert_array_equal(a.sample(3, seed=7), b.sample(3, seed=7))
        b.fit(data, epochs=1, verbose=0)  # trains on with its own optimizer state


def test_load_state_dict_errors(data):
    with small_gan() as gan:
        state = gan.state_dict()
        before = gan.sample(2, seed=1)
        with pytest.raises(ValueError, match="unexpected.*generator.9.weight"):
            gan.load_state_dict({**state, "generator.9.weight": np.zeros(3)})
        missing = dict(state)
        del missing["generator.0.bias"]
        with pytest.raises(ValueError, match="missing.*generator.0.bias"):
            gan.load_state_dict(missing)
        gan.load_state_dict({"generator.0.bias": state["generator.0.bias"], "other": 1}, strict=False)
        with pytest.raises(vaegan.ShapeMismatchError, match=r"\[16, 4\].*\[4, 16\]"):
            gan.load_state_dict({**state, "generator.0.weight": state["generator.0.weight"].T})
        bad = dict(state)
        bad["discriminator.0.bias"] = np.full(16, np.nan, dtype=np.float32)
        with pytest.raises(ValueError, match="nan"):
            gan.load_state_dict(bad)
        # Refused dicts changed nothing, even the tensors before the bad one.
        np.testing.assert_array_equal(gan.sample(2, seed=1), before)


def test_weights_only_file_round_trip(tmp_path, data):
    path = tmp_path / "vae-weights.safetensors"
    with Model.vae(input_width=WIDTH, latent_width=4, encoder_widths=[16], decoder_widths=[16], batch_size=16) as vae:
        vae.fit(data, epochs=1, verbose=0)
        vae.save(path, weights_only=True)
        expected = vae.sample(4, seed=3)
        names = set(vae.state_dict())
    stored = safetensors.numpy.load_file(str(path))
    assert set(stored) == names  # weights only: no optimizer tensors
    with Model.load(path) as again:
        np.testing.assert_array_equal(again.sample(4, seed=3), expected)
        again.fit(data, epochs=1, verbose=0)  # fresh optimizer state
        assert again.metrics["steps"] == 4


def test_weights_only_metadata_names_outputs(tmp_path):
    from safetensors import safe_open
    with small_gan() as gan:
        gan.save(tmp_path / "g.safetensors", weights_only=True)
    with safe_open(str(tmp_path / "g.safetensors"), "np") as f:
        metadata = f.metadata()
    assert metadata["format"] == "vaegan-weights-1" and metadata["model"] == "gan"
    assert metadata["generator_output_type"] == "probabilities" and metadata["discriminator_output_type"] == "logits"
    spec = json.loads(metadata["generator_spec"])
    assert spec["input"] == [4] and spec["layers"][-1]["activation"] == "sigmoid"
    assert "optimizer.generator.step" not in metadata and "rng" not in metadata


def test_conv_architecture():
    with Model.gan(architecture="conv", batch_size=4) as gan:
        state = gan.state_dict()
        assert state["generator.4.weight"].shape == (128, 64, 4, 4)  # ConvTranspose2d(128, 64, 4)
        assert state["discriminator.0.weight"].shape == (64, 1, 4, 4)  # Conv2d(1, 64, 4)
        assert "generator.1.running_mean" in state  # batch norm's statistics travel too
        assert gan.sample(2).shape == (2, 784)
    with Model.vae(architecture="conv", latent_width=8, batch_size=4) as vae:
        assert vae.state_dict()["encoder.0.weight"].shape == (32, 1, 4, 4)
    with pytest.raises(ValueError, match="architecture"):
        Model.gan(architecture="resnet")
    with pytest.raises(vaegan.ShapeMismatchError):
        Model.gan(architecture="conv", input_width=64)


def test_networks_and_read_metadata(tmp_path):
    with Model.gan(architecture="conv") as conv:
        networks = conv.networks
        assert set(networks) == {"generator", "discriminator"}
        assert networks["generator"]["input"] == [64] and networks["discriminator"]["input"] == [1, 28, 28]
        assert networks["generator"]["layers"][0] == {"type": "dense", "width": 6272, "activation": "identity"}
        metadata = conv.weights_metadata()
        assert metadata["format"] == "vaegan-weights-1" and metadata["data_width"] == "784"
        assert metadata["discriminator_output_type"] == "logits"
        conv.save(tmp_path / "full.safetensors")
        full = vaegan.read_metadata(tmp_path / "full.safetensors")
        assert full["format"] == "vaegan-checkpoint-1" and json.loads(full["generator_spec"]) == networks["generator"]
    (tmp_path / "not.safetensors").write_bytes(b"\x05\x00\x00\x00\x00\x00\x00\x00{oops")
    with pytest.raises(OSError, match="not a safetensors file"):
        vaegan.read_metadata(tmp_path / "not.safetensors")


def test_load_with_the_average_samples_the_averaged_generator(tmp_path):
    """weights="ema" puts the file's ema.<name> tensors in place of the generator's (what
    `vaegan sample` uses by default); this generator has no batch norm, so nothing is
    re-estimated and its samples are exactly those of a file holding the averages as weights."""
    plain = tmp_path / "gan.safetensors"
    with small_gan() as gan:
        gan.save(plain)
    stored = safetensors.numpy.load_file(str(plain))
    with safetensors.safe_open(str(plain), "np") as f:
        metadata = f.metadata()
    moved = {name: value + np.float32(0.05) for name, value in stored.items() if name.startswith("generator.")}
    averaged = tmp_path / "gan-ema.safetensors"
    safetensors.numpy.save_file({**stored, **{"ema." + n: v for n, v in moved.items()}}, str(averaged),
                                metadata={**metadata, "ema_decay": "0.99", "ema_updates": "10"})
    as_weights = tmp_path / "gan-moved.safetensors"
    safetensors.numpy.save_file({**stored, **moved}, str(as_weights), metadata=metadata)

    with Model.load(averaged, weights="ema") as a, Model.load(as_weights) as b, Model.load(averaged) as raw:
        np.testing.assert_array_equal(a.sample(32, seed=1), b.sample(32, seed=1))
        np.testing.assert_array_equal(a.state_dict()["generator.0.weight"], moved["generator.0.weight"])
        assert not np.array_equal(raw.sample(32, seed=1), a.sample(32, seed=1))
    with pytest.raises(vaegan.InvalidArgumentError, match="keeps no averaged weights"):
        Model.load(plain, weights="ema")
    with pytest.raises(ValueError, match="raw"):
        Model.load(plain, weights="average")
