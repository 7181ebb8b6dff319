"""Full (unredacted) JSON views of the entities a live client holds.

An event's `changes` carry these views of every entity the command touched, so a client
applies an event by replacing entities (idempotent); `redaction.py` cuts them per role.
"""
from ..extensions import db
from ..domain.live_state import DERIVED
from ..domain.statuses import QueueEntryStatus
from ..models import AgendaItem, Case, Meeting, Participant, Question, QueueEntry, Speech
from ..clock import to_epoch_ms
from ..models.speakers import meeting_settings


def case_view(case: Case) -> dict:
    return {"id": case.id, "number": case.number, "title": case.title,
            "community": case.community}


def meeting_view(meeting: Meeting) -> dict:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "place": meeting.place,
        "language": meeting.language,
        "status": meeting.status,
        "join_code": meeting.join_code,
        "join_key": meeting.join_key,  # the QR link's (redaction.py: the chair's and projector's)
        "projector_token": meeting.projector_token,
        "allow_direct_entry": meeting.allow_direct_entry,
        "scheduled_start": to_epoch_ms(meeting.scheduled_start),
        "opened_at": to_epoch_ms(meeting.opened_at),
        "ended_at": to_epoch_ms(meeting.ended_at),
        "current_item_id": meeting.current_item_id,
        "current_speech_id": meeting.current_speech_id,
        "queue_open": meeting.queue_open,
        "roster_version_id": meeting.roster_version_id,
        "speaker_settings": meeting_settings(meeting),
        "screen_focus": meeting.screen_focus,
    }


def participant_view(participant: Participant) -> dict:
    return {
        "id": participant.id,
        "name": participant.name,
        "party": participant.party,
        "unit": participant.unit,
        "owner_key": participant.owner_key,
        "status": participant.status,
        "has_phone": participant.has_phone,
        "joined_at": to_epoch_ms(participant.joined_at),
        "admitted_at": to_epoch_ms(participant.admitted_at),
        "registered_owner": participant.registered_owner,
        "verified_via": participant.verified_via,
        "verified_at": to_epoch_ms(participant.verified_at),
        "verified_by": participant.verified_by,
        "verification_note": participant.verification_note,
    }


def agenda_item_view(item: AgendaItem) -> dict:
    return {
        "id": item.id,
        "position": item.position,
        "title": item.title,
        "segment": item.segment,
        "planned_seconds": item.planned_seconds,
        "started_at": to_epoch_ms(item.started_at),
        "ended_at": to_epoch_ms(item.ended_at),
        "run_started_at": to_epoch_ms(item.run_started_at),
        "used_ms": item.used_ms,
    }


def queue_entry_view(entry: QueueEntry) -> dict:
    return {"id": entry.id, "item_id": entry.agenda_item_id,
            "participant_id": entry.participant_id, "kind": entry.kind, "stance": entry.stance,
            "plan_key": entry.plan_key, "party": entry.party, "raised_seq": entry.raised_seq,
            "manual_position": entry.manual_position, "by_chair": entry.added_by_chair,
            "raised_at": to_epoch_ms(entry.raised_at)}


def speech_view(speech: Speech) -> dict:
    speaker = db.session.get(Participant, speech.participant_id)
    return {"id": speech.id, "item_id": speech.agenda_item_id,
            "participant_id": speech.participant_id,
            # The name as it was when the floor was given (phones hold no list of people).
            "name": speaker.name if speaker is not None else "", "kind": speech.kind,
            "stance": speech.stance, "plan_key": speech.plan_key, "party": speech.party,
            # The floor's place in the meeting (its event's seq): the speakers' rules count
            # the hands passed over by it.
            "started_seq": speech.started_seq, "started_at": to_epoch_ms(speech.started_at),
            "ended_at": to_epoch_ms(speech.ended_at), "paused_ms": speech.paused_ms,
            "pause_started_at": to_epoch_ms(speech.pause_started_at),
            "allowed_seconds": speech.allowed_seconds,
            "extension_seconds": speech.extension_seconds, "spoken_ms": speech.spoken_ms,
            "overrun_seconds": speech.overrun_seconds, "notes": speech.notes,
            "ruling": speech.ruling}


def question_view(question: Question) -> dict:
    """A written question (actions/questions.py). Its asker is named as when it was asked
    (phones hold no list of people); who upvoted it is not in any view, only how many."""
    return {"id": question.id, "participant_id": question.participant_id,
            "name": question.name, "party": question.party,
            "item_id": question.agenda_item_id, "text": question.text,
            "status": question.status, "upvotes": question.upvotes,
            "asked_at": to_epoch_ms(question.asked_at), "entry_id": question.entry_id,
            "speech_id": question.speech_id, "answer": question.answer,
            "answered_at": to_epoch_ms(question.answered_at),
            "dismiss_reason": question.dismiss_reason, "dismiss_note": question.dismiss_note,
            "handled_at": to_epoch_ms(question.handled_at), "handled_by": question.handled_by}


def queue_change(entry: QueueEntry) -> dict:
    """Only waiting hands are on the list; a called, withdrawn or removed one leaves it."""
    return {"c": "queue", "id": entry.id,
            "v": queue_entry_view(entry) if entry.status == QueueEntryStatus.WAITING else None}


# Collection name → (model, view): the collections of domain/live_state.py.
COLLECTIONS = {
    "participants": (Participant, participant_view),
    "agenda": (AgendaItem, agenda_item_view),
    "queue": (QueueEntry, queue_entry_view),
    "speeches": (Speech, speech_view),
    "questions": (Question, question_view),
}
# Plans, votes and proxies (their views: vote_views.py).
from .votes import plan_view, proxy_view, vote_view  # noqa: E402
from ..models import Plan, Proxy, Vote  # noqa: E402
COLLECTIONS.update({"plans": (Plan, plan_view), "votes": (Vote, vote_view),
                    "proxies": (Proxy, proxy_view)})
# The parts derived from the others (the speaking order) are not logged: live batches
# carry them, and whoever folds the log computes them (domain/live_state.py).
NOT_LOGGED = frozenset(DERIVED)


def change_for(entity) -> dict:
    """The change record that sets one entity to its current state."""
    if isinstance(entity, Meeting):
        return {"c": "meeting", "v": meeting_view(entity)}
    if isinstance(entity, QueueEntry):
        return queue_change(entity)
    for name, (model, view) in COLLECTIONS.items():
        if isinstance(entity, model):
            return {"c": name, "id": entity.id, "v": view(entity)}
    raise TypeError(type(entity))


def removal_for(collection: str, entity_id: int) -> dict:
    return {"c": collection, "id": entity_id, "v": None}
