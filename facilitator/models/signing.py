"""Signing a stored document on phones (签字确认): the chair's requests and the sign-offs.

A signed document is one that never changes once stored, so its content hash is what people
sign: a final version of a meeting's minutes (models/minutes.py) or a result notice
(models/notices.py). Each row names exactly one of them (``version_id`` or ``notice_id``,
checked by the database), so the rules of asking and answering live once
(actions/signing.py) for both. A sign-off is made on the signer's own phone once the chair
has asked them to sign that document, or (minutes only) recorded by the chair for someone
without a phone in the meeting.

The tables keep the names they had when only the minutes were signed.
"""
from ..clock import utcnow
from ..extensions import db

SIGNOFF_DECISIONS = ("signed", "refused")
# How a sign-off was made: by the participant on their own phone, or recorded by the chair
# for someone who has no phone in the meeting (the documents say which).
SIGNOFF_METHODS = ("phone", "chair")
# Exactly one document per row.
_ONE_DOCUMENT = "(version_id IS NULL) <> (notice_id IS NULL)"


class SignatureRequest(db.Model):
    """The chair asked a participant to sign one document on their phone. Only a participant
    asked may sign that document there; a correction of the minutes (a new version) needs a
    new request."""
    __tablename__ = "minutes_signature_requests"
    __table_args__ = (db.UniqueConstraint("version_id", "participant_id"),
                      db.UniqueConstraint("notice_id", "participant_id"),
                      db.CheckConstraint(_ONE_DOCUMENT, name="one_document"))

    id = db.Column(db.Integer, primary_key=True)
    version_id = db.Column(db.Integer, db.ForeignKey("minutes_versions.id"), index=True)
    notice_id = db.Column(db.Integer, db.ForeignKey("result_notices.id"), index=True)
    participant_id = db.Column(db.Integer, db.ForeignKey("participants.id"), nullable=False)
    requested_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    requested_by = db.Column(db.String(40), nullable=False)  # the event actor, e.g. "user:3"

    version = db.relationship("MinutesVersion", back_populates="signature_requests")
    notice = db.relationship("ResultNotice", back_populates="signature_requests")
    participant = db.relationship("Participant")


class DocumentSignoff(db.Model):
    """Someone signs (or refuses to sign) one document: on their phone (the name they typed,
    their participant's party, optionally a drawn signature) or recorded by the chair."""
    __tablename__ = "minutes_signoffs"
    __table_args__ = (db.CheckConstraint(_ONE_DOCUMENT, name="one_document"),)

    id = db.Column(db.Integer, primary_key=True)
    version_id = db.Column(db.Integer, db.ForeignKey("minutes_versions.id"), index=True)
    notice_id = db.Column(db.Integer, db.ForeignKey("result_notices.id"), index=True)
    participant_id = db.Column(db.Integer, db.ForeignKey("participants.id"))
    name = db.Column(db.String(100), nullable=False)
    party = db.Column(db.String(20), nullable=False)
    decision = db.Column(db.String(10), nullable=False)
    note = db.Column(db.String(500), nullable=False, default="")
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    recorded_by = db.Column(db.String(40), nullable=False)
    method = db.Column(db.String(10), nullable=False, default="chair",
                       server_default="chair")  # SIGNOFF_METHODS
    # The signature drawn on the phone, re-encoded as a small greyscale PNG (optional).
    drawing = db.Column(db.LargeBinary)

    version = db.relationship("MinutesVersion", back_populates="signoffs")
    notice = db.relationship("ResultNotice", back_populates="signoffs")
