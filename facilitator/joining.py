"""A phone's identity in a meeting, and the gate on what a phone presents to join.

Phones join over the live socket (docs/protocol.md, "Joining"): the join form's answers go in
the socket's handshake, and the server answers with a random participant token. The phone's
page keeps it in a cookie named `phone-<meeting id>`, so reloading the page, losing the
network or downloading the minutes after the meeting keep who it is. Only a hash of the
token is stored.

What a phone presents to join goes through one gate, `admit`: a meeting's six-digit join
code can be guessed, so every code tried takes a try from its address's budget (sized for a
room of phones behind one NAT) and is refused while the server as a whole sees too many
wrong codes; the key in the QR code's link (128 random bits) cannot be guessed, so a right
one takes nothing and a room that scans the QR code is never locked out. The counts live in
the database (models.JoinGuesses): the try is taken by one conditional UPDATE before the
code is looked up, so concurrent guesses from many processes never get more codes looked
up than the budget.
A room joining at once asks "is this code (key) live" hundreds of times a second: a yes is
kept for a second per server process; a meeting that ended within that second is refused
by the join command itself.
"""
from __future__ import annotations

import math
import secrets
import threading
import time
from typing import Callable, TypeVar

from flask import current_app, request
from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from .clock import now_ms
from .domain.statuses import MeetingStatus
from .errors import DomainError
from .extensions import db
from .models import JoinGuesses, Meeting, Participant
from .models.users import hash_token
from .validation import is_token

T = TypeVar("T")


def phone_cookie_name(meeting_id: int) -> str:
    return f"phone-{meeting_id}"


def participant_for_token(meeting_id: int, token):
    """(id, status) of the participant holding `token` in the meeting, or None."""
    if not is_token(token, 1, 100):
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


RECENT_SECONDS = 1.0
RECENT_READS = "joining_recent_reads"  # the app's extension holding them (per app: its database)
READS_UNDER_WAY = "joining_reads_under_way"  # the same question being read now: its Event
_reads_lock = threading.Lock()


def _recently_read(question: str, key, read, keep=lambda answer: True):
    """`read()`, or its answer kept from less than RECENT_SECONDS ago (answers `keep` accepts).

    One read at a time per question: when the answer runs out in a room of phones joining,
    the fifty handshakes under way at that moment would otherwise all miss and all read,
    each waiting for a database connection, so that the answer was hardly ever fresh."""
    reads = current_app.extensions.setdefault(RECENT_READS, {})
    under_way = current_app.extensions.setdefault(READS_UNDER_WAY, {})
    asked = (question, key)
    kept = reads.get(asked)
    if kept is not None and time.monotonic() - kept[0] <= RECENT_SECONDS:
        return kept[1]
    with _reads_lock:  # (green threads never switch here; OS threads, in tests, might)
        other = under_way.get(asked)
        if other is None:
            done = under_way[asked] = threading.Event()
    if other is not None:
        other.wait(RECENT_SECONDS)
        kept = reads.get(asked)
        if kept is not None and time.monotonic() - kept[0] <= RECENT_SECONDS:
            return kept[1]
        with _reads_lock:
            done = under_way[asked] = threading.Event()
    try:
        answer = read()
    finally:
        if under_way.get(asked) is done:
            del under_way[asked]
        done.set()
    if keep(answer):
        if len(reads) > 10_000:  # addresses and meetings come and go: forget all now and then
            reads.clear()
        reads[asked] = (time.monotonic(), answer)
    return answer


# --- the gate --------------------------------------------------------------------------------

def admit(lookup: Callable[[], tuple[T, bool] | None], *, guessable: bool, wrong: str) -> T:
    """The one gate for a secret a phone presents to join a meeting. `lookup()` gives what
    the secret opens and whether its meeting is live, or None when it opens nothing.

    - A secret that cannot be guessed (`guessable=False`: a random key of at least 80 bits)
      is looked up at once; a right one costs nothing, whatever the address's count.
    - A secret that can be guessed (a six-digit code) first takes a try from the address's
      budget, refused when the budget is used up or the server has seen too many wrong codes
      this minute: then the answer is `meeting.too_many_attempts` and the code is not even
      looked up, so concurrent guesses never get more answers than the budget. A right
      code gives its try back.
    - The secret of a meeting that has ended: `join.meeting_ended`; it costs no try.
    - A wrong secret keeps its try (a wrong key takes one), counts against the server and
      is refused with `wrong` (params: `left`, the tries the address has left).
    """
    limiter = join_limiter()
    if guessable:
        ticket = limiter.take_try(client_address())
        try:
            found = lookup()
        except BaseException:
            limiter.give_back(ticket)
            raise
        if found is not None:
            limiter.give_back(ticket)
    else:
        found = lookup()
        if found is None:
            ticket = limiter.take_try(client_address())
    if found is None:
        limiter.count_wrong()
        raise DomainError(wrong, left=max(0, limiter.per_address - ticket.used))
    if not found[1]:
        raise DomainError("join.meeting_ended")
    return found[0]


