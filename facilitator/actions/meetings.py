"""Opening, ending and the settings of a meeting."""
from ..domain.join_codes import new_join_code
from ..errors import DomainError
from ..extensions import db
from ..live.views import case_view
from ..models import Meeting
from ..validation import Field
from .agenda import stop_current_run
from .core import CHAIR, MODERATOR, SYSTEM, Context, Outcome, command


def _free_join_code() -> str:
    # Unique among live meetings (the column is unique and cleared when a meeting ends); a
    # race with another meeting opening is caught by the constraint and the command retried.
    while True:
        code = new_join_code()
        taken = db.session.execute(db.select(Meeting.id).filter_by(join_code=code)).first()
        if not taken:
            return code


@command("meeting.open", roles=MODERATOR, schema={}, states=("scheduled",))
def open_meeting(ctx: Context) -> Outcome:
    meeting = ctx.meeting
    meeting.status = "live"
    meeting.opened_at = ctx.now
    meeting.join_code = _free_join_code()
    ctx.changed(meeting)
    return Outcome("meeting.opened", {"join_code": meeting.join_code},
                   {"join_code": meeting.join_code})


@command("meeting.end", roles=MODERATOR, schema={}, states=("live",))
def end_meeting(ctx: Context) -> Outcome:
    meeting = ctx.meeting
    from .speakers import end_current_speech
    end_current_speech(ctx)
    stop_current_run(ctx)
    meeting.status = "ended"
    meeting.ended_at = ctx.now
    meeting.join_code = None
    meeting.current_item_id = None
    ctx.changed(meeting)
    return Outcome("meeting.ended", {})


@command("meeting.configure", roles=CHAIR, states=("scheduled", "live"),
         schema={"allow_direct_entry": Field("bool")})
def configure_meeting(ctx: Context, allow_direct_entry: bool) -> Outcome:
    if ctx.meeting.allow_direct_entry == allow_direct_entry:
        raise DomainError("command.no_change")
    ctx.meeting.allow_direct_entry = allow_direct_entry
    ctx.changed(ctx.meeting)
    return Outcome("meeting.configured", {"allow_direct_entry": allow_direct_entry})


@command("meeting.case_changed", roles=SYSTEM, schema={}, states=("scheduled", "live"))
def case_changed(ctx: Context) -> Outcome:
    """The case was edited on its page: the meeting's screens show its new number and title."""
    ctx.changes.append({"c": "case", "v": case_view(ctx.meeting.case)})
    return Outcome("meeting.case_changed", {"number": ctx.meeting.case.number,
                                            "title": ctx.meeting.case.title})
