"""Minutes as PDF: A4, with the Chinese font embedded (subset), so any viewer shows it.

fpdf2 writes the file; this module lays the blocks out itself (line breaking, tables, page
breaks) and draws each line with ``FPDF.text``, because fpdf2's own ``multi_cell`` and
``table`` measure every character several times and take seconds on a long meeting.

The font is Noto Sans SC from the PyPI package ``pylopdf-fonts-zh-cn`` (SIL OFL 1.1, regular
weight only). It is embedded as a subset (only the glyphs used: a few hundred KB for a big
meeting instead of 8 MB) and carries a ToUnicode map, so text can be searched and copied.
One face for everything keeps the subsetting (fontTools, the largest fixed cost) to one
font; titles and headings are drawn heavier (fill plus a thin stroke) in place of a bold.

Characters the font lacks (emoji, some symbols) are drawn by a fallback font found on the
machine (FALLBACK_FONTS) or written as their code point, "[U+1F44D]": never dropped.

Chinese line breaking: any CJK character may end a line; a run of Latin letters and digits
("1,445.99", "JH-YSHSL-2026-014") is kept whole when it fits, with the units written after a
number ("1,569,600.00元"), and one wider than its column breaks after a thousands separator;
no line starts with closing punctuation or ends with opening punctuation (禁则).

The file is PDF/A-2u (fpdf2's compliance mode: sRGB output intent, embedded fonts, XMP) and
tagged: a structure tree (H1 the title, H2-H4 headings, P, L/LI, Table/TR/TH/TD) whose
elements own the text through marked content; running head and foot, rules and borders are
artifacts. Table cells stand 4 mm apart, so text extraction (pdftotext) keeps them apart.

Every page carries the minutes' number, version and status, the page number and the
content hash in its footer. The file's creation date is the finalisation time (or the
meeting's start for a draft) and nothing else varies, so the same document gives the same
PDF, byte for byte.
"""
from __future__ import annotations

import dataclasses
import io
import os
import re
import unicodedata
from contextlib import contextmanager
from datetime import timezone
from functools import lru_cache
from html import escape

from fpdf import FPDF
from fpdf.enums import TextMode, XPos, YPos
from fpdf.structure_tree import StructElem, StructureTreeBuilder
from fpdf.syntax import PDFString
from PIL import Image

from facilitator.domain.minutes_model import MinutesDocument

from . import labels as L
from .layout import (Bullets, Drawing, Fields, Heading, Keep, Layout, PageBreak, Paragraph, SignatureLines,
                     Signoff, Table, Title, build)

MEDIA_TYPE = "application/pdf"
EXTENSION = "pdf"

