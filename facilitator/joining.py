"""A phone's identity in a meeting, and the limit on guessing join codes.

Phones join over the live socket (docs/protocol.md, "Joining"): the join form's answers go in
the socket's handshake, and the server answers with a random participant token. The phone's
page keeps it in a cookie named `phone-<meeting id>`, so reloading the page, losing the
network or downloading the minutes after the meeting keep who it is. Only a hash of the
token is stored.

Wrong join codes are counted per client address, on the join page and on the socket alike;
past the limit every code is refused, the right one too, so guessing learns nothing.
The count of an address is read at most once a second per server process (a room joining
at once asks it hundreds of times a second); a wrong code sent to this process is counted at
once.
"""
from __future__ import annotations

import secrets
import time
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import bindparam, func, select

from .errors import DomainError
from .extensions import db
from .models import JoinAttempt, Meeting, Participant
from .models.base import utcnow
from .models.users import hash_token


def phone_cookie_name(meeting_id: int) -> str:
    return f"phone-{meeting_id}"


def participant_for_token(meeting_id: int, token):
    """(id, status) of the participant holding `token` in the meeting, or None."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    return db.session.execute(db.select(Participant.id, Participant.status).filter_by(
        meeting_id=meeting_id, token_hash=hash_token(token))).one_or_none()


def cookie_participant(meeting_id: int):
    """(id, status) of the participant this browser joined `meeting_id` as (its cookie)."""
    return participant_for_token(meeting_id, request.cookies.get(phone_cookie_name(meeting_id)))


def reissue_token(participant_id: int) -> str:
    """A new token for a participant (its join was sent again after the answer was lost: the
    command id was a secret only that phone had, so it is the same phone)."""
    token = secrets.token_urlsafe(24)
    person = db.session.get(Participant, participant_id)
    person.token_hash = hash_token(token)
    db.session.commit()
    return token


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


# Asked on every join page and every join (prebuilt: no statement to construct each time).
_attempts = JoinAttempt.__table__
_FAILURES = (select(func.count()).select_from(_attempts)
             .where(_attempts.c.client == bindparam("client"), _attempts.c.at > bindparam("since")))


FAILURES_FRESH_SECONDS = 1.0


def failures_left() -> int:
    client = client_address()
    # Per app (tests run several, each with its own database): address → (read at, count).
    counts = current_app.extensions.setdefault("join_failure_counts", {})
    read = counts.get(client)
    if read is None or time.monotonic() - read[0] > FAILURES_FRESH_SECONDS:
        window = timedelta(seconds=current_app.config["JOIN_ATTEMPTS_WINDOW_SECONDS"])
        failures = db.session.connection().execute(
            _FAILURES, {"client": client, "since": utcnow() - window}).scalar()
        if len(counts) > 10_000:  # addresses come and go: forget them all now and then
            counts.clear()
        read = counts[client] = (time.monotonic(), failures)
    return current_app.config["JOIN_ATTEMPTS_LIMIT"] - read[1]


def too_many_attempts() -> DomainError:
    minutes = current_app.config["JOIN_ATTEMPTS_WINDOW_SECONDS"] // 60
    return DomainError("meeting.too_many_attempts", minutes=minutes)


def check_not_blocked() -> None:
    if failures_left() <= 0:
        raise too_many_attempts()


def wrong_code() -> DomainError:
    """Count a wrong code from this address; the error to show."""
    db.session.add(JoinAttempt(client=client_address()))
    db.session.commit()
    current_app.extensions.get("join_failure_counts", {}).pop(client_address(), None)
    left = max(0, failures_left())
    return too_many_attempts() if left <= 0 else DomainError("meeting.bad_code", left=left)


def live_meeting(code: str) -> Meeting | None:
    return db.session.execute(db.select(Meeting).filter_by(join_code=code, status="live")
                              ).scalar_one_or_none()
