"""The socket protocol (docs/protocol.md): connect → sync → events; commands with acks.

Connection facts (which meeting, which role) are kept per socket id in this process: they
describe the connection, not the meeting, so the database stays the only truth about the
meeting with several processes.
"""
from __future__ import annotations

import threading
from time import monotonic
from dataclasses import dataclass, field

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, Namespace, disconnect, emit, join_room
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import bindparam, literal_column, null, select, union_all

from .. import access, metrics, staff_sessions
from ..actions import Actor, execute, invitations
from ..domain.statuses import IN_MEETING, ParticipantStatus
from ..errors import DomainError
from ..extensions import db, socketio
from ..i18n import describe_error, select_locale
from ..joining import (admit, by_key, in_meeting, joined_from, participant_for_token,
                       reissue_token)
from ..models import Meeting, Participant, Question, QuestionUpvote
from ..clock import now_ms
from . import notices
from .broadcast import Broadcaster
from ..views.entities import COLLECTIONS as ENTITY_VIEWS
from .redaction import OWN_ITEMS, PUBLIC_PARTICIPANT_FIELDS, self_view
from .snapshot import catch_up
from .rooms import NAMESPACE, room
from .tallies import coalescer as tallies, init_tallies
from ..validation import MAX_INT, is_id

@dataclass
class Bucket:
    """A token bucket: `burst` calls at once, then `rate` per second."""
    rate: float
    burst: float
    tokens: float = field(init=False)
    refilled_at: float = field(default_factory=lambda: monotonic())

    def __post_init__(self):
        self.tokens = self.burst

    def take(self) -> bool:
        now = monotonic()  # looked up at each call: tests stop it
        self.tokens = min(self.burst, self.tokens + (now - self.refilled_at) * self.rate)
        self.refilled_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def seconds_to_next(self) -> int:
        return max(1, int((1 - self.tokens) / self.rate + 0.999))


@dataclass
class Connection:
    meeting_id: int
    role: str  # chair | phone | projector
    actor: Actor
    locale: str
    # Against command floods (a phone tapping "raise hand" 50 times a second).
    commands: Bucket = field(default_factory=lambda: Bucket(rate=5.0, burst=10.0))
    # Against sync floods (each may read hundreds of events): set from the app's settings.
    syncs: Bucket | None = None


connections: dict[str, Connection] = {}


def _asking_phone():
    """The connection of the phone asking, or the answer that refuses anyone else."""
    conn = connections.get(request.sid)
    if conn is None:
        return None, error_ack(DomainError("auth.not_connected"), select_locale())
    if conn.role != "phone":
        return None, error_ack(DomainError("auth.forbidden"), conn.locale)
    return conn, None


class _ConnectedSockets:
    """For the operators' /metrics (metrics.py): the live sockets of this process by meeting
    and role, read at each scrape."""

    def collect(self):
        family = GaugeMetricFamily("facilitator_connected_sockets",
                                   "Live sockets of this process, by meeting and role",
                                   labels=["meeting", "role"])
        counts: dict[tuple[str, str], int] = {}
        for connection in list(connections.values()):
            key = (str(connection.meeting_id), connection.role)
            counts[key] = counts.get(key, 0) + 1
        for (meeting, role), count in sorted(counts.items()):
            family.add_metric([meeting, role], count)
        yield family


metrics.registry.register(_ConnectedSockets())
# A phone's participant → its sockets in this process, oldest first (SOCKETS_PER_PARTICIPANT).
phone_sockets: dict[int, list[str]] = {}


def _emit_batch(meeting_id: int, role: str, batch: dict) -> None:
    socketio.emit("batch", batch, to=room(meeting_id, role), namespace=NAMESPACE)


def self_room(participant_id: int) -> str:
    return f"participant:{participant_id}"


def _emit_self(participant_id: int, message: str, data: dict) -> None:
    socketio.emit(message, data, to=self_room(participant_id), namespace=NAMESPACE)


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
    # ...and its entry as that join made it (its sync then reads neither the entry nor its
    # upvotes, of which a participant made a moment ago has none).
    joined_as: dict | None = None


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
    if not is_id(meeting_id):  # a number no meeting can have (2^63, -1): none is found
        raise DomainError("meeting.not_found")
    if face == "phone":
        # Read no more than a phone needs: a thousand of them connect at once.
        if "join" in auth:
            return _join(meeting_id, auth["join"])
        person = participant_for_token(meeting_id, auth.get("token"))
        if person is None:
            raise DomainError("auth.not_joined")
        if person.status not in IN_MEETING:
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
        user = staff_sessions.current_user()
        if user is None:
            raise DomainError("auth.login_required")
        if not access.sees_case(user, meeting.case_id):
            raise DomainError("meeting.not_found")
        if not access.chairs_meeting(user, meeting):
            raise DomainError("auth.not_your_meeting")
        return Identity(meeting_id, "chair", Actor(role=user.role, user_id=user.id))


