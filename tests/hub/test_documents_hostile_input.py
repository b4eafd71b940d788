"""Hostile requests to the State, Activity Profile and Agent Profile resources over real HTTP: each must get a 4xx
naming what is wrong, never a 5xx (the autouse no_server_errors fixture fails a test on any 5xx)."""

from __future__ import annotations

import json

import pytest

STATE = "/xapi/activities/state"
AGENT_PROFILE = "/xapi/agents/profile"
ACTIVITY = "http://example.com/activities/course-1"
AGENT = json.dumps({"mbox": "mailto:learner@example.com"})
JSON_TYPE = {"Content-Type": "application/json"}
DEEP_ARRAY = b"[" * 1500 + b"]" * 1500


def _state(state_id: str | None = "bookmark", **extra) -> dict:
    params = {"activityId": ACTIVITY, "agent": AGENT, **extra}
    if state_id is not None:
        params["stateId"] = state_id
    return params


def _field(response) -> str:
    return response.json()["error"]["field"]


# ---------------------------------------------------------------------------------------------------------
# Control characters in parameters


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_state_id_with_nul_rejected(client, method):
    response = client.request(method, STATE, params=_state("a\u0000b"), data=b"x")

    assert response.status_code == 400
    assert _field(response) == "stateId"


def test_profile_id_with_control_character_rejected(client):
    response = client.put(AGENT_PROFILE, params={"agent": AGENT, "profileId": "a\nb"}, data=b"x")

    assert response.status_code == 400
    assert _field(response) == "profileId"


def test_state_agent_with_nul_in_account_name_rejected(client):
    agent = json.dumps({"account": {"homePage": "http://lms.example.com", "name": "a\u0000"}})

    response = client.put(STATE, params={"activityId": ACTIVITY, "agent": agent, "stateId": "s"}, data=b"x")

    assert response.status_code == 400
    assert _field(response) == "agent.account.name"


def test_content_type_with_control_character_rejected(client):
    response = client.put(STATE, params=_state(), data=b"x", headers={"Content-Type": "text/plain; a=\u0000b"})

    assert response.status_code == 400
    assert _field(response) == "Content-Type"


def test_state_since_outside_utc_range_rejected(client):
    response = client.get(STATE, params=_state(None, since="0001-01-01T00:00:00+01:00"))

    assert response.status_code == 400
    assert _field(response) == "since"


# ---------------------------------------------------------------------------------------------------------
# JSON documents


@pytest.mark.parametrize("body", [b'{"big": 1e999}', b'{"n": NaN}', b'{"n": -Infinity}'])
def test_post_merge_with_non_finite_number_rejected(client, body):
    client.put(STATE, params=_state(), data=b'{"a": 1}', headers=JSON_TYPE)

    response = client.post(STATE, params=_state(), data=body, headers=JSON_TYPE)
    stored = client.get(STATE, params=_state())

    assert response.status_code == 400
    assert stored.json() == {"a": 1}


@pytest.mark.parametrize("body", [b'{"big": 1e999}', b"[1E400]", b'{"n": Infinity}'])
def test_put_json_with_non_finite_number_rejected(client, body):
    response = client.put(STATE, params=_state(), data=body, headers=JSON_TYPE)

    assert response.status_code == 400


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_deeply_nested_json_document_rejected(client, method):
    body = b'{"a": ' + DEEP_ARRAY + b"}"

    response = client.request(method, STATE, params=_state(), data=body, headers=JSON_TYPE)

    assert response.status_code == 400


def test_post_merge_with_lone_surrogate_rejected(client):
    client.put(STATE, params=_state(), data=b'{"a": 1}', headers=JSON_TYPE)

    response = client.post(STATE, params=_state(), data=b'{"b": "\\ud800"}', headers=JSON_TYPE)

    assert response.status_code == 400


def test_post_merge_keeps_large_integer(client):
    client.put(STATE, params=_state(), data=b'{"a": 123456789012345678901234567890}', headers=JSON_TYPE)

    client.post(STATE, params=_state(), data=b'{"b": 2}', headers=JSON_TYPE)
    stored = client.get(STATE, params=_state())

    assert stored.content == b'{"a":123456789012345678901234567890,"b":2}'


@pytest.mark.parametrize("stored", [None, b'{"a": 0}'], ids=["nothing stored", "document stored"])
def test_post_merge_with_repeated_key_rejected(client, stored):
    if stored is not None:
        client.put(STATE, params=_state(), data=stored, headers=JSON_TYPE)

    response = client.post(STATE, params=_state(), data=b'{"a": 1, "a": 2}', headers=JSON_TYPE)

    assert response.status_code == 400
    assert "'a' appears more than once" in response.json()["error"]["message"]
    expected = 404 if stored is None else 200
    assert client.get(STATE, params=_state()).status_code == expected


def test_put_with_repeated_key_stored_as_sent(client):
    """PUT stores a document byte for byte, so a repeated key is kept as the client sent it."""
    response = client.put(STATE, params=_state(), data=b'{"a": 1, "a": 2}', headers=JSON_TYPE)

    assert response.status_code == 204
    assert client.get(STATE, params=_state()).content == b'{"a": 1, "a": 2}'


# ---------------------------------------------------------------------------------------------------------
# Body size


def test_document_over_limit_names_the_setting(client, runtime):
    limit = runtime.settings.max_body_bytes

    response = client.put(STATE, params=_state(), data=b"x" * (limit + 1))

    assert response.status_code == 413
    assert "SKILLWIRE_MAX_BODY_BYTES" in response.json()["error"]["message"]


def test_chunked_document_over_limit_rejected(client, runtime):
    limit = runtime.settings.max_body_bytes

    def chunks():
        for _ in range(limit // (1 << 20) + 1):
            yield b"x" * (1 << 20)

    response = client.put(STATE, params=_state(), data=chunks())
    stored = client.get(STATE, params=_state())

    assert response.status_code == 413
    assert stored.status_code == 404


def test_chunked_document_at_limit_stored(client, runtime):
    limit = runtime.settings.max_body_bytes

    response = client.put(STATE, params=_state(), data=iter([b"x" * limit]))
    stored = client.get(STATE, params=_state())

    assert response.status_code == 204
    assert len(stored.content) == limit
