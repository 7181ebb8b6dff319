"""The live server's garbage-collection policy: freeze often, collect fully only when quiet."""
from __future__ import annotations

import gc
import threading
import time

import pytest

from facilitator.live import gc_policy
from facilitator.live.gc_policy import (FREEZE, FULL_COLLECT, FULL_COLLECT_OVERDUE, NOTHING,
                                        GcPolicy, GcPolicyRunner, policy_from_config)


def policy(**values) -> GcPolicy:
    settings = {"freeze_interval": 5, "full_collect_interval": 300, "quiet": 2,
                "max_delay": 120, **values}
    p = GcPolicy(**settings)
    assert p.start(1000.0) == FULL_COLLECT  # start-up: collect what it left, freeze the rest
    return p


def test_survivors_are_frozen_every_interval_and_nothing_happens_in_between():
    p = policy()
    assert [p.tick(1000 + t, None) for t in (1, 2, 4.9, 5, 6, 9.9, 10.2, 11)] == [
        NOTHING, NOTHING, NOTHING, FREEZE, NOTHING, NOTHING, FREEZE, NOTHING]


def test_freezing_does_not_wait_for_a_quiet_moment():
    p = policy()
    assert p.tick(1005, last_broadcast_at=1004.99) == FREEZE  # gc.freeze() itself is cheap


def test_the_full_collection_runs_when_due_and_quiet():
    p = policy()
    assert p.tick(1299, last_broadcast_at=100) == FREEZE  # not due yet
    assert p.tick(1300, last_broadcast_at=1297.9) == FULL_COLLECT  # 2.1 s without broadcasts
    assert p.tick(1301, last_broadcast_at=1297.9) == NOTHING  # it counts as a freeze too
    assert p.tick(1305, last_broadcast_at=1297.9) == FREEZE
    assert p.tick(1599, None) == FREEZE
    assert p.tick(1600, None) == FULL_COLLECT  # no broadcast ever: quiet


def test_the_full_collection_waits_for_a_quiet_moment_and_keeps_freezing_meanwhile():
    p = policy()
    p.tick(1296, None)  # the last freeze before the full collection is due
    busy = [p.tick(t, last_broadcast_at=t - 0.5) for t in range(1300, 1311)]
    assert FULL_COLLECT not in busy and FULL_COLLECT_OVERDUE not in busy
    assert busy.count(FREEZE) == 2  # at 1301 and 1306: every 5 s as usual
    assert p.postponed == 11
    assert p.tick(1311, last_broadcast_at=1309.5) == FREEZE  # 1.5 s: not quiet enough yet
    assert p.postponed == 12
    assert p.tick(1312, last_broadcast_at=1309.5) == FULL_COLLECT  # 2.5 s: quiet
    assert p.tick(1312.5, None) == NOTHING
    assert p.tick(1611, None) == FREEZE and p.tick(1612, None) == FULL_COLLECT  # 300 s later


def test_a_meeting_that_is_never_quiet_gets_its_full_collection_after_the_maximum_delay():
    p = policy(max_delay=120)
    actions = {t: p.tick(t, last_broadcast_at=t - 0.1) for t in range(1300, 1421)}
    assert actions[1419] != FULL_COLLECT_OVERDUE
    assert actions[1420] == FULL_COLLECT_OVERDUE  # 300 + 120 s after the last one
    assert FULL_COLLECT not in actions.values()
    assert p.tick(1421, last_broadcast_at=1420.9) == NOTHING
    # The next one is due 300 s after this one, not after the one it replaced.
    assert p.tick(1719, None) == FREEZE and p.tick(1720, None) == FULL_COLLECT


def test_the_runner_wakes_often_enough_to_catch_a_quiet_moment():
    assert policy().check_every == 1.0
    assert policy(freeze_interval=0.2, quiet=2).check_every == 0.2
    assert policy(freeze_interval=5, quiet=0.5).check_every == 0.25


def test_settings():
    assert policy_from_config({"GC_FREEZE_INTERVAL_SECONDS": 0}) is None  # off
    p = policy_from_config({"GC_FREEZE_INTERVAL_SECONDS": 7, "GC_FULL_COLLECT_SECONDS": 600,
                            "GC_QUIET_SECONDS": 3, "GC_FULL_COLLECT_MAX_DELAY_SECONDS": 60})
    assert (p.freeze_interval, p.full_collect_interval, p.quiet, p.max_delay) == (7, 600, 3, 60)
    with pytest.raises(ValueError):
        policy_from_config({"GC_FREEZE_INTERVAL_SECONDS": 5, "GC_FULL_COLLECT_SECONDS": 0})


