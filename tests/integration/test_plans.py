"""Repair plans: money that adds up, shares by floor area, the fund floor, revisions, and
proposals from phones."""
from __future__ import annotations

import pytest

from facilitator.actions import Actor, execute
from facilitator.demo import demo_case_data, demo_plan_payload, load_demo
from facilitator.extensions import db
from facilitator.live.redaction import redact_value
from facilitator.live.snapshot import snapshot_for
from facilitator.catalogue import has_message
from facilitator.models import Meeting, Plan

from tests.factories import (chair_of, command, connect, join_from_phone, login, make_meeting,
                             make_user, run, sync)

OPTIONS = {o["key"]: o for o in demo_case_data()["options"]}


def fail(meeting, actor, name, payload) -> str:
    outcome = execute(meeting.id, actor, name, payload)
    assert not outcome.ok, (name, payload)
    return outcome.error.code


@pytest.fixture
def demo_meeting(ctx):
    return db.session.get(Meeting, load_demo()["meeting_id"])


def plan_in(meeting, key: str) -> dict:
    snapshot = snapshot_for(meeting.id, "chair")
    return next(p for p in snapshot["plans"].values() if p["key"] == key)


def test_the_demo_plans_show_each_owners_fund_share_and_the_fund_floor(demo_meeting):
    c = plan_in(demo_meeting, "C")
    assert c["title"] == OPTIONS["C"]["title"] and c["matters"] == ["use_fund"]
    assert c["total"] == 48230000 and sum(c["funding"].values()) == c["total"]
    share = c["money"]["fund_share"]
    assert share["rate_per_m2"] == "52.964" and share["scope_area"] == 439734
    shares = {s["area"]: s["fen"] for s in share["shares"]}
    assert shares[8976] == 475403  # 89.76 m² pays 4,754.03 CNY
    assert shares[11842] == 627198  # 118.42 m² pays 6,271.98 CNY
    fund = c["money"]["fund"]
    assert fund["balance_after"] == 56621000 - 23290000
    assert fund["floor"] == 17149626 and fund["below_floor"] is False  # 30% of 571,654.20
    assert c["warnings"] == []

    b = plan_in(demo_meeting, "B")
    assert b["matters"] == ["use_fund", "raise_fund"]
    assert b["money"]["levy_share"]["rate_per_m2"] == "219.565"  # about 219.57 CNY/m²
    assert b["money"]["fund"]["balance_after"] == 17151000  # just above the floor


def test_funding_must_add_up_to_the_total(ctx):
    meeting = make_meeting(with_roster=True)
    chair = chair_of(meeting)
    payload = demo_plan_payload(OPTIONS["A"])
    payload["funding"] = {**payload["funding"], "developer": "200000"}
    outcome = execute(meeting.id, chair, "plan.create", payload)
    assert outcome.error.code == "plan.funding_mismatch"
    assert outcome.error.params == {"total": "387,900.00", "sum": "378,500.00"}
    assert fail(meeting, chair, "plan.create", {**payload, "total": "12.345"}) == \
        "validation.money"
    assert fail(meeting, chair, "plan.create", {**payload, "funding": {"bank": "1"}}) == \
        "validation.choice"
    assert fail(meeting, chair, "plan.create", {**payload, "matters": ["repaint"]}) == \
        "validation.choice"
    assert has_message("validation.money") and has_message("plan.funding_mismatch")


def test_warnings_when_the_matters_do_not_fit_the_money(ctx):
    meeting = make_meeting(with_roster=True)
    payload = {**demo_plan_payload(OPTIONS["B"]), "matters": ["use_fund"], "key": None}
    run(meeting, chair_of(meeting), "plan.create", payload)
    assert plan_in(meeting, "A")["warnings"] == ["levy_without_raise_fund"]


def test_every_change_is_a_revision_and_a_plan_in_an_open_vote_cannot_change(demo_meeting):
    meeting = demo_meeting
    chair = chair_of(meeting)
    a = plan_in(meeting, "A")
    result = run(meeting, chair, "plan.edit", {
        "id": a["id"], "total": "397900",
        "funding": {"developer": "209400", "property_company": "38000",
                    "maintenance_fund": "150500"},
        "note": "物业同意多承担 1 万元"})
    assert result == {"revision": 2}
    a = plan_in(meeting, "A")
    assert a["revision"] == 2
    latest = a["revisions"][-1]
    assert latest["kind"] == "edited" and latest["by"] == "郑文涛"
    assert latest["changes"]["total"] == [38790000, 39790000]
    assert latest["note"] == "物业同意多承担 1 万元"
    assert fail(meeting, chair, "plan.edit", {"id": a["id"], "total": "397900"}) == \
        "command.no_change"

    vote_id = run(meeting, chair, "vote.create", {"kind": "straw_poll", "method": "single",
                                                  "title": "意向", "plans": ["A", "B"]})["vote_id"]
    run(meeting, chair, "vote.open", {"id": vote_id})
    assert fail(meeting, chair, "plan.edit", {"id": a["id"], "title": "改"}) == "plan.in_open_vote"
    from facilitator.models import Vote
    assert db.session.get(Vote, vote_id).plan_revisions == {"A": 2, "B": 1}


