"""The Activity Profile and Agent Profile resources over real HTTP, under xAPI 1.0.3 and 2.0."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timezone

import pytest

ACTIVITY_PROFILE = "/xapi/activities/profile"
AGENT_PROFILE = "/xapi/agents/profile"
ACTIVITY = "http://example.com/activities/course-1"
AGENT = {"objectType": "Agent", "account": {"homePage": "https://lms.example.com", "name": "learner-7"}}
JSON_TYPE = "application/json"

# Each resource with the parameters that place a profile document in its context.
RESOURCES = {
    "activity profile": (ACTIVITY_PROFILE, {"activityId": ACTIVITY}),
    "agent profile": (AGENT_PROFILE, {"agent": json.dumps(AGENT)}),
}


@pytest.fixture(params=["1.0.3", "2.0.0"])
def version(request) -> str:
    return request.param


@pytest.fixture(params=sorted(RESOURCES))
def resource(request) -> tuple[str, dict]:
    return RESOURCES[request.param]


@pytest.fixture
def lrs(make_client, version):
    return make_client("all", version=version)


def params_for(resource, profile_id: str | None = "prefs", **extra) -> dict:
    _, context = resource
    params = dict(context)
    if profile_id is not None:
        params["profileId"] = profile_id
    params.update(extra)
    return params


def put_json(client, resource, document, headers: dict | None = None, profile_id: str = "prefs"):
    return client.put(resource[0], params=params_for(resource, profile_id), data=json.dumps(document),
                      headers={"Content-Type": JSON_TYPE, **(headers or {})})


def get(client, resource, profile_id: str | None = "prefs", **extra):
    return client.get(resource[0], params=params_for(resource, profile_id, **extra))


def test_put_then_get_round_trip(lrs, resource):
    body = b'{"languagePreference": "en-US"}'
    put = lrs.put(resource[0], params=params_for(resource), data=body, headers={"Content-Type": JSON_TYPE})

    response = get(lrs, resource)

    assert put.status_code == 204
    assert response.content == body
    assert response.headers["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"'
    assert "Last-Modified" in response.headers


def test_binary_profile_round_trip(lrs, resource):
    body = bytes(range(255, -1, -1))
    lrs.put(resource[0], params=params_for(resource, "photo"), data=body, headers={"Content-Type": "image/jpeg"})

    response = get(lrs, resource, "photo")

    assert response.content == body
    assert response.headers["Content-Type"] == "image/jpeg"


def test_head_returns_headers_without_body(lrs, resource):
    put_json(lrs, resource, {"a": 1})

    head = lrs.head(resource[0], params=params_for(resource))

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["ETag"] == get(lrs, resource).headers["ETag"]


def test_missing_if_match_on_existing_profile_is_409(lrs, resource):
    put_json(lrs, resource, {"a": 1})

    response = put_json(lrs, resource, {"a": 2})

    assert response.status_code == 409
    assert "If-Match" in response.json()["error"]["message"]
    assert get(lrs, resource).json() == {"a": 1}


def test_stale_etag_is_412(lrs, resource):
    put_json(lrs, resource, {"a": 1})
    stale = get(lrs, resource).headers["ETag"]
    put_json(lrs, resource, {"a": 2}, headers={"If-Match": stale})

    response = put_json(lrs, resource, {"a": 3}, headers={"If-Match": stale})

    assert response.status_code == 412
    assert get(lrs, resource).json() == {"a": 2}


def test_if_none_match_star_on_existing_is_412(lrs, resource):
    put_json(lrs, resource, {"a": 1})

    response = put_json(lrs, resource, {"a": 2}, headers={"If-None-Match": "*"})

    assert response.status_code == 412
    assert get(lrs, resource).json() == {"a": 1}


def test_new_profile_needs_no_precondition(lrs, resource):
    response = put_json(lrs, resource, {"a": 1}, profile_id="first")

    assert response.status_code == 204


def test_post_merges_json_objects(lrs, resource):
    lrs.post(resource[0], params=params_for(resource), json={"x": "foo", "y": "bar"})

    response = lrs.post(resource[0], params=params_for(resource), json={"x": "bash", "z": "faz"})

    assert response.status_code == 204
    assert get(lrs, resource).json() == {"x": "bash", "y": "bar", "z": "faz"}


def test_post_merge_with_non_object_is_400(lrs, resource):
    lrs.post(resource[0], params=params_for(resource), json={"x": 1})

    response = lrs.post(resource[0], params=params_for(resource), json="a string")

    assert response.status_code == 400
    assert get(lrs, resource).json() == {"x": 1}


def test_delete_with_current_etag(lrs, resource):
    put_json(lrs, resource, {"a": 1})
    etag = get(lrs, resource).headers["ETag"]

    response = lrs.delete(resource[0], params=params_for(resource), headers={"If-Match": etag})

    assert response.status_code == 204
    assert get(lrs, resource).status_code == 404


def test_delete_without_profile_id_is_400(lrs, resource):
    response = lrs.delete(resource[0], params=params_for(resource, None))

    assert response.status_code == 400


def test_id_list_with_since(lrs, resource):
    put_json(lrs, resource, {"n": 1}, profile_id="old")
    time.sleep(0.05)
    # The server runs on this machine, so the local clock splits the two writes.
    since = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    time.sleep(0.05)
    put_json(lrs, resource, {"n": 2}, profile_id="new")

    everything = get(lrs, resource, None)
    recent = get(lrs, resource, None, since=since)

    assert everything.json() == ["new", "old"]
    assert recent.json() == ["new"]


def test_profiles_of_other_contexts_stay_apart(lrs):
    lrs.put(ACTIVITY_PROFILE, params={"activityId": ACTIVITY, "profileId": "p"}, json={"of": "activity"})
    lrs.put(AGENT_PROFILE, params={"agent": json.dumps(AGENT), "profileId": "p"}, json={"of": "agent"})
    lrs.put(ACTIVITY_PROFILE, params={"activityId": ACTIVITY + "/other", "profileId": "p"}, json={"of": "other"})

    activity = lrs.get(ACTIVITY_PROFILE, params={"activityId": ACTIVITY, "profileId": "p"})
    agent = lrs.get(AGENT_PROFILE, params={"agent": json.dumps(AGENT), "profileId": "p"})

    assert activity.json() == {"of": "activity"}
    assert agent.json() == {"of": "agent"}


def test_agent_profile_rejects_activity_id(lrs):
    response = lrs.get(AGENT_PROFILE, params={"agent": json.dumps(AGENT), "activityId": ACTIVITY})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "activityId"


def test_activity_profile_rejects_agent(lrs):
    response = lrs.get(ACTIVITY_PROFILE, params={"activityId": ACTIVITY, "agent": json.dumps(AGENT)})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "agent"


def test_profile_scope_reads_and_writes(make_client, version, resource):
    client = make_client("profile", version=version)

    put = put_json(client, resource, {"a": 1})
    read = get(client, resource)

    assert put.status_code == 204
    assert read.status_code == 200


def test_state_scope_cannot_touch_profiles(make_client, version, resource):
    client = make_client("state", version=version)

    response = get(client, resource)

    assert response.status_code == 403


def test_all_read_cannot_write_profiles(make_client, version, resource):
    client = make_client("all/read", version=version)

    response = put_json(client, resource, {"a": 1})

    assert response.status_code == 403
