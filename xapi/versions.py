"""xAPI versions this library supports and how a request picks one."""

import re

from xapi.errors import UnsupportedVersion

SUPPORTED_VERSIONS = ("1.0.3", "2.0.0")

HEADER_NAME = "X-Experience-API-Version"

# xAPI 1.0.3 Communication 3.3: accept "1.0" as "1.0.0" and every header that
# starts with "1.0."; reject anything older, newer or missing. The 2.0
# conformance suite accepts "2.0" and "2.0.x" in the same way.
_HEADER_PATTERN = re.compile(r"(1\.0|2\.0)(?:\.\d+)?", re.ASCII)

_LATEST_PATCH = {"1.0": "1.0.3", "2.0": "2.0.0"}


def resolve_version(header_value: str | None) -> str:
    """Map an ``X-Experience-API-Version`` header value to a supported version.

    Returns "1.0.3" for "1.0" and any "1.0.x", and "2.0.0" for "2.0" and any
    "2.0.x". Raises UnsupportedVersion for a missing, older, newer or
    malformed value.
    """
    if header_value is None or not header_value.strip():
        raise UnsupportedVersion(f"missing {HEADER_NAME} header: send one of {', '.join(SUPPORTED_VERSIONS)}")

    match = _HEADER_PATTERN.fullmatch(header_value.strip())
    if match is None:
        raise UnsupportedVersion(
            f"unsupported {HEADER_NAME} header {header_value!r}: send one of "
            f"{', '.join(SUPPORTED_VERSIONS)} (or any 1.0.x or 2.0.x)"
        )

    return _LATEST_PATCH[match.group(1)]
