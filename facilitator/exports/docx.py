"""Minutes as DOCX (python-docx): A4, Chinese set in SimSun / SimHei (宋体 / 黑体).

The East-Asian font (``w:eastAsia``) and the language (``w:lang w:eastAsia="zh-CN"``) are set
on the document defaults and on every style used, with the theme-font attributes removed, and
on the theme's font language (no ja-JP of python-docx's template is left), so Word and
LibreOffice both pick a Chinese face for Chinese text (LibreOffice substitutes an installed
CJK face such as Noto CJK when SimSun is missing). Tables for attendance, the agenda, views,
plans, votes, agreed and pending items, with the header row repeated on each page; the
signature section (heading, notes, signature rows, the organiser's seal line) kept together
on one page; the version and content hash in every page's footer.
"""
from __future__ import annotations

import io
import re
from datetime import timezone

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from facilitator.domain.minutes_model import MinutesDocument
from facilitator.validation import printable_text

from . import labels as L
from .layout import (Bullets, Drawing, Fields, Heading, Keep, Layout, PageBreak, Paragraph, SignatureLines,
                     Signoff, Table, Title, build)

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSION = "docx"

SERIF_EA, SANS_EA = "SimSun", "SimHei"  # 宋体, 黑体
SERIF_LATIN, SANS_LATIN = "Times New Roman", "Arial"
CONTENT_WIDTH_MM = 210 - 2 * 18
_ALIGN = {"L": WD_ALIGN_PARAGRAPH.LEFT, "C": WD_ALIGN_PARAGRAPH.CENTER, "R": WD_ALIGN_PARAGRAPH.RIGHT}


def _xml(text: str) -> str:
    """Text for WordprocessingML, escaped (without the characters XML 1.0 cannot carry)."""
    return printable_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _set_fonts(rpr_owner, latin: str, east_asian: str, lang: str) -> None:
    """Set w:rFonts (ascii, hAnsi, eastAsia, cs) and w:lang on a style's or run's rPr."""
    if hasattr(rpr_owner, "get_or_add_rPr"):
        rpr = rpr_owner.get_or_add_rPr()
    else:  # w:rPrDefault in w:docDefaults is a plain element
        rpr = rpr_owner.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_owner.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(theme)) is not None:
            del fonts.attrib[qn(theme)]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), L.language_tag(lang))
    lang_el.set(qn("w:eastAsia"), "zh-CN")


def _set_theme_language(document, lang: str) -> None:
    """The languages Word assumes for theme fonts (w:themeFontLang in settings.xml) and the
    legacy copy of the styles Word 2010 reads (stylesWithEffects.xml): python-docx's template
    says ja-JP and en-US there, which makes Word pick Japanese glyph forms and proofing for
    Chinese text."""
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        settings.append(theme_lang)
    theme_lang.set(qn("w:val"), L.language_tag(lang))
    theme_lang.set(qn("w:eastAsia"), "zh-CN")
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/stylesWithEffects.xml":
            part._blob = re.sub(rb'w:eastAsia="[A-Za-z-]+"', b'w:eastAsia="zh-CN"', part.blob)


def _style(document, name: str, latin: str, east_asian: str, lang: str, size: float | None = None,
           bold: bool | None = None, color: RGBColor | None = None):
    style = document.styles[name]
    _set_fonts(style.element, latin, east_asian, lang)
    font = style.font
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
    return style


def _setup(document, lang: str) -> None:
    # document defaults: every run without a style of its own
    styles_el = document.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            _set_fonts(rpr_default, SERIF_LATIN, SERIF_EA, lang)
    normal = _style(document, "Normal", SERIF_LATIN, SERIF_EA, lang, size=10.5)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.25
    _style(document, "Title", SANS_LATIN, SANS_EA, lang, size=18, bold=True, color=RGBColor(0, 0, 0))
    for level, size in ((1, 13), (2, 11.5), (3, 10.5)):
        style = _style(document, f"Heading {level}", SANS_LATIN, SANS_EA, lang, size=size, bold=True,
                       color=RGBColor(0, 0, 0))
        style.font.italic = False
        style.paragraph_format.space_before = Pt(12 if level == 1 else 8)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    for name in ("List Bullet", "List Number", "Table Grid", "Footer"):
        _style(document, name, SERIF_LATIN, SERIF_EA, lang)
    _set_theme_language(document, lang)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(18), Mm(20)
    section.footer_distance = Mm(8)


def _run(paragraph, text: str, *, bold: bool = False, size: float | None = None, sans: bool = False,
         lang: str = "zh", color: RGBColor | None = None):
    lines = printable_text(text).split("\n")
    run = None
    for n, line in enumerate(lines):
        run = paragraph.add_run(line)
        if n < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)
        run.bold = bold or None
        if size is not None:
            run.font.size = Pt(size)
        if sans:
            _set_fonts(run._element, SANS_LATIN, SANS_EA, lang)
        if color is not None:
            run.font.color.rgb = color
    return run


