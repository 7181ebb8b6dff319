"""Who is in the room: phones joining, the lobby, and the moderator's changes."""
import secrets

from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, case, func, insert, select

from .. import rosters
from ..errors import DomainError
from ..extensions import db
from ..models import Participant, RosterUnit
from ..domain.parties import PARTIES
from ..domain.statuses import IN_MEETING, NOT_ENDED, ParticipantStatus, ProxyStatus
from ..models.users import hash_token
from ..validation import Field, optional
from .core import CHAIR, VISITOR, Context, Outcome, command
from ..contract import Datum, event

_name = Field("str", max_len=60)
_party = Field("str", choices=PARTIES)
_unit = optional("str", max_len=40)
_id = Field("int", min=1)

_people = Participant.__table__
_JOIN_COLUMNS = ("meeting_id", "name", "party", "unit", "owner_key", "registered_owner",
                 "status", "has_phone", "token_hash", "joined_at", "admitted_at", "verified_by",
                 "verification_note", "device_hash", "joined_from")
# How many people joined from this browser, and from this address since a moment (one row).
_JOINED_FROM = select(
    func.coalesce(func.sum(case((_people.c.device_hash == bindparam("device"), 1), else_=0)), 0),
    func.coalesce(func.sum(case(((_people.c.joined_from == bindparam("address"))
                                 & (_people.c.joined_at > bindparam("since")), 1), else_=0)), 0),
).where(_people.c.meeting_id == bindparam("meeting_id"),
        (_people.c.device_hash == bindparam("device"))
        | (_people.c.joined_from == bindparam("address")))
# A phone's participant, inserted only while its browser and its address are within their
# limits (_within_join_limits's counts, as conditions): a room joining at once writes
# hundreds of these in a row, each one statement instead of a count and an insert.
_SAME_MEETING = _people.c.meeting_id == bindparam("meeting_id")
_INSERT_WITHIN_LIMITS = insert(_people).from_select(
    _JOIN_COLUMNS,
    select(*(bindparam(column, type_=_people.c[column].type) for column in _JOIN_COLUMNS))
    .where(select(func.count()).select_from(_people).where(
               _SAME_MEETING, _people.c.device_hash == bindparam("device_hash"))
           .scalar_subquery() < bindparam("device_limit"),
           select(func.count()).select_from(_people).where(
               _SAME_MEETING, _people.c.joined_from == bindparam("joined_from"),
               _people.c.joined_at > bindparam("since")).scalar_subquery()
           < bindparam("address_limit")),
).returning(_people.c.id)


def _join_window_start(ctx: Context):
    return ctx.now - timedelta(seconds=current_app.config["JOIN_ADDRESS_WINDOW_SECONDS"])


def _within_join_limits(ctx: Context, device: str | None, address: str | None) -> None:
    """One browser joins as a few people at most (a family sharing a phone), one address as a
    room's worth within a window (a room behind one NAT): a script making hundreds of people
    is refused, and what it made stays reviewable on the console."""
    if device is None and address is None:
        return
    config = current_app.config
    from_device, from_address = db.session.connection().execute(_JOINED_FROM, {
        "meeting_id": ctx.meeting.id, "device": device, "address": address,
        "since": _join_window_start(ctx)}).one()
    if device is not None and from_device >= config["JOIN_DEVICE_LIMIT"]:
        raise DomainError("participant.device_limit", max=config["JOIN_DEVICE_LIMIT"])
    if address is not None and from_address >= config["JOIN_ADDRESS_LIMIT"]:
        raise DomainError("participant.address_limit")


def clear_verification(person: Participant) -> None:
    person.verified_via = person.verified_at = None
    person.verified_by = person.verification_note = ""


def checkin_changed(ctx: Context) -> None:
    """The check-in figures of the meeting changed (someone verified, relabelled, left)."""
    from ..views.checkin import checkin_change
    ctx.changes.append(checkin_change(ctx.meeting))


def participant(ctx: Context, participant_id: int) -> Participant:
    person = db.session.get(Participant, participant_id)
    if person is None or person.meeting_id != ctx.meeting.id:
        raise DomainError("participant.not_found")
    return person


