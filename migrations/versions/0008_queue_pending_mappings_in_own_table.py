"""queue statements for evidence mapping in a table of their own

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 00:10:00.000000

Marking a statement mapped used to update statements.mapped_at. On PostgreSQL that update cannot be a
heap-only tuple update, because the partial index on pending statements names the column, so it wrote a new
copy of the row (about 1.3 KB) and of every index entry. The mapping job now deletes a row of
pending_mappings instead, and statements rows are only ever updated when voided. The (pk, stored, voided)
index goes too: agent and activity filters read stored from their own index rows now.
"""

from alembic import op
import sqlalchemy as sa
import hub.models.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PENDING = sa.text("mapped_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "pending_mappings",
        sa.Column("statement_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False,
                  nullable=False),
        sa.ForeignKeyConstraint(["statement_pk"], ["statements.pk"],
                                name=op.f("fk_pending_mappings_statement_pk_statements"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("statement_pk", name=op.f("pk_pending_mappings")),
    )
    op.execute("INSERT INTO pending_mappings (statement_pk) SELECT pk FROM statements WHERE mapped_at IS NULL")

    op.drop_index("ix_statements_pending_mapping", table_name="statements")
    op.drop_index("ix_statements_pk_stored", table_name="statements")
    # Not in batch mode: on SQLite that copies statements into a new table and drops the old one, and with
    # foreign keys on, the drop deletes every row that references a statement. SQLite 3.35 and later drop an
    # unindexed column in place.
    op.drop_column("statements", "mapped_at")


def downgrade() -> None:
    op.add_column("statements", sa.Column("mapped_at", hub.models.base.UTCDateTime(timezone=True), nullable=True))
    # The time each statement was mapped is not kept, so mapped statements get their stored time.
    op.execute("UPDATE statements SET mapped_at = stored WHERE pk NOT IN (SELECT statement_pk FROM pending_mappings)")

    op.create_index("ix_statements_pk_stored", "statements", ["pk", "stored", "voided"])
    op.create_index("ix_statements_pending_mapping", "statements", ["pk"], postgresql_where=PENDING,
                    sqlite_where=PENDING)
    op.drop_table("pending_mappings")
