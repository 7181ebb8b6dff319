"""How long the minutes take for a big meeting: building the document model and rendering it.

A synthetic MinutesDocument the size a 3-hour meeting with 200 participants and 20,000
events produces: 200 people in attendance (170 owners with units, 30 others), 16 agenda
items, 600 speeches with the clerk's notes (40-160 characters each, drawn from ~2,000
distinct Chinese characters, as real notes use), 4 plans, 6 votes (tallies by headcount and
area, one of them named with 150 voters), 30 agreed items, and an appendix timeline of the
meeting's milestones (items, every speech, votes opened and closed: ~650 rows) out of the
20,000 events (hands raised, ballots, reconnects are counted, not listed).

``--full-timeline`` lists all 20,000 events in the timeline instead (a stress case: what an
untrimmed appendix would cost).

    .venv/bin/python bench/minutes_bench.py [--runs 3] [--full-timeline] [--out /tmp/big.pdf]

Targets (issue): the model built in < 1 s, the PDF rendered in < 3 s.

The builder itself (facilitator/minutes/builder.py) is measured on a synthetic event log of
the same meeting (tests/minutes_log_factory.py: 20,000 events, 200 participants), both from
plain data and loaded from a scratch SQLite database as the app does (``--no-db`` skips it).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facilitator.domain.minutes_model import (  # noqa: E402
    AgendaRun,
    AgreedItem,
    Appendix,
    Attachment,
    Attendance,
    AttendanceGroup,
    Attendee,
    Briefing,
    ChoiceCount,
    Count,
    Dissent,
    FollowUp,
    Fund,
    FundingShare,
    Header,
    KeyDate,
    Matter,
    MinutesDocument,
    NamedChoice,
    PartyTime,
    PendingItem,
    Person,
    Plan,
    Proxy,
    Signature,
    TimelineEntry,
    View,
    Vote,
)
from facilitator.exports import docx, html, json, markdown, pdf  # noqa: E402

CST = timezone(timedelta(hours=8))
START = datetime(2026, 12, 5, 14, 0, tzinfo=CST)
PARTIES = ("owners_committee", "property_company", "developer", "housing_bureau", "street_office",
           "community", "cppcc_member", "expert")


def _hanzi() -> list[str]:
    """~2,000 distinct common characters (GB2312 level 1), as a real meeting's notes use."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars[:2000]


