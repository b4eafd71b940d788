"""Alembic migrations against a database of their own: the schema they build matches the models, and
upgrades keep existing statements readable (stored times in index rows, unmapped statements queued)."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hub.db import alembic_config, upgrade_database
from hub.models import Base

STORED = datetime(2026, 3, 1, 12, 30, 15, 250000, tzinfo=timezone.utc)


@pytest.fixture
def database_url(tmp_path):
    """A new empty database: SQLite in tmp_path, or a scratch database beside the PostgreSQL test database."""
    base = os.environ.get("SKILLWIRE_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return

    url = make_url(base)
    name = f"{url.database}_migrations_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_migrated_schema_matches_models(database_url):
    upgrade_database(database_url)

    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()

    assert differences == []


def test_upgrade_keeps_existing_statements_readable(database_url):
    upgrade_database(database_url, "0006")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        _insert_statement_with_index_rows(connection)

    upgrade_database(database_url)

    with engine.connect() as connection:
        copied = {table: connection.execute(text(f"SELECT stored FROM {table}")).scalars().all()
                  for table in ("statement_agents", "statement_activities")}
        pending = connection.execute(text("SELECT statement_pk FROM pending_mappings")).scalars().all()
    engine.dispose()
    for table, values in copied.items():
        assert len(values) == 1, table
        assert _as_utc(values[0]) == STORED, table
    assert pending == [1]


def test_downgrade_and_upgrade_again(database_url):
    upgrade_database(database_url)

    command.downgrade(alembic_config(database_url), "0006")
    upgrade_database(database_url)

    engine = create_engine(database_url)
    with engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert revision == ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def _insert_statement_with_index_rows(connection) -> None:
    stored = STORED if connection.dialect.name == "postgresql" else STORED.replace(tzinfo=None)
    connection.execute(text(
        "INSERT INTO statements (pk, statement_id, stored, timestamp, verb_id, voided, version, source, payload) "
        "VALUES (1, :id, :stored, :stored, 'http://adlnet.gov/expapi/verbs/completed', false, '1.0.3', 'xapi', "
        "'{}')"), {"id": str(uuid.uuid4()), "stored": stored})
    connection.execute(text("INSERT INTO statement_agents (id, statement_pk, ifi, relation) "
                            "VALUES (1, 1, 'mbox:mailto:ben@example.com', 'actor')"))
    connection.execute(text("INSERT INTO statement_activities (id, statement_pk, activity_id, relation) "
                            "VALUES (1, 1, 'http://example.com/activities/a', 'object')"))


def _as_utc(value) -> datetime:
    """Return a stored value as an aware UTC datetime; SQLite returns text without a zone."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
