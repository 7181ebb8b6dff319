"""The case record pages: life-cycle steps, follow-up of agreed items, feedback, and the board
of agreed items (为民办实事清单)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from .. import access, clock
from ..actions.case_record import (FEEDBACK_SCHEMA, UPDATE_SCHEMA, apply_transition,
                                   record_feedback, record_update)
from ..domain import action_items as follow_up
from ..domain.action_items import ActionItemStatus
from ..errors import DomainError
from ..extensions import db
from ..i18n import t
from ..models import ActionItem, Case
from ..models.case_record import FEEDBACK_CHANNELS, SATISFACTION
from ..domain.parties import PARTIES
from ..validation import optional, validate
from . import case_views
from .auth import case_or_404, login_required
from .forms import error_message, form_values

bp = Blueprint("case_record", __name__)


@bp.app_context_processor
def case_record_helpers():
    return {"FEEDBACK_CHANNELS": FEEDBACK_CHANNELS, "SATISFACTION": SATISFACTION}


@bp.app_template_filter("case_state")
def case_state_filter(encoded: str) -> str:
    return case_views.state_label(encoded)


@bp.app_template_global("case_record_for")
def case_record_for(case: Case):
    return case_views.case_record_for(case)


@bp.app_template_global("minutes_links")
def minutes_links(meeting_id: int, version: int | None = None):
    return case_views.minutes_links(meeting_id, version)


@bp.app_template_global("yuan")
def yuan(fen: int | None) -> str:
    from ..domain.voting import format_yuan
    return "" if fen is None else format_yuan(fen)


def _show_case(case: Case, status: int, **extra):
    """The case page again, with a refusal next to the form that caused it."""
    from .cases import case_page
    return case_page(case, status, **extra)


def _case_anchor(case: Case, anchor: str):
    return redirect(url_for("cases.show_case", case_id=case.id) + "#" + anchor)


# --------------------------------------------------------------------------- life cycle

@bp.route("/cases/<int:case_id>/transitions", methods=["POST"])
@login_required
def post_transition(case_id: int):
    case = case_or_404(case_id)
    values = {k: v for k, v in form_values().items() if v != ""}
    try:
        row = apply_transition(case, values, g.user)
    except DomainError as error:
        db.session.rollback()
        return _show_case(case, 400 if error.code != "case.state_changed" else 409,
                          transition_error=case_views.case_error_message(error),
                          transition_values=values)
    flash(t("case.moved", event=case_views.event_label(row.event),
            state=case_views.state_label(row.to_state)))
    return _case_anchor(case, "lifecycle")


# --------------------------------------------------------------------------- agreed items

def _item_or_404(case: Case, item_id: int) -> ActionItem:
    item = db.session.get(ActionItem, item_id)
    if item is None or item.case_id != case.id:
        abort(404)
    return item


def _item_page(case: Case, item: ActionItem, values: dict, errors: dict, status: int = 200):
    row = case_views.item_rows([item], with_updates=True)[0]
    options = [(s, t(f"action_status.{s}")) for s in follow_up.allowed_statuses(item.status)]
    return render_template("cases/action_item.html", case=case, row=row, values=values,
                           errors=errors, status_options=options,
                           party_options=[(p, t(f"party.{p}")) for p in PARTIES]), status


@bp.route("/cases/<int:case_id>/action-items/<int:item_id>")
@login_required
def show_item(case_id: int, item_id: int):
    case = case_or_404(case_id)
    item = _item_or_404(case, item_id)
    latest = case_views._latest_updates([item.id]).get(item.id)
    values = {"reported_on": clock.today().isoformat(), "status": item.status,
              "blocked": bool(latest and latest.blocked),
              "escalated": bool(latest and latest.escalated)}
    return _item_page(case, item, values, {})


@bp.route("/cases/<int:case_id>/action-items/<int:item_id>/updates", methods=["POST"])
@login_required
def post_update(case_id: int, item_id: int):
    case = case_or_404(case_id)
    item = _item_or_404(case, item_id)
    values = {k: v for k, v in form_values().items() if v != ""}
    try:
        update = record_update(item, values, g.user)
    except DomainError as error:
        db.session.rollback()
        db.session.refresh(item)
        message = case_views.case_error_message(error)
        field = error.params.get("field") or ("status" if error.code.startswith(
            "action_item.") else "_")
        if field not in UPDATE_SCHEMA:
            field = "_"  # not one of the form's fields: said above the form
        return _item_page(case, item, values, {field: message},
                          409 if error.code == "action_item.changed" else 400)
    flash(t("follow.saved", number=item.number,
            status=t(f"action_status.{update.status_to}")))
    return redirect(url_for("case_record.show_item", case_id=case.id, item_id=item.id))


# --------------------------------------------------------------------------- feedback

@bp.route("/cases/<int:case_id>/feedback", methods=["POST"])
@login_required
def post_feedback(case_id: int):
    case = case_or_404(case_id)
    values = {k: v for k, v in form_values().items() if v != ""}
    try:
        record_feedback(case, values, g.user)
    except DomainError as error:
        db.session.rollback()
        field = error.params.get("field")
        if field not in FEEDBACK_SCHEMA:
            field = "_"  # not one of the form's fields: said above the form
        return _show_case(case, 400, feedback_errors={field: error_message(error)},
                          feedback_values=values)
    flash(t("feedback.saved"))
    return _case_anchor(case, "feedback")


# --------------------------------------------------------------------------- the board

BOARD_SCHEMA = {
    "community": optional("str", max_len=100),
    "status": optional("str", max_len=20, choices=("all", *ActionItemStatus)),
    "party": optional("str", max_len=20, choices=PARTIES),
    "overdue": optional("bool", default=False),
    "blocked": optional("bool", default=False),
    "escalated": optional("bool", default=False),
}


def board_rows(filters: dict, today=None) -> list[tuple[Case, list]]:
    """The cases and their agreed items that pass the filters. Without a status filter the
    items not yet closed are shown ("all" shows closed ones too)."""
    today = today or clock.today()
    cases = access.visible_cases(g.user).order_by(Case.created_at.desc(), Case.id.desc())
    if filters.get("community"):
        cases = cases.filter(Case.community == filters["community"])
    cases = list(db.session.execute(cases).scalars())
    items = db.select(ActionItem).filter(ActionItem.case_id.in_([c.id for c in cases])) \
        .order_by(ActionItem.meeting_id, ActionItem.number)
    status = filters.get("status")
    if status and status != "all":
        items = items.filter(ActionItem.status == status)
    elif not status:
        items = items.filter(ActionItem.status != ActionItemStatus.CLOSED)
    if filters.get("party"):
        items = items.filter(ActionItem.party == filters["party"])
    rows = case_views.item_rows(list(db.session.execute(items).scalars()), today)
    for flag in follow_up.FLAGS:
        if filters.get(flag):
            rows = [r for r in rows if r.flags[flag]]
    by_case: dict[int, list] = {}
    for row in rows:
        by_case.setdefault(row.item.case_id, []).append(row)
    item_filter = any(filters.get(k) for k in ("status", "party", *follow_up.FLAGS))
    return [(case, by_case.get(case.id, [])) for case in cases
            if by_case.get(case.id) or not item_filter]


@bp.route("/board")
@login_required
def board():
    raw = {k: v for k, v in request.args.items() if k in BOARD_SCHEMA and v != ""}
    error = None
    try:
        filters = validate(BOARD_SCHEMA, raw)
    except DomainError as refused:
        error = error_message(refused)
        filters = validate(BOARD_SCHEMA, {})
    today = clock.today()
    rows = board_rows(filters, today)
    communities = sorted({case.community for case, _ in board_rows({}, today)})
    counts = {"items": sum(len(items) for _, items in rows)}
    for flag in follow_up.FLAGS:
        counts[flag] = sum(1 for _, items in rows for r in items if r.flags[flag])
    return render_template("cases/board.html", rows=rows, filters=filters, raw=raw,
                           error=error, communities=communities, counts=counts, today=today,
                           statuses=tuple(ActionItemStatus), parties=PARTIES), \
        (400 if error else 200)

