"""What the case pages and the board show of the case record: labels of states and events, the
next steps, the agreed items with their flags, the timeline. Read-only (writes are in
facilitator.actions.case_record)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, url_for
from werkzeug.exceptions import HTTPException

from .. import clock
from ..actions import case_record as record_actions
from ..actions.result_notice import last_day
from ..domain import action_items as follow_up
from ..domain.case_lifecycle import (CaseState, Event, Stage, allowed_transitions,
                                     reason_required)
from ..domain.statuses import PlanStatus, VoteStatus
from ..domain.voting import format_yuan
from ..errors import DomainError
from ..extensions import db
from ..i18n import current_locale, describe_error, t
from ..models import ActionItem, Case, Meeting, Objection, ResultNotice, Vote
from ..models.case_record import ActionItemUpdate, CaseFeedback, CaseTransition

# --------------------------------------------------------------------------- labels


def state_label(encoded: str) -> str:
    """"escalated/street/meeting" → "已上报街道（原处于“协商会议”）"; unknown text as it is."""
    try:
        state = CaseState.decode(encoded)
    except DomainError:
        return str(encoded)
    stage = t(f"case_state.{state.stage}")
    if state.stage == Stage.ESCALATED:
        return t("case_state.escalated_to", level=t(f"case_level.{state.level}"),
                 resume=t(f"case_state.{state.resume}"))
    if state.resume is not None:
        return t("case_state.side", stage=stage, resume=t(f"case_state.{state.resume}"))
    return stage


def event_label(event: str) -> str:
    try:
        return t(f"case_event.{Event(event)}")
    except ValueError:
        return str(event)


def case_error_message(error: DomainError) -> str:
    """A refusal of the life cycle with states and events named in the user's language."""
    params = dict(error.params)
    if "from_state" in params:
        params["from_state"] = state_label(params["from_state"])
    if params.get("event"):
        params["event"] = event_label(params["event"])
    if error.code == "case.escalation_top":
        params["level"] = t(f"case_level.{params.get('level')}")
    if error.code == "case.confirmation_required":
        params["allowed"] = _list([t(f"case_confirmer.{c}") for c in params.get("allowed", [])])
    if error.code == "action_item.invalid_status_change":
        params["from_status"] = t(f"action_status.{params['from_status']}")
        params["to_status"] = t(f"action_status.{params['to_status']}")
    allowed = params.get("allowed")
    message = describe_error(DomainError(error.code, **params), current_locale())
    if error.code == "case.invalid_transition":
        steps = [event_label(e) for e in allowed or []]
        message = t("punct.sentences", first=message, second=(
            t("case.allowed_now", steps=_list(steps)) if steps else t("case.no_steps")))
    return message


def _list(words: list[str]) -> str:
    return t("punct.list").join(words)


def level_label(level: str) -> str:
    return t(f"case_level.{level}")


# --------------------------------------------------------------------------- next steps

@dataclass
class NextStep:
    event: str
    label: str
    target: str
    target_label: str
    needs_reason: bool
    needs_confirmer: bool
    danger: bool


_DANGER = {Event.REJECT, Event.REDIRECT, Event.CLOSE, Event.REJECT_WORKS,
           Event.DECLINE_EMERGENCY_REPAIR}


def next_steps(case: Case) -> list[NextStep]:
    try:
        state = CaseState.decode(case.status)
    except DomainError:
        return []
    steps = []
    for event, target in allowed_transitions(state).items():
        steps.append(NextStep(
            event=str(event), label=event_label(event), target=target.encode(),
            target_label=state_label(target.encode()),
            needs_reason=reason_required(state.stage, event),
            needs_confirmer=event == Event.CONFIRM_EMERGENCY_REPAIR,
            danger=event in _DANGER))
    return steps


# The main line as a row of steps (the owners' decision is one optional step).
MAIN_PATH = (Stage.RECEIVED, Stage.SCREENING, Stage.ACCEPTED, Stage.INVESTIGATION,
             Stage.PREPARATION, Stage.MEETING, Stage.MINUTES_DRAFTED, Stage.MINUTES_SIGNED,
             Stage.PUBLISHED, "owners_decision", Stage.IMPLEMENTATION, Stage.ACCEPTANCE,
             Stage.FEEDBACK, Stage.MONITORING, Stage.CLOSED)
_PATH_POSITION = {**{stage: i for i, stage in enumerate(MAIN_PATH)},
                  **{stage: MAIN_PATH.index("owners_decision")
                     for stage in (Stage.DECISION_NOTICE, Stage.DECISION_VOTING, Stage.DECIDED,
                                   Stage.NOT_DECIDED)},
                  Stage.REOPENED: 0}


