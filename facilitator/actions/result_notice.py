"""The public notice of a closed owners' decision (公示), and the objections to it.

Once an owners' decision has closed, staff issue its result notice: the result per rule
with every number, the notice period (RESULT_NOTICE_DAYS by default, 1 to 60 days from the
day it is posted) and where to object. One notice per vote: the document is a record, not a
draft. Objections received are recorded against the notice (one received after the period
is recorded and marked late) and each is decided, upheld or dismissed, with a reason. Like
the other case-record actions: everything validated first, a refusal changes nothing, one
transaction.

After the meeting the chair sends the notice to phones for signature like the minutes
(actions/signing.py): ``notice.request_signatures`` and ``notice.sign_on_phone`` are meeting
commands, each one event. The notice never changes once issued, so its content hash is what
is signed and no new request is ever needed.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from .. import clock
from ..contract import Datum, event
from ..domain.parties import PARTIES
from ..domain.statuses import MeetingStatus, VoteStatus
from ..errors import DomainError
from ..extensions import db
from ..models import Meeting, Objection, ResultNotice, User, Vote
from ..models.notices import OBJECTION_OUTCOMES
from ..models.signing import SIGNOFF_DECISIONS, SIGNOFF_METHODS
from ..validation import Field, optional, validate
from . import signing
from .core import CHAIR, PHONE, Context, Outcome, command

MAX_DAYS = 60
# A notice is posted on the day it is issued or up to a month later (printed, then put up).
LATEST_POSTING = timedelta(days=31)

NOTICE_SCHEMA = {
    "posted_on": Field("date"),
    "period_days": Field("int", min=1, max=MAX_DAYS),
    "where_to_object": Field("text", max_len=500),
}
OBJECTION_SCHEMA = {
    "received_on": Field("date"),
    "raised_by": Field("str", max_len=100),
    "unit": optional("str", max_len=40, default=""),
    "text": Field("text", max_len=4000),
}
DECISION_SCHEMA = {
    "outcome": Field("str", choices=OBJECTION_OUTCOMES[1:]),
    "outcome_note": Field("text", max_len=2000),
}


def default_days() -> int:
    return current_app.config["RESULT_NOTICE_DAYS"]


def last_day(notice: ResultNotice) -> date:
    """The last day of the notice period (the day it is posted counts as the first)."""
    return notice.posted_on + timedelta(days=notice.period_days - 1)


def notice_of(vote: Vote) -> ResultNotice | None:
    return db.session.execute(db.select(ResultNotice).filter_by(vote_id=vote.id)).scalar_one_or_none()


def issue_notice(vote: Vote, values: dict, user: User) -> ResultNotice:
    clean = validate(NOTICE_SCHEMA, values)
    if vote.kind != "owners_decision":
        raise DomainError("notice.owners_decision_only")
    if vote.status != VoteStatus.CLOSED or vote.result is None:
        raise DomainError("notice.vote_not_closed")
    if notice_of(vote) is not None:
        raise DomainError("notice.already_issued")
    closed_on = clock.local_date(vote.closed_at)
    latest = clock.today() + LATEST_POSTING
    if not closed_on <= clean["posted_on"] <= latest:
        raise DomainError("notice.posted_on_range", earliest=closed_on.isoformat(),
                          latest=latest.isoformat())
    where = clean["where_to_object"].strip()
    if not where:
        raise DomainError("validation.required", field="where_to_object")
    meeting = db.session.get(Meeting, vote.meeting_id)
    notice = ResultNotice(vote_id=vote.id, case_id=meeting.case_id, posted_on=clean["posted_on"],
                          period_days=clean["period_days"], where_to_object=where,
                          issued_by=user.display_name, issued_at=clock.utcnow())
    db.session.add(notice)
    db.session.commit()
    return notice


def record_objection(notice: ResultNotice, values: dict, user: User) -> Objection:
    clean = validate(OBJECTION_SCHEMA, values)
    if clean["received_on"] < notice.posted_on or clean["received_on"] > clock.today():
        raise DomainError("notice.received_on_range", earliest=notice.posted_on.isoformat(),
                          latest=clock.today().isoformat())
    for name in ("raised_by", "text"):
        if not clean[name].strip():
            raise DomainError("validation.required", field=name)
    objection = Objection(notice_id=notice.id, received_on=clean["received_on"],
                          raised_by=clean["raised_by"].strip(), unit=clean["unit"].strip(),
                          text=clean["text"].strip(),
                          late=clean["received_on"] > last_day(notice),
                          recorded_by=user.display_name, recorded_at=clock.utcnow())
    db.session.add(objection)
    db.session.commit()
    return objection


def decide_objection(objection: Objection, values: dict, user: User) -> Objection:
    clean = validate(DECISION_SCHEMA, values)
    if objection.outcome != "pending":
        raise DomainError("notice.objection_decided")
    if not clean["outcome_note"].strip():
        raise DomainError("validation.required", field="outcome_note")
    objection.outcome = clean["outcome"]
    objection.outcome_note = clean["outcome_note"].strip()
    objection.decided_by = user.display_name
    objection.decided_at = clock.utcnow()
    db.session.commit()
    return objection


def objections_of(notice: ResultNotice) -> list[Objection]:
    return list(db.session.execute(db.select(Objection).filter_by(notice_id=notice.id)
                                   .order_by(Objection.id)).scalars())


# --------------------------------------------------------------------------- signing

# Public: a phone asked to sign refreshes its signing card (the ids name no one to a phone).
event("notice.signatures_requested", public=True, data={
    "notice_id": Datum("id"), "vote_id": Datum("id"),
    "participant_ids": Datum("ids", doc="the participants asked now (not those asked before)")})
# Not public: phones and the projector do not learn who signed (the notice page and the
# documents do).
event("notice.signed", data={
    "notice_id": Datum("id"), "signoff_id": Datum("id"), "name": Datum("str"),
    "party": Datum("str", choices=PARTIES), "decision": Datum("str", choices=SIGNOFF_DECISIONS),
    "note": Datum("str"), "participant_id": Datum("id", null=True),
    "method": Datum("str", choices=SIGNOFF_METHODS),
    "drawn": Datum("bool", doc="a signature was drawn on the phone")})


def _signable(ctx: Context, notice_id: int) -> tuple[ResultNotice, signing.Signable]:
    notice = db.session.get(ResultNotice, notice_id)
    vote = db.session.get(Vote, notice.vote_id) if notice is not None else None
    if vote is None or vote.meeting_id != ctx.meeting.id:
        raise DomainError("notice.not_found")
    return notice, signing.Signable("notice_id", notice.id, "notice", {"title": vote.title})


@command("notice.request_signatures", events=("notice.signatures_requested",), result=("notice_id", "asked"), roles=CHAIR, states=(MeetingStatus.ENDED,), schema={
    "notice_id": Field("int", min=1),
    **signing.ASK_FIELDS})
def request_signatures(ctx: Context, notice_id: int, participant_ids, parties) -> Outcome:
    """Send an issued result notice to phones for signature: the participants named, those
    of the parties named, or (neither given) everyone present with a phone. Those asked
    before are not asked again."""
    notice, document = _signable(ctx, notice_id)
    new = signing.ask(ctx, document, participant_ids, parties)
    return Outcome("notice.signatures_requested",
                   {"notice_id": notice.id, "vote_id": notice.vote_id, "participant_ids": new},
                   {"notice_id": notice.id, "asked": len(new)})


@command("notice.sign_on_phone", events=("notice.signed",), result=("notice_id", "signoff_id"), roles=PHONE, states=(MeetingStatus.ENDED,), schema={
    "notice_id": Field("int", min=1),
    **signing.ANSWER_FIELDS})
def sign_on_phone(ctx: Context, notice_id: int, name: str, decision: str, note: str,
                  drawing) -> Outcome:
    """A participant the chair asked signs (签字确认) the notice they read, on their own
    phone, or refuses saying why in `note`. Once: the answer is final."""
    notice, document = _signable(ctx, notice_id)
    signoff = signing.answer_on_phone(ctx, document, name, decision, note, drawing)
    return Outcome("notice.signed", {"notice_id": notice.id, **signing.signed_data(signoff)},
                   {"notice_id": notice.id, "signoff_id": signoff.id})
