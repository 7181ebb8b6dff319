"""Repair plans (方案): created and amended by the chair, proposed from a phone.

Every change is kept as a revision (who, when, which fields from what to what), also when the
plan is amended during the meeting; a plan in an open vote cannot change under the voters.
Money is in fen; the funding sources must add up to the total.
"""
from __future__ import annotations

import string

from ..domain.voting import Matter
from ..errors import DomainError
from ..extensions import db
from ..models import Participant
from ..domain.parties import PARTIES
from ..domain.statuses import NOT_ENDED, ParticipantStatus, PlanStatus, VoteStatus
from ..models.votes import FUNDING_SOURCES, Plan, PlanRevision, Vote
from ..validation import Field, optional
from .core import CHAIR, PHONE, Context, Outcome, command
from ..contract import Datum, event

MATTERS = tuple(m.value for m in Matter)
MAX_PLANS = 26  # plans with a letter: what the chair creates and accepts
MAX_PENDING_PROPOSALS = 3  # per phone
MAX_PENDING_PROPOSALS_PER_MEETING = 30  # the chair's list of proposals to accept or decline

_fields = {
    "title": Field("str", max_len=200),
    "description": optional("text", max_len=5000, default=""),
    "total": Field("money"),
    "funding": Field("money_map", required=False, default=None, max_len=len(FUNDING_SOURCES),
                     choices=FUNDING_SOURCES),
    "duration_days": Field("int", required=False, default=None, min=1, max=3650),
    "risks": optional("text", max_len=5000, default=""),
    "matters": Field("str_list", required=False, default=None, max_len=len(MATTERS),
                     min_len=0, choices=MATTERS),
}
_key = Field("str", required=False, default=None, max_len=4)
_id = Field("int", min=1)

# The fields a revision records, as the view names them.
_REVISED = ("key", "title", "description", "proposer", "proposer_party", "total", "funding",
            "duration_days", "risks", "matters", "status")


