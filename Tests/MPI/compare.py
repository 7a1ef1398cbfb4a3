#!/usr/bin/env python3
"""Compares a data-parallel run with a single-process one (Tests/MPI/run.sh).

compare.py SINGLE.log RANKS.log.rank0 RANKS.log.rank1 ... SINGLE.safetensors RANKS.safetensors LOSS_TOL TENSOR_TOL

The step logs (vaegan train --step-log) have one line per step: epoch, step, running mean
loss, hash of all weights. Checks that every rank's hash equals rank 0's after every step
(bitwise identical weights), that the running losses agree with the single process's within
LOSS_TOL relative, and that every tensor of the final checkpoints (weights and optimizer
moments) agrees within TENSOR_TOL of the tensor's largest magnitude. Prints the
largest differences found and exits non-zero on any failure.
"""
import sys

import numpy as np
from safetensors.numpy import load_file


def read_log(path):
    rows = [line.split() for line in open(path)]
    return [(int(e), int(s), float(loss), h) for e, s, loss, h in rows]


def main():
    *logs, single_checkpoint, ranks_checkpoint, loss_tolerance, tensor_tolerance = sys.argv[1:]
    loss_tolerance, tensor_tolerance = float(loss_tolerance), float(tensor_tolerance)
    single, ranks = read_log(logs[0]), [read_log(p) for p in logs[1:]]
    failures = []
    if len(single) == 0 or any(len(r) != len(single) for r in ranks):
        failures.append(f"step counts differ: single {len(single)}, ranks {[len(r) for r in ranks]}")
    for rank, log in enumerate(ranks[1:], start=1):
        for a, b in zip(ranks[0], log):
            if a[3] != b[3]:
                failures.append(f"rank {rank} differs from rank 0 after step {a[1]}: hash {b[3]} != {a[3]}")
                break
    loss_difference = max(abs(a[2] - b[2]) / max(abs(a[2]), 1e-12) for a, b in zip(single, ranks[0]))
    if loss_difference > loss_tolerance:
        failures.append(f"running losses differ by {loss_difference:.3g} relative (tolerance {loss_tolerance})")
    a, b = load_file(single_checkpoint), load_file(ranks_checkpoint)
    if a.keys() != b.keys():
        failures.append(f"checkpoints hold different tensors: {sorted(a.keys() ^ b.keys())}")
    worst, worst_name = 0.0, ""
    for name in a.keys() & b.keys():
        if a[name].dtype.kind != "f":
            continue
        scale = max(float(np.abs(a[name]).max()), 1e-12)
        difference = float(np.abs(a[name].astype(np.float64) - b[name]).max()) / scale
        if difference > worst:
            worst, worst_name = difference, name
    if worst > tensor_tolerance:
        failures.append(f"{worst_name} differs by {worst:.3g} of its largest magnitude (tolerance {tensor_tolerance})")
    print(f"  {len(single)} steps; {len(ranks)} ranks' weights bitwise identical after every step: "
          f"{'no' if any('hash' in f for f in failures) else 'yes'}; "
          f"largest relative difference from 1 rank: losses {loss_difference:.2g}, tensors {worst:.2g} ({worst_name})")
    for failure in failures:
        print(f"  FAIL: {failure}")
    sys.exit(1 if failures else 0)


main()
