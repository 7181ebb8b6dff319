"""The baseline: a bare Flask-SocketIO server that only broadcasts (no database).

It speaks the same subset of the facilitator's "/live" protocol that the load generator
uses, so one generator measures both:

- connect to "/live" with auth {"face": "phone"} → joins the phones' room, gets "welcome"
  (with the "sync" answer in it when the handshake asks, {"sync": {...}}, as the app does);
  any other face (the "trigger", standing in for the moderator's console) joins no room;
- "sync" → ack {"ok": true, "snapshot": {"seq": n}};
- "command" → bumps seq, emits one "batch" {from, to, events, changes} to the phones' room
  (the app's broadcast shape, padded to --payload-bytes so it is as big as the app's), then
  acks {"ok", "seq"}.

Same server settings as `facilitator serve`: the chosen async mode monkey-patched first,
eventlet.listen with a backlog + eventlet.wsgi.server with max_size, or gevent's pywsgi
with a Pool; the same Socket.IO ping interval and timeout.

    python bench/bare_server.py --async-mode eventlet --port 5101 [--payload-bytes 700]
"""
from __future__ import annotations

import argparse
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--async-mode", choices=["eventlet", "gevent"], default="eventlet")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5101)
    parser.add_argument("--max-connections", type=int, default=10000)
    parser.add_argument("--backlog", type=int, default=2048)
    parser.add_argument("--payload-bytes", type=int, default=700,
                        help="approximate size of each broadcast event (JSON characters)")
    parser.add_argument("--snapshot-participants", type=int, default=0,
                        help="answer sync with a snapshot holding this many participant "
                             "entries (as big as the app's; default: a bare {seq})")
    parser.add_argument("--gc-log", action="store_true",
                        help="print slow garbage collections and the tracked objects "
                             "(as bench/launch_app.py --patch gc-log)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    # Monkey-patch before Flask or any socket library is imported (as the app's entry point).
    if args.async_mode == "eventlet":
        import warnings
        warnings.filterwarnings("ignore", message="\nEventlet is deprecated")
        import eventlet
        eventlet.monkey_patch()
    else:
        from gevent import monkey
        monkey.patch_all()

    import time

    if args.gc_log:
        sys.path.insert(0, __file__.rsplit("/", 1)[0])
        from launch_app import _gc_log
        _gc_log()

    from flask import Flask
    from flask_socketio import Namespace, SocketIO, emit, join_room

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "bench-only"
    socketio = SocketIO(app, async_mode=args.async_mode, ping_interval=10, ping_timeout=15,
                        max_http_buffer_size=64 * 1024, cors_allowed_origins=[])
    state = {"seq": 0}
    # The app's agenda.start batch carries a few entity views; pad to a similar size.
    overhead = len('{"from":0,"to":0,"events":[{"seq":0,"type":"bench.tick",'
                   '"at":0000000000000,"data":{}}],"changes":[{"c":"pad","v":""}]}')
    pad = "x" * max(0, args.payload_bytes - overhead)

    # Optionally as big as the app's phone snapshot: one entry per participant.
    snapshot_body = {}
    if args.snapshot_participants:
        snapshot_body["participants"] = {
            str(i): {"id": i, "name": f"Phone {i:04d}", "party": "observer", "unit": None,
                     "status": "admitted"} for i in range(1, args.snapshot_participants + 1)}

    @app.get("/health")
    def health():
        return "ok"

    class BareNamespace(Namespace):
        def on_connect(self, auth=None):
            if isinstance(auth, dict) and auth.get("face") == "phone":
                join_room("phones")
            welcome = {"role": "phone", "server_time": int(time.time() * 1000)}
            if isinstance(auth, dict) and isinstance(auth.get("sync"), dict):
                welcome["sync"] = self.on_sync(auth["sync"])  # as the app: catch-up included
            emit("welcome", welcome)

        def on_sync(self, data=None):
            return {"ok": True, "snapshot": {"seq": state["seq"], **snapshot_body}}

        def on_command(self, data=None):
            state["seq"] += 1
            seq = state["seq"]
            socketio.emit("batch", {"from": seq, "to": seq,
                                    "events": [{"seq": seq, "type": "bench.tick",
                                                "at": int(time.time() * 1000), "data": {}}],
                                    "changes": [{"c": "pad", "v": pad}]},
                          to="phones", namespace="/live")
            return {"ok": True, "seq": seq, "result": {}, "duplicate": False}

    socketio.on_namespace(BareNamespace("/live"))
    print(f"bare server on http://{args.host}:{args.port} ({args.async_mode})", flush=True)
    if args.async_mode == "eventlet":
        import eventlet
        import eventlet.wsgi
        listener = eventlet.listen((args.host, args.port), backlog=args.backlog)
        eventlet.wsgi.server(listener, app, max_size=args.max_connections, log_output=False)
    else:
        from gevent.pool import Pool
        from gevent.pywsgi import WSGIServer
        WSGIServer((args.host, args.port), app, spawn=Pool(args.max_connections),
                   backlog=args.backlog, log=None).serve_forever()


if __name__ == "__main__":
    sys.exit(main())
