"""Garbage collection on a busy live server (`facilitator serve`, eventlet or gevent).

With 1000 phones connected the process tracks ~360,000 objects (sockets, sessions, green
threads, cached snapshots), and Python's full (generation 2) collection walks all of them:
100–170 ms under eventlet, during which nothing else runs. Those pauses land on broadcasts
and set the fan-out's p99 (docs/performance.md). So:

- after start-up, and every GC_FREEZE_INTERVAL_SECONDS, the young generations are collected
  (cheap) and everything that survived is moved to the permanent generation (`gc.freeze()`):
  Python's own collections then walk only what was created since, and stay short;
- frozen objects that later become *cyclic* garbage are never collected while frozen
  (garbage without cycles is freed at once, by reference counting, frozen or not), so every
  GC_FULL_COLLECT_SECONDS the policy unfreezes, runs a full collection and freezes again —
  at a quiet moment: when no broadcast has left this process for GC_QUIET_SECONDS. When the
  meeting is never quiet that long, the full collection is postponed for at most
  GC_FULL_COLLECT_MAX_DELAY_SECONDS more, then runs anyway, so memory stays bounded;
- Python's own full collections are turned off meanwhile (its third threshold raised): they
  would only walk what survived since the last freeze, which the next freeze takes anyway,
  and in a storm of joining phones (tens of thousands of new objects a second) each took
  20–90 ms, about a third of a second in all for 1000 phones joining.

GC_FREEZE_INTERVAL_SECONDS=0 turns the policy off (Python's default collector). The
decisions are `GcPolicy.tick` (pure, tested with fake clocks); `GcPolicyRunner` carries
them out from a background task. Only `facilitator serve` starts it (cli.py), not tests
or other commands. Broadcasts that reach this process from another one over Redis are not
seen here: with several processes a full collection can still meet one of those.
"""
from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

logger = logging.getLogger(__name__)

NOTHING = "nothing"
FREEZE = "freeze"  # collect the young generations, freeze the survivors
FULL_COLLECT = "full_collect"  # unfreeze, full collection, freeze — at a quiet moment
FULL_COLLECT_OVERDUE = "full_collect_overdue"  # the same, postponed too long: now anyway
# Python's third threshold while the policy runs: a full collection after this many collections
# of the middle generation, i.e. never in practice (about 70 million allocations).
NO_AUTOMATIC_FULL_COLLECTION = 10_000


@dataclass
class GcPolicy:
    """When to freeze and when to run the full collection; times are time.monotonic()."""
    freeze_interval: float = 5.0
    full_collect_interval: float = 300.0
    quiet: float = 2.0
    max_delay: float = 300.0
    _last_freeze: float | None = field(default=None, repr=False)
    _last_full: float | None = field(default=None, repr=False)
    postponed: int = 0  # ticks on which a due full collection waited for a quiet moment

    def start(self, now: float) -> str:
        """At start-up: collect what start-up left behind and freeze the rest."""
        self._last_freeze = self._last_full = now
        return FULL_COLLECT

    def tick(self, now: float, last_broadcast_at: float | None) -> str:
        """What to do now. `last_broadcast_at`: when the last broadcast left (None: never)."""
        if self._last_full is None:
            return self.start(now)
        since_full = now - self._last_full
        if since_full >= self.full_collect_interval:
            quiet = last_broadcast_at is None or now - last_broadcast_at >= self.quiet
            overdue = since_full >= self.full_collect_interval + self.max_delay
            if quiet or overdue:
                self._last_full = self._last_freeze = now
                return FULL_COLLECT if quiet else FULL_COLLECT_OVERDUE
            self.postponed += 1
        if now - self._last_freeze >= self.freeze_interval:
            self._last_freeze = now
            return FREEZE
        return NOTHING

    @property
    def check_every(self) -> float:
        """How often the runner asks: often enough to catch a quiet moment."""
        return max(0.01, min(1.0, self.freeze_interval, self.quiet / 2))


