"""Value checks shared by the HRIS connectors: emails, dates, employment status and storable text."""

from __future__ import annotations

import re
from datetime import date

from connectors.records import PersonRecord

_EMAIL_PATTERN = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
_ISO_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Maximum lengths in characters of the PersonRecord text fields, the sizes of the hub's columns that store
# them (hub/models/people.py). manager_name is not stored and has no limit.
MAX_LENGTHS = {
    "source_id": 200,
    "first_name": 200,
    "last_name": 200,
    "display_name": 300,
    "job_title": 300,
    "department": 300,
    "location": 300,
    "manager_source_id": 200,
}
# Emails and identifier values are kept in a unique B-tree index, whose entries PostgreSQL limits to 2,704
# bytes with its default 8 kB pages. 500 characters are at most 2,000 bytes in UTF-8.
MAX_IDENTIFIER_LENGTH = 500
# Identifier kinds are stored in a 64-character column.
MAX_IDENTIFIER_KIND_LENGTH = 64


class InvalidField(ValueError):
    """Error for a field value that cannot be normalized, with a `message` that states the fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def clean_text(value: object) -> str | None:
    """Return the value as stripped text, or None when it is missing or blank.

    Vendors send numbers as strings or as numbers, so ints pass through as their decimal text.
    """
    if value is None:
        return None

    if isinstance(value, bool):
        raise TypeError(f"expected text, got a boolean {value!r}")

    if isinstance(value, int):
        return str(value)

    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")

    stripped = value.strip()
    return stripped or None


def normalize_email(field: str, value: object) -> str | None:
    """Return the email stripped and lower-cased, or None when blank.

    Raises InvalidField when the value is not an email address.
    """
    text = _clean_field(field, value)
    if text is None:
        return None

    if not _EMAIL_PATTERN.match(text):
        raise InvalidField(field, f"invalid email {text!r}, expected an address like name@example.com")

    return text.lower()


def parse_iso_date(field: str, value: object, *, zero_date_is_empty: bool = False) -> date | None:
    """Parse a YYYY-MM-DD date, None when blank.

    With zero_date_is_empty, the MySQL-style "0000-00-00" that BambooHR sends for an unset date
    also becomes None.
    """
    text = _clean_field(field, value)
    if text is None:
        return None

    if zero_date_is_empty and text == "0000-00-00":
        return None

    if not _ISO_DATE_PATTERN.match(text):
        raise InvalidField(field, f"invalid date {text!r}, expected YYYY-MM-DD")

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidField(field, f"invalid date {text!r}, expected YYYY-MM-DD") from None


def derive_status(stated: str | None, start_date: date | None, end_date: date | None, today: date) -> str:
    """Combine a stated status with the employment dates into active, pending, inactive or terminated.

    The end date is the last day of employment, so a person whose end date has passed is
    terminated whatever the source states. A future start date makes an active or unstated
    person pending.
    """
    if end_date is not None and end_date < today:
        return "terminated"

    if stated in (None, "active") and start_date is not None and start_date > today:
        return "pending"

    return stated or "active"


def _clean_field(field: str, value: object) -> str | None:
    try:
        return clean_text(value)
    except TypeError as exc:
        raise InvalidField(field, str(exc)) from None


def check_text(field: str, value: str | None, max_length: int | None) -> None:
    """Raise InvalidField when the text has a NUL character or more than max_length characters.

    PostgreSQL text cannot contain NUL, so a value with one could never be stored.
    """
    if value is None:
        return

    if "\x00" in value:
        raise InvalidField(field, "contains a NUL character (\\x00); remove it in the source system")

    if max_length is not None and len(value) > max_length:
        raise InvalidField(field, f"is {len(value)} characters long, more than the maximum of {max_length}")


def check_record(record: PersonRecord) -> None:
    """Raise InvalidField, named after the PersonRecord field, for the first value the hub cannot store."""
    for field, max_length in MAX_LENGTHS.items():
        check_text(field, getattr(record, field), max_length)
    check_text("manager_name", record.manager_name, None)
    check_text("email", record.email, MAX_IDENTIFIER_LENGTH)

    for kind, value in record.identifiers:
        check_text("identifier kind", kind, MAX_IDENTIFIER_KIND_LENGTH)
        check_text(f"identifier {kind}", value, MAX_IDENTIFIER_LENGTH)


def printable_id(value: str | None, max_length: int = 100) -> str | None:
    """Return an id shortened to max_length characters with NUL written as \\x00, fit for messages and logs."""
    if value is None:
        return None

    text = value.replace("\x00", "\\x00")
    return text if len(text) <= max_length else text[:max_length] + "..."
