"""Compile a rule's match conditions into a predicate over a statement view."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hub.mapping.levels import scaled_score
from hub.mapping.model import ContextActivityCondition, MatchSpec, ResultCondition

CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")

Predicate = Callable[["StatementView"], bool]


class StatementView:
    """The parts of a statement that match conditions read, extracted once per statement."""

    __slots__ = (
        "verb_id",
        "is_activity",
        "activity_id",
        "activity_type",
        "names",
        "context_activities",
        "platform",
        "result",
        "source",
    )

    def __init__(self, statement: dict[str, Any], source: str | None = None) -> None:
        verb = statement.get("verb") or {}
        self.verb_id: str | None = verb.get("id")

        statement_object = statement.get("object") or {}
        self.is_activity = statement_object.get("objectType", "Activity") == "Activity"
        definition = statement_object.get("definition") or {}
        self.activity_id: str | None = statement_object.get("id") if self.is_activity else None
        self.activity_type: str | None = definition.get("type")
        self.names: tuple[str, ...] = _language_map_values(definition.get("name"))

        context = statement.get("context") or {}
        self.context_activities: dict[str, list[dict[str, Any]]] = _context_activities(context)
        self.platform: str | None = context.get("platform")

        self.result: dict[str, Any] = statement.get("result") or {}
        self.source = source


def _language_map_values(language_map: Any) -> tuple[str, ...]:
    if not isinstance(language_map, dict):
        return ()
    return tuple(value.casefold() for value in language_map.values() if isinstance(value, str))


def _context_activities(context: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Return the context activities by kind, each as a list.

    xAPI 1.0.3 also allows a single object in place of an array.
    """
    context_activities = context.get("contextActivities") or {}
    by_kind = {}
    for kind in CONTEXT_ACTIVITY_KINDS:
        activities = context_activities.get(kind)
        if isinstance(activities, dict):
            activities = [activities]
        by_kind[kind] = [activity for activity in activities or () if isinstance(activity, dict)]
    return by_kind


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob where ``*`` matches any run of characters and the rest is literal.

    ``?`` and ``[`` are literal, unlike in fnmatch, because IRIs often contain them.
    """
    literal_parts = (re.escape(part) for part in pattern.split("*"))
    return re.compile("^" + ".*".join(literal_parts) + "$", re.DOTALL)


def compile_id_matcher(
    ids: tuple[str, ...], patterns: tuple[str, ...], regexes: tuple[str, ...]
) -> Callable[[str | None], bool] | None:
    """Return a test that an id equals one of ``ids`` or matches a glob or a regex.

    Regular expressions are searched anywhere in the id, so anchor them with ^ and $
    to match the whole id. Returns None when no id condition is given.
    """
    if not (ids or patterns or regexes):
        return None

    exact = frozenset(ids)
    compiled = [glob_to_regex(pattern) for pattern in patterns]
    compiled += [re.compile(regex) for regex in regexes]

    def matches_id(value: str | None) -> bool:
        if value is None:
            return False
        if value in exact:
            return True
        return any(regex.search(value) for regex in compiled)

    return matches_id


def compile_match(spec: MatchSpec) -> Predicate:
    """Compile ``spec`` into one predicate that is true when every condition holds."""
    checks = _compile_checks(spec)

    def matches(view: StatementView) -> bool:
        if not view.is_activity:
            return False
        for check in checks:
            if not check(view):
                return False
        return True

    return matches


def _compile_checks(spec: MatchSpec) -> list[Predicate]:
    """Return one predicate per given condition, the cheapest first."""
    checks: list[Predicate] = []

    if spec.verbs:
        verbs = frozenset(spec.verbs)
        checks.append(lambda view: view.verb_id in verbs)

    if spec.sources:
        sources = frozenset(spec.sources)
        checks.append(lambda view: view.source in sources)

    if spec.platforms:
        platforms = frozenset(spec.platforms)
        checks.append(lambda view: view.platform in platforms)

    if spec.activity_types:
        activity_types = frozenset(spec.activity_types)
        checks.append(lambda view: view.activity_type in activity_types)

    if spec.result is not None:
        checks.append(_compile_result_check(spec.result))

    matches_id = compile_id_matcher(spec.activity_ids, spec.activity_id_patterns, spec.activity_id_regexes)
    if matches_id is not None:
        checks.append(lambda view: matches_id(view.activity_id))

    if spec.name_contains:
        fragments = tuple(fragment.casefold() for fragment in spec.name_contains)
        checks.append(lambda view: any(fragment in name for name in view.names for fragment in fragments))

    for condition in spec.context_activities:
        checks.append(_compile_context_check(condition))

    return checks


def _compile_result_check(condition: ResultCondition) -> Predicate:
    def check_result(view: StatementView) -> bool:
        result = view.result
        if condition.success is not None and result.get("success") is not condition.success:
            return False
        if condition.completion is not None and result.get("completion") is not condition.completion:
            return False
        if condition.min_scaled is None and condition.max_scaled is None:
            return True

        scaled = scaled_score(result)
        if scaled is None:
            return False
        if condition.min_scaled is not None and scaled < condition.min_scaled:
            return False
        if condition.max_scaled is not None and scaled > condition.max_scaled:
            return False
        return True

    return check_result


def _compile_context_check(condition: ContextActivityCondition) -> Predicate:
    matches_id = compile_id_matcher(condition.ids, condition.id_patterns, condition.id_regexes)
    activity_types = frozenset(condition.activity_types)
    kinds = condition.kinds

    def matches_activity(activity: dict[str, Any]) -> bool:
        if matches_id is not None and not matches_id(activity.get("id")):
            return False
        if activity_types:
            definition = activity.get("definition") or {}
            if definition.get("type") not in activity_types:
                return False
        return True

    def check_context(view: StatementView) -> bool:
        for kind in kinds:
            for activity in view.context_activities[kind]:
                if matches_activity(activity):
                    return True
        return False

    return check_context
