"""join keys and guess counts: meetings.join_key (the QR link's key), meetings.former_join_code,
and join_guesses (tries per address and window, wrong codes per server and minute) in place
of join_attempts (one row per wrong code, counted with a read that was not atomic)

Live meetings get a join key now, so their QR code works right after the upgrade. The old
wrong-code rows are dropped: they only ever mattered for ten minutes.

Revision ID: c4e7a9d2f1b3
Revises: a5b6c7d8e9f0
Create Date: 2026-11-27 05:50:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e7a9d2f1b3'
down_revision = 'a5b6c7d8e9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('join_key', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('former_join_code', sa.String(length=6), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_meetings_join_key'), ['join_key'])
        batch_op.create_index(batch_op.f('ix_meetings_former_join_code'), ['former_join_code'],
                              unique=False)
    meetings = sa.table('meetings', sa.column('id', sa.Integer), sa.column('status', sa.String),
                        sa.column('join_key', sa.String))
    connection = op.get_bind()
    for (meeting_id,) in connection.execute(sa.select(meetings.c.id).where(
            meetings.c.status == 'live')).all():
        connection.execute(meetings.update().where(meetings.c.id == meeting_id).values(
            join_key=secrets.token_urlsafe(16)))

    op.create_table('join_guesses',
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.Column('ends_at', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'ends_at', name=op.f('pk_join_guesses'))
    )
    with op.batch_alter_table('join_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_join_attempts_client'))
        batch_op.drop_index(batch_op.f('ix_join_attempts_at'))
    op.drop_table('join_attempts')


def downgrade():
    op.create_table('join_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_attempts'))
    )
    with op.batch_alter_table('join_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_join_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_attempts_client'), ['client'], unique=False)
    op.drop_table('join_guesses')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_former_join_code'))
        batch_op.drop_constraint(batch_op.f('uq_meetings_join_key'), type_='unique')
        batch_op.drop_column('former_join_code')
        batch_op.drop_column('join_key')
