"""The public progress page of a written ballot under its notice board's crowd: V viewers
each reloading the page every few seconds while owners vote by their personal links.

    .venv/bin/python bench/progress_page.py --owners 3000 --viewers 500 --seconds 30

Set-up (in a child process): a case with a roster of N owners (bench/invitations_bench.py's
synthetic estate), the demo's three plans, an owners' decision in which a third of the owners
voted on paper in the meeting, continued in writing; invitations issued. Then `facilitator
serve` (eventlet) on that database. The load: V viewers, each a loop of GET progress page
then a pause of 4-6 s (about V/5 pages a second), plus ballots by personal link at B a second
(the ballot page, then POST /i/<token>/ballot with its form's CSRF token; each moving the meeting's sequence number, so the page is drawn
again). The baseline in the same run: GET /healthz, which touches no database, requested by
the same viewers between their pages. Target (issue 15): p99 of the progress page under
200 ms with 500 viewers.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
SECRET = "bench-progress"


def setup(database: Path, owners: int) -> dict:
    """Runs in its own process: the case, the vote, the invitations; the URLs to load."""
    os.environ["FACILITATOR_INSTANCE"] = str(database.parent)
    from invitations_bench import roster_csv

    from facilitator import clock, create_app
    from facilitator.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "ASYNC_MODE": "threading",
                      "REQUIRE_MIGRATED_DATABASE": False, "SECRET_KEY": SECRET,
                      "SERVER_NAME": "bench.local"})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade(directory=app.extensions["migrate"].directory)
        from facilitator.actions import Actor, execute
        from facilitator.actions import invitations, written_ballot
        from facilitator.actions.cases import create_case, create_meeting
        from facilitator.actions.roster_import import import_roster
        from facilitator.demo import demo_case_data, demo_plan_payload
        from facilitator.models import Invitation, User, Vote
        user = User(username="m", display_name="主持人", role="moderator")
        user.set_password("bench-password")
        db.session.add(user)
        db.session.commit()
        case = create_case({"number": "B-2", "title": "地库渗漏", "community": "示例小区"}, user)
        import_roster(case, roster_csv(owners))
        meeting = create_meeting(case, {"title": "协商会", "place": "议事室", "moderator_id": user.id})
        chair = Actor(role="moderator", user_id=user.id)

        def run(name, payload):
            outcome = execute(meeting.id, chair, name, payload)
            assert outcome.ok, (name, outcome.error)
            return outcome.result

        run("meeting.open", {})
        for option in demo_case_data()["options"]:
            run("plan.create", demo_plan_payload(option))
        run("invitations.issue", {})
        vote_id = run("vote.create", {"kind": "owners_decision", "method": "single",
                                      "title": "业主共同决定", "plans": ["A", "B", "C"]})["vote_id"]
        run("vote.open", {"id": vote_id})
        issued = list(db.session.execute(db.select(Invitation).filter_by(meeting_id=meeting.id)
                                         .order_by(Invitation.owner_key)).scalars())
        for number, invitation in enumerate(issued[: owners // 3]):
            run("ballot.record", {"vote_id": vote_id, "owner_key": invitation.owner_key,
                                  "choices": ["ABC"[number % 3]]})
        deadline = clock.local(clock.utcnow()).replace(tzinfo=None)
        run("vote.continue_written", {"id": vote_id, "deadline": (deadline.replace(microsecond=0)
                                      + __import__("datetime").timedelta(days=7)).isoformat()})
        run("meeting.end", {})
        vote = db.session.get(Vote, vote_id)
        with app.test_request_context():
            key = written_ballot.progress_key(vote)
        tokens = [invitations.link_token(inv) for inv in issued[owners // 3:]]
    return {"progress": f"/votes/{vote_id}/progress?k={key}", "vote_id": vote_id, "tokens": tokens}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def load(base: str, info: dict, viewers: int, seconds: float, ballots_per_second: float) -> dict:
    import aiohttp
    page_ms: list[float] = []
    health_ms: list[float] = []
    errors: list[str] = []
    cast: list[float] = []
    stop = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0)
    # unsafe: keep cookies of an IP address (the session cookie that the CSRF token is bound to)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     headers={"Accept-Language": "zh-CN"}) as session:
        async def timed(url: str, into: list[float]) -> None:
            started = time.perf_counter()
            try:
                async with session.get(base + url) as response:
                    await response.read()
                    if response.status != 200:
                        errors.append(f"{url}: {response.status}")
                        return
            except Exception as error:  # noqa: BLE001
                errors.append(f"{url}: {error!r}")
                return
            into.append((time.perf_counter() - started) * 1000)

        async def viewer(number: int) -> None:
            await asyncio.sleep(random.uniform(0, 5))  # viewers arrive spread out
            while time.monotonic() < stop:
                await timed(info["progress"], page_ms)
                await asyncio.sleep(random.uniform(1.5, 2.5))
                await timed("/healthz", health_ms)
                await asyncio.sleep(random.uniform(1.5, 2.5))

        async def voter() -> None:
            tokens = list(info["tokens"])
            random.shuffle(tokens)
            while time.monotonic() < stop and tokens:
                token = tokens.pop()
                # As a phone does: the ballot page first (its form carries the CSRF token).
                async with session.get(f"{base}/i/{token}") as response:
                    form = await response.text()
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
                started = time.perf_counter()
                async with session.post(f"{base}/i/{token}/ballot", data={
                        "vote_id": str(info["vote_id"]), "choice": "B", "csrf_token": csrf}) as response:
                    await response.read()
                    if response.status != 200:
                        body = await response.text()
                        errors.append(f"ballot: {response.status} " + (re.findall(r"<p[^>]*>([^<]+)</p>", body) or [body[:200]])[0])
                cast.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(1 / ballots_per_second)

        await asyncio.gather(voter(), *(viewer(n) for n in range(viewers)))
    summary = {}
    for name, values in (("progress_page", page_ms), ("healthz", health_ms), ("ballot_by_link", cast)):
        summary[name] = {"requests": len(values),
                         "p50_ms": round(statistics.median(values), 1) if values else None,
                         "p99_ms": round(percentile(values, 99), 1) if values else None,
                         "max_ms": round(max(values), 1) if values else None}
    summary["errors"] = errors[:20]
    summary["error_count"] = len(errors)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owners", type=int, default=3000)
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--ballots-per-second", type=float, default=5)
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup(Path(args.setup), args.owners)))
        return
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.db"
        started = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--setup", str(database), "--owners",
                               str(args.owners)], cwd=ROOT, capture_output=True, text=True,
                              timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        info = json.loads(done.stdout.strip().splitlines()[-1])
        setup_seconds = time.perf_counter() - started
        from tests.support import free_port
        port = free_port()
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", SECRET_KEY=SECRET,
                   FACILITATOR_INSTANCE=tmp, PUBLIC_URL=f"http://127.0.0.1:{port}")
        env.pop("REDIS_URL", None)
        log = open(Path(tmp) / "server.log", "w")
        server = subprocess.Popen([str(ROOT / ".venv/bin/facilitator"), "serve", "--host", "127.0.0.1",
                                   "--port", str(port), "--async-mode", "eventlet"],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            import urllib.request
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            summary = asyncio.run(load(f"http://127.0.0.1:{port}", info, args.viewers,
                                       args.seconds, args.ballots_per_second))
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    page, health = summary["progress_page"], summary["healthz"]
    summary.update(owners=args.owners, viewers=args.viewers, seconds=args.seconds,
                   setup_seconds=round(setup_seconds, 1),
                   p99_ratio_to_healthz=round(page["p99_ms"] / health["p99_ms"], 2)
                   if page["p99_ms"] and health["p99_ms"] else None)
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
