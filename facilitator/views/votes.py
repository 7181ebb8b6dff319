"""Full (unredacted) JSON views of plans, votes and proxies (see views.py for the idea).

A plan's view carries its money as the owners need to read it (the numbers come from the
pure facilitator.domain.voting, integers only: docs/architecture.md §5): the whole cost
per m² of the roster's area, the share of the maintenance fund (and of a levy) per m² and
for each unit size of the roster, and the fund's balance after the draw against the top-up
floor. Amounts are in fen, areas in hundredths of m².
"""
from __future__ import annotations

from .. import rosters
from ..domain.voting import (format_rate_per_m2, format_yuan, fund_after_draw, owner_share,
                             parse_yuan, share_by_area)
from ..domain.statuses import PlanStatus
from ..errors import DomainError
from ..models import Case, Meeting, Participant, RosterUnit, RosterVersion
from ..clock import to_epoch_ms
from ..models.votes import Plan, Proxy, Vote
from ..extensions import db


def _fund_facts(case: Case) -> dict | None:
    """The case's maintenance fund (case.details["maintenance_fund"]) in fen, or None."""
    fund = (case.details or {}).get("maintenance_fund") or {}
    try:
        balance = parse_yuan(str(fund["balance_cny"]))
        initial = parse_yuan(str(fund["initial_deposit_cny"]))
    except (KeyError, DomainError):
        return None
    percent = fund.get("floor_percent", 30)
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        percent = 30
    return {"balance": balance, "initial_deposit": initial, "floor_percent": percent}


def _roster_areas(version_id: int | None) -> tuple[int, list[int]]:
    """Total area of a roster version and the distinct areas owners hold (per unit, and
    summed for owners with several units), smallest first."""
    rows = db.session.execute(db.select(RosterUnit.owner_key, RosterUnit.area_hundredths)
                              .filter_by(version_id=version_id)).all()
    by_owner: dict[str, int] = {}
    for key, area in rows:
        by_owner[key] = by_owner.get(key, 0) + area
    areas = {area for _, area in rows} | set(by_owner.values())
    return sum(area for _, area in rows), sorted(areas)


def _share_table(fen: int, total_area: int, areas: list[int]) -> dict:
    return {"amount": fen, "rate_per_m2": format_rate_per_m2(fen, total_area),
            "scope_area": total_area,
            "shares": [{"area": area, "fen": share_by_area(fen, area, total_area)}
                       for area in areas]}


def plan_money(plan: Plan, meeting: Meeting) -> dict:
    case = meeting.case
    funding = funding_of(plan)
    draw = funding.get("maintenance_fund", 0)
    levy = funding.get("owner_levy", 0)
    money = {"total": plan.total_fen, "funding": funding, "fund_share": None,
             "levy_share": None, "fund": None, "total_per_m2": None, "scope_area": None}
    total_area, areas = _roster_areas(rosters.meeting_version_id(meeting))
    if total_area > 0:
        # The whole cost over the roster's total exclusive area, as the screens show it
        # beside the total: CNY per m² to the fen (the fund's and levy's rates keep 3 places).
        money["total_per_m2"] = format_rate_per_m2(plan.total_fen, total_area, decimals=2)
        money["scope_area"] = total_area
        if draw:
            money["fund_share"] = _share_table(draw, total_area, areas)
        if levy:
            money["levy_share"] = _share_table(levy, total_area, areas)
    facts = _fund_facts(case)
    if facts is not None:
        try:
            status = fund_after_draw(facts["balance"], draw, facts["initial_deposit"],
                                     facts["floor_percent"])
            money["fund"] = {"balance_before": status.balance_before, "draw": status.draw,
                             "balance_after": status.balance_after,
                             "initial_deposit": status.initial_deposit,
                             "floor_percent": facts["floor_percent"], "floor": status.floor,
                             "below_floor": status.below_floor, "top_up": status.top_up,
                             "overdraw": False}
        except DomainError:  # fund.overdraw: the plan asks more than the fund holds
            money["fund"] = {"balance_before": facts["balance"], "draw": draw,
                             "balance_after": None, "initial_deposit": facts["initial_deposit"],
                             "floor_percent": facts["floor_percent"], "floor": None,
                             "below_floor": True, "top_up": None, "overdraw": True}
    return money


