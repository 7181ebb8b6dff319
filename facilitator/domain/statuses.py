"""The statuses of the meeting's records, each set declared once.

A status is a ``StrEnum``: each member equals its string, so the database's ``status``
columns, the event log, the JSON on the wire and the OpenAPI document hold the same text as
before; code compares, assigns and defaults with the members, never with bare strings.

Statuses owned by a rule are declared beside it: an agreed item's
(facilitator.domain.action_items.ActionItemStatus), the minutes'
(facilitator.domain.minutes_model.MinutesStatus), a case's life-cycle state
(facilitator.domain.case_lifecycle). Each status column names its set in its ``info``
("statuses"), which tests/unit/test_statuses.py and tests/integration/test_statuses_in_rows.py
check the defaults, the column lengths and the stored rows against.
"""
from __future__ import annotations

from enum import StrEnum


class MeetingStatus(StrEnum):
    """scheduled → live (opened) → ended."""
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


#: The meeting states in which a command is allowed (actions.core.command's ``states``).
ANY_MEETING_STATUS = tuple(MeetingStatus)
NOT_ENDED = (MeetingStatus.SCHEDULED, MeetingStatus.LIVE)
LIVE_OR_ENDED = (MeetingStatus.LIVE, MeetingStatus.ENDED)


class ParticipantStatus(StrEnum):
    """A person joins into the lobby (or straight in, when the meeting allows direct entry),
    is admitted or rejected; the chair may remove them."""
    LOBBY = "lobby"
    ADMITTED = "admitted"
    REJECTED = "rejected"
    REMOVED = "removed"


#: A person still in the meeting: waiting in the lobby or admitted.
IN_MEETING = (ParticipantStatus.LOBBY, ParticipantStatus.ADMITTED)


class RosterVersionStatus(StrEnum):
    """Importing while its units are written; active once complete (an interrupted import
    stays importing and is never read)."""
    IMPORTING = "importing"
    ACTIVE = "active"


class QueueEntryStatus(StrEnum):
    """A raised hand: waiting, then called to the floor, withdrawn by its owner or removed
    by the chair."""
    WAITING = "waiting"
    CALLED = "called"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"


class QuestionStatus(StrEnum):
    """A written question from a phone: open (the room may upvote it) → queued (the chair put
    its asker on the speakers' list to say it aloud) → spoken (the asker had the floor) →
    answered; or from open: answered in writing, dismissed by the chair (abusive, a
    duplicate), withdrawn by its asker. A queued question whose hand leaves the list
    unspoken (withdrawn, removed) is open again."""
    OPEN = "open"
    QUEUED = "queued"
    SPOKEN = "spoken"
    ANSWERED = "answered"
    DISMISSED = "dismissed"
    WITHDRAWN = "withdrawn"


#: A question the room (phones, the projector) sees: not dismissed, not withdrawn.
SHOWN_QUESTION = (QuestionStatus.OPEN, QuestionStatus.QUEUED, QuestionStatus.SPOKEN,
                  QuestionStatus.ANSWERED)
#: A question the chair may still answer.
ANSWERABLE_QUESTION = SHOWN_QUESTION


class PlanStatus(StrEnum):
    """A plan the chair adds is accepted; one proposed from a phone waits for the chair to
    accept or decline it."""
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ProxyStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class VoteStatus(StrEnum):
    """draft → open → closed; a draft or open vote may be cancelled."""
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class PaperStatus(StrEnum):
    """A printed ballot paper (表决票) of a written ballot: issued → counted, or on the way
    entered (double entry: awaiting the second clerk), mismatch (the two entries differ),
    conflict (the owner also voted online) → counted or set_aside (the chair decided the
    owner's online ballot counts). Only a counted paper's ballot is in the tally."""
    ISSUED = "issued"
    ENTERED = "entered"
    MISMATCH = "mismatch"
    CONFLICT = "conflict"
    COUNTED = "counted"
    SET_ASIDE = "set_aside"


#: A paper waiting for the chair: it does not count until they decide.
FLAGGED_PAPER = (PaperStatus.MISMATCH, PaperStatus.CONFLICT)


#: A vote not yet closed or cancelled: it may still be opened, cancelled, or given a proxy.
PENDING_VOTE = (VoteStatus.DRAFT, VoteStatus.OPEN)
#: A vote the room (phones, the projector) sees (docs/protocol.md §13): once opened; not a
#: draft, not a cancelled one.
SHOWN_VOTE = (VoteStatus.OPEN, VoteStatus.CLOSED)
