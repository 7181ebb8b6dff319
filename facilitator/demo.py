"""The demo case: 锦华苑 3幢 garage leaks (fictitious), from facilitator/demo_data/jinhua-garage.

Loaded through the same actions a user's clicks go through (case, roster, meeting, agenda,
people), so the demo meeting has a real event log.
"""
from __future__ import annotations

import json
from pathlib import Path

from .actions import Actor, execute
from .actions.cases import create_case, create_meeting
from .actions.roster_import import import_roster
from .extensions import db
from .models import Case, Meeting, User

DEMO_DIR = Path(__file__).resolve().parent / "demo_data" / "jinhua-garage"
DEMO_PASSWORD = "demo-2026"
MODERATOR_USERNAME = "zhengwentao"
CLERK_USERNAME = "xujing"


def demo_case_data() -> dict:
    return json.loads((DEMO_DIR / "case.json").read_text(encoding="utf-8"))


def _user(username: str, name: str, role: str) -> User:
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        user = User(username=username, display_name=name, role=role)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.commit()
    return user


def demo_plan_payload(option: dict) -> dict:
    """A plan of case.json's "options" as the plan.create command takes it."""
    return {"key": option["key"], "title": option["title"], "description": option["note"],
            "total": option["total_cny"], "funding": option["funding_cny"],
            "duration_days": option["duration_days"], "matters": option["matters"]}


def _run(meeting: Meeting, actor: Actor, name: str, payload: dict) -> dict:
    outcome = execute(meeting.id, actor, name, payload)
    if not outcome.ok:
        raise RuntimeError(f"demo command {name} refused: {outcome.error!r}")
    return outcome.result


def load_demo() -> dict:
    """Load the demo (once; a second run reports the meeting already there)."""
    data = demo_case_data()
    spec = data["case"]
    moderator = _user(MODERATOR_USERNAME, "郑文涛", "moderator")
    clerk = _user(CLERK_USERNAME, "许静", "clerk")
    case = db.session.execute(db.select(Case).filter_by(number=spec["number"])).scalar_one_or_none()
    if case is None:
        dates = spec["dates"]
        case = create_case({
            "number": spec["number"], "title": spec["title"], "community": spec["community"],
            "organiser": spec["organiser"],
            "source_channel": "letter", "source": spec["source"],
            "description": f"{spec['garage']}\n\n{spec['assessment']}", "scope": spec["scope"],
            "received_on": dates["letter_received"],
            "completion_accepted_on": dates["completion_accepted"],
            "delivered_on": dates["delivered"], "warranty_end_on": dates["developer_warranty_end"],
            "first_report_on": dates["first_leak_report"],
        }, moderator)
        case.details = {"maintenance_fund": spec["maintenance_fund"], "dates": dates,
                        "platform": spec["platform"], "title_en": spec["title_en"],
                        "street_office": spec["street_office"],
                        "residents_committee": spec["residents_committee"]}
        db.session.commit()
        import_roster(case, (DEMO_DIR / "owners.csv").read_text(encoding="utf-8"), "owners.csv")
    meeting = case.meetings[0] if case.meetings else None
    if meeting is None:
        meeting = _open_demo_meeting(case, moderator, clerk, "3幢地下车库渗漏治理协商会")
    db.session.refresh(meeting)
    return {"case_number": case.number, **_meeting_info(meeting),
            "projector_token": meeting.projector_token, "username": MODERATOR_USERNAME,
            "clerk_username": CLERK_USERNAME, "password": DEMO_PASSWORD}


def _open_demo_meeting(case: Case, moderator: User, clerk: User, title: str) -> Meeting:
    """A meeting of the demo case with the demo's agenda, people and plans, opened."""
    data = demo_case_data()
    spec = data["case"]
    meeting = create_meeting(case, {
        "title": title, "place": spec["platform"],
        "scheduled_start": spec["dates"]["meeting"], "language": "zh",
        "moderator_id": moderator.id, "clerk_id": clerk.id})
    chair = Actor(role="moderator", user_id=moderator.id)
    for item in data["agenda"]:
        _run(meeting, chair, "agenda.add", {"title": item["title"],
                                             "minutes": item["minutes"],
                                             "segment": item["segment"]})
    for person in data["people"]:
        if person["role"] in ("moderator", "clerk"):
            continue  # they run the console, signed in
        _run(meeting, chair, "participant.add", {"name": person["name"],
                                                  "party": person["party"]})
    for option in data["options"]:  # the repair plans A, B, C
        _run(meeting, chair, "plan.create", demo_plan_payload(option))
    _run(meeting, chair, "meeting.open", {})
    return meeting


def _meeting_info(meeting: Meeting) -> dict:
    return {"meeting_id": meeting.id, "join_code": meeting.join_code,
            "join_key": meeting.join_key}


def add_demo_meetings(count: int) -> list[dict]:
    """`count` more live meetings of the (loaded) demo case, each like the demo meeting, for
    benchmarks of many meetings at once (bench/scale.py); their ids, join codes and keys."""
    case = db.session.execute(db.select(Case).filter_by(
        number=demo_case_data()["case"]["number"])).scalar_one()
    moderator = _user(MODERATOR_USERNAME, "郑文涛", "moderator")
    clerk = _user(CLERK_USERNAME, "许静", "clerk")
    first = len(case.meetings)
    added = [_open_demo_meeting(case, moderator, clerk,
                                f"3幢地下车库渗漏治理协商会（{first + n + 1}）")
             for n in range(count)]
    for meeting in added:
        db.session.refresh(meeting)
    return [_meeting_info(meeting) for meeting in added]


