"""Group commit (actions/core.py): commands that arrive while another is being written are
written together in one transaction, each still with its own event and seq; a command of the
group that is refused rolls back its own savepoint, and the others stay written. On SQLite and PostgreSQL, with real threads."""
from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from flask import current_app
from sqlalchemy import event as sa_event

from facilitator.actions import Actor, core, execute
from facilitator.actions.core import CHAIR, Outcome
from facilitator.errors import DomainError
from facilitator.extensions import db
from facilitator.models import MeetingEvent, Participant

from tests.factories import chair_of, make_meeting


class Groups:
    """The commands of each group as it is written, and the events published. `hold(n)`: the
    next group is held until n more commands wait behind it, so those arrive while it is
    being written, as in a room of phones joining at once."""
    def __init__(self):
        self.seen: list[list[str]] = []
        self.published: list[list[dict]] = []
        self.arrivals = 0

    def hold(self, arrivals: int) -> None:
        self.seen.clear()
        self.published.clear()
        self.arrivals = arrivals


@pytest.fixture
def groups(monkeypatch):
    groups = Groups()
    real = core._write_group

    def write_group(group):
        if groups.arrivals:
            queue = core._queue_of(current_app._get_current_object())
            deadline = time.monotonic() + 10
            while (len(group) + len(queue.waiting) < 1 + groups.arrivals
                   and time.monotonic() < deadline):
                time.sleep(0.005)
            groups.arrivals = 0
        groups.seen.append([c.command_id for c in group])
        return real(group)
    monkeypatch.setattr(core, "_write_group", write_group)
    monkeypatch.setattr(core, "publishers", [groups.published.append])
    return groups


def send_at_once(app, commands) -> dict:
    """Each (meeting id, actor, name, payload, command id) from a thread of its own, the first
    one first; their outcomes (or the exception raised to the sender) by command id."""
    outcomes = {}

    def send(meeting_id, actor, name, payload, command_id):
        with app.app_context():
            try:
                outcomes[command_id] = execute(meeting_id, actor, name, payload, command_id)
            except Exception as error:  # noqa: BLE001 - raised to its sender: kept for the test
                outcomes[command_id] = error
            db.session.remove()
    threads = [threading.Thread(target=send, args=c) for c in commands]
    threads[0].start()
    queue, deadline = core._queue_of(app), time.monotonic() + 10
    while not (queue.leading and not queue.waiting) and time.monotonic() < deadline:
        time.sleep(0.002)  # the first has taken its group: the others arrive while it writes
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(20)
    return outcomes


def joins(meeting, count: int, prefix: str = "join") -> list[tuple]:
    return [(meeting.id, Actor(role="visitor"), "participant.join",
             {"name": f"居民{i}", "party": "observer"}, f"{prefix}-{i:04d}")
            for i in range(count)]


def stored_events(meeting_id: int) -> list[MeetingEvent]:
    db.session.rollback()
    return list(db.session.execute(db.select(MeetingEvent).filter_by(meeting_id=meeting_id)
                                   .order_by(MeetingEvent.seq)).scalars())


