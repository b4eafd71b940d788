"""GET /statements parameter parsing."""

import json
from datetime import datetime, timezone

import pytest

from xapi.errors import ValidationError
from xapi.query import StatementQuery, parse_statement_query

STATEMENT_ID = "0E0E0E0E-0000-4000-8000-000000000000"
AGENT = json.dumps({"mbox": "mailto:learner@example.com"})


def test_no_parameters_gives_defaults():
    assert parse_statement_query({}, "1.0.3") == StatementQuery()


def test_defaults_match_spec():
    query = parse_statement_query({}, "2.0.0")

    assert query.limit == 0
    assert query.format == "exact"
    assert query.attachments is False
    assert query.ascending is False
    assert query.related_activities is False
    assert query.related_agents is False


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_every_filter_parsed(version):
    query = parse_statement_query(
        {
            "agent": AGENT,
            "verb": "http://adlnet.gov/expapi/verbs/completed",
            "activity": "http://example.com/courses/algebra",
            "registration": "EC531277-B57B-4C15-8D91-D292C5B2B8F7",
            "related_activities": "true",
            "related_agents": "true",
            "since": "2024-01-01T00:00:00Z",
            "until": "2024-02-01T00:00:00.500+01:00",
            "limit": "25",
            "format": "canonical",
            "attachments": "true",
            "ascending": "true",
        },
        version,
    )

    assert query == StatementQuery(
        agent={"mbox": "mailto:learner@example.com"},
        verb="http://adlnet.gov/expapi/verbs/completed",
        activity="http://example.com/courses/algebra",
        registration="ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        related_activities=True,
        related_agents=True,
        since=datetime(2024, 1, 1, tzinfo=timezone.utc),
        until=datetime(2024, 1, 31, 23, 0, 0, 500000, tzinfo=timezone.utc),
        limit=25,
        format="canonical",
        attachments=True,
        ascending=True,
    )


@pytest.mark.parametrize("parameter", ["statementId", "voidedStatementId"])
def test_single_statement_with_format_and_attachments(parameter):
    query = parse_statement_query({parameter: STATEMENT_ID, "format": "ids", "attachments": "false"}, "1.0.3")

    field = "statement_id" if parameter == "statementId" else "voided_statement_id"
    assert getattr(query, field) == STATEMENT_ID.lower()
    assert query.format == "ids"


def test_identified_group_agent_accepted():
    group = json.dumps(
        {"objectType": "Group", "account": {"homePage": "https://lms.example.com", "name": "team-4"}}
    )

    assert parse_statement_query({"agent": group}, "1.0.3").agent["objectType"] == "Group"


BAD_PARAMETERS = [
    pytest.param({"foo": "1"}, "foo", id="unknown parameter"),
    pytest.param({"statementID": STATEMENT_ID}, "statementID", id="wrong-case statementId"),
    pytest.param({"Agent": AGENT}, "Agent", id="wrong-case agent"),
    pytest.param({"relatedActivities": "true"}, "relatedActivities", id="camel-case related_activities"),
    pytest.param({"agent": "{mbox: learner}"}, "agent", id="agent not JSON"),
    pytest.param({"agent": '"mailto:learner@example.com"'}, "agent", id="agent JSON string"),
    pytest.param({"agent": "{}"}, "agent", id="agent without IFI"),
    pytest.param(
        {"agent": json.dumps({"mbox": "learner@example.com"})}, "agent.mbox", id="agent mbox without mailto"
    ),
    pytest.param(
        {"agent": json.dumps({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]})},
        "agent",
        id="agent anonymous Group",
    ),
    pytest.param({"verb": "completed"}, "verb", id="verb not IRI"),
    pytest.param({"activity": "438AD672-DE2C-4F0B-8876-35444E7DD746"}, "activity", id="activity bare UUID"),
    pytest.param({"registration": "not-a-uuid"}, "registration", id="registration not UUID"),
    pytest.param(
        {"statementId": "12345678-1234-5678-1234-567812345678"}, "statementId", id="statementId NCS variant"
    ),
    pytest.param({"voidedStatementId": "x"}, "voidedStatementId", id="voidedStatementId not UUID"),
    pytest.param({"since": "yesterday"}, "since", id="since not timestamp"),
    pytest.param({"until": "2024-01-01T00:00:00-00:00"}, "until", id="until unknown offset"),
    pytest.param({"limit": "-1"}, "limit", id="limit negative"),
    pytest.param({"limit": "ten"}, "limit", id="limit word"),
    pytest.param({"limit": "1.5"}, "limit", id="limit fractional"),
    pytest.param({"limit": ""}, "limit", id="limit empty"),
    pytest.param({"limit": "٣"}, "limit", id="limit non-ASCII digit"),
    pytest.param({"format": "full"}, "format", id="format unknown"),
    pytest.param({"format": "IDS"}, "format", id="format wrong case"),
    pytest.param({"attachments": "True"}, "attachments", id="attachments not JSON boolean"),
    pytest.param({"ascending": "1"}, "ascending", id="ascending number"),
    pytest.param({"related_agents": "yes"}, "related_agents", id="related_agents word"),
    pytest.param(
        {"statementId": STATEMENT_ID, "voidedStatementId": STATEMENT_ID},
        "voidedStatementId",
        id="both statement ids",
    ),
    pytest.param({"statementId": STATEMENT_ID, "limit": "1"}, "limit", id="statementId with limit"),
    pytest.param({"statementId": STATEMENT_ID, "agent": AGENT}, "agent", id="statementId with agent"),
    pytest.param(
        {"voidedStatementId": STATEMENT_ID, "since": "2024-01-01T00:00:00Z"},
        "since",
        id="voidedStatementId with since",
    ),
    pytest.param(
        {"voidedStatementId": STATEMENT_ID, "ascending": "true"},
        "ascending",
        id="voidedStatementId with ascending",
    ),
]


@pytest.mark.parametrize(("params", "path"), BAD_PARAMETERS)
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_bad_parameter_rejected(params, path, version):
    with pytest.raises(ValidationError) as caught:
        parse_statement_query(params, version)

    assert caught.value.path == path


def test_since_without_offset_follows_version():
    params = {"since": "2024-01-01T00:00:00"}

    assert parse_statement_query(params, "1.0.3").since == datetime(2024, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(ValidationError):
        parse_statement_query(params, "2.0.0")


def test_wrong_case_parameter_message_suggests_spelling():
    with pytest.raises(ValidationError) as caught:
        parse_statement_query({"statementID": STATEMENT_ID}, "1.0.3")

    assert "'statementId'" in caught.value.message


def test_unsupported_version_argument_raises_value_error():
    with pytest.raises(ValueError):
        parse_statement_query({}, "0.95")
