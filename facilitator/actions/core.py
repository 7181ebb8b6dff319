"""Command execution: permission → validation → one transaction (rows + one event) →
commit → publish → result.

A command id is applied once per meeting: a repeat returns the first result and changes
nothing. Sequence numbers come from `meetings.last_seq`, bumped in the same transaction,
and the (meeting_id, seq) unique constraint guards against two writers racing. Commands
that arrive together are written together (group commit, below): still one event each.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from flask import current_app
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from .. import metrics
from ..clock import now_ms, utcnow
from ..contract import check_outcome
from ..database import begin_sqlite_write
from ..domain.statuses import MeetingStatus
from ..errors import DomainError
from ..extensions import db, socketio
from ..views.entities import NOT_LOGGED, change_for, removal_for
from ..models import Meeting, MeetingEvent, Participant, User
from ..validation import Field, is_token, validate

CHAIR = frozenset({"admin", "moderator", "clerk"})
MODERATOR = frozenset({"admin", "moderator"})
PHONE = frozenset({"phone"})
VISITOR = frozenset({"visitor"})
# An owner on the ballot page of their personal link during a written ballot (no meeting
# phone, no account: the link is the credential).
OWNER_LINK = frozenset({"owner_link"})
# The app itself (e.g. a case edited on its page tells the meeting's screens): no client has it.
SYSTEM = frozenset({"system"})
# The role sets by the names docs/protocol.md §8 gives them.
ROLE_SETS = {"chair": CHAIR, "moderator": MODERATOR, "phone": PHONE, "visitor": VISITOR,
             "owner_link": OWNER_LINK, "system": SYSTEM}


@dataclass(frozen=True)
class Actor:
    """Who sends a command. `role` is the user's role, "phone" for a participant's phone,
    "projector" for the read-only screen, "visitor" for a phone not yet joined,
    "owner_link" for an owner on their personal invitation's ballot page (`owner_key`)."""
    role: str
    user_id: int | None = None
    participant_id: int | None = None
    owner_key: str | None = None

    @property
    def label(self) -> str:
        if self.user_id is not None:
            return f"user:{self.user_id}"
        if self.participant_id is not None:
            return f"participant:{self.participant_id}"
        if self.owner_key is not None:
            return f"owner:{self.owner_key}"
        return self.role


@dataclass
class CommandSpec:
    name: str
    handler: Callable
    roles: frozenset
    schema: dict[str, Field]
    # The meeting states in which the command is allowed (most need a live meeting; the
    # agenda and the people can be prepared before it opens).
    states: tuple = (MeetingStatus.LIVE,)
    # The event types it may write (one per command, or none when nothing changes) and the
    # keys its result may hold: declared here, checked while the tests run (contract.py).
    events: tuple = ()
    result: tuple = ()
    # The handler reads the meeting's event log (the minutes): in a group, the events of
    # the commands before it are written first, so that it sees them (group commit, below).
    reads_log: bool = False
    # The handler writes in its last statement only, after every check that may refuse it: in
    # a group it runs without a savepoint of its own (a refusal leaves nothing to undo), two
    # round trips fewer for each phone of a room joining at once.
    writes_last: bool = False


registry: dict[str, CommandSpec] = {}


def command(name: str, *, roles: frozenset, schema: dict[str, Field], events: tuple,
            result: tuple = (), states: tuple = (MeetingStatus.LIVE,), reads_log: bool = False,
            writes_last: bool = False):
    def register(handler):
        if name in registry:
            raise ValueError(f"command {name!r} declared twice")
        registry[name] = CommandSpec(name, handler, roles, schema, states, events, result,
                                     reads_log, writes_last)
        return handler
    return register


