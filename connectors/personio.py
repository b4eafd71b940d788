"""Personio connector: employees from the v1 Personnel Data API, with a cached bearer token.

API reference: https://developer.personio.de/reference/get_company-employees and
https://developer.personio.de/reference/auth. A token comes from POST /v1/auth with the client id
and secret of an API credential. Personio keeps it stable for 24 hours, so it is cached and
fetched again once when a request returns 401. GET /v1/company/employees pages with `limit` and
`offset`, at most 100 employees a page since 2025, and `updated_since` selects employees changed
since a time.

Payload quirks handled here, as seen in recorded responses: every attribute is wrapped as
{"label": ..., "value": ...}, ids are numbers, dates are timestamps such as
"1983-09-01T00:00:00+02:00", department and office are {"type", "attributes": {"id", "name"}}
objects, the supervisor is an Employee object with wrapped attributes, and empty values are null,
"" or [].

PersonioV2Client reads the v2 Persons and Employments APIs instead, with an OAuth 2 token from
POST /v2/auth/token. Its payload shapes follow Personio's v2 OpenAPI specifications
"credentials-service-api-v2", "persons-service-api-v2" and "employment-contract-v2" (version
2.0.0, as published on developer.personio.de/openapi).
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import requests

from connectors.bamboohr import PeopleSync, format_since
from connectors.http import DEFAULT_TIMEOUT, ConnectorError, HttpClient, RetryPolicy, decode_json, paginate
from connectors.normalize import InvalidField, clean_text, derive_status, normalize_email, parse_iso_date
from connectors.records import PersonRecord, RecordError

logger = logging.getLogger(__name__)

SOURCE = "personio"
DEFAULT_BASE_URL = "https://api.personio.de/v1/"
PAGE_SIZE = 100

# Personio keeps a token for 24 hours. It is renewed this long before, so that no request starts
# with a token about to expire.
TOKEN_LIFETIME = timedelta(hours=24)
TOKEN_RENEWAL_MARGIN = timedelta(minutes=10)

# The cursor is stored this far before the sync started, so that an employee changed while the
# sync ran is read again by the next one.
CURSOR_MARGIN = timedelta(minutes=5)

# NOTE: Personio takes updated_since without a time zone and does not document which one it
# applies. Sending the cursor 14 hours early covers every UTC offset of a company's time zone,
# at the cost of reading some employees twice, which changes nothing.
UPDATED_SINCE_SLACK = timedelta(hours=14)

# Personio employment statuses and the Skillwire status each one becomes before the dates are
# applied. An employee on leave is still employed but not working, like BambooHR's "Inactive".
STATUS_MAP = {
    "active": "active",
    "inactive": "inactive",
    "onboarding": "pending",
    "leave": "inactive",
}


class _PersonioClientBase(ABC):
    """The constructor, token cache and authorized GET shared by the v1 and v2 Personio clients.

    `base_url` and `page_size` default to the subclass's `default_base_url` and `max_page_size`.
    """

    default_base_url: str
    max_page_size: int

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url: str | None = None,
        identifier_attributes: Mapping[str, str] | None = None,
        page_size: int | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        session: requests.Session | None = None,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("missing Personio client id or client secret")
        if base_url is None:
            base_url = self.default_base_url
        if page_size is None:
            page_size = self.max_page_size
        if not 1 <= page_size <= self.max_page_size:
            raise ValueError(f"invalid Personio page size {page_size}, expected 1 to {self.max_page_size}")

        self._client_id = client_id
        self._client_secret = client_secret
        self.identifier_attributes = dict(identifier_attributes or {})
        self.page_size = page_size
        self.clock = clock
        self._token: str | None = None
        self._token_expires_at = 0.0
        self.http = HttpClient(base_url, timeout=timeout, retry=retry, sleep=sleep, session=session)

    def _get_json(self, path: str, params: Mapping[str, Any] | None) -> Any:
        """GET with the cached token, fetching a new token and repeating once after a 401 response."""
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._access_token()}"}
            try:
                response = self.http.request("GET", path, params=params, headers=headers)
            except ConnectorError as exc:
                if exc.status != 401 or attempt == 2:
                    raise
                logger.info("Personio returned 401 for %s; fetching a new token and trying once more", exc.url)
                self._token = None
                continue
            return decode_json(response)

        raise AssertionError("unreachable: the second attempt returns or raises")

    @abstractmethod
    def _access_token(self) -> str:
        """Return the cached bearer token, fetching a new one when there is none or it has expired."""


class PersonioClient(_PersonioClientBase):
    """Read employees from one Personio company.

    `identifier_attributes` maps Personio attribute keys to identifier kinds, for example
    {"dynamic_1146702": "lms_username"}; their values become PersonRecord.identifiers.
    `clock` returns monotonic seconds and decides when the cached token expires.
    """

    default_base_url = DEFAULT_BASE_URL
    max_page_size = PAGE_SIZE

    def employees_page(self, offset: int, *, updated_since: str | None = None) -> dict[str, Any]:
        """Return one page of GET company/employees: {"success", "data": [...], "metadata": {...}}."""
        params: dict[str, Any] = {"limit": self.page_size, "offset": offset}
        if updated_since is not None:
            params["updated_since"] = updated_since

        payload = self._get_json("company/employees", params)
        _data(payload, "company/employees", list)
        return payload

    def employee(self, employee_id: str) -> dict[str, Any]:
        """Return one employee object {"type": "Employee", "attributes": {...}} from GET company/employees/{id}."""
        path = f"company/employees/{quote(str(employee_id), safe='')}"
        return _data(self._get_json(path, None), path, Mapping)

    def iter_people(self, *, today: date | None = None) -> Iterator[PersonRecord | RecordError]:
        """Yield every employee, current and former, as a PersonRecord or a RecordError."""
        yield from self.sync_people(today=today).records

    def sync_people(self, since: datetime | str | None = None, *, today: date | None = None) -> PeopleSync:
        """Start a full sync (since=None) or an incremental one from a cursor of an earlier sync."""
        current_day = today or date.today()
        started = datetime.now(timezone.utc)
        cursor = (started - CURSOR_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")

        updated_since = None
        if since is not None:
            since_time = datetime.fromisoformat(format_since(since).replace("Z", "+00:00"))
            updated_since = (since_time - UPDATED_SINCE_SLACK).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
            logger.info("Personio incremental sync: employees updated since %s (UTC)", updated_since)
        else:
            logger.info("Personio full sync started")

        records = self._records(updated_since, current_day)
        return PeopleSync(cursor=cursor, full=since is None, deleted_ids=(), records=records)

    def _records(self, updated_since: str | None, today: date) -> Iterator[PersonRecord | RecordError]:
        seen_ids: set[str] = set()

        def fetch_page(offset: Hashable | None) -> tuple[list[Any], int | None]:
            start = int(offset or 0)
            payload = self.employees_page(start, updated_since=updated_since)
            employees = payload["data"]
            return employees, self._next_offset(payload, start, len(employees))

        for employee in paginate(fetch_page, url=self.http.url_for("company/employees")):
            record = self._to_record(employee, today)
            if isinstance(record, PersonRecord):
                if record.source_id in seen_ids:
                    # Offset paging can repeat an employee when the list changes between pages.
                    continue
                seen_ids.add(record.source_id)
            yield record

    def _next_offset(self, payload: Mapping[str, Any], offset: int, count: int) -> int | None:
        """Return the offset of the next page, or None after the last page.

        A page shorter than the limit is the last, and so is a longer one, which means that
        Personio ignored the paging parameters and returned everything at once.
        """
        if count != self.page_size:
            return None

        metadata = payload.get("metadata")
        if isinstance(metadata, Mapping):
            current_page, total_pages = metadata.get("current_page"), metadata.get("total_pages")
            if isinstance(current_page, int) and isinstance(total_pages, int) and current_page + 1 >= total_pages:
                return None

        return offset + count

    def _to_record(self, employee: Any, today: date) -> PersonRecord | RecordError:
        try:
            return person_from_employee(employee, today=today, identifier_attributes=self.identifier_attributes)
        except InvalidField as exc:
            source_id = _raw_id(employee)
            logger.warning("Personio employee %s skipped: %s", source_id, exc)
            message = f"employee {source_id or '(no id)'}, attribute {exc.field}: {exc.message}"
            return RecordError(source=SOURCE, source_id=source_id, line=None, field=exc.field, message=message)

    def _access_token(self) -> str:
        if self._token is None or self.clock() >= self._token_expires_at:
            self._token = self._fetch_token()
            lifetime = TOKEN_LIFETIME - TOKEN_RENEWAL_MARGIN
            self._token_expires_at = self.clock() + lifetime.total_seconds()
        return self._token

    def _fetch_token(self) -> str:
        body = {"client_id": self._client_id, "client_secret": self._client_secret}
        payload = decode_json(self.http.request("POST", "auth", json=body))
        token = _data(payload, "auth", Mapping).get("token")
        if not isinstance(token, str) or not token:
            raise ConnectorError("Personio auth returned no token", reason="bad_response", url=self.http.url_for("auth"))

        logger.info("Personio access token fetched")
        return token


def person_from_employee(
    employee: Mapping[str, Any],
    *,
    today: date | None = None,
    identifier_attributes: Mapping[str, str] | None = None,
) -> PersonRecord:
    """Convert one Personio employee object into a PersonRecord, raising InvalidField when it is malformed.

    Accepts the objects of company/employees and company/employees/{id}, with attributes wrapped
    in {"label", "value"} or given as plain values.
    """
    attributes = _attributes(employee)

    source_id = _text(attributes, "id")
    if source_id is None:
        raise InvalidField("id", "missing employee id")

    start_date = _date(attributes, "hire_date")
    end_date = _date(attributes, "termination_date")
    if start_date is not None and end_date is not None and end_date < start_date:
        # A termination before the current hire date belongs to an earlier employment.
        end_date = None

    first_name = _text(attributes, "first_name")
    last_name = _text(attributes, "last_name")
    given_name = _text(attributes, "preferred_name") or first_name
    supervisor = _Supervisor.read(attributes)

    return PersonRecord(
        source=SOURCE,
        source_id=source_id,
        email=normalize_email("email", _value(attributes, "email")),
        first_name=first_name,
        last_name=last_name,
        display_name=" ".join(part for part in (given_name, last_name) if part) or None,
        job_title=_text(attributes, "position"),
        department=_object_name(attributes, "department"),
        location=_object_name(attributes, "office"),
        manager_source_id=supervisor.source_id,
        manager_name=supervisor.name,
        status=derive_status(_stated_status(attributes), start_date, end_date, today or date.today()),
        start_date=start_date,
        end_date=end_date,
        identifiers=_identifiers(attributes, identifier_attributes or {}),
        raw=dict(employee),
    )


class _Supervisor:
    """The supervisor's id and name, read from an Employee object that may wrap its own attributes."""

    def __init__(self, source_id: str | None, name: str | None) -> None:
        self.source_id = source_id
        self.name = name

    @classmethod
    def read(cls, attributes: Mapping[str, Any]) -> _Supervisor:
        value = _value(attributes, "supervisor")
        if value in (None, "", [], {}):
            return cls(None, None)
        if not isinstance(value, Mapping):
            raise InvalidField("supervisor", f"expected an Employee object, got {type(value).__name__}")

        supervisor = _attributes(value, field="supervisor")
        source_id = _text(supervisor, "id", field="supervisor.id")
        names = (_text(supervisor, "first_name", field="supervisor"), _text(supervisor, "last_name", field="supervisor"))
        return cls(source_id, " ".join(part for part in names if part) or None)


