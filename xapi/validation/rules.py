"""Statement rules that differ between xAPI 1.0.3 and 2.0.0."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class VersionRules:
    """Statement rules of one xAPI version."""

    version: str
    allows_context_agents: bool
    statement_version_pattern: re.Pattern
    statement_version_hint: str


_RULES = {
    # xAPI 1.0.3 Data 2.4.10: accept statement versions starting with "1.0."
    # (the 1.0.3 conformance suite also accepts "1.0"), reject the rest.
    # NOTE: the patch number is limited to 9 digits, which xAPI does not
    # require, so that a stored version is at most 13 characters long.
    "1.0.3": VersionRules(
        version="1.0.3",
        allows_context_agents=False,
        statement_version_pattern=re.compile(r"1\.0(?:\.\d{1,9})?", re.ASCII),
        statement_version_hint="1.0.0",
    ),
    # NOTE: read from the 2.0 conformance suite and the yetanalytics
    # xapi-schema 2.0 rules, not from the IEEE 9274.1.1 text itself: a 2.0
    # LRS also accepts statements whose version is 1.0.x.
    "2.0.0": VersionRules(
        version="2.0.0",
        allows_context_agents=True,
        statement_version_pattern=re.compile(r"(?:1\.0|2\.0)(?:\.\d{1,9})?", re.ASCII),
        statement_version_hint="2.0.0",
    ),
}


def rules_for(version: str) -> VersionRules:
    """Return the rules of a version from SUPPORTED_VERSIONS; raise ValueError otherwise."""
    rules = _RULES.get(version)
    if rules is None:
        raise ValueError(f"unsupported xAPI version {version!r}: expected one of {', '.join(_RULES)}")
    return rules
