"""Snapshots and catch-up (docs/architecture.md §3).

A snapshot is the meeting's event log folded by the reducers every client runs
(domain/live_state.py), with the derived part (the speakers' list) computed from the
result, then cut per role (redaction.py). The chair's full state is cached per (meeting,
sequence number) and brought forward with the events since the newest one cached, so a
thousand phones joining one by one cost the events they add, and a storm of phones
reconnecting to one sequence number costs one fold.

The rows stay the truth the commands work on; the tests check after every command that the
log folded gives what the rows give (tests/snapshot_from_rows.py).
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from flask import current_app
from sqlalchemy import and_, bindparam, select

from ..actions.core import event_dict
from ..database import read_committed_now
from ..domain.live_state import DERIVED, compact, derived_parts, empty_state, fold
from ..errors import DomainError
from ..extensions import db
from ..models import Meeting, MeetingEvent
from ..views.checkin import checkin_view
from ..views.entities import COLLECTIONS, case_view, meeting_view
from .redaction import HIDDEN_COLLECTIONS, redact_batch, redact_snapshot

logger = logging.getLogger(__name__)

_CACHE_SIZE = 128
_cache: OrderedDict = OrderedDict()
_cache_lock = Lock()
_FULL = "full"
# Each meeting's newest whole state, kept apart from the cache above so that many meetings
# at once (whose snapshots push each other out of it) still bring theirs forward instead of
# folding the log from the start. Oldest-used meetings go first beyond this many.
_LATEST_MEETINGS = 256
_latest: OrderedDict = OrderedDict()


def _remember(key: tuple, snapshot: dict) -> None:
    with _cache_lock:
        _cache[key] = snapshot
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def forget_all() -> None:
    """Empty the caches (a process that starts again has none: the tests and benchmarks
    that need such a process)."""
    with _cache_lock:
        _cache.clear()
        _latest.clear()


def _cached(key: tuple) -> dict | None:
    with _cache_lock:
        value = _cache.get(key)
        if value is not None:
            _cache.move_to_end(key)
        return value


# Every sync (a thousand phones joining or reconnecting at once) runs these: prebuilt Core
# statements on the columns needed, no ORM objects.
_events = MeetingEvent.__table__
_LAST_SEQ = select(Meeting.__table__.c.last_seq).where(Meeting.__table__.c.id == bindparam("id"))
_EVENTS_AFTER = (select(_events.c.meeting_id, _events.c.seq, _events.c.type, _events.c.at_ms,
                        _events.c.actor, _events.c.data, _events.c.changes)
                 .where(_events.c.meeting_id == bindparam("meeting_id"),
                        _events.c.seq > bindparam("after"), _events.c.seq <= bindparam("upto"))
                 .order_by(_events.c.seq))


# A catch-up's one read: the meeting's sequence number as committed now, and the events
# after a point up to it (none: one row of NULLs; no meeting: no row).
_meetings = Meeting.__table__
_LAST_SEQ_AND_EVENTS = (
    select(_meetings.c.last_seq, _events.c.meeting_id, _events.c.seq, _events.c.type,
           _events.c.at_ms, _events.c.actor, _events.c.data, _events.c.changes)
    .select_from(_meetings.outerjoin(_events, and_(
        _events.c.meeting_id == _meetings.c.id, _events.c.seq > bindparam("after"),
        _events.c.seq <= _meetings.c.last_seq)))
    .where(_meetings.c.id == bindparam("meeting_id"))
    .order_by(_events.c.seq))


def _events_between(meeting_id: int, after: int, upto: int) -> list[dict]:
    """The events after `after` up to `upto`, as event_dict gives them."""
    rows = db.session.connection().execute(
        _EVENTS_AFTER, {"meeting_id": meeting_id, "after": after, "upto": upto})
    return [event_dict(row) for row in rows]


@dataclass(frozen=True)
class LogRead:
    """What one read of the log gave: the events after `after` up to `last`."""
    after: int
    last: int
    events: list[dict]

    def between(self, after: int, upto: int) -> list[dict] | None:
        """The events after `after` up to `upto`, when this read holds all of them."""
        if after < self.after or upto > self.last:
            return None
        return [event for event in self.events if after < event["seq"] <= upto]


def _read_last_seq_and_events(meeting_id: int, after: int) -> LogRead | None:
    """The meeting's sequence number as committed now and the events after `after` up to it,
    in one round trip (None: no such meeting)."""
    rows = read_committed_now().execute(
        _LAST_SEQ_AND_EVENTS, {"meeting_id": meeting_id, "after": after}).all()
    if not rows:
        return None
    return LogRead(after, rows[0].last_seq,
                   [event_dict(row) for row in rows if row.seq is not None])


def _base_for(meeting_id: int, seq: int) -> dict:
    """The newest whole state this process holds at or before `seq`: the meeting's newest,
    or, when that is past `seq` (a client that read the seq a moment before another brought
    the state further), the newest cached before it; else the empty state."""
    with _cache_lock:
        newest = _latest.get(meeting_id)
        if newest is not None and newest["seq"] <= seq:
            return newest
        best = None
        for (cached_meeting, cached_seq, role), state in _cache.items():
            if cached_meeting == meeting_id and role == _FULL and cached_seq <= seq \
                    and (best is None or cached_seq > best["seq"]):
                best = state
    return best if best is not None else empty_state()


def _newest_folded_seq(meeting_id: int) -> int:
    with _cache_lock:
        newest = _latest.get(meeting_id)
    return newest["seq"] if newest is not None else 0


def full_state(meeting_id: int, seq: int, read: LogRead | None = None) -> dict:
    """The whole state of the meeting at `seq` (what the chair may see), from the log: the
    newest state cached at or before `seq` (or the empty state) with the events since
    (taken from `read` when it holds them)."""
    key = (meeting_id, seq, _FULL)
    state = _cached(key)
    if state is not None:
        return state
    base = _base_for(meeting_id, seq)
    events = read.between(base["seq"], seq) if read is not None else None
    if events is None:
        events = _events_between(meeting_id, base["seq"], seq)
    state = fold(base, events)
    if state["seq"] != seq:
        raise LookupError(f"meeting {meeting_id}'s log does not reach {seq}")
    if state["meeting"] is None or state["case"] is None:
        # No event has set them yet: they are as the meeting was created. (Read a moment
        # after `seq`, a later event may show already: its change, applied again, converges.)
        meeting = db.session.get(Meeting, meeting_id)
        state["meeting"] = state["meeting"] or meeting_view(meeting)
        state["case"] = state["case"] or case_view(meeting.case)
    _in_current_shape(state, events)
    state.update(derived_parts(state))
    _remember(key, state)
    with _cache_lock:
        newest = _latest.get(meeting_id)
        if newest is None or newest["seq"] <= seq:
            _latest[meeting_id] = state
        _latest.move_to_end(meeting_id)
        while len(_latest) > _LATEST_MEETINGS:
            _latest.popitem(last=False)
    return state


# The keys of each part's entities as the code writes them now, learnt from the first row
# read in the process (a view's keys change only with the code).
_shapes: dict[str, frozenset] = {}


def _in_current_shape(state: dict, events: list[dict]) -> None:
    """Entities whose last logged change was written by older code, before a field was added
    to their view (or after one was dropped), are taken from their rows: their last change
    is their state, less what that code did not record. Logs written by this code never need
    it (the sync tests fail when they do, `_read_older_shape`)."""
    touched = {(change["c"], change.get("id")) for event in events
               for change in event["changes"]}
    for part, entity_id in touched:
        if part not in _ROW_VIEWS:
            continue
        value = state[part] if entity_id is None else state[part].get(str(entity_id))
        if value is None or _shapes.get(part) == value.keys():
            continue
        current = _row_view(part, entity_id, state["meeting"]["id"])
        if current is None:
            continue
        _shapes[part] = frozenset(current)
        if current.keys() != value.keys():
            _read_older_shape(state, part, entity_id, current)


def _row_view(part: str, entity_id: int | None, meeting_id: int) -> dict | None:
    if part == "meeting":
        return meeting_view(db.session.get(Meeting, meeting_id))
    if part == "case":
        return case_view(db.session.get(Meeting, meeting_id).case)
    model, view = COLLECTIONS[part]
    row = db.session.get(model, entity_id)
    return None if row is None else view(row)


def _read_older_shape(state: dict, part: str, entity_id: int | None, current: dict) -> None:
    logger.info("meeting %s: %s %s logged in an older shape, read from its row",
             state["meeting"]["id"], part, entity_id)
    if entity_id is None:
        state[part] = current
    else:
        state[part][str(entity_id)] = current


# The parts whose entities are rows, each with its view (the check-in figures are computed).
_ROW_VIEWS = frozenset(COLLECTIONS) | {"meeting", "case"}


def last_seq_of(meeting_id: int) -> int | None:
    """The meeting's sequence number as committed now (None: no such meeting)."""
    return read_committed_now().execute(_LAST_SEQ, {"id": meeting_id}).scalar_one_or_none()