def test_phones_joining_at_once_are_written_together_each_with_its_own_event(app, ctx, groups):
    meeting = make_meeting(direct_entry=True)
    start = meeting.last_seq
    groups.hold(11)
    commits = []

    def count_commit(connection):
        commits.append(connection)
    sa_event.listen(db.engine, "commit", count_commit)
    try:
        outcomes = send_at_once(app, joins(meeting, 12))
    finally:
        sa_event.remove(db.engine, "commit", count_commit)
    assert len(outcomes) == 12 and all(o.ok and not o.duplicate for o in outcomes.values())
    # Two groups: the first alone, then all the others together.
    assert groups.seen[0] == ["join-0000"] and len(groups.seen) == 2
    assert sorted(groups.seen[1]) == [f"join-{i:04d}" for i in range(1, 12)]
    assert len(commits) == 2  # a transaction per group, not per join
    # Gap-free seqs, one event per join, each with its own participant and token.
    assert sorted(o.seq for o in outcomes.values()) == list(range(start + 1, start + 13))
    rows = stored_events(meeting.id)[-12:]
    assert [r.seq for r in rows] == list(range(start + 1, start + 13))
    assert all(r.type == "participant.joined" for r in rows)
    assert {r.command_id for r in rows} == set(outcomes)
    for row in rows:
        outcome = outcomes[row.command_id]
        assert row.seq == outcome.seq and row.result["participant_id"] == \
            outcome.result["participant_id"] and "token" not in row.result
    assert len({o.result["token"] for o in outcomes.values()}) == 12
    assert db.session.execute(db.select(db.func.count()).select_from(Participant).filter_by(
        meeting_id=meeting.id)).scalar() == 12
    # Published after their commits, in seq order: each group's events as one list.
    assert [len(events) for events in groups.published] == [len(g) for g in groups.seen]
    assert [e["seq"] for events in groups.published for e in events] == list(
        range(start + 1, start + 13))


def test_a_command_that_fails_in_a_group_fails_alone(app, ctx, groups):
    meeting = make_meeting(direct_entry=True)
    chair = chair_of(meeting)
    start = meeting.last_seq
    sent = joins(meeting, 6)
    sent.insert(3, (meeting.id, chair, "agenda.start", {"id": 999999}, "start-missing"))
    groups.hold(6)
    outcomes = send_at_once(app, sent)
    failed = outcomes.pop("start-missing")
    assert not failed.ok and failed.error.code == "agenda.not_found"
    assert all(o.ok for o in outcomes.values())
    assert sorted(o.seq for o in outcomes.values()) == list(range(start + 1, start + 7))
    rows = stored_events(meeting.id)[-6:]
    assert [r.type for r in rows] == ["participant.joined"] * 6
    assert [r.seq for r in rows] == list(range(start + 1, start + 7))
    assert sorted(groups.seen[1]) == ["join-0001", "join-0002", "join-0003", "join-0004",
                                      "join-0005", "start-missing"]  # together, then alone


class CommitCounter:
    """The transactions committed on the engine while it is in use."""
    def __init__(self):
        self.commits = 0

    def __enter__(self):
        sa_event.listen(db.engine, "commit", self._count)
        return self

    def __exit__(self, *_):
        sa_event.remove(db.engine, "commit", self._count)

    def _count(self, _connection):
        self.commits += 1


def register(monkeypatch, name, handler):
    monkeypatch.setitem(core.registry, name, core.CommandSpec(name, handler, CHAIR, {}))


def count_joins(monkeypatch) -> list[str]:
    """The names participant.join's handler is run for, each time it runs."""
    spec = core.registry["participant.join"]
    ran = []

    def counted(context, **payload):
        ran.append(payload["name"])
        return spec.handler(context, **payload)
    monkeypatch.setitem(core.registry, "participant.join",
                        dataclasses.replace(spec, handler=counted))
    return ran


def half_done_then_refused(context):
    """Adds a participant, then refuses: what it added must not stay."""
    db.session.add(Participant(meeting_id=context.meeting.id, name="半途而废", party="observer"))
    db.session.flush()
    raise DomainError("agenda.not_found")


