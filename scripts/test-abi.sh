#!/usr/bin/env bash
# The C ABI's tests: builds libVAEGANC.so (debug), runs the C examples and the boundary test
# (examples/c/run.sh) and the library's exports, namesake, out-of-memory and thread tests
# (Tests/CABI/run.sh), then installs the Python package (with the release library) into a
# fresh virtual environment and runs its tests against it from outside the repository.
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
SCRATCH="$scratch" Tests/CABI/run.sh

# The Python package as a user gets it: `pip install ./python` into a fresh virtual environment
# (which builds the release library and copies it into the package), then the tests from
# outside the repository, so they import the installed package and its own library. The
# environment sees the system's numpy, pytest, safetensors and scipy, and the install uses the
# system's setuptools (--no-build-isolation --no-deps): nothing is downloaded.
echo "== python package: pip install ./python into a fresh virtual environment"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# --without-pip: a venv's own bundled pip and setuptools would shadow the system's newer ones;
# the system's pip installs into it instead (pip --python).
python3 -m venv --system-site-packages --without-pip "$work/venv"
install=(python3 -m pip --python "$work/venv/bin/python" install -q --no-build-isolation --no-deps ./python)
if [[ "$scratch" == .build ]]; then
    env -u VAEGAN_LIBRARY "${install[@]}"
else
    # Another scratch path: build its release library and name it.
    swift build --scratch-path "$scratch" -c release --product VAEGANC >/dev/null
    VAEGAN_LIBRARY="$(swift build --scratch-path "$scratch" -c release --show-bin-path)/libVAEGANC.so" "${install[@]}"
fi
rm -rf python/build python/vaegan.egg-info

echo "== python tests (installed package, run from $work)"
cd "$work"
env -u VAEGAN_LIBRARY VAEGAN_EXPECT_INSTALLED=1 "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$root/python/tests"
