"""Ballot papers (表决票) of a written ballot, and entering the signed papers that come back.

Issuing (`ballot.issue_papers`) gives every owner of the vote's scope (not recused) a paper
with a serial number unique in the vote, in building and unit order, kept in `ballot_papers`:
printing again reuses them, and a returned paper is entered by its serial. Owners without a
personal invitation get one first, so every sheet carries the owner's QR code and personal
code: a street office hands every owner the same two ways to vote (online or on paper),
and a sheet without a QR code would have to say why that owner has none.

A serial is five digits and a check digit (Damm's algorithm: any one wrong digit and any
swap of two neighbouring digits is caught), so a mistyped serial finds no paper rather
than another owner's.

Entering (`ballot.record_paper`, by serial, owner key or unit): with single entry the paper's
ballot counts at once. With double entry (the vote's setting, chosen when the papers are
issued and fixed once the first paper is entered, so nobody can switch it off to push one
paper through) a paper counts only when a SECOND user has entered it with the same choices;
the same user entering it again is refused. Entries that differ flag the paper (mismatch).
An owner who also voted online (phone, proxy, personal link) flags the paper (conflict). A
flagged paper does not count until the chair decides (`ballot.resolve_paper`: what the
paper says; `ballot.settle_paper`: the paper or the online ballot counts), always with a
reason that the event log keeps, and never by a user who entered that paper: whoever typed
a paper does not judge it. Nothing is entered after the deadline (the vote closes then): a
paper flagged or awaiting its second entry at the deadline does not count.

A photo or scan of the signed paper (`ballot.attach_scan`: PNG, JPEG or PDF, known by its
first bytes, at most 10 MB) is kept in the database with the case; staff download it.

In a secret vote the choices entered are kept only until the paper's ballot is sealed, or
the vote closes or is cancelled (votes._reseal).
"""
from __future__ import annotations

import base64
import binascii
import hashlib


from .. import rosters
from ..contract import Datum, event
from ..domain.owner_sheets import unit_sort_key
from ..domain.statuses import LIVE_OR_ENDED, PaperStatus
from ..errors import DomainError
from ..extensions import db
from ..models import (Ballot, BallotPaper, BallotPaperEntry, BallotPaperScan, Invitation,
                      RosterUnit, Vote, VoteParticipation)
from ..validation import Field, optional
from . import counting
from .core import CHAIR, MODERATOR, Context, Outcome, command
from .invitations import _set_secrets
from .votes import _open_for_ballots, _owner_weight, _store_ballot, _vote

SCAN_LIMIT = 10 * 1024 * 1024
SCAN_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
              (b"%PDF-", "application/pdf"))
# Channels of a ballot the owner cast themselves online (or by proxy): with a paper as well,
# the chair decides which counts. A ballot already on paper makes a second paper refused.
PAPER_CHANNELS = ("paper", "elsewhere")

_id = Field("int", min=1)
_serial = Field("str", max_len=20)
_choices = Field("str_list", max_len=26)

# The Damm algorithm's quasigroup of order 10.
_DAMM = ("0317598642", "7092154863", "4206871359", "1750983426", "6123045978",
         "3674209581", "5869720134", "8945362017", "9438617205", "2581436790")

event("ballot.papers_issued", data={"vote_id": Datum("id"), "papers": Datum("int"),
                                    "total": Datum("int"), "invitations": Datum("int"),
                                    "double_entry": Datum("bool")})
event("ballot.paper_entered", data={
    "vote_id": Datum("id"), "serial": Datum("str"), "owner_key": Datum("str"),
    "entry": Datum("int", doc="1: the first entry, 2: the second (double entry)"),
    "status": Datum("str", choices=tuple(PaperStatus))},
    doc="a paper entered that does not count yet: awaiting its second entry, or flagged")
event("ballot.paper_decided", data={
    "vote_id": Datum("id"), "serial": Datum("str"), "owner_key": Datum("str"),
    "counts": Datum("str", choices=("paper", "online")),
    "status": Datum("str", choices=tuple(PaperStatus)), "reason": Datum("str")},
    doc="the chair's decision on a flagged paper, and why")
event("ballot.scan_attached", data={
    "vote_id": Datum("id"), "serial": Datum("str"), "media_type": Datum("str"),
    "size": Datum("int"), "sha256": Datum("str")})


