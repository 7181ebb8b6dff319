"""Votes: straw polls (意向表决, not binding) and owners' decisions (业主共同决定, Art. 278).

Life cycle: vote.create (draft) → vote.open → ballots (ballot.cast from phones, ballot.record
by the chair for paper ballots or a vote held elsewhere, or vote.enter_totals) → vote.close
(by the chair, or by the countdown) — or vote.cancel. Proxies (written authorisations) are
recorded by the chair with proxy.record / proxy.revoke.

Who counts (SPC interpretation Arts. 8-9): a ballot belongs to the OWNER (the roster's owner
key), not to the person: an owner with several units votes once with the summed area,
co-owners share one vote, the developer's unsold units are one owner (voted by the
developer's representative through a recorded authorisation). A participant without an
owner key votes as themselves only in votes of everyone present (or of chosen parties).
Observers (tenants, 列席) never vote on their own behalf.

Hot path: a ballot is O(1) rows — the participation row (who), the ballot row (what), the
event — and no tally: live/tallies.py recounts from the ballots a few times a second.
Secret votes: the event and its stored result never carry the choice; the ballot row has no
voter; a secret ballot cannot be changed (nothing links the voter to it any more).
"""
from __future__ import annotations

import json
import random
from datetime import timedelta

from ..database import scrub_secret_ballots
from ..errors import DomainError
from ..extensions import db
from ..models import Participant, RosterUnit
from ..domain.parties import PARTIES
from ..domain.statuses import (ANY_MEETING_STATUS, IN_MEETING, NOT_ENDED, PENDING_VOTE,
                               MeetingStatus, ParticipantStatus, PlanStatus, ProxyStatus,
                               VoteStatus)
from ..models.votes import (CHANNELS, ELIGIBILITIES, SHOW_RESULTS, VOTE_KINDS, VOTE_METHODS,
                            Ballot, BallotPaper, BallotPaperEntry, Plan, Proxy, SealedBallot, SecretTally, Vote,
                            VoteParticipation, new_ballot_id)
from ..validation import Field, optional
from .. import ballot_seal, clock, rosters
from . import counting
from .core import CHAIR, PHONE, SYSTEM, Context, Outcome, command
from .participants import checkin_changed
from .plans import MATTERS
from ..contract import Datum, event

MAX_VOTES = 100
_id = Field("int", min=1)
_choices = Field("str_list", max_len=26)


def _vote(ctx: Context, vote_id: int) -> Vote:
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != ctx.meeting.id:
        raise DomainError("vote.not_found")
    return vote


def _require_live_for(ctx: Context, vote: Vote) -> None:
    """In-meeting votes run while the meeting is live, and after it while they continue as a
    written ballot (written_ballot.py); a vote held elsewhere (paper ballots, a city's
    e-voting system) is recorded whenever its results come in."""
    if vote.channel == "meeting" and vote.written_since is None \
            and ctx.meeting.status != MeetingStatus.LIVE:
        raise DomainError(f"meeting.is_{ctx.meeting.status}")


def _accepted_plan(ctx: Context, key_or_id, by: str = "key") -> Plan:
    query = db.select(Plan).filter_by(meeting_id=ctx.meeting.id, **{by: key_or_id})
    plan = db.session.execute(query).scalar_one_or_none()
    if plan is None:
        raise DomainError("plan.not_found")
    if plan.status != PlanStatus.ACCEPTED:
        raise DomainError("plan.not_accepted")
    return plan


def _has_roster(ctx: Context) -> bool:
    return rosters.meeting_version_id(ctx.meeting) is not None


# --------------------------------------------------------------------------- create


# --- events ------------------------------------------------------------------------------------
event("vote.created", data={"vote_id": Datum("id"), "number": Datum("int"),
                            "kind": Datum("str", choices=VOTE_KINDS), "method": Datum("str"),
                            "title": Datum("str"), "channel": Datum("str", choices=CHANNELS)})
event("vote.opened", data={"vote_id": Datum("id"), "title": Datum("str"),
                           "plan_revisions": Datum("object", doc="plan key → revision"),
                           "deadline_ms": Datum("int", null=True)})
event("vote.closed", data={
    "vote_id": Datum("id"), "title": Datum("str"), "kind": Datum("str", choices=VOTE_KINDS),
    "by_countdown": Datum("bool"), "result": Datum("object", doc="§13"),
    "ballots": Datum("list", optional=True, doc="a named vote's ballots; not a secret one's")})
event("vote.cancelled", data={"vote_id": Datum("id"), "title": Datum("str"),
                              "was_open": Datum("bool"), "reason": Datum("str")})
