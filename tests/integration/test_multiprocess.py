"""Several server processes share the database and a Redis message queue (DESIGN.md
principle 1): a command on one process reaches phones connected to another."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.conftest import require_service

pytestmark = pytest.mark.redis
FACILITATOR = str(Path(sys.executable).with_name("facilitator"))
REDIS_URL = os.environ.get("FACILITATOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(port: int, process) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read())
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def _csrf(session: requests.Session, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', session.get(url).text).group(1)


@pytest.fixture
def two_servers(tmp_path):
    require_service(_redis_up(), "Redis is not reachable at 127.0.0.1:6379")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}",
           "FACILITATOR_INSTANCE": str(tmp_path), "REDIS_URL": REDIS_URL,
           "SECRET_KEY": "shared-secret-for-both-processes"}
    demo = subprocess.run([FACILITATOR, "demo"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert demo.returncode == 0, demo.stderr
    code = re.search(r"Join code: (\d{6})", demo.stdout).group(1)
    ports, processes = [_free_port(), _free_port()], []
    try:
        for port in ports:
            process = subprocess.Popen([FACILITATOR, "serve", "--host", "127.0.0.1", "--port",
                                        str(port)], env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
            processes.append(process)
            _wait_until_up(port, process)
        yield ports, code
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def test_a_command_on_one_process_reaches_a_phone_on_another(two_servers):
    (port_a, port_b), code = two_servers
    console_http, phone_http = requests.Session(), requests.Session()
    base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    console_http.post(f"{base_a}/login", data={
        "username": "zhengwentao", "password": "demo-2026",
        "csrf_token": _csrf(console_http, f"{base_a}/login")})
    form = phone_http.get(f"{base_b}/j/{code}").text
    command_id = re.search(r'name="command_id" value="([^"]+)"', form).group(1)
    joined = phone_http.post(f"{base_b}/j/{code}", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form).group(1),
        "command_id": command_id, "name": "张建国", "party": "owner", "unit": "3-1-101"},
        allow_redirects=False)
    assert joined.status_code == 302

    received = []
    phone = socketio.Client(reconnection=False)
    phone.on("event", lambda event: received.append(event), namespace="/live")
    phone.connect(base_b, namespaces=["/live"], transports=["websocket"],
                  headers={"Cookie": f"session={phone_http.cookies['session']}"},
                  auth={"meeting_id": 1, "face": "phone"}, wait_timeout=10)
    console = socketio.Client(reconnection=False)
    console.connect(base_a, namespaces=["/live"], transports=["websocket"],
                    headers={"Cookie": f"session={console_http.cookies['session']}"},
                    auth={"meeting_id": 1, "face": "console"}, wait_timeout=10)
    try:
        ack = console.call("command", {"id": "multi-process-01", "type": "agenda.next",
                                       "payload": {}}, namespace="/live", timeout=10)
        assert ack["ok"], ack
        deadline = time.monotonic() + 10
        while not any(e["seq"] == ack["seq"] for e in received) and time.monotonic() < deadline:
            time.sleep(0.05)
        event = next(e for e in received if e["seq"] == ack["seq"])
        assert event["type"] == "agenda.item_started"
        assert event["data"]["title"] == "开场、介绍议题与议事规则"
    finally:
        phone.disconnect()
        console.disconnect()
