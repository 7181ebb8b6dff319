"""Each set of statuses is declared once (facilitator/domain/statuses.py and beside the rules
that own one): the columns that hold a status, their defaults, and the choices and meeting
states the declarations allow are members of their set."""
from __future__ import annotations

import json
from enum import StrEnum

import pytest

from facilitator.actions import core
from facilitator.contract import event_registry
from facilitator.domain.action_items import ActionItemStatus
from facilitator.domain.case_lifecycle import CaseState, Stage
from facilitator.domain.statuses import (
    IN_MEETING,
    MeetingStatus,
    ParticipantStatus,
    QueueEntryStatus,
)
from facilitator.extensions import db
from facilitator.web.case_record import BOARD_SCHEMA

# Case life-cycle states are CaseState encodings (facilitator.domain.case_lifecycle), not one
# set of names: "escalated/district/meeting".
CASE_STATE_COLUMNS = {("cases", "status"), ("case_transitions", "from_state"),
                      ("case_transitions", "to_state")}


def status_columns():
    """Every column of the schema named status, status_*, *_state."""
    return [column for table in db.metadata.sorted_tables for column in table.columns
            if column.name == "status" or column.name.startswith("status_")
            or column.name.endswith("_state")]


def test_every_status_column_names_its_set_of_statuses():
    unnamed = [f"{c.table.name}.{c.name}" for c in status_columns()
               if (c.table.name, c.name) not in CASE_STATE_COLUMNS
               and not issubclass(c.info.get("statuses", object), StrEnum)]
    assert unnamed == []
    assert len(status_columns()) == 16  # a new status column shows up here


@pytest.mark.parametrize("column", [c for c in status_columns() if "statuses" in c.info],
                         ids=lambda c: f"{c.table.name}.{c.name}")
def test_a_status_column_defaults_to_a_member_and_holds_every_member(column):
    statuses = column.info["statuses"]
    if column.default is not None:
        assert type(column.default.arg) is statuses
    assert max(len(s) for s in statuses) <= column.type.length


def test_a_case_starts_in_the_first_stage_of_its_life():
    default = db.metadata.tables["cases"].c.status.default.arg
    assert CaseState.decode(default) == CaseState(Stage.RECEIVED)


def test_commands_are_allowed_in_meeting_states():
    for spec in core.registry.values():
        assert spec.states and all(type(state) is MeetingStatus for state in spec.states), \
            spec.name


def test_the_declared_choices_are_the_statuses():
    assert event_registry["participant.joined"].data["status"].choices == IN_MEETING
    assert set(IN_MEETING) == {ParticipantStatus.LOBBY, ParticipantStatus.ADMITTED}
    assert BOARD_SCHEMA["status"].choices == ("all", *ActionItemStatus)


@pytest.mark.parametrize("statuses", sorted({c.info["statuses"] for c in status_columns()
                                             if "statuses" in c.info}, key=lambda s: s.__name__),
                         ids=lambda s: s.__name__)
def test_a_status_is_stored_logged_and_sent_as_its_text(statuses):
    for status in statuses:
        assert f"{status}" == str(status) == status.value
        assert json.dumps({status: status}) == json.dumps({status.value: status.value})
        assert status == status.value and hash(status) == hash(status.value)


def test_only_waiting_hands_are_unique_per_person_and_kind():
    index = next(i for i in db.metadata.tables["queue_entries"].indexes
                 if i.name == "uq_queue_entries_waiting")
    for dialect in ("sqlite", "postgresql"):
        assert str(index.dialect_options[dialect]["where"]) == \
            f"status = '{QueueEntryStatus.WAITING}'" == "status = 'waiting'"
