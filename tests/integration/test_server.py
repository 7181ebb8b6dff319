"""The production server path (`facilitator serve`) under both async servers."""
from __future__ import annotations

import pytest
import requests
import socketio

from tests.support import demo_server


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_the_server_serves_pages_and_live_sockets(async_mode):
    with demo_server(async_mode=async_mode) as server:
        page = requests.get(f"{server.base_url}/", headers={"Accept-Language": "zh-CN"},
                            timeout=5)
        assert page.status_code == 200 and "加入协商会议" in page.text
        projector = socketio.Client(reconnection=False)
        projector.connect(server.base_url, namespaces=["/live"], transports=["websocket"],
                          auth={"meeting_id": 1, "face": "projector",
                                "token": server.info["projector_token"]}, wait_timeout=10)
        try:
            reply = projector.call("sync", {"since": None}, namespace="/live", timeout=10)
            assert reply["ok"] and reply["snapshot"]["meeting"]["status"] == "live"
            assert len(reply["snapshot"]["agenda"]) == 9
        finally:
            projector.disconnect()
        # `serve` runs the garbage-collection policy (facilitator/live/gc_policy.py).
        assert ("garbage collection: freeze every 5 s, full collection every 300 s when quiet "
                "for 2 s") in server.log_tail()
        # Started with --host 127.0.0.1: no phone can reach it, and it says so.
        assert "warning: phones cannot reach this server" in server.log_tail()


def test_another_site_cannot_open_a_socket_to_the_meeting():
    with demo_server() as server:
        stranger = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            stranger.connect(server.base_url, namespaces=["/live"], transports=["websocket"],
                             headers={"Origin": "http://evil.example"},
                             auth={"meeting_id": 1, "face": "projector",
                                   "token": server.info["projector_token"]}, wait_timeout=5)


def test_a_refused_connection_says_why_in_the_users_language():
    with demo_server() as server:
        refusals = []
        projector = socketio.Client(reconnection=False)
        projector.on("connect_error", refusals.append, namespace="/live")
        with pytest.raises(socketio.exceptions.ConnectionError):
            projector.connect(server.base_url, namespaces=["/live"], transports=["websocket"],
                              headers={"Accept-Language": "zh-CN"},
                              auth={"meeting_id": 1, "face": "projector", "token": "wrong"},
                              wait_timeout=5)
        # As socket.io clients see it: {"message": ..., "data": {code, message, params}}.
        assert refusals and refusals[0]["data"]["code"] == "auth.bad_projector_link"
        assert refusals[0]["data"]["message"] == refusals[0]["message"] == "投屏链接无效。"


def test_a_second_server_on_the_same_port_fails_instead_of_sharing_it():
    import subprocess
    from tests.support import FACILITATOR_COMMAND, REPO_ROOT
    with demo_server() as server:
        twin = subprocess.run([*FACILITATOR_COMMAND, "serve", "--host", "127.0.0.1", "--port",
                               str(server.port)], env=server.env, cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=30)
        assert twin.returncode != 0 and "Address already in use" in twin.stderr
