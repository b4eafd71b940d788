"""Identity operations over real HTTP: conflicts from HR imports, operator merge and split, and their audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub import runtime as runtime_module
from hub.models import AuditEntry, IdentityConflict, Person, PersonIdentifier
from hub.services.identity import email_identifiers, resolve_agent

COURSE = "http://www.example.org/course/view.php?id=2"
DUPLICATE_EMAIL_CSV = ("employee_id,email,first_name,last_name,job_title\n"
                       "40,ana@example.com,Ana,Silva,Engineer\n"
                       "41,ANA@example.com,Ana,Silva-Duplicate,Analyst\n")


@pytest.fixture
def admin(make_client, runtime):
    """A client with every scope, on a runtime whose in-process jobs map statements into evidence."""
    runtime_module.set_current(runtime)
    return make_client("all")


def completion(email: str) -> dict:
    """A Moodle course completion, which the default mapping rules turn into evidence."""
    return {"actor": {"mbox": f"mailto:{email}"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": COURSE}, "context": {"platform": "Moodle"}}


def post_statement(client, statement: dict) -> str:
    response = client.post("/xapi/statements", json=statement)
    assert response.status_code == 200, response.text
    return response.json()[0]


def import_csv(client, text: str) -> dict:
    response = client.post("/api/v1/people/import", data=text, headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    return response.json()


def people_by_identifier(client) -> dict[tuple[str, str], int]:
    found = {}
    for summary in client.get("/api/v1/people").json()["data"]:
        for identifier in client.get(f"/api/v1/people/{summary['id']}").json()["identifiers"]:
            found[(identifier["kind"], identifier["value"])] = summary["id"]
    return found


def evidence_by_statement(client) -> dict[str, dict]:
    """Return the latest feed entry for each statement's evidence."""
    latest = {}
    for entry in client.get("/api/v1/evidence", params={"limit": 5000}).json()["data"]:
        latest[entry["statement_id"]] = entry
    return latest


def audit_entries(runtime, action: str) -> list[AuditEntry]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_duplicate_email_in_import_is_a_conflict(admin):
    run = import_csv(admin, DUPLICATE_EMAIL_CSV)

    people = people_by_identifier(admin)
    holder, claimant = people[("hris:csv", "40")], people[("hris:csv", "41")]
    conflicts = admin.get("/api/v1/identity/conflicts").json()["data"]
    assert {(c["kind"], c["value"]) for c in conflicts} == set(email_identifiers("ana@example.com"))
    for conflict in conflicts:
        assert conflict["holder_person_id"] == holder
        assert conflict["claimant_person_id"] == claimant
        assert conflict["source"] == "csv"
        assert conflict["source_id"] == "41"
        assert conflict["status"] == "open"
    assert any("already belongs to person" in error["message"] for error in run["errors"])


def test_repeated_import_records_conflict_once(admin):
    import_csv(admin, DUPLICATE_EMAIL_CSV)
    import_csv(admin, DUPLICATE_EMAIL_CSV)

    conflicts = admin.get("/api/v1/identity/conflicts").json()["data"]

    assert len(conflicts) == 2


def test_merge_resolves_conflict(admin, runtime):
    import_csv(admin, DUPLICATE_EMAIL_CSV)
    people = people_by_identifier(admin)
    holder, claimant = people[("hris:csv", "40")], people[("hris:csv", "41")]

    response = admin.post(f"/api/v1/people/{holder}/merge", json={"source_person_id": claimant})

    assert response.status_code == 200, response.text
    assert response.json()["identifiers_moved"] == 1
    assert response.json()["employments_moved"] == 1
    merged = admin.get(f"/api/v1/people/{claimant}").json()
    assert merged["merged_into_id"] == holder
    target = admin.get(f"/api/v1/people/{holder}").json()
    assert {"kind": "hris:csv", "value": "41", "source": "csv"} in target["identifiers"]
    current = [e for e in target["employments"] if e["valid_to"] is None]
    assert [e["source_id"] for e in current] == ["40"]
    assert admin.get("/api/v1/identity/conflicts").json()["data"] == []
    resolved = admin.get("/api/v1/identity/conflicts", params={"status": "resolved"}).json()["data"]
    assert {c["resolution"] for c in resolved} == {"merged"}
    assert len(resolved) == 2

    [entry] = audit_entries(runtime, "person.merged")
    assert entry.credential_key == admin.credential["key"]
    assert entry.subject == f"person:{holder}"
    assert entry.detail["source_person_id"] == claimant
    assert "ana" not in str(entry.detail).lower()


