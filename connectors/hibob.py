"""HiBob connector: people search, one person by id, and webhook signature checks.

API reference: https://apidocs.hibob.com/reference/post_people-search and
https://apidocs.hibob.com/docs/people-read-api-contract. Requests use HTTP Basic with a service
user's id and token. POST /v1/people/search has no pagination and no change filter: one call
returns every employee the service user may see, so every sync is a full sync. Webhooks deliver
the changes in between (see `verify_signature`).

The search requests field paths such as /work/title with humanReadable=APPEND. The machine
values then keep ISO dates and ids, and a "humanReadable" object beside them carries the display
text of list fields such as the department, whose machine value is a list item id. Fields that
the service user may not read are left out of the response without an error. Payload quirks
handled here: ids are strings of digits, longer than a double represents exactly, a field may come nested
({"work": {"title": ...}}) or flat ({"/work/title": {"value": ...}}), and "reportsTo" is an
object with the manager's id in current responses but a display name beside a "manager" id in
older ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import requests

from connectors.bamboohr import PeopleSync
from connectors.http import DEFAULT_TIMEOUT, ConnectorError, HttpClient, RetryPolicy
from connectors.normalize import InvalidField, clean_text, derive_status, normalize_email, parse_iso_date
from connectors.records import PersonRecord, RecordError

logger = logging.getLogger(__name__)

SOURCE = "hibob"
DEFAULT_BASE_URL = "https://api.hibob.com/v1/"

# HiBob signs each webhook request with HMAC-SHA512 over the raw body, keyed with the webhook
# secret, and sends the base64 digest in this header.
# NOTE: this scheme comes from public HiBob webhook listeners. HiBob's own page on it was not
# available to check.
SIGNATURE_HEADER = "Bob-Signature"

PERSON_FIELDS = (
    "/root/id",
    "/root/email",
    "/root/firstName",
    "/root/surname",
    "/root/displayName",
    "/work/title",
    "/work/department",
    "/work/site",
    "/work/reportsTo/id",
    "/work/reportsTo/displayName",
    "/work/startDate",
    "/internal/status",
    "/internal/lifecycleStatus",
    "/internal/terminationDate",
)

# The cursor of a full sync is the time it started, less this margin. HiBob ignores it, but it
# shows the operator when the data was read.
CURSOR_MARGIN = timedelta(minutes=5)

# /internal/status values and the Skillwire status each one becomes before the dates are applied.
STATUS_MAP = {"active": "active", "inactive": "inactive"}

# /internal/lifecycleStatus values that are more specific than /internal/status. Other values, including
# any that a company defines, leave the decision to /internal/status and the dates.
LIFECYCLE_MAP = {"hired": "pending", "employed": "active", "terminated": "terminated"}


class HiBobClient:
    """Read employees from one HiBob company through a service user.

    `identifier_fields` maps extra field paths to identifier kinds, for example
    {"/work/custom/lmsUsername": "lms_username"}; those fields are requested and their values
    become PersonRecord.identifiers.
    """

    def __init__(
        self,
        service_user_id: str,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        identifier_fields: Mapping[str, str] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        if not service_user_id or not token:
            raise ValueError("missing HiBob service user id or token")

        self.identifier_fields = dict(identifier_fields or {})
        self.fields = PERSON_FIELDS + tuple(path for path in self.identifier_fields if path not in PERSON_FIELDS)
        self.http = HttpClient(
            base_url,
            auth=requests.auth.HTTPBasicAuth(service_user_id, token),
            timeout=timeout,
            retry=retry,
            sleep=sleep,
            session=session,
        )

    def search(self, *, show_inactive: bool = True) -> list[Any]:
        """Return the "employees" list of POST people/search with PERSON_FIELDS and any identifier fields."""
        body = {"fields": list(self.fields), "showInactive": show_inactive, "humanReadable": "APPEND"}
        payload = self.http.post_json("people/search", body)
        if not isinstance(payload, Mapping) or not isinstance(payload.get("employees"), list):
            raise _bad_shape("people/search", "a JSON object with an 'employees' list")
        return payload["employees"]

    def employee(self, employee_id: str) -> dict[str, Any]:
        """Return one employee object from POST people/{id}, raising ConnectorError(reason="not_found") when absent."""
        path = f"people/{quote(str(employee_id), safe='')}"
        payload = self.http.post_json(path, {"fields": list(self.fields), "humanReadable": "APPEND"})
        if not isinstance(payload, Mapping):
            raise _bad_shape(path, "a JSON object")
        return dict(payload)

    def fetch_person(self, employee_id: str, *, today: date | None = None) -> PersonRecord | RecordError:
        """Read one employee as a PersonRecord; an unknown id or a malformed employee becomes a RecordError."""
        try:
            employee = self.employee(employee_id)
        except ConnectorError as exc:
            if exc.reason != "not_found":
                raise
            logger.warning("HiBob employee %s not found", employee_id)
            message = "employee not found; it was probably deleted after the event was sent"
            return RecordError(source=SOURCE, source_id=str(employee_id), line=None, field=None, message=message)

        return self._to_record(employee, today or date.today())

    def iter_people(self, *, today: date | None = None) -> Iterator[PersonRecord | RecordError]:
        """Yield every employee, current and former, as a PersonRecord or a RecordError."""
        yield from self.sync_people(today=today).records

    def sync_people(self, since: datetime | str | None = None, *, today: date | None = None) -> PeopleSync:
        """Read every employee; `since` is accepted for a uniform interface but HiBob cannot filter by it."""
        current_day = today or date.today()
        started = datetime.now(timezone.utc)
        employees = self.search()
        logger.info("HiBob full sync: %d employees in the search result", len(employees))

        cursor = (started - CURSOR_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")
        records = (self._to_record(employee, current_day) for employee in employees)
        return PeopleSync(cursor=cursor, full=True, deleted_ids=(), records=records)

    def _to_record(self, employee: Any, today: date) -> PersonRecord | RecordError:
        try:
            return person_from_employee(employee, today=today, identifier_fields=self.identifier_fields)
        except InvalidField as exc:
            source_id = _raw_id(employee)
            logger.warning("HiBob employee %s skipped: %s", source_id, exc)
            message = f"employee {source_id or '(no id)'}, field {exc.field}: {exc.message}"
            return RecordError(source=SOURCE, source_id=source_id, line=None, field=exc.field, message=message)


def person_from_employee(
    employee: Mapping[str, Any],
    *,
    today: date | None = None,
    identifier_fields: Mapping[str, str] | None = None,
) -> PersonRecord:
    """Convert one HiBob employee object into a PersonRecord, raising InvalidField when it is malformed."""
    if not isinstance(employee, Mapping):
        raise InvalidField("/root/id", f"employee record is a {type(employee).__name__}, expected a JSON object")

    source_id = _text(employee, "/root/id")
    if source_id is None:
        raise InvalidField("/root/id", "missing employee id")

    start_date = _date(employee, "/work/startDate")
    end_date = _date(employee, "/internal/terminationDate")
    if start_date is not None and end_date is not None and end_date < start_date:
        # A termination before the current start date belongs to an earlier employment.
        end_date = None

    first_name = _text(employee, "/root/firstName")
    last_name = _text(employee, "/root/surname")
    manager_id, manager_name = _manager(employee)

    return PersonRecord(
        source=SOURCE,
        source_id=source_id,
        email=normalize_email("/root/email", field_value(employee, "/root/email")),
        first_name=first_name,
        last_name=last_name,
        display_name=_display_name(employee, first_name, last_name),
        job_title=_display_text(employee, "/work/title"),
        department=_display_text(employee, "/work/department"),
        location=_display_text(employee, "/work/site"),
        manager_source_id=manager_id,
        manager_name=manager_name,
        status=derive_status(_stated_status(employee), start_date, end_date, today or date.today()),
        start_date=start_date,
        end_date=end_date,
        identifiers=_identifiers(employee, identifier_fields or {}),
        raw=dict(employee),
    )


def field_value(employee: Mapping[str, Any], path: str, *, human_readable: bool = False) -> Any:
    """Return the value at a field path such as /work/title, or None when the response lacks it.

    Looks in the nested form first ("/root/x" is the top-level key "x"), then in the flat form
    {"/work/title": {"value": ...}}. With human_readable, looks in the "humanReadable" object.
    """
    container: Any = employee.get("humanReadable") if human_readable else employee
    if not isinstance(container, Mapping):
        return None

    value = _nested(container, path)
    if value is not None or human_readable:
        return value

    flat = container.get(path)
    if isinstance(flat, Mapping):
        return flat.get("value")
    return flat


def employee_id_from_event(event: Mapping[str, Any]) -> str | None:
    """Return the employee id of a webhook event: data.employeeId in webhooks v2, employee.id in v1."""
    for container_key, id_key in (("data", "employeeId"), ("employee", "id")):
        container = event.get(container_key)
        if isinstance(container, Mapping):
            try:
                value = clean_text(container.get(id_key))
            except TypeError:
                return None
            if value is not None:
                return value
    return None


def verify_signature(body: bytes, signature: str | None, secret: str) -> bool:
    """Return True when `signature` is the base64 HMAC-SHA512 of the raw body keyed with `secret`.

    An empty secret or a missing signature never verifies. The comparison takes constant time.
    """
    if not secret or not signature:
        return False

    # Bytes, because compare_digest raises TypeError for a str with non-ASCII characters.
    return hmac.compare_digest(sign_body(body, secret).encode(), signature.strip().encode())


def sign_body(body: bytes, secret: str) -> str:
    """Return the Bob-Signature value for a body, as HiBob computes it."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha512).digest()).decode("ascii")


