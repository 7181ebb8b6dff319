"""The event log records what happened (who raised a hand, of which kind), not copies of
derived views: the speaking order is not kept in it, so it grows linearly with the queue;
a client reading events back from the log still gets the current order; an old log
converted by the migrations gives the same minutes byte for byte, and folded it gives the
state the rows hold."""
from __future__ import annotations

import json

from flask import current_app
from flask_migrate import downgrade, upgrade

from facilitator.actions import core
from facilitator.demo_played import load_played_demo
from facilitator.extensions import db
from facilitator.domain.live_state import derived_parts, empty_state
from facilitator.live import snapshot
from facilitator.live.snapshot import catch_up, snapshot_for

READ_OLDER_SHAPE = snapshot._read_older_shape  # before tests/conftest.py refuses it
from facilitator.minutes.load import minutes_for
from facilitator.models import Meeting, MeetingEvent
from facilitator.views.entities import NOT_LOGGED
from facilitator.web.minutes import RENDERERS

from tests.factories import chair_of, make_meeting, run
from tests.snapshot_from_rows import snapshot_from_rows


def _stored(meeting_id: int, event_type: str) -> list[MeetingEvent]:
    return list(db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting_id, type=event_type).order_by(MeetingEvent.seq)).scalars())


def _queue_of(count: int) -> Meeting:
    meeting = make_meeting()
    chair = chair_of(meeting)
    run(meeting, chair, "agenda.next", {})  # the first item: its speakers' list
    for n in range(count):
        person = run(meeting, chair, "participant.add", {"name": f"居民{n}", "party": "expert"})
        run(meeting, chair, "queue.add", {"participant_id": person["participant_id"],
                                          "kind": "speech", "stance": "for"})
    return meeting


def test_a_raised_hand_is_stored_as_who_raised_which_kind_and_the_log_grows_linearly(ctx):
    meeting = _queue_of(40)
    hands = _stored(meeting.id, "queue.hand_raised")
    assert len(hands) == 40
    assert (hands[0].data["name"], hands[0].data["kind"], hands[0].data["stance"]) == (
        "居民0", "speech", "for")
    assert all(c["c"] != "speakers" for hand in hands for c in hand.changes)
    sizes = [len(json.dumps(hand.changes)) for hand in hands]
    # The 40th hand costs what the first did (a few more digits in its ids), where the old
    # log stored the whole order again each time: 40 ids more by the 40th.
    assert max(sizes) - min(sizes) <= 12, sizes


def test_a_client_catching_up_from_the_log_gets_the_current_speaking_order(ctx):
    meeting = _queue_of(3)
    behind = snapshot_for(meeting.id, "chair")
    chair = chair_of(meeting)
    for n in range(3, 6):
        person = run(meeting, chair, "participant.add", {"name": f"居民{n}", "party": "expert"})
        run(meeting, chair, "queue.add", {"participant_id": person["participant_id"],
                                          "kind": "speech", "stance": "against"})
    for role in ("chair", "projector", "phone"):
        batch = catch_up(meeting.id, behind["seq"], role)["batch"]
        speakers = [c["v"] for c in batch["changes"] if c["c"] == "speakers"]
        assert speakers == [snapshot_for(meeting.id, role)["speakers"]], role
    assert len(snapshot_for(meeting.id, "chair")["speakers"]["order"]) == 6


def test_every_part_the_log_leaves_out_is_computed_again_from_the_others():
    assert set(derived_parts(empty_state())) == NOT_LOGGED == {"speakers"}


def _minutes_bytes(meeting: Meeting) -> dict[str, bytes]:
    document = minutes_for(meeting, version=1)
    return {fmt: RENDERERS[fmt].render(document, document.language) for fmt in ("json", "md")}


def test_the_demo_s_log_as_the_old_code_wrote_it_converts_to_the_same_minutes(ctx,
                                                                              monkeypatch):
    # The played demo as the code before these changes logged it: every change, the
    # speaking order included, and the speeches without their place in the meeting.
    monkeypatch.setattr(core, "NOT_LOGGED", frozenset())
    meeting = db.session.get(Meeting, load_played_demo()["meeting_id"])
    monkeypatch.undo()
    for event in _all(meeting.id):
        event.changes = [{**c, "v": {k: v for k, v in c["v"].items() if k != "started_seq"}}
                         if c["c"] == "speeches" and c["v"] else c for c in event.changes]
    db.session.commit()
    old_log = [e for e in _all(meeting.id) if any(c["c"] == "speakers" for c in e.changes)]
    assert len(old_log) > 10, "the played demo raises hands and gives the floor"
    assert not any("started_seq" in c["v"] for e in _all(meeting.id) for c in e.changes
                   if c["c"] == "speeches" and c["v"])
    before = _minutes_bytes(meeting)
    data_before = [(e.seq, e.type, e.data) for e in _all(meeting.id)]
    directory = current_app.extensions["migrate"].directory
    # The migrations drop tables: on PostgreSQL a read transaction left open here would hold
    # locks they wait for (the tables the dropped ones refer to), for ever.
    db.session.rollback()
    downgrade(directory=directory, revision="21490cc9d121")
    upgrade(directory=directory)
    db.session.expire_all()
    assert all(c["c"] != "speakers" for e in _all(meeting.id) for c in e.changes)
    assert [(e.seq, e.type, e.data) for e in _all(meeting.id)] == data_before
    assert _minutes_bytes(meeting) == before
    # Folded from its first event, the converted log gives what the rows hold.
    snapshot.forget_all()
    assert snapshot_for(meeting.id, "chair") == snapshot_from_rows(meeting)


def _all(meeting_id: int) -> list[MeetingEvent]:
    return list(db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting_id).order_by(MeetingEvent.seq)).scalars())


def test_phones_catching_up_to_the_same_point_share_one_computation_of_the_order(
        ctx, monkeypatch):
    meeting = _queue_of(2)
    behind = snapshot_for(meeting.id, "chair")["seq"]
    run(meeting, chair_of(meeting), "agenda.add", {"title": "临时动议", "minutes": 5})
    computed = []
    real = snapshot.derived_parts
    monkeypatch.setattr(snapshot, "derived_parts",
                        lambda state: computed.append(state["seq"]) or real(state))
    for role in ("phone", "phone", "projector", "chair"):
        assert catch_up(meeting.id, behind, role)["batch"] is not None
    assert computed == [behind + 1]


def test_entities_logged_before_a_field_was_added_to_them_are_read_from_their_rows(
        ctx, monkeypatch, caplog):
    """A log written by code from before some fields existed (the projector's focus on the
    meeting, the verification of people): the snapshot folded from it still holds every
    field, read from the rows of the entities concerned."""
    monkeypatch.setattr(snapshot, "_read_older_shape", READ_OLDER_SHAPE)
    meeting = db.session.get(Meeting, load_played_demo()["meeting_id"])
    older = {"meeting": "screen_focus", "participants": "verified_via"}
    for event in _all(meeting.id):
        event.changes = [{**c, "v": {k: v for k, v in c["v"].items() if k != older[c["c"]]}}
                         if c["c"] in older and c["v"] else c for c in event.changes]
    db.session.commit()
    snapshot.forget_all()
    with caplog.at_level("INFO", logger="facilitator.live.snapshot"):
        assert snapshot_for(meeting.id, "chair") == snapshot_from_rows(meeting)
    assert "meeting %s: meeting None logged in an older shape" % meeting.id in caplog.text
    assert "participants" in caplog.text
