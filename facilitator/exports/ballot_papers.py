"""Ballot papers (表决票) of a written ballot as one PDF to print, and its notice (公告) for the
notice board as PDF and DOCX.

A paper: A4, one per owner, by building and unit, each building opened by a cover list for
the door-to-door team (serial, units, owner, delivered □, signature) — the layout of the
personal invitations (exports/invitations.py), whose document and line writer it reuses. On
the sheet: the owner's name, units and area; the question; each option with a box to tick
(yes_no: agree / against / abstain; otherwise one per option, and abstain), each plan's
total cost, cost per m² and THIS owner's share (exact to the fen, domain.voting.owner_share);
the rule in one sentence; how to vote (the QR code of the owner's personal link, the
personal code on the join page, or this paper: tick, sign, date, return by the deadline);
the serial number (twice: at the top, and by the signature).

Built from plain models (PaperBatch, NoticeDocument); nothing here queries the database.
"""
from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime

import segno

from ..catalogue import message_for
from ..domain.owner_sheets import format_personal_code
from ..domain.voting import format_area
from .invitations import LEFT, WIDTH, _Writer
from .pdf import wrap_text

MEDIA_TYPE = "application/pdf"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class PaperOption:
    key: str  # a plan's key, or yes / no / abstain
    label: str
    total: str = ""  # CNY, formatted; "" without a plan
    rate: str = ""  # CNY per m²


@dataclass(frozen=True)
class PaperSheet:
    owner: str
    owner_key: str
    units: tuple[str, ...]
    area: int  # hundredths of m²
    serial: str  # as printed: "00001-7"
    link: str
    code: str
    shares: tuple[str, ...]  # this owner's share of each option's plan (CNY), "" for none


@dataclass(frozen=True)
class PaperBatch:
    language: str
    organiser: str
    case_number: str
    case_title: str
    vote_title: str
    question: str
    method: str  # yes_no | single | approval
    motion: PaperOption | None  # yes_no on a plan: its costs (and each sheet's first share)
    options: tuple[PaperOption, ...]  # the boxes to tick
    deadline: datetime  # local time
    join_url: str
    sheets: tuple[PaperSheet, ...]


def _t(name: str, language: str, /, **params) -> str:
    return message_for(f"paper.{name}", language, **params)


def when(moment: datetime, language: str) -> str:
    return message_for("letter.when", language, year=moment.year, month=moment.month,
                       day=moment.day, time=f"{moment:%H:%M}")


