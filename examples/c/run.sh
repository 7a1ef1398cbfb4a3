#!/usr/bin/env bash
# Builds the C ABI library (debug), then compiles and runs the C examples and the boundary
# test against include/vaegan.h with strict warnings.
#
#   examples/c/run.sh                    build with .build, run everything
#   SCRATCH=.build-x examples/c/run.sh   use another SwiftPM scratch path
#   CONFIG=release examples/c/run.sh     build the library in release
#   VALGRIND=1 examples/c/run.sh         also run the boundary test under valgrind
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
scratch="${SCRATCH:-.build}"
config="${CONFIG:-debug}"
swift build --scratch-path "$scratch" -c "$config" --product VAEGANC >/dev/null
lib="$(swift build --scratch-path "$scratch" -c "$config" --show-bin-path)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

status=0
for name in train_vae errors boundary_test; do
    gcc -std=c11 -Wall -Wextra -Werror -O1 -g -I include "examples/c/$name.c" -o "$out/$name" \
        -L"$lib" -lVAEGANC -Wl,-rpath,"$lib" -lm -pthread
    echo "== $name"
    if ! "$out/$name"; then
        echo "== $name FAILED"
        status=1
    fi
done

if [[ "${VALGRIND:-0}" == 1 ]]; then
    # Valgrind 3.19 cannot read the DWARF 5 that Swift's clang writes, so it runs against a
    # copy of the library without debug info (symbols stay). Only definite leaks and memory
    # errors fail the run: the Swift runtime keeps its metadata caches for the process's
    # lifetime, which valgrind counts as "possibly lost" or "still reachable".
    echo "== boundary_test under valgrind"
    mkdir -p "$out/valgrind"
    objcopy --strip-debug "$lib/libVAEGANC.so" "$out/valgrind/libVAEGANC.so"
    gcc -std=c11 -Wall -Wextra -Werror -O1 -g -gdwarf-4 -I include examples/c/boundary_test.c \
        -o "$out/valgrind/boundary_test" -L"$out/valgrind" -lVAEGANC -Wl,-rpath,"$out/valgrind" -lm -pthread
    valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --error-exitcode=99 \
        "$out/valgrind/boundary_test" || status=1
fi
exit $status
