"""The check-in figures (签到情况) of a meeting, a single entity of the live state ("checkin").

Owners whose identity was verified and who are present (checked at the desk or come by their
personal link), with the owners present through a proxy that staff recorded, counted as the
counting rules count owners (an owner with several units once, with the summed area), against
the owners of the meeting's roster version and the two-thirds participation gate of Civil
Code Art. 278. Sent as a change by every command that can move it (check-in commands, joins
by personal link, proxies, an owner leaving); the console and the projector show it.
"""
from __future__ import annotations

from sqlalchemy import select, union

from .. import rosters
from ..domain.statuses import ParticipantStatus, ProxyStatus
from ..domain.voting import TWO_THIRDS_AT_LEAST, Count
from ..extensions import db
from ..models import Meeting, Participant, RosterUnit, RosterVersion
from ..models.votes import Proxy


def verified_owner_keys(meeting_id: int):
    """A select of the owner keys present and verified: in person, or through a recorded
    proxy whose holder is present."""
    people = select(Participant.owner_key).where(
        Participant.meeting_id == meeting_id, Participant.status == ParticipantStatus.ADMITTED,
        Participant.verified_via.is_not(None), Participant.owner_key.is_not(None))
    held = select(Proxy.owner_key).join(Participant, Participant.id == Proxy.participant_id
                                        ).where(Proxy.meeting_id == meeting_id,
                                                Proxy.status == ProxyStatus.ACTIVE,
                                                Participant.status == ParticipantStatus.ADMITTED)
    return union(people, held)


def checkin_view(meeting: Meeting) -> dict | None:
    version_id = rosters.meeting_version_id(meeting)
    if version_id is None:
        return None
    version = db.session.get(RosterVersion, version_id)
    keys = verified_owner_keys(meeting.id).subquery()
    owners, area = db.session.execute(
        select(db.func.count(db.func.distinct(RosterUnit.owner_key)),
               db.func.coalesce(db.func.sum(RosterUnit.area_hundredths), 0))
        .where(RosterUnit.version_id == version_id,
               RosterUnit.owner_key.in_(select(keys.c.owner_key)))).one()
    scope = Count(version.owners, version.area_hundredths)
    needed = Count(TWO_THIRDS_AT_LEAST.smallest_part(scope.owners),
                   TWO_THIRDS_AT_LEAST.smallest_part(scope.area))
    verified = Count(int(owners), int(area))
    return {"verified": {"owners": verified.owners, "area": verified.area},
            "scope": {"owners": scope.owners, "area": scope.area},
            "gate": {"needed": {"owners": needed.owners, "area": needed.area},
                     "missing": {"owners": max(0, needed.owners - verified.owners),
                                 "area": max(0, needed.area - verified.area)},
                     "met": verified.owners >= needed.owners and verified.area >= needed.area}}


def checkin_change(meeting: Meeting) -> dict:
    db.session.flush()  # the command's own changes count
    return {"c": "checkin", "v": checkin_view(meeting)}
