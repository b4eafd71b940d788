"""add scim resources and identity conflicts

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-04 21:07:57.013916
"""

from alembic import op
import sqlalchemy as sa
import hub.models.base


revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scim_groups',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('display_name', sa.String(length=300), nullable=False),
    sa.Column('external_id', sa.String(length=300), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scim_groups'))
    )
    with op.batch_alter_table('scim_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scim_groups_external_id'), ['external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scim_groups_updated_at'), ['updated_at'], unique=False)

    op.create_table('scim_users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_name', sa.String(length=300), nullable=False),
    sa.Column('user_name_key', sa.String(length=300), nullable=True),
    sa.Column('external_id', sa.String(length=300), nullable=True),
    sa.Column('display_name', sa.String(length=300), nullable=True),
    sa.Column('given_name', sa.String(length=200), nullable=True),
    sa.Column('family_name', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('employee_number', sa.String(length=100), nullable=True),
    sa.Column('department', sa.String(length=300), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('resource', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', hub.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scim_users')),
    sa.UniqueConstraint('user_name_key', name=op.f('uq_scim_users_user_name_key'))
    )
    with op.batch_alter_table('scim_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scim_users_external_id'), ['external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scim_users_updated_at'), ['updated_at'], unique=False)

    op.create_table('identity_conflicts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('holder_person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('claimant_person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('resolution', sa.String(length=32), nullable=True),
    sa.Column('detected_at', hub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', hub.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['claimant_person_id'], ['people.id'], name=op.f('fk_identity_conflicts_claimant_person_id_people')),
    sa.ForeignKeyConstraint(['holder_person_id'], ['people.id'], name=op.f('fk_identity_conflicts_holder_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_conflicts'))
    )
    with op.batch_alter_table('identity_conflicts', schema=None) as batch_op:
        batch_op.create_index('ix_identity_conflicts_claimant', ['claimant_person_id'], unique=False)
        batch_op.create_index('ix_identity_conflicts_holder', ['holder_person_id'], unique=False)
        batch_op.create_index('ix_identity_conflicts_status', ['status', 'id'], unique=False)

    op.create_table('scim_group_members',
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('member_type', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['scim_groups.id'], name=op.f('fk_scim_group_members_group_id_scim_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'member_id', name=op.f('pk_scim_group_members'))
    )
    with op.batch_alter_table('scim_group_members', schema=None) as batch_op:
        batch_op.create_index('ix_scim_group_members_member', ['member_id'], unique=False)

    op.create_table('scim_user_emails',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=True),
    sa.Column('primary', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['scim_users.id'], name=op.f('fk_scim_user_emails_user_id_scim_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scim_user_emails'))
    )
    with op.batch_alter_table('scim_user_emails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scim_user_emails_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_scim_user_emails_value', ['value'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('scim_user_emails', schema=None) as batch_op:
        batch_op.drop_index('ix_scim_user_emails_value')
        batch_op.drop_index(batch_op.f('ix_scim_user_emails_user_id'))

    op.drop_table('scim_user_emails')
    with op.batch_alter_table('scim_group_members', schema=None) as batch_op:
        batch_op.drop_index('ix_scim_group_members_member')

    op.drop_table('scim_group_members')
    with op.batch_alter_table('identity_conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_identity_conflicts_status')
        batch_op.drop_index('ix_identity_conflicts_holder')
        batch_op.drop_index('ix_identity_conflicts_claimant')

    op.drop_table('identity_conflicts')
    with op.batch_alter_table('scim_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scim_users_updated_at'))
        batch_op.drop_index(batch_op.f('ix_scim_users_external_id'))

    op.drop_table('scim_users')
    with op.batch_alter_table('scim_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scim_groups_updated_at'))
        batch_op.drop_index(batch_op.f('ix_scim_groups_external_id'))

    op.drop_table('scim_groups')
