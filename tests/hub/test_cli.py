"""The skillwire command line, run against its own database in a temporary folder."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hub.auth import CREDENTIAL_CACHE_SECONDS, HUB_SCOPES, authenticate
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
    invoke.env = env
    return invoke


def test_credentials_create_prints_key_and_secret(cli):
    result = cli("credentials", "create", "--name", "lms", "--scope", "statements/write", "--scope", "statements/read")

    assert result.exit_code == 0
    body = json.loads(result.output)
    assert len(body["key"]) == 32
    assert len(body["secret"]) >= 40
    assert body["scopes"] == ["statements/write", "statements/read"]


def test_credentials_create_rejects_unknown_scope(cli):
    result = cli("credentials", "create", "--name", "lms", "--scope", "statements/delete")

    assert result.exit_code == 1
    assert "statements/delete" in result.output
    assert "statements/write" in result.output


def test_import_statements_reports_each_line(cli, tmp_path):
    invalid = dict(STATEMENT, verb={"id": "not an iri"})
    path = tmp_path / "statements.jsonl"
    path.write_text("\n".join([json.dumps(STATEMENT), json.dumps(invalid), "{broken"]) + "\n")

    result = cli("import", "statements", str(path))

    assert result.exit_code == 1
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    statuses = {int(row[0]): row[1] for row in rows}
    assert statuses == {1: "accepted", 2: "rejected", 3: "rejected"}
    assert "verb.id" in rows[1][3]


def test_import_statements_twice_is_unchanged(cli, tmp_path):
    statement = dict(STATEMENT, id="0d4a2c1e-5b7f-4c3a-9e8d-1f2a3b4c5d6e")
    path = tmp_path / "statements.jsonl"
    path.write_text(json.dumps(statement) + "\n")

    first = cli("import", "statements", str(path))
    second = cli("import", "statements", str(path))

    assert first.exit_code == 0
    assert second.exit_code == 0
    assert second.stdout.split("\t")[1] == "unchanged"


def test_import_conflicting_id_exits_nonzero(cli, tmp_path):
    statement_id = "7b1e9f0a-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
    path = tmp_path / "statements.jsonl"
    path.write_text(json.dumps(dict(STATEMENT, id=statement_id)) + "\n")
    cli("import", "statements", str(path))
    path.write_text(json.dumps(dict(STATEMENT, id=statement_id, actor={"mbox": "mailto:other@example.com"})) + "\n")

    result = cli("import", "statements", str(path))

    assert result.exit_code == 1
    assert result.stdout.split("\t")[1] == "conflict"


def test_people_import_reports_bad_rows(cli, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("employee_id,email,first_name,last_name,start_date\n"
                    "1,ana@example.com,Ana,Lopez,2024-01-15\n"
                    "2,ben@example.com,Ben,Okafor,2024-13-01\n")

    result = cli("people", "import", str(path))

    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["created"] == 1
    assert body["failed"] == 1
    assert "start_date" in body["errors"][0]["message"]


@pytest.mark.parametrize("content, expected", [
    (b"email,first_name\nana@example.com,Ana\n", "missing required column 'employee_id'"),
    (b"", "empty"),
    (b"employee_id,email,email\n1,ana@example.com,ana2@example.com\n", "duplicate column"),
])
def test_people_import_unusable_header_fails(cli, tmp_path, content, expected):
    path = tmp_path / "people.csv"
    path.write_bytes(content)

    result = cli("people", "import", str(path))

    assert result.exit_code == 1
    assert expected in result.output
    assert str(path) in result.output
    assert '"status"' not in result.output


def test_invalid_setting_names_the_variable(tmp_path):
    env = {"SKILLWIRE_INSTANCE_DIR": str(tmp_path), "SKILLWIRE_PORT": "eighty"}

    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)

    assert result.exit_code == 1
    assert "SKILLWIRE_PORT" in result.output


def invoke_with(env: dict, *args: str):
    """Invoke the CLI with these variables only, returning the result even when the command fails."""
    return CliRunner().invoke(main, list(args), env={"SKILLWIRE_REDIS_URL": "", **env})


def assert_clean_error(result, variable: str) -> None:
    """Check the command failed with a message naming the variable, and with no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert variable in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name, value", [
    ("SKILLWIRE_DATABASE_URL", "postgresql+psycopg://postgres:pw@127.0.0.1:notaport/skillwire"),
    ("SKILLWIRE_DATABASE_URL", "postgresql+nodriver://postgres@127.0.0.1/skillwire"),
    ("SKILLWIRE_REDIS_URL", "redis://user:pw@h:notaport/0"),
])
@pytest.mark.parametrize("command", [("db", "upgrade"), ("run",)])
def test_invalid_url_fails_without_traceback(tmp_path, name, value, command):
    result = invoke_with({"SKILLWIRE_INSTANCE_DIR": str(tmp_path), name: value}, *command)

    assert_clean_error(result, name)
    assert ":pw@" not in result.output


