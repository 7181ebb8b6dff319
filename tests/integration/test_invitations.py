"""Personal invitations: printed one per owner by building, opened by QR code or personal code,
joining the meeting as that owner, verified."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from facilitator.actions import invitations as invitation_actions
from facilitator.extensions import db, socketio
from facilitator.models import Invitation, Meeting, MeetingEvent, Participant

from tests.factories import (chair_of, command, join_handshake, login, make_meeting, make_user,
                             run, welcome_of)
from tests.support import require_service

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def meeting(ctx):
    return make_meeting(with_roster=True, live=False)


@pytest.fixture
def staff(app, meeting):
    client = app.test_client()
    login(client, db.session.get(type(meeting.moderator), meeting.moderator_id))
    return client


def issued(meeting) -> dict[str, Invitation]:
    db.session.expire_all()
    return {i.owner_key: i for i in db.session.execute(
        db.select(Invitation).filter_by(meeting_id=meeting.id)).scalars()}


def invited_handshake(meeting, token: str, command_id: str | None = None) -> dict:
    return {"meeting_id": meeting.id, "face": "phone",
            "join": {"invitation": token, "command_id": command_id or "inv-join-0001"}}


def open_meeting(meeting) -> None:
    run(meeting, chair_of(meeting), "meeting.open", {})
    db.session.refresh(meeting)


def pdf_text(data: bytes) -> str:
    tool = shutil.which("pdftotext")
    require_service(tool is not None, "pdftotext (poppler-utils) is not installed")
    return subprocess.run([tool, "-layout", "-enc", "UTF-8", "-", "-"], input=data,
                          capture_output=True, check=True, timeout=60).stdout.decode()


def test_staff_issue_invitations_and_print_them_by_building_with_a_cover_list(staff, meeting):
    page = staff.get(f"/meetings/{meeting.id}/invitations", headers=ZH).get_data(as_text=True)
    assert "已发放 0 份，名册业主 38 位" in page
    assert staff.post(f"/meetings/{meeting.id}/invitations/issue").status_code == 302
    invitations = issued(meeting)
    assert len(invitations) == 38 and all(i.generation == 1 for i in invitations.values())
    event = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="invitations.issued")).scalar_one()
    assert event.data["count"] == 38
    pdf = staff.get(f"/meetings/{meeting.id}/invitations.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 2 + 38  # a cover list of two pages, then sheets
    assert "第 3 幢 邀请函送达清单（38 户）" in pages[0]
    sheets = [p for p in pages if "协商会议个人邀请函" in p]
    units = [re.search(r"房号\s+(\S+)", p).group(1) for p in sheets]
    assert units[0] == "3-1-101" and units[1] == "3-1-102" and units[-1] == "3-2-1001、3-2-1002"
    assert units.index("3-1-1001") > units.index("3-1-902")  # numbers compared as numbers
    first = invitations["P01"]
    assert "张建国" in sheets[0] and "89.76 m²" in sheets[0]
    code = invitation_actions.personal_code(first)
    assert f"{code[:4]} {code[4:8]} {code[8:]}" in sheets[0]
    one = staff.get(f"/meetings/{meeting.id}/invitations.pdf?owner=P02")
    assert "刘秀英" in pdf_text(one.data) and "张建国" not in pdf_text(one.data)


def test_the_qr_code_of_a_printed_invitation_is_the_owners_personal_link(staff, meeting):
    tool = shutil.which("pdftoppm")
    require_service(tool is not None, "pdftoppm (poppler-utils) is not installed")
    staff.post(f"/meetings/{meeting.id}/invitations/issue")
    pdf = staff.get(f"/meetings/{meeting.id}/invitations.pdf?owner=P02").data
    png = subprocess.run([tool, "-f", "2", "-l", "2", "-r", "110", "-png", "-"],
                         input=pdf, capture_output=True, check=True, timeout=60).stdout
    from tests.browser.test_live_meeting import decode_qr
    (link,) = decode_qr(png)
    token = invitation_actions.link_token(issued(meeting)["P02"])
    assert link.endswith(f"/i/{token}")


def test_the_personal_link_joins_as_the_owner_verified(app, staff, meeting):
    run(meeting, chair_of(meeting), "invitations.issue", {})
    token = invitation_actions.link_token(issued(meeting)["P02"])
    before = app.test_client().get(f"/i/{token}", headers=ZH)
    assert before.status_code == 200 and "尚未开始" in before.get_data(as_text=True)
    assert "刘秀英" in before.get_data(as_text=True)
    open_meeting(meeting)
    page = app.test_client().get(f"/i/{token}", headers=ZH).get_data(as_text=True)
    assert f'data-invitation="{token}"' in page and "刘秀英，您好" in page
    phone = app.test_client()
    sock = socketio.test_client(app, namespace="/live", flask_test_client=phone,
                                auth=invited_handshake(meeting, token))
    assert sock.is_connected("/live")
    welcome = welcome_of(sock)
    person = db.session.get(Participant, welcome["participant_id"])
    assert (person.name, person.unit, person.owner_key, person.status, person.verified_via) == (
        "刘秀英", "3-1-102", "P02", "admitted", "personal_link")
    assert issued(meeting)["P02"].participant_id == person.id
    vote_id = run(meeting, chair_of(meeting), "vote.create", {
        "kind": "owners_decision", "method": "yes_no", "title": "使用维修资金",
        "matters": ["use_fund"]})["vote_id"]
    run(meeting, chair_of(meeting), "vote.open", {"id": vote_id})
    assert command(sock, "ballot.cast", {"vote_id": vote_id, "choices": ["yes"]})["ok"]
    # The same link on another phone is the same person; the first phone's token stops working.
    second = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                  auth=invited_handshake(meeting, token, "inv-join-0002"))
    assert welcome_of(second)["participant_id"] == person.id
    old = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                               auth={"meeting_id": meeting.id, "face": "phone",
                                     "token": welcome["token"]})
    assert not old.is_connected("/live")
    assert db.session.execute(db.select(db.func.count(Participant.id)).filter_by(
        meeting_id=meeting.id, owner_key="P02")).scalar() == 1


def test_the_link_opened_again_catches_up_with_the_owners_entry_and_upvotes(app, meeting):
    run(meeting, chair_of(meeting), "invitations.issue", {})
    open_meeting(meeting)
    asker = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                 auth=join_handshake(meeting, "王芳", "observer"))
    run(meeting, chair_of(meeting), "participant.admit", {"id": welcome_of(asker)["participant_id"]})
    question_id = command(asker, "question.ask", {"text": "排水口什么时候疏通？"})["result"][
        "question_id"]
    token = invitation_actions.link_token(issued(meeting)["P02"])
    first = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                 auth={**invited_handshake(meeting, token), "sync": {}})
    joined = welcome_of(first)["sync"]
    assert (joined["me"]["verified_via"], joined["upvoted"]) == ("personal_link", [])
    assert command(first, "question.upvote", {"question_id": question_id})["ok"]
    run(meeting, chair_of(meeting), "participant.rename",
        {"id": joined["me"]["id"], "name": "刘秀英（业主）"})
    second = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                  auth={**invited_handshake(meeting, token, "inv-join-0002"),
                                        "sync": {}})
    again = welcome_of(second)["sync"]
    assert again["me"]["name"] == "刘秀英（业主）" and again["upvoted"] == [question_id]


def test_a_personal_code_typed_on_the_join_page_opens_the_link_once(app, meeting):
    run(meeting, chair_of(meeting), "invitations.issue", {})
    open_meeting(meeting)
    invitation = issued(meeting)["P05"]
    code = invitation_actions.personal_code(invitation)
    phone = app.test_client()
    typed = f"{code[:4]} {code[4:8]}-{code[8:]}"
    response = phone.post("/join", data={"code": typed}, headers=ZH)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/i/{invitation_actions.link_token(invitation)}")
    again = app.test_client().post("/join", data={"code": code}, headers=ZH)
    budget = app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]
    assert again.status_code == 404 and f"还可尝试 {budget - 1} 次" in again.get_data(
        as_text=True)
    wrong = app.test_client().post("/join", data={"code": "1234567890"}, headers=ZH)
    assert wrong.status_code == 404 and f"还可尝试 {budget - 2} 次" in wrong.get_data(
        as_text=True)


def test_reissuing_stops_the_old_link_and_code_and_removes_the_phone_that_used_it(app, meeting):
    run(meeting, chair_of(meeting), "invitations.issue", {})
    open_meeting(meeting)
    old = issued(meeting)["P01"]
    old_token, old_code = invitation_actions.link_token(old), invitation_actions.personal_code(old)
    sock = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                auth=invited_handshake(meeting, old_token))
    person = welcome_of(sock)["participant_id"]
    result = run(meeting, chair_of(meeting), "invitation.reissue", {"owner_key": "P01"})
    assert result == {}
    new = issued(meeting)["P01"]
    assert new.generation == 2 and invitation_actions.link_token(new) != old_token
    assert invitation_actions.personal_code(new) != old_code
    assert db.session.get(Participant, person).status == "removed"
    assert app.test_client().get(f"/i/{old_token}").status_code == 404
    refused = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                   auth=invited_handshake(meeting, old_token, "inv-join-0009"))
    assert not refused.is_connected("/live")
    assert app.test_client().post("/join", data={"code": old_code}).status_code == 404
    fresh = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                 auth=invited_handshake(meeting, invitation_actions.link_token(new),
                                                        "inv-join-0010"))
    assert welcome_of(fresh)["participant_id"] != person


def test_only_hashes_are_stored_and_secrets_differ_per_owner_meeting_and_generation(ctx, meeting):
    run(meeting, chair_of(meeting), "invitations.issue", {})
    other = make_meeting(with_roster=True, live=False)
    run(other, chair_of(other), "invitations.issue", {})
    tokens, codes = set(), set()
    for m in (meeting, other):
        for invitation in issued(m).values():
            token, code = (invitation_actions.link_token(invitation),
                           invitation_actions.personal_code(invitation))
            assert len(token) == 22 and re.fullmatch(r"[A-Za-z0-9_-]{22}", token)  # 128 bits
            assert re.fullmatch(r"[1-9]\d{9}", code)
            assert invitation.token_hash != token and invitation.code_hash != code
            assert token not in invitation.token_hash and code not in invitation.code_hash
            tokens.add(token)
            codes.add(code)
    assert len(tokens) == len(codes) == 76


def test_the_link_is_not_subject_to_the_join_code_limit(app, meeting):
    run(meeting, chair_of(meeting), "invitations.issue", {})
    open_meeting(meeting)
    client = app.test_client()
    for _ in range(app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]):
        client.post("/join", data={"code": "999999"})
    blocked = client.get(f"/j/{meeting.join_code}")
    assert blocked.status_code == 429
    token = invitation_actions.link_token(issued(meeting)["P03"])
    assert client.get(f"/i/{token}").status_code == 200
    sock = socketio.test_client(app, namespace="/live", flask_test_client=client,
                                auth=invited_handshake(meeting, token))
    assert sock.is_connected("/live")


def test_a_wrong_or_foreign_token_joins_nobody(app, meeting):
    run(meeting, chair_of(meeting), "invitations.issue", {})
    open_meeting(meeting)
    other = make_meeting(with_roster=True)
    run(other, chair_of(other), "invitations.issue", {})
    foreign = invitation_actions.link_token(issued(other)["P01"])
    for token in (foreign, "x" * 22, "", 12345, {"a": 1}, "é" * 40):
        sock = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                    auth=invited_handshake(meeting, token))
        assert not sock.is_connected("/live"), token
    assert app.test_client().get("/i/" + "x" * 22).status_code == 404
    assert db.session.execute(db.select(Participant).filter_by(meeting_id=meeting.id)).first() \
        is None


def test_only_the_meetings_chair_issues_and_prints_invitations(app, meeting):
    phone = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                 auth=join_handshake(meeting, "业主", "owner", "3-1-101"))
    open_meeting(meeting)
    phone = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client(),
                                 auth=join_handshake(meeting, "业主", "owner", "3-1-101"))
    assert command(phone, "invitations.issue")["error"]["code"] == "auth.forbidden"
    assert command(phone, "invitation.reissue", {"owner_key": "P01"})["error"]["code"] \
        == "auth.forbidden"
    stranger = app.test_client()
    login(stranger, make_user("moderator"))
    assert stranger.get(f"/meetings/{meeting.id}/invitations").status_code == 404
    assert stranger.get(f"/meetings/{meeting.id}/invitations.pdf").status_code == 404
    assert stranger.post(f"/meetings/{meeting.id}/invitations/issue").status_code == 404
    assert issued(meeting) == {}
    assert db.session.get(Meeting, meeting.id).status == "live"
