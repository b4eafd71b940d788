"""The benchmark database: creation, the COPY baseline, and bulk loading of the hub tables with COPY."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Iterator

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from hub.services.statements import Writer, _activity_refs, _agent_refs, _prepare, _statement_row

log = logging.getLogger(__name__)

STATEMENT_COLUMNS = ["pk", "statement_id", "stored", "timestamp", "verb_id", "registration", "voids_statement_id",
                     "voided", "version", "credential_id", "source", "payload"]
AGENT_COLUMNS = ["id", "statement_pk", "stored", "ifi", "relation"]
ACTIVITY_COLUMNS = ["id", "statement_pk", "stored", "activity_id", "relation"]
HUB_TABLES = ["statements", "statement_agents", "statement_activities", "pending_mappings"]
# Tables that the HTTP ingest and the mapping job fill, emptied between ingest runs.
INGEST_TABLES = ["evidence_changes", "evidence", "statement_agents", "statement_activities", "pending_mappings",
                 "statements", "person_identifiers", "people"]
COPY_TABLE_PREFIX = "bench_copy_"


def libpq_url(database_url: str) -> str:
    """Return the SQLAlchemy URL as a plain libpq URL for psycopg."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def recreate_database(database_url: str) -> None:
    """Drop and create the benchmark database, connecting to the server's "postgres" database to do it."""
    url = make_url(database_url)
    admin_url = libpq_url(str(url.set(database="postgres")))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        name = sql.Identifier(url.database)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))
    log.info("benchmark database created: %s", url.database)


def drop_database(database_url: str) -> None:
    url = make_url(database_url)
    admin_url = libpq_url(str(url.set(database="postgres")))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.database)))


@dataclass
class RowSet:
    """Rows of the statements table, of its two index tables and of the mapping queue, ready for COPY."""

    statements: list[tuple]
    agents: list[tuple]
    activities: list[tuple]
    pending: list[tuple]


@dataclass
class KeyCounters:
    """The next free primary key of each of the three tables."""

    statement: int = 1
    agent: int = 1
    activity: int = 1


def build_rows(statements: Iterable[dict], writer: Writer, keys: KeyCounters,
               stored_times: Iterator[datetime], mapped: bool) -> RowSet:
    """Turn statements into table rows the way the hub's insert does, with the hub's own helpers."""
    rows = RowSet([], [], [], [])
    for statement in statements:
        stored = next(stored_times)
        prepared = _prepare(statement, stored, "1.0.3", writer)
        row = _statement_row(prepared, stored, writer, voided=False)
        row["pk"] = keys.statement
        rows.statements.append(tuple(row[column] for column in STATEMENT_COLUMNS))
        if not mapped:
            rows.pending.append((keys.statement,))

        for ifi, relation in _agent_refs(prepared):
            rows.agents.append((keys.agent, keys.statement, stored, ifi, relation))
            keys.agent += 1
        for activity_id, relation in _activity_refs(prepared):
            rows.activities.append((keys.activity, keys.statement, stored, activity_id, relation))
            keys.activity += 1
        keys.statement += 1
    return rows


def evenly_spaced(start: datetime, end: datetime, count: int) -> Iterator[datetime]:
    """Yield ``count`` increasing millisecond times from ``start`` towards ``end``."""
    step = (end - start) / max(count, 1)
    for index in range(count):
        moment = start + step * index
        yield moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def copy_rows(connection: psycopg.Connection, rows: RowSet, prefix: str = "") -> None:
    """COPY a row set into the statements tables, or into their copies named with ``prefix``."""
    with connection.cursor() as cursor:
        _copy(cursor, prefix + "statements", STATEMENT_COLUMNS, rows.statements)
        _copy(cursor, prefix + "statement_agents", AGENT_COLUMNS, rows.agents)
        _copy(cursor, prefix + "statement_activities", ACTIVITY_COLUMNS, rows.activities)
        _copy(cursor, prefix + "pending_mappings", ["statement_pk"], rows.pending)


