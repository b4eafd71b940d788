import hashlib

import pytest

from xapi.agents import agent_identifiers, agent_ifi, mbox_sha1sum, normalize_mbox


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ({"mbox": "mailto:learner@example.com"}, ("mbox", "mailto:learner@example.com")),
        (
            {"objectType": "Agent", "mbox": "mailto:Learner@EXAMPLE.com"},
            ("mbox", "mailto:Learner@example.com"),
        ),
        (
            {"mbox_sha1sum": "EBD31E95054C018B10727CCFFD2EF2EC3A016EE9"},
            ("mbox_sha1sum", "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"),
        ),
        ({"openid": "http://toby.openid.example.org/"}, ("openid", "http://toby.openid.example.org/")),
        (
            {"account": {"homePage": "http://www.example.com", "name": "13936749"}},
            ("account", "http://www.example.com|13936749"),
        ),
        (
            {
                "objectType": "Group",
                "mbox": "mailto:team@example.com",
                "member": [{"mbox": "mailto:a@example.com"}],
            },
            ("mbox", "mailto:team@example.com"),
        ),
    ],
)
def test_agent_ifi_each_kind(agent, expected):
    assert agent_ifi(agent) == expected


def test_agent_ifi_anonymous_group_is_none():
    group = {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}

    assert agent_ifi(group) is None


def test_mbox_sha1sum_hashes_whole_mailto_iri():
    expected = hashlib.sha1(b"mailto:learner@example.com").hexdigest()

    assert mbox_sha1sum("mailto:learner@example.com") == expected


def test_mbox_sha1sum_keeps_input_case():
    assert mbox_sha1sum("mailto:Learner@Example.com") != mbox_sha1sum("mailto:learner@example.com")


def test_normalize_mbox_lowercases_scheme_and_domain_only():
    assert normalize_mbox("MAILTO:First.Last@Example.COM") == "mailto:First.Last@example.com"


def test_agent_identifiers_mbox_adds_sha1sum_forms():
    identifiers = agent_identifiers({"mbox": "mailto:learner@Example.com"})

    assert identifiers == [
        ("mbox", "mailto:learner@example.com"),
        ("mbox_sha1sum", hashlib.sha1(b"mailto:learner@example.com").hexdigest()),
        ("mbox_sha1sum", hashlib.sha1(b"mailto:learner@Example.com").hexdigest()),
    ]


def test_agent_identifiers_normalised_mbox_has_one_hash():
    identifiers = agent_identifiers({"mbox": "mailto:learner@example.com"})

    assert len(identifiers) == 2


def test_agent_identifiers_account_only_ifi():
    account_agent = {"account": {"homePage": "https://lms.example.com", "name": "u-1"}}

    assert agent_identifiers(account_agent) == [("account", "https://lms.example.com|u-1")]


def test_agent_identifiers_anonymous_group_empty():
    assert agent_identifiers({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}) == []


def test_sha1sum_of_mbox_matches_sha1sum_agent():
    by_mbox = agent_identifiers({"mbox": "mailto:learner@example.com"})
    by_hash = agent_identifiers({"mbox_sha1sum": mbox_sha1sum("mailto:learner@example.com")})

    assert by_hash[0] in by_mbox
