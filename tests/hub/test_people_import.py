"""People import over HTTP and through the service: file dialects, unstorable values, batches and query cost."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import event, func, select

from connectors.records import PersonRecord
from hub.models import Person, PersonIdentifier, SyncRun
from hub.services.people import IMPORT_BATCH_SIZE, import_records, import_run

RECORD = PersonRecord(source="bamboohr", source_id="40", email="ana@example.com", first_name="Ana",
                      last_name="Silva", display_name=None, job_title="Engineer", department="R&D",
                      location=None, manager_source_id=None, manager_name=None, status="active",
                      start_date=date(2020, 1, 1), end_date=None)


@pytest.fixture
def writer(make_client):
    return make_client("people/write", "people/read")


def post_csv(client, data: bytes):
    return client.post("/api/v1/people/import", data=data, headers={"Content-Type": "text/csv"})


def people_count(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Person))


def people_rows(count: int, start: int = 0) -> str:
    lines = ["employee_id,email,first_name,identifier:lms_username"]
    lines += [f"{index},person{index}@example.com,Person {index},lms{index}" for index in range(start, start + count)]
    return "\n".join(lines) + "\n"


def records(count: int) -> list[PersonRecord]:
    return [replace(RECORD, source_id=str(index), email=f"person{index}@example.com") for index in range(count)]


def test_cr_only_line_endings_import(writer):
    response = post_csv(writer, b"employee_id,email\r10,cr@example.com\r11,cr2@example.com\r")

    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    assert response.json()["failed"] == 0


def test_latin1_body_is_bad_request(writer):
    response = post_csv(writer, "employee_id,email,first_name\n1,jose@example.com,José\n".encode("latin-1"))

    assert response.status_code == 400
    assert "UTF-8" in response.json()["error"]["message"]


def sync_run_count(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(SyncRun))


@pytest.mark.parametrize("body, field, expected", [
    (b"email,first_name\nana@example.com,Ana\n", "employee_id", "missing required column 'employee_id'"),
    (b"", "body", "empty"),
    (b"\xef\xbb\xbf", "body", "empty"),
    (b"\nemployee_id,email\n1,ana@example.com\n", "body", "header row is empty"),
    (b"employee_id,email,email\n1,ana@example.com,ana2@example.com\n", "email", "duplicate column"),
    (b"employee_id,email,notes,Notes\n1,ana@example.com,a,b\n", "Notes", "duplicate column"),
    (b"employee_id,first_name\n1,Ana\n", "email", "no email column"),
    (b'employee_id,"email\n1,ana@example.com\n', "body", "unreadable CSV header"),
])
def test_unusable_header_is_bad_request(writer, runtime, body, field, expected):
    response = post_csv(writer, body)

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert expected in error["message"]
    assert people_count(runtime) == 0
    assert sync_run_count(runtime) == 0


def test_missing_column_message_says_what_to_send(writer):
    response = post_csv(writer, b"email\nana@example.com\n")

    message = response.json()["error"]["message"]
    assert "employee_id,email" in message
    assert "column_map" not in message


def test_upload_without_employee_id_is_bad_request(writer, runtime):
    response = writer.post("/api/v1/people/import", files={"file": ("people.csv", b"email\nana@example.com\n")})

    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "employee_id"
    assert people_count(runtime) == 0


def test_row_errors_keep_good_rows(writer, runtime):
    response = post_csv(writer, b"employee_id,email\n1,ana@example.com\n2,not-an-email\n3,ben@example.com\n")

    assert response.status_code == 200, response.text
    run = response.json()
    assert run["status"] == "succeeded"
    assert run["created"] == 2
    assert run["failed"] == 1
    assert people_count(runtime) == 2


@pytest.mark.parametrize("row, column", [
    (b"77,nul@example.com,A\x00B,", "first_name"),
    (b"7\x008,nul@example.com,Ana,", "employee_id"),
    (b"78,nul@example.com,Ana,lms\x00name", "identifier:lms_username"),
])
def test_nul_character_fails_one_row(writer, row, column):
    body = b"employee_id,email,first_name,identifier:lms_username\n" + row + b"\n79,ok@example.com,Ok,\n"

    response = post_csv(writer, body)

    assert response.status_code == 200, response.text
    run = response.json()
    assert run["created"] == 1
    assert run["failed"] == 1
    assert run["errors"][0]["field"] == column
    assert "NUL" in run["errors"][0]["message"]


@pytest.mark.parametrize("row, column", [
    (b"9" * 201 + b",long@example.com,", "employee_id"),
    (b"80,long@example.com," + b"x" * 3000, "identifier:lms_username"),
    (b"81," + b"a" * 600 + b"@example.com,", "email"),
])
def test_too_long_value_fails_one_row(writer, row, column):
    body = b"employee_id,email,identifier:lms_username\n" + row + b"\n82,ok@example.com,\n"

    response = post_csv(writer, body)

    assert response.status_code == 200, response.text
    run = response.json()
    assert run["created"] == 1
    assert run["failed"] == 1
    assert run["errors"][0]["field"] == column
    assert "maximum" in run["errors"][0]["message"]


def test_long_id_error_shortens_source_id(writer):
    response = post_csv(writer, b"employee_id,email\n" + b"9" * 5000 + b",long@example.com\n")

    [error] = response.json()["errors"]
    assert len(error["source_id"]) < 200


def test_unstorable_vendor_record_fails_alone(runtime, clean_db):
    too_long = replace(RECORD, source_id="41", job_title="x" * 301)

    with runtime.sessions.begin() as session:
        counts = import_records(session, [too_long, RECORD])

    assert counts.created == 1
    assert counts.failed == 1
    assert counts.errors[0]["field"] == "job_title"
    assert "301 characters" in counts.errors[0]["message"]


def test_database_rejection_fails_one_record(runtime, clean_db):
    if runtime.engine.dialect.name == "sqlite":
        pytest.skip("SQLite stores strings longer than their column, so nothing here is rejected")
    # The identifier kind "hris:" + source overflows its 64-character column, which no connector check covers.
    rejected = replace(RECORD, source="s" * 70, source_id="42")

    with runtime.sessions.begin() as session:
        counts = import_records(session, [rejected, RECORD])

    assert counts.created == 1
    assert counts.failed == 1
    assert "database rejected a value" in counts.errors[0]["message"]


def test_import_commits_in_batches(runtime, clean_db):
    def failing_after_first_batch():
        yield from records(IMPORT_BATCH_SIZE + 10)
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError):
        import_run(runtime.sessions, "bamboohr", failing_after_first_batch())

    assert people_count(runtime) == IMPORT_BATCH_SIZE
    with runtime.sessions() as session:
        run = session.scalars(select(SyncRun)).one()
    assert run.status == "failed"
    assert run.created == IMPORT_BATCH_SIZE


def test_import_matches_people_across_batches(writer, runtime):
    size = IMPORT_BATCH_SIZE + 50
    post_csv(writer, people_rows(size).encode())

    again = post_csv(writer, people_rows(size).encode()).json()

    assert again["unchanged"] == size
    assert people_count(runtime) == size


def test_duplicate_email_within_batch_is_conflict(writer):
    body = b"employee_id,email\n1,same@example.com\n2,SAME@example.com\n"

    run = post_csv(writer, body).json()

    assert run["created"] == 2
    assert any("already belongs to person" in error["message"] for error in run["errors"])


def test_unchanged_import_queries_per_batch(writer, runtime):
    size = 2 * IMPORT_BATCH_SIZE
    post_csv(writer, people_rows(size).encode())

    executed: list[str] = []

    def record(_connection, _cursor, statement, _parameters, _context, _executemany):
        executed.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        run = post_csv(writer, people_rows(size).encode()).json()
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)

    assert run["unchanged"] == size
    selects = [statement for statement in executed if statement.lstrip().upper().startswith("SELECT")]
    # Per batch: one identifier lookup per kind (hris:csv, lms_username, email, email_sha1), the people and
    # their employment records, and no query per row.
    assert len(selects) <= 2 * 6 + 4, "\n".join(selects)


def test_identifier_lookup_uses_index(writer, runtime):
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("the query plan check reads SQLite's EXPLAIN QUERY PLAN")
    post_csv(writer, people_rows(3).encode())
    lookups: list[tuple[str, tuple]] = []

    def record(_connection, _cursor, statement, parameters, _context, _executemany):
        if "FROM person_identifiers" in statement:
            lookups.append((statement, parameters))

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        post_csv(writer, people_rows(3).encode())
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)

    assert lookups
    with runtime.engine.connect() as connection:
        for statement, parameters in lookups:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            assert not any("SCAN person_identifiers" in row[-1] for row in plan), plan


def test_identifiers_stored_for_imported_person(writer, runtime):
    post_csv(writer, people_rows(1).encode())

    with runtime.sessions() as session:
        kinds = set(session.scalars(select(PersonIdentifier.kind)))

    assert kinds == {"hris:csv", "lms_username", "email", "email_sha1"}
