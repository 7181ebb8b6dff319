"""Written questions from phones (actions/questions.py) as the room uses them, through the
socket: asked, upvoted once each, withdrawn; taken up by the chair (to the speakers' list,
answered, dismissed); who may send what; and what abuse changes (nothing)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from facilitator.domain.live_state import apply_batch
from facilitator.extensions import db
from facilitator.models import MeetingEvent, Question, QuestionUpvote, QueueEntry

from tests.factories import (command, connect, join_from_phone, login, make_meeting,
                             make_user, received_batches, sync)


@pytest.fixture
def room(app, ctx):
    """A live meeting on its first item: the console, the projector and three admitted phones
    (two owners and the property company's manager)."""
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, with_roster=True, direct_entry=True)
    console_http = app.test_client()
    login(console_http, moderator)
    console = connect(app, meeting, "console", console_http)
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    phones, ids = {}, {}
    for key, name, party, unit in (("zhang", "张建国", "owner", "3-1-101"),
                                   ("zhou", "周明", "property_company", None),
                                   ("liu", "刘秀英", "owner", "3-1-102")):
        http, ids[key] = join_from_phone(app, meeting, name, party, unit)
        phones[key] = connect(app, meeting, "phone", http)
    assert command(console, "agenda.next")["ok"]
    for sock in (console, projector, *phones.values()):
        sock.get_received("/live")
    return meeting, console, projector, phones, ids


def state(sock):
    return sync(sock)["snapshot"]


def ask(phone, text="排水口什么时候疏通？") -> int:
    ack = command(phone, "question.ask", {"text": text})
    assert ack["ok"], ack
    return ack["result"]["question_id"]


def rows() -> dict:
    """What the database holds of the questions: compared before and after a refusal."""
    return {"questions": [(q.id, q.status, q.upvotes, q.text, q.entry_id, q.answer)
                          for q in db.session.execute(db.select(Question).order_by(Question.id))
                          .scalars()],
            "upvotes": sorted(db.session.execute(db.select(QuestionUpvote.question_id,
                                                           QuestionUpvote.participant_id)).all()),
            "events": db.session.execute(db.select(db.func.count(MeetingEvent.id))).scalar(),
            "entries": db.session.execute(db.select(db.func.count(QueueEntry.id))).scalar()}


# --------------------------------------------------------------------------- asking, upvoting

def test_a_question_reaches_every_screen_and_upvotes_count_live(room):
    meeting, console, projector, phones, ids = room
    before = {name: state(sock) for name, sock in {"console": console, "projector": projector,
                                                   **phones}.items()}
    question_id = ask(phones["zhang"], "  维修期间车库\n能否照常停车？  ")
    up = command(phones["liu"], "question.upvote", {"question_id": question_id})
    assert up["ok"] and up["result"] == {"question_id": question_id, "upvoted": True,
                                         "upvotes": 1}
    assert command(phones["zhou"], "question.upvote", {"question_id": question_id})["ok"]
    for name, sock in {"console": console, "projector": projector, **phones}.items():
        replayed = before[name]
        for batch in received_batches(sock):
            replayed = apply_batch(replayed, batch)
        assert replayed == state(sock), name
        seen = replayed["questions"][str(question_id)]
        assert seen["text"] == "维修期间车库\n能否照常停车？"  # trimmed, lines kept
        assert seen["upvotes"] == 2 and seen["status"] == "open"
        assert seen["name"] == "张建国" and seen["party"] == "owner"
        assert seen["participant_id"] == ids["zhang"]
    # Each phone learns its own upvotes alone; no screen learns who upvoted.
    assert sync(phones["liu"])["upvoted"] == [question_id]
    assert sync(phones["zhang"])["upvoted"] == []
    assert "upvoted" not in sync(console) and "upvoted" not in sync(projector)
    assert "voters" not in str(state(console)["questions"])


def test_one_upvote_per_participant_taken_back_once(room):
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"])
    first = command(phones["liu"], "question.upvote", {"question_id": question_id})
    again = command(phones["liu"], "question.upvote", {"question_id": question_id})
    assert first["seq"] is not None
    assert again["ok"] and again["seq"] is None  # nothing written
    assert again["result"] == {"question_id": question_id, "upvoted": True, "upvotes": 1}
    assert db.session.get(Question, question_id).upvotes == 1
    back = command(phones["liu"], "question.withdraw_upvote", {"question_id": question_id})
    assert back["result"] == {"question_id": question_id, "upvoted": False, "upvotes": 0}
    twice = command(phones["liu"], "question.withdraw_upvote", {"question_id": question_id})
    assert twice["ok"] and twice["seq"] is None
    assert state(projector)["questions"][str(question_id)]["upvotes"] == 0
    assert sync(phones["liu"])["upvoted"] == []
    assert db.session.execute(db.select(db.func.count(QuestionUpvote.id))).scalar() == 0


