"""Ballot papers of a written ballot on the staff page (facilitator/actions/ballot_papers.py):
issuing them, the PDF to print (all owners, or those who have not voted yet), the notice for
the notice board (PDF, DOCX), entering returned papers, the chair's decisions on flagged
papers, and the scans. For the meeting's moderator and clerk, and administrators."""
from __future__ import annotations

import base64

from flask import Blueprint, Response, abort, flash, g, redirect, request, url_for

from .. import clock
from ..actions import Actor, execute
from ..actions import ballot_papers as papers
from ..actions import invitations as invitation_actions
from ..actions import written_ballot as written
from ..domain.owner_sheets import by_building
from ..domain.voting import format_rate_per_m2, format_yuan
from ..exports import ballot_papers as paper_export
from ..extensions import db
from ..i18n import t
from ..models import (BallotPaper, BallotPaperScan, Invitation, Meeting, Plan, Vote,
                      VoteParticipation)
from ..views.votes import own_share_text, written_plans
from .auth import login_required, meeting_for_chair
from .forms import error_message
from .links import public_base

bp = Blueprint("ballot_papers", __name__)


def _written_vote(meeting_id: int, vote_id: int) -> tuple[Meeting, Vote]:
    meeting = meeting_for_chair(meeting_id)
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != meeting.id or vote.written_since is None:
        abort(404)
    return meeting, vote


def _staff_page(meeting: Meeting, vote: Vote, anchor: str = "papers"):
    return redirect(url_for("written_ballot.staff_page", meeting_id=meeting.id,
                            vote_id=vote.id) + "#" + anchor)


def _run(meeting: Meeting, name: str, payload: dict):
    outcome = execute(meeting.id, Actor(role=g.user.role, user_id=g.user.id), name, payload,
                      request.form.get("command_id") or None)
    if not outcome.ok:
        flash(error_message(outcome.error), "error")
    return outcome


# --------------------------------------------------------------------------- what is printed

def _costed(key: str, label: str, plan: Plan | None, total_area: int) -> paper_export.PaperOption:
    if plan is None or not total_area:
        return paper_export.PaperOption(key=key, label=label)
    return paper_export.PaperOption(key=key, label=label, total=format_yuan(plan.total_fen),
                                    rate=format_rate_per_m2(plan.total_fen, total_area))


def _choices(vote: Vote, language: str):
    """(the motion with its costs, the boxes to tick with theirs, each box's plan)."""
    from ..catalogue import message_for
    options, motion, total_area = written_plans(vote)
    abstain = message_for("vote_choice.abstain", language)
    if vote.method == "yes_no":
        boxes = [paper_export.PaperOption("yes", message_for("paper.agree", language)),
                 paper_export.PaperOption("no", message_for("vote_choice.no", language)),
                 paper_export.PaperOption("abstain", abstain)]
        return (_costed("", motion.title, motion, total_area) if motion else None), boxes, \
            ([motion] if motion else []), total_area
    boxes = [_costed(option["key"], option.get("label") or option["key"], plan, total_area)
             for option, plan in options]
    boxes.append(paper_export.PaperOption("abstain", abstain))
    return None, boxes, [plan for _, plan in options] + [None], total_area


def _organiser(meeting: Meeting) -> str:
    case = meeting.case
    return (case.details or {}).get("platform") or case.community


def paper_batch(meeting: Meeting, vote: Vote, only_missing: bool = False
                ) -> paper_export.PaperBatch:
    language = meeting.language
    motion, boxes, plans, total_area = _choices(vote, language)
    invitations = {inv.owner_key: inv for inv in db.session.execute(
        db.select(Invitation).filter_by(meeting_id=meeting.id)).scalars()}
    serials = {p.owner_key: p.serial for p in papers.papers_of(vote)}
    voted = set(db.session.execute(db.select(VoteParticipation.voter_key).filter_by(
        vote_id=vote.id)).scalars()) if only_missing else set()
    base = public_base()
    sheets = []
    for owner in papers.scope_owners(vote):
        if owner.key not in serials or owner.key in voted:
            continue
        invitation = invitations.get(owner.key)
        shares = tuple(own_share_text(plan, owner.area, total_area) for plan in plans)
        sheets.append(paper_export.PaperSheet(
            owner=owner.name, owner_key=owner.key, units=tuple(owner.units), area=owner.area,
            serial=papers.format_serial(serials[owner.key]),
            link=base + url_for("join.invitation",
                                token=invitation_actions.link_token(invitation)),
            code=invitation_actions.personal_code(invitation), shares=shares))
    case = meeting.case
    return paper_export.PaperBatch(
        language=language, organiser=_organiser(meeting), case_number=case.number,
        case_title=case.title, vote_title=vote.title, question=vote.question or "",
        method=vote.method, motion=motion, options=tuple(boxes),
        deadline=clock.local(vote.deadline_at), join_url=base + url_for("join.enter_code"),
        sheets=tuple(s for building in by_building(sheets) for s in building.sheets))


