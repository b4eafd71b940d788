"""The number of SQL statements that storing a batch and reading a page cost, pinned so a per-row query shows.

Counts come from SQLAlchemy's before_cursor_execute event on the runtime's engine. On PostgreSQL the batch
insert also streams three COPY commands through the driver, which the event does not see.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from hub.services.evidence import map_statements
from hub.services.statements import Writer, store_statements

WRITER = Writer(credential_id=None, authority={"objectType": "Agent", "mbox": "mailto:counter@example.com"},
                may_define=True)

# SQL statements per stored batch, whatever its size. SQLite: the existing-id lookup, the voided-earlier lookup,
# the statements insert and its key lookup, the two index-row inserts, the mapping-queue insert, the StatementRef
# lookup and the activity insert. PostgreSQL takes the keys from the sequence and sends the rows with COPY, which
# the count leaves out. Statements here carry no activity definitions, whose merge costs one more query per
# changed activity.
BATCH_STATEMENTS = {"sqlite": 10, "postgresql": 6}


# Statements that only open or close a transaction, such as SQLite's BEGIN IMMEDIATE, are not counted.
TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


@contextmanager
def counting_statements(engine):
    """Collect the SQL text of every statement except transaction control executed on ``engine`` in the block."""
    executed: list[str] = []

    def record(_connection, _cursor, statement, _parameters, _context, _executemany):
        if statement.split(None, 1)[0].upper() not in TRANSACTION_CONTROL:
            executed.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield executed
    finally:
        event.remove(engine, "before_cursor_execute", record)


def make_statements(count: int) -> list[dict]:
    return [{
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:learner{index}@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": f"https://example.com/course/{index % 7}"},
        "context": {"registration": str(uuid.uuid4()),
                    "instructor": {"mbox": "mailto:teacher@example.com"},
                    "contextActivities": {"parent": [{"id": "https://example.com/program"}]}},
    } for index in range(count)]


def store_counting(runtime, statements: list[dict]) -> list[str]:
    with counting_statements(runtime.engine) as executed:
        with runtime.sessions.begin() as session:
            store_statements(session, statements, "1.0.3", WRITER)
    return executed


@pytest.mark.parametrize("size", [1, 10, 100])
def test_batch_insert_statement_count(runtime, clean_db, size):
    executed = store_counting(runtime, make_statements(size))

    expected = BATCH_STATEMENTS[runtime.engine.dialect.name]
    assert len(executed) == expected, "\n".join(executed)


def test_known_activities_skip_the_activity_insert(runtime, clean_db):
    """A batch whose activities are all stored already reads them once and inserts or locks nothing."""
    store_counting(runtime, make_statements(20))

    executed = store_counting(runtime, make_statements(20))

    activity_writes = [sql for sql in executed
                       if "activity_definitions" in sql and not sql.lstrip().upper().startswith("SELECT")]
    locked_reads = [sql for sql in executed if "activity_definitions" in sql and "FOR UPDATE" in sql.upper()]
    assert activity_writes == [], "\n".join(executed)
    assert locked_reads == [], "\n".join(executed)


def test_batch_insert_count_independent_of_size(runtime, clean_db):
    small = store_counting(runtime, make_statements(5))
    large = store_counting(runtime, make_statements(200))

    assert len(large) == len(small)


def test_statements_query_is_one_statement(client, runtime):
    client.post("/xapi/statements", json=make_statements(30)).raise_for_status()
    client.get("/xapi/statements").raise_for_status()

    with counting_statements(runtime.engine) as executed:
        response = client.get("/xapi/statements", params={"limit": 10})

    assert response.status_code == 200
    assert len(executed) == 1, "\n".join(executed)


@pytest.mark.parametrize("params", [
    {"verb": "http://adlnet.gov/expapi/verbs/experienced"},
    {"agent": '{"mbox": "mailto:learner3@example.com"}'},
    {"activity": "https://example.com/program", "related_activities": "true"},
])
def test_filtered_query_is_one_statement(client, runtime, params):
    client.post("/xapi/statements", json=make_statements(30)).raise_for_status()
    client.get("/xapi/statements").raise_for_status()

    with counting_statements(runtime.engine) as executed:
        response = client.get("/xapi/statements", params=params)

    assert response.status_code == 200
    assert len(executed) == 1, "\n".join(executed)


def test_more_page_is_one_statement(client, runtime):
    client.post("/xapi/statements", json=make_statements(30)).raise_for_status()
    first = client.get("/xapi/statements", params={"limit": 10}).json()

    with counting_statements(runtime.engine) as executed:
        response = client.get(first["more"])

    assert response.status_code == 200
    assert len(executed) == 1, "\n".join(executed)


def completions(count: int) -> list[dict]:
    """Moodle course completions that the default rule moodle-course-completed maps, one learner each."""
    return [{
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:learner{index}@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://www.example.org/course/view.php?id=2"},
        "context": {"platform": "Moodle"},
    } for index in range(count)]


def map_counting(runtime, statements: list[dict]) -> tuple[list[str], int]:
    """Store the statements, then map them while counting; return the SQL and the evidence rows created."""
    with runtime.sessions.begin() as session:
        pks = store_statements(session, statements, "1.0.3", WRITER).inserted_pks
    with counting_statements(runtime.engine) as executed:
        with runtime.sessions.begin() as session:
            created = map_statements(session, runtime.mappings, pks, runtime.settings.account_homepages)
    return executed, created


@pytest.mark.parametrize("size", [5, 50])
def test_mapping_known_learners_identity_lookups(runtime, clean_db, size):
    """Once every learner is a known person, a mapping job looks people up with the same queries for 5 or 50.

    Only identity queries are compared: SQLite inserts evidence one row at a time to return the keys in order.
    """
    map_counting(runtime, completions(size))

    small, small_created = map_counting(runtime, completions(5))
    executed, created = map_counting(runtime, completions(size))

    assert small_created == 5
    assert created == size
    assert len(identity_queries(executed)) == len(identity_queries(small)), "\n".join(executed)


@pytest.mark.parametrize("size", [5, 50])
def test_mapping_new_learners_identity_queries(runtime, clean_db, size):
    """A mapping job creates the people of new learners with the same queries for 5 learners or 50."""
    small, _ = map_counting(runtime, completions(5))
    with runtime.sessions.begin() as session:
        session.execute(text("DELETE FROM evidence_changes"))
        session.execute(text("DELETE FROM evidence"))
        session.execute(text("DELETE FROM person_identifiers"))
        session.execute(text("DELETE FROM people"))

    executed, created = map_counting(runtime, completions(size))

    assert created == size
    assert len(identity_queries(executed)) == len(identity_queries(small)), "\n".join(executed)


def identity_queries(executed: list[str]) -> list[str]:
    return [sql for sql in executed if "person_identifiers" in sql or "FROM people" in sql]
