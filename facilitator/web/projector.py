"""The big screen: read-only, opened with a link that carries no moderator power."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from ..extensions import db
from ..models import Meeting
from .links import join_url
from .security import allow_framing

bp = Blueprint("projector", __name__)


@bp.route("/p/<token>")
def show(token: str):
    meeting = db.session.execute(db.select(Meeting).filter_by(projector_token=token)
                                 ).scalar_one_or_none()
    if meeting is None:
        abort(404)
    # The room's screen speaks the meeting's language unless someone chose otherwise.
    request.page_locale = meeting.language
    allow_framing(current_app.config["PROJECTOR_FRAME_ANCESTORS"])
    return render_template("projector.html", meeting=meeting, token=token,
                           join_base=join_url("000000")[:-6])
