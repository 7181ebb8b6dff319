"""The life of a case: a pure state machine (no Flask, no database).

Main line (the same steps as docs/api.md, "Life-cycle steps")::

    received → screening → accepted → investigation → preparation → meeting
      → minutes_drafted → minutes_signed → published
      → [owners' decision: decision_notice → decision_voting → decided | not_decided]
      → implementation → acceptance → feedback → monitoring → closed → reopened → …

* Screening ends in ``accepted``, or ``redirected`` / ``rejected`` with a reason (both final).
* A meeting may be adjourned back to ``preparation`` (several meetings before the minutes).
* The owners' decision is optional: ``published`` goes to ``implementation`` directly when no
  decision is needed. ``not_decided`` may start a new notice, go back to ``preparation`` for
  another consultation, or close the case with a reason.
* ``acceptance`` may send the works back to ``implementation`` with a reason.
* ``closed`` may be ``reopened`` with a reason (the problem recurs); a reopened case is
  screened or investigated again.

Side branches (from any *active* main state, i.e. not closed / rejected / redirected):

* **escalated** (三级联动): ``escalate`` raises the level community → street → district;
  ``return`` lowers it one level; back at community level the case is where it left.
* **emergency repair** (应急维修, Civil Code Art. 281(2)): ``start_emergency_repair`` (the
  hazard, as the reason) → ``emergency_review`` (the owners' committee reviews the plan) →
  ``confirm_emergency_repair`` (``context={"confirmed_by": "street_office" | "appraisal"}``)
  → ``emergency_works`` → ``settle_emergency_repair`` (acceptance and settlement audit) →
  back where it left. ``decline_emergency_repair`` (reason) ends the branch without works.
  No owners' vote is needed on this branch.

One side branch at a time: a case in an emergency repair is not escalated and vice versa
(escalating an escalated case raises its level).

State: :class:`CaseState` (``stage``, escalation ``level``, and ``resume``, the main stage a
side branch returns to). ``CaseState.encode()`` / ``decode()`` give a compact text such as
``"escalated/street/meeting"`` for a status column.

API::

    transition(state, event, *, note=None, context=None) -> CaseState
    allowed_transitions(state) -> dict[event, CaseState]

Refusals (``facilitator.errors.DomainError``):

* ``case.invalid_transition`` (from_state, event, to, allowed): the event does not apply to
  the state; ``to`` is where the event would lead (``""`` when it leads nowhere from here).
* ``case.reason_required`` (event): the event needs a non-blank ``note`` (redirect, reject,
  reopen, escalate, emergency repair start / decline, works rejected, closing undecided).
* ``case.unknown_state`` (state) / ``case.unknown_event`` (event): not in the vocabulary.
* ``case.escalation_top`` (level): already at district level.
* ``case.confirmation_required`` (allowed): an emergency repair is confirmed by the street
  office or an appraisal, named in ``context["confirmed_by"]``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from facilitator.errors import DomainError

__all__ = [
    "ACTIVE_STAGES",
    "CaseState",
    "Event",
    "Level",
    "MAIN_TRANSITIONS",
    "reason_required",
    "Stage",
    "allowed_transitions",
    "initial_state",
    "transition",
]


class Stage(StrEnum):
    RECEIVED = "received"
    SCREENING = "screening"
    ACCEPTED = "accepted"
    REDIRECTED = "redirected"
    REJECTED = "rejected"
    INVESTIGATION = "investigation"
    PREPARATION = "preparation"
    MEETING = "meeting"
    MINUTES_DRAFTED = "minutes_drafted"
    MINUTES_SIGNED = "minutes_signed"
    PUBLISHED = "published"
    DECISION_NOTICE = "decision_notice"
    DECISION_VOTING = "decision_voting"
    DECIDED = "decided"
    NOT_DECIDED = "not_decided"
    IMPLEMENTATION = "implementation"
    ACCEPTANCE = "acceptance"
    FEEDBACK = "feedback"
    MONITORING = "monitoring"
    CLOSED = "closed"
    REOPENED = "reopened"
    # side branches
    ESCALATED = "escalated"
    EMERGENCY_REVIEW = "emergency_review"
    EMERGENCY_WORKS = "emergency_works"


class Level(StrEnum):
    COMMUNITY = "community"
    STREET = "street"
    DISTRICT = "district"


class Event(StrEnum):
    START_SCREENING = "start_screening"
    ACCEPT = "accept"
    REDIRECT = "redirect"
    REJECT = "reject"
    START_INVESTIGATION = "start_investigation"
    START_PREPARATION = "start_preparation"
    OPEN_MEETING = "open_meeting"
    ADJOURN_MEETING = "adjourn_meeting"
    DRAFT_MINUTES = "draft_minutes"
    SIGN_MINUTES = "sign_minutes"
    PUBLISH_MINUTES = "publish_minutes"
    NOTICE_OWNERS_DECISION = "notice_owners_decision"
    OPEN_DECISION_VOTE = "open_decision_vote"
    RECORD_DECIDED = "record_decided"
    RECORD_NOT_DECIDED = "record_not_decided"
    SCHEDULE_MEETING = "schedule_meeting"
    START_IMPLEMENTATION = "start_implementation"
    COMPLETE_WORKS = "complete_works"
    ACCEPT_WORKS = "accept_works"
    REJECT_WORKS = "reject_works"
    START_MONITORING = "start_monitoring"
    CLOSE = "close"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    RETURN = "return"
    START_EMERGENCY_REPAIR = "start_emergency_repair"
    CONFIRM_EMERGENCY_REPAIR = "confirm_emergency_repair"
    DECLINE_EMERGENCY_REPAIR = "decline_emergency_repair"
    SETTLE_EMERGENCY_REPAIR = "settle_emergency_repair"


S, E = Stage, Event

#: The main line: (from stage, event) -> to stage.
MAIN_TRANSITIONS: Mapping[tuple[Stage, Event], Stage] = {
    (S.RECEIVED, E.START_SCREENING): S.SCREENING,
    (S.SCREENING, E.ACCEPT): S.ACCEPTED,
    (S.SCREENING, E.REDIRECT): S.REDIRECTED,
    (S.SCREENING, E.REJECT): S.REJECTED,
    (S.ACCEPTED, E.START_INVESTIGATION): S.INVESTIGATION,
    (S.INVESTIGATION, E.START_PREPARATION): S.PREPARATION,
    (S.PREPARATION, E.OPEN_MEETING): S.MEETING,
    (S.MEETING, E.ADJOURN_MEETING): S.PREPARATION,
    (S.MEETING, E.DRAFT_MINUTES): S.MINUTES_DRAFTED,
    (S.MINUTES_DRAFTED, E.SIGN_MINUTES): S.MINUTES_SIGNED,
    (S.MINUTES_SIGNED, E.PUBLISH_MINUTES): S.PUBLISHED,
    (S.PUBLISHED, E.NOTICE_OWNERS_DECISION): S.DECISION_NOTICE,
    (S.PUBLISHED, E.START_IMPLEMENTATION): S.IMPLEMENTATION,
    (S.DECISION_NOTICE, E.OPEN_DECISION_VOTE): S.DECISION_VOTING,
    (S.DECISION_VOTING, E.RECORD_DECIDED): S.DECIDED,
    (S.DECISION_VOTING, E.RECORD_NOT_DECIDED): S.NOT_DECIDED,
    (S.DECIDED, E.START_IMPLEMENTATION): S.IMPLEMENTATION,
    (S.NOT_DECIDED, E.NOTICE_OWNERS_DECISION): S.DECISION_NOTICE,
    (S.NOT_DECIDED, E.SCHEDULE_MEETING): S.PREPARATION,
    (S.NOT_DECIDED, E.CLOSE): S.CLOSED,
    (S.IMPLEMENTATION, E.COMPLETE_WORKS): S.ACCEPTANCE,
    (S.ACCEPTANCE, E.ACCEPT_WORKS): S.FEEDBACK,
    (S.ACCEPTANCE, E.REJECT_WORKS): S.IMPLEMENTATION,
    (S.FEEDBACK, E.START_MONITORING): S.MONITORING,
    (S.MONITORING, E.CLOSE): S.CLOSED,
    (S.CLOSED, E.REOPEN): S.REOPENED,
    (S.REOPENED, E.START_SCREENING): S.SCREENING,
    (S.REOPENED, E.START_INVESTIGATION): S.INVESTIGATION,
}

#: Where an event leads in general (for the refusal message when it does not apply).
_NOMINAL_TARGET: Mapping[Event, Stage] = {
    **{event: to for (_, event), to in MAIN_TRANSITIONS.items() if event != E.CLOSE},
    E.CLOSE: S.CLOSED,
    E.ESCALATE: S.ESCALATED,
    E.START_EMERGENCY_REPAIR: S.EMERGENCY_REVIEW,
    E.CONFIRM_EMERGENCY_REPAIR: S.EMERGENCY_WORKS,
}

#: Events that need a reason (``note``), on every transition they make.
_ALWAYS_REASON = frozenset({E.REDIRECT, E.REJECT, E.REOPEN, E.ESCALATE, E.START_EMERGENCY_REPAIR,
                            E.DECLINE_EMERGENCY_REPAIR, E.REJECT_WORKS})
#: (stage, event) pairs that need a reason although the event does not always.
_REASON_AT = frozenset({(S.NOT_DECIDED, E.CLOSE)})

FINAL_STAGES = frozenset({S.REDIRECTED, S.REJECTED, S.CLOSED})
SIDE_STAGES = frozenset({S.ESCALATED, S.EMERGENCY_REVIEW, S.EMERGENCY_WORKS})
#: Main stages a side branch may start from.
ACTIVE_STAGES = frozenset(s for s in Stage if s not in FINAL_STAGES | SIDE_STAGES)
CONFIRMERS = ("street_office", "appraisal")
_LEVELS = (Level.COMMUNITY, Level.STREET, Level.DISTRICT)
MAX_NOTE = 2000


def reason_required(stage: Stage, event: Event) -> bool:
    """Whether ``event`` from ``stage`` needs a reason."""
    return event in _ALWAYS_REASON or (stage, event) in _REASON_AT


@dataclass(frozen=True)
class CaseState:
    """Where a case is: its stage, escalation level, and the main stage a side branch returns to."""

    stage: Stage
    level: Level = Level.COMMUNITY
    resume: Stage | None = None

    def __post_init__(self):
        object.__setattr__(self, "stage", Stage(self.stage))
        object.__setattr__(self, "level", Level(self.level))
        if self.resume is not None:
            object.__setattr__(self, "resume", Stage(self.resume))
        side = self.stage in SIDE_STAGES
        if side != (self.resume is not None):
            raise ValueError("a side branch (and only a side branch) has a stage to resume")
        if self.resume is not None and self.resume not in ACTIVE_STAGES:
            raise ValueError(f"cannot resume {self.resume}")
        if (self.stage == S.ESCALATED) != (self.level != Level.COMMUNITY):
            raise ValueError("an escalated case is above community level, and only it")

    def encode(self) -> str:
        """``"meeting"``, ``"escalated/street/meeting"``, ``"emergency_review/investigation"``."""
        if self.stage == S.ESCALATED:
            return f"{self.stage}/{self.level}/{self.resume}"
        if self.resume is not None:
            return f"{self.stage}/{self.resume}"
        return str(self.stage)

    @classmethod
    def decode(cls, text: str) -> CaseState:
        parts = str(text).split("/")
        try:
            if len(parts) == 1:
                return cls(Stage(parts[0]))
            if len(parts) == 2:
                return cls(Stage(parts[0]), resume=Stage(parts[1]))
            if len(parts) == 3:
                return cls(Stage(parts[0]), Level(parts[1]), Stage(parts[2]))
        except ValueError:
            pass
        raise DomainError("case.unknown_state", state=str(text))

    def __str__(self) -> str:
        return self.encode()


def initial_state() -> CaseState:
    return CaseState(S.RECEIVED)


def _state(value: CaseState | Stage | str) -> CaseState:
    if isinstance(value, CaseState):
        return value
    return CaseState.decode(str(value))


def _event(value: Event | str) -> Event:
    try:
        return Event(value)
    except ValueError:
        raise DomainError("case.unknown_event", event=str(value)) from None


def _next(state: CaseState, event: Event) -> CaseState | None:
    """The state ``event`` leads to from ``state``, or ``None`` if it does not apply."""
    stage = state.stage
    if stage == S.ESCALATED:
        if event == E.ESCALATE:
            index = _LEVELS.index(state.level)
            if index + 1 >= len(_LEVELS):
                return None
            return CaseState(S.ESCALATED, _LEVELS[index + 1], state.resume)
        if event == E.RETURN:
            index = _LEVELS.index(state.level)
            if index - 1 == 0:
                return CaseState(state.resume)  # type: ignore[arg-type]
            return CaseState(S.ESCALATED, _LEVELS[index - 1], state.resume)
        return None
    if stage == S.EMERGENCY_REVIEW:
        if event == E.CONFIRM_EMERGENCY_REPAIR:
            return CaseState(S.EMERGENCY_WORKS, resume=state.resume)
        if event == E.DECLINE_EMERGENCY_REPAIR:
            return CaseState(state.resume)  # type: ignore[arg-type]
        return None
    if stage == S.EMERGENCY_WORKS:
        if event == E.SETTLE_EMERGENCY_REPAIR:
            return CaseState(state.resume)  # type: ignore[arg-type]
        return None
    if stage in ACTIVE_STAGES:
        if event == E.ESCALATE:
            return CaseState(S.ESCALATED, Level.STREET, stage)
        if event == E.START_EMERGENCY_REPAIR:
            return CaseState(S.EMERGENCY_REVIEW, resume=stage)
    target = MAIN_TRANSITIONS.get((stage, event))
    return None if target is None else CaseState(target)


def allowed_transitions(state: CaseState | Stage | str) -> dict[Event, CaseState]:
    """Every event that applies to ``state`` and where it leads (in :class:`Event` order)."""
    current = _state(state)
    allowed = {}
    for event in Event:
        target = _next(current, event)
        if target is not None:
            allowed[event] = target
    return allowed


def transition(state: CaseState | Stage | str, event: Event | str, *, note: str | None = None,
               context: Mapping[str, Any] | None = None) -> CaseState:
    """The state after ``event``, or a refusal (``DomainError``) that changes nothing.

    ``note`` is the reason where one is required (the caller records it with the event);
    ``context`` carries facts a transition checks (``confirmed_by`` for an emergency repair).
    """
    current = _state(state)
    what = _event(event)
    target = _next(current, what)
    if target is None:
        if current.stage == S.ESCALATED and what == E.ESCALATE:
            raise DomainError("case.escalation_top", level=str(current.level))
        nominal = _NOMINAL_TARGET.get(what)
        raise DomainError("case.invalid_transition", from_state=current.encode(), event=str(what),
                          to=str(nominal) if nominal is not None else "",
                          allowed=[str(e) for e in allowed_transitions(current)])
    if reason_required(current.stage, what):
        if note is None or not str(note).strip():
            raise DomainError("case.reason_required", event=str(what))
        if len(str(note)) > MAX_NOTE:
            raise DomainError("validation.too_long", field="note", max=MAX_NOTE)
    if what == E.CONFIRM_EMERGENCY_REPAIR:
        confirmed_by = (context or {}).get("confirmed_by")
        if confirmed_by not in CONFIRMERS:
            raise DomainError("case.confirmation_required", allowed=list(CONFIRMERS))
    return target
