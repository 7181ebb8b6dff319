"""The demo's scripted votes: ballots.csv replayed through the commands, as in the room.

Two votes on the demo meeting (facilitator/demo.py must have loaded it, with plans A/B/C):

* the straw poll (意向表决) on plans A/B/C: the 22 owners present (case.json's
  meeting_attendance_owner_keys) join from their phones and are admitted; 宋宇 votes for
  宋海燕 (3-1-402, P07) with a recorded written authorisation; 高峰 holds the developer's
  authorisation for its unsold units (P38) but the developer recuses from the straw poll;
  the tenant of 3-2-902 is an observer and does not vote;
* the owners' decision (业主共同决定) on using the fund for plan C (use_fund, Art. 278
  majority), held elsewhere (paper ballots, 2026-12-22 to 2027-01-05) over the whole scope
  and recorded by the clerk owner by owner.

The expected numbers are in case.json ("expected"); tests/integration/test_votes.py checks
the results against them.
"""
from __future__ import annotations

import csv

from . import rosters
from .actions import Actor, execute
from .demo import DEMO_DIR, demo_case_data
from .domain.statuses import ParticipantStatus
from .extensions import db
from .models import Meeting, Participant, RosterUnit

PROXY_HOLDERS = {"P07": "宋宇"}  # roster note: 宋宇 holds a written authorisation
DEVELOPER_KEY = "P38"


def demo_ballots() -> list[dict]:
    with (DEMO_DIR / "ballots.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _run(meeting_id: int, actor: Actor, name: str, payload: dict) -> dict:
    outcome = execute(meeting_id, actor, name, payload)
    if not outcome.ok:
        raise RuntimeError(f"demo command {name} refused: {outcome.error!r}")
    return outcome.result


def _first_units(meeting: Meeting) -> dict[str, RosterUnit]:
    """Each owner's first unit in the meeting's roster version."""
    units: dict[str, RosterUnit] = {}
    for row in rosters.units_of(rosters.meeting_version_id(meeting)):
        units.setdefault(row.owner_key, row)
    return units


def _person(meeting_id: int, name: str) -> Participant | None:
    return db.session.execute(db.select(Participant).filter_by(
        meeting_id=meeting_id, name=name).order_by(Participant.id)).scalars().first()


def _join_and_admit(meeting_id: int, chair: Actor, name: str, party: str,
                    unit: str | None = None) -> int:
    payload = {"name": name, "party": party}
    if unit:
        payload["unit"] = unit
    joined = _run(meeting_id, Actor(role="visitor"), "participant.join", payload)
    if joined["status"] == ParticipantStatus.LOBBY:
        _run(meeting_id, chair, "participant.admit", {"id": joined["participant_id"]})
    return joined["participant_id"]


def replay_straw_poll(meeting_id: int) -> int:
    """The owners present vote on A/B/C from their phones; returns the vote id (closed)."""
    meeting = db.session.get(Meeting, meeting_id)
    chair = Actor(role="moderator", user_id=meeting.moderator_id)
    data = demo_case_data()
    units = _first_units(meeting)
    choices = {row["owner_key"]: row["straw_poll"] for row in demo_ballots()}

    # Who is in the room, and on whose behalf they vote.
    voters: list[tuple[int, int | None, str]] = []  # (participant id, proxy id, choice)
    for key in data["meeting_attendance_owner_keys"]:
        unit = units[key]
        if key in PROXY_HOLDERS:
            holder = _join_and_admit(meeting_id, chair, PROXY_HOLDERS[key], "observer")
            proxy = _run(meeting_id, chair, "proxy.record", {
                "participant_id": holder, "owner_key": key,
                "note": f"书面委托书：{unit.owner_name}（{unit.unit}）委托"})
            voters.append((holder, proxy["proxy_id"], choices[key]))
            continue
        existing = _person(meeting_id, unit.owner_name)
        if existing is not None:  # 李振宇 is here for the owners' committee, and owns 3-2-801
            _run(meeting_id, chair, "participant.set_party",
                 {"id": existing.id, "party": "owner", "unit": unit.unit})
            person_id = existing.id
        else:
            name = unit.owner_name.split("、")[0]  # a co-owned unit: the co-owner chosen
            person_id = _join_and_admit(meeting_id, chair, name, "owner", unit.unit)
        # The sign-in desk checks each owner's ID against the roster (签到核验).
        _run(meeting_id, chair, "checkin.verify", {"id": person_id, "note": "身份证"})
        voters.append((person_id, None, choices[key]))
    developer = _person(meeting_id, "高峰")
    if developer is not None:
        _run(meeting_id, chair, "proxy.record", {
            "participant_id": developer.id, "owner_key": DEVELOPER_KEY,
            "note": "锦华置业有限公司授权委托书（未售房屋）"})

    options = [option["key"] for option in data["options"]]
    vote = _run(meeting_id, chair, "vote.create", {
        "kind": "straw_poll", "method": "single", "title": "意向表决：方案 A / B / C",
        "question": "您倾向于哪一个治理方案？（意向表决，不具约束力）", "plans": options,
        "eligibility": "owners_present", "recused": [DEVELOPER_KEY],
        "show_results": "after_close"})
    vote_id = vote["vote_id"]
    _run(meeting_id, chair, "vote.open", {"id": vote_id})
    for person_id, proxy_id, choice in voters:
        payload = {"vote_id": vote_id, "choices": [choice]}
        if proxy_id is not None:
            payload["proxy_id"] = proxy_id
        _run(meeting_id, Actor(role="phone", participant_id=person_id), "ballot.cast", payload)
    _run(meeting_id, chair, "vote.close", {"id": vote_id})
    return vote_id


def replay_owners_decision(meeting_id: int) -> int:
    """The owners' decision on using the fund for plan C, held elsewhere (paper ballots)
    and recorded owner by owner; returns the vote id (closed)."""
    meeting = db.session.get(Meeting, meeting_id)
    chair = Actor(role="moderator", user_id=meeting.moderator_id)
    expected = demo_case_data()["expected"]["owners_decision"]
    plan_c = next(p for p in _plans(meeting_id) if p.key == "C")
    vote = _run(meeting_id, chair, "vote.create", {
        "kind": "owners_decision", "method": "yes_no", "title": "业主共同决定：使用维修资金",
        "question": expected["question"], "plan_id": plan_c.id, "matters": [expected["matter"]],
        "channel": "elsewhere", "channel_note": "书面表决 2026-12-22 至 2027-01-05"})
    vote_id = vote["vote_id"]
    _run(meeting_id, chair, "vote.open", {"id": vote_id})
    for row in demo_ballots():
        if row["owners_decision"] == "absent":
            continue
        _run(meeting_id, chair, "ballot.record", {"vote_id": vote_id, "owner_key": row["owner_key"],
                                                  "choices": [row["owners_decision"]]})
    _run(meeting_id, chair, "vote.close", {"id": vote_id})
    return vote_id


def _plans(meeting_id: int):
    from .models import Plan
    return db.session.execute(db.select(Plan).filter_by(meeting_id=meeting_id)).scalars().all()


def replay_demo_votes(meeting_id: int) -> dict:
    return {"straw_poll": replay_straw_poll(meeting_id),
            "owners_decision": replay_owners_decision(meeting_id)}
