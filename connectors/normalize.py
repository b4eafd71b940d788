"""Value checks shared by the HRIS connectors: emails, dates and employment status."""

from __future__ import annotations

import re
from datetime import date

_EMAIL_PATTERN = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
_ISO_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
