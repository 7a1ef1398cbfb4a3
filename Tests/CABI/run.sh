#!/usr/bin/env bash
# The C ABI's own tests beyond the boundary test: the shared library's exports
# (check_exports.sh), a client with namesakes of the core's internals (namesake_test.c),
# out of memory under a capped address space (oom_test.c) and several threads on distinct
# handles and on one (threads_test.c). Builds libVAEGANC.so (debug) first.
#
#   Tests/CABI/run.sh                    SwiftPM scratch path .build
#   SCRATCH=.build-x Tests/CABI/run.sh   another scratch path
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
scratch="${SCRATCH:-.build}"
swift build --scratch-path "$scratch" --product VAEGANC >/dev/null
lib="$(swift build --scratch-path "$scratch" --show-bin-path)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
export SWIFT_BACKTRACE=enable=no # a crashing child is a failure either way; no slow backtraces

status=0
echo "== exports"
Tests/CABI/check_exports.sh "$lib/libVAEGANC.so" || status=1
for name in namesake_test oom_test threads_test; do
    gcc -std=c11 -Wall -Wextra -Werror -O1 -g -I include "Tests/CABI/$name.c" -o "$out/$name" \
        -L"$lib" -lVAEGANC -Wl,-rpath,"$lib" -lm -pthread
    echo "== $name"
    if ! "$out/$name"; then
        echo "== $name FAILED"
        status=1
    fi
done
exit $status
