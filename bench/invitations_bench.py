"""Personal invitations for a large estate: issue them (the command, on SQLite) and print them
as one PDF, for N owners; time and peak memory, each in a fresh process.

    .venv/bin/python bench/invitations_bench.py --owners 5000

Targets (issue 12): 5,000 owners in one PDF in under 60 s and under 500 MB of memory. The
baseline in the same run: the played demo's minutes rendered as PDF (the same font and
library), so a slower machine shows as a slower baseline too.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def roster_csv(owners: int) -> str:
    """N owners in buildings of 2 entrances × 30 floors × 4 flats, 80–150 m²."""
    lines = ["unit,area_m2,owner,owner_key,note"]
    for n in range(owners):
        building, rest = divmod(n, 240)
        entrance, rest = divmod(rest, 120)
        floor, flat = divmod(rest, 4)
        area = 8000 + (n * 37) % 7000
        lines.append(f"{building + 1}-{entrance + 1}-{floor + 1}{flat + 1:02d},"
                     f"{area // 100}.{area % 100:02d},业主{n:05d},K{n:05d},")
    return "\n".join(lines) + "\n"


def measure(owners: int) -> dict:
    """Runs in its own process (the peak memory is this process's)."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FACILITATOR_INSTANCE"] = tmp
        from facilitator import create_app
        from facilitator.extensions import db
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                          "ASYNC_MODE": "threading", "REQUIRE_MIGRATED_DATABASE": False,
                          "TESTING": True, "SECRET_KEY": "bench", "SERVER_NAME": "example.cn"})
        with app.app_context():
            from flask_migrate import upgrade
            upgrade(directory=app.extensions["migrate"].directory)
            from facilitator.actions import Actor, execute
            from facilitator.actions.cases import create_case, create_meeting
            from facilitator.actions.roster_import import import_roster
            from facilitator.models import User
            user = User(username="m", display_name="主持人", role="moderator")
            user.set_password("bench-password")
            db.session.add(user)
            db.session.commit()
            case = create_case({"number": "B-1", "title": "电梯更新", "community": "示例小区"}, user)
            started = time.perf_counter()
            import_roster(case, roster_csv(owners))
            imported = time.perf_counter() - started
            meeting = create_meeting(case, {"title": "协商会", "place": "议事室",
                                            "moderator_id": user.id})
            started = time.perf_counter()
            outcome = execute(meeting.id, Actor(role="moderator", user_id=user.id),
                              "invitations.issue", {})
            issue = time.perf_counter() - started
            assert outcome.ok, outcome.error
            with app.test_request_context():
                from facilitator.exports import invitations as pdf
                from facilitator.web.invitations import _invitations, invitation_batch
                started = time.perf_counter()
                batch = invitation_batch(meeting, _invitations(meeting))
                body = pdf.render(batch)
                render = time.perf_counter() - started
    return {"owners": owners, "import_seconds": round(imported, 2),
            "issue_seconds": round(issue, 2), "pdf_seconds": round(render, 2),
            "pdf_bytes": len(body), "pages": len(batch.sheets),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def baseline() -> dict:
    """The played demo's minutes as PDF, in its own process."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FACILITATOR_INSTANCE"] = tmp
        from facilitator import create_app
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                          "ASYNC_MODE": "threading", "REQUIRE_MIGRATED_DATABASE": False,
                          "TESTING": True, "SECRET_KEY": "bench"})
        with app.app_context():
            from flask_migrate import upgrade
            upgrade(directory=app.extensions["migrate"].directory)
            from facilitator.demo_played import load_played_demo
            from facilitator.exports import pdf
            from facilitator.extensions import db
            from facilitator.minutes.versions import document_of, latest_version
            from facilitator.models import Meeting
            info = load_played_demo()
            document = document_of(latest_version(db.session.get(Meeting, info["meeting_id"]).id))
            started = time.perf_counter()
            pdf.render(document)
            seconds = time.perf_counter() - started
    return {"minutes_pdf_seconds": round(seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owners", type=int, nargs="+", default=[5000])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = baseline() if args.child == "baseline" else measure(int(args.child))
        print(json.dumps(result))
        return

    def child(what: str) -> dict:
        done = subprocess.run([sys.executable, __file__, "--child", what], cwd=ROOT,
                              capture_output=True, text=True, timeout=600, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    results = {"baseline": child("baseline"), "runs": [child(str(n)) for n in args.owners]}
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