_ballot = {"vote_id": Datum("id"), "voter_key": Datum("str"), "channel": Datum("str"),
           "cast_by": Datum("id", null=True), "changed": Datum("bool"),
           "choices": Datum("strs", optional=True, doc="not in a secret vote"),
           "serial": Datum("str", optional=True, doc="a ballot paper's serial (§19)")}
event("ballot.cast", data=_ballot)
event("ballot.recorded", data=_ballot)
event("vote.totals_entered", data={"vote_id": Datum("id"), "totals": Datum("object")})
event("proxy.recorded", data={"proxy_id": Datum("id"), "participant_id": Datum("id"),
                              "name": Datum("str"), "owner_key": Datum("str"),
                              "note": Datum("str"), "vote_id": Datum("id", null=True)})
event("proxy.revoked", data={"proxy_id": Datum("id"), "owner_key": Datum("str")})


@command("vote.create", events=("vote.created",), result=("vote_id",), roles=CHAIR, states=ANY_MEETING_STATUS, schema={
    "kind": Field("str", choices=VOTE_KINDS),
    "method": Field("str", choices=VOTE_METHODS),
    "title": Field("str", max_len=200),
    "question": optional("text", max_len=2000, default=""),
    "plans": Field("str_list", required=False, default=None, max_len=26, min_len=0),
    "plan_id": Field("int", required=False, default=None, min=1),
    "matters": Field("str_list", required=False, default=None, max_len=len(MATTERS), min_len=0,
                     choices=MATTERS),
    "rule": optional("str", choices=tuple(counting.STRAW_RULES)),
    "settings": optional("str", choices=tuple(counting.SETTINGS), default="civil_code"),
    "eligibility": optional("str", choices=ELIGIBILITIES),
    "parties": Field("str_list", required=False, default=None, max_len=len(PARTIES), min_len=0,
                     choices=PARTIES),
    "recused": Field("str_list", required=False, default=None, max_len=500, min_len=0),
    "secret": optional("bool", default=False),
    "verified_only": optional("bool"),
    "allow_change": optional("bool", default=False),
    "show_results": optional("str", choices=SHOW_RESULTS),
    "max_choices": Field("int", required=False, default=None, min=1, max=26),
    "channel": optional("str", choices=CHANNELS, default="meeting"),
    "channel_note": optional("str", max_len=200, default=""),
    "duration_seconds": Field("int", required=False, default=None, min=10, max=60 * 86400),
})
def create_vote(ctx: Context, kind, method, title, question, plans, plan_id, matters, rule,
                settings, eligibility, parties, recused, secret, verified_only, allow_change,
                show_results, max_choices, channel, channel_note, duration_seconds) -> Outcome:
    if channel == "meeting" and ctx.meeting.status == MeetingStatus.ENDED:
        raise DomainError("meeting.is_ended")
    count = db.session.execute(db.select(db.func.count(Vote.id)).filter_by(
        meeting_id=ctx.meeting.id)).scalar()
    if count >= MAX_VOTES:
        raise DomainError("vote.too_many", max=MAX_VOTES)
    matters = list(dict.fromkeys(matters or []))
    parties = list(dict.fromkeys(parties or []))
    recused = list(dict.fromkeys(recused or []))
    roster = _has_roster(ctx)

    # Options: the accepted plans named (single, approval, ranked), or yes/no on a motion.
    options, motion = [], None
    if method == "yes_no":
        if plans:
            raise DomainError("vote.plans_not_for_yes_no")
        if plan_id is not None:
            motion = _accepted_plan(ctx, plan_id, by="id")
        options = [{"key": "yes", "label": "", "plan_id": None},
                   {"key": "no", "label": "", "plan_id": None}]
    else:
        if plan_id is not None:
            raise DomainError("vote.plan_only_for_yes_no")
        keys = [key.upper() for key in plans or []]
        if len(set(keys)) != len(keys):
            raise DomainError("vote.duplicate_option", option=next(
                k for k in keys if keys.count(k) > 1))
        if len(keys) < (1 if method == "approval" else 2):
            raise DomainError("vote.too_few_options")
        for key in keys:
            plan = _accepted_plan(ctx, key)
            options.append({"key": plan.key, "label": plan.title, "plan_id": plan.id})
    if max_choices is not None and method != "approval":
        raise DomainError("vote.bad_max_choices", max_choices=max_choices)

    if kind == "owners_decision":
        if not roster:
            raise DomainError("vote.roster_required")
        if method == "ranked":
            raise DomainError("vote.method_not_for_kind", method=method)
        if rule is not None:
            raise DomainError("vote.rule_not_for_kind", rule=rule)
        eligibility = eligibility or "scope_owners"
        if eligibility != "scope_owners":
            raise DomainError("vote.decision_scope")
        if method == "yes_no":
            if not matters and motion is not None:
                matters = list(motion.matters or [])
            if not matters:
                raise DomainError("vote.matters_required")
        else:
            for option in options:
                plan = db.session.get(Plan, option["plan_id"])
                if not (plan.matters or matters):
                    raise DomainError("vote.matters_required_for", option=option["key"])
        show_results = show_results or ("after_close" if secret else "live")
    else:
        if settings != "civil_code":
            raise DomainError("vote.settings_not_for_kind")
        rule = rule or ("simple_majority" if method == "yes_no" else "plurality")
        if method == "ranked" and rule != "plurality":
            raise DomainError("vote.rule_not_for_method", rule=rule, method=method)
        eligibility = eligibility or ("owners_present" if roster else "present")
        if eligibility in ("owners_present", "scope_owners") and not roster:
            raise DomainError("vote.roster_required")
        show_results = show_results or "after_close"
    if eligibility == "parties":
        if not parties:
            raise DomainError("vote.parties_required")
        if "observer" in parties:
            raise DomainError("vote.observer_cannot_vote")
    elif parties:
        raise DomainError("vote.parties_only_for_parties")
    if secret and allow_change:
        raise DomainError("vote.secret_no_change")
    if secret and show_results == "live":
        raise DomainError("vote.secret_live_results")
    if channel == "elsewhere":
        if kind != "owners_decision":
            raise DomainError("vote.elsewhere_owners_decision")
        if duration_seconds is not None:
            raise DomainError("vote.elsewhere_no_countdown")

    number = (db.session.execute(db.select(db.func.max(Vote.number)).filter_by(
        meeting_id=ctx.meeting.id)).scalar() or 0) + 1
    vote = Vote(meeting_id=ctx.meeting.id, number=number, kind=kind, method=method, title=title,
                question=question, options=options, plan_id=motion.id if motion else None,
                matters=matters, rule=rule if kind == "straw_poll" else None,
                settings=settings, eligibility=eligibility, parties=parties, recused=recused,
                secret=secret, allow_change=allow_change, show_results=show_results,
                # An owners' decision counts verified owners unless the chair says otherwise.
                verified_only=(kind == "owners_decision") if verified_only is None
                else verified_only,
                max_choices=max_choices, channel=channel, channel_note=channel_note,
                duration_seconds=duration_seconds, status=VoteStatus.DRAFT, created_at=ctx.now)
    db.session.add(vote)
    ctx.changed(vote)
    return Outcome("vote.created", {"vote_id": vote.id, "number": number, "kind": kind,
                                    "method": method, "title": title, "channel": channel},
                   {"vote_id": vote.id})