def progress(state: CaseState | None, decided: bool = True) -> list[tuple[str, str, str]]:
    """[(step, label, "done" | "current" | "todo" | "skipped")] along the main line; [] for a
    case that ended at screening (redirected, rejected). ``decided``: the case went through an
    owners' decision (else that step, once passed, is "skipped")."""
    if state is None:
        return []
    stage = str(state.resume or state.stage)
    if stage not in _PATH_POSITION:
        return []
    here = _PATH_POSITION[stage]
    out = []
    for index, step in enumerate(MAIN_PATH):
        label = t("case_state.owners_decision") if step == "owners_decision" \
            else t(f"case_state.{step}")
        mark = "done" if index < here else "current" if index == here else "todo"
        if step == stage == Stage.CLOSED:
            mark = "done"
        if step == "owners_decision" and mark == "done" and not decided:
            mark = "skipped"
        out.append((step, label, mark))
    return out


# --------------------------------------------------------------------------- action items

@dataclass
class ItemRow:
    item: ActionItem
    latest: ActionItemUpdate | None
    flags: dict
    days_overdue: int
    updates: list = field(default_factory=list)

    @property
    def amount(self) -> str | None:
        fen = self.item.amount_fen
        return None if fen is None else format_yuan(fen)


def _latest_updates(item_ids: list[int]) -> dict[int, ActionItemUpdate]:
    if not item_ids:
        return {}
    newest = (db.select(db.func.max(ActionItemUpdate.id))
              .filter(ActionItemUpdate.action_item_id.in_(item_ids))
              .group_by(ActionItemUpdate.action_item_id))
    rows = db.session.execute(db.select(ActionItemUpdate).filter(
        ActionItemUpdate.id.in_(newest))).scalars()
    return {row.action_item_id: row for row in rows}


def item_rows(items: list[ActionItem], today: date | None = None,
              with_updates: bool = False) -> list[ItemRow]:
    today = today or clock.today()
    latest = _latest_updates([i.id for i in items])
    updates: dict[int, list] = {}
    if with_updates and items:
        for row in db.session.execute(db.select(ActionItemUpdate).filter(
                ActionItemUpdate.action_item_id.in_([i.id for i in items]))
                .order_by(ActionItemUpdate.id)).scalars():
            updates.setdefault(row.action_item_id, []).append(row)
    rows = []
    for item in items:
        last = latest.get(item.id)
        flags = follow_up.flags_of(item.due_on, item.status, today,
                                   blocked=bool(last and last.blocked),
                                   escalated=bool(last and last.escalated))
        rows.append(ItemRow(item=item, latest=last, flags=flags,
                            days_overdue=follow_up.days_overdue(item.due_on, item.status, today),
                            updates=updates.get(item.id, [])))
    return rows


def case_items(case: Case) -> list[ActionItem]:
    return list(db.session.execute(
        db.select(ActionItem).filter_by(case_id=case.id)
        .order_by(ActionItem.meeting_id, ActionItem.number)).scalars())


# --------------------------------------------------------------------------- minutes links

MINUTES_FORMATS = (("html", "/meetings/{id}/minutes"), ("pdf", "/meetings/{id}/minutes.pdf"),
                   ("docx", "/meetings/{id}/minutes.docx"))


def minutes_links(meeting_id: int, version: int | None = None) -> list[tuple[str, str]]:
    """The addresses of a meeting's minutes (one final version, else the latest) among those
    the app serves (the minutes routes are built with the minutes)."""
    adapter = current_app.url_map.bind("localhost")
    links = []
    for kind, pattern in MINUTES_FORMATS:
        path = pattern.format(id=meeting_id)
        try:
            adapter.match(path, method="GET")
        except HTTPException:
            continue
        links.append((kind, path + (f"?version={version}" if version is not None else "")))
    return links


# --------------------------------------------------------------------------- the timeline

@dataclass
class Entry:
    at: datetime  # naive UTC: the order
    kind: str
    title: str
    detail: str = ""
    who: str = ""
    day: date | None = None  # the day it is about, when that is not the day it was recorded
    link: str | None = None
    css: str = ""


def _vote_result_text(vote: Vote) -> tuple[str, bool | None]:
    result = vote.result or {}
    outcome = result.get("outcome") or {}
    passed = outcome.get("passed")
    explanation = (result.get("explanation") or {}).get(current_locale()) or ""
    verdict = t("votes.passed" if passed else "votes.tied" if outcome.get("tied")
                else "votes.not_passed")
    return t("votes.verdict_because", verdict=verdict, explanation=explanation).strip(), passed


def closed_votes(case: Case) -> list[Vote]:
    return list(db.session.execute(
        db.select(Vote).join(Meeting, Vote.meeting_id == Meeting.id)
        .filter(Meeting.case_id == case.id, Vote.status == VoteStatus.CLOSED)
        .order_by(Vote.closed_at)).scalars())


