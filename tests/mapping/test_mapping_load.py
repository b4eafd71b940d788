"""Loading mapping folders: the shipped files and every kind of invalid entry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hub.mapping import MappingError, default_mappings_dir, load_mappings

SKILL = "https://skillwire.dev/skills/"
FIRST_AID = SKILL + "first-aid"

# A valid rule; the invalid cases replace one part of it.
VALID_RULE = """
rules:
  - id: quiz
    skills: [https://skillwire.dev/skills/first-aid]
    source_kind: assessment
    confidence: 0.8
    match:
      verb: http://adlnet.gov/expapi/verbs/passed
    level:
      from: score.scaled
"""


def rule_yaml(
    *,
    rule_id: str = "quiz",
    skills: str = "[https://skillwire.dev/skills/first-aid]",
    source_kind: str = "assessment",
    confidence: str = "0.8",
    match: str = "verb: http://adlnet.gov/expapi/verbs/passed",
    level: str = "from: score.scaled",
    extra: str = "",
) -> str:
    """Return a rules file with one rule whose parts are given as YAML snippets."""
    match_lines = "\n".join("      " + line for line in match.splitlines())
    level_lines = "\n".join("      " + line for line in level.splitlines())
    extra_lines = "\n".join("    " + line for line in extra.splitlines())
    return (
        "rules:\n"
        f"  - id: {rule_id}\n"
        f"    skills: {skills}\n"
        f"    source_kind: {source_kind}\n"
        f"    confidence: {confidence}\n"
        "    match:\n"
        f"{match_lines}\n"
        "    level:\n"
        f"{level_lines}\n"
        f"{extra_lines}\n"
    )


# --- shipped files ---


def test_shipped_mappings_load():
    mappings = load_mappings(default_mappings_dir())

    assert 10 <= len(mappings.skills) <= 20
    assert len(mappings.rules) >= 10
    assert mappings.roles


def test_shipped_skills_have_stable_uris():
    mappings = load_mappings(default_mappings_dir())

    for uri, skill in mappings.skills.items():
        assert uri.startswith(SKILL), uri
        assert skill.label, uri


def test_shipped_rules_cover_every_source_family():
    mappings = load_mappings(default_mappings_dir())
    rule_ids = [rule.id for rule in mappings.rules]

    assert any(rule_id.startswith("moodle-") for rule_id in rule_ids)
    assert any(rule_id.startswith("cmi5-") for rule_id in rule_ids)
    assert any(rule_id.startswith("fun-mooc-") for rule_id in rule_ids)
    assert any(rule_id.startswith("tccc-") for rule_id in rule_ids)


def test_shipped_skill_links():
    mappings = load_mappings(default_mappings_dir())
    tourniquet = mappings.skills[SKILL + "tourniquet-application"]

    assert tourniquet.broader == (SKILL + "hemorrhage-control",)
    assert mappings.skills[SKILL + "hemorrhage-control"].related == (FIRST_AID,)


def test_shipped_rule_expiry_parsed():
    mappings = load_mappings(default_mappings_dir())
    rules = {rule.id: rule for rule in mappings.rules}

    assert rules["cmi5-safety-101-assessed"].expires_after == timedelta(days=365)
    assert rules["moodle-course-completed"].expires_after is None


def test_role_lookup_ignores_case_and_spaces():
    mappings = load_mappings(default_mappings_dir())

    assert mappings.expected_skills("  combat   MEDIC ") == mappings.roles["Combat medic"]
    assert mappings.expected_skills("field medic") == mappings.roles["Combat medic"]
    assert mappings.expected_skills("Astronaut") == ()


def test_role_target_levels():
    mappings = load_mappings(default_mappings_dir())
    medic = mappings.role_for_title("Combat medic")

    assert medic is not None
    assert medic.target_levels[SKILL + "tourniquet-application"] == 0.9


def test_default_dir_honours_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SKILLWIRE_MAPPINGS_DIR", str(tmp_path))

    assert default_mappings_dir() == tmp_path


def test_default_dir_is_repository_mappings(monkeypatch):
    monkeypatch.delenv("SKILLWIRE_MAPPINGS_DIR", raising=False)
    repository_root = Path(__file__).resolve().parents[2]

    assert default_mappings_dir() == repository_root / "mappings"


# --- valid variations ---


def test_rules_in_subfolder_use_other_file_skills(write_mappings):
    folder = write_mappings({"rules/quiz.yaml": VALID_RULE})

    mappings = load_mappings(folder)

    assert [rule.id for rule in mappings.rules] == ["quiz"]
    assert mappings.rules[0].file.endswith("quiz.yaml")


def test_hidden_folders_are_skipped(write_mappings):
    folder = write_mappings({".backup/rules.yaml": "rules: 42\n"})

    assert load_mappings(folder).rules == []


def test_empty_file_loads(write_mappings):
    folder = write_mappings({"empty.yaml": ""})

    assert load_mappings(folder).rules == []


# --- invalid rules: (case name, rules file, expected field, expected text in the message) ---

INVALID_RULES = [
    (
        "unknown level mode",
        rule_yaml(level="from: score.weird"),
        "level.from",
        "unknown value 'score.weird', expected one of score.scaled, score.raw",
    ),
    (
        "unknown skill",
        rule_yaml(skills="[https://skillwire.dev/skills/juggling]"),
        "skills[0]",
        "unknown skill 'https://skillwire.dev/skills/juggling'",
    ),
    ("missing confidence", rule_yaml().replace("    confidence: 0.8\n", ""), "confidence", "missing required field"),
    ("confidence above 1", rule_yaml(confidence="1.5"), "confidence", "out of range"),
    ("confidence not a number", rule_yaml(confidence="high"), "confidence", "expected a number"),
    ("unknown source kind", rule_yaml(source_kind="rumour"), "source_kind", "unknown value 'rumour'"),
    ("unknown rule field", rule_yaml(extra="weight: 2"), "weight", "unknown field"),
    ("unknown match field", rule_yaml(match="verbs: http://adlnet.gov/expapi/verbs/passed"), "match.verbs", "unknown field"),
    ("empty match", rule_yaml(match="{}"), "match", "no condition given"),
    ("verb not an IRI", rule_yaml(match="verb: passed"), "match.verb", "invalid IRI 'passed'"),
    (
        "invalid regular expression",
        rule_yaml(match="activity_id_regex: '(unclosed'"),
        "match.activity_id_regex",
        "invalid regular expression",
    ),
    (
        "regex read as comment",
        rule_yaml(match="verb: http://adlnet.gov/expapi/verbs/passed\nactivity_id_regex: #question-12$"),
        "match.activity_id_regex",
        "no value given",
    ),
    (
        "unknown context activity kind",
        rule_yaml(match="context_activity:\n  in: sibling\n  id: http://example.com/course"),
        "match.context_activity.in",
        "unknown value 'sibling'",
    ),
    (
        "context activity without condition",
        rule_yaml(match="context_activity:\n  in: parent"),
        "match.context_activity",
        "no condition given",
    ),
    (
        "second context activity invalid",
        rule_yaml(match="context_activity:\n  - id: http://example.com/a\n  - id_regex: '['"),
        "match.context_activity[1].id_regex",
        "invalid regular expression",
    ),
    (
        "result success not boolean",
        rule_yaml(match="result:\n  success: 'yes'"),
        "match.result.success",
        "expected true or false",
    ),
    (
        "result min above max",
        rule_yaml(match="result:\n  min_scaled: 0.9\n  max_scaled: 0.5"),
        "match.result.max_scaled",
        "less than min_scaled",
    ),
    ("fixed without value", rule_yaml(level="from: fixed"), "level.value", "missing required field"),
    (
        "extension without IRI",
        rule_yaml(level="from: extension"),
        "level.extension",
        "missing required field",
    ),
    ("level field unused", rule_yaml(level="from: score.raw\npassed: 0.9"), "level.passed", "not used"),
    ("mode after fixed", rule_yaml(level="from: [fixed, success]\nvalue: 0.5"), "level.from", "list it last"),
    ("mode listed twice", rule_yaml(level="from: [success, success]"), "level.from", "listed twice"),
    ("missing level from", rule_yaml(level="value: 0.5"), "level.from", "missing required field"),
    ("range reversed", rule_yaml(level="from: score.scaled\nrange: [0.8, 0.2]"), "level.range", "greater than"),
    ("range not a pair", rule_yaml(level="from: score.scaled\nrange: 0.5"), "level.range", "two numbers"),
    ("invalid duration", rule_yaml(extra="expires_after: 2 years"), "expires_after", "invalid duration '2 years'"),
    ("zero duration", rule_yaml(extra="expires_after: P0D"), "expires_after", "expected a positive duration"),
]


@pytest.mark.parametrize(
    ("rules_text", "field", "message"),
    [case[1:] for case in INVALID_RULES],
    ids=[case[0] for case in INVALID_RULES],
)
def test_invalid_rule_names_file_rule_field(write_mappings, rules_text, field, message):
    folder = write_mappings({"rules.yaml": rules_text})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    error = raised.value
    assert error.file == str(folder / "rules.yaml")
    assert error.rule == "quiz"
    assert error.field == field
    assert message in error.message


def test_error_text_format(write_mappings):
    folder = write_mappings({"rules.yaml": rule_yaml(rule_id="moodle-quiz", level="from: score.weird")})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    expected_start = f"{folder / 'rules.yaml'}: rule 'moodle-quiz': field 'level.from': unknown value 'score.weird'"
    assert str(raised.value).startswith(expected_start)


def test_rule_without_id_named_by_position(write_mappings):
    text = VALID_RULE + "  - skills: [https://skillwire.dev/skills/first-aid]\n"
    folder = write_mappings({"rules.yaml": text})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    assert raised.value.rule == "#2"
    assert raised.value.field == "id"


def test_duplicate_rule_id_across_files(write_mappings):
    folder = write_mappings({"a.yaml": VALID_RULE, "b.yaml": VALID_RULE})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    assert raised.value.file == str(folder / "b.yaml")
    assert raised.value.rule == "quiz"
    assert raised.value.field == "id"
    assert "duplicate rule id, first defined in" in raised.value.message
    assert "a.yaml" in raised.value.message


def test_rule_entry_not_a_mapping(write_mappings):
    folder = write_mappings({"rules.yaml": "rules:\n  - just a string\n"})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    assert raised.value.rule == "#1"
    assert "expected a mapping" in raised.value.message


# --- invalid skills ---

INVALID_SKILLS = [
    (
        "missing label",
        "skills:\n  - uri: https://skillwire.dev/skills/a\n",
        "https://skillwire.dev/skills/a",
        "label",
        "missing required field",
    ),
    (
        "uri not absolute",
        "skills:\n  - uri: first-aid\n    label: First aid\n",
        "first-aid",
        "uri",
        "invalid IRI",
    ),
    (
        "broader unknown",
        "skills:\n  - uri: https://skillwire.dev/skills/a\n    label: A\n    broader: https://skillwire.dev/skills/b\n",
        "https://skillwire.dev/skills/a",
        "broader",
        "unknown skill 'https://skillwire.dev/skills/b'",
    ),
    (
        "related to itself",
        "skills:\n  - uri: https://skillwire.dev/skills/a\n    label: A\n    related: https://skillwire.dev/skills/a\n",
        "https://skillwire.dev/skills/a",
        "related",
        "cannot link to itself",
    ),
    (
        "broader cycle",
        "skills:\n"
        "  - uri: https://skillwire.dev/skills/a\n    label: A\n    broader: https://skillwire.dev/skills/b\n"
        "  - uri: https://skillwire.dev/skills/b\n    label: B\n    broader: https://skillwire.dev/skills/a\n",
        "https://skillwire.dev/skills/a",
        "broader",
        "broader links form a cycle",
    ),
    (
        "duplicate uri",
        "skills:\n  - uri: https://skillwire.dev/skills/a\n    label: A\n"
        "  - uri: https://skillwire.dev/skills/a\n    label: A again\n",
        "https://skillwire.dev/skills/a",
        "uri",
        "duplicate skill URI",
    ),
]


@pytest.mark.parametrize(
    ("skills_text", "skill", "field", "message"),
    [case[1:] for case in INVALID_SKILLS],
    ids=[case[0] for case in INVALID_SKILLS],
)
def test_invalid_skill_names_file_skill_field(write_mappings, skills_text, skill, field, message):
    folder = write_mappings({"framework.yaml": skills_text}, with_framework=False)

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    error = raised.value
    assert error.file == str(folder / "framework.yaml")
    assert error.skill == skill
    assert error.field == field
    assert message in error.message


# --- invalid roles ---


def test_role_with_unknown_skill(write_mappings):
    text = "roles:\n  - title: Medic\n    skills: [https://skillwire.dev/skills/juggling]\n"
    folder = write_mappings({"roles.yaml": text})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    assert raised.value.role == "Medic"
    assert raised.value.field == "skills[0]"
    assert "unknown skill" in raised.value.message


def test_role_alias_used_twice(write_mappings):
    text = (
        "roles:\n"
        "  - title: Medic\n    skills: [https://skillwire.dev/skills/first-aid]\n"
        "  - title: Nurse\n    aliases: [MEDIC]\n    skills: [https://skillwire.dev/skills/first-aid]\n"
    )
    folder = write_mappings({"roles.yaml": text})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    assert raised.value.role == "Nurse"
    assert raised.value.field == "aliases"
    assert "already used by role 'Medic'" in raised.value.message


def test_role_target_level_out_of_range(write_mappings):
    text = "roles:\n  - title: Medic\n    skills:\n      - skill: https://skillwire.dev/skills/first-aid\n        level: 2\n"
    folder = write_mappings({"roles.yaml": text})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    assert raised.value.field == "skills[0].level"
    assert "out of range" in raised.value.message


# --- invalid files ---


def test_invalid_yaml_names_file(write_mappings):
    folder = write_mappings({"rules.yaml": "rules: [unclosed\n"})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    assert raised.value.file == str(folder / "rules.yaml")
    assert "invalid YAML" in raised.value.message


def test_duplicate_key_rejected(write_mappings):
    text = rule_yaml(extra="confidence: 0.2")
    folder = write_mappings({"rules.yaml": text})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    assert "duplicate key 'confidence'" in raised.value.message


def test_merge_key_override_allowed(write_mappings):
    text = """
    rules:
      - &quiz
        id: quiz
        skills: [https://skillwire.dev/skills/first-aid]
        source_kind: assessment
        confidence: 0.8
        match:
          verb: http://adlnet.gov/expapi/verbs/passed
        level:
          from: score.scaled
      - <<: *quiz
        id: exam
        confidence: 0.9
    """
    folder = write_mappings({"rules.yaml": text})

    rules = load_mappings(folder).rules

    assert [rule.id for rule in rules] == ["quiz", "exam"]
    assert rules[1].confidence == 0.9
    assert rules[1].match == rules[0].match


def test_unknown_top_level_field(write_mappings):
    folder = write_mappings({"rules.yaml": "rule:\n  - id: x\n"})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    assert raised.value.field == "rule"
    assert "unknown top-level field" in raised.value.message


def test_top_level_section_not_a_list(write_mappings):
    folder = write_mappings({"rules.yaml": "rules:\n  id: x\n"})

    with pytest.raises(MappingError) as raised:
        load_mappings(folder)

    assert raised.value.field == "rules"
    assert "expected a list" in raised.value.message


def test_missing_directory(tmp_path):
    with pytest.raises(MappingError) as raised:
        load_mappings(tmp_path / "absent")

    assert "mappings directory not found" in str(raised.value)
