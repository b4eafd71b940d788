"""Attachment rules."""

import pytest
from xapi_test_support import VERSIONS, full_statement, rejection, remove_value, set_value

from xapi.validation import validate_statement

REJECTED = [
    pytest.param(
        lambda s: set_value(s, "attachments", {"usageType": "http://example.com/u"}),
        "attachments",
        id="attachments as object",
    ),
    pytest.param(
        lambda s: set_value(s, "attachments", ["signature"]), "attachments[0]", id="attachment as string"
    ),
    pytest.param(
        lambda s: remove_value(s, "attachments[0].usageType"),
        "attachments[0].usageType",
        id="missing usageType",
    ),
    pytest.param(
        lambda s: remove_value(s, "attachments[0].display"), "attachments[0].display", id="missing display"
    ),
    pytest.param(
        lambda s: remove_value(s, "attachments[0].contentType"),
        "attachments[0].contentType",
        id="missing contentType",
    ),
    pytest.param(
        lambda s: remove_value(s, "attachments[0].length"), "attachments[0].length", id="missing length"
    ),
    pytest.param(
        lambda s: remove_value(s, "attachments[0].sha2"),
        "attachments[0].sha2",
        id="missing sha2 with fileUrl",
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].usageType", "signature"),
        "attachments[0].usageType",
        id="usageType not IRI",
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].display", {"de-419-DE": "x"}),
        "attachments[0].display.de-419-DE",
        id="display with invalid tag",
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].description", {"de-419-DE": "x"}),
        "attachments[0].description.de-419-DE",
        id="description with invalid tag",
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].contentType", "octet-stream"),
        "attachments[0].contentType",
        id="contentType without subtype",
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].contentType", 7),
        "attachments[0].contentType",
        id="contentType number",
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].length", "4235"),
        "attachments[0].length",
        id="length as string",
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].length", 42.5), "attachments[0].length", id="length fractional"
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].length", -1), "attachments[0].length", id="length negative"
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].sha2", "abc"), "attachments[0].sha2", id="sha2 too short"
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].sha2", "g" * 64), "attachments[0].sha2", id="sha2 not hex"
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].fileUrl", "signature.jws"),
        "attachments[0].fileUrl",
        id="fileUrl relative",
    ),
    pytest.param(
        lambda s: set_value(s, "attachments[0].fileURL", "http://example.com/f"),
        "attachments[0].fileURL",
        id="fileURL wrong case",
    ),
]


@pytest.mark.parametrize(("change", "path"), REJECTED)
@pytest.mark.parametrize("version", VERSIONS)
def test_attachment_rejected(change, path, version):
    error = rejection(change(full_statement()), version)

    assert error.path == path


ACCEPTED = [
    pytest.param(lambda s: remove_value(s, "attachments[0].fileUrl"), id="without fileUrl"),
    pytest.param(lambda s: remove_value(s, "attachments[0].description"), id="without description"),
    pytest.param(
        lambda s: set_value(s, "attachments[0].contentType", "text/plain; charset=ascii"),
        id="contentType with parameter",
    ),
    pytest.param(lambda s: set_value(s, "attachments[0].sha2", "A" * 128), id="sha2 SHA-512 upper case"),
    pytest.param(lambda s: set_value(s, "attachments[0].length", 0), id="length zero"),
    pytest.param(lambda s: set_value(s, "attachments", []), id="empty attachments"),
]


@pytest.mark.parametrize("change", ACCEPTED)
@pytest.mark.parametrize("version", VERSIONS)
def test_attachment_accepted(change, version):
    validate_statement(change(full_statement()), version)
