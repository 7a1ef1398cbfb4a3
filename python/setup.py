"""Builds the vaegan wheel with the shared library inside it (vaegan/_native/libVAEGANC.so).

Which library: $VAEGAN_LIBRARY if set (any build, as you name it); otherwise the repository's
release build, <repo>/.build/release/libVAEGANC.so, brought up to date with `swift build -c
release --product VAEGANC` first (when swift is on the PATH). Never a debug build unless you name one. The
metadata is in pyproject.toml; this file only adds the library and tags the wheel for this
platform (the library is machine code; the Python code is any-version, no C extension).
"""
import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LIBRARY = "libVAEGANC.so"


def library() -> Path:
    explicit = os.environ.get("VAEGAN_LIBRARY")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise SystemExit(f"vaegan: VAEGAN_LIBRARY={explicit} is not a file")
        return path
    release = REPO / ".build" / "release" / LIBRARY
    if (REPO / "Package.swift").exists() and shutil.which("swift"):
        # Always: an up-to-date build is a quick no-op, and a stale library must not be packaged.
        print("vaegan: swift build -c release --product VAEGANC (the first build takes a few minutes)")
        subprocess.run(["swift", "build", "-c", "release", "--product", "VAEGANC"], cwd=REPO, check=True)
    if not release.exists():
        raise SystemExit(f"vaegan: no {release}; build it with `swift build -c release --product VAEGANC` in the "
                         "repository, or set VAEGAN_LIBRARY to a libVAEGANC.so")
    return release


class BuildWithLibrary(build_py):
    """build_py, then the library copied into the package."""

    def run(self):
        super().run()
        source = library()
        target = Path(self.build_lib) / "vaegan" / "_native"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / LIBRARY)
        print(f"vaegan: packaged {source}")


class PlatformWheel(bdist_wheel):
    """py3-none-<platform>: the library ties the wheel to the platform, not to a Python ABI."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        return "py3", "none", super().get_tag()[2]


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel}, distclass=BinaryDistribution)