class _Ticket:
    __slots__ = ("scope", "ends_at", "used")

    def __init__(self, scope: str, ends_at: int, used: int):
        self.scope, self.ends_at, self.used = scope, ends_at, used


SERVER_SCOPE = "server"

# Told (with when the minute ends, in ms) when the server's wrong join secrets of a minute
# reach the limit: the live layer tells the consoles (live/notices.py registers itself).
guessing_listeners: list[Callable[[int], None]] = []
_guesses = JoinGuesses.__table__
_COUNT = select(_guesses.c.count).where(_guesses.c.scope == bindparam("scope"),
                                        _guesses.c.ends_at == bindparam("ends_at"))
_FORGET = delete(_guesses).where(_guesses.c.ends_at < bindparam("now"))


def _upsert(dialect: str, conditional: bool):
    """INSERT … ON CONFLICT DO UPDATE, the same on SQLite and PostgreSQL: one statement, so
    two processes adding to one row never lose an update. `conditional`: the update happens
    only while the count (less the tries given back since, `owed`) is under `limit`; no row
    comes back when it does not."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    statement = insert(_guesses).values(scope=bindparam("scope"), ends_at=bindparam("ends_at"),
                                        count=1)
    if conditional:
        statement = statement.on_conflict_do_update(
            index_elements=["scope", "ends_at"],
            set_={"count": _guesses.c.count + 1 - bindparam("owed")},
            where=_guesses.c.count - bindparam("owed") < bindparam("limit"))
    else:
        statement = statement.on_conflict_do_update(
            index_elements=["scope", "ends_at"], set_={"count": _guesses.c.count + 1})
    return statement.returning(_guesses.c.count)


class JoinLimiter:
    """The counts of one app (its database). A try given back is not written at once: it is
    subtracted in the address's next try from this process (`owed`), so a right code costs
    one write, not two; another process meanwhile sees the count higher by the right codes
    still owed here (at most the joins from that address in flight)."""

    def __init__(self, app):
        self.per_address = app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]
        self.window = app.config["JOIN_CODE_LIMIT_WINDOW_SECONDS"]
        self.per_minute = app.config["JOIN_CODE_LIMIT_PER_MINUTE"]
        if min(self.per_address, self.window, self.per_minute) < 1:
            raise ValueError("JOIN_CODE_LIMIT_* settings must be at least 1")
        self._owed: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()  # green after monkey-patching
        self._forget_at = 0
        self._statements: dict[tuple[str, bool], object] = {}

    def _statement(self, conditional: bool):
        key = (db.engine.dialect.name, conditional)
        if key not in self._statements:
            self._statements[key] = _upsert(key[0], conditional)
        return self._statements[key]

    def take_try(self, client: str) -> _Ticket:
        from .actions.core import write_transaction
        # No pooled connection held while waiting for SQLite's write lock (the holder of the
        # lock may need one: a burst of joins would otherwise exhaust the pool).
        db.session.rollback()
        now = now_ms() // 1000
        scope, ends_at = "address:" + client, (now // self.window + 1) * self.window
        minute_ends_at = (now // 60 + 1) * 60
        with self._lock:
            owed = self._owed.pop((scope, ends_at), 0)
        used = None
        try:
            with write_transaction() as connection:
                server_wrong = connection.execute(_COUNT, {
                    "scope": SERVER_SCOPE, "ends_at": minute_ends_at}).scalar() or 0
                if server_wrong < self.per_minute:
                    used = connection.execute(self._statement(True), {
                        "scope": scope, "ends_at": ends_at, "owed": owed,
                        "limit": self.per_address}).scalar()
                if now >= self._forget_at:  # windows that are over: once a window per process
                    connection.execute(_FORGET, {"now": now})
                    self._forget_at = now + self.window
                db.session.commit()
        finally:
            if used is None and owed:  # not written: still owed
                self.give_back(_Ticket(scope, ends_at, 0), owed)
        if used is None:
            until = ends_at if server_wrong < self.per_minute else minute_ends_at
            raise DomainError("meeting.too_many_attempts",
                              minutes=max(1, math.ceil((until - now) / 60)))
        return _Ticket(scope, ends_at, used)

    def give_back(self, ticket: _Ticket, tries: int = 1) -> None:
        with self._lock:
            key = (ticket.scope, ticket.ends_at)
            self._owed[key] = self._owed.get(key, 0) + tries

    def count_wrong(self) -> None:
        """A wrong secret, counted against the server's minute; when the count reaches the
        limit the guessing listeners are told (the live consoles: live/notices.py)."""
        from .actions.core import write_transaction
        db.session.rollback()
        now = now_ms() // 1000
        minute_ends_at = (now // 60 + 1) * 60
        with write_transaction() as connection:
            count = connection.execute(self._statement(False), {
                "scope": SERVER_SCOPE, "ends_at": minute_ends_at}).scalar()
            db.session.commit()
        if count == self.per_minute:
            for listener in guessing_listeners:
                listener(minute_ends_at * 1000)

    def server_wrong_this_minute(self) -> tuple[int, int]:
        """(wrong codes so far this minute, when the minute ends in ms)."""
        minute_ends_at = (now_ms() // 1000 // 60 + 1) * 60
        count = db.session.connection().execute(_COUNT, {
            "scope": SERVER_SCOPE, "ends_at": minute_ends_at}).scalar() or 0
        return count, minute_ends_at * 1000


def join_limiter() -> JoinLimiter:
    """The app's limiter (created on first use, after any monkey-patching)."""
    app = current_app._get_current_object()
    limiter = app.extensions.get("join_limiter")
    if limiter is None:
        limiter = app.extensions["join_limiter"] = JoinLimiter(app)
    return limiter


