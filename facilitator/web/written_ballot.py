"""The pages of a written ballot (facilitator/actions/written_ballot.py):

* the owner's ballot page, reached by their personal invitation's link (/i/<token>, which
  shows it once the meeting is over and a vote continues in writing), and the receipt;
* the public check of a receipt code (/receipt);
* the public progress page, for the notice board (/votes/<id>/progress?k=…, its QR code);
* for the meeting's moderator and clerk: continuing a vote in writing, extending its
  deadline, the progress with the owners still missing by building (printable).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from .. import access, clock
from ..actions import Actor, execute
from ..actions import ballot_papers as paper_actions
from ..actions import invitations as invitation_actions
from ..actions import written_ballot as written
from ..domain.statuses import VoteStatus
from ..domain.voting import format_area, format_rate_per_m2, format_yuan
from ..errors import DomainError
from ..extensions import db
from ..i18n import current_locale, t
from ..joining import admit
from ..models import Meeting, Vote, VoteParticipation
from ..views.votes import own_share_text, written_plans
from .auth import login_required, meeting_for_chair
from .forms import error_message
from .links import public_base, qr_svg

bp = Blueprint("written_ballot", __name__)


@bp.app_template_global()
def written_ballot_votes(meeting: Meeting) -> list[Vote]:
    """For the case page: the meeting's owners' decisions that continue, or may continue, as
    a written ballot, when the signed-in user chairs the meeting."""
    if g.get("user") is None or not access.chairs_meeting(g.user, meeting):
        return []
    return list(db.session.execute(db.select(Vote).where(
        Vote.meeting_id == meeting.id, Vote.kind == "owners_decision", Vote.channel == "meeting",
        db.or_(Vote.status == VoteStatus.OPEN, Vote.written_since.is_not(None)))
        .order_by(Vote.number)).scalars())


def _invitation_or_refusal(token: str):
    def lookup():  # an unguessable token: a right one is not counted, a wrong one is
        found = invitation_actions.invitation_for_token(token)
        return (found, True) if found is not None else None
    return admit(lookup, guessable=False, wrong="invitation.invalid")


def _option_rows(vote: Vote, owner: dict) -> list[dict]:
    """Each option of the vote with its plan's cost, the cost per m² and this owner's share
    (exact, to the fen: domain.voting.owner_share, as on the phones and the ballot papers)."""
    options, _, total_area = written_plans(vote)
    rows = []
    for option, plan in options:
        row = {"key": option["key"], "label": option.get("label") or option["key"]}
        if plan is not None:
            row["plan"] = plan
            row["total"] = format_yuan(plan.total_fen)
            if total_area:
                row["rate"] = format_rate_per_m2(plan.total_fen, total_area)
                row["share"] = own_share_text(plan, owner["area"], total_area) or None
        rows.append(row)
    return rows


def ballot_page(token: str, invitation, meeting: Meeting, error: str | None = None,
                status: int = 200):
    owner = written.owner_of_link(invitation)
    votes = []
    for vote in written.written_votes(meeting.id):
        mine = db.session.execute(db.select(VoteParticipation).filter_by(
            vote_id=vote.id, voter_key=owner["key"])).scalar_one_or_none()
        votes.append({"vote": vote, "options": _option_rows(vote, owner),
                      "mine": mine,
                      "open": vote.status == VoteStatus.OPEN
                      and clock.utcnow() < vote.deadline_at,
                      "may_vote": mine is None or (vote.allow_change and not vote.secret)})
    return render_template("written/ballot.html", token=token, meeting=meeting, owner=owner,
                           area=format_area(owner["area"]), votes=votes, error=error), status


@bp.route("/i/<token>/ballot", methods=["POST"])
def cast(token: str):
    try:
        invitation = _invitation_or_refusal(token)
    except DomainError as error:
        return render_template("written/refused.html", error=error_message(error)), 404
    meeting = db.session.get(Meeting, invitation.meeting_id)
    vote_id = request.form.get("vote_id", "")
    choices = request.form.getlist("choice")
    payload = {"vote_id": int(vote_id) if vote_id.isdigit() and len(vote_id) < 20 else vote_id,
               "choices": choices}
    outcome = execute(meeting.id, Actor(role="owner_link", owner_key=invitation.owner_key),
                      "ballot.cast_by_link", payload, request.form.get("command_id") or None)
    if not outcome.ok:
        return ballot_page(token, invitation, meeting, error=error_message(outcome.error),
                           status=409 if outcome.error.code.startswith(("vote.", "written."))
                           else 400)
    vote = db.session.get(Vote, outcome.result["vote_id"])
    return render_template("written/receipt.html", meeting=meeting, vote=vote,
                           receipt=outcome.result.get("receipt"), token=token,
                           changed=outcome.result.get("changed"))


@bp.route("/receipt")
def check_receipt():
    """Anyone with a receipt code checks that the ballot was counted."""
    code = request.args.get("code")
    if code is None:
        return render_template("written/check.html", checked=False, found=None, code="")
    found = written.check_receipt(code)
    status = 200 if found is not None else 404
    return render_template("written/check.html", checked=True, found=found,
                           code=code[:64]), status


def _vote_or_404(vote_id: int) -> Vote:
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.written_since is None:
        abort(404)
    return vote


@bp.route("/votes/<int:vote_id>/progress")
def public_progress(vote_id: int):
    """For the notice board: participation against the gate, by building; no choices
    before the close unless the vote shows results live."""
    vote = _vote_or_404(vote_id)
    if not written.progress_key_matches(vote, request.args.get("k")):
        abort(404)
    meeting = db.session.get(Meeting, vote.meeting_id)
    # A notice board's QR code brings many viewers while ballots arrive: the page is drawn
    # once per meeting event (a ballot moves the meeting's sequence number) and language.
    key = (vote.id, current_locale(), meeting.last_seq, vote.status)
    page = _progress_pages.get(key)
    if page is None:
        if len(_progress_pages) > 200:
            _progress_pages.clear()
        page = _progress_pages[key] = render_template(
            "written/progress.html", vote=vote, meeting=meeting, figures=written.progress(vote))
    return page


_progress_pages: dict[tuple, str] = {}


def _progress_url(vote: Vote) -> str:
    return public_base() + url_for("written_ballot.public_progress", vote_id=vote.id,
                                   k=written.progress_key(vote))


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/written")
@login_required
def staff_page(meeting_id: int, vote_id: int):
    meeting = meeting_for_chair(meeting_id)
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != meeting.id:
        abort(404)
    figures = written.progress(vote) if vote.written_since is not None else None
    return render_template("written/staff.html", meeting=meeting, vote=vote, figures=figures,
                           papers=paper_actions.paper_summary(vote) if figures else None,
                           format_serial=paper_actions.format_serial,
                           progress_url=_progress_url(vote) if figures else None,
                           extensions=_extensions(meeting, vote))


def _extensions(meeting: Meeting, vote: Vote) -> list[dict]:
    """The deadline's extensions, from the event log: when, from, to, why."""
    from ..models import MeetingEvent
    rows = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="vote.extended").order_by(MeetingEvent.seq)).scalars()
    return [{"at": _from_ms(row.at_ms), "from": _from_ms(row.data["from_ms"]),
             "to": _from_ms(row.data["to_ms"]), "reason": row.data["reason"], "by": row.actor}
            for row in rows if row.data.get("vote_id") == vote.id]


