"""A written ballot (书面征求意见): an owners' decision that continues after the meeting.

Most owners do not come to the meeting. When its ballots fall short of the participation
gate, the chair continues the same vote until a deadline days or weeks away
(`vote.continue_written`): the ballots cast in the meeting stay, and owners who have not
voted vote by their personal invitation's link (`ballot.cast_by_link`, which gives them a
receipt code) or on paper, entered by staff (`ballot.record` with the owner's key). The
question, the options and the plans' revisions were frozen when the vote opened. The chair
may move the deadline later with a recorded reason (`vote.extend`), not earlier, and may not
close the vote before it: the app closes it at the deadline (live/deadlines.py reads the
deadlines from the database, so a restart does not lose one). Cancelling stays possible.

A receipt code (80 random bits, kept only as a hash) lets whoever holds it check on a public
page that the ballot was counted, and in a named vote what was recorded; it names no owner.
The public progress page is reached by a link that carries a key derived from the app's
secret and the vote (`progress_key`), so a vote's numbers are not open to anyone who counts
ids.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app

from .. import clock, rosters
from ..contract import Datum, event
from ..domain.owner_sheets import building_of, unit_sort_key
from ..domain.statuses import LIVE_OR_ENDED, VoteStatus
from ..errors import DomainError
from ..extensions import db
from ..models import BallotReceipt, Vote, VoteParticipation
from ..validation import Field
from . import counting
from .core import CHAIR, OWNER_LINK, Context, Outcome, command
from .votes import _ballot_vote, _open_for_ballots, _owner_weight, _store_ballot, _vote

# How far ahead a written ballot's deadline may be set: at least an hour (the owners must
# be able to vote), at most 90 days from when the ballot continued.
EARLIEST = timedelta(hours=1)
LONGEST = timedelta(days=90)
RECEIPT_BYTES = 10  # 80 bits: not guessable, short enough to copy from a phone's screen

_id = Field("int", min=1)

event("vote.continued_written", data={"vote_id": Datum("id"), "deadline_ms": Datum("int")})
event("vote.extended", data={"vote_id": Datum("id"), "from_ms": Datum("int"),
                             "to_ms": Datum("int"), "reason": Datum("str")})


def _local(moment) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M")


def _deadline(ctx: Context, typed, *, after, latest) -> object:
    """A deadline as typed (the app's zone unless it names its own) → naive UTC, refused
    outside (after, latest]."""
    until = clock.to_utc(typed)
    if until <= after or until > latest:
        raise DomainError("written.deadline_range", earliest=_local(after),
                          latest=_local(latest))
    return until


@command("vote.continue_written", events=("vote.continued_written",), roles=CHAIR,
         states=LIVE_OR_ENDED, schema={"id": _id, "deadline": Field("datetime")})
def continue_written(ctx: Context, id: int, deadline) -> Outcome:
    """The owners' decision continues as a written ballot until `deadline`."""
    vote = _vote(ctx, id)
    if vote.kind != "owners_decision":
        raise DomainError("written.owners_decision_only")
    if vote.status != VoteStatus.OPEN:
        raise DomainError("vote.not_open")
    if vote.channel != "meeting" or vote.entered_totals is not None:
        raise DomainError("written.held_elsewhere")
    if vote.eligibility != "scope_owners":
        raise DomainError("written.scope_owners_only")
    if vote.written_since is not None:
        raise DomainError("written.already")
    vote.deadline_at = _deadline(ctx, deadline, after=ctx.now + EARLIEST,
                                 latest=ctx.now + LONGEST)
    vote.written_since = ctx.now
    ctx.changed(vote)
    return Outcome("vote.continued_written", {"vote_id": vote.id,
                                              "deadline_ms": clock.to_epoch_ms(vote.deadline_at)})


@command("vote.extend", events=("vote.extended",), roles=CHAIR, states=LIVE_OR_ENDED,
         schema={"id": _id, "deadline": Field("datetime"), "reason": Field("str", max_len=500)})
def extend(ctx: Context, id: int, deadline, reason: str) -> Outcome:
    """A written ballot's deadline moves later, for a reason that the record keeps."""
    vote = _vote(ctx, id)
    if vote.written_since is None:
        raise DomainError("written.not_written")
    if vote.status != VoteStatus.OPEN or ctx.now >= vote.deadline_at:
        raise DomainError("vote.closed" if vote.status != VoteStatus.CANCELLED else "vote.not_open")
    before = vote.deadline_at
    vote.deadline_at = _deadline(ctx, deadline, after=before,
                                 latest=vote.written_since + LONGEST)
    ctx.changed(vote)
    return Outcome("vote.extended", {"vote_id": vote.id, "from_ms": clock.to_epoch_ms(before),
                                     "to_ms": clock.to_epoch_ms(vote.deadline_at),
                                     "reason": reason})


@command("ballot.cast_by_link", events=("ballot.cast",), result=("vote_id", "changed", "receipt"),
         roles=OWNER_LINK, states=LIVE_OR_ENDED,
         schema={"vote_id": _id, "choices": Field("str_list", max_len=26)})
def cast_by_link(ctx: Context, vote_id: int, choices: list) -> Outcome:
    """An owner votes in a written ballot by their personal link (the actor carries the
    invitation's owner key): verified, as the link is theirs alone."""
    vote = _ballot_vote(ctx, vote_id)
    _open_for_ballots(ctx, vote)
    if vote.written_since is None:
        raise DomainError("written.not_written")
    owner_key = ctx.actor.owner_key
    refusal = counting.may_vote(vote, party="owner", participant_id=None, owner_key=owner_key,
                                via_proxy=False, verified=True)
    if refusal:
        raise DomainError(refusal)
    area = _owner_weight(vote.roster_version_id, owner_key)
    picked = counting.check_choices(vote, choices)
    outcome = _store_ballot(ctx, vote, owner_key, area, picked, "link", None, "personal_link")
    ctx.secret_result["receipt"] = _issue_receipt(ctx, vote.id, owner_key)
    return outcome


# --------------------------------------------------------------------------- receipts

def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def format_receipt(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_receipt(text) -> str | None:
    """What someone typed → a receipt code, or None: 16 letters and digits of base32, with
    any dashes, spaces and case."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    code = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(code) != 16 or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for ch in code):
        return None
    return code


def _issue_receipt(ctx: Context, vote_id: int, voter_key: str) -> str:
    db.session.execute(db.update(BallotReceipt).where(
        BallotReceipt.vote_id == vote_id, BallotReceipt.voter_key == voter_key,
        BallotReceipt.replaced_at.is_(None)).values(replaced_at=ctx.now))
    code = base64.b32encode(secrets.token_bytes(RECEIPT_BYTES)).decode()
    db.session.add(BallotReceipt(vote_id=vote_id, code_hash=_code_hash(code),
                                 voter_key=voter_key, at=ctx.now))
    return format_receipt(code)


def check_receipt(text) -> dict | None:
    """What the public check page says about a receipt code: the vote, when the ballot was
    received, whether it counts (or was replaced by a later ballot of the same owner, or the
    vote was cancelled), and in a named vote the choices recorded. None: no such receipt."""
    code = normalise_receipt(text)
    if code is None:
        return None
    receipt = db.session.execute(db.select(BallotReceipt).filter_by(
        code_hash=_code_hash(code))).scalar_one_or_none()
    if receipt is None:
        return None
    vote = db.session.get(Vote, receipt.vote_id)
    counted = db.session.execute(db.select(VoteParticipation.id).filter_by(
        vote_id=vote.id, voter_key=receipt.voter_key)).first() is not None
    if vote.status == VoteStatus.CANCELLED:
        state = "cancelled"
    elif receipt.replaced_at is not None:
        state = "replaced"
    elif not counted:
        state = "missing"
    else:
        state = "counted" if vote.status == VoteStatus.CLOSED else "recorded"
    choices = None
    if not vote.secret and state in ("counted", "recorded"):
        from ..models import Ballot
        choices = db.session.execute(db.select(Ballot.choices).filter_by(
            vote_id=vote.id, voter_key=receipt.voter_key)).scalar()
    return {"vote": vote, "state": state, "at": receipt.at, "replaced_at": receipt.replaced_at,
            "choices": choices}


# --------------------------------------------------------------------------- progress

def progress_key(vote: Vote) -> str:
    """The key in the public progress page's link: 128 bits derived from SECRET_KEY."""
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(),
                   f"facilitator progress\x00{vote.id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


def progress_key_matches(vote: Vote, key) -> bool:
    return isinstance(key, str) and hmac.compare_digest(key, progress_key(vote))


def progress(vote: Vote) -> dict:
    """Where a vote stands: participation by owners and by area against the gate, what is
    still missing, per building; and for staff, who has not voted yet, by building."""
    tally = counting.live_tally(vote)
    voted = set(tally["voted"])
    recused = set(vote.recused or [])
    buildings: dict[str, dict] = {}
    for owner in counting.roster_owners(counting.roster_version_of(vote)):
        if owner.key in recused:
            continue
        name = building_of(owner.units[0])
        row = buildings.setdefault(name, {"building": name, "owners": 0, "area": 0,
                                          "voted_owners": 0, "voted_area": 0, "missing": []})
        row["owners"] += 1
        row["area"] += owner.area
        if owner.key in voted:
            row["voted_owners"] += 1
            row["voted_area"] += owner.area
        else:
            row["missing"].append(owner)
    for row in buildings.values():
        row["missing"].sort(key=lambda o: unit_sort_key(o.units[0]))
    return {"participation": tally["participation"], "scope": tally["scope"],
            "gate": tally["gate"], "ballots": tally["ballots"],
            "buildings": [buildings[name] for name in sorted(buildings, key=unit_sort_key)]}


def written_votes(meeting_id: int) -> list[Vote]:
    """A meeting's votes that continued as written ballots, newest first."""
    return list(db.session.execute(db.select(Vote).where(
        Vote.meeting_id == meeting_id, Vote.written_since.is_not(None))
        .order_by(Vote.id.desc())).scalars())


def overdue_votes(now) -> list[tuple[int, int, object]]:
    """(meeting id, vote id, deadline) of every open vote whose deadline has passed."""
    return list(db.session.execute(db.select(Vote.meeting_id, Vote.id, Vote.deadline_at).where(
        Vote.status == VoteStatus.OPEN, Vote.deadline_at.is_not(None),
        Vote.deadline_at <= now)).all())


def owner_of_link(invitation) -> dict:
    """The owner an invitation names, in the meeting's roster version: key, name, units,
    area (for the ballot page)."""
    from ..models import Meeting
    meeting = db.session.get(Meeting, invitation.meeting_id)
    units = [row for row in rosters.units_of(rosters.meeting_version_id(meeting))
             if row.owner_key == invitation.owner_key]
    return {"key": invitation.owner_key, "name": units[0].owner_name if units else "",
            "units": [u.unit for u in units], "area": sum(u.area_hundredths for u in units)}
