"""PyTorch both ways (vaegan.torch_interop): to_torch builds each preset's networks (MLP and
conv, of all three kinds) as torch modules whose outputs agree with the library's within 1e-5
(decoder and generator on fixed z, encoder μ and log σ², discriminator logits; batch norms in
evaluation mode with non-trivial running statistics); vaegan → torch → vaegan is bit-exact on
every tensor; a plain nn.Sequential(Linear, ReLU, …) and its state dict load by position.

Needs torch. Where it is not importable these tests are skipped with the reason printed in the
summary (conftest.py). scripts/install-dependencies.sh, which CI runs, does not install torch
(too big for what it checks), so CI reports them as skipped; `pip install torch` to run them.
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vaegan
from vaegan import Model
from vaegan.torch_interop import from_torch, module_from_spec, to_torch, torch_names

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch interop tests: torch is not importable "
                                                       "(pip install torch to run them; CI does not install it)")
FIXTURES = Path(__file__).resolve().parents[2] / "Tests" / "VAEGANTests" / "Fixtures"
PRESETS = [(kind, architecture) for kind in ("vae", "gan", "vaegan") for architecture in ("mlp", "conv")]
TOLERANCE = 1e-5
ROWS = 6


def preset(kind, architecture, seed=3):
    """A preset model with batch-norm tensors set away from their initial values (γ = 1, β = 0,
    mean 0, variance 1 would hide a wrong formula) and small latent and batch sizes."""
    model = getattr(Model, kind)(architecture=architecture, batch_size=8, latent_width=8, seed=seed)
    rng = np.random.default_rng(seed)
    state = model.state_dict()
    changed = {}
    for name, array in state.items():
        if ".running_var" in name:
            changed[name] = rng.uniform(0.5, 2.0, array.shape).astype(np.float32)
        elif ".running_mean" in name:
            changed[name] = rng.normal(0, 0.3, array.shape).astype(np.float32)
        elif ".num_batches_tracked" in name:
            changed[name] = np.array([11], dtype=np.float32)
        elif name.endswith(".weight") and name[:-len("weight")] + "running_mean" in state:  # a batch norm's γ
            changed[name] = rng.uniform(0.5, 1.5, array.shape).astype(np.float32)
        elif name.endswith(".bias") and name[:-len("bias")] + "running_mean" in state:  # its β
            changed[name] = rng.normal(0, 0.2, array.shape).astype(np.float32)
    model.load_state_dict(changed, strict=False)
    return model


def as_input(modules, part, rows):
    """Rows shaped as the part's spec takes them: (n, features) or (n, 1, 28, 28)."""
    network = modules[part].body if part == "encoder" else modules[part]
    first = next(m for m in network.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)))
    tensor = torch.from_numpy(rows)
    return tensor.reshape(len(rows), 1, 28, 28) if isinstance(first, torch.nn.Conv2d) else tensor


def discriminator_logits(model, x):
    """The library's D logits, one row at a time: a GAN's evaluate() gives mean D(x) =
    sigmoid(logit), inverted here in double. The VAE-GAN has no such call, so its
    discriminator's spec and weights go into a GAN (the C ABI has no D forward of its own)."""
    if model.kind == "vaegan":
        spec = model.networks["discriminator"]
        gan = Model.gan(networks={"discriminator": spec}, latent_width=8, batch_size=8)
        gan.load_state_dict({k: v for k, v in model.state_dict().items() if k.startswith("discriminator.")},
                            strict=False)
        model = gan
    p = np.array([model.evaluate(x[i:i + 1])["d_real"] for i in range(len(x))])
    return np.log(p) - np.log1p(-p)


def max_difference(a, b):
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