def test_a_refused_command_rolls_back_its_own_savepoint_and_the_group_is_written_once(
        app, ctx, groups, monkeypatch):
    register(monkeypatch, "test.half_done", half_done_then_refused)
    ran = count_joins(monkeypatch)
    meeting = make_meeting(direct_entry=True)
    start = meeting.last_seq
    sent = joins(meeting, 6)
    sent.insert(3, (meeting.id, chair_of(meeting), "test.half_done", {}, "half-done"))
    groups.hold(6)
    with CommitCounter() as counter:
        outcomes = send_at_once(app, sent)
    refused = outcomes.pop("half-done")
    assert not refused.ok and refused.error.code == "agenda.not_found"
    assert all(o.ok for o in outcomes.values())
    assert sorted(groups.seen[1]) == ["half-done", "join-0001", "join-0002", "join-0003",
                                      "join-0004", "join-0005"]
    # One transaction for the first join, one for the group: no command was run twice.
    assert counter.commits == 2
    assert sorted(ran) == [f"居民{i}" for i in range(6)]
    rows = stored_events(meeting.id)[-6:]
    assert [r.seq for r in rows] == list(range(start + 1, start + 7))
    assert [r.type for r in rows] == ["participant.joined"] * 6
    names = db.session.execute(db.select(Participant.name).filter_by(
        meeting_id=meeting.id)).scalars().all()
    assert "半途而废" not in names and len(names) == 6


def test_a_join_over_its_browsers_limit_is_refused_in_its_group_and_joins_need_no_savepoint(
        app, ctx, groups, sql_statements):
    """participant.join writes in its last statement, which also checks the limits: in a
    group it runs without a savepoint, and one refused leaves nothing behind."""
    meeting = make_meeting(direct_entry=True)
    limit = current_app.config["JOIN_DEVICE_LIMIT"]
    sent = [(meeting.id, Actor(role="visitor"), "participant.join",
             {"name": f"家人{i}", "party": "observer", "device": "one-family-phone"},
             f"family-{i:04d}") for i in range(limit + 2)]
    groups.hold(len(sent) - 1)
    with sql_statements.recording(this_thread_only=False) as statements, \
            CommitCounter() as counter:
        outcomes = send_at_once(app, sent)
    refused = [o for o in outcomes.values() if not o.ok]
    assert len(groups.seen) == 2 and counter.commits == 2
    assert [o.error.code for o in refused] == ["participant.device_limit"] * 2
    assert not any(s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))
                   for s in statements)
    names = db.session.execute(db.select(Participant.name).filter_by(
        meeting_id=meeting.id)).scalars().all()
    assert sorted(names) == [f"家人{i}" for i in range(limit)]
    assert [r.type for r in stored_events(meeting.id)[-limit:]] == ["participant.joined"] * limit


def test_a_command_that_changes_nothing_in_a_group_answers_without_an_event(
        app, ctx, groups, monkeypatch):
    def adds_then_changes_nothing(context):
        db.session.add(Participant(meeting_id=context.meeting.id, name="无事", party="observer"))
        return Outcome(None, {}, {"unchanged": True})
    register(monkeypatch, "test.nothing", adds_then_changes_nothing)
    meeting = make_meeting(direct_entry=True)
    start = meeting.last_seq
    sent = joins(meeting, 4)
    sent.insert(2, (meeting.id, chair_of(meeting), "test.nothing", {}, "nothing-1"))
    groups.hold(4)
    with CommitCounter() as counter:
        outcomes = send_at_once(app, sent)
    nothing = outcomes.pop("nothing-1")
    assert nothing.ok and nothing.seq is None and nothing.result == {"unchanged": True}
    assert counter.commits == 2
    assert sorted(o.seq for o in outcomes.values()) == list(range(start + 1, start + 5))
    assert db.session.execute(db.select(db.func.count()).select_from(Participant).filter_by(
        meeting_id=meeting.id, name="无事")).scalar() == 0