def _plan(ctx: Context, plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.meeting_id != ctx.meeting.id:
        raise DomainError("plan.not_found")
    return plan


def _values(plan: Plan) -> dict:
    return {"key": plan.key, "title": plan.title, "description": plan.description,
            "proposer": plan.proposer, "proposer_party": plan.proposer_party,
            "total": plan.total_fen, "funding": dict(plan.funding or {}),
            "duration_days": plan.duration_days, "risks": plan.risks,
            "matters": list(plan.matters or []), "status": plan.status}


def _check_funding(total: int, funding: dict) -> None:
    added = sum(funding.values())
    if added != total:
        raise DomainError("plan.funding_mismatch", total=_yuan(total), sum=_yuan(added))


def _yuan(fen: int) -> str:
    from ..domain.voting import format_yuan
    return format_yuan(fen)


def _clean_matters(matters) -> list[str]:
    return list(dict.fromkeys(matters or []))


def _check_key(ctx: Context, key: str, plan_id: int | None = None) -> str:
    key = key.upper()
    if not (key.isascii() and key.isalnum()):
        raise DomainError("plan.bad_key")
    taken = db.session.execute(db.select(Plan.id).filter(
        Plan.meeting_id == ctx.meeting.id, Plan.key == key, Plan.id != (plan_id or 0))).first()
    if taken:
        raise DomainError("plan.key_taken", key=key)
    return key


def _next_key(ctx: Context) -> str:
    used = set(db.session.execute(db.select(Plan.key).filter(
        Plan.meeting_id == ctx.meeting.id, Plan.key.is_not(None))).scalars())
    for letter in string.ascii_uppercase:
        if letter not in used:
            return letter
    raise DomainError("plan.too_many", max=MAX_PLANS)


def _revise(ctx: Context, plan: Plan, kind: str, changes: dict, note: str = "") -> PlanRevision:
    number = len(plan.revisions) + 1
    revision = PlanRevision(number=number, kind=kind, actor=ctx.actor.label,
                            actor_name=ctx.actor_name(), at=ctx.now, changes=changes,
                            note=note)
    plan.revisions.append(revision)
    plan.revision = number
    plan.updated_at = ctx.now
    return revision


def _in_open_vote(ctx: Context, plan: Plan) -> bool:
    for vote in db.session.execute(db.select(Vote).filter_by(
            meeting_id=ctx.meeting.id, status=VoteStatus.OPEN)).scalars():
        if vote.plan_id == plan.id or any(o.get("plan_id") == plan.id for o in vote.options):
            return True
    return False


def _count_plans(ctx: Context, status: str) -> int:
    return db.session.execute(db.select(db.func.count(Plan.id)).filter_by(
        meeting_id=ctx.meeting.id, status=status)).scalar()


def _created(ctx: Context, plan: Plan, kind: str, event_type: str) -> Outcome:
    db.session.add(plan)
    _revise(ctx, plan, kind, {k: [None, v] for k, v in _values(plan).items()
                              if v not in (None, "", [], {})})
    ctx.changed(plan)
    return Outcome(event_type, {"plan_id": plan.id, **_values(plan)},
                   {"plan_id": plan.id, "key": plan.key})



# --- events ------------------------------------------------------------------------------------
_plan_data = {"plan_id": Datum("id"), "key": Datum("str", null=True), "title": Datum("str"),
         "description": Datum("str"), "proposer": Datum("str"),
         "proposer_party": Datum("str", null=True), "total": Datum("int", doc="fen"),
         "funding": Datum("object", doc="source → fen"),
         "duration_days": Datum("int", null=True), "risks": Datum("str"),
         "matters": Datum("strs"), "status": Datum("str")}
event("plan.created", data=_plan_data)
event("plan.proposed", data=_plan_data)
event("plan.edited", data={"plan_id": Datum("id"), "key": Datum("str", null=True),
                           "revision": Datum("int"),
                           "changes": Datum("object", doc="field → [before, after]"),
                           "note": Datum("str")})
event("plan.accepted", data={"plan_id": Datum("id"), "key": Datum("str"), "title": Datum("str"),
                             "proposer": Datum("str")})
event("plan.declined", data={"plan_id": Datum("id"), "title": Datum("str"),
                             "proposer": Datum("str"), "reason": Datum("str")})


@command("plan.create", events=("plan.created",), result=("plan_id", "key"), roles=CHAIR, states=NOT_ENDED, schema={
    "key": _key, **_fields,
    "proposer": optional("str", max_len=60, default=""),
    "proposer_party": optional("str", choices=PARTIES)})
def create_plan(ctx: Context, key, title, description, total, funding, duration_days, risks,
                matters, proposer, proposer_party) -> Outcome:
    # Proposals from phones wait in a list of their own: they never take the chair's letters.
    if _count_plans(ctx, PlanStatus.ACCEPTED) >= MAX_PLANS:
        raise DomainError("plan.too_many", max=MAX_PLANS)
    funding = funding or {}
    _check_funding(total, funding)
    plan = Plan(meeting_id=ctx.meeting.id, status=PlanStatus.ACCEPTED,
                key=_check_key(ctx, key) if key else _next_key(ctx), title=title,
                description=description, proposer=proposer, proposer_party=proposer_party,
                total_fen=total, funding=funding, duration_days=duration_days, risks=risks,
                matters=_clean_matters(matters), created_at=ctx.now, updated_at=ctx.now)
    return _created(ctx, plan, "created", "plan.created")


@command("plan.propose", events=("plan.proposed",), result=("plan_id", "key"), roles=PHONE, schema={
    **_fields, "total": Field("money", required=False, default=0)})
def propose_plan(ctx: Context, title, description, total, funding, duration_days, risks,
                 matters) -> Outcome:
    """A participant proposes a plan from the phone; the chair accepts or declines it."""
    person = db.session.get(Participant, ctx.actor.participant_id)
    if person is None or person.status != ParticipantStatus.ADMITTED:
        raise DomainError("participant.not_admitted")
    pending = db.session.execute(db.select(db.func.count(Plan.id)).filter_by(
        meeting_id=ctx.meeting.id, proposed_by_id=person.id, status=PlanStatus.PROPOSED)).scalar()
    if pending >= MAX_PENDING_PROPOSALS:
        raise DomainError("plan.too_many_proposals", max=MAX_PENDING_PROPOSALS)
    if _count_plans(ctx, PlanStatus.PROPOSED) >= MAX_PENDING_PROPOSALS_PER_MEETING:
        raise DomainError("plan.proposals_full", max=MAX_PENDING_PROPOSALS_PER_MEETING)
    funding = funding or {}
    if funding:
        _check_funding(total, funding)
    plan = Plan(meeting_id=ctx.meeting.id, status=PlanStatus.PROPOSED, key=None, title=title,
                description=description, proposer=person.name, proposer_party=person.party,
                proposed_by_id=person.id, total_fen=total, funding=funding,
                duration_days=duration_days, risks=risks, matters=_clean_matters(matters),
                created_at=ctx.now, updated_at=ctx.now)
    return _created(ctx, plan, "proposed", "plan.proposed")


@command("plan.edit", events=("plan.edited",), result=("revision",), roles=CHAIR, states=NOT_ENDED, schema={
    "id": _id, "key": _key,
    **{name: Field(f.kind, required=False, default=None, max_len=f.max_len, min_len=f.min_len,
                   choices=f.choices, min=f.min, max=f.max) for name, f in _fields.items()},
    "proposer": optional("str", max_len=60),
    "proposer_party": optional("str", choices=PARTIES),
    "note": optional("str", max_len=500, default="")})
def edit_plan(ctx: Context, id: int, note: str, **fields) -> Outcome:
    """An amendment: any of the plan's fields; the revision records what changed."""
    plan = _plan(ctx, id)
    if plan.status == PlanStatus.DECLINED:
        raise DomainError("plan.declined")
    if _in_open_vote(ctx, plan):
        raise DomainError("plan.in_open_vote")
    before = _values(plan)
    if fields.get("key") is not None:
        if plan.status != PlanStatus.ACCEPTED:
            raise DomainError("plan.not_accepted")
        plan.key = _check_key(ctx, fields["key"], plan.id)
    for name, attribute in (("title", "title"), ("description", "description"),
                            ("duration_days", "duration_days"), ("risks", "risks"),
                            ("proposer", "proposer"), ("proposer_party", "proposer_party")):
        if fields.get(name) is not None:
            setattr(plan, attribute, fields[name])
    if fields.get("total") is not None:
        plan.total_fen = fields["total"]
    if fields.get("funding") is not None:
        plan.funding = fields["funding"]
    if fields.get("matters") is not None:
        plan.matters = _clean_matters(fields["matters"])
    after = _values(plan)
    changes = {k: [before[k], after[k]] for k in _REVISED if before[k] != after[k]}
    if not changes:
        raise DomainError("command.no_change")
    if "total" in changes or "funding" in changes:
        if plan.funding or plan.status == PlanStatus.ACCEPTED:
            _check_funding(plan.total_fen, dict(plan.funding or {}))
    revision = _revise(ctx, plan, "edited", changes, note)
    ctx.changed(plan)
    return Outcome("plan.edited", {"plan_id": plan.id, "key": plan.key,
                                   "revision": revision.number, "changes": changes,
                                   "note": note}, {"revision": revision.number})


@command("plan.accept", events=("plan.accepted",), result=("plan_id", "key"), roles=CHAIR, states=NOT_ENDED, schema={"id": _id, "key": _key})
def accept_plan(ctx: Context, id: int, key) -> Outcome:
    plan = _plan(ctx, id)
    if plan.status != PlanStatus.PROPOSED:
        raise DomainError("plan.not_proposed")
    if db.session.execute(db.select(db.func.count(Plan.id)).filter_by(
            meeting_id=ctx.meeting.id, status=PlanStatus.ACCEPTED)).scalar() >= MAX_PLANS:
        raise DomainError("plan.too_many", max=MAX_PLANS)
    plan.key = _check_key(ctx, key, plan.id) if key else _next_key(ctx)
    _check_funding(plan.total_fen, dict(plan.funding or {}))
    plan.status = PlanStatus.ACCEPTED
    _revise(ctx, plan, "accepted", {"status": [PlanStatus.PROPOSED, PlanStatus.ACCEPTED],
                                    "key": [None, plan.key]})
    ctx.changed(plan)
    return Outcome("plan.accepted", {"plan_id": plan.id, "key": plan.key, "title": plan.title,
                                     "proposer": plan.proposer},
                   {"plan_id": plan.id, "key": plan.key})


@command("plan.decline", events=("plan.declined",), roles=CHAIR, states=NOT_ENDED, schema={
    "id": _id, "reason": optional("str", max_len=500, default="")})
def decline_plan(ctx: Context, id: int, reason: str) -> Outcome:
    plan = _plan(ctx, id)
    if plan.status != PlanStatus.PROPOSED:
        raise DomainError("plan.not_proposed")
    plan.status = PlanStatus.DECLINED
    plan.decline_reason = reason
    _revise(ctx, plan, "declined", {"status": [PlanStatus.PROPOSED, PlanStatus.DECLINED]},
            reason)
    ctx.changed(plan)
    return Outcome("plan.declined", {"plan_id": plan.id, "title": plan.title,
                                     "proposer": plan.proposer, "reason": reason})
