"""Several server processes share the database and a Redis message queue (the database is
the truth, docs/architecture.md §1): a command on one process reaches phones connected to
another."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.support import (LiveServer, csrf_token_in, demo_server, free_port, redis_up,
                           require_service)

pytestmark = pytest.mark.redis
REDIS_URL = os.environ.get("FACILITATOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_a_command_on_one_process_reaches_a_phone_on_another():
    require_service(redis_up(), "Redis is not reachable at 127.0.0.1:6379")
    workdir = Path(tempfile.mkdtemp(prefix="facilitator-two-processes-"))
    with demo_server(workdir, REDIS_URL=REDIS_URL) as server_a:
        server_b = LiveServer(workdir=workdir, port=free_port(), log_path=workdir / "b.log",
                              extra_env={"REDIS_URL": REDIS_URL})
        server_b.start()
        try:
            _phone_on_b_hears_the_console_on_a(server_a, server_b)
        finally:
            server_b.stop()


def _phone_on_b_hears_the_console_on_a(server_a, server_b):
    base_a, base_b, code = server_a.base_url, server_b.base_url, server_a.info["join_code"]
    console_http, phone_http = requests.Session(), requests.Session()
    console_http.post(f"{base_a}/login", data={
        "username": "zhengwentao", "password": "demo-2026",
        "csrf_token": csrf_token_in(console_http.get(f"{base_a}/login").text)})
    assert phone_http.get(f"{base_b}/j/{code}").status_code == 200

    received, welcome = [], []
    phone = socketio.Client(reconnection=False)
    phone.on("batch", received.append, namespace="/live")
    phone.on("welcome", welcome.append, namespace="/live")
    # The phone joins on process B: its handshake carries the join form's answers.
    phone.connect(base_b, namespaces=["/live"], transports=["websocket"],
                  auth={"meeting_id": 1, "face": "phone", "join": {
                      "code": code, "name": "张建国", "party": "owner", "unit": "3-1-101",
                      "command_id": "multi-process-join"}}, wait_timeout=10)
    console = socketio.Client(reconnection=False)
    console.connect(base_a, namespaces=["/live"], transports=["websocket"],
                    headers={"Cookie": f"session={console_http.cookies['session']}"},
                    auth={"meeting_id": 1, "face": "console"}, wait_timeout=10)
    try:
        ack = console.call("command", {"id": "multi-process-01", "type": "agenda.next",
                                       "payload": {}}, namespace="/live", timeout=10)
        assert ack["ok"], ack
        deadline = time.monotonic() + 10
        events = lambda: [e for batch in received for e in batch["events"]]  # noqa: E731
        while not any(e["seq"] == ack["seq"] for e in events()) and time.monotonic() < deadline:
            time.sleep(0.05)
        event = next(e for e in events() if e["seq"] == ack["seq"])
        assert event["type"] == "agenda.item_started"
        assert event["data"]["title"] == "开场、介绍议题与议事规则"
    finally:
        phone.disconnect()
        console.disconnect()
