"""create attachments and statement ref targets

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 22:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import hub.models.base


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attachments',
    sa.Column('sha2', sa.String(length=128), nullable=False),
    sa.Column('content_type', sa.Text(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('stored', hub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha2', name=op.f('pk_attachments'))
    )
    op.create_table('statement_ref_targets',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('statement_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('target_statement_id', sa.String(length=36), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('target_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('target_verb_id', sa.Text(), nullable=True),
    sa.Column('target_registration', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['statement_pk'], ['statements.pk'], name=op.f('fk_statement_ref_targets_statement_pk_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_ref_targets'))
    )
    with op.batch_alter_table('statement_ref_targets', schema=None) as batch_op:
        batch_op.create_index('ix_statement_ref_targets_statement', ['statement_pk'], unique=False)
        batch_op.create_index('ix_statement_ref_targets_target', ['target_statement_id', 'statement_pk'], unique=False)
        batch_op.create_index('ix_statement_ref_targets_target_pk', ['target_pk', 'statement_pk'], unique=False)
        batch_op.create_index('ix_statement_ref_targets_verb', ['target_verb_id', 'statement_pk'], unique=False)
        batch_op.create_index('ix_statement_ref_targets_registration', ['target_registration', 'statement_pk'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('statement_ref_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_ref_targets_registration')
        batch_op.drop_index('ix_statement_ref_targets_verb')
        batch_op.drop_index('ix_statement_ref_targets_target_pk')
        batch_op.drop_index('ix_statement_ref_targets_target')
        batch_op.drop_index('ix_statement_ref_targets_statement')

    op.drop_table('statement_ref_targets')
    op.drop_table('attachments')
