"""PyTorch both ways: a model's networks as torch modules holding its weights, and weights from
torch modules (or state dicts) back into a model.

    import torch, vaegan
    from vaegan.torch_interop import to_torch, from_torch
    model = vaegan.Model.gan(architecture="conv")
    modules = to_torch(model)                      # nn.ModuleDict: "generator", "discriminator"
    images = modules.generator(torch.randn(16, 64))        # (16, 1, 28, 28), as model.decode
    from_torch(model, modules)                     # and back (bit-exact)
    from_torch(mlp_model, {"decoder": nn.Sequential(nn.Linear(32, 256), nn.ReLU(), ...)})

What it holds: `to_torch`, `from_torch`, `module_from_spec` (one spec as an nn.Sequential),
`torch_names` (the name mapping) and `GaussianEncoder` (an encoder body with its μ and log σ²
heads). What it leaves out: optimizer state (torch's Adam keeps its own), and any layer a spec
cannot express. torch is imported on first use, so `import vaegan` works without it.

The modules are built from the architecture spec the model carries (Model.networks; every
network is one, MLP presets and old checkpoints included, docs/checkpoint-format.md), layer by
layer: `dense` is nn.Linear, `conv2d` nn.Conv2d, `conv_transpose2d` nn.ConvTranspose2d,
`batch_norm` nn.BatchNorm1d or nn.BatchNorm2d (momentum and ε from the spec), `activation` its
module (nn.ReLU, nn.LeakyReLU(slope), nn.Sigmoid, nn.Tanh), `reshape` nn.Unflatten(1, shape),
`flatten` nn.Flatten(). An activation fused into a dense or conv layer becomes a module of its
own after it, so torch's indices count it while VAEGAN's do not: an MLP's `decoder.0`,
`decoder.1`, `decoder.2` are torch's `decoder.0`, `decoder.2`, `decoder.4` (`torch_names` gives
the whole mapping). The networks end as the spec does: where a file's `<part>_output_type` is
`logits` (discriminators, the Bernoulli β-VAE's decoder), apply torch.sigmoid to get what
model.decode (or D(x)) gives.
"""
from __future__ import annotations

import collections.abc
import json
import math
import os
import re

import numpy as np

# The parts of each kind in build order (ModelSpec.swift's networkParts).
PARTS = {"vae": ("encoder", "decoder"), "gan": ("generator", "discriminator"),
         "vaegan": ("encoder", "decoder", "discriminator")}
# Layer types whose module holds tensors, and the batch norm's tensors beyond weight and bias.
_WEIGHTED = ("dense", "conv2d", "conv_transpose2d", "batch_norm")
_RUNNING = ("running_mean", "running_var", "num_batches_tracked")


def _torch():
    """torch, imported on first use; ImportError naming what to install otherwise."""
    try:
        import torch
    except ImportError as error:
        raise ImportError("vaegan.torch_interop needs PyTorch (pip install torch); the rest of vaegan does not") \
            from error
    return torch


# ---------------------------------------------------------------- specs as torch modules

def _activation(name: str):
    """An activation's name in a spec ("relu", "leaky_relu(0.2)", …) as (function, slope)."""
    match = re.fullmatch(r"leaky_relu\(([^)]*)\)", name)
    if match:
        return ("leaky_relu", float(match.group(1)))
    if name in ("identity", "relu", "sigmoid", "tanh"):
        return (name, None)
    raise ValueError(f"unknown activation {name!r} in the spec (identity, relu, leaky_relu(slope), sigmoid, tanh)")