def _join(meeting_id: int, answers) -> Identity:
    """A phone joins with its handshake: the key of the QR link, or the meeting's join code,
    proves it was in the room (or was given the link); a personal invitation's token joins
    as its owner (verified). All go through the gate of the join pages (joining.admit): a
    code takes a try from the address's budget, a key or an invitation token does not."""
    if not isinstance(answers, dict):
        raise DomainError("auth.bad_handshake")
    if "invitation" in answers:
        return _join_invited(meeting_id, answers)
    key = answers.get("key")
    if key is not None:
        def lookup():
            found = by_key(key)
            return found if found is not None and found[0][0] == meeting_id else None
        admit(lookup, guessable=False, wrong="join.bad_link")
    else:
        admit(lambda: in_meeting(meeting_id, answers.get("code")), guessable=True,
              wrong="meeting.bad_code")
    outcome = execute(meeting_id, Actor(role="visitor"), "participant.join",
                      {**{field: answers.get(field) for field in ("name", "party", "unit")},
                       **joined_from()}, answers.get("command_id"))
    if not outcome.ok:
        if outcome.error.code == "meeting.is_ended":  # it ended since it was found live
            raise DomainError("join.meeting_ended")
        raise outcome.error
    return _joined(meeting_id, outcome)


def _joined(meeting_id: int, outcome) -> Identity:
    """Who a phone is after its join command: a repeat (the answer was lost) gets a new token;
    a participant made by this join comes with its entry (Identity.joined_as)."""
    participant_id = outcome.result["participant_id"]
    actor = Actor(role="phone", participant_id=participant_id)
    if outcome.duplicate:
        return Identity(meeting_id, "phone", actor, reissue_token(participant_id))
    made = None
    if outcome.event["type"] == "participant.joined":  # not a personal link opened again
        made = next((change["v"] for change in outcome.event["changes"]
                     if change["c"] == "participants" and change["id"] == participant_id), None)
    return Identity(meeting_id, "phone", actor, outcome.result["token"],
                    self_view(made) if made is not None else None)


def _join_invited(meeting_id: int, answers: dict) -> Identity:
    def lookup():
        found = invitations.invitation_for_token(answers.get("invitation"))
        return (found, True) if found is not None and found.meeting_id == meeting_id else None
    invitation = admit(lookup, guessable=False, wrong="invitation.invalid")
    outcome = execute(meeting_id, Actor(role="visitor"), "participant.join_invited",
                      {"invitation_id": invitation.id}, answers.get("command_id"))
    if not outcome.ok:
        raise outcome.error
    return _joined(meeting_id, outcome)


def error_ack(error: DomainError, locale: str) -> dict:
    return {"ok": False, "error": {"code": error.code, "params": error.params,
                                   "message": describe_error(error, locale)}}


HANDSHAKES = "live_handshakes"  # the app's extension: the process's gate (a semaphore)


def _handshake_gate():
    """At most HANDSHAKES_AT_ONCE connections of this process go through their handshake at
    once; the others wait before it, holding nothing. A room of phones connecting together
    (a thousand per process) would otherwise all start at once: each queued for a database
    connection while holding the turn of the others, the green threads' round took seconds,
    connections were held that long, and handshakes failed on the pool's timeout."""
    gate = current_app.extensions.get(HANDSHAKES)
    if gate is None:
        gate = current_app.extensions[HANDSHAKES] = threading.BoundedSemaphore(
            current_app.config["HANDSHAKES_AT_ONCE"])
    return gate


