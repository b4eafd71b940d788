"""Statement comparison: copies an LRS could have produced match, real changes do not."""

import copy

import pytest
from xapi_test_support import full_statement, remove_value, set_value, substatement

from xapi.canonical import statements_equivalent

GROUP_ACTOR = {
    "objectType": "Group",
    "name": "Team PB",
    "mbox": "mailto:teampb@example.com",
    "member": [
        {
            "name": "Andrew",
            "account": {"homePage": "http://www.example.com", "name": "13936749"},
            "objectType": "Agent",
        },
        {"name": "Toby", "openid": "http://toby.openid.example.org/", "objectType": "Agent"},
        {"name": "Ena", "mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9", "objectType": "Agent"},
    ],
}


def original() -> dict:
    statement = full_statement()
    statement["actor"] = copy.deepcopy(GROUP_ACTOR)
    statement["object"]["definition"] = {
        "name": {"en-US": "Algebra"},
        "type": "http://adlnet.gov/expapi/activities/course",
    }
    return statement


def reordered(statement: dict) -> dict:
    """Rebuild every object with its keys in reverse order."""
    if isinstance(statement, dict):
        return {key: reordered(statement[key]) for key in reversed(list(statement))}
    if isinstance(statement, list):
        return [reordered(item) for item in statement]
    return statement


def test_identical_statements_equivalent():
    assert statements_equivalent(original(), original())


def test_reordered_keys_equivalent():
    assert statements_equivalent(original(), reordered(original()))


def test_reordered_group_members_equivalent():
    copy_with_members_reversed = original()
    copy_with_members_reversed["actor"]["member"].reverse()

    assert statements_equivalent(original(), copy_with_members_reversed)


LRS_ENHANCEMENTS = [
    pytest.param(lambda s: remove_value(s, "id"), id="id assigned by LRS"),
    pytest.param(lambda s: set_value(s, "stored", "2024-06-01T00:00:00.000Z"), id="stored added"),
    pytest.param(
        lambda s: set_value(
            s,
            "authority",
            {"objectType": "Agent", "account": {"homePage": "https://lrs.example.com", "name": "key-1"}},
        ),
        id="authority added",
    ),
    pytest.param(lambda s: set_value(s, "version", "1.0.0"), id="version added"),
    pytest.param(lambda s: remove_value(s, "timestamp"), id="timestamp assigned by LRS"),
    pytest.param(
        lambda s: set_value(s, "timestamp", "2024-01-02T05:04:05.678+02:00"), id="timestamp in another zone"
    ),
    pytest.param(
        lambda s: set_value(s, "timestamp", "2024-01-02T03:04:05.678000Z"), id="timestamp with more digits"
    ),
    pytest.param(lambda s: set_value(s, "verb.display", {"en-GB": "finished"}), id="verb display changed"),
    pytest.param(lambda s: remove_value(s, "verb.display"), id="verb display removed"),
    pytest.param(
        lambda s: set_value(s, "object.definition", {"name": {"en-US": "Algebra I"}}),
        id="activity definition changed",
    ),
    pytest.param(lambda s: remove_value(s, "object.definition"), id="activity definition removed"),
    pytest.param(lambda s: remove_value(s, "object.objectType"), id="default object objectType omitted"),
    pytest.param(
        lambda s: set_value(s, "context.contextActivities.parent", {"id": "http://example.com/courses/math"}),
        id="contextActivities single Activity",
    ),
    pytest.param(
        lambda s: set_value(s, "context.contextActivities.parent[0].definition", {"name": {"en": "Math"}}),
        id="context Activity definition added",
    ),
    pytest.param(lambda s: set_value(s, "actor.mbox", "mailto:teampb@EXAMPLE.COM"), id="mbox domain case"),
    pytest.param(
        lambda s: set_value(s, "actor.member[2].mbox_sha1sum", "EBD31E95054C018B10727CCFFD2EF2EC3A016EE9"),
        id="mbox_sha1sum case",
    ),
    pytest.param(
        lambda s: remove_value(s, "actor.member[0].objectType"), id="default member objectType omitted"
    ),
    pytest.param(
        lambda s: set_value(s, "context.registration", "EC531277-B57B-4C15-8D91-D292C5B2B8F7"),
        id="registration case",
    ),
    pytest.param(
        lambda s: set_value(s, "context.statement.id", "6690E6C9-3EF0-4ED3-8B37-7F3964730BEE"),
        id="context StatementRef id case",
    ),
    pytest.param(lambda s: set_value(s, "context.language", "EN-us"), id="language tag case"),
    pytest.param(
        lambda s: set_value(s, "context.instructor", {"objectType": "Agent", **s["context"]["instructor"]}),
        id="instructor objectType added",
    ),
    pytest.param(lambda s: remove_value(s, "attachments"), id="attachments removed"),
    pytest.param(
        lambda s: set_value(s, "result.duration", "PT4H35M59.1499S"), id="duration digits beyond 0.01 second"
    ),
]


@pytest.mark.parametrize("enhance", LRS_ENHANCEMENTS)
def test_lrs_enhanced_copy_equivalent(enhance):
    assert statements_equivalent(original(), enhance(original()))