def plan_warnings(plan: Plan, money: dict) -> list[str]:
    """What the moderator should look at before a vote (catalog keys plan_warning.*)."""
    funding = money["funding"]
    matters = set(plan.matters or [])
    warnings = []
    if funding.get("maintenance_fund") and "use_fund" not in matters:
        warnings.append("fund_without_use_fund")
    if funding.get("owner_levy") and "raise_fund" not in matters:
        warnings.append("levy_without_raise_fund")
    fund = money["fund"]
    if fund and fund["overdraw"]:
        warnings.append("fund_overdraw")
    elif fund and fund["below_floor"]:
        warnings.append("fund_below_floor")
    return warnings


def plan_view(plan: Plan) -> dict:
    meeting = db.session.get(Meeting, plan.meeting_id)
    money = plan_money(plan, meeting)
    return {
        "id": plan.id,
        "key": plan.key,
        "status": plan.status,
        "title": plan.title,
        "description": plan.description,
        "proposer": plan.proposer,
        "proposer_party": plan.proposer_party,
        "proposed_by_id": plan.proposed_by_id,
        "total": plan.total_fen,
        "funding": money["funding"],
        "duration_days": plan.duration_days,
        "risks": plan.risks,
        "matters": list(plan.matters or []),
        "decline_reason": plan.decline_reason,
        "revision": plan.revision,
        "revisions": [{"number": r.number, "kind": r.kind, "by": r.actor_name,
                       "at": to_epoch_ms(r.at), "changes": r.changes, "note": r.note}
                      for r in plan.revisions],
        "money": money,
        "warnings": plan_warnings(plan, money),
    }


def funding_of(plan: Plan) -> dict[str, int]:
    return {key: int(value) for key, value in (plan.funding or {}).items()}


def written_plans(vote: Vote) -> tuple[list[tuple[dict, Plan | None]], Plan | None, int]:
    """An open vote's options with their plans, the motion's plan (yes_no), and the area the
    plans' costs are shared over (the vote's roster version): the figures the owner's ballot
    page and the ballot papers show alike."""
    version = db.session.get(RosterVersion, vote.roster_version_id) \
        if vote.roster_version_id else None
    options = [(option, db.session.get(Plan, option["plan_id"]) if option.get("plan_id")
                else None) for option in vote.options or []]
    motion = db.session.get(Plan, vote.plan_id) if vote.plan_id else None
    return options, motion, version.area_hundredths if version else 0


def own_share_text(plan: Plan | None, area: int, total_area: int) -> str:
    """An owner's share of a plan's owners' money in CNY ("4,754.03"), "" without one."""
    if plan is None or not area or not total_area:
        return ""
    return format_yuan(owner_share(funding_of(plan), area, total_area).total)


