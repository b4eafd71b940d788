"""Declarative skill mappings: skill frameworks, rules and roles loaded from YAML files.

The package is pure Python (PyYAML only, no Flask or database imports), so tools can
validate mapping files and evaluate statements without the hub running.
"""

from hub.mapping.errors import MappingError
from hub.mapping.loader import default_mappings_dir, load_mappings
from hub.mapping.mapping_set import MappingSet, normalize_title, statement_time
from hub.mapping.model import (
    LEVEL_MODES,
    SOURCE_KINDS,
    ContextActivityCondition,
    EvidenceCandidate,
    LevelSpec,
    MatchSpec,
    ResultCondition,
    Role,
    Rule,
    Skill,
)

__all__ = [
    "LEVEL_MODES",
    "SOURCE_KINDS",
    "ContextActivityCondition",
    "EvidenceCandidate",
    "LevelSpec",
    "MappingError",
    "MappingSet",
    "MatchSpec",
    "ResultCondition",
    "Role",
    "Rule",
    "Skill",
    "default_mappings_dir",
    "load_mappings",
    "normalize_title",
    "statement_time",
]
