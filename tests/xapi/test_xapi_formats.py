"""The exact, ids and canonical statement formats, and language choice by Accept-Language."""

import copy

import pytest

from xapi.formats import choose_language, format_statement, parse_accept_language

STATEMENT = {
    "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "actor": {"objectType": "Agent", "name": "Learner One", "mbox": "mailto:learner1@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed", "de": "beendet"}},
    "object": {
        "objectType": "Activity",
        "id": "http://example.com/quiz",
        "definition": {
            "name": {"en-US": "Quiz", "de": "Test", "fr-FR": "Examen"},
            "description": {"en-US": "A quiz", "de": "Ein Test"},
            "interactionType": "choice",
            "choices": [{"id": "a", "description": {"en-US": "Yes", "de": "Ja"}}],
            "correctResponsesPattern": ["a"],
        },
    },
    "authority": {"objectType": "Agent", "name": "LRS", "account": {"homePage": "https://lrs.example.com",
                                                                      "name": "key"}},
    "context": {
        "instructor": {"name": "Teacher", "account": {"homePage": "https://lms.example.com", "name": "t-1"}},
        "team": {"objectType": "Group", "name": "Team", "member": [{"name": "A", "mbox": "mailto:a@example.com"}]},
        "contextActivities": {
            "parent": [{"id": "http://example.com/course", "definition": {"name": {"en-US": "Course", "de": "Kurs"}}}]
        },
        "contextAgents": [{"objectType": "contextAgent",
                           "agent": {"name": "Coach", "mbox": "mailto:coach@example.com"}}],
    },
}


def test_exact_returns_statement_unchanged():
    assert format_statement(STATEMENT, "exact") == STATEMENT


def test_ids_keeps_only_identifiers():
    ids = format_statement(STATEMENT, "ids")

    assert ids["actor"] == {"objectType": "Agent", "mbox": "mailto:learner1@example.com"}
    assert ids["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed"}
    assert ids["object"] == {"objectType": "Activity", "id": "http://example.com/quiz"}
    assert ids["authority"] == {"objectType": "Agent", "account": {"homePage": "https://lrs.example.com",
                                                                   "name": "key"}}
    assert ids["context"]["instructor"] == {"account": {"homePage": "https://lms.example.com", "name": "t-1"}}
    assert ids["context"]["contextActivities"]["parent"] == [{"id": "http://example.com/course"}]
    assert ids["context"]["contextAgents"][0]["agent"] == {"mbox": "mailto:coach@example.com"}


def test_ids_keeps_anonymous_group_members():
    ids = format_statement(STATEMENT, "ids")

    assert ids["context"]["team"] == {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}


def test_ids_drops_members_of_identified_group():
    statement = {**STATEMENT, "actor": {"objectType": "Group", "mbox": "mailto:team@example.com",
                                        "member": [{"mbox": "mailto:a@example.com"}]}}

    assert format_statement(statement, "ids")["actor"] == {"objectType": "Group", "mbox": "mailto:team@example.com"}


def test_ids_formats_substatement():
    statement = {**STATEMENT, "object": {"objectType": "SubStatement", "actor": STATEMENT["actor"],
                                         "verb": STATEMENT["verb"], "object": STATEMENT["object"]}}

    sub = format_statement(statement, "ids")["object"]

    assert sub["actor"] == {"objectType": "Agent", "mbox": "mailto:learner1@example.com"}
    assert sub["object"] == {"objectType": "Activity", "id": "http://example.com/quiz"}


def test_canonical_keeps_one_language_per_map():
    canonical = format_statement(STATEMENT, "canonical", ["de"])
    definition = canonical["object"]["definition"]

    assert definition["name"] == {"de": "Test"}
    assert definition["description"] == {"de": "Ein Test"}
    assert definition["choices"][0]["description"] == {"de": "Ja"}
    assert canonical["verb"]["display"] == {"de": "beendet"}
    assert canonical["context"]["contextActivities"]["parent"][0]["definition"]["name"] == {"de": "Kurs"}


def test_canonical_keeps_agents_exact():
    canonical = format_statement(STATEMENT, "canonical", ["de"])

    assert canonical["actor"] == STATEMENT["actor"]
    assert canonical["context"]["team"] == STATEMENT["context"]["team"]


def test_canonical_uses_lrs_definition():
    stored = {"name": {"en-US": "Stored quiz", "de": "Gespeicherter Test"}}

    canonical = format_statement(STATEMENT, "canonical", ["en"], {"http://example.com/quiz": stored}.get)

    assert canonical["object"]["definition"] == {"name": {"en-US": "Stored quiz"}}


def test_canonical_without_accept_language_keeps_first_entry():
    canonical = format_statement(STATEMENT, "canonical", [])

    assert canonical["object"]["definition"]["name"] == {"en-US": "Quiz"}


def test_formatting_leaves_input_unchanged():
    original = copy.deepcopy(STATEMENT)

    format_statement(STATEMENT, "ids")
    format_statement(STATEMENT, "canonical", ["de"])

    assert STATEMENT == original


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, []),
        ("", []),
        ("de", ["de"]),
        ("en-US,en;q=0.8,de;q=0.9", ["en-us", "de", "en"]),
        ("fr;q=0, de", ["de"]),
        ("*;q=0.1, es", ["es", "*"]),
        ("en;q=abc", ["en"]),
    ],
)
def test_parse_accept_language_orders_by_weight(header, expected):
    assert parse_accept_language(header) == expected


@pytest.mark.parametrize(
    "languages, expected",
    [
        (["fr-fr"], {"fr-FR": "Examen"}),
        (["fr"], {"fr-FR": "Examen"}),
        (["de-ch"], {"de": "Test"}),
        (["es", "de"], {"de": "Test"}),
        (["es"], {"en-US": "Quiz"}),
        (["*"], {"en-US": "Quiz"}),
        ([], {"en-US": "Quiz"}),
    ],
)
def test_choose_language_by_lookup(languages, expected):
    names = {"en-US": "Quiz", "de": "Test", "fr-FR": "Examen"}

    assert choose_language(names, languages) == expected