def _from_ms(ms: int):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(ms / 1000, timezone.utc).replace(tzinfo=None)


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/progress.svg")
@login_required
def progress_qr(meeting_id: int, vote_id: int):
    meeting = meeting_for_chair(meeting_id)
    vote = _vote_or_404(vote_id)
    if vote.meeting_id != meeting.id:
        abort(404)
    return Response(qr_svg(_progress_url(vote)), mimetype="image/svg+xml")


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/missing")
@login_required
def missing(meeting_id: int, vote_id: int):
    """The owners who have not voted yet, by building: for the door-to-door round (staff
    only; printable)."""
    meeting = meeting_for_chair(meeting_id)
    vote = _vote_or_404(vote_id)
    if vote.meeting_id != meeting.id:
        abort(404)
    return render_template("written/missing.html", meeting=meeting, vote=vote,
                           figures=written.progress(vote))


def _run(meeting: Meeting, name: str, payload: dict) -> bool:
    outcome = execute(meeting.id, Actor(role=g.user.role, user_id=g.user.id), name, payload,
                      request.form.get("command_id") or None)
    if not outcome.ok:
        flash(error_message(outcome.error), "error")
    return outcome.ok


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/written", methods=["POST"])
@login_required
def staff_action(meeting_id: int, vote_id: int):
    meeting = meeting_for_chair(meeting_id)
    action = request.form.get("action")
    deadline = request.form.get("deadline", "")
    if action == "continue":
        if _run(meeting, "vote.continue_written", {"id": vote_id, "deadline": deadline}):
            flash(t("written.continued"))
    elif action == "extend":
        if _run(meeting, "vote.extend", {"id": vote_id, "deadline": deadline,
                                         "reason": request.form.get("reason", "")}):
            flash(t("written.extended"))
    else:
        abort(400)
    return redirect(url_for("written_ballot.staff_page", meeting_id=meeting.id, vote_id=vote_id))
