"""Notices on the live consoles: facts about the server, not about a meeting's record (they
have no sequence number and are not in any snapshot).

- `live.notice_join_guessing`: the server's wrong join codes reached JOIN_CODE_LIMIT_PER_MINUTE
  this minute (joining.py): typed codes are refused everywhere until the minute ends, and
  the moderators should ask people to scan the QR code. Sent through the message queue to
  the consoles of every process; a console that connects during that minute gets it in its
  welcome.
- `live.notice_queue_down`: this process cannot reach the message queue (live/queue.py).
  Sent to this process's consoles only (the queue is what is down), and again with
  `active: false` when it is back.

A notice: {"code", "active", "until" (ms, or null)}; the console words it from its catalog.
"""
from __future__ import annotations

from .. import joining
from ..extensions import socketio
from .rooms import NAMESPACE

CONSOLES = "consoles"  # the room every console connection joins, whatever its meeting
_queue_down = False  # this process's view of the message queue


def _send(notice: dict, *, this_process_only: bool = False) -> None:
    socketio.emit("notice", notice, to=CONSOLES, namespace=NAMESPACE,
                  ignore_queue=this_process_only)


def join_guessing(until_ms: int) -> None:
    _send({"code": "live.notice_join_guessing", "active": True, "until": until_ms})


joining.guessing_listeners.append(join_guessing)


def queue_state(down: bool) -> None:
    global _queue_down
    if down == _queue_down:
        return
    _queue_down = down
    _send({"code": "live.notice_queue_down", "active": down, "until": None},
          this_process_only=True)


def current() -> list[dict]:
    """The notices in force now, for a console's welcome (needs an app context)."""
    from ..joining import join_limiter
    notices = []
    limiter = join_limiter()
    wrong, until = limiter.server_wrong_this_minute()
    if wrong >= limiter.per_minute:
        notices.append({"code": "live.notice_join_guessing", "active": True, "until": until})
    if _queue_down:
        notices.append({"code": "live.notice_queue_down", "active": True, "until": None})
    return notices
