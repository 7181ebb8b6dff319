"""Ballot papers of a written ballot for a large estate: issue them (the command: serials and
the owners' personal invitations, on SQLite) and print them as one PDF, for N owners; time
and peak memory, each in a fresh process.

    .venv/bin/python bench/ballot_papers.py --owners 5000

Targets (issue 15): papers for 5,000 owners in one PDF in under 60 s and under 500 MB of
memory. The synthetic roster is bench/invitations_bench.py's; the vote is an owners'
decision among the demo's three plans, so every sheet carries three shares.
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
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.invitations_bench import roster_csv


def measure(owners: int) -> dict:
    """Runs in its own process (the peak memory is this process's)."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FACILITATOR_INSTANCE"] = tmp
        from facilitator import clock, create_app
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
            from facilitator.demo import demo_case_data, demo_plan_payload
            from facilitator.models import User, Vote
            user = User(username="m", display_name="主持人", role="moderator")
            user.set_password("bench-password")
            db.session.add(user)
            db.session.commit()
            case = create_case({"number": "B-1", "title": "车库渗漏", "community": "示例小区"}, user)
            import_roster(case, roster_csv(owners))
            meeting = create_meeting(case, {"title": "协商会", "place": "议事室",
                                            "moderator_id": user.id})
            chair = Actor(role="moderator", user_id=user.id)

            def run(name: str, payload: dict) -> dict:
                outcome = execute(meeting.id, chair, name, payload)
                assert outcome.ok, (name, outcome.error)
                return outcome.result

            run("meeting.open", {})
            for option in demo_case_data()["options"]:
                run("plan.create", demo_plan_payload(option))
            vote_id = run("vote.create", {"kind": "owners_decision", "method": "single",
                                          "title": "业主共同决定", "plans": ["A", "B", "C"]})["vote_id"]
            run("vote.open", {"id": vote_id})
            deadline = clock.local(clock.utcnow() + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
            run("vote.continue_written", {"id": vote_id, "deadline": deadline})
            run("meeting.end", {})
            started = time.perf_counter()
            run("ballot.issue_papers", {"vote_id": vote_id})
            issue = time.perf_counter() - started
            with app.test_request_context():
                from facilitator.exports import ballot_papers as pdf
                from facilitator.models import Meeting
                from facilitator.web.ballot_papers import paper_batch
                started = time.perf_counter()
                batch = paper_batch(db.session.get(Meeting, meeting.id),
                                    db.session.get(Vote, vote_id))
                built = time.perf_counter() - started
                started = time.perf_counter()
                body = pdf.render(batch)
                render = time.perf_counter() - started
    return {"owners": owners, "issue_seconds": round(issue, 2),
            "batch_seconds": round(built, 2), "pdf_seconds": round(render, 2),
            "pdf_bytes": len(body), "sheets": len(batch.sheets),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owners", type=int, nargs="+", default=[5000])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(int(args.child))))
        return

    def child(owners: int) -> dict:
        done = subprocess.run([sys.executable, __file__, "--child", str(owners)], cwd=ROOT,
                              capture_output=True, text=True, timeout=900, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    print(json.dumps({"runs": [child(n) for n in args.owners]}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
