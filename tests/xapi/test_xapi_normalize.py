"""The stored form of a statement: contextActivities as arrays, and UTC timestamps under xAPI 2.0."""

import copy

import pytest

from xapi.canonical import statements_equivalent
from xapi.normalize import normalize_statement, to_utc_timestamp

STATEMENT = {
    "actor": {"mbox": "mailto:learner@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "http://example.com/course"},
    "timestamp": "2024-01-02T05:04:05.678+02:00",
    "context": {"contextActivities": {"parent": {"id": "http://example.com/program"},
                                      "grouping": [{"id": "http://example.com/group"}]}},
}


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_single_context_activity_becomes_array(version):
    normalized = normalize_statement(STATEMENT, version)

    assert normalized["context"]["contextActivities"]["parent"] == [{"id": "http://example.com/program"}]
    assert normalized["context"]["contextActivities"]["grouping"] == [{"id": "http://example.com/group"}]


def test_substatement_context_activity_becomes_array():
    statement = {**STATEMENT, "object": {"objectType": "SubStatement", **copy.deepcopy(STATEMENT)}}
    del statement["object"]["timestamp"]

    normalized = normalize_statement(statement, "1.0.3")

    assert normalized["object"]["context"]["contextActivities"]["parent"] == [{"id": "http://example.com/program"}]


def test_timestamp_converted_to_utc_under_2_0():
    assert normalize_statement(STATEMENT, "2.0.0")["timestamp"] == "2024-01-02T03:04:05.678Z"


def test_timestamp_kept_under_1_0_3():
    assert normalize_statement(STATEMENT, "1.0.3")["timestamp"] == "2024-01-02T05:04:05.678+02:00"


def test_substatement_timestamp_converted_under_2_0():
    statement = {**STATEMENT, "object": {"objectType": "SubStatement", **copy.deepcopy(STATEMENT)}}

    assert normalize_statement(statement, "2.0.0")["object"]["timestamp"] == "2024-01-02T03:04:05.678Z"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
        ("2024-01-02T03:04:05.1+00:00", "2024-01-02T03:04:05.100Z"),
        ("2024-01-01T23:30:00.123456-05:30", "2024-01-02T05:00:00.123456Z"),
        ("2024-01-02T03:04:05.123456789+01:00", "2024-01-02T02:04:05.123456Z"),
        ("2024-01-02 03:04:05+00:00", "2024-01-02T03:04:05.000Z"),
    ],
)
def test_to_utc_timestamp_keeps_precision(value, expected):
    assert to_utc_timestamp(value) == expected


def test_normalized_statement_equivalent_to_original():
    assert statements_equivalent(normalize_statement(STATEMENT, "2.0.0"), STATEMENT)


def test_normalize_leaves_input_unchanged():
    original = copy.deepcopy(STATEMENT)

    normalize_statement(STATEMENT, "2.0.0")

    assert STATEMENT == original
