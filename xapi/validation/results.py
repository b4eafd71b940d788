"""Checks for Results and Scores (xAPI 1.0.3 Data 2.4.5)."""

from xapi.errors import ValidationError
from xapi.timestamps import parse_duration
from xapi.validation.primitives import (
    check_extensions,
    check_properties,
    child_path,
    require_boolean,
    require_number,
    require_object,
    require_string,
)

_RESULT_PROPERTIES = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
_SCORE_PROPERTIES = frozenset({"scaled", "raw", "min", "max"})


def validate_result(result: object, path: str) -> None:
    require_object(result, path, "a Result object")
    check_properties(result, _RESULT_PROPERTIES, (), path, "a Result")

    if "score" in result:
        validate_score(result["score"], child_path(path, "score"))
    if "success" in result:
        require_boolean(result["success"], child_path(path, "success"))
    if "completion" in result:
        require_boolean(result["completion"], child_path(path, "completion"))
    if "response" in result:
        require_string(result["response"], child_path(path, "response"))
    if "duration" in result:
        parse_duration(result["duration"], child_path(path, "duration"))
    if "extensions" in result:
        check_extensions(result["extensions"], child_path(path, "extensions"))


def validate_score(score: object, path: str) -> None:
    """Check a Score (Data 2.4.5.1).

    "scaled" lies in [-1, 1]; "raw" lies between "min" and "max" inclusive,
    for whichever of the two are present; "min" must not exceed "max".
    """
    require_object(score, path, "a Score object")
    check_properties(score, _SCORE_PROPERTIES, (), path, "a Score")

    for key, value in score.items():
        require_number(value, child_path(path, key))

    scaled = score.get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        raise ValidationError(f"must be between -1 and 1 inclusive, got {scaled}", child_path(path, "scaled"))

    raw = score.get("raw")
    minimum = score.get("min")
    maximum = score.get("max")
    # NOTE: the spec's table describes min as "less than max", but the xAPI
    # 1.0.3 LRS conformance requirements reject only min greater than max, and
    # Open edX sends min == max == 0 for unweighted problems, so equal passes.
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ValidationError(
            f"must not be greater than max ({maximum}), got {minimum}", child_path(path, "min")
        )
    if raw is not None and minimum is not None and raw < minimum:
        raise ValidationError(f"must not be less than min ({minimum}), got {raw}", child_path(path, "raw"))
    if raw is not None and maximum is not None and raw > maximum:
        raise ValidationError(f"must not be greater than max ({maximum}), got {raw}", child_path(path, "raw"))
