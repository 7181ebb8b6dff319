"""The minutes of a real meeting: built from its event log, finalised, corrected, signed and
downloaded. The demo meeting is replayed through the real commands (facilitator/demo_played.py)
and its minutes are pinned by a reviewed golden file (FACILITATOR_UPDATE_GOLDEN=1 rewrites it).
"""
from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from docx import Document as open_docx

from facilitator.actions import Actor, execute
from facilitator.demo import demo_case_data
from facilitator.domain.minutes_model import MinutesDocument
from facilitator.exports import json as json_export
from facilitator.exports import layout, markdown
from facilitator.extensions import db
from facilitator.minutes.load import minutes_for
from facilitator.minutes.versions import latest_version, versions_of
from facilitator.models import ActionItem, Meeting, MeetingEvent, MinutesVersion
from tests.factories import (chair_of, command, connect, join_from_phone, login, make_meeting,
                             make_user, run, sign_in_as)
from tests.support import run_facilitator
from tests.unit.test_minutes_renderers import (PARTY_NAMES_ZH, docx_text, every_format_as_text,
                                               extract_pdf_text, squash)

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "minutes_played_zh.json"
UPDATE_GOLDEN = os.environ.get("FACILITATOR_UPDATE_GOLDEN") == "1"


def _version(meeting_id: int, number: int = 1) -> MinutesVersion:
    return db.session.execute(db.select(MinutesVersion).filter_by(
        meeting_id=meeting_id, number=number)).scalar_one()


def _document(meeting_id: int, number: int = 1) -> MinutesDocument:
    return MinutesDocument.from_json(_version(meeting_id, number).document)


def _moderator_client(app, meeting: Meeting):
    from facilitator.models import User
    client = app.test_client()
    sign_in_as(client, db.session.get(User, meeting.moderator_id))
    return client


# --------------------------------------------------------------------------- the demo, played


def test_the_played_demo_minutes_match_the_reviewed_golden_file(played):
    rendered = json_export.render(_document(played.id), "zh")
    if UPDATE_GOLDEN or not GOLDEN.exists():
        GOLDEN.write_bytes(rendered)
        if not UPDATE_GOLDEN:
            pytest.fail(f"{GOLDEN.name} was missing and has been written: review it, then run again")
    assert rendered.decode("utf-8") == GOLDEN.read_text(encoding="utf-8")


