"""Value types of a loaded mapping set: skills, rules, roles and evidence candidates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

SOURCE_KINDS = (
    "assessment",
    "certification",
    "completion",
    "activity",
    "manager_rating",
    "self_rating",
)

LEVEL_MODES = (
    "score.scaled",
    "score.raw",
    "success",
    "completion",
    "extension",
    "fixed",
)


@dataclass(frozen=True)
class Skill:
    """A skill of a framework, identified by a stable URI."""

    uri: str
    label: str
    description: str = ""
    broader: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class LevelSpec:
    """The modes and values that turn a statement's result into a level between 0 and 1.

    ``modes`` are tried in order and the first one that finds its value in the
    statement sets the level. ``level_range`` maps measured values (score.scaled,
    score.raw, extension) from 0..1 onto that interval. The success, completion and
    fixed modes use ``passed``/``failed``, ``completed`` and ``value`` as given.
    """

    modes: tuple[str, ...]
    passed: float = 1.0
    failed: float = 0.0
    completed: float = 1.0
    value: float | None = None
    extension: str | None = None
    level_range: tuple[float, float] = (0.0, 1.0)


@dataclass(frozen=True)
class ContextActivityCondition:
    """A condition on the statement's context activities.

    At least one context activity of the listed ``kinds`` (parent, grouping, category,
    other) must match every given attribute. Within the id attributes, matching any
    exact id, glob pattern or regular expression is enough.
    """

    kinds: tuple[str, ...]
    ids: tuple[str, ...] = ()
    id_patterns: tuple[str, ...] = ()
    id_regexes: tuple[str, ...] = ()
    activity_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResultCondition:
    """Conditions on the statement's result; None means the field is not checked."""

    success: bool | None = None
    completion: bool | None = None
    min_scaled: float | None = None
    max_scaled: float | None = None


@dataclass(frozen=True)
class MatchSpec:
    """The conditions that select the statements a rule applies to. Every given condition must hold.

    Each tuple lists alternatives, so one matching entry satisfies that condition.
    The activity id conditions (``activity_ids``, ``activity_id_patterns``,
    ``activity_id_regexes``) together form one condition.
    """

    verbs: tuple[str, ...] = ()
    activity_ids: tuple[str, ...] = ()
    activity_id_patterns: tuple[str, ...] = ()
    activity_id_regexes: tuple[str, ...] = ()
    activity_types: tuple[str, ...] = ()
    name_contains: tuple[str, ...] = ()
    context_activities: tuple[ContextActivityCondition, ...] = ()
    platforms: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    result: ResultCondition | None = None


@dataclass(frozen=True)
class Rule:
    """A mapping rule: statements that match give evidence for ``skills``."""

    id: str
    skills: tuple[str, ...]
    source_kind: str
    confidence: float
    level: LevelSpec
    match: MatchSpec
    expires_after: timedelta | None = None
    description: str = ""
    file: str = ""


@dataclass(frozen=True)
class Role:
    """A job title with the skills a person in it is expected to have.

    ``target_levels`` gives the expected level per skill URI, when the file sets one.
    """

    title: str
    skills: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    target_levels: dict[str, float] = field(default_factory=dict, hash=False)
    description: str = ""


@dataclass(frozen=True)
class EvidenceCandidate:
    """Evidence that one rule derived from one statement for one skill."""

    skill_uri: str
    rule_id: str
    source_kind: str
    level: float
    raw_value: str | None
    raw_scale: str | None
    confidence: float
    observed_at: datetime
    expires_at: datetime | None
