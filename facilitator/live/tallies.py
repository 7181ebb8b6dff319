"""Live tallies, coalesced (docs/architecture.md §7), and the countdown that closes a vote.

A ballot costs O(1) rows and no counting. After a ballot (or any change that can move a
tally: a vote opened or closed, totals entered, someone admitted, a proxy recorded), the
meeting is marked dirty; at most once per TALLY_INTERVAL_MS (default 250 ms) a background
task recounts every open vote of the meeting from the ballots (actions/counting.py: one
query for the ballots, never a running counter) and emits one `tally` message per role
room, cut by redaction.redact_tally. A burst of 1000 ballots is then about 4 tally messages
per second per phone, not 1000.

Tallies are derived data outside the sequence-numbered events (docs/architecture.md §3):
they are not in the snapshot (which is cached per sequence number and would go stale with
every ballot), they come with every `sync` answer (`tallies`) and with every `tally`
message, and a client simply keeps the newest. When a vote closes, its result is frozen
into the vote entity by the `vote.closed` event like any other change.

State here is per process and not authoritative (the database is the truth,
docs/architecture.md §1): a lost mark only delays a tally; with several processes each
recounts what its own ballots touched. Countdowns are kept in memory too, and re-armed from
the database whenever a tally is computed or a client syncs; closing is the ordinary
`vote.close` command with a fixed command id, so several processes closing the same vote
apply it once.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import current_app

from ..domain.statuses import VoteStatus
from ..errors import DomainError
from ..extensions import db, socketio
from ..models import Meeting
from ..clock import now_ms, to_epoch_ms
from ..models.votes import Vote
from .redaction import CLIENT_ROLES, redact_tally

# A countdown thread is armed for a deadline at most this far ahead (arm_countdown).
COUNTDOWN_HORIZON_MS = 10 * 60 * 1000
_MARKING_PREFIXES = ("ballot.", "vote.", "proxy.", "participant.")


class TallyCoalescer:
    def __init__(self):
        self._lock = threading.Lock()  # green after monkey-patching
        self._last_sent: dict[int, float] = {}
        self._scheduled: set[int] = set()
        self._generation: dict[int, int] = {}
        self._cache: dict[int, tuple[int, float, dict]] = {}
        self._countdowns: set[tuple[int, int, int]] = set()
        self._quiet: dict[int, bool] = {}
        self.messages_sent = 0  # per role room; read by tests and benchmarks

    # --- marking and flushing ------------------------------------------------------------
    def mark(self, meeting_id: int, app=None, interval: float | None = None) -> None:
        """The meeting's tallies may have changed: recount soon (at most once per interval)."""
        app = app or current_app._get_current_object()
        if interval is None:
            interval = app.config.get("TALLY_INTERVAL_MS", 250) / 1000
        with self._lock:
            self._generation[meeting_id] = self._generation.get(meeting_id, 0) + 1
            if meeting_id in self._scheduled:
                return
            self._scheduled.add(meeting_id)
            wait = max(0.0, self._last_sent.get(meeting_id, float("-inf")) + interval
                       - time.monotonic())
        socketio.start_background_task(self._flush_later, app, meeting_id, wait)

    def _flush_later(self, app, meeting_id: int, wait: float) -> None:
        if wait > 0:
            socketio.sleep(wait)
        with self._lock:
            self._scheduled.discard(meeting_id)
            self._last_sent[meeting_id] = time.monotonic()
        try:
            with app.app_context():
                try:
                    self.flush(meeting_id)
                finally:
                    db.session.remove()
        except Exception:  # noqa: BLE001 - a background task must not die silently
            app.logger.exception("tally broadcast failed for meeting %s", meeting_id)

    def flush(self, meeting_id: int) -> None:
        """Recount now and emit to every role room (needs an app context)."""
        from .rooms import NAMESPACE, room
        full = self.full_tallies(meeting_id, fresh=True)
        # No open vote: one empty message clears the screens' tallies, then silence (people
        # joining mark the meeting too, and must not cost a message to every phone).
        if not full and self._quiet.get(meeting_id):
            return
        self._quiet[meeting_id] = not full
        # The big screen first: one recipient, queued before the thousand phones' copies.
        for role in sorted(CLIENT_ROLES, key=lambda r: r != "projector"):
            socketio.emit("tally", self.message(meeting_id, full, role),
                          to=room(meeting_id, role), namespace=NAMESPACE)
            self.messages_sent += 1

    # --- computing -----------------------------------------------------------------------
    def full_tallies(self, meeting_id: int, fresh: bool = False) -> dict:
        """{vote_id: (vote facts, full live tally)} for the meeting's open votes, recounted
        (or, for a sync storm, reused when nothing was marked since and it is under 1 s old)."""
        from ..actions.counting import live_tally
        db.session.rollback()  # read what is committed now
        meeting = db.session.get(Meeting, meeting_id)
        # Reused only while nothing happened: no mark here, and no event anywhere (a ballot
        # taken by another process moves the meeting's sequence number too).
        version = (self._generation.get(meeting_id, 0), meeting.last_seq if meeting else None)
        cached = self._cache.get(meeting_id)
        if not fresh and cached and cached[0] == version and time.monotonic() - cached[1] < 1:
            return cached[2]
        out = {}
        if meeting is not None:
            for vote in db.session.execute(db.select(Vote).filter_by(
                    meeting_id=meeting_id, status=VoteStatus.OPEN).order_by(Vote.id)).scalars():
                facts = {"secret": vote.secret, "show_results": vote.show_results}
                try:
                    out[str(vote.id)] = (facts, live_tally(vote))
                except DomainError as error:  # sealed ballots unreadable: the close says so
                    logging.getLogger(__name__).error("vote %s: no live tally (%s)",
                                                      vote.id, error.code)
                if vote.deadline_at is not None:
                    self.arm_countdown(meeting_id, vote.id, to_epoch_ms(vote.deadline_at))
        db.session.rollback()
        self._cache[meeting_id] = (version, time.monotonic(), out)
        return out

    @staticmethod
    def message(meeting_id: int, full: dict, role: str) -> dict:
        return {"meeting_id": meeting_id, "at": now_ms(),
                "votes": {key: redact_tally(tally, facts, role)
                          for key, (facts, tally) in full.items()}}

    def for_sync(self, meeting_id: int, role: str, snapshot: dict | None = None) -> dict:
        """The `tallies` of a sync answer: the same shape as a tally message. A snapshot
        sent with it that holds no open vote says there is nothing to count (a join storm
        of phones, each syncing, reads nothing more)."""
        if snapshot is not None and not any(vote.get("status") == VoteStatus.OPEN
                                            for vote in snapshot.get("votes", {}).values()):
            return {"meeting_id": meeting_id, "at": now_ms(), "votes": {}}
        return self.message(meeting_id, self.full_tallies(meeting_id), role)

    # --- countdowns ----------------------------------------------------------------------
    def arm_countdown(self, meeting_id: int, vote_id: int, deadline_ms: int, app=None) -> None:
        """Close the vote on the second of its deadline, when that is near; a deadline further
        away (a written ballot's, days ahead) is the sweep's (live/deadlines.py), and this is
        armed again by a later read of the tallies: no thread sleeps for days."""
        if deadline_ms - now_ms() > COUNTDOWN_HORIZON_MS:
            return
        key = (meeting_id, vote_id, deadline_ms)
        with self._lock:
            if key in self._countdowns:
                return
            self._countdowns.add(key)
        app = app or current_app._get_current_object()
        socketio.start_background_task(self._close_at_deadline, app, key)

    def _close_at_deadline(self, app, key: tuple[int, int, int]) -> None:
        meeting_id, vote_id, deadline_ms = key
        socketio.sleep(max(0.0, (deadline_ms - now_ms()) / 1000))
        try:
            with app.app_context():
                try:
                    vote = db.session.get(Vote, vote_id)
                    # The same vote still open with the same deadline (not another one that
                    # got the id in a database that was replaced meanwhile).
                    if vote is not None and vote.meeting_id == meeting_id \
                            and vote.status == VoteStatus.OPEN \
                            and to_epoch_ms(vote.deadline_at) == deadline_ms:
                        from ..actions import Actor, execute
                        from ..actions.votes import deadline_close_id
                        db.session.rollback()
                        execute(meeting_id, Actor(role="system"), "vote.close", {"id": vote_id},
                                command_id=deadline_close_id(vote_id, deadline_ms))
                finally:
                    db.session.remove()
        except Exception:  # noqa: BLE001
            app.logger.exception("closing vote %s at its deadline failed", vote_id)
        finally:
            with self._lock:
                self._countdowns.discard(key)

    # --- the publisher hook ----------------------------------------------------------------
    def on_events(self, events: list[dict]) -> None:
        """Called with the events of every commit (actions.core.publishers)."""
        for event in events:
            if event["type"].startswith(_MARKING_PREFIXES):
                self.mark(event["meeting_id"])
            if event["type"] == "vote.opened" and event["data"].get("deadline_ms"):
                self.arm_countdown(event["meeting_id"], event["data"]["vote_id"],
                                   event["data"]["deadline_ms"])


coalescer = TallyCoalescer()


def init_tallies() -> None:
    from ..actions import core
    if coalescer.on_events not in core.publishers:
        core.publishers.append(coalescer.on_events)
