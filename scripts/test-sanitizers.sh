#!/usr/bin/env bash
# The C core and the C ABI under sanitizers; any report fails the run.
#   1. The C core's thread pool and kernels: Tests/CSanitizers/pool_stress.c and conv_bounds.c
#      (the convolutions at every edge, buffers of exact size, against the references) built
#      with the toolchain's clang against the core's sources, with AddressSanitizer + UBSan and
#      with ThreadSanitizer.
#   2. The C ABI: libVAEGANC.so built by SwiftPM with the sanitizer on its Swift code
#      (-sanitize=address or thread) and its C core (-fsanitize=address,undefined or thread), in
#      its own scratch path (.build-asan, .build-tsan), then the C examples, the boundary test,
#      the namesake test and the thread test (Tests/CABI/threads_test.c: distinct handles at once,
#      two threads on one handle) built with the same sanitizers and run against it. (Swift has
#      no -sanitize=undefined on Linux: UBSan covers the C core and the C callers; its runtime
#      comes with the instrumented executable.) The out-of-memory test is not run here: a
#      sanitizer's shadow memory does not fit under its RLIMIT_AS cap.
#
#   scripts/test-sanitizers.sh                         all of it
#   ABI_SANITIZERS=address scripts/test-sanitizers.sh  the ABI under ASan+UBSan only (scripts/test.sh)
#   ABI_SANITIZERS= scripts/test-sanitizers.sh         the thread pool only
#
# allocator_may_return_null=1: the boundary and OOM cases ask for absurd sizes on purpose and
# the library reports VG_ERROR_OUT_OF_MEMORY when malloc returns NULL; by default the
# sanitizers' allocators abort instead of returning NULL.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
core=CSources/CVAEGAN
out="${TMPDIR:-/tmp}/vaegan-sanitizers"
mkdir -p "$out"
sources=("$core"/*.c)
# ThreadSanitizer's runtime in the Swift toolchain needs its libdispatch and BlocksRuntime.
swift_lib="$(cd "$(dirname "$(command -v swiftc)")/../lib/swift/linux" && pwd)"
tsan_libs=(-L"$swift_lib" -Wl,-rpath,"$swift_lib" -ldispatch -lBlocksRuntime)
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export TSAN_OPTIONS=halt_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
quiet_link() { grep -v "Cannot export local symbol" || true; }

for sanitizer in address,undefined thread; do
  name="${sanitizer%%,*}"
  extra=()
  [ "$name" = thread ] && extra=("${tsan_libs[@]}")
  for program in pool_stress conv_bounds; do
    clang -std=c11 -O1 -g -fno-omit-frame-pointer -fsanitize="$sanitizer" -fno-sanitize-recover=all \
      -I"$core/include" -I"$core" "Tests/CSanitizers/$program.c" "${sources[@]}" \
      -o "$out/${program}_$name" "${extra[@]}" -lopenblas -llapacke -lm -lpthread 2>&1 | quiet_link
    echo "$program under $sanitizer:"
    "$out/${program}_$name" | tail -1
  done
done

status=0
for name in ${ABI_SANITIZERS-address thread}; do
  case "$name" in
    address) swift_flag=-sanitize=address; c_flags=(-fsanitize=address,undefined -fno-sanitize-recover=all); extra=() ;;
    thread) swift_flag=-sanitize=thread; c_flags=(-fsanitize=thread); extra=("${tsan_libs[@]}") ;;
    *) echo "ABI_SANITIZERS: address or thread, not $name" >&2; exit 2 ;;
  esac
  scratch=".build-${name:0:1}san"
  echo "== libVAEGANC.so with $swift_flag (${c_flags[0]}) in $scratch"
  xcc=()
  for flag in "${c_flags[@]}" -fno-omit-frame-pointer; do xcc+=(-Xcc "$flag"); done
  swift build --scratch-path "$scratch" --product VAEGANC -Xswiftc "$swift_flag" "${xcc[@]}" 2>&1 |
    grep -E "error:" || true
  lib="$(swift build --scratch-path "$scratch" --show-bin-path)"
  [ -f "$lib/libVAEGANC.so" ] || { echo "no $lib/libVAEGANC.so" >&2; exit 1; }
  for program in examples/c/train_vae examples/c/errors examples/c/boundary_test \
                 Tests/CABI/namesake_test Tests/CABI/threads_test; do
    binary="$out/$(basename "$program")_$name"
    clang -std=c11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer "${c_flags[@]}" -I include \
      "$program.c" -o "$binary" -L"$lib" -lVAEGANC -Wl,-rpath,"$lib" "${extra[@]}" -lm -pthread 2>&1 | quiet_link
    if "$binary" >"$binary.log" 2>&1; then
      echo "   $(basename "$program") under $name: clean ($(tail -1 "$binary.log"))"
    else
      echo "   $(basename "$program") under $name: FAILED"
      grep -E "ERROR|WARNING: ThreadSanitizer|SUMMARY|runtime error|FAIL" "$binary.log" | head -10 | sed 's/^/      /'
      status=1
    fi
  done
done
exit $status