def synthetic(events: int = 20_000, full_timeline: bool = False, seed: int = 7) -> MinutesDocument:
    rng = random.Random(seed)
    hanzi = _hanzi()

    def text(low: int, high: int) -> str:
        n = rng.randint(low, high)
        out = []
        while len(out) < n:
            out.extend(rng.choices(hanzi, k=rng.randint(4, 14)))
            out.append(rng.choice("，，，。；、"))
        return "".join(out[:n]) + "。"

    def name() -> str:
        return "".join(rng.choices(hanzi, k=rng.choice((2, 3))))

    end = START + timedelta(hours=3)
    owners = [Attendee(name(), units=(f"{rng.randint(1, 9)}-{rng.randint(1, 3)}-{rng.randint(1, 30)}{rng.randint(1, 4):02d}",))
              for _ in range(170)]
    others = []
    for party in PARTIES:
        others.append(AttendanceGroup(party, tuple(Attendee(name(), text(4, 10)) for _ in range(3)), text(6, 12)))
    groups = tuple(others) + (AttendanceGroup("owner", tuple(owners)),)
    present = Count(170, sum(rng.randint(6000, 16000) for _ in range(170)))

    agenda = []
    t = START
    for n in range(1, 17):
        minutes = rng.randint(6, 15)
        used = minutes * 60 + rng.randint(-120, 180)
        agenda.append(AgendaRun(n, text(6, 16), rng.choice(("briefing", "questions", "discussion", "vote")),
                                minutes * 60, t, t + timedelta(seconds=30), t + timedelta(seconds=30 + used), used))
        t += timedelta(seconds=30 + used)

    speakers = [(o.name, "owner", o.units) for o in owners] + \
        [(p.name, g.party, ()) for g in others for p in g.people]
    views = []
    at = START + timedelta(minutes=5)
    for seq in range(1, 601):
        speaker, party, units = rng.choice(speakers)
        kind = rng.choices(("speech", "question", "answer", "point_of_information"), (70, 12, 12, 6))[0]
        stance = {"speech": rng.choice(("for", "against", "neutral")), "question": "question"}.get(kind, "")
        seconds = rng.randint(15, 180)
        item = min(16, 1 + (seq - 1) * 16 // 600)
        views.append(View(seq, item, speaker, party, kind, stance, text(40, 160), at, seconds, units,
                          reply_to=seq - 1 if kind == "answer" and seq > 1 else None))
        at += timedelta(seconds=17)

    plans = tuple(Plan(key, text(8, 20), rng.randint(10**7, 2 * 10**8),
                       (FundingShare("developer", 20940000), FundingShare("maintenance_fund", rng.randint(10**7, 5 * 10**7))),
                       rng.randint(20, 120), ("use_fund",), (text(8, 20),), (text(8, 20),))
                  for key in "ABCD")
    votes = []
    for n in range(1, 7):
        counts, left = [], present
        for key in "ABCD":
            heads = rng.randint(0, left.owners // 2)
            area = rng.randint(0, left.area // 2)
            counts.append(ChoiceCount(key, f"方案{key}", heads, area))
            left = Count(left.owners - heads, left.area - area)
        counts.append(ChoiceCount("abstain", "弃权", left.owners, left.area))
        named = None
        if n == 6:
            named = tuple(NamedChoice(o.name, rng.choice("ABCD"), o.units) for o in owners[:150])
        votes.append(Vote(n, text(10, 24), "straw_poll", True, "single", n != 6, "plurality", text(10, 30),
                          text(6, 14), present, tuple(counts), text(60, 120), "C",
                          eligible_count=present, named_choices=named,
                          opened_at=START + timedelta(minutes=20 * n), closed_at=START + timedelta(minutes=20 * n + 3)))

    agreed = tuple(AgreedItem(n, text(20, 60), rng.choice(PARTIES), name(), text(6, 12), date(2027, 1, rng.randint(1, 28)),
                              rng.choice((None, rng.randint(10**5, 10**8))), "maintenance_fund", text(10, 30))
                   for n in range(1, 31))
    pending = tuple(PendingItem(n, rng.choice(("owners_decision", "disagreement", "open_question")), text(20, 50),
                                ("use_fund",), "art278_majority", text(30, 60), name(), date(2027, 2, n))
                    for n in range(1, 7))

    by_party: dict[str, list] = {}
    for v in views:
        entry = by_party.setdefault(v.party, [set(), 0, 0])
        entry[0].add(v.speaker)
        entry[1] += 1
        entry[2] += v.seconds
    speaking = tuple(PartyTime(p, len(e[0]), e[1], e[2]) for p, e in by_party.items())

    timeline = [TimelineEntry(START, "meeting_opened", "")]
    if full_timeline:
        step = (end - START) / events
        kinds = ("speech", "note", "other", "item_started", "vote_opened")
        timeline += [TimelineEntry(START + step * i, kinds[i % 5], text(4, 20)) for i in range(events - 2)]
    else:
        for run in agenda:
            timeline.append(TimelineEntry(run.actual_start, "item_started", f"{run.number}. {run.title}"))
        timeline += [TimelineEntry(v.at, "speech", v.speaker) for v in views]
        for vote in votes:
            timeline += [TimelineEntry(vote.opened_at, "vote_opened", vote.question),
                         TimelineEntry(vote.closed_at, "vote_closed", "")]
        timeline.sort(key=lambda e: e.at)
    timeline.append(TimelineEntry(end, "meeting_ended", ""))

    header = Header(text(10, 14), "BENCH-2026-001-JY01", "BENCH-2026-001", text(10, 20), text(8, 16), text(8, 16),
                    text(10, 20), "on_site", START, end, (Person(name(), "community", text(4, 8)),),
                    Person(name(), "cppcc_member"), Person(name(), "community"), "zh", 1, "final",
                    end + timedelta(minutes=30), events)
    return MinutesDocument(
        header=header,
        attendance=Attendance(groups, tuple(Attendee(name(), text(2, 6), role="observer") for _ in range(6)),
                              (), tuple(Proxy(name(), ("1-1-101",), name(), "书面委托书") for _ in range(8)),
                              present, Count(400, present.area * 2)),
        matter=Matter(text(10, 20), text(30, 60), text(30, 60), text(60, 120), Count(400, present.area * 2),
                      (KeyDate("completion_accepted", date(2020, 6, 30)), KeyDate("delivered", date(2020, 12, 26))),
                      Fund(56621000, 57165420, 17149626, 3120000, date(2026, 11, 30)), text(80, 160)),
        agenda=tuple(agenda),
        briefings=tuple(Briefing(n, agenda[n - 1].title, name(), "expert", tuple(text(20, 50) for _ in range(4)))
                        for n in (2, 3, 4)),
        views=tuple(views),
        dissent=tuple(Dissent(text(4, 10), text(30, 80), ("owner",)) for _ in range(5)),
        plans=plans, votes=tuple(votes), agreed=agreed, pending=pending,
        follow_up=FollowUp(text(10, 20), text(10, 30), text(10, 20), date(2026, 12, 7), date(2026, 12, 11),
                           date(2026, 12, 19), (text(20, 40),)),
        attachments=tuple(Attachment(n, "other", text(6, 16)) for n in range(1, 9)),
        signatures=tuple(Signature("party_representative", name(), p) for p in PARTIES),
        appendix=Appendix(speaking, tuple(timeline), events),
    )


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def from_log(runs: int, events: int, participants: int, with_db: bool) -> float:
    """The builder on a synthetic event log (tests/minutes_log_factory.py): the log folded into
    the model, pure (plain data in memory), and — as `minutes.finalise` and the downloads do
    it — loaded from a scratch SQLite database first. Returns the pure build's median."""
    from facilitator.minutes.builder import build_minutes
    from tests.minutes_log_factory import synthetic_log

    case, meeting, log, roster = synthetic_log(events=events, participants=participants)
    build_s, doc = timed(lambda: build_minutes(case, meeting, log, roster, "zh", "Asia/Shanghai"), runs)
    again = build_minutes(case, meeting, log, roster, "zh", "Asia/Shanghai")
    print(f"event log: {len(log):,} events, {participants} participants -> "
          f"{sum(len(g.people) for g in doc.attendance.groups)} present, {len(doc.views)} speeches, "
          f"{len(doc.votes)} votes, timeline {len(doc.appendix.timeline)} rows; "
          f"built twice: {'same hash' if again.content_hash() == doc.content_hash() else 'DIFFERENT'}")
    print(f"{'model built from the log':<28}{build_s:>10.3f}{len(doc.to_json().encode()):>12,}")
    if with_db:
        db_s = _from_database(case, meeting, log, roster, runs)
        print(f"{'  + loaded from SQLite':<28}{db_s:>10.3f}")
    return build_s


def _from_database(case, meeting, log, roster, runs: int) -> float:
    import os
    import tempfile
    from datetime import date

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("FACILITATOR_INSTANCE", tmp)
        from facilitator import create_app
        from facilitator.extensions import db
        from facilitator.minutes.load import minutes_for
        from facilitator.models import Case, Meeting, MeetingEvent, RosterUnit, RosterVersion

        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "TESTING": True,
                          "ASYNC_MODE": "threading", "REQUIRE_MIGRATED_DATABASE": False,
                          "SECRET_KEY": "bench"})
        with app.app_context():
            from flask_migrate import upgrade
            upgrade(directory=app.extensions["migrate"].directory)
            row = Case(number=case["number"], title=case["title"], community=case["community"],
                       source=case["source"], received_on=date.fromisoformat(case["received_on"]),
                       details=case["details"])
            db.session.add(row)
            db.session.flush()
            version = RosterVersion(case_id=row.id, number=1, status="active", sha256="0" * 64,
                                    source_format="utf-8", units=len(roster),
                                    owners=len({k for _, _, _, k in roster}),
                                    area_hundredths=sum(a for _, a, _, _ in roster))
            db.session.add(version)
            db.session.flush()
            db.session.add_all(RosterUnit(case_id=row.id, version_id=version.id, unit=u,
                                          area_hundredths=a, owner_name=n, owner_key=k)
                               for u, a, n, k in roster)
            held = Meeting(case_id=row.id, title=meeting["title"], place=meeting["place"],
                           projector_token="bench", status="ended", last_seq=len(log),
                           roster_version_id=version.id)
            db.session.add(held)
            db.session.flush()
            db.session.execute(db.insert(MeetingEvent), [
                {"meeting_id": held.id, "seq": e["seq"], "type": e["type"], "data": e["data"],
                 "changes": e["changes"], "result": {}, "actor": e["actor"],
                 "command_id": None, "at_ms": e["at"]} for e in log])
            db.session.commit()
            seconds, _ = timed(lambda: minutes_for(held), runs)
            db.session.remove()
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full-timeline", action="store_true")
    parser.add_argument("--out", help="write the PDF here")
    parser.add_argument("--events", type=int, default=20_000, help="the synthetic log's size")
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--no-db", action="store_true", help="skip loading the log from SQLite")
    args = parser.parse_args()

    log_s = from_log(args.runs, args.events, args.participants, not args.no_db)

    build_s, doc = timed(lambda: synthetic(full_timeline=args.full_timeline), args.runs)
    hash_s, digest = timed(lambda: doc.content_hash(), args.runs)
    print(f"synthetic minutes: {sum(len(g.people) for g in doc.attendance.groups)} present + "
          f"{len(doc.attendance.observers)} observers, "
          f"{len(doc.views)} speeches, {len(doc.votes)} votes, {len(doc.agreed)} agreed items, "
          f"timeline {len(doc.appendix.timeline)} rows of {doc.appendix.events_total} events")
    print(f"{'step':<28}{'median s':>10}{'size':>12}")
    print(f"{'model built (synthetic)':<28}{build_s:>10.3f}{'':>12}")
    print(f"{'to_json + sha256':<28}{hash_s:>10.3f}{len(doc.to_json().encode()):>12,}")
    results = {}
    for name, module in (("json", json), ("markdown", markdown), ("html", html), ("docx", docx), ("pdf", pdf)):
        seconds, data = timed(lambda module=module: module.render(doc, "zh"), args.runs)
        results[name] = (seconds, data)
        print(f"{'render ' + name:<28}{seconds:>10.3f}{len(data):>12,}")
    if args.out:
        Path(args.out).write_bytes(results["pdf"][1])
        print(f"PDF written to {args.out}")
    print(f"content hash sha256:{digest}")
    pdf_s = results["pdf"][0]
    print(f"targets: built from the {args.events:,}-event log < 1 s: "
          f"{'met' if log_s < 1 else 'MISSED'} ({log_s:.3f} s); "
          f"model < 1 s: {'met' if build_s < 1 else 'MISSED'}; "
          f"PDF < 3 s: {'met' if pdf_s < 3 else 'MISSED'} ({pdf_s:.2f} s)")


if __name__ == "__main__":
    main()
