"""The format parameter over real HTTP: exact, ids and canonical with Accept-Language, both versions."""

from __future__ import annotations

import pytest
from statements_support import statement

VERSIONS = ["1.0.3", "2.0.0"]
QUIZ = "http://example.com/activities/quiz"


def _quiz_statement(name: dict, **extra) -> dict:
    sent = statement(activity=QUIZ, **extra)
    sent["verb"]["display"] = {"en-US": "completed", "de-DE": "abgeschlossen"}
    sent["object"]["definition"] = {"name": name, "description": {"en-US": "A quiz", "de": "Ein Test"}}
    return sent


def _get(client, statement_id: str, format_name: str, **headers) -> dict:
    response = client.get("/xapi/statements", params={"statementId": statement_id, "format": format_name},
                          headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("version", VERSIONS)
def test_exact_format_returns_statement_as_sent(make_client, version):
    client = make_client("all", version=version)
    sent = _quiz_statement({"en-US": "Quiz", "de": "Test"})
    client.post("/xapi/statements", json=sent)

    stored = _get(client, sent["id"], "exact")

    assert stored["object"] == sent["object"]
    assert stored["verb"] == sent["verb"]


@pytest.mark.parametrize("version", VERSIONS)
def test_ids_format_keeps_identifiers_only(make_client, version):
    client = make_client("all", version=version)
    sent = _quiz_statement({"en-US": "Quiz"})
    client.post("/xapi/statements", json=sent)

    stored = _get(client, sent["id"], "ids")

    assert stored["actor"] == {"objectType": "Agent", "mbox": sent["actor"]["mbox"]}
    assert stored["verb"] == {"id": sent["verb"]["id"]}
    assert stored["object"] == {"objectType": "Activity", "id": QUIZ}
    assert set(stored["authority"]) <= {"objectType", "account"}


@pytest.mark.parametrize("version", VERSIONS)
def test_canonical_format_picks_accept_language(make_client, version):
    client = make_client("all", version=version)
    sent = _quiz_statement({"en-US": "Quiz", "de": "Test"})
    client.post("/xapi/statements", json=sent)

    stored = _get(client, sent["id"], "canonical", **{"Accept-Language": "de-CH, en;q=0.5"})

    assert stored["object"]["definition"]["name"] == {"de": "Test"}
    assert stored["object"]["definition"]["description"] == {"de": "Ein Test"}
    assert stored["verb"]["display"] == {"de-DE": "abgeschlossen"}
    assert stored["actor"] == sent["actor"]


def test_canonical_format_returns_one_language_without_header(client):
    sent = _quiz_statement({"en-US": "Quiz", "de": "Test"})
    client.post("/xapi/statements", json=sent)

    stored = _get(client, sent["id"], "canonical")

    assert len(stored["object"]["definition"]["name"]) == 1
    assert len(stored["verb"]["display"]) == 1


def test_canonical_format_uses_lrs_definition(make_client):
    definer = make_client("all")
    first = _quiz_statement({"en-US": "Quiz"})
    later = _quiz_statement({"en-US": "Algebra quiz", "fr": "Examen d'algèbre"})
    definer.post("/xapi/statements", json=first)
    definer.post("/xapi/statements", json=later)

    stored = _get(definer, first["id"], "canonical", **{"Accept-Language": "en"})

    assert stored["object"]["definition"]["name"] == {"en-US": "Algebra quiz"}


def test_format_applies_to_statement_result_and_more_pages(client):
    client.post("/xapi/statements", json=[_quiz_statement({"en-US": "Quiz"}) for _ in range(3)])

    first = client.get("/xapi/statements", params={"format": "ids", "limit": 2}).json()
    second = client.get(first["more"]).json()

    for item in first["statements"] + second["statements"]:
        assert item["object"] == {"objectType": "Activity", "id": QUIZ}
    assert len(second["statements"]) == 1


def test_unknown_format_rejected(client):
    response = client.get("/xapi/statements", params={"format": "full"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "format"
