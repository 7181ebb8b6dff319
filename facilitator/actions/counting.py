"""Counting a vote: rows in the database → facilitator.domain.voting → plain JSON.

Read-only. The tally is always recomputed from the ballots (or, for a vote held elsewhere
and entered as totals, from those totals): there is no running counter that could drift.
Used by `vote.close` (the frozen result) and by live/tallies.py (the coalesced live tally).
"""
from __future__ import annotations

import json

from ..domain import voting
from ..domain.voting import (ABSTAIN, CIVIL_CODE, FUND_OFFICE_2007, PLURALITY, SIMPLE_MAJORITY,
                             TWO_THIRDS, Ballot, Count, Decision, Question, Tally,
                             Threshold)
from ..extensions import db
from .. import ballot_seal, rosters
from ..domain.statuses import ParticipantStatus, ProxyStatus
from ..models import Participant, RosterUnit
from ..models.votes import Ballot as BallotRow
from ..models.votes import Proxy, SealedBallot, SecretTally, Vote, VoteParticipation

SETTINGS = {"civil_code": CIVIL_CODE, "fund_office_2007": FUND_OFFICE_2007}
STRAW_RULES = {"plurality": PLURALITY, "simple_majority": SIMPLE_MAJORITY,
               "two_thirds": TWO_THIRDS}
LANGS = ("zh", "en")


# --------------------------------------------------------------------------- JSON shapes

def count_json(count: Count | None) -> dict | None:
    return None if count is None else {"owners": count.owners, "area": count.area}


def threshold_json(threshold: Threshold | None) -> dict | None:
    if threshold is None:
        return None
    return {"num": threshold.num, "den": threshold.den, "strict": threshold.strict}


def tally_json(result: Tally) -> dict:
    return {
        "method": str(result.method),
        "options": list(result.options),
        "counts": {key: count_json(count) for key, count in result.counts.items()},
        "participation": count_json(result.participation),
        "rounds": [{"counts": {k: count_json(c) for k, c in r.counts.items()},
                    "exhausted": count_json(r.exhausted), "eliminated": r.eliminated,
                    "winner": r.winner} for r in result.rounds],
        "winner": result.winner,
    }


def decision_json(decision: Decision) -> dict:
    return {
        "option": decision.option, "rule": decision.rule, "matter": decision.matter,
        "passed": decision.passed, "measures": list(decision.measures),
        "yes": count_json(decision.yes), "base": count_json(decision.base),
        "base_kind": str(decision.base_kind),
        "participation": count_json(decision.participation),
        "scope": count_json(decision.scope),
        "approval": threshold_json(decision.approval), "approval_met": decision.approval_met,
        "gate": threshold_json(decision.gate), "gate_met": decision.gate_met,
        "gate_shortfall": count_json(decision.gate_shortfall),
        "runner_up": count_json(decision.runner_up), "rounds": decision.rounds,
        "explanation": {lang: voting.explain(decision, lang) for lang in LANGS},
    }


# --------------------------------------------------------------------------- inputs

def question_of(vote: Vote) -> Question:
    keys = [option["key"] for option in vote.options]
    if vote.method == "yes_no":
        return Question.yes_no()
    if vote.method == "approval":
        return Question.approval(*keys, max_choices=vote.max_choices)
    if vote.method == "ranked":
        return Question.ranked(*keys)
    return Question.single(*keys)


def check_choices(vote: Vote, choices: list[str]) -> tuple[str, ...]:
    """The choices of one ballot, checked by the domain's own rules (vote.unknown_choice,
    vote.too_many_choices, vote.duplicate_choice, vote.abstain_mixed)."""
    voting.tally(question_of(vote), [Ballot("voter", tuple(choices), 0)])
    return tuple(choices)


def roster_version_of(vote: Vote) -> int | None:
    """The roster version a vote counts on (fixed when it opened)."""
    if vote.roster_version_id is not None:
        return vote.roster_version_id
    from ..models import Meeting
    return rosters.vote_version_id(vote, db.session.get(Meeting, vote.meeting_id))


def roster_owners(version_id: int | None) -> list[voting.Owner]:
    return voting.owners_from_roster(
        (r.unit, r.area_hundredths, r.owner_name, r.owner_key)
        for r in rosters.units_of(version_id))


def scope_of(vote: Vote) -> Count:
    """(N, A) of an owners' decision: the owners of the vote's roster version (the fund's
    charging scope), without those recused."""
    recused = set(vote.recused or [])
    return voting.scope_totals(o for o in roster_owners(roster_version_of(vote))
                               if o.key not in recused)


