"""Where the app's time goes, without sockets: the app's own code paths timed in-process.

Loads the demo into a temporary SQLite database (`facilitator demo`), then, with no async
server and no clients connected, times:

- a moderator command (agenda.start, alternating items) through actions.execute — the
  database part of the fan-out (what happens before the broadcast);
- a phone's HTTP join (GET + POST /j/<code>) through Flask's test client;
- a phone's first sync with N participants in the meeting: live.snapshot.catch_up (cached
  per seq) and then what python-socketio does with the returned ack (Packet(): walks every
  value looking for bytes; encode(): json.dumps) — once per phone;
- optionally (--profile) cProfile's top functions for each.

    .venv/bin/python bench/app_costs.py [--participants 1000] [--profile] [--code HEAD]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
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
        _use_root(str(root))
        launcher += ["--root", str(root)]
        print(f"code: commit {commit}")
    db_path = Path(tmp.name) / "costs.db"
    env = {**{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ASYNC_MODE")},
           "DATABASE_URL": f"sqlite:///{db_path}", "FACILITATOR_INSTANCE": tmp.name,
           "SECRET_KEY": "bench-" + "0" * 32}
    out = subprocess.run(launcher + ["--", "demo"], env=env, capture_output=True, text=True,
                         timeout=300, cwd=str(ROOT))
    if out.returncode:
        sys.exit(out.stdout + out.stderr)
    code = re.search(r"Join code:\s*(\S+)", out.stdout).group(1)
    os.environ.update(env)

    from socketio import packet as sio_packet

    from facilitator import create_app
    from facilitator.actions import Actor, execute
    from facilitator.extensions import db
    from facilitator.live.snapshot import catch_up
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

    client = app.test_client()
    counter = {"i": 0}

    def http_join():
        counter["i"] += 1
        c = app.test_client()
        r = c.get(f"/j/{code}")
        assert r.status_code == 200, r.status_code
        r = c.post(f"/j/{code}", data={"name": f"Phone {counter['i']}", "party": "observer",
                                         "unit": "", "command_id": f"join-{counter['i']:08d}"})
        assert r.status_code == 302, r.status_code

    def http_get():
        r = client.get(f"/j/{code}")
        assert r.status_code == 200

    results["HTTP join, GET + POST /j/<code>_ms"] = timed(http_join, min(args.repeat, args.participants))
    # One more phone, keeping its session cookie for the socket handshake pieces below.
    phone_client = app.test_client()
    r = phone_client.get(f"/j/{code}")
    r = phone_client.post(f"/j/{code}", data={"name": "Cookie phone", "party": "observer",
                                              "unit": "", "command_id": "join-cookie-0001"})
    assert r.status_code == 302, r.status_code
    phone_cookie = phone_client.get_cookie("session").value
    counter["i"] += 1
    # The pieces of GET/POST /j/<code> (facilitator/web/join.py join_form), each in a fresh
    # session as in a request.
    from flask import render_template

    from facilitator.web import join as join_module
    with app.test_request_context(f"/j/{code}"):
        app.preprocess_request()

        def fresh(fn):
            def run():
                db.session.remove()
                return fn()
            return run

        meeting_id = join_module._live_meeting(code).id
        results["join: _failures_left()_ms"] = timed(fresh(join_module._failures_left), 200)
        results["join: _live_meeting()_ms"] = timed(fresh(lambda: join_module._live_meeting(code)),
                                                 200)

        def roster():
            meeting = db.session.get(Meeting, meeting_id)
            return [u.unit for u in meeting.case.roster]
        results["join: roster units via ORM meeting.case.roster_ms"] = timed(fresh(roster), 200)

        def render():
            meeting = db.session.get(Meeting, meeting_id)
            units = [u.unit for u in meeting.case.roster]
            return render_template("join/form.html", meeting=meeting, units=units,
                                   values={"command_id": "x" * 32}, errors={}, code=code)
        results["join: render form.html (incl. the ORM roster)_ms"] = timed(fresh(render), 200)
        visitor = Actor(role="visitor")

        def join_command():
            counter["i"] += 1
            outcome = execute(meeting_id, visitor, "participant.join",
                              {"name": f"Phone {counter['i']}", "party": "observer",
                               "unit": None}, f"join-{counter['i']:08d}")
            assert outcome.ok, outcome.error
        results["join: execute(participant.join)_ms"] = timed(fresh(join_command), 200)
        db.session.remove()
    results["HTTP GET /j/<code> alone_ms"] = timed(http_get, 100)
    if args.profile:
        results["http_join_profile"] = top(http_join, 100, 40)
    # Fill the meeting up to --participants phones.
    while counter["i"] < args.participants:
        http_join()

    with app.test_request_context():
        snap = catch_up(1, None, "phone")
        ack = [{"ok": True, **snap}]
        try:  # what on_sync adds in later versions of the namespace
            from facilitator.live.tallies import coalescer
            ack[0]["tallies"] = coalescer.for_sync(1, "phone")
            results["sync: tallies.for_sync_ms"] = timed(lambda: coalescer.for_sync(1, "phone"), 100)
        except ImportError:
            pass
        try:
            from facilitator.live.namespace import _own_entry
            ack[0]["me"] = _own_entry(1)
            results["sync: _own_entry_ms"] = timed(lambda: _own_entry(1), 100)
        except ImportError:
            pass
        results["participants in the meeting"] = counter["i"]
        results["participants in a phone's snapshot"] = len(
            snap["snapshot"].get("participants", {}))
        results["sync_ack_bytes"] = len(json.dumps(ack, separators=(",", ":")))
        results["sync: catch_up(since=None, phone)_ms"] = timed(lambda: catch_up(1, None, "phone"), 100)
        results["sync ack: socketio Packet() (binary scan)_ms"] = timed(
            lambda: sio_packet.Packet(sio_packet.ACK, namespace="/live", id=1, data=ack), 100)
        pkt = sio_packet.Packet(sio_packet.ACK, namespace="/live", id=1, data=ack)
        results["sync ack: Packet.encode() (json)_ms"] = timed(pkt.encode, 100)

        class NoBinary(sio_packet.Packet):
            uses_binary_events = False
        results["sync ack: Packet() without binary scan_ms"] = timed(
            lambda: NoBinary(sio_packet.ACK, namespace="/live", id=1, data=ack), 100)
        db.session.remove()

    # The socket connect's own work (live/namespace.py authenticate) in a request context
    # carrying the phone's cookie, as Flask-SocketIO gives the connect handler.
    from facilitator.live.namespace import authenticate
    with app.test_request_context("/socket.io/", headers={"Cookie": f"session={phone_cookie}"}):
        app.preprocess_request()

        def connect_auth():
            db.session.remove()
            authenticate({"meeting_id": 1, "face": "phone"})
            db.session.rollback()
        results["socket connect: authenticate(phone)_ms"] = timed(connect_auth, 200)
    import flask

    def context_and_session():
        ctx = app.test_request_context("/socket.io/",
                                       headers={"Cookie": f"session={phone_cookie}"})
        ctx.push()
        try:
            flask.session.get("phones")
        finally:
            ctx.pop()
    results["request context + session cookie decode_ms"] = timed(context_and_session, 200)

    for key, value in results.items():
        if isinstance(value, tuple):
            print(f"{key[:-3]:55s} mean {value[0]:7.3f} ms   min {value[1]:7.3f} ms")
        elif isinstance(value, str):
            print(f"\n{key}:\n{value}\n")
        else:
            print(f"{key:55s} {value}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