# --- what a join code or a QR key opens ------------------------------------------------------

_meetings = Meeting.__table__
_BY_CODE = select(_meetings.c.id).where(_meetings.c.join_code == bindparam("code"),
                                        _meetings.c.status == MeetingStatus.LIVE)
_ENDED_BY_CODE = select(_meetings.c.id).where(
    _meetings.c.former_join_code == bindparam("code"),
    _meetings.c.status == MeetingStatus.ENDED).limit(1)
_BY_KEY = select(_meetings.c.id, _meetings.c.join_code, _meetings.c.status).where(
    _meetings.c.join_key == bindparam("key"))
_BY_ID = select(_meetings.c.join_code, _meetings.c.former_join_code, _meetings.c.status).where(
    _meetings.c.id == bindparam("id"))


def _live(answer) -> bool:
    return answer is not None and answer[1]


def by_code(code: str) -> tuple[int, bool] | None:
    """What a typed code opens: (meeting id, live?) — a live meeting's, else an ended one's."""
    def read():
        connection = db.session.connection()
        live = connection.execute(_BY_CODE, {"code": code}).scalar()
        if live is not None:
            return live, True
        ended = connection.execute(_ENDED_BY_CODE, {"code": code}).scalar()
        return (ended, False) if ended is not None else None
    return _recently_read("code", code, read, keep=_live)


def by_key(key) -> tuple[tuple[int, str | None], bool] | None:
    """What the QR link's key opens: ((meeting id, its live code), live?)."""
    if not is_token(key, 8, 32):
        return None
    def read():
        row = db.session.connection().execute(_BY_KEY, {"key": key}).first()
        if row is None or row.status == MeetingStatus.SCHEDULED:
            return None
        return (row.id, row.join_code), row.status == MeetingStatus.LIVE
    return _recently_read("key", key, read, keep=_live)


def in_meeting(meeting_id: int, code) -> tuple[int, bool] | None:
    """What a code sent with a socket join for `meeting_id` opens."""
    if not isinstance(code, str):
        return None
    def read():
        row = db.session.connection().execute(_BY_ID, {"id": meeting_id}).first()
        if row is None:
            return None
        if row.status == MeetingStatus.LIVE and row.join_code == code:
            return meeting_id, True
        if row.status == MeetingStatus.ENDED and row.former_join_code == code:
            return meeting_id, False
        return None
    return _recently_read("meeting code", (meeting_id, code), read, keep=_live)
