#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/install-dependencies.sh), then the
# Swift tests (kernels against references, gradient checks, models, file formats), the C
# ABI's tests (C examples, boundary test, Python bindings) and the C core's thread pool under
# AddressSanitizer/UBSan and ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh
# Swift Testing runs tests in parallel. The training kernels run on VAEGAN's own pool, which
# shares the cores gracefully; OpenBLAS (evaluation's covariances and eigensolvers) would spin
# its threads against the parallel tests, so it gets one.
OPENBLAS_NUM_THREADS=1 swift test
scripts/test-abi.sh
scripts/test-sanitizers.sh
