"""The check-in desk (签到台): staff verify that who claimed a unit is its owner.

Anyone who holds the join code can claim a unit from their phone. An owners' decision counts
only verified owners (facilitator/actions/votes.py, ``verified_only``), as a real owners'
meeting checks each owner's property certificate or ID at the sign-in desk. The desk sees
every claim with the owner the roster registers for that unit beside the name typed, and:

* verifies it (the document seen goes in the note);
* relabels it: a family member or tenant is not the owner, and attends as an observer or for
  another party;
* rejects it: the person is not admitted;
* revokes a verification made by mistake;
* checks in an owner who came without a phone (found in the roster by unit or name).

Every step is an event (who verified whom, when, how), and the minutes' sign-in sheet lists
them. Owners who open their personal invitation link are verified by that link
(facilitator/actions/participants.py); a proxy recorded by staff counts as verified for the
owner it represents.
"""
from __future__ import annotations

from ..errors import DomainError
from ..extensions import db
from ..models import Participant, RosterUnit
from ..domain.parties import PARTIES
from ..domain.statuses import IN_MEETING, ParticipantStatus
from ..validation import Field, optional
from .. import rosters
from .core import CHAIR, Context, Outcome, command
from .participants import checkin_changed, clear_verification, participant
from ..contract import Datum, event

_id = Field("int", min=1)
_note = optional("str", max_len=200, default="")
_reason = Field("str", max_len=200)
OTHER_PARTIES = tuple(p for p in PARTIES if p != "owner")


def _record(person: Participant) -> dict:
    return {"participant_id": person.id, "name": person.name, "unit": person.unit,
            "owner_key": person.owner_key, "registered_owner": person.registered_owner}


def _verified(ctx: Context, person: Participant, via: str, note: str) -> None:
    person.verified_via = via
    person.verified_at = ctx.now
    person.verified_by = ctx.actor_name() if via == "desk" else ""
    person.verification_note = note
    if person.status == ParticipantStatus.LOBBY:
        person.status = ParticipantStatus.ADMITTED
        person.admitted_at = ctx.now



# --- events ------------------------------------------------------------------------------------
_claim = {"participant_id": Datum("id"), "name": Datum("str"), "unit": Datum("str", null=True),
          "owner_key": Datum("str", null=True), "registered_owner": Datum("str", null=True)}
_VIA = ("desk", "personal_link", "proxy")
event("checkin.verified", data={**_claim, "via": Datum("str", choices=_VIA),
                                "by": Datum("str"), "note": Datum("str")})
event("checkin.owner_added", data={**_claim, "via": Datum("str", choices=_VIA),
                                   "by": Datum("str"), "note": Datum("str")})
event("checkin.relabelled", data={
    "participant_id": Datum("id"), "name": Datum("str"),
    "from": Datum("object", doc="party, unit"), "to": Datum("object", doc="party"),
    "note": Datum("str"), "by": Datum("str")})
event("checkin.rejected", data={**_claim, "reason": Datum("str"), "by": Datum("str")})
event("checkin.revoked", data={**_claim, "was": Datum("str"), "reason": Datum("str"),
                               "by": Datum("str")})


@command("checkin.verify", events=("checkin.verified",), roles=CHAIR, schema={"id": _id, "note": _note})
def verify(ctx: Context, id: int, note: str) -> Outcome:
    """The desk saw the certificate or ID: the person is the owner of the unit claimed (and is
    admitted, if still in the lobby)."""
    person = participant(ctx, id)
    if person.status not in IN_MEETING:
        raise DomainError("participant.wrong_status", status=person.status)
    if not person.owner_key:
        raise DomainError("checkin.not_an_owner")
    if person.verified_via is not None:
        raise DomainError("checkin.already_verified")
    _verified(ctx, person, "desk", note)
    ctx.changed(person)
    checkin_changed(ctx)
    return Outcome("checkin.verified", {**_record(person), "via": "desk",
                                        "by": person.verified_by, "note": note})


@command("checkin.relabel", events=("checkin.relabelled",), roles=CHAIR, schema={
    "id": _id, "party": Field("str", choices=OTHER_PARTIES), "note": _note})
def relabel(ctx: Context, id: int, party: str, note: str) -> Outcome:
    """Not the owner (a family member, a tenant): attends for another party, without a unit."""
    person = participant(ctx, id)
    if person.status not in IN_MEETING:
        raise DomainError("participant.wrong_status", status=person.status)
    before = {"party": person.party, "unit": person.unit}
    was_verified = person.verified_via is not None
    person.party, person.unit, person.owner_key, person.registered_owner = party, None, None, None
    clear_verification(person)
    ctx.changed(person)
    if was_verified:
        checkin_changed(ctx)
    return Outcome("checkin.relabelled", {"participant_id": person.id, "name": person.name,
                                          "from": before, "to": {"party": party},
                                          "note": note, "by": ctx.actor_name()})


@command("checkin.reject", events=("checkin.rejected",), roles=CHAIR, schema={"id": _id, "reason": _reason})
def reject(ctx: Context, id: int, reason: str) -> Outcome:
    """The claim is false and the person is not admitted."""
    person = participant(ctx, id)
    if person.status not in IN_MEETING:
        raise DomainError("participant.wrong_status", status=person.status)
    was_verified = person.verified_via is not None
    record = _record(person)
    person.status = ParticipantStatus.REJECTED
    clear_verification(person)
    ctx.changed(person)
    if was_verified:
        checkin_changed(ctx)
    return Outcome("checkin.rejected", {**record, "reason": reason, "by": ctx.actor_name()})


@command("checkin.revoke", events=("checkin.revoked",), roles=CHAIR, schema={"id": _id, "reason": _reason})
def revoke(ctx: Context, id: int, reason: str) -> Outcome:
    """Undo a verification made by mistake; the person stays, unverified. A ballot already
    cast stays too: the minutes say how its voter was verified when it was cast."""
    person = participant(ctx, id)
    if person.verified_via is None:
        raise DomainError("checkin.not_verified")
    record = {**_record(person), "was": person.verified_via}
    clear_verification(person)
    ctx.changed(person)
    checkin_changed(ctx)
    return Outcome("checkin.revoked", {**record, "reason": reason, "by": ctx.actor_name()})


@command("checkin.add_owner", events=("checkin.owner_added",), result=("participant_id",), roles=CHAIR, schema={
    "unit": Field("str", max_len=40), "name": optional("str", max_len=60), "note": _note})
def add_owner(ctx: Context, unit: str, name, note: str) -> Outcome:
    """An owner who came without a phone, checked at the desk: found in the roster by unit,
    admitted and verified at once (the name defaults to the roster's)."""
    version_id = rosters.meeting_version_id(ctx.meeting)
    row = db.session.execute(db.select(RosterUnit).filter_by(
        version_id=version_id, unit=unit)).scalar_one_or_none() if version_id else None
    if row is None:
        raise DomainError("participant.unit_not_in_roster", unit=unit)
    person = Participant(meeting_id=ctx.meeting.id, name=(name or row.owner_name)[:60],
                         party="owner", unit=row.unit, owner_key=row.owner_key,
                         registered_owner=row.owner_name, status=ParticipantStatus.ADMITTED,
                         has_phone=False, joined_at=ctx.now, admitted_at=ctx.now)
    _verified(ctx, person, "desk", note)
    db.session.add(person)
    ctx.changed(person)
    checkin_changed(ctx)
    return Outcome("checkin.owner_added", {**_record(person), "via": "desk",
                                           "by": person.verified_by, "note": note},
                   {"participant_id": person.id})