def test_the_default_settings_are_the_documented_ones(monkeypatch):
    from facilitator.config import from_environment
    for name in ("GC_FREEZE_INTERVAL_SECONDS", "GC_FULL_COLLECT_SECONDS", "GC_QUIET_SECONDS",
                 "GC_FULL_COLLECT_MAX_DELAY_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    p = policy_from_config(from_environment())
    assert (p.freeze_interval, p.full_collect_interval, p.quiet, p.max_delay) == (5, 300, 2, 300)
    monkeypatch.setenv("GC_FREEZE_INTERVAL_SECONDS", "0")
    assert policy_from_config(from_environment()) is None


class GcSpy:
    """Stands in for the gc module's freeze / unfreeze / collect (the test process's own
    objects stay where they are)."""

    def __init__(self, monkeypatch):
        self.calls: list[str] = []
        self.lock = threading.Lock()
        monkeypatch.setattr(gc_policy.gc, "freeze", lambda: self.record("freeze"))
        monkeypatch.setattr(gc_policy.gc, "unfreeze", lambda: self.record("unfreeze"))
        monkeypatch.setattr(gc_policy.gc, "collect",
                            lambda generation=2: self.record(f"collect({generation})") or 0)

    def record(self, name):
        with self.lock:
            self.calls.append(name)


def test_the_runner_carries_out_each_action(monkeypatch):
    spy = GcSpy(monkeypatch)
    runner = GcPolicyRunner(policy(), lambda: None, start_task=lambda *_: None,
                            sleep=lambda _: None)
    runner.perform(FREEZE)
    runner.perform(NOTHING)
    runner.perform(FULL_COLLECT_OVERDUE)
    assert spy.calls == ["collect(1)", "freeze", "unfreeze", "collect(2)", "freeze"]
    assert (runner.stats.freezes, runner.stats.full_collects,
            runner.stats.overdue_full_collects) == (1, 1, 1)


def test_the_background_loop_freezes_in_threading_mode(app, monkeypatch):
    """start_gc_policy as `facilitator serve` calls it, on the app's SocketIO (threading mode
    in tests), with tiny intervals: the loop really calls gc.freeze, again and again, and
    runs the full collection when no broadcast has left for the quiet time."""
    from facilitator.extensions import socketio
    from facilitator.live.namespace import broadcaster
    assert socketio.async_mode == "threading"
    spy = GcSpy(monkeypatch)
    monkeypatch.setitem(app.config, "GC_FREEZE_INTERVAL_SECONDS", 0.02)
    monkeypatch.setitem(app.config, "GC_FULL_COLLECT_SECONDS", 0.1)
    monkeypatch.setitem(app.config, "GC_QUIET_SECONDS", 0.05)
    monkeypatch.setattr(broadcaster, "last_activity_at", None)
    thresholds = gc.get_threshold()
    runner = gc_policy.start_gc_policy(app)
    try:
        assert spy.calls[:3] == ["unfreeze", "collect(2)", "freeze"]  # at once, before serving
        # Python's own full collections wait for the policy's: only the young ones are left.
        assert gc.get_threshold() == (*thresholds[:2], gc_policy.NO_AUTOMATIC_FULL_COLLECTION)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (runner.stats.freezes < 3
                                                or runner.stats.full_collects < 2):
            time.sleep(0.01)
    finally:
        runner.stop()
    assert gc.get_threshold() == thresholds
    assert runner.stats.freezes >= 3 and runner.stats.full_collects >= 2, runner.stats
    assert spy.calls.count("freeze") >= 5 and runner.stats.errors == 0


def test_the_loop_postpones_the_full_collection_while_broadcasts_go_out(app, monkeypatch):
    from facilitator.live.namespace import broadcaster
    spy = GcSpy(monkeypatch)
    monkeypatch.setitem(app.config, "GC_FREEZE_INTERVAL_SECONDS", 0.02)
    monkeypatch.setitem(app.config, "GC_FULL_COLLECT_SECONDS", 0.05)
    monkeypatch.setitem(app.config, "GC_QUIET_SECONDS", 5)
    monkeypatch.setitem(app.config, "GC_FULL_COLLECT_MAX_DELAY_SECONDS", 60)
    monkeypatch.setattr(broadcaster, "last_activity_at", time.monotonic())
    runner = gc_policy.start_gc_policy(app)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and runner.policy.postponed < 3:
            broadcaster.last_activity_at = time.monotonic()
            time.sleep(0.01)
    finally:
        runner.stop()
    assert runner.policy.postponed >= 3
    assert runner.stats.full_collects == 1  # only the one at start-up
    assert spy.calls.count("unfreeze") == 1
