"""Sign-in and sign-out for moderators, clerks and administrators."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from .. import access
from ..extensions import db
from ..i18n import t
from ..models import Case, Meeting, User

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


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("cases.list_cases")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()[:64]
        password = (request.form.get("password") or "")[:200]
        user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
        if user is not None and user.check_password(password):
            session.clear()
            session.permanent = True
            session["user_id"] = user.id
            return redirect(_safe_next(request.args.get("next")))
        error = t("auth.bad_login")
    return render_template("login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()  # the phone identities are cookies of their own: they stay
    return redirect(url_for("auth.login"))
