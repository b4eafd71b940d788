"""Database engine, sessions and Alembic migrations."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

# The migrations live beside the packages in the source tree; the hub runs from a checkout or an editable install.
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def create_db_engine(database_url: str) -> Engine:
    """Create the engine with per-dialect settings: WAL and foreign keys on SQLite, pre-ping on PostgreSQL."""
    if database_url.startswith("sqlite"):
        _ensure_sqlite_folder(database_url)
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine

    engine = create_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    event.listen(engine, "connect", _remember_process)
    event.listen(engine, "checkout", _reject_connection_of_parent)
    return engine


def _remember_process(_dbapi_connection, connection_record) -> None:
    connection_record.info["pid"] = os.getpid()


def _reject_connection_of_parent(_dbapi_connection, connection_record, connection_proxy) -> None:
    """Make a forked process, such as an RQ job's work horse, open its own connection.

    A pooled connection inherited across fork shares its socket with the parent, so two processes would
    interleave their messages. The recipe comes from SQLAlchemy's pooling documentation, section "Using
    Connection Pools with Multiprocessing or os.fork()".
    """
    if connection_record.info.get("pid") == os.getpid():
        return
    connection_record.dbapi_connection = connection_proxy.dbapi_connection = None
    raise exc.DisconnectionError(f"connection opened by process {connection_record.info.get('pid')} "
                                 f"is not used in process {os.getpid()}")


def _ensure_sqlite_folder(database_url: str) -> None:
    path = database_url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(dbapi_connection, _record) -> None:
    # The sqlite3 module's own transaction handling breaks SAVEPOINT, so SQLAlchemy emits BEGIN itself
    # (the recipe in SQLAlchemy's pysqlite dialect documentation).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(connection) -> None:
    """Start every transaction with the write lock.

    A deferred transaction that reads and then writes fails at once with "database is locked" when another
    writer committed in between. Taking the lock up front makes concurrent writers wait (up to the 30 s
    busy timeout) instead. Writes are serialized on SQLite anyway.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(database_url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision``."""
    from alembic import command

    log.info("database upgrade started: revision=%s", revision)
    command.upgrade(alembic_config(database_url), revision)
    log.info("database upgrade finished: revision=%s", revision)


def upsert_insert(session: Session, table):
    """Return an INSERT for ``table`` in the session's SQL dialect, which offers ON CONFLICT clauses.

    PostgreSQL and SQLite both support ON CONFLICT, but SQLAlchemy builds it only from each dialect's own insert.
    """
    dialect_insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return dialect_insert(table)
