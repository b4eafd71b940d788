"""Compute a normalized level (0..1) from a statement's result, following a rule's LevelSpec."""

from __future__ import annotations

from typing import Any, NamedTuple

from hub.mapping.model import LevelSpec

VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"


class Level(NamedTuple):
    """A normalized level with the value it came from and that value's scale."""

    level: float
    raw_value: str | None
    raw_scale: str | None


def compute_level(spec: LevelSpec, verb_id: str | None, result: dict[str, Any]) -> Level | None:
    """Return the level of the first mode in ``spec.modes`` that finds its value.

    Returns None when no mode finds one, for example a score mode on a statement
    without a score.
    """
    for mode in spec.modes:
        level = _LEVEL_FUNCTIONS[mode](spec, verb_id, result)
        if level is not None:
            return level
    return None


def number(value: Any) -> float | None:
    """Return ``value`` as a float when it is a JSON number (bool excluded), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def scaled_score(result: dict[str, Any]) -> float | None:
    score = result.get("score")
    if not isinstance(score, dict):
        return None
    return number(score.get("scaled"))


def format_number(value: float) -> str:
    """Format 17.0 as "17" and 0.85 as "0.85"."""
    if value.is_integer():
        return str(int(value))
    return repr(value)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _map_to_range(spec: LevelSpec, fraction: float) -> float:
    low, high = spec.level_range
    return low + _clamp(fraction) * (high - low)


def _from_scaled(spec: LevelSpec, verb_id: str | None, result: dict[str, Any]) -> Level | None:
    scaled = scaled_score(result)
    if scaled is None:
        return None
    return Level(_map_to_range(spec, scaled), format_number(scaled), "scaled")


def _from_raw(spec: LevelSpec, verb_id: str | None, result: dict[str, Any]) -> Level | None:
    """Normalize result.score.raw with the statement's own min and max.

    A raw score without both min and max gives no level, because its scale is unknown.
    """
    score = result.get("score")
    if not isinstance(score, dict):
        return None

    raw = number(score.get("raw"))
    minimum = number(score.get("min"))
    maximum = number(score.get("max"))
    if raw is None or minimum is None or maximum is None or maximum <= minimum:
        return None

    fraction = (raw - minimum) / (maximum - minimum)
    raw_value = f"{format_number(raw)}/{format_number(maximum)}"
    raw_scale = f"raw {format_number(minimum)}..{format_number(maximum)}"
    return Level(_map_to_range(spec, fraction), raw_value, raw_scale)


def _from_success(spec: LevelSpec, verb_id: str | None, result: dict[str, Any]) -> Level | None:
    """Use result.success, or the verb passed or failed when the result has no success."""
    success = result.get("success")
    if not isinstance(success, bool):
        if verb_id == VERB_PASSED:
            success = True
        elif verb_id == VERB_FAILED:
            success = False
        else:
            return None

    if success:
        return Level(spec.passed, "passed", "success")
    return Level(spec.failed, "failed", "success")


def _from_completion(spec: LevelSpec, verb_id: str | None, result: dict[str, Any]) -> Level | None:
    """Use result.completion, or the verb completed when the result has no completion.

    An incomplete result (completion false) gives no level.
    """
    completion = result.get("completion")
    if completion is True or (completion is None and verb_id == VERB_COMPLETED):
        return Level(spec.completed, "completed", "completion")
    return None


def _from_extension(spec: LevelSpec, verb_id: str | None, result: dict[str, Any]) -> Level | None:
    extensions = result.get("extensions")
    if not isinstance(extensions, dict):
        return None
    value = number(extensions.get(spec.extension))
    if value is None:
        return None
    return Level(_map_to_range(spec, value), format_number(value), f"extension {spec.extension}")


def _from_fixed(spec: LevelSpec, verb_id: str | None, result: dict[str, Any]) -> Level | None:
    return Level(spec.value, None, "fixed")


_LEVEL_FUNCTIONS = {
    "score.scaled": _from_scaled,
    "score.raw": _from_raw,
    "success": _from_success,
    "completion": _from_completion,
    "extension": _from_extension,
    "fixed": _from_fixed,
}
