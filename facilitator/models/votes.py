"""Repair plans, proxies, votes and ballots.

Money is in fen and area in hundredths of m² (ints: exact). Ballot secrecy is kept by the
shape of the tables, not by code discipline alone:

* `vote_participations` says WHO has voted (one row per voter and vote: the unique
  constraint is what makes "one ballot per eligible voter" hold even if two servers race);
* `ballots` says WHAT a named vote's voters chose, each with the voter's key and weights;
* a secret vote has no ballot rows. While it is open each ballot is a `sealed_ballots` row,
  written in the transaction that records the participation: its choices and area are
  encrypted with a key the database never holds, padded to one length per vote. When the
  vote closes (or is cancelled) the sealed ballots are opened and added up into
  `secret_tallies` (one row per distinct choice: an option, a set of approvals, a ranking,
  with the headcount and area that chose it), in random order, and deleted; then the
  database's leftovers are cleared: SQLite's write-ahead log is checkpointed and truncated,
  PostgreSQL's tables are rewritten without their dead row versions (VACUUM FULL).
  docs/security.md says what a database administrator can learn, and when.
"""
from __future__ import annotations

import uuid

from ..extensions import db
from ..clock import utcnow
from ..domain.statuses import PaperStatus, PlanStatus, ProxyStatus, VoteStatus

FUNDING_SOURCES = ("developer", "maintenance_fund", "property_company", "government_subsidy",
                   "owner_levy", "other")
VOTE_KINDS = ("straw_poll", "owners_decision")
VOTE_METHODS = ("single", "yes_no", "approval", "ranked")
ELIGIBILITIES = ("present", "owners_present", "parties", "scope_owners")
CHANNELS = ("meeting", "elsewhere")
SHOW_RESULTS = ("live", "after_close")
# link: the owner's personal link, during a written ballot (书面征求意见) after the meeting.
BALLOT_CHANNELS = ("phone", "proxy", "paper", "elsewhere", "link")


def new_ballot_id() -> str:
    return uuid.uuid4().hex


class Plan(db.Model):
    """A repair plan (方案): an option owners choose among. Keys (A, B, …) are given when the
    plan is accepted; a plan proposed from a phone has none until then."""
    __tablename__ = "plans"
    __table_args__ = (db.UniqueConstraint("meeting_id", "key"),)

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    key = db.Column(db.String(4))
    status = db.Column(db.String(10), nullable=False, default=PlanStatus.ACCEPTED,
                       info={"statuses": PlanStatus})
    title = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    proposer = db.Column(db.String(60), nullable=False, default="")
    proposer_party = db.Column(db.String(20))
    proposed_by_id = db.Column(db.Integer, db.ForeignKey("participants.id"))
    total_fen = db.Column(db.BigInteger, nullable=False, default=0)
    # source → fen; the sources add up to the total (checked by the commands).
    funding = db.Column(db.JSON, nullable=False, default=dict)
    duration_days = db.Column(db.Integer)
    risks = db.Column(db.Text, nullable=False, default="")
    # Civil Code Art. 278 matters the plan involves (use_fund, raise_fund, alter_rebuild, …).
    matters = db.Column(db.JSON, nullable=False, default=list)
    decline_reason = db.Column(db.String(500), nullable=False, default="")
    revision = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    revisions = db.relationship("PlanRevision", order_by="PlanRevision.number",
                                cascade="all, delete-orphan")


