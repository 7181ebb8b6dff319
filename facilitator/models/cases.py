from ..extensions import db
from ..clock import utcnow

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
    source_channel = db.Column(db.String(20), nullable=False, default="letter")
    source = db.Column(db.Text, nullable=False, default="")
    description = db.Column(db.Text, nullable=False, default="")
    scope = db.Column(db.Text, nullable=False, default="")
    status = db.Column(db.String(40), nullable=False, default="received")
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

    roster = db.relationship("RosterUnit", back_populates="case", order_by="RosterUnit.id",
                             cascade="all, delete-orphan")
    meetings = db.relationship("Meeting", back_populates="case", order_by="Meeting.id")


class RosterUnit(db.Model):
    """One exclusive unit (专有部分) in the case's scope. Area in hundredths of m²: exact."""
    __tablename__ = "roster_units"
    __table_args__ = (db.UniqueConstraint("case_id", "unit"),)

    id = db.Column(db.Integer, primary_key=True)
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    unit = db.Column(db.String(40), nullable=False)
    area_hundredths = db.Column(db.Integer, nullable=False)
    owner_name = db.Column(db.String(100), nullable=False)
    owner_key = db.Column(db.String(40), nullable=False)
    note = db.Column(db.String(500), nullable=False, default="")

    case = db.relationship("Case", back_populates="roster")
