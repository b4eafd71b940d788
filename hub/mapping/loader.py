"""Load and validate a mappings directory: skills, rules and roles from YAML files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.mapping.errors import MappingError
from hub.mapping.fields import FieldReader, describe, item_label
from hub.mapping.mapping_set import MappingSet, normalize_title
from hub.mapping.model import Role, Rule, Skill
from hub.mapping.rules import parse_rule
from hub.mapping.yaml_files import find_yaml_files, read_yaml_file

TOP_LEVEL_FIELDS = ("skills", "rules", "roles")
SKILL_FIELDS = ("uri", "label", "description", "broader", "related")
ROLE_FIELDS = ("title", "aliases", "description", "skills")
ROLE_SKILL_FIELDS = ("skill", "level")

MAPPINGS_DIR_ENV = "SKILLWIRE_MAPPINGS_DIR"


@dataclass
class _Section:
    """The entries of one top-level list (skills, rules or roles) in one file."""

    file: str
    entries: list[Any]


def default_mappings_dir() -> Path:
    """Return the directory named by SKILLWIRE_MAPPINGS_DIR, else the repository's mappings/.

    NOTE: mappings/ sits next to the hub package in a source checkout or an editable
    install. A wheel does not contain it, so set SKILLWIRE_MAPPINGS_DIR there.
    """
    configured = os.environ.get(MAPPINGS_DIR_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "mappings"


def load_mappings(directory: Path) -> MappingSet:
    """Load every .yaml/.yml file under ``directory`` into one validated MappingSet.

    Any file may contain ``skills``, ``rules`` and ``roles`` lists. Skills from all
    files are read first, so a rule or role may refer to a skill of another file.
    Raises MappingError naming the file, item and field of the first invalid entry.
    """
    directory = Path(directory)
    sections: dict[str, list[_Section]] = {name: [] for name in TOP_LEVEL_FIELDS}

    for path in find_yaml_files(directory):
        document = read_yaml_file(path)
        _collect_sections(str(path), document, sections)

    skills = _parse_skills(sections["skills"])
    rules = _parse_rules(sections["rules"], set(skills))
    roles = _parse_roles(sections["roles"], set(skills))
    return MappingSet(skills=skills, rules=rules, role_definitions=roles)


def _collect_sections(file: str, document: dict[str, Any], sections: dict[str, list[_Section]]) -> None:
    for key, value in document.items():
        if key not in TOP_LEVEL_FIELDS:
            expected = ", ".join(TOP_LEVEL_FIELDS)
            raise MappingError(f"unknown top-level field, expected one of {expected}", file=file, field=str(key))
        if value is None:
            continue
        if not isinstance(value, list):
            raise MappingError(f"expected a list, got {describe(value)}", file=file, field=key)
        sections[key].append(_Section(file, value))


def _parse_skills(sections: list[_Section]) -> dict[str, Skill]:
    skills: dict[str, Skill] = {}
    defined_in: dict[str, str] = {}
    readers: dict[str, FieldReader] = {}

    for section in sections:
        for index, raw in enumerate(section.entries):
            reader = FieldReader(section.file, skill=item_label(raw, "uri", index))
            skill = _parse_skill(reader, raw)
            if skill.uri in skills:
                reader.fail("uri", f"duplicate skill URI, first defined in {defined_in[skill.uri]}")
            skills[skill.uri] = skill
            defined_in[skill.uri] = section.file
            readers[skill.uri] = reader

    _check_skill_links(skills, readers)
    return skills


def _parse_skill(reader: FieldReader, raw: Any) -> Skill:
    skill = reader.mapping(raw, "")
    reader.check_keys(skill, "", SKILL_FIELDS, ("uri", "label"))

    def links(key: str) -> tuple[str, ...]:
        value = skill.get(key)
        return () if value is None else reader.iri_list(value, key)

    return Skill(
        uri=reader.iri(skill["uri"], "uri"),
        label=reader.string(skill["label"], "label"),
        description=reader.optional_string(skill.get("description"), "description"),
        broader=links("broader"),
        related=links("related"),
    )


def _check_skill_links(skills: dict[str, Skill], readers: dict[str, FieldReader]) -> None:
    """Reject broader/related links to unknown skills or to the skill itself, and broader cycles."""
    for uri, skill in skills.items():
        reader = readers[uri]
        for field, targets in (("broader", skill.broader), ("related", skill.related)):
            for target in targets:
                if target == uri:
                    reader.fail(field, "a skill cannot link to itself")
                if target not in skills:
                    reader.fail(field, f"unknown skill {describe(target)}, no skill file defines it")

    cycle = _find_broader_cycle(skills)
    if cycle:
        readers[cycle[0]].fail("broader", f"broader links form a cycle: {' -> '.join(cycle)}")


def _find_broader_cycle(skills: dict[str, Skill]) -> list[str] | None:
    """Return the URIs of one cycle of broader links (first URI repeated at the end), or None.

    A depth-first search that marks each skill as in progress or done, so each link
    is followed once.
    """
    in_progress, done = 1, 2
    state: dict[str, int] = {}

    for root in skills:
        if root in state:
            continue
        path = [root]
        state[root] = in_progress
        stack = [iter(skills[root].broader)]

        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                state[path.pop()] = done
                continue
            if state.get(child) == in_progress:
                return path[path.index(child):] + [child]
            if state.get(child) == done:
                continue
            state[child] = in_progress
            path.append(child)
            stack.append(iter(skills[child].broader))

    return None


def _parse_rules(sections: list[_Section], known_skills: set[str]) -> list[Rule]:
    rules: list[Rule] = []
    defined_in: dict[str, str] = {}

    for section in sections:
        for index, raw in enumerate(section.entries):
            reader = FieldReader(section.file, rule=item_label(raw, "id", index))
            rule = parse_rule(reader, raw, known_skills)
            if rule.id in defined_in:
                reader.fail("id", f"duplicate rule id, first defined in {defined_in[rule.id]}")
            defined_in[rule.id] = section.file
            rules.append(rule)

    return rules


def _parse_roles(sections: list[_Section], known_skills: set[str]) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    titles_seen: dict[str, str] = {}

    for section in sections:
        for index, raw in enumerate(section.entries):
            reader = FieldReader(section.file, role=item_label(raw, "title", index))
            role = _parse_role(reader, raw, known_skills)

            for name in (role.title, *role.aliases):
                key = normalize_title(name)
                if key in titles_seen:
                    field = "title" if name == role.title else "aliases"
                    message = f"job title {describe(name)} is already used by role {describe(titles_seen[key])}"
                    reader.fail(field, message)
                titles_seen[key] = role.title
            roles[role.title] = role

    return roles


def _parse_role(reader: FieldReader, raw: Any, known_skills: set[str]) -> Role:
    role = reader.mapping(raw, "")
    reader.check_keys(role, "", ROLE_FIELDS, ("title", "skills"))

    entries = role["skills"]
    if not isinstance(entries, list) or not entries:
        reader.fail("skills", f"expected a non-empty list of skill URIs, got {describe(entries)}")

    skills: list[str] = []
    target_levels: dict[str, float] = {}
    for index, entry in enumerate(entries):
        field = f"skills[{index}]"
        if isinstance(entry, dict):
            reader.check_keys(entry, field, ROLE_SKILL_FIELDS, ("skill",))
            uri = reader.iri(entry["skill"], f"{field}.skill")
            if entry.get("level") is not None:
                target_levels[uri] = reader.fraction(entry["level"], f"{field}.level")
        else:
            uri = reader.iri(entry, field)
        if uri not in known_skills:
            reader.fail(field, f"unknown skill {describe(uri)}, no skill file defines it")
        if uri in skills:
            reader.fail(field, f"skill {describe(uri)} is listed twice")
        skills.append(uri)

    aliases = () if role.get("aliases") is None else reader.string_list(role["aliases"], "aliases")
    return Role(
        title=reader.string(role["title"], "title"),
        skills=tuple(skills),
        aliases=aliases,
        target_levels=target_levels,
        description=reader.optional_string(role.get("description"), "description"),
    )

