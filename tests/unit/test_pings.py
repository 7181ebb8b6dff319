"""Pings spread over time (live/pings.py): connections opened together are not pinged
together for ever after."""
from __future__ import annotations

import random

import engineio
from engineio import server as engineio_server

from facilitator.live import pings


def stepped_server(sleeps: list[float]) -> engineio.Server:
    """An Engine.IO server as app.py sets it, whose background tasks run at once and whose
    sleeps are only noted (no real time)."""
    server = engineio.Server(async_mode="threading", ping_interval=10, ping_timeout=15)
    server.start_background_task = lambda task, *args: task(*args)
    server.sleep = sleeps.append
    return server


def test_connections_opened_together_are_first_pinged_spread_over_half_an_interval():
    random.seed(2026)
    firsts, seconds = [], []
    for n in range(200):  # opened at the same moment
        sleeps: list[float] = []
        connection = pings.SpreadPingSocket(stepped_server(sleeps), f"sid-{n}")
        connection.schedule_ping()  # as Engine.IO does when a connection opens
        firsts.append(sum(sleeps))
        sleeps.clear()
        connection.schedule_ping()  # its answer to the first ping came
        seconds.append(sum(sleeps))
    assert all(10 <= t <= 15 for t in firsts)  # a client waits 10 + 15 s for a ping
    assert max(firsts) - min(firsts) > 4  # spread over about 5 s, not in step
    assert len({round(t, 3) for t in firsts}) > 150
    assert seconds == [10] * 200  # then every interval: each keeps its own phase


def test_the_app_opens_its_connections_with_spread_pings(app):
    assert engineio_server.socket.Socket is pings.SpreadPingSocket
