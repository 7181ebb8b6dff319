"""Votes close at their deadline, also when no one is watching and across a restart.

A countdown armed while a meeting's tallies are read closes an in-meeting vote on the second
(live/tallies.py). A written ballot runs for days after its meeting: every server process
also sweeps the database every SWEEP_SECONDS for open votes whose deadline has passed and
closes them as the app ("system"). The close's command id is derived from the vote and its
deadline, so when several processes (or the countdown and a sweep) close the same vote, it
is closed once. Ballots after the deadline are refused by the ballot commands themselves,
whenever the close runs.
"""
from __future__ import annotations

from flask import Flask

from .. import clock
from ..actions import Actor, execute
from ..actions.votes import deadline_close_id
from ..actions.written_ballot import overdue_votes
from ..extensions import db, socketio

SWEEP_SECONDS = 15


def close_overdue(app: Flask) -> int:
    """Close every open vote whose deadline has passed; the number closed."""
    closed = 0
    with app.app_context():
        try:
            for meeting_id, vote_id, deadline in overdue_votes(clock.utcnow()):
                db.session.rollback()
                outcome = execute(meeting_id, Actor(role="system"), "vote.close", {"id": vote_id},
                                  command_id=deadline_close_id(vote_id, clock.to_epoch_ms(deadline)))
                if outcome.ok:
                    closed += 1
                else:
                    app.logger.error("closing vote %s at its deadline: %s", vote_id,
                                     outcome.error.code)
        finally:
            db.session.remove()
    return closed


def run_deadline_sweep(app: Flask) -> None:
    while True:
        try:
            close_overdue(app)
        except Exception:  # noqa: BLE001  (a database outage: try again at the next sweep)
            app.logger.exception("the deadline sweep failed")
        socketio.sleep(SWEEP_SECONDS)