FONT = "notosanssc"
BODY_PT, SMALL_PT, TABLE_PT = 10.5, 8.5, 9
PAGE_W, PAGE_H = 210.0, 297.0
LEFT = RIGHT = 18.0  # mm
TOP, BOTTOM = 18.0, 20.0
WIDTH = PAGE_W - LEFT - RIGHT
GREY = (236, 236, 236)
PAD_X, PAD_Y = 2.0, 1.0  # table cell padding (mm): cells 4 mm apart, so text extraction keeps them apart
PT = 25.4 / 72  # one point in mm
_NO_LINE_START = frozenset("，。、；：？！）》」』”’%％.,;:!?)]}·—…")
_NO_LINE_END = frozenset("（《「『“‘([{")
# Units that stay on the line of the number before them.
_UNITS = frozenset("元万亿年月日时分秒钟天周人户套位次条处个项％%")
# Fonts that may draw what Noto Sans SC lacks (emoji, dingbats, rare symbols), tried in
# order; none is required. Symbola (Debian's fonts-symbola) draws most emoji in black and
# white; DejaVu Sans (fonts-dejavu-core) many symbols. A character none of the fonts has is
# written as its code point in brackets, "[U+1F600]": visible, never dropped.
FALLBACK_FONTS = (
    "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
SEAL_W, SEAL_D = 80.0, 36.0  # the seal line's width and the space for the stamp (mm)
SIGN_ROW = 11.0  # a signature row's height (mm): room to sign by hand
DRAWING_W = 50.0  # a signature drawn on a phone, as wide as a name written by hand (mm)


@lru_cache(maxsize=1)
def font_path() -> str:
    import pylopdf_fonts_zh_cn as fonts

    return str(fonts.sans_path())


@lru_cache(maxsize=8)
def _font_chars(path: str) -> frozenset[int]:
    """The characters a font file has glyphs for (its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


def _invisible(ch: str) -> bool:
    """Format characters that never show by themselves (variation selectors, zero-width
    joiners): leaving them out where no font has them loses nothing a reader could see."""
    code = ord(ch)
    return (unicodedata.category(ch) == "Cf" or 0xFE00 <= code <= 0xFE0F
            or 0xE0100 <= code <= 0xE01EF)


def _is_wide(ch: str) -> bool:
    code = ord(ch)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
            or 0x3000 <= code <= 0x303F or 0x2000 <= code <= 0x206F)


def _tokens(text: str) -> list[str]:
    """Break opportunities: each wide character, each space, each run of anything else; a
    number keeps the units written after it ("1,569,600.00元", "40分钟", "2026年12月5日")."""
    tokens: list[str] = []
    run: list[str] = []
    for ch in text:
        if ch in _UNITS and run and (run[-1].isdigit() or run[-1] in _UNITS):
            run.append(ch)
        elif ch == " " or _is_wide(ch):
            if run:
                tokens.append("".join(run))
                run = []
            tokens.append(ch)
        else:
            run.append(ch)
    if run:
        tokens.append("".join(run))
    return tokens


def wrap_text(cw, text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` that fit ``width`` mm at ``size`` pt, with the font's character
    widths ``cw`` (see the module's notes on Chinese line breaking)."""
    scale = size * 0.001 * PT

    def measure(token: str) -> float:
        return sum(cw[ord(c)] for c in token) * scale

    lines: list[str] = []
    for paragraph in text.split("\n"):
        if measure(paragraph) <= width:
            lines.append(paragraph.rstrip())
            continue
        line: list[str] = []
        line_w = 0.0
        for token in _tokens(paragraph):
            token_w = measure(token)
            if line and token != " " and line_w + token_w > width:
                carry: list[str] = []
                if token[0] in _NO_LINE_START:
                    # step back to a break that leaves no closing mark at a line's start
                    while len(line) > 1 and (not carry or carry[0][0] in _NO_LINE_START):
                        carry.insert(0, line.pop())
                while len(line) > 1 and line[-1][-1] in _NO_LINE_END:
                    carry.insert(0, line.pop())
                lines.append("".join(line).rstrip())
                line = carry
                line_w = sum(measure(t) for t in carry)
            if not line and token == " ":
                continue
            if not line and token_w > width:
                # Longer than a line: broken after a thousands separator ("12,345," /
                # "678.90元"), and by characters only where a piece is still too long.
                for piece in re.findall(r"[^,]*,|[^,]+", token):
                    piece_w = measure(piece)
                    if line and line_w + piece_w > width:
                        lines.append("".join(line))
                        line, line_w = [], 0.0
                    if piece_w <= width:
                        line.append(piece)
                        line_w += piece_w
                        continue
                    for ch in piece:
                        ch_w = measure(ch)
                        if line and line_w + ch_w > width:
                            lines.append("".join(line))
                            line, line_w = [], 0.0
                        line.append(ch)
                        line_w += ch_w
                continue
            line.append(token)
            line_w += token_w
        lines.append("".join(line).rstrip())
    return lines


class _StructureTree(StructureTreeBuilder):
    """fpdf2's structure tree (an internal of fpdf2, which only nests one level for images'
    alternative texts) with elements nested to any depth: Table > TR > TH/TD, L > LI."""

    def __iter__(self):
        yield self.struct_tree_root
        yield self.doc_struct_elem
        yield self.struct_tree_root.parent_tree
        yield from self._below(self.doc_struct_elem)

    def _below(self, element):
        for kid in element.k:
            if isinstance(kid, StructElem):
                yield kid
                yield from self._below(kid)


class _ContentRef:
    """A marked-content reference (page and MCID): an element's content continued on another
    page than its own (a paragraph or a table cell split by a page break)."""

    def __init__(self, page, mcid: int):
        self.page = page
        self.mcid = mcid

    def serialize(self, _security_handler=None, _obj_id=None) -> str:
        return f"<</Type /MCR /Pg {self.page.ref} /MCID {self.mcid}>>"


class _Minutes(FPDF):
    def __init__(self, layout: Layout, renderer: _Renderer):
        super().__init__(orientation="portrait", unit="mm", format="A4", enforce_compliance="PDF/A-2U")
        self.struct_builder = _StructureTree()
        self.layout = layout
        self.renderer = renderer  # draws the header's and footer's text (any font it needs)
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(False)  # page breaks are placed by the renderer
        self.add_font(FONT, "", font_path())
        # The subset keeps the full font's bounding box (a superset, which is valid):
        # recomputing it walks every glyph program and would double the subsetting time.
        self.fonts[FONT].ttfont.recalcBBoxes = False
        self.c_margin = 0

    def header(self):
        if self.page_no() == 1:
            return
        with self.renderer.artifact():  # page furniture, not content
            self.renderer.font(7.5)
            self.set_text_color(90)
            self.renderer.draw(LEFT, 9, 4, self.layout.title, "R", WIDTH)
            self.set_draw_color(150)
            self.set_line_width(0.2)
            self.line(LEFT, 13.5, PAGE_W - RIGHT, 13.5)
            self.set_text_color(0)

    def footer(self):
        with self.renderer.artifact():
            self._footer()

    def _footer(self):
        self.set_draw_color(150)
        self.set_line_width(0.2)
        self.line(LEFT, PAGE_H - 14.5, PAGE_W - RIGHT, PAGE_H - 14.5)
        self.set_text_color(70)
        self.renderer.font(7.5)
        self.renderer.draw(LEFT, PAGE_H - 14, 4, self.layout.footer)
        # The page count is filled in when the file is written ({nb}): fpdf2 does that
        # for cell(), and the label and digits are in the main font.
        page = L.label("doc.page", self.layout.language, page=self.page_no(), pages="{nb}")
        self.set_xy(LEFT + WIDTH * 0.75, PAGE_H - 14)
        self.cell(WIDTH * 0.25, 4, page, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=6.5)
        self.set_x(LEFT)
        self.cell(WIDTH, 3.5, f"SHA-256 {self.layout.content_hash}", align="L")
        self.set_text_color(0)


class _Renderer:
    def __init__(self, layout: Layout, fallback_fonts=None):
        self.pdf = _Minutes(layout, self)
        main = self.pdf.fonts[FONT]
        self.main_chars = main.cmap
        # Widths of the characters drawn, by code point (the main font's, plus those of the
        # fallback fonts' characters as they are met).
        self.cw = main.cw.copy()
        self.fallbacks = [path for path in (FALLBACK_FONTS if fallback_fonts is None else fallback_fonts)
                          if os.path.exists(path)]
        self.font_of: dict[str, str] = {}  # a character drawn by a fallback font -> its family
        # The structure tree (tagged PDF): the open containers, the element the text being
        # drawn belongs to ([type, element], the element made at its first text), the MCIDs
        # used per page, and how deep inside artifacts (page furniture) the drawing is.
        self.tree = self.pdf.struct_builder
        self.open = [self.tree.doc_struct_elem]
        self.leaf: list | None = None
        self.mcids: dict[int, int] = {}
        self.artifacts = 0
        self.y = TOP
        self.size = BODY_PT
        self.layout = _visible(layout, self.visible)
        self.pdf.layout = self.layout

    # ------------------------------------------------------------------ structure
    def element(self, kind: str) -> StructElem:
        parent = self.open[-1]
        element = StructElem(struct_type=kind, parent=parent, kids=[], page_number=self.pdf.page)
        parent.k.append(element)
        return element

    @contextmanager
    def container(self, kind: str):
        """An element holding elements (Table, TR, L, LI)."""
        self.open.append(self.element(kind))
        try:
            yield
        finally:
            self.open.pop()

    @contextmanager
    def tagged(self, kind: str, state: list | None = None, cell: bool = False):
        """The text drawn inside belongs to one element of type ``kind`` (``state``: the same
        element again, e.g. a table cell continued on the next page). A table ``cell`` is an
        element even when empty (a blank to sign in), so every row has all its cells."""
        saved = self.leaf
        self.leaf = state if state is not None else [kind, None]
        try:
            yield
        finally:
            if cell and self.leaf[1] is None and not self.artifacts:
                self.leaf[1] = self.element(kind)
            self.leaf = saved

    @contextmanager
    def artifact(self):
        """Page furniture (running head and foot, rules, cell borders): no element's content."""
        self.pdf._out("/Artifact BMC")
        self.artifacts += 1
        try:
            yield
        finally:
            self.artifacts -= 1
            self.pdf._out("EMC")

    def _marked(self) -> None:
        """Open a marked-content sequence for the current element's next text."""
        kind, element = self.leaf
        if element is None:
            element = self.leaf[1] = self.element(kind)
        page = self.pdf.page
        mcid = self.mcids.get(page, 0)
        self.mcids[page] = mcid + 1
        numbers = self.tree.spid_per_page_number
        parents = numbers.setdefault(page, len(numbers))
        self.tree.struct_tree_root.parent_tree.nums[parents].append(element)
        page_object = self.pdf.pages[page]
        page_object.struct_parents = parents
        # On the element's own page (/Pg) the MCID alone; on a later page a reference that
        # names the page.
        if element.pg is None:
            element.pg = page_object
        element.k.append(mcid if element.pg is page_object else _ContentRef(page_object, mcid))
        self.pdf._out(f"{kind} <</MCID {mcid}>> BDC")

    # ------------------------------------------------------------------ glyphs
    def visible(self, text: str) -> str:
        """``text`` as this PDF can show it: each character the main font lacks is drawn by
        the first fallback font that has it, or written as its code point ("[U+1F600]")."""
        chars = self.main_chars
        if all(ord(ch) in chars for ch in text):
            return text
        out: list[str] = []
        for ch in text:
            code = ord(ch)
            if ch == "\t":
                out.append(" ")
            elif code in chars or ch == "\n" or ch in self.font_of or self._fallback(ch):
                out.append(ch)
            elif not _invisible(ch):
                out.append(f"[U+{code:04X}]")
        return "".join(out)

    def _fallback(self, ch: str) -> bool:
        code = ord(ch)
        for n, path in enumerate(self.fallbacks):
            if code in _font_chars(path):
                family = f"fallback{n}"
                if family not in self.pdf.fonts:
                    self.pdf.add_font(family, "", path)
                self.font_of[ch] = family
                self.cw[code] = self.pdf.fonts[family].cw[code]
                return True
        return False

    # ------------------------------------------------------------------ text primitives
    def font(self, size: float) -> None:
        if size != self.size or self.pdf.font_size_pt != size:
            self.pdf.set_font(FONT, size=size)
            self.size = size

    def width(self, text: str, size: float | None = None) -> float:
        cw = self.cw
        return sum(cw[ord(c)] for c in text) * (size or self.size) * 0.001 * PT

    def wrap(self, text: str, width: float, size: float | None = None) -> list[str]:
        """Lines of ``text`` that fit ``width`` mm at ``size`` pt (see the module's notes)."""
        return wrap_text(self.cw, text, width, size or self.size)

    def draw(self, x: float, top: float, line_h: float, text: str, align: str = "L", width: float = 0.0) -> None:
        """One line in a box of height ``line_h`` whose top is ``top``."""
        if not text:
            return
        if align != "L":
            room = width - self.width(text)
            x += room if align == "R" else room / 2
        baseline = top + line_h / 2 + 0.36 * self.size * PT
        if self.artifacts or self.leaf is None:
            self._text(x, baseline, text)
            return
        self._marked()
        self._text(x, baseline, text)
        self.pdf._out("EMC")

    def _text(self, x: float, baseline: float, text: str) -> None:
        font_of = self.font_of
        if not font_of or not any(ch in font_of for ch in text):
            self.pdf.text(x, baseline, text)
            return
        # Runs of one font each, side by side.
        start = 0
        for end in range(1, len(text) + 1):
            if end < len(text) and font_of.get(text[end]) == font_of.get(text[start]):
                continue
            run = text[start:end]
            self.pdf.set_font(font_of.get(run[0], FONT), size=self.size)
            self.pdf.text(x, baseline, run)
            x += self.width(run)
            start = end
        self.pdf.set_font(FONT, size=self.size)

    def heavy(self, weight: float = 0.18):
        """Text drawn heavier (fill + thin stroke), in its own graphics state (q ... Q)."""
        return self.pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=weight, draw_color=0)

    def room(self) -> float:
        return PAGE_H - BOTTOM - self.y

    def new_page(self) -> None:
        """A new page; text continues in the same size and colour (the page's header and the
        last page's footer use their own)."""
        size, color = self.size or BODY_PT, self.pdf.text_color
        self.pdf.add_page()
        self.size = 0
        self.font(size)
        self.pdf.text_color = color
        self.y = TOP

    def ensure(self, height: float) -> None:
        if height > self.room():
            self.new_page()

    def lines(self, lines: list[str], x: float, width: float, line_h: float, align: str = "L",
              heavy: bool = False) -> None:
        """Lines, breaking the page where needed."""
        for line in lines:
            self.ensure(line_h)
            if heavy:
                with self.heavy():
                    self.draw(x, self.y, line_h, line, align, width)
            else:
                self.draw(x, self.y, line_h, line, align, width)
            self.y += line_h

    # ------------------------------------------------------------------ document
    def render(self) -> bytes:
        pdf = self.pdf
        layout = self.layout
        pdf.set_title(layout.title)
        pdf.set_subject(layout.footer)
        pdf.set_keywords(f"sha256:{layout.content_hash}")
        pdf.set_creator("facilitator")
        pdf.set_lang(L.language_tag(layout.language))
        self.new_page()
        for block in layout.blocks:
            getattr(self, f"_{type(block).__name__.lower()}")(block)
        return bytes(pdf.output())

    def _title(self, block: Title) -> None:
        self.y = TOP + 2
        self.font(18)
        with self.heavy(0.25), self.tagged("/H1"):
            for line in self.wrap(block.text, WIDTH):
                self.draw(LEFT, self.y, 9, line, "C", WIDTH)
                self.y += 9
        self.y += 1
        self.font(13)
        with self.tagged("/P"):
            self.lines(self.wrap(block.subtitle, WIDTH), LEFT, WIDTH, 7, "C")
        self.y += 1.5
        self.font(9)
        for n, line in enumerate(block.meta):
            red = self.layout.draft and n == len(block.meta) - 1
            self.pdf.set_text_color(*((176, 0, 0) if red else (40, 40, 40)))
            with self.tagged("/P"):
                self.lines(self.wrap(line, WIDTH), LEFT, WIDTH, 5, "C")
        self.pdf.set_text_color(0)
        self.y += 4
        self.font(BODY_PT)

    def _heading(self, block: Heading) -> None:
        size = {1: 13.0, 2: 11.0, 3: 10.5}[block.level]
        space = {1: 5.0, 2: 3.0, 3: 2.0}[block.level]
        line_h = size * 0.62
        # keep a heading with the start of what follows it (a table's head and first rows)
        if self.y > TOP and space + line_h + 30 > self.room():
            self.new_page()
        elif self.y > TOP:
            self.y += space
        self.font(size)
        with self.tagged(f"/H{block.level + 1}"):  # H1 is the title
            self.lines(self.wrap(block.text, WIDTH), LEFT, WIDTH, line_h, heavy=True)
        if block.level == 1:
            pdf = self.pdf
            pdf.set_draw_color(0)
            pdf.set_line_width(0.35)
            with self.artifact():
                pdf.line(LEFT, self.y + 0.6, PAGE_W - RIGHT, self.y + 0.6)
            self.y += 2.6
        else:
            self.y += 0.8
        self.font(BODY_PT)

    def _paragraph(self, block: Paragraph) -> None:
        with self.tagged("/P"):
            self._paragraph_text(block)

    def _paragraph_text(self, block: Paragraph) -> None:
        size = SMALL_PT if block.small else BODY_PT
        line_h = size * 0.6
        self.font(size)
        self.pdf.set_text_color(60 if block.small else 0)
        lead = block.lead + L.colon(self.layout.language) if block.lead else ""
        lines = self.wrap(lead + block.text, WIDTH)
        if lead and lines and lines[0].startswith(lead):
            self.ensure(line_h)
            with self.heavy(0.12):
                self.draw(LEFT, self.y, line_h, lead)
            self.draw(LEFT + self.width(lead), self.y, line_h, lines[0][len(lead):])
            self.y += line_h
            lines = lines[1:]
        self.lines(lines, LEFT, WIDTH, line_h)
        self.pdf.set_text_color(0)
        self.y += 1
        self.font(BODY_PT)

    def _fields(self, block: Fields) -> None:
        self.font(BODY_PT)
        line_h = 6.0
        label_w = min(max(self.width(k) for k, _ in block.rows) + 5, 42)
        value_w = WIDTH - label_w
        for key, value in block.rows:
            labels = self.wrap(key, label_w - 2)
            values = self.wrap(value, value_w)
            self.ensure(line_h * min(len(values), 3))
            top = self.y
            with self.tagged("/P"):  # label and value, one paragraph
                with self.heavy(0.12):
                    for n, line in enumerate(labels):
                        self.draw(LEFT, top + n * line_h, line_h, line)
                self.lines(values, LEFT + label_w, value_w, line_h)
            if self.y < top + len(labels) * line_h:  # (same page)
                self.y = top + len(labels) * line_h
        self.y += 1.5

    def _bullets(self, block: Bullets) -> None:
        self.font(BODY_PT)
        line_h = 6.0
        with self.container("/L"):
            for n, item in enumerate(block.items, 1):
                lines = self.wrap(item, WIDTH - 6)
                self.ensure(line_h * min(len(lines), 2))
                with self.container("/LI"):
                    with self.tagged("/Lbl"):
                        self.draw(LEFT + 1.5, self.y, line_h, f"{n}." if block.ordered else "•")
                    with self.tagged("/LBody"):
                        self.lines(lines, LEFT + 6, WIDTH - 6, line_h)
        self.y += 1.5

    def _table(self, block: Table) -> None:
        size = TABLE_PT - (0.5 if block.small else 0)
        total = sum(block.widths)
        widths = [WIDTH * w / total for w in block.widths]
        self.grid(block.headers, block.rows, widths, block.align, size)

    def _keep(self, block: Keep) -> None:
        """The blocks on one page when they fit on one: a new page first if they do not fit
        on what is left of this one."""
        height = sum(self.height(inner) for inner in block.blocks)
        if height > self.room() and height <= PAGE_H - TOP - BOTTOM and self.y > TOP:
            self.new_page()
        for inner in block.blocks:
            getattr(self, f"_{type(inner).__name__.lower()}")(inner)

    def height(self, block) -> float:
        """The height a heading, a paragraph or the signature lines take (mm), measured as
        they are drawn (a little more is harmless: it only moves them to a new page)."""
        if isinstance(block, Heading):
            size = {1: 13.0, 2: 11.0, 3: 10.5}[block.level]
            lines = len(self.wrap(block.text, WIDTH, size))
            return {1: 5.0, 2: 3.0, 3: 2.0}[block.level] + lines * size * 0.62 + (2.6 if block.level == 1 else 0.8)
        if isinstance(block, Paragraph):
            size = SMALL_PT if block.small else BODY_PT
            lead = block.lead + L.colon(self.layout.language) if block.lead else ""
            return len(self.wrap(lead + block.text, WIDTH, size)) * size * 0.6 + 1
        if isinstance(block, SignatureLines):
            return self._sign_head_height(block) + SIGN_ROW * len(block.rows) + 2.5 + self._seal_height(block)
        raise TypeError(f"cannot measure {type(block).__name__}")

    def _sign_widths(self) -> list[float]:
        return [WIDTH * w for w in (0.27, 0.25, 0.30, 0.18)]

    def _sign_head_height(self, block: SignatureLines) -> float:
        if not block.rows:
            return 0.0
        line_h = BODY_PT * 0.5
        return max(len(self.wrap(h, w - 2 * PAD_X, BODY_PT))
                   for h, w in zip(block.headers, self._sign_widths())) * line_h + 2 * PAD_Y

    def _seal_height(self, block: SignatureLines) -> float:
        label, host = block.host
        lines = len(self.wrap(label + L.colon(self.layout.language) + host, SEAL_W, BODY_PT))
        return 4 + lines * 6.0 + SEAL_D + 4 + 6.0

    def _signaturelines(self, block: SignatureLines) -> None:
        """The signature table and the organiser's seal line. Split over pages only when
        they do not fit on one, and then never leaving a single row, or the seal without
        rows, on a page: the last page carries at least two rows and the seal."""
        widths = self._sign_widths()
        rows = [(role, name, "", "") for role, name in block.rows]
        head_h = self._sign_head_height(block)
        seal_h = self._seal_height(block)
        while rows:
            fit = int((self.room() - head_h - 2.5) // SIGN_ROW)
            if fit >= len(rows) and self.room() >= head_h + SIGN_ROW * len(rows) + 2.5 + seal_h:
                take = len(rows)
            else:
                # leave at least two rows for the page that carries the seal
                take = min(fit, len(rows) - 2)
                if take < 2:
                    if self.y > TOP:
                        self.new_page()
                        continue
                    take = max(take, 1)  # a page too small for two rows: cannot happen on A4
            self.grid(block.headers, rows[:take], widths, "LLLL", BODY_PT, min_row=SIGN_ROW, middle=True)
            rows = rows[take:]
            if rows:
                self.new_page()
        self.ensure(seal_h)
        self._seal(block)

    def _seal(self, block: SignatureLines) -> None:
        """主办单位（盖章）：the organisation, a dashed circle where the stamp goes, the date."""
        pdf = self.pdf
        left = LEFT + WIDTH - SEAL_W
        self.y += 4
        self.font(BODY_PT)
        label, host = block.host
        lead = label + L.colon(self.layout.language)
        lines = self.wrap(lead + host, SEAL_W)
        with self.tagged("/P"):
            with self.heavy(0.12):
                self.draw(left, self.y, 6.0, lead if lines[0].startswith(lead) else lines[0])
            if lines[0].startswith(lead):
                self.draw(left + self.width(lead), self.y, 6.0, lines[0][len(lead):])
            self.y += 6.0
            self.lines(lines[1:], left, SEAL_W, 6.0)
        centre_x = left + SEAL_W / 2
        pdf.set_draw_color(150)
        pdf.set_line_width(0.3)
        pdf.set_dash_pattern(dash=1.2, gap=1.2)
        with self.artifact():
            pdf.ellipse(centre_x - SEAL_D / 2, self.y, SEAL_D, SEAL_D)  # from its top left corner
        pdf.set_dash_pattern()
        pdf.set_draw_color(0)
        self.font(SMALL_PT)
        pdf.set_text_color(150)
        with self.tagged("/P"):
            self.draw(left, self.y + SEAL_D / 2 - 2.5, 5, block.seal, "C", SEAL_W)
        pdf.set_text_color(0)
        self.y += SEAL_D + 4
        self.font(BODY_PT)
        with self.tagged("/P"):
            self.draw(left, self.y, 6.0, block.date, "C", SEAL_W)
        self.y += 6.0

    def _drawing(self, block: Drawing) -> None:
        """A signature drawn on a phone: its caption, then the image (a Figure whose Alt is
        the caption), kept together on one page."""
        with Image.open(io.BytesIO(block.png)) as image:
            pixels_w, pixels_h = image.size
        height = DRAWING_W * pixels_h / pixels_w
        self.ensure(5.0 + height + 3.0)
        self.font(SMALL_PT)
        with self.tagged("/P"):
            self.draw(LEFT, self.y, 5.0, block.caption)
        self.y += 5.0
        with self.tagged("/Figure"):
            self._marked()
            self.leaf[1].alt = PDFString(block.caption)
            self.pdf.image(io.BytesIO(block.png), x=LEFT, y=self.y, w=DRAWING_W, h=height)
            self.pdf._out("EMC")
        self.y += height + 3.0
        self.font(BODY_PT)

    def _pagebreak(self, block: PageBreak) -> None:
        self.new_page()

    # ------------------------------------------------------------------ tables
    def grid(self, headers, rows, widths, align: str, size: float, min_row: float = 0.0,
             middle: bool = False) -> None:
        """A bordered table whose head repeats on every page; a row taller than what is left
        of the page continues on the next one."""
        pdf = self.pdf
        self.font(size)
        line_h = size * 0.5
        align = align.ljust(len(headers), "L")
        inner = [w - 2 * PAD_X for w in widths]
        head = [self.wrap(h, w) for h, w in zip(headers, inner)]
        head_h = max(len(c) for c in head) * line_h + 2 * PAD_Y
        pdf.set_line_width(0.25)
        pdf.set_draw_color(0)

        def draw_head(repeated: bool = True):
            # The head once as the table's first row (TR of TH); repeated on a later page,
            # it is page furniture.
            x = LEFT
            pdf.set_fill_color(*GREY)
            with (self.artifact() if repeated else self.container("/TR")):
                for cell, w in zip(head, widths):
                    with self.artifact():
                        pdf.rect(x, self.y, w, head_h, style="DF")
                    with self.tagged("/TH", cell=True):
                        for n, line in enumerate(cell):
                            self.draw(x + PAD_X, self.y + PAD_Y + n * line_h, line_h, line, "C", w - 2 * PAD_X)
                    x += w
            self.y += head_h

        self.ensure(head_h + line_h + 2 * PAD_Y)
        with self.container("/Table"):
            draw_head(repeated=False)
            for row in rows:
                with self.container("/TR"):
                    self._grid_row(row, inner, widths, align, line_h, head_h, size, min_row, middle, draw_head)
        self.y += 2.5
        self.font(BODY_PT)

    def _grid_row(self, row, inner, widths, align, line_h, head_h, size, min_row, middle, draw_head) -> None:
        """One row; its cells (TD) continue on the next page when the row does not fit."""
        cells = [self.wrap(text, w) for text, w in zip(row, inner)]
        states = [["/TD", None] for _ in cells]
        while True:
            tallest = max(len(c) for c in cells)
            height = max(tallest * line_h + 2 * PAD_Y, min_row)
            if height > self.room():
                fits = int((self.room() - 2 * PAD_Y) // line_h)
                if fits < 2 or height <= PAGE_H - TOP - BOTTOM - head_h:
                    self.new_page()
                    self.font(size)
                    draw_head()
                    continue
                # draw what fits, carry the rest of the row to the next page
                part = [c[:fits] for c in cells]
                self._row(part, widths, align, line_h, fits * line_h + 2 * PAD_Y, middle, states)
                cells = [c[fits:] for c in cells]
                self.new_page()
                self.font(size)
                draw_head()
                continue
            self._row(cells, widths, align, line_h, height, middle, states)
            break

    def _row(self, cells, widths, align, line_h, height, middle: bool, states) -> None:
        x = LEFT
        for cell, w, a, state in zip(cells, widths, align, states):
            with self.artifact():
                self.pdf.rect(x, self.y, w, height)
            top = self.y + PAD_Y
            if middle:
                top = self.y + (height - len(cell) * line_h) / 2
            with self.tagged("/TD", state, cell=True):
                for n, line in enumerate(cell):
                    self.draw(x + PAD_X, top + n * line_h, line_h, line, a, w - 2 * PAD_X)
            x += w
        self.y += height


def _visible(value, visible):
    """The layout with every text passed through ``visible``."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, tuple):
        return tuple(_visible(item, visible) for item in value)
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{f.name: _visible(getattr(value, f.name), visible)
                                             for f in dataclasses.fields(value)})
    return value


def _xmp(layout: Layout, when) -> str:
    """The XMP metadata PDF/A requires (what fpdf2 would write for PDF/A, but dated with the
    minutes' own time instead of the clock, so the same minutes give the same file)."""
    stamp = when.astimezone(timezone.utc).isoformat(timespec="seconds")
    return "\n".join((
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        '  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"',
        '    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
        '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">',
        f'    <rdf:Description rdf:about="" xmp:CreatorTool="facilitator" xmp:CreateDate="{stamp}"',
        f'        xmp:ModifyDate="{stamp}" xmp:MetadataDate="{stamp}"',
        f'        pdf:Keywords="sha256:{layout.content_hash}">',
        "      <pdfaid:part>2</pdfaid:part>",
        "      <pdfaid:conformance>U</pdfaid:conformance>",
        f'      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(layout.title)}</rdf:li></rdf:Alt></dc:title>',
        f'      <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(layout.footer)}</rdf:li></rdf:Alt>',
        "      </dc:description>",
        "    </rdf:Description>",
        "  </rdf:RDF>",
        "</x:xmpmeta>",
    ))


def render(document: MinutesDocument, language: str | None = None, fallback_fonts=None,
           signoffs: tuple[Signoff, ...] = ()) -> bytes:
    """The PDF of ``document`` with the version's ``signoffs``; ``fallback_fonts``: font files
    for what Noto Sans SC lacks (default FALLBACK_FONTS, those present on the machine)."""
    return render_layout(build(document, language, signoffs),
                         document.header.finalised_at or document.header.started_at,
                         fallback_fonts)


def render_layout(layout: Layout, when, fallback_fonts=None) -> bytes:
    """The PDF of any document laid out in blocks (the minutes, a result notice), dated
    ``when`` (naive UTC or aware)."""
    renderer = _Renderer(layout, fallback_fonts)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    renderer.pdf.set_creation_date(when)
    renderer.pdf.set_xmp_metadata(_xmp(renderer.layout, when))
    return renderer.render()