# --------------------------------------------------------------------------- open / close

@command("vote.open", events=("vote.opened",), roles=CHAIR, states=ANY_MEETING_STATUS, schema={"id": _id})
def open_vote(ctx: Context, id: int) -> Outcome:
    vote = _vote(ctx, id)
    if vote.status != VoteStatus.DRAFT:
        raise DomainError("vote.not_draft")
    _require_live_for(ctx, vote)
    # One vote at a time in the room; a written ballot running for days is not in the room.
    if vote.channel == "meeting" and db.session.execute(db.select(Vote.id).filter_by(
            meeting_id=ctx.meeting.id, status=VoteStatus.OPEN, channel="meeting",
            written_since=None)).first():
        raise DomainError("vote.another_open")
    # Freeze what is voted on: each option's plan title, matters and revision.
    option_matters, revisions, options = {}, {}, []
    for option in vote.options:
        if option["plan_id"] is not None:
            plan = db.session.get(Plan, option["plan_id"])
            if plan.status != PlanStatus.ACCEPTED:
                raise DomainError("plan.not_accepted")
            option = {**option, "label": plan.title}
            option_matters[option["key"]] = list(plan.matters or [])
            revisions[plan.key] = plan.revision
        options.append(option)
    if vote.plan_id is not None:
        plan = db.session.get(Plan, vote.plan_id)
        revisions[plan.key] = plan.revision
    if vote.kind == "owners_decision":
        if vote.method == "yes_no":
            option_matters = {"yes": list(vote.matters)}
        else:
            option_matters = {k: (m or list(vote.matters)) for k, m in option_matters.items()}
    vote.options = options
    vote.option_matters = option_matters
    vote.plan_revisions = revisions
    vote.status = VoteStatus.OPEN
    vote.opened_at = ctx.now
    vote.roster_version_id = rosters.meeting_version_id(ctx.meeting)
    if vote.duration_seconds:
        vote.deadline_at = ctx.now + timedelta(seconds=vote.duration_seconds)
    ctx.changed(vote)
    return Outcome("vote.opened", {"vote_id": vote.id, "title": vote.title,
                                   "plan_revisions": revisions,
                                   "deadline_ms": vote_deadline_ms(vote)})


