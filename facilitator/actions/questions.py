"""Written questions from phones (书面提问), for people who will not speak up.

An admitted participant types a question on the phone; the others upvote it (once each, and
may take the upvote back); its asker may withdraw it while it is open. The chair sees them
by upvotes, then time, and takes each up: puts its asker on the speakers' list with the
question attached, to say it aloud (`question.to_queue`: a speech of stance "question";
floor.give marks it spoken), answers it (with an optional short written answer the phones
show), or dismisses it with a reason (a duplicate, off the topic, abusive): the room no
longer sees it, the record keeps it.

A question is named, as a speech is: the consultation's record says who raised what, the
chair may ask its asker to say it aloud, and a named question is not a way to insult
anonymously. Who upvoted what is kept (one row each, for the one-upvote rule) but shown to
nobody: the screens get counts.

Abuse: only an admitted participant of this meeting, only while the meeting is live; a few
questions a minute per participant (QUESTIONS_PER_MINUTE), a few open at once, a bounded
number per meeting; a question that is no longer open takes no upvote. Its text reaches
every screen before the chair has read it: what would turn its words around or draw over
the others (a right-to-left override, a stack of accents, a screenful of empty lines) is
left out (domain/questions.tidy_text).
"""
from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app

from ..contract import Datum, event
from ..domain.statuses import ANSWERABLE_QUESTION, ParticipantStatus, QuestionStatus
from ..errors import DomainError
from ..extensions import db
from ..models import Participant, Question, QuestionUpvote
from ..domain.questions import DISMISS_REASONS, tidy_text
from ..validation import Field, optional
from .core import CHAIR, PHONE, Context, Outcome, command
from .speakers import place_in_queue

MAX_TEXT = 300  # characters: a question, not a speech
MAX_ANSWER = 500
MAX_OPEN_PER_PERSON = 5  # open at once, per participant
MAX_PER_MEETING = 300  # asked in one meeting, whatever became of them
RATE_WINDOW = timedelta(minutes=1)
DEFAULT_PER_MINUTE = 3

_id = Field("int", min=1)
_STATUSES = tuple(QuestionStatus)


# --- events --------------------------------------------------------------------------------
event("question.asked", data={
    "question_id": Datum("id"), "participant_id": Datum("id"), "name": Datum("str"),
    "party": Datum("str"), "text": Datum("str"),
    "item_id": Datum("id", null=True, doc="the agenda item running when it was asked")})
event("question.upvoted", data={"question_id": Datum("id"), "participant_id": Datum("id"),
                                "upvotes": Datum("int", doc="its upvotes now")})
event("question.upvote_withdrawn", data={"question_id": Datum("id"),
                                         "participant_id": Datum("id"),
                                         "upvotes": Datum("int", doc="its upvotes now")})
event("question.withdrawn", data={"question_id": Datum("id"), "participant_id": Datum("id")})
event("question.queued", data={
    "question_id": Datum("id"), "participant_id": Datum("id"), "entry_id": Datum("id"),
    "already_waiting": Datum("bool", doc="the asker already had a speech waiting: the "
                                         "question goes with it"),
    "item_id": Datum("id"), "upvotes": Datum("int")})
event("question.answered", data={
    "question_id": Datum("id"), "answer": Datum("str", doc="the written answer; empty when "
                                                           "answered aloud"),
    "was": Datum("str", choices=_STATUSES), "upvotes": Datum("int")})
event("question.dismissed", data={
    "question_id": Datum("id"), "reason": Datum("str", choices=DISMISS_REASONS),
    "note": Datum("str"), "upvotes": Datum("int")})


# --- the phone's side ----------------------------------------------------------------------

def _admitted_phone(ctx: Context) -> Participant:
    person = db.session.get(Participant, ctx.actor.participant_id)
    if person is None or person.meeting_id != ctx.meeting.id \
            or person.status != ParticipantStatus.ADMITTED:
        raise DomainError("question.not_admitted")
    return person


