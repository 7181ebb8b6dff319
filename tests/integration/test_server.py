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


def test_another_site_cannot_open_a_socket_to_the_meeting():
    with demo_server() as server:
        stranger = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            stranger.connect(server.base_url, namespaces=["/live"], transports=["websocket"],
                             headers={"Origin": "http://evil.example"},
                             auth={"meeting_id": 1, "face": "projector",
                                   "token": server.info["projector_token"]}, wait_timeout=5)
