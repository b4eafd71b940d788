"""`skillwire import statements` with files that are not clean UTF-8 JSON Lines, and its --xapi-version option."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hub.cli import main

STATEMENT = {"actor": {"mbox": "mailto:cli@example.com"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
             "object": {"id": "http://example.com/activity"}}


@pytest.fixture
def cli(tmp_path):
    """Invoke the CLI with a fresh SQLite database that `db upgrade` has migrated."""
    env = {"SKILLWIRE_INSTANCE_DIR": str(tmp_path), "SKILLWIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "SKILLWIRE_REDIS_URL": ""}
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    assert invoke("db", "upgrade").exit_code == 0
    return invoke


def _statuses(output: str) -> dict[int, str]:
    rows = [line.split("\t") for line in output.splitlines()]
    return {int(row[0]): row[1] for row in rows}


def test_latin1_line_rejected_and_rest_imported(cli, tmp_path):
    latin1 = dict(STATEMENT, verb={"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"fr": "essayé"}})
    path = tmp_path / "statements.jsonl"
    path.write_bytes(json.dumps(STATEMENT).encode() + b"\n" + json.dumps(latin1, ensure_ascii=False)
                     .encode("latin-1") + b"\n" + json.dumps(STATEMENT).encode() + b"\n")

    result = cli("import", "statements", str(path))

    assert result.exit_code == 1
    assert _statuses(result.stdout) == {1: "accepted", 2: "rejected", 3: "accepted"}
    assert "UTF-8" in result.stdout.splitlines()[1]


def test_byte_order_mark_ignored(cli, tmp_path):
    path = tmp_path / "statements.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(STATEMENT).encode() + b"\r\n")

    result = cli("import", "statements", str(path))

    assert result.exit_code == 0
    assert _statuses(result.stdout) == {1: "accepted"}


@pytest.mark.parametrize("version", ["2.0", "2.0.0", "1.0", "1.0.1"])
def test_short_and_patch_versions_accepted(cli, tmp_path, version):
    path = tmp_path / "statements.jsonl"
    path.write_text(json.dumps(STATEMENT) + "\n")

    result = cli("import", "statements", "--xapi-version", version, str(path))

    assert result.exit_code == 0
    assert _statuses(result.stdout) == {1: "accepted"}


@pytest.mark.parametrize("version", ["9", "0.95", "2.1.0", ""])
def test_unsupported_version_is_one_usage_error(cli, tmp_path, version):
    path = tmp_path / "statements.jsonl"
    path.write_text(json.dumps(STATEMENT) + "\n")

    result = cli("import", "statements", "--xapi-version", version, str(path))

    assert result.exit_code == 2
    assert "--xapi-version" in result.output
    assert "rejected" not in result.output


def test_deeply_nested_line_rejected_and_rest_imported(cli, tmp_path):
    nested = json.dumps(dict(STATEMENT, result={"extensions": {"http://example.com/ext": "NESTED"}}))
    path = tmp_path / "statements.jsonl"
    path.write_text(nested.replace('"NESTED"', "[" * 300 + "]" * 300) + "\n" + json.dumps(STATEMENT) + "\n")

    result = cli("import", "statements", str(path))

    assert result.exit_code == 1
    assert _statuses(result.stdout) == {1: "rejected", 2: "accepted"}
