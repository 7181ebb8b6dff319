"""The minutes: the clerk's narrative, the agreed items, finalising, corrections, sign-off.

Each command is one event, so the minutes stay a function of the log (docs/architecture.md
§6): ``minutes.write`` records a section of the clerk's text, ``action_item.*``
the agreed items (also kept as rows for the case's follow-up), ``minutes.finalise`` builds
the document from the log and stores it as version 1, ``minutes.correct`` stores version
n+1 with who, when, why and which sections changed. Sign-off: ``minutes.request_signatures``
sends the latest version to participants' phones, ``minutes.sign_on_phone`` is a phone
signing (or refusing to sign) the version it was sent, ``minutes.record_signoff`` the chair
recording the sign-off of someone without a phone (marked so in the documents). A stored
version never changes; its sign-offs stay with it when a correction makes a new one.

The events carry no entity changes: no live screen holds the minutes. The console's minutes
panel reloads the draft over HTTP when it sees one of these events go by.
"""
from __future__ import annotations

from datetime import date

from .. import clock
from ..domain import case_dates
from ..domain.action_items import ActionItemStatus
from ..domain.minutes_model import MinutesStatus
from ..domain.statuses import ANY_MEETING_STATUS, MeetingStatus
from ..errors import DomainError
from ..extensions import db
from ..minutes import narrative
from ..minutes.load import minutes_for
from ..minutes.versions import (as_final, document_of, latest_version,
                                section_changes, version_number)
from ..models import ActionItem, AgendaItem, DocumentSignoff, MeetingEvent, MinutesVersion, \
    Participant
from ..domain.parties import PARTIES
from ..models.signing import SIGNOFF_DECISIONS, SIGNOFF_METHODS
from ..validation import Field, optional
from .cases import meeting_day
from . import signing
from .core import CHAIR, MODERATOR, PHONE, Context, Outcome, command
from ..contract import Datum, event

MAX_ACTION_ITEMS = 100
# Where the money of an agreed item comes from (the minutes' vocabulary: exports/labels.py).
FUNDING_SOURCES = ("developer", "property_company", "maintenance_fund", "owner_levy",
                   "contractor", "government", "other")
_CLEARABLE = ("person", "organisation", "due", "amount", "funding_source", "acceptance")

_item_fields = {
    "what": Field("text", max_len=2000),
    "party": Field("str", choices=PARTIES),
    "person": optional("str", max_len=100),
    "organisation": optional("str", max_len=200),
    "due": optional("date"),
    "amount": Field("money", required=False, default=None),
    "funding_source": optional("str", choices=FUNDING_SOURCES),
    "acceptance": optional("text", max_len=2000),
}


# --------------------------------------------------------------------------- narrative

def _last_writes(meeting_id: int) -> dict[str, tuple[str, int]]:
    """Each section written: its last text ("" once removed) and the sequence number of
    that write, its revision."""
    writes: dict[str, tuple[str, int]] = {}
    rows = db.session.execute(db.select(MeetingEvent.seq, MeetingEvent.data).filter_by(
        meeting_id=meeting_id, type="minutes.written").order_by(MeetingEvent.seq))
    for seq, data in rows:
        writes[data["section"]] = (data.get("text") or "", seq)
    return writes


def current_sections(meeting_id: int) -> dict[str, str]:
    """The clerk's sections as the log has them now (the last text of each)."""
    return {section: text for section, (text, _seq) in _last_writes(meeting_id).items()
            if text}


def section_revisions(meeting_id: int) -> dict[str, int]:
    """Each written section's revision: what a writer sends as `base_revision` so that a
    change someone else made meanwhile is not overwritten unseen (0: never written)."""
    return {section: seq for section, (_text, seq) in _last_writes(meeting_id).items()}