def _minutes_versions(case: Case) -> list:
    try:
        from ..models.minutes import MinutesVersion
    except ImportError:  # pragma: no cover - the minutes are built elsewhere
        return []
    return list(db.session.execute(
        db.select(MinutesVersion).join(Meeting, MinutesVersion.meeting_id == Meeting.id)
        .filter(Meeting.case_id == case.id).order_by(MinutesVersion.created_at)).scalars())


def timeline(case: Case) -> list[Entry]:
    """Everything that happened to the case, oldest first."""
    entries: list[Entry] = []
    received = case.created_at
    if case.received_on is not None:
        received = min(received, clock.start_of_day(case.received_on))
    entries.append(Entry(at=received, kind="received", css="received",
                         title=t("timeline.received", channel=t(f"source.{case.source_channel}")),
                         detail=case.source, day=case.received_on))
    for row in db.session.execute(db.select(CaseTransition).filter_by(case_id=case.id)
                                  .order_by(CaseTransition.id)).scalars():
        detail = row.note
        confirmed_by = (row.context or {}).get("confirmed_by")
        if confirmed_by:
            detail = (t("timeline.confirmed_by", by=t(f"case_confirmer.{confirmed_by}"))
                      + ("\n" + detail if detail else ""))
        entries.append(Entry(at=row.at, kind="transition", css="transition",
                             title=t("timeline.transition", event=event_label(row.event),
                                     to=state_label(row.to_state)),
                             detail=detail, who=row.user_name))
    meetings = {m.id: m for m in case.meetings}
    for meeting in case.meetings:
        if meeting.opened_at:
            entries.append(Entry(at=meeting.opened_at, kind="meeting", css="meeting",
                                 title=t("timeline.meeting_opened", title=meeting.title),
                                 detail=meeting.place))
        if meeting.ended_at:
            entries.append(Entry(at=meeting.ended_at, kind="meeting", css="meeting",
                                 title=t("timeline.meeting_ended", title=meeting.title)))
    for vote in closed_votes(case):
        text, passed = _vote_result_text(vote)
        entries.append(Entry(at=vote.closed_at or vote.created_at, kind="vote",
                             css="vote " + ("passed" if passed else "not-passed"),
                             title=t("timeline.vote_closed", title=vote.title,
                                     kind=t(f"vote_kind.{vote.kind}")),
                             detail=text))
    for version in _minutes_versions(case):
        meeting = meetings.get(version.meeting_id)
        links = minutes_links(version.meeting_id, version.number)
        entries.append(Entry(at=version.created_at, kind="minutes", css="minutes",
                             title=t("timeline.minutes_version", number=version.number,
                                     title=meeting.title if meeting else ""),
                             detail=version.change_note, who=version.created_by_name,
                             link=links[0][1] if links else None))
    entries += _notice_entries(case)
    items = {i.id: i for i in case_items(case)}
    for item in items.values():
        entries.append(Entry(at=item.created_at, kind="item", css="item",
                             title=t("timeline.item_agreed", number=item.number, what=item.what),
                             detail=_item_owner(item)))
    for update in db.session.execute(db.select(ActionItemUpdate).filter_by(case_id=case.id)
                                     .order_by(ActionItemUpdate.id)).scalars():
        item = items.get(update.action_item_id)
        title = t("timeline.item_update", number=item.number if item else "?",
                  what=_short(item.what if item else ""))
        if update.status_from != update.status_to:
            title += " · " + t("timeline.status_change",
                               before=t(f"action_status.{update.status_from}"),
                               after=t(f"action_status.{update.status_to}"))
        detail = update.note
        if update.evidence:
            detail += "\n" + t("follow.evidence_is", evidence=update.evidence)
        entries.append(Entry(at=update.at, kind="update", css="update", title=title,
                             detail=detail, who=_reporter(update), day=update.reported_on))
    for feedback in db.session.execute(db.select(CaseFeedback).filter_by(case_id=case.id)
                                       .order_by(CaseFeedback.id)).scalars():
        entries.append(Entry(at=feedback.at, kind="feedback", css="feedback",
                             title=t("timeline.feedback",
                                     satisfaction=t(f"satisfaction.{feedback.satisfaction}")),
                             detail=feedback_summary(feedback), who=feedback.user_name,
                             day=feedback.told_on))
    entries.sort(key=_order)
    return entries