@needs_torch
@pytest.mark.parametrize("kind,architecture", PRESETS)
def test_outputs_agree_with_the_library(kind, architecture):
    torch.manual_seed(0)
    with preset(kind, architecture) as model:
        modules = to_torch(model)
        assert not modules.training, "to_torch gives modules in evaluation mode"
        rng = np.random.default_rng(1)
        z = rng.standard_normal((ROWS, model.latent_width)).astype(np.float32)
        x = rng.random((ROWS, model.input_width), dtype=np.float32)
        report = {}
        with torch.no_grad():
            generator = "generator" if kind == "gan" else "decoder"
            out = modules[generator](torch.from_numpy(z)).reshape(ROWS, -1)
            if modules.output_types[generator] == "logits":  # the Bernoulli decoder: decode gives sigmoid
                out = torch.sigmoid(out)
            report[generator] = max_difference(out.numpy(), model.decode(z))
            if "encoder" in modules:
                mu, logvar = modules.encoder(as_input(modules, "encoder", x))
                mu_ours, logvar_ours = model.encode(x)
                report["mu"] = max_difference(mu.numpy(), mu_ours)
                report["logvar"] = max_difference(logvar.numpy(), logvar_ours)
            if "discriminator" in modules:
                assert modules.output_types["discriminator"] == "logits"
                logits = modules.discriminator(as_input(modules, "discriminator", x)).reshape(-1)
                report["discriminator logits"] = max_difference(logits.numpy(), discriminator_logits(model, x))
        print(f"{kind} {architecture}: max |torch - vaegan|:", {k: f"{v:.2e}" for k, v in report.items()})
        assert max(report.values()) < TOLERANCE, report


@needs_torch
@pytest.mark.parametrize("kind,architecture", PRESETS)
def test_round_trip_is_bit_exact(kind, architecture):
    with preset(kind, architecture, seed=1) as source, preset(kind, architecture, seed=2) as target:
        modules = to_torch(source)
        expected = source.state_dict()
        assert any(not np.array_equal(v, target.state_dict()[k]) for k, v in expected.items())
        from_torch(target, modules)
        got = target.state_dict()
        assert list(got) == list(expected)
        for name, array in expected.items():
            assert np.array_equal(got[name], array), name
        again = to_torch(target).state_dict()
        for name, tensor in modules.state_dict().items():
            assert torch.equal(again[name], tensor), name
        # A flat torch state dict (as torch.save would keep it) does the same.
        with preset(kind, architecture, seed=4) as third:
            from_torch(third, modules.state_dict())
            assert all(np.array_equal(third.state_dict()[k], v) for k, v in expected.items())


@needs_torch
def test_torch_names_renumber_fused_activations():
    with Model.vae(input_width=16, latent_width=3, encoder_widths=[8], decoder_widths=[8, 8]) as model:
        names = torch_names(model)
        assert names["decoder.0.weight"] == "decoder.0.weight"
        assert names["decoder.1.weight"] == "decoder.2.weight"  # after ReLU
        assert names["decoder.2.bias"] == "decoder.4.bias"
        assert names["encoder.0.weight"] == "encoder.body.0.weight"
        assert names["mu.weight"] == "encoder.mu.weight" and names["logvar.bias"] == "encoder.logvar.bias"
        assert set(names.values()) == set(to_torch(model).state_dict())
    with Model.gan(architecture="conv") as conv:
        names = torch_names(conv)  # the generator's activations are layers of their own: the same indices
        assert names["generator.5.running_var"] == "generator.5.running_var"
        assert names["generator.7.weight"] == "generator.7.weight"
        assert names["discriminator.1.weight"] == "discriminator.2.weight"  # the first conv's is fused
        assert names["discriminator.5.weight"] == "discriminator.6.weight"


@needs_torch
def test_a_plain_sequential_mlp_and_its_state_dict_load():
    nn = torch.nn
    torch.manual_seed(5)
    decoder = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 12), nn.ReLU(), nn.Linear(12, 16))
    z = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    with torch.no_grad():
        expected = torch.sigmoid(decoder(torch.from_numpy(z))).numpy()
    settings = dict(input_width=16, latent_width=3, encoder_widths=[8], decoder_widths=[8, 12])
    with Model.vae(**settings) as model:
        from_torch(model, {"decoder": decoder})
        assert max_difference(model.decode(z), expected) < TOLERANCE
        assert np.array_equal(model.state_dict()["decoder.1.weight"], decoder[2].weight.detach().numpy())
    with Model.vae(**settings) as model:  # the state dict alone: indices 0, 2, 4 → layers 0, 1, 2
        from_torch(model, {"decoder": decoder.state_dict()})
        assert max_difference(model.decode(z), expected) < TOLERANCE

    generator = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 16), nn.Sigmoid())
    with Model.gan(input_width=16, latent_width=3, decoder_widths=[8], discriminator_widths=[8]) as gan:
        from_torch(gan, {"generator": generator})
        with torch.no_grad():
            assert max_difference(gan.decode(z), generator(torch.from_numpy(z)).numpy()) < TOLERANCE