# --------------------------------------------------------------------------- serials

def _check_digit(digits: str) -> str:
    interim = 0
    for digit in digits:
        interim = int(_DAMM[interim][int(digit)])
    return str(interim)


def serial_of(number: int) -> str:
    """The paper numbered `number` (1, 2, …) in its vote → "000017" (the last digit checks)."""
    digits = f"{number:05d}"
    return digits + _check_digit(digits)


def format_serial(serial: str) -> str:
    """As printed and read out: "00001-7"."""
    return f"{serial[:-1]}-{serial[-1]}"


def normalise_serial(text: str) -> str | None:
    """What a clerk typed → a serial whose check digit holds, or None. Spaces and dashes
    are ignored, full-width digits accepted."""
    digits = "".join(chr(ord(ch) - 0xFEE0) if "０" <= ch <= "９" else ch
                     for ch in text if ch not in " -\t")
    if len(digits) != 6 or not digits.isascii() or not digits.isdigit():
        return None
    return digits if _check_digit(digits[:-1]) == digits[-1] else None


# --------------------------------------------------------------------------- issuing

def scope_owners(vote: Vote) -> list:
    """The owners of the vote's scope (not recused), by building and unit."""
    recused = set(vote.recused or [])
    owners = [o for o in counting.roster_owners(counting.roster_version_of(vote))
              if o.key not in recused]
    return sorted(owners, key=lambda o: unit_sort_key(o.units[0]))


def _written_vote(ctx: Context, vote_id: int) -> Vote:
    vote = _vote(ctx, vote_id)
    if vote.written_since is None:
        raise DomainError("written.not_written")
    _open_for_ballots(ctx, vote)
    return vote


@command("ballot.issue_papers", events=("ballot.papers_issued",), result=("papers",),
         roles=CHAIR, states=LIVE_OR_ENDED,
         schema={"vote_id": _id, "double_entry": optional("bool")})
def issue_papers(ctx: Context, vote_id: int, double_entry) -> Outcome:
    """A paper (a serial number) for every owner of the scope who has none yet, and a
    personal invitation for every one of them who has none; `double_entry` sets how the
    returned papers are entered, until the first one is."""
    vote = _written_vote(ctx, vote_id)
    have = dict(db.session.execute(db.select(BallotPaper.owner_key, BallotPaper.serial)
                                   .filter_by(vote_id=vote.id)).all())
    setting_changes = double_entry is not None and double_entry != vote.paper_double_entry
    if setting_changes:
        if db.session.execute(db.select(BallotPaper.id).where(
                BallotPaper.vote_id == vote.id,
                BallotPaper.status != PaperStatus.ISSUED)).first():
            raise DomainError("paper.double_entry_locked")
        vote.paper_double_entry = double_entry
    owners = scope_owners(vote)
    new = [o for o in owners if o.key not in have]
    if not new and not setting_changes:
        raise DomainError("command.no_change")
    number = len(have)
    papers = []
    for owner in new:
        number += 1
        papers.append(BallotPaper(vote_id=vote.id, owner_key=owner.key, serial=serial_of(number),
                                  issued_at=ctx.now, status=PaperStatus.ISSUED,
                                  decided_by="", decision_reason=""))
    db.session.add_all(papers)
    invited = set(db.session.execute(db.select(Invitation.owner_key).filter_by(
        meeting_id=ctx.meeting.id)).scalars())
    by = ctx.actor_name()
    invitations = [Invitation(meeting_id=ctx.meeting.id, owner_key=o.key, generation=1,
                              issued_at=ctx.now, issued_by=by)
                   for o in owners if o.key not in invited]
    _set_secrets(invitations)
    db.session.add_all(invitations)
    ctx.changed(vote)
    return Outcome("ballot.papers_issued", {
        "vote_id": vote.id, "papers": len(papers), "total": len(have) + len(papers),
        "invitations": len(invitations), "double_entry": vote.paper_double_entry},
        {"papers": len(have) + len(papers)})


# --------------------------------------------------------------------------- entering

def _paper_by_serial(vote: Vote, serial: str) -> BallotPaper:
    clean = normalise_serial(serial)
    paper = None if clean is None else db.session.execute(db.select(BallotPaper).filter_by(
        vote_id=vote.id, serial=clean)).scalar_one_or_none()
    if paper is None:
        raise DomainError("paper.not_found", serial=serial[:20])
    return paper


