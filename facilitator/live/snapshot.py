"""Snapshots and catch-up (docs/architecture.md §3).

A snapshot is read from the database rows (the truth), once per (meeting, sequence number)
and shared by every client asking for it, so a storm of reconnecting phones costs one read
(docs/architecture.md §7). Since every event sets entities to their current state, a
snapshot that already contains a later change converges when the client applies that
change again.
"""
from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from flask import current_app
from sqlalchemy import bindparam, select

from ..actions.core import event_dict
from ..actions.speakers import speakers_view
from ..domain.statuses import QueueEntryStatus
from ..errors import DomainError
from ..extensions import db
from ..models import (AgendaItem, Meeting, MeetingEvent, Participant, Question, QueueEntry,
                      Speech)
from ..domain.live_state import apply_batch, compact
from ..views.checkin import checkin_view
from .redaction import HIDDEN_COLLECTIONS, redact_batch, redact_snapshot
from ..views.votes import vote_collections
from ..views.entities import (agenda_item_view, case_view, meeting_view, participant_view,
                    question_view, queue_entry_view, speech_view)

_CACHE_SIZE = 128
_cache: OrderedDict = OrderedDict()
_cache_lock = Lock()


def build_snapshot(meeting: Meeting, without: frozenset = frozenset()) -> dict:
    """The full (chair) snapshot of a meeting as the rows are now, less the collections in
    `without` (those a role never holds: no need to read them)."""
    seq = meeting.last_seq
    participants = [] if "participants" in without else db.session.execute(
        db.select(Participant).filter_by(meeting_id=meeting.id).order_by(Participant.id)).scalars()
    agenda = db.session.execute(
        db.select(AgendaItem).filter_by(meeting_id=meeting.id).order_by(AgendaItem.position)
    ).scalars()
    waiting = db.session.execute(db.select(QueueEntry).filter_by(
        meeting_id=meeting.id, status=QueueEntryStatus.WAITING).order_by(QueueEntry.id)).scalars()
    speeches = db.session.execute(
        db.select(Speech).filter_by(meeting_id=meeting.id).order_by(Speech.id)).scalars()
    questions = db.session.execute(
        db.select(Question).filter_by(meeting_id=meeting.id).order_by(Question.id)).scalars()
    return {
        "seq": seq,
        "case": case_view(meeting.case),
        "meeting": meeting_view(meeting),
        "participants": {str(p.id): participant_view(p) for p in participants},
        "agenda": {str(a.id): agenda_item_view(a) for a in agenda},
        "queue": {str(e.id): queue_entry_view(e) for e in waiting},
        "speeches": {str(s.id): speech_view(s) for s in speeches},
        "questions": {str(q.id): question_view(q) for q in questions},
        "speakers": speakers_view(meeting),
        "checkin": None if "checkin" in without else checkin_view(meeting),
        **vote_collections(meeting),
    }


# (meeting, role) → the newest sequence number cached for it.
_newest: dict[tuple[int, str], int] = {}
_BRING_FORWARD_LIMIT = 200


def _remember(key: tuple, snapshot: dict) -> None:
    with _cache_lock:
        _cache[key] = snapshot
        meeting_id, seq, role = key
        if seq >= _newest.get((meeting_id, role), -1):
            _newest[(meeting_id, role)] = seq
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def _brought_forward(meeting_id: int, seq: int, role: str) -> dict | None:
    """The role's newest cached snapshot brought to `seq` with the events since: work in the
    number of events, not the size of the room (a thousand phones joining one by one would
    otherwise rebuild a thousand snapshots). None when there is nothing close enough."""
    with _cache_lock:
        old_seq = _newest.get((meeting_id, role))
        old = _cache.get((meeting_id, old_seq, role)) if old_seq is not None else None
    if old is None or old_seq >= seq or seq - old_seq > _BRING_FORWARD_LIMIT:
        return None
    events = _events_between(meeting_id, old_seq, seq)
    if len(events) != seq - old_seq:
        return None
    batch = redact_batch(_from_log(meeting_id, events), role)
    return apply_batch(old, batch)


