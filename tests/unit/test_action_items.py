"""Follow-up of agreed items: status moves and the computed flags (pure rules)."""
from __future__ import annotations

from datetime import date

import pytest

from facilitator.domain.action_items import (ActionItemStatus, allowed_statuses,
                                             check_status_change, days_overdue, flags_of,
                                             is_overdue)
from facilitator.errors import DomainError

MOVES = {("open", "in_progress"), ("open", "done"), ("in_progress", "done"),
         ("done", "verified"), ("done", "in_progress"), ("verified", "closed"),
         ("verified", "in_progress"), ("closed", "in_progress")}


@pytest.mark.parametrize("current", list(ActionItemStatus))
@pytest.mark.parametrize("new", list(ActionItemStatus))
def test_every_status_change_is_allowed_or_refused_as_listed(current, new):
    if current == new or (current, new) in MOVES:
        assert check_status_change(current, new) == new
        assert new in allowed_statuses(current)
    else:
        with pytest.raises(DomainError) as refused:
            check_status_change(current, new)
        assert refused.value.code == "action_item.invalid_status_change"
        assert refused.value.params["allowed"] == list(allowed_statuses(current))


def test_unknown_statuses_are_refused():
    for current, new in (("open", "finished"), ("lost", "open")):
        with pytest.raises(DomainError) as refused:
            check_status_change(current, new)
        assert refused.value.code == "action_item.unknown_status"


DUE = date(2026, 12, 6)


@pytest.mark.parametrize("today,status,overdue", [
    (date(2026, 12, 5), "open", False),
    (DUE, "open", False),  # due today is not late yet
    (date(2026, 12, 7), "open", True),
    (date(2026, 12, 7), "in_progress", True),
    (date(2026, 12, 7), "done", False),  # done late is late, not overdue
    (date(2026, 12, 7), "verified", False),
    (date(2026, 12, 7), "closed", False),
])
def test_overdue_is_computed_from_the_deadline_and_today(today, status, overdue):
    assert is_overdue(DUE, status, today) is overdue
    assert days_overdue(DUE, status, today) == ((today - DUE).days if overdue else 0)


def test_no_deadline_is_never_overdue_and_flags_carry_the_recorded_ones():
    assert not is_overdue(None, "open", date(2030, 1, 1))
    assert flags_of(DUE, "open", date(2026, 12, 8), blocked=True) == {
        "overdue": True, "blocked": True, "escalated": False}
