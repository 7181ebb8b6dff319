"""The speakers' list: hands raised from phones, the floor, speeches, rulings and notes.

The order of the list is computed by the pure rules in domain/speaker_queue.py from the
waiting entries, the item's speeches and the meeting's settings. Every command that can
change it sends the new order to every screen (the "speakers" singleton), so no client
re-implements the rules.
"""
from __future__ import annotations

from datetime import timedelta

from ..domain import speaker_queue as rules
from ..errors import DomainError
from ..extensions import db
from ..domain.statuses import (LIVE_OR_ENDED, NOT_ENDED, ParticipantStatus, PlanStatus,
                               QuestionStatus, QueueEntryStatus)
from ..models import AgendaItem, Participant, Question, QueueEntry, Speech
from ..models.speakers import ENTRY_KINDS, RULINGS, STANCES, meeting_settings
from ..validation import Field, optional
from .core import CHAIR, PHONE, Context, Outcome, command
from ..contract import Datum, event


SETTINGS_SCHEMA = {
    "speech_seconds": optional("int", min=30, max=1800),
    "briefing_seconds": optional("int", min=30, max=3600),
    "point_seconds": optional("int", min=15, max=600),
    "max_turns_per_item": optional("int", min=1, max=10),
    "points_of_order_first": optional("bool"),
    "not_yet_spoken_first": optional("bool"),
    "alternate_stance": optional("bool"),
    "balance_by_party": optional("bool"),
    "party_time_budget_seconds": optional("int", min=0, max=36000),
    "stats_on_projector": optional("bool"),
}


# --- loading the facts the rules need ------------------------------------------------------

def _waiting(meeting_id: int, item_id: int | None) -> list[QueueEntry]:
    if item_id is None:
        return []
    return list(db.session.execute(db.select(QueueEntry).filter_by(
        meeting_id=meeting_id, agenda_item_id=item_id, status=QueueEntryStatus.WAITING)
        .order_by(QueueEntry.id)).scalars())