def _attributes(employee: Any, *, field: str = "attributes") -> Mapping[str, Any]:
    if not isinstance(employee, Mapping):
        raise InvalidField(field, f"employee record is a {type(employee).__name__}, expected a JSON object")

    attributes = employee.get("attributes")
    if not isinstance(attributes, Mapping):
        raise InvalidField(field, "missing 'attributes' object")
    return attributes


def _value(attributes: Mapping[str, Any], name: str) -> Any:
    entry = attributes.get(name)
    if isinstance(entry, Mapping) and "value" in entry:
        return entry["value"]
    return entry


def _text(attributes: Mapping[str, Any], name: str, *, field: str | None = None) -> str | None:
    value = _value(attributes, name)
    if value == []:
        return None
    try:
        return clean_text(value)
    except TypeError as exc:
        raise InvalidField(field or name, str(exc)) from None


def _date(attributes: Mapping[str, Any], name: str) -> date | None:
    """Parse a Personio date, which comes as a timestamp with an offset; its date part is the local date."""
    text = _text(attributes, name)
    if text is None:
        return None
    return parse_iso_date(name, text.split("T", 1)[0], zero_date_is_empty=True)


def _object_name(attributes: Mapping[str, Any], name: str) -> str | None:
    """Return the name of a department or office object; a plain string is taken as the name."""
    value = _value(attributes, name)
    if value in (None, "", []):
        return None
    if isinstance(value, str):
        return clean_text(value)
    if not isinstance(value, Mapping) or not isinstance(value.get("attributes"), Mapping):
        raise InvalidField(name, f"expected an object with 'attributes', got {type(value).__name__}")
    return _text(value["attributes"], "name", field=name)


