"""The test that keeps live sync honest (DESIGN.md principle 3): for every event type and every
role, applying the events to an old snapshot equals a fresh snapshot."""
from __future__ import annotations

from facilitator.actions import Actor, execute, registry
from facilitator.actions.core import event_dict
from facilitator.domain.live_state import apply_batch, apply_events
from facilitator.extensions import db
from facilitator.live.redaction import CLIENT_ROLES, redact_event
from facilitator.live.snapshot import catch_up, snapshot_for
from facilitator.models import MeetingEvent

from tests.factories import chair_of, make_meeting, make_user

ROLES = CLIENT_ROLES + ("api",)


def _scenario(meeting) -> list[tuple[str, Actor, dict]]:
    """Every command there is, in an order a real meeting could run them."""
    chair = chair_of(meeting)
    visitor = Actor(role="visitor")
    return [
        ("agenda.add", chair, {"title": "临时议题", "minutes": 5, "segment": "questions"}),
        ("agenda.edit", chair, {"id": "<item:last>", "title": "提问", "minutes": 7}),
        ("agenda.reorder", chair, {"ids": "<items:reversed>"}),
        ("participant.add", chair, {"name": "王奶奶", "party": "owner", "unit": "3-1-102"}),
        ("meeting.configure", chair, {"allow_direct_entry": True}),
        ("meeting.configure", chair, {"allow_direct_entry": False}),
        ("meeting.case_changed", Actor(role="system"), {}),
        ("meeting.open", chair, {}),
        ("participant.join", visitor, {"name": "张建国", "party": "owner", "unit": "3-1-101"}),
        ("participant.join", visitor, {"name": "路人", "party": "observer"}),
        ("participant.admit", chair, {"id": "<person:张建国>"}),
        ("participant.reject", chair, {"id": "<person:路人>"}),
        ("participant.rename", chair, {"id": "<person:张建国>", "name": "张建国（3-1-101）"}),
        ("participant.set_party", chair, {"id": "<person:王奶奶>", "party": "owners_committee"}),
        ("agenda.next", chair, {}),
        ("agenda.next", chair, {}),
        ("agenda.previous", chair, {}),
        ("agenda.start", chair, {"id": "<item:at_the_end>"}),
        ("agenda.remove", chair, {"id": "<item:unstarted>"}),
        ("participant.remove", chair, {"id": "<person:王奶奶>"}),
        ("agenda.next", chair, {}),
        ("meeting.end", chair, {}),
    ]


def _resolve(payload: dict, meeting_id: int) -> dict:
    snapshot = snapshot_for(meeting_id, "chair")
    items = sorted(snapshot["agenda"].values(), key=lambda i: i["position"])
    people = {p["name"]: p["id"] for p in snapshot["participants"].values()}
    resolved = {}
    for key, value in payload.items():
        if value == "<item:last>":
            value = max(i["id"] for i in items)
        elif value == "<item:at_the_end>":
            value = items[-1]["id"]
        elif value == "<items:reversed>":
            value = [i["id"] for i in reversed(items)]
        elif value == "<item:unstarted>":
            value = next(i["id"] for i in items if i["started_at"] is None)
        elif isinstance(value, str) and value.startswith("<person:"):
            value = people[value[len("<person:"):-1]]
        resolved[key] = value
    return resolved


def test_applying_events_to_any_old_snapshot_equals_a_fresh_snapshot_for_every_role(ctx):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, live=False, with_roster=True)
    history = {role: [snapshot_for(meeting.id, role)] for role in ROLES}
    commands_run = set()
    for name, actor, payload in _scenario(meeting):
        outcome = execute(meeting.id, actor, name, _resolve(payload, meeting.id))
        assert outcome.ok, (name, outcome.error)
        commands_run.add(name)
        for role in ROLES:
            history[role].append(snapshot_for(meeting.id, role))
    assert commands_run == set(registry), "a command is missing from the sync scenario"

    logged = [event_dict(row) for row in db.session.execute(
        db.select(MeetingEvent).filter_by(meeting_id=meeting.id).order_by(MeetingEvent.seq)
    ).scalars()]
    event_types = {event["type"] for event in logged}
    for role in ROLES:
        final = history[role][-1]
        for old in history[role][:-1]:
            # One by one, as a client that never missed a message...
            missed = [redact_event(e, role) for e in logged if e["seq"] > old["seq"]]
            assert apply_events(old, missed) == final, (role, old["seq"])
            # ...and as one compacted batch, as a reconnecting client catches up.
            batch = catch_up(meeting.id, old["seq"], role)["batch"]
            assert apply_batch(old, batch) == final, (role, old["seq"])
    assert {"agenda.item_added", "agenda.item_edited", "agenda.reordered", "agenda.item_removed",
            "agenda.item_started", "agenda.finished", "participant.joined",
            "participant.added", "participant.admitted", "participant.rejected",
            "participant.renamed", "participant.party_changed", "participant.removed",
            "meeting.opened", "meeting.configured", "meeting.case_changed",
            "meeting.ended"} <= event_types


def test_every_step_of_a_fresh_meeting_replays_from_the_first_snapshot(ctx):
    """A client that connected before anything happened and never missed an event."""
    meeting = make_meeting(live=False, with_roster=True, agenda=())
    first = {role: snapshot_for(meeting.id, role) for role in ROLES}
    for name, actor, payload in _scenario(meeting)[:13]:
        if name in ("agenda.edit", "agenda.reorder"):
            continue
        assert execute(meeting.id, actor, name, _resolve(payload, meeting.id)).ok, name
    for role in ROLES:
        batch = catch_up(meeting.id, first[role]["seq"], role)["batch"]
        assert apply_batch(first[role], batch) == snapshot_for(meeting.id, role), role
