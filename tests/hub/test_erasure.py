"""Erasing a person over real HTTP: statements pseudonymized, evidence retracted, records and identifiers gone."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hub import runtime as runtime_module
from hub.models import AuditEntry, Statement, StatementAgent
from scim_support import USER_SCHEMA, ScimClient, create_user

COURSE = "http://www.example.org/course/view.php?id=2"
PEOPLE_CSV = ("employee_id,email,first_name,last_name,job_title\n"
              "40,ana@example.com,Ana,Silva,Engineer\n"
              "41,bo@example.com,Bo,Berg,Analyst\n")


@pytest.fixture
def admin(make_client, runtime):
    """A client with every scope, on a runtime whose in-process jobs map statements into evidence."""
    runtime_module.set_current(runtime)
    return make_client("all")


def completion(actor: dict, **extra) -> dict:
    return {"actor": actor, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}, "object": {"id": COURSE},
            "context": {"platform": "Moodle", **extra}}


def ana(mbox: str = "mailto:ana@example.com") -> dict:
    return {"objectType": "Agent", "mbox": mbox, "name": "Ana Silva"}


BO = {"objectType": "Agent", "mbox": "mailto:bo@example.com", "name": "Bo Berg"}


def post_statement(client, statement: dict) -> str:
    response = client.post("/xapi/statements", json=statement)
    assert response.status_code == 200, response.text
    return response.json()[0]


def person_id_of(client, kind: str, value: str) -> int:
    for summary in client.get("/api/v1/people").json()["data"]:
        identifiers = client.get(f"/api/v1/people/{summary['id']}").json()["identifiers"]
        if any(i["kind"] == kind and i["value"] == value for i in identifiers):
            return summary["id"]
    raise AssertionError(f"nobody holds {kind} {value}")


def stored_payloads(runtime) -> dict[str, str]:
    with runtime.sessions() as session:
        return dict(session.execute(select(Statement.statement_id, Statement.payload)).all())


def feed(client) -> list[dict]:
    return client.get("/api/v1/evidence", params={"limit": 5000}).json()["data"]


@pytest.fixture
def scenario(admin):
    """Ana and Bo from HR, and statements that name Ana as actor, in another case, as instructor and in a team."""
    response = admin.post("/api/v1/people/import", data=PEOPLE_CSV, headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    statements = {
        "actor": post_statement(admin, completion(ana())),
        "actor_upper_case": post_statement(admin, completion(ana("mailto:ANA@Example.com"))),
        "instructor": post_statement(admin, completion(BO, instructor=ana())),
        "group_member": post_statement(admin, completion({"objectType": "Group", "member": [ana(), BO]})),
        "bo_only": post_statement(admin, completion(BO)),
    }
    return {"statements": statements, "ana": person_id_of(admin, "hris:csv", "40"),
            "bo": person_id_of(admin, "hris:csv", "41")}


def test_erasure_pseudonymizes_statements(admin, runtime, scenario):
    before = {e["id"] for e in feed(admin) if e["person_id"] == scenario["ana"]}
    assert len(before) == 3

    response = admin.delete(f"/api/v1/people/{scenario['ana']}")

    assert response.status_code == 204
    payloads = stored_payloads(runtime)
    pseudonyms = set()
    for name, statement_id in scenario["statements"].items():
        payload = payloads[statement_id]
        assert "ana@example.com" not in payload.lower(), name
        assert "Ana Silva" not in payload, name
        if name != "bo_only":
            statement = json.loads(payload)
            text = json.dumps(statement)
            assert f"{runtime.settings.public_url}/erased" in text, name
            pseudonyms.update(part for part in text.split('"') if len(part) == 36 and part.count("-") == 4
                              and part != statement_id)
    assert len(pseudonyms) == 1
    assert "bo@example.com" in payloads[scenario["statements"]["bo_only"]]
    assert "bo@example.com" in payloads[scenario["statements"]["group_member"]]


def test_erased_agent_is_not_found_by_queries(admin, runtime, scenario):
    admin.delete(f"/api/v1/people/{scenario['ana']}")
    statement = json.loads(stored_payloads(runtime)[scenario["statements"]["actor"]])
    pseudonym = {"account": statement["actor"]["account"]}

    by_email = admin.get("/xapi/statements", params={"agent": json.dumps({"mbox": "mailto:ana@example.com"}),
                                                      "related_agents": "true"}).json()
    by_pseudonym = admin.get("/xapi/statements", params={"agent": json.dumps(pseudonym)}).json()
    related = admin.get("/xapi/statements", params={"agent": json.dumps(pseudonym), "related_agents": "true"}).json()

    assert by_email["statements"] == []
    statements = scenario["statements"]
    assert {s["id"] for s in by_pseudonym["statements"]} == {statements["actor"], statements["actor_upper_case"],
                                                            statements["group_member"]}
    assert statements["instructor"] in {s["id"] for s in related["statements"]}
    with runtime.sessions() as session:
        ifis = set(session.scalars(select(StatementAgent.ifi)))
    assert not any("ana@" in ifi.lower() for ifi in ifis)


def test_erasure_retracts_evidence_in_feed(admin, scenario):
    ana_evidence = {e["id"] for e in feed(admin) if e["person_id"] == scenario["ana"]}
    bo_evidence = {e["id"] for e in feed(admin) if e["person_id"] == scenario["bo"]}

    admin.delete(f"/api/v1/people/{scenario['ana']}")

    entries = feed(admin)
    retracted = {e["id"] for e in entries if e["change"] == "retracted"}
    assert retracted == ana_evidence
    still_created = {e["id"] for e in entries if e["change"] == "created"}
    assert still_created == bo_evidence
    assert admin.get(f"/api/v1/people/{scenario['ana']}/skills").json()["data"] == []


def test_incremental_reader_sees_retractions(admin, scenario):
    cursor = admin.get("/api/v1/evidence", params={"limit": 5000}).json()["next_cursor"]

    admin.delete(f"/api/v1/people/{scenario['ana']}")

    later = admin.get("/api/v1/evidence", params={"cursor": cursor}).json()["data"]
    assert {e["change"] for e in later} == {"retracted"}
    assert len(later) == 3


def test_erased_person_keeps_no_personal_data(admin, runtime, scenario):
    admin.delete(f"/api/v1/people/{scenario['ana']}")

    person = admin.get(f"/api/v1/people/{scenario['ana']}").json()
    assert person["status"] == "erased"
    assert person["display_name"] is None
    assert person["identifiers"] == []
    assert person["employments"] == []

    with runtime.sessions() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "person.erased")).all()
    assert entry.credential_key == admin.credential["key"]
    assert entry.subject == f"person:{scenario['ana']}"
    assert entry.detail["statements_pseudonymized"] == 4
    assert entry.detail["evidence_retracted"] == 3
    assert "ana" not in json.dumps(entry.detail).lower()


def test_erasing_twice_is_harmless(admin, runtime, scenario):
    first = admin.delete(f"/api/v1/people/{scenario['ana']}")
    second = admin.delete(f"/api/v1/people/{scenario['ana']}")

    assert first.status_code == 204
    assert second.status_code == 204
    with runtime.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "person.erased")).all()
    assert len(entries) == 1


def test_new_statement_after_erasure_is_a_new_person(admin, scenario):
    admin.delete(f"/api/v1/people/{scenario['ana']}")

    post_statement(admin, completion(ana()))

    assert person_id_of(admin, "email", "ana@example.com") != scenario["ana"]


def test_erasure_covers_merged_people(admin, runtime):
    post_statement(admin, completion({"mbox": "mailto:first@example.com"}))
    post_statement(admin, completion({"mbox": "mailto:second@example.com"}))
    target = person_id_of(admin, "email", "first@example.com")
    source = person_id_of(admin, "email", "second@example.com")
    admin.post(f"/api/v1/people/{target}/merge", json={"source_person_id": source})

    merged = admin.delete(f"/api/v1/people/{source}")
    erased = admin.delete(f"/api/v1/people/{target}")

    assert merged.status_code == 409
    assert erased.status_code == 204
    payloads = " ".join(stored_payloads(runtime).values())
    assert "first@example.com" not in payloads
    assert "second@example.com" not in payloads
    assert admin.get(f"/api/v1/people/{source}").json()["status"] == "erased"


def test_erasure_removes_scim_user(admin, server_url):
    scim = ScimClient(server_url, None)
    scim.auth = (admin.credential["key"], admin.credential["secret"])
    user = create_user(scim, "scim.person@example.com", emails=[{"value": "scim.person@example.com"}])
    group = scim.post("/Groups", json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                       "displayName": "Team", "members": [{"value": user["id"]}]}).json()
    person = person_id_of(admin, "hris:scim", user["id"])

    response = admin.delete(f"/api/v1/people/{person}")

    assert response.status_code == 204
    assert scim.get(f"/Users/{user['id']}").status_code == 404
    assert scim.get("/Users", params={"filter": 'userName eq "scim.person@example.com"'}).json()["totalResults"] == 0
    assert "members" not in scim.get(f"/Groups/{group['id']}").json()
    assert scim.post("/Users", json={"schemas": [USER_SCHEMA], "userName": "scim.person@example.com"}).status_code \
        == 201


def test_erasure_errors(admin, make_client, scenario):
    reader = make_client("people/read", "people/write")

    assert admin.delete("/api/v1/people/999999").status_code == 404
    assert reader.delete(f"/api/v1/people/{scenario['ana']}").status_code == 403


def test_erasure_deletes_agent_documents(admin, scenario):
    agent = json.dumps({"mbox": "mailto:ANA@example.com"})
    other = json.dumps({"mbox": "mailto:bo@example.com"})
    state = {"activityId": COURSE, "agent": agent, "stateId": "bookmark"}
    profile = {"agent": agent, "profileId": "preferences"}
    assert admin.put("/xapi/activities/state", params=state, data=b"page 7",
                     headers={"Content-Type": "text/plain"}).status_code == 204
    assert admin.put("/xapi/agents/profile", params=profile, json={"language": "en"}).status_code == 204
    assert admin.put("/xapi/activities/state", params={**state, "agent": other}, data=b"page 2",
                     headers={"Content-Type": "text/plain"}).status_code == 204

    assert admin.delete(f"/api/v1/people/{scenario['ana']}").status_code == 204

    assert admin.get("/xapi/activities/state", params=state).status_code == 404
    assert admin.get("/xapi/agents/profile", params=profile).status_code == 404
    assert admin.get("/xapi/activities/state", params={**state, "agent": other}).status_code == 200
