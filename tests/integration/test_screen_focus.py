"""The moderator puts one plan, one vote or the QR code on the room's screen by itself, and
returns it to the ordinary screen (screen.focus): what the projector receives, who may do
it, and what bad input gets. Also the cost per m² that every screen shows beside a plan's
total."""
from __future__ import annotations

import pytest

from facilitator.actions import Actor, execute
from facilitator.demo import demo_case_data, demo_plan_payload
from facilitator.domain.voting import format_rate_per_m2
from facilitator.extensions import db
from facilitator.live.snapshot import snapshot_for
from facilitator.models import MeetingEvent

from tests.factories import (chair_of, command, connect, make_meeting, make_user,
                             received_batches, run)

PLANS = {o["key"]: o for o in demo_case_data()["options"]}
DEMO_AREA = 439734  # the demo roster's 4,397.34 m², in hundredths


def add_plans(meeting, keys=("A", "B", "C")) -> dict[str, int]:
    return {key: run(meeting, chair_of(meeting), "plan.create",
                     demo_plan_payload(PLANS[key]))["plan_id"] for key in keys}


def new_vote(meeting, open_it: bool = True) -> int:
    vote_id = run(meeting, chair_of(meeting), "vote.create", {
        "kind": "straw_poll", "method": "single", "title": "意向表决", "plans": ["A", "B", "C"]}
    )["vote_id"]
    if open_it:
        run(meeting, chair_of(meeting), "vote.open", {"id": vote_id})
    return vote_id


def focus_of(meeting, role: str = "projector"):
    return snapshot_for(meeting.id, role)["meeting"]["screen_focus"]


def events_count(meeting) -> int:
    return db.session.execute(db.select(db.func.count(MeetingEvent.id)).filter_by(
        meeting_id=meeting.id)).scalar()


@pytest.fixture
def meeting(ctx):
    m = make_meeting(with_roster=True)
    m.plan_ids = add_plans(m)
    return m


def test_the_projector_receives_what_the_chair_puts_on_the_screen_and_the_way_back(app, meeting):
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    projector.get_received("/live")
    chair = chair_of(meeting)
    plan_b = meeting.plan_ids["B"]

    assert focus_of(meeting) is None  # the ordinary screen
    run(meeting, chair, "screen.focus", {"show": "plan", "id": plan_b})
    assert focus_of(meeting) == {"kind": "plan", "id": plan_b}
    changes = [c for batch in received_batches(projector) for c in batch["changes"]
               if c["c"] == "meeting"]
    assert changes[-1]["v"]["screen_focus"] == {"kind": "plan", "id": plan_b}

    vote_id = new_vote(meeting)
    run(meeting, chair, "screen.focus", {"show": "vote", "id": vote_id})
    assert focus_of(meeting) == {"kind": "vote", "id": vote_id}
    run(meeting, chair, "vote.close", {"id": vote_id})  # its result stays up
    assert focus_of(meeting) == {"kind": "vote", "id": vote_id}

    run(meeting, chair, "screen.focus", {"show": "qr"})
    assert focus_of(meeting) == {"kind": "qr"}
    assert focus_of(meeting, "phone") == {"kind": "qr"}  # nothing secret in it
    run(meeting, chair, "screen.focus", {"show": "none"})
    assert focus_of(meeting) is None
    event = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="screen.focused").order_by(MeetingEvent.seq.desc())).scalars().first()
    assert event.data == {"show": "none", "id": None}


def test_the_same_screen_again_changes_nothing(meeting):
    chair = chair_of(meeting)
    before = events_count(meeting)
    outcome = execute(meeting.id, chair, "screen.focus", {"show": "none"})
    assert outcome.error.code == "command.no_change"
    run(meeting, chair, "screen.focus", {"show": "qr"})
    assert execute(meeting.id, chair, "screen.focus", {"show": "qr"}).error.code == "command.no_change"
    assert events_count(meeting) == before + 1


def test_ending_the_meeting_returns_the_screen_to_the_end_message(meeting):
    run(meeting, chair_of(meeting), "screen.focus", {"show": "plan", "id": meeting.plan_ids["A"]})
    run(meeting, chair_of(meeting), "meeting.end", {})
    assert focus_of(meeting) is None
    outcome = execute(meeting.id, chair_of(meeting), "screen.focus", {"show": "qr"})
    assert outcome.error.code == "meeting.is_ended"


