"""A synthetic event log, shaped as the real commands log it, for the minutes builder.

``synthetic_log(events=20_000, participants=200)`` gives (case_record, meeting_record, events,
roster) — what ``facilitator.minutes.load`` reads from the database — for a 3-hour meeting:
participants joining and admitted, 16 agenda items run, ~600 speeches with the clerk's notes
(some corrected), hands raised and withdrawn, 4 plans, 6 votes (one secret) with a ballot
event per voter, 30 agreed items and the clerk's narrative; the rest of the events are the
log's chatter (hands, queue moves, pauses). Deterministic for a seed. Used by
tests/unit/test_minutes_builder.py and bench/minutes_bench.py.
"""
from __future__ import annotations

import random

from facilitator.domain import voting

START_MS = 1_796_452_320_000  # 2026-12-05 14:32 +08:00
PARTIES = ("owners_committee", "property_company", "developer", "housing_bureau",
           "street_office", "community", "cppcc_member", "expert", "observer")
SEGMENTS = ("opening", "briefing", "briefing", "questions", "discussion", "discussion",
            "discussion", "discussion", "discussion", "discussion", "discussion", "discussion",
            "vote", "vote", "discussion", "closing")


class Log:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.events: list[dict] = []
        self.at = START_MS
        self.ids = {}

    def next_id(self, kind: str) -> int:
        self.ids[kind] = self.ids.get(kind, 0) + 1
        return self.ids[kind]

    def add(self, type_: str, data: dict, changes=(), seconds: float = 1.0) -> dict:
        self.at += int(seconds * 1000)
        event = {"meeting_id": 1, "seq": len(self.events) + 1, "type": type_, "at": self.at,
                 "actor": "user:1", "data": data, "changes": list(changes)}
        self.events.append(event)
        return event


def _hanzi(rng: random.Random, low: int, high: int) -> str:
    return "".join(chr(rng.randint(0x4E00, 0x4E00 + 2000)) for _ in range(rng.randint(low, high)))


