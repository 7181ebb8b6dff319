"""The case's record after (and around) its meetings: life-cycle transitions, progress updates of
the agreed items, and the feedback given to the complainants.

Every row is written once and never changed: the record only grows (owners may inspect it).
"Who" is the signed-in user who recorded it, kept by id and by the name shown at the time.
"""
from ..extensions import db
from ..clock import utcnow
from ..domain.action_items import ActionItemStatus

#: How the complainants were told the outcome.
FEEDBACK_CHANNELS = ("phone", "visit", "meeting", "letter", "message", "notice", "other")
#: The satisfaction rating: the three grades of public-service evaluations (12345 hotline,
#: 信访 replies): 满意 / 基本满意 / 不满意.
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")


class CaseTransition(db.Model):
    """One step of the case's life (facilitator.domain.case_lifecycle), written in the same
    transaction as the change of ``cases.status``."""
    __tablename__ = "case_transitions"

    id = db.Column(db.Integer, primary_key=True)
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    from_state = db.Column(db.String(40), nullable=False)  # CaseState.encode()
    to_state = db.Column(db.String(40), nullable=False)
    event = db.Column(db.String(40), nullable=False)
    note = db.Column(db.Text, nullable=False, default="")  # the reason, where one is needed
    # Facts the transition checked, e.g. {"confirmed_by": "street_office"}.
    context = db.Column(db.JSON, nullable=False, default=dict)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    user_name = db.Column(db.String(100), nullable=False, default="")
    at = db.Column(db.DateTime, nullable=False, default=utcnow)


class ActionItemUpdate(db.Model):
    """A progress report on an agreed item (models.minutes.ActionItem): the date it reports
    on, the status before and after, what was done and the evidence, who reported it, and the
    item's blocked / escalated flags as they are after this update."""
    __tablename__ = "action_item_updates"

    id = db.Column(db.Integer, primary_key=True)
    action_item_id = db.Column(db.Integer, db.ForeignKey("action_items.id"), nullable=False,
                               index=True)
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    reported_on = db.Column(db.Date, nullable=False)
    status_from = db.Column(db.String(12), nullable=False, info={"statuses": ActionItemStatus})
    status_to = db.Column(db.String(12), nullable=False, info={"statuses": ActionItemStatus})
    note = db.Column(db.Text, nullable=False)
    evidence = db.Column(db.Text, nullable=False, default="")
    # Responsible parties have no accounts: the report's source is written down.
    reporter = db.Column(db.String(100), nullable=False, default="")
    reporter_party = db.Column(db.String(20))
    blocked = db.Column(db.Boolean, nullable=False, default=False)
    escalated = db.Column(db.Boolean, nullable=False, default=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    user_name = db.Column(db.String(100), nullable=False, default="")
    at = db.Column(db.DateTime, nullable=False, default=utcnow)


class CaseFeedback(db.Model):
    """The complainants were told the outcome (事事有回音): when, how, by whom, and how
    satisfied they are."""
    __tablename__ = "case_feedback"

    id = db.Column(db.Integer, primary_key=True)
    case_id = db.Column(db.Integer, db.ForeignKey("cases.id"), nullable=False, index=True)
    told_on = db.Column(db.Date, nullable=False)
    told_via = db.Column(db.String(20), nullable=False)
    told_by = db.Column(db.String(100), nullable=False)
    complainants = db.Column(db.String(200), nullable=False, default="")
    satisfaction = db.Column(db.String(24), nullable=False)
    comment = db.Column(db.Text, nullable=False, default="")
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    user_name = db.Column(db.String(100), nullable=False, default="")
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
