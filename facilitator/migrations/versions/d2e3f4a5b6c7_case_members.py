"""case members: who sees and works on a case; read-only API tokens

Existing cases get as members their creator and the moderators and clerks of their meetings.

Revision ID: d2e3f4a5b6c7
Revises: c1d2e3f4a5b6
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from facilitator.clock import utcnow


revision = 'd2e3f4a5b6c7'
down_revision = 'c1d2e3f4a5b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_case_members_added_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_members_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_members')),
    sa.UniqueConstraint('case_id', 'user_id', name=op.f('uq_case_members_case_id_user_id'))
    )
    with op.batch_alter_table('case_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_members_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_members_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_token_read_only', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    connection = op.get_bind()
    members = set()
    for case_id, user_id in connection.execute(sa.text(
            "SELECT id, created_by_id FROM cases WHERE created_by_id IS NOT NULL")):
        members.add((case_id, user_id))
    for case_id, moderator_id, clerk_id in connection.execute(sa.text(
            "SELECT case_id, moderator_id, clerk_id FROM meetings")):
        members.update((case_id, user_id) for user_id in (moderator_id, clerk_id) if user_id)
    if members:
        table = sa.table('case_members', sa.column('case_id'), sa.column('user_id'),
                         sa.column('added_at'))
        connection.execute(table.insert(), [
            {"case_id": case_id, "user_id": user_id, "added_at": utcnow()}
            for case_id, user_id in sorted(members)])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('api_token_read_only')
    with op.batch_alter_table('case_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_case_members_case_id'))
    op.drop_table('case_members')