def spoken_ms(speech: Speech, now) -> int:
    """Time at the floor, pauses excluded (so far, for a speech still going)."""
    if speech.spoken_ms is not None:
        return speech.spoken_ms
    end = speech.pause_started_at or now
    return max(0, (end - speech.started_at) // timedelta(milliseconds=1) - speech.paused_ms)


def _as_entry(row: QueueEntry) -> rules.QueueEntry:
    return rules.QueueEntry(id=row.id, participant_id=row.participant_id, party=row.party,
                            kind=row.kind, stance=row.stance, plan_key=row.plan_key,
                            raised_seq=row.raised_seq, manual_position=row.manual_position)


_ENTRY_COLUMNS = (QueueEntry.id, QueueEntry.participant_id, QueueEntry.party, QueueEntry.kind,
                  QueueEntry.stance, QueueEntry.plan_key, QueueEntry.raised_seq,
                  QueueEntry.manual_position)
_SPEECH_COLUMNS = (Speech.participant_id, Speech.party, Speech.kind, Speech.stance,
                   Speech.spoken_ms, Speech.started_seq)


# Built once (SQLAlchemy then skips building the statement and its cache key per call).
_WAITING_FACTS = (db.select(*_ENTRY_COLUMNS)
                  .where(QueueEntry.meeting_id == db.bindparam("meeting_id"),
                         QueueEntry.agenda_item_id == db.bindparam("item_id"),
                         QueueEntry.status == QueueEntryStatus.WAITING)
                  .order_by(QueueEntry.id))
_SPEECH_FACTS = (db.select(*_SPEECH_COLUMNS)
                 .where(Speech.meeting_id == db.bindparam("meeting_id"),
                        Speech.agenda_item_id == db.bindparam("item_id"))
                 .order_by(Speech.id))


def rule_facts(meeting_id: int, item_id: int | None
               ) -> tuple[list[rules.QueueEntry], list[rules.SpeechRecord]]:
    """The waiting hands and the speeches of an item, as the rules take them: read as plain
    columns (no ORM objects), once per command — this is the hot path of a burst of hands."""
    if item_id is None:
        return [], []
    params = {"meeting_id": meeting_id, "item_id": item_id}
    entries = [rules.QueueEntry(**row._mapping)
               for row in db.session.execute(_WAITING_FACTS, params)]
    history = [rules.SpeechRecord(participant_id=row.participant_id, party=row.party,
                                  kind=row.kind, stance=row.stance,
                                  seconds=(row.spoken_ms or 0) // 1000,
                                  started_seq=row.started_seq)
               for row in db.session.execute(_SPEECH_FACTS, params)]
    return entries, history


def speakers_view(meeting, facts=None) -> dict:
    """The meeting's `speakers` part as its rows are now (domain/speaker_queue.speakers_part):
    `facts`, the item's hands and speeches when the command already holds them."""
    item_id = meeting.current_item_id
    entries, history = facts if facts is not None else rule_facts(meeting.id, item_id)
    return rules.speakers_part(item_id, meeting_settings(meeting), entries, history)


def refresh_speakers(ctx: Context, facts=None) -> None:
    """Record the new order and statistics (after anything that can change them). `facts`:
    the item's hands and speeches when the command already holds them as they now are."""
    db.session.flush()
    ctx.changes.append({"c": "speakers", "v": speakers_view(ctx.meeting, facts)})


# --- phones --------------------------------------------------------------------------------

def _admitted_phone(ctx: Context) -> Participant:
    person = db.session.get(Participant, ctx.actor.participant_id)
    if person is None or person.status != ParticipantStatus.ADMITTED:
        raise DomainError("queue.not_admitted")
    return person


def _current_item(ctx: Context) -> AgendaItem:
    if ctx.meeting.current_item_id is None:
        raise DomainError("queue.no_current_item")
    return db.session.get(AgendaItem, ctx.meeting.current_item_id)


def place_in_queue(ctx: Context, person: Participant, kind: str, stance, plan_key,
                   by_chair: bool) -> tuple[QueueEntry | None, int, AgendaItem]:
    """A hand on the current item's list (raised from a phone, added by the chair, or a
    written question put on the list by the chair): the new entry, its id and the item; or
    (None, the waiting entry's id, the item) when the person already has a hand of that kind
    waiting (a hand raised twice is one entry: the same place, nothing changes)."""
    item = _current_item(ctx)
    if kind == "speech" and stance is None:
        raise DomainError("queue.stance_required")
    if kind != "speech":
        stance = plan_key = None
    if plan_key is not None and not _is_accepted_plan(ctx.meeting.id, plan_key):
        raise DomainError("queue.unknown_plan", plan_key=plan_key)
    settings = rules.queue_settings(meeting_settings(ctx.meeting))
    waiting, history = rule_facts(ctx.meeting.id, item.id)
    existing = rules.can_raise(person.id, kind, waiting, history, settings,
                               ctx.meeting.queue_open)
    if existing is not None:
        return None, existing.id, item
    entry = QueueEntry(meeting_id=ctx.meeting.id, agenda_item_id=item.id,
                       participant_id=person.id, kind=kind, stance=stance, plan_key=plan_key,
                       party=person.party, raised_seq=ctx.meeting.last_seq + 1,
                       added_by_chair=by_chair, raised_at=ctx.now)
    db.session.add(entry)
    ctx.changed(entry)
    refresh_speakers(ctx, (waiting + [_as_entry(entry)], history))
    return entry, entry.id, item


def _raise(ctx: Context, person: Participant, kind: str, stance, plan_key,
           by_chair: bool) -> Outcome:
    entry, entry_id, item = place_in_queue(ctx, person, kind, stance, plan_key, by_chair)
    if entry is None:
        return Outcome(None, {}, {"entry_id": entry_id, "already_waiting": True})
    stance, plan_key = entry.stance, entry.plan_key
    return Outcome("queue.hand_raised",
                   {"entry_id": entry.id, "participant_id": person.id, "name": person.name,
                    "party": person.party, "kind": kind, "stance": stance,
                    "plan_key": plan_key, "item_id": item.id, "by_chair": by_chair},
                   {"entry_id": entry.id})


def _is_accepted_plan(meeting_id: int, key: str) -> bool:
    from ..models import Plan
    return db.session.execute(db.select(Plan.id).filter_by(
        meeting_id=meeting_id, key=key, status=PlanStatus.ACCEPTED)).first() is not None


_kind = Field("str", choices=ENTRY_KINDS)
_stance = optional("str", choices=STANCES)
_plan_key = optional("str", max_len=10)



# --- events ------------------------------------------------------------------------------------
_entry_data = {"entry_id": Datum("id"), "participant_id": Datum("id")}
event("queue.hand_raised", data={
    **_entry_data, "name": Datum("str"), "party": Datum("str"),
    "kind": Datum("str", choices=ENTRY_KINDS), "stance": Datum("str", null=True, choices=STANCES),
    "plan_key": Datum("str", null=True), "item_id": Datum("id"), "by_chair": Datum("bool")})
event("queue.hand_withdrawn", data=_entry_data)
event("queue.entry_removed", data=_entry_data)
event("queue.entry_moved", data={"entry_id": Datum("id"), "position": Datum("int")})
event("queue.opened", data={})
event("queue.closed", data={})
event("speakers.configured", data={
    name: Datum("bool" if spec.kind == "bool" else "int", optional=True,
                null=name == "party_time_budget_seconds")
    for name, spec in SETTINGS_SCHEMA.items()}, doc="each setting changed")
event("floor.given", data={
    "speech_id": Datum("id"), **_entry_data, "name": Datum("str"), "party": Datum("str"),
    "kind": Datum("str", choices=ENTRY_KINDS), "stance": Datum("str", null=True, choices=STANCES),
    "plan_key": Datum("str", null=True), "item_id": Datum("id"),
    "allowed_seconds": Datum("int"), "previous_speech_id": Datum("id", null=True),
    "out_of_order": Datum("bool", doc="not the next in the rules' order")})
event("speech.ended", data={"speech_id": Datum("id"), "spoken_ms": Datum("int"),
                            "overrun_seconds": Datum("int")})
event("speech.paused", data={"speech_id": Datum("id")})
event("speech.resumed", data={"speech_id": Datum("id")})
event("speech.extended", data={"speech_id": Datum("id"), "seconds": Datum("int"),
                               "total_extension": Datum("int")})
event("point.ruled", data={"speech_id": Datum("id"), "ruling": Datum("str", choices=RULINGS)})
event("speech.noted", data={"speech_id": Datum("id"), "notes": Datum("str")})


@command("hand.raise", events=("queue.hand_raised",), result=("entry_id", "already_waiting"), roles=PHONE, schema={"kind": _kind, "stance": _stance,
                                            "plan_key": _plan_key})
def raise_hand(ctx: Context, kind: str, stance, plan_key) -> Outcome:
    return _raise(ctx, _admitted_phone(ctx), kind, stance, plan_key, by_chair=False)


@command("hand.withdraw", events=("queue.hand_withdrawn",), roles=PHONE, schema={"kind": _kind})
def withdraw_hand(ctx: Context, kind: str) -> Outcome:
    person = _admitted_phone(ctx)
    entry = db.session.execute(db.select(QueueEntry).filter_by(
        meeting_id=ctx.meeting.id, participant_id=person.id, kind=kind,
        status=QueueEntryStatus.WAITING, agenda_item_id=ctx.meeting.current_item_id)).scalar_one_or_none()
    if entry is None:
        raise DomainError("queue.not_waiting")
    return _leave(ctx, entry, QueueEntryStatus.WITHDRAWN, "queue.hand_withdrawn")


def _leave(ctx: Context, entry: QueueEntry, status: str, event_type: str) -> Outcome:
    entry.status = status
    ctx.changed(entry)
    # A written question put on the list with this hand, not said aloud: open again.
    for question in _questions_on(entry):
        question.status, question.entry_id = QuestionStatus.OPEN, None
        ctx.changed(question)
    refresh_speakers(ctx)
    return Outcome(event_type, {"entry_id": entry.id, "participant_id": entry.participant_id})


# --- the chair's list --------------------------------------------------------------------------

def _questions_on(entry: QueueEntry) -> list[Question]:
    """The written questions waiting on the list with this hand (actions/questions.py)."""
    return list(db.session.execute(db.select(Question).filter_by(
        meeting_id=entry.meeting_id, entry_id=entry.id, status=QuestionStatus.QUEUED)
        .order_by(Question.id)).scalars())


def _entry(ctx: Context, entry_id: int) -> QueueEntry:
    entry = db.session.get(QueueEntry, entry_id)
    if entry is None or entry.meeting_id != ctx.meeting.id \
            or entry.status != QueueEntryStatus.WAITING:
        raise DomainError("queue.entry_not_found", entry_id=entry_id)
    return entry


@command("queue.add", events=("queue.hand_raised",), result=("entry_id", "already_waiting"), roles=CHAIR, schema={"participant_id": Field("int", min=1),
                                           "kind": _kind, "stance": _stance,
                                           "plan_key": _plan_key})
def add_to_queue(ctx: Context, participant_id: int, kind: str, stance, plan_key) -> Outcome:
    """The moderator puts someone on the list by name (e.g. an elderly resident with no phone)."""
    person = db.session.get(Participant, participant_id)
    if person is None or person.meeting_id != ctx.meeting.id \
            or person.status != ParticipantStatus.ADMITTED:
        raise DomainError("participant.not_found")
    return _raise(ctx, person, kind, stance, plan_key, by_chair=True)


@command("queue.remove", events=("queue.entry_removed",), roles=CHAIR, schema={"entry_id": Field("int", min=1)})
def remove_from_queue(ctx: Context, entry_id: int) -> Outcome:
    return _leave(ctx, _entry(ctx, entry_id), QueueEntryStatus.REMOVED, "queue.entry_removed")


@command("queue.move", events=("queue.entry_moved",), roles=CHAIR, schema={"entry_id": Field("int", min=1),
                                            "position": Field("int", min=0, max=1000)})
def move_in_queue(ctx: Context, entry_id: int, position: int) -> Outcome:
    """A manual move overrides the order; it is recorded (this event)."""
    entry = _entry(ctx, entry_id)
    waiting = _waiting(ctx.meeting.id, entry.agenda_item_id)
    _, history = rule_facts(ctx.meeting.id, entry.agenda_item_id)
    settings = rules.queue_settings(meeting_settings(ctx.meeting))
    moved = rules.move_entry([_as_entry(e) for e in waiting], history, settings, entry_id,
                             position)
    by_id = {row.id: row for row in waiting}
    for new in moved:
        row = by_id[new.id]
        if row.manual_position != new.manual_position:
            row.manual_position = new.manual_position
            ctx.changed(row)
    refresh_speakers(ctx)
    return Outcome("queue.entry_moved", {"entry_id": entry_id, "position": position})


@command("queue.set_open", events=("queue.opened", "queue.closed"), roles=CHAIR, schema={"open": Field("bool")})
def set_queue_open(ctx: Context, open: bool) -> Outcome:
    if ctx.meeting.queue_open == open:
        raise DomainError("command.no_change")
    ctx.meeting.queue_open = open
    ctx.changed(ctx.meeting)
    return Outcome("queue.opened" if open else "queue.closed", {})


@command("speakers.configure", events=("speakers.configured",), roles=CHAIR, schema=SETTINGS_SCHEMA,
         states=NOT_ENDED)
def configure_speakers(ctx: Context, **values) -> Outcome:
    chosen = {k: v for k, v in values.items() if v is not None}
    if "party_time_budget_seconds" in values and values["party_time_budget_seconds"] == 0:
        chosen["party_time_budget_seconds"] = None  # 0 turns the budget off
    settings = {**(ctx.meeting.speaker_settings or {}), **chosen}
    if settings == (ctx.meeting.speaker_settings or {}):
        raise DomainError("command.no_change")
    ctx.meeting.speaker_settings = settings
    rules.queue_settings(meeting_settings(ctx.meeting))  # refuses values the rules cannot work with
    ctx.changed(ctx.meeting)
    refresh_speakers(ctx)
    return Outcome("speakers.configured", chosen)


# --- the floor ------------------------------------------------------------------------------

def _current_speech(ctx: Context) -> Speech:
    speech = db.session.get(Speech, ctx.meeting.current_speech_id or 0)
    if speech is None:
        raise DomainError("speech.none")
    return speech


def end_current_speech(ctx: Context) -> Speech | None:
    """End the speech at the floor, recording its length and overrun (also when the
    moderator gives the floor to the next person, moves on in the agenda or ends)."""
    if ctx.meeting.current_speech_id is None:
        return None  # no one has the floor: nothing to look up
    speech = db.session.get(Speech, ctx.meeting.current_speech_id)
    if speech is None:
        return None
    if speech.pause_started_at is not None:
        speech.paused_ms += (ctx.now - speech.pause_started_at) // timedelta(milliseconds=1)
        speech.pause_started_at = None
    speech.spoken_ms = spoken_ms(speech, ctx.now)
    speech.ended_at = ctx.now
    allowed_ms = (speech.allowed_seconds + speech.extension_seconds) * 1000
    speech.overrun_seconds = max(0, speech.spoken_ms - allowed_ms) // 1000
    ctx.meeting.current_speech_id = None
    ctx.changed(speech, ctx.meeting)
    return speech


def allowed_seconds(meeting, item: AgendaItem, kind: str) -> int:
    settings = meeting_settings(meeting)
    if kind != "speech":
        return settings["point_seconds"]
    return settings["briefing_seconds"] if item.segment == "briefing" \
        else settings["speech_seconds"]


@command("floor.give", events=("floor.given",), result=("speech_id",), roles=CHAIR, schema={"entry_id": optional("int", min=1)})
def give_floor(ctx: Context, entry_id) -> Outcome:
    """To the next in the order the rules give, or to anyone on the list."""
    item = _current_item(ctx)
    order = speakers_view(ctx.meeting)["order"]
    if entry_id is None:
        if not order:
            raise DomainError("queue.empty")
        entry_id = order[0]
    entry = _entry(ctx, entry_id)
    if entry.agenda_item_id != item.id:
        raise DomainError("queue.entry_not_found", entry_id=entry_id)
    previous = end_current_speech(ctx)
    entry.status = QueueEntryStatus.CALLED
    speech = Speech(meeting_id=ctx.meeting.id, agenda_item_id=item.id,
                    participant_id=entry.participant_id, entry_id=entry.id, kind=entry.kind,
                    stance=entry.stance, plan_key=entry.plan_key, party=entry.party,
                    started_seq=ctx.meeting.last_seq + 1, started_at=ctx.now,
                    allowed_seconds=allowed_seconds(ctx.meeting, item, entry.kind))
    db.session.add(speech)
    db.session.flush()
    ctx.meeting.current_speech_id = speech.id
    ctx.changed(entry, speech, ctx.meeting)
    # A written question put on the list with this hand is now said aloud in this speech.
    for question in _questions_on(entry):
        question.status, question.speech_id = QuestionStatus.SPOKEN, speech.id
        ctx.changed(question)
    refresh_speakers(ctx)
    person = db.session.get(Participant, entry.participant_id)
    return Outcome("floor.given", {
        "speech_id": speech.id, "entry_id": entry.id, "participant_id": person.id,
        "name": person.name, "party": entry.party, "kind": entry.kind, "stance": entry.stance,
        "plan_key": entry.plan_key, "item_id": item.id,
        "allowed_seconds": speech.allowed_seconds,
        "previous_speech_id": previous.id if previous else None,
        # The moderator chose someone other than the next in the rules' order: recorded.
        "out_of_order": entry_id != order[0]},
        {"speech_id": speech.id})


@command("speech.end", events=("speech.ended",), roles=CHAIR, schema={})
def end_speech(ctx: Context) -> Outcome:
    _current_speech(ctx)
    speech = end_current_speech(ctx)
    refresh_speakers(ctx)
    return Outcome("speech.ended", {"speech_id": speech.id, "spoken_ms": speech.spoken_ms,
                                    "overrun_seconds": speech.overrun_seconds})


@command("speech.pause", events=("speech.paused",), roles=CHAIR, schema={})
def pause_speech(ctx: Context) -> Outcome:
    speech = _current_speech(ctx)
    if speech.pause_started_at is not None:
        raise DomainError("speech.already_paused")
    speech.pause_started_at = ctx.now
    ctx.changed(speech)
    return Outcome("speech.paused", {"speech_id": speech.id})


@command("speech.resume", events=("speech.resumed",), roles=CHAIR, schema={})
def resume_speech(ctx: Context) -> Outcome:
    speech = _current_speech(ctx)
    if speech.pause_started_at is None:
        raise DomainError("speech.not_paused")
    speech.paused_ms += (ctx.now - speech.pause_started_at) // timedelta(milliseconds=1)
    speech.pause_started_at = None
    ctx.changed(speech)
    return Outcome("speech.resumed", {"speech_id": speech.id})


@command("speech.extend", events=("speech.extended",), roles=CHAIR, schema={"seconds": Field("int", min=10, max=1800)})
def extend_speech(ctx: Context, seconds: int) -> Outcome:
    speech = _current_speech(ctx)
    speech.extension_seconds += seconds
    ctx.changed(speech)
    return Outcome("speech.extended", {"speech_id": speech.id, "seconds": seconds,
                                       "total_extension": speech.extension_seconds})


def _speech(ctx: Context, speech_id: int) -> Speech:
    speech = db.session.get(Speech, speech_id)
    if speech is None or speech.meeting_id != ctx.meeting.id:
        raise DomainError("speech.not_found")
    return speech


@command("point.rule", events=("point.ruled",), roles=CHAIR, states=LIVE_OR_ENDED,
         schema={"speech_id": Field("int", min=1), "ruling": Field("str", choices=RULINGS)})
def rule_on_point(ctx: Context, speech_id: int, ruling: str) -> Outcome:
    """The moderator rules on a point of order: upheld or not upheld, recorded."""
    speech = _speech(ctx, speech_id)
    if speech.kind != "point_of_order":
        raise DomainError("speech.not_a_point_of_order")
    if speech.ruling == ruling:
        raise DomainError("command.no_change")
    speech.ruling = ruling
    ctx.changed(speech)
    return Outcome("point.ruled", {"speech_id": speech.id, "ruling": ruling})


@command("speech.note", events=("speech.noted",), roles=CHAIR, states=LIVE_OR_ENDED,
         schema={"speech_id": Field("int", min=1),
                 "notes": optional("text", max_len=4000, default="")})
def note_speech(ctx: Context, speech_id: int, notes: str) -> Outcome:
    """The clerk's key points of a speech, typed while it happens and corrected afterwards;
    each version is an event, so the minutes show the last and the log keeps them all."""
    speech = _speech(ctx, speech_id)
    if speech.notes == notes:
        raise DomainError("command.no_change")
    speech.notes = notes
    ctx.changed(speech)
    return Outcome("speech.noted", {"speech_id": speech.id, "notes": notes})