def test_the_asker_cannot_upvote_their_own_question(room):
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"])
    before = rows()
    refused = command(phones["zhang"], "question.upvote", {"question_id": question_id})
    assert refused["error"]["code"] == "question.own"
    assert refused["error"]["message"] == "不能给自己的问题点赞。"
    assert rows() == before


def test_the_asker_withdraws_an_open_question_and_nobody_else_can(room):
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"])
    before = rows()
    other = command(phones["liu"], "question.withdraw", {"question_id": question_id})
    assert other["error"]["code"] == "question.not_yours"
    assert rows() == before
    assert command(phones["zhang"], "question.withdraw", {"question_id": question_id})["ok"]
    assert str(question_id) not in state(projector)["questions"]
    assert str(question_id) not in state(phones["liu"])["questions"]
    assert state(console)["questions"][str(question_id)]["status"] == "withdrawn"
    again = command(phones["zhang"], "question.withdraw", {"question_id": question_id})
    assert again["error"]["code"] == "question.not_open"
    upvote = command(phones["liu"], "question.upvote", {"question_id": question_id})
    assert upvote["error"]["code"] == "question.not_open"


# --------------------------------------------------------------------------- the chair

def test_to_the_speakers_list_then_the_floor_then_answered(room):
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"])
    queued = command(console, "question.to_queue", {"question_id": question_id})
    assert queued["ok"] and queued["result"]["already_waiting"] is False
    entry_id = queued["result"]["entry_id"]
    phone_state = state(phones["zhang"])
    entry = phone_state["queue"][str(entry_id)]
    assert entry["participant_id"] == ids["zhang"] and entry["stance"] == "question"
    assert entry["by_chair"] is True
    assert phone_state["speakers"]["order"] == [entry_id]
    question = phone_state["questions"][str(question_id)]
    assert question["status"] == "queued" and question["entry_id"] == entry_id
    # Upvotes stop once it is taken up.
    late = command(phones["liu"], "question.upvote", {"question_id": question_id})
    assert late["error"]["code"] == "question.not_open"
    speech_id = command(console, "floor.give")["result"]["speech_id"]
    question = state(projector)["questions"][str(question_id)]
    assert question["status"] == "spoken" and question["speech_id"] == speech_id
    assert command(console, "speech.end")["ok"]
    answered = command(console, "question.answer",
                       {"question_id": question_id, "answer": "  下周一疏通。 "})
    assert answered["ok"]
    seen = state(phones["liu"])["questions"][str(question_id)]
    assert seen["status"] == "answered" and seen["answer"] == "下周一疏通。"
    assert "dismiss_reason" not in seen and "handled_by" not in seen
    assert state(console)["questions"][str(question_id)]["handled_by"]
    same = command(console, "question.answer", {"question_id": question_id,
                                                "answer": "下周一疏通。"})
    assert same["error"]["code"] == "command.no_change"
    event = db.session.execute(db.select(MeetingEvent).filter_by(
        type="question.answered")).scalar_one()
    assert event.data == {"question_id": question_id, "answer": "下周一疏通。",
                          "was": "spoken", "upvotes": 0}


def test_a_question_goes_with_a_speech_already_waiting_and_back_when_the_hand_goes(room):
    meeting, console, projector, phones, ids = room
    entry_id = command(phones["zhang"], "hand.raise",
                       {"kind": "speech", "stance": "for"})["result"]["entry_id"]
    question_id = ask(phones["zhang"])
    queued = command(console, "question.to_queue", {"question_id": question_id})
    assert queued["result"] == {"question_id": question_id, "entry_id": entry_id,
                                "already_waiting": True}
    assert len(state(console)["queue"]) == 1
    assert command(phones["zhang"], "hand.withdraw", {"kind": "speech"})["ok"]
    question = state(phones["liu"])["questions"][str(question_id)]
    assert question["status"] == "open" and question["entry_id"] is None
    # Open again: it takes upvotes and may go on the list again.
    assert command(phones["liu"], "question.upvote", {"question_id": question_id})["ok"]
    again = command(console, "question.to_queue", {"question_id": question_id})
    assert again["ok"] and again["result"]["already_waiting"] is False
    assert command(console, "queue.remove", {"entry_id": again["result"]["entry_id"]})["ok"]
    assert db.session.get(Question, question_id).status == "open"


