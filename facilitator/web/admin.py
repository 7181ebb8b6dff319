"""Administrators' pages: the staff users with their live sessions ("sign out everywhere")
and the sign-in log with the current sign-in locks."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for

from .. import access, sign_in_throttle, staff_sessions
from ..clock import utcnow
from ..extensions import db
from ..i18n import t
from ..models import SignInEvent, User
from .auth import login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The newest entries of the sign-in log on its page (the log keeps 90 days).
LOG_SHOWN = 300


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not access.is_admin(g.user):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


@bp.route("/users")
@admin_required
def users():
    people = db.session.execute(db.select(User).order_by(User.username)).scalars().all()
    return render_template("admin/users.html", users=people,
                           sessions=staff_sessions.active_counts())


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
@admin_required
def sign_out_everywhere(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    staff_sessions.end_all(user.id)
    db.session.commit()
    flash(t("admin.signed_out_everywhere", name=user.display_name), "status")
    if user.id == g.user.id:  # this browser too
        return redirect(url_for("auth.login"))
    return redirect(url_for("admin.users"))


@bp.route("/sign-ins")
@admin_required
def sign_ins():
    events = db.session.execute(db.select(SignInEvent).order_by(
        SignInEvent.at.desc(), SignInEvent.id.desc()).limit(LOG_SHOWN)).scalars().all()
    now = utcnow()
    return render_template("admin/sign_ins.html", events=events,
                           locks=sign_in_throttle.active_locks(now))
