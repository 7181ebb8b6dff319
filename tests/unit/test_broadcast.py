"""Fan-out is coalesced: a burst of events leaves as a few batches, never one per event."""
from facilitator.domain.live_state import apply_batch, apply_events, compact
from facilitator.live.broadcast import Broadcaster


class FakeClock:
    """Background tasks run when the test says time has passed."""

    def __init__(self):
        self.tasks = []

    def start_task(self, func, *args):
        self.tasks.append((func, args))

    def sleep(self, _seconds):
        pass

    def run_tasks(self):
        tasks, self.tasks = self.tasks, []
        for func, args in tasks:
            func(*args)


def event(seq, entity_id, value):
    return {"meeting_id": 1, "seq": seq, "type": "participant.joined", "at": seq, "actor": "x",
            "data": {"n": seq}, "changes": [{"c": "participants", "id": entity_id,
                                             "v": {"id": entity_id, "name": value,
                                                   "party": "owner", "unit": None,
                                                   "status": "admitted",
                                                   "verified_via": None}}]}


def test_a_burst_of_200_events_leaves_as_two_messages_per_role():
    sent, clock = [], FakeClock()
    broadcaster = Broadcaster(lambda meeting, role, batch: sent.append((role, batch)),
                              clock.start_task, clock.sleep)
    for seq in range(1, 201):
        broadcaster.publish([event(seq, seq % 10, f"v{seq}")], interval=0.1)
    first = [batch for role, batch in sent if role == "projector"]
    assert [(b["from"], b["to"]) for b in first] == [(1, 1)]  # the first one at once
    clock.run_tasks()  # the interval has passed
    batches = [batch for role, batch in sent if role == "projector"]
    assert [(b["from"], b["to"]) for b in batches] == [(1, 1), (2, 200)]
    # The rest arrive compacted: one change per person, with the latest name.
    assert len(batches[1]["changes"]) == 10
    assert {c["v"]["name"] for c in batches[1]["changes"]} == {f"v{s}" for s in range(191, 201)}
    # Two batches each for the console and the projector; phones hold no list of people,
    # so nothing at all went to the phones.
    assert broadcaster.messages_sent == 2 * 2
    assert [batch for role, batch in sent if role == "phone"] == []


def test_a_quiet_meeting_sends_each_event_at_once():
    sent, clock = [], FakeClock()
    broadcaster = Broadcaster(lambda meeting, role, batch: sent.append(batch), clock.start_task,
                              clock.sleep)
    broadcaster.publish([event(1, 1, "a")], interval=0)
    broadcaster.publish([event(2, 1, "b")], interval=0)
    assert [b["to"] for b in sent] == [1, 1, 2, 2] and clock.tasks == []  # chair, projector


def test_the_events_of_one_group_commit_leave_at_once_as_one_batch():
    """A hundred phones joined in one transaction: one message per role, not the first event
    alone and the rest after the interval."""
    sent, clock = [], FakeClock()
    broadcaster = Broadcaster(lambda meeting, role, batch: sent.append((role, batch)),
                              clock.start_task, clock.sleep)
    broadcaster.publish([event(seq, seq, f"v{seq}") for seq in range(1, 101)], interval=0.1)
    assert [(role, b["from"], b["to"]) for role, b in sent] == [("chair", 1, 100),
                                                                  ("projector", 1, 100)]
    assert len(sent[0][1]["changes"]) == 100 and clock.tasks == []
    broadcaster.publish([event(101, 1, "again")], interval=0.1)  # within the interval
    assert len(sent) == 2 and len(clock.tasks) == 1


def test_a_batch_applies_like_its_events_one_by_one_from_any_point_inside_it():
    events = [event(seq, seq % 3, f"v{seq}") for seq in range(1, 8)]
    start = {"seq": 0, "participants": {}}
    batch = compact(events)
    assert apply_batch(start, batch) == apply_events(start, events)
    halfway = apply_events(start, events[:4])
    assert apply_batch(halfway, batch) == apply_events(start, events)


def test_events_with_a_hole_between_them_leave_as_separate_batches():
    """Another process took number 3: 1-2 and 4-5 go out, and clients ask for 3."""
    sent, clock = [], FakeClock()
    broadcaster = Broadcaster(lambda meeting, role, batch: sent.append((role, batch)),
                              clock.start_task, clock.sleep)
    broadcaster.publish([event(1, 1, "a")], interval=10)
    for seq in (2, 5, 4):
        broadcaster.publish([event(seq, seq, "x")], interval=10)
    clock.run_tasks()
    assert [(b["from"], b["to"]) for role, b in sent if role == "projector"] == [
        (1, 1), (2, 2), (4, 5)]


def quiet_event(seq):
    """A secret ballot: in the log, but nothing for phones or the projector."""
    return {"meeting_id": 1, "seq": seq, "type": "ballot.cast", "at": seq, "actor": "x",
            "data": {}, "changes": []}


def test_batches_with_nothing_for_phones_are_folded_into_their_next_batch():
    sent, clock = [], FakeClock()
    broadcaster = Broadcaster(lambda meeting, role, batch: sent.append((role, batch)),
                              clock.start_task, clock.sleep)
    for seq in range(1, 4):
        broadcaster.publish([quiet_event(seq)], interval=0)
    phone = [batch for role, batch in sent if role == "phone"]
    assert phone == []  # three ballots: nothing sent to a thousand phones
    assert len([batch for role, batch in sent if role == "chair"]) == 3  # the console sees each
    item = {"id": 1, "title": "意向表决", "position": 8}
    broadcaster.publish([{"meeting_id": 1, "seq": 4, "type": "agenda.item_started", "at": 4,
                          "actor": "x", "data": {}, "changes": [{"c": "agenda", "id": 1,
                                                                 "v": item}]}], interval=0)
    phone = [batch for role, batch in sent if role == "phone"]
    assert [(b["from"], b["to"]) for b in phone] == [(1, 4)]
    start = {"seq": 0, "agenda": {}}
    assert apply_batch(start, phone[0])["agenda"]["1"]["title"] == "意向表决"
