"""ISO 8601 timestamps and durations as xAPI uses them.

xAPI 1.0.3 Data 4.5 requires ISO 8601 timestamps and recommends RFC 3339 with
a time zone. The 1.0.3 and 2.0 LRS conformance suites both reject the
"unknown local offset" forms -00, -0000 and -00:00. Under xAPI 2.0 a
timestamp is an RFC 3339 date-time, so the offset is required.
"""

import re
from datetime import datetime, timedelta, timezone

from xapi.errors import ValidationError, json_type_name

_EXAMPLE = "2024-01-02T03:04:05.678Z"

# Extended format (RFC 3339 is a profile of it). The separator may be "T",
# "t" or a space (RFC 3339 section 5.6 note), fractions use "." or ",".
# Every pattern here is re.ASCII, because a Unicode \d also matches digits
# such as the fullwidth "２".
_EXTENDED = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?" r"(Z|z|[+-]\d{2}(?::?\d{2})?)?", re.ASCII
)
_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?" r"(Z|[+-]\d{2}(?:\d{2})?)?", re.ASCII)
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?" r"(Z|z|[+-]\d{2}:\d{2})?", re.ASCII
)

_UNKNOWN_LOCAL_OFFSETS = frozenset({"-00", "-0000", "-00:00"})

_offset_cache: dict[str, timezone] = {"Z": timezone.utc, "z": timezone.utc}


def parse_timestamp(value: str, path: str, version: str = "1.0.3") -> datetime:
    """Parse an xAPI timestamp into an aware datetime in UTC.

    Under "1.0.3" the ISO 8601 extended and basic formats are accepted and a
    timestamp without an offset is read as UTC. Under "2.0.0" the value must
    be an RFC 3339 date-time with "Z" or a "+hh:mm" offset. Raises
    ValidationError naming ``path`` when the value breaks these rules.
    """
    if not isinstance(value, str):
        raise ValidationError(
            f"must be a timestamp string such as {_EXAMPLE}, not {json_type_name(value)}",
            path,
        )

    strict = version != "1.0.3"
    match = (_RFC3339 if strict else _EXTENDED).fullmatch(value)
    if match is None and not strict:
        match = _BASIC.fullmatch(value)
    if match is None:
        raise ValidationError(
            f"invalid timestamp {value!r}: expected an ISO 8601 date and time such as {_EXAMPLE}",
            path,
        )

    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if offset is None and strict:
        raise ValidationError(
            f"timestamp {value!r} has no time zone offset: xAPI 2.0 requires "
            f"'Z' or '+hh:mm', for example {_EXAMPLE}",
            path,
        )
    if offset in _UNKNOWN_LOCAL_OFFSETS:
        raise ValidationError(
            f"timestamp {value!r} uses the unknown-local-offset form {offset}: "
            "use 'Z' or '+00:00' for UTC",
            path,
        )

    return _build_datetime(value, path, year, month, day, hour, minute, second, fraction, offset)


def format_timestamp(dt: datetime, *, microseconds: bool = False) -> str:
    """Format a datetime as an xAPI timestamp in UTC, such as 2024-01-02T03:04:05.123Z.

    The output keeps milliseconds, or microseconds when ``microseconds`` is
    true; xAPI 1.0.3 Data 4.5 allows truncation to milliseconds. A naive
    datetime is taken to be in UTC already.
    """
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc)

    # strftime("%Y") drops the leading zeros of years before 1000 on glibc.
    base = f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    if microseconds:
        return f"{base}.{dt.microsecond:06d}Z"
    return f"{base}.{dt.microsecond // 1000:03d}Z"


# ISO 8601:2004 section 4.4.3.2 duration format (xAPI 1.0.3 Data 4.6). A
# decimal fraction is allowed on the smallest component only, which
# _check_duration_fraction enforces; the alternative format is rejected.
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(
    rf"P(?:{_NUMBER}W|(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}D)?"
    rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?)",
    re.ASCII,
)

# NOTE: years and months have no fixed length, so a year counts as 365 days
# and a month as 30 days. Only parse_duration's result is approximate; the
# statement keeps the original string.
_DURATION_UNIT_SECONDS = (
    7 * 86400.0,  # W
    365 * 86400.0,  # Y
    30 * 86400.0,  # M (month)
    86400.0,  # D
    3600.0,  # H
    60.0,  # M (minute)
    1.0,  # S
)


def parse_duration(value: str, path: str) -> float:
    """Parse an ISO 8601 duration such as PT1H30M5.25S into seconds.

    Raises ValidationError naming ``path`` when the value is not in the ISO
    8601 duration format that xAPI requires.
    """
    if not isinstance(value, str):
        raise ValidationError(
            f"must be an ISO 8601 duration string such as PT1H30M5.25S, not {json_type_name(value)}",
            path,
        )

    match = _DURATION.fullmatch(value)
    if match is None or value.endswith("T"):
        raise _invalid_duration(value, path)

    components = match.groups()
    present = [index for index, number in enumerate(components) if number is not None]
    if not present:
        raise _invalid_duration(value, path)
    _check_duration_fraction(value, path, components, present)

    seconds = 0.0
    for index in present:
        seconds += float(components[index].replace(",", ".")) * _DURATION_UNIT_SECONDS[index]
    return seconds


def _check_duration_fraction(value: str, path: str, components: tuple, present: list[int]) -> None:
    for index in present[:-1]:
        if "." in components[index] or "," in components[index]:
            raise ValidationError(
                f"invalid duration {value!r}: only the smallest component may "
                "have a decimal fraction (ISO 8601)",
                path,
            )


def _invalid_duration(value: str, path: str) -> ValidationError:
    return ValidationError(
        f"invalid duration {value!r}: expected an ISO 8601 duration such as PT1H30M5.25S, P3Y1M29D or P4W",
        path,
    )


def _build_datetime(value, path, year, month, day, hour, minute, second, fraction, offset) -> datetime:
    second_number = int(second)
    leap_second = second_number == 60
    microsecond = int(fraction[:6].ljust(6, "0")) if fraction else 0

    try:
        tzinfo = _parse_offset(offset)
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            59 if leap_second else second_number,
            microsecond,
            tzinfo=tzinfo,
        )
    except ValueError as error:
        raise ValidationError(
            f"invalid timestamp {value!r}: {error}; expected a real date and time such as {_EXAMPLE}",
            path,
        ) from None

    try:
        if leap_second:
            # Python datetimes have no leap seconds, so hh:mm:60 is read
            # as the first instant of the next minute.
            parsed += timedelta(seconds=1)
        return parsed.astimezone(timezone.utc) if tzinfo is not timezone.utc else parsed
    except OverflowError:
        raise ValidationError(
            f"invalid timestamp {value!r}: in UTC it falls outside the years 0001 to 9999",
            path,
        ) from None


def _parse_offset(offset: str | None) -> timezone:
    if offset is None:
        # xAPI 1.0.3 only recommends an offset, so a timestamp
        # without one is read as UTC.
        return timezone.utc

    cached = _offset_cache.get(offset)
    if cached is not None:
        return cached

    digits = offset[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) > 2 else 0
    if hours > 23 or minutes > 59:
        raise ValueError(f"time zone offset {offset} is out of range")

    delta = timedelta(hours=hours, minutes=minutes)
    tzinfo = timezone(-delta if offset[0] == "-" else delta)
    if len(_offset_cache) < 256:
        _offset_cache[offset] = tzinfo
    return tzinfo
