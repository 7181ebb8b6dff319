"""Joining from a phone: the code, the join form, the lobby and the phone view.

The phone's identity is a random token kept in its signed session cookie (only a hash is
stored), so reloading the page or coming back after a network loss keeps who it is.
"""
from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from flask import (Blueprint, abort, current_app, redirect, render_template, request, session,
                   url_for)

from ..actions import Actor, execute
from ..domain.join_codes import normalise_join_code
from ..extensions import db
from ..i18n import t
from ..models import JoinAttempt, Meeting, Participant, RosterUnit
from ..models.base import utcnow
from ..models.users import hash_token
from .forms import error_message, form_values

bp = Blueprint("join", __name__)


def _client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def _failures_left() -> int:
    window = timedelta(seconds=current_app.config["JOIN_ATTEMPTS_WINDOW_SECONDS"])
    failures = db.session.execute(db.select(db.func.count(JoinAttempt.id)).filter(
        JoinAttempt.client == _client_address(), JoinAttempt.at > utcnow() - window)).scalar()
    return current_app.config["JOIN_ATTEMPTS_LIMIT"] - failures


def _record_failure() -> int:
    db.session.add(JoinAttempt(client=_client_address()))
    db.session.commit()
    return max(0, _failures_left())


def _too_many_attempts():
    minutes = current_app.config["JOIN_ATTEMPTS_WINDOW_SECONDS"] // 60
    return render_template("join/code.html", error=t("meeting.too_many_attempts",
                                                     minutes=minutes)), 429


def _live_meeting(code: str) -> Meeting | None:
    return db.session.execute(db.select(Meeting).filter_by(join_code=code, status="live")
                              ).scalar_one_or_none()


def _my_participant(meeting: Meeting) -> Participant | None:
    token = (session.get("phones") or {}).get(str(meeting.id))
    if not token:
        return None
    return db.session.execute(db.select(Participant).filter_by(
        meeting_id=meeting.id, token_hash=hash_token(token))).scalar_one_or_none()


@bp.route("/join", methods=["GET", "POST"])
def enter_code():
    if request.method == "GET":
        return render_template("join/code.html", error=None)
    if _failures_left() <= 0:
        return _too_many_attempts()
    code = normalise_join_code(request.form.get("code", ""))
    if code is None:
        return render_template("join/code.html", error=t("meeting.code_format")), 400
    if _live_meeting(code) is None:
        left = _record_failure()
        if left <= 0:
            return _too_many_attempts()
        return render_template("join/code.html", error=t("meeting.bad_code", left=left)), 404
    return redirect(url_for("join.join_form", code=code))


@bp.route("/j/<code>", methods=["GET", "POST"])
def join_form(code: str):
    if _failures_left() <= 0:
        return _too_many_attempts()
    meeting = _live_meeting(code) if normalise_join_code(code) == code else None
    if meeting is None:
        left = _record_failure()
        if left <= 0:
            return _too_many_attempts()
        return render_template("join/code.html", error=t("meeting.bad_code", left=left)), 404
    mine = _my_participant(meeting)
    if mine is not None and mine.status in ("lobby", "admitted"):
        return redirect(url_for("join.phone", meeting_id=meeting.id))
    errors, values = {}, {"command_id": uuid.uuid4().hex}
    if request.method == "POST":
        values = form_values()
        payload = {k: values.get(k) or None for k in ("name", "party", "unit")}
        outcome = execute(meeting.id, Actor(role="visitor"), "participant.join", payload,
                          values.get("command_id") or None)
        if outcome.ok and outcome.duplicate and _my_participant(meeting) is None:
            # The same form sent again after its response was lost: the form's command id is
            # a secret only this phone had, so it gets a new token for the same person.
            outcome.result["token"] = _reissue_token(outcome.result["participant_id"])
        if outcome.ok:
            phones = dict(session.get("phones") or {})
            phones[str(meeting.id)] = outcome.result.get("token") or phones.get(str(meeting.id))
            session["phones"] = phones
            session.permanent = True
            return redirect(url_for("join.phone", meeting_id=meeting.id))
        errors[outcome.error.params.get("field", "name")] = error_message(outcome.error)
    # The units to pick from: read as one column, only when the form is shown (a join storm
    # of hundreds of phones reads it hundreds of times).
    units = db.session.execute(db.select(RosterUnit.unit).filter_by(case_id=meeting.case_id)
                               .order_by(RosterUnit.id)).scalars().all()
    return render_template("join/form.html", meeting=meeting, units=units, values=values,
                           errors=errors, code=code), (400 if errors else 200)


def _reissue_token(participant_id: int) -> str:
    token = secrets.token_urlsafe(24)
    person = db.session.get(Participant, participant_id)
    person.token_hash = hash_token(token)
    db.session.commit()
    return token


@bp.route("/m/<int:meeting_id>/phone")
def phone(meeting_id: int):
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    mine = _my_participant(meeting)
    if mine is None:
        if meeting.join_code:
            return redirect(url_for("join.join_form", code=meeting.join_code))
        return render_template("join/code.html", error=t("auth.not_joined")), 403
    return render_template("phone.html", meeting=meeting, me=mine)