# --- events ------------------------------------------------------------------------------------
event("minutes.written", data={"section": Datum("str"), "text": Datum("str")})
event("action_item.added", data={"action_item_id": Datum("id"), "item": Datum("object")})
event("action_item.edited", data={"action_item_id": Datum("id"), "item": Datum("object"),
                                  "changed": Datum("strs")})
event("action_item.removed", data={
    "action_item_id": Datum("id"), "number": Datum("int"), "what": Datum("str"),
    "renumbered": Datum("object", doc="id → new number of the items after it")})
_version = {"version": Datum("int"), "version_id": Datum("id"), "content_hash": Datum("str"),
            "last_event_seq": Datum("int"), "note": Datum("str"), "changes": Datum("list")}
# Public: phones offer the download once the minutes are final.
event("minutes.finalised", public=True, data=_version)
event("minutes.corrected", public=True, data=_version)
# Public: a phone asked to sign refreshes its signing card (the ids name no one to a phone,
# which holds no list of the room).
event("minutes.signatures_requested", public=True, data={
    "version": Datum("int"),
    "participant_ids": Datum("ids", doc="the participants asked now (not those asked before)")})
# Not public: phones and the projector do not learn who signed (the console and the
# documents do).
event("minutes.signed", data={
    "version": Datum("int"), "signoff_id": Datum("id"), "name": Datum("str"),
    "party": Datum("str", choices=PARTIES), "decision": Datum("str", choices=SIGNOFF_DECISIONS),
    "note": Datum("str"), "participant_id": Datum("id", null=True),
    "method": Datum("str", choices=SIGNOFF_METHODS),
    "drawn": Datum("bool", doc="a signature was drawn on the phone")})


@command("minutes.write", events=("minutes.written",), result=("section", "revision"), roles=CHAIR, states=ANY_MEETING_STATUS, reads_log=True, schema={
    "section": Field("str", max_len=40),
    "text": optional("text", max_len=narrative.MAX_TEXT, default=""),
    "base_revision": optional("int", min=0)})
def write_section(ctx: Context, section: str, text: str, base_revision: int | None) -> Outcome:
    """A section of the clerk's narrative: an item's summary (item:<agenda item id>), the
    summing up, dissent, pending items, follow-up, attachments, people (minutes/narrative.py).
    Empty text removes the section. With `base_revision` (the section's revision the writer
    started from, draft.json's section_revisions), a section someone else wrote meanwhile is
    refused with minutes.section_changed instead of overwritten."""
    if not narrative.is_valid_section(section):
        raise DomainError("minutes.bad_section", section=section[:40])
    if section.startswith(narrative.ITEM_PREFIX):
        item = db.session.get(AgendaItem, int(section[len(narrative.ITEM_PREFIX):]))
        if item is None or item.meeting_id != ctx.meeting.id:
            raise DomainError("agenda.not_found")
    text = text.strip("\n")
    current, revision = _last_writes(ctx.meeting.id).get(section, ("", 0))
    if current == text:
        raise DomainError("command.no_change")
    if base_revision is not None and base_revision != revision:
        raise DomainError("minutes.section_changed", revision=revision)
    return Outcome("minutes.written", {"section": section, "text": text},
                   {"section": section, "revision": ctx.event_seq})


# --------------------------------------------------------------------------- agreed items

def item_record(item: ActionItem) -> dict:
    """An agreed item as the log records it (and the minutes read it)."""
    return {"number": item.number, "what": item.what, "party": item.party,
            "person": item.person or "", "organisation": item.organisation or "",
            "due": item.due_on.isoformat() if item.due_on else None,
            "amount_fen": item.amount_fen, "funding_source": item.funding_source,
            "acceptance": item.acceptance or ""}


def _action_item(ctx: Context, item_id: int) -> ActionItem:
    item = db.session.get(ActionItem, item_id)
    if item is None or item.meeting_id != ctx.meeting.id:
        raise DomainError("action_item.not_found")
    return item


