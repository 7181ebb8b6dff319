"""Personal invitations (个人邀请函): one per owner of the meeting's roster, printed and
delivered door to door. Opening its link (the QR code) or typing its personal code on the
join page joins the meeting as that owner, already verified: no check-in desk needed.

Secrets: the link token (128 bits) and the personal code (10 digits) are derived from the
app's SECRET_KEY, the meeting, the owner key and the invitation's generation, with HMAC; they
are not stored, only their SHA-256 hashes (to find the invitation they open). So the sheets
can be printed again at any time, and anyone with the database alone learns nothing usable.
Reissuing an owner's invitation bumps its generation: the old link and code stop working, and
a phone that joined with the old one is removed from the meeting (it may have been lost).
Changing SECRET_KEY invalidates every invitation (reissue them).

The personal code is short, so it is spent once used and guessing it is limited like the
meeting's join code (facilitator/joining.py); the link token cannot be guessed and is not
limited.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app

from .. import rosters
from ..domain.owner_sheets import PERSONAL_CODE_DIGITS
from ..domain.statuses import (ANY_MEETING_STATUS, IN_MEETING, MeetingStatus,
                               ParticipantStatus, VoteStatus)
from ..errors import DomainError
from ..extensions import db
from ..models import Invitation, Participant, RosterUnit, Vote
from ..models.users import hash_token
from ..validation import Field, is_token
from .core import CHAIR, VISITOR, Context, Outcome, command
from .participants import checkin_changed
from ..contract import Datum, event



def _key() -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"facilitator invitations",
                    hashlib.sha256).digest()


def _mac(kind: str, meeting_id: int, owner_key: str, generation: int) -> bytes:
    message = f"{kind}\x00{meeting_id}\x00{owner_key}\x00{generation}".encode()
    return hmac.new(_key(), message, hashlib.sha256).digest()


def link_token(invitation: Invitation) -> str:
    """The token of the personal link: 128 bits, URL-safe (22 characters)."""
    mac = _mac("link", invitation.meeting_id, invitation.owner_key, invitation.generation)
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


def personal_code(invitation: Invitation) -> str:
    """The personal code: ten digits, the first not 0."""
    mac = _mac("code", invitation.meeting_id, invitation.owner_key, invitation.generation)
    low = 10 ** (PERSONAL_CODE_DIGITS - 1)
    return str(low + int.from_bytes(mac[:8], "big") % (9 * low))


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _set_secrets(invitations: list[Invitation]) -> None:
    """Hash the invitations' secrets. A personal code that another invitation already has (a
    coincidence of about one in a million per pair) moves its invitation to its next
    generation until every code is unique."""
    pending = list(invitations)
    taken: set[str] = set()
    while pending:
        hashes = {id(inv): secret_hash(personal_code(inv)) for inv in pending}
        others = {inv.id for inv in pending if inv.id is not None}
        in_use = set()
        values = list(hashes.values())
        for start in range(0, len(values), 500):
            in_use |= set(db.session.execute(db.select(Invitation.code_hash).where(
                Invitation.code_hash.in_(values[start:start + 500]),
                Invitation.id.not_in(others) if others else db.true())).scalars())
        retry = []
        for invitation in pending:
            code_hash = hashes[id(invitation)]
            if code_hash in in_use or code_hash in taken:
                invitation.generation += 1
                retry.append(invitation)
                continue
            taken.add(code_hash)
            invitation.code_hash = code_hash
            invitation.token_hash = secret_hash(link_token(invitation))
        pending = retry


def invitation_for_token(token) -> Invitation | None:
    if not is_token(token, 10, 64):
        return None
    return db.session.execute(db.select(Invitation).filter_by(
        token_hash=secret_hash(token))).scalar_one_or_none()


def invitation_for_code(code: str) -> Invitation | None:
    return db.session.execute(db.select(Invitation).filter_by(
        code_hash=secret_hash(code))).scalar_one_or_none()


def owners_of(version_id: int | None) -> dict[str, list[RosterUnit]]:
    """Owner key → their units in a roster version, in roster order."""
    owners: dict[str, list[RosterUnit]] = {}
    for row in rosters.units_of(version_id):
        owners.setdefault(row.owner_key, []).append(row)
    return owners


# --------------------------------------------------------------------------- commands


# --- events ------------------------------------------------------------------------------------
event("invitations.issued", data={"count": Datum("int"), "total": Datum("int"),
                                  "by": Datum("str")})
event("invitation.reissued", data={
    "owner_key": Datum("str"), "generation": Datum("int"),
    "removed_participant_id": Datum("id", null=True), "by": Datum("str")})
event("participant.rejoined", data={"participant_id": Datum("id"),
                                    "via": Datum("str", choices=("personal_link",))},
      doc="a personal link opened again, on another phone")


def still_inviting(meeting) -> bool:
    """Invitations are issued before and during the meeting, and after it while one of its
    votes continues as a written ballot (the link is then the owner's ballot)."""
    return meeting.status != MeetingStatus.ENDED or db.session.execute(db.select(Vote.id).where(
        Vote.meeting_id == meeting.id, Vote.status == VoteStatus.OPEN,
        Vote.written_since.is_not(None))).first() is not None


def _still_inviting(ctx: Context) -> None:
    if not still_inviting(ctx.meeting):
        raise DomainError("meeting.is_ended")


@command("invitations.issue", events=("invitations.issued",), result=("issued",), roles=CHAIR, states=ANY_MEETING_STATUS, schema={})
def issue(ctx: Context) -> Outcome:
    """An invitation for every owner of the meeting's roster who has none yet."""
    _still_inviting(ctx)
    version_id = rosters.meeting_version_id(ctx.meeting)
    if version_id is None:
        raise DomainError("invitation.roster_required")
    have = set(db.session.execute(db.select(Invitation.owner_key).filter_by(
        meeting_id=ctx.meeting.id)).scalars())
    new = [key for key in owners_of(version_id) if key not in have]
    if not new:
        raise DomainError("invitation.all_issued")
    by = ctx.actor_name()
    invitations = [Invitation(meeting_id=ctx.meeting.id, owner_key=owner_key, generation=1,
                              issued_at=ctx.now, issued_by=by) for owner_key in new]
    _set_secrets(invitations)
    db.session.add_all(invitations)
    return Outcome("invitations.issued", {"count": len(new), "total": len(have) + len(new),
                                          "by": by}, {"issued": len(new)})


@command("invitation.reissue", events=("invitation.reissued",), roles=CHAIR, states=ANY_MEETING_STATUS, schema={
    "owner_key": Field("str", max_len=40)})
def reissue(ctx: Context, owner_key: str) -> Outcome:
    """A new link and code for one owner (a lost sheet or phone): the old ones stop working,
    and a phone that joined with them leaves the meeting."""
    _still_inviting(ctx)
    invitation = db.session.execute(db.select(Invitation).filter_by(
        meeting_id=ctx.meeting.id, owner_key=owner_key)).scalar_one_or_none()
    if invitation is None:
        raise DomainError("invitation.not_found")
    invitation.generation += 1
    _set_secrets([invitation])
    invitation.code_used_at = None
    invitation.issued_at = ctx.now
    invitation.issued_by = ctx.actor_name()
    removed = None
    person = db.session.get(Participant, invitation.participant_id) \
        if invitation.participant_id else None
    if person is not None and person.status in IN_MEETING:
        person.status = ParticipantStatus.REMOVED
        removed = person.id
        ctx.changed(person)
        checkin_changed(ctx)
    invitation.participant_id = None
    return Outcome("invitation.reissued", {"owner_key": owner_key,
                                           "generation": invitation.generation,
                                           "removed_participant_id": removed,
                                           "by": invitation.issued_by})


@command("participant.join_invited", events=("participant.joined", "participant.rejoined"), result=("participant_id", "status", "token"), roles=VISITOR, schema={"invitation_id": Field("int", min=1)})
def join_invited(ctx: Context, invitation_id: int) -> Outcome:
    """An owner opens their personal link: joins admitted and verified ("personal_link"). The
    link opened again (on another phone) is the same person, with a new phone token."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.meeting_id != ctx.meeting.id:
        raise DomainError("invitation.invalid")
    units = owners_of(rosters.meeting_version_id(ctx.meeting)).get(invitation.owner_key)
    if not units:
        raise DomainError("invitation.not_in_roster")
    token = secrets.token_urlsafe(24)
    ctx.secret_result["token"] = token
    person = db.session.get(Participant, invitation.participant_id) \
        if invitation.participant_id else None
    if person is not None and person.status in IN_MEETING:
        person.token_hash = hash_token(token)
        return Outcome("participant.rejoined", {"participant_id": person.id,
                                                "via": "personal_link"},
                       {"participant_id": person.id, "status": person.status})
    first = units[0]
    person = Participant(meeting_id=ctx.meeting.id, name=first.owner_name[:60], party="owner",
                         unit=first.unit, owner_key=invitation.owner_key,
                         registered_owner=first.owner_name, status=ParticipantStatus.ADMITTED,
                         has_phone=True,
                         token_hash=hash_token(token), joined_at=ctx.now, admitted_at=ctx.now,
                         verified_via="personal_link", verified_at=ctx.now, verified_by="",
                         verification_note="")
    db.session.add(person)
    db.session.flush()
    invitation.participant_id = person.id
    ctx.changed(person)
    checkin_changed(ctx)
    return Outcome("participant.joined",
                   {"participant_id": person.id, "name": person.name, "party": "owner",
                    "unit": person.unit, "status": ParticipantStatus.ADMITTED,
                    "via": "personal_link"},
                   {"participant_id": person.id, "status": ParticipantStatus.ADMITTED})