def snapshot_for(meeting_id: int, role: str, last_seq: int | None = None,
                 read: LogRead | None = None) -> dict | None:
    """The role's snapshot of the meeting at `last_seq` (read now when not given)."""
    if last_seq is None:
        last_seq = last_seq_of(meeting_id)
        if last_seq is None:
            return None
    key = (meeting_id, last_seq, role)
    snapshot = _cached(key)
    if snapshot is not None:
        return snapshot
    snapshot = redact_snapshot(full_state(meeting_id, last_seq, read), role)
    if "checkin" not in HIDDEN_COLLECTIONS.get(role, ()):
        # The check-in figures count against the roster, which is not the meeting's (before
        # the opening fixes its version, a new import changes them): read as they are now.
        snapshot["checkin"] = checkin_view(db.session.get(Meeting, meeting_id))
    _remember(key, snapshot)
    return snapshot


def catch_up(meeting_id: int, since: int | None, role: str) -> dict:
    """What a client at `since` needs: the missing events as one batch (none: it is up to
    date), or a snapshot when it has none yet, is too far behind, or claims to be ahead (the
    server's database was replaced)."""
    limit = current_app.config["CATCH_UP_MAX_EVENTS"]
    # One read gives the seq and the events that bring this process's newest state forward
    # (a room joining: each phone's snapshot is the one before and the joins since), or,
    # when the client is behind that state by no more than it may be caught up by, from
    # where the client is.
    newest = _newest_folded_seq(meeting_id)
    after = since if since is not None and newest - limit <= since < newest else newest
    read = _read_last_seq_and_events(meeting_id, after)
    if read is None:
        raise DomainError("meeting.not_found")
    last = read.last
    if since is None or since > last or last - since > limit:
        return {"snapshot": snapshot_for(meeting_id, role, last, read)}
    events = read.between(since, last)
    if events is None:
        events = _events_between(meeting_id, since, last)
    return {"batch": redact_batch(_from_log(meeting_id, events, read), role)
            if events else None}


def _from_log(meeting_id: int, events: list[dict], read: LogRead | None = None) -> dict:
    """Events read back from the log as one batch, with the derived parts the log does not
    keep (the speakers' list) as of the batch's end."""
    batch = compact(events)
    state = full_state(meeting_id, batch["to"], read)
    batch["changes"] += [{"c": part, "v": state[part]} for part in DERIVED]
    return batch
