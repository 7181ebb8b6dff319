"""The heartbeat: every process tells its own clients, every LIVE_HEARTBEAT_SECONDS, the
last sequence number of their meetings, read from the database (docs/protocol.md §5).

With several processes, an event committed by one reaches the clients of the others through
the message queue; when the queue is down (or a listener is reconnecting) those clients
would not know they missed it until something else showed them a gap. The heartbeat does
not go through the queue: each process reads the numbers from the database itself, so its
clients notice within a few seconds, and sync (static/js/store.js), even while the queue is
down.

Per role it is the last event the role is sent something for: phones and the projector get
nothing for a batch of ballots or of people joining (broadcast.py holds such batches and
folds them into their next one), so a phone is behind only if it lacks an event it would
have been sent. A heartbeat goes to a role room only when that number moved since the
last one, and only when this process has not handed that room a batch up to it already
(live/queue.py notes them): while the queue works, a busy meeting's phones hardly ever
hear one (only when a tick falls between a commit and its batch's arrival; in
bench/scale.py's 50 meetings at a command a second, 40 phones each, they were sent about
940 heartbeats a second before, which told them nothing); a room that missed a batch hears
it within an interval.

It runs only with a message queue (REDIS_URL): a single process sends its clients every
event itself.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import bindparam, select

from ..domain.live_state import compact
from ..extensions import db, socketio
from ..models import Meeting
from .redaction import CLIENT_ROLES, redact_batch

_meetings = Meeting.__table__
_LAST_SEQS = select(_meetings.c.id, _meetings.c.last_seq).where(
    _meetings.c.id.in_(bindparam("ids", expanding=True)))


def sent_to(event: dict, role: str) -> bool:
    """Whether the broadcaster sends `role` anything for this event (redaction.py)."""
    batch = redact_batch(compact([event]), role)
    return role == "chair" or bool(batch["events"] or batch["changes"])


class Heartbeat:
    def __init__(self):
        # meeting → [the last seq read, {role: the last seq that role is sent}, {role: told}]
        self._meetings: dict[int, list] = {}

    def tick(self) -> int:
        """Read and send once (needs an app context); the number of messages sent."""
        from .namespace import NAMESPACE, connections, room
        from .snapshot import _events_between
        ids = {conn.meeting_id for conn in list(connections.values())}
        for gone in set(self._meetings) - ids:
            del self._meetings[gone]
        handed = getattr(socketio.server.manager, "delivered", {})  # LiveQueue's
        # The queue notes every room of every process's meetings: keep this process's.
        ours = {room(meeting_id, role) for meeting_id in ids for role in CLIENT_ROLES}
        for other in [key for key in list(handed) if key not in ours]:
            handed.pop(other, None)
        if not ids:
            return 0
        db.session.rollback()  # what is committed now
        limit = current_app.config["CATCH_UP_MAX_EVENTS"]
        sent = 0
        try:
            rows = db.session.connection().execute(_LAST_SEQS, {"ids": sorted(ids)}).all()
            for meeting_id, last in rows:
                known = self._meetings.get(meeting_id)
                if known is None:  # first seen: what each role was last sent, from the log
                    known = self._meetings[meeting_id] = [max(0, last - limit), {}, {}]
                if last > known[0]:
                    for event in _events_between(meeting_id, max(known[0], last - limit), last):
                        for role in CLIENT_ROLES:
                            if sent_to(event, role):
                                known[1][role] = event["seq"]
                    known[0] = last
                for role, seq in known[1].items():
                    if known[2].get(role) == seq:
                        continue
                    to = room(meeting_id, role)
                    if handed.get(to, 0) < seq:
                        socketio.emit("heartbeat", {"meeting_id": meeting_id, "seq": seq},
                                      to=to, namespace=NAMESPACE, ignore_queue=True)
                        sent += 1
                    known[2][role] = seq
        finally:
            db.session.rollback()
        return sent


heartbeat = Heartbeat()


def run_heartbeat(app) -> None:
    """The loop `facilitator serve` starts when there is a message queue."""
    while True:
        socketio.sleep(app.config["LIVE_HEARTBEAT_SECONDS"])
        try:
            with app.app_context():
                try:
                    heartbeat.tick()
                finally:
                    db.session.remove()
        except Exception:  # noqa: BLE001 - it must keep beating
            app.logger.exception("heartbeat failed")
