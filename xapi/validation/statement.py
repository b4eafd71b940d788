"""Checks for whole statements and batches of statements (xAPI 1.0.3 Data 2.2
to 2.4, Communication 2.1.2)."""

from xapi.errors import ValidationError
from xapi.timestamps import parse_timestamp
from xapi.validation.agents import validate_actor, validate_authority
from xapi.validation.attachments import validate_attachments
from xapi.validation.context import check_activity_only_properties, validate_context
from xapi.validation.objects import is_activity, validate_object
from xapi.validation.primitives import (
    check_properties,
    check_uuid,
    child_path,
    item_path,
    require_string,
)
from xapi.validation.results import validate_result
from xapi.validation.rules import VersionRules, rules_for
from xapi.validation.verbs import VOIDED_VERB_ID, validate_verb

_STATEMENT_PROPERTIES = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
# Data 2.2.s2.b3: a statement must use "actor", "verb" and "object".
_STATEMENT_REQUIRED = ("actor", "verb", "object")


def validate_statement(statement: object, version: str, path: str = "") -> None:
    """Check one statement against the rules of ``version`` ("1.0.3" or "2.0.0").

    Raises ValidationError whose path names the offending property and whose
    message names the rule it broke. ``path`` prefixes every error path.
    """
    rules = rules_for(version)

    if type(statement) is not dict:
        raise ValidationError("a statement must be a JSON object", path)
    check_properties(statement, _STATEMENT_PROPERTIES, _STATEMENT_REQUIRED, path, "a statement")

    if "id" in statement:
        check_uuid(statement["id"], child_path(path, "id"))

    validate_statement_parts(statement, path, rules, in_substatement=False)

    if "stored" in statement:
        parse_timestamp(statement["stored"], child_path(path, "stored"), rules.version)
    if "authority" in statement:
        validate_authority(statement["authority"], child_path(path, "authority"))
    if "version" in statement:
        _check_statement_version(statement["version"], child_path(path, "version"), rules)
    _check_voiding(statement, path)


def validate_statements(payload: object, version: str) -> list[dict]:
    """Check a request body that is one statement or an array of statements.

    Returns the statements as a list (the same objects, not copies); an empty
    array is valid. Errors in an array carry an "[i]." path prefix. A batch
    that uses one statement id twice is rejected (Communication 2.1.2.s2.b6).
    """
    if type(payload) is dict:
        validate_statement(payload, version)
        return [payload]

    if type(payload) is not list:
        raise ValidationError("the request body must be a statement object or an array of statements")

    for index, statement in enumerate(payload):
        validate_statement(statement, version, item_path("", index))
    _check_unique_ids(payload)
    return payload


def validate_statement_parts(statement: dict, path: str, rules: VersionRules, in_substatement: bool) -> None:
    """Check the properties that statements and SubStatements share.

    The caller has already checked the property names.
    """
    validate_actor(statement["actor"], child_path(path, "actor"))
    validate_verb(statement["verb"], child_path(path, "verb"))

    statement_object = statement["object"]
    validate_object(statement_object, child_path(path, "object"), rules, in_substatement)

    if "result" in statement:
        validate_result(statement["result"], child_path(path, "result"))
    if "context" in statement:
        context_path = child_path(path, "context")
        validate_context(statement["context"], context_path, rules)
        if not is_activity(statement_object):
            check_activity_only_properties(statement["context"], context_path)
    if "timestamp" in statement:
        parse_timestamp(statement["timestamp"], child_path(path, "timestamp"), rules.version)
    if "attachments" in statement:
        validate_attachments(statement["attachments"], child_path(path, "attachments"))


def _check_statement_version(value: object, path: str, rules: VersionRules) -> None:
    require_string(value, path)
    if rules.statement_version_pattern.fullmatch(value) is None:
        raise ValidationError(
            f"statement version {value!r} is not accepted under xAPI {rules.version}: "
            f"omit it or send {rules.statement_version_hint!r}",
            path,
        )


def _check_voiding(statement: dict, path: str) -> None:
    # Data 2.3.2: a voiding statement's object must be a StatementRef.
    if statement["verb"]["id"] != VOIDED_VERB_ID:
        return
    if statement["object"].get("objectType") != "StatementRef":
        raise ValidationError(
            f"a voiding statement (verb {VOIDED_VERB_ID}) must have a StatementRef "
            "object that names the statement to void",
            child_path(path, "object"),
        )


def _check_unique_ids(statements: list[dict]) -> None:
    first_index_by_id: dict[str, int] = {}
    for index, statement in enumerate(statements):
        statement_id = statement.get("id")
        if statement_id is None:
            continue

        key = statement_id.lower()
        first_index = first_index_by_id.setdefault(key, index)
        if first_index != index:
            raise ValidationError(
                f"duplicate statement id {statement_id!r}: the statement at [{first_index}] "
                "uses it too, and a batch must not repeat an id",
                child_path(item_path("", index), "id"),
            )
