#!/usr/bin/env bash
# The C core's thread pool and kernels under sanitizers: Tests/CSanitizers/pool_stress.c built
# with the toolchain's clang against the C core's sources, once with AddressSanitizer and
# UndefinedBehaviorSanitizer, once with ThreadSanitizer. Any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
core=CSources/CVAEGAN
out="${TMPDIR:-/tmp}/vaegan-sanitizers"
mkdir -p "$out"
sources=("$core"/*.c)
# ThreadSanitizer's runtime in the Swift toolchain needs its libdispatch and BlocksRuntime.
swift_lib="$(dirname "$(command -v swiftc)")/../lib/swift/linux"
for sanitizer in address,undefined thread; do
  name="${sanitizer%%,*}"
  extra=()
  [ "$name" = thread ] && extra=(-L"$swift_lib" -Wl,-rpath,"$swift_lib" -ldispatch -lBlocksRuntime)
  clang -std=c11 -O1 -g -fno-omit-frame-pointer -fsanitize="$sanitizer" -fno-sanitize-recover=all \
    -I"$core/include" -I"$core" Tests/CSanitizers/pool_stress.c "${sources[@]}" \
    -o "$out/pool_stress_$name" "${extra[@]}" -lopenblas -llapacke -lm -lpthread 2>&1 |
    grep -v "Cannot export local symbol" || true
  echo "pool_stress under $sanitizer:"
  ASAN_OPTIONS=detect_leaks=1 TSAN_OPTIONS=halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
    "$out/pool_stress_$name"
done
