from ..extensions import db


class MeetingEvent(db.Model):
    """One change to a meeting (docs/architecture.md §2). `seq` is gap-free per meeting; a
    command id is applied once per meeting (both enforced by unique constraints)."""
    __tablename__ = "meeting_events"
    __table_args__ = (
        db.UniqueConstraint("meeting_id", "seq"),
        db.UniqueConstraint("meeting_id", "command_id"),
    )

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False)
    seq = db.Column(db.Integer, nullable=False)
    type = db.Column(db.String(60), nullable=False)
    # data: what happened, for the record and the minutes; changes: the entities as they are
    # now, which clients apply to their snapshot; result: the ack returned to the sender.
    data = db.Column(db.JSON, nullable=False, default=dict)
    changes = db.Column(db.JSON, nullable=False, default=list)
    result = db.Column(db.JSON, nullable=False, default=dict)
    actor = db.Column(db.String(40), nullable=False)
    command_id = db.Column(db.String(64))
    at_ms = db.Column(db.BigInteger, nullable=False)
