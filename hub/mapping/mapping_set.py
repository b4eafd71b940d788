"""The loaded skills, rules and roles, and the evaluation of statements against the rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from hub.mapping.levels import compute_level
from hub.mapping.matching import Predicate, StatementView, compile_match
from hub.mapping.model import EvidenceCandidate, Role, Rule, Skill
from xapi.errors import ValidationError
from xapi.timestamps import parse_timestamp

VERB_VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def normalize_title(title: str) -> str:
    """Return a job title in the form used for lookups: case-folded, single spaces."""
    return " ".join(title.casefold().split())


def statement_time(statement: Mapping[str, Any]) -> datetime:
    """Return the statement's timestamp, or its stored time when it has no timestamp, in UTC.

    The timestamp is read by the parser that validated it on the way in, so every form the LRS accepts maps
    (leap seconds, lower-case separators, ISO 8601 basic format). Raises ValueError when the statement has
    neither timestamp nor stored, or the value is not one of those forms.
    """
    value = statement.get("timestamp") or statement.get("stored")
    if not isinstance(value, str):
        raise ValueError(f"statement {statement.get('id')!r} has neither timestamp nor stored")

    try:
        return parse_timestamp(value, "timestamp")
    except ValidationError as error:
        raise ValueError(f"statement {statement.get('id')!r} has an invalid timestamp: {error}") from error


class MappingSet:
    """Skills, rules and roles loaded from a mappings directory.

    ``roles`` maps each role title to its expected skill URIs. ``role_definitions``
    keeps the full Role, with aliases and target levels.
    """

    def __init__(
        self,
        skills: Mapping[str, Skill],
        rules: Iterable[Rule],
        role_definitions: Mapping[str, Role] | None = None,
    ) -> None:
        self.skills: dict[str, Skill] = dict(skills)
        self.rules: list[Rule] = list(rules)
        self.role_definitions: dict[str, Role] = dict(role_definitions or {})
        self.roles: dict[str, tuple[str, ...]] = {
            title: role.skills for title, role in self.role_definitions.items()
        }

        self._check_skill_references()
        self._roles_by_title = self._index_titles()
        self._rules_by_verb, self._rules_for_other_verbs = self._index_rules()

    def _check_skill_references(self) -> None:
        for rule in self.rules:
            for uri in rule.skills:
                if uri not in self.skills:
                    raise ValueError(f"rule {rule.id!r} refers to unknown skill {uri!r}")
        for role in self.role_definitions.values():
            for uri in role.skills:
                if uri not in self.skills:
                    raise ValueError(f"role {role.title!r} refers to unknown skill {uri!r}")

    def _index_titles(self) -> dict[str, Role]:
        by_title = {}
        for role in self.role_definitions.values():
            for name in (role.title, *role.aliases):
                by_title[normalize_title(name)] = role
        return by_title

    def _index_rules(
        self,
    ) -> tuple[dict[str, tuple[tuple[Rule, Predicate], ...]], tuple[tuple[Rule, Predicate], ...]]:
        """Precompile every rule and list, per verb id, the rules that can match it.

        Rules without a verb condition are listed under every verb and also apply to
        verbs that no rule names. Each list keeps the rules' file order.
        """
        compiled = [(rule, compile_match(rule.match)) for rule in self.rules]
        named_verbs = {verb for rule in self.rules for verb in rule.match.verbs}

        by_verb = {
            verb: tuple(entry for entry in compiled if not entry[0].match.verbs or verb in entry[0].match.verbs)
            for verb in named_verbs
        }
        for_other_verbs = tuple(entry for entry in compiled if not entry[0].match.verbs)
        return by_verb, for_other_verbs

    def evaluate(
        self, statement: Mapping[str, Any], *, source: str | None = None, voided: bool = False
    ) -> list[EvidenceCandidate]:
        """Return the evidence that the rules derive from one stored statement.

        ``source`` names where the statement came from (for example a connector), for
        rules with a ``source`` condition. A voided statement (``voided=True``), a
        voiding statement and a statement whose object is not an Activity give no
        evidence. Raises ValueError when a matching statement has no valid timestamp
        or stored time.
        """
        if voided:
            return []

        verb_id = (statement.get("verb") or {}).get("id")
        if verb_id == VERB_VOIDED:
            return []

        candidates = self._rules_by_verb.get(verb_id, self._rules_for_other_verbs)
        if not candidates:
            return []

        view = StatementView(statement, source)
        if not view.is_activity:
            return []

        evidence: list[EvidenceCandidate] = []
        observed_at: datetime | None = None
        for rule, matches in candidates:
            if not matches(view):
                continue
            level = compute_level(rule.level, verb_id, view.result)
            if level is None:
                continue

            if observed_at is None:
                observed_at = statement_time(statement)
            expires_at = _expiry(observed_at, rule.expires_after)

            for skill_uri in rule.skills:
                evidence.append(
                    EvidenceCandidate(
                        skill_uri=skill_uri,
                        rule_id=rule.id,
                        source_kind=rule.source_kind,
                        level=level.level,
                        raw_value=level.raw_value,
                        raw_scale=level.raw_scale,
                        confidence=rule.confidence,
                        observed_at=observed_at,
                        expires_at=expires_at,
                    )
                )
        return evidence

    def role_for_title(self, job_title: str) -> Role | None:
        """Return the role whose title or alias equals ``job_title``, ignoring case and extra spaces."""
        return self._roles_by_title.get(normalize_title(job_title))

    def expected_skills(self, job_title: str) -> tuple[str, ...]:
        """Return the skill URIs expected for a job title, or () when no role matches it."""
        role = self.role_for_title(job_title)
        return role.skills if role is not None else ()


def _expiry(observed_at: datetime, expires_after) -> datetime | None:
    """Return when evidence observed at ``observed_at`` expires; a date past year 9999 never expires."""
    if expires_after is None:
        return None
    try:
        return observed_at + expires_after
    except OverflowError:
        return None
