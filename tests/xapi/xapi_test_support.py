"""Statements and helpers shared by the xapi library tests."""

import copy
import os
import re
from pathlib import Path

import pytest

from xapi.errors import ValidationError
from xapi.validation import validate_statement

VERSIONS = ("1.0.3", "2.0.0")

_MINIMAL = {
    "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "actor": {"objectType": "Agent", "name": "Learner One", "mbox": "mailto:learner1@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    "object": {"objectType": "Activity", "id": "http://example.com/courses/algebra"},
    "timestamp": "2024-01-02T03:04:05.678Z",
}

_FULL = {
    **_MINIMAL,
    "result": {
        "score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10},
        "success": True,
        "completion": True,
        "response": "choice-a",
        "duration": "PT4H35M59.14S",
        "extensions": {"http://example.com/ext/attempt": {"n": 2, "note": None}},
    },
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "instructor": {"account": {"homePage": "https://lms.example.com", "name": "teacher-7"}},
        "team": {"objectType": "Group", "mbox": "mailto:team@example.com"},
        "contextActivities": {
            "parent": [{"id": "http://example.com/courses/math"}],
            "grouping": [{"objectType": "Activity", "id": "http://example.com/programs/stem"}],
            "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
            "other": [{"id": "http://example.com/books/algebra"}],
        },
        "revision": "r2",
        "platform": "Example LMS",
        "language": "en-US",
        "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
        "extensions": {"http://example.com/ext/session": "s-1"},
    },
    "attachments": [
        {
            "usageType": "http://adlnet.gov/expapi/attachments/signature",
            "display": {"en-US": "Signature"},
            "description": {"en-US": "JWS signature"},
            "contentType": "application/octet-stream",
            "length": 4235,
            "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634",
            "fileUrl": "https://files.example.com/signature.jws",
        }
    ],
}

_INTERACTION = {
    "objectType": "Activity",
    "id": "http://example.com/quiz/q1",
    "definition": {
        "name": {"en-US": "Question 1"},
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "interactionType": "choice",
        "correctResponsesPattern": ["golf[,]tetris"],
        "choices": [
            {"id": "golf", "description": {"en-US": "Golf"}},
            {"id": "tetris", "description": {"en-US": "Tetris"}},
            {"id": "chess"},
        ],
    },
}

_SUBSTATEMENT = {
    "objectType": "SubStatement",
    "actor": {"mbox": "mailto:learner1@example.com"},
    "verb": {"id": "http://example.com/verbs/will-visit"},
    "object": {"id": "http://example.com/website"},
    "timestamp": "2030-01-01T00:00:00Z",
}


def minimal_statement() -> dict:
    """Return a new minimal valid statement."""
    return copy.deepcopy(_MINIMAL)


def full_statement() -> dict:
    """Return a new valid statement that uses result, context and attachments."""
    return copy.deepcopy(_FULL)


def interaction_activity() -> dict:
    """Return a new valid choice interaction Activity."""
    return copy.deepcopy(_INTERACTION)


def substatement() -> dict:
    """Return a new valid SubStatement."""
    return copy.deepcopy(_SUBSTATEMENT)


_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str) -> list:
    return [name if name else int(index) for name, index in _PATH_TOKEN.findall(path)]


def set_value(document: dict, path: str, value: object) -> dict:
    """Set the value at a path such as "context.contextActivities.parent[0].id"; return the document."""
    *parents, last = _tokens(path)
    target = document
    for token in parents:
        target = target[token]
    target[last] = value
    return document


def remove_value(document: dict, path: str) -> dict:
    """Delete the value at a path; return the document."""
    *parents, last = _tokens(path)
    target = document
    for token in parents:
        target = target[token]
    del target[last]
    return document


def rejection(statement: object, version: str) -> ValidationError:
    """Validate a statement that must be rejected and return the error."""
    with pytest.raises(ValidationError) as caught:
        validate_statement(statement, version)
    return caught.value


def shared_dir() -> Path:
    """Return the shared folder, or skip the test when it is absent.

    With SKILLWIRE_REQUIRE_SHARED=1 an absent folder fails the test instead.
    """
    configured = os.environ.get("SKILLWIRE_SHARED_DIR")
    if configured:
        path = Path(configured)
    else:
        path = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()

    if not (path / "corpus").is_dir():
        message = (f"shared corpus not found at {path / 'corpus'}; "
                   "set SKILLWIRE_SHARED_DIR to the folder that holds corpus/")
        if os.environ.get("SKILLWIRE_REQUIRE_SHARED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path
