"""SQLite transactions: savepoints roll back, and concurrent writers wait instead of failing."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text

from hub.db import create_db_engine, create_session_factory


@pytest.fixture
def sqlite_sessions(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'tx.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE items (id TEXT PRIMARY KEY)"))
    yield create_session_factory(engine)
    engine.dispose()


def _count(sessions) -> int:
    with sessions() as session:
        return session.execute(text("SELECT count(*) FROM items")).scalar_one()


def test_savepoint_rollback_discards_inner_write(sqlite_sessions):
    with sqlite_sessions.begin() as session:
        session.execute(text("INSERT INTO items VALUES ('outer')"))
        nested = session.begin_nested()
        session.execute(text("INSERT INTO items VALUES ('inner')"))
        nested.rollback()

    assert _count(sqlite_sessions) == 1


def test_outer_rollback_discards_released_savepoint(sqlite_sessions):
    with pytest.raises(RuntimeError):
        with sqlite_sessions.begin() as session:
            with session.begin_nested():
                session.execute(text("INSERT INTO items VALUES ('inner')"))
            raise RuntimeError("abort the batch")

    assert _count(sqlite_sessions) == 0


def test_concurrent_read_then_write_transactions_all_commit(sqlite_sessions):
    errors: list[Exception] = []

    def writer() -> None:
        try:
            for _ in range(20):
                with sqlite_sessions.begin() as session:
                    session.execute(text("SELECT count(*) FROM items")).scalar_one()
                    session.execute(text("INSERT INTO items VALUES (:id)"), {"id": str(uuid.uuid4())})
        except Exception as error:  # Collected so the test reports every failing thread.
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert _count(sqlite_sessions) == 80
