"""The result notice (公示) of an owners' decision: issued once the vote has closed, with every
number, the notice period and where to object; as PDF and DOCX read back; objections
recorded on the case and decided, all on the case's timeline."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from facilitator import clock
from facilitator.domain.voting import format_area, percent
from facilitator.extensions import db
from facilitator.models import Objection, ResultNotice, Vote

from tests.factories import chair_of, login, make_user, run
from tests.integration.test_written_ballot import decision, owners, record_paper
from tests.integration.test_votes import add_plans
from tests.factories import make_meeting
from tests.support import require_service

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def meeting(ctx):
    m = make_meeting(with_roster=True, direct_entry=True)
    add_plans(m)
    return m


@pytest.fixture
def closed(meeting):
    """An owners' decision that 30 of 38 owners took part in, closed."""
    vote_id = decision(meeting)
    for number, key in enumerate(list(owners(meeting))[:30]):
        record_paper(meeting, vote_id, key, "ABBC"[number % 4])
    run(meeting, chair_of(meeting), "vote.close", {"id": vote_id})
    db.session.expire_all()
    return db.session.get(Vote, vote_id)


@pytest.fixture
def staff(app, meeting):
    client = app.test_client()
    login(client, meeting.moderator)
    return client


def url(meeting, vote, tail="notice") -> str:
    return f"/meetings/{meeting.id}/votes/{vote.id}/{tail}"


def issue(staff, meeting, vote, **values):
    form = {"posted_on": clock.today().isoformat(), "period_days": "7",
            "where_to_object": "书面异议请交至锦华社区居委会（3幢一楼）"}
    form.update(values)
    return staff.post(url(meeting, vote), data=form, headers=ZH)


def pdf_text(data: bytes) -> str:
    tool = shutil.which("pdftotext")
    require_service(tool is not None, "pdftotext (poppler-utils) is not installed")
    return subprocess.run([tool, "-layout", "-enc", "UTF-8", "-", "-"], input=data,
                          capture_output=True, check=True, timeout=60).stdout.decode()


