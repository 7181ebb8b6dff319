"""The socket protocol (docs/protocol.md): connect → sync → events; commands with acks.

Connection facts (which meeting, which role) are kept per socket id in this process: they
describe the connection, not the meeting, so principle 1 holds with several processes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room
from sqlalchemy import bindparam, select

from .. import access
from ..actions import Actor, execute, invitations
from ..errors import DomainError
from ..extensions import db, socketio
from ..i18n import describe_error, select_locale
from ..joining import (check_not_blocked, code_is_live, joined_from, participant_for_token,
                       reissue_token, wrong_code)
from ..models import Meeting, Participant, User
from ..clock import now_ms
from .broadcast import Broadcaster
from .redaction import PUBLIC_PARTICIPANT_FIELDS
from .snapshot import catch_up
from .tallies import coalescer as tallies, init_tallies

NAMESPACE = "/live"


def room(meeting_id: int, role: str) -> str:
    return f"meeting:{meeting_id}:{role}"


@dataclass
class Connection:
    meeting_id: int
    role: str  # chair | phone | projector
    actor: Actor
    locale: str
    # Token bucket against command floods (a phone tapping "raise hand" 50 times a second).
    tokens: float = 10.0
    refilled_at: float = field(default_factory=time.monotonic)

    def take_token(self, rate: float = 5.0, burst: float = 10.0) -> bool:
        now = time.monotonic()
        self.tokens = min(burst, self.tokens + (now - self.refilled_at) * rate)
        self.refilled_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


connections: dict[str, Connection] = {}


def _emit_batch(meeting_id: int, role: str, batch: dict) -> None:
    socketio.emit("batch", batch, to=room(meeting_id, role), namespace=NAMESPACE)


def self_room(participant_id: int) -> str:
    return f"participant:{participant_id}"


def _emit_self(participant_id: int, entry: dict) -> None:
    socketio.emit("me", entry, to=self_room(participant_id), namespace=NAMESPACE)


broadcaster = Broadcaster(_emit_batch, socketio.start_background_task, socketio.sleep,
                          _emit_self)


def publish(events: list[dict]) -> None:
    """Hand a commit's events to the broadcaster (batched per meeting, redacted per role)."""
    broadcaster.publish(events, current_app.config["LIVE_BATCH_INTERVAL_MS"] / 1000)


@dataclass(frozen=True)
class Identity:
    """Who a connection is, from its handshake."""
    meeting_id: int
    role: str
    actor: Actor
    token: str | None = None  # a phone's new token, when it joined with this handshake


def authenticate(auth: dict) -> Identity:
    """Who is connecting: the console (a signed-in user of the meeting), the projector (its
    read-only token), a phone that joined (its participant token) or a phone joining now
    (the join form's answers and the meeting's join code: docs/protocol.md, "Joining")."""
    if not isinstance(auth, dict):
        raise DomainError("auth.bad_handshake")
    meeting_id, face = auth.get("meeting_id"), auth.get("face")
    if not isinstance(meeting_id, int) or isinstance(meeting_id, bool) \
            or face not in ("console", "projector", "phone"):
        raise DomainError("auth.bad_handshake")
    if face == "phone":
        # Read no more than a phone needs: a thousand of them connect at once.
        if "join" in auth:
            return _join(meeting_id, auth["join"])
        person = participant_for_token(meeting_id, auth.get("token"))
        if person is None:
            raise DomainError("auth.not_joined")
        if person.status not in ("lobby", "admitted"):
            raise DomainError(f"auth.participant_{person.status}")
        return Identity(meeting_id, "phone", Actor(role="phone", participant_id=person.id))
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise DomainError("meeting.not_found")
    if face == "projector":
        token = auth.get("token")
        if not isinstance(token, str) or token != meeting.projector_token:
            raise DomainError("auth.bad_projector_link")
        return Identity(meeting_id, "projector", Actor(role="projector"))
    if face == "console":
        user = db.session.get(User, session.get("user_id") or 0)
        if user is None:
            raise DomainError("auth.login_required")
        if not access.sees_case(user, meeting.case_id):
            raise DomainError("meeting.not_found")
        if not access.chairs_meeting(user, meeting):
            raise DomainError("auth.not_your_meeting")
        return Identity(meeting_id, "chair", Actor(role=user.role, user_id=user.id))


