"""Joining from a phone: the page in the QR code, the join over the socket, the identity kept
in the page's cookie, and the limit on guessing codes (docs/protocol.md, "Joining")."""
from __future__ import annotations

import gzip

import pytest

from facilitator.errors import DomainError
from facilitator.extensions import db, socketio
from facilitator.i18n import describe_error, select_locale
from facilitator.joining import phone_cookie_name
from facilitator.live.namespace import authenticate
from facilitator.models import Participant

from tests.factories import (chair_of, connect, join_from_phone, join_handshake, make_meeting,
                             run, sync, welcome_of)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def text(response) -> str:
    return response.get_data(as_text=True)


def people() -> int:
    db.session.rollback()
    return db.session.execute(db.select(db.func.count(Participant.id))).scalar()


def refusal(app, auth: dict, address: str = "127.0.0.1") -> str:
    """What a phone is told when its handshake is refused, in Chinese."""
    with app.test_request_context("/socket.io/", headers=ZH,
                                  environ_base={"REMOTE_ADDR": address}):
        try:
            authenticate(auth)
        except DomainError as error:
            return describe_error(error, select_locale())
        finally:
            db.session.rollback()
    raise AssertionError("the handshake was accepted")


def joining_socket(app, auth: dict, address: str = "127.0.0.1"):
    http = app.test_client()
    http.environ_base["REMOTE_ADDR"] = address
    return socketio.test_client(app, namespace="/live", auth=auth, flask_test_client=http)


def test_the_join_page_offers_the_parties_and_the_roster_units(app, ctx):
    meeting = make_meeting(with_roster=True)
    page = app.test_client().get(f"/j/{meeting.join_code}", headers=ZH)
    assert page.status_code == 200
    html = text(page)
    assert "3-2-1002" in html and "业主委员会" in html and 'id="join-form"' in html
    assert f'data-code="{meeting.join_code}"' in html


def test_the_join_page_goes_gzipped_to_browsers_that_take_it(app, ctx):
    meeting = make_meeting(with_roster=True)
    plain = app.test_client().get(f"/j/{meeting.join_code}", headers=ZH)
    packed = app.test_client().get(f"/j/{meeting.join_code}",
                                   headers={**ZH, "Accept-Encoding": "gzip, deflate, br"})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert all("Accept-Encoding" in page.headers["Vary"] for page in (plain, packed))
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 2


def test_a_phone_joins_over_its_socket_waits_in_the_lobby_and_keeps_its_identity(app, ctx):
    meeting = make_meeting(with_roster=True)
    phone = joining_socket(app, join_handshake(meeting, "张建国", "owner", "3-1-101"))
    assert phone.is_connected("/live")
    welcome = welcome_of(phone)
    person = db.session.get(Participant, welcome["participant_id"])
    assert (person.status, person.unit, person.owner_key) == ("lobby", "3-1-101", "P01")
    assert welcome["role"] == "phone" and len(welcome["token"]) >= 30
    assert sync(phone)["me"]["status"] == "lobby"
    phone.disconnect(namespace="/live")
    # Reloading: the page reads the token back from its cookie and reconnects with it.
    again = welcome_of(connect(app, meeting, "phone", token=welcome["token"]))
    assert again["participant_id"] == person.id and "token" not in again
    assert people() == 1


def test_the_phone_page_is_for_the_phone_that_joined_and_never_shows_the_code(app, ctx):
    meeting = make_meeting()
    phone, _ = join_from_phone(app, meeting, "张建国", "observer")
    assert phone.get(f"/m/{meeting.id}/phone").status_code == 200
    stranger = app.test_client().get(f"/m/{meeting.id}/phone", headers=ZH)
    assert stranger.status_code == 403 and "您还没有加入此会议" in text(stranger)
    assert meeting.join_code not in text(stranger)


def test_a_meeting_that_allows_direct_entry_admits_at_once(app, ctx):
    meeting = make_meeting(direct_entry=True)
    _, person_id = join_from_phone(app, meeting, "李四", "observer")
    assert db.session.get(Participant, person_id).status == "admitted"


@pytest.mark.parametrize("answers,message", [
    ({"name": "", "party": "observer"}, "请填写“姓名”"),
    ({"name": None, "party": "observer"}, "请填写“姓名”"),
    ({"name": "张建国", "party": "mayor"}, "“身份”的取值无效"),
    ({"name": "张建国", "party": "owner"}, "业主请选择房号"),
    ({"name": "张建国", "party": "owner", "unit": "9-9-999"}, "房号 9-9-999 不在本议题的业主名册中"),
    ({"name": "张" * 61, "party": "observer"}, "“姓名”太长"),
    ({"name": ["张建国"], "party": "observer"}, "“姓名”"),
])
def test_bad_join_answers_are_refused_with_what_is_wrong_and_add_nobody(app, ctx, answers,
                                                                          message):
    meeting = make_meeting(with_roster=True)
    auth = join_handshake(meeting, **answers)
    assert message in refusal(app, auth)
    assert not joining_socket(app, auth).is_connected("/live")
    assert people() == 0


