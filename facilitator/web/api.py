"""JSON API for case systems (docs/api.md; OpenAPI at /api/v1/openapi.json).

Authenticated with a per-user token: `Authorization: Bearer fct_...` (issued by
`facilitator create-token USERNAME`). Not CSRF-protected: browsers never send the token.
"""
from __future__ import annotations

import json
from functools import wraps
from pathlib import Path

from flask import Blueprint, g, jsonify, request, url_for

from .. import access, rosters
from ..actions.cases import create_case, create_meeting
from ..domain.roster import format_area
from ..errors import DomainError
from ..extensions import csrf, db
from ..i18n import t
from ..actions.core import event_dict
from ..live.redaction import redact_event, redact_value
from ..live.snapshot import snapshot_for
from ..views.entities import meeting_view
from ..models import Case, Meeting, MeetingEvent, RosterUnit, User
from ..clock import to_epoch_ms
from ..models.users import hash_token
from ..validation import whole_number
from .forms import error_message

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

OPENAPI_FILE = Path(__file__).resolve().parent / "openapi.json"


def _error(status: int, code: str, message: str, **extra):
    return jsonify({"error": {"code": code, "message": message, **extra}}), status


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        user = db.session.execute(db.select(User).filter_by(api_token_hash=hash_token(token))
                                  ).scalar_one_or_none() if token else None
        if user is None:
            return _error(401, "auth.bad_token", t("auth.bad_token"))
        if user.api_token_read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
            return _error(403, "auth.read_only_token", t("auth.read_only_token"))
        g.api_user = user
        return view(*args, **kwargs)
    return wrapped


def _json_body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def case_json(case: Case) -> dict:
    version = rosters.current_version(case.id)
    summary = rosters.summary_of(version)
    return {
        "id": case.id, "number": case.number, "title": case.title, "community": case.community,
        "organiser": case.organiser, "source_channel": case.source_channel, "source": case.source,
        "description": case.description, "scope": case.scope, "status": case.status,
        "dates": {key: (getattr(case, key).isoformat() if getattr(case, key) else None)
                  for key in ("received_on", "completion_accepted_on", "delivered_on",
                              "warranty_end_on", "first_report_on")},
        "roster": {"version": version.number if version else None,
                   "sha256": version.sha256 if version else None,
                   "units": summary.units, "owners": summary.owners,
                   "area_m2": format_area(summary.area_hundredths).replace(",", "")},
        "meetings": [m.id for m in case.meetings],
    }


def meeting_json(meeting: Meeting) -> dict:
    view = redact_value("meeting", meeting_view(meeting), "api")  # no projector token, no join key
    return {**view, "case_id": meeting.case_id, "last_seq": meeting.last_seq,
            "created_at": to_epoch_ms(meeting.created_at)}


# Refusals that are about what is stored, not about the request: a valid request that conflicts.
CONFLICTS = frozenset({"case.number_taken"})


def _refused(error: DomainError):
    return _refused_with(409 if error.code in CONFLICTS else 422, error)


def _refused_with(status: int, error: DomainError):
    return _error(status, error.code, error_message(error), field=error.params.get("field"))


@bp.route("/openapi.json")
def openapi():
    return jsonify(json.loads(OPENAPI_FILE.read_text()))


def _whole_numbers(wanted: tuple) -> tuple[dict, object]:
    """Numbers from the query: (name, default, low, high) each; (values, None), or (None, a
    400 answer naming the first bad one)."""
    values = {}
    for name, default, low, high in wanted:
        text = request.args.get(name)
        values[name] = default if text is None else whole_number(text, low, high)
        if values[name] is None and text is not None:
            return None, _refused_with(400, DomainError("validation.range", field=name,
                                                        min=low, max=high))
    return values, None


CASES_PAGE_MAX = 100


