"""Joining from a phone: the code, and the phone page (the join form, the lobby, the meeting).

The join itself goes over the live socket (facilitator/joining.py, docs/protocol.md
"Joining"): the page is the same for every phone of a meeting, so a join storm costs one
page and one socket handshake per phone, no form post, no session.
"""
from __future__ import annotations

import gzip
import secrets
import time

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from .. import rosters
from ..actions import invitations
from ..clock import utcnow
from ..domain.join_codes import normalise_join_code
from ..domain.owner_sheets import normalise_personal_code
from ..domain.statuses import MeetingStatus
from ..errors import DomainError
from ..extensions import db
from ..i18n import current_locale, t
from ..joining import DEVICE_COOKIE, admit, by_code, by_key, cookie_participant, phone_cookie_name
from ..models import AgendaItem, Meeting
from .elderly import elderly_mode
from .forms import error_message
from ..actions.written_ballot import written_votes
from .security import https_site
from .written_ballot import ballot_page

bp = Blueprint("join", __name__)


def give_device_cookie(response) -> None:
    """The join page gives a browser its device cookie (once): random, HttpOnly."""
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400,
                            httponly=True, samesite="Lax", secure=https_site())


def _code_page(error: DomainError | None, status: int = 200):
    return render_template("join/code.html",
                           error=error_message(error) if error else None), status


_REFUSAL_STATUS = {"meeting.too_many_attempts": 429, "join.meeting_ended": 410}


def _refused(error: DomainError):
    return _code_page(error, _REFUSAL_STATUS.get(error.code, 404))


@bp.route("/join", methods=["GET", "POST"])
def enter_code():
    """The meeting's six-digit code, or an owner's ten-digit personal code (their invitation):
    wrong ones of either kind count against the same limit."""
    if request.method == "GET":
        return _code_page(None)
    typed = request.form.get("code", "")
    personal = normalise_personal_code(typed)
    if personal is not None:
        return _personal_code(personal)
    code = normalise_join_code(typed)
    if code is None:
        return _code_page(DomainError("meeting.code_format"), 400)
    try:
        meeting_id = admit(lambda: by_code(code), guessable=True, wrong="meeting.bad_code")
    except DomainError as error:
        return _refused(error)
    # The right code was typed: the phone goes on as if it had scanned the QR code (its key
    # in the link), so loading the page and joining cost no more tries.
    meeting = db.session.get(Meeting, meeting_id)
    return redirect(url_for("join.join_page", code=code, k=meeting.join_key))


def _personal_code(code: str):
    """A personal code works once: it opens the owner's personal link on this phone. It is
    short enough to guess, so it goes through the gate like a meeting's code (a spent one
    counts as wrong)."""
    def lookup():
        found = invitations.invitation_for_code(code)
        return (found, True) if found is not None and found.code_used_at is None else None
    try:
        invitation = admit(lookup, guessable=True, wrong="meeting.bad_code")
    except DomainError as error:
        return _refused(error)
    invitation.code_used_at = utcnow()
    db.session.commit()
    return redirect(url_for("join.invitation", token=invitations.link_token(invitation)))


@bp.route("/i/<token>")
def invitation(token: str):
    """An owner's personal link (the QR code of the invitation): joins as that owner,
    verified, while the meeting is live; says when it is, before; that it ended, after."""
    def lookup():  # an unguessable token: a right one is not counted, a wrong one is
        invitation = invitations.invitation_for_token(token)
        return (invitation, True) if invitation is not None else None
    try:
        found = admit(lookup, guessable=False, wrong="invitation.invalid")
    except DomainError as error:
        return _refused(error)
    meeting = db.session.get(Meeting, found.meeting_id)
    units = invitations.owners_of(rosters.meeting_version_id(meeting)).get(found.owner_key, [])
    owner = units[0].owner_name if units else ""
    if meeting.status == MeetingStatus.ENDED and written_votes(meeting.id):
        # The decision continues in writing: the link is the owner's ballot.
        return ballot_page(token, found, meeting)
    if meeting.status != MeetingStatus.LIVE:
        return render_template("join/invitation.html", meeting=meeting, owner=owner,
                               units=[u.unit for u in units]), \
            (200 if meeting.status == MeetingStatus.SCHEDULED else 410)
    return render_template("phone.html", meeting=meeting, code=None, units=[],
                           invitation={"token": token, "owner": owner,
                                       "units": t("punct.list").join(u.unit for u in units)})


