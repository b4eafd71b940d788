"""Verb and object rules: Verb ids and displays, Activities and their
definitions, interaction components, StatementRefs and SubStatements,
IRIs and language maps."""

import pytest
from xapi_test_support import (
    VERSIONS,
    full_statement,
    interaction_activity,
    minimal_statement,
    rejection,
    remove_value,
    set_value,
    substatement,
)

from xapi.validation import validate_statement


def with_object(statement_object: dict) -> dict:
    return set_value(minimal_statement(), "object", statement_object)


def with_definition(path: str, value: object) -> dict:
    return with_object(set_value(interaction_activity(), path, value))


def without_definition_key(path: str) -> dict:
    return with_object(remove_value(interaction_activity(), path))


REJECTED = [
    # Verbs
    pytest.param(lambda: remove_value(minimal_statement(), "verb.id"), "verb.id", id="Verb without id"),
    pytest.param(lambda: set_value(minimal_statement(), "verb", "completed"), "verb", id="Verb as string"),
    pytest.param(
        lambda: set_value(minimal_statement(), "verb.id", "completed"), "verb.id", id="Verb id without scheme"
    ),
    pytest.param(
        lambda: set_value(minimal_statement(), "verb.id", "http://example.com/verbs/did it"),
        "verb.id",
        id="Verb id with space",
    ),
    pytest.param(
        lambda: set_value(minimal_statement(), "verb.display", {"en_US": "completed"}),
        "verb.display.en_US",
        id="display tag with underscore",
    ),
    pytest.param(
        lambda: set_value(minimal_statement(), "verb.display", {"de-419-DE": "x"}),
        "verb.display.de-419-DE",
        id="display tag with two regions",
    ),
    pytest.param(
        lambda: set_value(minimal_statement(), "verb.display", {"en-GB-x": "x"}),
        "verb.display.en-GB-x",
        id="display tag with empty private use",
    ),
    pytest.param(
        lambda: set_value(minimal_statement(), "verb.display", {"": "x"}),
        "verb.display.",
        id="display tag empty",
    ),
    pytest.param(
        lambda: set_value(minimal_statement(), "verb.display", {"en-US": None}),
        "verb.display.en-US",
        id="display value null",
    ),
    pytest.param(
        lambda: set_value(minimal_statement(), "verb.display", ["completed"]),
        "verb.display",
        id="display as array",
    ),
    pytest.param(
        lambda: set_value(minimal_statement(), "verb.name", {"en-US": "x"}),
        "verb.name",
        id="Verb with unknown property",
    ),
    # Object types
    pytest.param(
        lambda: with_object({"objectType": "GroupActivity", "id": "http://example.com/p"}),
        "object.objectType",
        id="objectType GroupActivity",
    ),
    pytest.param(
        lambda: with_object({"objectType": "activity", "id": "http://example.com/p"}),
        "object.objectType",
        id="objectType wrong case",
    ),
    pytest.param(
        lambda: with_object({"objectType": None, "id": "http://example.com/p"}),
        "object.objectType",
        id="objectType null",
    ),
    pytest.param(
        lambda: with_object({"mbox": "mailto:a@example.com"}),
        "object.id",
        id="Agent object without objectType read as Activity",
    ),
    # Activities
    pytest.param(lambda: with_object({"objectType": "Activity"}), "object.id", id="Activity without id"),
    pytest.param(
        lambda: with_object({"id": "438AD672-DE2C-4F0B-8876-35444E7DD746"}),
        "object.id",
        id="Activity id bare UUID",
    ),
    pytest.param(lambda: with_object({"id": "/relative/path"}), "object.id", id="Activity id relative"),
    pytest.param(lambda: with_object({"id": "#fragment"}), "object.id", id="Activity id fragment only"),
    pytest.param(
        lambda: with_object({"id": "http://example.com/a b"}), "object.id", id="Activity id with space"
    ),
    pytest.param(
        lambda: with_object({"id": "http://example.com/100%"}),
        "object.id",
        id="Activity id with bare percent",
    ),
    pytest.param(
        lambda: with_object({"id": "http://example.com/a#b#c"}),
        "object.id",
        id="Activity id with two fragments",
    ),
    pytest.param(lambda: with_object({"id": ""}), "object.id", id="Activity id empty"),
    pytest.param(
        lambda: with_object({"id": "http://example.com/a", "name": "x"}),
        "object.name",
        id="Activity with unknown property",
    ),
    pytest.param(
        lambda: with_object({"id": "http://example.com/a", "definition": []}),
        "object.definition",
        id="definition as array",
    ),
    pytest.param(
        lambda: with_definition("definition.color", "red"),
        "object.definition.color",
        id="definition with unknown property",
    ),
    pytest.param(
        lambda: with_definition("definition.type", "cmi.interaction"),
        "object.definition.type",
        id="definition type not IRI",
    ),
    pytest.param(
        lambda: with_definition("definition.moreInfo", "example.com/info"),
        "object.definition.moreInfo",
        id="moreInfo not IRL",
    ),
    pytest.param(
        lambda: with_definition("definition.moreInfo", None), "object.definition.moreInfo", id="moreInfo null"
    ),
    pytest.param(
        lambda: with_definition("definition.name", {"xx_YY": "Q"}),
        "object.definition.name.xx_YY",
        id="name with invalid tag",
    ),
    pytest.param(
        lambda: with_definition("definition.description", "Question"),
        "object.definition.description",
        id="description as string",
    ),
    pytest.param(
        lambda: with_definition("definition.extensions", {"color": "red"}),
        "object.definition.extensions.color",
        id="extension key not IRI",
    ),
    pytest.param(
        lambda: with_definition("definition.extensions", ["http://example.com/e"]),
        "object.definition.extensions",
        id="extensions as array",
    ),
    # Interactions
    pytest.param(
        lambda: with_definition("definition.interactionType", "compound"),
        "object.definition.interactionType",
        id="interactionType compound",
    ),
    pytest.param(
        lambda: with_definition("definition.interactionType", "Choice"),
        "object.definition.interactionType",
        id="interactionType wrong case",
    ),
    pytest.param(
        lambda: with_definition("definition.interactionType", 1),
        "object.definition.interactionType",
        id="interactionType number",
    ),
    pytest.param(
        lambda: with_definition("definition.interactionType", "likert"),
        "object.definition.choices",
        id="choices on likert",
    ),
    pytest.param(
        lambda: with_definition("definition.interactionType", "true-false"),
        "object.definition.choices",
        id="choices on true-false",
    ),
    pytest.param(
        lambda: with_definition("definition.scale", [{"id": "1"}]),
        "object.definition.scale",
        id="scale on choice",
    ),
    pytest.param(
        lambda: with_definition("definition.steps", [{"id": "1"}]),
        "object.definition.steps",
        id="steps on choice",
    ),
    pytest.param(
        lambda: with_definition("definition.correctResponsesPattern", "golf"),
        "object.definition.correctResponsesPattern",
        id="correctResponsesPattern as string",
    ),
    pytest.param(
        lambda: with_definition("definition.correctResponsesPattern", ["golf", 3]),
        "object.definition.correctResponsesPattern[1]",
        id="correctResponsesPattern with number",
    ),
    pytest.param(
        lambda: without_definition_key("definition.interactionType"),
        "object.definition.correctResponsesPattern",
        id="interaction properties without interactionType",
    ),
    pytest.param(
        lambda: with_definition("definition.choices", {"id": "golf"}),
        "object.definition.choices",
        id="choices as object",
    ),
    pytest.param(
        lambda: with_definition("definition.choices", [{"id": "golf"}, {"id": "golf"}]),
        "object.definition.choices[1].id",
        id="duplicate component ids",
    ),
    pytest.param(
        lambda: with_definition("definition.choices", [{"description": {"en-US": "Golf"}}]),
        "object.definition.choices[0].id",
        id="component without id",
    ),
    pytest.param(
        lambda: with_definition("definition.choices", [{"id": 1}]),
        "object.definition.choices[0].id",
        id="component id number",
    ),
    pytest.param(
        lambda: with_definition("definition.choices", [{"id": "a", "name": {"en-US": "A"}}]),
        "object.definition.choices[0].name",
        id="component with unknown property",
    ),
    pytest.param(
        lambda: with_definition("definition.choices", [{"id": "a", "description": {"en-US": 1}}]),
        "object.definition.choices[0].description.en-US",
        id="component description value number",
    ),
    pytest.param(
        lambda: with_definition("definition.choices", ["golf"]),
        "object.definition.choices[0]",
        id="component as string",
    ),
    # StatementRefs
    pytest.param(
        lambda: with_object({"objectType": "StatementRef", "id": "not-a-uuid"}),
        "object.id",
        id="StatementRef id not UUID",
    ),
    pytest.param(
        lambda: with_object({"objectType": "StatementRef"}), "object.id", id="StatementRef without id"
    ),
    pytest.param(
        lambda: with_object(
            {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0", "definition": {}}
        ),
        "object.definition",
        id="StatementRef with definition",
    ),
    # SubStatements
    pytest.param(
        lambda: with_object(set_value(substatement(), "object", substatement())),
        "object.object.objectType",
        id="nested SubStatement",
    ),
    pytest.param(
        lambda: with_object(set_value(substatement(), "id", "8f87ccde-bb56-4c2e-ab83-44982ef22df0")),
        "object.id",
        id="SubStatement with id",
    ),
    pytest.param(
        lambda: with_object(set_value(substatement(), "stored", "2024-01-02T03:04:05Z")),
        "object.stored",
        id="SubStatement with stored",
    ),
    pytest.param(
        lambda: with_object(set_value(substatement(), "version", "1.0.0")),
        "object.version",
        id="SubStatement with version",
    ),
    pytest.param(
        lambda: with_object(set_value(substatement(), "authority", {"mbox": "mailto:a@example.com"})),
        "object.authority",
        id="SubStatement with authority",
    ),
    pytest.param(
        lambda: with_object(remove_value(substatement(), "verb")),
        "object.verb",
        id="SubStatement without verb",
    ),
    pytest.param(
        lambda: with_object(set_value(substatement(), "actor", {"name": "x"})),
        "object.actor",
        id="SubStatement actor without IFI",
    ),
    pytest.param(
        lambda: with_object(set_value(substatement(), "timestamp", "soon")),
        "object.timestamp",
        id="SubStatement invalid timestamp",
    ),
    pytest.param(
        lambda: with_object(set_value(substatement(), "result", {"score": {"scaled": 2}})),
        "object.result.score.scaled",
        id="SubStatement result out of range",
    ),
    pytest.param(
        lambda: with_object(set_value(substatement(), "context", {"registration": "x"})),
        "object.context.registration",
        id="SubStatement context invalid registration",
    ),
    pytest.param(
        lambda: with_object(
            set_value(
                set_value(substatement(), "object", {"objectType": "Agent", "mbox": "mailto:a@example.com"}),
                "context",
                {"platform": "web"},
            )
        ),
        "object.context.platform",
        id="SubStatement platform with Agent object",
    ),
]


@pytest.mark.parametrize(("build", "path"), REJECTED)
@pytest.mark.parametrize("version", VERSIONS)
def test_object_rejected(build, path, version):
    error = rejection(build(), version)

    assert error.path == path


ACCEPTED = [
    pytest.param(lambda: with_object(interaction_activity()), id="choice interaction"),
    pytest.param(lambda: with_object({"id": "http://example.com/a"}), id="Activity without objectType"),
    pytest.param(
        lambda: with_object({"id": "uuid://fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}),
        id="Activity id with uuid scheme",
    ),
    pytest.param(
        lambda: with_object({"id": "urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}), id="Activity id URN"
    ),
    pytest.param(
        lambda: with_object({"id": "http://example.com/فعل/خواندن"}),
        id="Activity id with non-ASCII characters",
    ),
    pytest.param(
        lambda: with_object({"id": "http://example.com/a?x=1&y=%20#frag?ment"}),
        id="Activity id with query and fragment",
    ),
    pytest.param(
        lambda: with_object({"id": "https://brindlewaye.com/xAPITerms/verbs/loggedin/"}),
        id="Activity id with trailing slash",
    ),
    pytest.param(
        lambda: with_object({"id": "http://example.com/a", "definition": {}}), id="empty definition"
    ),
    pytest.param(
        lambda: with_definition("definition.correctResponsesPattern", []), id="empty correctResponsesPattern"
    ),
    pytest.param(
        lambda: with_definition("definition.interactionType", "sequencing"), id="choices on sequencing"
    ),
    pytest.param(
        lambda: with_object(
            {
                "id": "http://example.com/q",
                "definition": {"interactionType": "likert", "scale": [{"id": "1"}, {"id": "2"}]},
            }
        ),
        id="likert with scale",
    ),
    pytest.param(
        lambda: with_object(
            {
                "id": "http://example.com/q",
                "definition": {
                    "interactionType": "matching",
                    "source": [{"id": "a"}],
                    "target": [{"id": "a"}],
                },
            }
        ),
        id="matching with source and target sharing ids",
    ),
    pytest.param(
        lambda: with_object(
            {
                "id": "http://example.com/q",
                "definition": {"interactionType": "performance", "steps": [{"id": "1"}]},
            }
        ),
        id="performance with steps",
    ),
    pytest.param(
        lambda: with_object(
            {
                "id": "http://example.com/q",
                "definition": {
                    "interactionType": "other",
                    "correctResponsesPattern": ["{case_matters=true}x"],
                },
            }
        ),
        id="other with pattern",
    ),
    pytest.param(
        lambda: with_object(
            {
                "id": "http://example.com/q",
                "definition": {"interactionType": "numeric", "correctResponsesPattern": ["4[:]"]},
            }
        ),
        id="numeric with range",
    ),
    pytest.param(
        lambda: with_definition("definition.extensions", {"http://example.com/e": None}),
        id="definition extension value null",
    ),
    pytest.param(
        lambda: with_definition(
            "definition.name",
            {
                "en": "Q",
                "tlh": "Q",
                "und": "Q",
                "zh-Hans-CN": "Q",
                "es-419": "Q",
                "i-klingon": "Q",
                "x-private": "Q",
                "en-US-x-twain": "Q",
                "de-CH-1901": "Q",
                "sl-rozaj-biske": "Q",
                "en-a-bbb-x-a-ccc": "Q",
                "EN-us": "Q",
            },
        ),
        id="language map with RFC 5646 tags",
    ),
    pytest.param(
        lambda: with_object({"objectType": "StatementRef", "id": "8F87CCDE-BB56-4C2E-AB83-44982EF22DF0"}),
        id="StatementRef",
    ),
    pytest.param(
        lambda: with_object({"objectType": "Agent", "mbox": "mailto:a@example.com"}), id="Agent object"
    ),
    pytest.param(
        lambda: with_object({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}),
        id="anonymous Group object",
    ),
    pytest.param(lambda: with_object(substatement()), id="SubStatement with future timestamp"),
    pytest.param(
        lambda: with_object(
            set_value(
                substatement(),
                "object",
                {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
            )
        ),
        id="SubStatement with StatementRef object",
    ),
    pytest.param(
        lambda: with_object(set_value(substatement(), "attachments", full_statement()["attachments"])),
        id="SubStatement with attachments",
    ),
    pytest.param(
        lambda: set_value(minimal_statement(), "verb", {"id": "http://adlnet.gov/expapi/verbs/attempted"}),
        id="Verb without display",
    ),
]


@pytest.mark.parametrize("build", ACCEPTED)
@pytest.mark.parametrize("version", VERSIONS)
def test_object_accepted(build, version):
    validate_statement(build(), version)


def test_interaction_type_message_lists_vocabulary():
    error = rejection(with_definition("definition.interactionType", "compound"), "1.0.3")

    assert "'compound'" in error.message
    assert "long-fill-in" in error.message


def test_component_list_message_names_allowed_type():
    error = rejection(with_definition("definition.interactionType", "likert"), "1.0.3")

    assert "choice or sequencing" in error.message


def test_bare_uuid_message_asks_for_scheme():
    error = rejection(with_object({"id": "438AD672-DE2C-4F0B-8876-35444E7DD746"}), "1.0.3")

    assert "scheme" in error.message
