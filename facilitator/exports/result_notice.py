"""The result notice (公示) of an owners' decision, as PDF and DOCX for the notice board.

It is laid out in the same blocks as the minutes (exports/layout.py) and drawn by the same
renderers, so it has their fonts, tagged PDF, page footer with the content hash and the
organiser's seal line; the HTML is what a phone asked to sign it reads. The sign-offs made on
phones since it was issued follow it, listed as the minutes list theirs. Every number comes from the vote's frozen result: the scope, the
participation against the gate, each option's owners and area, and the rule's sentence.
"""
from __future__ import annotations

import hashlib
import json

from .. import clock
from ..actions.result_notice import last_day
from ..catalogue import message_for
from ..domain.voting import percent
from ..models import Case, Meeting, ResultNotice, Vote
from . import docx as docx_export
from . import html as html_export
from . import labels as L
from . import pdf as pdf_export
from .layout import (Bullets, Fields, Keep, Layout, Paragraph, SignatureLines, Signoff, Table,
                     Title, signoff_blocks)


def _option_label(vote: Vote, key: str, lang: str) -> str:
    if key in ("yes", "no", "abstain"):
        return message_for(f"vote_choice.{key}", lang)
    for option in vote.options or []:
        if option["key"] == key:
            label = option.get("label") or ""
            return f"{key} {label}".strip()
    return key


def facts(notice: ResultNotice, vote: Vote, meeting: Meeting, case: Case) -> dict:
    """What the notice states, as data: what its hash covers."""
    result = vote.result
    return {"case": case.number, "vote": vote.number, "meeting": meeting.id,
            "posted_on": notice.posted_on.isoformat(), "period_days": notice.period_days,
            "where_to_object": notice.where_to_object, "question": vote.question or vote.title,
            "written_since": clock.to_epoch_ms(vote.written_since),
            "closed_at": clock.to_epoch_ms(vote.closed_at),
            "scope": result.get("scope"), "gate": result.get("gate"),
            "tally": result["tally"], "outcome": result["outcome"],
            "explanation": result["explanation"]}


def build(notice: ResultNotice, vote: Vote, meeting: Meeting, case: Case, lang: str,
          signoffs: tuple[Signoff, ...] = ()) -> Layout:
    L.check_language(lang)

    def t(key: str, **params) -> str:
        return message_for(key, lang, **params)

    result = vote.result
    tally, scope = result["tally"], result.get("scope")
    part = tally["participation"]
    organiser = case.organiser or case.community or ""
    title = t("notice.doc_title", title=vote.title)
    blocks: list = [Title(title, f"{case.number} {case.title}",
                          (t("notice.posted", date=L.fmt_date(notice.posted_on, lang)),))]
    how = t("notice.how_written", since=L.fmt_date(clock.local_date(vote.written_since), lang),
            until=L.fmt_datetime(clock.local(vote.deadline_at).replace(tzinfo=None), lang)) \
        if vote.written_since is not None else t("notice.how_meeting")
    blocks.append(Paragraph(t("notice.intro", organiser=organiser, meeting=meeting.title,
                              day=L.fmt_date(clock.local_date(vote.opened_at), lang), how=how)))
    rows = [(t("notice.question"), vote.question or vote.title)]
    if scope:
        rows.append((t("notice.scope"), t("notice.count", owners=scope["owners"],
                                          area=L.fmt_area(scope["area"]))))
        rows.append((t("notice.participation"), t(
            "notice.count_share", owners=part["owners"], area=L.fmt_area(part["area"]),
            pct_owners=percent(part["owners"], scope["owners"], 1),
            pct_area=percent(part["area"], scope["area"], 2))))
    gate = result.get("gate")
    if gate:
        needed = t("notice.count", owners=gate["needed"]["owners"], area=L.fmt_area(gate["needed"]["area"]))
        rows.append((t("notice.gate"), t("notice.gate_met" if gate["met"] else "notice.gate_missed",
                                         needed=needed)))
    blocks.append(Fields(tuple(rows)))
    table_rows = []
    # Every option, then the abstentions when there were any: they took part.
    shown = list(tally["options"]) + [k for k in tally["counts"] if k not in tally["options"]]
    for key in shown:
        count = tally["counts"].get(key) or {"owners": 0, "area": 0}
        table_rows.append((_option_label(vote, key, lang), str(count["owners"]),
                           percent(count["owners"], part["owners"], 1),
                           L.fmt_area(count["area"]), percent(count["area"], part["area"], 2)))
    blocks.append(Table((t("notice.col_option"), t("notice.col_owners"), t("notice.col_owners_share"),
                         t("notice.col_area"), t("notice.col_area_share")),
                        tuple(table_rows), (40, 12, 16, 18, 16), "LRRRR", role="notice_tally"))
    blocks.append(Paragraph(result["explanation"][lang], lead=t("notice.result")))
    details = [d["explanation"][lang] for d in result.get("decisions", [])
               if d["explanation"][lang] != result["explanation"][lang]]
    if details:
        blocks.append(Bullets(tuple(details)))
    blocks.append(Paragraph(t("notice.period", start=L.fmt_date(notice.posted_on, lang),
                              end=L.fmt_date(last_day(notice), lang), days=notice.period_days),
                            lead=t("notice.period_lead")))
    blocks.append(Paragraph(t("notice.objections", where=notice.where_to_object),
                            lead=t("notice.objections_lead")))
    blocks.append(Keep((SignatureLines(
        (), (t("label.sign.role"), t("label.sign.name"), t("label.sign.signature"), t("label.sign.date")),
        host=(t("label.sign.host"), organiser), seal=t("label.sign.seal"),
        date=L.fmt_date(notice.posted_on, lang)),)))
    # The sign-offs made since it was issued: after the content, outside its hash.
    blocks.extend(signoff_blocks(signoffs, lang, "sign.notice_record_intro"))
    return Layout(language=lang, title=title, blocks=tuple(blocks),
                  footer=t("notice.footer", case=case.number, number=vote.number),
                  content_hash=content_hash(notice, vote, meeting, case), draft=False)


def content_hash(notice: ResultNotice, vote: Vote, meeting: Meeting, case: Case) -> str:
    """The SHA-256 of what the notice states (its facts), the same in every language: what
    its footer prints and what the people asked to sign it sign."""
    content = json.dumps(facts(notice, vote, meeting, case), ensure_ascii=False, sort_keys=True,
                         separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


def notice_hash(notice: ResultNotice) -> str:
    from ..extensions import db
    vote = db.session.get(Vote, notice.vote_id)
    meeting = db.session.get(Meeting, vote.meeting_id)
    return content_hash(notice, vote, meeting, db.session.get(Case, meeting.case_id))


def render(notice: ResultNotice, kind: str, lang: str) -> bytes:
    from ..extensions import db
    vote = db.session.get(Vote, notice.vote_id)
    meeting = db.session.get(Meeting, vote.meeting_id)
    case = db.session.get(Case, meeting.case_id)
    layout = build(notice, vote, meeting, case, lang, signoffs_of(notice))
    if kind == "pdf":
        return pdf_export.render_layout(layout, notice.issued_at)
    if kind == "html":
        return html_export.render_layout(layout)
    return docx_export.render_layout(layout, notice.issued_at)


def signoffs_of(notice: ResultNotice) -> tuple[Signoff, ...]:
    """The notice's sign-offs as the documents list them (times in the app's zone)."""
    return tuple(Signoff(s.name, s.party, s.decision, s.note, clock.local(s.at), s.method,
                         s.drawing) for s in notice.signoffs)
