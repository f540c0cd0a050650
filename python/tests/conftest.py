"""conftest.py - shared fixtures of the binding tests: the repository's
paths, the CLI binary to compare with, and the sample corpus."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


@pytest.fixture
def root():
    return ROOT


@pytest.fixture
def corpus_files():
    return sorted(CORPUS.glob("*.txt"))


@pytest.fixture
def cli():
    """Runs the reprint binary ($REPRINT, else build/reprint) from the
    repository root: @return its stdout."""
    binary = os.environ.get("REPRINT", str(ROOT / "build" / "reprint"))
    if not os.access(binary, os.X_OK):
        pytest.skip("no reprint binary at %s" % binary)

    def run(*args):
        return subprocess.run([binary, *args], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
    return run
