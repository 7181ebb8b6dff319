"""Which version of a case's owners' roster counts where, and reading it.

Every import of a roster makes a new version (facilitator/actions/roster_import.py); versions
are never changed. A meeting counts on the version in force when it opened, a vote on the
version in force when it opened: no later import changes who may vote or how much their
area weighs in a vote that is open or closed.
"""
from __future__ import annotations

from .domain.roster import RosterSummary
from .domain.statuses import MeetingStatus, RosterVersionStatus
from .extensions import db
from .models import Meeting, RosterUnit, RosterVersion, Vote


def _active_versions(case_id: int):
    """The case's complete imports, newest first (an interrupted import is never read)."""
    return db.select(RosterVersion).filter_by(
        case_id=case_id, status=RosterVersionStatus.ACTIVE).order_by(RosterVersion.number.desc())


def current_version(case_id: int) -> RosterVersion | None:
    """The case's newest active version (None: no roster yet)."""
    return db.session.execute(_active_versions(case_id).limit(1)).scalar_one_or_none()


def versions_of(case_id: int) -> list[RosterVersion]:
    return list(db.session.execute(_active_versions(case_id)).scalars())


def version_number(case_id: int, number: int) -> RosterVersion | None:
    return db.session.execute(
        _active_versions(case_id).filter_by(number=number)).scalar_one_or_none()


def units_of(version_id: int | None) -> list[RosterUnit]:
    if version_id is None:
        return []
    return list(db.session.execute(db.select(RosterUnit).filter_by(version_id=version_id)
                                   .order_by(RosterUnit.id)).scalars())


def stream_units(version_id: int, pause, batch: int = 250):
    """A version's units as light rows (unit, area_hundredths, owner_name, owner_key, note),
    read `batch` at a time with `pause()` between batches: a large roster read while live
    meetings are served."""
    result = db.session.execute(
        db.select(RosterUnit.unit, RosterUnit.area_hundredths, RosterUnit.owner_name,
                  RosterUnit.owner_key, RosterUnit.note)
        .filter_by(version_id=version_id).order_by(RosterUnit.id)
        .execution_options(yield_per=batch))
    for partition in result.partitions():
        yield from partition
        pause()


def page_of_units(version_id: int, page: int, per_page: int, search: str = ""
                  ) -> tuple[list[RosterUnit], int]:
    """One page of a version's units (a unit, owner name or owner key containing `search`),
    and how many match."""
    query = db.select(RosterUnit).filter_by(version_id=version_id)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.filter(RosterUnit.unit.like(pattern, escape="\\")
                             | RosterUnit.owner_name.like(pattern, escape="\\")
                             | (RosterUnit.owner_key == search))
    count = db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar()
    rows = db.session.execute(query.order_by(RosterUnit.id).offset((page - 1) * per_page)
                              .limit(per_page)).scalars().all()
    return rows, count


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
    return db.session.execute(db.select(Meeting).filter_by(
        case_id=case_id, status=MeetingStatus.LIVE).limit(1)).scalar_one_or_none()


def summary_of(version: RosterVersion | None) -> RosterSummary:
    if version is None:
        return RosterSummary(0, 0, 0)
    return RosterSummary(version.units, version.owners, version.area_hundredths)
