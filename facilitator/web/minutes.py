"""Minutes downloads and the console's live draft.

GET /meetings/<id>/minutes.<pdf|docx|md|html|json>[?version=N]
    The latest final version by default (or version N), rendered from its stored canonical
    JSON (MinutesDocument.from_json: no other query). When no version is final, the chair
    gets the live draft built from the log. Who may download: the meeting's chair users
    (its moderator and clerk, administrators); a participant of the meeting from their phone
    (its `phone-<id>` cookie, facilitator/joining.py) once the meeting has ended and the minutes are final.
GET /meetings/<id>/minutes/signing.json
    A phone's signing card: the minutes' version and the result notices (web/result_notice.py)
    the chair asked it to sign, and its own answers.
GET /meetings/<id>/minutes/draft.json
    The console's minutes panel: the draft rendered as HTML, the clerk's sections, the agreed
    items and the versions with their sign-offs (chair users only).
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, g, jsonify, make_response, request, url_for

from .. import access
from ..exports import docx, html, json as json_export, markdown, pdf
from ..extensions import db
from ..i18n import t
from ..joining import cookie_participant
from ..minutes.load import minutes_for
from ..minutes.versions import document_of, latest_version, version_number, versions_of
from ..domain.statuses import MeetingStatus, ParticipantStatus
from ..exports import result_notice as notice_export
from ..models import ActionItem, DocumentSignoff, Meeting, MinutesVersion, ResultNotice, \
    Participant, SignatureRequest, Vote
from ..clock import local, to_epoch_ms
from ..exports.layout import Signoff

bp = Blueprint("minutes", __name__)

MINUTES_HTML_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
RENDERERS = {"pdf": pdf, "docx": docx, "md": markdown, "html": html, "json": json_export}
FORMATS = tuple(RENDERERS)


def _is_chair(meeting: Meeting) -> bool:
    return access.chairs_meeting(g.get("user"), meeting)


def may_download(meeting: Meeting) -> bool:
    """Whether this request may download the final minutes of `meeting`: staff who see its
    case; a participant's phone once the meeting has ended."""
    if access.sees_case(g.get("user"), meeting.case_id):
        return True
    if meeting.status != MeetingStatus.ENDED:
        return False
    person = cookie_participant(meeting.id)
    return person is not None and person.status == ParticipantStatus.ADMITTED


def refused(meeting: Meeting):
    """Staff who do not see the case are told it does not exist; phones that may not (yet)
    download are told so."""
    if g.get("user") is not None and cookie_participant(meeting.id) is None:
        abort(404)
    return _error(403, "error.forbidden")


def _error(status: int, key: str):
    response = make_response(t(key), status)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/meetings/<int:meeting_id>/minutes")
def view(meeting_id: int):
    """The minutes as a page (the HTML format, shown in the browser)."""
    return download(meeting_id, "html")


@bp.route("/meetings/<int:meeting_id>/minutes.<fmt>")
def download(meeting_id: int, fmt: str):
    if fmt not in RENDERERS:
        abort(404)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    if not may_download(meeting):
        return refused(meeting)
    wanted = request.args.get("version")
    live_draft = request.args.get("draft") == "1"
    if live_draft and not _is_chair(meeting):
        return _error(403, "error.forbidden")
    if live_draft:
        version = None
    elif wanted is not None:
        if not (wanted.isascii() and wanted.isdigit() and 0 < len(wanted) < 8):
            abort(404)
        version = version_number(meeting.id, int(wanted))
        if version is None:
            return _error(404, "minutes.version_not_found")
    else:
        version = latest_version(meeting.id)
    if version is not None:
        document = document_of(version)
    elif _is_chair(meeting):
        last = latest_version(meeting.id)
        document = minutes_for(meeting, version=(last.number + 1) if last else 1)  # the live draft
    else:
        return _error(404, "minutes.not_available")
    return minutes_file(document, fmt, final=version is not None,
                        signoffs=signoffs_of(version) if version is not None else ())


