"""Evaluating hand-built statements: each level mode, the match conditions and the evidence fields."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest

from hub.mapping import load_mappings

FIRST_AID = "https://skillwire.dev/skills/first-aid"
HEMORRHAGE = "https://skillwire.dev/skills/hemorrhage-control"

PASSED = "http://adlnet.gov/expapi/verbs/passed"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
PROGRESS = "https://w3id.org/xapi/video/extensions/progress"

RULES = f"""
rules:
  - id: scaled
    skills: [{FIRST_AID}, {HEMORRHAGE}]
    source_kind: assessment
    confidence: 0.8
    expires_after: P90D
    match:
      verb: {PASSED}
      activity_id: http://example.com/scaled
    level:
      from: score.scaled

  - id: raw
    skills: [{FIRST_AID}]
    source_kind: assessment
    confidence: 0.7
    match:
      activity_id_pattern: http://example.com/raw?id=*
    level:
      from: score.raw

  - id: success
    skills: [{FIRST_AID}]
    source_kind: certification
    confidence: 0.9
    match:
      verb: [{PASSED}, {FAILED}]
      activity_id_regex: ^http://example\\.com/exam/[0-9]+$
    level:
      from: success
      passed: 0.9
      failed: 0.2

  - id: completion
    skills: [{FIRST_AID}]
    source_kind: completion
    confidence: 0.5
    match:
      activity_type: http://adlnet.gov/expapi/activities/course
    level:
      from: completion
      completed: 0.6

  - id: extension
    skills: [{FIRST_AID}]
    source_kind: activity
    confidence: 0.3
    match:
      activity_type: https://w3id.org/xapi/video/activity-type/video
    level:
      from: extension
      extension: {PROGRESS}
      range: [0.0, 0.4]

  - id: fixed
    skills: [{FIRST_AID}]
    source_kind: manager_rating
    confidence: 0.6
    match:
      source: hris
      verb: {EXPERIENCED}
    level:
      from: fixed
      value: 0.7

  - id: fallback
    skills: [{HEMORRHAGE}]
    source_kind: assessment
    confidence: 0.8
    match:
      activity_id: http://example.com/fallback
    level:
      from: [score.scaled, score.raw, success]
