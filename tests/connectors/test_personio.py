"""Tests of the Personio connector against recorded Personio payloads served by `responses`."""

from __future__ import annotations

import copy
import json
import logging
from datetime import date
from pathlib import Path

import pytest
from responses import matchers

from connectors.http import ConnectorError, RetryPolicy
from connectors.normalize import InvalidField
from connectors.personio import PersonioClient, PersonioV2Client, person_from_employee, person_from_v2, v2_base_url
from connectors.records import PersonRecord, RecordError
from hub.config import ConfigError, load_settings
from hub.sync import build_client

BASE_URL = "https://api.personio.de/v1/"
AUTH_URL = BASE_URL + "auth"
EMPLOYEES_URL = BASE_URL + "company/employees"
CLIENT_ID = "personio-client-7c1d"
CLIENT_SECRET = "personio-secret-5e2b9a0f"
TOKEN = "papi-token-9f8e7d6c"
TODAY = date(2024, 6, 1)


@pytest.fixture(scope="module")
def personio_corpus(corpus) -> Path:
    return corpus / "hris" / "personio"


@pytest.fixture
def employees_payload(personio_corpus) -> dict:
    """A fresh copy of the recorded employee list (3 employees), safe to modify in a test."""
    return json.loads((personio_corpus / "company-employees.response.json").read_text(encoding="utf-8"))


@pytest.fixture
def clock():
    """A monotonic clock that a test moves forward by setting clock.now."""

    class Clock:
        now = 1000.0

        def __call__(self) -> float:
            return self.now

    return Clock()


@pytest.fixture
def client(record_sleep, clock) -> PersonioClient:
    return PersonioClient(
        CLIENT_ID,
        CLIENT_SECRET,
        page_size=2,
        retry=RetryPolicy(max_attempts=4, backoff_base=1.0, max_wait=60.0),
        sleep=record_sleep,
        clock=clock,
    )


def add_auth(mocked_http, token: str = TOKEN):
    mocked_http.post(
        AUTH_URL,
        json={"success": True, "data": {"token": token}},
        match=[matchers.json_params_matcher({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})],
    )