def test_the_speakers_lists_rules_hold_for_a_question(room):
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"])
    assert command(console, "queue.set_open", {"open": False})["ok"]
    before = rows()
    closed = command(console, "question.to_queue", {"question_id": question_id})
    assert closed["error"]["code"] == "queue.list_closed"
    assert rows() == before
    assert command(console, "queue.set_open", {"open": True})["ok"]
    gone = command(console, "participant.remove", {"id": ids["zhang"]})
    assert gone["ok"]
    refused = command(console, "question.to_queue", {"question_id": question_id})
    assert refused["error"]["code"] == "question.asker_gone"


def test_a_dismissed_question_leaves_the_room_but_not_the_record(room):
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"], "物业都是骗子")
    assert command(phones["liu"], "question.upvote", {"question_id": question_id})["ok"]
    dismissed = command(console, "question.dismiss", {"question_id": question_id,
                                                      "reason": "abusive", "note": "人身攻击"})
    assert dismissed["ok"]
    for sock in (projector, phones["liu"], phones["zhang"]):
        assert str(question_id) not in state(sock)["questions"]
    kept = state(console)["questions"][str(question_id)]
    assert (kept["status"], kept["dismiss_reason"], kept["dismiss_note"]) == \
        ("dismissed", "abusive", "人身攻击")
    before = rows()
    refused = command(phones["zhou"], "question.upvote", {"question_id": question_id})
    assert refused["error"]["code"] == "question.not_open"
    assert refused["error"]["message"] == "此问题已处理或已撤回，不能再这样操作。"
    for type_ in ("question.to_queue", "question.dismiss", "question.answer"):
        payload = {"question_id": question_id}
        if type_ == "question.dismiss":
            payload["reason"] = "duplicate"
        assert command(console, type_, payload)["error"]["code"] == "question.not_open", type_
    assert rows() == before
    bad_reason = command(console, "question.dismiss", {"question_id": question_id,
                                                       "reason": "boring"})
    assert bad_reason["error"]["code"] == "validation.choice"


def told_alone(sock, message: str) -> list[dict]:
    return [m["args"][0] for m in sock.get_received("/live") if m["name"] == message]


def test_the_asker_alone_is_told_which_question_was_dismissed_and_why(room):
    """Its question must not just vanish from the phone that asked it: the asker is told,
    with the reason (not the chair's note, which is for the record), at once and in every
    sync after; the room's screens still drop it and learn nothing of it."""
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"], "物业都是骗子")
    kept_id = ask(phones["zhang"], "排水口什么时候疏通？")
    assert command(phones["liu"], "question.upvote", {"question_id": kept_id})["ok"]
    for sock in (projector, *phones.values()):
        sock.get_received("/live")
    assert command(console, "question.dismiss", {"question_id": question_id,
                                                 "reason": "abusive", "note": "人身攻击"})["ok"]
    told = {"id": question_id, "text": "物业都是骗子", "dismiss_reason": "abusive"}
    assert told_alone(phones["zhang"], "dismissed") == [told]
    for sock in (projector, phones["liu"], phones["zhou"]):
        assert told_alone(sock, "dismissed") == []
    assert sync(phones["zhang"])["dismissed"] == [told]  # after a reconnect too
    assert sync(phones["liu"])["dismissed"] == []
    assert sync(phones["liu"])["upvoted"] == [kept_id]  # read in the same statement
    assert "dismissed" not in sync(projector) and "dismissed" not in sync(console)


def test_the_top_questions_go_on_the_screen_alone(room):
    meeting, console, projector, phones, ids = room
    assert command(console, "screen.focus", {"show": "questions"})["ok"]
    assert state(projector)["meeting"]["screen_focus"] == {"kind": "questions"}
    with_id = command(console, "screen.focus", {"show": "questions", "id": 1})
    assert with_id["error"]["code"] == "screen.id_not_needed"
    assert command(console, "screen.focus", {"show": "none"})["ok"]


# --------------------------------------------------------------------------- who may

