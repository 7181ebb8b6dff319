"""Agenda timing, pure: the countdown every face shows is computed from these rules.

Times are integer milliseconds since the epoch (server clock). An item can run more than
once (the moderator goes back to it): `used_ms` is what earlier runs took, and the
countdown continues from there. Elapsed time is counted in ms and shown in whole seconds.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Countdown:
    remaining_seconds: int  # negative when overrun
    overrun: bool


def elapsed_seconds(used_ms: int, run_started_ms: int | None, now_ms: int) -> int:
    running = 0 if run_started_ms is None else max(0, now_ms - run_started_ms)
    return (used_ms + running) // 1000


def countdown(planned_seconds: int, used_ms: int, run_started_ms: int | None,
              now_ms: int) -> Countdown:
    remaining = planned_seconds - elapsed_seconds(used_ms, run_started_ms, now_ms)
    return Countdown(remaining_seconds=remaining, overrun=remaining < 0)


def planned_schedule(start_ms: int | None, planned_seconds: list[int]) -> list[int | None]:
    """Planned start of each item: the meeting's start plus the time boxes before it."""
    if start_ms is None:
        return [None] * len(planned_seconds)
    starts, at = [], start_ms
    for seconds in planned_seconds:
        starts.append(at)
        at += seconds * 1000
    return starts


def neighbour(positions_by_id: dict[int, int], current_id: int | None, step: int) -> int | None:
    """The item `step` places from the current one in agenda order (None past either end).
    With no current item, "next" is the first item and "previous" is none."""
    ordered = sorted(positions_by_id, key=lambda item_id: (positions_by_id[item_id], item_id))
    if not ordered:
        return None
    if current_id is None or current_id not in positions_by_id:
        return ordered[0] if step > 0 else None
    index = ordered.index(current_id) + step
    return ordered[index] if 0 <= index < len(ordered) else None
