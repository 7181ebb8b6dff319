"""The statuses a meeting really leaves in the database, and in its event log, are members of
the sets the columns name (info["statuses"], facilitator/domain/statuses.py): the demo
meeting played through the real commands (tests/integration/conftest.py, `played`)."""
from __future__ import annotations

from facilitator.actions import case_record
from facilitator.domain.case_lifecycle import CaseState, allowed_transitions
from facilitator.extensions import db
from facilitator.models import ActionItem, Meeting, MeetingEvent
from facilitator.views.entities import COLLECTIONS
from tests.unit.test_statuses import CASE_STATE_COLUMNS, status_columns


def _values(column) -> set[str]:
    return set(db.session.execute(db.select(column).distinct()).scalars())


def _follow_up(meeting: Meeting) -> None:
    """What the played demo leaves out: a step of the case's life, a progress report, the
    papers of a written ballot."""
    case = meeting.case
    event = next(iter(allowed_transitions(case.status)))
    case_record.apply_transition(case, {"event": str(event), "note": "记录"}, None)
    item = db.session.execute(db.select(ActionItem).filter_by(meeting_id=meeting.id)
                              .limit(1)).scalar_one()
    case_record.record_update(item, {"reported_on": "2026-12-05", "status": "in_progress",
                                     "note": "已进场施工"}, None)
    # A written ballot's papers, which the demo does not print: one returned and entered.
    from tests.factories import chair_of, make_meeting, run
    from tests.integration.test_votes import add_plans
    from tests.integration.test_written_ballot import continue_written, decision, owners
    written = make_meeting(with_roster=True)
    add_plans(written)
    vote_id = decision(written)
    continue_written(written, vote_id)
    run(written, chair_of(written), "ballot.issue_papers", {"vote_id": vote_id})
    run(written, chair_of(written), "ballot.record_paper", {
        "vote_id": vote_id, "owner_key": next(iter(owners(written))), "choices": ["A"]})
    # A written question from a phone, which the demo does not ask.
    from facilitator.actions import Actor
    asked = make_meeting(direct_entry=True)
    person = run(asked, Actor(role="visitor"), "participant.join",
                 {"name": "刘秀英", "party": "observer"})["participant_id"]
    run(asked, Actor(role="phone", participant_id=person), "question.ask",
        {"text": "维修期间能否照常停车？"})


def test_every_status_in_the_rows_is_a_member_of_its_set(played):
    _follow_up(played)
    found = {}
    for column in status_columns():
        values = _values(column)
        found[f"{column.table.name}.{column.name}"] = values
        if (column.table.name, column.name) in CASE_STATE_COLUMNS:
            for value in values:
                CaseState.decode(value)  # refuses what is not a state
        else:
            assert values <= set(column.info["statuses"]), column
    # The played meeting leaves rows in each set (else the check above proves nothing).
    empty = sorted(name for name, values in found.items() if not values)
    assert empty == [], empty
    assert found["meetings.status"] == {"ended", "live"}
    assert "closed" in found["votes.status"] and "final" in found["minutes_versions.status"]
    assert found["action_item_updates.status_to"] == {"in_progress"}


def test_every_status_the_event_log_records_is_a_member_of_its_set(played):
    """The log's changes (the entities as a command left them) carry the same statuses."""
    models = {"meeting": Meeting, **{name: model for name, (model, _) in COLLECTIONS.items()}}
    seen = set()
    for changes in db.session.execute(db.select(MeetingEvent.changes)).scalars():
        for change in changes:
            entity, model = change.get("v"), models.get(change["c"])
            if model is not None and entity is not None and "status" in entity:
                assert entity["status"] in set(model.status.info["statuses"]), change
                seen.add(change["c"])
    assert seen >= {"meeting", "participants", "plans", "votes", "proxies"}, seen