def _field(paragraph, instruction: str, lang: str, size: float) -> None:
    """A PAGE / NUMPAGES field."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    size_el = OxmlElement("w:sz")
    size_el.set(qn("w:val"), str(int(size * 2)))
    rpr.append(size_el)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


class _Renderer:
    def __init__(self, layout: Layout):
        self.layout = layout
        self.lang = layout.language
        self.doc = Document()
        _setup(self.doc, self.lang)
        self.table_style = self.doc.styles["Table Grid"].style_id
        self.keeping = False  # inside a Keep: each paragraph keeps with the next

    def render(self, created) -> bytes:
        layout = self.layout
        props = self.doc.core_properties
        props.title = layout.title
        props.subject = layout.footer
        props.keywords = f"sha256:{layout.content_hash}"
        props.author = "facilitator"
        props.last_modified_by = "facilitator"
        props.comments = f"SHA-256 {layout.content_hash}"
        props.language = L.language_tag(self.lang)
        props.created = props.modified = created
        props.revision = 1
        self._footer()
        for block in layout.blocks:
            getattr(self, f"_{type(block).__name__.lower()}")(block)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    def _footer(self) -> None:
        footer = self.doc.sections[0].footer
        paragraph = footer.paragraphs[0]
        _run(paragraph, self.layout.footer + "    ", size=7.5, sans=True, lang=self.lang)
        page = L.label("doc.page", self.lang, page="\x00", pages="\x01")
        before, rest = page.split("\x00")
        middle, after = rest.split("\x01")
        _run(paragraph, before, size=7.5, sans=True, lang=self.lang)
        _field(paragraph, "PAGE", self.lang, 7.5)
        _run(paragraph, middle, size=7.5, sans=True, lang=self.lang)
        _field(paragraph, "NUMPAGES", self.lang, 7.5)
        _run(paragraph, after, size=7.5, sans=True, lang=self.lang)
        hash_line = footer.add_paragraph()
        _run(hash_line, f"SHA-256 {self.layout.content_hash}", size=6.5, sans=True, lang=self.lang,
             color=RGBColor(0x55, 0x55, 0x55))

    # ------------------------------------------------------------------ blocks
    def _title(self, block: Title) -> None:
        title = self.doc.add_paragraph(style="Title")
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(title, block.text)
        # Title style in the default template has a bottom border: keep it, it reads well.
        subtitle = self.doc.add_paragraph()
        subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(subtitle, block.subtitle, size=13)
        for n, line in enumerate(block.meta):
            meta = self.doc.add_paragraph()
            meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
            meta.paragraph_format.space_after = Pt(0)
            red = self.layout.draft and n == len(block.meta) - 1
            _run(meta, line, size=9, sans=True, lang=self.lang, color=RGBColor(0xB0, 0, 0) if red else None)
        self.doc.add_paragraph()

    def _heading(self, block: Heading) -> None:
        self.doc.add_heading(block.text, level=block.level)

    def _keep(self, block: Keep) -> None:
        self.keeping = True
        for inner in block.blocks:
            getattr(self, f"_{type(inner).__name__.lower()}")(inner)
        self.keeping = False

    def _paragraph(self, block: Paragraph) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.keep_with_next = self.keeping or None
        size = 8.5 if block.small else None
        if block.lead:
            _run(paragraph, block.lead + L.colon(self.lang), bold=True, size=size, sans=True, lang=self.lang)
        _run(paragraph, block.text, size=size)

    def _fields(self, block: Fields) -> None:
        for key, value in block.rows:
            paragraph = self.doc.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(1)
            _run(paragraph, key + L.colon(self.lang), bold=True, sans=True, lang=self.lang)
            _run(paragraph, value)

    def _bullets(self, block: Bullets) -> None:
        style = "List Number" if block.ordered else "List Bullet"
        for item in block.items:
            paragraph = self.doc.add_paragraph(style=style)
            paragraph.paragraph_format.space_after = Pt(1)
            _run(paragraph, item)

    def _grid(self, headers, rows, widths, align: str, size: float, min_height_mm: float | None = None,
              keep_together: bool = False, keep_with_next: bool = False):
        """A bordered table (style Table Grid), its head row shaded and repeated on every page,
        no row split across pages. Built as one piece of WordprocessingML and parsed once:
        python-docx's cell-by-cell API takes seconds on a long meeting's tables."""
        total = sum(widths)
        twips = [int(CONTENT_WIDTH_MM * w / total * 1440 / 25.4) for w in widths]
        align = align.ljust(len(headers), "L")
        half_points = int(round(size * 2))
        lang = L.language_tag(self.lang)
        body_rpr = f'<w:rPr><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
        head_rpr = (f'<w:rPr><w:rFonts w:ascii="{SANS_LATIN}" w:hAnsi="{SANS_LATIN}" w:eastAsia="{SANS_EA}" '
                    f'w:cs="{SANS_LATIN}"/><w:b/><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
                    f'<w:lang w:val="{lang}" w:eastAsia="zh-CN"/></w:rPr>')
        jc = {"L": "left", "C": "center", "R": "right"}
        height = f'<w:trHeight w:val="{int(min_height_mm * 1440 / 25.4)}" w:hRule="atLeast"/>' \
            if min_height_mm else ""
        out = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{self.table_style}"/>'
               f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
               '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
               'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>']
        out += [f'<w:gridCol w:w="{t}"/>' for t in twips]
        out.append("</w:tblGrid>")

        def paragraph(text: str, justify: str, rpr: str, keep: bool) -> str:
            keep_el = "<w:keepNext/>" if keep else ""
            runs = "<w:br/>".join(f'<w:t xml:space="preserve">{_xml(line)}</w:t>' for line in text.split("\n"))
            return (f'<w:p><w:pPr>{keep_el}<w:spacing w:after="0"/><w:jc w:val="{justify}"/></w:pPr>'
                    f"<w:r>{rpr}{runs}</w:r></w:p>")

        count = len(rows)
        for index, texts in enumerate([headers, *rows]):
            head = index == 0
            keep = keep_together and (index < count or keep_with_next)
            tr_pr = "<w:cantSplit/>" + ("<w:tblHeader/>" if head else height)
            cells = []
            for text, width, a in zip(texts, twips, align):
                shade = '<w:shd w:val="clear" w:color="auto" w:fill="ECECEC"/>' if head else ""
                cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>'
                             + paragraph(text, "center" if head else jc[a], head_rpr if head else body_rpr, keep)
                             + "</w:tc>")
            out.append(f"<w:tr><w:trPr>{tr_pr}</w:trPr>{''.join(cells)}</w:tr>")
        out.append("</w:tbl>")
        body = self.doc.element.body
        body.insert(len(body) - 1, parse_xml("".join(out)))  # before the section properties
        spacer = self.doc.add_paragraph().paragraph_format
        spacer.space_after = Pt(2)
        spacer.keep_with_next = keep_with_next or None

    def _table(self, block: Table) -> None:
        self._grid(block.headers, block.rows, block.widths, block.align, 8.5 if block.small else 9)

    def _signaturelines(self, block: SignatureLines) -> None:
        """The signature table, then the organiser's seal line: the rows kept with each other
        and with the seal (Word moves them to the next page together)."""
        rows = [(role, name, "", "") for role, name in block.rows]
        if rows:
            self._grid(block.headers, rows, (27, 25, 30, 18), "LLLL", 10, min_height_mm=11,
                       keep_together=True, keep_with_next=True)
        label, host = block.host
        lines = ((label + L.colon(self.lang) + host, 10.5, True), (block.seal, 9, False), (block.date, 10.5, False))
        for n, (text, size, bold) in enumerate(lines):
            paragraph = self.doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.keep_with_next = n < len(lines) - 1
            if n == 1:  # room for the seal (a 40 mm stamp) around its caption
                paragraph.paragraph_format.space_before = Mm(16)
                paragraph.paragraph_format.space_after = Mm(16)
            _run(paragraph, text, bold=bold, size=size, sans=bold, lang=self.lang,
                 color=RGBColor(0x88, 0x88, 0x88) if n == 1 else None)

    def _drawing(self, block: Drawing) -> None:
        """A signature drawn on a phone: the caption kept with the image under it."""
        caption = self.doc.add_paragraph()
        caption.paragraph_format.keep_with_next = True
        caption.paragraph_format.space_after = Pt(1)
        _run(caption, block.caption, size=8.5)
        picture = self.doc.add_paragraph()
        picture.add_run().add_picture(io.BytesIO(block.png), width=Mm(50))

    def _pagebreak(self, block: PageBreak) -> None:
        self.doc.add_page_break()


def render(document: MinutesDocument, language: str | None = None,
           signoffs: tuple[Signoff, ...] = ()) -> bytes:
    return render_layout(build(document, language, signoffs),
                         document.header.finalised_at or document.header.started_at)


def render_layout(layout: Layout, created) -> bytes:
    """The DOCX of any document laid out in blocks (the minutes, a result notice)."""
    if created.tzinfo is not None:
        created = created.astimezone(timezone.utc).replace(tzinfo=None)
    return _Renderer(layout).render(created)