@needs_torch
def test_a_module_that_computes_something_else_is_refused():
    nn = torch.nn
    relu_generator = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 16), nn.Sigmoid())
    with Model.gan(input_width=16, latent_width=3, decoder_widths=[8], discriminator_widths=[8]) as gan:
        before = gan.state_dict()
        with pytest.raises(ValueError, match=r"ReLU.*LeakyReLU\(0.2\)"):
            from_torch(gan, {"generator": relu_generator})
        with pytest.raises(ValueError, match="2 layers with weights"):
            from_torch(gan, {"generator": nn.Sequential(nn.Linear(3, 16), nn.Sigmoid()).state_dict()})
        with pytest.raises(vaegan.ShapeMismatchError, match=r"generator.2.weight.*\[16, 8\]"):
            from_torch(gan, {"generator": nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 15),
                                                        nn.Sigmoid())})
        with pytest.raises(ValueError, match="unknown part"):
            from_torch(gan, {"decoder": relu_generator})
        for name, array in gan.state_dict().items():  # nothing changed by the refusals
            assert np.array_equal(array, before[name])
        from_torch(gan, {"generator": relu_generator}, strict=False)  # the weights, as asked
        assert np.array_equal(gan.state_dict()["generator.1.bias"], relu_generator[2].bias.detach().numpy())


@needs_torch
def test_learned_sigma_and_the_models_own_names():
    settings = dict(input_width=16, latent_width=3, encoder_widths=[8], decoder_widths=[8],
                    likelihood="gaussian", learn_sigma=True)
    with Model.vae(seed=1, **settings) as source, Model.vae(seed=2, **settings) as target:
        modules = to_torch(source)
        assert modules.log_sigma.shape == (1,) and modules.output_types["decoder"] == "means"
        with torch.no_grad():
            modules.log_sigma.fill_(-1.5)
        from_torch(target, modules)
        assert target.state_dict()["log_sigma"][0] == np.float32(-1.5)
        # The checkpoint's own names (a flat dict of numpy arrays: "encoder.0.weight", "mu.weight").
        with Model.vae(seed=3, **settings) as third:
            from_torch(third, source.state_dict())
            assert all(np.array_equal(third.state_dict()[k], v) for k, v in source.state_dict().items())


@needs_torch
@pytest.mark.parametrize("kind", ["vae", "gan", "vaegan"])
def test_an_old_checkpoint_without_specs(kind):
    """The fixtures predate specs: their MLPs come from the widths."""
    path = FIXTURES / f"{kind}-checkpoint.safetensors"
    assert "decoder_spec" not in vaegan.read_metadata(path) and "generator_spec" not in vaegan.read_metadata(path)
    modules = to_torch(path)
    with Model.load(path) as model:
        z = np.random.default_rng(0).standard_normal((3, model.latent_width)).astype(np.float32)
        part = "generator" if kind == "gan" else "decoder"
        with torch.no_grad():
            out = modules[part](torch.from_numpy(z))
        if modules.output_types[part] == "logits":
            out = torch.sigmoid(out)
        assert max_difference(out.numpy(), model.decode(z)) < TOLERANCE


@needs_torch
def test_module_from_spec_follows_the_spec():
    nn = torch.nn
    with Model.gan(architecture="conv") as conv:
        generator = module_from_spec(conv.networks["generator"])
    kinds = [type(m) for m in generator]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Unflatten, nn.ConvTranspose2d, nn.BatchNorm2d, nn.ReLU,
                     nn.ConvTranspose2d, nn.Sigmoid]
    assert generator.eval()(torch.zeros(2, 64)).shape == (2, 1, 28, 28)


def test_the_package_imports_without_torch(tmp_path):
    """torch is imported on first use only; without it to_torch says what is missing."""
    script = ("import sys; sys.modules['torch'] = None\n"
              "import vaegan\n"
              "m = vaegan.Model.gan(input_width=16, latent_width=3, decoder_widths=[8], discriminator_widths=[8])\n"
              "try:\n    vaegan.torch_interop.to_torch(m)\nexcept ImportError as e:\n    print('ImportError:', e)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={**os.environ}).stdout
    assert "ImportError: vaegan.torch_interop needs PyTorch" in out
