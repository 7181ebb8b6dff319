"""A phone's identity in a meeting, and the limit on guessing join codes.

Phones join over the live socket (docs/protocol.md, "Joining"): the join form's answers go in
the socket's handshake, and the server answers with a random participant token. The phone's
page keeps it in a cookie named `phone-<meeting id>`, so reloading the page, losing the
network or downloading the minutes after the meeting keep who it is. Only a hash of the
token is stored.

Wrong join codes are counted per client address, on the join page and on the socket alike;
past the limit every code is refused, the right one too, so guessing learns nothing.
A room joining at once asks the same two questions hundreds of times a second (how many
wrong codes from this address; is this code live): each answer is kept for a second per
server process. A wrong code sent to this process is counted at once; a meeting that ended
within the second is refused by the join command itself.
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
from .clock import utcnow
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


DEVICE_COOKIE = "facilitator-device"


def joined_from() -> dict:
    """Where a join comes from, for the limits per browser and per address (a hash of the
    browser's device cookie, set by the join page; the client address)."""
    device = request.cookies.get(DEVICE_COOKIE)
    return {"device": hash_token(device) if device and len(device) <= 100 else None,
            "address": client_address()}


def give_device_cookie(response) -> None:
    """The join page gives a browser its device cookie (once): random, HttpOnly."""
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400,
                            httponly=True, samesite="Lax", secure=request.is_secure)


# Asked on every join page and every join (prebuilt: no statement to construct each time).
_attempts = JoinAttempt.__table__
_FAILURES = (select(func.count()).select_from(_attempts)
             .where(_attempts.c.client == bindparam("client"), _attempts.c.at > bindparam("since")))


RECENT_SECONDS = 1.0
RECENT_READS = "joining_recent_reads"  # the app's extension holding them (per app: its database)


def _recently_read(question: str, key, read, keep=lambda answer: True):
    """`read()`, or its answer kept from less than RECENT_SECONDS ago (answers `keep` accepts)."""
    reads = current_app.extensions.setdefault(RECENT_READS, {})
    kept = reads.get((question, key))
    if kept is not None and time.monotonic() - kept[0] <= RECENT_SECONDS:
        return kept[1]
    answer = read()
    if keep(answer):
        if len(reads) > 10_000:  # addresses and meetings come and go: forget all now and then
            reads.clear()
        reads[(question, key)] = (time.monotonic(), answer)
    return answer


def failures_left() -> int:
    client = client_address()
    window = timedelta(seconds=current_app.config["JOIN_ATTEMPTS_WINDOW_SECONDS"])
    failures = _recently_read("failures", client, lambda: db.session.connection().execute(
        _FAILURES, {"client": client, "since": utcnow() - window}).scalar())
    return current_app.config["JOIN_ATTEMPTS_LIMIT"] - failures


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
    current_app.extensions.get(RECENT_READS, {}).pop(("failures", client_address()), None)
    left = max(0, failures_left())
    return too_many_attempts() if left <= 0 else DomainError("meeting.bad_code", left=left)


_LIVE_CODE = select(Meeting.__table__.c.id).where(
    Meeting.__table__.c.id == bindparam("id"), Meeting.__table__.c.join_code == bindparam("code"),
    Meeting.__table__.c.status == "live")


def code_is_live(meeting_id: int, code: str) -> bool:
    """Whether `code` is the join code of live meeting `meeting_id` (a yes is kept a second)."""
    return _recently_read("live code", (meeting_id, code), lambda: db.session.connection().execute(
        _LIVE_CODE, {"id": meeting_id, "code": code}).first() is not None, keep=bool)


def live_meeting(code: str) -> Meeting | None:
    return db.session.execute(db.select(Meeting).filter_by(join_code=code, status="live")
                              ).scalar_one_or_none()