def test_the_played_demo_says_what_happened_in_the_meeting(played):
    doc = _document(played.id)
    data = demo_case_data()
    header = doc.header
    assert (header.status, header.version) == ("final", 1)
    assert header.started_at.isoformat() == "2026-12-05T14:32:00+08:00"
    assert header.ended_at.isoformat() == "2026-12-05T16:50:00+08:00"
    assert header.finalised_at.isoformat() == "2026-12-05T17:30:00+08:00"
    assert (header.moderator.name, header.clerk.name) == ("郑文涛", "许静")
    assert [p.name for p in header.conveners] == ["陈立华", "郑文涛"]
    # Attendance: 22 owners present by the counting rules (宋宇 for 宋海燕), of 38 in scope.
    assert (doc.attendance.owners_present.owners, doc.attendance.owners_present.area) == (22, 255393)
    assert (doc.attendance.owners_in_scope.owners, doc.attendance.owners_in_scope.area) == (38, 439734)
    owners = next(g for g in doc.attendance.groups if g.party == "owner")
    proxy = next(a for a in owners.people if a.role == "proxy")
    assert (proxy.name, proxy.proxy_for, proxy.units) == ("宋宇", "宋海燕", ("3-1-402",))
    assert [o.name for o in doc.attendance.observers] == ["3-2-902 租户"]
    # The agenda as run, with the times of the script.
    assert [r.actual_start.strftime("%H:%M") for r in doc.agenda] == [
        "14:32", "14:43", "14:51", "15:03", "15:11", "15:33", "16:15", "16:33", "16:38"]
    assert doc.agenda[-1].actual_end.strftime("%H:%M") == "16:49"
    # Speeches in order, with the clerk's LAST notes, the ruling and the overrun.
    first_question = next(v for v in doc.views if v.speaker == "张建国")
    assert first_question.kind == "question"
    assert first_question.notes.startswith("首次报修在保修期内")  # corrected after a rough note
    point = next(v for v in doc.views if v.kind == "point_of_order")
    assert (point.speaker, point.ruling) == ("马敏", "upheld")
    assert next(v for v in doc.views if v.speaker == "蒋俊杰").overrun_seconds == 20
    assert {v.party for v in doc.views} >= {"owner", "developer", "property_company",
                                            "housing_bureau", "street_office", "community",
                                            "expert", "owners_committee"}
    # The straw poll of ballots.csv: C leads by headcount and by area; non-binding.
    (poll,) = doc.votes
    expected = data["expected"]["straw_poll"]
    assert poll.kind == "straw_poll" and poll.non_binding and poll.result == "C"
    counts = {c.choice: (c.owners, c.area) for c in poll.counts}
    assert counts["C"] == (expected["C"]["owners"], 144599)
    assert (poll.participation.owners, poll.participation.area) == (22, 255393)
    assert len(poll.named_choices) == 22  # a named vote: who chose what is in the minutes
    # The seven agreed items of case.json, numbered, with their people and deadlines.
    assert [(a.number, a.party, a.person, a.due.isoformat()) for a in doc.agreed] == [
        (n, item["party"], item["person"], item["due"])
        for n, item in enumerate(data["action_items"], start=1)]
    assert doc.agreed[0].amount_fen == 24740000 and doc.agreed[0].funding_source == "developer"
    # Plan C's use of the fund still needs the owners' decision under the Art. 278 majority.
    assert doc.pending[0].kind == "owners_decision" and doc.pending[0].rule == "art278_majority"
    assert doc.follow_up.feedback_due.isoformat() == "2026-12-19"
    assert [s.role for s in doc.signatures].count("owner_representative") == 2
    # The appendix lists milestones, never a ballot.
    assert doc.appendix.events_total == header.last_event_seq
    assert {e.kind for e in doc.appendix.timeline} <= {"meeting_opened", "item_started", "speech",
                                                       "point_of_order", "vote_opened",
                                                       "vote_closed", "meeting_ended"}


def test_the_played_demo_pdf_holds_the_title_every_party_the_straw_poll_and_every_agreed_item(
        played, app):
    client = _moderator_client(app, played)
    response = client.get(f"/meetings/{played.id}/minutes.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Type"] == "application/pdf"
    text = squash(extract_pdf_text(response.data))
    doc = _document(played.id)
    assert squash(doc.header.title) in text and squash(doc.header.case_title) in text
    for party in PARTY_NAMES_ZH:
        assert party in text, party
    assert "1,445.99" in text and "方案C12" in text  # C: 12 owners, 1,445.99 m²
    assert "意向表决" in text and "不具约束力" in text
    for item in doc.agreed:
        assert squash(item.what) in text, item.what
    assert doc.content_hash() in text
    assert response.headers["X-Content-Hash"] == f"sha256:{_version(played.id).content_hash}"


def test_the_played_demo_docx_opens_and_holds_the_same(played, app):
    response = _moderator_client(app, played).get(f"/meetings/{played.id}/minutes.docx")
    assert response.status_code == 200
    text = squash(docx_text(response.data))
    open_docx(io.BytesIO(response.data))  # python-docx reads it
    doc = _document(played.id)
    assert squash(doc.header.title) in text
    for party in PARTY_NAMES_ZH:
        assert party in text, party
    assert "1,445.99" in text and "方案C" in text
    for item in doc.agreed:
        assert squash(item.what) in text, item.what


def test_the_same_log_always_gives_the_same_minutes(played):
    first, second = minutes_for(played), minutes_for(played)
    assert markdown.render(first, "zh") == markdown.render(second, "zh")
    assert json_export.render(first, "zh") == json_export.render(second, "zh")
    assert first.content_hash() == second.content_hash()
    # The finalised version is the same document as the log gives (plus the final stamp).
    stored = _document(played.id)
    assert stored.views == first.views and stored.votes == first.votes
    assert stored.agreed == first.agreed


# --------------------------------------------------------------------------- secret votes


