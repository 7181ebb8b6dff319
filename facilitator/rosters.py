"""Which version of a case's owners' roster counts where, and reading it.

Every import of a roster makes a new version (facilitator/actions/roster_import.py); versions
are never changed. A meeting counts on the version in force when it opened, a vote on the
version in force when it opened: no later import changes who may vote or how much their
area weighs in a vote that is open or closed.
"""
from __future__ import annotations

from .domain.roster import RosterSummary
from .extensions import db
from .models import Meeting, RosterUnit, RosterVersion, Vote


def current_version(case_id: int) -> RosterVersion | None:
    """The case's newest active version (None: no roster yet)."""
    return db.session.execute(db.select(RosterVersion).filter_by(
        case_id=case_id, status="active").order_by(RosterVersion.number.desc()).limit(1)
    ).scalar_one_or_none()


def versions_of(case_id: int) -> list[RosterVersion]:
    return list(db.session.execute(db.select(RosterVersion).filter_by(
        case_id=case_id, status="active").order_by(RosterVersion.number.desc())).scalars())


def version_number(case_id: int, number: int) -> RosterVersion | None:
    return db.session.execute(db.select(RosterVersion).filter_by(
        case_id=case_id, number=number, status="active")).scalar_one_or_none()


def units_of(version_id: int | None) -> list[RosterUnit]:
    if version_id is None:
        return []
    return list(db.session.execute(db.select(RosterUnit).filter_by(version_id=version_id)
                                   .order_by(RosterUnit.id)).scalars())


def meeting_version_id(meeting: Meeting) -> int | None:
    """The version a meeting counts on: fixed when it opened; before that, the newest."""
    if meeting.roster_version_id is not None:
        return meeting.roster_version_id
    version = current_version(meeting.case_id)
    return version.id if version else None


def vote_version_id(vote: Vote, meeting: Meeting) -> int | None:
    """The version a vote counts on: fixed when it opened; before that, its meeting's."""
    return vote.roster_version_id if vote.roster_version_id is not None \
        else meeting_version_id(meeting)


def live_meeting_of(case_id: int) -> Meeting | None:
    return db.session.execute(db.select(Meeting).filter_by(case_id=case_id, status="live")
                              .limit(1)).scalar_one_or_none()


def summary_of(version: RosterVersion | None) -> RosterSummary:
    if version is None:
        return RosterSummary(0, 0, 0)
    return RosterSummary(version.units, version.owners, version.area_hundredths)