def _join(meeting_id: int, answers) -> Identity:
    """A phone joins with its handshake: the code proves it was in the room (or was given
    the link); wrong codes (a meeting that is not live, or not there) count against the
    address like on the join page. A personal invitation's token instead joins as its owner
    (verified); it cannot be guessed, so it is not counted."""
    if not isinstance(answers, dict):
        raise DomainError("auth.bad_handshake")
    if "invitation" in answers:
        return _join_invited(meeting_id, answers)
    check_not_blocked()
    code = answers.get("code")
    if not (isinstance(code, str) and code_is_live(meeting_id, code)):
        raise wrong_code()
    outcome = execute(meeting_id, Actor(role="visitor"), "participant.join",
                      {**{key: answers.get(key) for key in ("name", "party", "unit")},
                       **joined_from()}, answers.get("command_id"))
    if not outcome.ok:
        if outcome.error.code in ("meeting.not_found", "meeting.is_ended",
                                  "meeting.is_scheduled"):
            raise wrong_code()  # it ended since its code was last read: not a live code now
        raise outcome.error
    token = outcome.result.get("token")
    if outcome.duplicate:
        token = reissue_token(outcome.result["participant_id"])
    return Identity(meeting_id, "phone",
                    Actor(role="phone", participant_id=outcome.result["participant_id"]), token)


def _join_invited(meeting_id: int, answers: dict) -> Identity:
    invitation = invitations.invitation_for_token(answers.get("invitation"))
    if invitation is None or invitation.meeting_id != meeting_id:
        raise DomainError("invitation.invalid")
    outcome = execute(meeting_id, Actor(role="visitor"), "participant.join_invited",
                      {"invitation_id": invitation.id}, answers.get("command_id"))
    if not outcome.ok:
        raise outcome.error
    token = outcome.result.get("token")
    if outcome.duplicate:
        token = reissue_token(outcome.result["participant_id"])
    return Identity(meeting_id, "phone",
                    Actor(role="phone", participant_id=outcome.result["participant_id"]), token)


def error_ack(error: DomainError, locale: str) -> dict:
    return {"ok": False, "error": {"code": error.code, "params": error.params,
                                   "message": describe_error(error, locale)}}


class LiveNamespace(Namespace):
    def on_connect(self, auth=None):
        locale = select_locale()
        try:
            who = authenticate(auth)
        except DomainError as error:
            refusal = error_ack(error, locale)["error"]
            # (message, data): the client gets {"message": ..., "data": {code, message, ...}}.
            raise ConnectionRefusedError(refusal["message"], refusal) from None
        finally:
            db.session.rollback()
        actor = who.actor
        connections[request.sid] = Connection(who.meeting_id, who.role, actor, locale)
        join_room(room(who.meeting_id, who.role))
        if actor.participant_id is not None:
            join_room(self_room(actor.participant_id))
        welcome = {"role": who.role, "participant_id": actor.participant_id,
                   "server_time": now_ms()}
        if who.token:
            welcome["token"] = who.token  # to this phone alone: it keeps it in a cookie
        if isinstance(auth.get("sync"), dict):
            # The handshake asked for its catch-up: it comes with the welcome, which saves
            # every (re)connecting client a round trip (a join storm, a reconnect storm).
            welcome["sync"] = sync_reply(connections[request.sid], auth["sync"])
        emit("welcome", welcome)

    def on_disconnect(self, reason=None):
        connections.pop(request.sid, None)

    def on_clock(self, data=None):
        """Clock sync: the client measures its offset from the server's clock."""
        return {"client_time": data.get("t") if isinstance(data, dict) else None,
                "server_time": now_ms()}

    def on_sync(self, data=None):
        conn = connections.get(request.sid)
        if conn is None:
            return error_ack(DomainError("auth.not_connected"), select_locale())
        return sync_reply(conn, data)

    def on_ballots(self, data=None):
        """A phone's own ballots in the open votes: whom it may vote for and whether each has
        voted (docs/protocol.md, "Votes")."""
        conn = connections.get(request.sid)
        if conn is None:
            return error_ack(DomainError("auth.not_connected"), select_locale())
        if conn.role != "phone":
            return error_ack(DomainError("auth.forbidden"), conn.locale)
        from ..actions.votes import phone_ballot_status
        try:
            return {"ok": True, "votes": phone_ballot_status(conn.meeting_id,
                                                             conn.actor.participant_id)}
        finally:
            db.session.rollback()

    def on_command(self, data=None):
        conn = connections.get(request.sid)
        if conn is None:
            return error_ack(DomainError("auth.not_connected"), select_locale())
        if not conn.take_token():
            return error_ack(DomainError("command.too_fast"), conn.locale)
        if not isinstance(data, dict):
            return error_ack(DomainError("validation.not_an_object"), conn.locale)
        actor = conn.actor
        if conn.role == "phone":
            status = _phone_status(conn)
            if status not in ("lobby", "admitted"):
                return error_ack(DomainError(f"auth.participant_{status}"), conn.locale)
        try:
            outcome = execute(conn.meeting_id, actor, data.get("type"), data.get("payload"),
                              data.get("id"))
        except Exception:  # a bug, not the user's fault: say nothing was saved, keep serving
            current_app.logger.exception("command failed")
            db.session.rollback()
            return error_ack(DomainError("error.server"), conn.locale)
        if not outcome.ok:
            return error_ack(outcome.error, conn.locale)
        return {"ok": True, "seq": outcome.seq, "result": outcome.result,
                "duplicate": outcome.duplicate}