def own_shares(meeting: Meeting, person: Participant) -> dict | None:
    """A phone's own shares of the meeting's accepted plans (docs/protocol.md §13, `shares`),
    for that phone alone: no other screen may learn an owner's area or what they pay.

    The units are the owner's in the meeting's roster version: the one claimed at joining,
    and every unit of the owner once verified (a personal link, the desk), since a claim
    alone must not tell whoever made it which other units the owner holds. Each unit's
    share and the owner's (of the summed area, as an owner counts in the plans' tables and
    in the votes) come from domain.voting.owner_share, like every other figure of a plan.
    None for someone with no unit of the roster (not an owner, or a meeting without one)."""
    version_id = rosters.meeting_version_id(meeting)
    if version_id is None or person.owner_key is None:
        return None
    query = db.select(RosterUnit.unit, RosterUnit.area_hundredths).filter_by(
        version_id=version_id, owner_key=person.owner_key)
    if person.verified_via is None:
        query = query.filter_by(unit=person.unit)
    units = db.session.execute(query.order_by(RosterUnit.id)).all()
    if not units:
        return None
    total_area = db.session.get(RosterVersion, version_id).area_hundredths
    area = sum(unit_area for _, unit_area in units)

    def figures(share) -> dict:
        return {"fund": share.fund, "levy": share.levy, "total": share.total}

    plans = db.session.execute(db.select(Plan).filter_by(meeting_id=meeting.id,
                                                         status=PlanStatus.ACCEPTED)
                               .order_by(Plan.id)).scalars()
    return {"roster_version_id": version_id,
            "units": [{"unit": unit, "area": unit_area} for unit, unit_area in units],
            "area": area,
            "plans": {str(plan.id): {
                "key": plan.key,
                **figures(owner_share(funding_of(plan), area, total_area)),
                "units": [{"unit": unit, **figures(owner_share(funding_of(plan), unit_area,
                                                               total_area))}
                          for unit, unit_area in units]} for plan in plans}}


def proxy_view(proxy: Proxy) -> dict:
    meeting = db.session.get(Meeting, proxy.meeting_id)
    units = db.session.execute(db.select(RosterUnit).filter_by(
        version_id=rosters.meeting_version_id(meeting), owner_key=proxy.owner_key)
        .order_by(RosterUnit.id)).scalars().all()
    return {
        "id": proxy.id,
        "participant_id": proxy.participant_id,
        "owner_key": proxy.owner_key,
        "owner_name": units[0].owner_name if units else "",
        "units": [u.unit for u in units],
        "area": sum(u.area_hundredths for u in units),
        "note": proxy.note,
        "vote_id": proxy.vote_id,
        "status": proxy.status,
        "recorded_at": to_epoch_ms(proxy.recorded_at),
        "revoked_at": to_epoch_ms(proxy.revoked_at),
    }


def vote_view(vote: Vote) -> dict:
    return {
        "id": vote.id,
        "number": vote.number,
        "kind": vote.kind,
        "binding": vote.kind == "owners_decision",
        "method": vote.method,
        "title": vote.title,
        "question": vote.question,
        "options": list(vote.options or []),
        "plan_id": vote.plan_id,
        "matters": list(vote.matters or []),
        "option_matters": dict(vote.option_matters or {}),
        "plan_revisions": dict(vote.plan_revisions or {}),
        "rule": vote.rule,
        "settings": vote.settings,
        "eligibility": vote.eligibility,
        "parties": list(vote.parties or []),
        "recused": list(vote.recused or []),
        "secret": vote.secret,
        "verified_only": vote.verified_only,
        "allow_change": vote.allow_change,
        "show_results": vote.show_results,
        "max_choices": vote.max_choices,
        "channel": vote.channel,
        "channel_note": vote.channel_note,
        "duration_seconds": vote.duration_seconds,
        "status": vote.status,
        "totals_entered": vote.entered_totals is not None,
        "roster_version_id": vote.roster_version_id,
        "opened_at": to_epoch_ms(vote.opened_at),
        "deadline_at": to_epoch_ms(vote.deadline_at),
        "written_since": to_epoch_ms(vote.written_since),
        "closed_at": to_epoch_ms(vote.closed_at),
        "result": vote.result,
    }


def vote_collections(meeting: Meeting) -> dict:
    """The snapshot's plans, votes and proxies of a meeting (full, unredacted)."""
    def rows(model):
        return db.session.execute(db.select(model).filter_by(meeting_id=meeting.id)
                                  .order_by(model.id)).scalars()
    return {"plans": {str(p.id): plan_view(p) for p in rows(Plan)},
            "votes": {str(v.id): vote_view(v) for v in rows(Vote)},
            "proxies": {str(p.id): proxy_view(p) for p in rows(Proxy)}}
