"""The minutes builder: a pure function of the event log plus the case record (docs/architecture.md
§6). No database here: the logs are plain data (tests/minutes_log_factory.py)."""
from __future__ import annotations

import dataclasses
import random
import time
from datetime import date, timedelta
from functools import cache

import pytest

from facilitator.domain.minutes_model import MinutesDocument
from facilitator.exports import markdown
from facilitator.minutes import narrative
from facilitator.minutes.builder import build_minutes, fold
from tests.minutes_log_factory import START_MS, synthetic_log

ZONE = "Asia/Shanghai"


@cache
def big():
    return synthetic_log(events=20_000, participants=200)


@cache
def small():
    return synthetic_log(events=3_000, participants=40, seed=3)


def build(log=None, language="zh", zone=ZONE, **changes):
    case, meeting, events, roster = log or small()
    return build_minutes({**case, **changes.get("case", {})}, meeting, events, roster, language, zone)


# --------------------------------------------------------------------------- determinism


def test_the_same_log_gives_byte_identical_minutes():
    first, second = build(big()), build(big())
    assert first.to_json() == second.to_json()
    assert markdown.render(first, "zh") == markdown.render(second, "zh")
    assert first.content_hash() == second.content_hash()


def test_the_order_the_events_arrive_in_does_not_matter_only_their_sequence():
    case, meeting, events, roster = small()
    shuffled = list(events)
    random.Random(5).shuffle(shuffled)
    assert build((case, meeting, shuffled, roster)).to_json() == build().to_json()


def test_the_json_reads_back_to_the_same_document():
    doc = build()
    assert MinutesDocument.from_json(doc.to_json()) == doc


def test_twenty_thousand_events_and_two_hundred_participants_build_in_under_a_second():
    case, meeting, events, roster = big()
    assert len(events) == 20_000
    started = time.perf_counter()
    doc = build_minutes(case, meeting, events, roster, "zh", ZONE)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"{elapsed:.3f} s"
    # The 200 participants, and the moderator (signed in at the console, named by the clerk).
    assert sum(len(g.people) for g in doc.attendance.groups) + len(doc.attendance.observers) == 201
    assert len(doc.views) > 500 and len(doc.votes) == 6 and len(doc.agreed) == 30


# --------------------------------------------------------------------------- what the log says


def test_times_are_in_the_zone_passed_in_and_the_same_instant_in_any_zone():
    shanghai, utc = build(zone="Asia/Shanghai"), build(zone="UTC")
    assert shanghai.header.started_at.utcoffset() == timedelta(hours=8)
    assert utc.header.started_at.utcoffset() == timedelta(0)
    assert shanghai.header.started_at == utc.header.started_at
    assert shanghai.header.started_at.microsecond == 0


def test_a_speech_shows_the_clerks_last_notes():
    case, meeting, events, roster = small()
    last = {}
    for event in events:
        if event["type"] == "speech.noted":
            last[event["data"]["speech_id"]] = event["data"]["notes"]
    order = [e["data"]["speech_id"] for e in events if e["type"] == "floor.given"]
    doc = build()
    assert [v.notes for v in doc.views] == [last[s] for s in order]
    assert any(sum(1 for e in events if e["type"] == "speech.noted" and e["data"]["speech_id"] == s) > 1
               for s in order)  # some notes were corrected


def test_a_secret_vote_carries_no_choices_and_a_named_vote_lists_them():
    doc = build(big())
    secret = [v for v in doc.votes if v.secret]
    assert len(secret) == 1 and secret[0].named_choices is None
    assert all(v.named_choices for v in doc.votes if not v.secret)
    # Even a log that (wrongly) held choices for a secret ballot would not put them in the minutes:
    case, meeting, events, roster = big()
    folded = fold(events)
    secret_id = next(v["id"] for v in folded.state["votes"].values() if v["secret"])
    assert secret_id not in folded.vote_ballots


def test_votes_are_counted_by_heads_and_area_and_straw_polls_are_non_binding():
    for vote in build(big()).votes:
        assert vote.kind == "straw_poll" and vote.non_binding and vote.passed is None
        assert sum(c.owners for c in vote.counts) == vote.participation.owners
        assert sum(c.area for c in vote.counts) == vote.participation.area
        assert vote.explanation and vote.rule == "plurality"


def test_the_appendix_lists_milestones_and_counts_every_event_but_no_ballot():
    doc = build(big())
    assert doc.appendix.events_total == 20_000
    kinds = {e.kind for e in doc.appendix.timeline}
    assert kinds <= {"meeting_opened", "item_started", "speech", "point_of_order", "vote_opened",
                     "vote_closed", "meeting_ended", "other"}
    assert len(doc.appendix.timeline) < 1_000
    times = [e.at for e in doc.appendix.timeline]
    assert times == sorted(times)
    speaking = {p.party: p for p in doc.appendix.speaking_time}
    assert sum(p.turns for p in speaking.values()) == len(doc.views)
    assert sum(p.seconds for p in speaking.values()) == sum(v.seconds for v in doc.views)


def test_attendance_is_grouped_by_party_with_the_owners_units():
    doc = build()
    owners = next(g for g in doc.attendance.groups if g.party == "owner")
    assert all(a.units for a in owners.people)
    assert doc.attendance.owners_present.owners == len(owners.people)
    parties = [g.party for g in doc.attendance.groups]
    assert parties[-1] == "owner" and "observer" not in parties


