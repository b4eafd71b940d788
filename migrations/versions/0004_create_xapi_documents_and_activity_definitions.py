"""create xapi documents and activity definitions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:08:18.230064
"""

from alembic import op
import sqlalchemy as sa
import hub.models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activity_definitions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('activity_key', sa.String(length=64), nullable=False),
    sa.Column('activity_id', sa.Text(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=True),
    sa.Column('updated_at', hub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_definitions')),
    sa.UniqueConstraint('activity_key', name=op.f('uq_activity_definitions_activity_key'))
    )
    op.create_table('xapi_documents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('context_key', sa.String(length=64), nullable=False),
    sa.Column('document_key', sa.String(length=64), nullable=False),
    sa.Column('activity_id', sa.Text(), nullable=True),
    sa.Column('agent_ifi', sa.Text(), nullable=True),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('document_id', sa.Text(), nullable=False),
    sa.Column('content_type', sa.Text(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('etag', sa.String(length=40), nullable=False),
    sa.Column('updated', hub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_documents')),
    sa.UniqueConstraint('document_key', name=op.f('uq_xapi_documents_document_key'))
    )
    with op.batch_alter_table('xapi_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_documents_context_key'), ['context_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('xapi_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_documents_context_key'))

    op.drop_table('xapi_documents')
    op.drop_table('activity_definitions')