"""

BASE_STATEMENT = {
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {"objectType": "Agent", "mbox": "mailto:learner@example.com"},
    "verb": {"id": PASSED},
    "object": {"objectType": "Activity", "id": "http://example.com/scaled"},
    "timestamp": "2024-03-01T10:00:00.000Z",
    "stored": "2024-03-01T10:00:05.000Z",
}


@pytest.fixture
def mappings(write_mappings):
    return load_mappings(write_mappings({"rules.yaml": RULES}))


def make_statement(
    *,
    verb: str = PASSED,
    activity_id: str = "http://example.com/scaled",
    activity_type: str | None = None,
    name: dict[str, str] | None = None,
    result: dict | None = None,
    context: dict | None = None,
    **fields,
) -> dict:
    statement = copy.deepcopy(BASE_STATEMENT)
    statement["verb"] = {"id": verb}
    statement["object"]["id"] = activity_id
    definition = {}
    if activity_type is not None:
        definition["type"] = activity_type
    if name is not None:
        definition["name"] = name
    if definition:
        statement["object"]["definition"] = definition
    if result is not None:
        statement["result"] = result
    if context is not None:
        statement["context"] = context
    statement.update(fields)
    return statement


def by_rule(evidence, rule_id):
    return [candidate for candidate in evidence if candidate.rule_id == rule_id]


# --- level modes ---


def test_scaled_score_level(mappings):
    statement = make_statement(result={"score": {"scaled": 0.85}})

    evidence = mappings.evaluate(statement)

    assert [candidate.skill_uri for candidate in evidence] == [FIRST_AID, HEMORRHAGE]
    first = evidence[0]
    assert first.rule_id == "scaled"
    assert first.source_kind == "assessment"
    assert first.level == 0.85
    assert first.raw_value == "0.85"
    assert first.raw_scale == "scaled"
    assert first.confidence == 0.8


def test_negative_scaled_score_is_level_zero(mappings):
    statement = make_statement(result={"score": {"scaled": -0.5}})

    evidence = mappings.evaluate(statement)

    assert evidence[0].level == 0.0
    assert evidence[0].raw_value == "-0.5"


def test_raw_score_level(mappings):
    statement = make_statement(
        verb=COMPLETED,
        activity_id="http://example.com/raw?id=7",
        result={"score": {"raw": 17, "min": 0, "max": 20}},
    )

    evidence = by_rule(mappings.evaluate(statement), "raw")

    assert len(evidence) == 1
    assert evidence[0].level == pytest.approx(0.85)
    assert evidence[0].raw_value == "17/20"
    assert evidence[0].raw_scale == "raw 0..20"


def test_raw_score_with_offset_minimum(mappings):
    statement = make_statement(
        verb=COMPLETED,
        activity_id="http://example.com/raw?id=7",
        result={"score": {"raw": 3.0, "min": 1.0, "max": 5.0}},
    )

    evidence = by_rule(mappings.evaluate(statement), "raw")

    assert evidence[0].level == pytest.approx(0.5)
    assert evidence[0].raw_value == "3/5"
    assert evidence[0].raw_scale == "raw 1..5"


def test_raw_score_without_max_gives_no_evidence(mappings):
    statement = make_statement(
        verb=COMPLETED, activity_id="http://example.com/raw?id=7", result={"score": {"raw": 17}}
    )

    assert mappings.evaluate(statement) == []


def test_success_level_from_result(mappings):
    passed = make_statement(activity_id="http://example.com/exam/12", result={"success": True})
    failed = make_statement(verb=FAILED, activity_id="http://example.com/exam/12", result={"success": False})

    passed_evidence = mappings.evaluate(passed)
    failed_evidence = mappings.evaluate(failed)

    assert passed_evidence[0].level == 0.9
    assert passed_evidence[0].raw_value == "passed"
    assert passed_evidence[0].raw_scale == "success"
    assert failed_evidence[0].level == 0.2
    assert failed_evidence[0].raw_value == "failed"


def test_success_level_from_verb(mappings):
    statement = make_statement(verb=FAILED, activity_id="http://example.com/exam/3")

    evidence = mappings.evaluate(statement)

    assert evidence[0].level == 0.2
    assert evidence[0].raw_value == "failed"


def test_completion_level_from_result(mappings):
    statement = make_statement(
        verb=EXPERIENCED,
        activity_id="http://example.com/course/1",
        activity_type="http://adlnet.gov/expapi/activities/course",
        result={"completion": True},
    )

    evidence = mappings.evaluate(statement)

    assert len(evidence) == 1
    assert evidence[0].level == 0.6
    assert evidence[0].raw_value == "completed"
    assert evidence[0].raw_scale == "completion"


def test_completion_level_from_verb(mappings):
    statement = make_statement(
        verb=COMPLETED,
        activity_id="http://example.com/course/1",
        activity_type="http://adlnet.gov/expapi/activities/course",
    )

    evidence = mappings.evaluate(statement)

    assert evidence[0].level == 0.6


def test_incomplete_result_gives_no_evidence(mappings):
    statement = make_statement(
        verb=COMPLETED,
        activity_id="http://example.com/course/1",
        activity_type="http://adlnet.gov/expapi/activities/course",
        result={"completion": False},
    )

    assert mappings.evaluate(statement) == []


def test_extension_level_mapped_to_range(mappings):
    statement = make_statement(
        verb=COMPLETED,
        activity_id="uuid://video-1",
        activity_type="https://w3id.org/xapi/video/activity-type/video",
        result={"extensions": {PROGRESS: 0.5}},
    )

    evidence = mappings.evaluate(statement)

    assert evidence[0].level == pytest.approx(0.2)
    assert evidence[0].raw_value == "0.5"
    assert evidence[0].raw_scale == f"extension {PROGRESS}"


def test_fixed_level(mappings):
    statement = make_statement(verb=EXPERIENCED, activity_id="http://example.com/review/1")

    evidence = mappings.evaluate(statement, source="hris")

    assert len(evidence) == 1
    assert evidence[0].level == 0.7
    assert evidence[0].raw_value is None
    assert evidence[0].raw_scale == "fixed"
    assert evidence[0].source_kind == "manager_rating"


def test_fallback_uses_first_mode_with_value(mappings):
    scaled = make_statement(activity_id="http://example.com/fallback", result={"score": {"scaled": 0.3}, "success": True})
    raw_only = make_statement(activity_id="http://example.com/fallback", result={"score": {"raw": 4, "min": 0, "max": 8}})
    success_only = make_statement(activity_id="http://example.com/fallback", result={"success": True})

    assert mappings.evaluate(scaled)[0].raw_scale == "scaled"
    assert mappings.evaluate(raw_only)[0].raw_scale == "raw 0..8"
    assert mappings.evaluate(success_only)[0].raw_scale == "success"
    assert mappings.evaluate(success_only)[0].level == 1.0


# --- times ---


def test_observed_at_converted_to_utc(mappings):
    statement = make_statement(result={"score": {"scaled": 0.5}}, timestamp="2015-06-10T22:31:41+08:00")

    evidence = mappings.evaluate(statement)

    assert evidence[0].observed_at == datetime(2015, 6, 10, 14, 31, 41, tzinfo=timezone.utc)
    assert evidence[0].observed_at.utcoffset() == timedelta(0)


def test_timestamp_with_nanoseconds(mappings):
    statement = make_statement(result={"score": {"scaled": 0.5}}, timestamp="2024-03-01T10:00:00.123456789Z")

    evidence = mappings.evaluate(statement)

    assert evidence[0].observed_at == datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)


@pytest.mark.parametrize(("timestamp", "observed"), [
    ("2016-12-31T23:59:60Z", datetime(2017, 1, 1, 0, 0, 0, tzinfo=timezone.utc)),
    ("2020-01-01t00:00:00z", datetime(2020, 1, 1, 0, 0, 0, tzinfo=timezone.utc)),
    ("2020-01-01 08:00:00+0800", datetime(2020, 1, 1, 0, 0, 0, tzinfo=timezone.utc)),
    ("20200101T000000,5Z", datetime(2020, 1, 1, 0, 0, 0, 500000, tzinfo=timezone.utc)),
], ids=["leap second", "lower-case separators", "offset without colon", "basic format"])
def test_every_accepted_timestamp_form_maps(mappings, timestamp, observed):
    statement = make_statement(result={"score": {"scaled": 0.5}}, timestamp=timestamp)

    evidence = mappings.evaluate(statement)

    assert evidence[0].observed_at == observed


def test_invalid_timestamp_raises_value_error(mappings):
    statement = make_statement(result={"score": {"scaled": 0.5}}, timestamp="yesterday")

    with pytest.raises(ValueError, match="invalid timestamp"):
        mappings.evaluate(statement)


def test_stored_used_without_timestamp(mappings):
    statement = make_statement(result={"score": {"scaled": 0.5}})
    del statement["timestamp"]

    evidence = mappings.evaluate(statement)

    assert evidence[0].observed_at == datetime(2024, 3, 1, 10, 0, 5, tzinfo=timezone.utc)


def test_statement_without_any_time_raises(mappings):
    statement = make_statement(result={"score": {"scaled": 0.5}})
    del statement["timestamp"]
    del statement["stored"]

    with pytest.raises(ValueError, match="neither timestamp nor stored"):
        mappings.evaluate(statement)


def test_expiry_added_to_observed_time(mappings):
    statement = make_statement(result={"score": {"scaled": 0.5}})

    evidence = mappings.evaluate(statement)

    assert evidence[0].expires_at == datetime(2024, 5, 30, 10, 0, tzinfo=timezone.utc)


def test_rule_without_expiry_gives_none(mappings):
    statement = make_statement(verb=EXPERIENCED, activity_id="http://example.com/review/1")

    evidence = mappings.evaluate(statement, source="hris")

    assert evidence[0].expires_at is None


# --- statements that give no evidence ---


def test_voided_statement_gives_no_evidence(mappings):
    statement = make_statement(result={"score": {"scaled": 0.85}})

    assert mappings.evaluate(statement, voided=True) == []


def test_voiding_statement_gives_no_evidence(mappings):
    statement = make_statement(verb="http://adlnet.gov/expapi/verbs/voided")
    statement["object"] = {"objectType": "StatementRef", "id": "e05aa883-acaf-40ad-bf54-02c8ce485fb0"}

    assert mappings.evaluate(statement) == []


def test_non_activity_object_gives_no_evidence(mappings):
    statement = make_statement(verb=EXPERIENCED)
    statement["object"] = {"objectType": "Agent", "mbox": "mailto:other@example.com"}

    assert mappings.evaluate(statement, source="hris") == []


def test_source_condition_requires_source(mappings):
    statement = make_statement(verb=EXPERIENCED, activity_id="http://example.com/review/1")

    assert mappings.evaluate(statement) == []
    assert mappings.evaluate(statement, source="csv") == []


def test_unmatched_verb_gives_no_evidence(mappings):
    statement = make_statement(verb="http://adlnet.gov/expapi/verbs/attempted", result={"score": {"scaled": 0.9}})

    assert mappings.evaluate(statement) == []


# --- match conditions ---

CONDITION_RULES = f"""
rules:
  - id: conditions
    skills: [{FIRST_AID}]
    source_kind: assessment
    confidence: 0.8
    match:
      verb: {PASSED}
      platform: Moodle
      name_contains: [tourniquet, garrot]
      context_activity:
        - in: [parent, grouping]
          id_pattern: http://lms.example.com/course/view.php?id=*
        - in: category
          id: https://w3id.org/xapi/cmi5/context/categories/moveon
      result:
        success: true
        min_scaled: 0.8
    level:
      from: score.scaled
