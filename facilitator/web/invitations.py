"""Personal invitations of a meeting (facilitator/actions/invitations.py): the list of owners
with their invitation, issuing and reissuing them, and the PDF to print (all, or one owner's).
For the meeting's moderator and clerk, and administrators."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from .. import clock, rosters
from ..actions import Actor, execute
from ..actions import invitations as invitation_actions
from ..domain.owner_sheets import by_building, unit_sort_key
from ..exports import invitations as invitation_pdf
from ..extensions import db
from ..i18n import t
from ..models import AgendaItem, Invitation, Meeting, Participant
from .auth import login_required, meeting_for_chair
from .forms import error_message
from .links import public_base

bp = Blueprint("invitations", __name__)


def _invitations(meeting: Meeting) -> dict[str, Invitation]:
    return {inv.owner_key: inv for inv in db.session.execute(
        db.select(Invitation).filter_by(meeting_id=meeting.id)).scalars()}


def _owners(meeting: Meeting) -> list[tuple[str, list]]:
    """(owner key, units) of the meeting's roster version, by building and unit."""
    owners = invitation_actions.owners_of(rosters.meeting_version_id(meeting))
    return sorted(owners.items(), key=lambda kv: unit_sort_key(kv[1][0].unit))


@bp.route("/meetings/<int:meeting_id>/invitations")
@login_required
def index(meeting_id: int):
    meeting = meeting_for_chair(meeting_id)
    issued = _invitations(meeting)
    joined = {p.id: p for p in db.session.execute(db.select(Participant).filter(
        Participant.id.in_([i.participant_id for i in issued.values() if i.participant_id])))
        .scalars()}
    return render_template("meetings/invitations.html", meeting=meeting, owners=_owners(meeting),
                           issued=issued, joined=joined,
                           inviting=invitation_actions.still_inviting(meeting))


def _run(meeting: Meeting, name: str, payload: dict):
    outcome = execute(meeting.id, Actor(role=g.user.role, user_id=g.user.id), name, payload,
                      request.form.get("command_id") or None)
    if not outcome.ok:
        flash(error_message(outcome.error), "error")
    return outcome


@bp.route("/meetings/<int:meeting_id>/invitations/issue", methods=["POST"])
@login_required
def issue(meeting_id: int):
    meeting = meeting_for_chair(meeting_id)
    outcome = _run(meeting, "invitations.issue", {})
    if outcome.ok:
        flash(t("invitation.issued", count=outcome.result["issued"]))
    return redirect(url_for("invitations.index", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/invitations/reissue", methods=["POST"])
@login_required
def reissue(meeting_id: int):
    meeting = meeting_for_chair(meeting_id)
    owner_key = request.form.get("owner_key", "")
    outcome = _run(meeting, "invitation.reissue", {"owner_key": owner_key})
    if outcome.ok:
        flash(t("invitation.reissued", owner_key=owner_key[:40]))
    return redirect(url_for("invitations.index", meeting_id=meeting.id) + "#owner-" + owner_key[:40])


@bp.route("/meetings/<int:meeting_id>/invitations.pdf")
@login_required
def pdf(meeting_id: int):
    """Every invitation issued (or, with ?owner=KEY, that owner's), to print."""
    meeting = meeting_for_chair(meeting_id)
    issued = _invitations(meeting)
    wanted = request.args.get("owner")
    if wanted is not None:
        issued = {wanted: issued[wanted]} if wanted in issued else {}
    if not issued:
        abort(404)
    body = invitation_pdf.render_apart(invitation_batch(meeting, issued))
    name = f"invitations-{meeting.id}" + (f"-{wanted}" if wanted else "") + ".pdf"
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
    return Response(body, mimetype=invitation_pdf.MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{safe}"', "Cache-Control": "no-store"})


def invitation_batch(meeting: Meeting, issued: dict[str, Invitation]
                     ) -> invitation_pdf.InvitationBatch:
    owners = invitation_actions.owners_of(rosters.meeting_version_id(meeting))
    base = public_base()
    sheets = []
    for owner_key, invitation in issued.items():
        units = owners.get(owner_key)
        if not units:  # no longer on the roster the meeting counts on
            continue
        token = invitation_actions.link_token(invitation)
        sheets.append(invitation_pdf.InvitationSheet(
            owner=units[0].owner_name, owner_key=owner_key,
            units=tuple(u.unit for u in units), area=sum(u.area_hundredths for u in units),
            link=base + url_for("join.invitation", token=token),
            code=invitation_actions.personal_code(invitation),
            serial=f"{meeting.case.number}-{meeting.id}-{owner_key}-{invitation.generation}"))
    agenda = db.session.execute(db.select(AgendaItem.title).filter_by(meeting_id=meeting.id)
                                .order_by(AgendaItem.position)).scalars().all()
    case = meeting.case
    return invitation_pdf.InvitationBatch(
        language=meeting.language, organiser=(case.details or {}).get("platform")
        or case.community, case_number=case.number, case_title=case.title,
        meeting_title=meeting.title,
        starts_at=clock.local(meeting.scheduled_start) if meeting.scheduled_start else None,
        place=meeting.place, agenda=tuple(agenda), join_url=base + url_for("join.enter_code"),
        sheets=tuple(sheet for building in by_building(sheets) for sheet in building.sheets))
