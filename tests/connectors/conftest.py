"""Fixtures for connector tests: the shared HRIS corpus, a mocked HTTP layer and recorded waits."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import responses

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    configured = os.environ.get("SKILLWIRE_SHARED_DIR")
    if configured:
        return Path(configured)
    return (REPO_ROOT / ".." / "shared").resolve()


@pytest.fixture(scope="session")
def bamboohr_corpus() -> Path:
    """The folder of recorded BambooHR payloads; skips when absent unless SKILLWIRE_REQUIRE_SHARED=1."""
    folder = shared_dir() / "corpus" / "hris" / "bamboohr"
    if not folder.is_dir():
        if os.environ.get("SKILLWIRE_REQUIRE_SHARED") == "1":
            pytest.fail(f"shared corpus not found at {folder}, and SKILLWIRE_REQUIRE_SHARED=1")
        pytest.skip(f"shared corpus not found at {folder}")
    return folder


@pytest.fixture(scope="session")
def _report_text(bamboohr_corpus: Path) -> str:
    return (bamboohr_corpus / "reports-custom.response.json").read_text(encoding="utf-8")


@pytest.fixture
def report_payload(_report_text: str) -> dict[str, Any]:
    """A fresh copy of the recorded custom report (103 employees), safe to modify in a test."""
    return json.loads(_report_text)


@pytest.fixture
def load_corpus_json(bamboohr_corpus: Path):
    def load(name: str) -> Any:
        return copy.deepcopy(json.loads((bamboohr_corpus / name).read_text(encoding="utf-8")))

    return load


@pytest.fixture
def mocked_http():
    """A responses mock that fails the test when a registered response was never requested."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def waits() -> list[float]:
    """The list that a recording sleep function appends every wait to."""
    return []


@pytest.fixture
def record_sleep(waits: list[float]):
    return waits.append