@dataclass
class Context:
    """What a handler gets: the locked meeting, the actor, and a place to record changes."""
    meeting: Meeting
    actor: Actor
    now: datetime = field(default_factory=utcnow)
    changes: list = field(default_factory=list)
    # Fields of the result that must not be stored in the event log (e.g. a phone's token).
    secret_result: dict = field(default_factory=dict)
    # Called once the command's transaction has committed (e.g. clearing a secret vote's
    # leftovers in the database's log): never for a command refused or rolled back.
    after_commit: list = field(default_factory=list)

    def changed(self, *entities) -> None:
        for entity in entities:
            if _needs_flush(entity):
                db.session.flush()
            self.changes.append(change_for(entity))

    def removed(self, collection: str, entity_id: int) -> None:
        self.changes.append(removal_for(collection, entity_id))

    @property
    def event_seq(self) -> int:
        """The sequence number this command's event will have: the group commit runs each
        handler with the meeting's seq at the event before it."""
        return self.meeting.last_seq + 1

    def actor_name(self) -> str:
        """Who sends the command, as the record names them: the user's or participant's
        name (at most 100 characters), else the actor's label."""
        if self.actor.user_id is not None:
            user = db.session.get(User, self.actor.user_id)
            if user is not None:
                return user.display_name[:100]
        if self.actor.participant_id is not None:
            person = db.session.get(Participant, self.actor.participant_id)
            if person is not None:
                return person.name[:100]
        return self.actor.label


def _needs_flush(entity) -> bool:
    """Whether an entity's view needs its row written first: a new row (its id, its column
    defaults) or a table whose columns change on update (updated_at). Other changes are
    already what the view reads; they are written once, before the event (fewer flushes:
    each costs a unit of work, and a moderator's click waits for them)."""
    global _models_with_onupdate
    if sa_inspect(entity).pending:
        return True
    if _models_with_onupdate is None:  # every model is mapped by the first command
        _models_with_onupdate = {mapper.class_ for mapper in db.Model.registry.mappers
                                 if any(column.onupdate is not None
                                        for column in mapper.columns)}
    return type(entity) in _models_with_onupdate


_models_with_onupdate: set[type] | None = None


@dataclass
class Outcome:
    """What a handler returns: the event's type and record data, and the sender's result.
    No event type: the command was right but changed nothing (e.g. a hand raised twice)."""
    event_type: str | None
    data: dict
    result: dict = field(default_factory=dict)


@dataclass
class CommandOutcome:
    ok: bool
    seq: int | None = None
    result: dict = field(default_factory=dict)
    event: dict | None = None
    error: DomainError | None = None
    duplicate: bool = False


# SQLite allows one writer: serialise writes in-process (a green lock once monkey-patched) so
# no green thread waits on SQLite's busy timeout while holding the write transaction.
_sqlite_write_lock = threading.Lock()

# Set by the live layer: called with the events of each commit, in seq order (after the
# commit, never inside it).
publishers: list[Callable[[list[dict]], None]] = []


def event_dict(row: MeetingEvent) -> dict:
    return {"meeting_id": row.meeting_id, "seq": row.seq, "type": row.type, "at": row.at_ms,
            "actor": row.actor, "data": row.data, "changes": row.changes}


def _check_role(spec: CommandSpec, actor: Actor) -> None:
    if actor.role not in spec.roles:
        raise DomainError("auth.forbidden")


def _check_permission(spec: CommandSpec, actor: Actor, meeting: Meeting) -> None:
    if actor.role in ("moderator", "clerk") and not meeting.run_by(actor.user_id):
        raise DomainError("auth.not_your_meeting")
    if actor.role == "moderator" and spec.roles == MODERATOR and actor.user_id != meeting.moderator_id:
        raise DomainError("auth.not_your_meeting")


# Prebuilt statements for the parts every command runs (built once: SQLAlchemy then skips
# constructing the statement and computing its cache key on each call).
_events = MeetingEvent.__table__
# The idempotency lookup (of one command, or of a group's at once) needs four columns, not
# whole ORM rows with their JSON columns.
_PREVIOUS = (select(_events.c.command_id, _events.c.actor, _events.c.seq, _events.c.result)
             .where(_events.c.meeting_id == bindparam("meeting_id"),
                    _events.c.command_id.in_(bindparam("command_ids", expanding=True))))
