"""Sign-in and sign-out for moderators, clerks and administrators."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from ..extensions import db
from ..i18n import t
from ..models import User

bp = Blueprint("auth", __name__)


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def require_meeting_chair(meeting) -> None:
    """A meeting's console is for its moderator and clerk (and administrators)."""
    user = g.user
    if user.role != "admin" and user.id not in (meeting.moderator_id, meeting.clerk_id):
        abort(403)


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