def test_phones_cannot_take_questions_up_and_the_chair_cannot_ask(room, app):
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"])
    # Another meeting's moderator.
    stranger = make_user("moderator")
    http = app.test_client()
    login(http, stranger)
    own = make_meeting(moderator=stranger, members=(stranger,))
    other_console = connect(app, own, "console", http)
    before = rows()
    for type_, payload in (("question.to_queue", {"question_id": question_id}),
                           ("question.answer", {"question_id": question_id}),
                           ("question.dismiss", {"question_id": question_id,
                                                 "reason": "duplicate"})):
        assert command(phones["liu"], type_, payload)["error"]["code"] == "auth.forbidden"
        assert command(projector, type_, payload)["error"]["code"] == "auth.forbidden"
    for type_, payload in (("question.ask", {"text": "主持人的问题"}),
                           ("question.upvote", {"question_id": question_id}),
                           ("question.withdraw_upvote", {"question_id": question_id}),
                           ("question.withdraw", {"question_id": question_id})):
        assert command(console, type_, payload)["error"]["code"] == "auth.forbidden"
        assert command(projector, type_, payload)["error"]["code"] == "auth.forbidden"
    refused = command(other_console, "question.answer", {"question_id": question_id})
    assert refused["error"]["code"] == "question.not_found"  # not in its own meeting
    assert rows() == before


def test_a_phone_in_the_lobby_or_of_another_meeting_cannot_ask_or_upvote(room, app):
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"])
    assert command(console, "meeting.configure", {"allow_direct_entry": False})["ok"]
    http, waiting_id = join_from_phone(app, meeting, "路人甲", "observer")
    waiting = connect(app, meeting, "phone", http)
    elsewhere = make_meeting(direct_entry=True)
    other_http, _ = join_from_phone(app, elsewhere, "外人", "observer")
    other = connect(app, elsewhere, "phone", other_http)
    before = rows()
    for type_, payload in (("question.ask", {"text": "我还在门口"}),
                           ("question.upvote", {"question_id": question_id})):
        refused = command(waiting, type_, payload)
        assert refused["error"]["code"] == "question.not_admitted", type_
        assert refused["error"]["message"] == "入场后才能提问。"
    # A phone of another live meeting names this meeting's question.
    for type_ in ("question.upvote", "question.withdraw_upvote", "question.withdraw"):
        assert command(other, type_, {"question_id": question_id})["error"]["code"] == \
            "question.not_found", type_
    assert rows() == before


def test_nothing_once_the_meeting_has_ended(room):
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"])
    assert command(console, "meeting.end")["ok"]
    before = rows()
    for sock, type_, payload in ((phones["liu"], "question.ask", {"text": "还能问吗？"}),
                                 (phones["liu"], "question.upvote", {"question_id": question_id}),
                                 (phones["zhang"], "question.withdraw",
                                  {"question_id": question_id}),
                                 (console, "question.answer", {"question_id": question_id})):
        refused = command(sock, type_, payload)
        assert refused["error"]["code"] == "meeting.is_ended", type_
    assert rows() == before


# --------------------------------------------------------------------------- abuse

def test_questions_are_rate_limited_per_participant(room, app, time_machine, monkeypatch):
    meeting, console, projector, phones, ids = room
    time_machine.move_to(datetime.now(timezone.utc), tick=False)  # time passes only below
    for n in range(3):
        ask(phones["zhang"], f"第 {n + 1} 个问题")
    before = rows()
    refused = command(phones["zhang"], "question.ask", {"text": "第四个问题"})
    assert refused["error"]["code"] == "question.too_fast"
    seconds = refused["error"]["params"]["seconds"]
    assert seconds == 60  # the first of the three was asked this very moment
    assert refused["error"]["message"] == f"提问太频繁，请 {seconds} 秒后再提。"
    assert rows() == before
    # Withdrawing does not buy another.
    assert command(phones["zhang"], "question.withdraw",
                   {"question_id": before["questions"][0][0]})["ok"]
    assert command(phones["zhang"], "question.ask",
                   {"text": "第四个问题"})["error"]["code"] == "question.too_fast"
    # Others are not held back by one participant's limit.
    ask(phones["liu"], "别人的问题")
    time_machine.shift(timedelta(seconds=61))
    ask(phones["zhang"], "一分钟后的问题")
    # The limit is a setting.
    monkeypatch.setitem(app.config, "QUESTIONS_PER_MINUTE", 1)
    ask(phones["liu"], "一分钟一个")
    assert command(phones["liu"], "question.ask",
                   {"text": "又一个"})["error"]["code"] == "question.too_fast"