def test_the_notice_states_every_number_of_the_result_and_where_to_object(staff, meeting, closed):
    answer = issue(staff, meeting, closed)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    pdf = staff.get(url(meeting, closed, "notice.pdf"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    flat = re.sub(r"\s+", "", text)
    result = closed.result
    part, scope = result["tally"]["participation"], result["scope"]
    assert f"关于“{closed.title}”表决结果的公示" in flat
    assert f"{part['owners']}位业主（占{percent(part['owners'], scope['owners'], 1)}）" in flat
    assert f"面积{format_area(part['area'])}m²（占{percent(part['area'], scope['area'], 2)}）" in flat
    assert f"{scope['owners']}位业主，专有部分面积{format_area(scope['area'])}m²" in flat
    for key, count in result["tally"]["counts"].items():
        assert format_area(count["area"]) in text, key  # each option's area, to the hundredth
    assert re.sub(r"\s+", "", result["explanation"]["zh"]) in flat
    today = clock.today()
    last = today + timedelta(days=6)
    assert f"{today.year}年{today.month}月{today.day}日至{last.year}年{last.month}月{last.day}日，共7天" in flat
    assert "书面异议请交至锦华社区居委会（3幢一楼）" in flat
    assert "主办单位（盖章）" in flat

    docx = staff.get(url(meeting, closed, "notice.docx"))
    from docx import Document
    document = Document(io.BytesIO(docx.data))
    body = "".join(p.text for p in document.paragraphs)
    cells = ["".join(c.text for c in row.cells) for table in document.tables for row in table.rows]
    assert "书面异议请交至锦华社区居委会（3幢一楼）" in body
    assert any(format_area(result["tally"]["counts"]["B"]["area"]) in row for row in cells)
    english = pdf_text(staff.get(url(meeting, closed, "notice.pdf") + "?lang=en").data)
    assert "Public notice of the result" in english and "7 days" in english


def test_objections_are_recorded_decided_and_on_the_case_timeline(app, staff, meeting, closed):
    issue(staff, meeting, closed)
    answer = staff.post(url(meeting, closed, "objections"), headers=ZH, data={
        "received_on": clock.today().isoformat(), "raised_by": "刘秀英", "unit": "3-1-102",
        "text": "书面票 3-2-601 的签名不是业主本人所签。"})
    assert answer.status_code == 302
    objection = db.session.execute(db.select(Objection)).scalar_one()
    assert not objection.late and objection.outcome == "pending"
    # A member of the case who does not chair the meeting records, but does not decide.
    member = make_user("clerk")
    from facilitator.actions import cases as case_actions
    case_actions.add_member(meeting.case, member.username, make_user("admin"))
    other = app.test_client()
    login(other, member)
    assert other.post(url(meeting, closed, f"objections/{objection.id}"),
                      data={"outcome": "upheld", "outcome_note": "x"}).status_code == 403
    answer = staff.post(url(meeting, closed, f"objections/{objection.id}"), headers=ZH, data={
        "outcome": "dismissed", "outcome_note": "经核对签到表和委托书，该票由业主本人签署。"})
    assert answer.status_code == 302
    again = staff.post(url(meeting, closed, f"objections/{objection.id}"), headers=ZH,
                       data={"outcome": "upheld", "outcome_note": "改判"})
    assert again.status_code == 400 and "该异议已有处理结果" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).outcome == "dismissed"
    timeline = staff.get(f"/cases/{meeting.case_id}", headers=ZH).get_data(as_text=True)
    assert "发布表决结果公示" in timeline and "收到异议：刘秀英" in timeline
    assert "异议处理：刘秀英 · 异议不成立" in timeline


def test_a_notice_needs_a_closed_decision_is_issued_once_and_refuses_bad_input(
        app, staff, meeting, closed):
    open_vote = db.session.get(Vote, decision(meeting))
    answer = issue(staff, meeting, open_vote)
    assert answer.status_code == 400 and "表决结束后才能公示结果" in answer.get_data(as_text=True)
    for values, message in (({"period_days": "0"}, "公示天数"), ({"period_days": "61"}, "公示天数"),
                            ({"period_days": "七"}, "公示天数"),
                            ({"posted_on": "2026-02-30"}, "张贴日期"),
                            ({"posted_on": (clock.today() - timedelta(days=30)).isoformat()},
                             "张贴日期应在"),
                            ({"where_to_object": "   "}, "异议提交方式"),
                            ({"where_to_object": "x" * 501}, "异议提交方式")):
        answer = issue(staff, meeting, closed, **values)
        assert answer.status_code == 400, values
        assert message in answer.get_data(as_text=True), values
    assert db.session.execute(db.select(ResultNotice)).first() is None  # nothing issued
    assert issue(staff, meeting, closed).status_code == 302
    answer = issue(staff, meeting, closed)
    assert answer.status_code == 400 and "已经发布" in answer.get_data(as_text=True)
    # Ids out of range, another meeting's vote, a stranger, a format that does not exist.
    assert staff.get(f"/meetings/{meeting.id}/votes/{2 ** 63}/notice").status_code == 404
    assert staff.get(url(meeting, closed, "notice.exe")).status_code == 404
    stranger = app.test_client()
    login(stranger, make_user("moderator"))
    assert stranger.get(url(meeting, closed)).status_code == 404
    assert stranger.get(url(meeting, closed, "notice.pdf")).status_code == 404
    assert app.test_client().get(url(meeting, closed)).status_code == 302  # to the sign-in


def test_an_objection_after_the_period_is_recorded_as_late_and_bad_ones_change_nothing(
        staff, meeting, closed):
    posted = clock.today() - timedelta(days=1)
    run(meeting, chair_of(meeting), "meeting.end", {})
    closed.closed_at = clock.utcnow() - timedelta(days=2)
    db.session.commit()
    issue(staff, meeting, closed, posted_on=posted.isoformat(), period_days="1")
    for form in ({"received_on": "", "raised_by": "赵伟", "text": "x"},
                 {"received_on": (posted - timedelta(days=1)).isoformat(), "raised_by": "赵伟", "text": "x"},
                 {"received_on": (clock.today() + timedelta(days=1)).isoformat(), "raised_by": "赵伟", "text": "x"},
                 {"received_on": clock.today().isoformat(), "raised_by": "", "text": "x"},
                 {"received_on": clock.today().isoformat(), "raised_by": "赵伟", "text": " "},
                 {"received_on": clock.today().isoformat(), "raised_by": "赵伟", "text": "x" * 4001}):
        assert staff.post(url(meeting, closed, "objections"), data=form, headers=ZH).status_code == 400, form
    assert db.session.execute(db.select(Objection)).first() is None
    staff.post(url(meeting, closed, "objections"), headers=ZH, data={
        "received_on": clock.today().isoformat(), "raised_by": "赵伟", "text": "公示期过后才看到。"})
    assert db.session.execute(db.select(Objection)).scalar_one().late is True