def _meeting_with_a_vote(app, secret: bool):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, with_roster=True, direct_entry=True)
    chair = chair_of(meeting)
    voters = []
    for name, unit, choice in (("张建国", "3-1-101", "yes"), ("刘秀英", "3-1-102", "no"),
                               ("赵伟", "3-1-201", "yes")):
        _phone, person_id = join_from_phone(app, meeting, name=name, party="owner", unit=unit)
        voters.append((person_id, choice))
    vote = run(meeting, chair, "vote.create", {"kind": "straw_poll", "method": "yes_no",
                                               "title": "是否先疏通排水口", "secret": secret})
    run(meeting, chair, "vote.open", {"id": vote["vote_id"]})
    for person_id, choice in voters:
        run(meeting, Actor(role="phone", participant_id=person_id), "ballot.cast",
            {"vote_id": vote["vote_id"], "choices": [choice]})
    run(meeting, chair, "vote.close", {"id": vote["vote_id"]})
    run(meeting, chair, "meeting.end", {})
    run(meeting, chair, "minutes.finalise", {})
    return meeting


def test_a_secret_vote_leaves_no_voter_choice_link_in_the_minutes_in_any_format(ctx, app):
    meeting = _meeting_with_a_vote(app, secret=True)
    doc = MinutesDocument.from_json(latest_version(meeting.id).document)
    (vote,) = doc.votes
    assert vote.secret and vote.named_choices is None
    assert [(c.choice, c.owners) for c in vote.counts] == [("yes", 2), ("no", 1), ("abstain", 0)]
    plain = json.loads(latest_version(meeting.id).document)
    assert plain["votes"][0]["named_choices"] is None
    assert not any(getattr(b, "role", "") == "named_choices" for b in layout.build(doc).blocks)
    for fmt, text in every_format_as_text(doc, "zh").items():
        flat = squash(text)
        assert "记名表决明细" not in flat, fmt
        for name in ("张建国", "刘秀英", "赵伟"):
            # Present (attendance), but never next to a choice.
            for choice in ("同意", "反对"):
                assert f"{name}3-1-" not in flat or not re.search(f"{name}3-1-\\d+{choice}", flat), fmt
    # The log behind it never held the choices either.
    for row in db.session.execute(db.select(MeetingEvent).filter_by(meeting_id=meeting.id)).scalars():
        if row.type == "ballot.cast":
            assert "choices" not in row.data
        if row.type == "vote.closed":
            assert "ballots" not in row.data


def test_the_same_vote_held_openly_lists_who_chose_what(ctx, app):
    meeting = _meeting_with_a_vote(app, secret=False)
    doc = MinutesDocument.from_json(latest_version(meeting.id).document)
    (vote,) = doc.votes
    assert {(n.voter, n.choice) for n in vote.named_choices} == {
        ("张建国", "yes"), ("刘秀英", "no"), ("赵伟", "yes")}
    assert "记名表决明细" in squash(markdown.render(doc, "zh").decode("utf-8"))


# --------------------------------------------------------------------------- versions


def test_finalising_locks_the_version_and_a_correction_makes_version_2(played, app):
    chair = chair_of(played)
    first = _version(played.id)
    refused = execute(played.id, chair, "minutes.finalise", {})
    assert not refused.ok and refused.error.code == "minutes.already_final"
    nothing = execute(played.id, chair, "minutes.correct", {"note": "无变化"})
    assert not nothing.ok and nothing.error.code == "minutes.no_change"
    run(played, chair, "minutes.write", {"section": "follow_up",
                                         "text": "督办：锦华街道办事处（何军）\n反馈：2026-12-21"})
    run(played, chair, "action_item.edit", {"id": db.session.execute(
        db.select(ActionItem.id).filter_by(meeting_id=played.id, number=2)).scalar(),
        "due": "2027-04-15"})
    result = run(played, chair, "minutes.correct", {"note": "反馈日期改为12月21日；巡查期限调整"})
    assert result["version"] == 2
    second = _version(played.id, 2)
    assert {c["section"] for c in second.changes} == {"agreed", "follow_up"}
    assert second.change_note.startswith("反馈日期") and second.created_by_name == "郑文涛"
    assert second.content_hash != first.content_hash
    # Version 1 is unchanged and still downloadable, with its hash; the default is the latest.
    assert _version(played.id).document == first.document
    client = _moderator_client(app, played)
    old = client.get(f"/meetings/{played.id}/minutes.json?version=1")
    assert old.headers["X-Content-Hash"] == f"sha256:{first.content_hash}"
    assert json.loads(old.data)["content_hash"] == f"sha256:{first.content_hash}"
    assert json.loads(old.data)["minutes"]["follow_up"]["feedback_due"] == "2026-12-19"
    latest = client.get(f"/meetings/{played.id}/minutes.json")
    assert latest.headers["X-Minutes-Version"] == "2"
    assert json.loads(latest.data)["minutes"]["follow_up"]["feedback_due"] == "2026-12-21"
    assert client.get(f"/meetings/{played.id}/minutes.pdf?version=3").status_code == 404
    # Sign-off is recorded per representative on a version.
    run(played, chair, "minutes.record_signoff", {"version": 2, "name": "李振宇",
                                                  "party": "owners_committee",
                                                  "decision": "signed"})
    assert [(s.name, s.decision) for s in second.signoffs] == [("李振宇", "signed")]
    assert [(s.name, s.decision) for s in _version(played.id).signoffs] == [
        ("李振宇", "signed"), ("周明", "signed"), ("高峰", "refused")]


