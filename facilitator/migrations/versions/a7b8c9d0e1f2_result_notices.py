"""The public notice of a decision's result (公示) and the objections to it

Revision ID: a7b8c9d0e1f2
Revises: f3a4b5c6d7e8
Create Date: 2026-12-06 16:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7b8c9d0e1f2'
down_revision = 'f3a4b5c6d7e8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'result_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('posted_on', sa.Date(), nullable=False),
        sa.Column('period_days', sa.Integer(), nullable=False),
        sa.Column('where_to_object', sa.Text(), nullable=False),
        sa.Column('issued_by', sa.String(length=100), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
        sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('vote_id'),
    )
    with op.batch_alter_table('result_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_notices_case_id'), ['case_id'], unique=False)
    op.create_table(
        'objections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('raised_by', sa.String(length=100), nullable=False),
        sa.Column('unit', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('outcome', sa.String(length=10), nullable=False),
        sa.Column('outcome_note', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.String(length=100), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by', sa.String(length=100), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['notice_id'], ['result_notices.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_notice_id'), ['notice_id'], unique=False)


def downgrade():
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_notice_id'))
    op.drop_table('objections')
    with op.batch_alter_table('result_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_notices_case_id'))
    op.drop_table('result_notices')
