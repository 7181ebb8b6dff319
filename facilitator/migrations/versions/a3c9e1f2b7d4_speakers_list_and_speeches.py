"""speakers' list and speeches

Revision ID: a3c9e1f2b7d4
Revises: 71fdd0055212
Create Date: 2026-11-26 05:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a3c9e1f2b7d4'
down_revision = '71fdd0055212'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queue_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=True),
    sa.Column('plan_key', sa.String(length=10), nullable=True),
    sa.Column('party', sa.String(length=20), nullable=False),
    sa.Column('raised_seq', sa.Integer(), nullable=False),
    sa.Column('manual_position', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('added_by_chair', sa.Boolean(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], name=op.f('fk_queue_entries_agenda_item_id_agenda_items')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_queue_entries_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_queue_entries_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_entries'))
    )
    with op.batch_alter_table('queue_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_entries_meeting_id'), ['meeting_id'], unique=False)
        # One waiting hand per person, kind and item: enforced by the database.
        batch_op.create_index('uq_queue_entries_waiting', ['agenda_item_id', 'participant_id', 'kind'],
                              unique=True, sqlite_where=sa.text("status = 'waiting'"),
                              postgresql_where=sa.text("status = 'waiting'"))

    op.create_table('speeches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=True),
    sa.Column('plan_key', sa.String(length=10), nullable=True),
    sa.Column('party', sa.String(length=20), nullable=False),
    sa.Column('started_seq', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('paused_ms', sa.Integer(), nullable=False),
    sa.Column('pause_started_at', sa.DateTime(), nullable=True),
    sa.Column('allowed_seconds', sa.Integer(), nullable=False),
    sa.Column('extension_seconds', sa.Integer(), nullable=False),
    sa.Column('spoken_ms', sa.Integer(), nullable=True),
    sa.Column('overrun_seconds', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('ruling', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], name=op.f('fk_speeches_agenda_item_id_agenda_items')),
    sa.ForeignKeyConstraint(['entry_id'], ['queue_entries.id'], name=op.f('fk_speeches_entry_id_queue_entries')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_speeches_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_speeches_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speeches'))
    )
    with op.batch_alter_table('speeches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_speeches_meeting_id'), ['meeting_id'], unique=False)

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_speech_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('queue_open', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('speaker_settings', sa.JSON(), nullable=False,
                                      server_default='{}'))
        batch_op.create_foreign_key(batch_op.f('fk_meetings_current_speech_id_speeches'),
                                    'speeches', ['current_speech_id'], ['id'])


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meetings_current_speech_id_speeches'),
                                 type_='foreignkey')
        batch_op.drop_column('speaker_settings')
        batch_op.drop_column('queue_open')
        batch_op.drop_column('current_speech_id')
    with op.batch_alter_table('speeches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speeches_meeting_id'))
    op.drop_table('speeches')
    with op.batch_alter_table('queue_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_queue_entries_waiting')
        batch_op.drop_index(batch_op.f('ix_queue_entries_meeting_id'))
    op.drop_table('queue_entries')
