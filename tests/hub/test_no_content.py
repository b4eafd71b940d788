"""204 No Content responses of /xapi, /api/v1 and /scim/v2: no body and no Content-Type."""

from __future__ import annotations

import json
import uuid

import pytest
from scim_support import create_user, scim_client  # noqa: F401  (scim_client is a fixture)

STATE = "/xapi/activities/state"
STATE_PARAMS = {"activityId": "http://www.example.org/course/1", "agent": json.dumps({"mbox": "mailto:ana@example.com"}),
                "stateId": "bookmark"}
STATEMENT = {"actor": {"mbox": "mailto:ana@example.com"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
             "object": {"id": "http://www.example.org/course/1"}}


def assert_no_content(response) -> None:
    assert response.status_code == 204, response.text
    assert "Content-Type" not in response.headers
    assert "Content-Length" not in response.headers
    assert response.content == b""


@pytest.fixture
def lrs(make_client):
    return make_client("all")


def test_statement_put_has_no_content_type(lrs):
    response = lrs.put("/xapi/statements", params={"statementId": str(uuid.uuid4())}, json=STATEMENT)

    assert_no_content(response)


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_document_put_has_no_content_type(lrs, content_type):
    response = lrs.put(STATE, params=STATE_PARAMS, data=b'{"page": 7}', headers={"Content-Type": content_type})

    assert_no_content(response)


def test_document_post_and_delete_have_no_content_type(lrs):
    posted = lrs.post(STATE, params=STATE_PARAMS, json={"page": 7})
    deleted = lrs.delete(STATE, params=STATE_PARAMS)

    assert_no_content(posted)
    assert_no_content(deleted)


def test_alternate_syntax_put_has_no_content_type(lrs):
    form = {**STATE_PARAMS, "content": '{"page": 7}', "Content-Type": "application/json",
            "X-Experience-API-Version": "1.0.3"}

    response = lrs.post(STATE, params={"method": "PUT"}, data=form)

    assert_no_content(response)


def test_person_erasure_has_no_content_type(lrs):
    imported = lrs.post("/api/v1/people/import", data="employee_id,email\n1,ana@example.com\n",
                        headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200, imported.text
    person_id = lrs.get("/api/v1/people").json()["data"][0]["id"]

    response = lrs.delete(f"/api/v1/people/{person_id}")

    assert_no_content(response)


def test_scim_user_delete_has_no_content_type(scim_client):
    user = create_user(scim_client, "ana@example.com")

    response = scim_client.delete(f"/Users/{user['id']}")

    assert_no_content(response)
