"""Hostile input, through the surface where each was found (issue 13, item 1): ids of 2^63 and
more, odd numbers and lone surrogates are refused with the usual errors (404, a DomainError),
never a 500 or `error.server`; a minutes text holding characters a format cannot carry
(a lone surrogate, a NUL) still renders in every format."""
from __future__ import annotations

import pytest

from facilitator.extensions import db, socketio
from facilitator.models import Meeting, MeetingEvent

from tests.factories import command, connect, login, make_meeting, make_user

TOO_BIG = 2**63  # one more than SQLite's largest integer
PG_TOO_BIG = 2**31  # one more than the largest id PostgreSQL's INTEGER columns hold


@pytest.fixture
def chair(app, ctx):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    http = app.test_client()
    login(http, moderator)
    console = connect(app, meeting, "console", http)
    assert console.is_connected("/live")
    console.get_received("/live")
    return meeting, http, console


def last_seq(meeting_id: int) -> int:
    db.session.rollback()
    return db.session.get(Meeting, meeting_id).last_seq


@pytest.mark.parametrize("path", [
    f"/meetings/{TOO_BIG}", f"/meetings/{TOO_BIG}/console", f"/cases/{TOO_BIG}",
    f"/cases/{10**30}/roster", f"/m/{TOO_BIG}/phone", f"/meetings/{TOO_BIG}/minutes.docx",
    "/meetings/" + "9" * 5000, "/meetings/0", "/meetings/-1", f"/meetings/{PG_TOO_BIG}",
    f"/cases/{PG_TOO_BIG}/roster",
])
def test_a_page_with_an_id_out_of_range_is_not_found(app, ctx, path):
    http = app.test_client()
    login(http, make_user("admin"))
    assert http.get(path).status_code == 404


def test_an_api_route_with_an_id_out_of_range_is_not_found_in_the_api_shape(app, ctx):
    user = make_user("admin")
    token = user.issue_api_token()
    db.session.commit()
    for path in (f"/api/v1/cases/{TOO_BIG}", f"/api/v1/meetings/{TOO_BIG}/events",
                 f"/api/v1/cases/{10**30}/meetings", f"/api/v1/meetings/{PG_TOO_BIG}"):
        response = app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 404, path
        assert response.json["error"]["code"] == "error.not_found"


@pytest.mark.parametrize("query", ["version=" + "9" * 5000, f"version={TOO_BIG}",
                                   "page=" + "9" * 5000])
def test_a_query_number_out_of_range_is_no_server_error(app, ctx, query):
    admin = make_user("admin")
    meeting = make_meeting()
    http = app.test_client()
    login(http, admin)
    assert http.get(f"/cases/{meeting.case_id}/roster?{query}").status_code < 500


@pytest.mark.parametrize("meeting_id", [TOO_BIG, PG_TOO_BIG])
@pytest.mark.parametrize("face,extra", [("console", {}), ("projector", {"token": "x" * 20}),
                                        ("phone", {"token": "x" * 20})])
def test_a_handshake_for_a_meeting_id_out_of_range_is_refused_as_not_found(app, ctx, face,
                                                                         extra, meeting_id):
    moderator = make_user("moderator")
    http = app.test_client()
    login(http, moderator)
    sock = socketio.test_client(app, namespace="/live", flask_test_client=http,
                                auth={"meeting_id": meeting_id, "face": face, **extra})
    assert not sock.is_connected("/live")


@pytest.mark.parametrize("type_,payload,code", [
    ("agenda.start", {"id": TOO_BIG}, "validation.range"),
    ("checkin.relabel", {"id": PG_TOO_BIG, "party": "owners_committee"}, "validation.range"),
    ("participant.admit", {"id": "99999999999999999999"}, "validation.range"),
    ("participant.admit", {"id": "9" * 5000}, "validation.type"),
    ("participant.admit", {"id": float("nan")}, "validation.type"),
    ("participant.admit", {"id": 1e30}, "validation.type"),
    ("participant.admit", {"id": 1.0}, "validation.type"),
    ("participant.admit", {"id": True}, "validation.type"),
    ("agenda.reorder", {"ids": [TOO_BIG]}, "validation.range"),
    ("agenda.add", {"title": "a\ud800b", "minutes": 5}, "validation.control_chars"),
    ("agenda.add", {"title": "a\x85b", "minutes": 5}, "validation.control_chars"),
    ("agenda.add", {"title": "a\x7fb", "minutes": 5}, "validation.control_chars"),
    ("participant.add", {"name": "张\udfff", "party": "observer"}, "validation.control_chars"),
    ("vote.create", {"kind": "straw_poll", "method": "single", "title": "x",
                     "plans": ["\ud800"]}, "validation.item"),
])
def test_odd_numbers_and_lone_surrogates_in_commands_are_refused_not_server_errors(
        chair, type_, payload, code):
    meeting, _, console = chair
    before = last_seq(meeting.id)
    ack = command(console, type_, payload)
    assert ack["ok"] is False and ack["error"]["code"] == code, ack
    assert ack["error"]["message"]
    assert last_seq(meeting.id) == before


