"""Tests of the BambooHR connector against recorded BambooHR payloads served by `responses`."""

from __future__ import annotations

import base64
import logging
from datetime import date, datetime, timezone

import pytest
from responses import matchers

from connectors.bamboohr import PERSON_FIELDS, BambooHRClient, format_since, person_from_employee
from connectors.http import ConnectorError, RetryPolicy
from connectors.normalize import InvalidField
from connectors.records import PersonRecord, RecordError

SUBDOMAIN = "acme"
API_KEY = "bhr-test-key-3f9a1c77d2"
BASE_URL = f"https://{SUBDOMAIN}.bamboohr.com/api/gateway.php/{SUBDOMAIN}/v1/"
TODAY = date(2024, 6, 1)
REPORT_URL = BASE_URL + "reports/custom"
CHANGED_URL = BASE_URL + "employees/changed"
DIRECTORY_FIELDS = (
    "id", "displayName", "firstName", "lastName", "preferredName", "jobTitle", "workPhone",
    "mobilePhone", "workEmail", "department", "location", "division", "linkedIn",
    "workPhoneExtension", "supervisor", "photoUploaded", "photoUrl",
)


@pytest.fixture
def client(record_sleep) -> BambooHRClient:
    return BambooHRClient(
        SUBDOMAIN,
        API_KEY,
        retry=RetryPolicy(max_attempts=4, backoff_base=1.0, max_wait=60.0),
        sleep=record_sleep,
    )


def add_report(mocked_http, payload, **kwargs):
    mocked_http.post(
        REPORT_URL,
        json=payload,
        match=[matchers.query_param_matcher({"format": "JSON", "onlyCurrent": "false"})],
        **kwargs,
    )


def split(items):
    records = [item for item in items if isinstance(item, PersonRecord)]
    errors = [item for item in items if isinstance(item, RecordError)]
    return records, errors


def employee_by_id(report_payload, employee_id):
    return next(e for e in report_payload["employees"] if e["id"] == employee_id)


def test_full_sync_reads_every_employee(client, mocked_http, report_payload):
    add_report(mocked_http, report_payload)

    sync = client.sync_people(today=TODAY)
    records, errors = split(list(sync.records))

    assert sync.full is True
    assert errors == []
    assert len(records) == 103
    assert len({record.source_id for record in records}) == 103
    assert sum(record.status == "terminated" for record in records) == 17
    assert sum(record.status == "active" for record in records) == 86


def test_full_sync_request_shape(client, mocked_http, report_payload):
    add_report(mocked_http, report_payload)

    list(client.iter_people(today=TODAY))

    request = mocked_http.calls[0].request
    expected_auth = "Basic " + base64.b64encode(f"{API_KEY}:x".encode()).decode()
    assert request.headers["Authorization"] == expected_auth
    assert request.headers["Accept"] == "application/json"
    assert request.url.startswith(BASE_URL + "reports/custom?")
    assert b'"fields"' in request.body
    assert b'"supervisorEId"' in request.body


def test_full_sync_record_fields(client, mocked_http, report_payload):
    add_report(mocked_http, report_payload)

    records, _ = split(list(client.iter_people(today=TODAY)))
    first = next(record for record in records if record.source_id == "4")
    former = next(record for record in records if record.source_id == "29")

    assert first.email == "user001@example.com"
    assert first.display_name == "First001 Last001"
    assert first.job_title == "Sr. HR Administrator"
    assert first.department == "Human Resources"
    assert first.location == "Lindon, Utah"
    assert first.manager_name == "Last006, First006"
    assert first.start_date == date(2020, 12, 30)
    assert first.end_date is None
    assert first.identifiers == (("employee_number", "1"),)
    assert first.raw["division"] == "North America"
    assert former.status == "terminated"
    assert former.end_date == date(2021, 3, 15)


def test_full_sync_cursor_from_server_date(client, mocked_http, report_payload):
    add_report(mocked_http, report_payload, headers={"Date": "Wed, 31 Jan 2024 12:00:00 GMT"})

    sync = client.sync_people(today=TODAY)
    cursor = datetime.fromisoformat(sync.cursor)

    # Five minutes before the server's Date, less the request's elapsed time rounded up to seconds.
    assert cursor <= datetime(2024, 1, 31, 11, 55, 0, tzinfo=timezone.utc)
    assert cursor >= datetime(2024, 1, 31, 11, 54, 50, tzinfo=timezone.utc)


def test_directory_sync(client, mocked_http, report_payload):
    current = [e for e in report_payload["employees"] if e["status"] == "Active"]
    directory = {
        "fields": [{"id": name, "type": "text", "name": name} for name in DIRECTORY_FIELDS[1:]],
        "employees": [{name: e.get(name) for name in DIRECTORY_FIELDS} for e in current],
    }
    mocked_http.get(BASE_URL + "employees/directory", json=directory)

    payload = client.directory()
    records = [person_from_employee(e, today=TODAY) for e in payload["employees"]]

    assert len(records) == 86
    assert all(record.status == "active" for record in records)
    assert all(record.source == "bamboohr" for record in records)