def _nested(container: Mapping[str, Any], path: str) -> Any:
    parts = [part for part in path.split("/") if part]
    if parts and parts[0] == "root":
        parts = parts[1:]

    value: Any = container
    for part in parts:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _text(employee: Mapping[str, Any], path: str, *, human_readable: bool = False) -> str | None:
    value = field_value(employee, path, human_readable=human_readable)
    if value == []:
        return None
    try:
        return clean_text(value)
    except TypeError as exc:
        raise InvalidField(path, str(exc)) from None


def _display_name(employee: Mapping[str, Any], first_name: str | None, last_name: str | None) -> str | None:
    joined = " ".join(part for part in (first_name, last_name) if part) or None
    return _text(employee, "/root/displayName") or _text(employee, "/root/fullName") or joined


def _display_text(employee: Mapping[str, Any], path: str) -> str | None:
    """Return the human-readable text of a field when the response contains it, else its machine value."""
    return _text(employee, path, human_readable=True) or _text(employee, path)


def _date(employee: Mapping[str, Any], path: str) -> date | None:
    text = _text(employee, path)
    if text is None:
        return None
    return parse_iso_date(path, text.split("T", 1)[0], zero_date_is_empty=True)


def _manager(employee: Mapping[str, Any]) -> tuple[str | None, str | None]:
    reports_to = field_value(employee, "/work/reportsTo")
    if reports_to is None or isinstance(reports_to, Mapping):
        return _text(employee, "/work/reportsTo/id"), _text(employee, "/work/reportsTo/displayName")

    # Older responses name the manager in reportsTo and give the id in /work/manager.
    return _text(employee, "/work/manager"), _text(employee, "/work/reportsTo")


def _stated_status(employee: Mapping[str, Any]) -> str | None:
    lifecycle = _text(employee, "/internal/lifecycleStatus")
    if lifecycle is not None and lifecycle.casefold() in LIFECYCLE_MAP:
        return LIFECYCLE_MAP[lifecycle.casefold()]

    status = _text(employee, "/internal/status")
    if status is None:
        return None

    mapped = STATUS_MAP.get(status.casefold())
    if mapped is None:
        raise InvalidField("/internal/status", f"unknown status {status!r}, expected Active or Inactive")
    return mapped


def _identifiers(employee: Mapping[str, Any], identifier_fields: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    identifiers = []
    for path, kind in identifier_fields.items():
        value = _text(employee, path)
        if value is not None:
            identifiers.append((kind, value))
    return tuple(identifiers)


def _raw_id(employee: Any) -> str | None:
    if not isinstance(employee, Mapping):
        return None
    try:
        return _text(employee, "/root/id")
    except InvalidField:
        return None


def _bad_shape(path: str, expected: str) -> ConnectorError:
    return ConnectorError(f"HiBob {path} returned an unexpected body, expected {expected}", reason="bad_response")