def _check_due(meeting, due: date | None) -> None:
    if due is not None:
        case_dates.check_due("due", due, meeting_day(meeting))


def _check_money(amount, funding_source) -> None:
    if funding_source is not None and amount is None:
        raise DomainError("action_item.source_without_amount")


@command("action_item.add", events=("action_item.added",), result=("action_item_id", "number"), roles=CHAIR, states=ANY_MEETING_STATUS, schema=_item_fields)
def add_action_item(ctx: Context, what: str, party: str, person, organisation, due: date | None,
                    amount, funding_source, acceptance) -> Outcome:
    _check_money(amount, funding_source)
    _check_due(ctx.meeting, due)
    count, highest = db.session.execute(db.select(db.func.count(ActionItem.id),
                                                  db.func.max(ActionItem.number))
                                        .filter_by(meeting_id=ctx.meeting.id)).one()
    if count >= MAX_ACTION_ITEMS:
        raise DomainError("action_item.too_many", max=MAX_ACTION_ITEMS)
    item = ActionItem(case_id=ctx.meeting.case_id, meeting_id=ctx.meeting.id,
                      number=(highest or 0) + 1, what=what.strip(), party=party,
                      person=person or "", organisation=organisation or "", due_on=due,
                      amount_fen=amount, funding_source=funding_source,
                      acceptance=(acceptance or "").strip(), status=ActionItemStatus.OPEN,
                      created_at=ctx.now, updated_at=ctx.now)
    db.session.add(item)
    db.session.flush()
    return Outcome("action_item.added", {"action_item_id": item.id, "item": item_record(item)},
                   {"action_item_id": item.id, "number": item.number})


@command("action_item.edit", events=("action_item.edited",), result=("action_item_id",), roles=CHAIR, states=ANY_MEETING_STATUS, schema={
    "id": Field("int", min=1),
    **{name: Field(f.kind, required=False, default=None, max_len=f.max_len, choices=f.choices)
       for name, f in _item_fields.items()},
    "clear": Field("str_list", required=False, default=None, max_len=len(_CLEARABLE), min_len=0,
                   choices=_CLEARABLE)})
def edit_action_item(ctx: Context, id: int, clear, **fields) -> Outcome:
    """Change an agreed item's fields; `clear` empties optional ones (e.g. ["due"])."""
    item = _action_item(ctx, id)
    _check_due(ctx.meeting, fields.get("due"))
    before = item_record(item)
    columns = {"what": "what", "party": "party", "person": "person",
               "organisation": "organisation", "due": "due_on", "amount": "amount_fen",
               "funding_source": "funding_source", "acceptance": "acceptance"}
    for name in clear or ():
        if fields.get(name) is not None:
            raise DomainError("action_item.clear_and_set", field=name)
        setattr(item, columns[name], "" if name in ("person", "organisation", "acceptance")
                else None)
    for name, value in fields.items():
        if value is not None:
            setattr(item, columns[name], value.strip() if isinstance(value, str) else value)
    _check_money(item.amount_fen, item.funding_source)
    after = item_record(item)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        raise DomainError("command.no_change")
    item.updated_at = ctx.now
    return Outcome("action_item.edited", {"action_item_id": item.id, "item": after,
                                          "changed": changed}, {"action_item_id": item.id})


@command("action_item.remove", events=("action_item.removed",), roles=CHAIR, states=ANY_MEETING_STATUS, schema={"id": Field("int", min=1)})
def remove_action_item(ctx: Context, id: int) -> Outcome:
    """Remove an agreed item that follow-up has not started on; the later ones move up so the
    minutes stay numbered 1, 2, 3… (the event says which were renumbered)."""
    item = _action_item(ctx, id)
    if item.status != ActionItemStatus.OPEN:
        raise DomainError("action_item.not_open", status=item.status)
    from ..models.case_record import ActionItemUpdate
    if db.session.execute(db.select(ActionItemUpdate.id).filter_by(action_item_id=item.id)
                          ).first():
        raise DomainError("action_item.has_updates")  # follow-up started: it is on record
    number, what = item.number, item.what
    db.session.delete(item)
    db.session.flush()
    renumbered = {}
    for later in db.session.execute(db.select(ActionItem).filter(
            ActionItem.meeting_id == ctx.meeting.id, ActionItem.number > number)
            .order_by(ActionItem.number)).scalars():
        later.number -= 1
        db.session.flush()  # one by one, ascending: the unique (meeting, number) holds
        renumbered[str(later.id)] = later.number
    return Outcome("action_item.removed", {"action_item_id": id, "number": number,
                                           "what": what, "renumbered": renumbered})


