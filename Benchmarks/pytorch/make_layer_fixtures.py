#!/usr/bin/env python3
"""PyTorch's answers for VAEGAN's convolutional layers, written once as a test fixture.

    python3 Benchmarks/pytorch/make_layer_fixtures.py [--out Tests/VAEGANTests/Fixtures/pytorch-layers.json]

For each case: the input x, the parameters, the output y = layer(x), and, for the loss
L = sum(r * y) with a fixed random r, the gradients of x and of every parameter; for batch
normalization also the running statistics after the step and the output in evaluation mode
afterwards. Values are float32 written as JSON numbers with 9 significant digits (exact for
float32). Tests/VAEGANTests/PyTorchLayerFixtureTests.swift compares VAEGAN's kernels with it.
Needs torch (pip install 'torch==2.13.0+cpu').
"""
import argparse
import json
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def values(t):
    return [float(f"{v:.9g}") for v in t.detach().contiguous().view(-1).tolist()]


def case(name, layer, x_shape, seed, kind, geometry):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    x = torch.randn(x_shape, generator=g, requires_grad=True)
    layer.train()
    y = layer(x)
    r = torch.randn(y.shape, generator=g)
    (r * y).sum().backward()
    out = {"name": name, "kind": kind, "geometry": geometry, "x_shape": list(x_shape),
           "y_shape": list(y.shape), "x": values(x), "r": values(r), "y": values(y),
           "dx": values(x.grad)}
    for pname, p in layer.named_parameters():
        out[pname] = values(p)
        out["d" + pname] = values(p.grad)
    if isinstance(layer, torch.nn.modules.batchnorm._BatchNorm):
        out["running_mean"] = values(layer.running_mean)
        out["running_var"] = values(layer.running_var)
        out["num_batches_tracked"] = int(layer.num_batches_tracked)
        layer.eval()
        with torch.no_grad():
            out["y_eval"] = values(layer(x))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests/VAEGANTests/Fixtures/pytorch-layers.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    nn = torch.nn
    cases = [
        case("conv2d k4 s2 p1", nn.Conv2d(2, 3, 4, stride=2, padding=1), (2, 2, 9, 9), 1, "conv2d",
             {"kernel": 4, "stride": 2, "padding": 1, "output_padding": 0}),
        case("conv2d k3 s1 p2", nn.Conv2d(3, 2, 3, stride=1, padding=2), (2, 3, 7, 7), 2, "conv2d",
             {"kernel": 3, "stride": 1, "padding": 2, "output_padding": 0}),
        case("conv_transpose2d k4 s2 p1", nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), (2, 3, 7, 7), 3,
             "conv_transpose2d", {"kernel": 4, "stride": 2, "padding": 1, "output_padding": 0}),
        case("conv_transpose2d k3 s2 p1 op1", nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1),
             (2, 2, 5, 5), 4, "conv_transpose2d", {"kernel": 3, "stride": 2, "padding": 1, "output_padding": 1}),
        case("batch_norm2d", nn.BatchNorm2d(3), (4, 3, 5, 5), 5, "batch_norm", {}),
        case("batch_norm1d", nn.BatchNorm1d(6), (8, 6), 6, "batch_norm", {}),
    ]
    with open(args.out, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.out} ({len(cases)} cases, torch {torch.__version__})")


if __name__ == "__main__":
    main()
