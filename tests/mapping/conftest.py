"""Fixtures for mapping tests: small mapping folders in tmp_path and the shared statement corpus."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# A minimal valid framework that the invalid-rule cases build on.
MINIMAL_FRAMEWORK = """
skills:
  - uri: https://skillwire.dev/skills/first-aid
    label: First aid
  - uri: https://skillwire.dev/skills/hemorrhage-control
    label: Hemorrhage control
    broader: https://skillwire.dev/skills/first-aid
"""


def shared_dir() -> Path:
    configured = os.environ.get("SKILLWIRE_SHARED_DIR")
    if configured:
        return Path(configured)
    return (REPO_ROOT / ".." / "shared").resolve()


@pytest.fixture(scope="session")
def statements_corpus() -> Path:
    """The folder of corpus statement files; skips when absent unless SKILLWIRE_REQUIRE_SHARED=1."""
    folder = shared_dir() / "corpus" / "statements"
    if not folder.is_dir():
        if os.environ.get("SKILLWIRE_REQUIRE_SHARED") == "1":
            pytest.fail(f"shared corpus not found at {folder}, and SKILLWIRE_REQUIRE_SHARED=1")
        pytest.skip(f"shared corpus not found at {folder}")
    return folder


@pytest.fixture
def write_mappings(tmp_path: Path) -> Callable[..., Path]:
    """Return a function that writes {relative path: YAML text} into a fresh folder and returns it."""
    folder = tmp_path / "mappings"

    def write(files: dict[str, str], *, with_framework: bool = True) -> Path:
        folder.mkdir(exist_ok=True)
        if with_framework:
            (folder / "framework.yaml").write_text(MINIMAL_FRAMEWORK, encoding="utf-8")
        for relative_path, text in files.items():
            path = folder / relative_path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return folder

    return write