def _paper_of_owner(vote: Vote, owner_key: str) -> BallotPaper:
    paper = db.session.execute(db.select(BallotPaper).filter_by(
        vote_id=vote.id, owner_key=owner_key)).scalar_one_or_none()
    if paper is None:
        _owner_weight(vote.roster_version_id, owner_key)  # vote.not_in_roster when not there
        raise DomainError("paper.not_issued")
    return paper


def find_paper(vote: Vote, serial: str | None, owner_key: str | None, unit: str | None
               ) -> BallotPaper:
    """The paper named by exactly one of its serial, its owner's key, one of its units."""
    if sum(x is not None for x in (serial, owner_key, unit)) != 1:
        raise DomainError("paper.which_required")
    if serial is not None:
        return _paper_by_serial(vote, serial)
    if unit is not None:
        owner_key = db.session.execute(db.select(RosterUnit.owner_key).filter_by(
            version_id=vote.roster_version_id, unit=unit)).scalars().first()
        if owner_key is None:
            raise DomainError("paper.unit_not_found", unit=unit)
    return _paper_of_owner(vote, owner_key)


def _online_ballot(vote: Vote, owner_key: str):
    """The owner's ballot already recorded (channel), or None."""
    return db.session.execute(db.select(VoteParticipation.channel).filter_by(
        vote_id=vote.id, voter_key=owner_key)).scalar()


def _refuse_second_paper(vote: Vote, paper: BallotPaper) -> None:
    if paper.status != PaperStatus.ISSUED and paper.status != PaperStatus.ENTERED:
        raise DomainError("paper.already_entered", serial=format_serial(paper.serial))
    if _online_ballot(vote, paper.owner_key) in PAPER_CHANNELS:
        raise DomainError("paper.owner_voted_on_paper")


def _settle(ctx: Context, vote: Vote, paper: BallotPaper, choices: tuple) -> Outcome | None:
    """The paper's choices as the owner's ballot: counted, or flagged when the owner voted
    online too (None: flagged, nothing counted)."""
    paper.choices = list(choices)
    channel = _online_ballot(vote, paper.owner_key)
    if channel in PAPER_CHANNELS:
        raise DomainError("paper.owner_voted_on_paper")
    if channel is not None:
        paper.status = PaperStatus.CONFLICT
        return None
    area = _owner_weight(vote.roster_version_id, paper.owner_key)
    outcome = _store_ballot(ctx, vote, paper.owner_key, area, choices, "paper", None, "paper")
    paper.status = PaperStatus.COUNTED
    _forget_secret_choices(vote, paper)
    return outcome


def _forget_secret_choices(vote: Vote, paper: BallotPaper) -> None:
    if vote.secret:
        paper.choices = None
        db.session.execute(db.update(BallotPaperEntry).filter_by(paper_id=paper.id)
                           .values(choices=None))


def _same(a, b) -> bool:
    return sorted(a) == sorted(b)


@command("ballot.record_paper", events=("ballot.recorded", "ballot.paper_entered"),
         result=("vote_id", "serial", "status"), roles=CHAIR, states=LIVE_OR_ENDED, schema={
             "vote_id": _id, "choices": _choices, "serial": optional("str", max_len=20),
             "owner_key": optional("str", max_len=40), "unit": optional("str", max_len=40)})