def test_a_command_id_with_a_lone_surrogate_is_refused(chair):
    meeting, _, console = chair
    ack = command(console, "agenda.add", {"title": "x", "minutes": 5}, "abcdefgh\ud800")
    assert ack["ok"] is False and ack["error"]["code"] == "command.bad_id"


def test_text_is_stored_nfc_normalised(chair):
    meeting, _, console = chair
    ack = command(console, "agenda.add", {"title": "Cafe\u0301", "minutes": 5})
    assert ack["ok"], ack
    from facilitator.models import AgendaItem
    assert db.session.get(AgendaItem, ack["result"]["item_id"]).title == "Caf\u00e9"


FORMATS = ("md", "html", "json", "pdf", "docx")


def test_a_lone_surrogate_in_the_clerks_minutes_text_still_gives_every_format(chair):
    meeting, http, console = chair
    ack = command(console, "minutes.write", {"section": "summary", "text": "总结\ud800完毕"})
    assert ack["ok"], ack
    for fmt in FORMATS:
        response = http.get(f"/meetings/{meeting.id}/minutes.{fmt}")
        assert response.status_code == 200, fmt
    assert "总结\ufffd完毕" in http.get(f"/meetings/{meeting.id}/minutes.md").get_data(
        as_text=True)


def test_a_nul_in_the_minutes_title_still_gives_the_docx(chair):
    meeting, http, console = chair
    ack = command(console, "minutes.write", {"section": "title", "text": "会议\x00纪要"})
    assert ack["ok"], ack
    response = http.get(f"/meetings/{meeting.id}/minutes.docx")
    assert response.status_code == 200
    assert "会议纪要" in http.get(f"/meetings/{meeting.id}/minutes.md").get_data(as_text=True)


def test_minutes_text_stored_before_the_checks_is_cleaned_when_rendered(chair):
    """Events written before the validation existed may hold any character JSON can carry."""
    meeting, http, console = chair
    seq = last_seq(meeting.id) + 1
    db.session.add(MeetingEvent(meeting_id=meeting.id, seq=seq, type="minutes.written",
                                data={"section": "title", "text": "旧\ud800纪要\x00\x0b"},
                                changes=[], result={}, actor="user:1",
                                command_id="legacy-0001", at_ms=1))
    db.session.execute(db.update(Meeting).where(Meeting.id == meeting.id).values(last_seq=seq))
    db.session.commit()
    for fmt in FORMATS:
        assert http.get(f"/meetings/{meeting.id}/minutes.{fmt}").status_code == 200, fmt
    assert http.get(f"/meetings/{meeting.id}/minutes/draft.json").status_code == 200
    assert command(console, "meeting.end")["ok"]
    ack = command(console, "minutes.finalise", {})
    assert ack["ok"], ack
    for fmt in FORMATS:
        assert http.get(f"/meetings/{meeting.id}/minutes.{fmt}").status_code == 200, fmt


def test_a_nul_anywhere_in_a_request_is_refused_in_the_users_language(app, ctx):
    """PostgreSQL cannot store or even compare a text holding a NUL: a projector token, a
    login name or a search with one gave a 500 there."""
    meeting = make_meeting()
    http = app.test_client()
    assert http.get("/p/abc%00def").status_code == 404
    assert http.post("/login", data={"username": "admin\x00", "password": "x"}).status_code == 400
    login(http, make_user("admin"))
    zh = http.get(f"/cases/{meeting.case_id}/roster?q=a%00", headers={"Accept-Language": "zh"})
    en = http.get(f"/cases/{meeting.case_id}/roster?q=a%00", headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 400
    assert "含有不允许的字符" in zh.get_data(as_text=True)
    assert "contains characters that are not allowed" in en.get_data(as_text=True)