def test_directory_unexpected_body(client, mocked_http):
    mocked_http.get(BASE_URL + "employees/directory", json={"error": "nope"})

    with pytest.raises(ConnectorError) as caught:
        client.directory()

    assert caught.value.reason == "bad_response"


def test_custom_report_posts_chosen_fields(client, mocked_http, report_payload):
    mocked_http.post(
        REPORT_URL,
        json=report_payload,
        match=[
            matchers.json_params_matcher({"fields": ["firstName", "workEmail"]}),
            matchers.query_param_matcher({"format": "JSON", "onlyCurrent": "true"}),
        ],
    )

    report = client.custom_report(["firstName", "workEmail"], only_current=True)

    assert report["title"] == "Employee Report for JupiterOne"
    assert len(report["employees"]) == 103


def test_incremental_sync_fetches_changed(client, mocked_http, report_payload):
    changed = {
        "latest": "2024-02-01T09:30:00+00:00",
        "employees": {
            "4": {"id": "4", "action": "Updated", "lastChanged": "2024-02-01T09:00:00+00:00"},
            "29": {"id": "29", "action": "Inserted", "lastChanged": "2024-02-01T09:30:00+00:00"},
            "77": {"id": "77", "action": "Deleted", "lastChanged": "2024-02-01T08:00:00+00:00"},
        },
    }
    mocked_http.get(
        CHANGED_URL, json=changed, match=[matchers.query_param_matcher({"since": "2024-01-31T11:55:00Z"})]
    )
    for employee_id in ("4", "29"):
        mocked_http.get(
            BASE_URL + f"employees/{employee_id}",
            json=employee_by_id(report_payload, employee_id),
            match=[matchers.query_param_matcher({"fields": ",".join(PERSON_FIELDS)})],
        )

    sync = client.sync_people("2024-01-31T11:55:00Z", today=TODAY)
    records, errors = split(list(sync.records))

    assert sync.full is False
    assert sync.cursor == "2024-02-01T09:30:00+00:00"
    assert sync.deleted_ids == ("77",)
    assert errors == []
    assert [record.source_id for record in records] == ["4", "29"]
    assert records[1].status == "terminated"


def test_incremental_sync_nothing_changed(client, mocked_http):
    mocked_http.get(CHANGED_URL, json={"latest": None, "employees": []})

    sync = client.sync_people(datetime(2024, 1, 31, 12, 0, tzinfo=timezone.utc), today=TODAY)

    assert list(sync.records) == []
    assert sync.cursor == "2024-01-31T12:00:00Z"
    assert sync.deleted_ids == ()


def test_incremental_sync_many_changes_uses_report(record_sleep, mocked_http, report_payload):
    client = BambooHRClient(SUBDOMAIN, API_KEY, report_threshold=2, sleep=record_sleep)
    changed = {
        "latest": "2024-02-01T09:30:00+00:00",
        "employees": {
            employee_id: {"id": employee_id, "action": "Updated", "lastChanged": "2024-02-01T09:30:00+00:00"}
            for employee_id in ("4", "5", "6", "9999")
        },
    }
    mocked_http.get(CHANGED_URL, json=changed)
    add_report(mocked_http, report_payload)

    records, errors = split(list(client.sync_people("2024-01-31T00:00:00Z", today=TODAY).records))

    assert [record.source_id for record in records] == ["4", "5", "6"]
    assert [error.source_id for error in errors] == ["9999"]
    assert len(mocked_http.calls) == 2


def test_changed_employee_not_found(client, mocked_http, report_payload):
    changed = {
        "latest": "2024-02-01T09:30:00+00:00",
        "employees": {
            "404": {"id": "404", "action": "Updated", "lastChanged": "2024-02-01T09:00:00+00:00"},
            "5": {"id": "5", "action": "Updated", "lastChanged": "2024-02-01T09:30:00+00:00"},
        },
    }
    mocked_http.get(CHANGED_URL, json=changed)
    mocked_http.get(BASE_URL + "employees/404", status=404)
    mocked_http.get(BASE_URL + "employees/5", json=employee_by_id(report_payload, "5"))

    records, errors = split(list(client.sync_people("2024-01-31T00:00:00Z", today=TODAY).records))

    assert [record.source_id for record in records] == ["5"]
    assert [error.source_id for error in errors] == ["404"]


def test_rate_limit_retry_after_then_success(client, mocked_http, report_payload, waits):
    mocked_http.post(REPORT_URL, status=429, headers={"Retry-After": "7"})
    add_report(mocked_http, report_payload)

    records, errors = split(list(client.iter_people(today=TODAY)))

    assert waits == [7.0]
    assert len(records) == 103
    assert errors == []


