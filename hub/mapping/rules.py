"""Validate the rules of a mapping file and build Rule objects."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from hub.mapping.fields import FieldReader, describe
from hub.mapping.matching import CONTEXT_ACTIVITY_KINDS
from hub.mapping.model import (
    LEVEL_MODES,
    SOURCE_KINDS,
    ContextActivityCondition,
    LevelSpec,
    MatchSpec,
    ResultCondition,
    Rule,
)

RULE_FIELDS = ("id", "description", "skills", "source_kind", "confidence", "level", "match", "expires_after")
RULE_REQUIRED = ("id", "skills", "source_kind", "confidence", "level", "match")

MATCH_FIELDS = (
    "verb",
    "activity_id",
    "activity_id_pattern",
    "activity_id_regex",
    "activity_type",
    "name_contains",
    "context_activity",
    "platform",
    "source",
    "result",
)
CONTEXT_ACTIVITY_FIELDS = ("in", "id", "id_pattern", "id_regex", "activity_type")
RESULT_FIELDS = ("success", "completion", "min_scaled", "max_scaled")
LEVEL_FIELDS = ("from", "passed", "failed", "completed", "value", "extension", "range")

# The modes that read each optional level field, so that a field no listed mode reads is reported.
_LEVEL_FIELD_MODES = {
    "passed": ("success",),
    "failed": ("success",),
    "completed": ("completion",),
    "value": ("fixed",),
    "extension": ("extension",),
    "range": ("score.scaled", "score.raw", "extension"),
}

# NOTE: years and months have no fixed length, so a year counts as 365 days and a month as 30.
_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def parse_rule(reader: FieldReader, raw: Any, known_skills: set[str]) -> Rule:
    """Build a Rule from one entry of a ``rules:`` list, validating every field."""
    rule = reader.mapping(raw, "")
    reader.check_keys(rule, "", RULE_FIELDS, RULE_REQUIRED)

    rule_id = reader.string(rule["id"], "id")
    skills = reader.iri_list(rule["skills"], "skills")
    for index, skill_uri in enumerate(skills):
        if skill_uri not in known_skills:
            field = "skills" if isinstance(rule["skills"], str) else f"skills[{index}]"
            reader.fail(field, f"unknown skill {describe(skill_uri)}, no skill file defines it")

    return Rule(
        id=rule_id,
        skills=skills,
        source_kind=reader.choice(rule["source_kind"], "source_kind", SOURCE_KINDS),
        confidence=reader.fraction(rule["confidence"], "confidence"),
        level=_parse_level(reader, rule["level"]),
        match=_parse_match(reader, rule["match"]),
        expires_after=_parse_duration(reader, rule.get("expires_after"), "expires_after"),
        description=reader.optional_string(rule.get("description"), "description"),
        file=reader.file,
    )


def _parse_match(reader: FieldReader, raw: Any) -> MatchSpec:
    match = reader.mapping(raw, "match")
    reader.check_keys(match, "match", MATCH_FIELDS)
    if not any(match.get(key) is not None for key in MATCH_FIELDS):
        reader.fail("match", f"no condition given, expected at least one of {', '.join(MATCH_FIELDS)}")

    def strings(key: str) -> tuple[str, ...]:
        value = match.get(key)
        return () if value is None else reader.string_list(value, f"match.{key}")

    def iris(key: str) -> tuple[str, ...]:
        value = match.get(key)
        return () if value is None else reader.iri_list(value, f"match.{key}")

    return MatchSpec(
        verbs=iris("verb"),
        activity_ids=iris("activity_id"),
        activity_id_patterns=strings("activity_id_pattern"),
        activity_id_regexes=_regexes(reader, match.get("activity_id_regex"), "match.activity_id_regex"),
        activity_types=iris("activity_type"),
        name_contains=strings("name_contains"),
        context_activities=_parse_context_activities(reader, match.get("context_activity")),
        platforms=strings("platform"),
        sources=strings("source"),
        result=_parse_result(reader, match.get("result")),
    )


def _regexes(reader: FieldReader, value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    regexes = reader.string_list(value, field)
    for index, regex in enumerate(regexes):
        try:
            re.compile(regex)
        except re.error as error:
            item_field = field if isinstance(value, str) else f"{field}[{index}]"
            reader.fail(item_field, f"invalid regular expression {describe(regex)}: {error}")
    return regexes


def _parse_context_activities(reader: FieldReader, raw: Any) -> tuple[ContextActivityCondition, ...]:
    """Read one condition or a list of conditions, which must all hold."""
    if raw is None:
        return ()
    if isinstance(raw, dict):
        return (_parse_context_activity(reader, raw, "match.context_activity"),)
    if not isinstance(raw, list) or not raw:
        message = f"expected a mapping or a non-empty list of mappings, got {describe(raw)}"
        reader.fail("match.context_activity", message)
    return tuple(
        _parse_context_activity(reader, item, f"match.context_activity[{index}]") for index, item in enumerate(raw)
    )


def _parse_context_activity(reader: FieldReader, raw: Any, field: str) -> ContextActivityCondition:
    condition = reader.mapping(raw, field)
    reader.check_keys(condition, field, CONTEXT_ACTIVITY_FIELDS)
    if not any(condition.get(key) is not None for key in ("id", "id_pattern", "id_regex", "activity_type")):
        reader.fail(field, "no condition given, expected at least one of id, id_pattern, id_regex, activity_type")

    kinds = CONTEXT_ACTIVITY_KINDS
    if condition.get("in") is not None:
        kinds = reader.string_list(condition["in"], f"{field}.in")
        for kind in kinds:
            reader.choice(kind, f"{field}.in", CONTEXT_ACTIVITY_KINDS)

    def values(key: str, read: Any) -> tuple[str, ...]:
        value = condition.get(key)
        return () if value is None else read(value, f"{field}.{key}")

    return ContextActivityCondition(
        kinds=tuple(kinds),
        ids=values("id", reader.iri_list),
        id_patterns=values("id_pattern", reader.string_list),
        id_regexes=_regexes(reader, condition.get("id_regex"), f"{field}.id_regex"),
        activity_types=values("activity_type", reader.iri_list),
    )


def _parse_result(reader: FieldReader, raw: Any) -> ResultCondition | None:
    if raw is None:
        return None
    result = reader.mapping(raw, "match.result")
    reader.check_keys(result, "match.result", RESULT_FIELDS)

    def optional(key: str, read: Any, *bounds: float) -> Any:
        value = result.get(key)
        return None if value is None else read(value, f"match.result.{key}", *bounds)

    condition = ResultCondition(
        success=optional("success", reader.boolean),
        completion=optional("completion", reader.boolean),
        min_scaled=optional("min_scaled", reader.number, -1.0, 1.0),
        max_scaled=optional("max_scaled", reader.number, -1.0, 1.0),
    )
    if condition.min_scaled is not None and condition.max_scaled is not None:
        if condition.min_scaled > condition.max_scaled:
            reader.fail("match.result.max_scaled", "max_scaled is less than min_scaled")
    return condition


def _parse_level(reader: FieldReader, raw: Any) -> LevelSpec:
    level = reader.mapping(raw, "level")
    reader.check_keys(level, "level", LEVEL_FIELDS, ("from",))

    modes = reader.string_list(level["from"], "level.from")
    for mode in modes:
        reader.choice(mode, "level.from", LEVEL_MODES)
    if len(set(modes)) != len(modes):
        reader.fail("level.from", f"a mode is listed twice in {describe(list(modes))}")
    if "fixed" in modes and modes[-1] != "fixed":
        reader.fail("level.from", "'fixed' always gives a level, so the modes after it are never used; list it last")

    for key, using_modes in _LEVEL_FIELD_MODES.items():
        if level.get(key) is not None and not set(using_modes) & set(modes):
            reader.fail(f"level.{key}", f"not used, because level.from has none of {', '.join(using_modes)}")
    if "fixed" in modes and level.get("value") is None:
        reader.fail("level.value", "missing required field, because level.from includes 'fixed'")
    if "extension" in modes and level.get("extension") is None:
        reader.fail("level.extension", "missing required field, because level.from includes 'extension'")

    def fraction(key: str, default: float | None) -> float | None:
        value = level.get(key)
        return default if value is None else reader.fraction(value, f"level.{key}")

    return LevelSpec(
        modes=modes,
        passed=fraction("passed", 1.0),
        failed=fraction("failed", 0.0),
        completed=fraction("completed", 1.0),
        value=fraction("value", None),
        extension=None if level.get("extension") is None else reader.iri(level["extension"], "level.extension"),
        level_range=_parse_range(reader, level.get("range")),
    )


def _parse_range(reader: FieldReader, raw: Any) -> tuple[float, float]:
    if raw is None:
        return (0.0, 1.0)
    if not isinstance(raw, list) or len(raw) != 2:
        reader.fail("level.range", f"expected a list of two numbers [low, high], got {describe(raw)}")
    low = reader.fraction(raw[0], "level.range[0]")
    high = reader.fraction(raw[1], "level.range[1]")
    if low > high:
        reader.fail("level.range", f"low {low:g} is greater than high {high:g}")
    return (low, high)


def _parse_duration(reader: FieldReader, raw: Any, field: str) -> timedelta | None:
    """Parse an ISO 8601 duration such as P2Y, P18M, P90D or PT12H."""
    if raw is None:
        return None
    text = reader.string(raw, field)
    found = _DURATION.match(text)
    if found is None or text in ("P", "PT") or text.endswith("T"):
        reader.fail(field, f"invalid duration {describe(raw)}, expected ISO 8601 such as P2Y, P6M or P90D")

    parts = {name: int(value) for name, value in found.groupdict().items() if value is not None}
    duration = timedelta(
        days=parts.get("years", 0) * 365 + parts.get("months", 0) * 30 + parts.get("days", 0),
        weeks=parts.get("weeks", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )
    if duration <= timedelta(0):
        reader.fail(field, f"duration {describe(raw)} is zero, expected a positive duration")
    return duration
