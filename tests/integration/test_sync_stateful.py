"""Live sync under any order of commands: a state machine (hypothesis) runs the commands of
every part of the meeting in orders no scripted scenario thought of, by every kind of sender,
and after each step checks that each role's client, which only ever applied the events it was
sent, holds exactly what the rows say, that the snapshot the server folds from the event
log does too, and that a client catching up after a gap (one compacted batch) does too.

The steps are the sync scenario's (test_sync.py), which covers every command there is;
a step whose subject does not exist yet (a vote not created, a phone not joined) is
skipped, and a refused command must change nothing any client sees. Bounded and seeded for
CI: `derandomize`, a fixed number of examples and steps.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, invariant, precondition, rule,
                                 run_state_machine_as_test)

from sqlalchemy.exc import NoResultFound

from facilitator.actions import Actor, execute, registry
from facilitator.actions import core
from facilitator.domain.live_state import apply_batch, apply_events
from facilitator.extensions import db
from facilitator.live.redaction import redact_event
from facilitator.live.snapshot import catch_up, snapshot_for

from tests.factories import chair_of, make_meeting, make_user
from tests.integration.test_sync import ROLES, _actor, _resolve, _scenario, fresh_snapshots

PARTS = {"agenda": ("agenda.",), "people": ("participant.", "checkin.", "invitation"),
         "speakers": ("hand.", "queue.", "floor.", "speech.", "point.", "speakers."),
         "plans": ("plan.", "proxy."), "votes": ("vote.", "ballot."),
         "minutes": ("minutes.", "action_item.", "notice."), "end": ("meeting.end",),
         "meeting": ("meeting.", "screen."), "questions": ("question.",)}
EXAMPLES, STEPS = 30, 25


def part_of(name: str) -> str:
    return next(part for part, prefixes in PARTS.items() if name.startswith(prefixes))


def steps_by_part(meeting) -> dict[str, list]:
    scenario = _scenario(meeting)
    return {part: [step for step in scenario if part_of(step[0]) == part] for part in PARTS}


class LiveMeeting(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.meeting = make_meeting(moderator=make_user("moderator"), live=False,
                                    with_roster=True)
        self.steps = steps_by_part(self.meeting)
        for name, actor, payload in [
                ("meeting.open", chair_of(self.meeting), {}),
                ("meeting.configure", chair_of(self.meeting), {"allow_direct_entry": True}),
                ("participant.join", Actor(role="visitor"),
                 {"name": "张建国（3-1-101）", "party": "owner", "unit": "3-1-101"}),
                ("participant.add", chair_of(self.meeting),
                 {"name": "王奶奶", "party": "owner", "unit": "3-1-102"})]:
            assert execute(self.meeting.id, actor, name, payload).ok, name
        # What a connected client receives: the events as published after each commit
        # (the log keeps less: not the derived speakers' list).
        self.published: list[dict] = []
        self._publisher = self.published.extend
        core.publishers.append(self._publisher)
        self.clients = fresh_snapshots(self.meeting.id)
        self.seen_seq = self.clients["chair"]["seq"]
        self.history = {role: [self.clients[role]] for role in ROLES}
        self.ran: list[str] = []

    def _run(self, part: str, index: int) -> None:
        name, actor, payload = self.steps[part][index % len(self.steps[part])]
        try:
            sender = _actor(actor, self.meeting.id)
            payload = _resolve(payload, self.meeting.id)
        except (StopIteration, LookupError, ValueError, NoResultFound):
            return  # its subject does not exist in this order of events
        outcome = execute(self.meeting.id, sender, name, payload)
        self.ran.append(f"{name}{'' if outcome.ok else ' (refused)'}")
        db.session.rollback()
        new = [event for event in self.published if event["seq"] > self.seen_seq]
        assert outcome.ok or not new, f"{name} was refused but recorded an event"
        for role in ROLES:
            self.clients[role] = apply_events(self.clients[role],
                                              [redact_event(event, role) for event in new])
        if new:
            self.seen_seq = new[-1]["seq"]
            for role in ROLES:
                self.history[role].append(self.clients[role])

    @rule(index=st.integers(0, 40))
    def agenda(self, index):
        self._run("agenda", index)

    @rule(index=st.integers(0, 40))
    def people(self, index):
        self._run("people", index)

    @rule(index=st.integers(0, 40))
    def speakers(self, index):
        self._run("speakers", index)

    @rule(index=st.integers(0, 40))
    def plans(self, index):
        self._run("plans", index)

    @rule(index=st.integers(0, 40))
    def votes(self, index):
        self._run("votes", index)

    @rule(index=st.integers(0, 40))
    def minutes(self, index):
        self._run("minutes", index)

    @rule(index=st.integers(0, 40))
    def questions(self, index):
        self._run("questions", index)

    @rule(index=st.integers(0, 40))
    def meeting_itself(self, index):
        self._run("meeting", index)

    @precondition(lambda self: len(self.ran) >= 6)  # a meeting that has had some life
    @rule()
    def end(self):
        self._run("end", 0)

    @rule(role=st.sampled_from(ROLES), back=st.integers(1, 5))
    def reconnect(self, role, back):
        """The role's client as it was `back` steps ago, catching up in one compacted batch."""
        if len(self.history[role]) < back:
            return
        old = self.history[role][-back]
        answer = catch_up(self.meeting.id, old["seq"], role)
        assert "batch" in answer  # a few events behind: events, not a new snapshot
        self.clients[role] = old if answer["batch"] is None else apply_batch(old,
                                                                            answer["batch"])

    def teardown(self):
        core.publishers.remove(self._publisher)

    @invariant()
    def every_client_and_the_log_folded_hold_what_the_rows_say(self):
        for role, fresh in fresh_snapshots(self.meeting.id).items():
            for holder, state in (("client", self.clients[role]),
                                  ("server", snapshot_for(self.meeting.id, role))):
                differing = sorted(key for key in fresh if state.get(key) != fresh[key])
                assert not differing, (f"{role}'s {holder} state differs in {differing} "
                                       f"after: {' → '.join(self.ran)}")


def test_every_command_belongs_to_a_part_of_the_machine():
    assert {name: part_of(name) for name in registry}  # StopIteration: a command left out


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_every_role_stays_in_sync_whatever_the_order_of_commands(ctx):
    run_state_machine_as_test(LiveMeeting, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, derandomize=True, deadline=None,
        suppress_health_check=list(HealthCheck), database=None))