def _stated_status(attributes: Mapping[str, Any]) -> str | None:
    status = _text(attributes, "status")
    if status is None:
        return None

    mapped = STATUS_MAP.get(status.casefold())
    if mapped is None:
        raise InvalidField("status", f"unknown status {status!r}, expected one of {', '.join(STATUS_MAP)}")
    return mapped


def _identifiers(attributes: Mapping[str, Any], identifier_attributes: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    identifiers = []
    for name, kind in identifier_attributes.items():
        value = _text(attributes, name)
        if value is not None:
            identifiers.append((kind, value))
    return tuple(identifiers)


def _raw_id(employee: Any) -> str | None:
    try:
        return _text(_attributes(employee), "id")
    except InvalidField:
        return None


def _data(payload: Any, path: str, expected: type) -> Any:
    """Return payload["data"] of a {"success": true, "data": ...} envelope, raising ConnectorError otherwise."""
    if not isinstance(payload, Mapping):
        raise ConnectorError(f"Personio {path} returned an unexpected body, expected a JSON object", reason="bad_response")

    if payload.get("success") is False:
        error = payload.get("error")
        message = error.get("message") if isinstance(error, Mapping) else None
        raise ConnectorError(f"Personio {path} reported an error: {message or 'no message'}", reason="bad_response")

    data = payload.get("data")
    if not isinstance(data, expected):
        raise ConnectorError(
            f"Personio {path} returned an unexpected body, expected 'data' to be a {expected.__name__}",
            reason="bad_response",
        )
    return data


# Personio API v2. The spec caps `limit` at 50 for both GET /v2/persons and
# GET /v2/persons/{person_id}/employments.
V2_DEFAULT_BASE_URL = "https://api.personio.de/"
V2_PAGE_SIZE = 50

# The token response documents expires_in with a default of one day; this is used when it is absent.
V2_DEFAULT_TOKEN_SECONDS = 86400

# Employment statuses of the v2 Employment schema and the Skillwire status each one becomes before
# the dates are applied. UNSPECIFIED leaves the status to the dates.
V2_STATUS_MAP = {
    "ACTIVE": "active",
    "ONBOARDING": "pending",
    "LEAVE": "inactive",
    "INACTIVE": "inactive",
    "UNSPECIFIED": None,
}

# The v2 Person status, used only for a person without any employment. ACTIVE covers the
# employment statuses ACTIVE, LEAVE and ONBOARDING.
V2_PERSON_STATUS_MAP = {"ACTIVE": "active", "INACTIVE": "inactive", "UNSPECIFIED": None}


def v2_base_url(base_url: str) -> str:
    """Return the API root for v2 paths, dropping a trailing /v1 segment from a v1 base URL."""
    parts = urlsplit(base_url)
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    return parts._replace(path=path + "/").geturl()


class PersonioV2Client(_PersonioClientBase):
    """Read persons and their current employment from the Personio API v2.

    `identifier_attributes` maps custom attribute ids, such as {"dynamic_305": "lms_username"}, to
    identifier kinds; their values become PersonRecord.identifiers.

    Every person costs one extra request for its employments, so a sync of N persons sends about
    N + N / 50 requests. `clock` returns monotonic seconds and decides when the cached token expires.
    """

    default_base_url = V2_DEFAULT_BASE_URL
    max_page_size = V2_PAGE_SIZE

    def persons_page(self, cursor: str | None) -> tuple[list[Any], str | None]:
        """Return the persons of one GET v2/persons page and the cursor of the next page, or None after the last."""
        params: dict[str, Any] = {"limit": self.page_size}
        if cursor is not None:
            params["cursor"] = cursor

        payload = self._get_json("v2/persons", params)
        return _v2_items(payload, "v2/persons"), _v2_next_cursor(payload, "v2/persons")

    def current_employment(self, person_id: str) -> Mapping[str, Any] | None:
        """Return the most recent employment of a person, or None when the person has none.

        Personio documents that GET v2/persons/{person_id}/employments lists the most recent
        employment first, so only one item is requested.
        """
        path = f"v2/persons/{quote(person_id, safe='')}/employments"
        employments = _v2_items(self._get_json(path, {"limit": 1}), path)
        if not employments:
            return None
        if not isinstance(employments[0], Mapping):
            raise InvalidField("employment", f"employment is a {type(employments[0]).__name__}, expected a JSON object")
        return employments[0]

    def iter_people(self, *, today: date | None = None) -> Iterator[PersonRecord | RecordError]:
        """Yield every person, current and former, as a PersonRecord or a RecordError."""
        yield from self.sync_people(today=today).records

    def sync_people(self, since: datetime | str | None = None, *, today: date | None = None) -> PeopleSync:
        """Start a full sync, which reads every person whatever `since` is."""
        # NOTE: the v2 spec offers updated_at.gt on persons but does not say whether an employment
        # change updates the person's updated_at, so every v2 sync reads all persons.
        current_day = today or date.today()
        cursor = (datetime.now(timezone.utc) - CURSOR_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")
        logger.info("Personio v2 full sync started")
        return PeopleSync(cursor=cursor, full=True, deleted_ids=(), records=self._records(current_day))

    def _records(self, today: date) -> Iterator[PersonRecord | RecordError]:
        def fetch_page(cursor: Hashable | None) -> tuple[list[Any], str | None]:
            return self.persons_page(None if cursor is None else str(cursor))

        for person in paginate(fetch_page, url=self.http.url_for("v2/persons")):
            yield self._to_record(person, today)

    def _to_record(self, person: Any, today: date) -> PersonRecord | RecordError:
        source_id = None
        try:
            if not isinstance(person, Mapping):
                raise InvalidField("person", f"person record is a {type(person).__name__}, expected a JSON object")
            source_id = _v2_text(person, "id")
            if source_id is None:
                raise InvalidField("id", "missing person id")

            employment = self.current_employment(source_id)
            return person_from_v2(person, employment, today=today, identifier_attributes=self.identifier_attributes)
        except InvalidField as exc:
            logger.warning("Personio v2 person %s skipped: %s", source_id, exc)
            message = f"person {source_id or '(no id)'}, field {exc.field}: {exc.message}"
            return RecordError(source=SOURCE, source_id=source_id, line=None, field=exc.field, message=message)

    def _access_token(self) -> str:
        if self._token is None or self.clock() >= self._token_expires_at:
            self._token, lifetime = self._fetch_token()
            # Renew TOKEN_RENEWAL_MARGIN early, or halfway through a lifetime shorter than twice that margin.
            margin = min(TOKEN_RENEWAL_MARGIN.total_seconds(), lifetime / 2)
            self._token_expires_at = self.clock() + lifetime - margin
        return self._token

    def _fetch_token(self) -> tuple[str, float]:
        """Fetch a token with the OAuth 2 client credentials grant and return it with its lifetime in seconds."""
        fields = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        payload = self.http.post_form("v2/auth/token", fields)
        url = self.http.url_for("v2/auth/token")

        token = payload.get("access_token") if isinstance(payload, Mapping) else None
        if not isinstance(token, str) or not token:
            raise ConnectorError("Personio v2/auth/token returned no access_token", reason="bad_response", url=url)

        expires_in = payload.get("expires_in", V2_DEFAULT_TOKEN_SECONDS)
        if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)) or expires_in <= 0:
            raise ConnectorError(
                f"Personio v2/auth/token returned an invalid expires_in {expires_in!r}, expected positive seconds",
                reason="bad_response",
                url=url,
            )

        logger.info("Personio v2 access token fetched, valid for %d s", expires_in)
        return token, float(expires_in)


