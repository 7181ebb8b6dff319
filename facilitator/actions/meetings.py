"""Opening, ending and the settings of a meeting."""
import secrets

from .. import rosters
from ..clock import to_epoch_ms
from ..domain.join_codes import new_join_code
from ..domain.statuses import NOT_ENDED, MeetingStatus
from ..errors import DomainError
from ..extensions import db
from ..views.entities import case_view
from ..models import Meeting, Participant, RosterUnit
from ..validation import Field
from .agenda import stop_current_run
from .core import CHAIR, MODERATOR, SYSTEM, Context, Outcome, command
from .participants import checkin_changed
from ..contract import Datum, event


def _free_join_code() -> str:
    # Unique among live meetings (the column is unique and cleared when a meeting ends); a
    # race with another meeting opening is caught by the constraint and the command retried.
    while True:
        code = new_join_code()
        taken = db.session.execute(db.select(Meeting.id).filter_by(join_code=code)).first()
        if not taken:
            return code



# --- events ------------------------------------------------------------------------------------
event("meeting.opened", public=True, data={
    "join_code": Datum("str"),
    "roster": Datum("object", null=True, doc="the roster version the meeting counts on: "
                    "version, imported_at, units, owners, area, sha256, filename")})
event("meeting.ended", public=True, data={})
event("meeting.configured", data={"allow_direct_entry": Datum("bool")})
event("meeting.case_changed", data={"number": Datum("str"), "title": Datum("str")},
      doc="the case's, after the edit")


@command("meeting.open", events=("meeting.opened",), result=("join_code",), roles=MODERATOR, schema={}, states=(MeetingStatus.SCHEDULED,))
def open_meeting(ctx: Context) -> Outcome:
    """Open the meeting; from now on it counts on the roster version in force now."""
    meeting = ctx.meeting
    meeting.status = MeetingStatus.LIVE
    meeting.opened_at = ctx.now
    meeting.join_code = _free_join_code()
    version = rosters.current_version(meeting.case_id)
    meeting.roster_version_id = version.id if version else None
    # The QR code's link carries this key: phones that scan it skip the limit on typed codes
    # (joining.py), so a room behind one address is never locked out by a mistyped code.
    meeting.join_key = secrets.token_urlsafe(16)
    ctx.changed(meeting)
    # People added before the opening named their unit on the roster of that time: their
    # owner keys are read again from this version (a unit no longer on it has none).
    for person in db.session.execute(db.select(Participant).filter(
            Participant.meeting_id == meeting.id, Participant.unit.is_not(None))).scalars():
        row = db.session.execute(db.select(RosterUnit.owner_key).filter_by(
            version_id=meeting.roster_version_id, unit=person.unit)).first()
        owner_key = row.owner_key if row else None
        if person.owner_key != owner_key:
            person.owner_key = owner_key
            ctx.changed(person)
    checkin_changed(ctx)
    return Outcome("meeting.opened", {"join_code": meeting.join_code,
                                      "roster": _roster_record(version)},
                   {"join_code": meeting.join_code})


def _roster_record(version) -> dict | None:
    """The roster version a meeting counts on, as the record (and the minutes) state it."""
    if version is None:
        return None
    return {"version": version.number, "imported_at": to_epoch_ms(version.imported_at),
            "units": version.units, "owners": version.owners,
            "area": version.area_hundredths, "sha256": version.sha256,
            "filename": version.filename}


@command("meeting.end", events=("meeting.ended",), roles=MODERATOR, schema={}, states=(MeetingStatus.LIVE,))
def end_meeting(ctx: Context) -> Outcome:
    meeting = ctx.meeting
    from .speakers import end_current_speech, refresh_speakers
    end_current_speech(ctx)
    stop_current_run(ctx)
    meeting.status = MeetingStatus.ENDED
    meeting.ended_at = ctx.now
    meeting.former_join_code, meeting.join_code = meeting.join_code, None
    had_item = meeting.current_item_id is not None
    meeting.current_item_id = None
    meeting.screen_focus = None  # the room sees the end message, whatever was put up
    ctx.changed(meeting)
    if had_item:  # no item, no list of speakers: every screen drops the one it showed
        refresh_speakers(ctx)
    return Outcome("meeting.ended", {})


@command("meeting.configure", events=("meeting.configured",), roles=CHAIR, states=NOT_ENDED,
         schema={"allow_direct_entry": Field("bool")})
def configure_meeting(ctx: Context, allow_direct_entry: bool) -> Outcome:
    if ctx.meeting.allow_direct_entry == allow_direct_entry:
        raise DomainError("command.no_change")
    ctx.meeting.allow_direct_entry = allow_direct_entry
    ctx.changed(ctx.meeting)
    return Outcome("meeting.configured", {"allow_direct_entry": allow_direct_entry})


@command("meeting.case_changed", events=("meeting.case_changed",), roles=SYSTEM, schema={}, states=NOT_ENDED)
def case_changed(ctx: Context) -> Outcome:
    """The case was edited on its page: the meeting's screens show its new number and title."""
    ctx.changes.append({"c": "case", "v": case_view(ctx.meeting.case)})
    return Outcome("meeting.case_changed", {"number": ctx.meeting.case.number,
                                            "title": ctx.meeting.case.title})
