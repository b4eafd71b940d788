import pytest

from xapi.errors import UnsupportedVersion
from xapi.versions import SUPPORTED_VERSIONS, resolve_version


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1.0", "1.0.3"),
        ("1.0.0", "1.0.3"),
        ("1.0.1", "1.0.3"),
        ("1.0.2", "1.0.3"),
        ("1.0.3", "1.0.3"),
        ("1.0.9", "1.0.3"),
        (" 1.0.3 ", "1.0.3"),
        ("2.0", "2.0.0"),
        ("2.0.0", "2.0.0"),
        ("2.0.1", "2.0.0"),
    ],
)
def test_resolve_version_accepted_header(header, expected):
    assert resolve_version(header) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "  ",
        "0.9",
        "0.95",
        "1.1.0",
        "1.1",
        "2.1.0",
        "3.0.0",
        "1",
        "2",
        "1.0.",
        "latest",
        "1.0.3.1",
        "v1.0.3",
    ],
)
def test_resolve_version_rejected_header(header):
    with pytest.raises(UnsupportedVersion) as caught:
        resolve_version(header)

    message = str(caught.value)
    assert "X-Experience-API-Version" in message
    assert "1.0.3" in message
    assert "2.0.0" in message


def test_supported_versions_list():
    assert SUPPORTED_VERSIONS == ("1.0.3", "2.0.0")