def deadline_close_id(vote_id: int, deadline_ms: int) -> str:
    """The command id of closing a vote at its deadline: the same for every process and for
    the countdown and the sweep (live/deadlines.py), so the vote closes once."""
    return f"vote-countdown-{vote_id}-{deadline_ms}"


def vote_deadline_ms(vote: Vote) -> int | None:
    from ..clock import to_epoch_ms
    return to_epoch_ms(vote.deadline_at)


def _reseal(ctx: Context, vote: Vote) -> None:
    """Open a secret vote's sealed ballots, add them up into its tallies (one row per
    distinct choice, written in random order) and delete them, in the closing transaction.
    After the commit the database's leftovers of the sealed rows are cleared
    (database.scrub_secret_ballots)."""
    totals: dict[str, list[int]] = {}
    for choices, heads, area in counting.secret_ballots(vote):
        total = totals.setdefault(tally_key(choices), [0, 0])
        total[0] += heads
        total[1] += area
    db.session.execute(db.delete(SealedBallot).filter_by(vote_id=vote.id))
    db.session.execute(db.delete(SecretTally).filter_by(vote_id=vote.id))
    # Papers still awaiting an entry or a decision kept what the clerks typed: gone too.
    papers = db.select(BallotPaper.id).filter_by(vote_id=vote.id).scalar_subquery()
    db.session.execute(db.update(BallotPaper).filter_by(vote_id=vote.id).values(choices=None))
    db.session.execute(db.update(BallotPaperEntry).where(BallotPaperEntry.paper_id.in_(papers))
                       .values(choices=None))
    rows = list(totals.items())
    random.SystemRandom().shuffle(rows)
    db.session.add_all(SecretTally(vote_id=vote.id, choices=choices, heads=heads, area=area)
                       for choices, (heads, area) in rows)
    ctx.after_commit.append(scrub_secret_ballots)


def _named_ballots(vote: Vote) -> list[dict]:
    """Who chose what, for the minutes of a named vote: the owner (or non-owner voter) each
    ballot counts for, the person who actually cast it (the owner, a co-owner, a proxy
    holder; none for a paper ballot entered by staff), and how that voter was verified."""
    names = {}
    for row in rosters.units_of(vote.roster_version_id):
        entry = names.setdefault(row.owner_key, {"name": row.owner_name, "units": []})
        entry["units"].append(row.unit)
    people = {p.id: p.name for p in db.session.execute(
        db.select(Participant).filter_by(meeting_id=vote.meeting_id)).scalars()}
    casts = {p.voter_key: p for p in db.session.execute(
        db.select(VoteParticipation).filter_by(vote_id=vote.id)).scalars()}
    out = []
    for ballot in db.session.execute(db.select(Ballot).filter_by(vote_id=vote.id)
                                     .order_by(Ballot.voter_key)).scalars():
        owner = names.get(ballot.voter_key)
        cast = casts.get(ballot.voter_key)
        cast_by = people.get(cast.cast_by_id, "") if cast and cast.cast_by_id else ""
        non_owner = ballot.voter_key.startswith("p") and owner is None
        out.append({"voter_key": ballot.voter_key,
                    "name": owner["name"] if owner else cast_by if non_owner else "",
                    "units": owner["units"] if owner else [],
                    "choices": list(ballot.choices), "heads": ballot.heads, "area": ballot.area,
                    "channel": cast.channel if cast else None, "cast_by": cast_by,
                    "verified_via": cast.verified_via if cast else None})
    return out


@command("vote.close", events=("vote.closed",), result=("vote_id", "passed"), roles=CHAIR | SYSTEM, states=ANY_MEETING_STATUS, schema={"id": _id})
def close_vote(ctx: Context, id: int) -> Outcome:
    """Close a vote and freeze its result (by the chair, or by the app when the countdown
    ends: then the actor is "system")."""
    vote = _vote(ctx, id)
    if vote.status != VoteStatus.OPEN:
        raise DomainError("vote.not_open")
    if vote.written_since is not None and ctx.actor.role != "system" \
            and ctx.now < vote.deadline_at:
        # The owners were told they may vote until the deadline (cancelling stays possible).
        raise DomainError("written.closes_at_deadline",
                          deadline=clock.local(vote.deadline_at).strftime("%Y-%m-%d %H:%M"))
    vote.status = VoteStatus.CLOSED
    vote.closed_at = ctx.now
    vote.result = counting.result_of(vote)
    data = {"vote_id": vote.id, "title": vote.title, "kind": vote.kind,
            "by_countdown": ctx.actor.role == "system", "result": vote.result}
    if vote.secret:
        _reseal(ctx, vote)
    else:
        data["ballots"] = _named_ballots(vote)
    ctx.changed(vote)
    return Outcome("vote.closed", data, {"vote_id": vote.id,
                                         "passed": vote.result["outcome"]["passed"]})


