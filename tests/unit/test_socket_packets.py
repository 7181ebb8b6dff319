"""Outgoing Socket.IO packets are text: python-socketio does not walk them looking for bytes."""
from __future__ import annotations

import json

import pytest
from socketio import packet

from facilitator.extensions import socketio
from facilitator.socket_packets import TextPacket

SYNC_ACK = [{"ok": True, "snapshot": {"seq": 42, "meeting": {"id": 1, "title": "车库漏水"},
                                      "agenda": {str(i): {"id": i, "title": f"议题 {i}",
                                                          "used_ms": i * 1000}
                                                 for i in range(1, 40)}},
             "tallies": [], "me": {"id": 7, "status": "admitted"}}]


@pytest.fixture
def no_binary_scan(monkeypatch):
    """Any walk looking for bytes fails the test."""
    def scan(cls, data):
        raise AssertionError("Packet.data_is_binary was called")
    monkeypatch.setattr(packet.Packet, "data_is_binary", classmethod(scan))


def test_the_socketio_object_is_configured_with_the_text_packet():
    assert socketio.server_options["serializer"] is TextPacket
    assert issubclass(TextPacket, packet.Packet) and TextPacket.uses_binary_events is False


@pytest.mark.parametrize("kind,data,ack_id", [
    (packet.ACK, SYNC_ACK, 12),
    (packet.EVENT, ["batch", {"from": 3, "to": 4, "events": [], "changes": []}], None),
])
def test_an_outgoing_packet_is_one_text_frame_built_without_a_binary_scan(
        no_binary_scan, kind, data, ack_id):
    pkt = TextPacket(kind, namespace="/live", data=data, id=ack_id)
    assert pkt.packet_type == kind  # never turned into a BINARY_* packet
    encoded = pkt.encode()
    assert isinstance(encoded, str)  # one text frame, no attachments
    assert encoded == f"{kind}/live,{'' if ack_id is None else ack_id}" + json.dumps(
        data, separators=(",", ":"))  # what the default packet sends for the same data
    again = TextPacket(encoded_packet=encoded)
    assert (again.packet_type, again.namespace, again.id, again.data) == (
        kind, "/live", ack_id, data)


def test_received_packets_still_decode(no_binary_scan):
    received = TextPacket(encoded_packet='2/live,17["command",{"id":"abcdefgh01",'
                                         '"type":"agenda.next","payload":{}}]')
    assert received.packet_type == packet.EVENT and received.namespace == "/live"
    assert received.id == 17
    assert received.data == ["command", {"id": "abcdefgh01", "type": "agenda.next",
                                         "payload": {}}]
    # A client's binary event is still taken apart (decoding does not depend on the flag).
    with_attachment = TextPacket(encoded_packet='51-/live,["upload",{"_placeholder":true,'
                                                '"num":0}]')
    assert with_attachment.packet_type == packet.BINARY_EVENT
    assert with_attachment.add_attachment(b"\x00\x01") is True
    assert with_attachment.data == ["upload", b"\x00\x01"]


def test_bytes_are_refused_rather_than_sent_as_attachments():
    with pytest.raises(TypeError):
        TextPacket(packet.EVENT, namespace="/live", data=["x", b"\x00"]).encode()


def _standard(kind, data, ack_id=None) -> str:
    return packet.Packet(kind, namespace="/live", data=data, id=ack_id).encode()


def test_a_welcome_carrying_a_snapshot_encodes_as_the_standard_packet_would():
    welcome = ["welcome", {"role": "phone", "participant_id": 7, "token": "tök",
                           "sync": SYNC_ACK[0]}]
    encoded = TextPacket(packet.EVENT, namespace="/live", data=welcome).encode()
    assert encoded == _standard(packet.EVENT, welcome)
    assert TextPacket(encoded_packet=encoded).data == welcome


def test_a_snapshot_brought_forward_reuses_the_text_of_the_collections_it_shares(monkeypatch):
    """A join storm: each phone's snapshot is the one before with a new seq, its collections
    the same objects; their JSON is made once, not once per phone."""
    from facilitator import socket_packets as packets
    first = SYNC_ACK[0]["snapshot"]
    TextPacket(packet.ACK, namespace="/live", data=[{"ok": True, "snapshot": first}],
               id=1).encode()
    encoded_values = []
    real_dumps = packets._dumps
    monkeypatch.setattr(packets, "_dumps", lambda v: encoded_values.append(v) or real_dumps(v))
    later = [{"ok": True, "snapshot": {**first, "seq": 43}}]
    encoded = TextPacket(packet.ACK, namespace="/live", data=later, id=2).encode()
    assert encoded == _standard(packet.ACK, later, 2)
    assert first["agenda"] not in encoded_values and first["meeting"] not in encoded_values
    assert 43 in encoded_values  # what changed is encoded
    # A collection that changed (a new object) is encoded afresh, never taken from the store.
    changed = {**first, "seq": 44, "agenda": {**first["agenda"], "1": {"id": 1, "title": "新"}}}
    text = TextPacket(packet.ACK, namespace="/live", data=[{"ok": True, "snapshot": changed}],
                      id=3).encode()
    assert TextPacket(encoded_packet=text).data[0]["snapshot"] == changed