@bp.route("/cases")
@token_required
def list_cases():
    """The cases the token's user sees, a page at a time (?page=1&per_page=100), oldest first."""
    numbers, bad = _whole_numbers((("page", 1, 1, 10**6),
                                   ("per_page", CASES_PAGE_MAX, 1, CASES_PAGE_MAX)))
    if bad:
        return bad
    page, per_page = numbers["page"], numbers["per_page"]
    visible = access.visible_cases(g.api_user)
    total = db.session.execute(db.select(db.func.count()).select_from(
        visible.subquery())).scalar()
    cases = db.session.execute(visible.order_by(Case.id).offset((page - 1) * per_page)
                               .limit(per_page)).scalars()
    return jsonify({"cases": [case_json(c) for c in cases], "page": page,
                    "per_page": per_page, "pages": max(1, -(-total // per_page)),
                    "total": total})


@bp.route("/cases", methods=["POST"])
@token_required
def post_case():
    body = _json_body()
    if body is None:
        return _error(400, "validation.not_an_object", t("validation.not_an_object"))
    try:
        case = create_case(body, g.api_user)
    except DomainError as error:
        db.session.rollback()
        return _refused(error)
    return jsonify(case_json(case)), 201


def _get_or_404(model, object_id: int, code: str):
    """A case or meeting the token's user sees (facilitator/access.py), or a 404 answer: a
    case the user does not see does not exist for them."""
    found = db.session.get(model, object_id)
    case_id = None if found is None else (found.id if model is Case else found.case_id)
    if case_id is None or not access.sees_case(g.api_user, case_id):
        return None, _error(404, code, t(code))
    return found, None


@bp.route("/cases/<int:case_id>")
@token_required
def get_case(case_id: int):
    case, missing = _get_or_404(Case, case_id, "case.not_found")
    return missing or jsonify(case_json(case))


@bp.route("/cases/<int:case_id>/meetings")
@token_required
def list_meetings(case_id: int):
    case, missing = _get_or_404(Case, case_id, "case.not_found")
    return missing or jsonify({"meetings": [meeting_json(m) for m in case.meetings]})


@bp.route("/cases/<int:case_id>/transitions")
@token_required
def list_transitions(case_id: int):
    from .case_record_json import transitions_json
    case, missing = _get_or_404(Case, case_id, "case.not_found")
    return missing or jsonify(transitions_json(case))


@bp.route("/cases/<int:case_id>/action-items")
@token_required
def list_action_items(case_id: int):
    from .case_record_json import action_items_json
    case, missing = _get_or_404(Case, case_id, "case.not_found")
    return missing or jsonify(action_items_json(case))


ROSTER_PAGE_MAX = 1000


@bp.route("/cases/<int:case_id>/roster")
@token_required
def get_roster(case_id: int):
    """A version of the case's owners' roster (the newest, or ?version=N), a page of its
    units at a time (?page=1&per_page=1000), and the list of versions."""
    case, missing = _get_or_404(Case, case_id, "case.not_found")
    if missing:
        return missing
    numbers, bad = _whole_numbers((("version", None, 1, 10**6), ("page", 1, 1, 10**6),
                                   ("per_page", ROSTER_PAGE_MAX, 1, ROSTER_PAGE_MAX)))
    if bad:
        return bad
    versions = rosters.versions_of(case.id)
    version = versions[0] if versions and numbers["version"] is None else \
        rosters.version_number(case.id, numbers["version"]) if numbers["version"] else None
    if version is None:
        return _error(404, "roster.version_not_found", t("roster.version_not_found"))
    per_page, page = numbers["per_page"], numbers["page"]
    rows = db.session.execute(db.select(RosterUnit).filter_by(version_id=version.id)
                              .order_by(RosterUnit.id).offset((page - 1) * per_page)
                              .limit(per_page)).scalars()
    area = lambda hundredths: format_area(hundredths).replace(",", "")  # noqa: E731
    return jsonify({
        "case_id": case.id,
        "version": {"number": version.number, "sha256": version.sha256,
                    "filename": version.filename, "format": version.source_format,
                    "imported_at": to_epoch_ms(version.imported_at),
                    "imported_by": version.imported_by_name, "units": version.units,
                    "owners": version.owners, "area_m2": area(version.area_hundredths)},
        "versions": [v.number for v in versions],
        "page": page, "per_page": per_page,
        "pages": max(1, -(-version.units // per_page)),
        "units": [{"unit": r.unit, "area_m2": area(r.area_hundredths), "owner": r.owner_name,
                   "owner_key": r.owner_key, "note": r.note} for r in rows]})


@bp.route("/cases/<int:case_id>/meetings", methods=["POST"])
@token_required
def post_meeting(case_id: int):
    case, missing = _get_or_404(Case, case_id, "case.not_found")
    if missing:
        return missing
    body = _json_body()
    if body is None:
        return _error(400, "validation.not_an_object", t("validation.not_an_object"))
    # The caller runs it unless others are named (a clerk records it; a moderator chairs it).
    body.setdefault("clerk_id" if g.api_user.role == "clerk" else "moderator_id", g.api_user.id)
    try:
        meeting = create_meeting(case, body, g.api_user)
    except DomainError as error:
        db.session.rollback()
        return _refused(error)
    return jsonify(meeting_json(meeting)), 201


@bp.route("/meetings/<int:meeting_id>")
@token_required
def get_meeting(meeting_id: int):
    meeting, missing = _get_or_404(Meeting, meeting_id, "meeting.not_found")
    return missing or jsonify(meeting_json(meeting))


API_ROLE = "api"  # see live/redaction.py


@bp.route("/meetings/<int:meeting_id>/snapshot")
@token_required
def get_snapshot(meeting_id: int):
    _, missing = _get_or_404(Meeting, meeting_id, "meeting.not_found")
    if missing:
        return missing
    snapshot = snapshot_for(meeting_id, API_ROLE)
    if snapshot is None:
        return _error(404, "meeting.not_found", t("meeting.not_found"))
    return jsonify(snapshot)


@bp.route("/meetings/<int:meeting_id>/events")
@token_required
def get_events(meeting_id: int):
    since_text = request.args.get("since", "0")
    if not (since_text.isascii() and since_text.isdigit()):
        return _refused_with(400, DomainError("validation.type", field="since"))
    meeting, missing = _get_or_404(Meeting, meeting_id, "meeting.not_found")
    if missing:
        return missing
    since = whole_number(since_text, 0, meeting.last_seq)
    if since is None:
        return _refused_with(400, DomainError("validation.range", field="since", min=0,
                                              max=meeting.last_seq))
    limit = whole_number(request.args.get("limit", "1000"), 1, 1000)
    if limit is None:
        return _refused_with(400, DomainError("validation.range", field="limit", min=1,
                                              max=1000))
    rows = db.session.execute(db.select(MeetingEvent).filter(
        MeetingEvent.meeting_id == meeting_id, MeetingEvent.seq > since)
        .order_by(MeetingEvent.seq).limit(limit)).scalars().all()
    return jsonify({"meeting_id": meeting_id, "last_seq": meeting.last_seq,
                    "events": [redact_event(event_dict(r), API_ROLE) for r in rows]})


def _meeting_state(meeting_id: int) -> tuple[dict | None, object]:
    """The meeting's snapshot as the API sees it, or a 404 answer."""
    _, missing = _get_or_404(Meeting, meeting_id, "meeting.not_found")
    if missing:
        return None, missing
    snapshot = snapshot_for(meeting_id, API_ROLE)
    if snapshot is None:
        return None, _error(404, "meeting.not_found", t("meeting.not_found"))
    return snapshot, None


def _in_order(collection: dict, key: str) -> list[dict]:
    return sorted(collection.values(), key=lambda entity: (entity[key], entity["id"]))


@bp.route("/meetings/<int:meeting_id>/agenda")
@token_required
def get_agenda(meeting_id: int):
    """The agenda items in their order, with their timing, as of `seq`."""
    state, missing = _meeting_state(meeting_id)
    return missing or jsonify({"meeting_id": meeting_id, "seq": state["seq"],
                               "current_item_id": state["meeting"]["current_item_id"],
                               "items": _in_order(state["agenda"], "position")})


@bp.route("/meetings/<int:meeting_id>/participants")
@token_required
def get_participants(meeting_id: int):
    """Everyone in the meeting (lobby, admitted, removed …) with how each owner was verified,
    the proxies recorded, and the check-in figures against the scope and the gate."""
    state, missing = _meeting_state(meeting_id)
    return missing or jsonify({"meeting_id": meeting_id, "seq": state["seq"],
                               "participants": _in_order(state["participants"], "id"),
                               "proxies": _in_order(state["proxies"], "id"),
                               "checkin": state["checkin"]})


@bp.route("/meetings/<int:meeting_id>/votes")
@token_required
def get_votes(meeting_id: int):
    """The plans and every vote, a closed vote with its result and every number its rule
    used (docs/protocol.md §13)."""
    state, missing = _meeting_state(meeting_id)
    return missing or jsonify({"meeting_id": meeting_id, "seq": state["seq"],
                               "plans": _in_order(state["plans"], "id"),
                               "votes": _in_order(state["votes"], "number")})


@bp.route("/meetings/<int:meeting_id>/minutes")
@token_required
def get_minutes_versions(meeting_id: int):
    """The final versions of the minutes, each with its hash, note, sign-offs and the links
    to every format; and the live draft's links."""
    from ..minutes.versions import versions_of
    from .minutes import FORMATS, version_json
    meeting, missing = _get_or_404(Meeting, meeting_id, "meeting.not_found")
    if missing:
        return missing

    def links(**args) -> dict:
        return {fmt: url_for("api.get_minutes", meeting_id=meeting_id, format=fmt, **args)
                for fmt in FORMATS}
    return jsonify({"meeting_id": meeting_id,
                    "versions": [version_json(v, links(version=v.number))
                                 for v in versions_of(meeting_id)],
                    "draft": links(draft=1)})


@bp.route("/meetings/<int:meeting_id>/minutes.<format>")
@token_required
def get_minutes(meeting_id: int, format: str):  # noqa: A002 - the path's own name
    """The minutes in one format: the newest final version, ?version=N, or ?draft=1 for the
    live draft (what the log says now; members of the case may read it, as on its pages)."""
    from ..minutes.load import minutes_for
    from ..minutes.versions import document_of, latest_version, version_number
    from .minutes import RENDERERS, minutes_file, signoffs_of
    meeting, missing = _get_or_404(Meeting, meeting_id, "meeting.not_found")
    if missing:
        return missing
    if format not in RENDERERS:
        return _error(404, "minutes.format_not_found", t("minutes.format_not_found"))
    numbers, bad = _whole_numbers((("version", None, 1, 10**6), ("draft", 0, 0, 1)))
    if bad:
        return bad
    if numbers["draft"]:
        last = latest_version(meeting_id)
        document = minutes_for(meeting, version=(last.number + 1) if last else 1)
        return minutes_file(document, format, final=False)
    version = (version_number(meeting_id, numbers["version"]) if numbers["version"]
               else latest_version(meeting_id))
    if version is None:
        code = "minutes.version_not_found" if numbers["version"] else "minutes.not_final"
        return _error(404, code, t(code))
    return minutes_file(document_of(version), format, final=True, signoffs=signoffs_of(version))