@command("vote.cancel", events=("vote.cancelled",), roles=CHAIR, states=ANY_MEETING_STATUS, schema={
    "id": _id, "reason": optional("str", max_len=500, default="")})
def cancel_vote(ctx: Context, id: int, reason: str) -> Outcome:
    vote = _vote(ctx, id)
    if vote.status not in PENDING_VOTE:
        raise DomainError("vote.not_open")
    was_open = vote.status == VoteStatus.OPEN
    vote.status = VoteStatus.CANCELLED
    vote.closed_at = ctx.now
    if vote.secret and was_open:
        _reseal(ctx, vote)
    ctx.changed(vote)
    return Outcome("vote.cancelled", {"vote_id": vote.id, "title": vote.title,
                                      "was_open": was_open, "reason": reason})


# --------------------------------------------------------------------------- ballots

def _owner_weight(version_id: int | None, owner_key: str) -> int:
    """The summed area of an owner's units in a roster version (refused: not in it)."""
    area = db.session.connection().execute(_SELECT_AREA, {
        "version_id": version_id, "owner_key": owner_key}).scalar()
    if area is None:
        raise DomainError("vote.not_in_roster")
    return int(area)


# The hot path (a ballot) runs prebuilt Core statements on the tables, on the transaction's
# connection: plain rows, no ORM objects to build and track, no statement to construct per
# ballot, none of the session's ORM execution steps.
_V, _P = Vote.__table__, Participant.__table__
_VP, _B, _R = VoteParticipation.__table__, Ballot.__table__, RosterUnit.__table__
_SELECT_VOTE = db.select(*(_V.c[name] for name in (
    "id", "meeting_id", "status", "deadline_at", "entered_totals", "channel", "method",
    "options", "max_choices", "eligibility", "parties", "recused", "secret", "allow_change",
    "roster_version_id", "verified_only", "written_since"))
).where(_V.c.id == db.bindparam("vote_id"))
_SELECT_PERSON = db.select(_P.c.id, _P.c.meeting_id, _P.c.status, _P.c.party, _P.c.owner_key,
                           _P.c.verified_via, _P.c.name
                           ).where(_P.c.id == db.bindparam("participant_id"))
_SELECT_VOTED = db.select(_VP.c.id, _VP.c.cast_by_id).where(_VP.c.vote_id == db.bindparam("vote_id"),
                                          _VP.c.voter_key == db.bindparam("voter_key"))
_SELECT_AREA = db.select(db.func.sum(_R.c.area_hundredths)).where(
    _R.c.version_id == db.bindparam("version_id"), _R.c.owner_key == db.bindparam("owner_key"))
_INSERT_PARTICIPATION = db.insert(_VP)
_INSERT_BALLOT = db.insert(_B)
_INSERT_SEALED = db.insert(SealedBallot.__table__)


def tally_key(choices) -> str:
    """A ballot's choices as a secret tally's key: canonical JSON."""
    return json.dumps(list(choices), ensure_ascii=False, separators=(",", ":"))


def _ballot_vote(ctx: Context, vote_id: int):
    vote = db.session.connection().execute(_SELECT_VOTE, {"vote_id": vote_id}).one_or_none()
    if vote is None or vote.meeting_id != ctx.meeting.id:
        raise DomainError("vote.not_found")
    return vote


def _ballot_person(ctx: Context, participant_id: int | None):
    person = db.session.connection().execute(
        _SELECT_PERSON, {"participant_id": participant_id}).one_or_none()
    if person is None or person.meeting_id != ctx.meeting.id:
        raise DomainError("participant.not_found")
    if person.status != ParticipantStatus.ADMITTED:
        raise DomainError("participant.not_admitted")
    return person


def _open_for_ballots(ctx: Context, vote) -> None:
    if vote.status != VoteStatus.OPEN:
        raise DomainError("vote.closed" if vote.status == VoteStatus.CLOSED else "vote.not_open")
    if vote.deadline_at is not None and ctx.now >= vote.deadline_at:
        raise DomainError("vote.closed")
    if vote.entered_totals is not None:
        raise DomainError("vote.ballots_with_totals")


