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
from pathlib import Path
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The evening of the demo meeting (it ran 14:30-16:50 in Shanghai on 2026-12-05).
TEST_NOW = datetime(2026, 12, 5, 18, 0, tzinfo=SHANGHAI)
TEST_TODAY = TEST_NOW.date()

# The moment a subprocess starts at (ISO 8601, UTC), and the machine's uptime when it was
# read: a subprocess adds the time it took to start (seconds of imports under load), so that
# every process of a test, a worker started again minutes later too, reads one clock. The
# uptime (/proc/uptime) is the one clock no process fakes, libfaketime's neither.
NOW_VARIABLE = "FACILITATOR_TEST_NOW"
UPTIME_VARIABLE = "FACILITATOR_TEST_NOW_UPTIME"

# Days on which a calendar bug shows: a leap day, the end of a year in Shanghai (already the
# next day there while UTC still says 15:59 on the 31st), a year after the suite was written.
SHIFTED_NOWS = (
    datetime(2028, 2, 29, 10, 0, tzinfo=SHANGHAI),
    datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI),
    datetime(2027, 12, 6, 9, 0, tzinfo=SHANGHAI),
)


def subprocess_env(env: dict | None = None) -> dict:
    """The environment for a subprocess that must share this process's (frozen) now."""
    env = dict(os.environ if env is None else env)
    env[NOW_VARIABLE] = datetime.now(timezone.utc).isoformat()
    uptime = _uptime()
    if uptime is not None:
        env[UPTIME_VARIABLE] = repr(uptime)
    return env


def _uptime() -> float | None:
    try:
        return float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def start_clock() -> None:
    """In a subprocess: move to the starting test's now, plus the time since it was read."""
    import time_machine
    start = datetime.fromisoformat(os.environ[NOW_VARIABLE])
    uptime, then = _uptime(), os.environ.get(UPTIME_VARIABLE)
    if uptime is not None and then:
        start += timedelta(seconds=max(0.0, uptime - float(then)))
    time_machine.travel(start, tick=True).start()


def command() -> list[str]:
    """How tests start the `facilitator` command: through :func:`main`."""
    return [sys.executable, "-m", "tests.frozen_time"]


def main() -> None:
    """`facilitator` on the clock of the test that started it."""
    start_clock()
    from facilitator.__main__ import main as facilitator_main
    facilitator_main()


if __name__ == "__main__":
    main()
