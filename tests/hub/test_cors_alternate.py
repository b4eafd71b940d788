"""Browser support over real HTTP: CORS on /xapi and the xAPI 1.0.3 alternate request syntax."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
import requests

STATE = "/xapi/activities/state"
STATEMENTS = "/xapi/statements"
ORIGIN = "https://content.example.org"
ACTIVITY = "http://example.com/activities/course-1"
AGENT = json.dumps({"mbox": "mailto:learner@example.com"})
FORM = "application/x-www-form-urlencoded"


def basic_auth(client) -> str:
    token = f"{client.credential['key']}:{client.credential['secret']}".encode()
    return "Basic " + base64.b64encode(token).decode()


def statement() -> dict:
    return {"actor": {"mbox": "mailto:learner@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": ACTIVITY}}


# ---------------------------------------------------------------------------------------------------------
# CORS


def test_cors_preflight_needs_no_credentials(server_url):
    response = requests.options(server_url + STATE, timeout=30, headers={
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization, content-type, x-experience-api-version, if-match",
    })

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    allowed = {name.strip().lower() for name in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed == {"authorization", "content-type", "x-experience-api-version", "if-match"}
    assert "Access-Control-Max-Age" in response.headers


def test_cors_preflight_for_statements(server_url):
    response = requests.options(server_url + STATEMENTS, timeout=30, headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "if-none-match"})

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Headers"].lower() == "if-none-match"


def test_cors_response_exposes_xapi_headers(client):
    client.put(STATE, params={"activityId": ACTIVITY, "agent": AGENT, "stateId": "s"}, json={"a": 1})

    response = client.get(STATE, params={"activityId": ACTIVITY, "agent": AGENT, "stateId": "s"},
                          headers={"Origin": ORIGIN})

    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    exposed = {name.strip() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Last-Modified", "X-Experience-API-Version", "X-Experience-API-Consistent-Through"} <= exposed
    assert "Origin" in response.headers.get("Vary", "")
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_cors_headers_on_error_responses(server_url):
    response = requests.get(server_url + STATEMENTS, timeout=30,
                            headers={"Origin": ORIGIN, "X-Experience-API-Version": "1.0.3"})

    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_no_cors_headers_without_origin(client):
    response = client.get(STATEMENTS)

    assert "Access-Control-Allow-Origin" not in response.headers


def test_no_cors_headers_outside_xapi(server_url):
    response = requests.get(server_url + "/health", headers={"Origin": ORIGIN}, timeout=30)

    assert "Access-Control-Allow-Origin" not in response.headers


# ---------------------------------------------------------------------------------------------------------
# Alternate request syntax under 1.0.3


def test_alternate_syntax_get_statements(client):
    client.post(STATEMENTS, json=statement())

    response = client.post(STATEMENTS, params={"method": "GET"}, data={"limit": "1"})

    assert response.status_code == 200
    assert len(response.json()["statements"]) == 1
    assert "more" in response.json()
    assert "X-Experience-API-Consistent-Through" in response.headers


def test_alternate_syntax_put_statement_with_form_headers(make_client, server_url):
    client = make_client("all")
    statement_id = str(uuid.uuid4())
    form = {"statementId": statement_id, "content": json.dumps(statement()), "Authorization": basic_auth(client),
            "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}

    response = requests.post(server_url + STATEMENTS, params={"method": "PUT"}, data=form, timeout=30)
    stored = client.get(STATEMENTS, params={"statementId": statement_id})

    assert response.status_code == 204
    assert stored.status_code == 200
    assert stored.json()["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"


def test_alternate_syntax_put_and_get_state(client):
    document = json.dumps({"page": 7})
    context = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}

    put = client.post(STATE, params={"method": "PUT"},
                      data={**context, "content": document, "Content-Type": "application/json"})
    get = client.post(STATE, params={"method": "GET"}, data=context)

    assert put.status_code == 204
    assert get.status_code == 200
    assert get.content == document.encode()
    assert get.headers["Content-Type"] == "application/json"
    assert "ETag" in get.headers


def test_alternate_syntax_text_content_keeps_its_type(client):
    context = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "note"}

    client.post(STATE, params={"method": "PUT"}, data={**context, "content": "héllo", "Content-Type": "text/plain"})
    response = client.get(STATE, params=context)

    assert response.content == "héllo".encode()
    assert response.headers["Content-Type"] == "text/plain"


def test_alternate_syntax_if_match_form_field(client):
    context = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}
    client.put(STATE, params=context, json={"v": 1})

    response = client.post(STATE, params={"method": "PUT"},
                           data={**context, "content": '{"v": 2}', "If-Match": '"' + "0" * 40 + '"'})

    assert response.status_code == 412
    assert client.get(STATE, params=context).json() == {"v": 1}


def test_alternate_syntax_delete_state(client):
    context = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}
    client.put(STATE, params=context, json={"v": 1})

    response = client.post(STATE, params={"method": "DELETE"}, data=context)

    assert response.status_code == 204
    assert client.get(STATE, params=context).status_code == 404


def test_alternate_syntax_header_wins_over_form_version(client):
    # The 1.0.3 conformance suite sends a real 1.0.3 header and a form field of "0.8", and expects success.
    response = client.post(STATEMENTS, params={"method": "PUT"},
                           data={"statementId": str(uuid.uuid4()), "content": json.dumps(statement()),
                                 "X-Experience-API-Version": "0.8"})

    assert response.status_code == 204


def test_alternate_syntax_extra_query_parameter_is_400(client):
    statement_id = str(uuid.uuid4())

    response = client.post(STATEMENTS, params={"method": "PUT", "statementId": statement_id},
                           data={"statementId": statement_id, "content": json.dumps(statement())})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "statementId"


def test_alternate_syntax_without_form_body_is_400(client):
    response = client.post(STATEMENTS, params={"method": "PUT"}, json={"statementId": str(uuid.uuid4())})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "Content-Type"


def test_alternate_syntax_put_without_content_is_400(client):
    response = client.post(STATEMENTS, params={"method": "PUT"}, data={"statementId": str(uuid.uuid4())})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "content"


def test_alternate_syntax_unknown_method_is_400(client):
    response = client.post(STATEMENTS, params={"method": "PATCH"}, data={"content": "{}"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "method"


def test_alternate_syntax_json_body_is_400(client):
    # The conformance suite's "not url encoded" case: a form Content-Type over a JSON body.
    response = client.post(STATEMENTS, params={"method": "PUT"},
                           data=json.dumps({"statementId": str(uuid.uuid4()), "content": statement()}),
                           headers={"Content-Type": FORM})

    assert response.status_code == 400


def test_method_parameter_on_get_is_400(client):
    response = client.get(STATEMENTS, params={"method": "POST"})

    assert response.status_code == 400


def test_alternate_syntax_without_credentials_is_401(server_url):
    response = requests.post(server_url + STATEMENTS, params={"method": "GET"},
                             data={"X-Experience-API-Version": "1.0.3"}, timeout=30)

    assert response.status_code == 401


# ---------------------------------------------------------------------------------------------------------
# Alternate request syntax under 2.0


@pytest.mark.parametrize("method, form", [
    ("GET", {"limit": "1"}),
    ("PUT", {"statementId": "a1f9b2d4-6b1e-4c3e-9a51-0d6f1c2b3a4e", "content": json.dumps(statement())}),
])
def test_alternate_syntax_under_2_0_is_rejected(make_client, method, form):
    client = make_client("all", version="2.0.0")

    response = client.post(STATEMENTS, params={"method": method}, data=form)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "method"
    assert response.headers["X-Experience-API-Version"] == "2.0.0"


def test_alternate_form_version_2_0_rejected(make_client, server_url):
    client = make_client("all", version=None)
    form = {"X-Experience-API-Version": "2.0.0", "Authorization": basic_auth(client),
            "activityId": ACTIVITY, "agent": AGENT}

    response = requests.post(server_url + STATE, params={"method": "GET"}, data=form, timeout=30)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "method"


def test_alternate_syntax_under_2_0_changes_nothing(make_client):
    client = make_client("all", version="2.0.0")
    context = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}

    client.post(STATE, params={"method": "PUT"}, data={**context, "content": '{"v": 1}'})

    assert client.get(STATE, params=context).status_code == 404


def test_alternate_syntax_invalid_utf8_is_400(client):
    response = client.post(STATE, params={"method": "PUT"}, headers={"Content-Type": FORM},
                           data=b"activityId=x&content=%FF%FE")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "body"
