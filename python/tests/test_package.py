"""The installed package: where it and its library come from, and the documented search order."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import vaegan
from vaegan import _lib

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.environ.get("VAEGAN_EXPECT_INSTALLED") != "1",
                    reason="scripts/test-abi.sh sets VAEGAN_EXPECT_INSTALLED=1 for its installed-package run")
def test_runs_from_an_installed_package_and_its_own_library():
    package = Path(vaegan.__file__).resolve().parent
    assert REPO not in package.parents, f"imported the source tree {package}, not the installed package"
    assert Path(vaegan.library_path).resolve() == package / "_native" / _lib.LIBRARY_NAME
    assert "VAEGAN_LIBRARY" not in os.environ


def test_search_order_is_explicit_then_package_then_repository_release(monkeypatch):
    monkeypatch.setenv("VAEGAN_LIBRARY", "/somewhere/libVAEGANC.so")
    places = _lib.library_candidates()
    assert places[0] == ("$VAEGAN_LIBRARY", "/somewhere/libVAEGANC.so")
    assert places[1][0] == "the package's own copy"
    assert _lib.library_path() == "/somewhere/libVAEGANC.so"  # used as given
    assert all("debug" not in path for where, path in places[1:])
    monkeypatch.delenv("VAEGAN_LIBRARY")
    assert _lib.library_candidates()[0][0] == "the package's own copy"


def test_python_dash_m_names_the_library():
    out = subprocess.run([sys.executable, "-m", "vaegan"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("vaegan ") and "library " in out