class _PaperWriter(_Writer):
    def __init__(self, batch: PaperBatch):
        super().__init__(batch)

    def cell_row(self, cells, widths, height=7.0, size=9.5) -> None:
        """A row of boxed cells; a text too long for its cell takes a smaller size, on two
        lines if it must (a plan's title), and is cut after them."""
        x = LEFT
        self.pdf.set_draw_color(150)
        self.pdf.set_line_width(0.2)
        for cell, width in zip(cells, widths):
            self.pdf.rect(x, self.y, width, height)
            self.font(size)
            lines = self._wrapped(cell, width - 2.4) if cell else [""]
            if len(lines) > 1:
                self.font(size * 0.8)
                lines = self._wrapped(cell, width - 2.4)
            if len(lines) == 1:
                self.pdf.text(x + 1.2, self.y + height * 0.66, lines[0])
            else:
                self.pdf.text(x + 1.2, self.y + height * 0.42, lines[0])
                self.pdf.text(x + 1.2, self.y + height * 0.82, lines[1])
            x += width
        self.y += height

    def _wrapped(self, text: str, width: float) -> list[str]:
        key = (text, width, self.size)
        lines = self.wrapped.get(key)
        if lines is None:
            lines = self.wrapped[key] = wrap_text(self.cw, text, width, self.size)
        return lines

    def sheet(self, sheet: PaperSheet) -> None:
        batch, lang = self.batch, self.lang
        self.pdf.add_page()
        self.y = 14
        self.line(f"{batch.organiser}    {_t('serial', lang)} {sheet.serial}", 9, gap=1)
        self.line(_t("title", lang), 18, gap=1.5)
        self.line(f"{batch.case_number} {batch.case_title}", 9.5, gap=3)
        facts = ((_t("owner", lang), sheet.owner),
                 (message_for("letter.units", lang),
                  message_for("punct.list", lang).join(sheet.units)),
                 (message_for("letter.area", lang), f"{format_area(sheet.area)} m²"),
                 (_t("deadline", lang), when(batch.deadline, lang)))
        for label, value in facts:
            top = self.y
            self.line(label, 10.5, width=30, gap=0)
            self.y = top
            self.line(value, 10.5, x=LEFT + 32, width=WIDTH - 32, gap=1)
        self.y += 1.5
        self.line(batch.vote_title, 12, gap=1)
        if batch.question:
            self.line(batch.question[:600], 10, gap=1.5)
        if batch.motion is not None and batch.motion.total:
            self.line(_t("motion_cost", lang, plan=batch.motion.label, total=batch.motion.total,
                         rate=batch.motion.rate, share=sheet.shares[0] if sheet.shares else ""),
                      10, gap=1.5)
        self._options(sheet)
        self.y += 1.5
        self.line(_t("rule", lang), 8.5, gap=1)
        if batch.method == "approval":
            self.line(_t("tick_approval", lang), 9, gap=1)
        else:
            self.line(_t("tick_one", lang), 9, gap=1)
        self._how(sheet)
        # Signature and date, with the serial again (a paper torn in two is still known).
        self.y = 272
        self.line(_t("sign", lang), 11, gap=2)
        self.line(f"{_t('serial', lang)} {sheet.serial} · {_t('return', lang, organiser=batch.organiser, deadline=when(batch.deadline, lang))}",
                  8, gap=0)

    def _options(self, sheet: PaperSheet) -> None:
        lang = self.lang
        with_costs = any(o.total for o in self.batch.options)
        if with_costs:
            widths = (14, 64, 26, 22, 32, WIDTH - 158)
            head = (_t("option", lang), _t("plan", lang), _t("total", lang), _t("rate", lang),
                    _t("share", lang), _t("tick", lang))
        else:
            widths = (30, WIDTH - 54, 24)
            head = (_t("option", lang), "", _t("tick", lang))
        self.cell_row(head, widths, size=9)
        for number, option in enumerate(self.batch.options):
            share = sheet.shares[number] if with_costs and number < len(sheet.shares) else ""
            if with_costs:
                cells = (option.key if option.total else "", option.label, option.total,
                         option.rate, share, "□")
            else:
                cells = (option.label, "", "□")
            self.cell_row(cells, widths, height=9, size=10)

    def _how(self, sheet: PaperSheet) -> None:
        batch, lang = self.batch, self.lang
        box_top = max(self.y + 2, 196.0)
        self.pdf.set_draw_color(120)
        self.pdf.set_line_width(0.3)
        self.pdf.rect(LEFT, box_top, WIDTH, 70)
        qr = io.BytesIO()
        segno.make(sheet.link, error="m").save(qr, kind="png", scale=2, border=2)
        qr.seek(0)
        self.pdf.image(qr, x=LEFT + WIDTH - 50, y=box_top + 4, w=46, h=46)
        self.y = box_top + 3
        inner = WIDTH - 56
        self.line(_t("how", lang), 11.5, x=LEFT + 4, width=inner, gap=1)
        self.line(_t("how_qr", lang), 9.5, x=LEFT + 4, width=inner, gap=0.8)
        self.line(_t("how_code", lang, url=batch.join_url), 9.5, x=LEFT + 4, width=inner, gap=0.5)
        self.line(format_personal_code(sheet.code), 16, x=LEFT + 4, width=inner, gap=0.8)
        self.line(_t("how_paper", lang, deadline=when(batch.deadline, lang),
                     organiser=batch.organiser), 9.5, x=LEFT + 4, width=inner, gap=0.8)
        self.line(_t("once", lang), 8.5, x=LEFT + 4, width=inner, gap=0)

    def cover(self, building: str, sheets) -> None:
        lang = self.lang
        rows_per_page = 34
        widths = (24, 46, 48, 20, WIDTH - 138)
        for start in range(0, len(sheets), rows_per_page):
            self.pdf.add_page()
            self.y = 18
            self.line(self.batch.organiser + " · " + self.batch.vote_title, 9.5, gap=1)
            self.line(_t("cover", lang, building=building, count=len(sheets)), 15, gap=4)
            self.cell_row((_t("serial", lang), message_for("letter.units", lang),
                           _t("owner", lang), message_for("letter.cover_delivered", lang),
                           message_for("letter.cover_sign", lang)), widths, size=10)
            for sheet in sheets[start:start + rows_per_page]:
                self.cell_row((sheet.serial, message_for("punct.list", lang).join(sheet.units),
                               sheet.owner, "□", ""), widths)


def render(batch: PaperBatch) -> bytes:
    if not batch.sheets:
        raise ValueError("no ballot papers to print")
    return _PaperWriter(batch).render()