def test_a_participant_has_at_most_five_questions_open(room, time_machine):
    meeting, console, projector, phones, ids = room
    time_machine.move_to(datetime.now(timezone.utc), tick=False)
    for n in range(5):
        ask(phones["zhou"], f"问题 {n}")
        time_machine.shift(timedelta(seconds=30))
    refused = command(phones["zhou"], "question.ask", {"text": "第六个"})
    assert refused["error"]["code"] == "question.too_many_open"
    assert refused["error"]["params"] == {"max": 5}
    first = min(q.id for q in db.session.execute(db.select(Question)).scalars())
    assert command(console, "question.answer", {"question_id": first})["ok"]
    ask(phones["zhou"], "第六个")


@pytest.mark.parametrize("text, code", [
    ("", "validation.required"), ("   \n  ", "validation.required"), (None, "validation.required"),
    ("问" * 301, "validation.too_long"), (42, "validation.type"), (["问题"], "validation.type"),
    ({"text": "问题"}, "validation.type")])
def test_a_question_must_be_text_of_at_most_300_characters(room, text, code):
    meeting, console, projector, phones, ids = room
    before = rows()
    refused = command(phones["zhang"], "question.ask", {"text": text})
    assert refused["error"]["code"] == code
    if code == "validation.too_long":
        assert refused["error"]["message"] == "“内容”太长（最多 300 个字）。"
    assert rows() == before
    assert command(phones["zhang"], "question.ask", {"text": "问" * 300})["ok"]


@pytest.mark.parametrize("typed, shown", [
    # A right-to-left override turns the words around on every screen (and the minutes'
    # PDF, which drops it, would say something else than the room saw).
    ("\u202e排水口何时疏通？", "排水口何时疏通？"),
    ("车库\u2067渗漏\u2069何时修？\u202a", "车库渗漏何时修？"),
    # 290 accents stacked on one character draw over every question around it.
    ("问" + "\u0301" * 290 + "题", "问" + "\u0301" * 4 + "题"),
    # A screenful of empty lines.
    ("第一行" + "\n" * 200 + "第二行", "第一行\n\n第二行"),
    ("\n".join("行" * 3 for _ in range(60)), "\n".join("行" * 3 for _ in range(10))
     + " " + " ".join("行" * 3 for _ in range(50))),
    # What a question needs is kept: a keycap, a heart, Vietnamese, a line break or two.
    ("1\ufe0f\u20e3 ❤\ufe0f Nguyễn hỏi:\n能否\n\n照常停车？", "1\ufe0f\u20e3 ❤\ufe0f Nguyễn hỏi:\n能否\n\n照常停车？"),
])
def test_a_question_is_shown_as_words_not_as_a_way_to_cover_the_screens(room, typed, shown):
    """Any admitted phone's question reaches every phone, the console and the screen at once,
    before the chair has seen it: what would turn its words around or draw over the others
    is left out, as the record keeps it."""
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"], typed)
    for sock in (console, projector, phones["liu"]):
        assert state(sock)["questions"][str(question_id)]["text"] == shown
    assert db.session.get(Question, question_id).text == shown


@pytest.mark.parametrize("value, code", [
    (2**63, "validation.range"), (2**31, "validation.range"), (0, "validation.range"),
    (-1, "validation.range"), (1.5, "validation.type"), (True, "validation.type"),
    ("abc", "validation.type"), (None, "validation.required"), ([1], "validation.type")])
def test_question_ids_out_of_range_or_of_the_wrong_type_are_refused_clearly(room, app, value,
                                                                             code):
    meeting, console, projector, phones, ids = room
    ask(phones["zhang"])
    before = rows()
    for sock, type_ in ((phones["liu"], "question.upvote"),
                        (phones["liu"], "question.withdraw_upvote"),
                        (phones["zhang"], "question.withdraw"),
                        (console, "question.to_queue"), (console, "question.answer"),
                        (console, "question.dismiss")):
        payload = {"question_id": value}
        if type_ == "question.dismiss":
            payload["reason"] = "duplicate"
        refused = command(sock, type_, payload)
        assert refused["error"]["code"] == code, type_
        assert "问题编号" in refused["error"]["message"], type_
    assert rows() == before


def test_the_refusals_read_in_english_on_an_english_phone(room, app):
    meeting, console, projector, phones, ids = room
    question_id = ask(phones["zhang"])
    http, _ = join_from_phone(app, meeting, "Wang Li", "observer")
    english = connect(app, meeting, "phone", http, headers={"Accept-Language": "en"})
    refused = command(english, "question.upvote", {"question_id": 2**63})
    assert refused["error"]["message"] == "“Question number” must be between 1 and 2147483647."
    assert command(english, "question.upvote", {"question_id": question_id})["ok"]
    assert command(english, "question.upvote", {"question_id": question_id + 1000})[
        "error"]["message"] == "This question does not exist."
    too_long = command(english, "question.ask", {"text": "x" * 301})
    assert too_long["error"]["message"] == "“Text” is too long (300 characters at most)."


