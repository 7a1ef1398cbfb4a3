#!/usr/bin/env bash
# Builds the C ABI library in release and installs it under PREFIX:
#
#   PREFIX/include/vaegan.h
#   PREFIX/lib/libvaegan.so.MAJOR.MINOR.PATCH   SONAME libvaegan.so.MAJOR
#   PREFIX/lib/libvaegan.so.MAJOR -> …, PREFIX/lib/libvaegan.so -> …
#   PREFIX/lib/pkgconfig/vaegan.pc
#
# Usage: scripts/install.sh [--static-stdlib] PREFIX
#
#   --static-stdlib  link the Swift runtime and Foundation into the library (about 9 MB more)
#                    so it needs only libc, libm, libstdc++, libgcc_s, zlib, OpenBLAS and
#                    LAPACKE at run time; without it, the library finds the Swift runtime
#                    through its RUNPATH (the toolchain it was built with), so it works on
#                    machines with that toolchain at the same path.
#
# The SwiftPM product is libVAEGANC.so (a library product named "vaegan" would collide with
# the `vaegan` command-line tool); this script gives the installed copy its conventional name.
# SCRATCH overrides the build folder (default .build, or .build-static with --static-stdlib).
set -euo pipefail

static=0
prefix=""
for argument in "$@"; do
    case "$argument" in
        --static-stdlib) static=1 ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "install.sh: unknown option $argument" >&2; exit 2 ;;
        *) [[ -z "$prefix" ]] || { echo "install.sh: one PREFIX only" >&2; exit 2; }; prefix="$argument" ;;
    esac
done
[[ -n "$prefix" ]] || { echo "usage: scripts/install.sh [--static-stdlib] PREFIX" >&2; exit 2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
version_part() { sed -n "s/^#define VG_VERSION_$1 \([0-9]*\)$/\1/p" include/vaegan.h; }
major="$(version_part MAJOR)" minor="$(version_part MINOR)" patch="$(version_part PATCH)"
version="$major.$minor.$patch"
soname="libvaegan.so.$major"

flags=(-c release --product VAEGANC -Xlinker "-soname=$soname")
if [[ $static == 1 ]]; then
    flags+=(-Xswiftc -static-stdlib)
    scratch="${SCRATCH:-.build-static}"
else
    scratch="${SCRATCH:-.build}"
fi
variant="release"
[[ $static == 1 ]] && variant="release, static Swift runtime"
echo "building libVAEGANC.so $version ($variant) in $scratch"
swift build --scratch-path "$scratch" "${flags[@]}"
built="$(swift build --scratch-path "$scratch" -c release --show-bin-path)/libVAEGANC.so"

mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
prefix="$(cd "$prefix" && pwd)"
install -m 644 include/vaegan.h "$prefix/include/vaegan.h"
install -m 755 "$built" "$prefix/lib/libvaegan.so.$version"
ln -sf "libvaegan.so.$version" "$prefix/lib/$soname"
ln -sf "$soname" "$prefix/lib/libvaegan.so"
cat > "$prefix/lib/pkgconfig/vaegan.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: vaegan
Description: β-VAE, GAN and VAE-GAN training on the CPU (C ABI)
Version: $version
Libs: -L\${libdir} -lvaegan
Cflags: -I\${includedir}
PC
echo "installed vaegan $version into $prefix"
echo "  compile: gcc -std=c11 \$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs vaegan) main.c"
if [[ $prefix != /usr && $prefix != /usr/local ]]; then
    echo "  run:     add -Wl,-rpath,$prefix/lib, or set LD_LIBRARY_PATH=$prefix/lib"
fi