_MEETING = select(Meeting).where(Meeting.id == bindparam("meeting_id"))
_MEETING_FOR_UPDATE = _MEETING.with_for_update()
_BUMP_SEQ = (update(Meeting.__table__).where(Meeting.__table__.c.id == bindparam("meeting_id"))
             .values(last_seq=bindparam("seq")))
_INSERT_EVENT = insert(_events)


def _previous_rows(meeting_id: int, command_ids: list[str]) -> dict:
    """The events already recorded for these command ids, by command id."""
    return {row.command_id: row for row in db.session.connection().execute(
        _PREVIOUS, {"meeting_id": meeting_id, "command_ids": command_ids})}


def _repeat_of(row, actor: Actor) -> CommandOutcome:
    """The answer to a command whose id was already recorded: the first result, or a refusal
    when someone else used that id."""
    if row.actor != actor.label:
        raise DomainError("command.id_reused")
    return CommandOutcome(ok=True, seq=row.seq, result=row.result, duplicate=True)


def _unless_written_meanwhile(command: _Command, answer: CommandOutcome) -> CommandOutcome:
    """`answer` (a refusal, or an acceptance without an event), unless the command's id was
    recorded meanwhile: its first try, sent to another process before a reconnect, looked
    for the id before this one did, found nothing either, and was written first while this
    one waited for the meeting's row. This try then ran against the state the first left (a
    hand already withdrawn, an item already added) and must be answered as the repeat it is
    (docs/protocol.md, "Idempotency"). One lookup, on these rare answers only; a repeat that
    writes again is stopped by the unique command id instead (_run_alone)."""
    row = _previous_rows(command.meeting_id, [command.command_id]).get(command.command_id)
    if row is None:
        return answer
    try:
        return _repeat_of(row, command.actor)
    except DomainError as error:
        return CommandOutcome(ok=False, error=error)


def execute(meeting_id: int, actor: Actor, name: str, payload, command_id: str | None = None
            ) -> CommandOutcome:
    """Run one command. Never raises for user errors: they come back as a failed outcome."""
    started = time.monotonic()
    outcome = "failed"
    try:
        answer = _execute(meeting_id, actor, name, payload, command_id)
        outcome = "ok" if answer.ok else "refused"
        return answer
    finally:
        known = isinstance(name, str) and name in registry  # a label per declared command only
        metrics.commands.labels(name if known else "(unknown)", outcome).inc()
        metrics.command_seconds.observe(time.monotonic() - started)


def _execute(meeting_id: int, actor: Actor, name: str, payload, command_id: str | None
             ) -> CommandOutcome:
    try:
        spec = registry.get(name) if isinstance(name, str) else None
        if spec is None:
            raise DomainError("command.unknown", command=str(name)[:60])
        if command_id is None:
            command_id = uuid.uuid4().hex
        if not is_token(command_id, 8, 64):
            raise DomainError("command.bad_id")
        _check_role(spec, actor)
        clean = validate(spec.schema, payload)
    except DomainError as error:
        db.session.rollback()
        return CommandOutcome(ok=False, error=error)
    return _submit(_Command(spec, meeting_id, actor, clean, command_id))


# --- Group commit ---------------------------------------------------------------------------
# Commands that arrive while another is being written wait and are then written together, in
# one transaction: each keeps its own event and seq, in the order they arrived, but the
# meeting row, the seq update and the commit are paid once per group instead of once per
# command. A room of phones joining at once, or voting at once, is then a few transactions
# instead of hundreds. Whoever finds nobody writing leads: it lets the other green threads
# that are ready run first (so their commands join its group), writes the group, publishes
# its events, wakes the others, and hands the lead to the first command that came meanwhile.
# A lone command is written at once, as before, after one yield.