def _copy(cursor: psycopg.Cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def create_copy_tables(connection: psycopg.Connection) -> None:
    """Create empty copies of the three statement tables with the same columns, indexes and foreign keys."""
    for table in reversed(HUB_TABLES):
        connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(COPY_TABLE_PREFIX + table)))
    for table in HUB_TABLES:
        connection.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                                   "INCLUDING INDEXES)").format(sql.Identifier(COPY_TABLE_PREFIX + table),
                                                                sql.Identifier(table)))
    for table in ("statement_agents", "statement_activities", "pending_mappings"):
        connection.execute(sql.SQL("ALTER TABLE {} ADD FOREIGN KEY (statement_pk) REFERENCES {} (pk) "
                                   "ON DELETE CASCADE").format(sql.Identifier(COPY_TABLE_PREFIX + table),
                                                               sql.Identifier(COPY_TABLE_PREFIX + "statements")))
    connection.commit()


def drop_copy_tables(connection: psycopg.Connection) -> None:
    for table in reversed(HUB_TABLES):
        connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(COPY_TABLE_PREFIX + table)))
    connection.commit()


def measure_copy_rate(database_url: str, statements: list[dict], writer: Writer, stored: datetime) -> float:
    """Return statements per second for one COPY of ``statements`` into fresh copies of the statement tables.

    Rows are built before the clock starts, so the figure is the database's own bulk-load limit with the
    same indexes and foreign keys as the hub tables.
    """
    rows = build_rows(statements, writer, KeyCounters(), _repeat(stored), mapped=False)

    with psycopg.connect(libpq_url(database_url)) as connection:
        create_copy_tables(connection)
        started = time.perf_counter()
        copy_rows(connection, rows, COPY_TABLE_PREFIX)
        connection.commit()
        elapsed = time.perf_counter() - started
        drop_copy_tables(connection)

    rate = len(statements) / elapsed
    log.info("COPY baseline: statements=%d seconds=%.2f rate=%.0f", len(statements), elapsed, rate)
    return rate


def _repeat(value: datetime) -> Iterator[datetime]:
    while True:
        yield value


def truncate_ingest_tables(database_url: str) -> None:
    with psycopg.connect(libpq_url(database_url)) as connection:
        tables = sql.SQL(", ").join(map(sql.Identifier, INGEST_TABLES))
        connection.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(tables))


def next_keys(connection: psycopg.Connection) -> KeyCounters:
    """Return the key counters that follow the rows already stored."""
    def after(table: str, column: str) -> int:
        query = sql.SQL("SELECT coalesce(max({}), 0) + 1 FROM {}").format(sql.Identifier(column),
                                                                           sql.Identifier(table))
        return connection.execute(query).fetchone()[0]

    return KeyCounters(statement=after("statements", "pk"), agent=after("statement_agents", "id"),
                       activity=after("statement_activities", "id"))


def advance_sequences(connection: psycopg.Connection, keys: KeyCounters) -> None:
    """Move the key sequences past the rows that COPY inserted with explicit keys."""
    for table, column, value in (("statements", "pk", keys.statement), ("statement_agents", "id", keys.agent),
                                 ("statement_activities", "id", keys.activity)):
        connection.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)", (table, column, value))


def bulk_load(database_url: str, statements: Iterator[dict], count: int, writer: Writer,
              history_start: datetime, history_end: datetime, chunk_size: int = 5000) -> float:
    """COPY ``count`` statements into the real hub tables, stored evenly between the two times.

    The rows are not queued for mapping, so the evidence mapping job leaves them alone. Returns the seconds
    taken.
    """
    started = time.perf_counter()
    stored_times = evenly_spaced(history_start, history_end, count)
    with psycopg.connect(libpq_url(database_url)) as connection:
        keys = next_keys(connection)
        loaded = 0
        while loaded < count:
            chunk = [next(statements) for _ in range(min(chunk_size, count - loaded))]
            copy_rows(connection, build_rows(chunk, writer, keys, stored_times, mapped=True))
            connection.commit()
            loaded += len(chunk)
            if loaded % 100_000 < chunk_size:
                log.info("bulk load: statements=%d of %d", loaded, count)
        advance_sequences(connection, keys)
        connection.commit()

    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        for table in HUB_TABLES:
            connection.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
    return time.perf_counter() - started


def history_window(now: datetime, days: int = 365) -> tuple[datetime, datetime]:
    """Return the stored-time window of the bulk-loaded history: the year before the benchmark run."""
    return now - timedelta(days=days), now - timedelta(minutes=5)
