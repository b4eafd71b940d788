"""Sync runs of Personio, HiBob and Workday through hub.sync.run_sync on the test database.

Vendor responses come from the shared corpus (Personio, HiBob) or from a hand-written report in
the documented Workday RaaS JSON shape, served by `responses`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest
import responses
from responses import matchers
from sqlalchemy import func, select

from hub import runtime as runtime_module
from hub.config import SYNC_CONNECTORS, ConfigError
from hub.models import ConnectorState, Person, PersonIdentifier, SyncRun
from hub.sync import CLIENT_FACTORIES, run_sync

PERSONIO_URL = "https://personio.test/v1/"
HIBOB_URL = "https://hibob.test/v1/"
WORKDAY_REPORT_URL = "https://workday.test/ccx/service/customreport2/acme/ISU_Skillwire/Skillwire_Workers"

WORKDAY_REPORT = {
    "Report_Entry": [
        {"Employee_ID": "21001", "Worker": "First021 Last021", "Email_Address": "first021.last021@example.com",
         "Business_Title": "Payroll Specialist", "Manager_Employee_ID": "21002", "Worker_Status": "Active",
         "Hire_Date": "2019-03-04"},
        {"Employee_ID": "21002", "Worker": "First022 Last022", "Email_Address": "first022.last022@example.com",
         "Business_Title": "Payroll Manager", "Worker_Status": "1", "Hire_Date": "2015-06-01-07:00"},
        {"Employee_ID": "21003", "Worker": "First023 Last023", "Email_Address": "first023.last023@example.com",
         "Worker_Status": "Terminated", "Hire_Date": "2018-01-08", "Termination_Date": "2023-11-30"},
    ]
}


@pytest.fixture
def sync_runtime(runtime, clean_db):
    """The test runtime with every connector configured against test hosts and retries without waits."""
    original_settings, original_current = runtime.settings, runtime_module._current
    runtime.settings = replace(
        original_settings,
        personio_client_id="personio-id", personio_client_secret="personio-secret", personio_base_url=PERSONIO_URL,
        hibob_service_user_id="SERVICE-1", hibob_service_user_token="hibob-token", hibob_base_url=HIBOB_URL,
        workday_report_url=WORKDAY_REPORT_URL, workday_username="ISU_Skillwire", workday_password="wd-password",
        workday_since_param="Changed_Since",
        sync_retry_attempts=3, sync_backoff_seconds=0.0,
    )
    runtime_module.set_current(runtime)
    yield runtime
    runtime.settings = original_settings
    runtime_module.set_current(original_current)


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def personio_employees(corpus) -> list[dict]:
    payload = json.loads((corpus / "hris" / "personio" / "company-employees.response.json").read_text())
    return payload["data"]


@pytest.fixture
def hibob_employees(corpus) -> list[dict]:
    return json.loads((corpus / "hris" / "hibob" / "people-search.response.json").read_text())["employees"]


def personio_clones(template: dict, count: int) -> list[dict]:
    """Return `count` copies of a Personio employee with distinct ids and emails."""
    employees = []
    for index in range(count):
        employee = copy.deepcopy(template)
        employee["attributes"]["id"]["value"] = 500000 + index
        employee["attributes"]["email"]["value"] = f"clone{index:03d}@example.com"
        employees.append(employee)
    return employees


def add_personio(mocked, employees: list[dict], offset: int = 0, status: int = 200):
    mocked.post(PERSONIO_URL + "auth", json={"success": True, "data": {"token": "papi-test"}})
    body = {"success": True, "data": employees, "metadata": {"current_page": offset // 100,
                                                             "total_pages": 1 + (offset + len(employees)) // 100}}
    mocked.get(PERSONIO_URL + "company/employees", json=body, status=status,
               match=[matchers.query_param_matcher({"offset": str(offset)}, strict_match=False)])


def stored_cursor(runtime, connector: str) -> str | None:
    with runtime.sessions() as session:
        state = session.get(ConnectorState, connector)
        return state.cursor if state else None


def count_people(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Person))


def test_client_factories_cover_every_connector():
    assert tuple(CLIENT_FACTORIES) == SYNC_CONNECTORS


def test_personio_full_sync_creates_people(sync_runtime, mocked, personio_employees):
    add_personio(mocked, personio_employees)

    run = run_sync(sync_runtime, "personio")

    assert run["status"] == "succeeded"
    assert run["created"] == 3
    assert run["failed"] == 0
    assert run["cursor_after"] == stored_cursor(sync_runtime, "personio")
    with sync_runtime.sessions() as session:
        ids = set(session.scalars(select(PersonIdentifier.value).where(PersonIdentifier.kind == "hris:personio")))
    assert ids == {"2116366", "2116365", "2040614"}


def test_personio_rerun_is_incremental_and_unchanged(sync_runtime, mocked, personio_employees):
    add_personio(mocked, personio_employees)
    first = run_sync(sync_runtime, "personio")

    second = run_sync(sync_runtime, "personio")

    last_request = mocked.calls[-1].request
    assert "updated_since=" in last_request.url
    assert first["created"] == 3
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 3)
    assert second["status"] == "succeeded"


def test_personio_change_updates_person(sync_runtime, mocked, personio_employees):
    add_personio(mocked, personio_employees)
    run_sync(sync_runtime, "personio")
    changed = copy.deepcopy(personio_employees)
    changed[0]["attributes"]["position"]["value"] = "Chief Hacker"
    mocked.replace("GET", PERSONIO_URL + "company/employees", json={"success": True, "data": changed})

    run = run_sync(sync_runtime, "personio")

    assert (run["created"], run["updated"], run["unchanged"]) == (0, 1, 2)


def test_personio_failure_mid_run_keeps_cursor(sync_runtime, mocked, personio_employees):
    add_personio(mocked, personio_employees)
    first = run_sync(sync_runtime, "personio")
    people_before = count_people(sync_runtime)
    mocked.remove("GET", PERSONIO_URL + "company/employees")
    add_personio(mocked, personio_clones(personio_employees[0], 100), offset=0)
    mocked.get(PERSONIO_URL + "company/employees", status=503,
               match=[matchers.query_param_matcher({"offset": "100"}, strict_match=False)])

    failed = run_sync(sync_runtime, "personio")

    page_two_calls = [call for call in mocked.calls if "offset=100" in call.request.url]
    assert len(page_two_calls) == 3
    assert failed["status"] == "failed"
    assert failed["errors"][0]["field"] == "server_error"
    assert "503" in failed["errors"][0]["message"]
    assert failed["cursor_after"] == first["cursor_after"]
    assert stored_cursor(sync_runtime, "personio") == first["cursor_after"]
    # The first page was imported before the failure and stays; the next run reads it again.
    assert failed["created"] == 100
    assert count_people(sync_runtime) == people_before + 100


def test_personio_rate_limit_retried(sync_runtime, mocked, personio_employees):
    mocked.post(PERSONIO_URL + "auth", json={"success": True, "data": {"token": "papi-test"}})
    mocked.get(PERSONIO_URL + "company/employees", status=429, headers={"Retry-After": "0"})
    mocked.get(PERSONIO_URL + "company/employees", json={"success": True, "data": personio_employees})

    run = run_sync(sync_runtime, "personio")

    assert run["status"] == "succeeded"
    assert run["created"] == 3


def test_personio_malformed_record_recorded(sync_runtime, mocked, personio_employees):
    personio_employees[1]["attributes"]["email"]["value"] = "not-an-address"
    add_personio(mocked, personio_employees)

    run = run_sync(sync_runtime, "personio")

    assert run["status"] == "succeeded"
    assert (run["created"], run["failed"]) == (2, 1)
    assert run["errors"][0]["source_id"] == "2116365"
    assert run["errors"][0]["field"] == "email"
    assert stored_cursor(sync_runtime, "personio") == run["cursor_after"]


def test_personio_full_flag_ignores_cursor(sync_runtime, mocked, personio_employees):
    add_personio(mocked, personio_employees)
    run_sync(sync_runtime, "personio")

    run_sync(sync_runtime, "personio", full=True)

    assert "updated_since=" not in mocked.calls[-1].request.url


def test_hibob_sync_and_rerun_unchanged(sync_runtime, mocked, hibob_employees):
    mocked.post(HIBOB_URL + "people/search", json={"employees": hibob_employees})

    first = run_sync(sync_runtime, "hibob")
    second = run_sync(sync_runtime, "hibob")

    assert first["status"] == "succeeded"
    assert first["created"] == 2
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 2)


def test_hibob_failure_keeps_cursor(sync_runtime, mocked, hibob_employees):
    mocked.post(HIBOB_URL + "people/search", json={"employees": hibob_employees})
    first = run_sync(sync_runtime, "hibob")
    mocked.replace("POST", HIBOB_URL + "people/search", status=503)

    failed = run_sync(sync_runtime, "hibob")

    assert failed["status"] == "failed"
    assert failed["errors"][0]["field"] == "server_error"
    assert stored_cursor(sync_runtime, "hibob") == first["cursor_after"]


def test_hibob_malformed_record_recorded(sync_runtime, mocked, hibob_employees):
    hibob_employees[0]["work"]["startDate"] = "10/10/2022"
    mocked.post(HIBOB_URL + "people/search", json={"employees": hibob_employees})

    run = run_sync(sync_runtime, "hibob")

    assert (run["created"], run["failed"]) == (1, 1)
    assert run["errors"][0]["source_id"] == "1234"


def test_workday_sync_and_incremental_rerun(sync_runtime, mocked):
    mocked.get(WORKDAY_REPORT_URL, json=WORKDAY_REPORT)

    first = run_sync(sync_runtime, "workday")
    second = run_sync(sync_runtime, "workday")

    assert first["status"] == "succeeded"
    assert first["created"] == 3
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 3)
    assert "Changed_Since=" not in mocked.calls[0].request.url
    assert "Changed_Since=" in mocked.calls[1].request.url


def test_workday_failure_keeps_cursor(sync_runtime, mocked):
    mocked.get(WORKDAY_REPORT_URL, json=WORKDAY_REPORT)
    first = run_sync(sync_runtime, "workday")
    mocked.replace("GET", WORKDAY_REPORT_URL, status=500, body="<wd:Error>Processing error</wd:Error>")

    failed = run_sync(sync_runtime, "workday")

    assert failed["status"] == "failed"
    assert stored_cursor(sync_runtime, "workday") == first["cursor_after"]


def test_workday_malformed_record_recorded(sync_runtime, mocked):
    report = copy.deepcopy(WORKDAY_REPORT)
    report["Report_Entry"][2]["Worker_Status"] = "Retired"
    mocked.get(WORKDAY_REPORT_URL, json=report)

    run = run_sync(sync_runtime, "workday")

    assert (run["created"], run["failed"]) == (2, 1)
    assert run["errors"][0]["field"] == "Worker_Status"


def test_unconfigured_connector_records_no_run(sync_runtime):
    sync_runtime.settings = replace(sync_runtime.settings, personio_client_secret=None)

    with pytest.raises(ConfigError) as caught:
        run_sync(sync_runtime, "personio")

    assert "SKILLWIRE_PERSONIO_CLIENT_SECRET" in str(caught.value)
    with sync_runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SyncRun)) == 0


def test_unknown_connector_rejected(sync_runtime):
    with pytest.raises(ConfigError):
        run_sync(sync_runtime, "sap")


def test_invalid_workday_field_map_names_variable(sync_runtime):
    sync_runtime.settings = replace(sync_runtime.settings, workday_field_map={"salary": "Base_Pay"})

    with pytest.raises(ConfigError) as caught:
        run_sync(sync_runtime, "workday")

    assert "SKILLWIRE_WORKDAY_FIELD_MAP" in str(caught.value)


def test_large_report_imported_in_batches(sync_runtime, mocked):
    entries = [{"Employee_ID": str(30000 + index), "Email_Address": f"worker{index}@example.com",
                "Worker_Status": "Active"} for index in range(450)]
    mocked.get(WORKDAY_REPORT_URL, json={"Report_Entry": entries})

    run = run_sync(sync_runtime, "workday")

    assert run["created"] == 450
    assert count_people(sync_runtime) == 450


def test_unexpected_error_recorded_and_raised(sync_runtime, mocked):
    with sync_runtime.sessions.begin() as session:
        session.add(ConnectorState(connector="personio", cursor="yesterday"))

    with pytest.raises(ValueError):
        run_sync(sync_runtime, "personio")

    with sync_runtime.sessions() as session:
        run = session.scalars(select(SyncRun)).one()
    assert run.status == "failed"
    assert run.errors[0]["field"] == "internal_error"
    assert run.cursor_after == "yesterday"
