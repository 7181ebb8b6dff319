"""Where the app's time goes, without sockets: the app's own code paths timed in-process.

Loads the demo into a temporary SQLite database (`facilitator demo`), then, with no async
server and no clients connected, times:

- a moderator command (agenda.start, alternating items) through actions.execute — the
  database part of the fan-out (what happens before the broadcast);
- a phone's join: the join page (GET /j/<code>, cached; with the QR code's join key when the
  code prints one) through Flask's test client, and the socket join (handshake with the join
  form's answers and `sync`, welcome back) through Flask-SocketIO's test client, with N
  participants in the meeting;
- its pieces: the failed-code count (before issue 13) or a typed code's pass through the
  limit (after), execute("participant.join"), the catch-up answer
  (live/namespace.py sync_reply) and the welcome's encoding (socket_packets.py against
  python-socketio's default packet) — once per phone in a join storm;
- a snapshot built with nothing cached (after a restart), chair's and phone's, and a phone's
  snapshot one join later (what each phone of a join storm costs);
- optionally (--profile) cProfile's top functions for each.

    .venv/bin/python bench/app_costs.py [--participants 1000] [--profile] [--code HEAD]
                                        [--command-only]

(--code: commits from c8a989d on, when phones started joining over the socket; older
commits take --command-only.)
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def timed(fn, repeat: int) -> tuple[float, float]:
    """(mean ms, min ms) over `repeat` calls."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * sum(times) / len(times), 1000 * min(times)


