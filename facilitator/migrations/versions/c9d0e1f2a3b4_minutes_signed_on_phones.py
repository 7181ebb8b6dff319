"""Minutes signed on phones: signature requests per version and participant; a sign-off's
method (phone or recorded by the chair) and its drawn signature

Revision ID: c9d0e1f2a3b4
Revises: b8c9d0e1f2a3
Create Date: 2026-12-06 16:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c9d0e1f2a3b4'
down_revision = 'b8c9d0e1f2a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'minutes_signature_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('requested_by', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_minutes_signature_requests_participant_id_participants')),
        sa.ForeignKeyConstraint(['version_id'], ['minutes_versions.id'], name=op.f('fk_minutes_signature_requests_version_id_minutes_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_signature_requests')),
        sa.UniqueConstraint('version_id', 'participant_id', name=op.f('uq_minutes_signature_requests_version_id_participant_id')),
    )
    with op.batch_alter_table('minutes_signature_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_signature_requests_version_id'), ['version_id'], unique=False)
    with op.batch_alter_table('minutes_signoffs', schema=None) as batch_op:
        # Every sign-off before this was typed in by the chair.
        batch_op.add_column(sa.Column('method', sa.String(length=10), nullable=False,
                                      server_default='chair'))
        batch_op.add_column(sa.Column('drawing', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('minutes_signoffs', schema=None) as batch_op:
        batch_op.drop_column('drawing')
        batch_op.drop_column('method')
    with op.batch_alter_table('minutes_signature_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_signature_requests_version_id'))
    op.drop_table('minutes_signature_requests')