def test_the_minutes_cannot_be_finalised_before_the_meeting_ends(ctx):
    meeting = make_meeting()
    outcome = execute(meeting.id, chair_of(meeting), "minutes.finalise", {})
    assert not outcome.ok and outcome.error.code == "meeting.is_live"
    assert versions_of(meeting.id) == []


# --------------------------------------------------------------------------- who may download


def test_a_phone_downloads_the_minutes_after_the_meeting_ends_but_not_before(ctx, app):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, direct_entry=True)
    phone, _ = join_from_phone(app, meeting, name="张建国", party="observer")
    assert phone.get(f"/meetings/{meeting.id}/minutes.pdf").status_code == 403  # live
    assert phone.get(f"/meetings/{meeting.id}/minutes/status.json").status_code == 403
    run(meeting, chair_of(meeting), "meeting.end", {})
    early = phone.get(f"/meetings/{meeting.id}/minutes.pdf")  # ended, not final yet
    assert early.status_code == 404
    assert phone.get(f"/meetings/{meeting.id}/minutes/status.json").json["available"] is False
    run(meeting, chair_of(meeting), "minutes.finalise", {})
    status = phone.get(f"/meetings/{meeting.id}/minutes/status.json").json
    assert status["available"] and status["version"] == 1 and set(status["links"]) == {
        "pdf", "docx", "md", "html", "json"}
    response = phone.get(status["links"]["pdf"])
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    # The phone may not see the live draft.
    assert phone.get(f"/meetings/{meeting.id}/minutes.md?draft=1").status_code == 403
    assert phone.get(f"/meetings/{meeting.id}/minutes/draft.json").status_code == 403


def test_a_stranger_cannot_download_the_minutes(ctx, app):
    meeting = make_meeting()
    run(meeting, chair_of(meeting), "meeting.end", {})
    run(meeting, chair_of(meeting), "minutes.finalise", {})
    stranger = app.test_client()
    for fmt in ("pdf", "docx", "md", "html", "json"):
        assert stranger.get(f"/meetings/{meeting.id}/minutes.{fmt}").status_code == 403
    other_user = app.test_client()
    login(other_user, make_user("moderator"))  # signed in, but not on this case
    assert other_user.get(f"/meetings/{meeting.id}/minutes.pdf").status_code == 404
    assert stranger.get(f"/meetings/{meeting.id}/minutes.exe").status_code == 404
    assert stranger.get("/meetings/999999/minutes.pdf").status_code == 404


def test_the_chair_gets_the_live_draft_until_the_minutes_are_final(ctx, app):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    client = app.test_client()
    login(client, moderator)
    run(meeting, chair_of(meeting), "minutes.write", {"section": "summary", "text": "各方同意先疏通排水口。"})
    draft = client.get(f"/meetings/{meeting.id}/minutes.md")
    assert draft.status_code == 200 and draft.headers["X-Minutes-Status"] == "draft"
    assert "各方同意先疏通排水口" in draft.data.decode("utf-8")
    panel = client.get(f"/meetings/{meeting.id}/minutes/draft.json").json
    assert panel["sections"] == {"summary": "各方同意先疏通排水口。"}
    assert "<html" in panel["html"] and panel["versions"] == []
    assert [item["number"] for item in panel["agenda"]] == [1, 2, 3]
    page = client.get(f"/meetings/{meeting.id}/console")
    assert page.status_code == 200 and 'id="minutes-panel"' in page.get_data(as_text=True)


