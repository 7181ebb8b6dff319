"""The result notice of a closed owners' decision (公示) and its objections
(facilitator/actions/result_notice.py): issued, downloaded and decided by the meeting's
moderator and clerk (and administrators); objections recorded by any member of the case."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from .. import access, clock
from ..actions import result_notice as notices
from ..catalogue import LOCALES
from ..domain.statuses import VoteStatus
from ..errors import DomainError
from ..exports import result_notice as notice_export
from ..extensions import db
from ..i18n import current_locale, t
from ..models import Meeting, Objection, Vote
from .auth import login_required, meeting_for_chair, meeting_or_404
from .forms import error_message

bp = Blueprint("result_notice", __name__)

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@bp.app_template_global()
def noticeable_votes(meeting: Meeting) -> list[Vote]:
    """For the case page: the meeting's closed owners' decisions (each may have a notice)."""
    return list(db.session.execute(db.select(Vote).where(
        Vote.meeting_id == meeting.id, Vote.kind == "owners_decision", Vote.status == VoteStatus.CLOSED)
        .order_by(Vote.number)).scalars())


def _vote(meeting: Meeting, vote_id: int) -> Vote:
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != meeting.id:
        abort(404)
    return vote


def _page(meeting: Meeting, vote: Vote, status: int = 200, **extra):
    notice = notices.notice_of(vote)
    return render_template(
        "notice/page.html", meeting=meeting, vote=vote, notice=notice,
        last_day=notices.last_day(notice) if notice else None,
        objections=notices.objections_of(notice) if notice else [],
        chairs=access.chairs_meeting(g.user, meeting), default_days=notices.default_days(),
        today=clock.today(), **extra), status


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/notice")
@login_required
def page(meeting_id: int, vote_id: int):
    meeting = meeting_or_404(meeting_id)
    return _page(meeting, _vote(meeting, vote_id))


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/notice", methods=["POST"])
@login_required
def issue(meeting_id: int, vote_id: int):
    meeting = meeting_for_chair(meeting_id)
    vote = _vote(meeting, vote_id)
    values = {name: request.form.get(name, "") for name in notices.NOTICE_SCHEMA}
    try:
        notices.issue_notice(vote, values, g.user)
    except DomainError as error:
        db.session.rollback()
        return _page(meeting, vote, 400, notice_error=error_message(error), values=values)
    flash(t("notice.issued"))
    return redirect(url_for("result_notice.page", meeting_id=meeting.id, vote_id=vote.id))


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/notice.<kind>")
@login_required
def download(meeting_id: int, vote_id: int, kind: str):
    meeting = meeting_or_404(meeting_id)
    notice = notices.notice_of(_vote(meeting, vote_id))
    if notice is None or kind not in DOCUMENT_TYPES:
        abort(404)
    lang = request.args.get("lang") or meeting.language or current_locale()
    if lang not in LOCALES:
        abort(404)
    body = notice_export.render(notice, kind, lang)
    response = Response(body, mimetype=DOCUMENT_TYPES[kind])
    filename = f"notice-{meeting.case.number}-vote{vote_id}.{kind}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/objections", methods=["POST"])
@login_required
def record(meeting_id: int, vote_id: int):
    meeting = meeting_or_404(meeting_id)
    vote = _vote(meeting, vote_id)
    notice = notices.notice_of(vote)
    if notice is None:
        abort(404)
    values = {name: request.form.get(name, "") for name in notices.OBJECTION_SCHEMA}
    try:
        notices.record_objection(notice, values, g.user)
    except DomainError as error:
        db.session.rollback()
        return _page(meeting, vote, 400, objection_error=error_message(error),
                     objection_values=values)
    flash(t("notice.objection_recorded"))
    return redirect(url_for("result_notice.page", meeting_id=meeting.id, vote_id=vote.id)
                    + "#objections")


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/objections/<int:objection_id>",
          methods=["POST"])
@login_required
def decide(meeting_id: int, vote_id: int, objection_id: int):
    meeting = meeting_for_chair(meeting_id)
    vote = _vote(meeting, vote_id)
    notice = notices.notice_of(vote)
    objection = db.session.get(Objection, objection_id)
    if notice is None or objection is None or objection.notice_id != notice.id:
        abort(404)
    values = {name: request.form.get(name, "") for name in notices.DECISION_SCHEMA}
    try:
        notices.decide_objection(objection, values, g.user)
    except DomainError as error:
        db.session.rollback()
        return _page(meeting, vote, 400, decide_error=error_message(error))
    flash(t("notice.objection_decided_ok"))
    return redirect(url_for("result_notice.page", meeting_id=meeting.id, vote_id=vote.id)
                    + "#objections")