def record_paper(ctx: Context, vote_id: int, choices: list, serial, owner_key, unit) -> Outcome:
    """A returned, signed paper entered by staff: found by its serial, its owner's key or
    one of its units, with the choices ticked on it."""
    vote = _written_vote(ctx, vote_id)
    paper = find_paper(vote, serial, owner_key, unit)
    refusal = counting.may_vote(vote, party="owner", participant_id=None,
                                owner_key=paper.owner_key, via_proxy=False, verified=True)
    if refusal:
        raise DomainError(refusal)
    picked = counting.check_choices(vote, choices)
    _refuse_second_paper(vote, paper)
    entries = db.session.execute(db.select(BallotPaperEntry).filter_by(paper_id=paper.id)
                                 .order_by(BallotPaperEntry.id)).scalars().all()
    if entries and any(e.user_id == ctx.actor.user_id for e in entries):
        raise DomainError("paper.same_clerk")
    db.session.add(BallotPaperEntry(paper_id=paper.id, user_id=ctx.actor.user_id,
                                    entered_by=ctx.actor_name(), choices=list(picked),
                                    at=ctx.now))
    entry = len(entries) + 1
    outcome = None
    if vote.paper_double_entry and entry == 1:
        paper.status = PaperStatus.ENTERED
    elif entry == 2 and not _same(entries[0].choices, picked):
        paper.status = PaperStatus.MISMATCH
    else:
        outcome = _settle(ctx, vote, paper, picked)
    result = {"vote_id": vote.id, "serial": paper.serial, "status": str(paper.status)}
    if outcome is None:
        return Outcome("ballot.paper_entered", {
            "vote_id": vote.id, "serial": paper.serial, "owner_key": paper.owner_key,
            "entry": entry, "status": str(paper.status)}, result)
    outcome.data["serial"] = paper.serial
    outcome.result.clear()
    outcome.result.update(result)
    return outcome


def _flagged(ctx: Context, vote: Vote, serial: str, status: PaperStatus) -> BallotPaper:
    paper = _paper_by_serial(vote, serial)
    if paper.status != status:
        raise DomainError("paper.not_flagged", serial=format_serial(paper.serial))
    entered_by = set(db.session.execute(db.select(BallotPaperEntry.user_id).filter_by(
        paper_id=paper.id)).scalars())
    if ctx.actor.user_id in entered_by:
        raise DomainError("paper.decider_entered")
    return paper


def _decided(ctx: Context, vote: Vote, paper: BallotPaper, counts: str, reason: str) -> Outcome:
    paper.decided_by = ctx.actor_name()
    paper.decided_at = ctx.now
    paper.decision_reason = reason
    return Outcome("ballot.paper_decided", {
        "vote_id": vote.id, "serial": paper.serial, "owner_key": paper.owner_key,
        "counts": counts, "status": str(paper.status), "reason": reason},
        {"vote_id": vote.id, "serial": paper.serial, "status": str(paper.status)})


@command("ballot.resolve_paper", events=("ballot.paper_decided",),
         result=("vote_id", "serial", "status"), roles=MODERATOR, states=LIVE_OR_ENDED, schema={
             "vote_id": _id, "serial": _serial, "choices": _choices,
             "reason": Field("str", max_len=500)})
def resolve_paper(ctx: Context, vote_id: int, serial: str, choices: list, reason: str
                  ) -> Outcome:
    """The chair reads a paper whose two entries differ (the scan, the paper itself) and
    records what it says: it counts, or is flagged as a conflict if the owner voted online."""
    vote = _written_vote(ctx, vote_id)
    paper = _flagged(ctx, vote, serial, PaperStatus.MISMATCH)
    picked = counting.check_choices(vote, choices)
    _settle(ctx, vote, paper, picked)
    return _decided(ctx, vote, paper, "paper", reason)


@command("ballot.settle_paper", events=("ballot.paper_decided",),
         result=("vote_id", "serial", "status"), roles=MODERATOR, states=LIVE_OR_ENDED, schema={
             "vote_id": _id, "serial": _serial,
             "counts": Field("str", choices=("paper", "online")),
             "reason": Field("str", max_len=500)})
def settle_paper(ctx: Context, vote_id: int, serial: str, counts: str, reason: str) -> Outcome:
    """An owner voted online and on paper: the chair says which ballot counts, and why. In
    a secret vote the online ballot is sealed apart from its voter and cannot be taken out:
    it stays."""
    vote = _written_vote(ctx, vote_id)
    paper = _flagged(ctx, vote, serial, PaperStatus.CONFLICT)
    if counts == "online":
        paper.status = PaperStatus.SET_ASIDE
    else:
        if vote.secret:
            raise DomainError("paper.secret_online_stays")
        db.session.execute(db.update(Ballot).filter_by(vote_id=vote.id, voter_key=paper.owner_key)
                           .values(choices=list(paper.choices)))
        db.session.execute(db.update(VoteParticipation).filter_by(
            vote_id=vote.id, voter_key=paper.owner_key).values(
            channel="paper", cast_by_id=None, verified_via="paper", at=ctx.now))
        paper.status = PaperStatus.COUNTED
    _forget_secret_choices(vote, paper)
    return _decided(ctx, vote, paper, counts, reason)