def test_the_clerk_may_put_a_plan_up_but_a_phone_the_projector_or_another_meetings_moderator_may_not(app, ctx):
    clerk = make_user("clerk")
    meeting = make_meeting(with_roster=True, clerk=clerk, direct_entry=True)
    plan_a = add_plans(meeting, ("A",))["A"]
    payload = {"show": "plan", "id": plan_a}
    stranger = make_user("moderator")
    refused = {
        "a phone": (Actor(role="phone", participant_id=1), "auth.forbidden"),
        "the projector": (Actor(role="projector"), "auth.forbidden"),
        "another meeting's moderator": (Actor(role="moderator", user_id=stranger.id),
                                        "auth.not_your_meeting"),
    }
    for who, (actor, code) in refused.items():
        outcome = execute(meeting.id, actor, "screen.focus", payload)
        assert not outcome.ok and outcome.error.code == code, who
    assert focus_of(meeting) is None

    # Through the sockets, as the screens send it: the projector's link carries no power.
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    ack = command(projector, "screen.focus", payload)
    assert ack["error"]["code"] == "auth.forbidden"
    assert focus_of(meeting) is None

    run(meeting, Actor(role="clerk", user_id=clerk.id), "screen.focus", payload)
    assert focus_of(meeting) == {"kind": "plan", "id": plan_a}


@pytest.mark.parametrize("payload, code", [
    ({"show": "plan", "id": 2**63}, "validation.range"),
    ({"show": "plan", "id": 0}, "validation.range"),
    ({"show": "plan", "id": -1}, "validation.range"),
    ({"show": "plan", "id": "A"}, "validation.type"),
    ({"show": "plan", "id": 1.5}, "validation.type"),
    ({"show": "plan"}, "validation.required"),
    ({"show": "vote"}, "validation.required"),
    ({"show": "agenda"}, "validation.choice"),
    ({"show": "PLAN", "id": 1}, "validation.choice"),
    ({"show": ["plan"], "id": 1}, "validation.type"),
    ({}, "validation.required"),
    ({"show": "qr", "id": 1}, "screen.id_not_needed"),
    ({"show": "none", "id": 1}, "screen.id_not_needed"),
    ({"show": "qr", "zoom": 2}, "validation.unknown_field"),
    ({"show": "plan", "id": 2147483647}, "plan.not_found"),
    ({"show": "vote", "id": 2147483647}, "vote.not_found"),
])
def test_bad_input_gets_a_clear_error_and_changes_nothing(meeting, payload, code):
    run(meeting, chair_of(meeting), "screen.focus", {"show": "qr"})
    before = events_count(meeting)
    outcome = execute(meeting.id, chair_of(meeting), "screen.focus", payload)
    assert not outcome.ok and outcome.error.code == code
    assert focus_of(meeting) == {"kind": "qr"} and events_count(meeting) == before


def test_only_what_the_room_may_see_can_be_put_up(meeting, app):
    chair = chair_of(meeting)
    other = make_meeting(with_roster=True)
    others_plan = add_plans(other)["A"]
    others_vote = new_vote(other)
    draft = new_vote(meeting, open_it=False)
    cancelled = new_vote(meeting, open_it=False)
    run(meeting, chair, "vote.cancel", {"id": cancelled})
    cases = [
        ({"show": "plan", "id": others_plan}, "plan.not_found"),
        ({"show": "vote", "id": others_vote}, "vote.not_found"),
        ({"show": "vote", "id": meeting.plan_ids["A"]}, "vote.not_found"),
        ({"show": "vote", "id": draft}, "screen.vote_not_shown"),
        ({"show": "vote", "id": cancelled}, "screen.vote_not_shown"),
    ]
    for payload, code in cases:
        outcome = execute(meeting.id, chair, "screen.focus", payload)
        assert not outcome.ok and outcome.error.code == code, payload
    assert focus_of(meeting) is None


def test_a_proposal_from_a_phone_is_not_put_on_the_screen(ctx):
    meeting = make_meeting(with_roster=True, direct_entry=True)
    joined = run(meeting, Actor(role="visitor"), "participant.join",
                 {"name": "赵伟", "party": "owner", "unit": "3-1-201"})
    phone = Actor(role="phone", participant_id=joined["participant_id"])
    proposal = run(meeting, phone, "plan.propose", {"title": "只修排水沟", "total": "1000"})["plan_id"]
    outcome = execute(meeting.id, chair_of(meeting), "screen.focus", {"show": "plan", "id": proposal})
    assert outcome.error.code == "plan.not_accepted"
    assert focus_of(meeting) is None


def test_every_plan_shows_its_cost_per_m2_of_the_rosters_area(meeting):
    plans = {p["key"]: p for p in snapshot_for(meeting.id, "projector")["plans"].values()}
    for key, plan in plans.items():
        money = plan["money"]
        assert money["scope_area"] == DEMO_AREA
        assert money["total_per_m2"] == format_rate_per_m2(plan["total"], DEMO_AREA, decimals=2)
    # Plan C: 482,300.00 CNY over 4,397.34 m² is 109.67994... CNY/m², to the fen 109.68.
    assert plans["C"]["total"] == 48230000 and plans["C"]["money"]["total_per_m2"] == "109.68"


def test_without_a_roster_there_is_no_cost_per_m2(ctx):
    meeting = make_meeting()
    run(meeting, chair_of(meeting), "plan.create", {"title": "清理排水沟", "total": "3000",
                                                     "funding": {"property_company": "3000"}})
    plan = next(iter(snapshot_for(meeting.id, "projector")["plans"].values()))
    assert plan["money"]["total_per_m2"] is None and plan["money"]["scope_area"] is None
