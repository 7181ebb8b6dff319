"""What the room's screen shows by itself: one plan, one vote (its participation while it is
open, its result once closed), the written questions most upvoted (actions/questions.py) or
the QR code to join, full-screen, until the chair returns it
to the ordinary screen. The choice is kept on the meeting, so a projector that reloads shows
it again; ending the meeting returns the screen to the ordinary one (the end message)."""
from __future__ import annotations

from ..contract import Datum, event
from ..domain.statuses import SHOWN_VOTE, PlanStatus
from ..errors import DomainError
from ..extensions import db
from ..models.votes import Plan, Vote
from ..validation import Field, optional
from .core import CHAIR, Context, Outcome, command

SHOWN = ("plan", "vote", "questions", "qr", "none")
# Shown alone without an id: the QR code, the top written questions, the ordinary screen.
WITHOUT_ID = ("qr", "questions", "none")


def _target(ctx: Context, show: str, target_id: int | None) -> dict | None:
    if show in WITHOUT_ID:
        if target_id is not None:
            raise DomainError("screen.id_not_needed")
        return None if show == "none" else {"kind": show}
    if target_id is None:
        raise DomainError("validation.required", field="id")
    if show == "plan":
        plan = db.session.get(Plan, target_id)
        if plan is None or plan.meeting_id != ctx.meeting.id:
            raise DomainError("plan.not_found")
        if plan.status != PlanStatus.ACCEPTED:  # proposals are the console's, not the room's
            raise DomainError("plan.not_accepted")
    else:
        vote = db.session.get(Vote, target_id)
        if vote is None or vote.meeting_id != ctx.meeting.id:
            raise DomainError("vote.not_found")
        if vote.status not in SHOWN_VOTE:
            raise DomainError("screen.vote_not_shown")
    return {"kind": show, "id": target_id}


event("screen.focused", data={
    "show": Datum("str", choices=SHOWN),
    "id": Datum("id", null=True, doc="the plan's or vote's; null for questions, qr and none")})


@command("screen.focus", events=("screen.focused",), roles=CHAIR,
         schema={"show": Field("str", choices=SHOWN), "id": optional("int", min=1)})
def focus_screen(ctx: Context, show: str, id: int | None) -> Outcome:
    focus = _target(ctx, show, id)
    if ctx.meeting.screen_focus == focus:
        raise DomainError("command.no_change")
    ctx.meeting.screen_focus = focus
    ctx.changed(ctx.meeting)
    return Outcome("screen.focused", {"show": show, "id": id})
