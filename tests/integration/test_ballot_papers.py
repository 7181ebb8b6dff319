"""Ballot papers of a written ballot (表决票): printed one per owner with a persistent serial,
the notice for the notice board, returned papers entered by serial, owner key or unit
(double entry by two users, mismatches and paper+online conflicts decided by the chair with
a reason), scans of the signed papers, and everything refused that should be."""
from __future__ import annotations

import base64
import io
import re
import subprocess
from datetime import timedelta

import pytest
import time_machine

from facilitator import clock
from facilitator.actions import Actor
from facilitator.actions import ballot_papers as papers
from facilitator.actions import invitations as invitation_actions
from facilitator.extensions import db
from facilitator.models import (Ballot, BallotPaper, BallotPaperEntry, BallotPaperScan,
                                Invitation, MeetingEvent, Vote, VoteParticipation)

from tests.factories import chair_of, login, make_meeting, make_user, run
from tests.integration.test_votes import add_plans, new_vote
from tests.integration.test_written_ballot import (EN, ZH, continue_written, decision, fail,
                                                   owners, participation, record_paper,
                                                   vote_by_link)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OWNER_P01_SHARE_C = "4,754.03"  # 89.76 m² of plan C (232,900 CNY of it from the fund): the demo's note


@pytest.fixture
def meeting(ctx):
    m = make_meeting(with_roster=True, direct_entry=True, clerk=make_user("clerk"))
    add_plans(m)
    return m


@pytest.fixture
def admin(ctx):
    return make_user("admin")


def clerk_of(meeting) -> Actor:
    return Actor(role="clerk", user_id=meeting.clerk_id)


def written_vote(meeting, double_entry=False, **settings) -> int:
    vote_id = decision(meeting, **settings)
    continue_written(meeting, vote_id)
    run(meeting, chair_of(meeting), "ballot.issue_papers",
        {"vote_id": vote_id, "double_entry": double_entry})
    return vote_id


def serial_of(vote_id: int, owner_key: str) -> str:
    return db.session.execute(db.select(BallotPaper.serial).filter_by(
        vote_id=vote_id, owner_key=owner_key)).scalar_one()


def enter(meeting, actor, vote_id, choice, **which) -> dict:
    return run(meeting, actor, "ballot.record_paper",
               {"vote_id": vote_id, "choices": [choice], **which})


