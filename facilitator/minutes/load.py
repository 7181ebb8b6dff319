"""The thin loader: a meeting's rows → the plain data ``builder.build_minutes`` takes.

Reads the event log (ordered by seq), the case record, the roster and the names of the
moderator and the clerk; nothing else. Everything the minutes say comes from these.
"""
from __future__ import annotations

from .. import clock, rosters
from ..clock import to_epoch_ms
from ..extensions import db
from ..models import Meeting, MeetingEvent
from .builder import build_minutes

_CASE_COLUMNS = ("number", "title", "community", "organiser", "source_channel", "source", "description",
                 "scope")
_CASE_DATES = ("received_on", "completion_accepted_on", "delivered_on", "warranty_end_on",
               "first_report_on")


def case_record(case) -> dict:
    record = {name: getattr(case, name) or "" for name in _CASE_COLUMNS}
    for name in _CASE_DATES:
        value = getattr(case, name)
        record[name] = value.isoformat() if value else None
    record["details"] = dict(case.details or {})
    return record


def meeting_record(meeting: Meeting, version: int = 1) -> dict:
    ids = [m.id for m in sorted(meeting.case.meetings, key=lambda m: m.id)]
    return {
        "id": meeting.id,
        "title": meeting.title,
        "place": meeting.place or "",
        "language": meeting.language,
        "scheduled_start": to_epoch_ms(meeting.scheduled_start),
        "created_at": to_epoch_ms(meeting.created_at),
        "moderator_name": meeting.moderator.display_name if meeting.moderator else "",
        "clerk_name": meeting.clerk.display_name if meeting.clerk else "",
        "ordinal": ids.index(meeting.id) + 1 if meeting.id in ids else 1,
        "version": version,
    }


def load_events(meeting_id: int, up_to_seq: int | None = None) -> list[dict]:
    """The log in seq order, as plain rows (columns, not ORM objects: 20,000 events load in
    a fraction of the time)."""
    e = MeetingEvent.__table__.c
    query = (db.select(e.seq, e.type, e.at_ms, e.actor, e.data, e.changes)
             .where(e.meeting_id == meeting_id).order_by(e.seq))
    if up_to_seq is not None:
        query = query.where(e.seq <= up_to_seq)
    return [{"meeting_id": meeting_id, "seq": seq, "type": type_, "at": at, "actor": actor,
             "data": data, "changes": changes}
            for seq, type_, at, actor, data, changes in db.session.execute(query)]


def load_roster(meeting: Meeting) -> list[tuple[str, int, str, str]]:
    """The roster version the meeting counts on."""
    return [(r.unit, r.area_hundredths, r.owner_name, r.owner_key)
            for r in rosters.units_of(rosters.meeting_version_id(meeting))]


def minutes_for(meeting: Meeting, *, version: int = 1, language: str | None = None,
                up_to_seq: int | None = None):
    """The minutes of `meeting` as its log stands (a draft document), its text as every
    format carries it (the log may hold what was written before the input was checked)."""
    return build_minutes(case_record(meeting.case), meeting_record(meeting, version),
                         load_events(meeting.id, up_to_seq), load_roster(meeting),
                         language or meeting.language, clock.zone().key).printable()
