"""How big is a meeting's event log, with and without the derived speaking order stored in
each event (issue 14: the log must grow linearly with the queue)?

    .venv/bin/python bench/event_log_size.py [--hands 300]

Two meetings, each logged twice in the same run on fresh SQLite databases: the played demo
(`facilitator demo --played`'s meeting) and a meeting where --hands people raise a hand on
one item. "old" stores every change of each command, the speaking order included (the code
before the change); "new" leaves out the views of views.entities.NOT_LOGGED. Size: the
bytes of the stored `data` and `changes` as JSON, summed over the meeting's events.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(kind: str, hands: int, old: bool) -> dict:
    os.environ["FACILITATOR_INSTANCE"] = tempfile.mkdtemp()
    sys.path.insert(0, str(ROOT))
    from facilitator import create_app
    from facilitator.actions import core
    from facilitator.extensions import db
    from facilitator.models import MeetingEvent
    if old:
        core.NOT_LOGGED = frozenset()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tempfile.mkdtemp()}/log.db",
                      "ASYNC_MODE": "threading", "REQUIRE_MIGRATED_DATABASE": False})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade(directory=app.extensions["migrate"].directory)
        if kind == "demo":
            from facilitator.demo_played import load_played_demo
            meeting_id = load_played_demo()["meeting_id"]
        else:
            from facilitator.actions import Actor, execute
            from facilitator.demo import load_demo
            meeting_id = load_demo()["meeting_id"]
            from facilitator.models import Meeting
            meeting = db.session.get(Meeting, meeting_id)
            chair = Actor(role="moderator", user_id=meeting.moderator_id)
            if meeting.current_item_id is None:  # the demo's meeting is open, an item running
                assert execute(meeting_id, chair, "agenda.next", {}).ok
            for n in range(hands):
                person = execute(meeting_id, chair, "participant.add",
                                 {"name": f"居民{n}", "party": "expert"}).result
                assert execute(meeting_id, chair, "queue.add",
                               {"participant_id": person["participant_id"], "kind": "speech",
                                "stance": "for"}).ok
        rows = db.session.execute(db.select(MeetingEvent.data, MeetingEvent.changes)
                                  .filter_by(meeting_id=meeting_id)).all()
        return {"events": len(rows),
                "bytes": sum(len(json.dumps(d, ensure_ascii=False).encode())
                             + len(json.dumps(c, ensure_ascii=False).encode()) for d, c in rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hands", type=int, default=300)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # kind, old|new (a child)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], args.hands, args.one[1] == "old")))
        return
    results = {}
    for kind in ("demo", "hands"):
        for variant in ("old", "new"):
            out = subprocess.run([sys.executable, __file__, "--hands", str(args.hands),
                                  "--one", kind, variant], capture_output=True, text=True,
                                 check=True)
            results[(kind, variant)] = json.loads(out.stdout.strip().splitlines()[-1])
    for kind, label in (("demo", "the played demo"), ("hands", f"{args.hands} hands raised")):
        old, new = results[(kind, "old")], results[(kind, "new")]
        print(f"{label}: {old['events']} events; old {old['bytes']:,} bytes, new "
              f"{new['bytes']:,} bytes ({new['bytes'] / old['bytes']:.2f} of old)")


if __name__ == "__main__":
    main()
