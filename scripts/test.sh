#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/install-dependencies.sh), then the
# Swift tests (kernels against references, gradient checks, models, file formats) and the C
# ABI's tests (C examples, boundary test, Python bindings).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh
# Swift Testing runs tests in parallel; OpenBLAS's own threads on top of that oversubscribe two
# cores and slow the suite tenfold, so each test's GEMMs run on one thread.
OPENBLAS_NUM_THREADS=1 swift test
scripts/test-abi.sh
