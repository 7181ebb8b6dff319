"""More meetings like the demo's one, for the benchmark of many meetings at once
(bench/scale.py meetings)."""
from __future__ import annotations

from facilitator.demo import add_demo_meetings, demo_case_data, load_demo
from facilitator.domain.statuses import MeetingStatus
from facilitator.extensions import db
from facilitator.models import AgendaItem, Meeting


def test_more_demo_meetings_are_live_each_with_its_own_code_key_and_agenda(ctx):
    first = load_demo()
    more = add_demo_meetings(2)
    assert len({first["meeting_id"], *(m["meeting_id"] for m in more)}) == 3
    assert len({first["join_code"], *(m["join_code"] for m in more)}) == 3
    assert len({first["join_key"], *(m["join_key"] for m in more)}) == 3
    agenda = len(demo_case_data()["agenda"])
    for info in more:
        meeting = db.session.get(Meeting, info["meeting_id"])
        assert meeting.status == MeetingStatus.LIVE
        assert meeting.moderator_id == db.session.get(Meeting, first["meeting_id"]).moderator_id
        assert db.session.query(AgendaItem).filter_by(meeting_id=meeting.id).count() == agenda
    assert load_demo()["meeting_id"] == first["meeting_id"]  # the demo's own stays the first