GROUP_MAX = 100  # commands per transaction: a group's first command waits for all of them
GROUP_YIELDS = 10  # turns a leader gives others to join its group while they keep coming


class _Command:
    """A validated command waiting for its group's commit."""
    __slots__ = ("spec", "meeting_id", "actor", "clean", "command_id", "outcome", "error",
                 "leads", "done")

    def __init__(self, spec, meeting_id, actor, clean, command_id):
        self.spec, self.meeting_id, self.actor = spec, meeting_id, actor
        self.clean, self.command_id = clean, command_id
        self.outcome: CommandOutcome | None = None
        self.error: Exception | None = None
        self.leads = False
        self.done = threading.Event()  # green after monkey-patching


class _CommandQueue:
    """The commands waiting to be written for one app, and whether one of them leads."""
    def __init__(self):
        self.lock = threading.Lock()
        self.waiting: list[_Command] = []
        self.leading = False


def _queue_of(app) -> _CommandQueue:
    # One per app (its database): created on first use, after any monkey-patching.
    queue = app.extensions.get("command_queue")
    if queue is None:
        queue = app.extensions["command_queue"] = _CommandQueue()
    return queue


_writer = threading.local()  # green-local after monkey-patching: is this one writing a group?


def _submit(command: _Command) -> CommandOutcome:
    if getattr(_writer, "active", False):  # it would wait for itself for ever
        raise RuntimeError("execute() called from inside a command's handler")
    queue = _queue_of(current_app._get_current_object())
    # Every command starts from a fresh transaction anyway: end the sender's now, so it does
    # not hold a pooled connection while it waits for its group.
    db.session.rollback()
    with queue.lock:
        queue.waiting.append(command)
        if not queue.leading:
            queue.leading = command.leads = True
    if not command.leads:
        try:
            command.done.wait()  # written by the leader, or handed the lead
        except BaseException:  # the sender is being stopped: never take the lead with it
            successor = _withdraw(queue, command)
            if successor is not None:
                successor.done.set()
            raise
    if command.leads and command.outcome is None and command.error is None:
        _lead(queue, command)
    if command.error is not None:
        raise command.error
    return command.outcome


def _lead(queue: _CommandQueue, leader: _Command) -> None:
    group: list[_Command] = []
    events: list[dict] = []
    try:
        # The green threads ready to run submit their commands into this group; while more
        # keep coming (a storm), wait a few more turns.
        waiting = len(queue.waiting)
        for _ in range(GROUP_YIELDS):
            time.sleep(0)
            if len(queue.waiting) == waiting or len(queue.waiting) >= GROUP_MAX:
                break
            waiting = len(queue.waiting)
        with queue.lock:
            group = queue.waiting[:GROUP_MAX]
            del queue.waiting[:GROUP_MAX]
        _writer.active = True
        try:
            events = _write_group(group)
        finally:
            _writer.active = False
    finally:  # whatever happened (even this green thread being stopped), nobody waits for ever
        for command in group:
            if command.outcome is None and command.error is None:
                command.error = RuntimeError("the command's group was not written")
        successor = _withdraw(queue, leader)
        if events:
            _publish(events)
        for command in group:
            command.done.set()
        if successor is not None:  # after the publishing: its events come after these
            successor.done.set()


def _withdraw(queue: _CommandQueue, command: _Command) -> _Command | None:
    """`command` no longer leads (its group is written, or its sender is being stopped): it
    leaves the queue if still there, and the lead passes to the first command waiting,
    returned (to be woken)."""
    with queue.lock:
        if command in queue.waiting:
            queue.waiting.remove(command)
        if not command.leads:
            return None
        command.leads = False
        successor = queue.waiting[0] if queue.waiting else None
        if successor is not None:
            successor.leads = True
        else:
            queue.leading = False
        return successor


def _publish(events: list[dict]) -> None:
    for publish in publishers:
        try:
            publish(events)
        except Exception:  # saved is saved: clients catch up on their next sync
            logging.getLogger(__name__).exception("broadcast failed")


