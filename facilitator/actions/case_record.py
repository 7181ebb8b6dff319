"""The case record: life-cycle transitions, progress updates of agreed items, feedback.

Same rules as the meeting commands: validate everything first, change nothing on a refusal,
one transaction (the row that records the change and the change itself commit together).
"""
from __future__ import annotations

from datetime import date

from .. import clock
from ..domain import action_items as follow_up
from ..domain import case_dates
from ..domain.case_lifecycle import CONFIRMERS, MAX_NOTE, CaseState, Event, transition
from ..errors import DomainError
from ..extensions import db
from ..models import ActionItem, Case, Meeting, User
from ..models.case_record import (FEEDBACK_CHANNELS, SATISFACTION, ActionItemUpdate,
                                  CaseFeedback, CaseTransition)
from ..domain.parties import PARTIES
from ..validation import Field, optional, validate
from .cases import meeting_day, received_on

TRANSITION_SCHEMA = {
    "event": Field("str", max_len=40),
    # The state the page showed: a transition made meanwhile by someone else is not repeated.
    "from_state": optional("str", max_len=40),
    "note": optional("text", max_len=MAX_NOTE, default=""),
    "confirmed_by": optional("str", choices=CONFIRMERS),
}

UPDATE_SCHEMA = {
    "reported_on": Field("date"),
    "status": optional("str", max_len=20),
    "note": Field("text", max_len=2000),
    "evidence": optional("text", max_len=2000, default=""),
    "reporter": optional("str", max_len=100, default=""),
    "reporter_party": optional("str", choices=PARTIES),
    "blocked": optional("bool", default=False),
    "escalated": optional("bool", default=False),
}

FEEDBACK_SCHEMA = {
    "told_on": Field("date"),
    "told_via": Field("str", max_len=20, choices=FEEDBACK_CHANNELS),
    "told_by": Field("str", max_len=100),
    "complainants": optional("str", max_len=200, default=""),
    "satisfaction": Field("str", max_len=24, choices=SATISFACTION),
    "comment": optional("text", max_len=2000, default=""),
}


def _who(user: User | None) -> dict:
    return {"user_id": user.id if user else None, "user_name": user.display_name if user else ""}


# --------------------------------------------------------------------------- transitions

def apply_transition(case: Case, values: dict, user: User | None) -> CaseTransition:
    """Move the case by one event of the life cycle, recording it; or refuse and change nothing.

    The status is changed with a conditional UPDATE (… WHERE status = the state read): two
    people pressing buttons at once cannot both move the case from the same state.
    """
    clean = validate(TRANSITION_SCHEMA, values)
    db.session.refresh(case)
    current = case.status
    if clean.get("from_state") is not None and clean["from_state"] != current:
        raise DomainError("case.state_changed")
    event = clean["event"]
    context = {"confirmed_by": clean["confirmed_by"]} if clean.get("confirmed_by") else {}
    target = transition(current, event, note=clean["note"], context=context)
    if Event(event) == Event.START_MONITORING and not feedback_since_acceptance(case):
        raise DomainError("case.feedback_required")
    changed = db.session.execute(
        db.update(Case).where(Case.id == case.id, Case.status == current)
        .values(status=target.encode()).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        db.session.rollback()
        raise DomainError("case.state_changed")
    row = CaseTransition(case_id=case.id, from_state=current, to_state=target.encode(),
                         event=str(Event(event)), note=clean["note"].strip(), context=context,
                         **_who(user))
    db.session.add(row)
    db.session.commit()
    db.session.refresh(case)
    return row


def feedback_since_acceptance(case: Case) -> bool:
    """Whether the complainants were told the outcome since the works were last accepted
    (事事有回音: a case is not monitored, let alone closed, before they heard back)."""
    accepted_at = db.session.execute(
        db.select(db.func.max(CaseTransition.at)).filter_by(case_id=case.id,
                                                            event=str(Event.ACCEPT_WORKS))
    ).scalar()
    query = db.select(CaseFeedback.id).filter(CaseFeedback.case_id == case.id)
    if accepted_at is not None:
        query = query.filter(CaseFeedback.at >= accepted_at)
    return db.session.execute(query.limit(1)).first() is not None


def case_state(case: Case) -> CaseState:
    return CaseState.decode(case.status)


# --------------------------------------------------------------------------- action items

def agreed_on(item: ActionItem) -> date:
    """The day an agreed item was agreed: the day of its meeting."""
    meeting = db.session.get(Meeting, item.meeting_id)
    if meeting.opened_at is None and meeting.scheduled_start is None:
        return clock.local_date(item.created_at)
    return meeting_day(meeting)


def latest_update(item: ActionItem) -> ActionItemUpdate | None:
    return db.session.execute(db.select(ActionItemUpdate).filter_by(action_item_id=item.id)
                              .order_by(ActionItemUpdate.id.desc()).limit(1)).scalar_one_or_none()


def record_update(item: ActionItem, values: dict, user: User | None) -> ActionItemUpdate:
    """A progress report on an agreed item; it may change the item's status and flags."""
    clean = validate(UPDATE_SCHEMA, values)
    case_dates.check_report("reported_on", clean["reported_on"], agreed_on(item), clock.today())
    current = item.status
    new = follow_up.check_status_change(current, clean.get("status") or current)
    update = ActionItemUpdate(
        action_item_id=item.id, case_id=item.case_id, reported_on=clean["reported_on"],
        status_from=current, status_to=new, note=clean["note"].strip(),
        evidence=clean["evidence"].strip(), reporter=clean["reporter"],
        reporter_party=clean.get("reporter_party"), blocked=clean["blocked"],
        escalated=clean["escalated"], **_who(user))
    changed = db.session.execute(
        db.update(ActionItem).where(ActionItem.id == item.id, ActionItem.status == current)
        .values(status=new).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        db.session.rollback()
        raise DomainError("action_item.changed")
    db.session.add(update)
    db.session.commit()
    db.session.refresh(item)
    return update


# --------------------------------------------------------------------------- feedback

def record_feedback(case: Case, values: dict, user: User | None) -> CaseFeedback:
    clean = validate(FEEDBACK_SCHEMA, values)
    case_dates.check_feedback("told_on", clean["told_on"], received_on(case), clock.today())
    feedback = CaseFeedback(case_id=case.id, **{**clean, "comment": clean["comment"].strip()},
                            **_who(user))
    db.session.add(feedback)
    db.session.commit()
    return feedback