def person_from_v2(
    person: Mapping[str, Any],
    employment: Mapping[str, Any] | None,
    *,
    today: date | None = None,
    identifier_attributes: Mapping[str, str] | None = None,
) -> PersonRecord:
    """Convert a v2 Person and its most recent Employment into a PersonRecord, raising InvalidField when malformed.

    The v2 Employment documents only ids for the supervisor and org units, so the department is
    the id of the org unit of type "department", and the manager name and location stay empty.
    """
    source_id = _v2_text(person, "id")
    if source_id is None:
        raise InvalidField("id", "missing person id")

    work = employment or {}
    start_date = parse_iso_date("employment_start_date", _v2_text(work, "employment_start_date"))
    end_date = _v2_end_date(work)
    if start_date is not None and end_date is not None and end_date < start_date:
        # The spec's own example has a termination before the start date, from an earlier employment.
        end_date = None

    first_name = _v2_text(person, "first_name")
    last_name = _v2_text(person, "last_name")
    given_name = _v2_text(person, "preferred_name") or first_name

    return PersonRecord(
        source=SOURCE,
        source_id=source_id,
        email=normalize_email("email", person.get("email")),
        first_name=first_name,
        last_name=last_name,
        display_name=" ".join(part for part in (given_name, last_name) if part) or None,
        job_title=_v2_reference(work, "position", "title"),
        # NOTE: v2 employments carry only org unit ids, so this is an id. Names need the org-units API.
        department=_v2_department_id(work),
        location=None,
        manager_source_id=_v2_reference(work, "supervisor", "id"),
        manager_name=None,
        status=derive_status(_v2_status(person, employment), start_date, end_date, today or date.today()),
        start_date=start_date,
        end_date=end_date,
        identifiers=_v2_identifiers(person, identifier_attributes or {}),
        raw={"person": dict(person), "employment": dict(work)},
    )


