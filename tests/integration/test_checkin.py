"""The check-in desk: an owner's claim is verified before an owners' decision counts it.

Through the socket as the console and the phones use it; every step is an event and reaches
the minutes' sign-in sheet."""
from __future__ import annotations

import pytest

from facilitator.actions import Actor, execute
from facilitator.exports import markdown
from facilitator.extensions import db
from facilitator.minutes.load import minutes_for
from facilitator.models import Ballot, Meeting, MeetingEvent, Participant, VoteParticipation

from tests.factories import (chair_of, command, connect, join_from_phone, login, make_meeting,
                             make_user, run, sync)


@pytest.fixture
def room(app, ctx):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, with_roster=True, direct_entry=True)
    http = app.test_client()
    login(http, moderator)
    console = connect(app, meeting, "console", http)
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    return meeting, console, projector


def state_of(sock) -> dict:
    return sync(sock)["snapshot"]


def person(participant_id) -> Participant:
    db.session.expire_all()
    return db.session.get(Participant, participant_id)


def decision(meeting) -> int:
    chair = chair_of(meeting)
    vote_id = run(meeting, chair, "vote.create", {
        "kind": "owners_decision", "method": "yes_no", "title": "使用维修资金",
        "matters": ["use_fund"]})["vote_id"]
    run(meeting, chair, "vote.open", {"id": vote_id})
    return vote_id


def test_a_claim_shows_the_registered_owner_and_the_desk_verifies_it(app, room):
    meeting, console, projector = room
    phone, claimant = join_from_phone(app, meeting, name="张三", party="owner", unit="3-1-101")
    seen = state_of(console)["participants"][str(claimant)]
    assert seen["registered_owner"] == "张建国" and seen["verified_via"] is None
    assert state_of(console)["checkin"]["verified"] == {"owners": 0, "area": 0}
    verified = command(console, "checkin.verify", {"id": claimant, "note": "身份证核对"})
    assert verified["ok"], verified
    row = person(claimant)
    assert (row.verified_via, row.verification_note) == ("desk", "身份证核对")
    assert row.verified_by == db.session.get(Meeting, meeting.id).moderator.display_name
    event = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="checkin.verified")).scalar_one()
    assert event.data["registered_owner"] == "张建国" and event.data["via"] == "desk"
    figures = state_of(projector)["checkin"]
    assert figures["verified"] == {"owners": 1, "area": 8976}
    assert figures["scope"] == {"owners": 38, "area": 439734}
    assert figures["gate"]["needed"] == {"owners": 26, "area": 293156}
    assert figures["gate"]["missing"] == {"owners": 25, "area": 293156 - 8976}
    again = command(console, "checkin.verify", {"id": claimant})
    assert again["error"]["code"] == "checkin.already_verified"
    # A phone holds no check-in figures, and learns only that it is verified.
    me = connect(app, meeting, "phone", phone)
    assert "checkin" not in state_of(me)
    assert sync(me)["me"]["verified_via"] == "desk"


def test_holding_the_join_code_no_longer_lets_anyone_vote_for_any_unit(app, room):
    """The finding: anyone with the join code claimed a unit and voted for it; the real owner,
    arriving later, was told the unit had voted."""
    meeting, console, _ = room
    vote_id = decision(meeting)
    impostor_phone, impostor = join_from_phone(app, meeting, name="冒名者", party="owner",
                                               unit="3-1-102")
    sock = connect(app, meeting, "phone", impostor_phone)
    refused = command(sock, "ballot.cast", {"vote_id": vote_id, "choices": ["yes"]})
    assert refused["ok"] is False and refused["error"]["code"] == "vote.verify_first"
    assert "签到台" in refused["error"]["message"]
    assert db.session.execute(db.select(VoteParticipation)).first() is None
    assert db.session.execute(db.select(Ballot)).first() is None
    status = sock.emit("ballots", {}, namespace="/live", callback=True)["votes"][str(vote_id)]
    assert status[0]["eligible"] is False and status[0]["reason"] == "vote.verify_first"
    # At the desk the name does not match the certificate: the claim is rejected.
    assert command(console, "checkin.reject", {"id": impostor, "reason": "证件与房号不符"})["ok"]
    assert person(impostor).status == "rejected"
    owner_phone, owner = join_from_phone(app, meeting, name="刘秀英", party="owner",
                                         unit="3-1-102")
    assert command(console, "checkin.verify", {"id": owner, "note": "房产证"})["ok"]
    voted = command(connect(app, meeting, "phone", owner_phone), "ballot.cast",
                    {"vote_id": vote_id, "choices": ["yes"]})
    assert voted["ok"], voted
    cast = db.session.execute(db.select(VoteParticipation)).scalar_one()
    assert (cast.voter_key, cast.cast_by_id, cast.verified_via) == ("P02", owner, "desk")


