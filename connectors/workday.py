"""Workday connector: workers from a custom report served as a web service (RaaS), read as JSON.

A Workday report owner makes an Advanced custom report web-service enabled, and its URL has the
form https://HOST/ccx/service/customreport2/TENANT/OWNER/REPORT. Adding ?format=json returns
{"Report_Entry": [{COLUMN: VALUE, ...}, ...]}, where each column is named by its XML alias in the
report. The request uses HTTP Basic with an integration system user. Report prompts are query
parameters, so a report with a "changed since" prompt supports incremental syncs when
`since_param` names that prompt.

Because every company builds its own report, a field map names the column behind each
PersonRecord field (DEFAULT_FIELD_MAP lists the defaults). Values quirks handled here: numbers
and booleans come as text ("1"/"0"), dates may carry a time zone offset such as
"2015-03-02-08:00", a multi-instance column is a list whose first value is taken, and a column
without a value is absent from the entry.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests

from connectors.bamboohr import PeopleSync, format_since
from connectors.http import DEFAULT_TIMEOUT, ConnectorError, HttpClient, RetryPolicy
from connectors.normalize import InvalidField, clean_text, derive_status, normalize_email, parse_iso_date
from connectors.records import PersonRecord, RecordError

logger = logging.getLogger(__name__)

SOURCE = "workday"
IDENTIFIER_PREFIX = "identifier:"

# PersonRecord fields and the report column read for each one unless the field map names another.
DEFAULT_FIELD_MAP = {
    "employee_id": "Employee_ID",
    "email": "Email_Address",
    "first_name": "First_Name",
    "last_name": "Last_Name",
    "display_name": "Worker",
    "job_title": "Business_Title",
    "department": "Supervisory_Organization",
    "location": "Location",
    "manager_id": "Manager_Employee_ID",
    "manager_name": "Manager",
    "status": "Worker_Status",
    "start_date": "Hire_Date",
    "end_date": "Termination_Date",
}

# Worker status texts and boolean flags that a report may output, and the Skillwire status each one
# becomes before the dates are applied. "1" and "0" are an Active_Status or Is_Active column.
STATUS_MAP = {
    "active": "active",
    "1": "active",
    "true": "active",
    "inactive": "inactive",
    "0": "inactive",
    "false": "inactive",
    "on leave": "inactive",
    "leave of absence": "inactive",
    "terminated": "terminated",
    "pre-hire": "pending",
    "pending": "pending",
}

# The cursor is stored this far before the sync started, so that a worker changed while the
# report ran is read again by the next sync.
CURSOR_MARGIN = timedelta(minutes=5)

_DATE_PATTERN = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T.*|Z|[+-]\d{2}:\d{2})?$")


@dataclass(frozen=True)
class ReportLocation:
    """A report URL split for HttpClient: the folder URL, the report name and its fixed prompt values."""

    folder_url: str
    report: str
    prompts: dict[str, str]

    @classmethod
    def parse(cls, report_url: str) -> ReportLocation:
        """Split a RaaS URL, raising ValueError when it is not an http(s) URL with a report name."""
        parts = urlsplit(report_url)
        path = parts.path.rstrip("/")
        if parts.scheme not in ("http", "https") or not parts.hostname or "/" not in path:
            raise ValueError(
                f"invalid Workday report URL {report_url!r}, expected "
                "https://HOST/ccx/service/customreport2/TENANT/OWNER/REPORT"
            )

        folder, report = path.rsplit("/", 1)
        prompts = {name: value for name, value in parse_qsl(parts.query, keep_blank_values=True) if name != "format"}
        folder_url = urlunsplit((parts.scheme, parts.netloc, folder + "/", "", ""))
        return cls(folder_url=folder_url, report=report, prompts=prompts)


def check_field_map(field_map: Mapping[str, str]) -> dict[str, str]:
    """Return DEFAULT_FIELD_MAP updated with `field_map`, raising ValueError for an unknown field name."""
    merged = dict(DEFAULT_FIELD_MAP)
    for field, column in field_map.items():
        is_identifier = field.startswith(IDENTIFIER_PREFIX) and len(field) > len(IDENTIFIER_PREFIX)
        if field not in DEFAULT_FIELD_MAP and not is_identifier:
            raise ValueError(
                f"unknown field {field!r} in the Workday field map, expected one of "
                f"{', '.join(DEFAULT_FIELD_MAP)} or identifier:KIND"
            )
        if not column:
            raise ValueError(f"missing report column for field {field!r} in the Workday field map")
        merged[field] = column
    return merged


class WorkdayClient:
    """Read workers from one Workday custom report.

    `field_map` overrides DEFAULT_FIELD_MAP entries and adds identifier:KIND fields. `since_param`
    names a report prompt that takes a date and time; when set, an incremental sync passes the
    stored cursor in it, and otherwise every sync reads the whole report.
    """

    def __init__(
        self,
        report_url: str,
        username: str,
        password: str,
        *,
        field_map: Mapping[str, str] | None = None,
        since_param: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        if not username or not password:
            raise ValueError("missing Workday integration user name or password")

        self.location = ReportLocation.parse(report_url)
        self.field_map = check_field_map(field_map or {})
        self.since_param = since_param or None
        self.http = HttpClient(
            self.location.folder_url,
            auth=requests.auth.HTTPBasicAuth(username, password),
            timeout=timeout,
            retry=retry,
            sleep=sleep,
            session=session,
        )

    def report_entries(self, prompts: Mapping[str, str] | None = None) -> list[Any]:
        """Run the report and return its Report_Entry list; `prompts` add to those in the report URL."""
        params = {**self.location.prompts, **(prompts or {}), "format": "json"}
        payload = self.http.get_json(self.location.report, params=params)
        if not isinstance(payload, Mapping):
            raise _bad_shape(self.location.report, "a JSON object with a 'Report_Entry' list")

        entries = payload.get("Report_Entry", [])
        if not isinstance(entries, list):
            raise _bad_shape(self.location.report, "'Report_Entry' to be a list")
        return entries

    def iter_people(self, *, today: date | None = None) -> Iterator[PersonRecord | RecordError]:
        """Yield every worker in the report as a PersonRecord or a RecordError."""
        yield from self.sync_people(today=today).records

    def sync_people(self, since: datetime | str | None = None, *, today: date | None = None) -> PeopleSync:
        """Run the report in full, or from a cursor when since_param is configured and `since` is given."""
        current_day = today or date.today()
        started = datetime.now(timezone.utc)

        incremental = since is not None and self.since_param is not None
        prompts = {self.since_param: format_since(since)} if incremental else {}
        entries = self.report_entries(prompts)
        logger.info("Workday report %s: %d entries (%s)", self.location.report, len(entries),
                    "incremental" if incremental else "full")

        cursor = (started - CURSOR_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")
        records = (self._to_record(entry, current_day) for entry in entries)
        return PeopleSync(cursor=cursor, full=not incremental, deleted_ids=(), records=records)

    def _to_record(self, entry: Any, today: date) -> PersonRecord | RecordError:
        try:
            return person_from_entry(entry, self.field_map, today=today)
        except InvalidField as exc:
            source_id = _raw_id(entry, self.field_map)
            logger.warning("Workday worker %s skipped: %s", source_id, exc)
            message = f"worker {source_id or '(no id)'}, column {exc.field}: {exc.message}"
            return RecordError(source=SOURCE, source_id=source_id, line=None, field=exc.field, message=message)


def person_from_entry(entry: Mapping[str, Any], field_map: Mapping[str, str], *, today: date | None = None) -> PersonRecord:
    """Convert one Report_Entry object into a PersonRecord, raising InvalidField (named by column) when malformed.

    `field_map` must be complete, as check_field_map returns it.
    """
    if not isinstance(entry, Mapping):
        raise InvalidField(field_map["employee_id"], f"report entry is a {type(entry).__name__}, expected a JSON object")

    values = _Entry(entry, field_map)
    source_id = values.text("employee_id")
    if source_id is None:
        raise InvalidField(field_map["employee_id"], "missing employee id")

    start_date = values.date("start_date")
    end_date = values.date("end_date")
    if start_date is not None and end_date is not None and end_date < start_date:
        # A termination before the current hire date belongs to an earlier employment.
        end_date = None

    first_name = values.text("first_name")
    last_name = values.text("last_name")

    return PersonRecord(
        source=SOURCE,
        source_id=source_id,
        email=values.email(),
        first_name=first_name,
        last_name=last_name,
        display_name=values.text("display_name") or " ".join(p for p in (first_name, last_name) if p) or None,
        job_title=values.text("job_title"),
        department=values.text("department"),
        location=values.text("location"),
        manager_source_id=values.text("manager_id"),
        manager_name=values.text("manager_name"),
        status=derive_status(values.status(), start_date, end_date, today or date.today()),
        start_date=start_date,
        end_date=end_date,
        identifiers=values.identifiers(),
        raw=dict(entry),
    )


class _Entry:
    """Reads PersonRecord fields from one report entry through the field map."""

    def __init__(self, entry: Mapping[str, Any], field_map: Mapping[str, str]) -> None:
        self.entry = entry
        self.field_map = field_map

    def text(self, field: str) -> str | None:
        column = self.field_map[field]
        value = self.entry.get(column)
        if isinstance(value, list):
            value = next((item for item in value if item not in (None, "")), None)

        if isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            return clean_text(value)
        except TypeError as exc:
            raise InvalidField(column, f"{exc}; output a text column in the report") from None

    def date(self, field: str) -> date | None:
        text = self.text(field)
        if text is None:
            return None

        column = self.field_map[field]
        match = _DATE_PATTERN.match(text)
        if match is None:
            raise InvalidField(column, f"invalid date {text!r}, expected YYYY-MM-DD")
        return parse_iso_date(column, match.group(1), zero_date_is_empty=True)

    def email(self) -> str | None:
        return normalize_email(self.field_map["email"], self.text("email"))

    def status(self) -> str | None:
        text = self.text("status")
        if text is None:
            return None

        mapped = STATUS_MAP.get(text.casefold())
        if mapped is None:
            expected = "Active, Inactive, On Leave, Terminated, Pre-Hire, 1 or 0"
            raise InvalidField(self.field_map["status"], f"unknown worker status {text!r}, expected {expected}")
        return mapped

    def identifiers(self) -> tuple[tuple[str, str], ...]:
        identifiers = []
        for field in self.field_map:
            if not field.startswith(IDENTIFIER_PREFIX):
                continue
            value = self.text(field)
            if value is not None:
                identifiers.append((field[len(IDENTIFIER_PREFIX):], value))
        return tuple(identifiers)


def _raw_id(entry: Any, field_map: Mapping[str, str]) -> str | None:
    if not isinstance(entry, Mapping):
        return None
    try:
        return _Entry(entry, field_map).text("employee_id")
    except InvalidField:
        return None


def _bad_shape(report: str, expected: str) -> ConnectorError:
    return ConnectorError(f"Workday report {report} returned an unexpected body, expected {expected}", reason="bad_response")
