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
        meeting = create_meeting(case, {
            "title": "3幢地下车库渗漏治理协商会", "place": spec["platform"],
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
    db.session.refresh(meeting)
    return {"case_number": case.number, "meeting_id": meeting.id, "join_code": meeting.join_code,
            "join_key": meeting.join_key,
            "projector_token": meeting.projector_token, "username": MODERATOR_USERNAME,
            "clerk_username": CLERK_USERNAME, "password": DEMO_PASSWORD}


