"""Tests of the Workday RaaS connector with `responses`.

No recorded Workday response is available, so REPORT below is written by hand in the documented
shape of a custom report run with ?format=json: {"Report_Entry": [...]}, one object per worker,
keys named by the report's column aliases, every value as text, empty columns left out, and a
multi-instance column as a list.
"""

from __future__ import annotations

import base64
import copy
import logging
from datetime import date

import pytest
from responses import matchers

from connectors.http import ConnectorError, RetryPolicy
from connectors.records import PersonRecord, RecordError
from connectors.workday import DEFAULT_FIELD_MAP, ReportLocation, WorkdayClient, check_field_map, person_from_entry

FOLDER_URL = "https://wd2-impl-services1.workday.com/ccx/service/customreport2/acme/ISU_Skillwire/"
REPORT_URL = FOLDER_URL + "Skillwire_Workers"
USERNAME = "ISU_Skillwire"
PASSWORD = "workday-password-31c7"
TODAY = date(2024, 6, 1)

REPORT = {
    "Report_Entry": [
        {
            "Employee_ID": "21001",
            "Worker": "First021 Last021",
            "First_Name": "First021",
            "Last_Name": "Last021",
            "Email_Address": "First021.Last021@example.com",
            "Business_Title": "Payroll Specialist",
            "Supervisory_Organization": "Payroll (First022 Last022)",
            "Location": "Chicago",
            "Manager_Employee_ID": "21002",
            "Manager": "First022 Last022",
            "Worker_Status": "Active",
            "Hire_Date": "2019-03-04",
            "LMS_Username": ["flast021"],
        },
        {
            "Employee_ID": "21002",
            "Worker": "First022 Last022",
            "Email_Address": "first022.last022@example.com",
            "Business_Title": "Payroll Manager",
            "Location": "Chicago",
            "Worker_Status": "1",
            "Hire_Date": "2015-06-01-07:00",
        },
        {
            "Employee_ID": "21003",
            "Worker": "First023 Last023",
            "Email_Address": "first023.last023@example.com",
            "Business_Title": "Analyst",
            "Worker_Status": "Terminated",
            "Hire_Date": "2018-01-08",
            "Termination_Date": "2023-11-30",
        },
    ]
}


@pytest.fixture
def report() -> dict:
    return copy.deepcopy(REPORT)


@pytest.fixture
def client(record_sleep) -> WorkdayClient:
    return WorkdayClient(
        REPORT_URL,
        USERNAME,
        PASSWORD,
        field_map={"identifier:lms_username": "LMS_Username"},
        since_param="Changed_Since",
        retry=RetryPolicy(max_attempts=4, backoff_base=1.0, max_wait=60.0),
        sleep=record_sleep,
    )


def add_report(mocked_http, payload, **params):
    mocked_http.get(REPORT_URL, json=payload, match=[matchers.query_param_matcher({"format": "json", **params})])


def split(items):
    records = [item for item in items if isinstance(item, PersonRecord)]
    errors = [item for item in items if isinstance(item, RecordError)]
    return records, errors


def test_full_sync_reads_every_worker(client, mocked_http, report):
    add_report(mocked_http, report)

    sync = client.sync_people(today=TODAY)
    records, errors = split(list(sync.records))

    assert sync.full is True
    assert errors == []
    assert [record.source_id for record in records] == ["21001", "21002", "21003"]
    assert [record.status for record in records] == ["active", "active", "terminated"]


def test_request_uses_basic_auth(client, mocked_http, report):
    add_report(mocked_http, report)

    list(client.iter_people(today=TODAY))

    request = mocked_http.calls[0].request
    expected_auth = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    assert request.headers["Authorization"] == expected_auth


def test_record_fields_through_field_map(client, mocked_http, report):
    add_report(mocked_http, report)

    first, manager, former = split(list(client.iter_people(today=TODAY)))[0]

    assert first.email == "first021.last021@example.com"
    assert first.display_name == "First021 Last021"
    assert first.job_title == "Payroll Specialist"
    assert first.department == "Payroll (First022 Last022)"
    assert first.manager_source_id == "21002"
    assert first.manager_name == "First022 Last022"
    assert first.start_date == date(2019, 3, 4)
    assert first.identifiers == (("lms_username", "flast021"),)
    assert manager.start_date == date(2015, 6, 1)
    assert manager.first_name is None
    assert former.end_date == date(2023, 11, 30)


def test_custom_field_map_renames_columns(record_sleep, mocked_http):
    client = WorkdayClient(REPORT_URL, USERNAME, PASSWORD, sleep=record_sleep,
                           field_map={"employee_id": "Worker_ID", "email": "Work_Email", "status": "Active_Status"})
    add_report(mocked_http, {"Report_Entry": [{"Worker_ID": "7", "Work_Email": "w7@example.com", "Active_Status": "0"}]})

    records, _ = split(list(client.iter_people(today=TODAY)))

    assert records[0].source_id == "7"
    assert records[0].email == "w7@example.com"
    assert records[0].status == "inactive"


