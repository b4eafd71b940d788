"""The HiBob webhook receiver over real HTTP, with HiBob's API served by `responses`."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import requests
import responses
from responses import matchers
from sqlalchemy import func, select

from connectors.hibob import SIGNATURE_HEADER, sign_body
from hub import runtime as runtime_module
from hub.models import PersonIdentifier, SyncRun
from hub.sync import HIBOB_WEBHOOK_CONNECTOR

HIBOB_URL = "https://hibob.test/v1/"
SECRET = "webhook-secret-6d5c4b"
EMPLOYEE_ID = "3332883894235038486"
WEBHOOK_PATH = "/api/v1/webhooks/hibob"

EMPLOYEE = {
    "id": EMPLOYEE_ID,
    "email": "first010.last010@example.com",
    "firstName": "First010",
    "surname": "Last010",
    "displayName": "First010 Last010",
    "work": {"title": "288462013", "department": "209192163", "startDate": "2021-04-01",
             "reportsTo": {"id": "3332883804594373380", "displayName": "First011 Last011"}},
    "internal": {"status": "Active", "lifecycleStatus": "employed"},
    "humanReadable": {"work": {"title": "Data Engineer", "department": "Account Receivables"}},
}


@pytest.fixture
def webhook_runtime(runtime, clean_db):
    """The test runtime with the HiBob webhook enabled, restored afterwards."""
    original_settings, original_current = runtime.settings, runtime_module._current
    runtime.settings = replace(original_settings, hibob_service_user_id="SERVICE-1",
                               hibob_service_user_token="hibob-token", hibob_base_url=HIBOB_URL,
                               hibob_webhook_secret=SECRET, sync_retry_attempts=2, sync_backoff_seconds=0.0)
    runtime_module.set_current(runtime)
    yield runtime
    runtime.settings = original_settings
    runtime_module.set_current(original_current)


@pytest.fixture
def hibob(server_url):
    """HiBob's API mocked, while requests to the test server pass through."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(server_url)
        yield mock


@pytest.fixture
def created_event(corpus) -> bytes:
    return (corpus / "hris" / "hibob" / "doc-example-webhook-v2-employee-created.json").read_bytes()