def _store_ballot(ctx: Context, vote, voter_key: str, area: int, choices: tuple,
                  channel: str, cast_by_id: int | None, verified_via: str | None) -> Outcome:
    """One participation row and one ballot row, in the command's transaction. A second
    ballot of the same voter changes the first (named votes that allow it, by the same
    person: a co-owner cannot change the household's ballot another co-owner cast) or is
    refused; the unique constraints refuse it even if two servers race."""
    voted = db.session.connection().execute(
        _SELECT_VOTED, {"vote_id": vote.id, "voter_key": voter_key}).one_or_none()
    existing = voted.id if voted is not None else None
    changed = existing is not None
    if changed:
        if cast_by_id is not None and voted.cast_by_id not in (None, cast_by_id):
            other = db.session.get(Participant, voted.cast_by_id)
            raise DomainError("vote.household_voted", name=other.name if other else "")
        if not vote.allow_change or vote.secret:
            raise DomainError("vote.already_voted")
        before = db.session.execute(db.select(Ballot.choices).filter_by(
            vote_id=vote.id, voter_key=voter_key)).scalar()
        if tuple(before) == choices:
            raise DomainError("command.no_change")
        db.session.execute(db.update(Ballot).filter_by(vote_id=vote.id, voter_key=voter_key)
                           .values(choices=list(choices)))
        db.session.execute(db.update(VoteParticipation).filter_by(id=existing).values(
            at=ctx.now, channel=channel, cast_by_id=cast_by_id, verified_via=verified_via))
    else:
        connection = db.session.connection()
        connection.execute(_INSERT_PARTICIPATION, {
            "vote_id": vote.id, "voter_key": voter_key, "cast_by_id": cast_by_id,
            "channel": channel, "at": ctx.now, "verified_via": verified_via})
        if vote.secret:
            # Sealed: the row written beside this participation says nothing readable.
            connection.execute(_INSERT_SEALED, {
                "id": new_ballot_id(), "vote_id": vote.id,
                "sealed": ballot_seal.seal(vote.id, choices, area,
                                           [o["key"] for o in vote.options])})
        else:
            connection.execute(_INSERT_BALLOT, {
                "id": new_ballot_id(), "vote_id": vote.id, "choices": list(choices),
                "heads": 1, "area": area, "voter_key": voter_key})
    data = {"vote_id": vote.id, "voter_key": voter_key, "channel": channel,
            "cast_by": cast_by_id, "changed": changed}
    if not vote.secret:
        data["choices"] = list(choices)
    # Cast by the voter (a phone, a proxy holder, the owner's link); recorded by staff.
    return Outcome("ballot.cast" if channel in ("phone", "proxy", "link") else "ballot.recorded",
                   data, {"vote_id": vote.id, "changed": changed})


def _identity(ctx: Context, vote: Vote, person: Participant, proxy_id: int | None
              ) -> tuple[str, int, bool, str | None]:
    """(voter key, area, via proxy, verified via) of `person` voting for themselves or by
    proxy. An owner votes only once verified when the vote asks for it (vote.verify_first:
    the phone is sent to the check-in desk, nothing is recorded)."""
    if person.party == "observer" and proxy_id is None:
        raise DomainError("vote.observer_cannot_vote")
    if proxy_id is not None:
        proxy = db.session.get(Proxy, proxy_id)
        if proxy is None or proxy.meeting_id != ctx.meeting.id \
                or proxy.participant_id != person.id:
            raise DomainError("proxy.not_found")
        if proxy.status != ProxyStatus.ACTIVE:
            raise DomainError("proxy.revoked")
        if proxy.vote_id is not None and proxy.vote_id != vote.id:
            raise DomainError("proxy.other_vote")
        owner_key, via_proxy = proxy.owner_key, True
    else:
        owner_key, via_proxy = person.owner_key, False
    verified_via = "proxy" if via_proxy else person.verified_via
    refusal = counting.may_vote(vote, party=person.party, participant_id=person.id,
                                owner_key=owner_key, via_proxy=via_proxy,
                                verified=verified_via is not None)
    if refusal:
        raise DomainError(refusal)
    if owner_key:
        return (owner_key, _owner_weight(vote.roster_version_id, owner_key), via_proxy,
                verified_via)
    return f"p{person.id}", 0, via_proxy, None


@command("ballot.cast", events=("ballot.cast",), result=("vote_id", "changed"), roles=PHONE, schema={
    "vote_id": _id, "choices": _choices, "proxy_id": Field("int", required=False,
                                                           default=None, min=1)})
def cast_ballot(ctx: Context, vote_id: int, choices: list, proxy_id) -> Outcome:
    """A phone votes, for its owner (or itself) or, with proxy_id, for the owner whose written
    authorisation it holds."""
    vote = _ballot_vote(ctx, vote_id)
    _open_for_ballots(ctx, vote)
    if vote.channel != "meeting":
        raise DomainError("vote.held_elsewhere")
    person = _ballot_person(ctx, ctx.actor.participant_id)
    voter_key, area, via_proxy, verified_via = _identity(ctx, vote, person, proxy_id)
    picked = counting.check_choices(vote, choices)
    return _store_ballot(ctx, vote, voter_key, area, picked, "proxy" if via_proxy else "phone",
                         person.id, verified_via)


@command("ballot.record", events=("ballot.recorded",), result=("vote_id", "changed"), roles=CHAIR, states=ANY_MEETING_STATUS, schema={
    "vote_id": _id, "choices": _choices,
    "participant_id": Field("int", required=False, default=None, min=1),
    "owner_key": optional("str", max_len=40)})
