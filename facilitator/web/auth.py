"""Sign-in and sign-out for moderators, clerks and administrators."""
from __future__ import annotations

from functools import wraps

import math

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   url_for)

from .. import access, clock, sign_in_throttle, staff_sessions
from ..clock import utcnow
from ..extensions import db
from ..i18n import t
from ..joining import client_address
from ..models import Case, Meeting, User
from ..sign_in_throttle import Throttled
from .security import safe_target

bp = Blueprint("auth", __name__)


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def case_or_404(case_id: int) -> Case:
    """The case, when the signed-in user sees it (facilitator/access.py); otherwise 404."""
    case = db.session.get(Case, case_id)
    if case is None or not access.sees_case(g.user, case.id):
        abort(404)
    return case


def meeting_or_404(meeting_id: int) -> Meeting:
    """The meeting, when the signed-in user sees its case; otherwise 404."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not access.sees_case(g.user, meeting.case_id):
        abort(404)
    return meeting


def meeting_for_chair(meeting_id: int) -> Meeting:
    """A meeting's console is for its moderator and clerk (and administrators): other
    members of the case get 403, everybody else 404."""
    meeting = meeting_or_404(meeting_id)
    if not access.chairs_meeting(g.user, meeting):
        abort(403)
    return meeting


def refuse_throttled(refusal: Throttled, template: str, **context):
    """The page again, saying until when (local time) and in how long: 429 and Retry-After."""
    seconds = refusal.seconds_left(utcnow())
    message = t("auth.throttled", time=clock.local(refusal.until).strftime("%H:%M"),
                minutes=math.ceil(seconds / 60))
    return render_template(template, error=message, **context), 429, \
        {"Retry-After": str(seconds)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()[:64]
        password = (request.form.get("password") or "")[:200]
        address = client_address()
        try:
            sign_in_throttle.take_try(current_app.config, username, address)
        except Throttled as refusal:
            return refuse_throttled(refusal, "login.html")
        user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
        success = user is not None and user.check_password(password)
        sign_in_throttle.finish(username, address, user.id if user else None, success)
        if success:
            staff_sessions.start(user, address)
            return redirect(safe_target(request.args.get("next"),
                                        url_for("cases.list_cases")))
        error = t("auth.bad_login")
    return render_template("login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    staff_sessions.end_current()  # the phone identities are cookies of their own: they stay
    return redirect(url_for("auth.login"))


MIN_PASSWORD = 8


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password for the signed-in user; every session of theirs ends (a stolen cookie
    with it), this browser gets a new one. The current password is checked under the
    account's sign-in throttle."""
    if request.method == "GET":
        return render_template("account/password.html")
    current = (request.form.get("current_password") or "")[:200]
    new = request.form.get("new_password") or ""
    user = g.user
    if len(new) < MIN_PASSWORD or len(new) > 200:
        return _password_error("account.password_length")
    if new != (request.form.get("repeat") or ""):
        return _password_error("account.password_mismatch")
    try:
        sign_in_throttle.take_try(current_app.config, user.username, None)
    except Throttled as refusal:
        return refuse_throttled(refusal, "account/password.html")
    right = user.check_password(current)
    sign_in_throttle.finish(user.username, None, user.id, right)
    if not right:
        return _password_error("account.wrong_password")
    user.set_password(new)
    staff_sessions.end_all(user.id)
    db.session.commit()
    staff_sessions.start(user, client_address())
    flash(t("account.password_changed"), "status")
    return redirect(url_for("cases.list_cases"))


def _password_error(key: str):
    return render_template("account/password.html", error=t(key)), 400
