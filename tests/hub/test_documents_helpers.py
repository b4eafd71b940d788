"""The pure document helpers: ETags, the JSON merge of POST and the parameter rules of each version."""

from __future__ import annotations

import hashlib

import pytest

from xapi.documents import (ACTIVITY_PROFILE, AGENT_PROFILE, STATE, document_etag, is_json_media_type,
                            merge_json_documents, parse_document_params)
from xapi.errors import ValidationError

AGENT = '{"mbox": "mailto:learner@example.com"}'
ACTIVITY = "http://example.com/activities/course-1"


def test_etag_is_lower_case_sha1_hex():
    assert document_etag(b"abc") == hashlib.sha1(b"abc").hexdigest()


@pytest.mark.parametrize("content_type, expected", [
    ("application/json", True),
    ("Application/JSON; charset=utf-8", True),
    ("application/ld+json", False),
    ("text/plain", False),
    ("", False),
    (None, False),
])
def test_json_media_type(content_type, expected):
    assert is_json_media_type(content_type) is expected


def test_merge_replaces_top_level_properties_whole():
    merged = merge_json_documents(b'{"x": "foo", "y": {"a": 1}}', b'{"x": "bash", "y": {"b": 2}, "z": "faz"}')

    assert merged == b'{"x":"bash","y":{"b":2},"z":"faz"}'


def test_merge_keeps_large_integers_and_unicode():
    merged = merge_json_documents(b'{"n": 123456789012345678901234567890}', '{"name": "Zoë"}'.encode())

    assert merged == '{"n":123456789012345678901234567890,"name":"Zoë"}'.encode()


@pytest.mark.parametrize("stored, posted", [
    (b"[1]", b'{"a": 1}'),
    (b'{"a": 1}', b'"text"'),
    (b'{"a": 1}', b'{"a": NaN}'),
    (b"not json", b'{"a": 1}'),
    (b'{"a": 1}', b"\xff\xfe"),
])
def test_merge_rejects_non_objects(stored, posted):
    with pytest.raises(ValidationError):
        merge_json_documents(stored, posted)


def test_state_params_parse_registration_lower_case():
    params = parse_document_params(STATE, "GET", {"activityId": ACTIVITY, "agent": AGENT,
                                                  "registration": "A1F9B2D4-6B1E-4C3E-9A51-0D6F1C2B3A4E"}, "1.0.3")

    assert params.registration == "a1f9b2d4-6b1e-4c3e-9a51-0d6f1c2b3a4e"
    assert params.document_id is None


@pytest.mark.parametrize("resource, method, params, version, path", [
    (STATE, "PUT", {"activityId": ACTIVITY, "agent": AGENT}, "1.0.3", "stateId"),
    (STATE, "POST", {"activityId": ACTIVITY, "agent": AGENT, "stateId": "s", "since": "2020-01-01T00:00:00Z"},
     "1.0.3", "since"),
    (STATE, "DELETE", {"activityId": ACTIVITY, "agent": AGENT, "since": "2020-01-01T00:00:00Z"}, "2.0.0", "since"),
    (STATE, "GET", {"activityId": ACTIVITY, "agent": AGENT, "since": "2020-01-01T00:00:00"}, "2.0.0", "since"),
    (ACTIVITY_PROFILE, "DELETE", {"activityId": ACTIVITY}, "1.0.3", "profileId"),
    (ACTIVITY_PROFILE, "GET", {"activityId": ACTIVITY, "registration": "a1f9b2d4-6b1e-4c3e-9a51-0d6f1c2b3a4e"},
     "1.0.3", "registration"),
    (AGENT_PROFILE, "GET", {"profileId": "p"}, "1.0.3", "agent"),
    (AGENT_PROFILE, "GET", {"agent": AGENT, "profileid": "p"}, "1.0.3", "profileid"),
])
def test_invalid_document_params(resource, method, params, version, path):
    with pytest.raises(ValidationError) as caught:
        parse_document_params(resource, method, params, version)

    assert caught.value.path == path


def test_since_without_offset_accepted_under_1_0_3():
    params = parse_document_params(STATE, "GET", {"activityId": ACTIVITY, "agent": AGENT,
                                                  "since": "2020-01-01T00:00:00"}, "1.0.3")

    assert params.since.year == 2020
