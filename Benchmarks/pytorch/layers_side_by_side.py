#!/usr/bin/env python3
"""The convolutional layers at the reference DCGAN's shapes, VAEGAN beside PyTorch.

    python3 Benchmarks/pytorch/layers_side_by_side.py [--threads 2] [--repeats 3]

Runs `vaegan-bench layers` and the same layers in PyTorch (nn.Conv2d, nn.ConvTranspose2d,
nn.BatchNorm2d in training mode; batch 128; forward, then backward of sum(r * y) for the input
and every parameter), alternating processes, each with the same thread count, and prints the
median forward and backward ms of each and the ratio of forward + backward.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(os.path.dirname(HERE), ".build", "release", "vaegan-bench")

LAYERS = [  # name, kind, in, out, size (batch 128, kernel 4, stride 2, padding 1)
    ("Conv2d 1→64 28×28", "conv2d", 1, 64, 28),
    ("Conv2d 64→128 14×14", "conv2d", 64, 128, 14),
    ("ConvTranspose2d 128→64 7×7", "conv_transpose2d", 128, 64, 7),
    ("ConvTranspose2d 64→1 14×14", "conv_transpose2d", 64, 1, 14),
    ("BatchNorm2d 128×7×7", "batch_norm", 128, 128, 7),
    ("BatchNorm2d 64×14×14", "batch_norm", 64, 64, 14),
]


def median_ms(body, samples=15):
    body()
    start = time.perf_counter()
    body()
    once = time.perf_counter() - start
    repeats = max(1, int(2e-3 / max(once, 1e-7)))
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(repeats):
            body()
        times.append((time.perf_counter() - start) / repeats)
    return statistics.median(times) * 1e3


def pytorch_rows(threads):
    import torch
    torch.set_num_threads(threads)
    rows = []
    for name, kind, cin, cout, size in LAYERS:
        if kind == "conv2d":
            layer = torch.nn.Conv2d(cin, cout, 4, 2, 1)
        elif kind == "conv_transpose2d":
            layer = torch.nn.ConvTranspose2d(cin, cout, 4, 2, 1)
        else:
            layer = torch.nn.BatchNorm2d(cin)
        layer.train()
        x = torch.randn(128, cin, size, size, requires_grad=True)
        y = layer(x)
        r = torch.randn_like(y)

        def forward():
            with torch.no_grad():
                layer(x)

        def backward():  # the backward alone: forward once, then time repeated backwards
            y.backward(r, retain_graph=True)

        rows.append({"framework": "pytorch", "layer": name, "forward_ms": median_ms(forward),
                     "backward_ms": median_ms(backward)})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--pytorch-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pytorch_only:
        for row in pytorch_rows(args.threads):
            print(json.dumps(row))
        return
    if not os.path.exists(BENCH):
        subprocess.run(["swift", "build", "-c", "release", "--product", "vaegan-bench"],
                       cwd=os.path.dirname(HERE), check=True)
    results = {"vaegan": {}, "pytorch": {}}
    for _ in range(args.repeats):
        for framework, command in [("vaegan", [BENCH, "layers", "--threads", str(args.threads)]),
                                   ("pytorch", [sys.executable, __file__, "--pytorch-only", "--threads", str(args.threads)])]:
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            for line in out.splitlines():
                if line.startswith("{"):
                    row = json.loads(line)
                    results[framework].setdefault(row["layer"], []).append(row)
    print(f"batch 128, {args.threads} threads, median of {args.repeats} runs, ms")
    print(f"{'layer':30}{'ours fwd':>9}{'ours bwd':>9}{'torch fwd':>10}{'torch bwd':>10}{'ratio':>7}")
    for name, *_ in LAYERS:
        ours, theirs = results["vaegan"][name], results["pytorch"][name]
        of = statistics.median(r["forward_ms"] for r in ours)
        ob = statistics.median(r["backward_ms"] for r in ours)
        tf = statistics.median(r["forward_ms"] for r in theirs)
        tb = statistics.median(r["backward_ms"] for r in theirs)
        print(f"{name:30}{of:9.3f}{ob:9.3f}{tf:10.3f}{tb:10.3f}{(of + ob) / (tf + tb):7.2f}")
    print("ratio: ours (forward + backward) / PyTorch's; below 1 is faster.")


if __name__ == "__main__":
    main()