def _activation_module(function, nn):
    name, slope = function
    return {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[name]() if name != "leaky_relu" \
        else nn.LeakyReLU(slope)


def _plan(spec: dict):
    """The torch modules a spec becomes, as [(spec index, atom)] where an atom is ("dense",
    in, out, bias), ("conv2d" | "conv_transpose2d", in, out, kernel, stride, padding,
    output padding, bias), ("batch_norm", channels, 1 or 2 dimensions, momentum, ε),
    ("activation", (function, slope)), ("reshape", shape) or ("flatten",); and the output
    shape. The shapes follow NetworkSpec's rules (conv: ⌊(H + 2p − k)/s⌋ + 1; transposed:
    (H − 1)s − 2p + k + output padding)."""
    shape = list(spec["input"])
    atoms = []
    for index, layer in enumerate(spec["layers"]):
        kind = layer["type"]
        function = _activation(layer.get("activation", "identity"))
        if kind == "dense":
            if len(shape) != 1:
                raise ValueError(f"layer {index} (dense) takes [features], not {shape}: flatten first")
            atoms.append((index, ("dense", shape[0], layer["width"], layer.get("bias", True))))
            shape = [layer["width"]]
        elif kind in ("conv2d", "conv_transpose2d"):
            if len(shape) != 3:
                raise ValueError(f"layer {index} ({kind}) takes [channels, height, width], not {shape}")
            k, s, p = layer["kernel"], layer.get("stride", 1), layer.get("padding", 0)
            extra = layer.get("output_padding", 0)
            atoms.append((index, (kind, shape[0], layer["channels"], k, s, p, extra, layer.get("bias", True))))
            if kind == "conv2d":
                side = [(n + 2 * p - k) // s + 1 for n in shape[1:]]
            else:
                side = [(n - 1) * s - 2 * p + k + extra for n in shape[1:]]
            shape = [layer["channels"], *side]
        elif kind == "batch_norm":
            atoms.append((index, ("batch_norm", shape[0], 1 if len(shape) == 1 else 2,
                                  layer.get("momentum", 0.1), layer.get("epsilon", 1e-5))))
        elif kind == "activation":
            function = _activation(layer["function"])
        elif kind == "reshape":
            atoms.append((index, ("reshape", tuple(layer["shape"]))))
            shape = list(layer["shape"])
        elif kind == "flatten":
            atoms.append((index, ("flatten",)))
            shape = [math.prod(shape)]
        else:
            raise ValueError(f"layer {index}: unknown layer type {kind!r}")
        if function[0] != "identity":
            atoms.append((index, ("activation", function)))
    return atoms, shape


def _module(atom, nn):
    kind = atom[0]
    if kind == "dense":
        return nn.Linear(atom[1], atom[2], bias=atom[3])
    if kind == "conv2d":
        _, cin, cout, k, s, p, _extra, bias = atom
        return nn.Conv2d(cin, cout, k, stride=s, padding=p, bias=bias)
    if kind == "conv_transpose2d":
        _, cin, cout, k, s, p, extra, bias = atom
        return nn.ConvTranspose2d(cin, cout, k, stride=s, padding=p, output_padding=extra, bias=bias)
    if kind == "batch_norm":
        norm = nn.BatchNorm1d if atom[2] == 1 else nn.BatchNorm2d
        return norm(atom[1], eps=atom[4], momentum=atom[3])
    if kind == "activation":
        return _activation_module(atom[1], nn)
    if kind == "reshape":
        return nn.Unflatten(1, atom[1])
    return nn.Flatten()


def module_from_spec(spec: dict | str):
    """One network spec ({"input": …, "layers": […]}, or its JSON text) as an nn.Sequential of
    freshly initialized torch modules, in the order the spec runs them (an activation fused
    into a layer follows it as a module of its own)."""
    nn = _torch().nn
    spec = json.loads(spec) if isinstance(spec, str) else spec
    atoms, _ = _plan(spec)
    return nn.Sequential(*[_module(atom, nn) for _, atom in atoms])


def _index_map(spec: dict) -> dict:
    """spec layer index → torch nn.Sequential index, for the layers that hold tensors."""
    atoms, _ = _plan(spec)
    return {index: position for position, (index, atom) in enumerate(atoms) if atom[0] in _WEIGHTED}


_ENCODER = None


def _encoder_class():
    """GaussianEncoder, defined on first use (it subclasses torch's nn.Module)."""
    global _ENCODER
    if _ENCODER is None:
        nn = _torch().nn

        class GaussianEncoder(nn.Module):
            """q(z | x) of the β-VAE and the VAE-GAN: `body` (the encoder spec's nn.Sequential)
            then two nn.Linear heads; forward(x) returns (mu, logvar), each (n, latent)."""

            def __init__(self, body, mu, logvar):
                super().__init__()
                self.body, self.mu, self.logvar = body, mu, logvar

            def forward(self, x):
                features = self.body(x)
                return self.mu(features), self.logvar(features)

        # So that pickle (torch.save of the module) finds it as vaegan.torch_interop.GaussianEncoder.
        GaussianEncoder.__module__, GaussianEncoder.__qualname__ = __name__, "GaussianEncoder"
        _ENCODER = GaussianEncoder
    return _ENCODER


def __getattr__(name):
    if name == "GaussianEncoder":
        return _encoder_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------- the model's side

def _as_model(model):
    from . import Model
    if isinstance(model, Model):
        return model, False
    if isinstance(model, (str, os.PathLike)):
        return Model.load(model), True
    raise TypeError(f"expected a vaegan.Model or a checkpoint path, not {type(model).__name__}")


def _specs(metadata: dict) -> dict:
    kind = metadata["model"]
    return {part: json.loads(metadata[f"{part}_spec"]) for part in PARTS[kind]}


def torch_names(model) -> dict:
    """The name mapping: each of the model's tensor names (model.state_dict(), the checkpoint)
    → its name in to_torch(model).state_dict(). Layers are renumbered to torch's indices
    (`decoder.1.weight` → `decoder.2.weight` in an MLP, whose ReLUs take indices), the encoder's
    body moves under `encoder.body` and its heads to `encoder.mu`, `encoder.logvar`;
    `log_sigma` stays. (A file's `ema.<name>` maps as <name> does, with the prefix.)"""
    model, close = _as_model(model)
    try:
        return _names(model.weights_metadata(), [name for name, _ in model._tensor_infos()])
    finally:
        if close:
            model.close()


def _names(metadata: dict, names) -> dict:
    maps = {part: _index_map(spec) for part, spec in _specs(metadata).items()}
    result = {}
    for name in names:
        stem, prefix = (name[4:], "ema.") if name.startswith("ema.") else (name, "")
        part, _, rest = stem.partition(".")
        if part in ("mu", "logvar"):
            result[name] = f"{prefix}encoder.{stem}"
        elif part in maps and rest.split(".")[0].isdigit():
            index, _, suffix = rest.partition(".")
            body = "body." if part == "encoder" else ""
            result[name] = f"{prefix}{part}.{body}{maps[part][int(index)]}.{suffix}"
        else:
            result[name] = name
    return result


def to_torch(model):
    """The model's networks as torch modules with its weights: an nn.ModuleDict of its parts —
    β-VAE "encoder" (a GaussianEncoder: forward(x) gives (mu, logvar)) and "decoder"; GAN
    "generator" and "discriminator"; VAE-GAN all three — each an nn.Sequential built from the
    part's spec (module_from_spec), plus a `log_sigma` parameter for a β-VAE with a learned σ.
    `model`: a vaegan.Model or the path of a checkpoint or weights-only file. The weights are
    the model's own: for a file's average of the generator (`ema.<name>`), pass
    Model.load(path, weights="ema").

    The modules are in evaluation mode (batch norms use the running statistics, as
    model.decode and model.sample do); call .train() to train them on. Attributes `kind`,
    `latent_width` and `output_types` ({part: "logits", "probabilities", …}) describe them.
    Inputs are as the spec's `input`: rows of features, or images (n, 1, 28, 28) for conv
    networks (torch reshapes nothing for you: x.view(-1, 1, 28, 28)).

        modules = to_torch(model)
        images = torch.sigmoid(modules.decoder(z))   # Bernoulli β-VAE: the decoder gives logits
        mu, logvar = modules.encoder(x)
    """
    torch = _torch()
    nn = torch.nn
    model, close = _as_model(model)
    try:
        metadata = model.weights_metadata()
        state = model.state_dict()
    finally:
        if close:
            model.close()
    kind = metadata["model"]
    specs = _specs(metadata)
    modules = nn.ModuleDict()
    for part in PARTS[kind]:
        atoms, shape = _plan(specs[part])
        sequential = nn.Sequential(*[_module(atom, nn) for _, atom in atoms])
        if part == "encoder":
            if len(shape) != 1:
                raise ValueError(f"the encoder body ends in shape {shape}; its heads need [features]")
            latent = int(metadata["latent_width"])
            sequential = _encoder_class()(sequential, nn.Linear(shape[0], latent), nn.Linear(shape[0], latent))
        modules[part] = sequential
    if "log_sigma" in state:
        modules.register_parameter("log_sigma", nn.Parameter(torch.zeros(1)))

    names = _names(metadata, list(state))
    expected = modules.state_dict()
    tensors = {}
    for name in state:
        target = names[name]
        if target not in expected:
            raise ValueError(f"to_torch: the model's tensor '{name}' has no place ('{target}') in the torch modules")
        array = state[name]
        if target.endswith("num_batches_tracked"):
            tensors[target] = torch.tensor(int(array.reshape(-1)[0]), dtype=torch.long)
        else:
            tensors[target] = torch.from_numpy(array.copy())
    modules.load_state_dict(tensors, strict=True)
    modules.kind = kind
    modules.latent_width = int(metadata["latent_width"])
    modules.output_types = {part: metadata.get(f"{part}_output_type", "") for part in PARTS[kind]}
    return modules.eval()


# ---------------------------------------------------------------- torch's side

def _leaf_atom(module, torch):
    """What a torch leaf module is in spec terms: an atom kind and what is compared (the
    activation function and slope), or None for modules that change no values (flatten,
    unflatten, identity, dropout, which is the identity in evaluation)."""
    nn = torch.nn
    if isinstance(module, nn.Linear):
        return ("dense",)
    if isinstance(module, nn.Conv2d):
        return ("conv2d",)
    if isinstance(module, nn.ConvTranspose2d):
        return ("conv_transpose2d",)
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        return ("batch_norm",)
    if isinstance(module, nn.ReLU):
        return ("activation", ("relu", None))
    if isinstance(module, nn.LeakyReLU):
        return ("activation", ("leaky_relu", float(module.negative_slope)))
    if isinstance(module, nn.Sigmoid):
        return ("activation", ("sigmoid", None))
    if isinstance(module, nn.Tanh):
        return ("activation", ("tanh", None))
    if isinstance(module, (nn.Flatten, nn.Unflatten, nn.Identity, nn.Dropout)):
        return None
    return ("unknown", type(module).__name__)


def _describe(atom) -> str:
    names = {"dense": "Linear", "conv2d": "Conv2d", "conv_transpose2d": "ConvTranspose2d", "batch_norm": "BatchNorm"}
    if atom[0] == "activation":
        function, slope = atom[1]
        return f"LeakyReLU({slope:g})" if function == "leaky_relu" else \
            {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh"}[function]
    return names.get(atom[0], atom[-1] if atom[0] == "unknown" else atom[0])


def _module_groups(part: str, module, spec: dict, strict: bool, torch) -> list:
    """The tensors of a torch module's weighted leaves, in order: [(torch name, {suffix: array})].
    strict: its activations must be the spec's, in the same places (they carry no weights,
    but different ones would compute something else)."""
    leaves = [(name, m) for name, m in module.named_modules() if not list(m.children())]
    found = [(name, m, _leaf_atom(m, torch)) for name, m in leaves]
    unknown = [(name, atom[1]) for name, m, atom in found if atom and atom[0] == "unknown"
               and (list(m.parameters()) or list(m.buffers()) or strict)]
    if unknown:
        name, type_name = unknown[0]
        raise ValueError(f"from_torch: {part}: module '{name}' ({type_name}) has no counterpart in a spec "
                         "(Linear, Conv2d, ConvTranspose2d, BatchNorm1d/2d, ReLU, LeakyReLU, Sigmoid, Tanh, "
                         "Flatten, Unflatten, Identity, Dropout)")
    if strict:
        planned = [atom for _, atom in _plan(spec)[0] if atom[0] in _WEIGHTED or atom[0] == "activation"]
        given = [atom for _, _, atom in found if atom]
        same = len(planned) == len(given) and all(
            a[0] == b[0] and (a[0] != "activation" or (a[1][0] == b[1][0] and
                                                      (a[1][1] is None or abs(a[1][1] - b[1][1]) < 1e-6)))
            for a, b in zip(planned, given))
        if not same:
            raise ValueError(f"from_torch: {part}: the module computes {', '.join(map(_describe, given))}; the "
                             f"model's spec has {', '.join(_describe(a) for a in planned)} "
                             "(pass strict=False to copy the weights anyway)")
    groups = []
    for name, m, atom in found:
        if atom and atom[0] in _WEIGHTED:
            tensors = {key: value for key, value in m.state_dict().items()}
            groups.append((f"{part}.{name}", tensors))
    return groups


def _dict_groups(part: str, tensors: dict) -> list:
    """A state dict's tensors grouped by module, in order: [(torch name, {suffix: array})].
    Indices of a plain nn.Sequential's state dict ("0.weight", "2.weight", …) are sorted as
    numbers, whatever the dict's order."""
    groups = collections.OrderedDict()
    for key, value in tensors.items():
        prefix, _, suffix = key.rpartition(".")
        groups.setdefault(prefix, {})[suffix] = value
    keys = list(groups)
    if all(k.isdigit() for k in keys):
        keys.sort(key=int)
    return [(f"{part}.{k}" if k else part, groups[k]) for k in keys]


def _array(value) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _layer_arrays(part: str, spec: dict, groups: list, strict: bool) -> dict:
    """The model's tensors ("<part>.<spec index>.<suffix>") from groups of torch tensors, the
    i-th group for the spec's i-th layer with weights; checked for kind and completeness."""
    layers = [(index, layer) for index, layer in enumerate(spec["layers"]) if layer["type"] in _WEIGHTED]
    if len(groups) != len(layers):
        raise ValueError(f"from_torch: {part}: the spec has {len(layers)} layers with weights "
                         f"({', '.join(layer['type'] for _, layer in layers)}); the torch side has {len(groups)} "
                         f"({', '.join(name for name, _ in groups) or 'none'})")
    arrays = {}
    for (index, layer), (source, tensors) in zip(layers, groups):
        kind = layer["type"]
        wanted = ["weight"]
        if kind == "batch_norm":
            wanted += ["bias", "running_mean", "running_var", "num_batches_tracked"]
        elif layer.get("bias", True):
            wanted.append("bias")
        weight = tensors.get("weight")
        rank = {"dense": 2, "conv2d": 4, "conv_transpose2d": 4, "batch_norm": 1}[kind]
        if weight is None or _array(weight).ndim != rank or (kind == "batch_norm") != ("running_mean" in tensors):
            raise ValueError(f"from_torch: {part}: '{source}' ({', '.join(sorted(tensors))}) does not look like "
                             f"the spec's layer {index} ({kind})")
        missing = [s for s in wanted if s not in tensors and not (s == "num_batches_tracked" and not strict)]
        extra = [s for s in tensors if s not in wanted]
        if missing or (extra and strict):
            raise ValueError(f"from_torch: {part}: '{source}' for layer {index} ({kind}) lacks {missing or 'nothing'}"
                             f", has unexpected {extra or 'nothing'}")
        for suffix in wanted:
            if suffix not in tensors:
                continue
            array = _array(tensors[suffix])
            if suffix == "num_batches_tracked":
                array = array.reshape(1)
            arrays[f"{part}.{index}.{suffix}"] = (np.ascontiguousarray(array, dtype=np.float32), f"{source}.{suffix}")
    return arrays


def _head_arrays(name: str, head, strict: bool) -> dict:
    tensors = head.state_dict() if hasattr(head, "state_dict") else dict(head)
    arrays = {}
    for suffix in ("weight", "bias"):
        if suffix not in tensors:
            raise ValueError(f"from_torch: the encoder's {name} head lacks its {suffix}")
        arrays[f"{name}.{suffix}"] = (np.ascontiguousarray(_array(tensors[suffix]), dtype=np.float32),
                                      f"{name}.{suffix}")
    extra = [s for s in tensors if s not in ("weight", "bias")]
    if extra and strict:
        raise ValueError(f"from_torch: the encoder's {name} head has unexpected {extra}")
    return arrays


def _is_module(value, torch) -> bool:
    return torch is not None and isinstance(value, torch.nn.Module)


def _parts(modules, torch) -> dict:
    """{part: an nn.Module or a dict of its tensors} from what from_torch was given: an
    nn.Module container (to_torch's ModuleDict), a dict of parts, or one flat state dict whose
    names start with the part ("decoder.0.weight", "encoder.body.0.weight", "mu.weight")."""
    if _is_module(modules, torch):
        entries = dict(modules.named_children())
        entries.update(dict(modules.named_parameters(recurse=False)))
    elif isinstance(modules, collections.abc.Mapping):
        entries = dict(modules)
    else:
        raise TypeError("from_torch takes an nn.Module of parts (to_torch's), a dict {part: module or state dict}, "
                        f"or a state dict of the whole model; not {type(modules).__name__}")
    parts = {}
    for key, value in entries.items():
        if _is_module(value, torch) or isinstance(value, collections.abc.Mapping):
            parts[key] = value
        elif key == "log_sigma":
            parts[key] = value
        else:  # a tensor of a flat state dict: "<part>.<rest>"
            part, _, rest = key.partition(".")
            holder = parts.setdefault(part, collections.OrderedDict())
            if not isinstance(holder, collections.abc.MutableMapping) or not rest:
                raise ValueError(f"from_torch: '{key}' mixes a part given as a module with loose tensors")
            holder[rest] = value
    return parts


def from_torch(model, modules, strict: bool = True) -> None:
    """Copies weights from torch into `model` (a vaegan.Model), by position in each part's
    spec: the i-th torch module with weights (nn.Linear, nn.Conv2d, nn.ConvTranspose2d,
    nn.BatchNorm1d/2d) sets the spec's i-th layer with weights, whatever torch's indices are.

    modules: what to_torch returned; or a dict {part: module or state dict}, e.g.
    {"generator": nn.Sequential(nn.Linear(64, 256), nn.LeakyReLU(0.2), …)} or that Sequential's
    state_dict() ("0.weight", "2.weight", …); or one state dict of the whole model with part
    prefixes (to_torch(m).state_dict(), or the model's own names: "decoder.1.weight",
    "mu.weight"). The encoder is a module with `body`, `mu`, `logvar` (GaussianEncoder), or its
    body alone beside top-level "mu" and "logvar" entries. `log_sigma` as a tensor. Parts not
    given keep their weights.

    strict (default): every tensor of a part given must be there (batch norms' running
    statistics and counts too) and nothing else, and a module's activations must be the spec's
    (ValueError naming both). strict=False copies what matches and skips those checks.
    Everything is checked (shapes too: ShapeMismatchError) before any weight changes; optimizer
    state is left as it is.
    """
    from . import Model, _fail, _lib
    try:
        import torch
    except ImportError:
        torch = None  # state dicts of numpy arrays need no torch
    if not isinstance(model, Model):
        raise TypeError(f"from_torch sets the weights of a vaegan.Model, not a {type(model).__name__}")
    metadata = model.weights_metadata()
    kind = metadata["model"]
    specs = _specs(metadata)
    parts = _parts(modules, torch)
    known = set(PARTS[kind]) | ({"mu", "logvar"} if "encoder" in specs else set()) | {"log_sigma"}
    unknown = [p for p in parts if p not in known]
    if unknown:
        raise ValueError(f"from_torch: unknown part(s) {unknown}; the {kind} model has {', '.join(PARTS[kind])}"
                         " (give a dict of parts: {'generator': module})")

    arrays = {}
    for part in PARTS[kind]:
        if part not in parts:
            continue
        value, spec = parts[part], specs[part]
        heads = {}
        if part == "encoder":
            if _is_module(value, torch) and all(hasattr(value, a) for a in ("body", "mu", "logvar")):
                heads = {"mu": value.mu, "logvar": value.logvar}
                value = value.body
            elif isinstance(value, collections.abc.Mapping) and any(k.startswith(("mu.", "logvar.")) for k in value):
                heads = {h: {k[len(h) + 1:]: v for k, v in value.items() if k.startswith(h + ".")}
                         for h in ("mu", "logvar")}
                value = {k.removeprefix("body."): v for k, v in value.items() if not k.startswith(("mu.", "logvar."))}
            for h in ("mu", "logvar"):
                if h in parts:
                    heads[h] = parts[h]
            if strict and set(heads) != {"mu", "logvar"}:
                raise ValueError("from_torch: the encoder needs its mu and logvar heads (a GaussianEncoder, or "
                                 "'mu' and 'logvar' entries beside 'encoder')")
        if _is_module(value, torch):
            groups = _module_groups(part, value, spec, strict, torch)
        else:
            groups = _dict_groups(part, value)
        arrays.update(_layer_arrays(part, spec, groups, strict))
        for h, head in heads.items():
            arrays.update(_head_arrays(h, head, strict))
    if "log_sigma" in parts:
        arrays["log_sigma"] = (np.ascontiguousarray(_array(parts["log_sigma"]), dtype=np.float32).reshape(1),
                               "log_sigma")

    shapes = dict(model._tensor_infos())
    state = {}
    for name, (array, source) in arrays.items():
        if name not in shapes:
            raise ValueError(f"from_torch: '{source}' would set '{name}', which the model does not have")
        if array.shape != shapes[name]:
            _fail(_lib.ERROR_SHAPE_MISMATCH, f"from_torch: '{source}' has shape {list(array.shape)}; the model's "
                                             f"'{name}' has {list(shapes[name])}")
        state[name] = array
    model.load_state_dict(state, strict=False)
