"""Written questions asked from phones, and the room's upvotes on them (actions/questions.py)."""
from __future__ import annotations

from ..clock import utcnow
from ..domain.questions import DISMISS_REASONS  # noqa: F401  (the dismiss_reason column's)
from ..domain.statuses import QuestionStatus
from ..extensions import db


class Question(db.Model):
    """A question a participant typed on their phone: named (the asker's name and party as
    they were when it was asked, like a speech's), upvoted by the others, then handled by the
    chair: put on the speakers' list for its asker to say aloud, answered (with an optional
    short written answer the phones show) or dismissed with a reason."""
    __tablename__ = "questions"

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    participant_id = db.Column(db.Integer, db.ForeignKey("participants.id"), nullable=False,
                               index=True)
    # The agenda item running when it was asked (none before the first item).
    agenda_item_id = db.Column(db.Integer, db.ForeignKey("agenda_items.id"))
    name = db.Column(db.String(60), nullable=False)
    party = db.Column(db.String(20), nullable=False)
    text = db.Column(db.Text, nullable=False)
    status = db.Column(db.String(10), nullable=False, default=QuestionStatus.OPEN,
                       info={"statuses": QuestionStatus})
    # How many upvotes it has (the rows of question_upvotes, counted in the same transaction).
    upvotes = db.Column(db.Integer, nullable=False, default=0)
    asked_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # The hand it was put on the speakers' list with, and the speech it was said aloud in.
    entry_id = db.Column(db.Integer, db.ForeignKey("queue_entries.id"))
    speech_id = db.Column(db.Integer, db.ForeignKey("speeches.id"))
    answer = db.Column(db.Text, nullable=False, default="")
    answered_at = db.Column(db.DateTime)
    dismiss_reason = db.Column(db.String(12))
    dismiss_note = db.Column(db.String(200), nullable=False, default="")
    # When the chair last changed its course (queued, answered, dismissed), and who.
    handled_at = db.Column(db.DateTime)
    handled_by = db.Column(db.String(100), nullable=False, default="")


class QuestionUpvote(db.Model):
    """One participant's upvote of one question: at most one (the unique constraint), taken
    back by deleting it."""
    __tablename__ = "question_upvotes"
    __table_args__ = (db.UniqueConstraint("question_id", "participant_id"),)

    id = db.Column(db.Integer, primary_key=True)
    question_id = db.Column(db.Integer, db.ForeignKey("questions.id"), nullable=False,
                            index=True)
    participant_id = db.Column(db.Integer, db.ForeignKey("participants.id"), nullable=False,
                               index=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
