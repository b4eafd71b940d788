"""Context rules, including the xAPI 2.0 contextAgents and contextGroups."""

import pytest
from xapi_test_support import (
    VERSIONS,
    full_statement,
    minimal_statement,
    rejection,
    remove_value,
    set_value,
    substatement,
)

from xapi.validation import validate_statement

CONTEXT_AGENTS = [
    {
        "objectType": "contextAgent",
        "agent": {"objectType": "Agent", "mbox": "mailto:player-1@example.com"},
        "relevantTypes": ["https://example.com/roles/observer"],
    },
    {
        "objectType": "contextAgent",
        "agent": {"account": {"homePage": "https://lms.example.com", "name": "7"}},
    },
]
CONTEXT_GROUPS = [
    {
        "objectType": "contextGroup",
        "group": {
            "objectType": "Group",
            "mbox": "mailto:team-1@example.com",
            "member": [{"mbox": "mailto:player-1@example.com"}],
        },
        "relevantTypes": ["https://example.com/roles/opposing-team"],
    }
]

REJECTED = [
    pytest.param("context", "classroom", "context", id="context as string"),
    pytest.param("context.registration", "ec531277", "context.registration", id="registration not UUID"),
    pytest.param("context.registration", None, "context.registration", id="registration null"),
    pytest.param("context.registration", 12345, "context.registration", id="registration number"),
    pytest.param("context.instructor", {"name": "No IFI"}, "context.instructor", id="instructor without IFI"),
    pytest.param(
        "context.team",
        {"objectType": "Agent", "mbox": "mailto:t@example.com"},
        "context.team.objectType",
        id="team as Agent",
    ),
    pytest.param(
        "context.team", {"objectType": "Group"}, "context.team.member", id="team anonymous without members"
    ),
    pytest.param(
        "context.contextActivities", [], "context.contextActivities", id="contextActivities as array"
    ),
    pytest.param(
        "context.contextActivities.parents",
        [{"id": "http://example.com/a"}],
        "context.contextActivities.parents",
        id="contextActivities unknown type",
    ),
    pytest.param(
        "context.contextActivities.Parent",
        [{"id": "http://example.com/a"}],
        "context.contextActivities.Parent",
        id="contextActivities wrong-case type",
    ),
    pytest.param(
        "context.contextActivities.parent",
        "http://example.com/a",
        "context.contextActivities.parent",
        id="contextActivities value string",
    ),
    pytest.param(
        "context.contextActivities.parent",
        None,
        "context.contextActivities.parent",
        id="contextActivities value null",
    ),
    pytest.param(
        "context.contextActivities.parent[0].objectType",
        "GroupActivity",
        "context.contextActivities.parent[0].objectType",
        id="context Activity GroupActivity",
    ),
    pytest.param(
        "context.contextActivities.grouping[0].id",
        "438AD672-DE2C-4F0B-8876-35444E7DD746",
        "context.contextActivities.grouping[0].id",
        id="context Activity bare UUID id",
    ),
    pytest.param(
        "context.contextActivities.other",
        [{"objectType": "Agent", "mbox": "mailto:a@example.com"}],
        "context.contextActivities.other[0].objectType",
        id="context Activity as Agent",
    ),
    pytest.param("context.revision", 2, "context.revision", id="revision number"),
    pytest.param("context.platform", ["web"], "context.platform", id="platform array"),
    pytest.param("context.language", "en-", "context.language", id="language with empty subtag"),
    pytest.param("context.language", "e", "context.language", id="language subtag too short"),
    pytest.param("context.language", "en_US", "context.language", id="language with underscore"),
    pytest.param(
        "context.statement",
        {"id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
        "context.statement.objectType",
        id="statement without objectType",
    ),
    pytest.param(
        "context.statement",
        {"objectType": "SubStatement", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
        "context.statement.objectType",
        id="statement SubStatement",
    ),
    pytest.param("context.statement.id", "6690e6c9", "context.statement.id", id="statement id not UUID"),
    pytest.param(
        "context.extensions", {"session": 1}, "context.extensions.session", id="extension key not IRI"
    ),
    pytest.param("context.location", "Room 4", "context.location", id="unknown property"),
]


@pytest.mark.parametrize(("path", "value", "error_path"), REJECTED)
@pytest.mark.parametrize("version", VERSIONS)
def test_context_rejected(path, value, error_path, version):
    error = rejection(set_value(full_statement(), path, value), version)

    assert error.path == error_path


ACCEPTED = [
    pytest.param(
        "context.contextActivities.parent",
        {"id": "http://example.com/a"},
        id="contextActivities single Activity",
    ),
    pytest.param("context.contextActivities.category", [], id="contextActivities empty array"),
    pytest.param("context.contextActivities", {}, id="empty contextActivities"),
    pytest.param(
        "context.instructor",
        {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]},
        id="instructor Group",
    ),
    pytest.param("context.language", "tlh", id="language Klingon"),
    pytest.param("context.extensions", {"http://example.com/e": None}, id="extension value null"),
    pytest.param(
        "context.registration", "EC531277-B57B-4C15-8D91-D292C5B2B8F7", id="upper-case registration"
    ),
]


@pytest.mark.parametrize(("path", "value"), ACCEPTED)
@pytest.mark.parametrize("version", VERSIONS)
def test_context_accepted(path, value, version):
    validate_statement(set_value(full_statement(), path, value), version)


@pytest.mark.parametrize("key", ["revision", "platform"])
@pytest.mark.parametrize(
    "statement_object",
    [
        pytest.param({"objectType": "Agent", "mbox": "mailto:a@example.com"}, id="Agent"),
        pytest.param({"objectType": "Group", "mbox": "mailto:t@example.com"}, id="Group"),
        pytest.param(
            {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}, id="StatementRef"
        ),
    ],
)
@pytest.mark.parametrize("version", VERSIONS)
def test_revision_and_platform_need_activity_object(key, statement_object, version):
    statement = set_value(minimal_statement(), "object", statement_object)
    set_value(statement, "context", {key: "x"})

    assert rejection(statement, version).path == f"context.{key}"


@pytest.mark.parametrize("version", VERSIONS)
def test_revision_and_platform_allowed_with_activity_object(version):
    statement = set_value(minimal_statement(), "context", {"revision": "r1", "platform": "web"})

    validate_statement(statement, version)


# --- xAPI 2.0 contextAgents and contextGroups -------------------------------


@pytest.mark.parametrize(
    ("key", "value"), [("contextAgents", CONTEXT_AGENTS), ("contextGroups", CONTEXT_GROUPS)]
)
def test_context_2_0_property_under_1_0_3(key, value):
    statement = set_value(full_statement(), f"context.{key}", value)

    error = rejection(statement, "1.0.3")

    assert error.path == f"context.{key}"
    assert "xAPI 2.0" in error.message


@pytest.mark.parametrize(
    ("key", "value"), [("contextAgents", CONTEXT_AGENTS), ("contextGroups", CONTEXT_GROUPS)]
)
def test_context_2_0_property_under_2_0(key, value):
    validate_statement(set_value(full_statement(), f"context.{key}", value), "2.0.0")


def test_context_agents_in_substatement_follow_version():
    sub = set_value(substatement(), "context", {"contextAgents": CONTEXT_AGENTS})
    statement = set_value(minimal_statement(), "object", sub)

    validate_statement(statement, "2.0.0")
    assert rejection(statement, "1.0.3").path == "object.context.contextAgents"


def context_agent(**changes) -> list:
    entry = {"objectType": "contextAgent", "agent": {"mbox": "mailto:player-1@example.com"}, **changes}
    return [entry]


def context_group(**changes) -> list:
    entry = {
        "objectType": "contextGroup",
        "group": {"objectType": "Group", "mbox": "mailto:team-1@example.com"},
        **changes,
    }
    return [entry]


REJECTED_2_0 = [
    pytest.param(
        "contextAgents", {"objectType": "contextAgent"}, "context.contextAgents", id="contextAgents as object"
    ),
    pytest.param(
        "contextAgents",
        context_agent(objectType="Should fail"),
        "context.contextAgents[0].objectType",
        id="contextAgent wrong objectType",
    ),
    pytest.param(
        "contextAgents",
        context_agent(objectType="ContextAgent"),
        "context.contextAgents[0].objectType",
        id="contextAgent objectType wrong case",
    ),
    pytest.param(
        "contextAgents",
        [{"agent": {"mbox": "mailto:a@example.com"}}],
        "context.contextAgents[0].objectType",
        id="contextAgent without objectType",
    ),
    pytest.param(
        "contextAgents",
        [{"objectType": "contextAgent"}],
        "context.contextAgents[0].agent",
        id="contextAgent without agent",
    ),
    pytest.param(
        "contextAgents",
        context_agent(agent={"key": "Should fail"}),
        "context.contextAgents[0].agent.key",
        id="contextAgent invalid agent",
    ),
    pytest.param(
        "contextAgents",
        context_agent(agent={"objectType": "Group", "mbox": "mailto:t@example.com"}),
        "context.contextAgents[0].agent.objectType",
        id="contextAgent agent is Group",
    ),
    pytest.param(
        "contextAgents",
        context_agent(relevantTypes=[]),
        "context.contextAgents[0].relevantTypes",
        id="contextAgent empty relevantTypes",
    ),
    pytest.param(
        "contextAgents",
        context_agent(relevantTypes=["abc"]),
        "context.contextAgents[0].relevantTypes[0]",
        id="contextAgent relevantTypes not IRI",
    ),
    pytest.param(
        "contextAgents",
        context_agent(relevantTypes="https://example.com/r"),
        "context.contextAgents[0].relevantTypes",
        id="contextAgent relevantTypes string",
    ),
    pytest.param(
        "contextAgents",
        context_agent(role="x"),
        "context.contextAgents[0].role",
        id="contextAgent unknown property",
    ),
    pytest.param(
        "contextGroups",
        context_group(objectType="Should fail"),
        "context.contextGroups[0].objectType",
        id="contextGroup wrong objectType",
    ),
    pytest.param(
        "contextGroups",
        context_group(group={"key": "Should fail"}),
        "context.contextGroups[0].group.objectType",
        id="contextGroup invalid group",
    ),
    pytest.param(
        "contextGroups",
        context_group(group={"objectType": "Agent", "mbox": "mailto:a@example.com"}),
        "context.contextGroups[0].group.objectType",
        id="contextGroup group is Agent",
    ),
    pytest.param(
        "contextGroups",
        context_group(relevantTypes=[]),
        "context.contextGroups[0].relevantTypes",
        id="contextGroup empty relevantTypes",
    ),
    pytest.param(
        "contextGroups",
        context_group(relevantTypes=["abc"]),
        "context.contextGroups[0].relevantTypes[0]",
        id="contextGroup relevantTypes not IRI",
    ),
    pytest.param(
        "contextGroups",
        context_group(member=[{"mbox": "mailto:a@example.com"}]),
        "context.contextGroups[0].member",
        id="contextGroup with member beside group",
    ),
]


@pytest.mark.parametrize(("key", "value", "error_path"), REJECTED_2_0)
def test_context_2_0_property_rejected(key, value, error_path):
    statement = set_value(full_statement(), f"context.{key}", value)

    assert rejection(statement, "2.0.0").path == error_path


def test_context_agents_empty_array_accepted_under_2_0():
    validate_statement(set_value(full_statement(), "context.contextAgents", []), "2.0.0")


def test_context_without_revision_keeps_agent_object_valid():
    statement = remove_value(remove_value(full_statement(), "context.revision"), "context.platform")
    set_value(statement, "object", {"objectType": "Agent", "mbox": "mailto:a@example.com"})

    validate_statement(statement, "1.0.3")