def synthetic_log(events: int = 20_000, participants: int = 200, seed: int = 7,
                  secret_vote: bool = True):
    log = Log(seed)
    rng = log.random
    owners_n = participants * 85 // 100  # 170 owners of 200 people
    roster = []
    for n in range(1, owners_n + 1):
        key = f"P{n:03d}"
        units = 2 if n % 17 == 0 else 1
        for u in range(units):
            roster.append((f"{n // 20 + 1}-{n % 20 + 1}-{u + 1}01", 8000 + (n * 37 % 5000),
                           f"业主{n:03d}", key))
    owner_units = {}
    for unit, area, _, key in roster:
        owner_units.setdefault(key, []).append(unit)

    # --- participants ---------------------------------------------------------------------
    people = {}
    for n in range(1, participants + 1):
        pid = log.next_id("participant")
        if n <= owners_n:
            key = f"P{n:03d}"
            view = {"id": pid, "name": f"业主{n:03d}", "party": "owner", "unit": owner_units[key][0],
                    "owner_key": key, "status": "lobby", "has_phone": True,
                    "joined_at": log.at, "admitted_at": None}
        else:
            view = {"id": pid, "name": f"代表{n:03d}", "party": PARTIES[n % len(PARTIES)],
                    "unit": None, "owner_key": None, "status": "lobby", "has_phone": True,
                    "joined_at": log.at, "admitted_at": None}
        people[pid] = view
    log.add("meeting.opened", {"join_code": "123456"}, seconds=0)
    for pid, view in people.items():
        log.add("participant.joined", {"participant_id": pid, "name": view["name"],
                                       "party": view["party"], "unit": view["unit"],
                                       "status": "lobby"},
                [{"c": "participants", "id": pid, "v": dict(view)}], seconds=0.5)
        view.update(status="admitted", admitted_at=log.at)
        log.add("participant.admitted", {"participant_id": pid, "name": view["name"]},
                [{"c": "participants", "id": pid, "v": dict(view)}], seconds=0.2)

    # --- agenda, plans ----------------------------------------------------------------------
    items = []
    for position, segment in enumerate(SEGMENTS, start=1):
        iid = log.next_id("agenda")
        item = {"id": iid, "position": position, "title": f"议程{position} " + _hanzi(rng, 4, 10),
                "segment": segment, "planned_seconds": 600, "started_at": None, "ended_at": None,
                "run_started_at": None, "used_ms": 0}
        items.append(item)
        log.add("agenda.item_added", {"item_id": iid, "title": item["title"], "minutes": 10,
                                      "segment": segment},
                [{"c": "agenda", "id": iid, "v": dict(item)}], seconds=0.1)
    plans = []
    for key in "ABCD":
        plan_id = log.next_id("plan")
        total = rng.randint(10_000, 200_000) * 100
        plan = {"id": plan_id, "key": key, "status": "accepted", "title": f"方案{key} " + _hanzi(rng, 6, 12),
                "description": _hanzi(rng, 20, 60), "proposer": "", "proposer_party": None,
                "proposed_by_id": None, "total": total,
                "funding": {"developer": total // 2, "maintenance_fund": total - total // 2},
                "duration_days": rng.randint(20, 120), "risks": _hanzi(rng, 10, 30),
                "matters": ["use_fund"], "decline_reason": "", "revision": 1,
                "revisions": [{"number": 1, "kind": "created", "by": "主持人", "at": log.at,
                               "changes": {}, "note": ""}]}
        plans.append(plan)
        log.add("plan.created", {"plan_id": plan_id, "key": key}, [{"c": "plans", "id": plan_id,
                                                                   "v": plan}], seconds=0.1)

    budget = events - len(log.events)
    votes_n, action_items_n, speeches_n = 6, 30, 600
    ballots_total = votes_n * owners_n
    speech_events = speeches_n * 4  # raised, given, noted, ended (+ a second note sometimes)
    fixed = len(items) + votes_n * 3 + action_items_n + 12 + 1
    chatter = max(0, budget - ballots_total - speech_events - fixed - speeches_n // 5)
    per_item_speeches = speeches_n // len(items)
    chatter_per_item = chatter // len(items)

    owner_ids = [pid for pid, v in people.items() if v["party"] == "owner"]
    other_ids = [pid for pid, v in people.items() if v["party"] not in ("owner", "observer")]
    vote_items = {position for position, seg in enumerate(SEGMENTS, start=1) if seg == "vote"}
    votes_done = 0
    for item in items:
        item.update(started_at=log.at + 1000, run_started_at=log.at + 1000)
        log.add("agenda.item_started", {"item_id": item["id"], "title": item["title"],
                                        "how": "next", "previous_id": None},
                [{"c": "agenda", "id": item["id"], "v": dict(item)}])
        for _ in range(per_item_speeches):
            pid = rng.choice(owner_ids if rng.random() < 0.6 else other_ids)
            person = people[pid]
            entry_id = log.next_id("entry")
            stance = rng.choice(("for", "against", "neutral", "question"))
            log.add("queue.hand_raised", {"entry_id": entry_id, "participant_id": pid,
                                          "name": person["name"], "party": person["party"],
                                          "kind": "speech", "stance": stance, "plan_key": None,
                                          "item_id": item["id"], "by_chair": False},
                    [{"c": "queue", "id": entry_id, "v": {"id": entry_id}}], seconds=3)
            sid = log.next_id("speech")
            speech = {"id": sid, "item_id": item["id"], "participant_id": pid, "kind": "speech",
                      "stance": stance, "plan_key": None, "party": person["party"],
                      "started_at": log.at + 5000, "ended_at": None, "paused_ms": 0,
                      "pause_started_at": None, "allowed_seconds": 180,
                      "extension_seconds": 0, "spoken_ms": None, "overrun_seconds": None,
                      "notes": "", "ruling": None}
            log.add("floor.given", {"speech_id": sid, "entry_id": entry_id, "participant_id": pid,
                                    "name": person["name"], "party": person["party"],
                                    "kind": "speech", "stance": stance, "item_id": item["id"]},
                    [{"c": "queue", "id": entry_id, "v": None},
                     {"c": "speeches", "id": sid, "v": dict(speech)}], seconds=5)
            for _ in range(2 if rng.random() < 0.2 else 1):
                speech["notes"] = _hanzi(rng, 40, 160)
                log.add("speech.noted", {"speech_id": sid, "notes": speech["notes"]},
                        [{"c": "speeches", "id": sid, "v": dict(speech)}], seconds=20)
            spoken = rng.randint(30_000, 200_000)
            speech.update(spoken_ms=spoken, ended_at=speech["started_at"] + spoken,
                          overrun_seconds=max(0, spoken - 180_000) // 1000)
            log.at = speech["ended_at"]
            log.add("speech.ended", {"speech_id": sid, "spoken_ms": spoken,
                                     "overrun_seconds": speech["overrun_seconds"]},
                    [{"c": "speeches", "id": sid, "v": dict(speech)}], seconds=0)
        for n in range(chatter_per_item):
            pid = rng.choice(owner_ids)
            entry_id = log.next_id("entry")
            if n % 2 == 0:
                log.add("queue.hand_raised", {"entry_id": entry_id, "participant_id": pid,
                                              "kind": "point_of_information", "item_id": item["id"]},
                        [{"c": "queue", "id": entry_id, "v": {"id": entry_id}}], seconds=0.4)
            else:
                log.add("queue.hand_withdrawn", {"entry_id": entry_id - 1, "participant_id": pid},
                        [{"c": "queue", "id": entry_id - 1, "v": None}], seconds=0.4)
        if item["position"] in vote_items or (item["segment"] == "discussion" and votes_done < votes_n - 2
                                              and item["position"] % 3 == 0):
            for _ in range(3 if item["position"] in vote_items else 1):
                if votes_done < votes_n:
                    votes_done += 1
                    _vote(log, votes_done, plans, people, owner_ids, roster,
                          secret=secret_vote and votes_done == 2)
        item.update(ended_at=log.at + 1000, run_started_at=None,
                    used_ms=log.at + 1000 - item["started_at"])
    while votes_done < votes_n:
        votes_done += 1
        _vote(log, votes_done, plans, people, owner_ids, roster, secret=False)

    # --- the clerk: agreed items and narrative ------------------------------------------------
    for n in range(1, action_items_n + 1):
        aid = log.next_id("action_item")
        log.add("action_item.added", {"action_item_id": aid, "item": {
            "number": n, "what": _hanzi(rng, 20, 60), "party": rng.choice(PARTIES[:-1]),
            "person": f"代表{n:03d}", "organisation": "", "due": f"2027-0{1 + n % 9}-1{n % 9}",
            "amount_fen": rng.randint(1, 10_000) * 100 if n % 3 == 0 else None,
            "funding_source": "developer" if n % 3 == 0 else None,
            "acceptance": _hanzi(rng, 8, 20)}}, seconds=20)
    for section, text in (("summary", _hanzi(rng, 60, 120)), ("follow_up", "督办：街道办事处\n反馈：2026-12-19"),
                          ("pending", "待答复 | " + _hanzi(rng, 10, 20) + " | 住建部门 | 2026-12-12"),
                          ("people", "主持人甲 | 区政协委员 | 主持人 | 政协委员")):
        log.add("minutes.written", {"section": section, "text": text}, seconds=10)
    for item in items[:3]:
        log.add("minutes.written", {"section": f"item:{item['id']}",
                                    "text": _hanzi(rng, 20, 40) + "\n" + _hanzi(rng, 20, 40)}, seconds=10)
    while len(log.events) < events - 1:  # the rest of the chatter: moves in the list
        log.add("queue.entry_moved", {"entry_id": 1, "position": 0}, seconds=0.2)
    log.add("meeting.ended", {}, seconds=60)

    case = {"number": "SYN-2026-001", "title": "合成案件", "community": "测试小区", "source": "来信",
            "description": "", "scope": "", "received_on": "2026-09-03", "completion_accepted_on": None,
            "delivered_on": None, "warranty_end_on": None, "first_report_on": None,
            "details": {"maintenance_fund": {"balance_cny": "566210.00"}}}
    meeting = {"id": 1, "title": "合成会议", "place": "议事室", "language": "zh",
               "scheduled_start": START_MS, "created_at": START_MS - 86_400_000,
               "moderator_name": "主持人甲", "clerk_name": "记录人乙", "ordinal": 1, "version": 1}
    return case, meeting, log.events, roster


def _vote(log: Log, number: int, plans, people, owner_ids, roster, secret: bool) -> None:
    rng = log.random
    vid = log.next_id("vote")
    options = [{"key": p["key"], "label": p["title"], "plan_id": p["id"]} for p in plans[:3]]
    vote = {"id": vid, "number": number, "kind": "straw_poll", "binding": False, "method": "single",
            "title": f"意向表决{number}", "question": f"您倾向于哪个方案？（{number}）",
            "options": options, "plan_id": None, "matters": [], "option_matters": {},
            "plan_revisions": {}, "rule": "plurality", "settings": "civil_code",
            "eligibility": "owners_present", "parties": [], "recused": [], "secret": secret,
            "allow_change": False, "show_results": "after_close", "max_choices": None,
            "channel": "meeting", "channel_note": "", "duration_seconds": None, "status": "draft",
            "totals_entered": False, "opened_at": None, "deadline_at": None, "closed_at": None,
            "result": None}
    log.add("vote.created", {"vote_id": vid, "number": number}, [{"c": "votes", "id": vid, "v": dict(vote)}])
    vote.update(status="open", opened_at=log.at + 1000)
    log.add("vote.opened", {"vote_id": vid, "title": vote["title"]}, [{"c": "votes", "id": vid, "v": dict(vote)}])
    owners = {o.key: o for o in voting.owners_from_roster(roster)}
    ballots, cast = [], []
    for pid in owner_ids:
        person = people[pid]
        choice = rng.choice(["A", "B", "C", "abstain"])
        owner = owners[person["owner_key"]]
        ballots.append(voting.Ballot(owner.key, (choice,), owner.area))
        cast.append({"voter_key": owner.key, "name": owner.name, "units": list(owner.units),
                     "choices": [choice], "heads": 1, "area": owner.area, "channel": "phone"})
        data = {"vote_id": vid, "voter_key": owner.key, "channel": "phone", "cast_by": pid,
                "changed": False}
        if not secret:
            data["choices"] = [choice]
        log.add("ballot.cast", data, seconds=0.3)
    result = voting.tally(voting.Question.single("A", "B", "C"), ballots)
    decision = voting.decide(result, result.winner or "A", voting.PLURALITY, None)
    counts = {k: {"owners": c.owners, "area": c.area} for k, c in result.counts.items()}
    participation = {"owners": result.participation.owners, "area": result.participation.area}
    vote.update(status="closed", closed_at=log.at + 1000, result={
        "kind": "straw_poll", "binding": False, "rule": "plurality", "source": "ballots",
        "tally": {"method": "single", "options": ["A", "B", "C"], "counts": counts,
                  "participation": participation, "rounds": [], "winner": result.winner},
        "scope": None, "eligible": participation, "gate": None,
        "decisions": [], "outcome": {"passed": decision.passed,
                                     "options": [decision.option] if decision.passed else []},
        "explanation": {"zh": voting.explain(decision, "zh"), "en": voting.explain(decision, "en")}})
    data = {"vote_id": vid, "title": vote["title"], "kind": "straw_poll", "by_countdown": False,
            "result": vote["result"]}
    if not secret:
        data["ballots"] = sorted(cast, key=lambda b: b["voter_key"])
    log.add("vote.closed", data, [{"c": "votes", "id": vid, "v": dict(vote)}])
