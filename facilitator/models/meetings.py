from ..extensions import db
from ..clock import utcnow
from ..domain.statuses import MeetingStatus, ParticipantStatus

SEGMENTS = ("opening", "briefing", "questions", "discussion", "vote", "closing")
# How an owner's identity was checked (签到核验): their personal invitation link or code, or
# staff at the check-in desk who saw the property certificate or ID.
VERIFICATIONS = ("personal_link", "desk")


class Meeting(db.Model):
    __tablename__ = "meetings"

    def run_by(self, user_id: int | None) -> bool:
        """Whether the user is this meeting's moderator or clerk (who chair it)."""
        return user_id is not None and user_id in (self.moderator_id, self.clerk_id)

    id = db.Column(db.Integer, primary_key=True)
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    title = db.Column(db.String(200), nullable=False)
    place = db.Column(db.String(200), nullable=False, default="")
    scheduled_start = db.Column(db.DateTime)
    language = db.Column(db.String(2), nullable=False, default="zh")
    status = db.Column(db.String(10), nullable=False, default=MeetingStatus.SCHEDULED,
                       info={"statuses": MeetingStatus})
    # Unique among live meetings: set when the meeting opens, cleared when it ends.
    join_code = db.Column(db.String(6), unique=True)
    # The key the QR code's link carries (128 random bits): set when the meeting opens and
    # kept after it ends, so a phone scanning it later is told the meeting has ended.
    join_key = db.Column(db.String(32), unique=True)
    # The code the meeting had while live (join_code is cleared when it ends and may then be
    # given to another meeting): a phone typing it afterwards is told the meeting has ended.
    former_join_code = db.Column(db.String(6), index=True)
    projector_token = db.Column(db.String(64), unique=True, nullable=False)
    allow_direct_entry = db.Column(db.Boolean, nullable=False, default=False)
    moderator_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    clerk_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    current_item_id = db.Column(db.Integer, db.ForeignKey("agenda_items.id", use_alter=True))
    current_speech_id = db.Column(db.Integer, db.ForeignKey("speeches.id", use_alter=True))
    # The speakers' list accepts hands (points of order are accepted even when closed).
    queue_open = db.Column(db.Boolean, nullable=False, default=True)
    # Speaking rules of this meeting; missing keys take the defaults of the local rules.
    speaker_settings = db.Column(db.JSON, nullable=False, default=dict)
    # What the moderator put on the room's screen by itself (screen.focus): {"kind": "plan"
    # or "vote", "id": ...} or {"kind": "qr"}; None: the ordinary screen.
    screen_focus = db.Column(db.JSON)
    opened_at = db.Column(db.DateTime)
    ended_at = db.Column(db.DateTime)
    # The roster version the meeting counts on: the case's newest when the meeting opened.
    roster_version_id = db.Column(db.Integer, db.ForeignKey("roster_versions.id"))
    # The last event's sequence number: bumped in the same transaction that appends an event.
    last_seq = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    case = db.relationship("Case", back_populates="meetings")
    moderator = db.relationship("User", foreign_keys=[moderator_id])
    clerk = db.relationship("User", foreign_keys=[clerk_id])


class Participant(db.Model):
    """A person at the meeting: joined from a phone, or added by name by the moderator."""
    __tablename__ = "participants"

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    name = db.Column(db.String(60), nullable=False)
    party = db.Column(db.String(20), nullable=False)
    unit = db.Column(db.String(40))
    owner_key = db.Column(db.String(40))
    status = db.Column(db.String(10), nullable=False, default=ParticipantStatus.LOBBY,
                       info={"statuses": ParticipantStatus})
    has_phone = db.Column(db.Boolean, nullable=False, default=True)
    # The phone's identity: only the hash is kept; the token lives in the phone's cookie.
    token_hash = db.Column(db.String(64), unique=True)
    joined_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    admitted_at = db.Column(db.DateTime)
    # The owner(s) the roster registers for the unit claimed, set when it is claimed: what the
    # check-in desk compares the typed name with.
    registered_owner = db.Column(db.String(100))
    # Check-in (签到): how the owner's identity was verified, when, by whom, on what document.
    verified_via = db.Column(db.String(16))
    verified_at = db.Column(db.DateTime)
    verified_by = db.Column(db.String(100), nullable=False, default="")
    verification_note = db.Column(db.String(200), nullable=False, default="")
    # Where a phone joined from (the limits per browser and per address): a hash of the
    # browser's device cookie, and the client address.
    device_hash = db.Column(db.String(64), index=True)
    joined_from = db.Column(db.String(64))

    # The join's count per address within its window (actions/participants.py), asked at
    # every join: without it, every join read all of the meeting's participants.
    __table_args__ = (db.Index("ix_participants_joined_from", "meeting_id", "joined_from",
                               "joined_at"),)


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(200), nullable=False)
    segment = db.Column(db.String(20), nullable=False, default="discussion")
    planned_seconds = db.Column(db.Integer, nullable=False)
    # Actual times: first start, last end, and the time used in earlier runs, in ms so that
    # switching back and forth loses nothing (going back to an item runs it again; its
    # countdown continues from what was used).
    started_at = db.Column(db.DateTime)
    ended_at = db.Column(db.DateTime)
    run_started_at = db.Column(db.DateTime)
    used_ms = db.Column(db.Integer, nullable=False, default=0)


class JoinGuesses(db.Model):
    """Join codes tried, per scope and fixed time window (joining.py): scope
    "address:<client address>" counts the tries of one address (a try is held while its
    code is checked and given back when the code was right), scope "server" the wrong codes
    of the whole server. In the database, so the limit holds across server processes; one
    row per scope and window, so the count is one atomic UPDATE on SQLite and PostgreSQL."""
    __tablename__ = "join_guesses"
    # A wrong code is refused and counted: tests that check a refusal changes nothing skip
    # this table (tests/integration/test_fuzz_inputs.py).
    __records_refusals__ = True

    scope = db.Column(db.String(80), primary_key=True)
    # The end of the window, in whole seconds since the epoch (UTC).
    ends_at = db.Column(db.BigInteger, primary_key=True)
    count = db.Column(db.Integer, nullable=False)


class Invitation(db.Model):
    """A personal invitation (个人邀请函) of one owner to one meeting: a link with an
    unguessable token (in a QR code) and a short personal code. Opening either joins the
    meeting as that owner, already verified.

    Tokens are not stored: they are derived from the app's secret, the invitation's id and
    its generation (facilitator/actions/invitations.py), so the sheet can be printed again;
    only their hashes are kept, for looking them up. Reissuing bumps the generation: the old
    link and code stop working."""
    __tablename__ = "invitations"
    __table_args__ = (db.UniqueConstraint("meeting_id", "owner_key"),)

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    owner_key = db.Column(db.String(40), nullable=False)
    generation = db.Column(db.Integer, nullable=False, default=1)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    code_hash = db.Column(db.String(64), nullable=False, unique=True)
    # A personal code works once (it is short); the link works again on the same phone.
    code_used_at = db.Column(db.DateTime)
    # The person it made, when it was used: opening the link again (another phone) is the
    # same person, not a second one.
    participant_id = db.Column(db.Integer, db.ForeignKey("participants.id"))
    issued_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    issued_by = db.Column(db.String(100), nullable=False, default="")
