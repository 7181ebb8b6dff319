"""Engine.IO pings spread over time instead of in step.

The server pings every connection every `ping_interval` (10 s, app.py), counted from the
connection's start (then from each answer). Phones that connect together, a room joining
from the QR code or every phone of a process coming back after it restarted, are then
pinged together for as long as they stay: every 10 s a process sends a ping to each of them
and reads each answer in one burst. With 2000 phones over 3 processes on two cores,
commands sent during those bursts took 150–350 ms instead of about 25 (bench/scale.py
meetings, docs/performance.md).

Here a connection's first ping waits an extra random part of half an interval, which sets
its phase for good; the next ones keep the interval. The client waits for a ping up to the
interval plus `ping_timeout` (25 s): the first comes within 15 s.
"""
from __future__ import annotations

import random

from engineio import server as engineio_server
from engineio import socket as engineio_socket

FIRST_PING_SPREAD = 0.5  # of the interval


class SpreadPingSocket(engineio_socket.Socket):
    _phase_set = False

    def _send_ping(self):
        if not self._phase_set:
            self._phase_set = True
            self.server.sleep(random.uniform(0, FIRST_PING_SPREAD * self.server.ping_interval))
        super()._send_ping()


def spread_pings() -> None:
    """Engine.IO's server makes its connections with this class from now on (it names the
    class through its module when a connection opens). It changes the class for the whole
    process, which runs one server, and only the synchronous one the app uses (eventlet,
    gevent or threads; an asyncio server makes engineio.async_socket's connections)."""
    engineio_server.socket.Socket = SpreadPingSocket
