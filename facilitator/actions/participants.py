"""Who is in the room: phones joining, the lobby, and the moderator's changes."""
import secrets

from sqlalchemy import insert

from .. import rosters
from ..errors import DomainError
from ..extensions import db
from ..models import Participant, RosterUnit
from ..models.meetings import PARTIES
from ..models.users import hash_token
from ..validation import Field, optional
from .core import CHAIR, VISITOR, Context, Outcome, command

_name = Field("str", max_len=60)
_party = Field("str", choices=PARTIES)
_unit = optional("str", max_len=40)
_id = Field("int", min=1)

_people = Participant.__table__
_JOIN_COLUMNS = ("meeting_id", "name", "party", "unit", "owner_key", "status", "has_phone",
                 "token_hash", "joined_at", "admitted_at")
_INSERT_PARTICIPANT = insert(_people).returning(_people.c.id)


def _participant(ctx: Context, participant_id: int) -> Participant:
    person = db.session.get(Participant, participant_id)
    if person is None or person.meeting_id != ctx.meeting.id:
        raise DomainError("participant.not_found")
    return person


def _resolve_unit(ctx: Context, party: str, unit: str | None) -> tuple[str | None, str | None]:
    """An owner names a unit: from the meeting's roster version when there is one (which also
    gives the owner key the counting rules need); free text when there is no roster."""
    if party != "owner":
        return None, None
    version_id = rosters.meeting_version_id(ctx.meeting)
    if version_id is None:
        return unit, None
    if not unit:
        raise DomainError("participant.unit_required")
    row = db.session.execute(db.select(RosterUnit).filter_by(
        version_id=version_id, unit=unit)).scalar_one_or_none()
    if row is None:
        raise DomainError("participant.unit_not_in_roster", unit=unit)
    return row.unit, row.owner_key


@command("participant.join", roles=VISITOR,
         schema={"name": _name, "party": _party, "unit": _unit})
def join(ctx: Context, name: str, party: str, unit) -> Outcome:
    unit, owner_key = _resolve_unit(ctx, party, unit)
    token = secrets.token_urlsafe(24)
    status = "admitted" if ctx.meeting.allow_direct_entry else "lobby"
    person = Participant(meeting_id=ctx.meeting.id, name=name, party=party, unit=unit,
                         owner_key=owner_key, status=status, has_phone=True,
                         token_hash=hash_token(token), joined_at=ctx.now,
                         admitted_at=ctx.now if status == "admitted" else None)
    # One INSERT on the command's connection, not through the session's unit of work: a room
    # joining at once writes hundreds of these in a row (a third of a join's cost otherwise).
    # The object only carries the values to the view; nothing else in the command uses it.
    person.id = db.session.connection().execute(_INSERT_PARTICIPANT, {
        column: getattr(person, column) for column in _JOIN_COLUMNS}).scalar_one()
    ctx.changed(person)
    ctx.secret_result["token"] = token
    return Outcome("participant.joined",
                   {"participant_id": person.id, "name": name, "party": party, "unit": unit,
                    "status": status},
                   {"participant_id": person.id, "status": status})


@command("participant.add", roles=CHAIR, states=("scheduled", "live"),
         schema={"name": _name, "party": _party, "unit": _unit})
def add(ctx: Context, name: str, party: str, unit) -> Outcome:
    """Someone without a phone (often an elderly resident), added by name."""
    unit, owner_key = _resolve_unit(ctx, party, unit)
    person = Participant(meeting_id=ctx.meeting.id, name=name, party=party, unit=unit,
                         owner_key=owner_key, status="admitted", has_phone=False,
                         joined_at=ctx.now, admitted_at=ctx.now)
    db.session.add(person)
    ctx.changed(person)
    return Outcome("participant.added", {"participant_id": person.id, "name": name,
                                         "party": party, "unit": unit},
                   {"participant_id": person.id})


def _set_status(ctx: Context, participant_id: int, allowed_from: tuple, status: str,
                event_type: str) -> Outcome:
    person = _participant(ctx, participant_id)
    if person.status not in allowed_from:
        raise DomainError("participant.wrong_status", status=person.status)
    person.status = status
    if status == "admitted":
        person.admitted_at = ctx.now
    ctx.changed(person)
    return Outcome(event_type, {"participant_id": person.id, "name": person.name})


@command("participant.admit", roles=CHAIR, schema={"id": _id})
def admit(ctx: Context, id: int) -> Outcome:
    return _set_status(ctx, id, ("lobby", "rejected"), "admitted", "participant.admitted")


@command("participant.reject", roles=CHAIR, schema={"id": _id})
def reject(ctx: Context, id: int) -> Outcome:
    return _set_status(ctx, id, ("lobby",), "rejected", "participant.rejected")


@command("participant.remove", roles=CHAIR, states=("scheduled", "live"), schema={"id": _id})
def remove(ctx: Context, id: int) -> Outcome:
    return _set_status(ctx, id, ("lobby", "admitted"), "removed", "participant.removed")


@command("participant.rename", roles=CHAIR, states=("scheduled", "live"),
         schema={"id": _id, "name": _name})
def rename(ctx: Context, id: int, name: str) -> Outcome:
    person = _participant(ctx, id)
    if person.name == name:
        raise DomainError("command.no_change")
    old_name, person.name = person.name, name
    ctx.changed(person)
    return Outcome("participant.renamed", {"participant_id": id, "from": old_name, "to": name})


@command("participant.set_party", roles=CHAIR, states=("scheduled", "live"),
         schema={"id": _id, "party": _party, "unit": _unit})
def set_party(ctx: Context, id: int, party: str, unit) -> Outcome:
    person = _participant(ctx, id)
    unit, owner_key = _resolve_unit(ctx, party, unit)
    if (person.party, person.unit) == (party, unit):
        raise DomainError("command.no_change")
    old = {"party": person.party, "unit": person.unit}
    person.party, person.unit, person.owner_key = party, unit, owner_key
    ctx.changed(person)
    return Outcome("participant.party_changed",
                   {"participant_id": id, "from": old, "to": {"party": party, "unit": unit}})
