"""Limits that keep a room usable: one browser joins as a few people, one address as a room's
worth, and what phones propose never crowds out the chair."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from facilitator.actions import Actor, execute
from facilitator.extensions import db, socketio
from facilitator.models import Participant, Plan

from tests.factories import (chair_of, join_handshake, make_meeting, run, welcome_of)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def people(meeting) -> int:
    db.session.expire_all()
    return db.session.execute(db.select(db.func.count(Participant.id)).filter_by(
        meeting_id=meeting.id)).scalar()


def join(app, meeting, browser, n: int):
    """A join from `browser` (a test client holding the join page's cookies)."""
    return socketio.test_client(app, namespace="/live", flask_test_client=browser,
                                auth=join_handshake(meeting, f"访客{n}", "observer",
                                                    command_id=f"join-{n:08d}"),
                                headers=ZH)


def test_one_browser_joins_at_most_three_people(app, ctx):
    """The finding: one browser created 200 participants and cast 200 straw-poll ballots."""
    meeting = make_meeting(direct_entry=True)
    browser = app.test_client()
    page = browser.get(f"/j/{meeting.join_code}")
    assert browser.get_cookie("facilitator-device") is not None
    assert "HttpOnly" in page.headers["Set-Cookie"]
    joined = [join(app, meeting, browser, n) for n in range(3)]
    assert all(sock.is_connected("/live") for sock in joined)
    for n in range(3, 200):
        refused = join(app, meeting, browser, n)
        assert not refused.is_connected("/live")
    assert people(meeting) == 3
    # The refusal says why, in the user's language.
    outcome = execute(meeting.id, Actor(role="visitor"), "participant.join", {
        "name": "又一人", "party": "observer",
        "device": db.session.execute(db.select(Participant.device_hash)).scalars().first()})
    assert outcome.error.code == "participant.device_limit" and outcome.error.params == {"max": 3}
    # Another browser on the same network still joins.
    other = app.test_client()
    other.get(f"/j/{meeting.join_code}")
    assert join(app, meeting, other, 500).is_connected("/live")
    assert people(meeting) == 4


def test_one_address_joins_a_rooms_worth_within_the_window(app, ctx, time_machine):
    meeting = make_meeting(direct_entry=True)
    app.config["JOIN_ADDRESS_LIMIT"] = 5
    try:
        for n in range(5):
            browser = app.test_client()
            browser.get(f"/j/{meeting.join_code}")
            assert join(app, meeting, browser, n).is_connected("/live")
        late = app.test_client()
        late.get(f"/j/{meeting.join_code}")
        assert not join(app, meeting, late, 5).is_connected("/live")
        assert people(meeting) == 5
        time_machine.move_to(datetime.now(timezone.utc) + timedelta(seconds=601))  # window over
        assert join(app, meeting, late, 6).is_connected("/live")
        assert people(meeting) == 6
    finally:
        app.config["JOIN_ADDRESS_LIMIT"] = 500


def test_an_invited_owner_is_not_held_back_by_the_limits(app, ctx):
    from facilitator.actions import invitations
    from facilitator.models import Invitation
    meeting = make_meeting(with_roster=True, direct_entry=True, live=False)
    run(meeting, chair_of(meeting), "invitations.issue", {})
    run(meeting, chair_of(meeting), "meeting.open", {})
    browser = app.test_client()
    browser.get(f"/j/{db.session.get(type(meeting), meeting.id).join_code}")
    for n in range(3):
        assert join(app, meeting, browser, n).is_connected("/live")
    invitation = db.session.execute(db.select(Invitation).filter_by(
        meeting_id=meeting.id, owner_key="P01")).scalar_one()
    sock = socketio.test_client(app, namespace="/live", flask_test_client=browser, auth={
        "meeting_id": meeting.id, "face": "phone",
        "join": {"invitation": invitations.link_token(invitation), "command_id": "inv-0001"}})
    assert welcome_of(sock)["participant_id"]


def test_proposals_from_phones_never_take_the_chairs_letters(ctx):
    """The finding: phones filled all 26 plan letters, so the chair could not add a plan."""
    meeting = make_meeting(direct_entry=True)
    phones = []
    for n in range(11):
        joined = run(meeting, Actor(role="visitor"), "participant.join",
                     {"name": f"居民{n}", "party": "community"})
        phones.append(Actor(role="phone", participant_id=joined["participant_id"]))
    for phone in phones[:10]:
        for k in range(3):
            run(meeting, phone, "plan.propose", {"title": f"建议 {phone.participant_id}-{k}"})
    assert execute(meeting.id, phones[0], "plan.propose", {"title": "第四条"}).error.code \
        == "plan.too_many_proposals"
    refused = execute(meeting.id, phones[10], "plan.propose", {"title": "第三十一条"})
    assert refused.error.code == "plan.proposals_full" and refused.error.params == {"max": 30}
    created = run(meeting, chair_of(meeting), "plan.create", {
        "title": "综合治理", "total": "482300", "funding": {"maintenance_fund": "482300"}})
    assert created["key"] == "A"
    assert db.session.execute(db.select(db.func.count(Plan.id)).filter_by(
        meeting_id=meeting.id, status="proposed")).scalar() == 30


@pytest.mark.parametrize("field", ["device", "address"])
def test_a_phone_cannot_claim_where_it_joined_from(app, ctx, field):
    meeting = make_meeting(direct_entry=True)
    answers = {**join_handshake(meeting, "访客", "observer")["join"], field: "forged"}
    sock = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                auth={"meeting_id": meeting.id, "face": "phone", "join": answers})
    assert sock.is_connected("/live")
    person = db.session.execute(db.select(Participant)).scalar_one()
    assert person.device_hash != "forged" and person.joined_from == "127.0.0.1"
