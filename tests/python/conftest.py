"""Shared fixtures: the bundled sample, and the koe command built next to the module."""

import os
import pathlib
import shutil

import pytest

import koe

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "voices.csv"


@pytest.fixture(scope="session")
def sample_path():
    return SAMPLE


@pytest.fixture(scope="session")
def sample_texts():
    """Texts of the sample as koe's reader gives them (no pandas needed)."""
    frame = koe.read_voices(SAMPLE)
    return list(frame["text"])


def _cli_candidates():
    build = os.environ.get("KOE_BUILD_DIR")
    if build:
        path = pathlib.Path(build)
        yield (path if path.is_absolute() else ROOT / path) / "koe"
    # In the build tree the module sits in <build>/bindings/python/koe/.
    yield pathlib.Path(koe._koe.__file__).resolve().parents[3] / "koe"
    installed = shutil.which("koe")
    if installed:
        yield pathlib.Path(installed)


@pytest.fixture(scope="session")
def cli():
    """Path of the koe executable of the same build, or skip."""
    for path in _cli_candidates():
        if path.is_file() and os.access(path, os.X_OK):
            return path
    pytest.skip("the koe command is not built next to this module (set KOE_BUILD_DIR)")