def test_incremental_sync_passes_cursor_prompt(client, mocked_http, report):
    add_report(mocked_http, {"Report_Entry": report["Report_Entry"][:1]}, Changed_Since="2024-05-01T00:00:00Z")

    sync = client.sync_people("2024-05-01T00:00:00Z", today=TODAY)
    records, _ = split(list(sync.records))

    assert sync.full is False
    assert sync.cursor > "2024-05-01T00:00:00Z"
    assert [record.source_id for record in records] == ["21001"]


def test_without_since_prompt_every_sync_is_full(record_sleep, mocked_http, report):
    client = WorkdayClient(REPORT_URL, USERNAME, PASSWORD, sleep=record_sleep)
    add_report(mocked_http, report)

    sync = client.sync_people("2024-05-01T00:00:00Z", today=TODAY)

    assert sync.full is True
    assert len(list(sync.records)) == 3


def test_prompts_in_report_url_kept(record_sleep, mocked_http, report):
    client = WorkdayClient(REPORT_URL + "?Include_Terminated=1&format=csv", USERNAME, PASSWORD, sleep=record_sleep)
    add_report(mocked_http, report, Include_Terminated="1")

    assert len(list(client.iter_people(today=TODAY))) == 3


def test_empty_report(client, mocked_http):
    # Workday leaves out Report_Entry when the report has no rows.
    add_report(mocked_http, {})

    assert list(client.iter_people(today=TODAY)) == []


def test_unexpected_body_raises(client, mocked_http):
    add_report(mocked_http, {"Report_Entry": {"Employee_ID": "1"}})

    with pytest.raises(ConnectorError) as caught:
        client.sync_people(today=TODAY)

    assert caught.value.reason == "bad_response"


def test_rate_limit_retry_after_then_success(client, mocked_http, report, waits):
    mocked_http.get(REPORT_URL, status=429, headers={"Retry-After": "5"})
    add_report(mocked_http, report)

    records, _ = split(list(client.iter_people(today=TODAY)))

    assert waits == [5.0]
    assert len(records) == 3


def test_server_error_retried_then_raised(client, mocked_http, waits):
    mocked_http.get(REPORT_URL, status=500, body="<wd:Error>Processing error</wd:Error>")

    with pytest.raises(ConnectorError) as caught:
        client.sync_people(today=TODAY)

    assert caught.value.reason == "server_error"
    assert len(mocked_http.calls) == 4
    assert waits == [1.0, 2.0, 4.0]


def test_malformed_workers_become_errors(client, mocked_http, report):
    entries = report["Report_Entry"]
    entries[0]["Hire_Date"] = "03/04/2019"
    del entries[1]["Employee_ID"]
    entries[2]["Worker_Status"] = "Retired"
    entries.append({"Employee_ID": "21004", "Email_Address": "not-an-address"})
    entries.append({"Employee_ID": "21005", "Email_Address": "first025.last025@example.com", "Location": {"ID": "X"}})
    entries.append({"Employee_ID": "21006", "Email_Address": "first026.last026@example.com"})
    add_report(mocked_http, report)

    records, errors = split(list(client.iter_people(today=TODAY)))

    assert [record.source_id for record in records] == ["21006"]
    assert [(error.source_id, error.field) for error in errors] == [
        ("21001", "Hire_Date"),
        (None, "Employee_ID"),
        ("21003", "Worker_Status"),
        ("21004", "Email_Address"),
        ("21005", "Location"),
    ]
    assert errors[0].message.startswith("worker 21001, column Hire_Date: invalid date '03/04/2019'")


def test_password_never_logged(client, mocked_http, caplog):
    caplog.set_level(logging.DEBUG)
    mocked_http.get(REPORT_URL, status=401)

    with pytest.raises(ConnectorError):
        client.sync_people(today=TODAY)

    assert caplog.records
    assert PASSWORD not in caplog.text


def test_report_location_split():
    location = ReportLocation.parse(REPORT_URL + "?Effective_as_of_Date=2024-06-01&format=json")

    assert location.folder_url == FOLDER_URL
    assert location.report == "Skillwire_Workers"
    assert location.prompts == {"Effective_as_of_Date": "2024-06-01"}


@pytest.mark.parametrize("url", ["ftp://example.com/a/b", "https://", "not a url"])
def test_invalid_report_url_rejected(url):
    with pytest.raises(ValueError):
        ReportLocation.parse(url)


def test_unknown_field_in_map_rejected():
    with pytest.raises(ValueError) as caught:
        check_field_map({"salary": "Base_Pay"})

    assert "salary" in str(caught.value)


def test_numbers_and_lists_read_as_text():
    entry = {"Employee_ID": 21007, "Email_Address": ["", "first027.last027@example.com"]}

    record = person_from_entry(entry, DEFAULT_FIELD_MAP, today=TODAY)

    assert record.source_id == "21007"
    assert record.email == "first027.last027@example.com"
