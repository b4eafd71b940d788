"""Tests of the HiBob connector against recorded and documented HiBob payloads served by `responses`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import date
from pathlib import Path

import pytest
from responses import matchers

from connectors.hibob import (
    PERSON_FIELDS,
    HiBobClient,
    employee_id_from_event,
    field_value,
    person_from_employee,
    sign_body,
    verify_signature,
)
from connectors.http import ConnectorError, RetryPolicy
from connectors.normalize import InvalidField
from connectors.records import PersonRecord, RecordError

BASE_URL = "https://api.hibob.com/v1/"
SEARCH_URL = BASE_URL + "people/search"
SERVICE_USER = "SERVICE-4711"
SERVICE_TOKEN = "hibob-token-0a1b2c3d4e"
TODAY = date(2024, 6, 1)

# A current people/search employee with humanReadable=APPEND: list fields carry ids as machine
# values and their names under "humanReadable", and reportsTo is an object.
CURRENT_EMPLOYEE = {
    "id": "3332883894235038486",
    "email": "first010.last010@example.com",
    "firstName": "First010",
    "surname": "Last010",
    "displayName": "First010 Last010",
    "work": {
        "title": "288462013",
        "department": "209192163",
        "site": "Berlin",
        "startDate": "2021-04-01",
        "reportsTo": {"id": "3332883804594373380", "displayName": "First011 Last011"},
    },
    "internal": {"status": "Active", "lifecycleStatus": "employed", "terminationDate": None},
    "humanReadable": {"work": {"title": "Data Engineer", "department": "Account Receivables", "site": "Berlin"}},
}


@pytest.fixture(scope="module")
def hibob_corpus(corpus) -> Path:
    return corpus / "hris" / "hibob"


@pytest.fixture
def search_payload(hibob_corpus) -> dict:
    """A fresh copy of the recorded people/search response (2 employees), safe to modify in a test."""
    return json.loads((hibob_corpus / "people-search.response.json").read_text(encoding="utf-8"))


@pytest.fixture
def client(record_sleep) -> HiBobClient:
    return HiBobClient(
        SERVICE_USER,
        SERVICE_TOKEN,
        retry=RetryPolicy(max_attempts=4, backoff_base=1.0, max_wait=60.0),
        sleep=record_sleep,
    )


def split(items):
    records = [item for item in items if isinstance(item, PersonRecord)]
    errors = [item for item in items if isinstance(item, RecordError)]
    return records, errors


def test_full_sync_reads_every_employee(client, mocked_http, search_payload):
    search_payload["employees"].append(json.loads(json.dumps(CURRENT_EMPLOYEE)))
    mocked_http.post(SEARCH_URL, json=search_payload)

    sync = client.sync_people(today=TODAY)
    records, errors = split(list(sync.records))

    assert sync.full is True
    assert errors == []
    assert [record.source_id for record in records] == ["1234", "5678", "3332883894235038486"]


def test_search_request_shape(client, mocked_http, search_payload):
    expected_body = {"fields": list(PERSON_FIELDS), "showInactive": True, "humanReadable": "APPEND"}
    mocked_http.post(SEARCH_URL, json=search_payload, match=[matchers.json_params_matcher(expected_body)])

    list(client.iter_people(today=TODAY))

    request = mocked_http.calls[0].request
    expected_auth = "Basic " + base64.b64encode(f"{SERVICE_USER}:{SERVICE_TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == expected_auth
    assert request.headers["Accept"] == "application/json"


def test_sync_since_still_reads_everyone(client, mocked_http, search_payload):
    # people/search has no change filter, so a cursor from an earlier sync changes nothing.
    mocked_http.post(SEARCH_URL, json=search_payload)

    sync = client.sync_people("2024-05-01T00:00:00Z", today=TODAY)

    assert sync.full is True
    assert len(list(sync.records)) == 2


def test_recorded_employee_fields(client, mocked_http, search_payload):
    mocked_http.post(SEARCH_URL, json=search_payload)

    records, _ = split(list(client.iter_people(today=TODAY)))
    first, director = records

    assert first.email == "first001.last001@example.com"
    assert first.first_name == "First001"
    assert first.last_name == "Last001"
    assert first.job_title == "Doctor"
    assert first.department == "R&D"
    assert first.location == "Other - France"
    assert first.manager_source_id == "5678"
    assert first.manager_name == "First002 Last002"
    assert first.start_date == date(2022, 10, 10)
    assert first.status == "active"
    assert director.manager_source_id is None


def test_human_readable_values_preferred():
    record = person_from_employee(CURRENT_EMPLOYEE, today=TODAY)

    assert record.job_title == "Data Engineer"
    assert record.department == "Account Receivables"
    assert record.manager_source_id == "3332883804594373380"
    assert record.manager_name == "First011 Last011"


def test_documented_flat_response(hibob_corpus):
    employee = json.loads((hibob_corpus / "doc-example-people-human-readable-append.json").read_text(encoding="utf-8"))

    record = person_from_employee(employee, today=TODAY)

    assert record.source_id == "2128438031986721630"
    assert record.display_name == "First004 Last004"
    assert record.department == "Account Receivables"
    assert field_value(employee, "/root/creationDate") == "2019-09-08"


@pytest.mark.parametrize(
    ("internal", "expected"),
    [
        ({"status": "Active"}, "active"),
        ({"status": "Inactive"}, "inactive"),
        ({"status": "Active", "lifecycleStatus": "hired"}, "pending"),
        ({"status": "Inactive", "lifecycleStatus": "terminated"}, "terminated"),
        ({"status": "Inactive", "terminationDate": "2024-05-31"}, "terminated"),
        ({"status": "Active", "lifecycleStatus": "on sabbatical"}, "active"),
        ({"status": "Active", "terminationDate": "0000-00-00"}, "active"),
    ],
)
def test_status_mapping(internal, expected):
    employee = {"id": "1", "email": "x@example.com", "internal": internal}

    assert person_from_employee(employee, today=TODAY).status == expected


def test_identifier_fields_requested_and_read(record_sleep, mocked_http):
    client = HiBobClient(SERVICE_USER, SERVICE_TOKEN, identifier_fields={"/work/custom/lms": "lms_username"},
                         sleep=record_sleep)
    employee = dict(CURRENT_EMPLOYEE, work=dict(CURRENT_EMPLOYEE["work"], custom={"lms": "flast010"}))
    expected_body = {"fields": [*PERSON_FIELDS, "/work/custom/lms"], "showInactive": True, "humanReadable": "APPEND"}
    mocked_http.post(SEARCH_URL, json={"employees": [employee]}, match=[matchers.json_params_matcher(expected_body)])

    records, _ = split(list(client.iter_people(today=TODAY)))

    assert records[0].identifiers == (("lms_username", "flast010"),)


def test_fetch_person_by_id(client, mocked_http):
    url = BASE_URL + "people/3332883894235038486"
    mocked_http.post(url, json=CURRENT_EMPLOYEE, match=[matchers.json_params_matcher(
        {"fields": list(PERSON_FIELDS), "humanReadable": "APPEND"})])

    record = client.fetch_person("3332883894235038486", today=TODAY)

    assert isinstance(record, PersonRecord)
    assert record.email == "first010.last010@example.com"


def test_fetch_unknown_person_becomes_error(client, mocked_http):
    mocked_http.post(BASE_URL + "people/404", status=404)

    record = client.fetch_person("404", today=TODAY)

    assert isinstance(record, RecordError)
    assert record.source_id == "404"


def test_rate_limit_retry_after_then_success(client, mocked_http, search_payload, waits):
    mocked_http.post(SEARCH_URL, status=429, headers={"Retry-After": "3"})
    mocked_http.post(SEARCH_URL, json=search_payload)

    records, _ = split(list(client.iter_people(today=TODAY)))

    assert waits == [3.0]
    assert len(records) == 2


def test_server_error_retried_then_raised(client, mocked_http, waits):
    mocked_http.post(SEARCH_URL, status=503)

    with pytest.raises(ConnectorError) as caught:
        client.sync_people(today=TODAY)

    assert caught.value.reason == "server_error"
    assert len(mocked_http.calls) == 4
    assert waits == [1.0, 2.0, 4.0]


def test_unexpected_body_raises(client, mocked_http):
    mocked_http.post(SEARCH_URL, json={"employees": {"1": {}}})

    with pytest.raises(ConnectorError) as caught:
        client.sync_people(today=TODAY)

    assert caught.value.reason == "bad_response"


def test_malformed_employees_become_errors(client, mocked_http, search_payload):
    search_payload["employees"][0]["work"]["startDate"] = "2022-13-01"
    del search_payload["employees"][1]["id"]
    extra = json.loads(json.dumps(CURRENT_EMPLOYEE))
    extra["internal"]["status"] = "Suspended"
    extra["internal"]["lifecycleStatus"] = None
    search_payload["employees"] += [extra, json.loads(json.dumps(CURRENT_EMPLOYEE)), "not an object"]
    mocked_http.post(SEARCH_URL, json=search_payload)

    records, errors = split(list(client.iter_people(today=TODAY)))

    assert [record.source_id for record in records] == ["3332883894235038486"]
    assert [(error.source_id, error.field) for error in errors] == [
        ("1234", "/work/startDate"),
        (None, "/root/id"),
        ("3332883894235038486", "/internal/status"),
        (None, "/root/id"),
    ]
    assert "invalid date '2022-13-01', expected YYYY-MM-DD" in errors[0].message


def test_token_never_logged(client, mocked_http, caplog):
    caplog.set_level(logging.DEBUG)
    mocked_http.post(SEARCH_URL, status=401)

    with pytest.raises(ConnectorError) as caught:
        client.sync_people(today=TODAY)

    assert caplog.records
    assert SERVICE_TOKEN not in caplog.text
    assert SERVICE_TOKEN not in str(caught.value)


def test_signature_of_documented_event(hibob_corpus):
    body = (hibob_corpus / "doc-example-webhook-v2-employee-created.json").read_bytes()
    secret = "webhook-secret-1f2e"
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha512).digest()).decode()

    assert sign_body(body, secret) == expected
    assert verify_signature(body, expected, secret) is True


@pytest.mark.parametrize(
    "signature",
    [None, "", "not-base64", sign_body(b"{}", "other-secret"), "ünïcode"],
)
def test_bad_signatures_rejected(signature):
    assert verify_signature(b'{"type":"employee.created"}', signature, "webhook-secret-1f2e") is False


def test_empty_secret_never_verifies():
    assert verify_signature(b"{}", sign_body(b"{}", ""), "") is False


def test_employee_id_from_events(hibob_corpus):
    v2_event = json.loads((hibob_corpus / "doc-example-webhook-v2-employee-created.json").read_text(encoding="utf-8"))
    v1_event = {"type": "employee.updated", "employee": {"id": "42", "displayName": "First042 Last042"}}

    assert employee_id_from_event(v2_event) == "3332883894235038486"
    assert employee_id_from_event(v1_event) == "42"
    assert employee_id_from_event({"type": "employee.created", "data": {}}) is None


def test_missing_id_rejected():
    with pytest.raises(InvalidField) as caught:
        person_from_employee({"email": "x@example.com"}, today=TODAY)

    assert caught.value.field == "/root/id"
