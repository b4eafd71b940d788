"""Checks for the Context object (xAPI 1.0.3 Data 2.4.6), including the
xAPI 2.0 contextAgents and contextGroups properties."""

from xapi.errors import ValidationError
from xapi.validation.agents import validate_actor, validate_agent, validate_group
from xapi.validation.objects import validate_activity, validate_statement_ref
from xapi.validation.primitives import (
    check_extensions,
    check_iri,
    check_language_tag,
    check_properties,
    check_uuid,
    child_path,
    item_path,
    require_array,
    require_object,
    require_string,
)
from xapi.validation.rules import VersionRules

_CONTEXT_PROPERTIES_1_0 = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
_CONTEXT_2_0_ONLY = ("contextAgents", "contextGroups")
_CONTEXT_PROPERTIES_2_0 = _CONTEXT_PROPERTIES_1_0 | frozenset(_CONTEXT_2_0_ONLY)

_CONTEXT_ACTIVITY_TYPES = frozenset({"parent", "grouping", "category", "other"})

_CONTEXT_AGENT_PROPERTIES = frozenset({"objectType", "agent", "relevantTypes"})
_CONTEXT_AGENT_REQUIRED = ("objectType", "agent")
_CONTEXT_GROUP_PROPERTIES = frozenset({"objectType", "group", "relevantTypes"})
_CONTEXT_GROUP_REQUIRED = ("objectType", "group")


def validate_context(context: object, path: str, rules: VersionRules) -> None:
    require_object(context, path, "a Context object")
    _check_context_properties(context, path, rules)

    if "registration" in context:
        check_uuid(context["registration"], child_path(path, "registration"))
    if "instructor" in context:
        validate_actor(context["instructor"], child_path(path, "instructor"))
    if "team" in context:
        _check_group_only(context["team"], child_path(path, "team"))
    if "contextActivities" in context:
        _check_context_activities(context["contextActivities"], child_path(path, "contextActivities"))
    if "revision" in context:
        require_string(context["revision"], child_path(path, "revision"))
    if "platform" in context:
        require_string(context["platform"], child_path(path, "platform"))
    if "language" in context:
        check_language_tag(context["language"], child_path(path, "language"))
    if "statement" in context:
        validate_statement_ref(context["statement"], child_path(path, "statement"))
    if "extensions" in context:
        check_extensions(context["extensions"], child_path(path, "extensions"))
    if "contextAgents" in context:
        _check_context_agents(context["contextAgents"], child_path(path, "contextAgents"))
    if "contextGroups" in context:
        _check_context_groups(context["contextGroups"], child_path(path, "contextGroups"))


def check_activity_only_properties(context: dict, path: str) -> None:
    """Reject "revision" and "platform" on a statement whose object is not an Activity (Data 2.4.6.s4)."""
    for key in ("revision", "platform"):
        if key in context:
            raise ValidationError(
                f"{key!r} is only allowed when the statement's object is an Activity",
                child_path(path, key),
            )


def _check_context_properties(context: dict, path: str, rules: VersionRules) -> None:
    if not rules.allows_context_agents:
        for key in _CONTEXT_2_0_ONLY:
            if key in context:
                raise ValidationError(
                    f"{key!r} is an xAPI 2.0 property and is not allowed under xAPI "
                    f"{rules.version}; send X-Experience-API-Version: 2.0.0 to use it",
                    child_path(path, key),
                )
        check_properties(context, _CONTEXT_PROPERTIES_1_0, (), path, "a Context")
    else:
        check_properties(context, _CONTEXT_PROPERTIES_2_0, (), path, "a Context")


def _check_context_activities(context_activities: object, path: str) -> None:
    """Check contextActivities: each value is an Activity or an array of Activities (Data 2.4.6.2)."""
    require_object(context_activities, path, "a contextActivities object")
    check_properties(context_activities, _CONTEXT_ACTIVITY_TYPES, (), path, "contextActivities")

    for activity_type, value in context_activities.items():
        value_path = child_path(path, activity_type)
        if type(value) is dict:
            validate_activity(value, value_path)
            continue

        require_array(value, value_path, "an Activity object or an array of Activity objects")
        for index, activity in enumerate(value):
            validate_activity(activity, item_path(value_path, index))


def _check_context_agents(context_agents: object, path: str) -> None:
    """Check xAPI 2.0 contextAgents: an array of contextAgent objects."""
    require_array(context_agents, path, "an array of contextAgent objects")

    for index, context_agent in enumerate(context_agents):
        entry_path = item_path(path, index)
        require_object(context_agent, entry_path, "a contextAgent object")
        check_properties(
            context_agent, _CONTEXT_AGENT_PROPERTIES, _CONTEXT_AGENT_REQUIRED, entry_path, "a contextAgent"
        )

        _check_fixed_object_type(context_agent, entry_path, "contextAgent")
        validate_agent(context_agent["agent"], child_path(entry_path, "agent"))
        if "relevantTypes" in context_agent:
            _check_relevant_types(context_agent["relevantTypes"], child_path(entry_path, "relevantTypes"))


def _check_context_groups(context_groups: object, path: str) -> None:
    """Check xAPI 2.0 contextGroups: an array of contextGroup objects."""
    require_array(context_groups, path, "an array of contextGroup objects")

    for index, context_group in enumerate(context_groups):
        entry_path = item_path(path, index)
        require_object(context_group, entry_path, "a contextGroup object")
        check_properties(
            context_group, _CONTEXT_GROUP_PROPERTIES, _CONTEXT_GROUP_REQUIRED, entry_path, "a contextGroup"
        )

        _check_fixed_object_type(context_group, entry_path, "contextGroup")
        _check_group_only(context_group["group"], child_path(entry_path, "group"))
        if "relevantTypes" in context_group:
            _check_relevant_types(context_group["relevantTypes"], child_path(entry_path, "relevantTypes"))


def _check_group_only(group: object, path: str) -> None:
    require_object(group, path, "a Group object")
    if group.get("objectType") != "Group":
        raise ValidationError("must be a Group with objectType 'Group'", child_path(path, "objectType"))
    validate_group(group, path)


def _check_fixed_object_type(value: dict, path: str, expected: str) -> None:
    if value["objectType"] != expected:
        raise ValidationError(
            f"invalid objectType {value['objectType']!r}: expected {expected!r}",
            child_path(path, "objectType"),
        )


def _check_relevant_types(relevant_types: object, path: str) -> None:
    """Check relevantTypes: a non-empty array of IRIs."""
    require_array(relevant_types, path, "a non-empty array of IRIs")
    if not relevant_types:
        raise ValidationError("must contain at least one IRI when present", path)

    for index, relevant_type in enumerate(relevant_types):
        check_iri(relevant_type, item_path(path, index), kind="relevant type IRI")