"""


@pytest.fixture
def condition_mappings(write_mappings):
    return load_mappings(write_mappings({"rules.yaml": CONDITION_RULES}))


def matching_statement() -> dict:
    return make_statement(
        activity_id="http://lms.example.com/mod/quiz/attempt.php?attempt=4",
        name={"en-US": "Quiz", "fr-FR": "Pose du GARROT"},
        result={"success": True, "score": {"scaled": 0.8}},
        context={
            "platform": "Moodle",
            "contextActivities": {
                "parent": [{"id": "http://lms.example.com/course/view.php?id=12"}],
                "category": {"id": "https://w3id.org/xapi/cmi5/context/categories/moveon"},
            },
        },
    )


def test_all_conditions_met(condition_mappings):
    evidence = condition_mappings.evaluate(matching_statement())

    assert len(evidence) == 1
    assert evidence[0].level == 0.8


def test_glob_question_mark_is_literal(condition_mappings):
    statement = matching_statement()
    statement["context"]["contextActivities"]["parent"] = [{"id": "http://lms.example.com/course/view.phpXid=12"}]

    assert condition_mappings.evaluate(statement) == []


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("platform", lambda s: s["context"].update(platform="Canvas")),
        ("name", lambda s: s["object"]["definition"].update(name={"en-US": "Quiz"})),
        ("parent kind", lambda s: s["context"]["contextActivities"].update(
            other=s["context"]["contextActivities"].pop("parent"))),
        ("category", lambda s: s["context"]["contextActivities"].pop("category")),
        ("success", lambda s: s["result"].update(success=False)),
        ("scaled below minimum", lambda s: s["result"].update(score={"scaled": 0.79})),
        ("no score", lambda s: s["result"].pop("score")),
    ],
)
def test_unmet_condition_gives_no_evidence(condition_mappings, case, change):
    statement = matching_statement()
    change(statement)

    assert condition_mappings.evaluate(statement) == [], case
