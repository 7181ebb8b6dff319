"""Case pages: list, create, edit, open; the owners' roster and its versions; new meetings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from .. import access, rosters
from ..actions import cases as case_actions
from ..actions import roster_import
from ..actions.cases import CASE_SCHEMA, MEETING_SCHEMA, create_case, create_meeting, update_case
from ..domain.roster import MAX_FILE_BYTES, diff_rosters, format_area
from ..errors import DomainError
from ..extensions import db
from ..i18n import t
from ..models import Case, User
from ..validation import MAX_INT, whole_number
from .auth import case_or_404, login_required
from .forms import error_message, form_values

bp = Blueprint("cases", __name__)


@bp.route("/")
def home():
    return render_template("home.html")


@bp.route("/cases")
@login_required
def list_cases():
    cases = db.session.execute(access.visible_cases(g.user).order_by(Case.created_at.desc())
                               ).scalars().all()
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
    return _case_form(case_or_404(case_id))


@bp.route("/cases/<int:case_id>")
@login_required
def show_case(case_id: int):
    return case_page(case_or_404(case_id))


def case_page(case: Case, status: int = 200, **extra):
    """The case page (also shown again with a refusal next to the form that caused it)."""
    return render_template("cases/show.html", case=case,
                           roster=rosters.current_version(case.id), format_area=format_area,
                           members=access.members_of(case.id),
                           manages_members=access.manages_members(g.user, case),
                           **extra), status


@bp.route("/cases/<int:case_id>/members", methods=["POST"])
@login_required
def add_member(case_id: int):
    case = case_or_404(case_id)
    try:
        member = case_actions.add_member(case, request.form.get("username", ""), g.user)
    except DomainError as error:
        db.session.rollback()
        return case_page(case, 400, members_error=error_message(error))
    flash(t("members.added", name=member.user.display_name))
    return redirect(url_for("cases.show_case", case_id=case.id) + "#members")


@bp.route("/cases/<int:case_id>/members/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_member(case_id: int, user_id: int):
    case = case_or_404(case_id)
    user = db.session.get(User, user_id)
    try:
        case_actions.remove_member(case, user_id, g.user)
    except DomainError as error:
        db.session.rollback()
        return case_page(case, 400, members_error=error_message(error))
    flash(t("members.removed", name=user.display_name if user else ""))
    return redirect(url_for("cases.show_case", case_id=case.id) + "#members")


# --------------------------------------------------------------------------- the roster

ROSTER_PAGE_ROWS = 100


@bp.route("/cases/<int:case_id>/roster")
@login_required
def roster(case_id: int):
    """The roster's versions, and the rows of one (the newest unless ?version=N), a page at a
    time, searchable by unit, owner or owner key."""
    case = case_or_404(case_id)
    return _roster_page(case, 200)


def _roster_page(case: Case, status: int, **extra):
    versions = rosters.versions_of(case.id)
    shown = versions[0] if versions else None
    number = whole_number(request.args.get("version"), 1, MAX_INT)
    if number is not None:
        shown = rosters.version_number(case.id, number) or shown
    search = (request.args.get("q") or "").strip()[:100]
    page = whole_number(request.args.get("page"), 1, 999999) or 1
    rows, matches = rosters.page_of_units(shown.id, page, ROSTER_PAGE_ROWS, search) \
        if shown else ([], 0)
    pages = max(1, -(-matches // ROSTER_PAGE_ROWS))
    if page > pages:
        page = pages
        rows, matches = rosters.page_of_units(shown.id, page, ROSTER_PAGE_ROWS, search)
    return render_template(
        "cases/roster.html", case=case, versions=versions, shown=shown, search=search,
        rows=rows, matches=matches, page=page, pages=pages,
        live_meeting=rosters.live_meeting_of(case.id), format_area=format_area,
        **extra), status


@bp.route("/cases/<int:case_id>/roster/preview", methods=["POST"])
@login_required
def preview_roster(case_id: int):
    """An uploaded file, read and checked: what it would import. Nothing is saved yet."""
    case = case_or_404(case_id)
    upload = request.files.get("roster")
    data = upload.read(MAX_FILE_BYTES + 1) if upload else b""
    try:
        preview = roster_import.preview_upload(case, data, upload.filename if upload else "",
                                               g.user)
    except DomainError as error:
        db.session.rollback()
        return _roster_page(case, 400, upload_error=error_message(error))
    return render_template("cases/roster_preview.html", case=case, preview=preview,
                           format_area=format_area, reason=_reason,
                           status_code=400 if preview.analysis.errors else 200), \
        400 if preview.analysis.errors else 200


@bp.route("/cases/<int:case_id>/roster/import", methods=["POST"])
@login_required
def import_roster(case_id: int):
    """Import a previewed file as the case's next roster version."""
    case = case_or_404(case_id)
    try:
        version = roster_import.confirm_upload(case, request.form.get("upload", ""), g.user)
    except roster_import.RosterRejected as rejected:
        db.session.rollback()
        return _roster_page(case, 400, upload_error=t("roster.rejected",
                                                      count=len(rejected.errors)))
    except DomainError as error:
        db.session.rollback()
        return _roster_page(case, 409 if error.code == "roster.meeting_live" else 400,
                            upload_error=error_message(error))
    flash(t("roster.imported", number=version.number, units=version.units,
            owners=version.owners, area=format_area(version.area_hundredths)))
    return redirect(url_for("cases.roster", case_id=case.id))


@bp.route("/cases/<int:case_id>/roster/compare")
@login_required
def compare_rosters(case_id: int):
    """What changed between two versions (?from=N&to=M; by default the newest and the one
    before)."""
    case = case_or_404(case_id)
    versions = rosters.versions_of(case.id)
    by_number = {v.number: v for v in versions}

    def pick(name: str, default):
        number = whole_number(request.args.get(name), 1, MAX_INT)
        return default if number is None else by_number.get(number)

    newer = pick("to", versions[0] if versions else None)
    older = pick("from", versions[1] if len(versions) > 1 else None)
    if newer is None or older is None:
        abort(404)
    changes = diff_rosters(rosters.units_of(older.id), rosters.units_of(newer.id))
    return render_template("cases/roster_compare.html", case=case, older=older, newer=newer,
                           versions=versions, diff=changes, format_area=format_area)


def _reason(error) -> str:
    if error.reason in ("header", "empty"):
        return t(f"roster.{'bad_header' if error.reason == 'header' else 'empty'}",
                 **error.params)
    params = dict(error.params)
    if "field" in params:
        params["field"] = t("roster.column." + params["field"])
    return t(f"roster.reason.{error.reason}", **params)


@bp.route("/cases/<int:case_id>/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting(case_id: int):
    case = case_or_404(case_id)
    users = db.session.execute(db.select(User).order_by(User.display_name)).scalars().all()
    if not access.manages_members(g.user, case):  # others choose among those on the case
        users = [u for u in users if access.sees_case(u, case.id)]
    errors, values = {}, {"title": case.title, "moderator_id": g.user.id,
                          "language": "zh"}
    if request.method == "POST":
        values = {k: v for k, v in form_values().items() if k in MEETING_SCHEMA and v != ""}
        values.setdefault("moderator_id", g.user.id)  # whoever plans it runs it, unless named
        try:
            meeting = create_meeting(case, values, g.user)
            return redirect(url_for("meetings.show_meeting", meeting_id=meeting.id))
        except DomainError as error:
            db.session.rollback()
            errors[error.params.get("field", "title")] = error_message(error)
    return render_template("meetings/form.html", case=case, users=users, values=values,
                           errors=errors), (400 if errors else 200)
