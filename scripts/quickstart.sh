#!/usr/bin/env bash
# The main job on a fresh machine: install dependencies, build in release, and train the
# reference β-VAE on Fashion-MNIST, writing its checkpoint, metrics and pictures to runs/vae.
# Extra arguments go to `vaegan train` (e.g. --epochs 10).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh
swift build -c release --product vaegan
.build/release/vaegan train --model vae --epochs 5 --out runs/vae "$@"
echo "pictures: runs/vae/samples.png reconstructions.png interpolation.png traversal.png loss.png"
