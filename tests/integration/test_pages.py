"""Pages as moderators and residents use them: sign-in, cases, roster, meetings, joining."""
from __future__ import annotations


import pytest

from facilitator.extensions import db
from facilitator.models import Case, Meeting

from tests.factories import (PASSWORD, chair_of, is_join_code,
                             login, make_case, make_meeting, make_user, run)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def moderator_client(app, ctx):
    user = make_user("moderator")
    http = app.test_client()
    login(http, user)
    http.user = user
    return http


def text(response) -> str:
    return response.get_data(as_text=True)


# --- accounts ------------------------------------------------------------------------------

def test_sign_in_and_out(app, ctx):
    user = make_user("clerk")
    http = app.test_client()
    assert http.get("/cases").status_code == 302  # pages for staff need a sign-in
    wrong = http.post("/login", data={"username": user.username, "password": "nope"}, headers=ZH)
    assert wrong.status_code == 401 and "用户名或密码不正确" in text(wrong)
    login(http, user)
    assert http.get("/cases").status_code == 200
    assert http.post("/logout").status_code == 302
    assert http.get("/cases").status_code == 302


def test_passwords_are_stored_hashed(ctx):
    user = make_user("admin")
    assert PASSWORD not in user.password_hash and user.check_password(PASSWORD)


def test_sign_in_redirects_only_within_the_site(app, ctx):
    user = make_user()
    http = app.test_client()
    response = http.post("/login?next=//evil.example/x",
                         data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] == "/cases"


def test_forms_without_a_csrf_token_are_refused(app, ctx):
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post("/login", data={"username": "x", "password": "y"},
                                      headers=EN)
    assert response.status_code == 400 and "form expired" in text(response)


# --- cases and the roster ------------------------------------------------------------------

CASE_FORM = {"number": "JH-2026-001", "title": "3幢地下车库渗漏", "community": "锦华苑小区",
             "source_channel": "letter", "source": "26 位业主联名信", "received_on": "2026-09-03"}


def test_create_edit_list_and_open_a_case(moderator_client):
    response = moderator_client.post("/cases/new", data=CASE_FORM)
    assert response.status_code == 302
    case = db.session.execute(db.select(Case)).scalar_one()
    assert case.received_on.isoformat() == "2026-09-03" and case.created_by_id
    edited = moderator_client.post(f"/cases/{case.id}/edit",
                                   data={**CASE_FORM, "title": "3幢车库顶板渗漏"})
    assert edited.status_code == 302
    assert "3幢车库顶板渗漏" in text(moderator_client.get("/cases"))
    page = text(moderator_client.get(f"/cases/{case.id}"))
    assert "26 位业主联名信" in page and "2026-09-03" in page


@pytest.mark.parametrize("change,message", [
    ({"number": ""}, "请填写“案件编号”"),
    ({"title": "x" * 201}, "“标题”太长"),
    ({"received_on": "2026-13-45"}, "“受理日期”应为日期"),
    ({"source_channel": "pigeon"}, "“来源渠道”的取值无效"),
])
def test_a_bad_case_form_says_what_is_wrong_and_saves_nothing(moderator_client, change, message):
    response = moderator_client.post("/cases/new", data={**CASE_FORM, **change}, headers=ZH)
    assert response.status_code == 400 and message in text(response)
    assert db.session.execute(db.select(db.func.count(Case.id))).scalar() == 0


def test_case_numbers_are_unique(moderator_client):
    moderator_client.post("/cases/new", data=CASE_FORM)
    again = moderator_client.post("/cases/new", data=CASE_FORM, headers=EN)
    assert again.status_code == 400 and "already used" in text(again)


# --- meetings ------------------------------------------------------------------------------

def test_create_open_and_end_a_meeting(moderator_client):
    case = make_case(members=[moderator_client.user])
    response = moderator_client.post(f"/cases/{case.id}/meetings/new", data={
        "title": "协商会", "place": "议事室", "scheduled_start": "2026-12-05T14:30",
        "language": "zh", "moderator_id": moderator_client.user.id})
    assert response.status_code == 302
    meeting = db.session.execute(db.select(Meeting)).scalar_one()
    assert meeting.status == "scheduled" and meeting.join_code is None
    moderator_client.post(f"/meetings/{meeting.id}/open")
    db.session.refresh(meeting)
    assert meeting.status == "live" and is_join_code(meeting.join_code)
    page = text(moderator_client.get(f"/meetings/{meeting.id}"))
    assert f"/j/{meeting.join_code}" in page and f"/p/{meeting.projector_token}" in page
    moderator_client.post(f"/meetings/{meeting.id}/end")
    db.session.refresh(meeting)
    assert meeting.status == "ended" and meeting.join_code is None and meeting.ended_at


def test_a_meeting_language_must_be_zh_or_en(moderator_client):
    case = make_case(members=[moderator_client.user])
    response = moderator_client.post(f"/cases/{case.id}/meetings/new",
                                     data={"title": "x", "language": "fr"})
    assert response.status_code == 400


def test_join_codes_are_unique_among_live_meetings(ctx, monkeypatch):
    codes = iter(["123456", "123456", "654321"])
    monkeypatch.setattr("facilitator.actions.meetings.new_join_code", lambda: next(codes))
    first, second = make_meeting(), make_meeting()
    assert first.join_code == "123456" and second.join_code == "654321"


def test_a_code_is_freed_when_its_meeting_ends(ctx, monkeypatch):
    codes = iter(["123456", "123456"])
    monkeypatch.setattr("facilitator.actions.meetings.new_join_code", lambda: next(codes))
    first = make_meeting()
    run(first, chair_of(first), "meeting.end", {})
    assert make_meeting().join_code == "123456"


