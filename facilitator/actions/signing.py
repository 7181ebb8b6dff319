"""Asking people to sign a stored document on their phones, and their answers (签字确认): the
rules shared by the minutes (actions/minutes.py) and the result notice
(actions/result_notice.py), whose commands find the document and record the event.

Who may be asked: participants of the meeting admitted with a phone (all of them, those of
the parties named, or the people named); each is asked once per document. Who may answer:
a phone the chair asked, once per document; a refusal says why. The rows are
models/signing.py's, naming the document by ``version_id`` or ``notice_id``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.statuses import ParticipantStatus
from ..errors import DomainError
from ..extensions import db
from ..domain.parties import PARTIES
from ..minutes.drawings import MAX_DRAWING_CHARS, clean_drawing
from ..models import DocumentSignoff, Participant, SignatureRequest
from ..models.signing import SIGNOFF_DECISIONS
from ..validation import Field, optional
from .core import Context

# At most this many participants asked by one request (a large meeting's phones fit in it).
MAX_ASKED = 1000
# What asking for signatures and answering take, whatever the document (minutes, notice).
ASK_FIELDS = {
    "participant_ids": Field("id_list", required=False, default=None, max_len=MAX_ASKED),
    "parties": Field("str_list", required=False, default=None, max_len=len(PARTIES),
                     choices=PARTIES)}
ANSWER_FIELDS = {
    "name": Field("str", max_len=100),
    "decision": Field("str", choices=SIGNOFF_DECISIONS),
    "note": optional("str", max_len=500, default=""),
    "drawing": optional("str", max_len=MAX_DRAWING_CHARS)}


@dataclass(frozen=True)
class Signable:
    """A stored document phones sign: its row's column and id, the namespace of the codes its
    refusals carry ("minutes" or "notice", each with its own messages), and the parameters
    those messages name the document by."""
    column: str  # "version_id" | "notice_id"
    id: int
    errors: str
    params: dict = field(default_factory=dict)

    def rows(self) -> dict:
        return {self.column: self.id}


def signs_on_phone(person: Participant) -> bool:
    return person.has_phone and person.status == ParticipantStatus.ADMITTED


def ask(ctx: Context, document: Signable, participant_ids, parties) -> list[int]:
    """Ask the participants named, those of the parties named, or (neither given) everyone
    present with a phone to sign `document`; those asked before are not asked again. The ids
    of those asked now, in order."""
    if participant_ids is not None and not participant_ids and not parties:
        raise DomainError(f"{document.errors}.nobody_to_ask")
    chosen: dict[int, Participant] = {}
    for person_id in participant_ids or ():
        person = db.session.get(Participant, person_id)
        if person is None or person.meeting_id != ctx.meeting.id:
            raise DomainError("participant.not_found")
        if not signs_on_phone(person):
            raise DomainError(f"{document.errors}.no_phone_to_sign", name=person.name)
        chosen[person.id] = person
    if parties or participant_ids is None:
        query = db.select(Participant).filter_by(meeting_id=ctx.meeting.id, has_phone=True,
                                                 status=ParticipantStatus.ADMITTED)
        if parties:
            query = query.filter(Participant.party.in_(parties))
        for person in db.session.execute(query).scalars():
            chosen.setdefault(person.id, person)
    if not chosen:
        raise DomainError(f"{document.errors}.nobody_to_ask")
    asked_before = set(db.session.execute(db.select(SignatureRequest.participant_id).filter_by(
        **document.rows())).scalars())
    new = sorted(set(chosen) - asked_before)
    if not new:
        raise DomainError("command.no_change")
    for person_id in new:
        db.session.add(SignatureRequest(**document.rows(), participant_id=person_id,
                                        requested_at=ctx.now, requested_by=ctx.actor.label))
    db.session.flush()
    return new


def answer_on_phone(ctx: Context, document: Signable, name: str, decision: str, note: str,
                    drawing) -> DocumentSignoff:
    """The phone's participant signs `document` (the name they typed, optionally a drawn
    signature) or refuses, saying why in `note`: only when the chair asked them, once."""
    person = db.session.get(Participant, ctx.actor.participant_id)
    if person is None or person.meeting_id != ctx.meeting.id:
        raise DomainError("auth.not_joined")
    if person.status in (ParticipantStatus.REJECTED, ParticipantStatus.REMOVED):
        raise DomainError(f"auth.participant_{person.status}")
    asked = db.session.execute(db.select(SignatureRequest.id).filter_by(
        **document.rows(), participant_id=person.id)).first()
    if asked is None:
        raise DomainError(f"{document.errors}.not_asked", **document.params)
    if db.session.execute(db.select(DocumentSignoff.id).filter_by(
            **document.rows(), participant_id=person.id)).first() is not None:
        raise DomainError(f"{document.errors}.already_signed", **document.params)
    if decision == "refused" and not note:
        raise DomainError(f"{document.errors}.refusal_needs_note")
    image = clean_drawing(drawing) if drawing and decision == "signed" else None
    signoff = DocumentSignoff(**document.rows(), participant_id=person.id, name=name,
                              party=person.party, decision=decision, note=note, at=ctx.now,
                              recorded_by=ctx.actor.label, method="phone", drawing=image)
    db.session.add(signoff)
    db.session.flush()
    return signoff


def signed_data(signoff: DocumentSignoff) -> dict:
    """A sign-off as its event records it (with the document's own key added by the caller)."""
    return {"signoff_id": signoff.id, "name": signoff.name, "party": signoff.party,
            "decision": signoff.decision, "note": signoff.note,
            "participant_id": signoff.participant_id, "method": signoff.method,
            "drawn": signoff.drawing is not None}
