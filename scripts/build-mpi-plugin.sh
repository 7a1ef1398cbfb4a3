#!/usr/bin/env bash
# Builds the MPI plugin (MPIPlugin/vg_mpi.c) with mpicc into libvaegan_mpi.so beside the tool
# (SwiftPM's debug and release bin folders, or the folders given), where `vaegan train` looks
# for it when it runs under mpirun (VAEGAN_MPI_PLUGIN=PATH overrides). Needs Open MPI's compiler wrapper: apt-get install libopenmpi-dev
# openmpi-bin. The package itself never needs MPI; only this plugin does.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v mpicc >/dev/null; then
    echo "error: mpicc not found; install MPI first: apt-get install -y libopenmpi-dev openmpi-bin" >&2
    exit 1
fi
folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then
    folders=("$(swift build --show-bin-path)" "$(swift build -c release --show-bin-path)")
fi
for folder in "${folders[@]}"; do
    mkdir -p "$folder"
    mpicc -std=c11 -O2 -Wall -Wextra -fPIC -shared -o "$folder/libvaegan_mpi.so" MPIPlugin/vg_mpi.c
    echo "built $folder/libvaegan_mpi.so"
done
