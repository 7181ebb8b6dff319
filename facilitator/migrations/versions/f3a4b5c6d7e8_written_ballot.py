"""A written ballot (书面征求意见): votes.written_since, and the receipts of ballots cast by
personal link

Revision ID: f3a4b5c6d7e8
Revises: e1f2a3b4c5d6
Create Date: 2026-12-06 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f3a4b5c6d7e8'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_since', sa.DateTime(), nullable=True))
    op.create_table(
        'ballot_receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('voter_key', sa.String(length=40), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('replaced_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code_hash'),
    )
    with op.batch_alter_table('ballot_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_receipts_vote_id'), ['vote_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ballot_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_receipts_vote_id'))
    op.drop_table('ballot_receipts')
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a copy of the table: dropping the old
    # votes table would break the foreign keys of the ballots and papers that refer to it.
    with op.batch_alter_table('votes', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('written_since')