def test_a_group_that_fails_for_another_reason_leaves_nothing_before_each_runs_alone(
        app, ctx, groups, monkeypatch):
    """Not a refusal (a bug): the whole group's transaction is rolled back and each command
    runs alone. What the commands before it wrote must not have been committed on the way
    (on SQLite a savepoint outside a transaction would commit at its release), or they would
    be written twice."""
    def broken(_context):
        raise RuntimeError("a bug")
    register(monkeypatch, "test.broken", broken)
    meeting = make_meeting(direct_entry=True)
    sent = joins(meeting, 4)
    sent.insert(3, (meeting.id, chair_of(meeting), "test.broken", {}, "broken-1"))
    groups.hold(4)
    outcomes = send_at_once(app, sent)
    assert isinstance(outcomes.pop("broken-1"), RuntimeError)  # raised to its sender
    assert all(o.ok for o in outcomes.values()) and len(outcomes) == 4
    for i in range(4):
        assert db.session.execute(db.select(db.func.count()).select_from(Participant).filter_by(
            meeting_id=meeting.id, name=f"居民{i}")).scalar() == 1


def test_a_command_sent_twice_in_one_group_is_applied_once(app, ctx, groups):
    meeting = make_meeting(direct_entry=True)
    first = joins(meeting, 1, "first")
    twice = joins(meeting, 1, "again")
    groups.hold(2)
    outcomes = send_at_once(app, first + twice + twice)
    rows = [r for r in stored_events(meeting.id) if r.command_id == "again-0000"]
    assert len(rows) == 1 and outcomes["again-0000"].ok
    assert groups.seen == [["first-0000"], ["again-0000", "again-0000"]]
    assert db.session.execute(db.select(db.func.count()).select_from(Participant).filter_by(
        meeting_id=meeting.id, name="居民0")).scalar() == 2  # "first" and "again": once each


def test_a_handler_that_runs_a_command_itself_is_refused_not_left_waiting(ctx, monkeypatch):
    """A handler calling execute() would wait for its own group for ever."""
    def nested(context):
        execute(context.meeting.id, context.actor, "agenda.next", {})
        return Outcome("test.nested", {})
    monkeypatch.setitem(core.registry, "test.nested",
                        core.CommandSpec("test.nested", nested, CHAIR, {}))
    meeting = make_meeting()
    with pytest.raises(RuntimeError, match="inside a command"):
        execute(meeting.id, chair_of(meeting), "test.nested", {})
    assert not core._queue_of(current_app._get_current_object()).leading  # the next command is not stuck
    assert execute(meeting.id, chair_of(meeting), "agenda.next", {}).ok


class Stopped(BaseException):
    """What stopping a green thread raises inside it (GreenletExit is one)."""


def test_a_leader_stopped_while_gathering_its_group_leaves_no_one_stuck(ctx, monkeypatch):
    meeting = make_meeting()
    chair = chair_of(meeting)
    real_sleep, stops = time.sleep, []

    def stopped_once(seconds):
        if not stops:
            stops.append(seconds)
            raise Stopped()
        real_sleep(seconds)
    monkeypatch.setattr(core.time, "sleep", stopped_once)
    with pytest.raises(Stopped):
        execute(meeting.id, chair, "agenda.next", {}, "stopped-0001")
    queue = core._queue_of(current_app._get_current_object())
    assert not queue.leading and queue.waiting == []
    assert execute(meeting.id, chair, "agenda.next", {}, "after-0001").ok
    assert [r.command_id for r in stored_events(meeting.id)][-1] == "after-0001"


def test_the_lead_passes_over_a_sender_that_was_stopped_while_it_waited():
    """The hand-off itself: a sender stopped while waiting leaves the queue, and the lead, if
    it had just been handed to it, goes on to the next one waiting."""
    queue = core._CommandQueue()
    first, second, third = (core._Command(None, 1, None, {}, f"cmd-{i:04d}") for i in range(3))
    queue.leading = first.leads = True
    queue.waiting = [second, third]  # the first's group is taken; two came meanwhile
    assert core._withdraw(queue, first) is second and second.leads and queue.leading
    assert core._withdraw(queue, second) is third  # stopped before it could lead
    assert queue.waiting == [third] and third.leads and not second.leads
    assert core._withdraw(queue, third) is None and not queue.leading and queue.waiting == []
    waiting_only = core._Command(None, 1, None, {}, "cmd-0009")
    queue.waiting = [waiting_only]
    queue.leading = True  # someone else leads
    assert core._withdraw(queue, waiting_only) is None and queue.waiting == []
    assert queue.leading