def minutes_file(document, fmt: str, final: bool, signoffs: tuple[Signoff, ...] = ()):
    """A response holding the minutes in one format, named for the case and the version (a
    final version, or the live draft), with its version, status and hash in headers."""
    renderer = RENDERERS[fmt]
    body = renderer.render(document, document.language, signoffs=signoffs)
    response = make_response(body)
    response.headers["Content-Type"] = renderer.MEDIA_TYPE
    number = document.header.number
    suffix = f"v{document.header.version}" if final else "draft"
    name = f"{number}-{suffix}.{renderer.EXTENSION}"
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
    disposition = "inline" if fmt == "html" else "attachment"
    if fmt == "html":
        # A document of its own: its styles are inline, it has no script (web/security.py).
        response.headers["Content-Security-Policy"] = MINUTES_HTML_POLICY
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}")
    response.headers["X-Minutes-Version"] = str(document.header.version)
    response.headers["X-Minutes-Status"] = document.header.status
    response.headers["X-Content-Hash"] = f"sha256:{document.content_hash()}"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def download_links(meeting: Meeting, version: int | None = None, draft: bool = False
                   ) -> dict[str, str]:
    args = {"version": version} if version is not None else {}
    if draft:
        args = {"draft": 1}
    return {fmt: url_for("minutes.download", meeting_id=meeting.id, fmt=fmt, **args)
            for fmt in FORMATS}


def signoffs_of(version) -> tuple[Signoff, ...]:
    """A stored version's sign-offs as the documents list them (times in the app's zone)."""
    return tuple(Signoff(s.name, s.party, s.decision, s.note, local(s.at), s.method, s.drawing)
                 for s in version.signoffs)


def signoff_json(signoff) -> dict:
    return {"name": signoff.name, "party": signoff.party, "decision": signoff.decision,
            "note": signoff.note, "at": to_epoch_ms(signoff.at), "method": signoff.method,
            "participant_id": signoff.participant_id, "drawn": signoff.drawing is not None}


def version_json(version, links: dict[str, str]) -> dict:
    """A final version of the minutes as the console and the API list it: its sign-offs and
    whom the chair asked to sign it on their phones (and whether they have answered)."""
    answered = {s.participant_id: s.decision for s in version.signoffs
                if s.method == "phone"}
    return {"number": version.number, "content_hash": version.content_hash,
            "created_by": version.created_by_name, "created_at": to_epoch_ms(version.created_at),
            "note": version.change_note, "changes": version.changes, "links": links,
            "signoffs": [signoff_json(s) for s in version.signoffs],
            "requests": [{"participant_id": r.participant_id, "name": r.participant.name,
                          "party": r.participant.party, "asked_at": to_epoch_ms(r.requested_at),
                          "answer": answered.get(r.participant_id)}
                         for r in version.signature_requests]}


@bp.route("/meetings/<int:meeting_id>/minutes/status.json")
def status(meeting_id: int):
    """Whether the final minutes can be downloaded (a phone asks after the meeting ends)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    allowed = may_download(meeting)
    version = latest_version(meeting.id) if allowed else None
    response = jsonify({"status": meeting.status, "allowed": allowed,
                        "available": version is not None,
                        "version": version.number if version else None,
                        "content_hash": version.content_hash if version else None,
                        "links": download_links(meeting) if version else {}})
    response.headers["Cache-Control"] = "no-store"
    return response, (200 if allowed else 403)


@bp.route("/meetings/<int:meeting_id>/minutes/signing.json")
def signing(meeting_id: int):
    """A phone's own signing card (its `phone-<id>` cookie): whether the chair asked it to
    sign the latest version, where to read that version, and its own answer — never anyone
    else's; then, the same for each result notice it was asked to sign."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    person = cookie_participant(meeting.id)
    if person is None or person.status != ParticipantStatus.ADMITTED \
            or meeting.status != MeetingStatus.ENDED:
        return jsonify({"asked": False}), 403
    latest = latest_version(meeting.id)
    asked_for = set(db.session.execute(
        db.select(MinutesVersion.number).join(SignatureRequest).filter(
            MinutesVersion.meeting_id == meeting.id,
            SignatureRequest.participant_id == person.id)).scalars())
    asked = latest is not None and latest.number in asked_for
    own = None
    if asked:
        own = db.session.execute(db.select(DocumentSignoff).filter_by(
            version_id=latest.id, participant_id=person.id, method="phone")).scalar_one_or_none()
    response = jsonify({
        "asked": asked,
        # Asked to sign a version a correction has replaced, and not (yet) the new one.
        "superseded": not asked and bool(asked_for),
        "version": latest.number if asked else None,
        "content_hash": latest.content_hash if asked else None,
        "read_url": url_for("minutes.view", meeting_id=meeting.id, version=latest.number)
        if asked else None,
        "pdf_url": url_for("minutes.download", meeting_id=meeting.id, fmt="pdf",
                           version=latest.number) if asked else None,
        "signoff": signoff_json(own) if own is not None else None,
        "notices": notices_to_sign(meeting, person)})
    response.headers["Cache-Control"] = "no-store"
    return response


