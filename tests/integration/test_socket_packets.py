"""The live server sends its acks and batches without walking them for bytes."""
from __future__ import annotations

import pytest
from socketio import packet

from facilitator.socket_packets import TextPacket

from tests.factories import command, connect, login, make_meeting, make_user, sync


@pytest.fixture
def walked(monkeypatch):
    """What Packet.data_is_binary is asked to walk, top level only. Flask-SocketIO's test
    client builds its own packets with python-socketio's default class (its commands, and
    again when it decodes what the server sent, with no data yet): only the server's
    outgoing acks and batches count here."""
    seen = []

    def spy(cls, data):
        seen.append(data)
        return False
    monkeypatch.setattr(packet.Packet, "data_is_binary", classmethod(spy))
    return seen


def _server_output(data) -> bool:
    return isinstance(data, list) and bool(data) and (
        data[0] in ("batch", "welcome", "tally", "me")
        or (isinstance(data[0], dict) and "ok" in data[0]))


def test_acks_and_batches_leave_as_text_without_a_binary_scan(app, ctx, walked):
    from facilitator.extensions import socketio
    assert socketio.server.packet_class is TextPacket

    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    console_http = app.test_client()
    login(console_http, moderator)
    console = connect(app, meeting, "console", console_http)
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    assert console.is_connected("/live") and projector.is_connected("/live")
    projector.get_received("/live")

    ack = command(console, "agenda.next")
    assert ack["ok"]
    reply = sync(projector)
    assert reply["ok"] and reply["snapshot"]["seq"] == ack["seq"]
    batches = [m["args"][0] for m in projector.get_received("/live") if m["name"] == "batch"]
    assert [e["seq"] for b in batches for e in b["events"]] == [ack["seq"]]

    assert walked, "the spy saw nothing: the test client no longer builds default packets?"
    assert not [data for data in walked if _server_output(data)]