# Every sync (a thousand phones joining or reconnecting at once) runs these: prebuilt Core
# statements on the columns needed, no ORM objects.
_events = MeetingEvent.__table__
_LAST_SEQ = select(Meeting.__table__.c.last_seq).where(Meeting.__table__.c.id == bindparam("id"))
_EVENTS_AFTER = (select(_events.c.meeting_id, _events.c.seq, _events.c.type, _events.c.at_ms,
                        _events.c.actor, _events.c.data, _events.c.changes)
                 .where(_events.c.meeting_id == bindparam("meeting_id"),
                        _events.c.seq > bindparam("after"), _events.c.seq <= bindparam("upto"))
                 .order_by(_events.c.seq))


def _events_between(meeting_id: int, after: int, upto: int) -> list[dict]:
    """The events after `after` up to `upto`, as event_dict gives them."""
    rows = db.session.connection().execute(
        _EVENTS_AFTER, {"meeting_id": meeting_id, "after": after, "upto": upto})
    return [event_dict(row) for row in rows]


def last_seq_of(meeting_id: int) -> int | None:
    """The meeting's sequence number as committed now (None: no such meeting)."""
    db.session.rollback()  # read what is committed now, not an earlier transaction's view
    return db.session.connection().execute(_LAST_SEQ, {"id": meeting_id}).scalar_one_or_none()


def snapshot_for(meeting_id: int, role: str, last_seq: int | None = None) -> dict | None:
    """The role's snapshot of the meeting at `last_seq` (read now when not given)."""
    if last_seq is None:
        last_seq = last_seq_of(meeting_id)
        if last_seq is None:
            return None
    key = (meeting_id, last_seq, role)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    forward = _brought_forward(meeting_id, last_seq, role)
    if forward is not None:
        _remember(key, forward)
        return forward
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.last_seq != last_seq:  # moved on meanwhile: read again
        return snapshot_for(meeting_id, role)
    full_key = (meeting_id, meeting.last_seq, "chair")
    with _cache_lock:
        full = _cache.get(full_key)
    hidden = HIDDEN_COLLECTIONS.get(role, frozenset())
    if full is None and hidden:
        # A phone's snapshot does not grow with the room: build it without what it never holds.
        redacted = redact_snapshot(build_snapshot(meeting, without=hidden), role)
        _remember(key, redacted)
        return redacted
    if full is None:
        full = build_snapshot(meeting)
    redacted = redact_snapshot(full, role)
    _remember(full_key, full)
    _remember(key, redacted)
    return redacted


def catch_up(meeting_id: int, since: int | None, role: str) -> dict:
    """What a client at `since` needs: the missing events as one batch (none: it is up to
    date), or a snapshot when it has none yet, is too far behind, or claims to be ahead (the
    server's database was replaced)."""
    last = last_seq_of(meeting_id)
    if last is None:
        raise DomainError("meeting.not_found")
    limit = current_app.config["CATCH_UP_MAX_EVENTS"]
    if since is None or since > last or last - since > limit:
        return {"snapshot": snapshot_for(meeting_id, role, last)}
    events = _events_between(meeting_id, since, last)
    return {"batch": redact_batch(_from_log(meeting_id, events), role) if events else None}


def _from_log(meeting_id: int, events: list[dict]) -> dict:
    """Events read back from the log as one batch, with the current state of the views the
    log does not keep (views.entities.NOT_LOGGED: the speaking order)."""
    batch = compact(events)
    batch["changes"] += _current_views(meeting_id, batch["to"])
    return batch


def _current_views(meeting_id: int, seq: int) -> list[dict]:
    """The views the log does not keep, computed once per meeting and sequence number (a
    thousand phones reconnecting at once catch up to the same one)."""
    key = (meeting_id, seq, "views not logged")
    with _cache_lock:
        changes = _cache.get(key)
    if changes is None:
        meeting = db.session.get(Meeting, meeting_id)
        changes = [{"c": name, "v": view(meeting)} for name, view in CURRENT_VIEWS.items()]
        with _cache_lock:
            _cache[key] = changes
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return changes


# How each view the log does not keep is computed now (one per views.entities.NOT_LOGGED).
CURRENT_VIEWS = {"speakers": speakers_view}