def render_apart(batch: PaperBatch) -> bytes:
    """The same PDF made by a separate process (as the invitations: thousands of sheets take
    a core for tens of seconds, which a server process must not spend)."""
    payload = json.dumps(dataclasses.asdict(batch) | {"deadline": batch.deadline.isoformat()},
                         ensure_ascii=False).encode()
    done = subprocess.run([sys.executable, "-m", "facilitator.exports.ballot_papers"],
                          input=payload, capture_output=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError("the ballot papers could not be printed: "
                           + done.stderr.decode(errors="replace")[-2000:])
    return done.stdout


def _batch_from_json(data: dict) -> PaperBatch:
    return PaperBatch(**{
        **data, "deadline": datetime.fromisoformat(data["deadline"]),
        "motion": PaperOption(**data["motion"]) if data["motion"] else None,
        "options": tuple(PaperOption(**o) for o in data["options"]),
        "sheets": tuple(PaperSheet(**{**s, "units": tuple(s["units"]),
                                      "shares": tuple(s["shares"])}) for s in data["sheets"])})


# --------------------------------------------------------------------------- the notice

@dataclass(frozen=True)
class NoticeDocument:
    language: str
    organiser: str
    case_number: str
    case_title: str
    community: str
    vote_title: str
    question: str
    motion: PaperOption | None
    options: tuple[PaperOption, ...]  # the plans voted on (with their costs), or yes/no
    deadline: datetime  # local
    join_url: str
    progress_url: str
    issued_on: datetime  # local


def _notice_lines(notice: NoticeDocument) -> list[tuple[str, str]]:
    """The notice as (style, text): the same words in the PDF and the DOCX."""
    lang = notice.language
    out = [("small", notice.organiser), ("title", _t("notice_title", lang)),
           ("small", f"{notice.case_number} {notice.case_title}"),
           ("body", _t("notice_intro", lang, community=notice.community,
                       title=notice.vote_title)),
           ("heading", _t("notice_topic", lang)), ("body", notice.vote_title)]
    if notice.question:
        out.append(("body", notice.question))
    if notice.motion is not None and notice.motion.total:
        out.append(("body", _t("notice_cost", lang, plan=notice.motion.label,
                               total=notice.motion.total, rate=notice.motion.rate)))
    for option in notice.options:
        if option.total:
            out.append(("item", _t("notice_option", lang, key=option.key, label=option.label,
                                   total=option.total, rate=option.rate)))
        else:
            out.append(("item", option.label))
    out += [("heading", _t("notice_deadline", lang)),
            ("body", when(notice.deadline, lang)),
            ("heading", _t("notice_how", lang)),
            ("item", _t("notice_how_link", lang, url=notice.join_url)),
            ("item", _t("notice_how_paper", lang, organiser=notice.organiser)),
            ("body", _t("rule", lang)),
            ("heading", _t("notice_progress", lang)),
            ("body", notice.progress_url),
            ("qr", notice.progress_url),
            ("right", notice.organiser),
            ("right", message_for("letter.when", lang, year=notice.issued_on.year,
                                  month=notice.issued_on.month, day=notice.issued_on.day,
                                  time="").strip())]
    return out


def render_notice_pdf(notice: NoticeDocument) -> bytes:
    writer = _Writer(notice)
    writer.pdf.add_page()
    writer.y = 18
    sizes = {"small": (9.5, 1), "title": (20, 4), "heading": (12.5, 1.2), "body": (11, 2),
             "item": (11, 1.2), "right": (11, 1)}
    for style, text in _notice_lines(notice):
        if writer.y > 262:
            writer.pdf.add_page()
            writer.y = 18
        if style == "qr":
            qr = io.BytesIO()
            segno.make(text, error="m").save(qr, kind="png", scale=3, border=2)
            qr.seek(0)
            writer.pdf.image(qr, x=LEFT, y=writer.y, w=40, h=40)
            writer.y += 43
            continue
        size, gap = sizes[style]
        if style == "item":
            writer.line("· " + text, size, x=LEFT + 4, width=WIDTH - 4, gap=gap)
        elif style == "right":
            writer.line(text, size, x=LEFT + WIDTH - 70, width=70, gap=gap)
        else:
            writer.line(text, size, gap=gap)
    return bytes(writer.pdf.output())


def render_notice_docx(notice: NoticeDocument) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from .docx import _run, _setup
    lang = notice.language
    document = Document()
    _setup(document, lang)
    for style, text in _notice_lines(notice):
        if style == "qr":
            qr = io.BytesIO()
            segno.make(text, error="m").save(qr, kind="png", scale=6, border=2)
            qr.seek(0)
            document.add_picture(qr, width=Mm(40))
            continue
        if style == "title":
            paragraph = document.add_paragraph(style="Title")
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(paragraph, text, lang=lang)
        elif style == "heading":
            _run(document.add_paragraph(style="Heading 2"), text, lang=lang, sans=True)
        elif style == "item":
            _run(document.add_paragraph(style="List Bullet"), text, lang=lang)
        else:
            paragraph = document.add_paragraph()
            if style == "right":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, text, lang=lang, size=9 if style == "small" else None)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


if __name__ == "__main__":  # render_apart's worker: the batch as JSON in, the PDF out
    sys.stdout.buffer.write(render(_batch_from_json(json.load(sys.stdin))))