def record_ballot(ctx: Context, vote_id: int, choices: list, participant_id, owner_key
                  ) -> Outcome:
    """The chair records a paper ballot: of a person in the room without a phone
    (participant_id), or of an owner (owner_key) in a vote over the scope's owners, e.g. the
    ballots of a vote held elsewhere."""
    vote = _ballot_vote(ctx, vote_id)
    _require_live_for(ctx, vote)
    _open_for_ballots(ctx, vote)
    if (participant_id is None) == (owner_key is None):
        raise DomainError("vote.voter_required")
    picked = counting.check_choices(vote, choices)
    channel = "elsewhere" if vote.channel == "elsewhere" else "paper"
    if participant_id is not None:
        if vote.channel == "elsewhere":
            raise DomainError("vote.owner_key_required")
        person = _ballot_person(ctx, participant_id)
        voter_key, area, _, verified_via = _identity(ctx, vote, person, None)
        return _store_ballot(ctx, vote, voter_key, area, picked, channel, person.id,
                             verified_via)
    if vote.eligibility != "scope_owners":
        raise DomainError("vote.participant_required")
    # Once a written ballot's papers are issued, a paper is entered by its serial
    # (ballot.record_paper), where double entry and the flags apply: no way around them.
    if vote.written_since is not None and db.session.execute(db.select(BallotPaper.id).filter_by(
            vote_id=vote.id)).first():
        raise DomainError("paper.enter_by_serial")
    area = _owner_weight(vote.roster_version_id, owner_key)
    # A signed paper ballot (or one counted elsewhere) that staff enter is the owner's own.
    refusal = counting.may_vote(vote, party="owner", participant_id=None, owner_key=owner_key,
                                via_proxy=False, verified=True)
    if refusal:
        raise DomainError(refusal)
    return _store_ballot(ctx, vote, owner_key, area, picked, channel, None, "paper")


@command("vote.enter_totals", events=("vote.totals_entered",), roles=CHAIR, states=ANY_MEETING_STATUS, schema={
    "id": _id, "totals": Field("object", max_len=30)})
def enter_totals(ctx: Context, id: int, totals: dict) -> Outcome:
    """The totals of a vote held elsewhere (e.g. the city's e-voting system publishes only
    totals): per option and for abstain, owners and area ("1234.56" m²)."""
    from ..domain.voting import parse_area
    vote = _vote(ctx, id)
    if vote.channel != "elsewhere":
        raise DomainError("vote.totals_only_elsewhere")
    if vote.status != VoteStatus.OPEN:
        raise DomainError("vote.not_open")
    if vote.method not in ("single", "yes_no"):
        raise DomainError("vote.totals_method", method=vote.method)
    if db.session.execute(db.select(VoteParticipation.id).filter_by(vote_id=vote.id)).first():
        raise DomainError("vote.totals_with_ballots")
    keys = [o["key"] for o in vote.options] + ["abstain"]
    clean = {}
    for key, entry in totals.items():
        if key not in keys:
            raise DomainError("vote.unknown_choice", voter="", choice=str(key)[:40])
        owners = entry.get("owners") if isinstance(entry, dict) else None
        area_text = entry.get("area") if isinstance(entry, dict) else None
        if not isinstance(owners, int) or isinstance(owners, bool) or owners < 0 \
                or not isinstance(area_text, str):
            raise DomainError("vote.bad_totals", option=key)
        try:
            area = parse_area(area_text)
        except DomainError:
            raise DomainError("vote.bad_totals", option=key) from None
        if (owners == 0) != (area == 0):
            raise DomainError("vote.bad_totals", option=key)
        clean[key] = [owners, area]
    scope = counting.scope_of(vote)
    owners = sum(v[0] for v in clean.values())
    area = sum(v[1] for v in clean.values())
    if owners > scope.owners or area > scope.area:
        raise DomainError("vote.totals_exceed_scope", owners=owners, scope_owners=scope.owners)
    if vote.entered_totals == clean:
        raise DomainError("command.no_change")
    vote.entered_totals = clean
    ctx.changed(vote)
    return Outcome("vote.totals_entered", {"vote_id": vote.id, "totals": clean})


# --------------------------------------------------------------------------- proxies

@command("proxy.record", events=("proxy.recorded",), result=("proxy_id",), roles=CHAIR, states=NOT_ENDED, schema={
    "participant_id": _id, "owner_key": Field("str", max_len=40),
    "note": Field("str", max_len=200), "vote_id": Field("int", required=False, default=None,
                                                          min=1)})
