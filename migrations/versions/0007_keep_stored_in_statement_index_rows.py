"""keep each statement's stored time in its agent and activity index rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 23:30:00.000000

The agent and activity filters then read their index in page order (stored, statement key) and stop after one
page, where they used to read every match and sort. The copy is filled from statements in one UPDATE per table,
which rewrites both tables once; on PostgreSQL the new indexes are built with CREATE INDEX CONCURRENTLY.
"""

from alembic import op
import sqlalchemy as sa
import hub.models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# table -> (old index and its columns, new index and its columns)
INDEXES = {
    "statement_agents": (("ix_statement_agents_ifi", ["ifi", "relation", "statement_pk"]),
                         ("ix_statement_agents_ifi_stored", ["ifi", "stored", "statement_pk", "relation"])),
    "statement_activities": (("ix_statement_activities_activity", ["activity_id", "relation", "statement_pk"]),
                             ("ix_statement_activities_activity_stored",
                              ["activity_id", "stored", "statement_pk", "relation"])),
}


def upgrade() -> None:
    for table in INDEXES:
        _add_stored_column(table)

    for table, (old, new) in INDEXES.items():
        _swap_index(table, drop=old, create=new)


def downgrade() -> None:
    for table, (old, new) in INDEXES.items():
        _swap_index(table, drop=new, create=old)

    for table in INDEXES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("stored")


def _add_stored_column(table: str) -> None:
    """Add the column, copy each row's statement's stored time into it, then make it required."""
    with op.batch_alter_table(table) as batch_op:
        batch_op.add_column(sa.Column("stored", hub.models.base.UTCDateTime(timezone=True), nullable=True))

    op.execute(f"UPDATE {table} SET stored = (SELECT statements.stored FROM statements "
               f"WHERE statements.pk = {table}.statement_pk)")

    with op.batch_alter_table(table) as batch_op:
        batch_op.alter_column("stored", existing_type=hub.models.base.UTCDateTime(timezone=True), nullable=False)


def _swap_index(table: str, drop: tuple[str, list[str]], create: tuple[str, list[str]]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.create_index(create[0], table, create[1])
        op.drop_index(drop[0], table_name=table)
        return

    with op.get_context().autocommit_block():
        op.create_index(create[0], table, create[1], postgresql_concurrently=True)
        op.drop_index(drop[0], table_name=table, postgresql_concurrently=True)
