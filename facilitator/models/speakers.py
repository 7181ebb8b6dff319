"""The speakers' list (queue entries) and the speeches given, per agenda item."""
from sqlalchemy import text

from ..extensions import db
from ..clock import utcnow
from ..domain.speaker_queue import SETTING_DEFAULTS
from ..domain.statuses import QueueEntryStatus

ENTRY_KINDS = ("speech", "point_of_order", "point_of_information")
STANCES = ("for", "against", "neutral", "question")
RULINGS = ("upheld", "not_upheld")


def meeting_settings(meeting) -> dict:
    return {**SETTING_DEFAULTS, **(meeting.speaker_settings or {})}


_IS_WAITING = f"status = '{QueueEntryStatus.WAITING}'"


class QueueEntry(db.Model):
    """A raised hand. While it waits, one person has at most one entry of each kind on an
    item: a unique index over the waiting entries enforces it in the database."""
    __tablename__ = "queue_entries"
    __table_args__ = (
        db.Index("uq_queue_entries_waiting", "agenda_item_id", "participant_id", "kind",
                 unique=True, sqlite_where=text(_IS_WAITING), postgresql_where=text(_IS_WAITING)),
    )

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    agenda_item_id = db.Column(db.Integer, db.ForeignKey("agenda_items.id"), nullable=False)
    participant_id = db.Column(db.Integer, db.ForeignKey("participants.id"), nullable=False)
    kind = db.Column(db.String(24), nullable=False)
    stance = db.Column(db.String(10))
    plan_key = db.Column(db.String(10))
    # The party when the hand went up (party balance looks at who was speaking for whom).
    party = db.Column(db.String(20), nullable=False)
    # Arrival order: the sequence number of the event that raised it.
    raised_seq = db.Column(db.Integer, nullable=False)
    # Set when the moderator placed it by hand (see domain/speaker_queue.py, manual moves).
    manual_position = db.Column(db.Integer)
    status = db.Column(db.String(10), nullable=False, default=QueueEntryStatus.WAITING,
                       info={"statuses": QueueEntryStatus})
    added_by_chair = db.Column(db.Boolean, nullable=False, default=False)
    raised_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Speech(db.Model):
    """A turn at the floor: a speech, a point of order or a point of information."""
    __tablename__ = "speeches"

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    agenda_item_id = db.Column(db.Integer, db.ForeignKey("agenda_items.id"), nullable=False)
    participant_id = db.Column(db.Integer, db.ForeignKey("participants.id"), nullable=False)
    entry_id = db.Column(db.Integer, db.ForeignKey("queue_entries.id"))
    kind = db.Column(db.String(24), nullable=False)
    stance = db.Column(db.String(10))
    plan_key = db.Column(db.String(10))
    party = db.Column(db.String(20), nullable=False)
    started_seq = db.Column(db.Integer, nullable=False)
    started_at = db.Column(db.DateTime, nullable=False)
    ended_at = db.Column(db.DateTime)
    # Time paused so far, and the start of a pause in progress: paused time is not counted.
    paused_ms = db.Column(db.Integer, nullable=False, default=0)
    pause_started_at = db.Column(db.DateTime)
    allowed_seconds = db.Column(db.Integer, nullable=False)
    extension_seconds = db.Column(db.Integer, nullable=False, default=0)
    # Filled when the speech ends: how long it took (pauses excluded) and by how much it ran over.
    spoken_ms = db.Column(db.Integer)
    overrun_seconds = db.Column(db.Integer)
    notes = db.Column(db.Text, nullable=False, default="")
    ruling = db.Column(db.String(12))
