"""cases.organiser: the organisation that holds the consultation and seals its minutes (主办单位)

Revision ID: 21490cc9d121
Revises: d8e9f0a1b2c3
Create Date: 2026-12-06 13:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '21490cc9d121'
down_revision = 'd8e9f0a1b2c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organiser', sa.String(length=100), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('organiser')
