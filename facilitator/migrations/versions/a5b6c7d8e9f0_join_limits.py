"""join limits: where a phone joined from (a hash of its browser's device cookie, its address);
proxies for one vote only

Revision ID: a5b6c7d8e9f0
Revises: f4a5b6c7d8e9
Create Date: 2026-12-06 16:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a5b6c7d8e9f0'
down_revision = 'f4a5b6c7d8e9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('joined_from', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_participants_device_hash'), ['device_hash'],
                              unique=False)
    with op.batch_alter_table('proxies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_proxies_vote_id_votes'), 'votes',
                                    ['vote_id'], ['id'])


def downgrade():
    with op.batch_alter_table('proxies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proxies_vote_id_votes'), type_='foreignkey')
        batch_op.drop_column('vote_id')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participants_device_hash'))
        batch_op.drop_column('joined_from')
        batch_op.drop_column('device_hash')
