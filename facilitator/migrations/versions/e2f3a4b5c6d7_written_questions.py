"""written questions from phones and their upvotes

Revision ID: e2f3a4b5c6d7
Revises: d0e1f2a3b4c5
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e2f3a4b5c6d7'
down_revision = 'd0e1f2a3b4c5'
branch_labels = None
depends_on = None


def upgrade():
    # Two new tables: nothing that exists is altered (no table is copied).
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('party', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('upvotes', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('speech_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('dismiss_reason', sa.String(length=12), nullable=True),
    sa.Column('dismiss_note', sa.String(length=200), nullable=False),
    sa.Column('handled_at', sa.DateTime(), nullable=True),
    sa.Column('handled_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], name=op.f('fk_questions_agenda_item_id_agenda_items')),
    sa.ForeignKeyConstraint(['entry_id'], ['queue_entries.id'], name=op.f('fk_questions_entry_id_queue_entries')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_questions_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_questions_participant_id_participants')),
    sa.ForeignKeyConstraint(['speech_id'], ['speeches.id'], name=op.f('fk_questions_speech_id_speeches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questions_participant_id'), ['participant_id'], unique=False)

    op.create_table('question_upvotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_question_upvotes_participant_id_participants')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_upvotes_question_id_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_upvotes')),
    sa.UniqueConstraint('question_id', 'participant_id', name=op.f('uq_question_upvotes_question_id_participant_id'))
    )
    with op.batch_alter_table('question_upvotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_upvotes_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_upvotes_question_id'), ['question_id'], unique=False)


def downgrade():
    with op.batch_alter_table('question_upvotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_upvotes_question_id'))
        batch_op.drop_index(batch_op.f('ix_question_upvotes_participant_id'))
    op.drop_table('question_upvotes')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_participant_id'))
        batch_op.drop_index(batch_op.f('ix_questions_meeting_id'))
    op.drop_table('questions')
