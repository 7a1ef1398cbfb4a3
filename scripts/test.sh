#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/install-dependencies.sh), then the
# Swift tests (kernels against references, gradient checks, models, file formats), the C
# ABI's tests (C examples, boundary test, exports, namesakes, out of memory, threads, Python
# bindings), the C core's thread pool under AddressSanitizer/UBSan and ThreadSanitizer, and the
# C ABI under AddressSanitizer/UBSan (scripts/test-sanitizers.sh runs it under ThreadSanitizer
# too), and data-parallel training with 2 MPI ranks (Tests/MPI/run.sh). VAEGAN_FUZZ_SECONDS=30 also runs each fuzz harness that long (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh
# Swift Testing runs tests in parallel. The training kernels run on VAEGAN's own pool, which
# shares the cores gracefully; OpenBLAS (evaluation's covariances and eigensolvers) would spin
# its threads against the parallel tests, so it gets one.
OPENBLAS_NUM_THREADS=1 swift test
scripts/test-abi.sh
ABI_SANITIZERS=address scripts/test-sanitizers.sh
# install-dependencies.sh installed Open MPI, so a missing mpirun is a failure here, not a skip;
# the sample-score check trains the Fashion-MNIST domain classifier if it is not cached (~1 min).
VAEGAN_REQUIRE_MPI=1 VAEGAN_MPI_FID=1 Tests/MPI/run.sh
if [[ "${VAEGAN_FUZZ_SECONDS:-0}" -gt 0 ]]; then
    scripts/fuzz.sh "$VAEGAN_FUZZ_SECONDS"
fi