def test_unopenable_sqlite_database_fails_cleanly(tmp_path):
    # The database path is a folder, so SQLite cannot open it as a file.
    (tmp_path / "folder.db").mkdir()
    env = {"SKILLWIRE_INSTANCE_DIR": str(tmp_path), "SKILLWIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'folder.db'}"}

    result = invoke_with(env, "db", "upgrade")

    assert_clean_error(result, "SKILLWIRE_DATABASE_URL")
    assert "cannot connect" in result.output


def test_missing_postgresql_database_fails_cleanly(tmp_path):
    url = os.environ.get("SKILLWIRE_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("needs SKILLWIRE_TEST_DATABASE_URL to name a PostgreSQL server")
    missing = make_url(url).set(database="skillwire_no_such_database").render_as_string(hide_password=False)

    result = invoke_with({"SKILLWIRE_INSTANCE_DIR": str(tmp_path), "SKILLWIRE_DATABASE_URL": missing}, "db", "upgrade")

    assert_clean_error(result, "SKILLWIRE_DATABASE_URL")
    assert "skillwire_no_such_database" in result.output


def test_unmigrated_database_names_db_upgrade(tmp_path):
    """A command run from a folder whose instance database was never migrated names the command that fixes it."""
    result = invoke_with({"SKILLWIRE_INSTANCE_DIR": str(tmp_path)}, "credentials", "list")

    assert_clean_error(result, "SKILLWIRE_INSTANCE_DIR")
    assert "skillwire db upgrade" in result.output


def test_uncreatable_instance_dir_fails_cleanly():
    result = invoke_with({"SKILLWIRE_INSTANCE_DIR": "/proc/skillwire-instance"}, "db", "upgrade")

    assert_clean_error(result, "SKILLWIRE_INSTANCE_DIR")


def test_sqlite_database_in_missing_folder_not_created(tmp_path):
    env = {"SKILLWIRE_INSTANCE_DIR": str(tmp_path), "SKILLWIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'typo' / 'x.db'}"}

    result = invoke_with(env, "db", "upgrade")

    assert_clean_error(result, "SKILLWIRE_DATABASE_URL")
    assert not (tmp_path / "typo").exists()


def test_sync_with_invalid_bamboohr_subdomain(tmp_path):
    env = {"SKILLWIRE_INSTANCE_DIR": str(tmp_path), "SKILLWIRE_BAMBOOHR_SUBDOMAIN": "acme/../evil",
           "SKILLWIRE_BAMBOOHR_API_KEY": "test-key-not-real"}

    result = invoke_with(env, "sync", "bamboohr")

    assert_clean_error(result, "SKILLWIRE_BAMBOOHR_SUBDOMAIN")


def test_people_import_latin1_file_names_fix(cli, tmp_path):
    path = tmp_path / "people-latin1.csv"
    path.write_bytes("employee_id,email,first_name\n1,jose@example.com,José\n".encode("latin-1"))

    result = CliRunner().invoke(main, ["people", "import", str(path)],
                                env={"SKILLWIRE_INSTANCE_DIR": str(tmp_path),
                                     "SKILLWIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
                                     "SKILLWIRE_REDIS_URL": ""})

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert str(path) in result.output
    assert "UTF-8" in result.output
    assert "iconv" in result.output


def test_people_import_cr_only_line_endings(cli, tmp_path):
    path = tmp_path / "people-mac.csv"
    path.write_bytes(b"employee_id,email\r1,ana@example.com\r2,ben@example.com\r")

    result = cli("people", "import", str(path))

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 2


def create_credential_via_cli(cli, name: str = "lms") -> dict:
    result = cli("credentials", "create", "--name", name, "--scope", "statements/write")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_credentials_list_shows_no_secret(cli):
    created = create_credential_via_cli(cli)

    result = cli("credentials", "list")

    assert result.exit_code == 0
    [listed] = json.loads(result.output)
    assert listed["key"] == created["key"]
    assert listed["name"] == "lms"
    assert listed["scopes"] == ["statements/write"]
    assert listed["created_at"]
    assert listed["revoked_at"] is None
    assert created["secret"] not in result.output
    assert "secret" not in listed


def test_credentials_revoke_blocks_authentication(cli, tmp_path):
    created = create_credential_via_cli(cli)

    result = cli("credentials", "revoke", created["key"])

    assert result.exit_code == 0
    assert json.loads(result.output)["revoked_at"] is not None
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with Session(engine) as session:
        assert authenticate(session, created["key"], created["secret"]) is None
    engine.dispose()


def test_credentials_revoke_twice_keeps_first_time(cli):
    created = create_credential_via_cli(cli)

    first = json.loads(cli("credentials", "revoke", created["key"]).output)
    second = cli("credentials", "revoke", created["key"])

    assert second.exit_code == 0
    assert json.loads(second.output)["revoked_at"] == first["revoked_at"]


def test_credentials_revoke_unknown_key(cli):
    result = CliRunner().invoke(main, ["credentials", "revoke", "0" * 32], env=cli.env)

    assert result.exit_code == 1
    assert "not found" in result.output


def test_credentials_revoke_help_states_cache_time():
    result = CliRunner().invoke(main, ["credentials", "revoke", "--help"])

    assert f"{CREDENTIAL_CACHE_SECONDS:g} seconds" in result.output


@pytest.mark.parametrize("name", ["", "x" * 201, "lms\nadmin", "tab\there", "bell\x07"])
def test_credentials_create_rejects_bad_name(cli, name):
    result = CliRunner().invoke(main, ["credentials", "create", "--name", name, "--scope", "statements/read"],
                                env=cli.env)

    assert result.exit_code == 1
    assert "credential name" in result.output


def test_credentials_create_accepts_longest_name(cli):
    created = create_credential_via_cli(cli, name="x" * 200)

    assert created["name"] == "x" * 200


def test_admin_scope_no_longer_exists(cli):
    result = CliRunner().invoke(main, ["credentials", "create", "--name", "ops", "--scope", "admin"], env=cli.env)

    assert result.exit_code == 1
    assert "admin" not in HUB_SCOPES


def test_run_stops_cleanly_on_sigterm(tmp_path):
    """Stopping `skillwire run` with SIGTERM, as service managers do, logs the stop and exits 0."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SKILLWIRE_INSTANCE_DIR": str(tmp_path), "SKILLWIRE_PORT": str(port),
           "SKILLWIRE_REDIS_URL": "", "SKILLWIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}"}
    command = [os.path.join(os.path.dirname(sys.executable), "skillwire"), "run"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    finally:
        server.kill()

    assert server.returncode == 0, output
    assert "server started" in output
    assert "server stopped" in output
