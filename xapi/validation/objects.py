"""Checks for statement objects: Activities with their definitions and
interaction components, Statement References and SubStatements (xAPI 1.0.3
Data 2.4.4). Agents and Groups as objects are checked in agents.py.
"""

from xapi.errors import ValidationError
from xapi.validation import statement as statement_checks  # statement.py imports this module
from xapi.validation.agents import validate_agent, validate_group
from xapi.validation.primitives import (
    check_extensions,
    check_identifier_length,
    check_iri,
    check_irl,
    check_language_map,
    check_properties,
    check_uuid,
    child_path,
    item_path,
    require_array,
    require_object,
    require_string,
)
from xapi.validation.rules import VersionRules

_ACTIVITY_PROPERTIES = frozenset({"objectType", "id", "definition"})
_ACTIVITY_REQUIRED = ("id",)

_COMPONENT_LIST_PROPERTIES = ("choices", "scale", "source", "target", "steps")
_DEFINITION_PROPERTIES = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        *_COMPONENT_LIST_PROPERTIES,
    }
)

# Data 2.4.4.1 "Interaction Activities": the interactionType vocabulary and
# the interaction component lists each type supports.
_COMPONENT_LISTS_BY_INTERACTION_TYPE = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
_INTERACTION_TYPES = ", ".join(_COMPONENT_LISTS_BY_INTERACTION_TYPE)
_INTERACTION_TYPES_BY_COMPONENT_LIST = {
    "choices": "choice or sequencing",
    "scale": "likert",
    "source": "matching",
    "target": "matching",
    "steps": "performance",
}

_COMPONENT_PROPERTIES = frozenset({"id", "description"})
_COMPONENT_REQUIRED = ("id",)

_STATEMENT_REF_PROPERTIES = frozenset({"objectType", "id"})
_STATEMENT_REF_REQUIRED = ("objectType", "id")

# Data 2.4.4.3: a SubStatement must not have these statement properties.
_SUBSTATEMENT_FORBIDDEN = ("id", "stored", "version", "authority")
_SUBSTATEMENT_PROPERTIES = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
_SUBSTATEMENT_REQUIRED = ("objectType", "actor", "verb", "object")

_OBJECT_TYPES = "Activity, Agent, Group, StatementRef or SubStatement"


def validate_object(value: object, path: str, rules: VersionRules, in_substatement: bool = False) -> None:
    """Check a statement's object, chosen by "objectType" (default Activity)."""
    require_object(value, path, f"an object ({_OBJECT_TYPES})")

    object_type = value.get("objectType", "Activity")
    if object_type == "Activity":
        validate_activity(value, path)
    elif object_type == "Agent":
        validate_agent(value, path)
    elif object_type == "Group":
        validate_group(value, path)
    elif object_type == "StatementRef":
        validate_statement_ref(value, path)
    elif object_type == "SubStatement":
        if in_substatement:
            raise ValidationError(
                "a SubStatement must not contain another SubStatement",
                child_path(path, "objectType"),
            )
        validate_substatement(value, path, rules)
    else:
        require_string(object_type, child_path(path, "objectType"))
        raise ValidationError(
            f"invalid objectType {object_type!r}: expected one of {_OBJECT_TYPES}",
            child_path(path, "objectType"),
        )


def is_activity(value: dict) -> bool:
    """Return whether a checked statement object is an Activity."""
    return value.get("objectType", "Activity") == "Activity"


def validate_activity(activity: object, path: str) -> None:
    """Check an Activity: an IRI "id" and an optional definition (Data 2.4.4.1)."""
    require_object(activity, path, "an Activity object")
    if "objectType" in activity and activity["objectType"] != "Activity":
        raise ValidationError(
            f"invalid objectType {activity['objectType']!r}: expected 'Activity'",
            child_path(path, "objectType"),
        )
    check_properties(activity, _ACTIVITY_PROPERTIES, _ACTIVITY_REQUIRED, path, "an Activity")

    id_path = child_path(path, "id")
    check_iri(activity["id"], id_path, kind="Activity id")
    check_identifier_length(activity["id"], id_path, "Activity id")
    if "definition" in activity:
        validate_definition(activity["definition"], child_path(path, "definition"))


