"""Written authorisations entered as a list: previewed line by line, recorded all or none,
for the whole meeting or for one vote."""
from __future__ import annotations

import io

import pytest

from facilitator.actions import Actor, execute
from facilitator.actions.votes import phone_ballot_status
from facilitator.extensions import db
from facilitator.models import CaseMember, Proxy

from tests.factories import chair_of, login, make_meeting, make_user, run

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def room(app, ctx):
    meeting = make_meeting(with_roster=True, direct_entry=True)
    chair = chair_of(meeting)
    people = {}
    for name, party in (("宋宇", "observer"), ("高峰", "developer"), ("王芳", "community")):
        people[name] = run(meeting, Actor(role="visitor"), "participant.join",
                           {"name": name, "party": party})["participant_id"]
    vote_id = run(meeting, chair, "vote.create", {
        "kind": "owners_decision", "method": "yes_no", "title": "使用维修资金",
        "matters": ["use_fund"]})["vote_id"]
    client = app.test_client()
    login(client, db.session.get(type(meeting.moderator), meeting.moderator_id))
    return meeting, client, people, vote_id


def proxies(meeting) -> list[Proxy]:
    db.session.expire_all()
    return list(db.session.execute(db.select(Proxy).filter_by(meeting_id=meeting.id)
                                   .order_by(Proxy.id)).scalars())


def text(response) -> str:
    return response.get_data(as_text=True)


LIST = "委托人,受托人,委托书,表决\n3-1-402，宋宇，书面委托书 2026-12-01\nP38\t高峰\t授权委托书（未售房屋）\t1\n"


def test_a_pasted_list_is_previewed_then_recorded(room):
    meeting, client, people, vote_id = room
    shown = client.post(f"/meetings/{meeting.id}/proxies", data={"list": LIST}, headers=ZH)
    page = text(shown)
    assert shown.status_code == 200 and 'data-testid="proxies-record"' in page
    assert "宋海燕 3-1-402" in page and "锦华置业有限公司 3-2-1001、3-2-1002" in page
    assert proxies(meeting) == []  # a preview records nothing
    recorded = client.post(f"/meetings/{meeting.id}/proxies/record", data={"list": LIST},
                           headers=ZH)
    assert recorded.status_code == 302
    first, second = proxies(meeting)
    assert (first.owner_key, first.participant_id, first.vote_id) == ("P07", people["宋宇"], None)
    assert (second.owner_key, second.participant_id, second.vote_id) == (
        "P38", people["高峰"], vote_id)
    assert second.note == "授权委托书（未售房屋）"


def test_every_problem_is_shown_and_nothing_is_recorded(room):
    meeting, client, people, _ = room
    bad = ("9-9-999,宋宇,委托书\n"      # not on the roster
           "3-1-101,李四,委托书\n"      # nobody of that name here
           "3-1-402,宋宇,委托书\n"
           "P07,王芳,委托书\n"          # the same owner twice
           "3-1-102,王芳,委托书,7\n"    # no vote 7
           "3-1-201,王芳\n")            # no note
    shown = client.post(f"/meetings/{meeting.id}/proxies", data={"list": bad}, headers=ZH)
    page = text(shown)
    assert shown.status_code == 400 and 'data-testid="proxies-record"' not in page
    for expected in ("名册中没有“9-9-999”", "会场中没有“李四”", "业主 P07 的委托已由他人持有",
                     "没有可登记委托的第 7 项表决", "第 6 行：至少需要业主、受托人、委托书说明三项"):
        assert expected in page, expected
    forced = client.post(f"/meetings/{meeting.id}/proxies/record", data={"list": bad})
    assert forced.status_code == 400 and proxies(meeting) == []


def test_a_list_in_a_gbk_csv_file_is_read(room):
    meeting, client, people, _ = room
    data = "3-1-402,宋宇,书面委托书\n".encode("gbk")
    shown = client.post(f"/meetings/{meeting.id}/proxies", headers=ZH,
                        data={"file": (io.BytesIO(data), "委托.csv")},
                        content_type="multipart/form-data")
    assert shown.status_code == 200 and "宋海燕 3-1-402" in text(shown)


def test_an_authorisation_for_one_vote_is_not_used_in_another(room):
    meeting, client, people, vote_id = room
    chair = chair_of(meeting)
    proxy_id = run(meeting, chair, "proxy.record", {"participant_id": people["高峰"],
                                                     "owner_key": "P38", "note": "授权委托书",
                                                     "vote_id": vote_id})["proxy_id"]
    other = run(meeting, chair, "vote.create", {"kind": "straw_poll", "method": "yes_no",
                                                 "title": "是否延期"})["vote_id"]
    for vote in (vote_id, other):
        run(meeting, chair, "vote.open", {"id": vote})
        holder = Actor(role="phone", participant_id=people["高峰"])
        status = phone_ballot_status(meeting.id, people["高峰"])[str(vote)]
        if vote == vote_id:
            assert [i["proxy_id"] for i in status] == [None, proxy_id]
            assert run(meeting, holder, "ballot.cast", {"vote_id": vote, "choices": ["yes"],
                                                        "proxy_id": proxy_id})
        else:
            assert [i["proxy_id"] for i in status] == [None]
            refused = execute(meeting.id, holder, "ballot.cast",
                              {"vote_id": vote, "choices": ["yes"], "proxy_id": proxy_id})
            assert refused.error.code == "proxy.other_vote"
        run(meeting, chair, "vote.close", {"id": vote})


def test_only_the_meetings_chair_records_lists(app, room):
    meeting, _, _, _ = room
    stranger = app.test_client()
    login(stranger, make_user("moderator"))
    assert stranger.post(f"/meetings/{meeting.id}/proxies", data={"list": LIST}).status_code == 404
    colleague = make_user("clerk")
    db.session.add(CaseMember(case_id=meeting.case_id, user_id=colleague.id))
    db.session.commit()
    member = app.test_client()
    login(member, colleague)
    assert member.post(f"/meetings/{meeting.id}/proxies/record",
                       data={"list": LIST}).status_code == 403
    assert proxies(meeting) == []
