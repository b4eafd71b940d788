"""Parameters of GET /statements (xAPI 1.0.3 Communication 2.1.3)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from xapi.errors import ValidationError
from xapi.strict_json import loads_exact
from xapi.timestamps import parse_timestamp
from xapi.validation.agents import validate_identified_actor
from xapi.validation.primitives import check_identifier_length, check_iri, check_uuid
from xapi.validation.rules import rules_for

FORMATS = ("exact", "ids", "canonical")

_PARAMETERS = (
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
)
_PARAMETER_NAMES = frozenset(_PARAMETERS)
_PARAMETERS_BY_LOWER_CASE = {name.lower(): name for name in _PARAMETERS}

# Communication 2.1.3.s2.b2: with statementId or voidedStatementId, only
# these other parameters are allowed.
_SINGLE_STATEMENT_COMPANIONS = frozenset({"format", "attachments"})


@dataclass
class StatementQuery:
    """A parsed GET /statements request; UUIDs are lower-case."""

    statement_id: str | None = None
    voided_statement_id: str | None = None
    agent: dict | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    format: str = "exact"
    attachments: bool = False
    ascending: bool = False


def parse_statement_query(params: Mapping[str, str], version: str) -> StatementQuery:
    """Parse and check the query parameters of GET /statements.

    Raises ValidationError whose path names the parameter for an unknown or
    wrongly cased parameter, a malformed value, or a statementId or
    voidedStatementId combined with parameters other than format and
    attachments.
    """
    rules = rules_for(version)
    _check_parameter_names(params)
    _check_single_statement_combination(params)

    query = StatementQuery()
    if "statementId" in params:
        query.statement_id = _parse_uuid(params["statementId"], "statementId")
    if "voidedStatementId" in params:
        query.voided_statement_id = _parse_uuid(params["voidedStatementId"], "voidedStatementId")
    if "agent" in params:
        query.agent = _parse_agent(params["agent"])
    if "verb" in params:
        query.verb = _parse_iri(params["verb"], "verb")
    if "activity" in params:
        query.activity = _parse_iri(params["activity"], "activity")
    if "registration" in params:
        query.registration = _parse_uuid(params["registration"], "registration")
    if "related_activities" in params:
        query.related_activities = _parse_boolean(params["related_activities"], "related_activities")
    if "related_agents" in params:
        query.related_agents = _parse_boolean(params["related_agents"], "related_agents")
    if "since" in params:
        query.since = parse_timestamp(params["since"], "since", rules.version)
    if "until" in params:
        query.until = parse_timestamp(params["until"], "until", rules.version)
    if "limit" in params:
        query.limit = _parse_limit(params["limit"])
    if "format" in params:
        query.format = _parse_format(params["format"])
    if "attachments" in params:
        query.attachments = _parse_boolean(params["attachments"], "attachments")
    if "ascending" in params:
        query.ascending = _parse_boolean(params["ascending"], "ascending")
    return query


def _check_parameter_names(params: Mapping[str, str]) -> None:
    for name in params:
        if name in _PARAMETER_NAMES:
            continue

        suggestion = _PARAMETERS_BY_LOWER_CASE.get(name.lower())
        if suggestion is not None:
            raise ValidationError(
                f"unknown parameter {name!r}: parameter names are case-sensitive, use {suggestion!r}",
                name,
            )
        raise ValidationError(
            f"unknown parameter {name!r} for GET statements; allowed: {', '.join(_PARAMETERS)}",
            name,
        )


def _check_single_statement_combination(params: Mapping[str, str]) -> None:
    if "statementId" in params and "voidedStatementId" in params:
        raise ValidationError(
            "statementId and voidedStatementId cannot be used together: request one statement",
            "voidedStatementId",
        )

    id_parameter = "statementId" if "statementId" in params else "voidedStatementId"
    if id_parameter not in params:
        return
    for name in params:
        if name != id_parameter and name not in _SINGLE_STATEMENT_COMPANIONS:
            raise ValidationError(
                f"{name!r} cannot be combined with {id_parameter}: only 'format' and "
                "'attachments' may accompany a single-statement request",
                name,
            )


def _parse_uuid(value: str, name: str) -> str:
    check_uuid(value, name)
    return value.lower()


def _parse_iri(value: str, name: str) -> str:
    check_iri(value, name)
    check_identifier_length(value, name, name)
    return value


def _parse_agent(value: str) -> dict:
    try:
        agent = loads_exact(value)
    except ValueError:
        raise ValidationError(
            f"invalid JSON {value!r}: the agent parameter must be an Agent or identified "
            'Group as JSON, such as {"mbox": "mailto:learner@example.com"}',
            "agent",
        ) from None

    validate_identified_actor(agent, "agent")
    return agent


def _parse_boolean(value: str, name: str) -> bool:
    # Communication 2.1.3: boolean parameters are "true" or "false" as in JSON.
    if value == "true":
        return True
    if value == "false":
        return False
    raise ValidationError(f"invalid boolean {value!r}: expected 'true' or 'false'", name)


def _parse_limit(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise ValidationError(
            f"invalid limit {value!r}: expected a non-negative integer (0 means the server maximum)",
            "limit",
        )
    return int(value)


def _parse_format(value: str) -> str:
    if value not in FORMATS:
        raise ValidationError(f"invalid format {value!r}: expected one of {', '.join(FORMATS)}", "format")
    return value
