"""The test session's clock: tests never read the real one.

The whole session runs on a wall clock moved to TEST_NOW (time-machine, ticking from there),
so the fixed dates in tests (the demo meeting of 2026-12-05, due dates, progress reports)
mean the same on any day the suite runs. Server processes that tests start (`facilitator
serve`, `facilitator demo`) run through :func:`main` below, moved to the same moment as the
test process that started them.

Monotonic clocks (timeouts, rate limits, coalescing) are not moved: they measure durations.
"""
from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The evening of the demo meeting (it ran 14:30-16:50 in Shanghai on 2026-12-05).
TEST_NOW = datetime(2026, 12, 5, 18, 0, tzinfo=SHANGHAI)
TEST_TODAY = TEST_NOW.date()

# The moment a subprocess starts at (ISO 8601, UTC), and the machine's uptime at that moment.
NOW_VARIABLE = "FACILITATOR_TEST_NOW"
UPTIME_VARIABLE = "FACILITATOR_TEST_NOW_UPTIME"

# Days on which a calendar bug shows: a leap day, the end of a year in Shanghai (already the
# next day there while UTC still says 15:59 on the 31st), a year after the suite was written.
SHIFTED_NOWS = (
    datetime(2028, 2, 29, 10, 0, tzinfo=SHANGHAI),
    datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI),
    datetime(2027, 12, 6, 9, 0, tzinfo=SHANGHAI),
)


def _uptime() -> float | None:
    """Seconds since the machine started, from /proc/uptime: the one clock that every process
    reads alike, whatever time-machine or libfaketime do to each one's own clocks."""
    try:
        with open("/proc/uptime") as uptime:
            return float(uptime.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def subprocess_env(env: dict | None = None) -> dict:
    """The environment for a subprocess that must share this process's (frozen) now."""
    env = dict(os.environ if env is None else env)
    env[NOW_VARIABLE] = datetime.now(timezone.utc).isoformat()
    uptime = _uptime()
    if uptime is not None:
        env[UPTIME_VARIABLE] = repr(uptime)
    return env


def subprocess_now() -> datetime:
    """The now a subprocess travels to: the moment in its environment plus the time since
    (by the machine's uptime). The seconds its imports take are counted, and a process that
    a subprocess starts later with the same environment (a worker `serve --workers` starts
    again after a crash) starts at the test's now too, not at the moment the test started
    its parent."""
    start = datetime.fromisoformat(os.environ[NOW_VARIABLE])
    then, now = os.environ.get(UPTIME_VARIABLE), _uptime()
    if then is not None and now is not None:
        start += timedelta(seconds=max(0.0, now - float(then)))
    return start


def command() -> list[str]:
    """How tests start the `facilitator` command: through :func:`main`."""
    return [sys.executable, "-m", "tests.frozen_time"]


def main() -> None:
    """`facilitator` on the clock of the test that started it."""
    import time_machine
    time_machine.travel(subprocess_now(), tick=True).start()
    from facilitator.__main__ import main as facilitator_main
    facilitator_main()


if __name__ == "__main__":
    main()
