"""Fan-out, the hot path (docs/architecture.md §7).

Committed events leave as *batches*: one message per role room, holding the events' records
and their changes compacted to the last state of each entity. The first event after a quiet
spell leaves at once, so a moderator's click costs no added latency; events committed less
than one interval after the last message wait for the end of the interval and leave
together. A burst of 200 raised hands is then about ten messages per phone per second
instead of 200, each carrying the final queue once.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from .. import metrics
from ..domain.live_state import compact
from .redaction import CLIENT_ROLES, personal_messages, redact_batch


class Broadcaster:
    def __init__(self, emit: Callable[[int, str, dict], None],
                 start_task: Callable, sleep: Callable[[float], None],
                 emit_self: Callable[[int, str, dict], None] | None = None):
        self._emit = emit  # (meeting_id, role, message)
        self._emit_self = emit_self  # (participant_id, message, data): to that phone alone
        self._start_task = start_task
        self._sleep = sleep
        self._lock = threading.Lock()  # green after monkey-patching
        self._pending: dict[int, list[dict]] = {}
        self._pending_since: dict[int, float] = {}  # when the oldest pending event came
        self._last_sent: dict[int, float] = {}
        self._scheduled: set[int] = set()
        # (meeting, role) → (from, to) of batches that held nothing for that role (a burst of
        # secret ballots, say): not sent alone, but folded into the role's next batch.
        self._held: dict[tuple[int, str], tuple[int, int]] = {}
        self.messages_sent = 0  # per role room; read by benchmarks and tests
        # time.monotonic() of the last event published or batch flushed (None: none yet). The
        # garbage-collection policy (gc_policy.py) runs its long full collection only when
        # this is a few seconds old, so the pause does not land on a broadcast.
        self.last_activity_at: float | None = None

    def publish(self, events: list[dict], interval: float) -> None:
        """The events of one commit (a group commit holds several): sent together, now or
        with the others at the end of the interval (seconds)."""
        self.last_activity_at = time.monotonic()
        due = []
        with self._lock:
            for event in events:
                self._pending.setdefault(event["meeting_id"], []).append(event)
                self._pending_since.setdefault(event["meeting_id"], time.monotonic())
            for meeting_id in {event["meeting_id"] for event in events}:
                if meeting_id in self._scheduled:
                    continue
                wait = (self._last_sent.get(meeting_id, float("-inf")) + interval
                        - time.monotonic())
                if wait > 0:
                    self._scheduled.add(meeting_id)
                due.append((meeting_id, wait))
        for meeting_id, wait in due:
            if wait <= 0:
                self.flush(meeting_id)
            else:
                self._start_task(self._flush_later, meeting_id, wait)

    def _flush_later(self, meeting_id: int, wait: float) -> None:
        self._sleep(wait)
        with self._lock:
            self._scheduled.discard(meeting_id)
        self.flush(meeting_id)

    def flush(self, meeting_id: int) -> None:
        with self._lock:
            events = self._pending.pop(meeting_id, [])
            since = self._pending_since.pop(meeting_id, None)
            self._last_sent[meeting_id] = time.monotonic()
        if not events:
            return
        self.last_activity_at = time.monotonic()
        # Publishers on several green threads may append out of order, and another process
        # (or a concurrent commit) may hold a number in between: send each run of consecutive
        # events as its own batch. A client that sees a hole asks for what it lacks.
        events.sort(key=lambda event: event["seq"])
        for run in consecutive_runs(events):
            batch = compact(run)
            for role in CLIENT_ROLES:
                self._send(meeting_id, role, redact_batch(batch, role))
            if self._emit_self is not None:
                for change in batch["changes"]:
                    for participant_id, message, data in personal_messages(change):
                        self._emit_self(participant_id, message, data)
        if since is not None:  # the oldest event's wait, coalescing included
            metrics.fanout_seconds.observe(time.monotonic() - since)

    def flush_all(self) -> None:
        """Send every meeting's waiting events now (the process is stopping)."""
        with self._lock:
            meetings = list(self._pending)
        for meeting_id in meetings:
            self.flush(meeting_id)

    def _send(self, meeting_id: int, role: str, batch: dict) -> None:
        key = (meeting_id, role)
        held = self._held.pop(key, None)
        if held is not None:
            if held[1] + 1 == batch["from"]:
                # A batch applies from any point inside its range, so the held range (whose
                # changes were nothing for this role) is folded into it.
                batch = {**batch, "from": held[0]}
            else:  # not adjacent: what was held goes out on its own, as it was
                self._emit(meeting_id, role, {"from": held[0], "to": held[1], "events": [],
                                              "changes": []})
                self.messages_sent += 1
        if role != "chair" and not batch["events"] and not batch["changes"]:
            self._held[key] = (batch["from"], batch["to"])
            return
        self._emit(meeting_id, role, batch)
        self.messages_sent += 1


def consecutive_runs(events: list[dict]) -> list[list[dict]]:
    runs: list[list[dict]] = []
    for event in events:
        if runs and event["seq"] == runs[-1][-1]["seq"] + 1:
            runs[-1].append(event)
        elif runs and event["seq"] == runs[-1][-1]["seq"]:
            continue  # the same event twice
        else:
            runs.append([event])
    return runs
