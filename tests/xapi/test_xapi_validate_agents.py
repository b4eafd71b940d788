"""Agent, Group and account rules, checked through the statement actor and the
other places an Agent or Group appears."""

import pytest
from xapi_test_support import VERSIONS, full_statement, rejection, remove_value, set_value

from xapi.validation import validate_statement

MBOX = "mailto:learner1@example.com"
SHA1 = "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"
ACCOUNT = {"homePage": "http://www.example.com", "name": "13936749"}

REJECTED_ACTORS = [
    pytest.param({"mbox": MBOX, "mbox_sha1sum": SHA1}, "actor", id="Agent with two IFIs"),
    pytest.param({"mbox": MBOX, "account": ACCOUNT}, "actor", id="Agent with mbox and account"),
    pytest.param({"objectType": "Agent", "name": "No IFI"}, "actor", id="Agent without IFI"),
    pytest.param({"mbox": "learner1@example.com"}, "actor.mbox", id="mbox without mailto scheme"),
    pytest.param({"mbox": "mailto:"}, "actor.mbox", id="mbox with empty address"),
    pytest.param({"mbox": "mailto:learner1"}, "actor.mbox", id="mbox without domain"),
    pytest.param({"mbox": "mailto:a@example.com?subject=hi"}, "actor.mbox", id="mbox with query"),
    pytest.param({"mbox": ["mailto:a@example.com"]}, "actor.mbox", id="mbox as array"),
    pytest.param({"mbox": None}, "actor.mbox", id="null mbox"),
    pytest.param({"mbox_sha1sum": SHA1[:39]}, "actor.mbox_sha1sum", id="mbox_sha1sum with 39 digits"),
    pytest.param({"mbox_sha1sum": "z" * 40}, "actor.mbox_sha1sum", id="mbox_sha1sum not hex"),
    pytest.param({"openid": "toby.openid.example.org"}, "actor.openid", id="openid without scheme"),
    pytest.param({"account": {"name": "13936749"}}, "actor.account.homePage", id="account without homePage"),
    pytest.param(
        {"account": {"homePage": "http://www.example.com"}}, "actor.account.name", id="account without name"
    ),
    pytest.param(
        {"account": {"homePage": "www.example.com", "name": "1"}},
        "actor.account.homePage",
        id="account homePage without scheme",
    ),
    pytest.param(
        {"account": {"homePage": "http://www.example.com", "name": {"key": "x"}}},
        "actor.account.name",
        id="account name not a string",
    ),
    pytest.param(
        {"account": {"homePage": "http://www.example.com", "name": ""}},
        "actor.account.name",
        id="account name empty",
    ),
    pytest.param(
        {"account": {**ACCOUNT, "email": "a@example.com"}},
        "actor.account.email",
        id="account with unknown property",
    ),
    pytest.param({"account": "http://www.example.com|13936749"}, "actor.account", id="account as string"),
    pytest.param({"objectType": "Person", "mbox": MBOX}, "actor.objectType", id="objectType Person"),
    pytest.param({"objectType": "agent", "mbox": MBOX}, "actor.objectType", id="objectType wrong case"),
    pytest.param({"mbox": MBOX, "name": 7}, "actor.name", id="name not a string"),
    pytest.param({"mbox": MBOX, "member": []}, "actor.member", id="Agent with member"),
    pytest.param({"mbox": MBOX, "homepage": "x"}, "actor.homepage", id="Agent with unknown property"),
    pytest.param(
        {"objectType": "Group", "name": "Team"}, "actor.member", id="anonymous Group without member"
    ),
    pytest.param(
        {"objectType": "Group", "member": []}, "actor.member", id="anonymous Group with empty member"
    ),
    pytest.param(
        {"objectType": "Group", "member": {"mbox": MBOX}}, "actor.member", id="Group member not an array"
    ),
    pytest.param(
        {"objectType": "Group", "member": [{"objectType": "Group", "mbox": "mailto:t@example.com"}]},
        "actor.member[0].objectType",
        id="Group containing a Group",
    ),
    pytest.param(
        {"objectType": "Group", "member": [{"name": "No IFI"}]},
        "actor.member[0]",
        id="Group member without IFI",
    ),
    pytest.param(
        {"objectType": "Group", "mbox": MBOX, "openid": "http://t.example.com/"},
        "actor",
        id="Group with two IFIs",
    ),
    pytest.param({"member": [{"mbox": MBOX}]}, "actor.member", id="Group without objectType read as Agent"),
]


@pytest.mark.parametrize(("actor", "path"), REJECTED_ACTORS)
@pytest.mark.parametrize("version", VERSIONS)
def test_actor_rejected(actor, path, version):
    error = rejection(set_value(full_statement(), "actor", actor), version)

    assert error.path == path


ACCEPTED_ACTORS = [
    pytest.param({"mbox": MBOX}, id="Agent without objectType"),
    pytest.param(
        {"objectType": "Agent", "mbox_sha1sum": SHA1.upper()}, id="Agent with upper-case mbox_sha1sum"
    ),
    pytest.param({"openid": "http://toby.openid.example.org/"}, id="Agent with openid"),
    pytest.param({"account": ACCOUNT, "name": ""}, id="Agent with account and empty name"),
    pytest.param({"mbox": "mailto:first.last+tag@sub.example.co.uk"}, id="mbox with plus and subdomain"),
    pytest.param(
        {"objectType": "Group", "mbox": "mailto:team@example.com"}, id="identified Group without member"
    ),
    pytest.param(
        {"objectType": "Group", "account": ACCOUNT, "member": []}, id="identified Group with empty member"
    ),
    pytest.param(
        {
            "objectType": "Group",
            "name": "Team",
            "member": [{"mbox": MBOX}, {"objectType": "Agent", "openid": "http://t.example.org/"}],
        },
        id="anonymous Group with Agents",
    ),
]


@pytest.mark.parametrize("actor", ACCEPTED_ACTORS)
@pytest.mark.parametrize("version", VERSIONS)
def test_actor_accepted(actor, version):
    validate_statement(set_value(full_statement(), "actor", actor), version)


@pytest.mark.parametrize(
    ("path", "value", "error_path"),
    [
        pytest.param("object", {"objectType": "Agent", "name": "x"}, "object", id="object Agent without IFI"),
        pytest.param(
            "object",
            {"objectType": "Group", "member": []},
            "object.member",
            id="object anonymous Group without members",
        ),
        pytest.param(
            "context.instructor",
            {"mbox": "instructor@example.com"},
            "context.instructor.mbox",
            id="instructor mbox without mailto",
        ),
        pytest.param(
            "context.team", {"mbox": "mailto:team@example.com"}, "context.team.objectType", id="team as Agent"
        ),
        pytest.param(
            "authority",
            {"account": {"homePage": "http://example.com"}},
            "authority.account.name",
            id="authority account without name",
        ),
    ],
)
@pytest.mark.parametrize("version", VERSIONS)
def test_agent_rules_apply_everywhere(path, value, error_path, version):
    # Without revision and platform, the object may be an Agent or Group.
    statement = remove_value(remove_value(full_statement(), "context.revision"), "context.platform")

    error = rejection(set_value(statement, path, value), version)

    assert error.path == error_path


def test_two_ifi_message_names_both():
    error = rejection(
        set_value(full_statement(), "actor", {"mbox": MBOX, "openid": "http://a.example.com/"}), "1.0.3"
    )

    assert "mbox" in error.message
    assert "openid" in error.message
