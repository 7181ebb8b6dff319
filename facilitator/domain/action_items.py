"""Follow-up of agreed items (议定事项): the pure rules (no Flask, no database).

An item's status (docs/case-record.md, "Agreed items")::

    open → in_progress → done → verified → closed

* ``open`` may go straight to ``done`` (a small job finished before anyone reported progress).
* ``done`` → ``in_progress`` and ``verified`` → ``in_progress``: the check found the work
  not right (rework); ``closed`` → ``in_progress``: the problem came back. Going back needs a
  reason (the update's note, which every update has anyway).
* An update may also keep the status: a progress report.
* Nothing is skipped on the way to ``verified``/``closed``: ``verified`` only after ``done``,
  ``closed`` only after ``verified`` (事事有落实: an item is closed after it was checked).

Flags (shown next to the status):

* **overdue** is *computed*, never stored: the item has a deadline, ``today`` (in the app's
  time zone, given by the caller) is after it, and the item is still ``open`` or
  ``in_progress``. Work done late is no longer overdue: it is late, which the history shows.
* **blocked** and **escalated** are set by the person recording an update (each update
  records the flags as they are after it; the latest update's flags are the item's).

Refusals (``DomainError``):

* ``action_item.unknown_status`` (status)
* ``action_item.invalid_status_change`` (from_status, to_status, allowed)
"""
from __future__ import annotations

from datetime import date
from enum import StrEnum

from facilitator.errors import DomainError


class ActionItemStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"
    CLOSED = "closed"


_S = ActionItemStatus
#: Where an item may go from each status (keeping the status is always allowed).
MOVES: dict[ActionItemStatus, tuple[ActionItemStatus, ...]] = {
    _S.OPEN: (_S.IN_PROGRESS, _S.DONE),
    _S.IN_PROGRESS: (_S.DONE,),
    _S.DONE: (_S.VERIFIED, _S.IN_PROGRESS),
    _S.VERIFIED: (_S.CLOSED, _S.IN_PROGRESS),
    _S.CLOSED: (_S.IN_PROGRESS,),
}
#: Statuses in which the deadline still matters.
PENDING = frozenset({_S.OPEN, _S.IN_PROGRESS})
FLAGS = ("overdue", "blocked", "escalated")


def allowed_statuses(current: str) -> tuple[ActionItemStatus, ...]:
    """The statuses an update may set from ``current``: itself first, then the moves."""
    if current not in MOVES:
        raise DomainError("action_item.unknown_status", status=str(current))
    return (ActionItemStatus(current), *MOVES[current])


def check_status_change(current: str, new: str) -> ActionItemStatus:
    """``new`` if an update may set it, else a refusal that changes nothing."""
    if new not in MOVES:
        raise DomainError("action_item.unknown_status", status=str(new))
    allowed = allowed_statuses(current)
    if new not in allowed:
        raise DomainError("action_item.invalid_status_change", from_status=current,
                          to_status=new, allowed=list(allowed))
    return ActionItemStatus(new)


def is_overdue(due_on: date | None, status: str, today: date) -> bool:
    """Past its deadline and not yet done. ``today`` is the date in the app's time zone."""
    return due_on is not None and status in PENDING and today > due_on


def days_overdue(due_on: date | None, status: str, today: date) -> int:
    return (today - due_on).days if is_overdue(due_on, status, today) else 0


def flags_of(due_on: date | None, status: str, today: date, *, blocked: bool = False,
             escalated: bool = False) -> dict[str, bool]:
    return {"overdue": is_overdue(due_on, status, today), "blocked": bool(blocked),
            "escalated": bool(escalated)}