def test_a_family_member_is_relabelled_and_a_mistaken_verification_revoked(app, room):
    meeting, console, _ = room
    _, son = join_from_phone(app, meeting, name="张小明", party="owner", unit="3-1-101")
    relabelled = command(console, "checkin.relabel", {"id": son, "party": "observer",
                                                      "note": "业主之子，无委托书"})
    assert relabelled["ok"]
    row = person(son)
    assert (row.party, row.unit, row.owner_key, row.registered_owner) == (
        "observer", None, None, None)
    _, owner = join_from_phone(app, meeting, name="张建国", party="owner", unit="3-1-101")
    command(console, "checkin.verify", {"id": owner})
    assert state_of(console)["checkin"]["verified"]["owners"] == 1
    revoked = command(console, "checkin.revoke", {"id": owner, "reason": "核验错人"})
    assert revoked["ok"] and person(owner).verified_via is None
    assert state_of(console)["checkin"]["verified"]["owners"] == 0
    assert command(console, "checkin.revoke", {"id": owner, "reason": "x"})["error"]["code"] \
        == "checkin.not_verified"
    assert command(console, "checkin.verify", {"id": son})["error"]["code"] \
        == "checkin.not_an_owner"


def test_an_owner_without_a_phone_is_checked_in_from_the_roster(app, room):
    meeting, console, _ = room
    added = command(console, "checkin.add_owner", {"unit": "3-2-1001", "note": "授权委托书原件"})
    assert added["ok"], added
    row = person(added["result"]["participant_id"])
    assert (row.name, row.owner_key, row.has_phone, row.status, row.verified_via) == (
        "锦华置业有限公司", "P38", False, "admitted", "desk")
    figures = state_of(console)["checkin"]["verified"]
    assert figures == {"owners": 1, "area": 16825 + 15680}  # the developer's units as one owner
    missing = command(console, "checkin.add_owner", {"unit": "9-9-999"})
    assert missing["error"]["code"] == "participant.unit_not_in_roster"


def test_only_the_chair_checks_people_in(app, room):
    meeting, console, _ = room
    phone_http, claimant = join_from_phone(app, meeting, name="张三", party="owner",
                                           unit="3-1-101")
    phone = connect(app, meeting, "phone", phone_http)
    for name, payload in (("checkin.verify", {"id": claimant}),
                          ("checkin.add_owner", {"unit": "3-1-102"}),
                          ("checkin.relabel", {"id": claimant, "party": "observer"}),
                          ("checkin.reject", {"id": claimant, "reason": "x"}),
                          ("checkin.revoke", {"id": claimant, "reason": "x"})):
        assert command(phone, name, payload)["error"]["code"] == "auth.forbidden", name
    other_meeting = make_meeting(with_roster=True)
    outsider = execute(other_meeting.id, chair_of(other_meeting), "checkin.verify",
                       {"id": claimant})
    assert outsider.error.code == "participant.not_found"  # not a person of that meeting
    assert person(claimant).verified_via is None


def test_the_minutes_list_who_signed_in_how_and_who_actually_voted(app, room):
    """The finding: the named-vote table named the registered owner, not the person who
    voted, nor the proxy."""
    meeting, console, _ = room
    chair = chair_of(meeting)
    _, wife = join_from_phone(app, meeting, name="王秀", party="owner", unit="3-2-501")
    command(console, "checkin.verify", {"id": wife, "note": "房产证（共有人）"})
    _, son = join_from_phone(app, meeting, name="宋宇", party="observer")
    proxy = run(meeting, chair, "proxy.record", {"participant_id": son, "owner_key": "P07",
                                                  "note": "书面委托书 2026-12-01"})
    vote_id = run(meeting, chair, "vote.create", {
        "kind": "owners_decision", "method": "yes_no", "title": "使用维修资金",
        "matters": ["use_fund"]})["vote_id"]
    run(meeting, chair, "vote.open", {"id": vote_id})
    run(meeting, Actor(role="phone", participant_id=wife), "ballot.cast",
        {"vote_id": vote_id, "choices": ["yes"]})
    run(meeting, Actor(role="phone", participant_id=son), "ballot.cast",
        {"vote_id": vote_id, "choices": ["no"], "proxy_id": proxy["proxy_id"]})
    run(meeting, chair, "vote.close", {"id": vote_id})
    text = markdown.render(minutes_for(db.session.get(Meeting, meeting.id))).decode()
    sheet = text[text.index("业主签到表"):]
    assert "王伟" in sheet and "3-2-501" in sheet and "王秀" in sheet and "签到台核验" in sheet
    assert "房产证（共有人）" in sheet
    assert "宋海燕" in sheet and "宋宇" in sheet and "书面委托" in sheet
    named = text[text.index("记名表决明细"):]
    row_wife = next(line for line in named.splitlines() if "3-2-501" in line)
    assert "王伟" in row_wife and "王秀" in row_wife and "签到台核验" in row_wife
    row_proxy = next(line for line in named.splitlines() if "3-1-402" in line)
    assert "宋海燕" in row_proxy and "宋宇" in row_proxy and "书面委托" in row_proxy
    assert "仅计已核验身份的业主" in text