class PlanRevision(db.Model):
    """One change to a plan: who, when, what (field → [before, after])."""
    __tablename__ = "plan_revisions"
    __table_args__ = (db.UniqueConstraint("plan_id", "number"),)

    id = db.Column(db.Integer, primary_key=True)
    plan_id = db.Column(db.Integer, db.ForeignKey("plans.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    kind = db.Column(db.String(12), nullable=False)  # created proposed edited accepted declined
    actor = db.Column(db.String(40), nullable=False)
    actor_name = db.Column(db.String(100), nullable=False, default="")
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    changes = db.Column(db.JSON, nullable=False, default=dict)
    note = db.Column(db.String(500), nullable=False, default="")


class Proxy(db.Model):
    """A written authorisation (书面委托书) recorded by the chair: the participant votes for
    the owner `owner_key` of the case's roster."""
    __tablename__ = "proxies"

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    participant_id = db.Column(db.Integer, db.ForeignKey("participants.id"), nullable=False)
    owner_key = db.Column(db.String(40), nullable=False)
    note = db.Column(db.String(200), nullable=False, default="")
    # The authorisation's scope: the whole meeting, or one vote of it (vote_id).
    vote_id = db.Column(db.Integer, db.ForeignKey("votes.id"))
    status = db.Column(db.String(10), nullable=False, default=ProxyStatus.ACTIVE,
                       info={"statuses": ProxyStatus})
    recorded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    revoked_at = db.Column(db.DateTime)


class Vote(db.Model):
    """A straw poll (意向表决, not binding) or an owners' decision (业主共同决定, Art. 278)."""
    __tablename__ = "votes"
    __table_args__ = (db.UniqueConstraint("meeting_id", "number"),)

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    kind = db.Column(db.String(20), nullable=False)
    method = db.Column(db.String(10), nullable=False)
    title = db.Column(db.String(200), nullable=False)
    question = db.Column(db.Text, nullable=False, default="")
    # [{"key", "label", "plan_id"}] in display order; yes_no: yes, no.
    options = db.Column(db.JSON, nullable=False, default=list)
    plan_id = db.Column(db.Integer, db.ForeignKey("plans.id"))  # the motion's plan (yes_no)
    matters = db.Column(db.JSON, nullable=False, default=list)
    # Frozen when the vote opens: option key → matters, and plan key → revision voted on.
    option_matters = db.Column(db.JSON, nullable=False, default=dict)
    plan_revisions = db.Column(db.JSON, nullable=False, default=dict)
    rule = db.Column(db.String(30))  # straw polls: plurality | simple_majority | two_thirds
    settings = db.Column(db.String(30), nullable=False, default="civil_code")
    eligibility = db.Column(db.String(20), nullable=False)
    parties = db.Column(db.JSON, nullable=False, default=list)
    recused = db.Column(db.JSON, nullable=False, default=list)
    secret = db.Column(db.Boolean, nullable=False, default=False)
    # Only owners whose identity was verified (check-in desk, personal link, a recorded
    # proxy) may vote; on by default for owners' decisions.
    verified_only = db.Column(db.Boolean, nullable=False, default=False)
    allow_change = db.Column(db.Boolean, nullable=False, default=False)
    show_results = db.Column(db.String(12), nullable=False, default="after_close")
    max_choices = db.Column(db.Integer)
    channel = db.Column(db.String(10), nullable=False, default="meeting")
    channel_note = db.Column(db.String(200), nullable=False, default="")
    duration_seconds = db.Column(db.Integer)
    status = db.Column(db.String(10), nullable=False, default=VoteStatus.DRAFT,
                       info={"statuses": VoteStatus})
    # The roster version counted on, fixed when the vote opens (the meeting's, while live).
    roster_version_id = db.Column(db.Integer, db.ForeignKey("roster_versions.id"))
    # Totals of a vote held elsewhere, entered instead of ballots: option → [owners, area].
    entered_totals = db.Column(db.JSON)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    opened_at = db.Column(db.DateTime)
    deadline_at = db.Column(db.DateTime)
    # When an owners' decision continued as a written ballot (书面征求意见) until deadline_at:
    # owners who did not vote in the meeting vote by their personal link or on paper.
    written_since = db.Column(db.DateTime)
    # A written ballot's papers are entered twice, by two different users, and count only
    # when the entries agree (facilitator/actions/ballot_papers.py).
    paper_double_entry = db.Column(db.Boolean, nullable=False, default=False)
    closed_at = db.Column(db.DateTime)
    # Frozen when the vote closes: the tally, the decision and its explanation.
    result = db.Column(db.JSON)


class VoteParticipation(db.Model):
    """Who has voted (never what): one row per voter and vote, enforced by the database."""
    __tablename__ = "vote_participations"
    __table_args__ = (db.UniqueConstraint("vote_id", "voter_key"),)

    id = db.Column(db.Integer, primary_key=True)
    vote_id = db.Column(db.Integer, db.ForeignKey("votes.id"), nullable=False, index=True)
    # An owner key of the roster, or "p<participant id>" for a non-owner in a vote of
    # everyone present.
    voter_key = db.Column(db.String(40), nullable=False)
    cast_by_id = db.Column(db.Integer, db.ForeignKey("participants.id"))
    channel = db.Column(db.String(10), nullable=False)
    # How the voter's identity was verified when the ballot was cast: personal_link or desk
    # (the person's check-in), proxy (an authorisation staff recorded), paper (a signed paper
    # ballot staff entered); None: not verified (a vote that did not ask for it).
    verified_via = db.Column(db.String(16))
    at = db.Column(db.DateTime, nullable=False, default=utcnow)


class SecretTally(db.Model):
    """A secret vote's ballots that chose the same thing, added up: `choices` (canonical
    JSON of the ballot's choices), how many voters (heads) and how much area chose it."""
    __tablename__ = "secret_tallies"
    __table_args__ = (db.UniqueConstraint("vote_id", "choices"),)

    id = db.Column(db.Integer, primary_key=True)
    vote_id = db.Column(db.Integer, db.ForeignKey("votes.id"), nullable=False, index=True)
    choices = db.Column(db.String(400), nullable=False)
    heads = db.Column(db.Integer, nullable=False, default=0)
    area = db.Column(db.BigInteger, nullable=False, default=0)


class SealedBallot(db.Model):
    """A secret vote's ballot while the vote is open: its choices and area encrypted with a
    key the database does not hold (facilitator/ballot_seal.py). A random id and, on SQLite,
    no rowid: rows are kept in key order, not arrival order. Gone once the vote closes."""
    __tablename__ = "sealed_ballots"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id = db.Column(db.String(32), primary_key=True, default=new_ballot_id)
    vote_id = db.Column(db.Integer, db.ForeignKey("votes.id"), nullable=False, index=True)
    sealed = db.Column(db.LargeBinary, nullable=False)


class Ballot(db.Model):
    """What a named vote's voter chose, with the voter's key and weights."""
    __tablename__ = "ballots"
    __table_args__ = (db.UniqueConstraint("vote_id", "voter_key"), {"sqlite_with_rowid": False})

    id = db.Column(db.String(32), primary_key=True, default=new_ballot_id)
    vote_id = db.Column(db.Integer, db.ForeignKey("votes.id"), nullable=False, index=True)
    choices = db.Column(db.JSON, nullable=False)
    heads = db.Column(db.Integer, nullable=False, default=1)
    area = db.Column(db.Integer, nullable=False, default=0)
    voter_key = db.Column(db.String(40))


class BallotReceipt(db.Model):
    """The receipt of a ballot cast by personal link: its code (kept only as a hash) lets
    anyone holding it check on a public page that the ballot was counted, and for a named
    vote what was recorded. A later ballot of the same owner (where the vote allows a
    change) replaces the earlier one: its receipt says so."""
    __tablename__ = "ballot_receipts"

    id = db.Column(db.Integer, primary_key=True)
    vote_id = db.Column(db.Integer, db.ForeignKey("votes.id"), nullable=False, index=True)
    code_hash = db.Column(db.String(64), nullable=False, unique=True)
    voter_key = db.Column(db.String(40), nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    replaced_at = db.Column(db.DateTime)


class BallotPaper(db.Model):
    """A printed ballot paper (表决票) of a written ballot: one per owner of the vote's scope,
    with a serial number unique in the vote (printed on the sheet, typed when the signed
    paper comes back; printing again reuses it). `choices`: what the paper says once entered
    (and agreed, with double entry); cleared in a secret vote once its ballot is sealed, or
    when the vote closes or is cancelled."""
    __tablename__ = "ballot_papers"
    __table_args__ = (db.UniqueConstraint("vote_id", "serial"),
                      db.UniqueConstraint("vote_id", "owner_key"))

    id = db.Column(db.Integer, primary_key=True)
    vote_id = db.Column(db.Integer, db.ForeignKey("votes.id"), nullable=False, index=True)
    owner_key = db.Column(db.String(40), nullable=False)
    serial = db.Column(db.String(12), nullable=False)
    issued_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    status = db.Column(db.String(10), nullable=False, default=PaperStatus.ISSUED,
                       info={"statuses": PaperStatus})
    choices = db.Column(db.JSON)
    # The chair's decision on a flagged paper: who, when, why.
    decided_by = db.Column(db.String(100), nullable=False, default="")
    decided_at = db.Column(db.DateTime)
    decision_reason = db.Column(db.String(500), nullable=False, default="")


class BallotPaperEntry(db.Model):
    """One clerk's entry of a returned paper: who typed what, when (double entry compares
    two of them). In a secret vote the choices are cleared as the paper's are."""
    __tablename__ = "ballot_paper_entries"

    id = db.Column(db.Integer, primary_key=True)
    paper_id = db.Column(db.Integer, db.ForeignKey("ballot_papers.id"), nullable=False,
                         index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    entered_by = db.Column(db.String(100), nullable=False, default="")
    choices = db.Column(db.JSON)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)


class BallotPaperScan(db.Model):
    """A photo or scan of the signed paper (PNG, JPEG or PDF, its type read from its first
    bytes), kept in the database with the case. A later scan of the same paper replaces it."""
    __tablename__ = "ballot_paper_scans"

    id = db.Column(db.Integer, primary_key=True)
    paper_id = db.Column(db.Integer, db.ForeignKey("ballot_papers.id"), nullable=False,
                         unique=True)
    media_type = db.Column(db.String(20), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    data = db.deferred(db.Column(db.LargeBinary, nullable=False))
    uploaded_by = db.Column(db.String(100), nullable=False, default="")
    uploaded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
