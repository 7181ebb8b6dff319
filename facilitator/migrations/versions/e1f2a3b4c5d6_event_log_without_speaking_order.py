"""The event log without the derived speaking order: stored changes lose their `speakers`
views (the new order after each hand or speech, as long as the queue: the log grew with the
square of the queue). Live batches still carry it; a batch read back from the log gets the
current one. Nothing else of an event changes, so the minutes built from the log stay the
same byte for byte (tests/integration/test_event_log.py).

Revision ID: e1f2a3b4c5d6
Revises: 21490cc9d121
Create Date: 2026-12-06 14:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e1f2a3b4c5d6'
down_revision = '21490cc9d121'
branch_labels = None
depends_on = None

BATCH = 1000


def without_speaking_order(changes: list) -> list:
    return [change for change in changes if change.get("c") != "speakers"]


def upgrade():
    connection = op.get_bind()
    events = sa.table("meeting_events", sa.column("id", sa.Integer),
                      sa.column("changes", sa.JSON))
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.changes)
            .where(events.c.id > last_id,
                   sa.cast(events.c.changes, sa.Text).like('%"speakers"%'))
            .order_by(events.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            kept = without_speaking_order(row.changes)
            if len(kept) != len(row.changes):
                connection.execute(events.update().where(events.c.id == row.id)
                                   .values(changes=kept))
        last_id = rows[-1].id


def downgrade():
    # The order each event made is derived from the hands and speeches; the code before this
    # revision reads events without it as well (it sets what a change names, nothing else).
    pass
