"""How the live namespace's packets become text.

Two things python-socketio would otherwise do for every packet a thousand phones get:

- walk every value looking for bytes (Packet.data_is_binary), although the app sends JSON
  only: `uses_binary_events = False` skips the walk;
- encode each phone's snapshot again (a join or reconnect storm: one welcome or sync answer
  per phone, ~8 KB each). Snapshots are shared, never-mutated values (live/snapshot.py
  caches them per meeting, sequence number and role; bringing one forward copies it), and a
  snapshot brought forward by events a role does not see shares every collection with the
  one before. So the JSON text of each collection of a snapshot is kept, by identity, and
  reused.
"""
from __future__ import annotations

import json
from collections import OrderedDict
from threading import Lock

from socketio import packet as sio_packet

# Collections of recent snapshots, by id(): (the value itself, kept alive so its id cannot
# be reused while it is here, and its JSON text).
_TEXTS: OrderedDict[int, tuple[object, str]] = OrderedDict()
_TEXTS_SIZE = 512
_texts_lock = Lock()


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _collection_text(value) -> str:
    if not isinstance(value, (dict, list)):
        return _dumps(value)
    key = id(value)
    with _texts_lock:
        hit = _TEXTS.get(key)
        if hit is not None and hit[0] is value:
            _TEXTS.move_to_end(key)
            return hit[1]
    text = _dumps(value)
    with _texts_lock:
        _TEXTS[key] = (value, text)
        while len(_TEXTS) > _TEXTS_SIZE:
            _TEXTS.popitem(last=False)
    return text


def _snapshot_text(snapshot: dict) -> str:
    return "{" + ",".join(_dumps(key) + ":" + _collection_text(value)
                          for key, value in snapshot.items()) + "}"


def _text(value, depth: int) -> str:
    """JSON of a packet's data, snapshots (a "snapshot" key at most two objects deep: a sync
    answer, a welcome's sync) from their collections' kept texts."""
    if depth < 3 and isinstance(value, dict):
        return "{" + ",".join(
            _dumps(key) + ":" + (_snapshot_text(item) if key == "snapshot"
                                 and isinstance(item, dict) else _text(item, depth + 1))
            for key, item in value.items()) + "}"
    if depth < 3 and isinstance(value, list):
        return "[" + ",".join(_text(item, depth + 1) for item in value) + "]"
    return _dumps(value)


def _carries_snapshot(data) -> bool:
    if not isinstance(data, list):
        return False
    for item in data:
        if isinstance(item, dict) and ("snapshot" in item or isinstance(
                item.get("sync"), dict) and "snapshot" in item["sync"]):
            return True
    return False


class TextPacket(sio_packet.Packet):
    """Socket.IO packets as text only, snapshots encoded from shared texts (above). Received
    packets decode as before (decoding does not depend on either)."""
    uses_binary_events = False

    def encode(self):
        if self.packet_type not in (sio_packet.EVENT, sio_packet.ACK) \
                or not _carries_snapshot(self.data):
            return super().encode()
        header = str(self.packet_type)
        if self.namespace is not None and self.namespace != "/":
            header += self.namespace + ","
        if self.id is not None:
            header += str(self.id)
        return header + _text(self.data, 0)
