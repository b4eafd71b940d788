"""Fixtures shared by every test: the corpus location and the real database under test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("SKILLWIRE_SHARED_DIR") or REPO_ROOT.parent / "shared")


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared corpus folder; tests skip without it, unless SKILLWIRE_REQUIRE_SHARED=1 makes them fail."""
    path = shared_dir()
    if not (path / "corpus").is_dir():
        if os.environ.get("SKILLWIRE_REQUIRE_SHARED") == "1":
            pytest.fail(f"shared corpus not found at {path / 'corpus'}; set SKILLWIRE_SHARED_DIR to the folder "
                        "that holds corpus/")
        pytest.skip(f"shared corpus not found at {path / 'corpus'}")
    return path


@pytest.fixture(scope="session")
def corpus(shared: Path) -> Path:
    return shared / "corpus"