def _write_group(group: list[_Command]) -> list[dict]:
    """Write the group, a transaction per meeting; the committed events, in seq order."""
    events: list[dict] = []
    by_meeting: dict[int, list[_Command]] = {}
    for command in group:
        by_meeting.setdefault(command.meeting_id, []).append(command)
    for commands in by_meeting.values():
        outcomes = None
        if len(commands) > 1:
            try:
                outcomes = _write(commands)
            except Exception:  # noqa: BLE001 - not a refusal (a repeat, a race, a bug): alone
                db.session.rollback()
        if outcomes is not None:
            for command, outcome in zip(commands, outcomes):
                command.outcome = outcome
        else:
            for command in commands:
                try:
                    command.outcome = _run_alone(command)
                except Exception as error:  # a bug or a lost race: the sender gets it raised
                    command.error = error
        events += [command.outcome.event for command in commands
                   if command.outcome is not None and command.outcome.event is not None
                   and not command.outcome.duplicate]
    return events


class _NotTogether(Exception):
    """A group that cannot be written as one transaction: it holds one command twice."""


def _run_alone(command: _Command) -> CommandOutcome:
    try:
        for attempt in range(3):
            try:
                return _write([command])[0]
            except IntegrityError:
                # Two writers raced (another process, or a repeat delivered twice): if the
                # other one recorded this very command, answer as a repeat; else try again.
                db.session.rollback()
                row = _previous_rows(command.meeting_id, [command.command_id]).get(
                    command.command_id)
                if row is not None:
                    return _repeat_of(row, command.actor)
                if attempt == 2:
                    raise
    except DomainError as error:
        db.session.rollback()
        answer = _unless_written_meanwhile(command, CommandOutcome(ok=False, error=error))
        db.session.rollback()
        return answer


@contextmanager
def write_transaction():
    """SQLite's one writer per process (the lock), a fresh transaction (no stale reads), and
    everything rolled back if anything fails. Every write that may meet a burst of others
    goes through it (commands here, the join-code counts in joining.py)."""
    lock = _sqlite_write_lock if db.engine.dialect.name == "sqlite" else None
    if lock:
        lock.acquire()
    try:
        db.session.rollback()
        connection = db.session.connection()
        if lock:
            # The driver opens SQLite's transaction only at the first write, and a savepoint
            # opened before that would be a transaction of its own, committed at its release.
            # Opened here, the transaction holds every savepoint of a group, and takes the
            # database's write lock at once (another process writing makes it wait here,
            # not fail halfway, and the other green threads run meanwhile).
            begin_sqlite_write(connection, socketio.sleep)
        yield connection
    except BaseException:
        db.session.rollback()
        raise
    finally:
        if lock:
            lock.release()


def _run_handler(command: _Command, meeting) -> tuple[Outcome, Context]:
    """One command's checks against the meeting as the transaction sees it, its handler, and
    the handler's rows flushed (their constraint errors surface here)."""
    _check_permission(command.spec, command.actor, meeting)
    if meeting.status not in command.spec.states:
        raise DomainError(f"meeting.is_{meeting.status}")
    context = Context(meeting=meeting, actor=command.actor)
    outcome: Outcome = command.spec.handler(context, **command.clean)
    if outcome.event_type is not None:
        if current_app.config.get("CHECK_CONTRACT"):
            spec = command.spec
            check_outcome(spec.name, spec.events, spec.result, outcome.event_type,
                          outcome.data, {**outcome.result, **context.secret_result})
        db.session.flush()
    return outcome, context