def resolve_unit(ctx: Context, party: str, unit: str | None
                 ) -> tuple[str | None, str | None, str | None]:
    """An owner names a unit: from the meeting's roster version when there is one, which also
    gives the owner key the counting rules need and the owner it registers (unit, owner key,
    registered owner); free text when there is no roster."""
    if party != "owner":
        return None, None, None
    version_id = rosters.meeting_version_id(ctx.meeting)
    if version_id is None:
        return unit, None, None
    if not unit:
        raise DomainError("participant.unit_required")
    row = db.session.execute(db.select(RosterUnit).filter_by(
        version_id=version_id, unit=unit)).scalar_one_or_none()
    if row is None:
        raise DomainError("participant.unit_not_in_roster", unit=unit)
    return row.unit, row.owner_key, row.owner_name



# --- events ------------------------------------------------------------------------------------
_person = {"participant_id": Datum("id"), "name": Datum("str")}
event("participant.joined", data={
    **_person, "party": Datum("str", choices=PARTIES), "unit": Datum("str", null=True),
    "status": Datum("str", choices=IN_MEETING),
    "via": Datum("str", optional=True, choices=("personal_link",))})
event("participant.added", data={**_person, "party": Datum("str", choices=PARTIES),
                                 "unit": Datum("str", null=True)})
event("participant.admitted", data=_person)
event("participant.rejected", data=_person)
event("participant.removed", data=_person)
event("participant.renamed", data={"participant_id": Datum("id"), "from": Datum("str"),
                                   "to": Datum("str")})
event("participant.party_changed", data={
    "participant_id": Datum("id"), "from": Datum("object", doc="party, unit"),
    "to": Datum("object", doc="party, unit")})


@command("participant.join", events=("participant.joined",), result=("participant_id", "status", "token"), roles=VISITOR, writes_last=True,
         schema={"name": _name, "party": _party, "unit": _unit,
                 # Filled by the server from the handshake (a hash of the browser's device
                 # cookie, the client address), never by the phone.
                 "device": optional("str", max_len=64), "address": optional("str", max_len=64)})
def join(ctx: Context, name: str, party: str, unit, device, address) -> Outcome:
    unit, owner_key, registered = resolve_unit(ctx, party, unit)
    token = secrets.token_urlsafe(24)
    status = (ParticipantStatus.ADMITTED if ctx.meeting.allow_direct_entry
              else ParticipantStatus.LOBBY)
    person = Participant(meeting_id=ctx.meeting.id, name=name, party=party, unit=unit,
                         owner_key=owner_key, registered_owner=registered, status=status,
                         has_phone=True, verified_by="", verification_note="",
                         device_hash=device, joined_from=address,
                         token_hash=hash_token(token), joined_at=ctx.now,
                         admitted_at=ctx.now if status == ParticipantStatus.ADMITTED else None)
    # One INSERT on the command's connection, not through the session's unit of work: a room
    # joining at once writes hundreds of these in a row (a third of a join's cost otherwise).
    # The object only carries the values to the view; nothing else in the command uses it.
    # Its last statement, after every other check: the command is `writes_last`.
    config = current_app.config
    person.id = db.session.connection().execute(_INSERT_WITHIN_LIMITS, {
        **{column: getattr(person, column) for column in _JOIN_COLUMNS},
        "since": _join_window_start(ctx), "device_limit": config["JOIN_DEVICE_LIMIT"],
        "address_limit": config["JOIN_ADDRESS_LIMIT"]}).scalar_one_or_none()
    if person.id is None:  # over a limit: which one, counted again under the meeting's lock
        _within_join_limits(ctx, device, address)
        raise DomainError("participant.address_limit")  # (the counts cannot have moved)
    ctx.changed(person)
    ctx.secret_result["token"] = token
    return Outcome("participant.joined",
                   {"participant_id": person.id, "name": name, "party": party, "unit": unit,
                    "status": status},
                   {"participant_id": person.id, "status": status})


