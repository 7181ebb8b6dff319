"""Personal invitations as one PDF to print: A4, a sheet per owner, by building and unit,
each building opened by a cover list for whoever delivers them door to door.

A sheet: the owner's name, units and area; the meeting (what, when, where) and its agenda;
the QR code of the owner's personal link, the link itself and the personal code; how to use
them, and a serial number. The cover list: the building's owners and units with columns to
tick delivery and sign.

Built from a plain model (InvitationBatch); nothing here queries the database. The font is
the minutes' (Noto Sans SC, embedded as a subset, facilitator/exports/pdf.py); QR codes are
PNG images from segno, one per sheet. Sized for thousands of owners: a few milliseconds a
sheet.
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
from fpdf import FPDF

from ..catalogue import message_for
from ..domain.owner_sheets import by_building, format_personal_code
from ..domain.voting import format_area
from .pdf import FONT, PT, font_path, wrap_text

MEDIA_TYPE = "application/pdf"
PAGE_W, PAGE_H = 210.0, 297.0
LEFT = 20.0
WIDTH = PAGE_W - 2 * LEFT


@dataclass(frozen=True)
class InvitationSheet:
    owner: str
    owner_key: str
    units: tuple[str, ...]
    area: int  # hundredths of m²
    link: str
    code: str
    serial: str


@dataclass(frozen=True)
class InvitationBatch:
    language: str  # zh | en
    organiser: str
    case_number: str
    case_title: str
    meeting_title: str
    starts_at: datetime | None  # local time
    place: str
    agenda: tuple[str, ...]
    join_url: str  # where a personal code is typed
    sheets: tuple[InvitationSheet, ...]


def _t(key: str, language: str, **params) -> str:
    """The letter's words: the catalogue's "letter." messages."""
    return message_for(f"letter.{key}", language, **params)


class _Document(FPDF):
    def __init__(self):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(LEFT, 18, LEFT)
        self.set_auto_page_break(False)
        self.add_font(FONT, "", font_path())
        self.fonts[FONT].ttfont.recalcBBoxes = False  # see pdf.py: the subset keeps the box
        self.c_margin = 0


class _Writer:
    def __init__(self, batch: InvitationBatch):
        self.batch = batch
        self.lang = batch.language
        self.pdf = _Document()
        self.cw = self.pdf.fonts[FONT].cw
        self.size = 0.0
        self.y = 0.0
        # Most of a sheet's text is the same on every sheet: wrapped once.
        self.wrapped: dict[tuple, list[str]] = {}

    def font(self, size: float) -> None:
        if size != self.size:
            self.pdf.set_font(FONT, size=size)
            self.size = size

    def line(self, text: str, size: float = 11, x: float = LEFT, width: float = WIDTH,
             gap: float = 1.6) -> None:
        self.font(size)
        height = size * PT * 1.45
        key = (text, width, size)
        parts = self.wrapped.get(key)
        if parts is None:
            parts = self.wrapped[key] = wrap_text(self.cw, text, width, size)
        for part in parts:
            self.pdf.text(x, self.y + height * 0.78, part)
            self.y += height
        self.y += gap

    def when(self) -> str:
        moment = self.batch.starts_at
        if moment is None:
            return ""
        return _t("when", self.lang, year=moment.year, month=moment.month, day=moment.day,
                  time=f"{moment:%H:%M}")

    def sheet(self, sheet: InvitationSheet) -> None:
        batch, lang = self.batch, self.lang
        self.pdf.add_page()
        self.y = 18
        self.line(batch.organiser, 10, gap=1)
        self.line(_t("title", lang), 19, gap=5)
        self.line(_t("dear", lang, owner=sheet.owner), 12.5, gap=2)
        self.line(_t("invite", lang), 10.5, gap=4)
        facts = ((_t("units", lang), message_for("punct.list", lang).join(sheet.units)),
                 (_t("area", lang), f"{format_area(sheet.area)} m²"),
                 (_t("meeting", lang), batch.meeting_title),
                 (_t("case", lang), f"{batch.case_number} {batch.case_title}"),
                 (_t("time", lang), self.when()),
                 (_t("place", lang), batch.place))
        for label, value in facts:
            if value:
                top = self.y
                self.line(label, 10.5, width=28, gap=0)
                self.y = top
                self.line(value, 10.5, x=LEFT + 30, width=WIDTH - 30, gap=1.2)
        if batch.agenda:
            self.y += 2
            self.line(_t("agenda", lang), 11, gap=0.8)
            for number, item in enumerate(batch.agenda[:14], start=1):
                self.line(f"{number}. {item}", 9.5, x=LEFT + 4, width=WIDTH - 4, gap=0.3)
        # The QR code and the personal code, boxed at the foot of the sheet.
        box_top = 196.0
        self.pdf.set_draw_color(120)
        self.pdf.set_line_width(0.3)
        self.pdf.rect(LEFT, box_top, WIDTH, 66)
        qr = io.BytesIO()
        segno.make(sheet.link, error="m").save(qr, kind="png", scale=2, border=2)
        qr.seek(0)
        self.pdf.image(qr, x=LEFT + WIDTH - 58, y=box_top + 4, w=54, h=54)
        self.y = box_top + 4
        inner = WIDTH - 66
        self.line(_t("how", lang), 12, x=LEFT + 5, width=inner, gap=1.2)
        self.line(_t("how_qr", lang), 10, x=LEFT + 5, width=inner, gap=1)
        self.line(_t("how_code", lang, url=batch.join_url), 10, x=LEFT + 5, width=inner, gap=1)
        self.line(format_personal_code(sheet.code), 22, x=LEFT + 5, width=inner, gap=1.5)
        self.line(sheet.link, 7, x=LEFT + 5, width=inner, gap=0)
        self.y = box_top + 70
        self.line(_t("keep", lang), 8.5, gap=2)
        self.line(f"{_t('serial', lang)} {sheet.serial}", 8, gap=0)

    def cover(self, building: str, sheets) -> None:
        lang = self.lang
        rows_per_page = 34
        for start in range(0, len(sheets), rows_per_page):
            self.pdf.add_page()
            self.y = 18
            self.line(self.batch.organiser + " · " + self.batch.meeting_title, 9.5, gap=1)
            self.line(_t("cover", lang, building=building, count=len(sheets)), 15, gap=4)
            columns = ((_t("units", lang), 52), (_t("cover_owner", lang), 58),
                       (_t("cover_delivered", lang), 22), (_t("cover_sign", lang), WIDTH - 132))
            self._row([c for c, _ in columns], [w for _, w in columns], head=True)
            for sheet in sheets[start:start + rows_per_page]:
                self._row([message_for("punct.list", lang).join(sheet.units),
                           sheet.owner, "□", ""], [w for _, w in columns])

    def _row(self, cells, widths, head: bool = False) -> None:
        height = 7.0
        x = LEFT
        self.font(10 if head else 9.5)
        self.pdf.set_draw_color(150)
        self.pdf.set_line_width(0.2)
        for cell, width in zip(cells, widths):
            self.pdf.rect(x, self.y, width, height)
            text = wrap_text(self.cw, cell, width - 2.4, self.size)[0] if cell else ""
            self.pdf.text(x + 1.2, self.y + height * 0.68, text)
            x += width
        self.y += height

    def render(self) -> bytes:
        for building in by_building(self.batch.sheets):
            self.cover(building.name, building.sheets)
            for sheet in building.sheets:
                self.sheet(sheet)
        return bytes(self.pdf.output())


def render(batch: InvitationBatch) -> bytes:
    if not batch.sheets:
        raise ValueError("no invitations to print")
    return _Writer(batch).render()


def render_apart(batch: InvitationBatch) -> bytes:
    """The same PDF, made by a separate process: thousands of sheets take a core for tens of
    seconds, which a server process serving live meetings must not spend. Waiting for it is
    cooperative under eventlet and gevent (their subprocess module is patched)."""
    payload = json.dumps({**dataclasses.asdict(batch), "starts_at": batch.starts_at.isoformat()
                          if batch.starts_at else None}, ensure_ascii=False).encode()
    done = subprocess.run([sys.executable, "-m", "facilitator.exports.invitations"],
                          input=payload, capture_output=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError("the invitations could not be printed: "
                           + done.stderr.decode(errors="replace")[-2000:])
    return done.stdout


def _batch_from_json(data: dict) -> InvitationBatch:
    sheets = tuple(InvitationSheet(**{**sheet, "units": tuple(sheet["units"])})
                   for sheet in data.pop("sheets"))
    starts_at = datetime.fromisoformat(data.pop("starts_at")) if data.get("starts_at") else None
    data.pop("starts_at", None)
    return InvitationBatch(**{**data, "agenda": tuple(data["agenda"]), "starts_at": starts_at,
                              "sheets": sheets})


if __name__ == "__main__":  # render_apart's worker: the batch as JSON in, the PDF out
    sys.stdout.buffer.write(render(_batch_from_json(json.load(sys.stdin))))