def page(payload: dict, start: int, size: int) -> dict:
    data = payload["data"][start:start + size]
    total = len(payload["data"])
    return {
        "success": True,
        "data": data,
        "metadata": {"total_elements": total, "current_page": start // size, "total_pages": -(-total // size)},
        "offset": start,
        "limit": size,
    }


def add_page(mocked_http, payload: dict, offset: int, size: int = 2, **params):
    query = {"limit": str(size), "offset": str(offset), **params}
    mocked_http.get(EMPLOYEES_URL, json=page(payload, offset, size), match=[matchers.query_param_matcher(query)])


def split(items):
    records = [item for item in items if isinstance(item, PersonRecord)]
    errors = [item for item in items if isinstance(item, RecordError)]
    return records, errors


def attributes(payload: dict, index: int) -> dict:
    return payload["data"][index]["attributes"]


def test_full_sync_reads_every_page(client, mocked_http, employees_payload):
    add_auth(mocked_http)
    add_page(mocked_http, employees_payload, 0)
    add_page(mocked_http, employees_payload, 2)

    sync = client.sync_people(today=TODAY)
    records, errors = split(list(sync.records))

    assert sync.full is True
    assert sync.deleted_ids == ()
    assert errors == []
    assert [record.source_id for record in records] == ["2116366", "2116365", "2040614"]
    assert all(record.status == "active" for record in records)


def test_full_sync_request_shape(client, mocked_http, employees_payload):
    add_auth(mocked_http)
    add_page(mocked_http, employees_payload, 0)
    add_page(mocked_http, employees_payload, 2)

    list(client.iter_people(today=TODAY))

    auth_request = mocked_http.calls[0].request
    employees_request = mocked_http.calls[1].request
    assert "Authorization" not in auth_request.headers
    assert employees_request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert employees_request.headers["Accept"] == "application/json"


def test_full_sync_record_fields(client, mocked_http, employees_payload):
    ada = attributes(employees_payload, 2)
    ada["office"]["value"] = {"type": "Office", "attributes": {"id": 7, "name": "Munich"}}
    ada["supervisor"]["value"] = {
        "type": "Employee",
        "attributes": {
            "id": {"label": "ID", "value": 2116366},
            "first_name": {"label": "First name", "value": "First001"},
            "last_name": {"label": "Last name", "value": "Last001"},
        },
    }
    add_auth(mocked_http)
    add_page(mocked_http, employees_payload, 0)
    add_page(mocked_http, employees_payload, 2)

    records, _ = split(list(client.iter_people(today=TODAY)))
    record = records[2]

    assert record.source == "personio"
    assert record.email == "first002.last002@example.com"
    assert record.display_name == "First002 Last002"
    assert record.job_title == "first programmer ever"
    assert record.department == "Operations"
    assert record.location == "Munich"
    assert record.manager_source_id == "2116366"
    assert record.manager_name == "First001 Last001"
    assert record.start_date == date(1835, 2, 1)
    assert record.end_date is None
    assert record.raw["attributes"]["weekly_working_hours"]["value"] == "35"


def test_incremental_sync_sends_updated_since(client, mocked_http, employees_payload):
    # 14 hours before the cursor, because Personio applies updated_since in an unstated time zone.
    add_auth(mocked_http)
    add_page(mocked_http, employees_payload, 0, updated_since="2024-01-31T22:00:00")
    add_page(mocked_http, employees_payload, 2, updated_since="2024-01-31T22:00:00")

    sync = client.sync_people("2024-02-01T12:00:00Z", today=TODAY)
    records, errors = split(list(sync.records))

    assert sync.full is False
    assert sync.cursor.endswith("Z")
    assert sync.cursor > "2024-02-01T12:00:00Z"
    assert len(records) == 3
    assert errors == []


def test_incremental_sync_rejects_cursor_without_zone(client):
    with pytest.raises(ValueError):
        client.sync_people("2024-02-01T12:00:00")


def test_paging_ignored_by_server_stops(client, mocked_http, employees_payload):
    # Personio documents that updated_since may make it ignore limit and offset.
    everything = dict(employees_payload, metadata={"total_elements": 3, "current_page": 0, "total_pages": 1})
    add_auth(mocked_http)
    mocked_http.get(EMPLOYEES_URL, json=everything)

    records, _ = split(list(client.sync_people("2024-02-01T12:00:00Z", today=TODAY).records))

    assert len(records) == 3
    assert len(mocked_http.calls) == 2


def test_repeated_employee_across_pages_read_once(client, mocked_http, employees_payload):
    first_page = page(employees_payload, 0, 2)
    second_page = page(employees_payload, 1, 2)
    second_page["metadata"]["current_page"] = 1
    add_auth(mocked_http)
    mocked_http.get(EMPLOYEES_URL, json=first_page, match=[matchers.query_param_matcher({"limit": "2", "offset": "0"})])
    mocked_http.get(EMPLOYEES_URL, json=second_page, match=[matchers.query_param_matcher({"limit": "2", "offset": "2"})])

    records, _ = split(list(client.iter_people(today=TODAY)))

    assert [record.source_id for record in records] == ["2116366", "2116365", "2040614"]


def test_token_cached_between_syncs(client, mocked_http, employees_payload):
    add_auth(mocked_http)
    for _ in range(2):
        add_page(mocked_http, employees_payload, 0)
        add_page(mocked_http, employees_payload, 2)

    list(client.iter_people(today=TODAY))
    list(client.iter_people(today=TODAY))

    auth_calls = [call for call in mocked_http.calls if call.request.url == AUTH_URL]
    assert len(auth_calls) == 1


def test_token_fetched_again_after_expiry(client, mocked_http, employees_payload, clock):
    add_auth(mocked_http, token="papi-first")
    add_page(mocked_http, employees_payload, 0)
    add_page(mocked_http, employees_payload, 2)
    list(client.iter_people(today=TODAY))

    clock.now += 24 * 3600
    mocked_http.replace("POST", AUTH_URL, json={"success": True, "data": {"token": "papi-second"}})
    list(client.iter_people(today=TODAY))

    authorizations = [call.request.headers.get("Authorization") for call in mocked_http.calls]
    assert authorizations.count("Bearer papi-first") == 2
    assert authorizations.count("Bearer papi-second") == 2


def test_unauthorized_fetches_new_token_once(client, mocked_http, employees_payload):
    mocked_http.post(AUTH_URL, json={"success": True, "data": {"token": "papi-revoked"}})
    mocked_http.post(AUTH_URL, json={"success": True, "data": {"token": "papi-fresh"}})
    mocked_http.get(EMPLOYEES_URL, status=401, match=[matchers.header_matcher({"Authorization": "Bearer papi-revoked"})])
    add_page(mocked_http, employees_payload, 0)
    add_page(mocked_http, employees_payload, 2)

    records, _ = split(list(client.iter_people(today=TODAY)))

    assert len(records) == 3
    assert mocked_http.calls[-1].request.headers["Authorization"] == "Bearer papi-fresh"


def test_unauthorized_twice_raises(client, mocked_http, waits):
    add_auth(mocked_http)
    mocked_http.get(EMPLOYEES_URL, status=401)

    with pytest.raises(ConnectorError) as caught:
        list(client.iter_people(today=TODAY))

    assert caught.value.reason == "auth_failed"
    assert len([call for call in mocked_http.calls if call.request.url == AUTH_URL]) == 2
    assert waits == []


def test_bad_credentials_raise_auth_failed(client, mocked_http):
    mocked_http.post(AUTH_URL, status=401, json={"success": False, "error": {"code": 0, "message": "bad"}})

    with pytest.raises(ConnectorError) as caught:
        list(client.iter_people(today=TODAY))

    assert caught.value.reason == "auth_failed"


def test_auth_without_token_raises(client, mocked_http):
    mocked_http.post(AUTH_URL, json={"success": True, "data": {}})

    with pytest.raises(ConnectorError) as caught:
        list(client.iter_people(today=TODAY))

    assert caught.value.reason == "bad_response"


def test_error_envelope_raises(client, mocked_http):
    add_auth(mocked_http)
    mocked_http.get(EMPLOYEES_URL, json={"success": False, "error": {"code": 500, "message": "Something broke"}})

    with pytest.raises(ConnectorError) as caught:
        list(client.iter_people(today=TODAY))

    assert caught.value.reason == "bad_response"
    assert "Something broke" in str(caught.value)


def test_rate_limit_retry_after_then_success(client, mocked_http, employees_payload, waits):
    add_auth(mocked_http)
    mocked_http.get(EMPLOYEES_URL, status=429, headers={"Retry-After": "2"})
    add_page(mocked_http, employees_payload, 0)
    add_page(mocked_http, employees_payload, 2)

    records, _ = split(list(client.iter_people(today=TODAY)))

    assert waits == [2.0]
    assert len(records) == 3


def test_server_error_mid_run_retried_then_raised(client, mocked_http, employees_payload, waits):
    add_auth(mocked_http)
    add_page(mocked_http, employees_payload, 0)
    mocked_http.get(EMPLOYEES_URL, status=503, match=[matchers.query_param_matcher({"limit": "2", "offset": "2"})])
    records = client.sync_people(today=TODAY).records

    first_page = [next(records), next(records)]
    with pytest.raises(ConnectorError) as caught:
        next(records)

    assert [record.source_id for record in first_page] == ["2116366", "2116365"]
    assert caught.value.reason == "server_error"
    assert caught.value.status == 503
    assert waits == [1.0, 2.0, 4.0]


def test_malformed_employees_become_errors(client, mocked_http, employees_payload):
    attributes(employees_payload, 0)["hire_date"]["value"] = "2021-02-30T00:00:00+01:00"
    del attributes(employees_payload, 1)["id"]
    attributes(employees_payload, 2)["status"]["value"] = "retired"
    extra = copy.deepcopy(employees_payload["data"][2])
    extra["attributes"]["id"]["value"] = 99
    extra["attributes"]["status"]["value"] = "active"
    employees_payload["data"].append(extra)
    add_auth(mocked_http)
    add_page(mocked_http, employees_payload, 0)
    add_page(mocked_http, employees_payload, 2)

    records, errors = split(list(client.iter_people(today=TODAY)))

    assert [record.source_id for record in records] == ["99"]
    assert [(error.source_id, error.field) for error in errors] == [
        ("2116366", "hire_date"),
        (None, "id"),
        ("2040614", "status"),
    ]
    assert "invalid date '2021-02-30', expected YYYY-MM-DD" in errors[0].message
    assert errors[2].message.startswith("employee 2040614, attribute status: unknown status 'retired'")


def test_secrets_never_logged(client, mocked_http, employees_payload, caplog):
    caplog.set_level(logging.DEBUG)
    add_auth(mocked_http)
    mocked_http.get(EMPLOYEES_URL, status=401)
    add_page(mocked_http, employees_payload, 0)
    add_page(mocked_http, employees_payload, 2)

    list(client.iter_people(today=TODAY))

    assert caplog.records
    assert CLIENT_SECRET not in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(
    ("stated", "termination", "expected"),
    [
        ("active", None, "active"),
        ("onboarding", None, "pending"),
        ("leave", None, "inactive"),
        ("inactive", None, "inactive"),
        ("inactive", "2024-03-31T00:00:00+02:00", "terminated"),
        ("Active", "0000-00-00", "active"),
    ],
)
def test_status_mapping(employees_payload, stated, termination, expected):
    employee = employees_payload["data"][0]
    employee["attributes"]["status"]["value"] = stated
    employee["attributes"]["termination_date"]["value"] = termination

    record = person_from_employee(employee, today=TODAY)

    assert record.status == expected


def test_single_employee_payload(personio_corpus):
    payload = json.loads((personio_corpus / "company-employees-id.response.json").read_text(encoding="utf-8"))

    record = person_from_employee(payload["data"], today=TODAY)

    assert record.source_id == "2040614"
    assert record.department == "Operations"


def test_plain_attribute_values_and_identifiers():
    employee = {
        "type": "Employee",
        "attributes": {
            "id": 7,
            "first_name": "Ada",
            "last_name": "L",
            "preferred_name": "Addie",
            "email": " Ada@Example.COM ",
            "status": "active",
            "department": "R&D",
            "cost_centers": [],
            "dynamic_42": {"label": "LMS username", "value": "alovelace"},
        },
    }

    record = person_from_employee(employee, today=TODAY, identifier_attributes={"dynamic_42": "lms_username"})

    assert record.source_id == "7"
    assert record.email == "ada@example.com"
    assert record.display_name == "Addie L"
    assert record.department == "R&D"
    assert record.identifiers == (("lms_username", "alovelace"),)


def test_employee_without_attributes_rejected():
    with pytest.raises(InvalidField) as caught:
        person_from_employee({"type": "Employee"}, today=TODAY)

    assert caught.value.field == "attributes"


def test_missing_credentials_rejected():
    with pytest.raises(ValueError):
        PersonioClient("", CLIENT_SECRET)


# Personio API v2. Payloads follow the examples of Personio's v2 OpenAPI specifications.

V2_ROOT = "https://api.personio.de/"
V2_TOKEN_URL = V2_ROOT + "v2/auth/token"
V2_PERSONS_URL = V2_ROOT + "v2/persons"
V2_TOKEN = "papi-v2-token-3b1f"


def v2_person(person_id: str, **fields) -> dict:
    person = {
        "id": person_id,
        "email": f"person{person_id}@example.com",
        "first_name": "Jen",
        "last_name": f"Doe{person_id}",
        "preferred_name": None,
        "status": "ACTIVE",
        "custom_attributes": [{"id": "dynamic_305", "type": "string", "value": f"jdoe{person_id}"}],
        "employments": [{"id": f"employment-{person_id}"}],
    }
    person.update(fields)
    return person


def v2_employment(person_id: str, **fields) -> dict:
    employment = {
        "id": f"employment-{person_id}",
        "status": "ACTIVE",
        "employment_start_date": "2023-01-01",
        "employment_end_date": None,
        "position": {"title": "Software Engineer"},
        "supervisor": {"id": "3003"},
        "office": {"id": "60302"},
        "org_units": [{"type": "team", "id": "4502"}, {"type": "department", "id": "401"}],
        "person": {"id": person_id},
    }
    employment.update(fields)
    return employment


def v2_page(persons: list, next_cursor: str | None = None) -> dict:
    links = {"self": {"href": V2_PERSONS_URL}}
    if next_cursor is not None:
        links["next"] = {"href": f"{V2_PERSONS_URL}?cursor={next_cursor}"}
    return {"_data": persons, "_meta": {"links": links}}


def add_v2_token(mocked_http, token: str = V2_TOKEN, expires_in: int = 86400):
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    mocked_http.post(
        V2_TOKEN_URL,
        json={"access_token": token, "expires_in": expires_in, "token_type": "Bearer"},
        match=[matchers.urlencoded_params_matcher(form)],
    )


def add_v2_persons(mocked_http, persons: list, cursor: str | None = None, next_cursor: str | None = None):
    query = {"limit": "50"} if cursor is None else {"limit": "50", "cursor": cursor}
    mocked_http.get(V2_PERSONS_URL, json=v2_page(persons, next_cursor), match=[matchers.query_param_matcher(query)])


def add_v2_employment(mocked_http, person_id: str, **fields):
    mocked_http.get(
        f"{V2_PERSONS_URL}/{person_id}/employments",
        json={"_data": [v2_employment(person_id, **fields)], "_meta": {"links": {}}},
        match=[matchers.query_param_matcher({"limit": "1"})],
    )


@pytest.fixture
def v2_client(record_sleep, clock) -> PersonioV2Client:
    return PersonioV2Client(
        CLIENT_ID,
        CLIENT_SECRET,
        identifier_attributes={"dynamic_305": "lms_username"},
        retry=RetryPolicy(max_attempts=3, backoff_base=1.0, max_wait=60.0),
        sleep=record_sleep,
        clock=clock,
    )


def test_v2_token_fetched_with_form_body(v2_client, mocked_http):
    add_v2_token(mocked_http)
    add_v2_persons(mocked_http, [v2_person("1")])
    add_v2_employment(mocked_http, "1")

    list(v2_client.iter_people(today=TODAY))

    token_request = mocked_http.calls[0].request
    persons_request = mocked_http.calls[1].request
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in token_request.headers
    assert persons_request.headers["Authorization"] == f"Bearer {V2_TOKEN}"


def test_v2_token_reused_until_expiry(v2_client, mocked_http, clock):
    add_v2_token(mocked_http, token="papi-first", expires_in=3600)
    for _ in range(3):
        add_v2_persons(mocked_http, [v2_person("1")])
        add_v2_employment(mocked_http, "1")

    list(v2_client.iter_people(today=TODAY))
    clock.now += 2000
    list(v2_client.iter_people(today=TODAY))
    clock.now += 3000
    mocked_http.replace("POST", V2_TOKEN_URL, json={"access_token": "papi-second", "expires_in": 3600})
    list(v2_client.iter_people(today=TODAY))

    token_calls = [call for call in mocked_http.calls if call.request.url == V2_TOKEN_URL]
    authorizations = [call.request.headers.get("Authorization") for call in mocked_http.calls]
    assert len(token_calls) == 2
    assert authorizations.count("Bearer papi-first") == 4
    assert authorizations.count("Bearer papi-second") == 2


def test_v2_unauthorized_fetches_new_token_once(v2_client, mocked_http):
    mocked_http.post(V2_TOKEN_URL, json={"access_token": "papi-revoked", "expires_in": 86400})
    mocked_http.post(V2_TOKEN_URL, json={"access_token": "papi-fresh", "expires_in": 86400})
    mocked_http.get(V2_PERSONS_URL, status=401, match=[matchers.header_matcher({"Authorization": "Bearer papi-revoked"})])
    add_v2_persons(mocked_http, [v2_person("1")])
    add_v2_employment(mocked_http, "1")

    records, errors = split(list(v2_client.iter_people(today=TODAY)))

    assert [record.source_id for record in records] == ["1"]
    assert errors == []
    assert mocked_http.calls[-1].request.headers["Authorization"] == "Bearer papi-fresh"


def test_v2_unauthorized_twice_raises(v2_client, mocked_http, waits):
    add_v2_token(mocked_http)
    mocked_http.get(V2_PERSONS_URL, status=401)

    with pytest.raises(ConnectorError) as caught:
        list(v2_client.iter_people(today=TODAY))

    assert caught.value.reason == "auth_failed"
    assert len([call for call in mocked_http.calls if call.request.url == V2_TOKEN_URL]) == 2
    assert waits == []


def test_v2_paging_follows_next_cursor(v2_client, mocked_http):
    add_v2_token(mocked_http)
    add_v2_persons(mocked_http, [v2_person("1"), v2_person("2")], next_cursor="cur_82sQwR2eZvKilo2")
    add_v2_persons(mocked_http, [v2_person("3")], cursor="cur_82sQwR2eZvKilo2")
    for person_id in ("1", "2", "3"):
        add_v2_employment(mocked_http, person_id)

    sync = v2_client.sync_people(today=TODAY)
    records, errors = split(list(sync.records))

    assert sync.full is True
    assert [record.source_id for record in records] == ["1", "2", "3"]
    assert errors == []


def test_v2_record_fields(v2_client, mocked_http):
    add_v2_token(mocked_http)
    add_v2_persons(mocked_http, [v2_person("5005", preferred_name="Jenny")])
    add_v2_employment(mocked_http, "5005", employment_end_date="2024-03-31")

    records, _ = split(list(v2_client.iter_people(today=TODAY)))
    record = records[0]

    assert record.source == "personio"
    assert record.email == "person5005@example.com"
    assert record.first_name == "Jen"
    assert record.display_name == "Jenny Doe5005"
    assert record.job_title == "Software Engineer"
    assert record.department == "401"
    assert record.manager_source_id == "3003"
    assert record.start_date == date(2023, 1, 1)
    assert record.end_date == date(2024, 3, 31)
    assert record.status == "terminated"
    assert record.identifiers == (("lms_username", "jdoe5005"),)


@pytest.mark.parametrize(
    ("stated", "expected"),
    [("ACTIVE", "active"), ("ONBOARDING", "pending"), ("LEAVE", "inactive"), ("INACTIVE", "inactive"),
     ("UNSPECIFIED", "active")],
)
def test_v2_status_mapping(stated, expected):
    record = person_from_v2(v2_person("1"), v2_employment("1", status=stated), today=TODAY)

    assert record.status == expected


def test_v2_person_without_employment_uses_person_status():
    record = person_from_v2(v2_person("1", status="INACTIVE"), None, today=TODAY)

    assert record.status == "inactive"
    assert record.job_title is None


def test_v2_malformed_person_becomes_error(v2_client, mocked_http):
    add_v2_token(mocked_http)
    persons = [v2_person("1"), v2_person("2", email="not-an-email"), {"email": "x@example.com"}, v2_person("4")]
    add_v2_persons(mocked_http, persons)
    add_v2_employment(mocked_http, "1")
    add_v2_employment(mocked_http, "2")
    add_v2_employment(mocked_http, "4", status="RETIRED")

    records, errors = split(list(v2_client.iter_people(today=TODAY)))

    assert [record.source_id for record in records] == ["1"]
    assert [(error.source_id, error.field) for error in errors] == [("2", "email"), (None, "id"), ("4", "status")]
    assert errors[2].message.startswith("person 4, field status: unknown status 'RETIRED'")


def test_v2_server_error_retried_then_raised(v2_client, mocked_http, waits):
    add_v2_token(mocked_http)
    add_v2_persons(mocked_http, [v2_person("1")], next_cursor="cur_2")
    add_v2_employment(mocked_http, "1")
    mocked_http.get(V2_PERSONS_URL, status=503, match=[matchers.query_param_matcher({"limit": "50", "cursor": "cur_2"})])
    records = v2_client.sync_people(today=TODAY).records

    first = next(records)
    with pytest.raises(ConnectorError) as caught:
        next(records)

    assert first.source_id == "1"
    assert caught.value.reason == "server_error"
    assert caught.value.status == 503
    assert waits == [1.0, 2.0]


def test_v2_next_link_without_cursor_raises(v2_client, mocked_http):
    add_v2_token(mocked_http)
    payload = v2_page([])
    payload["_meta"]["links"]["next"] = {"href": V2_PERSONS_URL}
    mocked_http.get(V2_PERSONS_URL, json=payload)

    with pytest.raises(ConnectorError) as caught:
        list(v2_client.iter_people(today=TODAY))

    assert caught.value.reason == "bad_response"


def test_v2_token_without_access_token_raises(v2_client, mocked_http):
    mocked_http.post(V2_TOKEN_URL, json={"token_type": "Bearer", "expires_in": 86400})

    with pytest.raises(ConnectorError) as caught:
        list(v2_client.iter_people(today=TODAY))

    assert caught.value.reason == "bad_response"


def test_v2_secrets_never_logged(v2_client, mocked_http, caplog):
    caplog.set_level(logging.DEBUG)
    add_v2_token(mocked_http)
    add_v2_persons(mocked_http, [v2_person("1")])
    add_v2_employment(mocked_http, "1")

    list(v2_client.iter_people(today=TODAY))

    assert caplog.records
    assert CLIENT_SECRET not in caplog.text
    assert V2_TOKEN not in caplog.text


@pytest.mark.parametrize(
    ("configured", "expected"),
    [("https://api.personio.de/v1/", "https://api.personio.de/"),
     ("https://api.personio.de/v1", "https://api.personio.de/"),
     ("http://127.0.0.1:8080/personio/", "http://127.0.0.1:8080/personio/")],
)
def test_v2_base_url_from_v1_setting(configured, expected):
    assert v2_base_url(configured) == expected


def test_api_version_setting_selects_v2_client():
    environ = {"SKILLWIRE_PERSONIO_CLIENT_ID": CLIENT_ID, "SKILLWIRE_PERSONIO_CLIENT_SECRET": CLIENT_SECRET,
               "SKILLWIRE_PERSONIO_API_VERSION": "v2", "SKILLWIRE_DATABASE_URL": "sqlite://"}

    client = build_client(load_settings(environ), "personio")

    assert isinstance(client, PersonioV2Client)
    assert client.http.base_url == V2_ROOT


def test_api_version_setting_defaults_to_v1():
    environ = {"SKILLWIRE_PERSONIO_CLIENT_ID": CLIENT_ID, "SKILLWIRE_PERSONIO_CLIENT_SECRET": CLIENT_SECRET,
               "SKILLWIRE_DATABASE_URL": "sqlite://"}

    client = build_client(load_settings(environ), "personio")

    assert isinstance(client, PersonioClient)


def test_api_version_setting_rejects_unknown_value():
    environ = {"SKILLWIRE_PERSONIO_API_VERSION": "v3", "SKILLWIRE_DATABASE_URL": "sqlite://"}

    with pytest.raises(ConfigError) as caught:
        load_settings(environ)

    assert "SKILLWIRE_PERSONIO_API_VERSION" in str(caught.value)