def test_a_command_waiting_for_another_process_s_write_lets_the_server_run_meanwhile(
        app, ctx, monkeypatch):
    """SQLite, one writer per database: while another process holds the write lock (the
    roster import's worker), a command tries again after pauses that let the server's other
    green threads run, never sleeping inside the driver, and is written once the lock is
    free."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL writers do not exclude each other")
    import sqlite3

    from facilitator.extensions import socketio
    meeting = make_meeting()
    other_process = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
    other_process.execute("BEGIN IMMEDIATE")
    pauses = []

    def pause(seconds=0):
        pauses.append(seconds)
        if len(pauses) == 3:
            other_process.execute("COMMIT")
    monkeypatch.setattr(socketio, "sleep", pause)
    try:
        outcome = execute(meeting.id, chair_of(meeting), "agenda.next", {})
    finally:
        other_process.close()
    assert outcome.ok and pauses == [0.002, 0.002, 0.002]
    assert db.session.execute(db.text("PRAGMA busy_timeout")).scalar() == 5000


# --- commands that read the log: they see the events of the group written before them ----

def _writes(meeting, chair, texts, base_revision):
    return [(meeting.id, chair, "minutes.write",
             {"section": "summary", "text": text, "base_revision": base_revision},
             f"write-{i:04d}") for i, text in enumerate(texts)]


def test_two_saves_of_one_section_from_one_revision_in_one_group_are_not_both_taken(
        app, ctx, groups):
    """minutes.write's base_revision: two clerks save the same section, both from the
    revision they loaded, at the same moment (one group). The second must be refused as
    changed meanwhile, not written over the first unseen."""
    meeting = make_meeting(direct_entry=True)
    chair = chair_of(meeting)
    groups.hold(2)
    outcomes = send_at_once(app, joins(meeting, 1) + _writes(
        meeting, chair, ["甲：各方同意先疏通排水口。", "乙：物业公司本周内疏通。"], 0))
    assert groups.seen[1] == ["write-0000", "write-0001"]  # one group
    first, second = outcomes["write-0000"], outcomes["write-0001"]
    assert first.ok, first.error
    assert not second.ok and second.error.code == "minutes.section_changed"
    assert second.error.params == {"revision": first.seq}
    from facilitator.actions.minutes import current_sections, section_revisions
    db.session.rollback()
    assert current_sections(meeting.id)["summary"] == "甲：各方同意先疏通排水口。"
    assert section_revisions(meeting.id)["summary"] == first.seq


def test_minutes_finalised_in_the_group_of_a_save_hold_what_was_saved(app, ctx, groups):
    """The clerk's last save and the moderator's finalise arrive together: the final version
    (and its last_event_seq) must include the save acknowledged just before it."""
    meeting = make_meeting(direct_entry=True)
    chair = chair_of(meeting)
    assert execute(meeting.id, chair, "meeting.end", {}).ok
    groups.hold(2)
    outcomes = send_at_once(app, _writes(meeting, chair, ["各方同意先疏通排水口。"], None) + [
        (meeting.id, chair, "minutes.write", {"section": "dissent", "text": "3-1-101保留意见"},
         "write-dissent"),
        (meeting.id, chair, "minutes.finalise", {}, "finalise-1")])
    assert groups.seen[1] == ["write-dissent", "finalise-1"]  # one group
    saved, final = outcomes["write-dissent"], outcomes["finalise-1"]
    assert saved.ok and final.ok, (saved.error, final.error)
    from facilitator.minutes.versions import document_of, latest_version
    db.session.rollback()
    document = document_of(latest_version(meeting.id))
    assert document.header.last_event_seq == saved.seq
    assert "3-1-101保留意见" in document.to_json()
