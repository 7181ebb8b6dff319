"""Staff sign-ins kept on the server (models.StaffSession).

The signed session cookie carries a random token (`sid`); the database keeps its SHA-256
hash, the user and when the session ends (PERMANENT_SESSION_LIFETIME after sign-in, 30 days;
it is not extended by use). Every request looks the token up, so:

* signing out deletes the row: a copy of the cookie stops working at once;
* a password change, or an administrator's "sign out everywhere", deletes all of the
  user's rows (the browser that changed its password gets a new session);
* SECRET_KEY alone no longer makes a session: a forged cookie needs a live token too.

Phones and the projector are not staff: their tokens are their own (joining.py).
"""
from __future__ import annotations

import secrets

from flask import current_app, session

from .clock import utcnow
from .extensions import db
from .models import StaffSession, User
from .models.users import hash_token

SESSION_KEY = "sid"


def start(user: User, address: str) -> None:
    """Sign this browser in as `user`: a fresh cookie (nothing of the one before is kept)."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    db.session.execute(db.delete(StaffSession).where(StaffSession.expires_at <= now))
    db.session.add(StaffSession(user_id=user.id, token_hash=hash_token(token), created_at=now,
                                expires_at=now + current_app.permanent_session_lifetime,
                                address=address[:64]))
    db.session.commit()
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = token


def current_user() -> User | None:
    """The staff user of this request's session, while the session lives on the server."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    return db.session.execute(
        db.select(User).join(StaffSession, StaffSession.user_id == User.id).where(
            StaffSession.token_hash == hash_token(token),
            StaffSession.expires_at > utcnow())).scalar_one_or_none()


def end_current() -> None:
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        db.session.execute(db.delete(StaffSession).where(
            StaffSession.token_hash == hash_token(token)))
        db.session.commit()
    session.clear()


def end_all(user_id: int) -> None:
    """Every session of the user, on every device (the caller commits)."""
    db.session.execute(db.delete(StaffSession).where(StaffSession.user_id == user_id))


def active_counts() -> dict[int, int]:
    """Live sessions per user id."""
    rows = db.session.execute(
        db.select(StaffSession.user_id, db.func.count()).where(
            StaffSession.expires_at > utcnow()).group_by(StaffSession.user_id))
    return {user_id: count for user_id, count in rows}
