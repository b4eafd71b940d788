"""Result and Score rules."""

import pytest
from xapi_test_support import VERSIONS, full_statement, rejection, set_value

from xapi.validation import validate_statement

REJECTED = [
    pytest.param("result", "passed", "result", id="result as string"),
    pytest.param("result.score.scaled", 1.5, "result.score.scaled", id="scaled above 1"),
    pytest.param("result.score.scaled", -1.01, "result.score.scaled", id="scaled below -1"),
    pytest.param("result.score.scaled", "0.5", "result.score.scaled", id="scaled as string"),
    pytest.param("result.score.scaled", True, "result.score.scaled", id="scaled as boolean"),
    pytest.param("result.score.scaled", None, "result.score.scaled", id="scaled null"),
    pytest.param("result.score.raw", 11, "result.score.raw", id="raw above max"),
    pytest.param("result.score.raw", -1, "result.score.raw", id="raw below min"),
    pytest.param("result.score.max", "one hundred", "result.score.max", id="max as word"),
    pytest.param("result.score.max", "100", "result.score.max", id="max as numeric string"),
    pytest.param("result.score.min", 12, "result.score.min", id="min above max"),
    pytest.param("result.score.percent", 80, "result.score.percent", id="score with unknown property"),
    pytest.param("result.score", 0.8, "result.score", id="score as number"),
    pytest.param("result.success", "We regret to inform you", "result.success", id="success as string"),
    pytest.param("result.completion", "false", "result.completion", id="completion as boolean string"),
    pytest.param("result.completion", 0, "result.completion", id="completion as number"),
    pytest.param("result.response", 42, "result.response", id="response as number"),
    pytest.param("result.duration", "PA1H0M0S", "result.duration", id="duration invalid"),
    pytest.param("result.duration", 12345, "result.duration", id="duration as number"),
    pytest.param("result.duration", {"key": "invalid"}, "result.duration", id="duration as object"),
    pytest.param(
        "result.extensions", {"minutes": 3}, "result.extensions.minutes", id="extension key not IRI"
    ),
    pytest.param("result.Success", True, "result.Success", id="wrong-case key"),
]


@pytest.mark.parametrize(("path", "value", "error_path"), REJECTED)
@pytest.mark.parametrize("version", VERSIONS)
def test_result_rejected(path, value, error_path, version):
    error = rejection(set_value(full_statement(), path, value), version)

    assert error.path == error_path


ACCEPTED = [
    pytest.param("result.score", {"scaled": -1}, id="scaled -1"),
    pytest.param("result.score", {"scaled": 1}, id="scaled 1"),
    pytest.param("result.score", {"scaled": 0.0}, id="scaled 0.0"),
    pytest.param("result.score", {"raw": 1234.5}, id="raw without bounds"),
    pytest.param("result.score", {"raw": -5, "max": 0}, id="raw below max only"),
    pytest.param("result.score", {"min": 0, "max": 0, "raw": 0, "scaled": 0}, id="min equal to max"),
    pytest.param("result.score", {"min": 0, "max": 10, "raw": 10}, id="raw equal to max"),
    pytest.param("result.score", {}, id="empty score"),
    pytest.param("result.duration", "PT16559.14S", id="duration in seconds"),
    pytest.param("result.duration", "P4W", id="duration in weeks"),
    pytest.param("result.duration", "PT1.123456S", id="duration beyond 0.01 second precision"),
    pytest.param("result.response", "", id="empty response"),
    pytest.param(
        "result.extensions",
        {"http://example.com/e": [1, None, {"x": None}]},
        id="extension with nested nulls",
    ),
]


@pytest.mark.parametrize(("path", "value"), ACCEPTED)
@pytest.mark.parametrize("version", VERSIONS)
def test_result_accepted(path, value, version):
    validate_statement(set_value(full_statement(), path, value), version)


def test_scaled_message_names_range():
    error = rejection(set_value(full_statement(), "result.score.scaled", 1.5), "1.0.3")

    assert "between -1 and 1" in error.message


def test_non_finite_score_rejected():
    # Python's json module reads NaN and Infinity, which JSON does not allow.
    error = rejection(set_value(full_statement(), "result.score.raw", float("nan")), "2.0.0")

    assert error.path == "result.score.raw"