def sync_reply(conn: Connection, data) -> dict:
    """What a client at `since` needs (snapshot.catch_up), with the open votes' tallies and,
    for a phone, its own entry: the answer to `sync`, or the `sync` of a welcome."""
    since = data.get("since") if isinstance(data, dict) else None
    if since is not None and (not isinstance(since, int) or isinstance(since, bool)
                              or since < 0):
        return error_ack(DomainError("validation.type", field="since"), conn.locale)
    try:
        reply = {"ok": True, **catch_up(conn.meeting_id, since, conn.role)}
        # Derived data outside the sequence (live/tallies.py): the open votes' live
        # tallies, as a `tally` message would carry them.
        reply["tallies"] = tallies.for_sync(conn.meeting_id, conn.role, reply.get("snapshot"))
        if conn.actor.participant_id is not None:
            # A phone's own entry: it holds no list of the room (redaction.py).
            reply["me"] = _own_entry(conn.actor.participant_id)
        return reply
    except DomainError as error:
        return error_ack(error, conn.locale)
    finally:
        db.session.rollback()


_people = Participant.__table__
_OWN_ENTRY = select(*(_people.c[name] for name in PUBLIC_PARTICIPANT_FIELDS)).where(
    _people.c.id == bindparam("id"))


def _own_entry(participant_id: int) -> dict | None:
    """A phone's own entry (redaction.self_view's fields), read as one row."""
    row = db.session.connection().execute(_OWN_ENTRY, {"id": participant_id}).first()
    return dict(row._mapping) if row is not None else None


def _phone_status(conn: Connection) -> str:
    """A phone acts only while its participant is still in the meeting (checked each time:
    the moderator may have removed it from another process)."""
    return db.session.connection().execute(
        _PHONE_STATUS, {"id": conn.actor.participant_id}).scalar_one_or_none() or "removed"


# Asked before every command of a phone (a vote of a thousand phones: a thousand times).
_PHONE_STATUS = select(_people.c.status).where(_people.c.id == bindparam("id"))


def init_live() -> None:
    """Register the publisher and the namespace once per process (create_app may run often,
    e.g. in tests; the SocketIO object keeps its namespaces across init_app calls)."""
    from ..actions import core
    if publish not in core.publishers:
        core.publishers.append(publish)
    init_tallies()
    if not any(h.namespace == NAMESPACE for h in socketio.namespace_handlers):
        socketio.on_namespace(LiveNamespace(NAMESPACE))