def test_dissent_comes_from_the_speeches_against_unless_the_clerk_wrote_it():
    doc = build()
    against = [v for v in doc.views if v.stance == "against" and v.notes]
    assert [d.text for d in doc.dissent] == [v.notes for v in against]
    case, meeting, events, roster = small()
    written = events + [{"seq": len(events) + 1, "type": "minutes.written", "at": events[-1]["at"],
                         "data": {"section": "dissent", "text": "部分业主 | 主张方案B\n单独一行"},
                         "changes": []}]
    doc = build((case, meeting, written, roster))
    assert [(d.held_by, d.text) for d in doc.dissent] == [("部分业主", "主张方案B"), ("", "单独一行")]


def test_agreed_items_follow_their_add_edit_and_remove_events():
    case, meeting, events, roster = small()
    base = events[-1]["at"]
    item = {"number": 1, "what": "疏通排水口", "party": "property_company", "person": "周明",
            "organisation": "", "due": "2026-12-20", "amount_fen": 800000,
            "funding_source": "property_company", "acceptance": "闭水试验"}
    extra = [("action_item.added", {"action_item_id": 900, "item": item}),
             ("action_item.added", {"action_item_id": 901, "item": {**item, "number": 2, "what": "加装泵"}}),
             ("action_item.edited", {"action_item_id": 901, "item": {**item, "number": 2, "what": "加装集水泵"},
                                     "changed": ["what"]}),
             ("action_item.removed", {"action_item_id": 900, "number": 1, "what": "疏通排水口",
                                      "renumbered": {"901": 1}})]
    log = [e for e in events if not e["type"].startswith("action_item.")]
    for n, (type_, data) in enumerate(extra):
        log.append({"seq": len(events) + 1 + n, "type": type_, "at": base + n, "data": data, "changes": []})
    doc = build((case, meeting, log, roster))
    assert [(a.number, a.what, a.amount_fen, a.due) for a in doc.agreed] == [
        (1, "加装集水泵", 800000, date(2026, 12, 20))]


def test_the_case_record_gives_the_matter():
    doc = build()
    assert doc.matter.title == "合成案件" and doc.matter.fund.balance_fen == 56621000
    assert [d.key for d in doc.matter.dates] == ["letter_received"]
    assert doc.header.case_number == "SYN-2026-001" and doc.header.number == "SYN-2026-001-JY01"


def test_a_meeting_that_has_not_started_still_has_a_draft():
    case, meeting, events, roster = small()
    doc = build((case, meeting, [], roster))
    assert doc.header.status == "draft" and doc.views == () and doc.appendix.events_total == 0
    assert doc.header.started_at.timestamp() * 1000 == START_MS


def test_the_builder_refuses_an_unknown_language():
    with pytest.raises(ValueError):
        build(language="fr")


# --------------------------------------------------------------------------- the clerk's text


def test_follow_up_lines_are_read_by_their_labels():
    note = narrative.follow_up("督办：锦华街道办事处\n通报: 每周\n公示地点：单元公告栏\n"
                               "公示期：2026-12-07 至 2026-12-11\n反馈：2026年12月19日\n雨季后复查")
    assert (note.supervisor, note.reporting, note.publication_place) == ("锦华街道办事处", "每周", "单元公告栏")
    assert (note.publication_from, note.publication_to) == (date(2026, 12, 7), date(2026, 12, 11))
    assert note.feedback_due == date(2026, 12, 19) and note.notes == ("雨季后复查",)
    assert narrative.follow_up("  \n ") is None


def test_pending_and_attachment_lines_take_an_optional_kind_first():
    items = narrative.pending("分歧 | 建设单位不认可 | 街道（何军） | 2026-12-20\n只写了事项")
    assert [(p.kind, p.what, p.responsible, p.due) for p in items] == [
        ("disagreement", "建设单位不认可", "街道（何军）", date(2026, 12, 20)),
        ("open_question", "只写了事项", "", None)]
    files = narrative.attachments("检测报告 | 鉴定报告 | 恒正检测\n业主联名信")
    assert [(a.kind, a.title, a.note) for a in files] == [("assessment", "鉴定报告", "恒正检测"),
                                                          ("other", "业主联名信", "")]


def test_people_lines_give_titles_roles_and_parties():
    people = narrative.people("陈立华 | 社区党委书记 | 召集人 | 社区\n张建国 | | 业主代表\n李四")
    assert [(p.name, p.title, p.role, p.party) for p in people] == [
        ("陈立华", "社区党委书记", "convener", "community"),
        ("张建国", "", "owner_representative", ""), ("李四", "", "", "")]


def test_section_keys_are_checked():
    assert narrative.is_valid_section("summary") and narrative.is_valid_section("item:12")
    for bad in ("item:", "item:x", "item:-1", "notes", "item:１２"):
        assert not narrative.is_valid_section(bad), bad


def test_the_model_holds_only_integers_for_money_and_area():
    doc = build(big())
    assert "." not in "".join(str(c.area) for v in doc.votes for c in v.counts)
    assert all(isinstance(a.amount_fen, (int, type(None))) for a in doc.agreed)
    dataclasses.asdict(doc)  # plain data all the way down
