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

The baseline of `facilitator serve --workers N` (bench/scale.py): `--processes N
--message-queue redis://…` starts N such servers on the one port as the app's workers do
(SO_REUSEPORT; each prints "bare worker K started (pid P)"), joined by python-socketio's
Redis message queue like the app's processes: a command's batch goes to the phones of
every process.
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time


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
    parser.add_argument("--processes", type=int, default=1,
                        help="servers on the one port (SO_REUSEPORT), as `facilitator serve "
                             "--workers N`; 2 or more need --message-queue")
    parser.add_argument("--message-queue", help="Redis URL of the message queue between "
                                                "the processes")
    parser.add_argument("--channel", default="bench-bare",
                        help="the message queue's channel (Redis pub/sub channels are shared "
                             "by all of a Redis server's databases: keep it apart from the "
                             "app's)")
    parser.add_argument("--shared-port", action="store_true",
                        help="one of the --processes: listen with SO_REUSEPORT")
    return parser.parse_args(argv)


def run_group(args, argv: list[str]) -> int:
    """--processes N: start N servers sharing the port and wait; SIGTERM stops them all."""
    if not args.message_queue:
        sys.exit("--processes 2 or more needs --message-queue")
    own = [a for a in argv if a != "--shared-port"]
    at = own.index("--processes")
    own[at:at + 2] = ["--processes", "1"]
    children = []
    for number in range(1, args.processes + 1):
        child = subprocess.Popen([sys.executable, __file__, *own, "--shared-port"])
        children.append(child)
        print(f"bare worker {number} started (pid {child.pid})", flush=True)
    told: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: told.append(signum))
    signal.signal(signal.SIGINT, lambda signum, _frame: told.append(signum))
    while not told and all(child.poll() is None for child in children):
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
    return 0


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.processes > 1:
        return run_group(args, argv)
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
    queue = {}
    if args.message_queue:
        queue = {"message_queue": args.message_queue, "channel": args.channel}
    socketio = SocketIO(app, async_mode=args.async_mode, ping_interval=10, ping_timeout=15,
                        max_http_buffer_size=64 * 1024, cors_allowed_origins=[], **queue)
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
        listener = eventlet.listen((args.host, args.port), backlog=args.backlog,
                                   reuse_port=args.shared_port)
        eventlet.wsgi.server(listener, app, max_size=args.max_connections, log_output=False)
    else:
        from gevent.pool import Pool
        from gevent.pywsgi import WSGIServer
        listener = (args.host, args.port)
        if args.shared_port:  # as `facilitator serve --shared-port`
            from gevent import socket as green_socket
            listener = green_socket.socket(green_socket.AF_INET, green_socket.SOCK_STREAM)
            listener.setsockopt(green_socket.SOL_SOCKET, green_socket.SO_REUSEADDR, 1)
            listener.setsockopt(green_socket.SOL_SOCKET, green_socket.SO_REUSEPORT, 1)
            listener.bind((args.host, args.port))
            listener.listen(args.backlog)
        WSGIServer(listener, app, spawn=Pool(args.max_connections),
                   backlog=args.backlog, log=None).serve_forever()


if __name__ == "__main__":
    sys.exit(main())
