"""Ballot papers of a written ballot (表决票): serial numbers, clerks' entries, scans, and the
vote's double-entry setting

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-06 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b8c9d0e1f2a3'
down_revision = 'a7b8c9d0e1f2'
branch_labels = None
depends_on = None


def upgrade():
    # ALTER TABLE … ADD COLUMN, not a copy of the table (the rows that refer to votes).
    with op.batch_alter_table('votes', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('paper_double_entry', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        'ballot_papers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('owner_key', sa.String(length=40), nullable=False),
        sa.Column('serial', sa.String(length=12), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=True),
        sa.Column('decided_by', sa.String(length=100), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_reason', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('vote_id', 'owner_key'),
        sa.UniqueConstraint('vote_id', 'serial'),
    )
    with op.batch_alter_table('ballot_papers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_papers_vote_id'), ['vote_id'], unique=False)
    op.create_table(
        'ballot_paper_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('paper_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('entered_by', sa.String(length=100), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['paper_id'], ['ballot_papers.id'], ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('ballot_paper_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_paper_entries_paper_id'), ['paper_id'],
                              unique=False)
    op.create_table(
        'ballot_paper_scans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('paper_id', sa.Integer(), nullable=False),
        sa.Column('media_type', sa.String(length=20), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=100), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['paper_id'], ['ballot_papers.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('paper_id'),
    )


def downgrade():
    op.drop_table('ballot_paper_scans')
    with op.batch_alter_table('ballot_paper_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_paper_entries_paper_id'))
    op.drop_table('ballot_paper_entries')
    with op.batch_alter_table('ballot_papers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_papers_vote_id'))
    op.drop_table('ballot_papers')
    # ALTER TABLE … DROP COLUMN, not a copy of the table (see f3a4b5c6d7e8's downgrade).
    with op.batch_alter_table('votes', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('paper_double_entry')