# --------------------------------------------------------------------------- the minutes

def test_the_minutes_list_each_question_its_asker_and_how_it_was_taken_up(room):
    from facilitator.minutes.load import minutes_for
    from tests.unit.test_minutes_renderers import every_format_as_text, squash
    meeting, console, projector, phones, ids = room
    spoken = ask(phones["zhang"], "排水口什么时候疏通？")
    command(phones["liu"], "question.upvote", {"question_id": spoken})
    command(phones["zhou"], "question.upvote", {"question_id": spoken})
    in_writing = ask(phones["liu"], "维修资金还剩多少？")
    duplicate = ask(phones["zhou"], "排水口什么时候疏通")
    abusive = ask(phones["zhou"], "开发商都是骗子")
    withdrawn = ask(phones["liu"], "我想撤回这个问题")
    left_open = ask(phones["zhang"], "施工噪音怎么处理？")
    assert command(console, "question.to_queue", {"question_id": spoken})["ok"]
    assert command(console, "floor.give")["ok"]
    assert command(console, "speech.end")["ok"]
    assert command(console, "question.answer", {"question_id": spoken})["ok"]
    assert command(console, "question.answer", {"question_id": in_writing,
                                                 "answer": "约 23 万元，详见附件。"})["ok"]
    for question_id, reason in ((duplicate, "duplicate"), (abusive, "abusive")):
        assert command(console, "question.dismiss", {"question_id": question_id,
                                                     "reason": reason})["ok"]
    assert command(phones["liu"], "question.withdraw", {"question_id": withdrawn})["ok"]
    assert command(console, "meeting.end")["ok"]
    assert left_open

    doc = minutes_for(db.session.get(type(meeting), meeting.id))
    listed = [(q.number, q.asker, q.party, q.text, q.upvotes, q.outcome, q.answer, q.view)
              for q in doc.questions]
    assert listed == [
        (1, "张建国", "owner", "排水口什么时候疏通？", 2, "answered", "", 1),
        (2, "刘秀英", "owner", "维修资金还剩多少？", 0, "answered", "约 23 万元，详见附件。", None),
        (3, "张建国", "owner", "施工噪音怎么处理？", 0, "not_taken_up", "", None)]
    assert [(d.reason, d.count) for d in doc.questions_dismissed] == [("duplicate", 1),
                                                                      ("abusive", 1)]
    assert doc.questions[0].item == 1 and doc.questions[0].at is not None
    # The speech in which the question was said aloud is the minutes' view 1.
    assert doc.views[0].speaker == "张建国" and doc.views[0].stance == "question"

    for fmt, text in every_format_as_text(doc, "zh").items():
        flat = squash(text)
        # Dismissed and withdrawn questions are not reproduced, in any format.
        assert "骗子" not in flat and "我想撤回" not in flat, fmt
        for words in ("排水口什么时候疏通？", "维修资金还剩多少？", "施工噪音怎么处理？"):
            assert squash(words) in flat, (fmt, words)
        if fmt == "json":  # the document's data: keys, not labels
            continue
        for words in ("书面提问", "已答复：约23万元，详见附件。", "已当场答复", "（见第1条发言）",
                      "会上未处理", "另有2条书面提问经主持人决定不予采纳（重复1条、不文明1条）"):
            assert squash(words) in flat, (fmt, words)
    for fmt, text in every_format_as_text(doc, "en").items():
        if fmt == "json":
            continue
        flat = squash(text)
        for words in ("Written questions", "Answered in the meeting", "(see contribution 1)",
                      "Not taken up in the meeting",
                      "2 further written questions were dismissed by the moderator "
                      "(duplicate: 1, abusive: 1)"):
            assert squash(words) in flat, (fmt, words)
    # The record keeps what the minutes leave out.
    kept = db.session.execute(db.select(MeetingEvent).filter_by(type="question.asked")).scalars()
    assert "开发商都是骗子" in {e.data["text"] for e in kept}


def test_minutes_without_questions_keep_their_hash():
    """A version of the minutes stored before questions existed hashes as it did: the new
    fields are left out of the canonical JSON while empty."""
    from tests.unit.test_minutes_renderers import document
    plain = document().to_plain()
    assert "questions" not in plain and "questions_dismissed" not in plain