def record_proxy(ctx: Context, participant_id: int, owner_key: str, note: str, vote_id
                 ) -> Outcome:
    """A written authorisation (书面委托书): `participant_id` votes for the owner `owner_key`,
    in the whole meeting or, with `vote_id`, in that vote only. `note` says which document
    (e.g. "委托书 2026-12-01, 身份证核对")."""
    if vote_id is not None:
        vote = _vote(ctx, vote_id)
        if vote.status not in PENDING_VOTE:
            raise DomainError("vote.not_open")
    person = db.session.get(Participant, participant_id)
    if person is None or person.meeting_id != ctx.meeting.id:
        raise DomainError("participant.not_found")
    if person.status not in IN_MEETING:
        raise DomainError("participant.wrong_status", status=person.status)
    _owner_weight(rosters.meeting_version_id(ctx.meeting), owner_key)  # in the roster
    if person.owner_key == owner_key:
        raise DomainError("proxy.own_unit")
    if db.session.execute(db.select(Proxy.id).filter_by(
            meeting_id=ctx.meeting.id, owner_key=owner_key, status=ProxyStatus.ACTIVE)).first():
        raise DomainError("proxy.already_held", owner_key=owner_key)
    proxy = Proxy(meeting_id=ctx.meeting.id, participant_id=person.id, owner_key=owner_key,
                  note=note, vote_id=vote_id, status=ProxyStatus.ACTIVE, recorded_at=ctx.now)
    db.session.add(proxy)
    ctx.changed(proxy)
    checkin_changed(ctx)
    return Outcome("proxy.recorded", {"proxy_id": proxy.id, "participant_id": person.id,
                                      "name": person.name, "owner_key": owner_key,
                                      "note": note, "vote_id": vote_id}, {"proxy_id": proxy.id})


@command("proxy.revoke", events=("proxy.revoked",), roles=CHAIR, states=NOT_ENDED, schema={"id": _id})
def revoke_proxy(ctx: Context, id: int) -> Outcome:
    proxy = db.session.get(Proxy, id)
    if proxy is None or proxy.meeting_id != ctx.meeting.id:
        raise DomainError("proxy.not_found")
    if proxy.status != ProxyStatus.ACTIVE:
        raise DomainError("proxy.revoked")
    proxy.status = ProxyStatus.REVOKED
    proxy.revoked_at = ctx.now
    ctx.changed(proxy)
    checkin_changed(ctx)
    return Outcome("proxy.revoked", {"proxy_id": proxy.id, "owner_key": proxy.owner_key})


# --------------------------------------------------------------------------- a phone's view

def phone_ballot_status(meeting_id: int, participant_id: int) -> dict:
    """For a phone's open votes: whom it may vote for (itself, its proxies), whether each has
    voted, and — in a named vote only — what. Read-only; the phone asks after (re)connecting."""
    person = db.session.get(Participant, participant_id)
    if person is None or person.meeting_id != meeting_id:
        return {}
    proxies = db.session.execute(db.select(Proxy).filter_by(
        meeting_id=meeting_id, participant_id=person.id, status=ProxyStatus.ACTIVE)
        .order_by(Proxy.id)).scalars().all()
    out = {}
    for vote in db.session.execute(db.select(Vote).filter_by(
            meeting_id=meeting_id, status=VoteStatus.OPEN, channel="meeting")).scalars():
        areas = counting.owner_areas(vote.roster_version_id)
        identities = []
        candidates = [(None, person.owner_key if person.owner_key in areas else None)]
        candidates += [(proxy.id, proxy.owner_key) for proxy in proxies
                       if proxy.vote_id in (None, vote.id)]
        for proxy_id, owner_key in candidates:
            refusal = counting.may_vote(vote, party=person.party, participant_id=person.id,
                                        owner_key=owner_key, via_proxy=proxy_id is not None,
                                        verified=proxy_id is not None
                                        or person.verified_via is not None)
            voter_key = owner_key or f"p{person.id}"
            cast = db.session.execute(db.select(VoteParticipation).filter_by(
                vote_id=vote.id, voter_key=voter_key)).scalar_one_or_none()
            choices = None
            if cast is not None and not vote.secret:
                choices = db.session.execute(db.select(Ballot.choices).filter_by(
                    vote_id=vote.id, voter_key=voter_key)).scalar()
            # A co-owned unit has one vote: another co-owner's phone sees who cast it.
            by_other = cast is not None and cast.cast_by_id not in (None, person.id)
            cast_by = ""
            if by_other:
                other = db.session.get(Participant, cast.cast_by_id)
                cast_by = other.name if other else ""
            identities.append({"proxy_id": proxy_id, "eligible": refusal is None,
                               "reason": refusal, "voted": cast is not None,
                               "cast_by_me": cast is not None and not by_other,
                               "cast_by": cast_by, "choices": choices})
        out[str(vote.id)] = identities
    return out
