"""The result notice of a closed owners' decision (公示) and its objections
(facilitator/actions/result_notice.py): issued, downloaded and decided by the meeting's
moderator and clerk (and administrators); objections recorded by any member of the case.
After the meeting the chair sends the notice from its page to phones for signature
(notice.request_signatures); the page lists who was asked and who answered. A participant's
phone reads the notice (its HTML or PDF) as it reads the final minutes (web/minutes.py
may_download), and signs it from its signing card (web/minutes.py signing.json lists the
notices it was asked to sign)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from .. import access, clock
from ..actions import execute
from ..actions import result_notice as notices
from ..catalogue import LOCALES
from ..domain.parties import PARTIES
from ..domain.statuses import MeetingStatus, ParticipantStatus, VoteStatus
from ..errors import DomainError
from ..exports import result_notice as notice_export
from ..extensions import db
from ..i18n import current_locale, t
from ..joining import cookie_participant
from ..models import Meeting, Objection, Participant, ResultNotice, Vote
from .auth import login_required, meeting_for_chair, meeting_or_404
from .forms import error_message
from .meetings import chair_actor
from .minutes import MINUTES_HTML_POLICY, may_download, refused

bp = Blueprint("result_notice", __name__)

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
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
    signing = meeting.status == MeetingStatus.ENDED and notice is not None
    return render_template(
        "notice/page.html", meeting=meeting, vote=vote, notice=notice,
        last_day=notices.last_day(notice) if notice else None,
        objections=notices.objections_of(notice) if notice else [],
        chairs=access.chairs_meeting(g.user, meeting), default_days=notices.default_days(),
        today=clock.today(), content_hash=notice_export.notice_hash(notice) if notice else None,
        requests=_requests(notice) if notice else [], signing=signing,
        phones=_phones(meeting) if signing else [], parties=PARTIES, **extra), status


def _requests(notice: ResultNotice) -> list[dict]:
    """Whom the chair asked to sign the notice, when, and their answer (None: not yet)."""
    answers = {s.participant_id: s for s in notice.signoffs if s.method == "phone"}
    return [{"name": r.participant.name, "party": r.participant.party, "at": r.requested_at,
             "answer": answers.get(r.participant_id)} for r in notice.signature_requests]


def _phones(meeting: Meeting) -> list[Participant]:
    """Who can be asked to sign on a phone: the participants admitted with one."""
    return list(db.session.execute(db.select(Participant).filter_by(
        meeting_id=meeting.id, has_phone=True, status=ParticipantStatus.ADMITTED)
        .order_by(Participant.id)).scalars())


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
def download(meeting_id: int, vote_id: int, kind: str):
    """The notice with the sign-offs made so far: for staff who see the case, and for a
    participant's phone once the meeting has ended (what it may be asked to sign)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    if g.get("user") is None and cookie_participant(meeting.id) is None:
        return redirect(url_for("auth.login", next=request.full_path))
    if not may_download(meeting):
        return refused(meeting)
    notice = notices.notice_of(_vote(meeting, vote_id))
    if notice is None or kind not in DOCUMENT_TYPES:
        abort(404)
    lang = request.args.get("lang") or meeting.language or current_locale()
    if lang not in LOCALES:
        abort(404)
    body = notice_export.render(notice, kind, lang)
    response = Response(body, content_type=DOCUMENT_TYPES[kind])
    filename = f"notice-{meeting.case.number}-vote{vote_id}.{kind}"
    if kind == "html":
        # A document of its own, as the minutes' HTML: inline styles, no script.
        response.headers["Content-Security-Policy"] = MINUTES_HTML_POLICY
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Hash"] = f"sha256:{notice_export.notice_hash(notice)}"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/notice/signatures", methods=["POST"])
@login_required
def request_signatures(meeting_id: int, vote_id: int):
    """The chair sends the notice to phones for signature: everyone present with a phone, or
    the parties and people ticked."""
    meeting = meeting_for_chair(meeting_id)
    vote = _vote(meeting, vote_id)
    notice = notices.notice_of(vote)
    if notice is None:
        abort(404)
    payload: dict = {"notice_id": notice.id}
    if not request.form.get("everyone"):
        # Digits become ids; anything else is left for the command to refuse.
        payload["participant_ids"] = [int(v) if v.isascii() and v.isdigit() else v
                                      for v in request.form.getlist("participant_ids")]
        payload["parties"] = request.form.getlist("parties") or None
    outcome = execute(meeting.id, chair_actor(), "notice.request_signatures", payload, request.form.get("command_id") or None)
    if not outcome.ok:
        return _page(meeting, vote, 400, signing_error=error_message(outcome.error))
    flash(t("sign.notice_sent", count=outcome.result["asked"]))
    return redirect(url_for("result_notice.page", meeting_id=meeting.id, vote_id=vote.id)
                    + "#signatures")


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
