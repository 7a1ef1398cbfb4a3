#!/usr/bin/env python3
"""VAEGAN and PyTorch side by side on the three reference configurations.

    python3 Benchmarks/pytorch/side_by_side.py [--steps 300] [--repeats 3] [--threads 2]
                                               [--elbo-epochs 10] [--models vae,gan,vaegan]
                                               [--architecture mlp|conv]

For each model, runs the two frameworks alternately (VAEGAN, PyTorch, VAEGAN, ...) for the
same number of training steps on Fashion-MNIST, each in its own process with the same thread
count, and prints a table: median ms per step for each (the median over repeats of each run's
median), VAEGAN/PyTorch, and each process's peak resident memory. With --elbo-epochs E > 0
it then trains the β-VAE for E epochs in both and prints the test negative ELBO of each.

Needs `swift build -c release --product vaegan-bench` in Benchmarks/ and
`swift build -c release --product vaegan` at the root (the script builds both if missing).
Timings on a shared 2-core machine vary 15-30% from run to run, and on the AMD EPYC VM seen
here two-thread steps switch between two speeds (about a third apart) for tens of seconds at a
time: that is why the frameworks are interleaved and repeated, and why each run is also
compared with its neighbour ("paired").
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHMARKS = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCHMARKS)
BENCH = os.path.join(BENCHMARKS, ".build", "release", "vaegan-bench")
TOOL = os.path.join(ROOT, ".build", "release", "vaegan")


def run(command):
    """Runs a command to completion; returns (stdout, stderr). Each tool reports its own peak RSS."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    return result.stdout, result.stderr


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON summary in output")


def ensure_built():
    if not os.path.exists(BENCH):
        subprocess.run(["swift", "build", "-c", "release", "--product", "vaegan-bench"], cwd=BENCHMARKS, check=True)
    if not os.path.exists(TOOL):
        subprocess.run(["swift", "build", "-c", "release", "--product", "vaegan"], cwd=ROOT, check=True)


def time_vaegan(model, steps, threads, architecture):
    out, _ = run([BENCH, "train", "--model", model, "--architecture", architecture, "--steps", str(steps),
                  "--threads", str(threads)])
    return last_json(out)


def time_pytorch(model, steps, threads, architecture):
    out, _ = run([sys.executable, os.path.join(HERE, "train.py"), "--model", model, "--architecture", architecture,
                  "--steps", str(steps), "--threads", str(threads), "--seed", "0"])
    return last_json(out)


def elbo_vaegan(epochs, threads, out_dir):
    run([TOOL, "train", "--model", "vae", "--epochs", str(epochs), "--threads", str(threads),
                  "--out", out_dir, "--quiet"])
    with open(os.path.join(out_dir, "metrics.csv")) as f:
        rows = [line.strip().split(",") for line in f if line.strip()]
    header, last = rows[0], rows[-1]
    return float(last[header.index("test_nelbo")])


def elbo_pytorch(epochs, threads):
    out, _ = run([sys.executable, os.path.join(HERE, "train.py"), "--model", "vae", "--epochs", str(epochs),
                  "--threads", str(threads), "--seed", "0"])
    return last_json(out)["test_neg_elbo"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--elbo-epochs", type=int, default=0)
    parser.add_argument("--models", default="vae,gan,vaegan")
    parser.add_argument("--architecture", default="mlp", choices=["mlp", "conv"],
                        help="the MLP reference configurations or the conv ones (DCGAN, conv β-VAE and VAE-GAN)")
    args = parser.parse_args()
    ensure_built()

    rows = []
    for model in args.models.split(","):
        ours, theirs = [], []
        for repeat in range(args.repeats):
            ours.append(time_vaegan(model, args.steps, args.threads, args.architecture))
            theirs.append(time_pytorch(model, args.steps, args.threads, args.architecture))
            print(f"{model} repeat {repeat + 1}: vaegan {ours[-1]['median_ms']:.2f} ms, "
                  f"pytorch {theirs[-1]['median_ms']:.2f} ms", file=sys.stderr)
        rows.append((model, ours, theirs))

    print(f"\n{args.architecture} models, batch 128, {args.threads} threads, {args.steps} timed steps per run, {args.repeats} runs each, interleaved")
    print(f"{'model':8}{'VAEGAN ms':>11}{'PyTorch ms':>12}{'ratio':>8}{'paired':>8}{'pairs range':>14}"
          f"{'VAEGAN RSS':>12}{'PyTorch RSS':>13}")
    for model, ours, theirs in rows:
        a = statistics.median(r["median_ms"] for r in ours)
        b = statistics.median(r["median_ms"] for r in theirs)
        # Each VAEGAN run against the PyTorch run right after it: the two share the machine's
        # state of the moment (this VM's second core slows by a third for tens of seconds at a
        # time), which a ratio of medians taken minutes apart does not.
        pairs = [x["median_ms"] / y["median_ms"] for x, y in zip(ours, theirs)]
        ra = max(r["peak_rss_mib"] for r in ours)
        rb = max(r["peak_rss_mib"] for r in theirs)
        spread = f"{min(pairs):.2f}-{max(pairs):.2f}"
        print(f"{model:8}{a:11.2f}{b:12.2f}{a / b:8.2f}{statistics.median(pairs):8.2f}{spread:>14}"
              f"{ra:10.0f} MiB{rb:9.0f} MiB")
    print("ratio: median VAEGAN ms / median PyTorch ms; paired: the median of each run's ratio to the "
          "PyTorch run that followed it, and their range")

    if args.elbo_epochs > 0:
        out_dir = os.path.join(ROOT, "runs", f"side-by-side-vae-{args.elbo_epochs}")
        ours = elbo_vaegan(args.elbo_epochs, args.threads, out_dir)
        theirs = elbo_pytorch(args.elbo_epochs, args.threads)
        print(f"\nβ-VAE test negative ELBO after {args.elbo_epochs} epochs (nats/image, one z per image): "
              f"VAEGAN {ours:.2f}, PyTorch {theirs:.2f}")


if __name__ == "__main__":
    main()
