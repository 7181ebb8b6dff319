"""The command core's guarantees (actions/core.py), on SQLite and PostgreSQL: a command id is
applied once, sequence numbers have no gaps, one event per change, the event is published
after its commit; and the core's own statements stay few and narrow."""
from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event

from facilitator.actions import Actor, core, execute
from facilitator.extensions import db
from facilitator.models import AgendaItem, Meeting, MeetingEvent
from facilitator.views.entities import NOT_LOGGED

from tests.factories import chair_of, make_meeting, run


def events_of(meeting_id: int) -> list[MeetingEvent]:
    db.session.rollback()
    return list(db.session.execute(db.select(MeetingEvent).filter_by(meeting_id=meeting_id)
                                   .order_by(MeetingEvent.seq)).scalars())


def last_seq(meeting_id: int) -> int:
    db.session.rollback()
    return db.session.get(Meeting, meeting_id).last_seq


@pytest.fixture
def published(monkeypatch):
    """Events handed to the publishers, each with whether its row was already committed
    (seen from a connection of its own) when it was published."""
    seen = []

    def publisher(events):
        with db.engine.connect() as other:
            for event in events:
                committed = other.execute(db.select(MeetingEvent.id).filter_by(
                    meeting_id=event["meeting_id"], seq=event["seq"])).first() is not None
                seen.append((event, committed))
    monkeypatch.setattr(core, "publishers", [*core.publishers, publisher])
    return seen


def test_each_change_is_one_event_with_the_next_seq_published_after_its_commit(ctx, published):
    meeting = make_meeting()
    chair = chair_of(meeting)
    start = last_seq(meeting.id)
    published.clear()  # the meeting's preparation
    outcomes = [execute(meeting.id, chair, "agenda.next", {}) for _ in range(3)]
    outcomes.append(execute(meeting.id, chair, "agenda.add", {"title": "临时动议", "minutes": 5}))
    assert all(o.ok and not o.duplicate for o in outcomes)
    assert [o.seq for o in outcomes] == [start + 1, start + 2, start + 3, start + 4]
    assert last_seq(meeting.id) == start + 4
    rows = events_of(meeting.id)
    assert [r.seq for r in rows] == list(range(1, start + 5))  # no gaps, from the first
    new = rows[-4:]
    assert [r.type for r in new] == ["agenda.item_started"] * 3 + ["agenda.item_added"]
    assert [p[0]["seq"] for p in published] == [o.seq for o in outcomes]
    assert all(committed for _, committed in published)  # never before the commit
    for row, (sent, _), outcome in zip(new, published, outcomes):
        # What went out is what was stored, but for the derived views the log leaves out.
        stored = core.event_dict(row)
        assert {**sent, "changes": None} == {**stored, "changes": None}
        assert [c for c in sent["changes"] if c["c"] not in NOT_LOGGED] == stored["changes"]
        if row.type == "agenda.item_started":  # sent with the new item's speakers' list
            assert any(c["c"] == "speakers" for c in sent["changes"])
        assert row.result == outcome.result and row.actor == chair.label
        assert outcome.event == sent


def test_a_repeated_command_id_returns_the_first_result_and_changes_nothing(ctx, published):
    meeting = make_meeting()
    chair = chair_of(meeting)
    published.clear()  # the meeting's preparation
    first = execute(meeting.id, chair, "agenda.add", {"title": "临时动议", "minutes": 5},
                    "repeat-id-0001")
    before = last_seq(meeting.id)
    again = execute(meeting.id, chair, "agenda.add", {"title": "另一个", "minutes": 9},
                    "repeat-id-0001")
    assert again.ok and again.duplicate and again.event is None
    assert (again.seq, again.result) == (first.seq, first.result)
    assert last_seq(meeting.id) == before
    assert [p[0]["seq"] for p in published] == [first.seq]  # published once
    titles = db.session.execute(db.select(AgendaItem.title).filter_by(meeting_id=meeting.id)
                                ).scalars().all()
    assert "临时动议" in titles and "另一个" not in titles
    # The same id in another meeting is another command.
    other = make_meeting(moderator=db.session.get(type(meeting.moderator), meeting.moderator_id))
    assert not execute(other.id, chair_of(other), "agenda.add",
                       {"title": "x", "minutes": 5}, "repeat-id-0001").duplicate


def test_a_command_id_used_by_someone_else_is_refused(ctx):
    meeting = make_meeting()
    chair = chair_of(meeting)
    person = run(meeting, chair, "participant.add", {"name": "王阿姨", "party": "owner",
                                                     "unit": None})["participant_id"]
    run(meeting, chair, "agenda.next", {}, "shared-id-0001")
    before = last_seq(meeting.id)
    phone = Actor(role="phone", participant_id=person)
    outcome = execute(meeting.id, phone, "hand.raise", {"kind": "speech", "stance": "for"},
                      "shared-id-0001")
    assert not outcome.ok and outcome.error.code == "command.id_reused"
    assert last_seq(meeting.id) == before


def test_a_command_that_changes_nothing_records_no_event(ctx, published):
    meeting = make_meeting()
    chair = chair_of(meeting)
    person = run(meeting, chair, "participant.add", {"name": "王阿姨", "party": "owner",
                                                     "unit": None})["participant_id"]
    run(meeting, chair, "agenda.next", {})
    phone = Actor(role="phone", participant_id=person)
    raised = execute(meeting.id, phone, "hand.raise", {"kind": "speech", "stance": "for"})
    before, published_before = last_seq(meeting.id), len(published)
    twice = execute(meeting.id, phone, "hand.raise", {"kind": "speech", "stance": "for"})
    assert twice.ok and twice.seq is None and twice.event is None
    assert twice.result == {"entry_id": raised.result["entry_id"], "already_waiting": True}
    assert last_seq(meeting.id) == before and len(published) == published_before


