"""Evidence mapping survives what it cannot handle: a statement the rules cannot read, odd actors, and Redis down."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from hub.jobs import RQRunner
from hub.models import Evidence, PendingMapping, Person, Statement
from hub.services.evidence import map_pending_statements
from hub.services.identity import DISPLAY_NAME_LENGTH

QUIZ = {
    "actor": {"mbox": "mailto:quiz@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "http://www.example.org/course/view.php?id=1"},
    "context": {"platform": "Moodle"},
}


def _counts(runtime) -> tuple[int, int]:
    with runtime.sessions() as session:
        pending = session.query(PendingMapping).count()
        return pending, session.query(Evidence).count()


def test_unreadable_statement_does_not_block_batch(client, runtime, monkeypatch):
    """A statement whose evaluation raises is skipped and logged; the other statements get their evidence."""
    original = runtime.mappings.evaluate

    def evaluate(statement, **kwargs):
        if statement["actor"]["mbox"] == "mailto:poison@example.com":
            raise OverflowError("date value out of range")
        return original(statement, **kwargs)

    monkeypatch.setattr(runtime.mappings, "evaluate", evaluate)
    poison = dict(QUIZ, actor={"mbox": "mailto:poison@example.com"})

    response = client.post("/xapi/statements", json=[QUIZ, poison])

    assert response.status_code == 200
    assert _counts(runtime) == (0, 1)


def test_far_future_timestamp_maps_without_expiry(client, runtime):
    """A quiz rule with a two-year expiry, on a statement dated in year 9999."""
    quiz_attempt = {
        "actor": {"mbox": "mailto:quiz@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://www.example.org/mod/quiz/view.php?id=9",
                   "definition": {"type": "http://adlnet.gov/expapi/activities/attempt"}},
        "result": {"score": {"scaled": 0.8}},
        "context": {"platform": "Moodle",
                    "contextActivities": {"parent": [{"id": "http://www.example.org/course/view.php?id=2"}]}},
        "timestamp": "9999-12-31T23:59:59Z",
    }

    assert client.post("/xapi/statements", json=quiz_attempt).status_code == 200

    pending, evidence = _counts(runtime)
    assert pending == 0
    assert evidence == 1
    with runtime.sessions() as session:
        assert session.query(Evidence).one().expires_at is None


def test_statement_accepted_while_redis_is_down(client, runtime):
    """Redis refusing the mapping job must not fail a request whose statements are already stored."""
    original_settings, original_jobs = runtime.settings, runtime.jobs
    unreachable = "redis://127.0.0.1:1/0"
    runtime.settings = replace(original_settings, redis_url=unreachable)
    runtime.jobs = RQRunner(unreachable, "skillwire-unreachable")
    try:
        response = client.post("/xapi/statements", json=QUIZ)
    finally:
        runtime.settings, runtime.jobs = original_settings, original_jobs

    assert response.status_code == 200
    assert _counts(runtime) == (1, 0)


def _completion(**actor) -> dict:
    return dict(QUIZ, actor=actor)


def _people_of_evidence(runtime) -> list[tuple[int, str | None]]:
    with runtime.sessions() as session:
        rows = session.query(Evidence.person_id, Person.display_name).join(Person, Person.id == Evidence.person_id)
        return sorted(rows.all())


def test_long_agent_name_maps(client, runtime):
    """An agent name longer than the display_name column is cut, so the new person and the evidence are stored."""
    name = "N" * (DISPLAY_NAME_LENGTH + 50)

    response = client.post("/xapi/statements", json=[_completion(mbox="mailto:long@example.com", name=name)])

    assert response.status_code == 200
    people = _people_of_evidence(runtime)
    assert len(people) == 1
    assert people[0][1] == name[:DISPLAY_NAME_LENGTH]


def test_one_batch_names_one_learner_twice(client, runtime):
    """The mbox and the mbox_sha1sum of one address in one batch resolve to one new person."""
    sha1 = hashlib.sha1(b"mailto:twice@example.com").hexdigest()
    batch = [_completion(mbox="mailto:twice@example.com"), _completion(mbox_sha1sum=sha1),
             _completion(mbox="mailto:other@example.com")]

    response = client.post("/xapi/statements", json=batch)

    assert response.status_code == 200
    person_ids = [person_id for person_id, _ in _people_of_evidence(runtime)]
    assert len(person_ids) == 3
    assert len(set(person_ids)) == 2


def test_mapping_a_statement_again_adds_no_evidence(client, runtime):
    """A statement queued again by hand after it was mapped keeps its one piece of evidence."""
    assert client.post("/xapi/statements", json=QUIZ).status_code == 200
    with runtime.sessions.begin() as session:
        pk = session.query(Statement.pk).scalar()
        session.add(PendingMapping(statement_pk=pk))

    mapped = map_pending_statements(runtime.sessions, runtime.mappings, runtime.settings.account_homepages, 10)

    assert mapped == 0
    assert _counts(runtime) == (0, 1)