@command("participant.add", events=("participant.added",), result=("participant_id",), roles=CHAIR, states=NOT_ENDED,
         schema={"name": _name, "party": _party, "unit": _unit})
def add(ctx: Context, name: str, party: str, unit) -> Outcome:
    """Someone without a phone (often an elderly resident), added by name."""
    unit, owner_key, registered = resolve_unit(ctx, party, unit)
    person = Participant(meeting_id=ctx.meeting.id, name=name, party=party, unit=unit,
                         owner_key=owner_key, registered_owner=registered,
                         status=ParticipantStatus.ADMITTED, has_phone=False,
                         joined_at=ctx.now, admitted_at=ctx.now)
    db.session.add(person)
    ctx.changed(person)
    return Outcome("participant.added", {"participant_id": person.id, "name": name,
                                         "party": party, "unit": unit},
                   {"participant_id": person.id})


def _set_status(ctx: Context, participant_id: int, allowed_from: tuple, status: str,
                event_type: str) -> Outcome:
    person = participant(ctx, participant_id)
    if person.status not in allowed_from:
        raise DomainError("participant.wrong_status", status=person.status)
    person.status = status
    if status == ParticipantStatus.ADMITTED:
        person.admitted_at = ctx.now
    ctx.changed(person)
    if person.verified_via is not None or _holds_proxies(person):
        checkin_changed(ctx)  # a verified owner (or a proxy holder) came or went
    return Outcome(event_type, {"participant_id": person.id, "name": person.name})


def _holds_proxies(person: Participant) -> bool:
    from ..models import Proxy
    return db.session.execute(db.select(Proxy.id).filter_by(
        participant_id=person.id, status=ProxyStatus.ACTIVE).limit(1)).first() is not None


@command("participant.admit", events=("participant.admitted",), roles=CHAIR, schema={"id": _id})
def admit(ctx: Context, id: int) -> Outcome:
    return _set_status(ctx, id, (ParticipantStatus.LOBBY, ParticipantStatus.REJECTED),
                       ParticipantStatus.ADMITTED, "participant.admitted")


@command("participant.reject", events=("participant.rejected",), roles=CHAIR, schema={"id": _id})
def reject(ctx: Context, id: int) -> Outcome:
    return _set_status(ctx, id, (ParticipantStatus.LOBBY,), ParticipantStatus.REJECTED,
                       "participant.rejected")


@command("participant.remove", events=("participant.removed",), roles=CHAIR, states=NOT_ENDED, schema={"id": _id})
def remove(ctx: Context, id: int) -> Outcome:
    return _set_status(ctx, id, IN_MEETING, ParticipantStatus.REMOVED, "participant.removed")


@command("participant.rename", events=("participant.renamed",), roles=CHAIR, states=NOT_ENDED,
         schema={"id": _id, "name": _name})
def rename(ctx: Context, id: int, name: str) -> Outcome:
    person = participant(ctx, id)
    if person.name == name:
        raise DomainError("command.no_change")
    old_name, person.name = person.name, name
    ctx.changed(person)
    return Outcome("participant.renamed", {"participant_id": id, "from": old_name, "to": name})


@command("participant.set_party", events=("participant.party_changed",), roles=CHAIR, states=NOT_ENDED,
         schema={"id": _id, "party": _party, "unit": _unit})
def set_party(ctx: Context, id: int, party: str, unit) -> Outcome:
    person = participant(ctx, id)
    unit, owner_key, registered = resolve_unit(ctx, party, unit)
    if (person.party, person.unit) == (party, unit):
        raise DomainError("command.no_change")
    old = {"party": person.party, "unit": person.unit}
    person.party, person.unit, person.owner_key = party, unit, owner_key
    person.registered_owner = registered
    if person.verified_via is not None:  # a verification was of the unit claimed before
        clear_verification(person)
        checkin_changed(ctx)
    ctx.changed(person)
    return Outcome("participant.party_changed",
                   {"participant_id": id, "from": old, "to": {"party": party, "unit": unit}})
