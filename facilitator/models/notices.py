"""The public notice of a decision's result (公示) and the objections raised against it.

An owners' decision is published on the community's notice board for a period (a setting,
7 days by default) with where to object; objections received are recorded on the case with
their outcome. Both belong to the case's record: they are shown on its timeline. The notice
is signed on phones like the minutes (models/signing.py)."""
from __future__ import annotations

from ..clock import utcnow
from ..extensions import db

OBJECTION_OUTCOMES = ("pending", "upheld", "dismissed")


class ResultNotice(db.Model):
    __tablename__ = "result_notices"

    id = db.Column(db.Integer, primary_key=True)
    vote_id = db.Column(db.Integer, db.ForeignKey("votes.id"), nullable=False, unique=True)
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    posted_on = db.Column(db.Date, nullable=False)
    period_days = db.Column(db.Integer, nullable=False)
    where_to_object = db.Column(db.Text, nullable=False)
    issued_by = db.Column(db.String(100), nullable=False, default="")
    issued_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    # Signed on phones like the minutes (models/signing.py): the notice never changes once
    # issued, so its content hash is what is signed.
    signoffs = db.relationship("DocumentSignoff", order_by="DocumentSignoff.id",
                               back_populates="notice")
    signature_requests = db.relationship("SignatureRequest", order_by="SignatureRequest.id",
                                         back_populates="notice")


class Objection(db.Model):
    __tablename__ = "objections"

    id = db.Column(db.Integer, primary_key=True)
    notice_id = db.Column(db.Integer, db.ForeignKey("result_notices.id"), nullable=False,
                          index=True)
    received_on = db.Column(db.Date, nullable=False)
    raised_by = db.Column(db.String(100), nullable=False)
    unit = db.Column(db.String(40), nullable=False, default="")
    text = db.Column(db.Text, nullable=False)
    # Received after the notice period ended: recorded, and said so.
    late = db.Column(db.Boolean, nullable=False, default=False)
    outcome = db.Column(db.String(10), nullable=False, default="pending")
    outcome_note = db.Column(db.Text, nullable=False, default="")
    recorded_by = db.Column(db.String(100), nullable=False, default="")
    recorded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    decided_by = db.Column(db.String(100), nullable=False, default="")
    decided_at = db.Column(db.DateTime)