def test_merge_moves_learner_evidence(admin):
    first = post_statement(admin, completion("a.learner@example.com"))
    second = post_statement(admin, completion("b.learner@example.com"))
    people = people_by_identifier(admin)
    target, source = people[("email", "a.learner@example.com")], people[("email", "b.learner@example.com")]

    response = admin.post(f"/api/v1/people/{target}/merge", json={"source_person_id": source})

    assert response.status_code == 200, response.text
    assert response.json()["evidence_moved"] == 1
    evidence = evidence_by_statement(admin)
    assert evidence[first]["person_id"] == target
    assert evidence[second]["person_id"] == target
    assert evidence[second]["change"] == "updated"
    skills = admin.get(f"/api/v1/people/{target}/skills").json()["data"]
    assert {evidence[first]["id"], evidence[second]["id"]} <= set(skills[0]["evidence_ids"])


def test_split_undoes_a_wrong_merge(admin, runtime):
    kept = post_statement(admin, completion("a.learner@example.com"))
    moved = post_statement(admin, completion("B.Learner@example.com"))
    people = people_by_identifier(admin)
    person, other = people[("email", "a.learner@example.com")], people[("email", "b.learner@example.com")]
    admin.post(f"/api/v1/people/{person}/merge", json={"source_person_id": other})

    response = admin.post(f"/api/v1/people/{person}/split",
                          json={"identifiers": [{"kind": "email", "value": "B.Learner@example.com"}]})

    assert response.status_code == 201, response.text
    body = response.json()
    new_person = body["new_person_id"]
    assert response.headers["Location"].endswith(f"/api/v1/people/{new_person}")
    assert body["identifiers_moved"] == 2
    assert body["evidence_moved"] == 1
    after = people_by_identifier(admin)
    for identifier in email_identifiers("b.learner@example.com"):
        assert after[identifier] == new_person
    for identifier in email_identifiers("a.learner@example.com"):
        assert after[identifier] == person
    evidence = evidence_by_statement(admin)
    assert evidence[moved]["person_id"] == new_person
    assert evidence[moved]["change"] == "updated"
    assert evidence[kept]["person_id"] == person

    [entry] = audit_entries(runtime, "person.split")
    assert entry.credential_key == admin.credential["key"]
    assert entry.detail["new_person_id"] == new_person
    assert entry.detail["identifier_kinds"] == ["email", "email_sha1"]
    assert "learner" not in str(entry.detail)


def test_split_of_hr_id_moves_its_employment(admin):
    import_csv(admin, DUPLICATE_EMAIL_CSV)
    people = people_by_identifier(admin)
    holder, claimant = people[("hris:csv", "40")], people[("hris:csv", "41")]
    admin.post(f"/api/v1/people/{holder}/merge", json={"source_person_id": claimant})

    response = admin.post(f"/api/v1/people/{holder}/split", json={"identifiers": [{"kind": "hris:csv", "value": "41"}]})

    assert response.status_code == 201, response.text
    new_person = admin.get(f"/api/v1/people/{response.json()['new_person_id']}").json()
    assert new_person["origin"] == "hris"
    assert [e["source_id"] for e in new_person["employments"]] == ["41"]
    assert [i["kind"] for i in new_person["identifiers"]] == ["hris:csv"]


def test_merging_hr_person_into_learner_keeps_hr_origin(admin):
    post_statement(admin, completion("learner.first@example.com"))
    import_csv(admin, "employee_id,email,first_name,last_name\n77,hr.later@example.com,Hana,Ito\n")
    people = people_by_identifier(admin)
    learner, employee = people[("email", "learner.first@example.com")], people[("hris:csv", "77")]

    response = admin.post(f"/api/v1/people/{learner}/merge", json={"source_person_id": employee})

    assert response.status_code == 200, response.text
    merged = admin.get(f"/api/v1/people/{learner}").json()
    assert merged["origin"] == "hris"
    assert [e["source_id"] for e in merged["employments"]] == ["77"]


