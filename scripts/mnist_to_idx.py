#!/usr/bin/env python3
"""Convert the classic mnist.pkl.gz (the deeplearning.net pickle) into standard gzip IDX files.

The pickle holds (train, valid, test) splits of (float32 images in [0, 1], shape (n, 784);
int labels). Standard MNIST has 60,000 training images, so we write train = train + valid
(50,000 + 10,000) and test = test (10,000). The pickle stores each original byte k as exactly
k / 256 (256 distinct values, largest 255/256), so round(x * 256) recovers the original MNIST
bytes; round(x * 255) would merge neighbouring levels and never reach 255.

Usage: mnist_to_idx.py MNIST_PKL_GZ OUTPUT_DIR
Writes train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
t10k-labels-idx1-ubyte.gz. Needs only numpy.
"""
import gzip
import os
import pickle
import struct
import sys

import numpy as np


def write_idx(path, array):
    """Write a uint8 array as a gzip IDX file (magic 0x0000 08 <ndim>, big-endian sizes)."""
    assert array.dtype == np.uint8
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    temporary = f"{path}.tmp-{os.getpid()}"
    # mtime=0 keeps the output identical from run to run.
    with open(temporary, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as compressed:
        compressed.write(header)
        compressed.write(np.ascontiguousarray(array).tobytes())
    os.replace(temporary, path)


def to_pixels(images):
    """Float intensities k / 256 of shape (n, 784) -> the original bytes k, shape (n, 28, 28)."""
    scaled = np.asarray(images, dtype=np.float64) * 256
    pixels = np.rint(scaled)
    if np.abs(scaled - pixels).max() > 1e-3 or pixels.min() < 0 or pixels.max() > 255:
        raise ValueError("pixel values are not multiples of 1/256 in [0, 255/256]; not the classic mnist.pkl.gz?")
    pixels = pixels.astype(np.uint8)
    return pixels.reshape(-1, 28, 28)


def to_labels(labels):
    labels = np.asarray(labels)
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"labels outside 0...9: {labels.min()}...{labels.max()}")
    return labels.astype(np.uint8)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, output = sys.argv[1], sys.argv[2]
    with gzip.open(source, "rb") as f:
        # The pickle was written by Python 2; latin1 decodes its numpy byte strings.
        train, valid, test = pickle.load(f, encoding="latin1")
    os.makedirs(output, exist_ok=True)
    splits = {
        "train": (np.concatenate([train[0], valid[0]]), np.concatenate([train[1], valid[1]])),
        "t10k": test,
    }
    for name, (images, labels) in splits.items():
        pixels, classes = to_pixels(images), to_labels(labels)
        if len(pixels) != len(classes):
            raise ValueError(f"{name}: {len(pixels)} images but {len(classes)} labels")
        write_idx(os.path.join(output, f"{name}-images-idx3-ubyte.gz"), pixels)
        write_idx(os.path.join(output, f"{name}-labels-idx1-ubyte.gz"), classes)
        print(f"{name}: {len(pixels)} images of 28x28 -> {output}")


if __name__ == "__main__":
    main()
