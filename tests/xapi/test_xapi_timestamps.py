from datetime import datetime, timedelta, timezone

import pytest

from xapi.errors import ValidationError
from xapi.timestamps import format_timestamp, parse_duration, parse_timestamp

UTC = timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.678Z", datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)),
        ("2024-01-02T03:04:05.057099+00:00", datetime(2024, 1, 2, 3, 4, 5, 57099, tzinfo=UTC)),
        ("2024-01-02T11:04:05+08:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-01T22:04:05-05:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02 03:04:05.601+00:00", datetime(2024, 1, 2, 3, 4, 5, 601000, tzinfo=UTC)),
        ("2024-01-02t03:04:05z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.1234567891Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2016-12-31T23:59:60Z", datetime(2017, 1, 1, 0, 0, 0, tzinfo=UTC)),
    ],
)
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_parse_timestamp_rfc3339_forms(value, expected, version):
    parsed = parse_timestamp(value, "timestamp", version)

    assert parsed == expected
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("20240102T030405Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("20240102T080405+0500", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T05:04:05+02", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T05:04:05+0200", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05,5Z", datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)),
    ],
)
def test_parse_timestamp_iso8601_only_forms(value, expected):
    assert parse_timestamp(value, "timestamp", "1.0.3") == expected

    with pytest.raises(ValidationError) as caught:
        parse_timestamp(value, "timestamp", "2.0.0")
    assert caught.value.path == "timestamp"


def test_parse_timestamp_missing_offset_message():
    with pytest.raises(ValidationError) as caught:
        parse_timestamp("2024-01-02T03:04:05.678", "timestamp", "2.0.0")

    assert "no time zone offset" in caught.value.message


@pytest.mark.parametrize(
    "value",
    [
        "should fail",
        "01/011/2015",
        "",
        "2024-01-02",
        "2024-01-02T03:04Z",
        "2008-09-15T15:53:00.601-00",
        "2008-09-15T15:53:00.601-0000",
        "2008-09-15T15:53:00.601-00:00",
        "2024-02-30T03:04:05Z",
        "2024-13-02T03:04:05Z",
        "2024-01-02T24:00:00Z",
        "2024-01-02T03:61:05Z",
        "2024-01-02T03:04:05+24:00",
        "2024-01-02T03:04:05 Z",
        "2024-01-02T03:04:05.Z",
        " 2024-01-02T03:04:05Z",
    ],
)
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_parse_timestamp_rejects_invalid_value(value, version):
    with pytest.raises(ValidationError) as caught:
        parse_timestamp(value, "context.extensions", version)

    assert caught.value.path == "context.extensions"


@pytest.mark.parametrize("value", [None, 1700000000, {"t": 1}, ["2024-01-02T03:04:05Z"]])
def test_parse_timestamp_rejects_non_string(value):
    with pytest.raises(ValidationError) as caught:
        parse_timestamp(value, "stored")

    assert caught.value.path == "stored"


def test_format_timestamp_milliseconds_in_utc():
    moment = datetime(2024, 1, 2, 5, 4, 5, 123456, tzinfo=timezone(timedelta(hours=2)))

    assert format_timestamp(moment) == "2024-01-02T03:04:05.123Z"


def test_format_timestamp_microseconds():
    moment = datetime(2024, 1, 2, 3, 4, 5, 57099, tzinfo=UTC)

    assert format_timestamp(moment, microseconds=True) == "2024-01-02T03:04:05.057099Z"


def test_format_timestamp_naive_taken_as_utc():
    assert format_timestamp(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05.000Z"


def test_format_timestamp_round_trips_through_parse():
    moment = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)

    assert parse_timestamp(format_timestamp(moment), "t", "2.0.0") == moment


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("PT4H35M59.14S", 4 * 3600 + 35 * 60 + 59.14),
        ("PT16559.14S", 16559.14),
        ("PT1H0M0.1S", 3600.1),
        ("PT0S", 0.0),
        ("PT21H3M2S", 21 * 3600 + 3 * 60 + 2),
        ("P4W", 4 * 7 * 86400),
        ("P1D", 86400),
        ("P3Y", 3 * 365 * 86400),
        ("P1M", 30 * 86400),
        ("PT1M", 60),
        ("P1DT12H", 1.5 * 86400),
        ("P3Y1M29DT4H35M59.14S", 3 * 365 * 86400 + 30 * 86400 + 29 * 86400 + 4 * 3600 + 35 * 60 + 59.14),
        ("PT0.5H", 1800),
        ("PT1,5S", 1.5),
    ],
)
def test_parse_duration_valid(value, seconds):
    assert parse_duration(value, "result.duration") == pytest.approx(seconds)


@pytest.mark.parametrize(
    "value",
    [
        "PA1H0M0S",
        "should fail",
        "",
        "P",
        "PT",
        "P1DT",
        "P4W1D",
        "P16559.14S",
        "PT1.5H30M",
        "-PT1S",
        "P0003-06-04T12:30:05",
        "PT1H30M5.25",
        "pt1s",
        "PT1S ",
    ],
)
def test_parse_duration_rejects_invalid_value(value):
    with pytest.raises(ValidationError) as caught:
        parse_duration(value, "result.duration")

    assert caught.value.path == "result.duration"


@pytest.mark.parametrize("value", [12345, None, {"key": "invalid"}])
def test_parse_duration_rejects_non_string(value):
    with pytest.raises(ValidationError) as caught:
        parse_duration(value, "result.duration")

    assert caught.value.path == "result.duration"
