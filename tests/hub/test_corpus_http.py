"""Every statement of the shared corpus over real HTTP: valid ones stored, invalid ones rejected with a reason."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

BATCH_SIZE = 100


def _valid_files(corpus: Path) -> list[Path]:
    return sorted(p for p in (corpus / "statements").glob("*.jsonl") if not p.stem.endswith("-invalid"))


def _duplicate_ids(corpus: Path) -> set[str]:
    with open(corpus / "provenance" / "duplicate-ids.tsv", newline="") as handle:
        return {row["statement_id"] for row in csv.DictReader(handle, delimiter="\t")}


def _comparable(statement: dict) -> dict:
    """The statement without the parts that xAPI 1.0.3 data, section 2.3.1, lists as immutability exceptions.

    Several corpus duplicates differ only in an activity definition, a verb display or attachments.
    """
    comparable = json.loads(json.dumps(statement))
    comparable.pop("attachments", None)
    comparable["verb"].pop("display", None)
    comparable["object"].pop("definition", None)
    return comparable


def _needs_attachment_data(statement: dict) -> bool:
    """Whether an attachment has no fileUrl, so its data must come in a multipart/mixed request.

    xAPI 1.0.3 communication, section 1.5.2: an application/json request with such an attachment is rejected.
    """
    return any("fileUrl" not in attachment for attachment in statement.get("attachments", ()))


def _expected_status(statement: dict, first_seen: dict[str, dict]) -> int:
    """409 when the id was posted before with other content; otherwise 200."""
    statement_id = statement["id"]
    if statement_id not in first_seen:
        first_seen[statement_id] = statement
        return 200
    return 200 if _comparable(first_seen[statement_id]) == _comparable(statement) else 409


def test_valid_corpus_statements_are_stored(client, corpus):
    duplicates = _duplicate_ids(corpus)
    first_seen: dict[str, dict] = {}
    batch, posted, conflicts, without_data = [], 0, 0, 0

    for path in _valid_files(corpus):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            statement = json.loads(line)
            if _needs_attachment_data(statement):
                response = client.post("/xapi/statements", json=statement)
                assert response.status_code == 400, f"{path.name}:{number}: {response.text}"
                assert "fileUrl" in response.json()["error"]["message"], f"{path.name}:{number}"
                without_data += 1
                posted += 1
                continue
            if statement.get("id") not in duplicates:
                batch.append(statement)
                if len(batch) == BATCH_SIZE:
                    posted += _post_batch(client, batch)
                    batch = []
                continue

            expected = _expected_status(statement, first_seen)
            response = client.post("/xapi/statements", json=statement)
            assert response.status_code == expected, f"{path.name}:{number}: {response.text}"
            conflicts += expected == 409
            posted += 1
    posted += _post_batch(client, batch)

    assert posted == 2956
    assert conflicts > 0
    assert without_data == 1


def _post_batch(client, batch: list[dict]) -> int:
    if not batch:
        return 0
    response = client.post("/xapi/statements", json=batch)
    assert response.status_code == 200, response.text
    assert len(response.json()) == len(batch)
    return len(batch)


def _invalid_lines(corpus: Path):
    for path in sorted((corpus / "statements").glob("*-invalid.jsonl")):
        reasons_path = corpus / "provenance" / f"{path.stem}.tsv"
        with open(reasons_path, newline="") as handle:
            reasons = {int(row["line"]): row["why_invalid"] for row in csv.DictReader(handle, delimiter="\t")}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            yield f"{path.name}:{number}", line, reasons[number]


def _named_property(reason: str) -> str | None:
    """The last property named by a reason such as "context.contextActivities.grouping[0].id is ..."."""
    first_word = reason.split()[0]
    if "." not in first_word and first_word not in ("object",):
        return None
    return first_word.replace("]", "").replace("[", ".").split(".")[-1]


def test_invalid_corpus_statements_are_rejected(client, corpus):
    checked = 0
    for where, line, reason in _invalid_lines(corpus):
        response = client.post("/xapi/statements", data=line.encode(), headers={"Content-Type": "application/json"})

        assert response.status_code == 400, f"{where}: {response.text}"
        error = response.json()["error"]
        assert error["message"], where
        expected = _named_property(reason)
        if expected and expected != "object":
            assert expected in error["message"] or expected in (error.get("field") or ""), \
                f"{where}: expected the error to name '{expected}', got {error}"
        checked += 1

    assert checked == 27


def test_malformed_corpus_payload_is_rejected(client, corpus):
    paths = [p for p in (corpus / "statements" / "malformed").glob("*.json")]
    assert paths

    for path in paths:
        response = client.post("/xapi/statements", data=path.read_bytes(),
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert "not valid JSON" in response.json()["error"]["message"]


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_stored_corpus_statements_read_back_intact(make_client, corpus, version):
    client = make_client("all", version=version)
    statements = [json.loads(line) for line in (corpus / "statements" / "datasim-tccc.jsonl").read_text().splitlines()]
    sample = statements[:50]
    client.post("/xapi/statements", json=sample)

    for original in sample:
        stored = client.get("/xapi/statements", params={"statementId": original["id"]}).json()
        for key, value in original.items():
            if key not in ("authority", "stored"):
                assert stored[key] == value, f"{original['id']}: {key}"
