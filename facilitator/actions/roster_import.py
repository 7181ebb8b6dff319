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

import dataclasses
import hashlib
import json
import secrets
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..domain.roster import (LineError, RosterLine, RosterSummary, check_file, diff_rosters,
                             parse_roster_lines, read_roster_file, summarise)
from ..domain.statuses import RosterVersionStatus
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
class Analysis:
    """What a file would import: its format, first lines, counts, every bad line, and how
    many units it adds, removes and changes against the newest version."""
    source_format: str
    first_rows: list[RosterLine]
    summary: RosterSummary
    errors: list[LineError]
    diff_counts: tuple[int, int, int] | None  # added, removed, changed


@dataclass
class Preview:
    """What an uploaded file would import, before anything is saved."""
    upload_id: str
    filename: str
    sha256: str
    analysis: Analysis
    current: RosterVersion | None
    live_meeting: Meeting | None

    @property
    def importable(self) -> bool:
        return not self.analysis.errors and self.live_meeting is None


def _pause() -> None:
    """Let the other green threads (live meetings) run."""
    socketio.sleep(0)


def _read(data: bytes) -> tuple[str, list[RosterLine], list[LineError]]:
    roster_file = read_roster_file(data, _pause)
    rows, errors = parse_roster_lines(roster_file.lines, _pause)
    return roster_file.source_format, rows, errors


def _analyse(case_id: int, data: bytes) -> Analysis:
    source_format, rows, errors = _read(data)
    summary = summarise(rows)
    _pause()
    current = current_version(case_id)
    counts = None
    if current is not None and not errors:
        diff = diff_rosters(stream_units(current.id, _pause), rows, _pause)
        counts = (len(diff.added), len(diff.removed), len(diff.changed))
    return Analysis(source_format, rows[:PREVIEW_ROWS], summary, errors, counts)


# --------------------------------------------------------------------------- importing

def preview_upload(case: Case, data: bytes, filename: str, user: User | None) -> Preview:
    """Keep an uploaded file for the confirmation and read it; nothing is imported yet."""
    check_file(data)
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
    if _large(len(data)):
        analysis = _analysis_from_json(_in_worker({"task": "preview", "case_id": case.id,
                                                   "upload_id": upload.id}))
    else:
        analysis = _analyse(case.id, data)
    return Preview(upload_id=upload.id, filename=upload.filename, sha256=upload.sha256,
                   analysis=analysis, current=current_version(case.id),
                   live_meeting=live_meeting_of(case.id))


def confirm_upload(case: Case, upload_id: str, user: User | None) -> RosterVersion:
    """Import a previewed upload as the case's next version."""
    upload = db.session.get(RosterUpload, upload_id) if isinstance(upload_id, str) else None
    if upload is None or upload.case_id != case.id:
        raise DomainError("roster.upload_gone")
    if _large(_stored_size(upload.id)):
        _refuse_while_live(case)
        answer = _in_worker({"task": "import", "case_id": case.id, "upload_id": upload.id,
                             "user_id": user.id if user else None})
        if "error" in answer:
            raise _error_from_json(answer["error"])
        return db.session.get(RosterVersion, answer["version_id"])
    version = import_file(case, upload.data, upload.filename, user)
    _forget_upload(upload.id)
    return version


def _stored_size(upload_id: str) -> int:
    """The size of a kept file, without reading it into this process (the worker does)."""
    return db.session.execute(db.select(db.func.length(RosterUpload.data))
                              .filter_by(id=upload_id)).scalar_one()


def _forget_upload(upload_id: str) -> None:
    db.session.execute(db.delete(RosterUpload).filter_by(id=upload_id))
    db.session.commit()


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
    version = RosterVersion(case_id=case.id, number=number, status=RosterVersionStatus.IMPORTING,
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
    db.session.execute(db.update(RosterVersion).filter_by(id=version_id).values(
        status=RosterVersionStatus.ACTIVE))
    db.session.commit()
    return db.session.get(RosterVersion, version_id)


# --------------------------------------------------------------------------- the worker
# Reading a large file (tens of thousands of lines) takes seconds of CPU; in the server
# process that serves live meetings every one of those seconds would be taken from their
# fan-out, however finely it is cut. A file over ROSTER_WORKER_BYTES is read, compared and
# written by a separate process (python -m facilitator.roster_worker, which runs `work`), on
# the same database; the server waits for it cooperatively (eventlet and gevent patch subprocess).

def _large(size: int) -> bool:
    return size > current_app.config["ROSTER_WORKER_BYTES"]


def _in_worker(task: dict) -> dict:
    payload = json.dumps({**task, "database": current_app.config["SQLALCHEMY_DATABASE_URI"]})
    db.session.rollback()  # the worker reads what is committed
    done = subprocess.run([sys.executable, "-m", "facilitator.roster_worker"],
                          input=payload.encode(), capture_output=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError("the roster worker failed: "
                           + done.stderr.decode(errors="replace")[-2000:])
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def _line_error_json(error: LineError) -> list:
    return [error.line, error.reason, error.params]


def _analysis_json(analysis: Analysis) -> dict:
    return {"source_format": analysis.source_format,
            "first_rows": [dataclasses.astuple(row) for row in analysis.first_rows],
            "summary": dataclasses.astuple(analysis.summary),
            "errors": [_line_error_json(e) for e in analysis.errors],
            "diff_counts": analysis.diff_counts}


def _analysis_from_json(data: dict) -> Analysis:
    if "error" in data:
        raise _error_from_json(data["error"])
    return Analysis(data["source_format"], [RosterLine(*row) for row in data["first_rows"]],
                    RosterSummary(*data["summary"]),
                    [LineError(*error) for error in data["errors"]],
                    tuple(data["diff_counts"]) if data["diff_counts"] else None)


def _error_json(error: DomainError) -> dict:
    if isinstance(error, RosterRejected):
        return {"rejected": [_line_error_json(e) for e in error.errors]}
    return {"code": error.code, "params": error.params}


def _error_from_json(data: dict) -> DomainError:
    if "rejected" in data:
        return RosterRejected([LineError(*error) for error in data["rejected"]])
    return DomainError(data["code"], **data["params"])


def work(task: dict) -> dict:
    """The worker's task (roster_worker.py), in an app of its own on the server's database."""
    upload = db.session.get(RosterUpload, task["upload_id"])
    case = db.session.get(Case, task["case_id"])
    try:
        if task["task"] == "preview":
            return _analysis_json(_analyse(case.id, upload.data))
        user = db.session.get(User, task["user_id"]) if task.get("user_id") else None
        version_id = import_file(case, upload.data, upload.filename, user).id
        # Here, not in the server: rewriting the freed pages (secure_delete) of a file of
        # megabytes is a write the live meetings need not wait for.
        _forget_upload(upload.id)
        return {"version_id": version_id}
    except DomainError as error:
        db.session.rollback()
        return {"error": _error_json(error)}


def _refuse_while_live(case: Case) -> None:
    meeting = live_meeting_of(case.id)
    if meeting is not None:
        raise DomainError("roster.meeting_live", title=meeting.title)


def _forget_interrupted_imports(case: Case) -> None:
    stale = [row.id for row in db.session.execute(db.select(RosterVersion.id).filter(
        RosterVersion.case_id == case.id, RosterVersion.status == RosterVersionStatus.IMPORTING,
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
