"""Statement-level rules: required and unknown properties, JSON types, ids,
timestamps, the version property, voiding, authority and batches."""

import pytest
from xapi_test_support import VERSIONS, full_statement, minimal_statement, rejection, remove_value, set_value

from xapi.errors import ValidationError
from xapi.validation import validate_statement, validate_statements

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def voiding(statement: dict, statement_object: dict) -> dict:
    """Turn a full statement into a voiding statement with the given object."""
    set_value(statement, "verb", {"id": VOIDED, "display": {"en-US": "voided"}})
    set_value(statement, "object", statement_object)
    remove_value(statement, "context.revision")
    return remove_value(statement, "context.platform")


def statement_ref() -> dict:
    return {"objectType": "StatementRef", "id": "e05aa883-acaf-40ad-bf54-02c8ce485fb0"}


@pytest.mark.parametrize("version", VERSIONS)
def test_minimal_statement_valid(version):
    validate_statement(minimal_statement(), version)


@pytest.mark.parametrize("version", VERSIONS)
def test_full_statement_valid(version):
    validate_statement(full_statement(), version)


@pytest.mark.parametrize("version", VERSIONS)
def test_statement_without_id_and_timestamp_valid(version):
    statement = remove_value(remove_value(minimal_statement(), "id"), "timestamp")

    validate_statement(statement, version)


REJECTED = [
    pytest.param(lambda s: remove_value(s, "actor"), "actor", id="missing actor"),
    pytest.param(lambda s: remove_value(s, "verb"), "verb", id="missing verb"),
    pytest.param(lambda s: remove_value(s, "object"), "object", id="missing object"),
    pytest.param(lambda s: set_value(s, "inProgress", True), "inProgress", id="unknown property"),
    pytest.param(
        lambda s: set_value(s, "objectType", "Statement"), "objectType", id="objectType on statement"
    ),
    pytest.param(
        lambda s: set_value(remove_value(s, "actor"), "Actor", {"mbox": "mailto:a@example.com"}),
        "actor",
        id="missing actor when sent as Actor",
    ),
    pytest.param(lambda s: set_value(s, "Version", "1.0.0"), "Version", id="wrong-case key Version"),
    pytest.param(lambda s: set_value(s, "id", None), "id", id="null id"),
    pytest.param(lambda s: set_value(s, "id", 12345), "id", id="numeric id"),
    pytest.param(lambda s: set_value(s, "id", ""), "id", id="empty id"),
    pytest.param(
        lambda s: set_value(s, "id", "AA97B177-9383-4934-8543-0F91A7A028368"),
        "id",
        id="id with too many digits",
    ),
    pytest.param(
        lambda s: set_value(s, "id", "MA97B177-9383-4934-8543-0F91A7A02836"),
        "id",
        id="id with non-hex letter",
    ),
    pytest.param(
        lambda s: set_value(s, "id", "12345678-1234-5678-1234-567812345678"),
        "id",
        id="id with NCS variant nibble",
    ),
    pytest.param(
        lambda s: set_value(s, "id", "fd41c918b88b4b20a0a5a4c32391aaa0"), "id", id="id without hyphens"
    ),
    pytest.param(
        lambda s: set_value(s, "id", "00000000-0000-0000-0000-000000000000"), "id", id="nil UUID id"
    ),
    pytest.param(
        lambda s: set_value(s, "timestamp", "01/011/2015"), "timestamp", id="timestamp not ISO 8601"
    ),
    pytest.param(
        lambda s: set_value(s, "timestamp", "2008-09-15T15:53:00.601-00:00"),
        "timestamp",
        id="timestamp with -00:00 offset",
    ),
    pytest.param(lambda s: set_value(s, "timestamp", None), "timestamp", id="null timestamp"),
    pytest.param(lambda s: set_value(s, "stored", "should fail"), "stored", id="stored not a timestamp"),
    pytest.param(lambda s: set_value(s, "version", "1.1.0"), "version", id="version 1.1.0"),
    pytest.param(lambda s: set_value(s, "version", "0.9.9"), "version", id="version 0.9.9"),
    pytest.param(lambda s: set_value(s, "version", "should fail"), "version", id="version not a version"),
    pytest.param(lambda s: set_value(s, "version", 1.0), "version", id="version as number"),
    pytest.param(
        lambda s: voiding(s, {"id": "http://example.com/a"}),
        "object",
        id="voiding statement with Activity object",
    ),
    pytest.param(
        lambda s: voiding(s, {"objectType": "Agent", "mbox": "mailto:a@example.com"}),
        "object",
        id="voiding statement with Agent object",
    ),
    pytest.param(
        lambda s: set_value(
            s, "authority", {"mbox": "mailto:a@example.com", "openid": "http://a.example.com/"}
        ),
        "authority",
        id="authority with two IFIs",
    ),
    pytest.param(
        lambda s: set_value(
            s,
            "authority",
            {
                "objectType": "Group",
                "member": [
                    {"mbox": "mailto:a@example.com"},
                    {"mbox": "mailto:b@example.com"},
                    {"mbox": "mailto:c@example.com"},
                ],
            },
        ),
        "authority.member",
        id="authority Group of three Agents",
    ),
]


@pytest.mark.parametrize(("change", "path"), REJECTED)
@pytest.mark.parametrize("version", VERSIONS)
def test_statement_rejected(change, path, version):
    error = rejection(change(full_statement()), version)

    assert error.path == path


