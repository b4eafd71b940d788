"""The form in which an LRS stores a received statement.

Two changes are made before storing, so that reading a statement back costs
no rework:

- every contextActivities value becomes an array, because an LRS returns
  them as arrays (xAPI 1.0.3 Data 2.4.6.2.s4.b3; IEEE 9274.1.1 keeps the
  rule);
- under xAPI 2.0 every timestamp is converted to UTC, because IEEE 9274.1.1
  section 4.2.7 requires an LRS to convert timestamps to UTC rather than
  reject them. Under 1.0.3 a timestamp keeps the serialization it arrived with.

Statement comparison treats both changes as equal (see xapi.canonical), so
a statement sent again in its original form still matches the stored one.
"""

import re
from datetime import timezone

from xapi.timestamps import parse_timestamp

_FRACTION = re.compile(r"[T t]\d{2}:?\d{2}:?\d{2}[.,](\d+)", re.ASCII)


def normalize_statement(statement: dict, version: str) -> dict:
    """Return ``statement`` in its stored form; the argument is not changed.

    The statement must have passed validate_statement under ``version``.
    """
    normalized = _normalize_parts(statement, version)

    target = statement["object"]
    if target.get("objectType") == "SubStatement":
        normalized["object"] = _normalize_parts(target, version)
    return normalized


def to_utc_timestamp(value: str) -> str:
    """Return a valid xAPI timestamp as the same instant in UTC with a "Z" suffix.

    The fraction of a second keeps its digits, at least 3 and at most 6 (the
    precision of Python datetimes), so millisecond precision is preserved.
    A value that already ends in "Z" is returned unchanged.
    """
    if value.endswith("Z") and "T" in value:
        return value

    instant = parse_timestamp(value, "timestamp").astimezone(timezone.utc)
    match = _FRACTION.search(value)
    digits = min(max(len(match.group(1)) if match else 0, 3), 6)
    fraction = f"{instant.microsecond:06d}"[:digits]
    return f"{instant.strftime('%Y-%m-%dT%H:%M:%S')}.{fraction}Z"


def _normalize_parts(statement: dict, version: str) -> dict:
    normalized = dict(statement)

    context = statement.get("context")
    if context and "contextActivities" in context:
        normalized["context"] = {**context, "contextActivities": _as_arrays(context["contextActivities"])}
    if version != "1.0.3" and "timestamp" in statement:
        normalized["timestamp"] = to_utc_timestamp(statement["timestamp"])
    return normalized


def _as_arrays(context_activities: dict) -> dict:
    return {
        activity_type: value if type(value) is list else [value]
        for activity_type, value in context_activities.items()
    }
