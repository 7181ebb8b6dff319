"""Cases, their rosters and their meetings: created and edited from pages, the API and the demo.

These are not meeting commands (no meeting event log yet), but follow the same rules:
validate everything first, change nothing on error, one transaction.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from ..domain.roster import LineError, parse_roster_csv, summarise
from ..errors import DomainError
from ..extensions import db
from ..models import Case, Meeting, RosterUnit, User
from ..models.cases import SOURCE_CHANNELS
from ..validation import Field, optional, validate

CASE_SCHEMA = {
    "number": Field("str", max_len=40),
    "title": Field("str", max_len=200),
    "community": Field("str", max_len=100),
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


class RosterRejected(DomainError):
    """The roster had bad lines; `errors` lists each with its number and reason."""

    def __init__(self, errors: list[LineError]):
        super().__init__("roster.rejected", count=len(errors))
        self.errors = errors


def create_case(values: dict, created_by: User | None) -> Case:
    clean = validate(CASE_SCHEMA, values)
    if db.session.execute(db.select(Case.id).filter_by(number=clean["number"])).first():
        raise DomainError("case.number_taken", number=clean["number"])
    case = Case(**clean, created_by_id=created_by.id if created_by else None)
    db.session.add(case)
    db.session.commit()
    return case


def update_case(case: Case, values: dict) -> Case:
    clean = validate(CASE_SCHEMA, values)
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
        from . import Actor, execute  # the meeting commands import this module's neighbours
        for meeting in case.meetings:
            if meeting.status != "ended":
                execute(meeting.id, Actor(role="system"), "meeting.case_changed", {})
    return case


def import_roster(case: Case, csv_text: str):
    """Replace the case's roster with the file's rows: all lines right, or nothing changes."""
    rows, errors = parse_roster_csv(csv_text)
    if errors:
        raise RosterRejected(errors)
    db.session.execute(db.delete(RosterUnit).filter_by(case_id=case.id))
    db.session.add_all(RosterUnit(case_id=case.id, unit=row.unit,
                                  area_hundredths=row.area_hundredths, owner_name=row.owner_name,
                                  owner_key=row.owner_key, note=row.note) for row in rows)
    db.session.commit()
    return summarise(rows)


def roster_summary(case: Case):
    return summarise(case.roster)


def to_utc(moment: datetime) -> datetime:
    """A time as typed (in the app's zone unless it names its own) → naive UTC for storage."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def create_meeting(case: Case, values: dict) -> Meeting:
    clean = validate(MEETING_SCHEMA, values)
    if clean.get("scheduled_start") is not None:
        clean["scheduled_start"] = to_utc(clean["scheduled_start"])
    for role_field in ("moderator_id", "clerk_id"):
        user_id = clean.get(role_field)
        if user_id is not None and db.session.get(User, user_id) is None:
            raise DomainError("validation.choice", field=role_field)
    meeting = Meeting(case_id=case.id, projector_token=secrets.token_urlsafe(24), **clean)
    db.session.add(meeting)
    db.session.commit()
    return meeting
