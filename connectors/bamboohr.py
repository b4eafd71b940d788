"""BambooHR connector: employee directory, custom reports, changed employees, and people sync.

API reference: https://documentation.bamboohr.com/reference (v1, HTTP Basic with the API key as
user name and "x" as password). Payload quirks handled here, as seen in recorded responses:
ids and numbers arrive as strings, unset dates as "0000-00-00", blank values as "" or null,
`status` is "Active" or "Inactive", and a terminated employee has employmentHistoryStatus
"Terminated" and a terminationDate.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests

from connectors.http import DEFAULT_TIMEOUT, ConnectorError, HttpClient, RetryPolicy, decode_json
from connectors.normalize import InvalidField, clean_text, derive_status, normalize_email, parse_iso_date
from connectors.records import PersonRecord, RecordError

logger = logging.getLogger(__name__)

SOURCE = "bamboohr"
DEFAULT_BASE_URL = "https://{subdomain}.bamboohr.com/api/gateway.php/{subdomain}/v1/"
ERROR_MESSAGE_HEADER = "X-BambooHR-Error-Message"

# Fields requested for every person. The custom report and GET employees/{id} return "id" too.
PERSON_FIELDS = (
    "employeeNumber",
    "firstName",
    "lastName",
    "preferredName",
    "displayName",
    "workEmail",
    "jobTitle",
    "department",
    "location",
    "supervisorEId",
    "supervisor",
    "status",
    "employmentHistoryStatus",
    "hireDate",
    "terminationDate",
)

# A full sync stores a cursor this far before the report was produced, so that a change made
# while BambooHR built the report is fetched again by the next incremental sync.
FULL_SYNC_CURSOR_MARGIN = timedelta(minutes=5)

_SUBDOMAIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


@dataclass
class PeopleSync:
    """One sync pass: the records to store, the cursor to keep for the next pass, and deletions.

    `records` is lazy and may fetch employees while it is consumed, so store `cursor` only after
    every record has been read without a ConnectorError.
    """

    cursor: str
    full: bool
    deleted_ids: tuple[str, ...]
    records: Iterator[PersonRecord | RecordError]


class BambooHRClient:
    """Read employees from one BambooHR company.

    `identifier_fields` maps extra BambooHR fields to identifier kinds, for example
    {"customLMSUsername": "lms_username"}; those fields are requested and their values become
    PersonRecord.identifiers. An incremental sync with more than `report_threshold` changed
    employees runs one custom report instead of one request per employee.
    """

    def __init__(
        self,
        subdomain: str,
        api_key: str,
        *,
        base_url: str | None = None,
        identifier_fields: Mapping[str, str] | None = None,
        report_threshold: int = 25,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        if not _SUBDOMAIN_PATTERN.match(subdomain):
            raise ValueError(f"invalid BambooHR subdomain {subdomain!r}, expected letters, digits and '-'")
        if not api_key:
            raise ValueError("missing BambooHR API key")

        self.subdomain = subdomain
        self.identifier_fields = dict(identifier_fields or {})
        self.fields = PERSON_FIELDS + tuple(f for f in self.identifier_fields if f not in PERSON_FIELDS)
        self.report_threshold = report_threshold
        self.http = HttpClient(
            base_url or DEFAULT_BASE_URL.format(subdomain=subdomain),
            auth=requests.auth.HTTPBasicAuth(api_key, "x"),
            timeout=timeout,
            retry=retry,
            sleep=sleep,
            session=session,
            error_detail_headers=(ERROR_MESSAGE_HEADER,),
        )

    def directory(self) -> dict[str, Any]:
        """Return the employee directory: {"fields": [...], "employees": [...]}.

        BambooHR lists only current employees here, without status or dates, and returns 403
        when the company has turned directory sharing off.
        """
        payload = self.http.get_json("employees/directory")
        _employee_list(payload, "employees/directory")
        return payload

    def custom_report(self, fields: Sequence[str], *, only_current: bool = False) -> dict[str, Any]:
        """Run a custom report over all employees: {"title", "fields": [...], "employees": [...]}."""
        payload, _ = self._post_report(fields, only_current=only_current)
        return payload

    def changed_employees(self, since: datetime | str, *, change_type: str | None = None) -> dict[str, Any]:
        """Return employees changed since a time: {"latest": ..., "employees": {id: {"id", "action", "lastChanged"}}}.

        `change_type` filters to "inserted", "updated" or "deleted".
        """
        params = {"since": format_since(since)}
        if change_type is not None:
            params["type"] = change_type

        payload = self.http.get_json("employees/changed", params=params)
        if not isinstance(payload, Mapping):
            raise _bad_shape("employees/changed", "a JSON object with 'employees'")
        return dict(payload)

    def employee(self, employee_id: str, fields: Sequence[str] | None = None) -> dict[str, Any]:
        """Return one employee with the given fields (PERSON_FIELDS and identifier fields by default)."""
        path = f"employees/{quote(str(employee_id), safe='')}"
        payload = self.http.get_json(path, params={"fields": ",".join(fields or self.fields)})
        if not isinstance(payload, Mapping):
            raise _bad_shape(path, "a JSON object")
        return dict(payload)

    def iter_people(self, *, today: date | None = None) -> Iterator[PersonRecord | RecordError]:
        """Yield every employee, current and former, as a PersonRecord or a RecordError."""
        yield from self.sync_people(today=today).records

    def sync_people(self, since: datetime | str | None = None, *, today: date | None = None) -> PeopleSync:
        """Start a full sync (since=None) or an incremental one from a cursor of an earlier sync."""
        current_day = today or date.today()
        if since is None:
            return self._full_sync(current_day)
        return self._incremental_sync(since, current_day)

    def _full_sync(self, today: date) -> PeopleSync:
        sent_at = datetime.now(timezone.utc)
        report, response = self._post_report(self.fields, only_current=False)
        employees = _employee_list(report, "reports/custom")

        cursor = _cursor_before(response, sent_at)
        logger.info("BambooHR %s full sync: %d employees in the report", self.subdomain, len(employees))
        return PeopleSync(
            cursor=cursor,
            full=True,
            deleted_ids=(),
            records=(self._to_record(employee, today) for employee in employees),
        )

    def _incremental_sync(self, since: datetime | str, today: date) -> PeopleSync:
        since_text = format_since(since)
        changes = self.changed_employees(since_text)
        changed_ids, deleted_ids = _split_changes(changes)

        cursor = _next_cursor(changes.get("latest"), since_text)
        logger.info(
            "BambooHR %s incremental sync since %s: %d changed, %d deleted",
            self.subdomain,
            since_text,
            len(changed_ids),
            len(deleted_ids),
        )

        if len(changed_ids) > self.report_threshold:
            records = self._records_from_report(changed_ids, today)
        else:
            records = self._records_by_id(changed_ids, today)

        return PeopleSync(cursor=cursor, full=False, deleted_ids=deleted_ids, records=records)

    def _records_by_id(self, employee_ids: Sequence[str], today: date) -> Iterator[PersonRecord | RecordError]:
        for employee_id in employee_ids:
            try:
                employee = self.employee(employee_id)
            except ConnectorError as exc:
                if exc.reason != "not_found":
                    raise
                logger.warning("BambooHR employee %s listed as changed but not found", employee_id)
                yield _not_found_error(employee_id)
                continue

            yield self._to_record(employee, today)

    def _records_from_report(self, employee_ids: Sequence[str], today: date) -> Iterator[PersonRecord | RecordError]:
        report, _ = self._post_report(self.fields, only_current=False)
        by_id = {}
        for employee in _employee_list(report, "reports/custom"):
            if isinstance(employee, Mapping) and employee.get("id") is not None:
                by_id[str(employee["id"])] = employee

        for employee_id in employee_ids:
            employee = by_id.get(employee_id)
            if employee is None:
                logger.warning("BambooHR employee %s listed as changed but missing from the report", employee_id)
                yield _not_found_error(employee_id)
                continue

            yield self._to_record(employee, today)

    def _post_report(self, fields: Sequence[str], *, only_current: bool) -> tuple[dict[str, Any], requests.Response]:
        response = self.http.request(
            "POST",
            "reports/custom",
            params={"format": "JSON", "onlyCurrent": "true" if only_current else "false"},
            json={"fields": list(fields)},
        )
        payload = decode_json(response)
        _employee_list(payload, "reports/custom")
        return payload, response

    def _to_record(self, employee: Any, today: date) -> PersonRecord | RecordError:
        try:
            return person_from_employee(employee, today=today, identifier_fields=self.identifier_fields)
        except InvalidField as exc:
            source_id = _raw_id(employee)
            logger.warning("BambooHR employee %s skipped: %s", source_id, exc)
            message = f"employee {source_id or '(no id)'}, field {exc.field}: {exc.message}"
            return RecordError(source=SOURCE, source_id=source_id, line=None, field=exc.field, message=message)


def person_from_employee(
    employee: Mapping[str, Any],
    *,
    today: date | None = None,
    identifier_fields: Mapping[str, str] | None = None,
) -> PersonRecord:
    """Convert one BambooHR employee object into a PersonRecord, raising InvalidField when it is malformed.

    Accepts the objects of employees/directory, reports/custom, employees/{id} and the newer
    paginated /api/v1/employees (which names the id "employeeId" and the title "jobTitleName").
    """
    if not isinstance(employee, Mapping):
        raise InvalidField("id", f"employee record is a {type(employee).__name__}, expected a JSON object")

    source_id = _text(employee, "id") or _text(employee, "employeeId")
    if source_id is None:
        raise InvalidField("id", "missing employee id")

    start_date = parse_iso_date("hireDate", employee.get("hireDate"), zero_date_is_empty=True)
    end_date = parse_iso_date("terminationDate", employee.get("terminationDate"), zero_date_is_empty=True)
    if start_date is not None and end_date is not None and end_date < start_date:
        # A termination before the current hire date belongs to an earlier employment: the
        # employee was rehired, so that end date does not apply.
        end_date = None

    first_name = _text(employee, "firstName")
    last_name = _text(employee, "lastName")
    status = derive_status(_stated_status(employee), start_date, end_date, today or date.today())

    return PersonRecord(
        source=SOURCE,
        source_id=source_id,
        email=normalize_email("workEmail", employee.get("workEmail")),
        first_name=first_name,
        last_name=last_name,
        display_name=_text(employee, "displayName") or _join_name(employee, first_name, last_name),
        job_title=_text(employee, "jobTitle") or _text(employee, "jobTitleName"),
        department=_text(employee, "department"),
        location=_text(employee, "location"),
        manager_source_id=_text(employee, "supervisorEId"),
        manager_name=_text(employee, "supervisor"),
        status=status,
        start_date=start_date,
        end_date=end_date,
        identifiers=_identifiers(employee, identifier_fields or {}),
        raw=dict(employee),
    )


def format_since(since: datetime | str) -> str:
    """Format `since` as an ISO 8601 timestamp for employees/changed.

    Raises ValueError for a time without a time zone or an unreadable string.
    """
    if isinstance(since, datetime):
        if since.tzinfo is None:
            raise ValueError(f"since {since.isoformat()} has no time zone; pass an aware datetime")
        return since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    text = since.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"invalid since {since!r}, expected an ISO 8601 timestamp such as 2024-01-31T00:00:00Z") from None

    if parsed.tzinfo is None:
        raise ValueError(f"since {since!r} has no time zone; add Z or an offset such as +00:00")
    return text


def _stated_status(employee: Mapping[str, Any]) -> str | None:
    history_status = _text(employee, "employmentHistoryStatus")
    if history_status is not None and history_status.casefold() == "terminated":
        return "terminated"

    status = _text(employee, "status")
    if status is None:
        return None

    lowered = status.casefold()
    if lowered not in ("active", "inactive"):
        raise InvalidField("status", f"unknown status {status!r}, expected Active or Inactive")
    return lowered


def _identifiers(employee: Mapping[str, Any], identifier_fields: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    identifiers = []

    employee_number = _text(employee, "employeeNumber")
    if employee_number is not None:
        identifiers.append(("employee_number", employee_number))

    for field_name, kind in identifier_fields.items():
        value = _text(employee, field_name)
        if value is not None:
            identifiers.append((kind, value))

    return tuple(identifiers)


def _join_name(employee: Mapping[str, Any], first_name: str | None, last_name: str | None) -> str | None:
    given_name = _text(employee, "preferredName") or first_name
    parts = [part for part in (given_name, last_name) if part]
    return " ".join(parts) or None


def _text(employee: Mapping[str, Any], field_name: str) -> str | None:
    try:
        return clean_text(employee.get(field_name))
    except TypeError as exc:
        raise InvalidField(field_name, str(exc)) from None


def _raw_id(employee: Any) -> str | None:
    if not isinstance(employee, Mapping):
        return None
    for key in ("id", "employeeId"):
        value = employee.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def _split_changes(changes: Mapping[str, Any]) -> tuple[list[str], tuple[str, ...]]:
    """Return (changed ids, deleted ids) from an employees/changed payload.

    BambooHR keys "employees" by id and sends [] instead of {} when nothing changed.
    """
    entries = changes.get("employees")
    if entries is None or entries == []:
        return [], ()
    if not isinstance(entries, Mapping):
        raise _bad_shape("employees/changed", "'employees' as an object keyed by employee id")

    changed_ids: list[str] = []
    deleted_ids: list[str] = []
    for key, entry in entries.items():
        entry_map = entry if isinstance(entry, Mapping) else {}
        employee_id = str(entry_map.get("id") or key)
        action = str(entry_map.get("action") or "").casefold()
        if action == "deleted":
            deleted_ids.append(employee_id)
        else:
            changed_ids.append(employee_id)

    return changed_ids, tuple(deleted_ids)


def _next_cursor(latest: Any, since_text: str) -> str:
    """Return the "latest" change time as the next cursor, or keep the old one when it is unusable.

    The next sync repeats employees changed exactly at "latest", which is harmless because
    storing a record twice changes nothing.
    """
    if latest is None or latest == "":
        return since_text

    try:
        return format_since(latest) if isinstance(latest, str) else since_text
    except ValueError:
        logger.warning("BambooHR employees/changed returned an unreadable latest %r; keeping cursor %s", latest, since_text)
        return since_text


def _employee_list(payload: Any, path: str) -> list[Any]:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("employees"), list):
        raise _bad_shape(path, "a JSON object with an 'employees' list")
    return payload["employees"]


def _bad_shape(path: str, expected: str) -> ConnectorError:
    return ConnectorError(f"BambooHR {path} returned an unexpected body, expected {expected}", reason="bad_response")


def _not_found_error(employee_id: str) -> RecordError:
    return RecordError(
        source=SOURCE,
        source_id=employee_id,
        line=None,
        field=None,
        message="employee listed as changed but not found; it was probably deleted during the sync",
    )


def _cursor_before(response: requests.Response, sent_at: datetime) -> str:
    """Return the cursor for a full sync: the server time the request started, less the margin.

    Uses the response Date header minus the request's elapsed time, so the client clock does not
    matter, and falls back to the client clock when the header is missing.
    """
    started = sent_at
    date_header = response.headers.get("Date")
    if date_header:
        try:
            server_time = parsedate_to_datetime(date_header)
        except (TypeError, ValueError):
            server_time = None
        if server_time is not None:
            if server_time.tzinfo is None:
                server_time = server_time.replace(tzinfo=timezone.utc)
            elapsed = math.ceil(response.elapsed.total_seconds())
            started = server_time - timedelta(seconds=elapsed)

    cursor_time = started.astimezone(timezone.utc) - FULL_SYNC_CURSOR_MARGIN
    return cursor_time.strftime("%Y-%m-%dT%H:%M:%SZ")

