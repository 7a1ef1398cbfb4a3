#!/usr/bin/env bash
# The whole test suite: Swift tests (kernels, gradient checks, models, file formats).
set -euo pipefail
cd "$(dirname "$0")/.."
swift test
