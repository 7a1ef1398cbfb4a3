#!/usr/bin/env python3
"""Is a generator's average behind its last iterate? FID along the line between them.

    python3 Benchmarks/ema_line.py runs/dcgan20-ema99/checkpoint.safetensors
                                   [--alphas=-0.5,0,0.5,1] [--seeds 0,1,2] [--data fashion-mnist]

A checkpoint trained with --ema-decay keeps the last iterate (the `generator.` or `decoder.`
tensors) and its average (the same names under `ema.`). For each alpha this writes a copy
whose averaged weights are raw + alpha·(ema − raw) — alpha 0 is the last iterate, 1 the
average, below 0 a step past the last iterate away from the average — and scores it with
`vaegan eval --weights ema --data D`, which re-estimates batch-norm statistics for the weights
it is given (so every point is on equal terms). Running statistics are left as they are; only
learned tensors move. A checkpoint does not record its data set: pass the one it was trained
on (`--data mnist`; the default, as eval's, is fashion-mnist).

The same seeds at every alpha draw the same z, so differences between alphas are paired: FID
moves by about ±1.5 from seed to seed on 10,000 samples, far more than between neighbouring
alphas. If FID falls steadily from alpha 1 to alpha 0 and on below 0, the average trails a
generator that is still improving (the lag costs more than the averaging gains).

Needs `swift build -c release --product vaegan` at the root (built when missing; rebuild it
yourself after changing the sources), and numpy.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(ROOT, ".build", "release", "vaegan")
STATISTICS = ("running_mean", "running_var", "num_batches_tracked")


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    header_size = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + header_size])
    return blob, header, 8 + header_size


def mixed_copy(blob, header, data_start, alpha):
    """The checkpoint's bytes with every learned `ema.` tensor moved to raw + alpha·(ema − raw)."""
    out = bytearray(blob)
    moved = 0
    for name, entry in header.items():
        if not name.startswith("ema.") or name.endswith(STATISTICS):
            continue
        raw_name = name[len("ema."):]
        if raw_name not in header:
            sys.exit(f"ema_line: {name} has no last iterate {raw_name} beside it")
        if entry["dtype"] != "F32" or header[raw_name]["dtype"] != "F32":
            sys.exit(f"ema_line: {name} and {raw_name} must both be F32")

        def tensor(e):
            begin, end = e["data_offsets"]
            return np.frombuffer(blob, dtype="<f4", count=(end - begin) // 4, offset=data_start + begin)

        average, raw = tensor(entry), tensor(header[raw_name])
        begin, end = entry["data_offsets"]
        out[data_start + begin:data_start + end] = (raw + alpha * (average - raw)).astype("<f4").tobytes()
        moved += 1
    if moved == 0:
        sys.exit("ema_line: the checkpoint keeps no average (train with --ema-decay)")
    return bytes(out)


def fid(checkpoint, seed, data, scratch):
    metrics = os.path.join(scratch, "metrics.json")
    result = subprocess.run([TOOL, "eval", "--checkpoint", checkpoint, "--weights", "ema", "--seed", str(seed),
                             "--data", data, "--out", metrics], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"ema_line: vaegan eval failed:\n{result.stderr}")
    with open(metrics) as f:
        return json.load(f)["metrics"]["fid"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--alphas", default="-0.5,0,0.5,1", help="comma-separated; write --alphas=-1,0 when the first is negative")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--data", default="fashion-mnist", help="the data set the checkpoint was trained on")
    args = parser.parse_args()
    if not os.path.exists(TOOL):
        subprocess.run(["swift", "build", "-c", "release", "--product", "vaegan"], cwd=ROOT, check=True)
    alphas = [float(a) for a in args.alphas.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    blob, header, data_start = read_safetensors(args.checkpoint)
    header.pop("__metadata__", None)

    print("FID, 10,000 samples per seed; alpha 0 = last iterate, 1 = average")
    print(f"{'alpha':>6}" + "".join(f"{'seed ' + str(s):>10}" for s in seeds) + f"{'mean':>10}")
    with tempfile.TemporaryDirectory() as scratch:
        mixed = os.path.join(scratch, "mixed.safetensors")
        for alpha in alphas:
            with open(mixed, "wb") as f:
                f.write(mixed_copy(blob, header, data_start, alpha))
            scores = [fid(mixed, seed, args.data, scratch) for seed in seeds]
            print(f"{alpha:6.2f}" + "".join(f"{s:10.2f}" for s in scores) + f"{np.mean(scores):10.2f}")


if __name__ == "__main__":
    main()
