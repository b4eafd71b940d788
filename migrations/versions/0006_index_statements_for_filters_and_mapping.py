"""index statements for the agent and activity filters and for pending mapping

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 22:00:00.000000

On PostgreSQL the indexes are built with CREATE INDEX CONCURRENTLY, so a large statements table keeps taking
writes during the upgrade.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

PENDING = sa.text("mapped_at IS NULL")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.create_index("ix_statements_pending_mapping", "statements", ["pk"], sqlite_where=PENDING)
        op.create_index("ix_statements_pk_stored", "statements", ["pk", "stored", "voided"])
        op.drop_index("ix_statements_unmapped", table_name="statements")
        return

    with op.get_context().autocommit_block():
        op.create_index("ix_statements_pending_mapping", "statements", ["pk"], postgresql_where=PENDING,
                        postgresql_concurrently=True)
        op.create_index("ix_statements_pk_stored", "statements", ["pk", "stored", "voided"],
                        postgresql_concurrently=True)
        op.drop_index("ix_statements_unmapped", table_name="statements", postgresql_concurrently=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.create_index("ix_statements_unmapped", "statements", ["mapped_at", "pk"])
        op.drop_index("ix_statements_pk_stored", table_name="statements")
        op.drop_index("ix_statements_pending_mapping", table_name="statements")
        return

    with op.get_context().autocommit_block():
        op.create_index("ix_statements_unmapped", "statements", ["mapped_at", "pk"], postgresql_concurrently=True)
        op.drop_index("ix_statements_pk_stored", table_name="statements", postgresql_concurrently=True)
        op.drop_index("ix_statements_pending_mapping", table_name="statements", postgresql_concurrently=True)
