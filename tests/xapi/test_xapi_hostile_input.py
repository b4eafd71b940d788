"""Hostile input the xapi library must reject with ValidationError or ValueError, never another exception:
non-ASCII digits, dates that overflow in UTC, control characters and identifiers too long to index, and JSON
that nests too deeply or contains non-finite numbers."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from xapi_test_support import VERSIONS, minimal_statement, rejection, set_value

from xapi import strict_json
from xapi.documents import merge_json_documents, parse_agent, parse_document_params, parse_json_document
from xapi.errors import UnsupportedVersion, ValidationError
from xapi.query import parse_statement_query
from xapi.timestamps import format_timestamp, parse_duration, parse_timestamp
from xapi.validation import validate_statement
from xapi.validation.primitives import MAX_IDENTIFIER_BYTES
from xapi.versions import resolve_version

DEEP_ARRAY = "[" * 1500 + "]" * 1500
AGENT = '{"mbox": "mailto:learner@example.com"}'
ACTIVITY = "http://example.com/activities/course-1"


# ---------------------------------------------------------------------------------------------------------
# Non-ASCII digits


@pytest.mark.parametrize("value", ["２０２０-01-01T00:00:00Z", "2020-01-01T0٣:00:00Z", "２０２００１０１T000000Z",
                                   "2020-01-01T00:00:00+0１:00"])
@pytest.mark.parametrize("version", VERSIONS)
def test_timestamp_with_non_ascii_digits_rejected(value, version):
    with pytest.raises(ValidationError) as caught:
        parse_timestamp(value, "timestamp", version)

    assert caught.value.path == "timestamp"


@pytest.mark.parametrize("value", ["PT１H", "P１D", "PT1.５S", "P２W"])
def test_duration_with_non_ascii_digits_rejected(value):
    with pytest.raises(ValidationError):
        parse_duration(value, "result.duration")


def test_statement_version_with_non_ascii_digit_rejected():
    error = rejection(set_value(minimal_statement(), "version", "1.0.٣"), "1.0.3")

    assert error.path == "version"


def test_version_header_with_non_ascii_digit_rejected():
    with pytest.raises(UnsupportedVersion):
        resolve_version("1.0.٣")


# ---------------------------------------------------------------------------------------------------------
# Dates at the ends of the datetime range


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00",
                                   "9999-12-31T23:59:60Z"])
def test_timestamp_outside_utc_range_rejected(value):
    with pytest.raises(ValidationError) as caught:
        parse_timestamp(value, "since")

    assert caught.value.path == "since"


def test_statement_timestamp_outside_utc_range_rejected():
    error = rejection(set_value(minimal_statement(), "timestamp", "0001-01-01T00:00:00+01:00"), "1.0.3")

    assert error.path == "timestamp"


@pytest.mark.parametrize("name", ["since", "until"])
def test_query_time_outside_utc_range_rejected(name):
    with pytest.raises(ValidationError) as caught:
        parse_statement_query({name: "9999-12-31T23:59:59-14:00"}, "1.0.3")

    assert caught.value.path == name


def test_document_since_outside_utc_range_rejected():
    with pytest.raises(ValidationError) as caught:
        parse_document_params("state", "GET", {"activityId": ACTIVITY, "agent": AGENT,
                                               "since": "0001-01-01T00:00:00+01:00"}, "1.0.3")

    assert caught.value.path == "since"


def test_format_timestamp_pads_early_years():
    formatted = format_timestamp(datetime(1, 1, 1, tzinfo=timezone.utc))

    assert formatted == "0001-01-01T00:00:00.000Z"
    assert parse_timestamp(formatted, "stored") == datetime(1, 1, 1, tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------------------------
# Control characters


@pytest.mark.parametrize("path, value", [
    ("actor", {"mbox": "mailto:a\u0000@example.com"}),
    ("actor", {"mbox": "mailto:a@exa\u0007mple.com"}),
    ("actor", {"account": {"homePage": "http://lms.example.com", "name": "a\u0000"}}),
    ("actor", {"account": {"homePage": "http://lms.example.com", "name": "a\nb"}}),
    ("actor", {"openid": "http://openid.example.com/a\u0000"}),
    ("actor", {"account": {"homePage": "http://lms.example.com/\u0000", "name": "a"}}),
    ("verb.id", "http://example.com/verbs/a\u0000"),
    ("object.id", "http://example.com/activities/a\u001f"),
])
def test_identifier_with_control_character_rejected(path, value):
    statement = set_value(minimal_statement(), path, value)

    error = rejection(statement, "1.0.3")

    assert error.path.startswith(path)


def test_agent_name_with_control_character_accepted():
    # The name is no identifier, so it is stored as sent, escaped in the statement JSON.
    statement = set_value(minimal_statement(), "actor.name", "Ana\u0000")

    validate_statement(statement, "1.0.3")


def test_attachment_content_type_with_control_character_rejected():
    statement = set_value(minimal_statement(), "attachments", [{
        "usageType": "http://example.com/usage", "display": {"en-US": "a"}, "contentType": "text/plain; a=\u0000",
        "length": 1, "sha2": "a" * 64}])

    error = rejection(statement, "1.0.3")

    assert error.path == "attachments[0].contentType"


@pytest.mark.parametrize("document_id", ["a\u0000b", "a\nb", "\u007f"])
def test_document_id_with_control_character_rejected(document_id):
    with pytest.raises(ValidationError) as caught:
        parse_document_params("state", "PUT", {"activityId": ACTIVITY, "agent": AGENT, "stateId": document_id},
                              "1.0.3")

    assert caught.value.path == "stateId"


def test_document_agent_with_control_character_rejected():
    with pytest.raises(ValidationError) as caught:
        parse_agent('{"account": {"homePage": "http://lms.example.com", "name": "a\\u0000"}}')

    assert caught.value.path == "agent.account.name"


def test_query_agent_with_control_character_rejected():
    with pytest.raises(ValidationError) as caught:
        parse_statement_query({"agent": '{"mbox": "mailto:a\\u0000@example.com"}'}, "1.0.3")

    assert caught.value.path == "agent.mbox"


# ---------------------------------------------------------------------------------------------------------
# Identifiers too long to index


LONG = "x" * (MAX_IDENTIFIER_BYTES + 1)


@pytest.mark.parametrize("path, value, error_path", [
    ("verb.id", f"http://example.com/{LONG}", "verb.id"),
    ("object.id", f"http://example.com/{LONG}", "object.id"),
    ("context", {"contextActivities": {"parent": [{"id": f"http://example.com/{LONG}"}]}},
     "context.contextActivities.parent[0].id"),
    ("actor", {"mbox": f"mailto:{LONG}@example.com"}, "actor.mbox"),
    ("actor", {"openid": f"http://openid.example.com/{LONG}"}, "actor.openid"),
    ("actor", {"account": {"homePage": "http://lms.example.com", "name": LONG}}, "actor.account"),
    ("actor", {"account": {"homePage": f"http://lms.example.com/{'h' * 1100}", "name": "n" * 1100}},
     "actor.account"),
])
def test_identifier_over_limit_rejected(path, value, error_path):
    statement = set_value(minimal_statement(), path, value)

    error = rejection(statement, "1.0.3")

    assert error.path == error_path
    assert str(MAX_IDENTIFIER_BYTES) in error.message


def test_identifier_limit_counts_utf8_bytes():
    # 700 characters of three bytes each: short in characters, over the limit in bytes.
    statement = set_value(minimal_statement(), "object.id", "http://example.com/" + "€" * 700)

    error = rejection(statement, "1.0.3")

    assert error.path == "object.id"


def test_identifier_at_limit_accepted():
    activity_id = "http://example.com/" + "x" * (MAX_IDENTIFIER_BYTES - len("http://example.com/"))
    statement = set_value(minimal_statement(), "object.id", activity_id)

    validate_statement(statement, "1.0.3")


@pytest.mark.parametrize("name", ["verb", "activity"])
def test_query_identifier_over_limit_rejected(name):
    with pytest.raises(ValidationError) as caught:
        parse_statement_query({name: f"http://example.com/{LONG}"}, "1.0.3")

    assert caught.value.path == name


# ---------------------------------------------------------------------------------------------------------
# JSON nesting and numbers


def test_deep_agent_parameter_rejected():
    with pytest.raises(ValidationError) as caught:
        parse_agent('{"mbox": "mailto:a@example.com", "x": ' + DEEP_ARRAY + "}")

    assert caught.value.path == "agent"


def test_deep_query_agent_rejected():
    with pytest.raises(ValidationError) as caught:
        parse_statement_query({"agent": DEEP_ARRAY}, "1.0.3")

    assert caught.value.path == "agent"


def test_deep_json_document_rejected():
    with pytest.raises(ValidationError):
        parse_json_document(DEEP_ARRAY.encode(), "body")


@pytest.mark.parametrize("posted", [b'{"big": 1e999}', b'{"small": -1e999}', b'{"n": NaN}', b'{"n": Infinity}'])
def test_merge_rejects_non_finite_numbers(posted):
    with pytest.raises(ValidationError) as caught:
        merge_json_documents(b'{"a": 1}', posted)

    assert caught.value.path == "posted document"


@pytest.mark.parametrize("content", [b'{"big": 1e999}', b"-1E400", b"[NaN]"])
def test_json_document_with_non_finite_number_rejected(content):
    with pytest.raises(ValidationError):
        parse_json_document(content, "body")


def test_merge_rejects_lone_surrogate():
    with pytest.raises(ValidationError) as caught:
        merge_json_documents(b'{"a": 1}', b'{"b": "\\ud800"}')

    assert caught.value.path == "posted document"


def test_strict_json_deep_with_spaced_colon_rejected():
    # The space before the colon sends the text to the duplicate-key check, which recurses once per level.
    text = b'{"a" : ' + b"[" * 1010 + b"]" * 1010 + b"}"

    with pytest.raises(ValueError):
        strict_json.loads(text)


def test_strict_json_nesting_orjson_cannot_serialize_rejected():
    # orjson parses this but cannot serialize it, so it must not reach storage.
    text = b'{"a": ' + b"[" * 300 + b"]" * 300 + b"}"

    with pytest.raises(ValueError) as caught:
        strict_json.loads(text)

    assert str(strict_json.MAX_DEPTH) in str(caught.value)


def test_strict_json_nesting_at_limit_accepted():
    depth = strict_json.MAX_DEPTH - 1
    text = b"[" * depth + b"1" + b"]" * depth

    assert strict_json.loads(text) is not None


def test_statement_version_with_long_patch_rejected():
    error = rejection(set_value(minimal_statement(), "version", "1.0.12345678901234567890"), "1.0.3")

    assert error.path == "version"
