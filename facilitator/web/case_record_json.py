"""The case record as JSON for the API (docs/api.md, "The case record"): codes, not labels."""
from __future__ import annotations

from .. import clock
from ..clock import to_epoch_ms
from ..domain.case_lifecycle import CaseState, allowed_transitions, reason_required
from ..domain.voting import format_yuan
from ..errors import DomainError
from ..extensions import db
from ..models import Case
from ..models.case_record import ActionItemUpdate, CaseTransition
from .case_views import case_items, item_rows


def _user(row) -> dict | None:
    if row.user_id is None and not row.user_name:
        return None
    return {"id": row.user_id, "name": row.user_name}


def state_json(encoded: str) -> dict:
    try:
        state = CaseState.decode(encoded)
    except DomainError:
        return {"stage": None, "level": None, "resume": None}
    return {"stage": str(state.stage), "level": str(state.level),
            "resume": str(state.resume) if state.resume else None}


def transitions_json(case: Case) -> dict:
    try:
        state = CaseState.decode(case.status)
        allowed = [{"event": str(event), "to": target.encode(),
                    "reason_required": reason_required(state.stage, event)}
                   for event, target in allowed_transitions(state).items()]
    except DomainError:
        allowed = []
    rows = db.session.execute(db.select(CaseTransition).filter_by(case_id=case.id)
                              .order_by(CaseTransition.id)).scalars()
    return {
        "case_id": case.id, "status": case.status, "state": state_json(case.status),
        "allowed": allowed,
        "transitions": [{"id": row.id, "from": row.from_state, "to": row.to_state,
                         "event": row.event, "note": row.note, "context": row.context or {},
                         "user": _user(row), "at": to_epoch_ms(row.at)} for row in rows],
    }


def _amount(fen: int | None) -> str | None:
    return None if fen is None else format_yuan(fen).replace(",", "")


def update_json(row: ActionItemUpdate) -> dict:
    return {"id": row.id, "reported_on": row.reported_on.isoformat(),
            "status_from": row.status_from, "status_to": row.status_to, "note": row.note,
            "evidence": row.evidence, "reporter": row.reporter,
            "reporter_party": row.reporter_party, "blocked": row.blocked,
            "escalated": row.escalated, "user": _user(row), "at": to_epoch_ms(row.at)}


def action_items_json(case: Case) -> dict:
    today = clock.today()
    rows = item_rows(case_items(case), today, with_updates=True)
    return {
        "case_id": case.id, "today": today.isoformat(),
        "action_items": [{
            "id": r.item.id, "meeting_id": r.item.meeting_id, "number": r.item.number,
            "what": r.item.what, "party": r.item.party, "person": r.item.person,
            "organisation": r.item.organisation,
            "due_on": r.item.due_on.isoformat() if r.item.due_on else None,
            "amount_cny": _amount(r.item.amount_fen), "funding_source": r.item.funding_source,
            "acceptance": r.item.acceptance, "status": r.item.status, "flags": r.flags,
            "days_overdue": r.days_overdue,
            "updates": [update_json(u) for u in r.updates],
        } for r in rows],
    }