@pytest.mark.parametrize("enhance", LRS_ENHANCEMENTS)
def test_lrs_enhanced_copy_equivalent_both_ways(enhance):
    assert statements_equivalent(enhance(original()), original())


REAL_CHANGES = [
    pytest.param(
        lambda s: set_value(s, "timestamp", "2024-01-02T03:04:06.678Z"), id="timestamp another instant"
    ),
    pytest.param(lambda s: set_value(s, "verb.id", "http://adlnet.gov/expapi/verbs/attempted"), id="verb id"),
    pytest.param(
        lambda s: set_value(s, "object.id", "http://example.com/courses/geometry"), id="activity id"
    ),
    pytest.param(
        lambda s: set_value(s, "object.id", "HTTP://example.com/courses/algebra"), id="activity id case"
    ),
    pytest.param(lambda s: set_value(s, "actor.name", "Team PC"), id="actor name"),
    pytest.param(
        lambda s: set_value(s, "actor.mbox", "mailto:TeamPB@example.com"), id="mbox local part case"
    ),
    pytest.param(
        lambda s: set_value(s, "actor.member[1].openid", "http://other.openid.example.org/"),
        id="member openid",
    ),
    pytest.param(lambda s: s["actor"]["member"].pop(), id="member removed"),
    pytest.param(lambda s: set_value(s, "result.success", False), id="result success"),
    pytest.param(lambda s: set_value(s, "result.score.raw", 9), id="result score raw"),
    pytest.param(lambda s: set_value(s, "result.duration", "PT4H35M59.15S"), id="duration at 0.01 second"),
    pytest.param(lambda s: set_value(s, "result.duration", "PT16559.14S"), id="duration in other units"),
    pytest.param(lambda s: remove_value(s, "result"), id="result removed"),
    pytest.param(
        lambda s: set_value(
            s, "result.extensions", {"http://example.com/ext/attempt": {"n": 3, "note": None}}
        ),
        id="result extension value",
    ),
    pytest.param(
        lambda s: set_value(s, "context.extensions", {"http://example.com/ext/session": "s-2"}),
        id="context extension value",
    ),
    pytest.param(
        lambda s: s["context"]["contextActivities"]["parent"].append({"id": "http://example.com/x"}),
        id="context Activity added",
    ),
    pytest.param(lambda s: set_value(s, "context.revision", "r3"), id="context revision"),
    pytest.param(
        lambda s: set_value(s, "context.registration", "ec531277-b57b-4c15-8d91-d292c5b2b8f8"),
        id="registration",
    ),
]


@pytest.mark.parametrize("change", REAL_CHANGES)
def test_changed_statement_not_equivalent(change):
    changed = original()
    change(changed)

    assert not statements_equivalent(original(), changed)


@pytest.mark.parametrize(("first", "second"), [(1, True), (0, False), (1.0, True), (True, 1)],
                         ids=["1 and true", "0 and false", "1.0 and true", "true and 1"])
def test_boolean_never_equals_number(first, second):
    extension = "http://example.com/ext/flag"

    assert not statements_equivalent(set_value(original(), "result.extensions", {extension: first}),
                                     set_value(original(), "result.extensions", {extension: second}))


def test_integer_equals_same_float():
    extension = "http://example.com/ext/score"

    assert statements_equivalent(set_value(original(), "result.extensions", {extension: [1, {"n": 2}]}),
                                 set_value(original(), "result.extensions", {extension: [1.0, {"n": 2.0}]}))


def test_substatement_timestamp_compared_as_instant():
    first = set_value(original(), "object", substatement())
    same_instant = set_value(
        original(), "object", set_value(substatement(), "timestamp", "2030-01-01T01:00:00+01:00")
    )

    assert statements_equivalent(first, same_instant)


def test_substatement_timestamp_change_not_equivalent():
    first = set_value(original(), "object", substatement())
    later = set_value(original(), "object", set_value(substatement(), "timestamp", "2030-01-02T00:00:00Z"))

    assert not statements_equivalent(first, later)


def test_substatement_activity_definition_ignored():
    with_definition = set_value(substatement(), "object.definition", {"name": {"en-US": "Website"}})

    assert statements_equivalent(
        set_value(original(), "object", substatement()),
        set_value(original(), "object", with_definition),
    )


def test_context_agents_compared():
    entry = {
        "objectType": "contextAgent",
        "agent": {"mbox": "mailto:a@example.com"},
        "relevantTypes": ["http://example.com/r"],
    }
    other = copy.deepcopy(entry)
    other["relevantTypes"] = ["http://example.com/other"]

    assert statements_equivalent(
        set_value(original(), "context.contextAgents", [entry]),
        set_value(original(), "context.contextAgents", [copy.deepcopy(entry)]),
    )
    assert not statements_equivalent(
        set_value(original(), "context.contextAgents", [entry]),
        set_value(original(), "context.contextAgents", [other]),
    )


def test_comparison_leaves_inputs_unchanged():
    first, second = original(), reordered(original())
    first_before, second_before = copy.deepcopy(first), copy.deepcopy(second)

    statements_equivalent(first, second)

    assert first == first_before
    assert second == second_before