def pdf_text(body: bytes) -> list[str]:
    """The PDF's pages as text, laid out (cells apart)."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True,
                          check=True)
    return done.stdout.decode().split("\f")


# --------------------------------------------------------------------------- printing

def test_papers_are_issued_once_per_owner_of_the_scope_with_invitations_and_persistent_serials(
        client, meeting):
    keys = list(owners(meeting))
    vote_id = decision(meeting, recused=[keys[-1]])
    continue_written(meeting, vote_id)
    run(meeting, chair_of(meeting), "meeting.end", {})
    assert db.session.execute(db.select(db.func.count(Invitation.id))).scalar() == 0
    issued = run(meeting, chair_of(meeting), "ballot.issue_papers", {"vote_id": vote_id})
    assert issued == {"papers": 37}  # the recused owner has none
    event = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="ballot.papers_issued")).scalar_one()
    assert event.data["invitations"] == 37 and event.data["double_entry"] is False
    serials = dict(db.session.execute(db.select(BallotPaper.owner_key, BallotPaper.serial)
                                      .filter_by(vote_id=vote_id)).all())
    assert len(set(serials.values())) == 37 and keys[-1] not in serials
    assert all(papers.normalise_serial(s) == s for s in serials.values())
    assert serials[keys[0]] == papers.serial_of(1)  # 3-1-101 comes first
    # Issued again: nothing new, the same serials.
    assert fail(meeting, chair_of(meeting), "ballot.issue_papers", {"vote_id": vote_id}) \
        == "command.no_change"

    login(client, meeting.moderator)
    body = client.get(f"/meetings/{meeting.id}/votes/{vote_id}/papers.pdf").data
    pages = pdf_text(body)
    sheets = [p for p in pages if "业主共同决定表决票" in p]
    covers = [p for p in pages if "表决票送达清单" in p]
    assert len(sheets) == 37 and covers
    assert all("已送达" in c and "签收" in c for c in covers)
    first = next(p for p in sheets if "张建国" in p)
    assert "3-1-101" in first and "89.76 m²" in first
    assert f"编号 {papers.format_serial(serials[keys[0]])}" in first
    # The plans' row: total, per m² and this owner's share, each in its own cell.
    assert re.search(r"C\s+.+\s+482,300\.00\s+109\.680\s+" + re.escape(OWNER_P01_SHARE_C)
                     + r"\s+□", first), first
    assert "弃权" in first and "业主签名" in first
    invitation = db.session.execute(db.select(Invitation).filter_by(
        meeting_id=meeting.id, owner_key=keys[0])).scalar_one()
    code = invitation_actions.personal_code(invitation)
    assert f"{code[:4]} {code[4:8]} {code[8:]}" in first
    # Printed again: the same serials on the sheets.
    again = pdf_text(client.get(f"/meetings/{meeting.id}/votes/{vote_id}/papers.pdf").data)
    assert [p for p in again if "业主共同决定表决票" in p] == sheets


def test_a_yes_no_paper_has_agree_against_abstain_and_the_motions_share(client, meeting):
    from facilitator.models import Plan
    plan_c = db.session.execute(db.select(Plan.id).filter_by(meeting_id=meeting.id, key="C")
                                ).scalar_one()
    vote_id = new_vote(meeting, kind="owners_decision", method="yes_no", title="业主共同决定",
                       plan_id=plan_c, plans=None)
    continue_written(meeting, vote_id)
    run(meeting, chair_of(meeting), "ballot.issue_papers", {"vote_id": vote_id})
    login(client, meeting.moderator)
    pages = pdf_text(client.get(f"/meetings/{meeting.id}/votes/{vote_id}/papers.pdf").data)
    first = next(p for p in pages if "张建国" in p and "业主共同决定表决票" in p)
    assert re.search(r"同意\s+□", first) and re.search(r"反对\s+□", first) \
        and re.search(r"弃权\s+□", first)
    joined = re.sub(r"\s", "", first)  # the sentence may wrap
    assert f"您应分摊{OWNER_P01_SHARE_C}元" in joined and "每平方米109.680元" in joined


def test_only_the_owners_who_have_not_voted_are_printed_on_request(client, meeting):
    keys = list(owners(meeting))
    vote_id = decision(meeting)
    record_paper(meeting, vote_id, keys[0], "A")  # voted in the meeting
    continue_written(meeting, vote_id)
    run(meeting, chair_of(meeting), "ballot.issue_papers", {"vote_id": vote_id})
    login(client, meeting.moderator)
    pages = pdf_text(client.get(f"/meetings/{meeting.id}/votes/{vote_id}/papers.pdf",
                                query_string={"only": "missing"}).data)
    sheets = [p for p in pages if "业主共同决定表决票" in p]
    assert len(sheets) == 37 and not any("张建国" in p for p in sheets)


def test_the_notice_for_the_notice_board_as_pdf_and_docx(client, meeting):
    from docx import Document
    from facilitator.actions import written_ballot
    vote_id = written_vote(meeting)
    vote = db.session.get(Vote, vote_id)
    with client.application.test_request_context():
        key = written_ballot.progress_key(vote)
    deadline = clock.local(vote.deadline_at)
    when = f"{deadline.year}年{deadline.month}月{deadline.day}日"
    login(client, meeting.moderator)
    answer = client.get(f"/meetings/{meeting.id}/votes/{vote_id}/announcement.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = "".join(pdf_text(answer.data))
    for words in ("关于书面征求业主意见的公告", "锦华苑小区全体业主", when, "表决方式",
                  "482,300.00", "109.680", f"k={key}"[:30]):
        assert words in text.replace("\n", ""), words
    answer = client.get(f"/meetings/{meeting.id}/votes/{vote_id}/announcement.docx")
    assert answer.status_code == 200
    document = Document(io.BytesIO(answer.data))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "关于书面征求业主意见的公告" in paragraphs and when in paragraphs
    assert f"k={key}" in paragraphs and "方案 C：" in paragraphs
    assert len(document.inline_shapes) == 1  # the progress page's QR code


# --------------------------------------------------------------------------- the story

def test_four_papers_entered_twice_one_mismatch_and_one_paper_plus_link_decided_by_the_chair(
        client, meeting, admin):
    keys = list(owners(meeting))
    vote_id = written_vote(meeting, double_entry=True)
    chair, clerk, second = chair_of(meeting), clerk_of(meeting), Actor(role="admin",
                                                                       user_id=admin.id)
    run(meeting, chair, "meeting.end", {})
    assert vote_by_link(client, meeting, keys[3], vote_id, "B").status_code == 200

    # Paper 1 by serial, paper 2 by unit, entered twice alike: counted on the second entry.
    first = enter(meeting, clerk, vote_id, "A", serial=papers.format_serial(serial_of(vote_id, keys[0])))
    assert first["status"] == "entered" and keys[0] not in participation(vote_id)
    assert enter(meeting, second, vote_id, "A", owner_key=keys[0])["status"] == "counted"
    enter(meeting, clerk, vote_id, "C", unit="3-1-201")
    assert enter(meeting, second, vote_id, "C", unit="3-1-201")["status"] == "counted"
    # Paper 3: the two entries differ. Flagged; it does not count.
    s3 = serial_of(vote_id, keys[4])
    enter(meeting, clerk, vote_id, "A", serial=s3)
    assert enter(meeting, second, vote_id, "B", serial=s3)["status"] == "mismatch"
    assert keys[4] not in participation(vote_id)
    # Paper 4: the owner voted by link too. Flagged; the link's ballot stays until decided.
    s4 = serial_of(vote_id, keys[3])
    enter(meeting, clerk, vote_id, "C", serial=s4)
    assert enter(meeting, second, vote_id, "C", serial=s4)["status"] == "conflict"

    login(client, meeting.moderator)
    page = client.get(f"/meetings/{meeting.id}/votes/{vote_id}/written", headers=ZH)
    text = page.get_data(as_text=True)
    assert f'data-testid="flagged-{s3}" data-status="mismatch"' in text
    assert f'data-testid="flagged-{s4}" data-status="conflict"' in text
    assert "两次录入不一致" in text and "网上表决：B" in text

    # Whoever entered a paper does not decide it; the clerk may not decide at all.
    assert fail(meeting, second, "ballot.resolve_paper",
                {"vote_id": vote_id, "serial": s3, "choices": ["A"], "reason": "x"}) \
        == "paper.decider_entered"
    assert fail(meeting, Actor(role="clerk", user_id=meeting.clerk_id), "ballot.resolve_paper",
                {"vote_id": vote_id, "serial": s3, "choices": ["A"], "reason": "x"}) \
        == "auth.forbidden"
    # The chair reads the scan and decides, from the staff page.
    answer = client.post(f"/meetings/{meeting.id}/votes/{vote_id}/papers",
                         data={"action": "resolve", "serial": s3, "choice": "A",
                               "reason": "扫描件上勾选的是A"}, headers=ZH, follow_redirects=True)
    assert "已处理" in answer.get_data(as_text=True)
    run(meeting, chair, "ballot.settle_paper", {"vote_id": vote_id, "serial": s4,
                                                "counts": "paper",
                                                "reason": "业主本人来电确认以纸质票为准"})
    assert participation(vote_id) == {keys[0], keys[2], keys[3], keys[4]}
    choices = dict(db.session.execute(db.select(Ballot.voter_key, Ballot.choices)
                                      .filter_by(vote_id=vote_id)).all())
    assert choices == {keys[0]: ["A"], keys[2]: ["C"], keys[3]: ["C"], keys[4]: ["A"]}
    channels = set(db.session.execute(db.select(VoteParticipation.channel, VoteParticipation.verified_via)
                                      .filter_by(vote_id=vote_id)).all())
    assert channels == {("paper", "paper")}
    decided = [row.data for row in db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="ballot.paper_decided").order_by(MeetingEvent.seq)).scalars()]
    assert [(d["serial"], d["counts"], d["reason"]) for d in decided] == [
        (s3, "paper", "扫描件上勾选的是A"), (s4, "paper", "业主本人来电确认以纸质票为准")]
    page = client.get(f"/meetings/{meeting.id}/votes/{vote_id}/written", headers=ZH)
    assert "业主本人来电确认以纸质票为准" in page.get_data(as_text=True)


def test_a_conflict_may_keep_the_online_ballot_and_the_paper_is_set_aside(client, meeting):
    keys = list(owners(meeting))
    vote_id = written_vote(meeting)
    assert vote_by_link(client, meeting, keys[2], vote_id, "B").status_code == 200
    assert enter(meeting, clerk_of(meeting), vote_id, "A", owner_key=keys[2])["status"] \
        == "conflict"
    run(meeting, chair_of(meeting), "ballot.settle_paper",
        {"vote_id": vote_id, "serial": serial_of(vote_id, keys[2]), "counts": "online",
         "reason": "纸质票未签名"})
    assert db.session.execute(db.select(Ballot.choices).filter_by(
        vote_id=vote_id, voter_key=keys[2])).scalar() == ["B"]
    assert db.session.execute(db.select(BallotPaper.status).filter_by(
        vote_id=vote_id, owner_key=keys[2])).scalar() == "set_aside"


def test_in_a_secret_vote_the_entered_choices_are_forgotten_once_sealed(client, meeting):
    keys = list(owners(meeting))
    vote_id = written_vote(meeting, secret=True)
    # A paper flagged (the owner voted by link too) keeps what was typed until the vote ends.
    assert vote_by_link(client, meeting, keys[1], vote_id, "A").status_code == 200
    assert enter(meeting, clerk_of(meeting), vote_id, "C", owner_key=keys[1])["status"] \
        == "conflict"
    assert fail(meeting, chair_of(meeting), "ballot.settle_paper",
                {"vote_id": vote_id, "serial": serial_of(vote_id, keys[1]), "counts": "paper",
                 "reason": "x"}) == "paper.secret_online_stays"
    enter(meeting, clerk_of(meeting), vote_id, "B", owner_key=keys[0])
    paper = db.session.execute(db.select(BallotPaper).filter_by(vote_id=vote_id,
                                                                owner_key=keys[0])).scalar_one()
    assert paper.status == "counted" and paper.choices is None
    assert db.session.execute(db.select(BallotPaperEntry.choices).filter_by(
        paper_id=paper.id)).scalar() is None
    event = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="ballot.recorded")).scalar_one()
    assert "choices" not in event.data and event.data["serial"] == paper.serial
    flagged = db.session.execute(db.select(BallotPaper).filter_by(
        vote_id=vote_id, owner_key=keys[1])).scalar_one()
    assert flagged.choices == ["C"]
    run(meeting, chair_of(meeting), "vote.cancel", {"id": vote_id, "reason": "重新测算"})
    db.session.expire_all()
    assert all(c is None for c in db.session.execute(db.select(BallotPaper.choices).filter_by(
        vote_id=vote_id)).scalars())
    assert all(c is None for c in db.session.execute(db.select(BallotPaperEntry.choices))
               .scalars())


# --------------------------------------------------------------------------- refused

def test_bad_entries_are_refused_and_change_nothing(client, meeting, admin):
    keys = list(owners(meeting))
    vote_id = decision(meeting)
    record_paper(meeting, vote_id, keys[5], "A")  # a paper in the meeting
    continue_written(meeting, vote_id)
    chair, clerk = chair_of(meeting), clerk_of(meeting)
    assert fail(meeting, clerk, "ballot.record_paper",
                {"vote_id": vote_id, "choices": ["A"], "owner_key": keys[0]}) == "paper.not_issued"
    run(meeting, chair, "ballot.issue_papers", {"vote_id": vote_id, "double_entry": True})
    good = serial_of(vote_id, keys[0])
    wrong_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
    swapped = good[:3] + good[4] + good[3] + good[5] if good[3] != good[4] else "000000"
    before = participation(vote_id)
    cases = [
        ({"serial": "99999" + papers.serial_of(99999)[-1]}, "paper.not_found"),
        ({"serial": wrong_digit}, "paper.not_found"),
        ({"serial": swapped}, "paper.not_found"),
        ({"serial": good, "owner_key": keys[0]}, "paper.which_required"),
        ({}, "paper.which_required"),
        ({"unit": "99-9-999"}, "paper.unit_not_found"),
        ({"owner_key": "NOBODY"}, "vote.not_in_roster"),
        ({"owner_key": keys[5]}, "paper.owner_voted_on_paper"),  # a second paper
        ({"serial": 123456}, "validation.type"),
        ({"serial": good, "choices": "A"}, "validation.type"),
        ({"serial": good, "choices": ["Z"]}, "vote.unknown_choice"),
        ({"serial": good, "choices": ["A", "B"]}, "vote.too_many_choices"),
        ({"serial": good, "vote_id": 2 ** 63}, "validation.too_large"),
        ({"serial": good, "vote_id": "one"}, "validation.type"),
        ({"serial": good, "vote_id": True}, "validation.type"),
        ({"serial": good, "vote_id": 2 ** 31 - 1}, "vote.not_found"),
    ]
    for extra, code in cases:
        payload = {"vote_id": vote_id, "choices": ["A"], **extra}
        got = fail(meeting, clerk, "ballot.record_paper", payload)
        assert got == code or (code.startswith("validation.") and got.startswith("validation.")), \
            (extra, got)
    assert participation(vote_id) == before
    assert db.session.execute(db.select(db.func.count(BallotPaperEntry.id))).scalar() == 0
    # Once papers are issued, the plain paper ballot by owner key is closed to them.
    assert fail(meeting, chair, "ballot.record", {"vote_id": vote_id, "choices": ["A"],
                                                  "owner_key": keys[1]}) == "paper.enter_by_serial"
    # The same user cannot enter a paper twice; a counted serial is used.
    enter(meeting, clerk, vote_id, "A", serial=good)
    assert fail(meeting, clerk, "ballot.record_paper",
                {"vote_id": vote_id, "choices": ["A"], "serial": good}) == "paper.same_clerk"
    enter(meeting, Actor(role="admin", user_id=admin.id), vote_id, "A", serial=good)
    assert fail(meeting, chair, "ballot.record_paper",
                {"vote_id": vote_id, "choices": ["A"], "serial": good}) == "paper.already_entered"
    # The entry mode is fixed once a paper is entered.
    assert fail(meeting, chair, "ballot.issue_papers", {"vote_id": vote_id, "double_entry": False}) \
        == "paper.double_entry_locked"
    # Nothing is decided that is not flagged.
    assert fail(meeting, chair, "ballot.settle_paper", {"vote_id": vote_id, "serial": good,
                                                        "counts": "paper", "reason": "x"}) \
        == "paper.not_flagged"
    # After the deadline: refused, in the user's language on the staff page.
    deadline = db.session.get(Vote, vote_id).deadline_at
    with time_machine.travel(clock.local(deadline) + timedelta(seconds=1), tick=False):
        assert fail(meeting, clerk, "ballot.record_paper",
                    {"vote_id": vote_id, "choices": ["B"],
                     "serial": serial_of(vote_id, keys[2])}) == "vote.closed"
        login(client, meeting.moderator)
        answer = client.post(f"/meetings/{meeting.id}/votes/{vote_id}/papers",
                             data={"action": "enter", "by": "unit", "which": "3-1-201",
                                   "choice": "A"}, headers=EN, follow_redirects=True)
        assert "The vote is closed; no more ballots are accepted." in answer.get_data(as_text=True)
    assert keys[2] not in participation(vote_id) and keys[1] not in participation(vote_id)


def test_the_entry_form_on_the_staff_page_speaks_the_users_language(client, meeting):
    vote_id = written_vote(meeting)
    login(client, meeting.moderator)
    url = f"/meetings/{meeting.id}/votes/{vote_id}/papers"
    answer = client.post(url, data={"action": "enter", "by": "unit", "which": "3-1-101",
                                    "choice": "B"}, headers=ZH, follow_redirects=True)
    assert "已录入并计入" in answer.get_data(as_text=True)
    answer = client.post(url, data={"action": "enter", "by": "serial", "which": "12345-0",
                                    "choice": "B"}, headers=EN, follow_redirects=True)
    assert "No ballot paper has the serial 12345-0" in answer.get_data(as_text=True)
    answer = client.post(url, data={"action": "enter", "by": "unit", "which": "3-1-101",
                                    "choice": "A"}, headers=ZH, follow_redirects=True)
    assert "已录入过" in answer.get_data(as_text=True)


def test_a_scan_is_kept_when_it_is_an_image_or_pdf_and_refused_otherwise(client, meeting):
    keys = list(owners(meeting))
    vote_id = written_vote(meeting)
    serial = serial_of(vote_id, keys[0])
    login(client, meeting.moderator)
    url = f"/meetings/{meeting.id}/votes/{vote_id}/papers/scan"

    def upload(data: bytes, name: str, headers=ZH):
        return client.post(url, data={"serial": serial, "scan": (io.BytesIO(data), name)},
                           headers=headers, content_type="multipart/form-data",
                           follow_redirects=True)

    assert "扫描件已保存" in upload(PNG, "paper.png").get_data(as_text=True)
    download = client.get(f"/meetings/{meeting.id}/votes/{vote_id}/papers/{serial}/scan")
    assert download.data == PNG and download.mimetype == "image/png"
    pdf = b"%PDF-1.4\n%fake but typed\n"
    assert "扫描件已保存" in upload(pdf, "scan.jpg").get_data(as_text=True)  # the bytes decide
    assert client.get(f"/meetings/{meeting.id}/votes/{vote_id}/papers/{serial}/scan").mimetype \
        == "application/pdf"
    assert "Only PNG or JPEG images and PDF files" in upload(b"<html>hi</html>", "x.png",
                                                             EN).get_data(as_text=True)
    big = b"\xff\xd8\xff" + b"\x00" * (papers.SCAN_LIMIT - 2)
    assert "文件太大" in upload(big, "big.jpg").get_data(as_text=True)
    assert upload(b"\xff\xd8\xff" + b"\x00" * (11 * 1024 * 1024), "huge.jpg").status_code == 413
    assert fail(meeting, clerk_of(meeting), "ballot.attach_scan",
                {"vote_id": vote_id, "serial": serial, "scan": "not base64!"}) \
        == "paper.scan_unreadable"
    scan = db.session.execute(db.select(BallotPaperScan)).scalar_one()
    assert scan.media_type == "application/pdf" and scan.data == pdf  # the refused ones left it
    assert client.get(f"/meetings/{meeting.id}/votes/{vote_id}/papers/000000/scan").status_code \
        == 404


# --------------------------------------------------------------------------- who may

def test_only_the_meetings_chair_issues_enters_and_decides(app, client, meeting):
    keys = list(owners(meeting))
    vote_id = written_vote(meeting)
    serial = serial_of(vote_id, keys[0])
    commands = [("ballot.issue_papers", {"vote_id": vote_id}),
                ("ballot.record_paper", {"vote_id": vote_id, "choices": ["A"], "serial": serial}),
                ("ballot.resolve_paper", {"vote_id": vote_id, "serial": serial, "choices": ["A"],
                                          "reason": "x"}),
                ("ballot.settle_paper", {"vote_id": vote_id, "serial": serial, "counts": "paper",
                                         "reason": "x"}),
                ("ballot.attach_scan", {"vote_id": vote_id, "serial": serial,
                                        "scan": base64.b64encode(PNG).decode()})]
    outsiders = (Actor(role="phone", participant_id=1), Actor(role="owner_link", owner_key=keys[0]),
                 Actor(role="visitor"), Actor(role="projector"))
    for name, payload in commands:
        for actor in outsiders:
            assert fail(meeting, actor, name, payload) == "auth.forbidden", (name, actor)
        other = make_user("clerk")
        assert fail(meeting, Actor(role="clerk", user_id=other.id), name, payload) \
            in ("auth.not_your_meeting", "auth.forbidden")
    assert participation(vote_id) == set()
    for url in (f"/meetings/{meeting.id}/votes/{vote_id}/papers.pdf",
                f"/meetings/{meeting.id}/votes/{vote_id}/announcement.pdf",
                f"/meetings/{meeting.id}/votes/{vote_id}/announcement.docx"):
        assert client.get(url).status_code == 302  # to the sign-in
        stranger = app.test_client()
        login(stranger, make_user("moderator"))
        assert stranger.get(url).status_code in (403, 404)
    stranger = app.test_client()
    login(stranger, make_user("moderator"))
    assert stranger.post(f"/meetings/{meeting.id}/votes/{vote_id}/papers",
                         data={"action": "enter", "by": "serial", "which": serial,
                               "choice": "A"}).status_code in (403, 404)
    assert participation(vote_id) == set()
