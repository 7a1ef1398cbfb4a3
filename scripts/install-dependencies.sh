#!/usr/bin/env bash
# Installs what VAEGAN needs from Debian: OpenBLAS, LAPACKE, zlib and the Fashion-MNIST files.
# Skips apt entirely when everything is already there; uses sudo when not run as root.
set -euo pipefail
packages=(libopenblas-dev liblapacke-dev zlib1g-dev pkg-config dataset-fashion-mnist)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
