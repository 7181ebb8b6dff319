"""Run the `facilitator` command from a chosen source tree, with optional experimental
patches applied at run time (bench only; the app's files are never edited).

  --root DIR   import the facilitator package from DIR (e.g. a `git archive HEAD` export)
               instead of the editable install in .venv, so a benchmark measures one commit
               while the working tree changes;
  --patch P    experiments that show what a suggested change to the app would buy:
    no-binary-check  python-socketio's Packet() walks every value of every outgoing packet
                     looking for bytes (socketio/packet.py Packet.data_is_binary) — for a
                     phone's first sync that is a ~90 KB snapshot, once per phone. The app
                     never sends binary: a Packet subclass with uses_binary_events = False
                     (SocketIO(serializer=...)) skips the walk.
    snapshot-json    encode each shared snapshot to JSON once (the snapshot dicts are already
                     cached per seq and role in live/snapshot.py) instead of once per phone.
    gc-log           print every garbage collection that takes 5 ms or more (generation,
                     duration) with the wall-clock time, and every 10 s how many objects the
                     collector tracks, to stdout.
    gc-freeze        gc.freeze() every 5 s: objects that survived so far (the connections,
                     sessions, cached snapshots) leave the collector's generations, so a
                     full collection no longer walks them. (`facilitator serve` now runs a
                     policy of its own, facilitator/live/gc_policy.py; this patch is for
                     older commits. GC_FREEZE_INTERVAL_SECONDS=0 turns the policy off.)

    python bench/launch_app.py [--root DIR] [--patch P ...] -- serve --port 5102 --async-mode eventlet
    python bench/launch_app.py --root DIR -- demo
"""
from __future__ import annotations

import os
import sys

PATCHES = ("no-binary-check", "snapshot-json", "gc-log", "gc-freeze")


def _split_argv(argv: list[str]) -> tuple[str | None, list[str], list[str]]:
    root, patches, rest = None, [], list(argv)
    while rest and rest[0] in ("--root", "--patch"):
        if rest[0] == "--root":
            root = rest[1]
        else:
            patches.append(rest[1])
        rest = rest[2:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    return root, patches, rest


def _use_root(root: str) -> None:
    """Import `facilitator` from root: drop the editable install's finder, put root first."""
    sys.meta_path[:] = [f for f in sys.meta_path
                        if "editable" not in getattr(f, "__module__", "")
                        and "editable" not in repr(f)]
    sys.path.insert(0, os.path.abspath(root))


def main() -> None:
    root, patches, argv = _split_argv(sys.argv[1:])
    unknown = set(patches) - set(PATCHES)
    if unknown:
        sys.exit(f"unknown patch(es): {sorted(unknown)}")
    if root:
        _use_root(root)
    mode = None
    if argv[:1] == ["serve"]:
        # The console script's own patching, before anything else is imported.
        from facilitator.__main__ import monkey_patch_for_serve
        mode = monkey_patch_for_serve(argv)
    if {"no-binary-check", "snapshot-json"} & set(patches):
        from socketio import packet as sio_packet
        if "no-binary-check" in patches:
            sio_packet.Packet.uses_binary_events = False
        if "snapshot-json" in patches:
            _patch_snapshot_json(sio_packet)
    if "gc-log" in patches:
        _gc_log()
    if "gc-freeze" in patches:
        _gc_freeze(mode=mode)
    if patches:
        print(f"patches: {patches}", flush=True)

    import facilitator
    print(f"facilitator from {os.path.dirname(facilitator.__file__)}", flush=True)
    from facilitator.cli import cli
    cli.main(args=argv, prog_name="facilitator")


def _gc_log() -> None:
    import gc
    import time
    started = {}

    def callback(phase, info):
        if phase == "start":
            started["t"] = time.perf_counter()
            return
        took = time.perf_counter() - started.get("t", time.perf_counter())
        if took >= 0.005:
            print(f"gc {time.time():.3f} gen={info['generation']} took_ms={took * 1000:.1f} "
                  f"collected={info['collected']}", flush=True)
    gc.callbacks.append(callback)

    import threading  # green once monkey-patched

    def count():  # how many objects the collector tracks (a full collection walks them all)
        while True:
            time.sleep(10)
            print(f"gc-tracked {time.time():.3f} objects={len(gc.get_objects())}", flush=True)
    threading.Thread(target=count, daemon=True).start()


def _gc_freeze(mode) -> None:
    import gc
    import threading  # green once monkey-patched
    import time

    def loop():
        while True:
            time.sleep(5)
            gc.freeze()
    threading.Thread(target=loop, daemon=True).start()


def _patch_snapshot_json(sio_packet) -> None:
    """Sync acks {"ok": true, "snapshot": <shared cached dict>, ...}: reuse the snapshot's JSON
    (same text as json.dumps would give)."""
    import json

    original_encode = sio_packet.Packet.encode
    encoded: dict[int, tuple[object, str]] = {}  # id(snapshot) → (snapshot, its JSON)

    def dumps(value) -> str:
        return json.dumps(value, separators=(",", ":"))

    def encode(self):
        data = self.data
        if (self.packet_type == sio_packet.ACK and isinstance(data, list) and len(data) == 1
                and isinstance(data[0], dict) and isinstance(data[0].get("snapshot"), dict)):
            snapshot = data[0]["snapshot"]
            hit = encoded.get(id(snapshot))
            if hit is None or hit[0] is not snapshot:
                if len(encoded) > 256:
                    encoded.clear()
                hit = (snapshot, dumps(snapshot))
                encoded[id(snapshot)] = hit
            out = str(self.packet_type)
            if self.namespace and self.namespace != "/":
                out += self.namespace + ","
            if self.id is not None:
                out += str(self.id)
            parts = [dumps(key) + ":" + (hit[1] if key == "snapshot" else dumps(value))
                     for key, value in data[0].items()]
            return out + "[{" + ",".join(parts) + "}]"
        return original_encode(self)

    sio_packet.Packet.encode = encode


if __name__ == "__main__":
    main()
