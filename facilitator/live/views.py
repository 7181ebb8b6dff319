"""Full (unredacted) JSON views of the entities a live client holds.

An event's `changes` carry these views of every entity the command touched, so a client
applies an event by replacing entities (idempotent); `redaction.py` cuts them per role.
"""
from ..models import AgendaItem, Case, Meeting, Participant
from ..models.base import to_epoch_ms


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
        "projector_token": meeting.projector_token,
        "allow_direct_entry": meeting.allow_direct_entry,
        "scheduled_start": to_epoch_ms(meeting.scheduled_start),
        "opened_at": to_epoch_ms(meeting.opened_at),
        "ended_at": to_epoch_ms(meeting.ended_at),
        "current_item_id": meeting.current_item_id,
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


# Collection name → (model, view). "meeting" and "case" are single entities.
COLLECTIONS = {
    "participants": (Participant, participant_view),
    "agenda": (AgendaItem, agenda_item_view),
}
SINGLETONS = {"meeting": meeting_view, "case": case_view}


def change_for(entity) -> dict:
    """The change record that sets one entity to its current state."""
    if isinstance(entity, Meeting):
        return {"c": "meeting", "v": meeting_view(entity)}
    for name, (model, view) in COLLECTIONS.items():
        if isinstance(entity, model):
            return {"c": name, "id": entity.id, "v": view(entity)}
    raise TypeError(type(entity))


def removal_for(collection: str, entity_id: int) -> dict:
    return {"c": collection, "id": entity_id, "v": None}
