#!/usr/bin/env bash
# Sharing the machine: 100 β-VAE steps (vaegan-bench train, Fashion-MNIST, batch 128) on 1 and
# 2 threads, first on a quiet machine, then while a PyTorch training keeps both cores busy.
# A pool that spins forever (as OpenBLAS's threads do, on sched_yield) collapses in the busy
# case; ours spins briefly, then sleeps, so a step should slow about in proportion to the load.
#
#   Benchmarks/busy_machine.sh [steps]        (needs vaegan-bench built in release, and torch)
set -euo pipefail
cd "$(dirname "$0")"
steps="${1:-100}"
bench=.build/release/vaegan-bench
[ -x "$bench" ] || swift build -c release --product vaegan-bench
seconds() { # the timed steps' total and median, from vaegan-bench's JSON line
  "$bench" train --model vae --steps "$steps" --threads "$1" | tail -1 |
    python3 -c 'import json, sys; r = json.load(sys.stdin); print("%.2f s (median %.2f ms/step)" % (r["total_s"], r["median_ms"]))'
}
echo "quiet:  1 thread  $(seconds 1)"
echo "quiet:  2 threads $(seconds 2)"
python3 pytorch/train.py --model vae --epochs 1000 --threads 2 > /dev/null 2>&1 &
load=$!
trap 'kill $load 2>/dev/null || true' EXIT
sleep 8 # let PyTorch load its data and start training
echo "busy:   1 thread  $(seconds 1)"
echo "busy:   2 threads $(seconds 2)"