class LiveNamespace(Namespace):
    def on_connect(self, auth=None):
        with _handshake_gate():
            return self._admit(auth)

    def _admit(self, auth):
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
        config = current_app.config
        connections[request.sid] = Connection(
            who.meeting_id, who.role, actor, locale,
            syncs=Bucket(rate=config["SYNC_PER_SECOND"], burst=config["SYNC_BURST"]))
        join_room(room(who.meeting_id, who.role))
        welcome = {"role": who.role, "participant_id": actor.participant_id,
                   "server_time": now_ms()}
        if actor.participant_id is not None:
            join_room(self_room(actor.participant_id))
            _keep_newest_sockets(actor.participant_id, request.sid)
        if who.role == "chair":
            join_room(notices.CONSOLES)
            try:
                welcome["notices"] = notices.current()
            finally:
                db.session.rollback()
        if who.token:
            welcome["token"] = who.token  # to this phone alone: it keeps it in a cookie
        if isinstance(auth.get("sync"), dict):
            # The handshake asked for its catch-up: it comes with the welcome, which saves
            # every (re)connecting client a round trip (a join storm, a reconnect storm).
            welcome["sync"] = sync_reply(connections[request.sid], auth["sync"], who.joined_as)
        # Straight to this socket, which this process holds: through the message queue, every
        # worker would decode the welcome (a snapshot) and encode it again for nobody.
        emit("welcome", welcome, ignore_queue=True)

    def on_disconnect(self, reason=None):
        conn = connections.pop(request.sid, None)
        if conn is not None and conn.actor.participant_id is not None:
            mine = phone_sockets.get(conn.actor.participant_id, [])
            if request.sid in mine:
                mine.remove(request.sid)
            if not mine:
                phone_sockets.pop(conn.actor.participant_id, None)

    def on_clock(self, data=None):
        """Clock sync: the client measures its offset from the server's clock."""
        client_time = data.get("t") if isinstance(data, dict) else None
        if not (isinstance(client_time, int) and not isinstance(client_time, bool)
                and 0 <= client_time <= 2**53):  # echoed back: a time in ms, nothing else
            client_time = None
        return {"client_time": client_time, "server_time": now_ms()}

    def on_sync(self, data=None):
        conn = connections.get(request.sid)
        if conn is None:
            return error_ack(DomainError("auth.not_connected"), select_locale())
        if not conn.syncs.take():
            return error_ack(DomainError("sync.too_fast", seconds=conn.syncs.seconds_to_next()),
                             conn.locale)
        return sync_reply(conn, data)

    def on_ballots(self, data=None):
        """A phone's own ballots in the open votes: whom it may vote for and whether each has
        voted (docs/protocol.md, "Votes")."""
        conn, refused = _asking_phone()
        if refused:
            return refused
        from ..actions.votes import phone_ballot_status
        try:
            return {"ok": True, "votes": phone_ballot_status(conn.meeting_id,
                                                             conn.actor.participant_id)}
        finally:
            db.session.rollback()

    def on_shares(self, data=None):
        """A phone's own shares of the plans (docs/protocol.md §13, "shares"): answered to the
        asking phone alone, never broadcast, so no other screen learns its area."""
        conn, refused = _asking_phone()
        if refused:
            return refused
        from ..views.votes import own_shares
        try:
            person = db.session.get(Participant, conn.actor.participant_id)
            if person is None or person.status not in IN_MEETING:
                status = person.status if person is not None else ParticipantStatus.REMOVED
                return error_ack(DomainError(f"auth.participant_{status}"), conn.locale)
            return {"ok": True, "shares": own_shares(db.session.get(Meeting, conn.meeting_id),
                                                     person)}
        finally:
            db.session.rollback()

    def on_command(self, data=None):
        conn = connections.get(request.sid)
        if conn is None:
            return error_ack(DomainError("auth.not_connected"), select_locale())
        if not conn.commands.take():
            return error_ack(DomainError("command.too_fast"), conn.locale)
        if not isinstance(data, dict):
            return error_ack(DomainError("validation.not_an_object"), conn.locale)
        actor = conn.actor
        if conn.role == "phone":
            status = _phone_status(conn)
            if status not in IN_MEETING:
                return error_ack(DomainError(f"auth.participant_{status}"), conn.locale)
        if conn.role == "chair" and not _still_signed_in(conn):
            return error_ack(DomainError("auth.login_required"), conn.locale)
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


def _still_signed_in(conn: Connection) -> bool:
    """A console acts while its staff session lives on the server (staff_sessions.py): after
    a sign-out, a password change or "sign out everywhere", a console still connected (with
    a copy of the cookie, say) is closed at its next command."""
    try:
        user = staff_sessions.current_user()
    finally:
        db.session.rollback()
    if user is not None and user.id == conn.actor.user_id:
        return True
    disconnect()
    return False


def stop_gracefully() -> int:
    """This process is stopping (SIGTERM): the events it committed leave now instead of at
    the end of their batch interval, and each of its clients is told `restarting`, on which
    it drops its connection and reconnects at once, to another process. Returns how many
    clients were told."""
    broadcaster.flush_all()
    told = 0
    for sid in list(connections):
        socketio.emit("restarting", {}, to=sid, namespace=NAMESPACE, ignore_queue=True)
        told += 1
    return told


