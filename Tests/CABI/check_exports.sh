#!/usr/bin/env bash
# The shared library exports exactly the functions include/vaegan.h declares (VG_API), and no
# other C symbol: the C core's internals (vg_gemm, vg_rng_seed, ...) are hidden
# (vg_core.h, internal.h). Swift's mangled symbols ($s...) are exported by SwiftPM's dynamic
# library and cannot collide with a C name; the linker's own markers (_edata, _end,
# __bss_start) are ignored.
#
#   Tests/CABI/check_exports.sh path/to/libVAEGANC.so
set -euo pipefail
lib="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Every declaration in the header starts with VG_API; the name is the identifier before "(".
grep -oE '^VG_API[^(]*\bvg_[a-z0-9_]+\(' "$root/include/vaegan.h" | grep -oE 'vg_[a-z0-9_]+\($' |
    tr -d '(' | sort -u >"$work/declared"
nm -D --defined-only "$lib" | awk '{print $NF}' |
    grep -vE '^(\$s|_\$s)|^(_edata|_end|__bss_start|_init|_fini)$' | sort -u >"$work/exported"
if ! diff -u "$work/declared" "$work/exported" >"$work/diff"; then
    echo "exports of $lib differ from vaegan.h's declarations (- declared only, + exported only):"
    grep -E '^[-+][^-+]' "$work/diff"
    exit 1
fi
echo "exports: the $(wc -l <"$work/declared") functions vaegan.h declares, no other C symbol"
