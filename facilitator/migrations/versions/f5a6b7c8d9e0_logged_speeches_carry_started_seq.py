"""Logged speeches carry their `started_seq`: snapshots are folded from the event log, and
the speakers' list folded from it needs the place of each floor in the meeting (the rules
count the hands a floor passed over). Each speech change in the log gets the value of its
row (the speeches table has kept it from the start). Nothing else of an event changes, so
the minutes built from the log stay the same byte for byte (tests/integration/
test_event_log.py).

Revision ID: f5a6b7c8d9e0
Revises: e2f3a4b5c6d7
Create Date: 2026-12-07 02:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f5a6b7c8d9e0'
down_revision = 'e2f3a4b5c6d7'
branch_labels = None
depends_on = None

BATCH = 1000

events = sa.table("meeting_events", sa.column("id", sa.Integer),
                  sa.column("meeting_id", sa.Integer), sa.column("changes", sa.JSON))
speeches = sa.table("speeches", sa.column("id", sa.Integer),
                    sa.column("meeting_id", sa.Integer), sa.column("started_seq", sa.Integer))


def _rewritten(changes: list, started: dict, keep) -> list:
    return [{**change, "v": keep(change["v"], started.get(change["id"]))}
            if change.get("c") == "speeches" and change.get("v") is not None else change
            for change in changes]


def _convert(keep) -> None:
    connection = op.get_bind()
    started: dict[int, dict[int, int]] = {}
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.meeting_id, events.c.changes)
            .where(events.c.id > last_id,
                   sa.cast(events.c.changes, sa.Text).like('%"speeches"%'))
            .order_by(events.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            if row.meeting_id not in started:
                started[row.meeting_id] = dict(connection.execute(
                    sa.select(speeches.c.id, speeches.c.started_seq)
                    .where(speeches.c.meeting_id == row.meeting_id)).all())
            changes = _rewritten(row.changes, started[row.meeting_id], keep)
            if changes != row.changes:
                connection.execute(events.update().where(events.c.id == row.id)
                                   .values(changes=changes))
        last_id = rows[-1].id


def upgrade():
    _convert(lambda view, seq: {**view, "started_seq": seq})


def downgrade():
    _convert(lambda view, seq: {k: v for k, v in view.items() if k != "started_seq"})
