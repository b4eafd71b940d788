"""The hub's main job end to end: corpus statements and HR people in, skill evidence out over HTTP."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest
import responses

from hub.bootstrap import import_people_file
from hub.importer import import_statements_file
from hub.sync import run_sync

BAMBOOHR_REPORT = "https://acme.bamboohr.com/api/gateway.php/acme/v1/reports/custom"

EVIDENCE_FILES = ["moodle-logstore-xapi.jsonl", "cmi5-spec-samples.jsonl", "datasim-tccc.jsonl"]


@pytest.fixture
def bamboohr_runtime(runtime):
    """The runtime with BambooHR settings, restored afterwards."""
    original = runtime.settings
    runtime.settings = replace(original, bamboohr_subdomain="acme", bamboohr_api_key="test-key-not-real")
    yield runtime
    runtime.settings = original


def _sync_bamboohr(runtime, corpus) -> dict:
    payload = json.loads((corpus / "hris" / "bamboohr" / "reports-custom.response.json").read_text())
    with responses.RequestsMock() as mocked:
        mocked.post(BAMBOOHR_REPORT, json=payload, headers={"Date": "Wed, 02 Dec 2026 10:00:00 GMT"})
        return run_sync(runtime, "bamboohr")


def _import_corpus(runtime, corpus) -> dict[str, dict]:
    """Import the files and return their counts, with the set of statement ids reported under "ids"."""
    results = {}
    for name in EVIDENCE_FILES:
        lines: list[str] = []
        counts = import_statements_file(runtime, str(corpus / "statements" / name), "1.0.3", 100, lines.append)
        counts["ids"] = {line.split("\t")[2] for line in lines}
        results[name] = counts
    return results


def _feed(client) -> list[dict]:
    entries, cursor = [], 0
    while True:
        body = client.get("/api/v1/evidence", params={"cursor": cursor, "limit": 200}).json()
        entries += body["data"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return entries


def test_corpus_and_people_become_evidence(make_client, bamboohr_runtime, corpus):
    client = make_client("evidence/read", "people/read")

    sync = _sync_bamboohr(bamboohr_runtime, corpus)
    imports = _import_corpus(bamboohr_runtime, corpus)

    assert sync["status"] == "succeeded"
    assert sync["created"] == 103
    for name, counts in imports.items():
        assert counts["rejected"] == 0, name
        assert counts["accepted"] > 0, name

    entries = _feed(client)
    created = [e for e in entries if e["change"] == "created"]
    assert created
    for entry in created:
        assert entry["statement_id"], entry
        assert entry["rule_id"], entry
        assert 0.0 <= entry["level"] <= 1.0

    evidence_statements = {entry["statement_id"] for entry in created}
    for name, counts in imports.items():
        assert evidence_statements & counts["ids"], f"no evidence from a statement of {name}"


def test_experts_rank_people_for_a_skill(make_client, runtime, corpus):
    client = make_client("evidence/read")
    _import_corpus(runtime, corpus)

    skills = client.get("/api/v1/skills").json()["data"]
    rankings = {}
    for skill in skills:
        rankings[skill["uri"]] = client.get(f"/api/v1/skills/{skill['id']}/experts").json()["data"]
    ranked = {uri: rows for uri, rows in rankings.items() if len(rows) >= 2}

    assert ranked, "no skill has two or more people with evidence"
    for rows in ranked.values():
        levels = [row["level"] for row in rows]
        assert levels == sorted(levels, reverse=True)
        assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))


def test_person_skills_rest_on_evidence(make_client, runtime, corpus):
    client = make_client("evidence/read")
    _import_corpus(runtime, corpus)
    entry = next(e for e in _feed(client) if e["change"] == "created")

    body = client.get(f"/api/v1/people/{entry['person_id']}/skills").json()

    skill = next(row for row in body["data"] if row["skill_uri"] == entry["skill_uri"])
    assert entry["id"] in skill["evidence_ids"]
    assert 0.0 < skill["confidence"] <= 1.0


def test_voiding_retracts_evidence_in_feed(make_client, runtime, corpus):
    client = make_client("all")
    _import_corpus(runtime, corpus)
    entry = next(e for e in _feed(client) if e["change"] == "created")

    voiding = {
        "actor": {"mbox": "mailto:operator@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": entry["statement_id"]},
    }
    assert client.post("/xapi/statements", json=voiding).status_code == 200

    tombstones = [e for e in _feed(client) if e["change"] == "retracted"]
    assert entry["id"] in {e["id"] for e in tombstones}


def test_evidence_feed_as_csv(make_client, runtime, corpus):
    client = make_client("evidence/read")
    _import_corpus(runtime, corpus)

    response = client.get("/api/v1/evidence", params={"format": "csv", "limit": 5})

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("seq,change,id,person_id,skill_uri")
    assert len(lines) == 6


def test_learner_identities_link_to_hr_person(make_client, runtime, tmp_path, corpus):
    """An LMS account, an email and a SHA-1 mailbox of one learner all land on the person from the HR file."""
    client = make_client("all")
    original = runtime.settings
    runtime.settings = replace(original, account_homepages={"https://lms.example.com": "lms_username"})
    try:
        people_csv = tmp_path / "people.csv"
        people_csv.write_text("employee_id,email,first_name,last_name,identifier:lms_username\n"
                              "E-1,Learner1@Example.com,Ana,Lopez,learner1\n")
        assert import_people_file(runtime, str(people_csv))["created"] == 1

        sha1 = hashlib.sha1(b"mailto:learner1@example.com").hexdigest()
        actors = [{"account": {"homePage": "https://lms.example.com", "name": "learner1"}},
                  {"mbox": "mailto:learner1@example.com"},
                  {"mbox_sha1sum": sha1}]
        statements = [{"actor": actor, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                       "object": {"id": "http://example.com/course"}} for actor in actors]
        assert client.post("/xapi/statements", json=statements).status_code == 200

        people = client.get("/api/v1/people").json()["data"]
        assert len(people) == 1
        assert people[0]["origin"] == "hris"
    finally:
        runtime.settings = original


def test_hr_import_merges_earlier_learners(make_client, runtime, tmp_path):
    """Learners first seen in statements are merged into the HR person later, and their evidence follows."""
    client = make_client("all")
    original = runtime.settings
    runtime.settings = replace(original, account_homepages={"https://lms.example.com": "lms_username"})
    try:
        sha1 = hashlib.sha1(b"mailto:bea@example.com").hexdigest()
        actors = ({"mbox_sha1sum": sha1}, {"account": {"homePage": "https://lms.example.com", "name": "bnovak"}})
        statements = [{"actor": actor, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                       "object": {"id": "http://www.example.org/course/view.php?id=1"},
                       "context": {"platform": "Moodle"}} for actor in actors]
        assert client.post("/xapi/statements", json=statements).status_code == 200
        assert len(client.get("/api/v1/people").json()["data"]) == 2

        people_csv = tmp_path / "people.csv"
        people_csv.write_text("employee_id,email,first_name,last_name,identifier:lms_username\n"
                              "E-7,bea@example.com,Bea,Novak,bnovak\n")
        run = import_people_file(runtime, str(people_csv))
    finally:
        runtime.settings = original

    people = client.get("/api/v1/people").json()["data"]
    assert run["updated"] == 1
    assert len(people) == 1
    assert people[0]["display_name"] == "Bea Novak"
    feed = client.get("/api/v1/evidence").json()["data"]
    assert len([entry for entry in feed if entry["change"] == "created"]) == 2
    assert {entry["person_id"] for entry in feed if entry["change"] == "updated"} == {people[0]["id"]}