# --------------------------------------------------------------------------- the clerk's commands


def test_agreed_items_are_rows_of_the_case_numbered_in_order(ctx):
    meeting = make_meeting()
    chair = chair_of(meeting)
    ids = [run(meeting, chair, "action_item.add", {"what": what, "party": "property_company",
                                                   "amount": "8,000.50",
                                                   "funding_source": "property_company"}
               )["action_item_id"] for what in ("疏通排水口", "加装液位报警", "每周通报")]
    run(meeting, chair, "action_item.remove", {"id": ids[0]})
    rows = db.session.execute(db.select(ActionItem).filter_by(meeting_id=meeting.id)
                              .order_by(ActionItem.number)).scalars().all()
    assert [(r.number, r.what, r.case_id, r.status, r.amount_fen) for r in rows] == [
        (1, "加装液位报警", meeting.case_id, "open", 800050), (2, "每周通报", meeting.case_id, "open", 800050)]
    run(meeting, chair, "action_item.edit", {"id": ids[1], "clear": ["amount", "funding_source"],
                                             "person": "周明"})
    doc = minutes_for(meeting)
    assert [(a.number, a.what, a.person, a.amount_fen) for a in doc.agreed] == [
        (1, "加装液位报警", "周明", None), (2, "每周通报", "", 800050)]
    rows[0].status = "in_progress"  # follow-up has started on it: it stays
    db.session.commit()
    refused = execute(meeting.id, chair, "action_item.remove", {"id": ids[1]})
    assert not refused.ok and refused.error.code == "action_item.not_open"
    bad = execute(meeting.id, chair, "action_item.add", {"what": "x", "party": "owner",
                                                         "funding_source": "developer"})
    assert not bad.ok and bad.error.code == "action_item.source_without_amount"
    money = execute(meeting.id, chair, "action_item.add", {"what": "x", "party": "owner",
                                                           "amount": "12.345"})
    assert not money.ok and money.error.code == "validation.money"


def test_the_clerks_sections_are_checked_and_the_last_text_wins(ctx):
    meeting = make_meeting()
    chair = chair_of(meeting)
    for section, code in (("nonsense", "minutes.bad_section"), ("item:999999", "agenda.not_found"),
                          ("item:abc", "minutes.bad_section")):
        outcome = execute(meeting.id, chair, "minutes.write", {"section": section, "text": "x"})
        assert not outcome.ok and outcome.error.code == code, section
    too_long = execute(meeting.id, chair, "minutes.write", {"section": "summary", "text": "字" * 10001})
    assert not too_long.ok and too_long.error.code == "validation.too_long"
    run(meeting, chair, "minutes.write", {"section": "summary", "text": "初稿"})
    run(meeting, chair, "minutes.write", {"section": "summary", "text": "定稿\n第二段"})
    same = execute(meeting.id, chair, "minutes.write", {"section": "summary", "text": "定稿\n第二段"})
    assert not same.ok and same.error.code == "command.no_change"
    assert minutes_for(meeting).summary == ("定稿", "第二段")
    phone = execute(meeting.id, Actor(role="phone", participant_id=1), "minutes.write",
                    {"section": "summary", "text": "x"})
    assert not phone.ok and phone.error.code == "auth.forbidden"


# --------------------------------------------------------------------------- the command line


