from ..extensions import db
from ..clock import utcnow
from ..domain.case_lifecycle import initial_state
from ..domain.statuses import RosterVersionStatus

SOURCE_CHANNELS = ("letter", "hotline", "work_order", "visit", "other")


class Case(db.Model):
    """A residents' matter, from the complaint to its closing. `status` is the life-cycle state,
    ``CaseState.encode()`` of facilitator.domain.case_lifecycle (at most 34 characters, e.g.
    "escalated/district/minutes_drafted"); it changes only with a CaseTransition row."""
    __tablename__ = "cases"

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(40), unique=True, nullable=False)
    title = db.Column(db.String(200), nullable=False)
    community = db.Column(db.String(100), nullable=False)
    # 主办单位: who holds the consultation and seals its minutes; empty: the community.
    organiser = db.Column(db.String(100), nullable=False, default="", server_default="")
    source_channel = db.Column(db.String(20), nullable=False, default="letter")
    source = db.Column(db.Text, nullable=False, default="")
    description = db.Column(db.Text, nullable=False, default="")
    scope = db.Column(db.Text, nullable=False, default="")
    status = db.Column(db.String(40), nullable=False, default=initial_state().encode())
    received_on = db.Column(db.Date)
    completion_accepted_on = db.Column(db.Date)
    delivered_on = db.Column(db.Date)
    warranty_end_on = db.Column(db.Date)
    first_report_on = db.Column(db.Date)
    # Facts that differ per case (fund balance, assessment, garage...) until they get columns.
    details = db.Column(db.JSON, nullable=False, default=dict)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    meetings = db.relationship("Meeting", back_populates="case", order_by="Meeting.id")


class CaseMember(db.Model):
    """A moderator or clerk who works on a case: with administrators, the only ones who see it
    (its roster, meetings, join codes, drafts) or act on it. Assigned by an administrator or
    the case's creator; the creator is the first member."""
    __tablename__ = "case_members"
    __table_args__ = (db.UniqueConstraint("case_id", "user_id"),)

    id = db.Column(db.Integer, primary_key=True)
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    added_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    added_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User", foreign_keys=[user_id])


class RosterVersion(db.Model):
    """One import of the owners' roster of a case's scope. Versions are never changed: a new
    file makes a new version. A meeting counts on the version in force when it opened, a vote
    on the version in force when it opened (models.meetings.Meeting, models.votes.Vote).

    ``status`` is "importing" while its units are being written (in short transactions, so a
    large file never holds up live meetings), then "active"; an interrupted import stays
    "importing" and is never read."""
    __tablename__ = "roster_versions"
    __table_args__ = (db.UniqueConstraint("case_id", "number"),)

    id = db.Column(db.Integer, primary_key=True)
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(10), nullable=False, default=RosterVersionStatus.IMPORTING,
                       info={"statuses": RosterVersionStatus})
    filename = db.Column(db.String(200), nullable=False, default="")
    # SHA-256 of the file as uploaded: the minutes name it, so the file can be matched later.
    sha256 = db.Column(db.String(64), nullable=False)
    source_format = db.Column(db.String(12), nullable=False)  # utf-8 | gb18030 | xlsx
    units = db.Column(db.Integer, nullable=False)
    owners = db.Column(db.Integer, nullable=False)
    area_hundredths = db.Column(db.BigInteger, nullable=False)
    imported_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    imported_by_name = db.Column(db.String(100), nullable=False, default="")
    imported_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class RosterUnit(db.Model):
    """One exclusive unit (专有部分) of a roster version. Area in hundredths of m²: exact."""
    __tablename__ = "roster_units"
    __table_args__ = (db.UniqueConstraint("version_id", "unit"),)

    id = db.Column(db.Integer, primary_key=True)
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    version_id = db.Column(db.Integer, db.ForeignKey("roster_versions.id"), nullable=False,
                           index=True)
    unit = db.Column(db.String(40), nullable=False)
    area_hundredths = db.Column(db.Integer, nullable=False)
    owner_name = db.Column(db.String(100), nullable=False)
    owner_key = db.Column(db.String(40), nullable=False)
    note = db.Column(db.String(500), nullable=False, default="")


class RosterUpload(db.Model):
    """A roster file waiting for its import to be confirmed (the preview step). Kept in the
    database, not in a server process, so the confirmation may reach any process."""
    __tablename__ = "roster_uploads"

    id = db.Column(db.String(32), primary_key=True)  # random: the preview page's reference
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    filename = db.Column(db.String(200), nullable=False, default="")
    data = db.deferred(db.Column(db.LargeBinary, nullable=False))  # read only where parsed
    sha256 = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
