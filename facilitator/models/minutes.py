"""Minutes versions, their sign-offs, and the agreed action items (议定事项).

The minutes themselves are a pure function of the event log (docs/architecture.md §6): the
live draft is built from the log on demand and never stored. A *version* is stored when the
moderator finalises (or corrects) the minutes: the canonical JSON of the document, its
SHA-256, who made it, when and why. Versions are never changed afterwards; a correction is a
new version. Sign-offs (签字确认) are recorded per person on one version (models/signing.py,
shared with the result notice).

Action items are also rows (so that the case's follow-up can track them after the meeting):
the commands ``action_item.add/edit/remove`` change the row *and* log an event, and the
minutes are built from the events. ``status`` is the follow-up's (open → in_progress → done
→ verified → closed); the meeting's commands only create items as ``open``.
"""
from ..extensions import db
from ..clock import utcnow
from ..domain.action_items import ActionItemStatus
from ..domain.minutes_model import MinutesStatus

class ActionItem(db.Model):
    """An agreed item: what, who (party, person), by when, how much, paid from where, and how
    it will be accepted. Money in fen (exact)."""
    __tablename__ = "action_items"
    __table_args__ = (db.UniqueConstraint("meeting_id", "number"),)

    id = db.Column(db.Integer, primary_key=True)
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    # Numbered per meeting in the order added (议定事项一、二、…); numbers are not reused.
    number = db.Column(db.Integer, nullable=False)
    what = db.Column(db.Text, nullable=False)
    party = db.Column(db.String(20), nullable=False)
    person = db.Column(db.String(100), nullable=False, default="")
    organisation = db.Column(db.String(200), nullable=False, default="")
    due_on = db.Column(db.Date)
    amount_fen = db.Column(db.BigInteger)
    funding_source = db.Column(db.String(30))
    acceptance = db.Column(db.Text, nullable=False, default="")
    status = db.Column(db.String(12), nullable=False, default=ActionItemStatus.OPEN,
                       info={"statuses": ActionItemStatus})
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    case = db.relationship("Case")
    meeting = db.relationship("Meeting")


class MinutesVersion(db.Model):
    """One final version of a meeting's minutes: the canonical JSON and its hash."""
    __tablename__ = "minutes_versions"
    __table_args__ = (db.UniqueConstraint("meeting_id", "number"),)

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    # Only final versions are stored; the draft is built from the log.
    status = db.Column(db.String(10), nullable=False, default=MinutesStatus.FINAL,
                       info={"statuses": MinutesStatus})
    language = db.Column(db.String(2), nullable=False, default="zh")
    document = db.Column(db.Text, nullable=False)  # MinutesDocument.to_json()
    content_hash = db.Column(db.String(64), nullable=False)
    # The last event the version covers (the log goes on: corrections are events too).
    last_event_seq = db.Column(db.Integer, nullable=False, default=0)
    created_by = db.Column(db.String(40), nullable=False)  # the event actor, e.g. "u3"
    created_by_name = db.Column(db.String(100), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    change_note = db.Column(db.Text, nullable=False, default="")
    # What changed from the previous version: [{"section", "change"}] (empty for version 1).
    changes = db.Column(db.JSON, nullable=False, default=list)

    signoffs = db.relationship("DocumentSignoff", order_by="DocumentSignoff.id",
                               cascade="all, delete-orphan", back_populates="version")
    signature_requests = db.relationship("SignatureRequest", order_by="SignatureRequest.id",
                                         cascade="all, delete-orphan", back_populates="version")