def secret_ballots(vote: Vote) -> list[tuple[tuple, int, int]]:
    """A secret vote's ballots as (choices, heads, area): its tallies (a closed vote) and its
    sealed ballots, opened (an open one)."""
    rows = [(tuple(json.loads(choices)), heads, area) for choices, heads, area in
            db.session.execute(db.select(SecretTally.choices, SecretTally.heads,
                                         SecretTally.area).filter_by(vote_id=vote.id))]
    for (sealed,) in db.session.execute(db.select(SealedBallot.sealed).filter_by(
            vote_id=vote.id)):
        choices, area = ballot_seal.unseal(vote.id, sealed)
        rows.append((choices, 1, area))
    return rows


def load_tally(vote: Vote) -> tuple[Tally, str]:
    """The tally, recomputed from the ballots (a secret vote's tallies of each choice, or the
    entered totals) now."""
    question = question_of(vote)
    if vote.entered_totals is not None:
        counts = {key: Count(*vote.entered_totals.get(key, (0, 0)))
                  for key in (*question.options, ABSTAIN)}
        participation = Count()
        for count in counts.values():
            participation = participation + count
        return Tally(question.method, question.options, counts, participation), "entered_totals"
    if vote.secret:
        rows = secret_ballots(vote)
    else:
        rows = db.session.execute(db.select(BallotRow.choices, BallotRow.heads,
                                            BallotRow.area).filter_by(vote_id=vote.id)).all()
    ballots = [Ballot(f"#{index}", tuple(choices), area, heads)
               for index, (choices, heads, area) in enumerate(rows)]
    return voting.tally(question, ballots), "ballots"


def participation_keys(vote: Vote) -> list[str]:
    return list(db.session.execute(db.select(VoteParticipation.voter_key)
                                   .filter_by(vote_id=vote.id)
                                   .order_by(VoteParticipation.voter_key)).scalars())


def may_vote(vote: Vote, *, party: str | None, participant_id: int | None,
             owner_key: str | None, via_proxy: bool, verified: bool) -> str | None:
    """Why this identity may not vote in `vote` (an error code), or None when it may.

    `party` and `participant_id` are those of the person casting (for a proxy: the holder);
    `owner_key` the owner voted for (own unit, or the proxy's owner), None for a non-owner;
    `verified`: whether that owner's identity was verified (check-in, personal link, a
    recorded proxy, a paper ballot staff entered).
    """
    recused = set(vote.recused or [])
    if (owner_key and owner_key in recused) or f"p{participant_id}" in recused \
            or f"party:{party}" in recused:
        return "vote.recused"
    if party == "observer" and not via_proxy:
        return "vote.observer_cannot_vote"
    if vote.eligibility in ("owners_present", "scope_owners") and not owner_key:
        return "vote.owners_only"
    if vote.eligibility == "parties":
        allowed = set(vote.parties or [])
        if owner_key and "owner" in allowed:
            return None
        if via_proxy or party not in allowed:
            return "vote.party_not_eligible"
    if vote.verified_only and owner_key and not verified:
        return "vote.verify_first"
    return None


def owner_areas(version_id: int | None) -> dict[str, int]:
    """Owner key → the summed area of their units in a roster version."""
    areas: dict[str, int] = {}
    for key, area in db.session.execute(db.select(RosterUnit.owner_key,
                                                  RosterUnit.area_hundredths)
                                        .filter_by(version_id=version_id)):
        areas[key] = areas.get(key, 0) + area
    return areas


def eligible_now(vote: Vote) -> Count:
    """Who may vote, counted as the vote counts them: for a vote over the scope's owners, the
    scope; otherwise the people admitted now who may take part (an owner once, also when
    present by proxy)."""
    if vote.eligibility == "scope_owners":
        return scope_of(vote)
    areas = owner_areas(roster_version_of(vote))
    people = {p.id: p for p in db.session.execute(
        db.select(Participant.id, Participant.party, Participant.owner_key,
                  Participant.verified_via).filter_by(
            meeting_id=vote.meeting_id, status=ParticipantStatus.ADMITTED))}
    identities = [(p, p.owner_key if p.owner_key in areas else None, False)
                  for p in people.values()]
    for proxy in db.session.execute(db.select(Proxy).filter_by(
            meeting_id=vote.meeting_id, status=ProxyStatus.ACTIVE)).scalars():
        if proxy.vote_id not in (None, vote.id):
            continue
        holder = people.get(proxy.participant_id)
        if holder is not None and proxy.owner_key in areas:
            identities.append((holder, proxy.owner_key, True))
    voters: dict[str, int] = {}
    for person, owner_key, via_proxy in identities:
        if may_vote(vote, party=person.party, participant_id=person.id, owner_key=owner_key,
                    via_proxy=via_proxy,
                    verified=via_proxy or person.verified_via is not None) is None:
            key = owner_key or f"p{person.id}"
            voters[key] = areas.get(owner_key, 0) if owner_key else 0
    return Count(len(voters), sum(voters.values()))