def test_a_join_sent_twice_adds_one_person_and_the_retry_gets_the_identity(app, ctx):
    meeting = make_meeting()
    auth = join_handshake(meeting, "张建国", "observer", command_id="lost-welcome-01")
    first = joining_socket(app, auth)
    first_welcome = welcome_of(first)
    # The welcome never reached the phone: it reconnects with the same answers.
    retry = joining_socket(app, auth)
    retry_welcome = welcome_of(retry)
    assert retry_welcome["participant_id"] == first_welcome["participant_id"]
    assert people() == 1
    # Only the token of the retry is valid now (it was the same phone).
    assert connect(app, meeting, "phone", token=retry_welcome["token"]).is_connected("/live")
    assert not connect(app, meeting, "phone", token=first_welcome["token"]).is_connected("/live")


def test_a_handshake_with_a_wrong_code_joins_nobody_and_counts_as_a_guess(app, ctx):
    meeting = make_meeting()
    wrong = "999999" if meeting.join_code != "999999" else "888888"
    message = refusal(app, join_handshake(meeting, code=wrong))
    budget = app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]
    assert "会议码不正确" in message and f"还可尝试 {budget - 1} 次" in message
    assert not joining_socket(app, join_handshake(meeting, code=wrong)).is_connected("/live")
    assert people() == 0


def test_guessing_codes_is_blocked_on_the_page_and_the_socket_alike(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "JOIN_CODE_LIMIT_PER_ADDRESS", 10)
    meeting = make_meeting()
    wrong = "999999" if meeting.join_code != "999999" else "888888"
    guesser = app.test_client()
    statuses = [guesser.get(f"/j/{wrong}").status_code for _ in range(9)]
    assert statuses == [404] * 9
    # The tenth wrong guess, over the socket, reaches the limit...
    assert "还可尝试 0 次" in refusal(app, join_handshake(meeting, code=wrong))
    # ...and from then on the right code is refused too, on the socket and on the page.
    assert "尝试次数过多" in refusal(app, join_handshake(meeting))
    blocked = guesser.get(f"/j/{meeting.join_code}", headers=ZH)
    assert blocked.status_code == 429 and "尝试次数过多" in text(blocked)
    assert people() == 0
    # Another address is not affected.
    assert joining_socket(app, join_handshake(meeting), address="10.0.0.2").is_connected("/live")


def test_a_removed_phone_cannot_come_back_with_its_token(app, ctx):
    meeting = make_meeting(direct_entry=True)
    phone, person_id = join_from_phone(app, meeting)
    run(meeting, chair_of(meeting), "participant.remove", {"id": person_id})
    token = phone.get_cookie(phone_cookie_name(meeting.id)).value
    assert "您已被移出会议" in refusal(app, {"meeting_id": meeting.id, "face": "phone",
                                             "token": token})
    assert "您还没有加入此会议" in refusal(app, {"meeting_id": meeting.id, "face": "phone",
                                              "token": "not-a-token"})


def test_a_handshake_can_ask_for_its_catch_up_and_gets_what_sync_would_answer(app, ctx):
    meeting = make_meeting(direct_entry=True)
    auth = {**join_handshake(meeting, "张建国", "observer"), "sync": {"since": None}}
    phone = joining_socket(app, auth)
    caught_up = welcome_of(phone)["sync"]
    asked = sync(phone)  # reads the phone's entry and upvotes from the rows
    assert caught_up["ok"] and caught_up["me"]["name"] == "张建国"
    assert caught_up["me"] == asked["me"] and caught_up["upvoted"] == asked["upvoted"] == []
    assert caught_up["snapshot"] == asked["snapshot"]
    # A reconnect that is up to date gets nothing to apply; a bad `since` is an error answer.
    again = welcome_of(joining_socket(app, auth))  # (the same join, sent again)
    assert again["sync"]["me"] == asked["me"]
    token = again["token"]
    seq = caught_up["snapshot"]["seq"]
    up_to_date = socketio.test_client(app, namespace="/live", auth={
        "meeting_id": meeting.id, "face": "phone", "token": token, "sync": {"since": seq}})
    assert welcome_of(up_to_date)["sync"]["batch"] is None
    bad = socketio.test_client(app, namespace="/live", auth={
        "meeting_id": meeting.id, "face": "phone", "token": token, "sync": {"since": "x"}})
    assert welcome_of(bad)["sync"]["error"]["code"] == "validation.type"


def test_a_phones_welcome_goes_to_its_socket_alone_not_through_the_message_queue(
        app, ctx, monkeypatch):
    """The welcome carries the phone's snapshot; through the message queue between the
    server's processes, every process would decode it and encode it again for nobody (a
    room of phones joining at once: thousands of snapshots)."""
    meeting = make_meeting(direct_entry=True)
    manager = socketio.server.manager
    emitted, emit = [], manager.emit

    def noting(event, data, *args, **kwargs):
        emitted.append((event, kwargs.get("ignore_queue", False)))
        return emit(event, data, *args, **kwargs)
    monkeypatch.setattr(manager, "emit", noting)
    phone = joining_socket(app, {**join_handshake(meeting), "sync": {"since": None}})
    assert welcome_of(phone)["sync"]["snapshot"]["seq"] >= 1
    assert [queued for event, queued in emitted if event == "welcome"] == [True]
