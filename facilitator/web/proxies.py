"""Written authorisations (书面委托书) entered in bulk: a list pasted or uploaded, previewed
line by line (owner, holder, scope, every problem), then recorded as one proxy.record
command per line (facilitator/actions/votes.py). For the meeting's chair."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from .. import rosters
from ..actions import Actor, execute
from ..domain.proxy_list import ProxyLine, ProxyLineError, parse_proxy_list
from ..domain.statuses import IN_MEETING, PENDING_VOTE, ProxyStatus
from ..extensions import db
from ..i18n import t
from ..models import Meeting, Participant, Proxy, Vote
from .auth import login_required, meeting_for_chair
from .forms import error_message

bp = Blueprint("proxies", __name__)
MAX_LIST_BYTES = 256 * 1024


@dataclass
class Resolved:
    line: ProxyLine
    owner_key: str | None = None
    owner_name: str = ""
    units: tuple = ()
    holder_id: int | None = None
    holder_name: str = ""
    vote_id: int | None = None
    vote_title: str = ""
    problem: str = ""


def resolve(meeting: Meeting, lines: list[ProxyLine]) -> list[Resolved]:
    """Each line's owner (by unit or owner key, in the meeting's roster version), holder (by
    name among the people present or waiting, or #id) and vote (by number)."""
    roster = rosters.units_of(rosters.meeting_version_id(meeting))
    by_unit = {row.unit: row for row in roster}
    by_key: dict[str, list] = {}
    for row in roster:
        by_key.setdefault(row.owner_key, []).append(row)
    people = list(db.session.execute(db.select(Participant).filter(
        Participant.meeting_id == meeting.id,
        Participant.status.in_(IN_MEETING))).scalars())
    votes = {v.number: v for v in db.session.execute(
        db.select(Vote).filter_by(meeting_id=meeting.id)).scalars()}
    held = set(db.session.execute(db.select(Proxy.owner_key).filter_by(
        meeting_id=meeting.id, status=ProxyStatus.ACTIVE)).scalars())
    seen: set[str] = set()
    out = []
    for line in lines:
        item = Resolved(line)
        row = by_unit.get(line.owner)
        key = row.owner_key if row else (line.owner if line.owner in by_key else None)
        if key is None:
            item.problem = t("proxies.reason.owner", owner=line.owner)
        else:
            item.owner_key, item.owner_name = key, by_key[key][0].owner_name
            item.units = tuple(r.unit for r in by_key[key])
            if key in held or key in seen:
                item.problem = t("proxy.already_held", owner_key=key)
            seen.add(key)
        if line.holder.startswith("#") and line.holder[1:].isdigit():
            matches = [p for p in people if p.id == int(line.holder[1:])]
        else:
            matches = [p for p in people if p.name == line.holder]
        if len(matches) == 1:
            item.holder_id, item.holder_name = matches[0].id, matches[0].name
        elif not item.problem:
            item.problem = t("proxies.reason.holder_ambiguous" if matches
                             else "proxies.reason.holder", holder=line.holder)
        if line.vote:
            vote = votes.get(int(line.vote))
            if vote is None or vote.status not in PENDING_VOTE:
                item.problem = item.problem or t("proxies.reason.no_vote", vote=line.vote)
            else:
                item.vote_id, item.vote_title = vote.id, vote.title
        out.append(item)
    return out


def _reason(error: ProxyLineError) -> str:
    return t(f"proxies.reason.{error.reason}", **error.params)


def _page(meeting: Meeting, status: int = 200, **extra):
    proxies = db.session.execute(db.select(Proxy).filter_by(
        meeting_id=meeting.id, status=ProxyStatus.ACTIVE).order_by(Proxy.id)).scalars().all()
    return render_template("meetings/proxies.html", meeting=meeting, proxies=proxies,
                           people={p.id: p for p in db.session.execute(db.select(Participant)
                                   .filter_by(meeting_id=meeting.id)).scalars()},
                           **extra), status


def _typed_list() -> str:
    upload = request.files.get("file")
    if upload and upload.filename:
        data = upload.read(MAX_LIST_BYTES + 1)
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data[:MAX_LIST_BYTES].decode(encoding)
            except UnicodeDecodeError:
                continue
        return ""
    return (request.form.get("list") or "")[:MAX_LIST_BYTES]


@bp.route("/meetings/<int:meeting_id>/proxies", methods=["GET", "POST"])
@login_required
def index(meeting_id: int):
    """GET: the proxies recorded and the form. POST: the preview of a list (nothing saved)."""
    meeting = meeting_for_chair(meeting_id)
    if request.method == "GET":
        return _page(meeting)
    text = _typed_list()
    lines, errors = parse_proxy_list(text)
    items = resolve(meeting, lines)
    ready = not errors and all(not item.problem for item in items)
    return _page(meeting, 200 if ready else 400, text=text, items=items,
                 errors=[(e.line, _reason(e)) for e in errors], ready=ready)


@bp.route("/meetings/<int:meeting_id>/proxies/record", methods=["POST"])
@login_required
def record(meeting_id: int):
    """Record a previewed list: every line right, or none is recorded."""
    meeting = meeting_for_chair(meeting_id)
    text = (request.form.get("list") or "")[:MAX_LIST_BYTES]
    lines, errors = parse_proxy_list(text)
    items = resolve(meeting, lines)
    if errors or any(item.problem for item in items):
        return _page(meeting, 400, text=text, items=items,
                     errors=[(e.line, _reason(e)) for e in errors], ready=False)
    actor = Actor(role=g.user.role, user_id=g.user.id)
    recorded = 0
    for item in items:
        outcome = execute(meeting.id, actor, "proxy.record", {
            "participant_id": item.holder_id, "owner_key": item.owner_key,
            "note": item.line.note, "vote_id": item.vote_id})
        if not outcome.ok:  # changed since the preview (someone else recorded one)
            flash(t("proxies.stopped", line=item.line.line, recorded=recorded,
                    reason=error_message(outcome.error)), "error")
            return redirect(url_for("proxies.index", meeting_id=meeting.id))
        recorded += 1
    flash(t("proxies.recorded", count=recorded))
    return redirect(url_for("proxies.index", meeting_id=meeting.id))