def post_event(server_url: str, body: bytes, signature: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    return requests.post(server_url + WEBHOOK_PATH, data=body, headers=headers, timeout=30)


def webhook_runs(runtime) -> list[SyncRun]:
    with runtime.sessions() as session:
        return list(session.scalars(select(SyncRun).where(SyncRun.connector == HIBOB_WEBHOOK_CONNECTOR)
                                    .order_by(SyncRun.id)))


def hibob_ids(runtime) -> set[str]:
    with runtime.sessions() as session:
        return set(session.scalars(select(PersonIdentifier.value).where(PersonIdentifier.kind == "hris:hibob")))


def test_signed_event_upserts_employee(webhook_runtime, server_url, hibob, created_event):
    hibob.post(HIBOB_URL + f"people/{EMPLOYEE_ID}", json=EMPLOYEE)

    response = post_event(server_url, created_event, sign_body(created_event, SECRET))

    assert response.status_code == 202
    assert response.json()["employee_id"] == EMPLOYEE_ID
    assert hibob_ids(webhook_runtime) == {EMPLOYEE_ID}
    runs = webhook_runs(webhook_runtime)
    assert [(run.status, run.created) for run in runs] == [("succeeded", 1)]


def test_fetch_uses_service_user(webhook_runtime, server_url, hibob, created_event):
    hibob.post(HIBOB_URL + f"people/{EMPLOYEE_ID}", json=EMPLOYEE,
               match=[matchers.header_matcher({"Authorization": "Basic U0VSVklDRS0xOmhpYm9iLXRva2Vu"})])

    post_event(server_url, created_event, sign_body(created_event, SECRET))

    assert len(hibob.calls) == 1


def test_repeated_event_leaves_employee_unchanged(webhook_runtime, server_url, hibob, created_event):
    hibob.post(HIBOB_URL + f"people/{EMPLOYEE_ID}", json=EMPLOYEE)
    signature = sign_body(created_event, SECRET)

    post_event(server_url, created_event, signature)
    post_event(server_url, created_event, signature)

    runs = webhook_runs(webhook_runtime)
    assert [(run.created, run.unchanged) for run in runs] == [(1, 0), (0, 1)]


def test_bad_signature_rejected(webhook_runtime, server_url, hibob, created_event):
    response = post_event(server_url, created_event, sign_body(created_event, "wrong-secret"))

    assert response.status_code == 401
    assert SIGNATURE_HEADER in response.json()["error"]["message"]
    assert len(hibob.calls) == 0
    assert webhook_runs(webhook_runtime) == []


def test_missing_signature_rejected(webhook_runtime, server_url, hibob, created_event):
    response = post_event(server_url, created_event, None)

    assert response.status_code == 401
    assert len(hibob.calls) == 0


def test_signature_of_other_body_rejected(webhook_runtime, server_url, hibob, created_event):
    tampered = created_event.replace(EMPLOYEE_ID.encode(), b"1")

    response = post_event(server_url, tampered, sign_body(created_event, SECRET))

    assert response.status_code == 401


def test_unsigned_ping_acknowledged(webhook_runtime, server_url, hibob):
    response = post_event(server_url, b"Ping test", None)

    assert response.status_code == 200
    assert response.json() == {"status": "ping"}


def test_other_event_types_ignored(webhook_runtime, server_url, hibob):
    body = json.dumps({"type": "timeoff.request.created", "data": {"employeeId": EMPLOYEE_ID}}).encode()

    response = post_event(server_url, body, sign_body(body, SECRET))

    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert len(hibob.calls) == 0


def test_event_with_repeated_key_rejected(webhook_runtime, server_url, hibob):
    body = b'{"type": "timeoff.request.created", "type": "employee.updated", "data": {"employeeId": "1"}}'
    hibob.post(HIBOB_URL + "people/1", json=EMPLOYEE)

    response = post_event(server_url, body, sign_body(body, SECRET))

    assert response.status_code == 400
    assert "'type' appears more than once" in response.json()["error"]["message"]
    assert len(hibob.calls) == 0


def test_v1_event_with_employee_object(webhook_runtime, server_url, hibob):
    body = json.dumps({"type": "employee.updated", "employee": {"id": EMPLOYEE_ID}}).encode()
    hibob.post(HIBOB_URL + f"people/{EMPLOYEE_ID}", json=EMPLOYEE)

    response = post_event(server_url, body, sign_body(body, SECRET))

    assert response.status_code == 202
    assert hibob_ids(webhook_runtime) == {EMPLOYEE_ID}


def test_deleted_event_fetches_nothing(webhook_runtime, server_url, hibob):
    body = json.dumps({"type": "employee.deleted", "data": {"employeeId": EMPLOYEE_ID}}).encode()

    response = post_event(server_url, body, sign_body(body, SECRET))

    assert response.status_code == 202
    assert len(hibob.calls) == 0
    runs = webhook_runs(webhook_runtime)
    assert runs[0].errors[0]["source_id"] == EMPLOYEE_ID
    assert "deleted in the source system" in runs[0].errors[0]["message"]


def test_unknown_employee_recorded_as_failed_record(webhook_runtime, server_url, hibob, created_event):
    hibob.post(HIBOB_URL + f"people/{EMPLOYEE_ID}", status=404)

    response = post_event(server_url, created_event, sign_body(created_event, SECRET))

    assert response.status_code == 202
    runs = webhook_runs(webhook_runtime)
    assert [(run.status, run.failed) for run in runs] == [("succeeded", 1)]


def test_hibob_outage_recorded_as_failed_run(webhook_runtime, server_url, hibob, created_event):
    hibob.post(HIBOB_URL + f"people/{EMPLOYEE_ID}", status=503)

    response = post_event(server_url, created_event, sign_body(created_event, SECRET))

    assert response.status_code == 202
    runs = webhook_runs(webhook_runtime)
    assert [run.status for run in runs] == ["failed"]
    assert runs[0].errors[0]["field"] == "server_error"


@pytest.mark.parametrize(
    ("body", "field"),
    [(b"{not json", "body"), (b"[1, 2]", "body"), (b'{"type": "employee.created", "data": {}}', "data.employeeId")],
)
def test_signed_but_invalid_body_rejected(webhook_runtime, server_url, hibob, body, field):
    response = post_event(server_url, body, sign_body(body, SECRET))

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_webhook_disabled_without_secret(webhook_runtime, server_url, hibob, created_event):
    webhook_runtime.settings = replace(webhook_runtime.settings, hibob_webhook_secret=None)

    response = post_event(server_url, created_event, sign_body(created_event, SECRET))

    assert response.status_code == 404
    with webhook_runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SyncRun)) == 0