# --------------------------------------------------------------------------- versions

def _store(ctx: Context, number: int, note: str, changes: list, previous=None) -> Outcome:
    db.session.flush()
    draft = minutes_for(ctx.meeting, version=number)
    document = as_final(draft, number, clock.local(ctx.now.replace(microsecond=0)))
    if previous is not None:
        changes = section_changes(document_of(previous), document)
        if not changes:
            raise DomainError("minutes.no_change")
    version = MinutesVersion(
        meeting_id=ctx.meeting.id, number=number, status=MinutesStatus.FINAL,
        language=document.language,
        document=document.to_json(), content_hash=document.content_hash(),
        last_event_seq=document.header.last_event_seq, created_by=ctx.actor.label,
        created_by_name=ctx.actor_name(), created_at=ctx.now, change_note=note,
        changes=changes)
    db.session.add(version)
    db.session.flush()
    data = {"version": number, "version_id": version.id, "content_hash": version.content_hash,
            "last_event_seq": version.last_event_seq, "note": note, "changes": changes}
    return Outcome("minutes.finalised" if previous is None else "minutes.corrected", data,
                   {"version": number, "content_hash": version.content_hash})


@command("minutes.finalise", events=("minutes.finalised",), result=("version", "content_hash"), roles=MODERATOR, states=(MeetingStatus.ENDED,), reads_log=True, schema={
    "note": optional("str", max_len=500, default="")})
def finalise_minutes(ctx: Context, note: str) -> Outcome:
    """After the meeting: the minutes as the log stands become version 1 (final, hashed)."""
    if latest_version(ctx.meeting.id) is not None:
        raise DomainError("minutes.already_final")
    return _store(ctx, 1, note, [])


@command("minutes.correct", events=("minutes.corrected",), result=("version", "content_hash"), roles=MODERATOR, states=(MeetingStatus.ENDED,), reads_log=True, schema={
    "note": Field("text", max_len=2000)})
def correct_minutes(ctx: Context, note: str) -> Outcome:
    """A correction: the minutes as the log stands now become version n+1; version n stays
    as it was. `note` says what was corrected and why; the sections changed are recorded."""
    previous = latest_version(ctx.meeting.id)
    if previous is None:
        raise DomainError("minutes.not_final")
    return _store(ctx, previous.number + 1, note.strip(), [], previous)


# --------------------------------------------------------------------------- sign-off

def _signable(meeting_id: int, number: int | None) -> MinutesVersion:
    """The version a sign-off is for: the latest (the default), never a superseded one — a
    correction needs new signatures, and the old version keeps those it had."""
    latest = latest_version(meeting_id)
    if latest is None:
        raise DomainError("minutes.not_final")
    if number is None or number == latest.number:
        return latest
    if version_number(meeting_id, number) is None:
        raise DomainError("minutes.version_not_found")
    raise DomainError("minutes.version_superseded", version=number, latest=latest.number)


def _document(row: MinutesVersion) -> signing.Signable:
    return signing.Signable("version_id", row.id, "minutes", {"version": row.number})


@command("minutes.request_signatures", events=("minutes.signatures_requested",), result=("version", "asked"), roles=CHAIR, states=(MeetingStatus.ENDED,), schema={
    "version": Field("int", required=False, default=None, min=1),
    **signing.ASK_FIELDS})
