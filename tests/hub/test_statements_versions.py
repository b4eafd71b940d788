"""xAPI 1.0.3 and 2.0 rules over real HTTP, clients of both versions on one server, and the corpus round trip."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import pytest
from statements_support import ids_of, statement
from tincan import Agent, RemoteLRS

from xapi.normalize import normalize_statement

VERSIONS = ["1.0.3", "2.0.0"]
CONTEXT_AGENT = {"objectType": "contextAgent", "agent": {"mbox": "mailto:coach@example.com"},
                 "relevantTypes": ["http://example.com/types/coach"]}


def _get(client, statement_id: str) -> dict:
    response = client.get("/xapi/statements", params={"statementId": statement_id})
    assert response.status_code == 200, response.text
    return response.json()


def test_timestamp_converted_to_utc_under_2_0(make_client):
    client = make_client("all", version="2.0.0")
    sent = statement(timestamp="2024-03-01T10:15:30.1234+02:00")
    client.post("/xapi/statements", json=sent)

    assert _get(client, sent["id"])["timestamp"] == "2024-03-01T08:15:30.1234Z"


def test_timestamp_kept_as_sent_under_1_0_3(make_client):
    client = make_client("all", version="1.0.3")
    sent = statement(timestamp="2024-03-01T10:15:30.1234+02:00")
    client.post("/xapi/statements", json=sent)

    assert _get(client, sent["id"])["timestamp"] == "2024-03-01T10:15:30.1234+02:00"


@pytest.mark.parametrize("version", VERSIONS)
def test_stored_has_millisecond_precision_in_utc(make_client, version):
    client = make_client("all", version=version)
    sent = statement()
    client.post("/xapi/statements", json=sent)

    stored = _get(client, sent["id"])["stored"]

    assert len(stored) == len("2024-01-01T00:00:00.000Z")
    assert stored.endswith("Z")


@pytest.mark.parametrize("version", VERSIONS)
def test_resent_statement_with_other_offset_is_equivalent(make_client, version):
    client = make_client("all", version=version)
    sent = statement(timestamp="2024-03-01T10:15:30.123+02:00")
    client.post("/xapi/statements", json=sent)

    response = client.post("/xapi/statements", json={**sent, "timestamp": "2024-03-01T08:15:30.123Z"})

    assert response.status_code == 200


@pytest.mark.parametrize("version", VERSIONS)
def test_context_activities_returned_as_arrays(make_client, version):
    client = make_client("all", version=version)
    sent = statement(context={"contextActivities": {"parent": {"id": "http://example.com/course"},
                                                    "category": [{"id": "http://example.com/cat"}]}})
    client.post("/xapi/statements", json=sent)

    stored = _get(client, sent["id"])["context"]["contextActivities"]

    assert stored == {"parent": [{"id": "http://example.com/course"}], "category": [{"id": "http://example.com/cat"}]}
    assert client.post("/xapi/statements", json=sent).status_code == 200


@pytest.mark.parametrize("version, expected", [("1.0.3", "1.0.0"), ("2.0.0", "2.0.0")])
def test_missing_version_set_per_request_version(make_client, version, expected):
    client = make_client("all", version=version)
    sent = statement()
    client.post("/xapi/statements", json=sent)

    assert _get(client, sent["id"])["version"] == expected


@pytest.mark.parametrize("version, sent_version", [("1.0.3", "1.0.3"), ("2.0.0", "1.0.0"), ("2.0.0", "2.0.0")])
def test_sent_version_is_kept(make_client, version, sent_version):
    client = make_client("all", version=version)
    sent = statement(version=sent_version)
    client.post("/xapi/statements", json=sent)

    assert _get(client, sent["id"])["version"] == sent_version


def test_version_2_statement_rejected_under_1_0_3(make_client):
    client = make_client("all", version="1.0.3")

    response = client.post("/xapi/statements", json=statement(version="2.0.0"))

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "version"


@pytest.mark.parametrize("kind, entry", [
    ("contextAgents", CONTEXT_AGENT),
    ("contextGroups", {"objectType": "contextGroup", "group": {"objectType": "Group", "mbox": "mailto:t@example.com"}}),
])
def test_context_agents_only_under_2_0(make_client, kind, entry):
    old = make_client("all", version="1.0.3")
    new = make_client("all", version="2.0.0")
    sent = statement(context={kind: [entry]})

    rejected = old.post("/xapi/statements", json=sent)
    accepted = new.post("/xapi/statements", json=sent)

    assert rejected.status_code == 400
    assert kind in rejected.json()["error"]["message"] + (rejected.json()["error"].get("field") or "")
    assert accepted.status_code == 200
    assert _get(new, sent["id"])["context"][kind] == [entry]


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_with_repeated_id_rejected(make_client, version):
    client = make_client("all", version=version)
    sent = statement()

    response = client.post("/xapi/statements", json=[sent, {**sent, "id": sent["id"].upper()}])

    assert response.status_code == 400
    assert client.get("/xapi/statements", params={"statementId": sent["id"]}).status_code == 404


@pytest.mark.parametrize("version", VERSIONS)
def test_duration_compared_to_hundredths(make_client, version):
    client = make_client("all", version=version)
    sent = statement(result={"duration": "PT1M2.34S"})
    client.post("/xapi/statements", json=sent)

    finer = client.post("/xapi/statements", json={**sent, "result": {"duration": "PT1M2.3456S"}})
    different = client.post("/xapi/statements", json={**sent, "result": {"duration": "PT1M2.35S"}})

    assert finer.status_code == 200
    assert different.status_code == 409


def test_tincan_and_2_0_client_share_one_server(server_url, make_client):
    modern = make_client("all", version="2.0.0")
    legacy = make_client("all", version="1.0.3")
    lrs = RemoteLRS(endpoint=f"{server_url}/xapi/", version="1.0.3", username=legacy.credential["key"],
                    password=legacy.credential["secret"])
    email = f"shared-{uuid.uuid4().hex[:8]}@example.com"
    # tincan 1.0.0 fails on properties it does not know, so this statement has no contextAgents.
    from_modern = statement(email=email, timestamp="2024-05-01T12:00:00.000+02:00")

    assert modern.post("/xapi/statements", json=from_modern).status_code == 200
    read_by_tincan = lrs.retrieve_statement(from_modern["id"])
    saved = lrs.save_statement(statement(email=email))
    listed = modern.get("/xapi/statements", params={"agent": json.dumps({"mbox": f"mailto:{email}"})})

    assert read_by_tincan.success, read_by_tincan.response.data
    assert str(read_by_tincan.content.id) == from_modern["id"]
    assert saved.success, saved.response.data
    assert set(ids_of(listed)) == {from_modern["id"], str(saved.content.id)}
    assert listed.headers["X-Experience-API-Version"] == "2.0.0"
    tincan_query = lrs.query_statements({"agent": Agent(mbox=f"mailto:{email}")})
    assert tincan_query.success, tincan_query.response.data
    assert len(tincan_query.content.statements) == 2


# ---------------------------------------------------------------------------------------------------------
# Corpus round trip

LRS_SET = ("authority", "stored")


def _corpus_statements(corpus: Path) -> list[dict]:
    """Every valid corpus statement whose id is used once and whose attachments need no data part."""
    with open(corpus / "provenance" / "duplicate-ids.tsv", newline="") as handle:
        reused = {row["statement_id"] for row in csv.DictReader(handle, delimiter="\t")}

    selected = []
    for path in sorted((corpus / "statements").glob("*.jsonl")):
        if path.stem.endswith("-invalid"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            needs_data = any("fileUrl" not in a for a in item.get("attachments", ()))
            if item.get("id") not in reused and not needs_data:
                selected.append(item)
    return selected


@pytest.mark.parametrize("version", VERSIONS)
def test_corpus_statements_round_trip(make_client, corpus, version):
    client = make_client("all", version=version)
    originals = _corpus_statements(corpus)
    ids: list[str] = []
    for start in range(0, len(originals), 250):
        response = client.post("/xapi/statements", json=originals[start:start + 250])
        assert response.status_code == 200, response.text
        ids += response.json()

    returned: dict[str, dict] = {}
    url = "/xapi/statements?limit=1000"
    while url:
        body = client.get(url).json()
        returned.update((item["id"], item) for item in body["statements"])
        url = body["more"]

    assert len(originals) > 2900
    assert len(returned) == len(originals)
    for statement_id, original in zip(ids, originals):
        expected = normalize_statement(original, version)
        stored = returned[statement_id]
        for key, value in expected.items():
            if key not in LRS_SET:
                assert stored[key] == value, f"{statement_id}: {key}"
        assert set(stored) - set(expected) <= {"id", "timestamp", "version", *LRS_SET}, statement_id