def _notice_entries(case: Case) -> list[Entry]:
    """Result notices (公示) of the case's decisions and the objections to them."""
    entries = []
    for notice in db.session.execute(db.select(ResultNotice).filter_by(case_id=case.id)
                                     .order_by(ResultNotice.id)).scalars():
        vote = db.session.get(Vote, notice.vote_id)
        link = url_for("result_notice.page", meeting_id=vote.meeting_id, vote_id=vote.id)
        entries.append(Entry(at=notice.issued_at, kind="notice", css="notice",
                             title=t("timeline.notice_issued", title=vote.title,
                                     start=notice.posted_on.isoformat(),
                                     end=last_day(notice).isoformat()),
                             detail=notice.where_to_object, who=notice.issued_by,
                             day=notice.posted_on, link=link))
        for objection in db.session.execute(db.select(Objection).filter_by(notice_id=notice.id)
                                            .order_by(Objection.id)).scalars():
            entries.append(Entry(at=objection.recorded_at, kind="objection", css="objection",
                                 title=t("timeline.objection", by=objection.raised_by),
                                 detail=objection.text, who=objection.recorded_by,
                                 day=objection.received_on, link=link))
            if objection.decided_at is not None:
                entries.append(Entry(
                    at=objection.decided_at, kind="objection", css="objection",
                    title=t("timeline.objection_decided", by=objection.raised_by,
                            outcome=t(f"objection_outcome.{objection.outcome}")),
                    detail=objection.outcome_note, who=objection.decided_by, link=link))
    return entries


def _order(entry: Entry) -> datetime:
    """When it happened: the time it was recorded, but no later than the end of the day it
    reports on (a progress report typed in a week later belongs to its own day)."""
    if entry.day is None:
        return entry.at
    return min(entry.at, clock.end_of_day(entry.day))


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _item_owner(item: ActionItem) -> str:
    parts = [t(f"party.{item.party}") if item.party else "", item.organisation, item.person]
    owner = " · ".join(p for p in parts if p)
    if item.due_on:
        owner += t("punct.clause") + t("follow.due", date=item.due_on)
    return owner


def _reporter(update: ActionItemUpdate) -> str:
    source = update.reporter
    if update.reporter_party:
        source = source + t("punct.paren", text=t("party." + update.reporter_party)) if source \
            else t("party." + update.reporter_party)
    if source and update.user_name:
        return t("follow.reported_by", reporter=source, user=update.user_name)
    return source or update.user_name


def feedback_summary(feedback: CaseFeedback) -> str:
    text = t("feedback.summary", on=feedback.told_on.isoformat(),
             channel=t(f"feedback_channel.{feedback.told_via}"), by=feedback.told_by,
             whom=feedback.complainants or t("feedback.complainants_default"))
    return text + ("\n" + feedback.comment if feedback.comment else "")


# --------------------------------------------------------------------------- the case page

@dataclass
class CaseRecord:
    state: CaseState | None
    state_label: str
    steps: list
    transitions: list
    items: list
    feedback: list
    votes: list
    plans: dict
    timeline: list
    today: date
    needs_feedback: bool
    progress: list
    minutes: dict
    decisions: list


def case_record_for(case: Case) -> CaseRecord:
    """Everything the case page shows of the record (a template global)."""
    try:
        state = CaseState.decode(case.status)
    except DomainError:
        state = None
    today = clock.today()
    transitions = list(db.session.execute(
        db.select(CaseTransition).filter_by(case_id=case.id)
        .order_by(CaseTransition.id.desc())).scalars())
    feedback = list(db.session.execute(
        db.select(CaseFeedback).filter_by(case_id=case.id).order_by(CaseFeedback.id)).scalars())
    plans = {}
    from ..models import Plan
    for meeting in case.meetings:
        rows = list(db.session.execute(db.select(Plan).filter_by(meeting_id=meeting.id,
                                                                 status=PlanStatus.ACCEPTED)
                                       .order_by(Plan.key)).scalars())
        if rows:
            plans[meeting.id] = rows
    needs_feedback = bool(state and state.stage == Stage.FEEDBACK
                          and not record_actions.feedback_since_acceptance(case))
    minutes: dict[int, list] = {}
    for version in _minutes_versions(case):
        minutes.setdefault(version.meeting_id, []).append(version)
    decisions = [row for row in reversed(transitions)
                 if row.event in (Event.RECORD_DECIDED, Event.RECORD_NOT_DECIDED)]
    return CaseRecord(state=state, state_label=state_label(case.status), steps=next_steps(case),
                      transitions=transitions, items=item_rows(case_items(case), today),
                      feedback=feedback, votes=closed_votes(case), plans=plans,
                      timeline=timeline(case), today=today, needs_feedback=needs_feedback,
                      progress=progress(state, decided=any(
                          row.event == Event.NOTICE_OWNERS_DECISION for row in transitions)),
                      minutes=minutes, decisions=decisions)
