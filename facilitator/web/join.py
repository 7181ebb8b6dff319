"""Joining from a phone: the code, and the phone page (the join form, the lobby, the meeting).

The join itself goes over the live socket (facilitator/joining.py, docs/protocol.md
"Joining"): the page is the same for every phone of a meeting, so a join storm costs one
page and one socket handshake per phone, no form post, no session.
"""
from __future__ import annotations

import gzip
import time

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from .. import rosters
from ..actions import invitations
from ..clock import utcnow
from ..domain.join_codes import normalise_join_code
from ..domain.owner_sheets import normalise_personal_code
from ..errors import DomainError
from ..extensions import db
from ..i18n import current_locale, t
from ..joining import (check_not_blocked, cookie_participant, give_device_cookie, live_meeting,
                       wrong_code)
from ..models import Meeting
from .forms import error_message

bp = Blueprint("join", __name__)


def _code_page(error: DomainError | None, status: int = 200):
    return render_template("join/code.html",
                           error=error_message(error) if error else None), status


def _refusal_status(error: DomainError) -> int:
    return 429 if error.code == "meeting.too_many_attempts" else 404


@bp.route("/join", methods=["GET", "POST"])
def enter_code():
    """The meeting's six-digit code, or an owner's ten-digit personal code (their invitation):
    wrong ones of either kind count against the same limit."""
    if request.method == "GET":
        return _code_page(None)
    try:
        check_not_blocked()
    except DomainError as error:
        return _code_page(error, 429)
    typed = request.form.get("code", "")
    personal = normalise_personal_code(typed)
    if personal is not None:
        return _personal_code(personal)
    code = normalise_join_code(typed)
    if code is None:
        return _code_page(DomainError("meeting.code_format"), 400)
    if live_meeting(code) is None:
        error = wrong_code()
        return _code_page(error, _refusal_status(error))
    return redirect(url_for("join.join_page", code=code))


def _personal_code(code: str):
    """A personal code works once: it opens the owner's personal link on this phone."""
    invitation = invitations.invitation_for_code(code)
    if invitation is None or invitation.code_used_at is not None:
        error = wrong_code()
        return _code_page(error, _refusal_status(error))
    invitation.code_used_at = utcnow()
    db.session.commit()
    return redirect(url_for("join.invitation", token=invitations.link_token(invitation)))


@bp.route("/i/<token>")
def invitation(token: str):
    """An owner's personal link (the QR code of the invitation): joins as that owner,
    verified, while the meeting is live; says when it is, before; that it ended, after."""
    found = invitations.invitation_for_token(token)
    if found is None:
        return _code_page(DomainError("invitation.invalid"), 404)
    meeting = db.session.get(Meeting, found.meeting_id)
    units = invitations.owners_of(rosters.meeting_version_id(meeting)).get(found.owner_key, [])
    owner = units[0].owner_name if units else ""
    if meeting.status != "live":
        return render_template("join/invitation.html", meeting=meeting, owner=owner,
                               units=[u.unit for u in units]), \
            (200 if meeting.status == "scheduled" else 410)
    return render_template("phone.html", meeting=meeting, code=None, units=[],
                           invitation={"token": token, "owner": owner,
                                       "units": "、".join(u.unit for u in units)})


@bp.route("/j/<code>")
def join_page(code: str):
    """The URL in the QR code: the phone page with the join form."""
    try:
        check_not_blocked()
    except DomainError as error:
        return _code_page(error, 429)
    cached = _join_pages.get((request.full_path, current_locale()))
    if cached is None or time.monotonic() - cached[0] >= _JOIN_PAGE_SECONDS:
        meeting = live_meeting(code) if normalise_join_code(code) == code else None
        if meeting is None:
            error = wrong_code()
            return _code_page(error, _refusal_status(error))
        cached = _render_join_page(meeting, code)
    _, page, compressed = cached
    if "gzip" in request.accept_encodings:
        response = Response(compressed, mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(page, mimetype="text/html")
    response.vary.add("Accept-Encoding")
    give_device_cookie(response)
    return response


# A room full of phones scanning the QR code asks for the same page hundreds of times a
# second: it is rendered once per code, address and language for a few seconds (a title
# changed or a roster imported meanwhile shows after them; a meeting that ended meanwhile
# refuses the join itself, which checks the code again). It is kept encoded, and gzipped for
# the browsers that take it (all do): a fifth of the bytes on a crowded room's network.
_JOIN_PAGE_SECONDS = 5.0
_join_pages: dict[tuple, tuple[float, bytes, bytes]] = {}


def _render_join_page(meeting: Meeting, code: str) -> tuple[float, bytes, bytes]:
    units = [row.unit for row in rosters.units_of(rosters.meeting_version_id(meeting))]
    page = render_template("phone.html", meeting=meeting, code=code, units=units).encode()
    if len(_join_pages) > 100:  # live meetings × languages: old entries are just dropped
        _join_pages.clear()
    cached = _join_pages[(request.full_path, current_locale())] = (
        time.monotonic(), page, gzip.compress(page, 6))
    return cached


@bp.route("/m/<int:meeting_id>/phone")
def phone(meeting_id: int):
    """The phone page of a meeting this browser joined (where the join page sends it after
    joining, so a reload after the meeting, when the code is gone, still finds it)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    mine = cookie_participant(meeting.id)
    if mine is None:
        # Not the join code: a meeting's id is easy to guess, its code is not.
        return render_template("join/code.html", error=t("auth.not_joined")), 403
    return render_template("phone.html", meeting=meeting, code=None, units=[])
