"""A meeting's page (status, links, open/end) and its console."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from .. import access, rosters
from ..actions import Actor, execute
from .auth import login_required, meeting_for_chair, meeting_or_404
from .forms import error_message
from .links import join_url, phones_cannot_reach, projector_url, public_base, qr_svg
from .security import safe_target

bp = Blueprint("meetings", __name__)


def chair_actor() -> Actor:
    return Actor(role=g.user.role, user_id=g.user.id)


@bp.route("/meetings/<int:meeting_id>")
@login_required
def show_meeting(meeting_id: int):
    """The meeting's facts and links, for everyone on its case; its controls for its chair."""
    meeting = meeting_or_404(meeting_id)
    return render_template("meetings/show.html", meeting=meeting,
                           chairs=access.chairs_meeting(g.user, meeting),
                           join_link=(join_url(meeting.join_code, meeting.join_key)
                                      if meeting.join_code else None),
                           projector_link=projector_url(meeting))


@bp.route("/meetings/<int:meeting_id>/<any(open, end):action>", methods=["POST"])
@login_required
def change_status(meeting_id: int, action: str):
    meeting = meeting_for_chair(meeting_id)
    outcome = execute(meeting.id, chair_actor(), f"meeting.{action}", {},
                      request.form.get("command_id") or None)
    if not outcome.ok:
        flash(error_message(outcome.error), "error")
    return redirect(safe_target(request.form.get("next"),
                                url_for("meetings.show_meeting", meeting_id=meeting.id)))


@bp.route("/meetings/<int:meeting_id>/console")
@login_required
def console(meeting_id: int):
    meeting = meeting_for_chair(meeting_id)
    roster = rosters.units_of(rosters.meeting_version_id(meeting))
    base = public_base()
    return render_template("meetings/console.html", meeting=meeting,
                           projector_link=projector_url(meeting), roster=roster,
                           join_base=join_url("000000")[:-6],
                           unreachable_host=(urlsplit(base).hostname
                                             if phones_cannot_reach(base) else None))


@bp.route("/join-qr/<code>.svg")
def join_qr(code: str):
    """The QR code of a join link (`?k=` the meeting's join key, as the projector and the
    console ask for it). It encodes what it is given, live or not, so it tells a guesser
    nothing."""
    key = request.args.get("k")
    if not (len(code) == 6 and code.isdigit()) or (key is not None and not _KEY.fullmatch(key)):
        abort(404)
    return qr_svg(join_url(code, key)), 200, {"Content-Type": "image/svg+xml",
                                              "Cache-Control": "public, max-age=3600"}


_KEY = re.compile(r"[A-Za-z0-9_-]{8,32}")
