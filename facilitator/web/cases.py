"""Case pages: list, create, edit, open; the owners' roster; new meetings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from ..actions.cases import (CASE_SCHEMA, MEETING_SCHEMA, RosterRejected, create_case,
                             create_meeting, import_roster, roster_summary, update_case)
from ..domain.roster import format_area
from ..errors import DomainError
from ..extensions import db
from ..i18n import t
from ..models import Case, User
from .auth import login_required
from .forms import error_message, form_values

bp = Blueprint("cases", __name__)


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    return case


@bp.route("/")
def home():
    return render_template("home.html")


@bp.route("/cases")
@login_required
def list_cases():
    cases = db.session.execute(db.select(Case).order_by(Case.created_at.desc())).scalars().all()
    return render_template("cases/list.html", cases=cases)


def _case_form(case: Case | None):
    errors, values = {}, {}
    if request.method == "POST":
        values = {k: v for k, v in form_values().items() if k in CASE_SCHEMA and v != ""}
        try:
            if case is None:
                case = create_case(values, g.user)
            else:
                update_case(case, values)
            flash(t("live.saved"))
            return redirect(url_for("cases.show_case", case_id=case.id))
        except DomainError as error:
            db.session.rollback()
            errors[error.params.get("field", "number")] = error_message(error)
    elif case is not None:
        values = {key: getattr(case, key) for key in CASE_SCHEMA}
    return render_template("cases/form.html", case=case, values=values, errors=errors), \
        (400 if errors else 200)


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new_case():
    return _case_form(None)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@login_required
def edit_case(case_id: int):
    return _case_form(_case_or_404(case_id))


@bp.route("/cases/<int:case_id>")
@login_required
def show_case(case_id: int):
    case = _case_or_404(case_id)
    return render_template("cases/show.html", case=case, summary=roster_summary(case),
                           format_area=format_area, roster_errors=None)


@bp.route("/cases/<int:case_id>/roster", methods=["POST"])
@login_required
def upload_roster(case_id: int):
    case = _case_or_404(case_id)
    upload = request.files.get("roster")
    raw = upload.read() if upload else b""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        flash(t("roster.not_utf8"), "error")
        return redirect(url_for("cases.show_case", case_id=case.id))
    try:
        summary = import_roster(case, text)
    except RosterRejected as rejected:
        db.session.rollback()
        line_errors = [t("roster.line", line=e.line, reason=_reason(e)) for e in rejected.errors]
        return render_template("cases/show.html", case=case, summary=roster_summary(case),
                               format_area=format_area, roster_errors=line_errors,
                               roster_message=t("roster.rejected", count=len(line_errors))), 400
    flash(t("roster.imported", units=summary.units, owners=summary.owners,
            area=format_area(summary.area_hundredths)))
    return redirect(url_for("cases.show_case", case_id=case.id))


def _reason(error) -> str:
    if error.reason in ("header", "empty"):
        return t(f"roster.{'bad_header' if error.reason == 'header' else 'empty'}",
                 **error.params)
    return t(f"roster.reason.{error.reason}", **error.params)


@bp.route("/cases/<int:case_id>/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting(case_id: int):
    case = _case_or_404(case_id)
    users = db.session.execute(db.select(User).order_by(User.display_name)).scalars().all()
    errors, values = {}, {"title": case.title, "moderator_id": g.user.id,
                          "language": "zh"}
    if request.method == "POST":
        values = {k: v for k, v in form_values().items() if k in MEETING_SCHEMA and v != ""}
        values.setdefault("moderator_id", g.user.id)  # whoever plans it runs it, unless named
        try:
            meeting = create_meeting(case, values)
            return redirect(url_for("meetings.show_meeting", meeting_id=meeting.id))
        except DomainError as error:
            db.session.rollback()
            errors[error.params.get("field", "title")] = error_message(error)
    return render_template("meetings/form.html", case=case, users=users, values=values,
                           errors=errors), (400 if errors else 200)
