#!/usr/bin/env bash
# The C ABI's tests: builds libVAEGANC.so (debug), runs the C examples and the boundary test
# (examples/c/run.sh), then the Python bindings' tests against the same library.
#
# Needs gcc, and python3 with numpy, pytest, safetensors and scipy
# (`python3 -m pip install numpy pytest safetensors scipy`); this script installs nothing.
#
#   scripts/test-abi.sh                  SwiftPM scratch path .build
#   SCRATCH=.build-x scripts/test-abi.sh another scratch path
#   VALGRIND=1 scripts/test-abi.sh       also run the boundary test under valgrind
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scratch="${SCRATCH:-.build}"

missing="$(python3 - <<'PY'
import importlib.util
print(" ".join(m for m in ("numpy", "pytest", "safetensors", "scipy") if importlib.util.find_spec(m) is None))
PY
)"
if [[ -n "$missing" ]]; then
    echo "test-abi.sh: python3 lacks: $missing (python3 -m pip install $missing)" >&2
    exit 1
fi

SCRATCH="$scratch" examples/c/run.sh

echo "== python tests"
lib="$(swift build --scratch-path "$scratch" --show-bin-path)/libVAEGANC.so"
VAEGAN_LIBRARY="$lib" python3 -m pytest -q python/tests
