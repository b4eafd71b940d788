"""The shipped rules against real statements from the shared corpus."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from hub.mapping import default_mappings_dir, load_mappings

STORED_AT = "2026-01-01T00:00:00.000Z"

# Statements per file that the shipped rules turn into evidence, counted when the
# rules were written. A change means a rule or the corpus changed.
EXPECTED_STATEMENTS_WITH_EVIDENCE = {
    "moodle-logstore-xapi.jsonl": 24,
    "moodle-logstore-xapi-v4.7.0.jsonl": 21,
    "cmi5-spec-samples.jsonl": 34,
    "cmi5-xapijs.jsonl": 7,
    "fun-mooc-video.jsonl": 59,
    "datasim-tccc.jsonl": 31,
}


@pytest.fixture(scope="module")
def shipped():
    return load_mappings(default_mappings_dir())


def read_stored_statements(path: Path) -> list[dict]:
    """Read a corpus file and complete each statement as the LRS stores it.

    The LRS assigns an id and a stored time, and sets a missing timestamp to the
    stored time. Moodle statements have no id, H5P statements no timestamp.
    """
    statements = []
    for line in path.read_text(encoding="utf-8").splitlines():
        statement = json.loads(line)
        statement.setdefault("id", str(uuid.uuid4()))
        statement.setdefault("stored", STORED_AT)
        statement.setdefault("timestamp", statement["stored"])
        statements.append(statement)
    return statements


def evidence_by_rule(shipped, statements: list[dict]) -> Counter:
    counts: Counter = Counter()
    for statement in statements:
        for candidate in shipped.evaluate(statement):
            counts[candidate.rule_id] += 1
    return counts


@pytest.mark.parametrize(("file_name", "expected"), sorted(EXPECTED_STATEMENTS_WITH_EVIDENCE.items()))
def test_corpus_file_gives_evidence(shipped, statements_corpus, file_name, expected):
    statements = read_stored_statements(statements_corpus / file_name)

    with_evidence = [statement for statement in statements if shipped.evaluate(statement)]

    assert len(with_evidence) == expected


def test_moodle_quiz_attempts_scored_from_raw(shipped, statements_corpus):
    statements = read_stored_statements(statements_corpus / "moodle-logstore-xapi.jsonl")

    quiz_evidence = [
        candidate
        for statement in statements
        for candidate in shipped.evaluate(statement)
        if candidate.rule_id == "moodle-quiz-attempt"
    ]

    assert len(quiz_evidence) == 15
    assert {candidate.raw_value for candidate in quiz_evidence} == {"50/100"}
    assert {candidate.level for candidate in quiz_evidence} == {0.5}


def test_moodle_both_plugin_versions_match(shipped, statements_corpus):
    current = evidence_by_rule(shipped, read_stored_statements(statements_corpus / "moodle-logstore-xapi.jsonl"))
    v4_7 = evidence_by_rule(
        shipped, read_stored_statements(statements_corpus / "moodle-logstore-xapi-v4.7.0.jsonl")
    )

    for rule_id in ("moodle-course-completed", "moodle-quiz-attempt", "moodle-assignment-graded"):
        assert current[rule_id] > 0, rule_id
        assert v4_7[rule_id] > 0, rule_id


def test_cmi5_failed_attempt_keeps_its_score(shipped, statements_corpus):
    statements = read_stored_statements(statements_corpus / "cmi5-xapijs.jsonl")
    failed = [s for s in statements if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"]

    evidence = shipped.evaluate(failed[0])

    assert {candidate.skill_uri for candidate in evidence} == {
        "https://skillwire.dev/skills/ladder-safety",
        "https://skillwire.dev/skills/fall-protection",
    }
    assert {candidate.level for candidate in evidence} == {0.4}
    assert {candidate.source_kind for candidate in evidence} == {"assessment"}


def test_cmi5_non_moveon_statements_give_no_evidence(shipped, statements_corpus):
    statements = read_stored_statements(statements_corpus / "cmi5-xapijs.jsonl")
    session_verbs = {
        "http://adlnet.gov/expapi/verbs/initialized",
        "http://adlnet.gov/expapi/verbs/progressed",
        "http://adlnet.gov/expapi/verbs/terminated",
        "http://adlnet.gov/expapi/verbs/answered",
    }

    for statement in statements:
        if statement["verb"]["id"] in session_verbs:
            assert shipped.evaluate(statement) == [], statement["id"]


def test_fun_mooc_videos_map_to_their_course(shipped, statements_corpus):
    counts = evidence_by_rule(shipped, read_stored_statements(statements_corpus / "fun-mooc-video.jsonl"))

    assert counts["fun-mooc-00001-video-completed"] == 31
    assert counts["fun-mooc-00002-video-completed"] == 28


def test_datasim_skipped_questions_give_no_evidence(shipped, statements_corpus):
    statements = read_stored_statements(statements_corpus / "datasim-tccc.jsonl")
    skipped = [s for s in statements if s["verb"]["id"] == "http://id.tincanapi.com/verb/skipped"]

    assert skipped
    for statement in skipped:
        assert shipped.evaluate(statement) == [], statement["id"]


def test_datasim_self_ratings_and_videos(shipped, statements_corpus):
    counts = evidence_by_rule(shipped, read_stored_statements(statements_corpus / "datasim-tccc.jsonl"))

    assert counts["tccc-self-rating-tourniquet"] == 7
    assert counts["tccc-self-rating-casualty-assessment"] == 5
    assert counts["tccc-tourniquet-video-completed"] == 9
    assert counts["tccc-care-under-fire-video-completed"] == 2


def test_voiding_statement_from_spec_gives_no_evidence(shipped, statements_corpus):
    statements = read_stored_statements(statements_corpus / "spec-examples.jsonl")
    voiding = [s for s in statements if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"]

    assert len(voiding) == 1
    assert shipped.evaluate(voiding[0]) == []


def test_voided_corpus_statement_gives_no_evidence(shipped, statements_corpus):
    statements = read_stored_statements(statements_corpus / "cmi5-xapijs.jsonl")
    passed = next(s for s in statements if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed")

    assert shipped.evaluate(passed)
    assert shipped.evaluate(passed, voided=True) == []


def test_evaluation_time_per_statement(shipped, statements_corpus):
    """Evaluation runs for every stored statement, so it must stay in microseconds.

    The bound (a mean under 100 µs) is loose so that slow CI machines pass.
    """
    statements = []
    for file_name in EXPECTED_STATEMENTS_WITH_EVIDENCE:
        statements += read_stored_statements(statements_corpus / file_name)

    started = time.perf_counter()
    for statement in statements:
        shipped.evaluate(statement)
    mean_seconds = (time.perf_counter() - started) / len(statements)

    assert mean_seconds < 100e-6
