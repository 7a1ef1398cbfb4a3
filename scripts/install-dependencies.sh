#!/usr/bin/env bash
# Installs what VAEGAN needs: from Debian, OpenBLAS, LAPACKE, zlib and the Fashion-MNIST files,
# and Open MPI for the data-parallel tests (Tests/MPI; the package itself never needs it);
# from PyPI, what the Python bindings' tests use (numpy, pytest, safetensors, and scipy as the
# Fréchet distance's reference). Skips whatever is already there; uses sudo for apt when not
# run as root.
set -euo pipefail
packages=(libopenblas-dev liblapacke-dev zlib1g-dev pkg-config dataset-fashion-mnist libopenmpi-dev openmpi-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

python_missing="$(python3 -c 'import importlib.util as u; print(" ".join(m for m in ("numpy", "pytest", "safetensors", "scipy") if u.find_spec(m) is None))')"
if [ -n "$python_missing" ]; then
  echo "installing (pip): $python_missing"
  python3 -m pip install -q $python_missing
fi