@bp.route("/j/<code>")
def join_page(code: str):
    """The URL in the QR code (`/j/<code>?k=<key>`): the phone page with the join form. The
    key opens it without taking a try; without it (a link typed by hand) the code is tried
    like one typed on /join."""
    key = request.args.get("k")
    try:
        if key is not None:
            meeting_id, code = admit(lambda: by_key(key), guessable=False,
                                     wrong="join.bad_link")
        else:
            if normalise_join_code(code) != code:
                return _code_page(DomainError("meeting.code_format"), 404)
            meeting_id = admit(lambda: by_code(code), guessable=True, wrong="meeting.bad_code")
    except DomainError as error:
        return _refused(error)
    # A phone that joined before (its cookie: checked by the socket, not here) is drawn in
    # the meeting from the first frame; elderly mode large.
    variant = (meeting_id, code, current_locale(),
               request.cookies.get(phone_cookie_name(meeting_id)) is not None, elderly_mode())
    cached = _join_pages.get(variant)
    if cached is None or time.monotonic() - cached[0] >= _JOIN_PAGE_SECONDS:
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None or meeting.status != MeetingStatus.LIVE:
            return _refused(DomainError("join.meeting_ended"))
        cached = _render_join_page(meeting, variant)
    _, page, compressed = cached
    if "gzip" in request.accept_encodings:
        response = Response(compressed, mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(page, mimetype="text/html")
    response.vary.add("Accept-Encoding")
    give_device_cookie(response)
    # The page carries the key: not to be kept by shared caches or told to other sites.
    response.headers["Cache-Control"] = "private, no-store"
    return response


# A room full of phones scanning the QR code asks for the same page hundreds of times a
# second: it is rendered once per meeting, code, language and variant (joined before or not,
# elderly mode or not) for a few seconds (a title changed, an item started or a roster
# imported meanwhile shows after them, and the live page draws the current state as soon as
# it is connected; a meeting that ended meanwhile refuses the join itself, which checks the
# code again). It is kept encoded, and gzipped for
# the browsers that take it (all do): a fifth of the bytes on a crowded room's network.
_JOIN_PAGE_SECONDS = 5.0
_join_pages: dict[tuple, tuple[float, bytes, bytes]] = {}


def _render_join_page(meeting: Meeting, variant: tuple) -> tuple[float, bytes, bytes]:
    units = [row.unit for row in rosters.units_of(rosters.meeting_version_id(meeting))]
    joined = variant[3]
    page = render_template("phone.html", meeting=meeting, code=meeting.join_code,
                           join_key=meeting.join_key, units=units, joined=joined,
                           current_item=_current_item(meeting) if joined else None).encode()
    if len(_join_pages) > 400:  # live meetings × languages × variants: old entries are dropped
        _join_pages.clear()
    cached = _join_pages[variant] = (time.monotonic(), page, gzip.compress(page, 6))
    return cached


def _current_item(meeting: Meeting) -> AgendaItem | None:
    """The item in progress, drawn in the page before the live connection brings it: on a
    slow network that is seconds earlier (it is public: the room's screen shows it)."""
    return db.session.get(AgendaItem, meeting.current_item_id) if meeting.current_item_id else None


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
    return render_template("phone.html", meeting=meeting, code=None, units=[], joined=True,
                           current_item=_current_item(meeting))