def _question(ctx: Context, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.meeting_id != ctx.meeting.id:
        raise DomainError("question.not_found")
    return question


def _open_question(ctx: Context, question_id: int) -> Question:
    question = _question(ctx, question_id)
    if question.status != QuestionStatus.OPEN:
        raise DomainError("question.not_open")
    return question


def _count(*criteria) -> int:
    return db.session.execute(db.select(db.func.count(Question.id)).where(*criteria)).scalar()


def _check_rate(ctx: Context, person: Participant) -> None:
    """At most QUESTIONS_PER_MINUTE questions in any minute (withdrawn and dismissed ones
    count too: withdrawing does not buy another)."""
    limit = max(1, int(current_app.config.get("QUESTIONS_PER_MINUTE", DEFAULT_PER_MINUTE)))
    since = ctx.now - RATE_WINDOW
    recent = list(db.session.execute(
        db.select(Question.asked_at).where(Question.participant_id == person.id,
                                           Question.asked_at > since)
        .order_by(Question.asked_at.desc()).limit(limit)).scalars())
    if len(recent) >= limit:
        free_at = recent[-1] + RATE_WINDOW
        seconds = max(1, math.ceil((free_at - ctx.now).total_seconds()))
        raise DomainError("question.too_fast", seconds=seconds)


@command("question.ask", events=("question.asked",), result=("question_id",), roles=PHONE,
         schema={"text": Field("text", max_len=MAX_TEXT)})
def ask(ctx: Context, text: str) -> Outcome:
    person = _admitted_phone(ctx)
    text = tidy_text(text).strip()
    if not text:
        raise DomainError("validation.required", field="text")
    _check_rate(ctx, person)
    if _count(Question.participant_id == person.id,
              Question.status == QuestionStatus.OPEN) >= MAX_OPEN_PER_PERSON:
        raise DomainError("question.too_many_open", max=MAX_OPEN_PER_PERSON)
    if _count(Question.meeting_id == ctx.meeting.id) >= MAX_PER_MEETING:
        raise DomainError("question.meeting_full", max=MAX_PER_MEETING)
    question = Question(meeting_id=ctx.meeting.id, participant_id=person.id,
                        agenda_item_id=ctx.meeting.current_item_id, name=person.name,
                        party=person.party, text=text, status=QuestionStatus.OPEN,
                        upvotes=0, asked_at=ctx.now)
    db.session.add(question)
    ctx.changed(question)
    return Outcome("question.asked", {
        "question_id": question.id, "participant_id": person.id, "name": person.name,
        "party": person.party, "text": text, "item_id": question.agenda_item_id},
        {"question_id": question.id})


def _upvote_of(question: Question, person: Participant) -> QuestionUpvote | None:
    return db.session.execute(db.select(QuestionUpvote).filter_by(
        question_id=question.id, participant_id=person.id)).scalar_one_or_none()


@command("question.upvote", events=("question.upvoted",),
         result=("question_id", "upvotes", "upvoted"), roles=PHONE,
         schema={"question_id": _id})
def upvote(ctx: Context, question_id: int) -> Outcome:
    """One upvote per participant: a second changes nothing (no event), as a hand raised
    twice. Not one's own question, not one that is no longer open."""
    person = _admitted_phone(ctx)
    question = _open_question(ctx, question_id)
    if question.participant_id == person.id:
        raise DomainError("question.own")
    result = {"question_id": question.id, "upvoted": True}
    if _upvote_of(question, person) is not None:
        return Outcome(None, {}, {**result, "upvotes": question.upvotes})
    db.session.add(QuestionUpvote(question_id=question.id, participant_id=person.id,
                                  at=ctx.now))
    question.upvotes += 1
    ctx.changed(question)
    return Outcome("question.upvoted", {"question_id": question.id,
                                        "participant_id": person.id,
                                        "upvotes": question.upvotes},
                   {**result, "upvotes": question.upvotes})


@command("question.withdraw_upvote", events=("question.upvote_withdrawn",),
         result=("question_id", "upvotes", "upvoted"), roles=PHONE,
         schema={"question_id": _id})
def withdraw_upvote(ctx: Context, question_id: int) -> Outcome:
    """Taking an upvote back, while the question is open; none to take back changes
    nothing (no event)."""
    person = _admitted_phone(ctx)
    question = _open_question(ctx, question_id)
    result = {"question_id": question.id, "upvoted": False}
    mine = _upvote_of(question, person)
    if mine is None:
        return Outcome(None, {}, {**result, "upvotes": question.upvotes})
    db.session.delete(mine)
    question.upvotes -= 1
    ctx.changed(question)
    return Outcome("question.upvote_withdrawn", {"question_id": question.id,
                                                 "participant_id": person.id,
                                                 "upvotes": question.upvotes},
                   {**result, "upvotes": question.upvotes})


@command("question.withdraw", events=("question.withdrawn",), roles=PHONE,
         schema={"question_id": _id})
def withdraw(ctx: Context, question_id: int) -> Outcome:
    """Its asker takes an open question back: gone from the screens, not in the minutes."""
    person = _admitted_phone(ctx)
    question = _question(ctx, question_id)
    if question.participant_id != person.id:
        raise DomainError("question.not_yours")
    if question.status != QuestionStatus.OPEN:
        raise DomainError("question.not_open")
    question.status = QuestionStatus.WITHDRAWN
    ctx.changed(question)
    return Outcome("question.withdrawn", {"question_id": question.id,
                                          "participant_id": person.id})


# --- the chair's side ----------------------------------------------------------------------

def _handled(ctx: Context, question: Question) -> None:
    question.handled_at = ctx.now
    question.handled_by = ctx.actor_name()


@command("question.to_queue", events=("question.queued",),
         result=("question_id", "entry_id", "already_waiting"), roles=CHAIR,
         schema={"question_id": _id})
def to_queue(ctx: Context, question_id: int) -> Outcome:
    """Its asker goes on the current item's speakers' list (a speech of stance "question",
    added by the chair) with the question attached, to say it aloud; when they already have
    a speech waiting, the question goes with that one. The list's rules apply as to
    `queue.add` (a closed list, the turns an item allows)."""
    question = _open_question(ctx, question_id)
    asker = db.session.get(Participant, question.participant_id)
    if asker is None or asker.status != ParticipantStatus.ADMITTED:
        raise DomainError("question.asker_gone")
    entry, entry_id, item = place_in_queue(ctx, asker, "speech", "question", None,
                                           by_chair=True)
    question.status, question.entry_id = QuestionStatus.QUEUED, entry_id
    _handled(ctx, question)
    ctx.changed(question)
    return Outcome("question.queued", {
        "question_id": question.id, "participant_id": asker.id, "entry_id": entry_id,
        "already_waiting": entry is None, "item_id": item.id, "upvotes": question.upvotes},
        {"question_id": question.id, "entry_id": entry_id, "already_waiting": entry is None})


@command("question.answer", events=("question.answered",), roles=CHAIR,
         schema={"question_id": _id,
                 "answer": optional("text", max_len=MAX_ANSWER, default="")})
def answer(ctx: Context, question_id: int, answer: str) -> Outcome:
    """Answered: aloud (no text) or with a short written answer the phones show. Open, on
    the list, said aloud, or answered before (a corrected answer)."""
    question = _question(ctx, question_id)
    if question.status not in ANSWERABLE_QUESTION:
        raise DomainError("question.not_open")
    answer = answer.strip()
    if question.status == QuestionStatus.ANSWERED and question.answer == answer:
        raise DomainError("command.no_change")
    was = question.status
    question.status, question.answer = QuestionStatus.ANSWERED, answer
    question.answered_at = ctx.now
    _handled(ctx, question)
    ctx.changed(question)
    return Outcome("question.answered", {"question_id": question.id, "answer": answer,
                                         "was": was, "upvotes": question.upvotes})


@command("question.dismiss", events=("question.dismissed",), roles=CHAIR,
         schema={"question_id": _id, "reason": Field("str", choices=DISMISS_REASONS),
                 "note": optional("str", max_len=200, default="")})
def dismiss(ctx: Context, question_id: int, reason: str, note: str) -> Outcome:
    """An open question set aside (a duplicate, off the topic, abusive): the phones and the
    projector no longer show it and it takes no more upvotes; the record keeps it and why."""
    question = _open_question(ctx, question_id)
    question.status = QuestionStatus.DISMISSED
    question.dismiss_reason, question.dismiss_note = reason, note
    _handled(ctx, question)
    ctx.changed(question)
    return Outcome("question.dismissed", {"question_id": question.id, "reason": reason,
                                          "note": note, "upvotes": question.upvotes})
