"""The app's one clock: every "now", "today" and local time is read here.

Nothing else in the app calls ``datetime.now``, ``date.today`` or ``time.time`` for a moment
that is stored, shown or compared with a date a user typed. Two things can set the clock:

* the played demo (``facilitator demo --played``) runs a scripted meeting on a clock of its
  own (:func:`running_on`), so its event log carries the times of a meeting held on
  2026-12-05;
* tests freeze the wall clock itself (time-machine), so this module needs no test hook.

Stored times are naive UTC (SQLite keeps no time zone). "Today" and the times shown on pages
are in the configured zone (TIMEZONE, default Asia/Shanghai): at 23:59 on 31 December in
Shanghai it is already the next day there while UTC still says 15:59 on the 31st.
"""
from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Iterator
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"

# A replacement source of naive-UTC "now" (the played demo's script), else the wall clock.
_source: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    """Now, as naive UTC: how every time is stored."""
    if _source is not None:
        return _source()
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_epoch_ms(moment: datetime | None) -> int | None:
    """A stored (naive UTC) time as milliseconds since the epoch, as events carry it."""
    if moment is None:
        return None
    return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


def now_ms() -> int:
    return to_epoch_ms(utcnow())


def zone() -> ZoneInfo:
    """The app's time zone (TIMEZONE), or the default outside an app."""
    from flask import current_app, has_app_context
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def today() -> date:
    """Today in the app's time zone: what "overdue" and "not in the future" mean."""
    return local(utcnow()).date()


def local(moment: datetime) -> datetime:
    """A stored (naive UTC) time in the app's zone."""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone())


def local_date(moment: datetime) -> date:
    """The day, in the app's zone, on which a stored (naive UTC) time falls."""
    return local(moment).date()


def to_utc(moment: datetime) -> datetime:
    """A time as typed (in the app's zone unless it names its own) → naive UTC for storage."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def start_of_day(day: date) -> datetime:
    """Local midnight at the start of ``day``, as naive UTC."""
    return to_utc(datetime.combine(day, time()))


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in the app's zone, as naive UTC."""
    return start_of_day(day + timedelta(days=1)) - timedelta(microseconds=1)


@contextlib.contextmanager
def running_on(source: Callable[[], datetime]) -> Iterator[None]:
    """Within the block, "now" is ``source()`` (naive UTC) for the whole process: the played
    demo replays its script through the real commands at the script's times."""
    global _source
    saved, _source = _source, source
    try:
        yield
    finally:
        _source = saved
