"""Who sees a case: administrators and the staff who work on it (its members). To everyone
else the case, its roster, meetings, join codes and minutes do not exist (404)."""
from __future__ import annotations

import io

import pytest

from facilitator.extensions import db, socketio
from facilitator.models import Case, CaseMember, Meeting, RosterUpload, RosterVersion

from tests.factories import (login, make_action_item, make_case, make_meeting,
                             make_user, run, chair_of)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    client.user = user
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def test_staff_who_do_not_work_on_a_case_find_nothing_of_it(app, ctx):
    """The finding: every signed-in user could read and edit every case and its roster, even
    upload a roster while its owners' decision was open."""
    meeting = make_meeting(with_roster=True)
    case = meeting.case
    item = make_action_item(case, meeting)
    stranger = signed_in(app, make_user("clerk"))
    assert case.number not in text(stranger.get("/cases"))
    for path in (f"/cases/{case.id}", f"/cases/{case.id}/edit", f"/cases/{case.id}/roster",
                 f"/cases/{case.id}/roster/compare", f"/cases/{case.id}/meetings/new",
                 f"/cases/{case.id}/action-items/{item.id}", f"/meetings/{meeting.id}",
                 f"/meetings/{meeting.id}/console", f"/meetings/{meeting.id}/minutes.pdf",
                 f"/meetings/{meeting.id}/minutes/draft.json"):
        assert stranger.get(path).status_code == 404, path
    posts = {f"/cases/{case.id}/roster/preview": {
                 "roster": (io.BytesIO(b"unit,area_m2,owner,owner_key,note\n1,1,a,b,\n"), "x.csv")},
             f"/cases/{case.id}/roster/import": {"upload": "0" * 32},
             f"/cases/{case.id}/edit": {"number": case.number, "title": "改", "community": "x"},
             f"/cases/{case.id}/transitions": {"event": "start_screening"},
             f"/cases/{case.id}/feedback": {"told_on": "2026-12-05", "told_via": "visit",
                                            "told_by": "x", "satisfaction": "satisfied"},
             f"/cases/{case.id}/members": {"username": stranger.user.username},
             f"/meetings/{meeting.id}/end": {}}
    for path, data in posts.items():
        assert stranger.post(path, data=data).status_code == 404, path
    db.session.expire_all()
    assert db.session.get(Case, case.id).title == "车库渗漏" and case.status == "received"
    assert db.session.get(Meeting, meeting.id).status == "live"
    assert db.session.execute(db.select(RosterUpload)).first() is None
    assert [v.number for v in db.session.execute(db.select(RosterVersion)).scalars()] == [1]
    board = text(stranger.get("/board"))
    assert case.number not in board and f'data-item="{item.id}"' not in board


def test_the_staff_who_work_on_a_case_and_administrators_see_it(app, ctx):
    colleague = make_user("clerk")
    meeting = make_meeting(members=[colleague])
    for user in (colleague, make_user("admin")):
        client = signed_in(app, user)
        assert meeting.case.number in text(client.get("/cases"))
        assert client.get(f"/cases/{meeting.case_id}").status_code == 200
        assert client.get(f"/meetings/{meeting.id}").status_code == 200


def test_the_console_socket_of_a_case_one_does_not_work_on_does_not_open(app, ctx):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    for user, opens in ((make_user("moderator"), False), (moderator, True)):
        sock = socketio.test_client(app, namespace="/live",
                                    flask_test_client=signed_in(app, user),
                                    auth={"meeting_id": meeting.id, "face": "console"})
        assert sock.is_connected("/live") is opens
        if opens:
            sock.disconnect(namespace="/live")


# --- members -------------------------------------------------------------------------------

def test_the_creator_adds_and_removes_who_works_on_the_case(app, ctx):
    creator = signed_in(app, make_user("moderator"))
    created = creator.post("/cases/new", data={"number": "JH-2026-020", "title": "电梯更新",
                                               "community": "锦华苑小区"})
    assert created.status_code == 302
    case = db.session.execute(db.select(Case).filter_by(number="JH-2026-020")).scalar_one()
    clerk_user = make_user("clerk")
    clerk = signed_in(app, clerk_user)
    assert clerk.get(f"/cases/{case.id}").status_code == 404
    added = creator.post(f"/cases/{case.id}/members", data={"username": clerk_user.username},
                         headers=ZH)
    assert added.status_code == 302
    assert clerk.get(f"/cases/{case.id}").status_code == 200
    page = text(creator.get(f"/cases/{case.id}", headers=ZH))
    assert f'data-member="{clerk_user.id}"' in page and "创建人" in page
    # A member who did not create the case cannot change who works on it.
    third = make_user("moderator")
    refused = clerk.post(f"/cases/{case.id}/members", data={"username": third.username},
                         headers=ZH)
    assert refused.status_code == 400 and "只有管理员和案件创建人可以调整案件成员" in text(refused)
    assert not _member(case, third)
    assert "name=\"username\"" not in text(clerk.get(f"/cases/{case.id}"))  # no form offered
    unknown = creator.post(f"/cases/{case.id}/members", data={"username": "nobody"},
                           headers=EN)
    assert unknown.status_code == 400 and "There is no staff user “nobody”." in text(unknown)
    again = creator.post(f"/cases/{case.id}/members", data={"username": clerk_user.username},
                         headers=ZH)
    assert again.status_code == 400 and "已能查看本案件" in text(again)
    creator_removed = creator.post(f"/cases/{case.id}/members/{creator.user.id}/remove",
                                   headers=ZH)
    assert creator_removed.status_code == 400 and "案件创建人不能被移出" in text(creator_removed)
    assert creator.post(f"/cases/{case.id}/members/{clerk_user.id}/remove").status_code == 302
    assert clerk.get(f"/cases/{case.id}").status_code == 404