def _keep_newest_sockets(participant_id: int, sid: str) -> None:
    """A phone's participant holds at most SOCKETS_PER_PARTICIPANT sockets in this process
    (with several processes behind a proxy that pins a client by its address, as
    docs/deployment.md §6 asks, that is per deployment): a newer one closes the oldest,
    which is told why first (`closed`) so the phone shows it instead of reconnecting."""
    mine = phone_sockets.setdefault(participant_id, [])
    mine.append(sid)
    while len(mine) > current_app.config["SOCKETS_PER_PARTICIPANT"]:
        oldest = mine.pop(0)
        conn = connections.get(oldest)
        error = DomainError("live.too_many_connections")
        socketio.emit("closed", error_ack(error, conn.locale if conn else "zh")["error"],
                      to=oldest, namespace=NAMESPACE, ignore_queue=True)
        socketio.server.disconnect(oldest, namespace=NAMESPACE, ignore_queue=True)


def sync_reply(conn: Connection, data, joined_as: dict | None = None) -> dict:
    """What a client at `since` needs (snapshot.catch_up), with the open votes' tallies and,
    for a phone, its own entry: the answer to `sync`, or the `sync` of a welcome. A phone
    that joined with this handshake has its entry as the join made it (`joined_as`): a
    change to it after the phone entered its own room comes as a `me` message, and before
    that nothing can change it, since the console learns of the join from the broadcast."""
    since = data.get("since") if isinstance(data, dict) else None
    if since is not None and (not isinstance(since, int) or isinstance(since, bool)
                              or not 0 <= since <= MAX_INT):
        return error_ack(DomainError("validation.type", field="since"), conn.locale)
    try:
        reply = {"ok": True, **catch_up(conn.meeting_id, since, conn.role)}
        # Derived data outside the sequence (live/tallies.py): the open votes' live
        # tallies, as a `tally` message would carry them.
        reply["tallies"] = tallies.for_sync(conn.meeting_id, conn.role, reply.get("snapshot"))
        if conn.actor.participant_id is not None:
            # A phone's own entry: it holds no list of the room (redaction.py); the written
            # questions it has upvoted (no screen learns who upvoted what); and its own
            # questions dismissed and proposals declined (no screen shows them).
            if joined_as is not None:
                reply.update(me=joined_as, upvoted=[], **{message: [] for message in OWN_ITEMS})
            else:
                reply["me"] = _own_entry(conn.actor.participant_id)
                reply.update(_own_items(conn.meeting_id, conn.actor.participant_id))
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


def _own_items_read():
    """Every phone's sync asks (a room reconnecting at once): one statement, built once. Its
    rows are (kind, id, a, b): `upvoted` ids, then each of OWN_ITEMS with its fields."""
    questions, upvotes = Question.__table__, QuestionUpvote.__table__
    parts = [select(literal_column("'upvoted'").label("kind"), upvotes.c.question_id.label("id"),
                    null().label("a"), null().label("b"))
             .join(questions, questions.c.id == upvotes.c.question_id)
             .where(questions.c.meeting_id == bindparam("meeting_id"),
                    upvotes.c.participant_id == bindparam("participant_id"))]
    for message, (collection, sender, status, fields) in OWN_ITEMS.items():
        table = ENTITY_VIEWS[collection][0].__table__
        parts.append(select(literal_column(f"'{message}'"), *(table.c[name] for name in fields))
                     .where(table.c.meeting_id == bindparam("meeting_id"),
                            table.c[sender] == bindparam("participant_id"),
                            table.c.status == status))
    return union_all(*parts).order_by("kind", "id")


_OWN_ITEMS = _own_items_read()


def _own_items(meeting_id: int, participant_id: int) -> dict:
    """What is a phone's own and no screen shows: the questions of the meeting it has
    upvoted (ids), and what it submitted that the chair set aside, each as
    redaction.personal_messages sends it."""
    own: dict = {"upvoted": [], **{message: [] for message in OWN_ITEMS}}
    for kind, item_id, *rest in db.session.connection().execute(
            _OWN_ITEMS, {"meeting_id": meeting_id, "participant_id": participant_id}):
        if kind == "upvoted":
            own[kind].append(item_id)
        else:
            own[kind].append(dict(zip(OWN_ITEMS[kind][3], (item_id, *rest))))
    return own


def _phone_status(conn: Connection) -> str:
    """A phone acts only while its participant is still in the meeting (checked each time:
    the moderator may have removed it from another process)."""
    return db.session.connection().execute(
        _PHONE_STATUS, {"id": conn.actor.participant_id}
    ).scalar_one_or_none() or ParticipantStatus.REMOVED


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
