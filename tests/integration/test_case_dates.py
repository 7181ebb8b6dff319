"""Dates users type must fit the case's own story, on any day the app runs.

Each test runs on the test session's day and on the days where calendar bugs show (a leap day,
31 December 23:59 in Shanghai, a year on): every date below is relative to that "today".
A refusal says why in the user's language and changes nothing.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from facilitator.extensions import db
from facilitator.models import ActionItem, Case, Meeting
from facilitator.models.case_record import ActionItemUpdate, CaseFeedback

from tests.factories import (command, connect, login, make_action_item, make_case,
                             make_meeting, make_user)
from tests.frozen_time import SHANGHAI, SHIFTED_NOWS, TEST_NOW

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture(params=(TEST_NOW, *SHIFTED_NOWS), ids=lambda now: now.strftime("%Y-%m-%d %H:%M"))
def today(request, time_machine) -> date:
    """The day the user types on, in Shanghai."""
    time_machine.move_to(request.param)
    return datetime.now(SHANGHAI).date()


@pytest.fixture
def http(app, ctx, today):
    client = app.test_client()
    client.user = make_user("moderator")
    login(client, client.user)
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def iso(day: date) -> str:
    return day.isoformat()


def days(n: int) -> timedelta:
    return timedelta(days=n)


# --- progress reports ------------------------------------------------------------------------

def report(http, item, headers=ZH, **values):
    data = {"reported_on": iso(datetime.now(SHANGHAI).date()), "note": "进展", **values}
    return http.post(f"/cases/{item.case_id}/action-items/{item.id}/updates", data=data,
                     headers=headers)


def updates_of(item) -> list:
    return list(db.session.execute(db.select(ActionItemUpdate).filter_by(
        action_item_id=item.id)).scalars())


def test_a_report_dated_before_its_item_was_agreed_is_refused(http, today):
    """The finding: the case was received today, a report dated yesterday sorted first."""
    case = make_case(members=[http.user])
    item = make_action_item(case)
    refused = report(http, item, reported_on=iso(today - days(1)), status="in_progress")
    assert refused.status_code == 400
    assert f"“进展日期”不能早于该事项议定的日期（{iso(today)}）。" in text(refused)
    english = report(http, item, EN, reported_on=iso(today - days(1)))
    assert f"“Date of the progress” cannot be before the item was agreed ({iso(today)})." \
        in text(english)
    assert updates_of(item) == [] and db.session.get(ActionItem, item.id).status == "open"
    assert report(http, item, reported_on=iso(today)).status_code == 302
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    kinds = re.findall(r'data-kind="([a-z]+)"', page[page.index('data-testid="timeline"'):])
    assert kinds[0] == "received" and kinds.index("item") < kinds.index("update")


def test_a_report_dated_tomorrow_is_refused(http, today):
    item = make_action_item(make_case(members=[http.user]))
    refused = report(http, item, reported_on=iso(today + days(1)))
    assert refused.status_code == 400 and "“进展日期”不能晚于今天。" in text(refused)
    assert updates_of(item) == []


def test_a_report_on_an_item_agreed_at_an_earlier_meeting_may_carry_any_day_since(
        http, today, time_machine):
    now = datetime.now(SHANGHAI)
    time_machine.move_to(now - days(30))
    meeting = make_meeting(members=[http.user])  # opened 30 days ago
    item = make_action_item(meeting.case, meeting)
    time_machine.move_to(now)
    assert report(http, item, reported_on=iso(today - days(31))).status_code == 400
    assert report(http, item, reported_on=iso(today - days(30))).status_code == 302
    assert report(http, item, reported_on=iso(today - days(3))).status_code == 302


# --- feedback --------------------------------------------------------------------------------

def test_feedback_before_the_case_was_received_is_refused(http, today):
    case = make_case(members=[http.user], received_on=iso(today - days(10)))
    data = {"told_via": "visit", "told_by": "陈立华", "satisfaction": "satisfied"}
    refused = http.post(f"/cases/{case.id}/feedback", headers=ZH,
                        data={**data, "told_on": iso(today - days(11))})
    assert refused.status_code == 400
    assert f"“反馈日期”不能早于案件受理日期（{iso(today - days(10))}）。" in text(refused)
    assert db.session.execute(db.select(CaseFeedback)).first() is None
    assert http.post(f"/cases/{case.id}/feedback", headers=ZH,
                     data={**data, "told_on": iso(today - days(10))}).status_code == 302


# --- the case's own dates ----------------------------------------------------------------------

def case_form(http, case=None, **values):
    data = {"number": "JH-2026-001", "title": "车库渗漏", "community": "锦华苑小区", **values}
    path = f"/cases/{case.id}/edit" if case else "/cases/new"
    return http.post(path, data=data, headers=ZH)


@pytest.mark.parametrize("dates,message", [
    ({"received_on": 1}, "“受理日期”不能晚于今天。"),
    ({"delivered_on": 1}, "“交付日期”不能晚于今天。"),
    ({"completion_accepted_on": -10, "delivered_on": -11},
     "“交付日期”不能早于“竣工验收日期”（{-10}）。"),
    ({"completion_accepted_on": -10, "warranty_end_on": -20},
     "“保修期满日期”不能早于“竣工验收日期”（{-10}）。"),
    ({"first_report_on": -5, "received_on": -6}, "“受理日期”不能早于“首次报修日期”（{-5}）。"),
])
def test_case_dates_that_contradict_each_other_are_refused(http, today, dates, message):
    values = {field: iso(today + days(offset)) for field, offset in dates.items()}
    message = re.sub(r"\{(-?\d+)\}", lambda m: iso(today + days(int(m.group(1)))), message)
    refused = case_form(http, **values)
    assert refused.status_code == 400 and message in text(refused)
    assert db.session.execute(db.select(Case)).first() is None


def test_consistent_case_dates_are_kept(http, today):
    values = {"first_report_on": -800, "received_on": -90, "completion_accepted_on": -2000,
              "delivered_on": -1800, "warranty_end_on": 30}
    assert case_form(http, **{f: iso(today + days(n)) for f, n in values.items()}
                     ).status_code == 302
    case = db.session.execute(db.select(Case)).scalar_one()
    assert case.received_on == today - days(90) and case.warranty_end_on == today + days(30)


def test_the_received_day_cannot_move_after_what_the_record_already_holds(
        http, today, time_machine):
    now = datetime.now(SHANGHAI)
    time_machine.move_to(now - days(5))
    meeting = make_meeting(members=[http.user])  # held five days ago
    time_machine.move_to(now)
    case = meeting.case
    refused = case_form(http, case, number=case.number, received_on=iso(today - days(2)))
    assert refused.status_code == 400
    assert f"“受理日期”不能晚于案件记录中已有的最早日期（{iso(today - days(5))}）。" \
        in text(refused)
    db.session.expire_all()
    assert db.session.get(Case, case.id).received_on is None
    assert case_form(http, case, number=case.number,
                     received_on=iso(today - days(5))).status_code == 302


def test_a_meeting_cannot_be_scheduled_before_the_case_was_received(http, today):
    case = make_case(members=[http.user], received_on=iso(today - days(3)))
    data = {"title": "协商会", "scheduled_start": f"{iso(today - days(4))}T14:30"}
    refused = http.post(f"/cases/{case.id}/meetings/new", data=data, headers=ZH)
    assert refused.status_code == 400
    assert f"“计划开始时间”不能早于案件受理日期（{iso(today - days(3))}）。" in text(refused)
    assert db.session.execute(db.select(Meeting)).first() is None
    data["scheduled_start"] = f"{iso(today - days(3))}T09:00"
    assert http.post(f"/cases/{case.id}/meetings/new", data=data, headers=ZH).status_code == 302


# --- agreed items ------------------------------------------------------------------------------

def test_an_agreed_item_cannot_be_due_before_its_meeting(app, ctx, today):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    moderator_http = app.test_client()
    login(moderator_http, moderator)
    console = connect(app, meeting, "console", moderator_http)
    item = {"what": "开发商修复顶板防水层", "party": "developer"}
    refused = command(console, "action_item.add", {**item, "due": iso(today - days(1))})
    assert refused["ok"] is False and refused["error"]["code"] == "date.before_meeting"
    assert refused["error"]["message"] == f"“完成时限”不能早于会议日期（{iso(today)}）。"
    assert db.session.execute(db.select(ActionItem)).first() is None
    added = command(console, "action_item.add", {**item, "due": iso(today)})
    assert added["ok"]
    edited = command(console, "action_item.edit", {"id": added["result"]["action_item_id"],
                                                   "due": iso(today - days(7))})
    assert edited["ok"] is False and edited["error"]["code"] == "date.before_meeting"
    assert db.session.get(ActionItem, added["result"]["action_item_id"]).due_on == today