def test_merge_rejections(admin, make_client):
    import_csv(admin, DUPLICATE_EMAIL_CSV)
    people = people_by_identifier(admin)
    holder, claimant = people[("hris:csv", "40")], people[("hris:csv", "41")]
    reader = make_client("people/read", "people/write")

    assert admin.post(f"/api/v1/people/{holder}/merge", json={"source_person_id": holder}).status_code == 400
    assert admin.post(f"/api/v1/people/{holder}/merge", json={"source_person_id": 999999}).status_code == 404
    assert admin.post(f"/api/v1/people/999999/merge", json={"source_person_id": holder}).status_code == 404
    assert admin.post(f"/api/v1/people/{holder}/merge", json={}).status_code == 400
    assert admin.post(f"/api/v1/people/{holder}/merge", json={"source_person_id": "2"}).status_code == 400
    assert admin.post(f"/api/v1/people/{holder}/merge", data="{broken",
                      headers={"Content-Type": "application/json"}).status_code == 400
    assert reader.post(f"/api/v1/people/{holder}/merge", json={"source_person_id": claimant}).status_code == 403

    admin.post(f"/api/v1/people/{holder}/merge", json={"source_person_id": claimant})
    again = admin.post(f"/api/v1/people/{holder}/merge", json={"source_person_id": claimant})
    assert again.status_code == 409
    assert f"merged into person {holder}" in again.json()["error"]["message"]


def test_split_rejections(admin):
    post_statement(admin, completion("solo@example.com"))
    person = people_by_identifier(admin)[("email", "solo@example.com")]
    url = f"/api/v1/people/{person}/split"

    not_held = admin.post(url, json={"identifiers": [{"kind": "email", "value": "other@example.com"}]})
    everything = admin.post(url, json={"identifiers": [{"kind": "email", "value": "solo@example.com"}]})
    empty = admin.post(url, json={"identifiers": []})
    missing_value = admin.post(url, json={"identifiers": [{"kind": "email"}]})
    nul = admin.post(url, json={"identifiers": [{"kind": "email", "value": "solo\u0000@example.com"}]})

    assert not_held.status_code == 400
    assert everything.status_code == 400
    assert "at least one identifier" in everything.json()["error"]["message"]
    assert empty.status_code == 400
    assert missing_value.status_code == 400
    assert nul.status_code == 400


def test_conflict_list_pages_with_cursor(admin):
    import_csv(admin, DUPLICATE_EMAIL_CSV)

    first = admin.get("/api/v1/identity/conflicts", params={"limit": 1}).json()
    second = admin.get("/api/v1/identity/conflicts", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    invalid = admin.get("/api/v1/identity/conflicts", params={"status": "pending"})

    assert first["has_more"] is True
    assert second["has_more"] is False
    assert first["data"][0]["id"] < second["data"][0]["id"]
    assert invalid.status_code == 400


def test_identity_endpoints_need_admin_scope(make_client):
    reader = make_client("people/read", "evidence/read")
    admin = make_client("people/admin")

    assert reader.get("/api/v1/identity/conflicts").status_code == 403
    assert reader.delete("/api/v1/people/1").status_code == 403
    assert admin.get("/api/v1/identity/conflicts").status_code == 200


def test_actor_claimed_by_two_people_is_a_conflict(runtime, clean_db):
    email, sha1 = email_identifiers("split.brain@example.com")
    with runtime.sessions.begin() as session:
        first, second = Person(origin="xapi", status="unknown"), Person(origin="xapi", status="unknown")
        session.add_all([first, second])
        session.flush()
        session.add_all([PersonIdentifier(person_id=first.id, kind=email[0], value=email[1], source="xapi"),
                         PersonIdentifier(person_id=second.id, kind=sha1[0], value=sha1[1], source="xapi")])
        session.flush()

        agent = {"mbox": "mailto:split.brain@example.com"}
        chosen = resolve_agent(session, agent, {})
        resolve_agent(session, agent, {})
        conflicts = list(session.scalars(select(IdentityConflict)))

        assert chosen == first.id
        assert [(c.kind, c.holder_person_id, c.claimant_person_id, c.source) for c in conflicts] == [
            ("email_sha1", second.id, first.id, "xapi")]
