"""The State resource over real HTTP, under xAPI 1.0.3 and 2.0: storage, id lists, deletes and concurrency."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from datetime import datetime, timezone

import pytest

STATE = "/xapi/activities/state"
ACTIVITY = "http://example.com/activities/course-1"
AGENT = {"objectType": "Agent", "mbox": "mailto:learner@example.com"}
JSON_TYPE = "application/json"


@pytest.fixture(params=["1.0.3", "2.0.0"])
def version(request) -> str:
    return request.param


@pytest.fixture
def lrs(make_client, version):
    return make_client("all", version=version)


def state_params(state_id: str | None = "bookmark", **extra) -> dict:
    params = {"activityId": ACTIVITY, "agent": json.dumps(AGENT)}
    if state_id is not None:
        params["stateId"] = state_id
    params.update(extra)
    return params


def put_json(client, document: dict, headers: dict | None = None, **params):
    return client.put(STATE, params=state_params(**params), data=json.dumps(document),
                      headers={"Content-Type": JSON_TYPE, **(headers or {})})


def post_json(client, document, headers: dict | None = None, **params):
    return client.post(STATE, params=state_params(**params), data=json.dumps(document),
                       headers={"Content-Type": JSON_TYPE, **(headers or {})})


def test_put_then_get_returns_document_and_headers(lrs):
    body = b'{"page": 3}'
    put = lrs.put(STATE, params=state_params(), data=body, headers={"Content-Type": JSON_TYPE})

    response = lrs.get(STATE, params=state_params())

    assert put.status_code == 204
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["Content-Type"] == JSON_TYPE
    assert response.headers["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"'
    assert "Last-Modified" in response.headers


def test_binary_document_round_trip(lrs):
    body = bytes(range(256)) * 4
    put = lrs.put(STATE, params=state_params("blob"), data=body, headers={"Content-Type": "image/png"})

    response = lrs.get(STATE, params=state_params("blob"))

    assert put.status_code == 204
    assert response.content == body
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"'


def test_document_without_content_type_is_octet_stream(lrs):
    lrs.put(STATE, params=state_params("raw"), data=b"\x00\x01", headers={"Content-Type": ""})

    response = lrs.get(STATE, params=state_params("raw"))

    assert response.headers["Content-Type"] == "application/octet-stream"


def test_get_unknown_state_is_404(lrs):
    response = lrs.get(STATE, params=state_params("never-stored"))

    assert response.status_code == 404


def test_head_returns_headers_without_body(lrs):
    put_json(lrs, {"page": 1})

    get = lrs.get(STATE, params=state_params())
    head = lrs.head(STATE, params=state_params())

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Last-Modified"] == get.headers["Last-Modified"]
    assert head.headers["Content-Type"] == JSON_TYPE


def test_put_json_that_does_not_parse_is_400(lrs):
    response = lrs.put(STATE, params=state_params(), data=b"{not json", headers={"Content-Type": JSON_TYPE})

    assert response.status_code == 400


def test_registration_separates_documents(lrs):
    registration = str(uuid.uuid4())
    put_json(lrs, {"where": "no registration"})
    put_json(lrs, {"where": "registration"}, registration=registration)

    plain = lrs.get(STATE, params=state_params())
    registered = lrs.get(STATE, params=state_params(registration=registration.upper()))

    assert plain.json() == {"where": "no registration"}
    assert registered.json() == {"where": "registration"}


# ---------------------------------------------------------------------------------------------------------
# Concurrency


def test_stale_etag_is_412_and_keeps_document(lrs):
    put_json(lrs, {"v": 1})
    stale = lrs.get(STATE, params=state_params()).headers["ETag"]
    put_json(lrs, {"v": 2}, headers={"If-Match": stale})

    response = put_json(lrs, {"v": 3}, headers={"If-Match": stale})

    assert response.status_code == 412
    assert lrs.get(STATE, params=state_params()).json() == {"v": 2}


def test_current_etag_allows_put(lrs):
    put_json(lrs, {"v": 1})
    etag = lrs.get(STATE, params=state_params()).headers["ETag"]

    response = put_json(lrs, {"v": 2}, headers={"If-Match": etag})

    assert response.status_code == 204
    assert lrs.get(STATE, params=state_params()).json() == {"v": 2}


def test_unquoted_wrong_etag_is_412(lrs):
    put_json(lrs, {"v": 1})

    response = put_json(lrs, {"v": 2}, headers={"If-Match": "1234"})

    assert response.status_code == 412


def test_if_match_on_missing_document_is_412(lrs):
    response = put_json(lrs, {"v": 1}, headers={"If-Match": "*"})

    assert response.status_code == 412
    assert lrs.get(STATE, params=state_params()).status_code == 404


def test_if_none_match_star_on_existing_is_412(lrs):
    put_json(lrs, {"v": 1})

    response = put_json(lrs, {"v": 2}, headers={"If-None-Match": "*"})

    assert response.status_code == 412
    assert lrs.get(STATE, params=state_params()).json() == {"v": 1}


def test_if_none_match_star_creates_missing_document(lrs):
    response = put_json(lrs, {"v": 1}, headers={"If-None-Match": "*"})

    assert response.status_code == 204


def test_put_without_precondition_on_existing_state_by_version(lrs, version):
    put_json(lrs, {"v": 1})

    response = put_json(lrs, {"v": 2})

    if version == "1.0.3":
        # 1.0.3 communication 3.1.s3 exempts the State resource from the 409 rule.
        assert response.status_code == 204
        assert lrs.get(STATE, params=state_params()).json() == {"v": 2}
    else:
        # IEEE 9274.1.1 section 4.1.4 puts the State resource under the same rule as the profiles.
        assert response.status_code == 409
        assert "If-Match" in response.json()["error"]["message"]
        assert lrs.get(STATE, params=state_params()).json() == {"v": 1}


def test_delete_with_stale_etag_is_412(lrs):
    put_json(lrs, {"v": 1})

    response = lrs.delete(STATE, params=state_params(), headers={"If-Match": '"' + "0" * 40 + '"'})

    assert response.status_code == 412
    assert lrs.get(STATE, params=state_params()).status_code == 200


def test_post_with_stale_etag_is_412(lrs):
    put_json(lrs, {"v": 1})

    response = post_json(lrs, {"w": 2}, headers={"If-Match": '"' + "0" * 40 + '"'})

    assert response.status_code == 412
    assert lrs.get(STATE, params=state_params()).json() == {"v": 1}


def test_get_with_matching_if_none_match_is_304(lrs):
    put_json(lrs, {"v": 1})
    etag = lrs.get(STATE, params=state_params()).headers["ETag"]

    response = lrs.get(STATE, params=state_params(), headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["ETag"] == etag


# ---------------------------------------------------------------------------------------------------------
# POST merge


def test_post_merges_top_level_properties(lrs):
    post_json(lrs, {"x": "foo", "y": "bar", "nested": {"a": 1, "b": 2}})

    response = post_json(lrs, {"x": "bash", "z": "faz", "nested": {"c": 3}})

    assert response.status_code == 204
    assert lrs.get(STATE, params=state_params()).json() == {"x": "bash", "y": "bar", "z": "faz",
                                                             "nested": {"c": 3}}


def test_post_merge_updates_etag(lrs):
    post_json(lrs, {"x": 1})
    before = lrs.get(STATE, params=state_params())
    post_json(lrs, {"y": 2})

    after = lrs.get(STATE, params=state_params())

    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["ETag"] == f'"{hashlib.sha1(after.content).hexdigest()}"'


def test_post_new_document_stores_it(lrs):
    response = post_json(lrs, {"x": 1}, state_id="fresh")

    assert response.status_code == 204
    assert lrs.get(STATE, params=state_params("fresh")).json() == {"x": 1}


def test_post_merge_with_non_object_is_400(lrs):
    post_json(lrs, {"x": 1})

    response = post_json(lrs, [1, 2, 3])

    assert response.status_code == 400
    assert lrs.get(STATE, params=state_params()).json() == {"x": 1}


def test_post_merge_into_non_json_document_is_400(lrs):
    lrs.put(STATE, params=state_params(), data=b"plain", headers={"Content-Type": "text/plain"})

    response = post_json(lrs, {"x": 1})

    assert response.status_code == 400
    assert lrs.get(STATE, params=state_params()).content == b"plain"


def test_post_merge_text_plain_is_400(lrs):
    post_json(lrs, {"x": 1})

    response = lrs.post(STATE, params=state_params(), data=b"plain", headers={"Content-Type": "text/plain"})

    assert response.status_code == 400
    assert lrs.get(STATE, params=state_params()).json() == {"x": 1}


def test_post_invalid_json_to_new_document_is_400(lrs):
    response = lrs.post(STATE, params=state_params("fresh"), data=b"{bad", headers={"Content-Type": JSON_TYPE})

    assert response.status_code == 400
    assert lrs.get(STATE, params=state_params("fresh")).status_code == 404


def test_post_non_json_to_new_document_stores_it(lrs):
    response = lrs.post(STATE, params=state_params("note"), data=b"hello", headers={"Content-Type": "text/plain"})

    assert response.status_code == 204
    assert lrs.get(STATE, params=state_params("note")).content == b"hello"


# ---------------------------------------------------------------------------------------------------------
# Id lists and multiple delete


def test_id_list_holds_states_of_context(lrs):
    for state_id in ("b", "a", "c"):
        put_json(lrs, {"id": state_id}, state_id=state_id)
    put_json(lrs, {"id": "other"}, state_id="other", registration=str(uuid.uuid4()))

    response = lrs.get(STATE, params=state_params(None))

    assert response.status_code == 200
    assert response.json() == ["a", "b", "c"]
    assert "Last-Modified" in response.headers
    assert response.headers["ETag"].startswith('"')


def test_since_filter_on_id_list(lrs):
    put_json(lrs, {"n": 1}, state_id="old")
    time.sleep(0.05)
    # The server runs on this machine, so the local clock splits the two writes.
    since = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    time.sleep(0.05)
    put_json(lrs, {"n": 2}, state_id="new")

    response = lrs.get(STATE, params=state_params(None, since=since))

    assert response.status_code == 200
    assert response.json() == ["new"]


def test_since_that_is_not_timestamp_is_400(lrs):
    response = lrs.get(STATE, params=state_params(None, since="yesterday"))

    assert response.status_code == 400


def test_empty_id_list_is_empty_array(lrs):
    response = lrs.get(STATE, params=state_params(None))

    assert response.status_code == 200
    assert response.json() == []


def test_delete_single_state(lrs):
    put_json(lrs, {"v": 1})
    put_json(lrs, {"v": 1}, state_id="kept")

    response = lrs.delete(STATE, params=state_params())

    assert response.status_code == 204
    assert lrs.get(STATE, params=state_params()).status_code == 404
    assert lrs.get(STATE, params=state_params("kept")).status_code == 200


def test_delete_all_states_in_registration(lrs):
    registration = str(uuid.uuid4())
    for state_id in ("a", "b"):
        put_json(lrs, {"id": state_id}, state_id=state_id, registration=registration)
    put_json(lrs, {"id": "outside"}, state_id="outside")

    response = lrs.delete(STATE, params=state_params(None, registration=registration))

    assert response.status_code == 204
    assert lrs.get(STATE, params=state_params(None, registration=registration)).json() == []
    assert lrs.get(STATE, params=state_params(None)).json() == ["outside"]


def test_delete_missing_state_is_204(lrs):
    response = lrs.delete(STATE, params=state_params("never-stored"))

    assert response.status_code == 204


# ---------------------------------------------------------------------------------------------------------
# Parameters


@pytest.mark.parametrize("change, field", [
    ({"activityId": None}, "activityId"),
    ({"agent": None}, "agent"),
    ({"activityId": "not an iri"}, "activityId"),
    ({"agent": "not JSON"}, "agent"),
    ({"agent": "true"}, "agent"),
    ({"agent": json.dumps({"objectType": "Agent"})}, "agent"),
    ({"agent": json.dumps({"mbox": "mailto:a@example.com", "openid": "http://example.com/a"})}, "agent"),
    ({"agent": json.dumps({"objectType": "Group", "mbox": "mailto:team@example.com"})}, "agent.objectType"),
    ({"registration": "not-a-uuid"}, "registration"),
    ({"stateId": ""}, "stateId"),
    ({"unknown": "1"}, "unknown"),
    ({"StateId": "bookmark"}, "StateId"),
])
def test_invalid_parameters_are_400(lrs, change, field):
    params = state_params()
    for name, value in change.items():
        if value is None:
            params.pop(name)
        else:
            params[name] = value

    response = lrs.get(STATE, params=params)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_put_without_state_id_is_400(lrs):
    response = put_json(lrs, {"v": 1}, state_id=None)

    assert response.status_code == 400


def test_repeated_parameter_is_400(lrs):
    response = lrs.get(f"{STATE}?stateId=a&stateId=b", params={"activityId": ACTIVITY, "agent": json.dumps(AGENT)})

    assert response.status_code == 400


def test_since_with_state_id_by_version(lrs, version):
    put_json(lrs, {"v": 1})

    response = lrs.get(STATE, params=state_params(since="2020-01-01T00:00:00Z"))

    # IEEE 9274.1.1 section 4.1.6.2 marks "since" Not Allowed beside stateId; 1.0.3 leaves it unspecified.
    assert response.status_code == (200 if version == "1.0.3" else 400)


def test_delete_with_since_by_version(lrs, version):
    put_json(lrs, {"v": 1})

    response = lrs.delete(STATE, params=state_params(None, since="2020-01-01T00:00:00Z"))

    assert response.status_code == (204 if version == "1.0.3" else 400)


# ---------------------------------------------------------------------------------------------------------
# Scopes


def test_state_scope_reads_and_writes(make_client, version):
    client = make_client("state", version=version)

    put = put_json(client, {"v": 1})
    get = client.get(STATE, params=state_params())

    assert put.status_code == 204
    assert get.status_code == 200


def test_all_read_scope_reads_but_cannot_write(make_client, version):
    writer = make_client("state", version=version)
    reader = make_client("all/read", version=version)
    put_json(writer, {"v": 1})

    get = reader.get(STATE, params=state_params())
    put = put_json(reader, {"v": 2})

    assert get.status_code == 200
    assert put.status_code == 403


def test_profile_scope_cannot_touch_state(make_client, version):
    client = make_client("profile", version=version)

    response = client.get(STATE, params=state_params())

    assert response.status_code == 403


def test_state_without_credentials_is_401(make_client, server_url, version):
    import requests

    response = requests.get(server_url + STATE, params=state_params(),
                            headers={"X-Experience-API-Version": version}, timeout=30)

    assert response.status_code == 401