def test_server_error_retried_then_raised(client, mocked_http, waits):
    mocked_http.post(REPORT_URL, status=503)

    with pytest.raises(ConnectorError) as caught:
        client.sync_people(today=TODAY)

    assert caught.value.reason == "server_error"
    assert caught.value.status == 503
    assert len(mocked_http.calls) == 4
    assert waits == [1.0, 2.0, 4.0]


def test_unauthorized_not_retried(client, mocked_http, waits):
    mocked_http.post(REPORT_URL, status=401, headers={"X-BambooHR-Error-Message": "Invalid API key"})

    with pytest.raises(ConnectorError) as caught:
        client.sync_people(today=TODAY)

    assert caught.value.reason == "auth_failed"
    assert caught.value.status == 401
    assert "Invalid API key" in str(caught.value)
    assert len(mocked_http.calls) == 1
    assert waits == []


def test_malformed_employee_becomes_error(client, mocked_http, report_payload):
    report_payload["employees"][3]["hireDate"] = "2021-02-30"
    del report_payload["employees"][10]["id"]
    report_payload["employees"][20]["status"] = "Suspended"
    add_report(mocked_http, report_payload)

    records, errors = split(list(client.iter_people(today=TODAY)))

    assert len(records) == 100
    assert [(error.source_id, error.field) for error in errors] == [
        (report_payload["employees"][3]["id"], "hireDate"),
        (None, "id"),
        (report_payload["employees"][20]["id"], "status"),
    ]
    assert errors[0].message.startswith(f"employee {report_payload['employees'][3]['id']}, field hireDate: ")
    assert "invalid date '2021-02-30', expected YYYY-MM-DD" in errors[0].message


def test_api_key_never_logged(client, mocked_http, report_payload, caplog):
    caplog.set_level(logging.DEBUG)
    mocked_http.post(REPORT_URL, status=429, headers={"Retry-After": "1"})
    add_report(mocked_http, report_payload)
    mocked_http.get(BASE_URL + "employees/directory", status=401)

    list(client.iter_people(today=TODAY))
    with pytest.raises(ConnectorError) as caught:
        client.directory()

    encoded_credentials = base64.b64encode(f"{API_KEY}:x".encode()).decode()
    assert caplog.records
    assert API_KEY not in caplog.text
    assert encoded_credentials not in caplog.text
    assert API_KEY not in str(caught.value)


def test_person_from_employee_quirks():
    employee = {
        "id": 42,
        "employeeNumber": 1007,
        "firstName": " Ada ",
        "lastName": "",
        "preferredName": "Addie",
        "workEmail": "  Ada.L@Example.COM ",
        "jobTitle": None,
        "supervisorEId": "7",
        "supervisor": "Last007, First007",
        "status": "Inactive",
        "employmentHistoryStatus": "Leave of Absence",
        "hireDate": "2019-05-01",
        "terminationDate": "0000-00-00",
    }

    record = person_from_employee(employee, today=TODAY, identifier_fields={"employeeNumber": "payroll_id"})

    assert record.source_id == "42"
    assert record.email == "ada.l@example.com"
    assert record.first_name == "Ada"
    assert record.last_name is None
    assert record.display_name == "Addie"
    assert record.job_title is None
    assert record.manager_source_id == "7"
    assert record.status == "inactive"
    assert record.end_date is None
    assert record.identifiers == (("employee_number", "1007"), ("payroll_id", "1007"))


def test_person_status_from_dates():
    base = {"id": "1", "status": "Active", "employmentHistoryStatus": "Full-Time"}

    future_hire = person_from_employee({**base, "hireDate": "2024-07-01"}, today=TODAY)
    past_termination = person_from_employee({**base, "terminationDate": "2024-05-31"}, today=TODAY)
    rehired = person_from_employee({**base, "hireDate": "2023-01-01", "terminationDate": "2020-01-01"}, today=TODAY)

    assert future_hire.status == "pending"
    assert past_termination.status == "terminated"
    assert rehired.status == "active"
    assert rehired.end_date is None


def test_person_from_paginated_employees_api(load_corpus_json):
    payload = load_corpus_json("openapi-example-get-v1-employees-basic.json")

    records = [person_from_employee(e, today=TODAY) for e in payload["data"]]

    assert [record.source_id for record in records] == ["123", "124"]
    assert records[0].job_title == "Engineering Manager"
    assert records[0].display_name == "First189 Last189"


def test_person_from_employee_rejects_bad_email():
    with pytest.raises(InvalidField) as caught:
        person_from_employee({"id": "1", "workEmail": "not-an-address"}, today=TODAY)

    assert caught.value.field == "workEmail"


def test_format_since_rejects_naive_time():
    with pytest.raises(ValueError):
        format_since(datetime(2024, 1, 1))

    with pytest.raises(ValueError):
        format_since("yesterday")

    assert format_since(datetime(2024, 1, 1, tzinfo=timezone.utc)) == "2024-01-01T00:00:00Z"


def test_invalid_subdomain_rejected():
    with pytest.raises(ValueError):
        BambooHRClient("acme.evil.example/x", API_KEY)