def top(fn, repeat: int, lines: int, only_app: bool = False) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats("facilitator" if only_app else "", lines)
    text = out.getvalue()
    keep = [line for line in text.splitlines() if re.match(r"\s+\d", line)]
    return "\n".join(keep[:lines])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--command-only", action="store_true",
                        help="time (and profile) only the command through execute(), then stop")
    parser.add_argument("--code", default="worktree",
                        help="worktree (default) or a git revision, exported with git archive")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="facilitator-costs-")
    launcher = [sys.executable, str(BENCH / "launch_app.py")]
    if args.code != "worktree":
        sys.path.insert(0, str(BENCH))
        from run import export_code
        from launch_app import _use_root
        root, commit = export_code(args.code, Path(tmp.name))
        vendor = ROOT / "static" / "vendor"  # copied at setup, not in git
        if vendor.is_dir() and not (root / "static" / "vendor").exists():
            shutil.copytree(vendor, root / "static" / "vendor")
        _use_root(str(root))
        launcher += ["--root", str(root)]
        print(f"code: commit {commit}")
    db_path = Path(tmp.name) / "costs.db"
    env = {**{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ASYNC_MODE")},
           "DATABASE_URL": f"sqlite:///{db_path}", "FACILITATOR_INSTANCE": tmp.name,
           "SECRET_KEY": "bench-" + "0" * 32,
           # Every simulated phone comes from one address and one test client's cookies.
           "JOIN_ADDRESS_LIMIT": "100000", "JOIN_DEVICE_LIMIT": "100000"}
    out = subprocess.run(launcher + ["--", "demo"], env=env, capture_output=True, text=True,
                         timeout=300, cwd=str(ROOT))
    if out.returncode:
        sys.exit(out.stdout + out.stderr)
    code = re.search(r"Join code:\s*(\S+)", out.stdout).group(1)
    # The QR code's link carries a join key since issue 13: phones join with it (older code
    # prints none, and its phones join with the code).
    key = re.search(r"QR link:\s*\S+\?k=(\S+)", out.stdout)
    key = key.group(1) if key else None
    os.environ.update(env)

    from socketio import packet as sio_packet

    from facilitator import create_app
    from facilitator.actions import Actor, execute
    from facilitator.extensions import db
    from facilitator.models import AgendaItem, Meeting

    app = create_app({"ASYNC_MODE": "threading", "WTF_CSRF_ENABLED": False})
    results: dict = {}
    with app.app_context():
        meeting = db.session.get(Meeting, 1)
        execute(1, Actor(role="moderator", user_id=meeting.moderator_id), "meeting.configure",
                {"allow_direct_entry": True})
        chair = Actor(role="moderator", user_id=meeting.moderator_id)
        items = [a.id for a in db.session.execute(db.select(AgendaItem).filter_by(
            meeting_id=1).order_by(AgendaItem.position)).scalars()][:2]
        state = {"i": 0}

        def command():
            state["i"] += 1
            outcome = execute(1, chair, "agenda.start", {"id": items[state["i"] % 2]},
                              f"costs-{state['i']:08d}")
            assert outcome.ok, outcome.error

        results["command agenda.start via execute()_ms"] = timed(command, args.repeat)
        if args.profile:
            results["command_profile"] = top(command, 100, 30, only_app=False)
        db.session.remove()
    if args.command_only:
        _print(results)
        tmp.cleanup()
        return 0

    from facilitator.extensions import socketio
    from facilitator.live.namespace import Connection, sync_reply
    from facilitator.socket_packets import TextPacket
    try:
        from facilitator.joining import failures_left  # the code before issue 13
    except ImportError:
        failures_left = None

    client = app.test_client()
    counter = {"i": 0}

    def join_handshake() -> dict:
        counter["i"] += 1
        return {"meeting_id": 1, "face": "phone", "sync": {"since": None},
                "join": {"code": code, "name": f"Phone {counter['i']}", "party": "observer",
                         "unit": None, "command_id": f"join-{counter['i']:08d}",
                         **({"key": key} if key else {})}}

    def join_page():
        response = client.get(f"/j/{code}" + (f"?k={key}" if key else ""))
        assert response.status_code == 200, response.status_code

    def socket_join():
        """A phone's join as the server sees it: the handshake with the join form's answers
        and its catch-up asked for; the welcome (token + sync answer) comes back. Through
        Flask-SocketIO's test client, which also encodes and decodes every packet."""
        sock = socketio.test_client(app, namespace="/live", auth=join_handshake())
        welcome = next(m["args"][0] for m in sock.get_received("/live") if m["name"] == "welcome")
        assert welcome["token"] and welcome["sync"]["ok"], welcome
        sock.disconnect(namespace="/live")

    results["join page GET /j/<code> (cached)_ms"] = timed(join_page, args.repeat)
    results["socket join: handshake → welcome with catch-up_ms"] = timed(
        socket_join, min(args.repeat, args.participants))
    if args.profile:
        results["socket_join_profile"] = top(socket_join, 100, 40)
    while counter["i"] < args.participants:  # fill the meeting up to --participants phones
        socket_join()

    # The pieces, in a request context as Flask-SocketIO gives the connect handler.
    with app.test_request_context("/socket.io/"):
        app.preprocess_request()

        def fresh(fn):
            def run():
                db.session.remove()
                return fn()
            return run
        visitor = Actor(role="visitor")

        def join_command():
            counter["i"] += 1
            outcome = execute(1, visitor, "participant.join",
                              {"name": f"Phone {counter['i']}", "party": "observer",
                               "unit": None}, f"join-{counter['i']:08d}")
            assert outcome.ok, outcome.error
        if failures_left is not None:
            results["join: failures_left()_ms"] = timed(fresh(failures_left), 200)
        else:
            from facilitator.joining import admit, by_code
            results["join: a typed code through the limit (admit)_ms"] = timed(fresh(
                lambda: admit(lambda: by_code(code), guessable=True, wrong="meeting.bad_code")),
                200)
        results["join: execute(participant.join)_ms"] = timed(fresh(join_command), 200)
        phone = Connection(1, "phone", Actor(role="phone", participant_id=1), "zh")
        reply = sync_reply(phone, {"since": None})
        results["participants in the meeting"] = counter["i"]
        results["participants in a phone's snapshot"] = len(
            reply["snapshot"].get("participants", {}))
        results["sync: sync_reply(phone, since=None)_ms"] = timed(
            fresh(lambda: sync_reply(phone, {"since": None})), 200)
        # What a snapshot costs: after a restart (nothing cached: built whole), and in a join
        # storm (each join a new seq: the phone's snapshot at it, from the one cached before).
        from facilitator.live import snapshot as snapshots

        def after_restart(role):
            def build():
                if hasattr(snapshots, "forget_all"):
                    snapshots.forget_all()
                else:  # the code before snapshots were folded from the log
                    snapshots._cache.clear()
                    snapshots._newest.clear()
                snapshots.snapshot_for(1, role)
            return fresh(build)
        for role in ("chair", "phone"):
            results[f"snapshot, nothing cached: {role}_ms"] = timed(after_restart(role), 20)
        storm = []
        for _ in range(200):
            fresh(join_command)()
            started = time.perf_counter()
            sync_reply(phone, {"since": None})
            storm.append((time.perf_counter() - started) * 1000)
        results["snapshot: a phone's, one join later_ms"] = (sum(storm) / len(storm), min(storm))
        welcome = ["welcome", {"role": "phone", "participant_id": 1, "token": "x" * 32,
                               "server_time": 0, "sync": reply}]
        results["welcome_bytes"] = len(TextPacket(sio_packet.EVENT, namespace="/live",
                                                  data=welcome).encode())
        results["welcome: TextPacket encode (shared snapshot texts)_ms"] = timed(
            lambda: TextPacket(sio_packet.EVENT, namespace="/live", data=welcome).encode(), 200)
        results["welcome: python-socketio's default Packet encode_ms"] = timed(
            lambda: sio_packet.Packet(sio_packet.EVENT, namespace="/live",
                                      data=welcome).encode(), 200)
        db.session.remove()

    _print(results)
    tmp.cleanup()
    return 0


def _print(results: dict) -> None:
    for key, value in results.items():
        if isinstance(value, tuple):
            print(f"{key[:-3]:55s} mean {value[0]:7.3f} ms   min {value[1]:7.3f} ms")
        elif isinstance(value, str):
            print(f"\n{key}:\n{value}\n")
        else:
            print(f"{key:55s} {value}")


if __name__ == "__main__":
    sys.exit(main())