def notices_to_sign(meeting: Meeting, person: Participant) -> list[dict]:
    """For a phone's signing card: the notices the chair asked `person` to sign, where to
    read each, its hash and the phone's own answer — never anyone else's."""
    rows = db.session.execute(db.select(ResultNotice, Vote).join(
        SignatureRequest, SignatureRequest.notice_id == ResultNotice.id).join(
        Vote, Vote.id == ResultNotice.vote_id).filter(
        Vote.meeting_id == meeting.id, SignatureRequest.participant_id == person.id)
        .order_by(ResultNotice.id)).all()
    cards = []
    for notice, vote in rows:
        own = db.session.execute(db.select(DocumentSignoff).filter_by(
            notice_id=notice.id, participant_id=person.id, method="phone")).scalar_one_or_none()
        links = {kind: url_for("result_notice.download", meeting_id=meeting.id, vote_id=vote.id,
                               kind=kind) for kind in ("html", "pdf")}
        cards.append({"notice_id": notice.id, "vote": vote.number, "title": vote.title,
                      "content_hash": notice_export.notice_hash(notice),
                      "read_url": links["html"], "pdf_url": links["pdf"],
                      "signoff": signoff_json(own) if own is not None else None})
    return cards


@bp.route("/meetings/<int:meeting_id>/minutes/draft.json")
def draft(meeting_id: int):
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    if g.get("user") is not None and not access.sees_case(g.user, meeting.case_id):
        abort(404)
    if not _is_chair(meeting):
        return jsonify({"error": {"code": "auth.forbidden", "message": t("error.forbidden")}}), 403
    from ..actions.minutes import current_sections, item_record, section_revisions
    versions = versions_of(meeting.id)
    document = minutes_for(meeting, version=(versions[-1].number + 1) if versions else 1)
    items = db.session.execute(db.select(ActionItem).filter_by(meeting_id=meeting.id)
                               .order_by(ActionItem.number)).scalars()
    response = jsonify({
        "seq": document.header.last_event_seq,
        "status": meeting.status,
        "html": html.render(document, document.language).decode("utf-8"),
        "content_hash": document.content_hash(),
        "sections": current_sections(meeting.id),
        "section_revisions": section_revisions(meeting.id),
        "action_items": [{"id": item.id, "status": item.status, **item_record(item)}
                         for item in items],
        "agenda": [{"id": run_id, "number": n, "title": title, "segment": segment}
                   for n, (run_id, title, segment) in enumerate(_agenda(meeting), start=1)],
        "versions": [version_json(v, download_links(meeting, v.number)) for v in versions],
        "draft_links": download_links(meeting, draft=True),
    })
    response.headers["Cache-Control"] = "no-store"
    return response


def _agenda(meeting: Meeting) -> list[tuple[int, str, str]]:
    from ..models import AgendaItem
    return [(i.id, i.title, i.segment) for i in db.session.execute(
        db.select(AgendaItem).filter_by(meeting_id=meeting.id)
        .order_by(AgendaItem.position, AgendaItem.id)).scalars()]