def test_secret_results_reach_the_sender_but_not_the_log(ctx):
    meeting = make_meeting(direct_entry=True)
    outcome = execute(meeting.id, Actor(role="visitor"), "participant.join",
                      {"name": "张建国", "party": "observer", "unit": None})
    assert outcome.ok and outcome.result["token"]
    row = events_of(meeting.id)[-1]
    assert row.seq == outcome.seq and "token" not in row.result
    assert row.result == {k: v for k, v in outcome.result.items() if k != "token"}


def test_a_command_id_committed_meanwhile_by_the_same_sender_returns_that_result(
        ctx, published, monkeypatch):
    """Two deliveries of one command race: the second one's lookup missed the first (not yet
    committed then), so its event row breaks the (meeting, command id) constraint. It rolls
    back, everything it did with it, and answers with the first one's result."""
    meeting = make_meeting()
    chair = chair_of(meeting)
    published.clear()  # the meeting's preparation
    first = execute(meeting.id, chair, "agenda.add", {"title": "临时动议", "minutes": 5},
                    "racing-id-0001")
    items_before, seq_before = _item_count(meeting.id), last_seq(meeting.id)
    real = core._previous_rows
    calls = []

    def missed_once(*args):
        calls.append(args)
        return {} if len(calls) == 1 else real(*args)
    monkeypatch.setattr(core, "_previous_rows", missed_once)
    again = execute(meeting.id, chair, "agenda.add", {"title": "临时动议", "minutes": 5},
                    "racing-id-0001")
    assert len(calls) == 2  # the miss inside the transaction, then the lookup after the error
    assert again.ok and again.duplicate and (again.seq, again.result) == (first.seq,
                                                                           first.result)
    assert _item_count(meeting.id) == items_before  # the second item was rolled back
    assert last_seq(meeting.id) == seq_before
    assert [p[0]["seq"] for p in published] == [first.seq]
    assert not core._sqlite_write_lock.locked()


def _item_count(meeting_id: int) -> int:
    db.session.rollback()
    return db.session.execute(db.select(db.func.count()).select_from(AgendaItem).filter_by(
        meeting_id=meeting_id)).scalar()


@pytest.fixture
def statements():
    captured = []

    def log(conn, cursor, statement, parameters, context, executemany):
        captured.append(" ".join(statement.split()))
    sa_event.listen(db.engine, "before_cursor_execute", log)
    yield captured
    sa_event.remove(db.engine, "before_cursor_execute", log)


def test_the_core_reads_and_writes_only_what_it_needs(ctx, statements, monkeypatch):
    """agenda.start with no one at the floor: the idempotency lookup reads three columns,
    the meeting row is locked on PostgreSQL, no speech is looked up, the seq is one UPDATE
    and the event one INSERT. (The live layer's publishers, which run after the commit,
    are not counted.)"""
    monkeypatch.setattr(core, "publishers", [])
    meeting = make_meeting()
    meeting_id, chair = meeting.id, chair_of(meeting)
    run(meeting, chair, "agenda.next", {})
    items = db.session.execute(db.select(AgendaItem.id).filter_by(meeting_id=meeting_id)
                               .order_by(AgendaItem.position)).scalars().all()
    db.session.rollback()
    statements.clear()
    outcome = execute(meeting_id, chair, "agenda.start", {"id": items[1]}, "narrow-id-0001")
    assert outcome.ok
    # On SQLite the transaction first takes the database's write lock (BEGIN IMMEDIATE), so
    # that a group's savepoints sit inside it; it tries without SQLite's own busy wait
    # (busy_timeout 0 for that one statement).
    sqlite = db.engine.dialect.name == "sqlite"
    begin = ["PRAGMA busy_timeout=0", "BEGIN IMMEDIATE", "PRAGMA busy_timeout=5000"]
    assert (statements[:3] == begin) == sqlite
    begin = begin if sqlite else []
    del statements[:len(begin)]
    lookup, meeting_read = statements[0], statements[1]
    assert lookup.startswith("SELECT meeting_events.command_id, meeting_events.actor, "
                             "meeting_events.seq, meeting_events.result FROM meeting_events "
                             "WHERE")
    assert meeting_read.startswith("SELECT meetings.id")
    assert meeting_read.endswith("FOR UPDATE") == (db.engine.dialect.name != "sqlite")
    assert not [s for s in statements if s.startswith("SELECT speeches.id")]
    writes = [s.split(" SET ")[0].split(" (")[0] for s in statements
              if s.startswith(("UPDATE meetings", "INSERT INTO meeting_events"))]
    assert writes == ["UPDATE meetings", "UPDATE meetings", "INSERT INTO meeting_events"]
    assert sum(s.startswith("UPDATE meetings SET last_seq") for s in statements) == 1
    assert len(statements) <= 11, "\n".join(statements)
    # And the repeat is one narrow lookup, nothing else.
    statements.clear()
    assert execute(meeting_id, chair, "agenda.start", {"id": items[1]},
                   "narrow-id-0001").duplicate
    assert statements == [*begin, lookup]
