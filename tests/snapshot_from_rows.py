"""The meeting's state read from its rows: the truth the event log folded must give.

The server builds snapshots from the log (facilitator/live/snapshot.py); the commands work
on the rows. The sync tests compare the two after every command, so a command whose logged
changes leave out (or misstate) what it did to a row fails them.
"""
from __future__ import annotations

from facilitator.actions.speakers import speakers_view
from facilitator.domain.statuses import QueueEntryStatus
from facilitator.extensions import db
from facilitator.models import (AgendaItem, Meeting, Participant, Question, QueueEntry,
                                Speech)
from facilitator.views.checkin import checkin_view
from facilitator.views.entities import (agenda_item_view, case_view, meeting_view,
                                        participant_view, question_view, queue_entry_view,
                                        speech_view)
from facilitator.views.votes import vote_collections


def snapshot_from_rows(meeting: Meeting) -> dict:
    """The full (chair) state of a meeting as its rows are now."""
    def rows(model, order, **where):
        return db.session.execute(db.select(model).filter_by(meeting_id=meeting.id, **where)
                                  .order_by(order)).scalars()
    return {
        "seq": meeting.last_seq,
        "case": case_view(meeting.case),
        "meeting": meeting_view(meeting),
        "participants": {str(p.id): participant_view(p)
                         for p in rows(Participant, Participant.id)},
        "agenda": {str(a.id): agenda_item_view(a) for a in rows(AgendaItem, AgendaItem.position)},
        "queue": {str(e.id): queue_entry_view(e) for e in
                  rows(QueueEntry, QueueEntry.id, status=QueueEntryStatus.WAITING)},
        "speeches": {str(s.id): speech_view(s) for s in rows(Speech, Speech.id)},
        "questions": {str(q.id): question_view(q) for q in rows(Question, Question.id)},
        "speakers": speakers_view(meeting),
        "checkin": checkin_view(meeting),
        **vote_collections(meeting),
    }