@dataclass
class GcStats:
    freezes: int = 0
    full_collects: int = 0
    overdue_full_collects: int = 0
    last_full_ms: float = 0.0
    last_full_collected: int = 0
    errors: int = 0


class GcPolicyRunner:
    """Carries out a GcPolicy from a background task (green under eventlet/gevent)."""

    def __init__(self, policy: GcPolicy, last_broadcast_at: Callable[[], float | None],
                 start_task: Callable, sleep: Callable[[float], None],
                 clock: Callable[[], float] = time.monotonic):
        self.policy = policy
        self._last_broadcast_at = last_broadcast_at
        self._start_task = start_task
        self._sleep = sleep
        self._clock = clock
        self._stopped = False
        self._thresholds: tuple | None = None  # Python's own, while the policy runs
        self.stats = GcStats()

    def start(self) -> None:
        """Collect and freeze now (before serving), then keep the policy in the background."""
        self._thresholds = gc.get_threshold()
        gc.set_threshold(*self._thresholds[:2], NO_AUTOMATIC_FULL_COLLECTION)
        self.perform(self.policy.start(self._clock()))
        self._start_task(self._loop)

    def stop(self) -> None:
        """The loop ends at its next wake-up (tests, the check script); Python's thresholds
        are as they were."""
        self._stopped = True
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)

    def _loop(self) -> None:
        while not self._stopped:
            self._sleep(self.policy.check_every)
            if self._stopped:
                break
            try:
                self.perform(self.policy.tick(self._clock(), self._last_broadcast_at()))
            except Exception:  # never let the loop die: the server would drift back to pauses
                self.stats.errors += 1
                logger.exception("garbage-collection policy step failed")

    def perform(self, action: str) -> None:
        if action == FREEZE:
            gc.collect(1)  # young objects: a few thousand at most, well under a millisecond
            gc.freeze()
            self.stats.freezes += 1
        elif action in (FULL_COLLECT, FULL_COLLECT_OVERDUE):
            started = time.perf_counter()
            gc.unfreeze()
            collected = gc.collect()
            gc.freeze()
            took_ms = (time.perf_counter() - started) * 1000
            self.stats.full_collects += 1
            self.stats.overdue_full_collects += action == FULL_COLLECT_OVERDUE
            self.stats.last_full_ms, self.stats.last_full_collected = took_ms, collected
            logger.info("full garbage collection%s: %d unreachable objects, %.0f ms, "
                        "%d objects frozen", " (overdue)" if action == FULL_COLLECT_OVERDUE
                        else "", collected, took_ms, gc.get_freeze_count())


def policy_from_config(config) -> GcPolicy | None:
    """The policy the settings ask for; None when GC_FREEZE_INTERVAL_SECONDS is 0."""
    freeze_interval = float(config.get("GC_FREEZE_INTERVAL_SECONDS", 5))
    if freeze_interval <= 0:
        return None
    full = float(config.get("GC_FULL_COLLECT_SECONDS", 300))
    if full <= 0:
        raise ValueError("GC_FULL_COLLECT_SECONDS must be more than 0: frozen cyclic garbage "
                         "is only reclaimed by the full collection")
    return GcPolicy(freeze_interval=freeze_interval, full_collect_interval=full,
                    quiet=float(config.get("GC_QUIET_SECONDS", 2)),
                    max_delay=max(0.0, float(config.get("GC_FULL_COLLECT_MAX_DELAY_SECONDS",
                                                        300))))


def start_gc_policy(app) -> GcPolicyRunner | None:
    """Called by `facilitator serve` (eventlet, gevent) before it serves."""
    from ..extensions import socketio
    from .namespace import broadcaster
    policy = policy_from_config(app.config)
    if policy is None:
        return None
    runner = GcPolicyRunner(policy, lambda: broadcaster.last_activity_at,
                            socketio.start_background_task, socketio.sleep)
    runner.start()
    return runner