def _member(case, user) -> bool:
    return db.session.execute(db.select(CaseMember).filter_by(
        case_id=case.id, user_id=user.id)).first() is not None


def test_who_runs_a_meeting_cannot_be_removed_until_it_ends(app, ctx):
    admin = signed_in(app, make_user("admin"))
    clerk = make_user("clerk")
    meeting = make_meeting(clerk=clerk)
    refused = admin.post(f"/cases/{meeting.case_id}/members/{clerk.id}/remove", headers=ZH)
    assert refused.status_code == 400 and "正在主持或记录会议“协商会”" in text(refused)
    assert _member(meeting.case, clerk)
    run(meeting, chair_of(meeting), "meeting.end", {})
    assert admin.post(f"/cases/{meeting.case_id}/members/{clerk.id}/remove").status_code == 302
    assert not _member(meeting.case, clerk)


def test_a_meeting_is_run_by_staff_who_work_on_the_case(app, ctx):
    member = signed_in(app, make_user("moderator"))
    case = make_case(members=[member.user])
    outsider = make_user("clerk")
    refused = member.post(f"/cases/{case.id}/meetings/new", headers=ZH, data={
        "title": "协商会", "moderator_id": member.user.id, "clerk_id": outsider.id})
    assert refused.status_code == 400 and f"{outsider.display_name} 不是本案件的成员" in text(refused)
    assert db.session.execute(db.select(Meeting)).first() is None
    form = text(member.get(f"/cases/{case.id}/meetings/new"))
    assert outsider.display_name not in form  # only the case's people are offered
    admin = signed_in(app, make_user("admin"))
    assert admin.post(f"/cases/{case.id}/meetings/new", data={
        "title": "协商会", "moderator_id": member.user.id, "clerk_id": outsider.id}
    ).status_code == 302
    assert _member(case, outsider)  # an administrator's choice gives access


# --- the API -------------------------------------------------------------------------------

def _token(user, read_only=False) -> dict:
    token = user.issue_api_token(read_only=read_only)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_an_api_token_reads_only_the_cases_of_its_user(app, ctx):
    """The finding: any user's token read every meeting's join code and participant list."""
    meeting = make_meeting()
    client = app.test_client()
    stranger = _token(make_user("moderator"))
    assert client.get("/api/v1/cases", headers=stranger).json["cases"] == []
    for path in (f"/api/v1/cases/{meeting.case_id}", f"/api/v1/cases/{meeting.case_id}/meetings",
                 f"/api/v1/meetings/{meeting.id}", f"/api/v1/meetings/{meeting.id}/snapshot",
                 f"/api/v1/meetings/{meeting.id}/events",
                 f"/api/v1/cases/{meeting.case_id}/transitions",
                 f"/api/v1/cases/{meeting.case_id}/action-items"):
        answer = client.get(path, headers=stranger)
        assert answer.status_code == 404 and meeting.join_code not in answer.get_data(as_text=True)
    own = _token(db.session.get(type(meeting.moderator), meeting.moderator_id))
    assert client.get(f"/api/v1/meetings/{meeting.id}", headers=own).json["join_code"] \
        == meeting.join_code
    posted = client.post(f"/api/v1/cases/{meeting.case_id}/meetings", headers=stranger,
                         json={"title": "x"})
    assert posted.status_code == 404


def test_a_read_only_token_reads_and_changes_nothing(app, ctx):
    user = make_user("moderator")
    case = make_case(members=[user])
    headers = _token(user, read_only=True)
    client = app.test_client()
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 200
    created = client.post("/api/v1/cases", headers={**headers, **EN},
                          json={"number": "RO-1", "title": "x", "community": "y"})
    assert created.status_code == 403
    assert created.json["error"] == {"code": "auth.read_only_token",
                                     "message": "This API token may only read, not change anything."}
    meeting = client.post(f"/api/v1/cases/{case.id}/meetings", headers=headers,
                          json={"title": "x"})
    assert meeting.status_code == 403
    assert db.session.execute(db.select(Case).filter_by(number="RO-1")).first() is None
    assert db.session.execute(db.select(Meeting)).first() is None


@pytest.mark.parametrize("role", ["moderator", "clerk"])
def test_a_case_created_through_the_api_belongs_to_the_tokens_user(app, ctx, role):
    user = make_user(role)
    client = app.test_client()
    created = client.post("/api/v1/cases", headers=_token(user),
                          json={"number": f"API-{role}", "title": "x", "community": "y"})
    assert created.status_code == 201
    assert _member(db.session.get(Case, created.json["id"]), user)