def test_a_participant_proposes_a_plan_and_the_chair_accepts_or_declines(demo_meeting):
    meeting = demo_meeting
    chair = chair_of(meeting)
    joined = run(meeting, Actor(role="visitor"), "participant.join",
                 {"name": "张建国", "party": "owner", "unit": "3-1-101"})
    phone = Actor(role="phone", participant_id=joined["participant_id"])
    proposal = {"title": "先疏通排水口再观察", "total": "20000",
                "funding": {"property_company": "20000"}}
    assert fail(meeting, phone, "plan.propose", proposal) == "participant.not_admitted"
    run(meeting, chair, "participant.admit", {"id": joined["participant_id"]})
    first = run(meeting, phone, "plan.propose", proposal)
    assert first["key"] is None
    plan = db.session.get(Plan, first["plan_id"])
    assert (plan.status, plan.proposer, plan.proposer_party) == ("proposed", "张建国", "owner")
    # Only the chair sees proposals; the projector and phones see the accepted plans.
    view = snapshot_for(meeting.id, "chair")["plans"][str(plan.id)]
    assert redact_value("plans", view, "projector") is None
    assert str(plan.id) not in snapshot_for(meeting.id, "phone")["plans"]
    accepted = run(meeting, chair, "plan.accept", {"id": plan.id})
    assert accepted["key"] == "D"
    assert snapshot_for(meeting.id, "projector")["plans"][str(plan.id)]["key"] == "D"

    second = run(meeting, phone, "plan.propose", {"title": "请开发商全额承担"})
    run(meeting, chair, "plan.decline", {"id": second["plan_id"], "reason": "属保修责任，另行协商"})
    declined = db.session.get(Plan, second["plan_id"])
    assert declined.status == "declined" and declined.revisions[-1].kind == "declined"
    assert fail(meeting, chair, "plan.accept", {"id": declined.id}) == "plan.not_proposed"
    assert fail(meeting, phone, "plan.create", {"title": "x", "total": "1"}) == "auth.forbidden"
    for n in range(3):
        run(meeting, phone, "plan.propose", {"title": f"提议{n}"})
    assert fail(meeting, phone, "plan.propose", {"title": "再一个"}) == "plan.too_many_proposals"


def test_the_proposer_alone_is_told_which_proposal_was_declined_and_why(app, ctx):
    """A declined proposal is never on the room's screens, but the phone that sent it is
    told, with the reason, at once and in every sync after; no other phone learns of it."""
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, with_roster=True, direct_entry=True)
    console_http = app.test_client()
    login(console_http, moderator)
    console = connect(app, meeting, "console", console_http)
    phones = {}
    for name, unit in (("张建国", "3-1-101"), ("刘秀英", "3-1-102")):
        http, _ = join_from_phone(app, meeting, name, "owner", unit)
        phones[name] = connect(app, meeting, "phone", http)
    proposer, other = phones["张建国"], phones["刘秀英"]
    declined_id = command(proposer, "plan.propose", {"title": "请开发商全额承担"})["result"][
        "plan_id"]
    kept_id = command(proposer, "plan.propose", {"title": "先疏通排水口再观察"})["result"]["plan_id"]
    for sock in phones.values():
        sock.get_received("/live")
    assert command(console, "plan.decline", {"id": declined_id,
                                             "reason": "属保修责任，另行协商"})["ok"]
    told = {"id": declined_id, "title": "请开发商全额承担", "decline_reason": "属保修责任，另行协商"}

    def declined_messages(sock):
        return [m["args"][0] for m in sock.get_received("/live") if m["name"] == "declined"]
    assert declined_messages(proposer) == [told]
    assert declined_messages(other) == []
    assert sync(proposer)["declined"] == [told]  # after a reconnect too
    assert sync(other)["declined"] == []
    assert command(console, "plan.accept", {"id": kept_id})["ok"]  # accepted: on the list
    assert declined_messages(proposer) == []
    assert sync(proposer)["declined"] == [told]


def test_plan_keys_are_unique_in_a_meeting(ctx):
    meeting = make_meeting(with_roster=True)
    chair = chair_of(meeting)
    run(meeting, chair, "plan.create", {"key": "a", "title": "甲", "total": "0"})
    assert fail(meeting, chair, "plan.create", {"key": "A", "title": "乙", "total": "0"}) == \
        "plan.key_taken"
    assert fail(meeting, chair, "plan.create", {"key": "A-1", "title": "乙", "total": "0"}) == \
        "plan.bad_key"
    assert run(meeting, chair, "plan.create", {"title": "乙", "total": "0"})["key"] == "B"
