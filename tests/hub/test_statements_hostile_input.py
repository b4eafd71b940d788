"""Hostile requests to the statements, agents and activities resources over real HTTP: each must get a 4xx
naming what is wrong, never a 5xx (the autouse no_server_errors fixture fails a test on any 5xx)."""

from __future__ import annotations

import base64
import json
import logging
import uuid

import pytest
import requests
from statements_support import VOIDED, statement, statement_ref

from xapi.validation.primitives import MAX_IDENTIFIER_BYTES

LONG_TAIL = "x" * 3000
DEEP_ARRAY = "[" * 1500 + "]" * 1500


def _error(response: requests.Response) -> dict:
    return response.json()["error"]


def _more_token(state: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def _padded_iri(prefix: str, size: int) -> str:
    return prefix + "x" * (size - len(prefix))


# ---------------------------------------------------------------------------------------------------------
# Values too long for a database index


@pytest.mark.parametrize("changes, field", [
    ({"verb": f"http://example.com/verbs/{LONG_TAIL}"}, "verb.id"),
    ({"object": {"id": f"http://example.com/activities/{LONG_TAIL}"}}, "object.id"),
    ({"context": {"contextActivities": {"parent": [{"id": f"http://example.com/{LONG_TAIL}"}]}}},
     "context.contextActivities.parent[0].id"),
    ({"actor": {"mbox": f"mailto:{LONG_TAIL}@example.com"}}, "actor.mbox"),
    ({"actor": {"account": {"homePage": "http://lms.example.com", "name": LONG_TAIL}}}, "actor.account"),
    ({"actor": {"openid": f"http://openid.example.com/{LONG_TAIL}"}}, "actor.openid"),
])
def test_identifier_too_long_to_index_rejected(client, changes, field):
    response = client.post("/xapi/statements", json=statement(**changes))

    assert response.status_code == 400
    assert _error(response)["field"] == field
    assert str(MAX_IDENTIFIER_BYTES) in _error(response)["message"]


def test_identifiers_at_limit_stored_and_found(client):
    verb = _padded_iri("http://example.com/verbs/", MAX_IDENTIFIER_BYTES)
    activity = _padded_iri("http://example.com/activities/", MAX_IDENTIFIER_BYTES)
    home_page = "http://lms.example.com"
    account = {"homePage": home_page, "name": "n" * (MAX_IDENTIFIER_BYTES - len(home_page) - 1)}
    sent = statement(verb=verb, activity=activity, actor={"account": account},
                     context={"contextActivities": {"parent": [{"id": activity}]}})

    reference = statement_ref(sent["id"], verb=verb)

    stored = client.post("/xapi/statements", json=[sent, reference])
    found = client.get("/xapi/statements", params={"verb": verb, "activity": activity,
                                                   "agent": json.dumps({"account": account})})

    assert stored.status_code == 200
    # The StatementRef statement matches through the statement it targets.
    assert {s["id"] for s in found.json()["statements"]} == {sent["id"], reference["id"]}


@pytest.mark.parametrize("name, value", [("verb", f"http://example.com/{LONG_TAIL}"),
                                         ("activity", f"http://example.com/{LONG_TAIL}")])
def test_query_identifier_too_long_rejected(client, name, value):
    response = client.get("/xapi/statements", params={name: value})

    assert response.status_code == 400
    assert _error(response)["field"] == name


# ---------------------------------------------------------------------------------------------------------
# Voiding


def test_voiding_statement_voided_earlier_stays_valid(client):
    voiding_id, target_id = str(uuid.uuid4()), str(uuid.uuid4())
    client.post("/xapi/statements", json=statement(verb=VOIDED, object={"objectType": "StatementRef",
                                                                        "id": voiding_id}))
    client.post("/xapi/statements", json=statement(id=target_id))

    stored = client.post("/xapi/statements", json=statement(id=voiding_id, verb=VOIDED,
                                                            object={"objectType": "StatementRef",
                                                                    "id": target_id}))
    as_voided = client.get("/xapi/statements", params={"voidedStatementId": voiding_id})
    as_valid = client.get("/xapi/statements", params={"statementId": voiding_id})
    target = client.get("/xapi/statements", params={"voidedStatementId": target_id})

    assert stored.status_code == 200
    assert as_voided.status_code == 404
    assert as_valid.status_code == 200
    assert target.status_code == 200


# ---------------------------------------------------------------------------------------------------------
# Timestamps and durations


@pytest.mark.parametrize("changes, field", [
    ({"timestamp": "２０２０-01-01T00:00:00Z"}, "timestamp"),
    ({"result": {"duration": "PT１H"}}, "result.duration"),
    ({"timestamp": "0001-01-01T00:00:00+01:00"}, "timestamp"),
    ({"timestamp": "9999-12-31T23:59:59-14:00"}, "timestamp"),
])
def test_statement_with_bad_time_rejected(client, changes, field):
    response = client.post("/xapi/statements", json=statement(**changes))

    assert response.status_code == 400
    assert _error(response)["field"] == field


@pytest.mark.parametrize("name, value", [("since", "0001-01-01T00:00:00+01:00"),
                                         ("until", "9999-12-31T23:59:59-14:00"),
                                         ("since", "２０２０-01-01T00:00:00Z")])
def test_query_time_outside_range_rejected(client, name, value):
    response = client.get("/xapi/statements", params={name: value})

    assert response.status_code == 400
    assert _error(response)["field"] == name


def test_since_in_year_one_pages_with_more(client):
    client.post("/xapi/statements", json=[statement(), statement()])

    first = client.get("/xapi/statements", params={"since": "0001-01-01T00:00:00Z", "limit": "1"})
    second = client.get(first.json()["more"])

    assert second.status_code == 200
    assert len(second.json()["statements"]) == 1


# ---------------------------------------------------------------------------------------------------------
# "more" tokens


@pytest.mark.parametrize("token", [
    _more_token("x"), _more_token(1), _more_token(None), _more_token([1]), _more_token({}),
    _more_token({"after": ["2024-01-01T00:00:00Z", 2**63]}),
    _more_token({"after": ["2024-01-01T00:00:00Z", -1]}),
    _more_token({"after": ["2024-01-01T00:00:00Z", "1"]}),
    _more_token({"after": [1, 1]}),
    _more_token({"after": ["0001-01-01T00:00:00+01:00", 1]}),
    _more_token({"since": "9999-12-31T23:59:59-14:00", "after": ["2024-01-01T00:00:00Z", 1]}),
    "not base64 at all!",
    "%EF%BC%95",
])
def test_tampered_more_token_rejected(client, token):
    response = client.get("/xapi/statements", params={"more": token})

    assert response.status_code == 400


# ---------------------------------------------------------------------------------------------------------
# JSON in parameters


@pytest.mark.parametrize("path, params", [
    ("/xapi/statements", {}),
    ("/xapi/agents", {}),
    ("/xapi/activities/state", {"activityId": "http://example.com/a"}),
    ("/xapi/agents/profile", {}),
])
def test_deeply_nested_agent_parameter_rejected(client, path, params):
    agent = '{"mbox": "mailto:a@example.com", "x": ' + DEEP_ARRAY + "}"

    response = client.get(path, params={**params, "agent": agent})

    assert response.status_code == 400
    assert _error(response)["field"] == "agent"


@pytest.mark.parametrize("depth", [300, 1010])
def test_deeply_nested_extension_rejected(client, depth):
    nested = "[" * depth + "]" * depth
    body = json.dumps(statement(result={"extensions": {"http://example.com/ext": "NESTED"}}))

    response = client.post("/xapi/statements", data=body.replace('"NESTED"', nested),
                           headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert _error(response)["field"] == "body"


def test_statement_version_too_long_to_store_rejected(client):
    response = client.post("/xapi/statements", json=statement(version="1.0.12345678901234567890"))

    assert response.status_code == 400
    assert _error(response)["field"] == "version"


def test_deeply_nested_statement_with_spaced_colon_rejected(client):
    body = '{"actor" : ' + "[" * 1010 + "]" * 1010 + "}"

    response = client.post("/xapi/statements", data=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400


# ---------------------------------------------------------------------------------------------------------
# Control characters


NUL_ACCOUNT = {"homePage": "http://lms.example.com", "name": "a\u0000"}


@pytest.mark.parametrize("actor, field", [
    ({"mbox": "mailto:a\u0000@example.com"}, "actor.mbox"),
    ({"account": NUL_ACCOUNT}, "actor.account.name"),
    ({"account": {"homePage": "http://lms.example.com", "name": "line\nbreak"}}, "actor.account.name"),
])
def test_statement_with_control_character_in_identifier_rejected(client, actor, field):
    response = client.post("/xapi/statements", json=statement(actor=actor))

    assert response.status_code == 400
    assert _error(response)["field"] == field


def test_statement_with_nul_outside_identifiers_stored(client):
    sent = statement(actor={"mbox": "mailto:nul@example.com", "name": "Ana\u0000"},
                     result={"response": "a\u0000b"})

    client.post("/xapi/statements", json=sent)
    fetched = client.get("/xapi/statements", params={"statementId": sent["id"]})

    assert fetched.json()["result"]["response"] == "a\u0000b"


@pytest.mark.parametrize("path, agent", [
    ("/xapi/statements", {"mbox": "mailto:a\u0000@example.com"}),
    ("/xapi/agents", {"account": NUL_ACCOUNT}),
    ("/xapi/agents", {"mbox": "mailto:a\u0000@example.com"}),
])
def test_agent_parameter_with_nul_rejected(client, path, agent):
    response = client.get(path, params={"agent": json.dumps(agent)})

    assert response.status_code == 400
    assert _error(response)["field"].startswith("agent.")


def test_activity_id_with_nul_rejected(client):
    response = client.get("/xapi/activities", params={"activityId": "http://example.com/a\u0000"})

    assert response.status_code == 400
    assert _error(response)["field"] == "activityId"


# ---------------------------------------------------------------------------------------------------------
# Query parameters


@pytest.mark.parametrize("query", ["limit=1&limit=2", "ascending=true&ascending=false",
                                   f"statementId={uuid.uuid4()}&statementId={uuid.uuid4()}"])
def test_repeated_get_parameter_rejected(client, query):
    response = client.get(f"/xapi/statements?{query}")

    assert response.status_code == 400
    assert _error(response)["field"] == query.split("=")[0]


def test_repeated_put_statement_id_rejected(client):
    statement_id = str(uuid.uuid4())

    response = client.put(f"/xapi/statements?statementId={statement_id}&statementId={statement_id}",
                          json=statement())

    assert response.status_code == 400
    assert _error(response)["field"] == "statementId"


def test_post_with_statement_id_parameter_rejected(client):
    response = client.post(f"/xapi/statements?statementId={uuid.uuid4()}", json=statement())

    assert response.status_code == 400
    assert _error(response)["field"] == "statementId"


def test_put_with_unknown_parameter_rejected(client):
    response = client.put("/xapi/statements", params={"statementId": str(uuid.uuid4()), "foo": "1"},
                          json=statement())

    assert response.status_code == 400
    assert _error(response)["field"] == "foo"


def test_repeated_agents_parameter_rejected(client):
    agent = json.dumps({"mbox": "mailto:a@example.com"})

    response = client.get("/xapi/agents", params=[("agent", agent), ("agent", agent)])

    assert response.status_code == 400


# ---------------------------------------------------------------------------------------------------------
# Body size


def test_body_over_limit_names_the_setting(client, runtime):
    limit = runtime.settings.max_body_bytes

    response = client.post("/xapi/statements", data=b" " * (limit + 1), headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert "SKILLWIRE_MAX_BODY_BYTES" in _error(response)["message"]
    assert str(limit) in _error(response)["message"]


def test_chunked_body_over_limit_rejected(client, runtime):
    limit = runtime.settings.max_body_bytes
    body = json.dumps([statement()]).encode() + b" " * limit

    def chunks():
        for start in range(0, len(body), 1 << 20):
            yield body[start:start + (1 << 20)]

    response = client.post("/xapi/statements", data=chunks(), headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert "SKILLWIRE_MAX_BODY_BYTES" in _error(response)["message"]


def test_chunked_body_under_limit_stored(client):
    sent = statement()

    response = client.post("/xapi/statements", data=iter([json.dumps(sent).encode()]),
                           headers={"Content-Type": "application/json"})

    assert response.status_code == 200
    assert response.json() == [sent["id"]]


# ---------------------------------------------------------------------------------------------------------
# Messages and logs


def test_missing_content_type_named_missing(client):
    response = client.post("/xapi/statements", data=json.dumps(statement()).encode())

    assert response.status_code == 400
    assert "missing" in _error(response)["message"]
    assert "None" not in _error(response)["message"]


def test_put_with_null_id_named_null(client):
    response = client.put("/xapi/statements", params={"statementId": str(uuid.uuid4())},
                          json=statement(id=None))

    assert response.status_code == 400
    assert _error(response)["field"] == "id"
    assert "null" in _error(response)["message"]
    assert "None" not in _error(response)["message"]


def test_rejected_parameter_name_logged_escaped(client, caplog):
    caplog.set_level(logging.INFO, logger="hub.errors")

    client.get("/xapi/statements", params={"forged\nERROR fake entry\u0000": "1"})

    rejected = [record.getMessage() for record in caplog.records if record.name == "hub.errors"]
    assert rejected
    assert all("\n" not in message and "\u0000" not in message for message in rejected)
