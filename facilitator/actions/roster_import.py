"""Importing the owners' roster of a case: a preview, then a new version.

Every import makes a new version (who, when, the file's name and SHA-256, units, owners,
area); versions are never changed. A meeting counts on the version in force when it opened
(``meeting.open`` fixes it), a vote on the version in force when it opened (``vote.open``),
so no later import can change who may vote or how much their area weighs in a vote that is
open or closed. An import is refused while a meeting of the case is live: the room counts
on one roster from the opening to the end.

A large file never holds up live meetings: it is read cooperatively (other green threads run
every 250 lines) and its units are written in short transactions while the version is
still "importing" (invisible), then made active in one last short transaction.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..domain.roster import (LineError, RosterDiff, RosterRow, RosterSummary, diff_rosters,
                             parse_roster_lines, read_roster_file, summarise)
from ..errors import DomainError
from ..extensions import db, socketio
from ..models import Case, Meeting, RosterUnit, RosterUpload, RosterVersion, User
from ..rosters import current_version, live_meeting_of, stream_units, summary_of

PREVIEW_ROWS = 20
UPLOAD_KEPT = timedelta(days=1)
STALE_IMPORT = timedelta(hours=1)  # an "importing" version older than this was interrupted
CHUNK_ROWS = 250


class RosterRejected(DomainError):
    """The roster had bad lines; `errors` lists each with its number and reason."""

    def __init__(self, errors: list[LineError]):
        super().__init__("roster.rejected", count=len(errors))
        self.errors = errors


@dataclass
class Preview:
    """What an uploaded file would import, before anything is saved."""
    upload_id: str
    filename: str
    sha256: str
    source_format: str
    first_rows: list[RosterRow]
    summary: RosterSummary
    errors: list[LineError]
    current: RosterVersion | None
    diff: RosterDiff | None
    live_meeting: Meeting | None

    @property
    def importable(self) -> bool:
        return not self.errors and self.live_meeting is None


def _pause() -> None:
    """Let the other green threads (live meetings) run."""
    socketio.sleep(0)


def _read(data: bytes) -> tuple[str, list[RosterRow], list[LineError]]:
    roster_file = read_roster_file(data, _pause)
    rows, errors = parse_roster_lines(roster_file.lines, _pause)
    return roster_file.source_format, rows, errors


# --------------------------------------------------------------------------- importing

def preview_upload(case: Case, data: bytes, filename: str, user: User | None) -> Preview:
    """Read an uploaded file and keep it for the confirmation; nothing is imported yet."""
    source_format, rows, errors = _read(data)
    summary = summarise(rows)
    _pause()
    now = utcnow()
    db.session.execute(db.delete(RosterUpload).where(
        (RosterUpload.created_at < now - UPLOAD_KEPT)
        | ((RosterUpload.case_id == case.id)
           & (RosterUpload.user_id == (user.id if user else None)))))
    upload = RosterUpload(id=secrets.token_hex(16), case_id=case.id,
                          user_id=user.id if user else None, filename=_clean_name(filename),
                          data=data, sha256=hashlib.sha256(data).hexdigest(), created_at=now)
    db.session.add(upload)
    db.session.commit()
    _pause()
    current = current_version(case.id)
    return Preview(upload_id=upload.id, filename=upload.filename, sha256=upload.sha256,
                   source_format=source_format, first_rows=rows[:PREVIEW_ROWS],
                   summary=summary, errors=errors, current=current,
                   diff=diff_rosters(stream_units(current.id, _pause), rows, _pause)
                   if current and not errors else None,
                   live_meeting=live_meeting_of(case.id))


def confirm_upload(case: Case, upload_id: str, user: User | None) -> RosterVersion:
    """Import a previewed upload as the case's next version."""
    upload = db.session.get(RosterUpload, upload_id) if isinstance(upload_id, str) else None
    if upload is None or upload.case_id != case.id:
        raise DomainError("roster.upload_gone")
    version = import_file(case, upload.data, upload.filename, user)
    db.session.execute(db.delete(RosterUpload).filter_by(id=upload_id))
    db.session.commit()
    return version


def import_file(case: Case, data: bytes, filename: str, user: User | None) -> RosterVersion:
    """Import a file as the case's next version: every line right, or nothing changes."""
    _refuse_while_live(case)
    source_format, rows, errors = _read(data)
    if errors:
        raise RosterRejected(errors)
    summary = summarise(rows)
    _pause()
    _forget_interrupted_imports(case)
    number = (db.session.execute(db.select(db.func.max(RosterVersion.number))
                                 .filter_by(case_id=case.id)).scalar() or 0) + 1
    version = RosterVersion(case_id=case.id, number=number, status="importing",
                            filename=_clean_name(filename),
                            sha256=hashlib.sha256(data).hexdigest(),
                            source_format=source_format, units=summary.units,
                            owners=summary.owners, area_hundredths=summary.area_hundredths,
                            imported_by_id=user.id if user else None,
                            imported_by_name=user.display_name if user else "",
                            imported_at=utcnow())
    db.session.add(version)
    try:
        db.session.commit()
    except IntegrityError:  # another import took the number meanwhile
        db.session.rollback()
        raise DomainError("roster.import_in_progress") from None
    version_id = version.id
    for start in range(0, len(rows), CHUNK_ROWS):
        _pause()
        db.session.execute(insert(RosterUnit), [
            {"case_id": case.id, "version_id": version_id, "unit": row.unit,
             "area_hundredths": row.area_hundredths, "owner_name": row.owner_name,
             "owner_key": row.owner_key, "note": row.note}
            for row in rows[start:start + CHUNK_ROWS]])
        db.session.commit()
    _pause()
    # A meeting that opened meanwhile counts on the version before this one (it was the
    # newest active one when the meeting opened): this one is for later meetings.
    db.session.execute(db.update(RosterVersion).filter_by(id=version_id).values(status="active"))
    db.session.commit()
    return db.session.get(RosterVersion, version_id)


def _refuse_while_live(case: Case) -> None:
    meeting = live_meeting_of(case.id)
    if meeting is not None:
        raise DomainError("roster.meeting_live", title=meeting.title)


def _forget_interrupted_imports(case: Case) -> None:
    stale = [row.id for row in db.session.execute(db.select(RosterVersion.id).filter(
        RosterVersion.case_id == case.id, RosterVersion.status == "importing",
        RosterVersion.imported_at < utcnow() - STALE_IMPORT))]
    if stale:
        db.session.execute(db.delete(RosterUnit).where(RosterUnit.version_id.in_(stale)))
        db.session.execute(db.delete(RosterVersion).where(RosterVersion.id.in_(stale)))
        db.session.commit()


def _clean_name(filename: str | None) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if ord(c) >= 32)[:200]


def import_roster(case: Case, csv_text: str, filename: str = "roster.csv",
                  user: User | None = None) -> RosterSummary:
    """Import a roster given as CSV text (the demo, tests); the summary of the new version."""
    return summary_of(import_file(case, csv_text.encode("utf-8"), filename, user))