def _v2_text(item: Mapping[str, Any], name: str, *, field: str | None = None) -> str | None:
    try:
        return clean_text(item.get(name))
    except TypeError as exc:
        raise InvalidField(field or name, str(exc)) from None


def _v2_reference(item: Mapping[str, Any], name: str, key: str) -> str | None:
    """Return item[name][key], such as the supervisor id or the position title; None when absent."""
    value = item.get(name)
    if value in (None, {}):
        return None
    if not isinstance(value, Mapping):
        raise InvalidField(name, f"expected an object, got {type(value).__name__}")
    return _v2_text(value, key, field=f"{name}.{key}")


def _v2_identifiers(person: Mapping[str, Any], identifier_attributes: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Return (kind, value) pairs from the custom_attributes whose id identifier_attributes names."""
    custom_attributes = person.get("custom_attributes")
    if not identifier_attributes or custom_attributes in (None, []):
        return ()
    if not isinstance(custom_attributes, list):
        raise InvalidField("custom_attributes", f"expected a list, got {type(custom_attributes).__name__}")

    identifiers = []
    for attribute in custom_attributes:
        if not isinstance(attribute, Mapping) or attribute.get("id") not in identifier_attributes:
            continue
        value = _v2_text(attribute, "value", field=f"custom_attributes.{attribute['id']}")
        if value is not None:
            identifiers.append((identifier_attributes[attribute["id"]], value))
    return tuple(identifiers)


def _v2_end_date(employment: Mapping[str, Any]) -> date | None:
    end_date = parse_iso_date("employment_end_date", _v2_text(employment, "employment_end_date"))
    if end_date is not None:
        return end_date

    termination = employment.get("termination")
    if termination in (None, {}):
        return None
    if not isinstance(termination, Mapping):
        raise InvalidField("termination", f"expected an object, got {type(termination).__name__}")
    return parse_iso_date("termination.termination_date", _v2_text(termination, "termination_date"))


def _v2_department_id(employment: Mapping[str, Any]) -> str | None:
    org_units = employment.get("org_units")
    if org_units in (None, []):
        return None
    if not isinstance(org_units, list):
        raise InvalidField("org_units", f"expected a list, got {type(org_units).__name__}")

    for unit in org_units:
        if isinstance(unit, Mapping) and unit.get("type") == "department":
            return _v2_text(unit, "id", field="org_units.id")
    return None


def _v2_status(person: Mapping[str, Any], employment: Mapping[str, Any] | None) -> str | None:
    field = "status"
    stated = _v2_text(employment, "status") if employment is not None else None
    known: Mapping[str, str | None] = V2_STATUS_MAP
    if employment is None:
        field = "person.status"
        stated = _v2_text(person, "status")
        known = V2_PERSON_STATUS_MAP

    if stated is None:
        return None
    if stated.upper() not in known:
        raise InvalidField(field, f"unknown status {stated!r}, expected one of {', '.join(known)}")
    return known[stated.upper()]


def _v2_items(payload: Any, path: str) -> list[Any]:
    """Return payload["_data"] of a v2 list response, raising ConnectorError otherwise."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("_data"), list):
        raise ConnectorError(
            f"Personio {path} returned an unexpected body, expected a JSON object with a '_data' list",
            reason="bad_response",
        )
    return payload["_data"]


def _v2_next_cursor(payload: Mapping[str, Any], path: str) -> str | None:
    """Return the cursor query parameter of _meta.links.next.href, or None when there is no next link.

    Only the cursor is taken from the link, because the spec's own examples show next links with
    a different path than the list they belong to.
    """
    meta = payload.get("_meta")
    links = meta.get("links") if isinstance(meta, Mapping) else None
    next_link = links.get("next") if isinstance(links, Mapping) else None
    if next_link is None:
        return None

    href = next_link.get("href") if isinstance(next_link, Mapping) else None
    cursors = parse_qs(urlsplit(href).query).get("cursor") if isinstance(href, str) else None
    if not cursors or not cursors[0]:
        raise ConnectorError(
            f"Personio {path} returned a next link without a cursor: {href!r}", reason="bad_response"
        )
    return cursors[0]
