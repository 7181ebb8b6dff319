"""check-in: who verified an owner's identity, how and when; votes for verified owners only

Revision ID: e3f4a5b6c7d8
Revises: d2e3f4a5b6c7
Create Date: 2026-12-06 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e3f4a5b6c7d8'
down_revision = 'd2e3f4a5b6c7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_owner', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('verified_via', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('verified_by', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('verification_note', sa.String(length=200),
                                      nullable=False, server_default=''))
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_only', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('vote_participations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_via', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('vote_participations', schema=None) as batch_op:
        batch_op.drop_column('verified_via')
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_column('verified_only')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('verification_note')
        batch_op.drop_column('verified_by')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('verified_via')
        batch_op.drop_column('registered_owner')
