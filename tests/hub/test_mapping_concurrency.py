"""The mapping queue under concurrent PostgreSQL transactions: a statement voided while a job maps it, and a
sweep that meets rows a job has locked. SQLite runs one writer at a time, so these need PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from hub.models import Evidence, PendingMapping, Statement
from hub.services.evidence import map_pending_statements
from hub.services.statements import Writer, store_statements

WRITER = Writer(credential_id=None, authority={"objectType": "Agent", "mbox": "mailto:lrs@example.com"})
COMPLETION = {
    "actor": {"mbox": "mailto:race@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "http://www.example.org/course/view.php?id=1"},
    "context": {"platform": "Moodle"},
}
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@pytest.fixture
def postgresql_runtime(runtime, clean_db):
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    return runtime


def _store(runtime, statement: dict) -> int:
    with runtime.sessions.begin() as session:
        return store_statements(session, [statement], "1.0.3", WRITER).inserted_pks[0]


def _void(runtime, statement_id: str) -> None:
    voiding = {"actor": {"mbox": "mailto:admin@example.com"}, "verb": {"id": VOIDED},
               "object": {"objectType": "StatementRef", "id": statement_id}}
    _store(runtime, voiding)


def test_statement_voided_during_mapping_is_queued_again(postgresql_runtime):
    runtime = postgresql_runtime
    pk = _store(runtime, dict(COMPLETION, id="6f2d5c4e-1b1a-4c57-9a51-0d1e7d2b9a01"))

    # A mapping job locks the statement's queue row with SELECT ... FOR UPDATE until it commits.
    job = runtime.sessions()
    job.execute(select(PendingMapping).where(PendingMapping.statement_pk == pk).with_for_update())
    voiding = threading.Thread(target=_void, args=(runtime, "6f2d5c4e-1b1a-4c57-9a51-0d1e7d2b9a01"))
    voiding.start()
    voiding.join(timeout=1)
    waited = voiding.is_alive()
    job.execute(text("DELETE FROM pending_mappings WHERE statement_pk = :pk"), {"pk": pk})
    job.commit()
    job.close()
    voiding.join(timeout=30)

    with runtime.sessions() as session:
        queued = session.scalar(select(PendingMapping.statement_pk).where(PendingMapping.statement_pk == pk))
        voided = session.scalar(select(Statement.voided).where(Statement.pk == pk))
    assert waited
    assert voided is True
    assert queued == pk


def test_sweep_leaves_locked_rows_to_their_job(postgresql_runtime):
    runtime = postgresql_runtime
    locked_pk = _store(runtime, dict(COMPLETION, id="6f2d5c4e-1b1a-4c57-9a51-0d1e7d2b9a02"))
    free_pk = _store(runtime, dict(COMPLETION, id="6f2d5c4e-1b1a-4c57-9a51-0d1e7d2b9a03",
                                   actor={"mbox": "mailto:free@example.com"}))

    job = runtime.sessions()
    job.execute(select(PendingMapping).where(PendingMapping.statement_pk == locked_pk).with_for_update())
    result = {}
    sweep = threading.Thread(target=lambda: result.setdefault("created", map_pending_statements(
        runtime.sessions, runtime.mappings, runtime.settings.account_homepages, batch_size=10)))
    sweep.start()
    sweep.join(timeout=30)
    finished = not sweep.is_alive()
    job.rollback()
    job.close()
    sweep.join()

    with runtime.sessions() as session:
        pending = list(session.scalars(select(PendingMapping.statement_pk)))
        evidence_statements = list(session.scalars(select(Evidence.statement_id)))
    assert finished
    assert result["created"] == 1
    assert pending == [locked_pk]
    assert evidence_statements == ["6f2d5c4e-1b1a-4c57-9a51-0d1e7d2b9a03"]
    assert free_pk != locked_pk