def validate_definition(definition: object, path: str) -> None:
    """Check an Activity Definition, including interaction properties."""
    require_object(definition, path, "an Activity Definition object")
    check_properties(definition, _DEFINITION_PROPERTIES, (), path, "an Activity Definition")

    if "name" in definition:
        check_language_map(definition["name"], child_path(path, "name"))
    if "description" in definition:
        check_language_map(definition["description"], child_path(path, "description"))
    if "type" in definition:
        check_iri(definition["type"], child_path(path, "type"), kind="Activity type")
    if "moreInfo" in definition:
        check_irl(definition["moreInfo"], child_path(path, "moreInfo"))
    if "extensions" in definition:
        check_extensions(definition["extensions"], child_path(path, "extensions"))

    if "interactionType" in definition:
        _check_interaction(definition, path)
    else:
        _reject_interaction_properties(definition, path)


def _check_interaction(definition: dict, path: str) -> None:
    interaction_type = definition["interactionType"]
    type_path = child_path(path, "interactionType")
    require_string(interaction_type, type_path)

    supported_lists = _COMPONENT_LISTS_BY_INTERACTION_TYPE.get(interaction_type)
    if supported_lists is None:
        raise ValidationError(
            f"invalid interactionType {interaction_type!r}: expected one of {_INTERACTION_TYPES}",
            type_path,
        )

    if "correctResponsesPattern" in definition:
        _check_correct_responses(
            definition["correctResponsesPattern"], child_path(path, "correctResponsesPattern")
        )

    for list_name in _COMPONENT_LIST_PROPERTIES:
        if list_name not in definition:
            continue
        list_path = child_path(path, list_name)
        if list_name not in supported_lists:
            raise ValidationError(
                f"the interaction component list {list_name!r} is only allowed for "
                f"interactionType {_INTERACTION_TYPES_BY_COMPONENT_LIST[list_name]}, "
                f"not {interaction_type!r}",
                list_path,
            )
        _check_components(definition[list_name], list_path)


def _reject_interaction_properties(definition: dict, path: str) -> None:
    # Data 2.4.4.1.s13.b1: interaction Activities must have a valid interactionType.
    for key in ("correctResponsesPattern", *_COMPONENT_LIST_PROPERTIES):
        if key in definition:
            raise ValidationError(
                f"{key!r} describes an interaction and needs an 'interactionType' in the same definition",
                child_path(path, key),
            )


def _check_correct_responses(patterns: object, path: str) -> None:
    require_array(patterns, path, "an array of strings")

    for index, pattern in enumerate(patterns):
        require_string(pattern, item_path(path, index))


def _check_components(components: object, path: str) -> None:
    """Check an interaction component list; ids must be distinct (Data 2.4.4.1.s16)."""
    require_array(components, path, "an array of interaction components")

    seen_ids = set()
    for index, component in enumerate(components):
        component_path = item_path(path, index)
        require_object(component, component_path, "an interaction component object")
        check_properties(
            component, _COMPONENT_PROPERTIES, _COMPONENT_REQUIRED, component_path, "an interaction component"
        )

        component_id = component["id"]
        require_string(component_id, child_path(component_path, "id"))
        if component_id in seen_ids:
            raise ValidationError(
                f"duplicate interaction component id {component_id!r}: ids within a list must be distinct",
                child_path(component_path, "id"),
            )
        seen_ids.add(component_id)

        if "description" in component:
            check_language_map(component["description"], child_path(component_path, "description"))


def validate_statement_ref(statement_ref: object, path: str) -> None:
    """Check a Statement Reference: objectType "StatementRef" and a UUID id (Data 2.4.4.3)."""
    require_object(statement_ref, path, "a StatementRef object")
    check_properties(
        statement_ref, _STATEMENT_REF_PROPERTIES, _STATEMENT_REF_REQUIRED, path, "a StatementRef"
    )

    if statement_ref["objectType"] != "StatementRef":
        raise ValidationError(
            f"invalid objectType {statement_ref['objectType']!r}: expected 'StatementRef'",
            child_path(path, "objectType"),
        )
    check_uuid(statement_ref["id"], child_path(path, "id"))


def validate_substatement(substatement: dict, path: str, rules: VersionRules) -> None:
    """Check a SubStatement: a statement without id, stored, version or authority (Data 2.4.4.3)."""
    for key in _SUBSTATEMENT_FORBIDDEN:
        if key in substatement:
            raise ValidationError(f"a SubStatement must not have {key!r}", child_path(path, key))
    check_properties(substatement, _SUBSTATEMENT_PROPERTIES, _SUBSTATEMENT_REQUIRED, path, "a SubStatement")

    statement_checks.validate_statement_parts(substatement, path, rules, in_substatement=True)
