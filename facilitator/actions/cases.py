"""Cases, their rosters and their meetings: created and edited from pages, the API and the demo.

These are not meeting commands (no meeting event log yet), but follow the same rules:
validate everything first, change nothing on error, one transaction.
"""
from __future__ import annotations

import secrets
from datetime import date

from .. import access, clock
from ..domain import case_dates
from ..domain.statuses import MeetingStatus
from ..errors import DomainError
from ..extensions import db
from ..models import Case, CaseMember, Meeting, User
from ..models.cases import SOURCE_CHANNELS
from ..validation import Field, optional, validate
from .core import Actor, execute

CASE_SCHEMA = {
    "number": Field("str", max_len=40),
    "title": Field("str", max_len=200),
    "community": Field("str", max_len=100),
    "organiser": optional("str", max_len=100, default=""),
    "source_channel": optional("str", choices=SOURCE_CHANNELS, default="letter"),
    "source": optional("text", max_len=2000, default=""),
    "description": optional("text", max_len=10000, default=""),
    "scope": optional("text", max_len=2000, default=""),
    "received_on": optional("date"),
    "completion_accepted_on": optional("date"),
    "delivered_on": optional("date"),
    "warranty_end_on": optional("date"),
    "first_report_on": optional("date"),
}

MEETING_SCHEMA = {
    "title": Field("str", max_len=200),
    "place": optional("str", max_len=200, default=""),
    "scheduled_start": optional("datetime"),
    "language": optional("str", choices=("zh", "en"), default="zh"),
    "moderator_id": optional("int", min=1),
    "clerk_id": optional("int", min=1),
}


def create_case(values: dict, created_by: User | None) -> Case:
    clean = validate(CASE_SCHEMA, values)
    case_dates.check_case_dates(clean, clock.today())
    if db.session.execute(db.select(Case.id).filter_by(number=clean["number"])).first():
        raise DomainError("case.number_taken", number=clean["number"])
    case = Case(**clean, created_by_id=created_by.id if created_by else None)
    db.session.add(case)
    db.session.flush()
    if created_by is not None and created_by.role != "admin":
        db.session.add(CaseMember(case_id=case.id, user_id=created_by.id,
                                  added_by_id=created_by.id))
    db.session.commit()
    return case


def update_case(case: Case, values: dict) -> Case:
    clean = validate(CASE_SCHEMA, values)
    case_dates.check_case_dates(clean, clock.today(), first_recorded_on(case))
    taken = db.session.execute(db.select(Case.id).filter(
        Case.number == clean["number"], Case.id != case.id)).first()
    if taken:
        raise DomainError("case.number_taken", number=clean["number"])
    shown_before = (case.number, case.title, case.community)
    for key, value in clean.items():
        setattr(case, key, value)
    db.session.commit()
    if (case.number, case.title, case.community) != shown_before:
        # What the meeting screens show of the case changed: tell them.
        for meeting in case.meetings:
            if meeting.status != MeetingStatus.ENDED:
                execute(meeting.id, Actor(role="system"), "meeting.case_changed", {})
    return case


def create_meeting(case: Case, values: dict, acting: User | None = None) -> Meeting:
    """A new meeting of the case. Its moderator and clerk must be members of the case; one
    who is not becomes a member when `acting` may assign members (or is the app itself:
    None), and is refused otherwise."""
    clean = validate(MEETING_SCHEMA, values)
    if clean.get("scheduled_start") is not None:
        clean["scheduled_start"] = clock.to_utc(clean["scheduled_start"])
        case_dates.check_meeting_start("scheduled_start",
                                       clock.local_date(clean["scheduled_start"]),
                                       received_on(case))
    for role_field in ("moderator_id", "clerk_id"):
        user_id = clean.get(role_field)
        if user_id is None:
            continue
        user = db.session.get(User, user_id)
        if user is None:
            raise DomainError("validation.choice", field=role_field)
        if not access.sees_case(user, case.id):
            if acting is not None and not access.manages_members(acting, case):
                raise DomainError("case.chair_not_member", field=role_field,
                                  name=user.display_name)
            db.session.add(CaseMember(case_id=case.id, user_id=user.id,
                                      added_by_id=acting.id if acting else None))
    meeting = Meeting(case_id=case.id, projector_token=secrets.token_urlsafe(24), **clean)
    db.session.add(meeting)
    db.session.commit()
    return meeting


# --------------------------------------------------------------------------- members

def add_member(case: Case, username: str, acting: User) -> CaseMember:
    """Give a moderator or clerk access to the case (administrators have it already)."""
    if not access.manages_members(acting, case):
        raise DomainError("case.members_forbidden")
    name = username.strip() if isinstance(username, str) else ""
    user = db.session.execute(db.select(User).filter_by(username=name[:64])
                              ).scalar_one_or_none() if name else None
    if user is None:
        raise DomainError("case.member_unknown", username=name[:64])
    if access.sees_case(user, case.id):
        raise DomainError("case.member_already", name=user.display_name)
    member = CaseMember(case_id=case.id, user_id=user.id, added_by_id=acting.id)
    db.session.add(member)
    db.session.commit()
    return member


def remove_member(case: Case, user_id, acting: User) -> None:
    """Take a member's access away; refused while they run a meeting of the case that has
    not ended, and for the case's creator."""
    if not access.manages_members(acting, case):
        raise DomainError("case.members_forbidden")
    member = db.session.execute(db.select(CaseMember).filter_by(
        case_id=case.id, user_id=user_id)).scalar_one_or_none() \
        if isinstance(user_id, int) else None
    if member is None:
        raise DomainError("case.member_not_found")
    if case.created_by_id == member.user_id:
        raise DomainError("case.member_creator")
    running = db.session.execute(db.select(Meeting).filter(
        Meeting.case_id == case.id, Meeting.status != MeetingStatus.ENDED,
        (Meeting.moderator_id == member.user_id) | (Meeting.clerk_id == member.user_id))
    ).scalars().first()
    if running is not None:
        raise DomainError("case.member_runs_meeting", title=running.title)
    db.session.delete(member)
    db.session.commit()


# --------------------------------------------------------------------------- the story's days

def received_on(case: Case) -> date:
    """The day the complaint was received: as recorded, else the day the case was entered."""
    return case.received_on or clock.local_date(case.created_at)


def meeting_day(meeting: Meeting) -> date:
    """The day of a meeting: when it opened, else when it is scheduled, else today."""
    moment = meeting.opened_at or meeting.scheduled_start
    return clock.local_date(moment) if moment is not None else clock.today()


def first_recorded_on(case: Case) -> date | None:
    """The earliest day the record holds after the complaint: a meeting held, a progress
    report, feedback to the complainants."""
    from ..models.case_record import ActionItemUpdate, CaseFeedback
    days = [clock.local_date(m.opened_at) for m in case.meetings if m.opened_at is not None]
    for column, model in ((ActionItemUpdate.reported_on, ActionItemUpdate),
                          (CaseFeedback.told_on, CaseFeedback)):
        earliest = db.session.execute(db.select(db.func.min(column))
                                      .where(model.case_id == case.id)).scalar()
        if earliest is not None:
            days.append(earliest)
    return min(days, default=None)