def test_the_console_is_only_for_the_meetings_moderator_and_clerk(app, ctx):
    colleague = make_user("moderator")
    meeting = make_meeting(members=[colleague])
    member = app.test_client()
    login(member, colleague)  # works on the case, does not run this meeting
    assert member.get(f"/meetings/{meeting.id}/console").status_code == 403
    stranger = app.test_client()
    login(stranger, make_user("moderator"))  # the case does not exist for them
    assert stranger.get(f"/meetings/{meeting.id}/console").status_code == 404
    admin = app.test_client()
    login(admin, make_user("admin"))
    assert admin.get(f"/meetings/{meeting.id}/console").status_code == 200


def test_the_projector_link_shows_the_meeting_without_controls(app, ctx):
    meeting = make_meeting()
    page = text(app.test_client().get(f"/p/{meeting.projector_token}"))
    assert meeting.title in page and "<button" not in page and "<form" not in page
    assert app.test_client().get("/p/wrong-token").status_code == 404


def test_the_qr_code_is_an_svg_of_the_join_url(app, ctx):
    response = app.test_client().get("/join-qr/123456.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data and b"xmlns" in response.data
    assert app.test_client().get("/join-qr/12345x.svg").status_code == 404


# --- joining from a phone ----------------------------------------------------------------------

def test_typing_the_code_leads_to_the_join_form(app, ctx):
    meeting = make_meeting()
    spaced = meeting.join_code[:3] + " " + meeting.join_code[3:]
    response = app.test_client().post("/join", data={"code": spaced})
    # On to the QR code's link: loading the page and joining take no more tries.
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/j/{meeting.join_code}?k={meeting.join_key}")


def test_join_codes_cannot_be_brute_forced(app, ctx):
    meeting = make_meeting()
    guesser = app.test_client()
    wrong = "999999" if meeting.join_code != "999999" else "888888"
    budget = app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]
    statuses = [guesser.post("/join", data={"code": wrong}, headers=ZH).status_code
                for _ in range(budget + 1)]
    assert statuses[:budget] == [404] * budget and statuses[budget] == 429
    blocked = guesser.get(f"/j/{meeting.join_code}", headers=ZH)
    assert blocked.status_code == 429 and "尝试次数过多" in text(blocked)
    # Another address is not affected.
    other = app.test_client().get(f"/j/{meeting.join_code}",
                                  environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200


def test_a_badly_formed_code_is_explained(app, ctx):
    response = app.test_client().post("/join", data={"code": "12ab"}, headers=EN)
    assert response.status_code == 400 and "6 digits" in text(response)


def test_an_ended_meeting_cannot_be_joined(app, ctx):
    meeting = make_meeting()
    code = meeting.join_code
    run(meeting, chair_of(meeting), "meeting.end", {})
    ended = app.test_client().get(f"/j/{code}", headers=EN)
    assert ended.status_code == 410 and "has ended" in text(ended)


# --- languages and errors ---------------------------------------------------------------------

def test_chinese_browsers_get_chinese_and_every_page_can_switch(app, ctx):
    http = app.test_client()
    assert "加入协商会议" in text(http.get("/", headers=ZH))
    assert "Join a consultation meeting" in text(http.get("/", headers=EN))
    switched = http.get("/?lang=en", headers=ZH)
    assert "Join a consultation meeting" in text(switched)
    assert "lang=en" in switched.headers["Set-Cookie"]
    assert "Join a consultation meeting" in text(http.get("/", headers=ZH))  # remembered
    assert "?lang=zh" in text(http.get("/"))


def test_unknown_pages_and_bad_ids_are_a_polite_404(moderator_client):
    for path in ("/cases/999", "/meetings/999", "/meetings/999/console", "/nowhere"):
        response = moderator_client.get(path, headers=ZH)
        assert response.status_code == 404 and "页面不存在" in text(response)


def test_an_unexpected_error_is_a_polite_page_not_a_traceback(app, ctx, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr("facilitator.web.cases.render_template", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = app.test_client().get("/", headers=EN)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500 and "nothing was saved" in text(response)


def test_editing_a_case_updates_the_screens_of_its_live_meeting(moderator_client):
    from facilitator.live.snapshot import snapshot_for
    meeting = make_meeting(members=[moderator_client.user], moderator=moderator_client.user)
    case = meeting.case
    moderator_client.post(f"/cases/{case.id}/edit", data={
        "number": case.number, "title": "3幢车库顶板渗漏（更正）", "community": case.community})
    assert snapshot_for(meeting.id, "projector")["case"]["title"] == "3幢车库顶板渗漏（更正）"


def test_a_typed_meeting_time_is_local_time_and_stored_in_utc(moderator_client):
    case = make_case(members=[moderator_client.user])
    moderator_client.post(f"/cases/{case.id}/meetings/new", data={
        "title": "协商会", "scheduled_start": "2026-12-05T14:30", "language": "zh"})
    meeting = db.session.execute(db.select(Meeting)).scalar_one()
    assert meeting.scheduled_start.isoformat() == "2026-12-05T06:30:00"  # Asia/Shanghai
    assert "2026-12-05 14:30" in text(moderator_client.get(f"/meetings/{meeting.id}"))


def test_an_unknown_form_field_is_named_as_sent(app, ctx):
    from facilitator.errors import DomainError
    from facilitator.i18n import describe_error
    message = describe_error(DomainError("validation.unknown_field", field="colour"), "en")
    assert message == "Unknown field: colour."
    assert describe_error(DomainError("validation.range", field="minutes", min=1, max=480),
                          "zh") == "“时长（分钟）”应在 1 到 480 之间。"