# --------------------------------------------------------------------------- scans

def sniff(data: bytes) -> str | None:
    """The media type of a scan by its first bytes (never its name): PNG, JPEG, PDF."""
    for magic, media_type in SCAN_TYPES:
        if data.startswith(magic):
            return media_type
    return None


@command("ballot.attach_scan", events=("ballot.scan_attached",), roles=CHAIR,
         states=LIVE_OR_ENDED, schema={
             "vote_id": _id, "serial": _serial,
             "scan": Field("str", max_len=(SCAN_LIMIT + 2) // 3 * 4 + 4096)})
def attach_scan(ctx: Context, vote_id: int, serial: str, scan: str) -> Outcome:
    """A photo or scan of a signed paper (base64), kept with the case; a later one replaces
    it. Also after the vote closed: the record is completed, nothing is counted."""
    vote = _vote(ctx, vote_id)
    if vote.written_since is None:
        raise DomainError("written.not_written")
    paper = _paper_by_serial(vote, serial)
    try:
        data = base64.b64decode(scan, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("paper.scan_unreadable") from None
    if len(data) > SCAN_LIMIT:
        raise DomainError("paper.scan_too_large", mb=SCAN_LIMIT // (1024 * 1024))
    media_type = sniff(data)
    if media_type is None:
        raise DomainError("paper.scan_type")
    digest = hashlib.sha256(data).hexdigest()
    db.session.execute(db.delete(BallotPaperScan).filter_by(paper_id=paper.id))
    db.session.add(BallotPaperScan(paper_id=paper.id, media_type=media_type, size=len(data),
                                   sha256=digest, data=data, uploaded_by=ctx.actor_name(),
                                   uploaded_at=ctx.now))
    return Outcome("ballot.scan_attached", {"vote_id": vote.id, "serial": paper.serial,
                                            "media_type": media_type, "size": len(data),
                                            "sha256": digest})


# --------------------------------------------------------------------------- the staff page

def papers_of(vote: Vote) -> list[BallotPaper]:
    return list(db.session.execute(db.select(BallotPaper).filter_by(vote_id=vote.id)
                                   .order_by(BallotPaper.serial)).scalars())


def paper_summary(vote: Vote) -> dict:
    """For the staff page: how many papers in each status, the flagged ones with their
    entries and owner, and which papers have a scan."""
    papers = papers_of(vote)
    counts = {str(status): 0 for status in PaperStatus}
    for paper in papers:
        counts[paper.status] += 1
    flagged_ids = [p.id for p in papers if p.status in (PaperStatus.MISMATCH,
                                                        PaperStatus.CONFLICT)]
    entries: dict[int, list] = {}
    for entry in db.session.execute(db.select(BallotPaperEntry).where(
            BallotPaperEntry.paper_id.in_(flagged_ids)).order_by(BallotPaperEntry.id)).scalars():
        entries.setdefault(entry.paper_id, []).append(entry)
    scanned = set(db.session.execute(db.select(BallotPaperScan.paper_id).join(
        BallotPaper, BallotPaper.id == BallotPaperScan.paper_id).filter(
        BallotPaper.vote_id == vote.id)).scalars())
    names = {}
    for row in rosters.units_of(vote.roster_version_id):
        names.setdefault(row.owner_key, {"name": row.owner_name, "units": []})["units"] \
            .append(row.unit)
    online = dict(db.session.execute(db.select(VoteParticipation.voter_key, Ballot.choices)
                                     .join(Ballot, db.and_(Ballot.vote_id == vote.id,
                                                           Ballot.voter_key == VoteParticipation.voter_key))
                                     .where(VoteParticipation.vote_id == vote.id)).all())
    flagged = [{"paper": p, "owner": names.get(p.owner_key, {"name": "", "units": []}),
                "entries": entries.get(p.id, []), "scan": p.id in scanned,
                "online": online.get(p.owner_key)}
               for p in papers if p.id in flagged_ids]
    decided = [p for p in papers if p.decided_at is not None]
    return {"issued": bool(papers), "counts": counts, "flagged": flagged, "decided": decided,
            "scanned": scanned, "papers": papers, "names": names}
