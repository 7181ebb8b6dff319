"""The message queue fails (issue 13, item 6): two `facilitator serve` processes share a Redis
server that this test starts, stops and starts again on a port of its own. While it is
down, the consoles of both processes say so, and a phone connected to the other process
learns within 5 s, from its process's heartbeat, that it lacks an event, and catches up;
when Redis is back the notices clear and events flow through it again."""
from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.support import LiveServer, csrf_token_in, demo_server, free_port, require_service
from tests.worker_group import PrivateRedis, redis_server_installed

pytestmark = pytest.mark.redis


class Watcher:
    """A socket.io client that keeps what it receives, by event name."""

    def __init__(self):
        self.client = socketio.Client(reconnection=False)
        self.received: dict[str, list] = {}
        self.lock = threading.Lock()
        for name in ("welcome", "batch", "heartbeat", "notice"):
            self.client.on(name, self._keeper(name), namespace="/live")

    def _keeper(self, name):
        def keep(data):
            with self.lock:
                self.received.setdefault(name, []).append((time.monotonic(), data))
        return keep

    def got(self, name) -> list:
        with self.lock:
            return list(self.received.get(name, []))

    def wait_for(self, name, test, timeout: float):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, data in self.got(name):
                if test(data):
                    return at, data
            time.sleep(0.05)
        raise AssertionError(f"no {name} as expected within {timeout} s: {self.got(name)}")


def _console(server, cookie: str) -> Watcher:
    watcher = Watcher()
    watcher.client.connect(server.base_url, namespaces=["/live"], transports=["websocket"],
                           headers={"Cookie": f"session={cookie}"},
                           auth={"meeting_id": server.info["meeting_id"], "face": "console"},
                           wait_timeout=10)
    return watcher


def test_consoles_show_a_redis_outage_and_phones_on_the_other_process_catch_up():
    require_service(redis_server_installed(), "redis-server (and redis-cli) are not installed")
    workdir = Path(tempfile.mkdtemp(prefix="facilitator-queue-outage-"))
    redis = PrivateRedis(workdir)
    redis.start()
    try:
        with demo_server(workdir, REDIS_URL=redis.url) as server_a:
            server_b = LiveServer(workdir=workdir, port=free_port(), log_path=workdir / "b.log",
                                  extra_env={"REDIS_URL": redis.url})
            server_b.info = server_a.info
            server_b.start()
            try:
                _outage(server_a, server_b, redis)
            finally:
                server_b.stop()
    finally:
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _outage(server_a, server_b, redis):
    info = server_a.info
    http = requests.Session()
    http.post(f"{server_a.base_url}/login", data={
        "username": info["username"], "password": info["password"],
        "csrf_token": csrf_token_in(http.get(f"{server_a.base_url}/login").text)})
    cookie = http.cookies["session"]
    console_a, console_b = _console(server_a, cookie), _console(server_b, cookie)
    # A phone joins on process B.
    phone = Watcher()
    phone.client.connect(server_b.base_url, namespaces=["/live"], transports=["websocket"],
                         auth={"meeting_id": info["meeting_id"], "face": "phone",
                               "join": {"code": info["join_code"], "name": "张建国",
                                        "party": "observer", "command_id": "outage-join-01"},
                               "sync": {"since": None}}, wait_timeout=10)
    try:
        assert phone.wait_for("welcome", lambda w: True, 5)[1]["sync"]["ok"]

        def command(name: str, command_id: str) -> dict:
            ack = console_a.client.call("command", {"id": command_id, "type": name,
                                                    "payload": {}}, namespace="/live", timeout=10)
            assert ack["ok"], ack
            return ack

        # With Redis up, the phone on B hears the console on A through it.
        ack = command("agenda.next", "outage-cmd-01")
        phone.wait_for("batch", lambda b: b["to"] >= ack["seq"], 5)

        redis.stop()
        # Both processes tell their consoles.
        for console in (console_a, console_b):
            console.wait_for("notice", lambda n: n["code"] == "live.notice_queue_down"
                             and n["active"], 20)
        # An event committed on A now: the phone on B gets no batch, but its process's
        # heartbeat tells it the meeting's number within 5 s...
        ack = command("agenda.next", "outage-cmd-02")
        committed = time.monotonic()
        at, beat = phone.wait_for("heartbeat", lambda h: h["seq"] >= ack["seq"], 5)
        assert at - committed < 5
        assert not any(b["to"] >= ack["seq"] for _, b in phone.got("batch"))
        # ...and the sync it then sends (static/js/live.js) brings the event.
        reply = phone.client.call("sync", {"since": ack["seq"] - 1}, namespace="/live",
                                  timeout=10)
        assert reply["ok"] and reply["batch"]["to"] >= ack["seq"]
        assert any(e["seq"] == ack["seq"] and e["type"] == "agenda.item_started"
                   for e in reply["batch"]["events"])

        redis.start()
        for console in (console_a, console_b):
            console.wait_for("notice", lambda n: n["code"] == "live.notice_queue_down"
                             and not n["active"], 20)
        ack = command("agenda.previous", "outage-cmd-03")
        phone.wait_for("batch", lambda b: b["to"] >= ack["seq"], 5)
    finally:
        for watcher in (phone, console_a, console_b):
            watcher.client.disconnect()