def _write(commands: list[_Command]) -> list[CommandOutcome]:
    """Commands of one meeting, in order, in one transaction: each checked, run and recorded
    as its own event with the next seq, then one commit. Alone, a refusal raises
    (DomainError). In a group, each command runs in a savepoint of its own: a refused one
    rolls back its savepoint and answers with its error, one that changes nothing answers
    without an event, and the others are written as if it had not been sent. The event rows
    are inserted together at the end, except before a command that reads the log
    (`reads_log`): the group's events so far are inserted first, or it would not see them
    (two saves of one section from one revision would both pass; a finalise would leave out
    the save acknowledged just before it)."""
    together = len(commands) > 1
    meeting_id = commands[0].meeting_id
    ids = [command.command_id for command in commands]
    if together and len(set(ids)) < len(ids):
        raise _NotTogether("a command sent twice")
    with write_transaction() as connection:
        previous = _previous_rows(meeting_id, ids)
        meeting = None  # read (and locked) only when a command is new: a repeat is one lookup
        last_seq = None
        outcomes, rows, after_commit = [], [], []
        inserted = 0  # how many of `rows` are in the table already
        for command in commands:
            if command.command_id in previous:
                outcomes.append(_repeat_of(previous[command.command_id], command.actor))
                continue
            if meeting is None:
                meeting = db.session.execute(
                    _MEETING if connection.dialect.name == "sqlite" else _MEETING_FOR_UPDATE,
                    {"meeting_id": meeting_id}).scalar_one_or_none()
                if meeting is None:
                    raise DomainError("meeting.not_found")
                last_seq = meeting.last_seq
            if not together:
                outcome, context = _run_handler(command, meeting)
                if outcome.event_type is None:
                    answer = _unless_written_meanwhile(
                        command, CommandOutcome(ok=True, result=outcome.result))
                    db.session.rollback()
                    return [answer]
            else:
                if command.spec.reads_log and inserted < len(rows):
                    connection.execute(_INSERT_EVENT, rows[inserted:])
                    inserted = len(rows)
                savepoint = None if command.spec.writes_last else db.session.begin_nested()
                try:
                    outcome, context = _run_handler(command, meeting)
                    # Changes nothing: answered without an event, and nothing of it stays.
                    answer = (None if outcome.event_type is not None
                              else CommandOutcome(ok=True, result=outcome.result))
                except DomainError as error:
                    answer = CommandOutcome(ok=False, error=error)
                if answer is not None:
                    if savepoint is not None:
                        savepoint.rollback()
                        # What the savepoint's rollback expired reloads from the transaction,
                        # where the seq is still the one before the group.
                        set_committed_value(meeting, "last_seq", last_seq)
                    outcomes.append(_unless_written_meanwhile(command, answer))
                    continue
                if savepoint is not None:
                    savepoint.commit()
            last_seq += 1
            set_committed_value(meeting, "last_seq", last_seq)  # what the row will hold
            event = {"meeting_id": meeting_id, "seq": last_seq, "type": outcome.event_type,
                     "at": now_ms(), "actor": command.actor.label, "data": outcome.data,
                     "changes": context.changes}
            rows.append({"meeting_id": meeting_id, "seq": last_seq, "type": outcome.event_type,
                         "data": outcome.data,
                         "changes": [c for c in context.changes if c["c"] not in NOT_LOGGED],
                         "result": outcome.result, "actor": command.actor.label,
                         "command_id": command.command_id, "at_ms": event["at"]})
            outcomes.append(CommandOutcome(ok=True, seq=last_seq, event=event, result={
                **outcome.result, **context.secret_result}))
            after_commit += context.after_commit
        if not rows:  # only repeats, refusals or no-ops: nothing to write
            db.session.rollback()
            return outcomes
        # The new seq and the event rows as two Core statements on the transaction's
        # connection: no unit-of-work flush, no ORM objects for the events.
        connection.execute(_BUMP_SEQ, {"meeting_id": meeting_id, "seq": last_seq})
        if inserted < len(rows):
            connection.execute(_INSERT_EVENT, rows[inserted:])
        db.session.commit()
    for task in dict.fromkeys(after_commit):  # each once per commit, after the write lock
        try:
            task()
        except Exception:  # noqa: BLE001 - the command is saved; the task is logged
            logging.getLogger(__name__).exception("after-commit task failed")
    return outcomes
