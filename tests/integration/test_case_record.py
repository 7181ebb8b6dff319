"""The case record through its pages: the life cycle (every path, reasons, refusals), the
timeline, the follow-up of agreed items with their flags, the board, feedback, and the API.

Every refusal is checked twice: the user is told in their language, and nothing changed."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from facilitator.catalogue import has_message
from facilitator.domain.case_lifecycle import Event, allowed_transitions
from facilitator.extensions import db
from facilitator.models import ActionItem, Case
from facilitator.models.case_record import ActionItemUpdate, CaseFeedback, CaseTransition

from tests.frozen_time import SHANGHAI
from tests.factories import (advance_case, chair_of, login, make_action_item, make_case,
                             make_meeting, make_user, run)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
REASON = "开发商拒不到会，提请街道协调"
# The record is set up on the day of the meeting (TEST_NOW, 2026-12-05); the follow-up is
# typed in five days later.
LATER = datetime(2026, 12, 10, 10, 0, tzinfo=SHANGHAI)
TODAY = LATER.date()


@pytest.fixture
def later(time_machine):
    """Moves the clock on to LATER, when the follow-up is recorded."""
    return lambda: time_machine.move_to(LATER)


@pytest.fixture
def http(app, ctx):
    user = make_user("moderator")
    client = app.test_client()
    login(client, user)
    client.user = user
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def status_of(case) -> str:
    db.session.expire_all()
    return db.session.get(Case, case.id).status


def transitions_of(case) -> list[CaseTransition]:
    return list(db.session.execute(db.select(CaseTransition).filter_by(case_id=case.id)
                                   .order_by(CaseTransition.id)).scalars())


def step(http, case, event: str, note: str = "", headers=None, **extra):
    """Press a next-step button on the case page (the form sends the state it showed)."""
    data = {"event": event, "note": note, "from_state": status_of(case), **extra}
    return http.post(f"/cases/{case.id}/transitions", data=data, headers=headers or ZH)


def ok_step(http, case, event: str, note: str = "", **extra) -> str:
    response = step(http, case, event, note, **extra)
    assert response.status_code == 302, (event, text(response)[-2000:])
    return status_of(case)


def refusal(response) -> str:
    found = re.search(r'data-testid="transition-error">([^<]*)<', text(response))
    assert found, text(response)[-2000:]
    return found.group(1)


def feedback(http, case, **values):
    data = {"told_on": "2026-12-08", "told_via": "visit", "told_by": "陈立华",
            "complainants": "联名信业主代表王芳", "satisfaction": "satisfied", **values}
    return http.post(f"/cases/{case.id}/feedback", data=data, headers=ZH)


# --- the life cycle ----------------------------------------------------------------------------

def test_a_case_goes_all_the_way_to_closed_through_its_page(http, later):
    case = make_case(members=[http.user])
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    assert 'data-state="received"' in page and "诉求受理" in page
    assert 'data-testid="step-start_screening"' in page
    path = [("start_screening", "screening"), ("accept", "accepted"),
            ("start_investigation", "investigation"), ("start_preparation", "preparation"),
            ("open_meeting", "meeting"), ("adjourn_meeting", "preparation"),
            ("open_meeting", "meeting"), ("draft_minutes", "minutes_drafted"),
            ("sign_minutes", "minutes_signed"), ("publish_minutes", "published"),
            ("notice_owners_decision", "decision_notice"),
            ("open_decision_vote", "decision_voting"), ("record_not_decided", "not_decided"),
            ("notice_owners_decision", "decision_notice"),
            ("open_decision_vote", "decision_voting"), ("record_decided", "decided"),
            ("start_implementation", "implementation"), ("complete_works", "acceptance")]
    for event, expected in path:
        assert ok_step(http, case, event) == expected
    assert ok_step(http, case, "reject_works", "渗漏点仍有 3 处") == "implementation"
    assert ok_step(http, case, "complete_works") == "acceptance"
    assert ok_step(http, case, "accept_works", "第三方检测合格") == "feedback"
    later()
    # 事事有回音: monitoring starts only after the complainants were told the outcome.
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    assert "请先向投诉群众反馈办理结果" in page
    refused = step(http, case, "start_monitoring")
    assert refused.status_code == 400 and "请先记录向投诉群众反馈结果" in refusal(refused)
    assert status_of(case) == "feedback"
    assert feedback(http, case).status_code == 302
    assert ok_step(http, case, "start_monitoring") == "monitoring"
    assert ok_step(http, case, "close", "回访三个月无渗漏") == "closed"

    rows = transitions_of(case)
    assert len(rows) == len(path) + 5
    assert [(r.from_state, r.event, r.to_state) for r in rows[:2]] == [
        ("received", "start_screening", "screening"), ("screening", "accept", "accepted")]
    assert all(r.user_id == http.user.id and r.user_name == http.user.display_name
               for r in rows)
    assert rows[len(path)].note == "渗漏点仍有 3 处"
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    assert 'data-state="closed"' in page and "已办结" in page
    assert "渗漏点仍有 3 处" in page and "验收不通过，返工" in page
    assert 'data-testid="step-reopen"' in page and 'data-testid="step-close"' not in page
    assert "已办结" in text(http.get("/cases", headers=ZH))


def test_published_minutes_go_to_implementation_without_an_owners_decision(http):
    case = make_case(members=[http.user])
    advance_case(case, "start_screening", "accept", "start_investigation", "start_preparation",
                 "open_meeting", "draft_minutes", "sign_minutes", "publish_minutes")
    assert ok_step(http, case, "start_implementation") == "implementation"


def test_owners_not_deciding_can_lead_to_another_meeting_or_closing_with_a_reason(http):
    case = make_case(members=[http.user])
    advance_case(case, "start_screening", "accept", "start_investigation", "start_preparation",
                 "open_meeting", "draft_minutes", "sign_minutes", "publish_minutes",
                 "notice_owners_decision", "open_decision_vote", "record_not_decided")
    assert ok_step(http, case, "schedule_meeting") == "preparation"
    advance_case(case, "open_meeting", "draft_minutes", "sign_minutes", "publish_minutes",
                 "notice_owners_decision", "open_decision_vote", "record_not_decided")
    refused = step(http, case, "close")
    assert refused.status_code == 400 and refusal(refused) == "请填写原因（办结）。"
    assert ok_step(http, case, "close", "两次表决均未达到法定比例，转由街道协调") == "closed"


@pytest.mark.parametrize("before,event,label", [
    (("start_screening",), "redirect", "转办"),
    (("start_screening",), "reject", "不予受理"),
    (("start_screening", "accept"), "escalate", "上报上级"),
    (("start_screening", "accept"), "start_emergency_repair", "启动应急维修"),
    (("start_screening", "accept", "start_investigation", "start_preparation", "open_meeting",
      "draft_minutes", "sign_minutes", "publish_minutes", "start_implementation",
      "complete_works"), "reject_works", "验收不通过，返工"),
])
def test_steps_that_need_a_reason_are_refused_without_one(http, before, event, label):
    case = make_case(members=[http.user])
    advance_case(case, *before)
    state, count = status_of(case), len(transitions_of(case))
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    button = re.search(rf'data-testid="step-{event}">(.*?)</button>', page, re.S).group(1)
    assert "需说明原因" in button
    for note in ("", "   \n "):
        refused = step(http, case, event, note)
        assert refused.status_code == 400
        assert refusal(refused) == f"请填写原因（{label}）。"
    assert status_of(case) == state and len(transitions_of(case)) == count
    ok_step(http, case, event, "原因写在这里")
    assert transitions_of(case)[-1].note == "原因写在这里"


@pytest.mark.parametrize("event,final", [("redirect", "redirected"), ("reject", "rejected")])
def test_screening_can_redirect_or_reject_with_a_reason_and_that_is_final(http, event, final):
    case = make_case(members=[http.user])
    advance_case(case, "start_screening")
    assert ok_step(http, case, event, "属物业服务合同纠纷，转区住建局") == final
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    assert "没有可执行的下一步" in page and 'data-testid="step-' not in page
    assert "属物业服务合同纠纷，转区住建局" in page
    refused = step(http, case, "reopen", "再试")
    assert refused.status_code == 400 and status_of(case) == final


def test_an_invalid_step_is_refused_in_the_users_language_and_changes_nothing(http):
    case = make_case(members=[http.user])
    refused = step(http, case, "accept")
    assert refused.status_code == 400
    assert refusal(refused) == ("案件当前为“诉求受理”，不能执行“立项”。"
                                "当前可执行：开始审查、上报上级、启动应急维修。")
    assert status_of(case) == "received" and transitions_of(case) == []
    english = step(http, case, "close", headers=EN)
    assert english.status_code == 400
    assert refusal(english).startswith("The case is at “Received”; “Close the case” is not "
                                       "possible now. Possible now: Start screening,")
    unknown = step(http, case, "teleport")
    assert unknown.status_code == 400 and refusal(unknown) == "未知的案件操作：teleport。"
    missing = http.post(f"/cases/{case.id}/transitions", data={"note": "x"}, headers=ZH)
    assert missing.status_code == 400 and refusal(missing) == "请填写“操作”。"
    too_long = step(http, case, "start_screening", "很" * 2001)
    assert too_long.status_code == 400 and refusal(too_long) == "“说明”太长（最多 2000 个字）。"
    assert status_of(case) == "received" and transitions_of(case) == []


def test_a_step_on_a_page_that_is_out_of_date_is_not_repeated(http):
    case = make_case(members=[http.user])
    page_state = status_of(case)
    advance_case(case, "start_screening")  # someone else, meanwhile
    stale = http.post(f"/cases/{case.id}/transitions", headers=ZH,
                      data={"event": "start_screening", "from_state": page_state})
    assert stale.status_code == 409 and "已被他人更新" in refusal(stale)
    assert status_of(case) == "screening" and len(transitions_of(case)) == 1


def test_a_case_is_escalated_street_then_district_and_comes_back_where_it_left(http):
    case = make_case(members=[http.user])
    advance_case(case, "start_screening", "accept", "start_investigation", "start_preparation",
                 "open_meeting")
    assert ok_step(http, case, "escalate", REASON) == "escalated/street/meeting"
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    assert "已上报街道（原处于“协商议事”）" in page
    steps = re.findall(r'data-testid="step-([a-z_]+)"', page)
    assert steps == ["escalate", "return"]
    assert ok_step(http, case, "escalate", "街道协调未果") == "escalated/district/meeting"
    assert len("escalated/district/minutes_drafted") <= Case.__table__.c.status.type.length
    top = step(http, case, "escalate", "再上报")
    assert top.status_code == 400 and refusal(top) == "案件已提交至区级，不能再上报。"
    refused = step(http, case, "draft_minutes")
    assert refused.status_code == 400
    assert refusal(refused).startswith("案件当前为“已上报区级（原处于“协商议事”）”，不能执行“起草纪要”。")
    assert ok_step(http, case, "return", "区住建局已答复") == "escalated/street/meeting"
    assert ok_step(http, case, "return") == "meeting"
    assert ok_step(http, case, "draft_minutes") == "minutes_drafted"
    assert [r.event for r in transitions_of(case)][-5:] == [
        "escalate", "escalate", "return", "return", "draft_minutes"]


def test_an_emergency_repair_is_confirmed_by_the_street_office_and_returns(http):
    case = make_case(members=[http.user])
    advance_case(case, "start_screening", "accept", "start_investigation")
    assert ok_step(http, case, "start_emergency_repair", "顶板钢筋外露，有坠落风险") \
        == "emergency_review/investigation"
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    assert "应急维修：方案审核（原处于“调研核实”）" in page and 'name="confirmed_by"' in page
    unconfirmed = step(http, case, "confirm_emergency_repair")
    assert unconfirmed.status_code == 400
    assert refusal(unconfirmed) == "应急维修须经街道办事处或鉴定机构确认。"
    bad = step(http, case, "confirm_emergency_repair", confirmed_by="neighbour")
    assert bad.status_code == 400 and "取值无效" in refusal(bad)
    assert status_of(case) == "emergency_review/investigation"
    assert ok_step(http, case, "confirm_emergency_repair", "业委会审核通过",
                   confirmed_by="street_office") == "emergency_works/investigation"
    assert transitions_of(case)[-1].context == {"confirmed_by": "street_office"}
    assert ok_step(http, case, "settle_emergency_repair", "结算审计完成") == "investigation"
    timeline = text(http.get(f"/cases/{case.id}", headers=ZH))
    assert "经街道办事处确认" in timeline and "顶板钢筋外露" in timeline


def test_an_emergency_repair_can_be_declined_with_a_reason(http):
    case = make_case(members=[http.user])
    advance_case(case, "start_screening", "accept")
    ok_step(http, case, "start_emergency_repair", "疑似结构裂缝")
    refused = step(http, case, "decline_emergency_repair")
    assert refused.status_code == 400 and "请填写原因（不启动应急维修）" in refusal(refused)
    assert ok_step(http, case, "decline_emergency_repair", "鉴定为非结构性裂缝") == "accepted"


def test_a_closed_case_is_reopened_with_a_reason(http, later):
    case = make_case(members=[http.user])
    advance_case(case, "start_screening", "accept", "start_investigation", "start_preparation",
                 "open_meeting", "draft_minutes", "sign_minutes", "publish_minutes",
                 "start_implementation", "complete_works", "accept_works")
    later()
    feedback(http, case)
    advance_case(case, "start_monitoring", "close")
    refused = step(http, case, "reopen")
    assert refused.status_code == 400 and refusal(refused) == "请填写原因（重新启动）。"
    assert ok_step(http, case, "reopen", "雨季再次渗漏") == "reopened"
    assert ok_step(http, case, "start_investigation") == "investigation"


def test_the_page_offers_exactly_the_steps_of_the_machine(http):
    case = make_case(members=[http.user])
    advance_case(case, "start_screening", "accept", "start_investigation", "start_preparation",
                 "open_meeting", "draft_minutes", "sign_minutes", "publish_minutes")
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    offered = re.findall(r'data-testid="step-([a-z_]+)"', page)
    assert offered == [str(e) for e in allowed_transitions(status_of(case))]
    for event in Event:  # every event has a label in both languages
        assert has_message(f"case_event.{event}")


# --- the timeline ------------------------------------------------------------------------------

def test_the_timeline_shows_everything_that_happened(http, later):
    from facilitator.models import MinutesVersion
    meeting = make_meeting(members=[http.user], direct_entry=True)
    case = meeting.case
    case.source = "26 位业主联名信"
    db.session.commit()
    advance_case(case, "start_screening", "accept", "start_investigation", "start_preparation",
                 "open_meeting", user=http.user)
    chair = chair_of(meeting)
    from facilitator.actions import Actor
    from facilitator.demo import demo_case_data, demo_plan_payload
    for option in demo_case_data()["options"][:2]:
        run(meeting, chair, "plan.create", demo_plan_payload(option))
    vote_id = run(meeting, chair, "vote.create", {
        "kind": "straw_poll", "method": "single", "title": "维修方案意向表决",
        "plans": ["A", "B"], "eligibility": "present"})["vote_id"]
    run(meeting, chair, "vote.open", {"id": vote_id})
    joined = run(meeting, Actor(role="visitor"), "participant.join",
                 {"name": "王芳", "party": "community"})
    run(meeting, Actor(role="phone", participant_id=joined["participant_id"]), "ballot.cast",
        {"vote_id": vote_id, "choices": ["A"]})
    run(meeting, chair, "vote.close", {"id": vote_id})
    run(meeting, chair, "meeting.end", {})
    db.session.add(MinutesVersion(meeting_id=meeting.id, number=1, document="{}",
                                  content_hash="0" * 64, created_by=f"u{meeting.moderator_id}",
                                  created_by_name="郑文涛", change_note="首次定稿"))
    db.session.commit()
    item = make_action_item(case, meeting, what="开发商修复顶板防水层", due_on=date(2026, 12, 20))
    later()
    http.post(f"/cases/{case.id}/action-items/{item.id}/updates", headers=ZH, data={
        "reported_on": "2026-12-05", "status": "in_progress", "note": "已进场施工",
        "evidence": "施工照片 12 张", "reporter": "周工", "reporter_party": "developer"})
    feedback(http, case, satisfaction="basically_satisfied")

    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    timeline = page[page.index('data-testid="timeline"'):]
    kinds = re.findall(r'data-kind="([a-z]+)"', timeline)
    assert kinds[0] == "received" and kinds.count("transition") == 5
    for kind in ("meeting", "vote", "minutes", "item", "update", "feedback"):
        assert kind in kinds, kind
    assert kinds.index("vote") < kinds.index("minutes")
    for expected in ("诉求受理（来信）", "26 位业主联名信", "开始审查，进入“审查甄别”",
                     "会议开始：协商会", "会议结束：协商会", "表决结束：维修方案意向表决",
                     "纪要第 1 版定稿", "首次定稿", "议定事项 1：开发商修复顶板防水层",
                     "事项 1 进展", "待办 → 办理中", "佐证：施工照片 12 张",
                     "周工（建设单位） 报告", "向群众反馈结果：基本满意"):
        assert expected in timeline, expected
    # The decision section shows the plans and the vote's result; the meeting its minutes.
    assert 'id="decision"' in page and "维修方案意向表决" in page
    assert "第 1 版" in page and f'href="/meetings/{meeting.id}/minutes.pdf"' in page
    assert f'href="/meetings/{meeting.id}/minutes?version=1"' in timeline


def test_a_report_typed_in_later_is_placed_on_the_day_it_reports(http, time_machine):
    now = datetime.now(SHANGHAI)
    time_machine.move_to(datetime(2026, 1, 2, 10, 0, tzinfo=SHANGHAI))  # the item was agreed
    case = make_case(members=[http.user])
    item = make_action_item(case)
    time_machine.move_to(now)  # the report of 5 January is typed in on 5 December
    advance_case(case, "start_screening")
    update(http, case, item, reported_on="2026-01-05", note="一月的进展，补录")
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    timeline = page[page.index('data-testid="timeline"'):]
    kinds = re.findall(r'data-kind="([a-z]+)"', timeline)
    assert kinds.index("update") < kinds.index("transition")
    assert "2026-01-05" in timeline


# --- agreed items: follow-up and flags -----------------------------------------------------

def update(http, case, item, headers=None, **values):
    data = {"reported_on": "2026-12-09", "note": "进展说明", **values}
    return http.post(f"/cases/{case.id}/action-items/{item.id}/updates", data=data,
                     headers=headers or ZH)


def updates_of(item) -> list[ActionItemUpdate]:
    return list(db.session.execute(db.select(ActionItemUpdate).filter_by(
        action_item_id=item.id).order_by(ActionItemUpdate.id)).scalars())


def item_status(item) -> str:
    db.session.expire_all()
    return db.session.get(ActionItem, item.id).status


def test_an_item_is_followed_from_open_to_closed_with_overdue_computed_from_today(http, later):
    case = make_case(members=[http.user])
    item = make_action_item(case, due_on=date(2026, 12, 6), amount_fen=23290000,
                            funding_source="developer", acceptance="连续两次降雨无渗漏")
    on_time = make_action_item(case, what="物业公示维修资金使用情况", party="property_company",
                               due_on=date(2026, 12, 10))
    later()
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    rows = page[page.index('data-testid="action-items"'):]
    assert "逾期 4 天" in rows and rows.count('data-flag="overdue"') == 1  # due today: not late
    assert "232,900.00" in rows and "连续两次降雨无渗漏" in rows

    assert update(http, case, item, status="in_progress", note="已进场",
                  evidence="照片 12 张", reporter="周工", reporter_party="developer",
                  blocked="1").status_code == 302
    assert item_status(item) == "in_progress"
    item_page = text(http.get(f"/cases/{case.id}/action-items/{item.id}", headers=ZH))
    assert 'data-flag="overdue"' in item_page and 'data-flag="blocked"' in item_page
    assert "照片 12 张" in item_page and "周工" in item_page
    assert update(http, case, item, note="仍受阻：业主不同意开挖", blocked="1",
                  escalated="1").status_code == 302
    assert item_status(item) == "in_progress"
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    assert 'data-flag="escalated"' in page and 'data-flag="blocked"' in page
    assert update(http, case, item, status="done", note="完工").status_code == 302
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    item_row = re.search(rf'data-item="{item.id}">(.*?)</tr>', page, re.S).group(1)
    assert "已完成" in item_row and 'data-flag' not in item_row  # done: no longer overdue
    assert update(http, case, item, status="verified", note="第三方检测合格").status_code == 302
    assert update(http, case, item, status="closed", note="销号").status_code == 302
    assert item_status(item) == "closed"
    history = updates_of(item)
    assert [(u.status_from, u.status_to) for u in history] == [
        ("open", "in_progress"), ("in_progress", "in_progress"), ("in_progress", "done"),
        ("done", "verified"), ("verified", "closed")]
    assert history[0].reported_on == date(2026, 12, 9) and history[0].user_id == http.user.id
    assert item_status(on_time) == "open"


def test_rework_sends_an_item_back_to_in_progress(http, later):
    case = make_case(members=[http.user])
    item = make_action_item(case)
    later()
    update(http, case, item, status="done", note="完工")
    assert update(http, case, item, status="in_progress", note="验收发现 2 处渗漏，返工"
                  ).status_code == 302
    assert item_status(item) == "in_progress"


@pytest.mark.parametrize("values,message", [
    ({"status": "closed"}, "议定事项当前为“待办”，不能改为“已销号”。"),
    ({"status": "verified"}, "议定事项当前为“待办”，不能改为“已核验”。"),
    ({"status": "finished"}, "未知的事项状态：finished。"),
    ({"reported_on": "2026-02-30"}, "“进展日期”应为日期"),
    ({"reported_on": "next week"}, "“进展日期”应为日期"),
    ({"reported_on": "2026-12-11"}, "“进展日期”不能晚于今天。"),
    ({"reported_on": ""}, "请填写“进展日期”"),
    ({"note": ""}, "请填写“说明”"),
    ({"note": "很" * 2001}, "“说明”太长（最多 2000 个字）"),
    ({"evidence": "x" * 2001}, "“佐证材料”太长"),
    ({"reporter_party": "mayor"}, "“报告人所属方”的取值无效"),
    ({"blocked": "maybe"}, "“受阻”的格式不正确"),
    ({"owner": "x"}, "不认识的字段：owner"),
])
def test_a_bad_update_says_what_is_wrong_and_changes_nothing(http, later, values, message):
    case = make_case(members=[http.user])
    item = make_action_item(case)
    later()
    response = update(http, case, item, **values)
    assert response.status_code == 400 and message in text(response)
    assert item_status(item) == "open" and updates_of(item) == []


def test_an_item_of_another_case_or_a_missing_one_is_not_found(http):
    case, other = make_case(members=[http.user]), make_case(members=[http.user])
    item = make_action_item(other)
    assert http.get(f"/cases/{case.id}/action-items/{item.id}").status_code == 404
    assert update(http, case, item).status_code == 404
    assert http.get(f"/cases/{case.id}/action-items/999999").status_code == 404
    assert http.post("/cases/999999/transitions", data={"event": "accept"}).status_code == 404
    assert updates_of(item) == []


# --- the board ---------------------------------------------------------------------------------

def board(http, headers=None, **query):
    return http.get("/board", query_string=query, headers=headers or ZH)


def shown_items(response) -> set[int]:
    return {int(i) for i in re.findall(r'data-item="(\d+)"', text(response))}


def test_the_board_lists_open_items_of_every_case_and_filters_them(http, later):
    jinhua = make_case(members=[http.user], community="锦华苑小区", title="车库渗漏")
    lanting = make_case(members=[http.user], community="兰亭小区", title="电梯更新")
    quiet = make_case(members=[http.user], community="兰亭小区", title="路灯维修")
    late = make_action_item(jinhua, due_on=date(2026, 12, 7), party="developer")
    soon = make_action_item(jinhua, due_on=date(2027, 1, 15), party="property_company")
    lift = make_action_item(lanting, due_on=date(2026, 12, 8), party="street_office")
    done = make_action_item(lanting, due_on=date(2026, 12, 6), party="property_company")
    later()
    update(http, jinhua, soon, status="in_progress", note="开工", blocked="1")
    for status in ("done", "verified", "closed"):
        update(http, lanting, done, status=status, note=status)

    everything = board(http)
    assert everything.status_code == 200
    page = text(everything)
    assert "为民办实事清单" in page and 'href="/board"' in page  # and in the top navigation
    assert shown_items(everything) == {late.id, soon.id, lift.id}  # closed items left out
    assert quiet.title in page and "没有未销号的议定事项" in page
    assert re.search(r'data-testid="count-overdue">2<', page)
    assert shown_items(board(http, community="兰亭小区")) == {lift.id}
    assert quiet.title in text(board(http, community="兰亭小区"))
    assert shown_items(board(http, status="in_progress")) == {soon.id}
    assert shown_items(board(http, status="closed")) == {done.id}
    assert shown_items(board(http, status="all")) == {late.id, soon.id, lift.id, done.id}
    assert shown_items(board(http, party="developer")) == {late.id}
    overdue = board(http, overdue="1")
    assert shown_items(overdue) == {late.id, lift.id}
    assert quiet.title not in text(overdue)  # a filter on items hides cases without them
    assert shown_items(board(http, overdue="1", community="锦华苑小区")) == {late.id}
    assert shown_items(board(http, blocked="1")) == {soon.id}
    assert shown_items(board(http, party="property_company", status="all")) == {soon.id, done.id}


@pytest.mark.parametrize("query,message", [
    ({"status": "lost"}, "“状态”的取值无效"),
    ({"party": "mayor"}, "“身份”的取值无效"),
    ({"overdue": "yes please"}, "“逾期”的格式不正确"),
    ({"community": "x" * 101}, "“小区/社区”太长"),
])
def test_a_bad_board_filter_is_explained(http, query, message):
    case = make_case(members=[http.user])
    make_action_item(case)
    response = board(http, **query)
    assert response.status_code == 400 and message in text(response)
    assert len(shown_items(response)) == 1  # the unfiltered board, with the explanation


def test_the_board_needs_a_sign_in(app, ctx):
    assert app.test_client().get("/board").status_code == 302


# --- feedback ------------------------------------------------------------------------------------

def feedback_rows(case) -> list[CaseFeedback]:
    return list(db.session.execute(db.select(CaseFeedback).filter_by(case_id=case.id)).scalars())


def test_feedback_to_the_complainants_is_recorded_on_the_case_page(http, later):
    case = make_case(members=[http.user])
    later()
    assert feedback(http, case, told_via="phone", satisfaction="dissatisfied",
                    comment="希望尽快修复绿化").status_code == 302
    row = feedback_rows(case)[0]
    assert (row.told_on, row.told_via, row.told_by, row.satisfaction) == (
        date(2026, 12, 8), "phone", "陈立华", "dissatisfied")
    assert row.user_id == http.user.id
    page = text(http.get(f"/cases/{case.id}", headers=ZH))
    section = page[page.index('id="feedback"'):]
    assert "不满意" in section and "电话" in section and "希望尽快修复绿化" in section
    english = text(http.get(f"/cases/{case.id}", headers=EN))
    assert "Dissatisfied" in english


@pytest.mark.parametrize("values,message", [
    ({"satisfaction": ""}, "请填写“满意度”"),
    ({"satisfaction": "5"}, "“满意度”的取值无效"),
    ({"told_via": "pigeon"}, "“反馈方式”的取值无效"),
    ({"told_on": "2026-13-01"}, "“反馈日期”应为日期"),
    ({"told_on": "2026-12-11"}, "“反馈日期”不能晚于今天"),
    ({"told_by": ""}, "请填写“反馈人”"),
    ({"comment": "很" * 2001}, "“群众意见”太长"),
    ({"mood": "happy"}, "不认识的字段：mood"),
])
def test_bad_feedback_says_what_is_wrong_and_saves_nothing(http, later, values, message):
    case = make_case(members=[http.user])
    later()
    response = feedback(http, case, **values)
    assert response.status_code == 400 and message in text(response)
    assert feedback_rows(case) == []


# --- the API ---------------------------------------------------------------------------------

@pytest.fixture
def api(app, ctx):
    user = make_user("admin")
    token = user.issue_api_token()
    db.session.commit()
    client = app.test_client()
    return lambda path: client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_the_api_gives_a_cases_transitions_and_action_items(api, http, later):
    case = make_case(members=[http.user])
    advance_case(case, "start_screening", "accept", "start_investigation", "start_preparation",
                 "open_meeting", user=http.user)
    advance_case(case, "escalate", note=REASON)
    item = make_action_item(case, due_on=date(2026, 12, 6), amount_fen=23290000)
    later()
    update(http, case, item, status="in_progress", note="已进场", blocked="1")

    steps = api(f"/api/v1/cases/{case.id}/transitions").json
    assert steps["status"] == "escalated/street/meeting"
    assert steps["state"] == {"stage": "escalated", "level": "street", "resume": "meeting"}
    assert steps["allowed"] == [
        {"event": "escalate", "to": "escalated/district/meeting", "reason_required": True},
        {"event": "return", "to": "meeting", "reason_required": False}]
    assert [t["event"] for t in steps["transitions"]][-2:] == ["open_meeting", "escalate"]
    assert steps["transitions"][-1]["note"] == REASON
    assert steps["transitions"][0]["user"] == {"id": http.user.id,
                                               "name": http.user.display_name}

    items = api(f"/api/v1/cases/{case.id}/action-items").json
    assert items["today"] == "2026-12-10"
    (entry,) = items["action_items"]
    assert entry["status"] == "in_progress" and entry["amount_cny"] == "232900.00"
    assert entry["flags"] == {"overdue": True, "blocked": True, "escalated": False}
    assert entry["days_overdue"] == 4
    assert entry["updates"][0]["status_from"] == "open" and entry["updates"][0]["note"] == "已进场"

    assert api("/api/v1/cases/999999/transitions").status_code == 404
    assert api("/api/v1/cases/999999/action-items").json["error"]["code"] == "case.not_found"
    documented = api("/api/v1/openapi.json").json["paths"]
    assert "/cases/{case_id}/transitions" in documented
    assert "/cases/{case_id}/action-items" in documented


# --- nothing breaks ----------------------------------------------------------------------------

@pytest.mark.parametrize("path,data", [
    ("/cases/{id}/transitions", {"event": "x" * 5000}),
    ("/cases/{id}/transitions", {"event": "accept", "from_state": "y" * 500}),
    ("/cases/{id}/transitions", {"event": "start_screening", "csrf_token": "x", "extra": "1"}),
    ("/cases/{id}/transitions", {"event": "confirm_emergency_repair", "confirmed_by": "\x00"}),
    ("/cases/{id}/feedback", {"told_on": "0000-00-00", "told_via": "\n", "satisfaction": "😀"}),
    ("/cases/{id}/feedback", {}),
])
def test_odd_input_never_gives_a_server_error(http, path, data):
    case = make_case(members=[http.user])
    response = http.post(path.format(id=case.id), data=data, headers=ZH)
    assert response.status_code in (400, 409), text(response)[-1500:]
    assert status_of(case) == "received" and transitions_of(case) == []
    assert feedback_rows(case) == []