def request_signatures(ctx: Context, version, participant_ids, parties) -> Outcome:
    """Send a final version to phones for signature: the participants named, those of the
    parties named, or (neither given) everyone present with a phone (actions/signing.py).
    Those asked before for this version are not asked again."""
    row = _signable(ctx.meeting.id, version)
    new = signing.ask(ctx, _document(row), participant_ids, parties)
    return Outcome("minutes.signatures_requested",
                   {"version": row.number, "participant_ids": new},
                   {"version": row.number, "asked": len(new)})


@command("minutes.sign_on_phone", events=("minutes.signed",), result=("version", "signoff_id"), roles=PHONE, states=(MeetingStatus.ENDED,), schema={
    "version": Field("int", min=1),
    **signing.ANSWER_FIELDS})
def sign_on_phone(ctx: Context, version: int, name: str, decision: str, note: str,
                  drawing) -> Outcome:
    """A participant the chair asked signs (签字确认) the version they read, on their own
    phone: the name they type, optionally a drawn signature; or refuses, saying why in
    `note`. Once per version: the decision is final (a correction asks again)."""
    row = _signable(ctx.meeting.id, version)
    signoff = signing.answer_on_phone(ctx, _document(row), name, decision, note, drawing)
    return Outcome("minutes.signed", _signed_data(row, signoff),
                   {"version": row.number, "signoff_id": signoff.id})


def _signed_data(row: MinutesVersion, signoff: DocumentSignoff) -> dict:
    return {"version": row.number, **signing.signed_data(signoff)}


@command("minutes.record_signoff", events=("minutes.signed",), result=("version", "signoff_id"), roles=CHAIR, states=(MeetingStatus.ENDED,), schema={
    "version": Field("int", required=False, default=None, min=1),
    "name": Field("str", max_len=100),
    "party": Field("str", choices=PARTIES),
    "decision": Field("str", choices=SIGNOFF_DECISIONS),
    "participant_id": Field("int", required=False, default=None, min=1),
    "note": optional("str", max_len=500, default="")})
def record_signoff(ctx: Context, version, name: str, party: str, decision: str, participant_id,
                   note: str) -> Outcome:
    """The chair records the sign-off of someone who has no phone in the meeting (signed on
    paper, or said so in the room): the documents mark it "recorded by the chair". Whoever
    has a phone in the meeting signs there; a sign-off made on a phone is never changed here.
    Recording the same name again changes the chair's own entry."""
    row = _signable(ctx.meeting.id, version)
    if participant_id is not None:
        person = db.session.get(Participant, participant_id)
        if person is None or person.meeting_id != ctx.meeting.id:
            raise DomainError("participant.not_found")
        if person.has_phone:
            raise DomainError("minutes.signs_on_phone", name=person.name)
    signoff = db.session.execute(db.select(DocumentSignoff).filter_by(
        version_id=row.id, name=name)).scalars().first()
    if signoff is not None and signoff.method == "phone":
        raise DomainError("minutes.signed_on_phone", name=name)
    if signoff is not None:
        if (signoff.decision, signoff.party, signoff.note, signoff.participant_id) == (
                decision, party, note, participant_id):
            raise DomainError("command.no_change")
        signoff.decision, signoff.party, signoff.note, signoff.at = decision, party, note, ctx.now
        signoff.participant_id = participant_id
        signoff.recorded_by = ctx.actor.label
    else:
        signoff = DocumentSignoff(version_id=row.id, participant_id=participant_id, name=name,
                                 party=party, decision=decision, note=note, at=ctx.now,
                                 recorded_by=ctx.actor.label, method="chair")
        db.session.add(signoff)
    db.session.flush()
    return Outcome("minutes.signed", _signed_data(row, signoff),
                   {"version": row.number, "signoff_id": signoff.id})