def test_demo_played_and_export_minutes_from_the_command_line(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "FACILITATOR_INSTANCE": str(tmp_path)}

    def cli(*args):
        return run_facilitator(*args, env=env, timeout=120)

    played = cli("demo", "--played")
    assert played.returncode == 0, played.stderr
    assert "http://127.0.0.1:5000/meetings/1/minutes.pdf" in played.stdout
    assert "http://127.0.0.1:5000/meetings/1/minutes.docx" in played.stdout
    out = tmp_path / "minutes.md"
    exported = cli("export-minutes", "1", "--format", "md", "--output", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "version 1 (final)" in exported.stdout
    assert "锦华社区“有事好商量”协商纪要" in out.read_text(encoding="utf-8")
    missing = cli("export-minutes", "1", "--version", "7", "--format", "pdf", "-o", str(tmp_path / "x.pdf"))
    assert missing.returncode != 0 and "no version 7" in missing.stderr
    again = cli("demo", "--played")  # a second run finds the meeting held
    assert again.returncode == 0 and "minutes.pdf" in again.stdout
    live = cli("demo")
    assert live.returncode == 0


def test_an_agreed_item_with_progress_reports_cannot_be_removed(ctx):
    """Only flagged blocked, still open, but on record: removing it would lose the report."""
    from datetime import date
    from facilitator.actions import execute
    from facilitator.models import ActionItem
    from facilitator.models.case_record import ActionItemUpdate
    from tests.factories import chair_of, make_meeting, run
    meeting = make_meeting()
    item_id = run(meeting, chair_of(meeting), "action_item.add", {
        "what": "雨天巡查", "party": "property_company"})["action_item_id"]
    db.session.add(ActionItemUpdate(action_item_id=item_id, case_id=meeting.case_id,
                                    reported_on=date(2026, 12, 10), status_from="open",
                                    status_to="open", note="材料未到", blocked=True))
    db.session.commit()
    refused = execute(meeting.id, chair_of(meeting), "action_item.remove", {"id": item_id})
    assert not refused.ok and refused.error.code == "action_item.has_updates"
    assert db.session.get(ActionItem, item_id) is not None


def test_a_section_changed_by_someone_else_meanwhile_is_not_overwritten_unseen(app, ctx):
    """Two clerks edit one section: the second save names the revision it started from and
    is refused, with nothing changed, until its writer has seen the other text."""
    meeting = make_meeting()
    http = _moderator_client(app, meeting)
    console = connect(app, meeting, "console", http)

    def revisions() -> dict:
        return http.get(f"/meetings/{meeting.id}/minutes/draft.json").get_json()[
            "section_revisions"]

    assert revisions() == {}
    first = command(console, "minutes.write", {"section": "summary", "text": "甲的初稿",
                                               "base_revision": 0})
    assert first["ok"], first
    assert first["result"]["revision"] == first["seq"] == revisions()["summary"]
    # Clerk B starts from that revision; clerk A saves again meanwhile.
    b_started_from = revisions()["summary"]
    again = command(console, "minutes.write", {"section": "summary", "text": "甲改过的",
                                               "base_revision": first["seq"]})
    assert again["ok"], again
    refused = command(console, "minutes.write", {"section": "summary", "text": "乙的版本",
                                                 "base_revision": b_started_from})
    assert not refused["ok"]
    assert refused["error"]["code"] == "minutes.section_changed"
    assert refused["error"]["params"] == {"revision": again["seq"]}
    assert "他人修改" in refused["error"]["message"]
    assert minutes_for(meeting).summary == ("甲改过的",)
    # Having seen A's text, B keeps theirs knowingly.
    kept = command(console, "minutes.write", {"section": "summary", "text": "乙的版本",
                                              "base_revision": again["seq"]})
    assert kept["ok"], kept
    assert minutes_for(meeting).summary == ("乙的版本",)
    # A section never written is at revision 0; a writer that names none overwrites (API).
    fresh = command(console, "minutes.write", {"section": "dissent", "text": "无",
                                               "base_revision": 5})
    assert fresh["error"]["code"] == "minutes.section_changed"
    assert command(console, "minutes.write", {"section": "dissent", "text": "无"})["ok"]


@pytest.mark.parametrize("bad", [-1, 2 ** 63, "3", 1.5, True, [1], {"r": 1}, None])
def test_a_base_revision_that_is_no_revision_is_refused_and_changes_nothing(app, ctx, bad):
    meeting = make_meeting()
    console = connect(app, meeting, "console", _moderator_client(app, meeting))
    events_before = db.session.scalar(db.select(db.func.count()).select_from(MeetingEvent))
    answer = command(console, "minutes.write", {"section": "summary", "text": "x",
                                                "base_revision": bad})
    if bad is None:  # JSON null: no base given
        assert answer["ok"], answer
        return
    if bad == "3":  # a form's digits are read as the number (validation.py): no such revision
        assert answer["error"]["code"] == "minutes.section_changed"
    else:
        assert answer["error"]["code"] in ("validation.type", "validation.range"), answer
        assert answer["error"]["params"]["field"] == "base_revision"
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(MeetingEvent)) == \
        events_before