# --------------------------------------------------------------------------- decisions

def _best_option(result: Tally) -> str | None:
    keys = [k for k in result.options]
    if not keys:
        return None
    return max(keys, key=lambda k: (result.counts[k].owners, result.counts[k].area))


def decide_vote(vote: Vote, result: Tally, scope: Count | None) -> dict:
    """Every option decided by the vote's rule(s); the outcome and one headline sentence."""
    decisions = []
    if vote.kind == "owners_decision":
        settings = SETTINGS[vote.settings]
        options = ["yes"] if vote.method == "yes_no" else list(result.options)
        for option in options:
            matters = vote.option_matters.get(option) or vote.matters
            decided = voting.decide_option(result, option, matters, scope, settings)
            decisions.append({
                "option": option, "passed": decided.passed,
                "matters": [decision_json(d) for d in decided.decisions],
                "explanation": {lang: voting.explain_option(decided, lang) for lang in LANGS},
            })
    else:
        rule = STRAW_RULES[vote.rule or "plurality"]
        options = ["yes"] if vote.method == "yes_no" else list(result.options)
        for option in options:
            decided = voting.decide(result, option, rule, None)
            detail = decision_json(decided)
            decisions.append({"option": option, "passed": decided.passed, "matters": [detail],
                              "explanation": detail["explanation"]})
    passed = [d for d in decisions if d["passed"]]
    # A straw poll by plurality with two options sharing the top: a tie, not a rejection.
    tied = (not passed and vote.kind != "owners_decision"
            and (vote.rule or "plurality") == "plurality" and voting.tied_for_first(result))
    if passed:
        headline = passed[0]
    elif vote.method == "yes_no":
        headline = decisions[0]
    else:
        best = result.winner or _best_option(result)
        headline = next((d for d in decisions if d["option"] == best), decisions[0])
    return {"decisions": decisions,
            "outcome": {"passed": bool(passed), "options": [d["option"] for d in passed],
                        "tied": tied},
            "explanation": headline["explanation"]}


def gate_of(vote: Vote, result: Tally, scope: Count | None) -> dict | None:
    """The participation gate of an owners' decision (two-thirds of the owners and of the
    area of the scope): what is needed, and what is still missing."""
    if vote.kind != "owners_decision" or scope is None:
        return None
    settings = SETTINGS[vote.settings]
    gates = []
    for matters in [vote.matters, *vote.option_matters.values()]:
        for matter in matters or []:
            rule = voting.rule_for_matter(matter, settings)
            if rule.gate is not None:
                gates.append(rule.gate)
    if not gates:
        return None
    gate = max(gates, key=lambda t: (t.num * 1000 // t.den, not t.strict))
    part = result.participation
    needed = Count(gate.smallest_part(scope.owners), gate.smallest_part(scope.area))
    missing = Count(max(0, needed.owners - part.owners), max(0, needed.area - part.area))
    return {"threshold": threshold_json(gate), "needed": count_json(needed),
            "missing": count_json(missing), "met": missing == Count()}


def result_of(vote: Vote) -> dict:
    """Everything a closed vote says, frozen into the vote row and the vote.closed event."""
    result, source = load_tally(vote)
    scope = scope_of(vote) if vote.kind == "owners_decision" else None
    return {
        "kind": vote.kind, "binding": vote.kind == "owners_decision",
        "settings": vote.settings if vote.kind == "owners_decision" else None,
        "rule": vote.rule, "source": source,
        "tally": tally_json(result),
        "scope": count_json(scope),
        "eligible": count_json(eligible_now(vote)),
        "gate": gate_of(vote, result, scope),
        **decide_vote(vote, result, scope),
    }


def live_tally(vote: Vote) -> dict:
    """The full live tally of an open vote (the chair's view; redaction.py cuts it)."""
    result, source = load_tally(vote)
    scope = scope_of(vote) if vote.kind == "owners_decision" else None
    voted = participation_keys(vote)
    return {
        "vote_id": vote.id, "status": vote.status, "source": source,
        "ballots": len(voted) if source == "ballots" else result.participation.owners,
        "participation": count_json(result.participation),
        "eligible": count_json(eligible_now(vote)),
        "scope": count_json(scope),
        "gate": gate_of(vote, result, scope),
        "tally": tally_json(result),
        "provisional": decide_vote(vote, result, scope),
        "voted": voted,
    }