ACCEPTED = [
    pytest.param(lambda s: set_value(s, "id", "FD41C918-B88B-4B20-A0A5-A4C32391AAA0"), id="upper-case id"),
    pytest.param(
        lambda s: set_value(s, "id", "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"), id="version 7 UUID id"
    ),
    pytest.param(
        lambda s: set_value(s, "timestamp", "2013-05-18T05:32:34.804+00:00"), id="timestamp with +00:00"
    ),
    pytest.param(
        lambda s: set_value(s, "timestamp", "2015-06-10T22:31:41+08:00"), id="timestamp with local offset"
    ),
    pytest.param(lambda s: set_value(s, "stored", "2013-05-18T05:32:34.804Z"), id="stored timestamp"),
    pytest.param(lambda s: set_value(s, "version", "1.0.0"), id="version 1.0.0"),
    pytest.param(lambda s: set_value(s, "version", "1.0"), id="version 1.0"),
    pytest.param(lambda s: set_value(s, "version", "1.0.9"), id="version 1.0.9"),
    pytest.param(lambda s: voiding(s, statement_ref()), id="voiding statement with StatementRef"),
    pytest.param(
        lambda s: set_value(
            s,
            "authority",
            {"objectType": "Agent", "account": {"homePage": "http://cloud.scorm.com/", "name": "anonymous"}},
        ),
        id="authority Agent",
    ),
    pytest.param(
        lambda s: set_value(
            s,
            "authority",
            {
                "objectType": "Group",
                "member": [
                    {
                        "account": {
                            "homePage": "http://example.com/xAPI/OAuth/Token",
                            "name": "oauth_consumer_x75db",
                        }
                    },
                    {"mbox": "mailto:bob@example.com"},
                ],
            },
        ),
        id="authority Group of OAuth consumer and user",
    ),
    pytest.param(
        lambda s: set_value(s, "result.extensions", {"http://example.com/null": None}),
        id="null extension value",
    ),
]


@pytest.mark.parametrize("change", ACCEPTED)
@pytest.mark.parametrize("version", VERSIONS)
def test_statement_accepted(change, version):
    validate_statement(change(full_statement()), version)


def test_timestamp_without_offset_per_version():
    statement = set_value(minimal_statement(), "timestamp", "2024-01-02T03:04:05.678")

    validate_statement(statement, "1.0.3")
    assert rejection(statement, "2.0.0").path == "timestamp"


def test_statement_version_2_0_0_per_version():
    statement = set_value(minimal_statement(), "version", "2.0.0")

    validate_statement(statement, "2.0.0")
    assert rejection(statement, "1.0.3").path == "version"


def test_version_1_0_3_valid_under_2_0():
    validate_statement(set_value(minimal_statement(), "version", "1.0.3"), "2.0.0")


@pytest.mark.parametrize("statement", [[], "statement", 7, None])
def test_statement_not_an_object_rejected(statement):
    error = rejection(statement, "1.0.3")

    assert error.path == ""


def test_unknown_property_message_names_it():
    error = rejection(set_value(minimal_statement(), "inProgress", True), "1.0.3")

    assert "unknown property 'inProgress'" in error.message


def test_wrong_case_key_message_suggests_spelling():
    error = rejection(set_value(minimal_statement(), "Version", "1.0.0"), "1.0.3")

    assert "case-sensitive" in error.message
    assert "'version'" in error.message


def test_error_string_joins_path_and_message():
    error = rejection(set_value(minimal_statement(), "id", "nope"), "1.0.3")

    assert str(error) == f"id: {error.message}"


def test_unsupported_version_argument_raises_value_error():
    with pytest.raises(ValueError):
        validate_statement(minimal_statement(), "1.0.2")


def test_path_prefix_applied_to_errors():
    with pytest.raises(ValidationError) as caught:
        validate_statement(set_value(minimal_statement(), "id", "nope"), "1.0.3", path="[7]")

    assert caught.value.path == "[7].id"


# --- batches ----------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_single_statement_returns_list(version):
    statement = minimal_statement()

    assert validate_statements(statement, version) == [statement]


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_empty_list_valid(version):
    assert validate_statements([], version) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_returns_same_objects(version):
    batch = [minimal_statement(), remove_value(minimal_statement(), "id")]

    assert validate_statements(batch, version) is batch


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_error_path_has_index_prefix(version):
    batch = [remove_value(minimal_statement(), "id") for _ in range(4)]
    set_value(batch[3], "result", {"score": {"scaled": 1.5}})

    with pytest.raises(ValidationError) as caught:
        validate_statements(batch, version)

    assert caught.value.path == "[3].result.score.scaled"


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_duplicate_ids_rejected(version):
    first = minimal_statement()
    second = set_value(minimal_statement(), "id", first["id"].upper())

    with pytest.raises(ValidationError) as caught:
        validate_statements([first, second], version)

    assert caught.value.path == "[1].id"
    assert "duplicate statement id" in caught.value.message


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_statements_without_id_not_duplicates(version):
    batch = [remove_value(minimal_statement(), "id"), remove_value(minimal_statement(), "id")]

    assert validate_statements(batch, version) == batch


@pytest.mark.parametrize("payload", ["[]", 3, None, True])
def test_batch_payload_not_object_or_array_rejected(payload):
    with pytest.raises(ValidationError) as caught:
        validate_statements(payload, "1.0.3")

    assert caught.value.path == ""


def test_batch_item_not_object_rejected():
    with pytest.raises(ValidationError) as caught:
        validate_statements([minimal_statement(), ["nested"]], "2.0.0")

    assert caught.value.path == "[1]"