def notice(meeting: Meeting, vote: Vote) -> paper_export.NoticeDocument:
    language = meeting.language
    motion, boxes, _, _ = _choices(vote, language)
    case = meeting.case
    base = public_base()
    return paper_export.NoticeDocument(
        language=language, organiser=_organiser(meeting), case_number=case.number,
        case_title=case.title, community=case.community, vote_title=vote.title,
        question=vote.question or "", motion=motion,
        options=tuple(b for b in boxes if b.key != "abstain" or vote.method == "yes_no"),
        deadline=clock.local(vote.deadline_at), join_url=base + url_for("join.enter_code"),
        progress_url=base + url_for("written_ballot.public_progress", vote_id=vote.id,
                                    k=written.progress_key(vote)),
        issued_on=clock.local(clock.utcnow()))


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(body, mimetype=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/papers.pdf")
@login_required
def papers_pdf(meeting_id: int, vote_id: int):
    """The ballot papers issued (with ?only=missing: of the owners who have not voted)."""
    meeting, vote = _written_vote(meeting_id, vote_id)
    batch = paper_batch(meeting, vote, only_missing=request.args.get("only") == "missing")
    if not batch.sheets:
        abort(404)
    return _download(paper_export.render_apart(batch), paper_export.MEDIA_TYPE,
                     f"ballot-papers-{meeting.id}-{vote.number}.pdf")


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/announcement.<any(pdf, docx):kind>")
@login_required
def notice_file(meeting_id: int, vote_id: int, kind: str):
    meeting, vote = _written_vote(meeting_id, vote_id)
    document = notice(meeting, vote)
    if kind == "pdf":
        return _download(paper_export.render_notice_pdf(document), paper_export.MEDIA_TYPE,
                         f"notice-{meeting.id}-{vote.number}.pdf")
    return _download(paper_export.render_notice_docx(document), paper_export.DOCX_MEDIA_TYPE,
                     f"notice-{meeting.id}-{vote.number}.docx")


# --------------------------------------------------------------------------- staff actions

@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/papers", methods=["POST"])
@login_required
def act(meeting_id: int, vote_id: int):
    meeting, vote = _written_vote(meeting_id, vote_id)
    form = request.form
    action = form.get("action")
    if action == "issue":
        outcome = _run(meeting, "ballot.issue_papers", {
            "vote_id": vote.id, "double_entry": form.get("double_entry") == "on"})
        if outcome.ok:
            flash(t("paper.issued", count=outcome.result["papers"]))
    elif action == "enter":
        by = form.get("by")
        if by not in ("serial", "owner_key", "unit"):
            abort(400)
        outcome = _run(meeting, "ballot.record_paper", {
            "vote_id": vote.id, "choices": form.getlist("choice"), by: form.get("which", "")})
        if outcome.ok:
            flash(t("paper.entered_" + outcome.result["status"],
                    serial=papers.format_serial(outcome.result["serial"])))
    elif action in ("resolve", "settle"):
        payload = {"vote_id": vote.id, "serial": form.get("serial", ""),
                   "reason": form.get("reason", "")}
        if action == "resolve":
            payload["choices"] = form.getlist("choice")
        else:
            payload["counts"] = form.get("counts", "")
        outcome = _run(meeting, f"ballot.{action}_paper", payload)
        if outcome.ok:
            flash(t("paper.decided", serial=papers.format_serial(outcome.result["serial"])))
    else:
        abort(400)
    return _staff_page(meeting, vote)


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/papers/scan", methods=["POST"])
@login_required
def upload_scan(meeting_id: int, vote_id: int):
    meeting, vote = _written_vote(meeting_id, vote_id)
    upload = request.files.get("scan")
    data = upload.read(papers.SCAN_LIMIT + 1) if upload else b""
    outcome = _run(meeting, "ballot.attach_scan", {
        "vote_id": vote.id, "serial": request.form.get("serial", ""),
        "scan": base64.b64encode(data).decode()})
    if outcome.ok:
        flash(t("paper.scan_attached"))
    return _staff_page(meeting, vote)


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/papers/<serial>/scan")
@login_required
def download_scan(meeting_id: int, vote_id: int, serial: str):
    _, vote = _written_vote(meeting_id, vote_id)
    clean = papers.normalise_serial(serial[:20])
    scan = None if clean is None else db.session.execute(
        db.select(BallotPaperScan).join(BallotPaper, BallotPaper.id == BallotPaperScan.paper_id)
        .filter(BallotPaper.vote_id == vote.id, BallotPaper.serial == clean)).scalar_one_or_none()
    if scan is None:
        abort(404)
    extension = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}[scan.media_type]
    return _download(scan.data, scan.media_type, f"paper-{vote.id}-{clean}.{extension}")
