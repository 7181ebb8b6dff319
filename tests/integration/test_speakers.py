"""The speakers' list as the room uses it: hands from phones, the floor, time, notes."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from facilitator.domain.live_state import apply_batch
from facilitator.extensions import db
from facilitator.models import CaseMember, QueueEntry, Speech

from tests.factories import (command, connect, join_from_phone, login, make_meeting,
                             make_user, received_batches, sync)


@pytest.fixture
def room(app, ctx):
    """A live meeting on its first item: the console, the projector and three admitted phones
    (an owner for, a property manager against, an owner who only asks)."""
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


def order_of(sock):
    snapshot = state(sock)
    return [snapshot["queue"][str(entry_id)]["participant_id"]
            for entry_id in snapshot["speakers"]["order"]]


def test_hands_raised_from_phones_reach_every_screen_in_the_rules_order(room):
    meeting, console, projector, phones, ids = room
    before = {name: state(sock) for name, sock in {"console": console, "projector": projector,
                                                   **phones}.items()}
    assert command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})["ok"]
    assert command(phones["liu"], "hand.raise", {"kind": "speech", "stance": "for"})["ok"]
    assert command(phones["zhou"], "hand.raise", {"kind": "speech", "stance": "against"})["ok"]
    expected = [ids["zhang"], ids["liu"], ids["zhou"]]  # nobody has spoken: first come first
    for name, sock in {"console": console, "projector": projector, **phones}.items():
        replayed = before[name]
        for batch in received_batches(sock):
            replayed = apply_batch(replayed, batch)
        assert replayed == state(sock), name
        ordered = [replayed["queue"][str(e)]["participant_id"]
                   for e in replayed["speakers"]["order"]]
        assert ordered == expected, name


def test_after_a_for_speech_the_against_side_speaks_next(room):
    meeting, console, projector, phones, ids = room
    command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    command(phones["liu"], "hand.raise", {"kind": "speech", "stance": "for"})
    command(phones["zhou"], "hand.raise", {"kind": "speech", "stance": "against"})
    assert command(console, "floor.give")["ok"]  # 张建国, for
    assert order_of(projector) == [ids["zhou"], ids["liu"]]


def test_a_point_of_order_goes_to_the_front_and_its_ruling_is_recorded(room):
    meeting, console, projector, phones, ids = room
    command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    command(phones["zhou"], "hand.raise", {"kind": "point_of_order"})
    assert order_of(projector)[0] == ids["zhou"]
    speech_id = command(console, "floor.give")["result"]["speech_id"]
    assert command(console, "point.rule", {"speech_id": speech_id, "ruling": "upheld"})["ok"]
    assert db.session.get(Speech, speech_id).ruling == "upheld"
    refused = command(console, "point.rule", {"speech_id": speech_id, "ruling": "maybe"})
    assert refused["error"]["code"] == "validation.choice"


def test_the_speakers_phone_learns_it_has_the_floor_and_its_time(room):
    meeting, console, projector, phones, ids = room
    command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    phones["zhang"].get_received("/live")
    given = command(console, "floor.give")
    assert given["ok"]
    seen = state(phones["zhang"])
    speech = seen["speeches"][str(seen["meeting"]["current_speech_id"])]
    assert speech["participant_id"] == ids["zhang"] and speech["allowed_seconds"] == 180
    assert speech["started_at"] and speech["stance"] == "for"
    assert speech["name"] == "张建国"  # phones show the speaker without a list of people
    changed = [c["c"] for b in received_batches(phones["zhang"]) for c in b["changes"]]
    assert {"speeches", "meeting", "speakers"} <= set(changed)
    assert state(projector)["speakers"]["order"] == []


def test_a_withdrawn_hand_disappears_everywhere(room):
    meeting, console, projector, phones, ids = room
    entry_id = command(phones["zhang"], "hand.raise",
                       {"kind": "speech", "stance": "for"})["result"]["entry_id"]
    assert command(phones["zhang"], "hand.withdraw", {"kind": "speech"})["ok"]
    for sock in (console, projector, phones["liu"]):
        snapshot = state(sock)
        assert str(entry_id) not in snapshot["queue"] and snapshot["speakers"]["order"] == []
    assert db.session.get(QueueEntry, entry_id).status == "withdrawn"


def test_a_phone_cannot_give_itself_the_floor_or_move_the_list(room):
    meeting, console, projector, phones, ids = room
    entry = command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    for type_, payload in (("floor.give", {}), ("queue.move", {"entry_id": 1, "position": 0}),
                           ("speech.end", {}), ("queue.add", {"participant_id": ids["zhang"],
                                                               "kind": "speech",
                                                               "stance": "for"})):
        ack = command(phones["zhang"], type_, payload)
        assert ack["error"]["code"] == "auth.forbidden", type_
    assert db.session.get(QueueEntry, entry["result"]["entry_id"]).status == "waiting"


def test_a_hand_raised_twice_is_one_entry(room):
    meeting, console, projector, phones, ids = room
    first = command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    again = command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "against"})
    assert again["ok"] and again["result"] == {"entry_id": first["result"]["entry_id"],
                                                "already_waiting": True}
    assert db.session.execute(db.select(db.func.count(QueueEntry.id))).scalar() == 1


def test_the_database_itself_refuses_a_second_waiting_hand(room):
    meeting, console, projector, phones, ids = room
    command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    entry = db.session.execute(db.select(QueueEntry)).scalar_one()
    db.session.add(QueueEntry(meeting_id=entry.meeting_id, agenda_item_id=entry.agenda_item_id,
                              participant_id=entry.participant_id, kind="speech",
                              stance="against", party="owner", raised_seq=99))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_many_raises_a_second_are_throttled_with_a_clear_message(room, monkeypatch):
    meeting, console, projector, phones, ids = room
    from facilitator.live import namespace
    instant = namespace.monotonic()
    monkeypatch.setattr(namespace, "monotonic", lambda: instant)  # 40 taps in one instant
    acks = [command(phones["liu"], "hand.raise", {"kind": "speech", "stance": "for"})
            for _ in range(40)]
    throttled = [a for a in acks if not a["ok"]]
    assert len(throttled) == 30  # a burst of 10, then nothing until time passes
    assert {a["error"]["code"] for a in throttled} == {"command.too_fast"}
    assert "稍候" in throttled[0]["error"]["message"]
    assert db.session.execute(db.select(db.func.count(QueueEntry.id))).scalar() == 1


def test_a_closed_list_takes_only_points_of_order(room):
    meeting, console, projector, phones, ids = room
    assert command(console, "queue.set_open", {"open": False})["ok"]
    refused = command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    assert refused["error"]["code"] == "queue.list_closed"
    assert "截止" in refused["error"]["message"]
    assert command(phones["zhang"], "hand.raise", {"kind": "point_of_order"})["ok"]
    assert command(console, "queue.set_open", {"open": True})["ok"]
    assert command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})["ok"]


def test_a_speech_needs_a_stance_and_the_turn_limit_is_enforced(room):
    meeting, console, projector, phones, ids = room
    refused = command(phones["zhang"], "hand.raise", {"kind": "speech"})
    assert refused["error"]["code"] == "queue.stance_required"
    for _ in range(2):
        command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
        command(console, "floor.give")
        command(console, "speech.end")
    third = command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    assert third["error"]["code"] == "queue.turns_exhausted"
    assert third["error"]["params"] == {"participant_id": ids["zhang"], "turns": 2,
                                        "max_turns": 2}
    # A point of information does not use up a turn.
    assert command(phones["zhang"], "hand.raise", {"kind": "point_of_information"})["ok"]


def test_the_moderator_adds_someone_without_a_phone_and_moves_them(room):
    meeting, console, projector, phones, ids = room
    grandma = command(console, "participant.add", {"name": "王奶奶", "party": "owner",
                                                   "unit": "3-1-201"})["result"]["participant_id"]
    command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    entry = command(console, "queue.add", {"participant_id": grandma, "kind": "speech",
                                           "stance": "against"})["result"]["entry_id"]
    assert order_of(projector) == [ids["zhang"], grandma]
    assert command(console, "queue.move", {"entry_id": entry, "position": 0})["ok"]
    assert order_of(projector) == [grandma, ids["zhang"]]
    assert command(console, "floor.give")["ok"]  # the head of the list is now 王奶奶
    from facilitator.models import MeetingEvent
    events = {e.type: e.data for e in db.session.execute(db.select(MeetingEvent)).scalars()}
    assert events["queue.entry_moved"] == {"entry_id": entry, "position": 0}  # recorded
    assert events["floor.given"]["name"] == "王奶奶" and not events["floor.given"]["out_of_order"]


def test_giving_the_floor_out_of_order_is_recorded(room):
    meeting, console, projector, phones, ids = room
    command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    second = command(phones["liu"], "hand.raise", {"kind": "speech", "stance": "for"})
    command(console, "floor.give", {"entry_id": second["result"]["entry_id"]})
    from facilitator.models import MeetingEvent
    event = db.session.execute(db.select(MeetingEvent).filter_by(type="floor.given")
                               ).scalar_one()
    assert event.data["out_of_order"] is True


def test_pause_extend_and_overrun_are_recorded(room, time_machine):
    meeting, console, projector, phones, ids = room
    from datetime import datetime, timezone
    time_machine.move_to(datetime.now(timezone.utc), tick=False)  # time passes only below
    command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    speech_id = command(console, "floor.give")["result"]["speech_id"]
    time_machine.shift(100)
    assert command(console, "speech.pause")["ok"]
    assert command(console, "speech.pause")["error"]["code"] == "speech.already_paused"
    time_machine.shift(500)  # paused time does not count
    assert command(console, "speech.resume")["ok"]
    assert command(console, "speech.extend", {"seconds": 60})["ok"]
    time_machine.shift(170)  # 270 s spoken of 180 + 60 allowed
    assert command(console, "speech.end")["ok"]
    speech = db.session.get(Speech, speech_id)
    assert (speech.spoken_ms, speech.extension_seconds, speech.overrun_seconds) == (
        270_000, 60, 30)
    stats = state(console)["speakers"]["stats"]
    assert stats["by_participant"][str(ids["zhang"])]["turns"] == 1
    assert stats["by_party"]["owner"]["speech_seconds"] == 270


def test_moving_to_the_next_item_ends_the_speech_and_starts_a_fresh_list(room):
    meeting, console, projector, phones, ids = room
    command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    command(phones["liu"], "hand.raise", {"kind": "speech", "stance": "for"})
    speech_id = command(console, "floor.give")["result"]["speech_id"]
    command(console, "agenda.next")
    assert db.session.get(Speech, speech_id).ended_at is not None
    snapshot = state(projector)
    assert snapshot["meeting"]["current_speech_id"] is None and snapshot["speakers"]["order"] == []
    command(console, "agenda.previous")  # back: 刘秀英 is still waiting there
    assert order_of(projector) == [ids["liu"]]


def test_the_clerks_notes_belong_to_the_speech_and_can_be_corrected_afterwards(app, room):
    meeting, console, projector, phones, ids = room
    clerk = make_user("clerk")
    meeting.clerk_id = clerk.id
    db.session.add(CaseMember(case_id=meeting.case_id, user_id=clerk.id))
    db.session.commit()
    clerk_http = app.test_client()
    login(clerk_http, clerk)
    clerk_console = connect(app, meeting, "console", clerk_http)
    command(phones["zhou"], "hand.raise", {"kind": "speech", "stance": "against"})
    speech_id = command(console, "floor.give")["result"]["speech_id"]
    note = "物业认为应先疏通排水口，再评估注浆"
    assert command(clerk_console, "speech.note", {"speech_id": speech_id, "notes": note})["ok"]
    assert state(console)["speeches"][str(speech_id)]["notes"] == note
    assert state(projector)["speeches"][str(speech_id)]["notes"] == ""  # a draft till published
    command(console, "meeting.end")
    corrected = command(clerk_console, "speech.note",
                        {"speech_id": speech_id, "notes": note + "（会后更正）"})
    assert corrected["ok"]
    assert db.session.get(Speech, speech_id).notes.endswith("（会后更正）")


def test_statistics_show_on_the_projector_only_when_the_meeting_says_so(room):
    meeting, console, projector, phones, ids = room
    command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    command(console, "floor.give")
    command(console, "speech.end")
    assert state(projector)["speakers"]["stats"] is None
    assert command(console, "speakers.configure", {"stats_on_projector": True})["ok"]
    assert state(projector)["speakers"]["stats"]["by_party"]["owner"]["turns"] == 1
    assert state(phones["liu"])["speakers"]["stats"] is None


def test_speaking_rules_are_meeting_settings(room):
    meeting, console, projector, phones, ids = room
    assert command(console, "speakers.configure", {"speech_seconds": 120,
                                                   "max_turns_per_item": 1})["ok"]
    command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"})
    speech_id = command(console, "floor.give")["result"]["speech_id"]
    assert db.session.get(Speech, speech_id).allowed_seconds == 120
    command(console, "speech.end")
    assert command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for"}
                   )["error"]["code"] == "queue.turns_exhausted"
    bad = command(console, "speakers.configure", {"speech_seconds": 5})
    assert bad["error"]["code"] == "validation.range"


def test_a_speech_can_name_the_plan_it_concerns(room):
    meeting, console, projector, phones, ids = room
    from tests.factories import run, chair_of
    run(meeting, chair_of(meeting), "plan.create", {
        "key": "C", "title": "综合治理", "total": "482300",
        "funding": {"developer": "209400", "property_company": "40000",
                    "maintenance_fund": "232900"}, "matters": ["use_fund"]})
    ack = command(phones["zhang"], "hand.raise", {"kind": "speech", "stance": "for",
                                                  "plan_key": "C"})
    assert ack["ok"]
    assert state(projector)["queue"][str(ack["result"]["entry_id"])]["plan_key"] == "C"
    unknown = command(phones["liu"], "hand.raise", {"kind": "speech", "stance": "for",
                                                    "plan_key": "Z"})
    assert unknown["error"]["code"] == "queue.unknown_plan"
