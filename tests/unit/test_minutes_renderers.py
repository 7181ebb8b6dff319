"""The minutes (协商纪要): one document model, five formats that say the same thing.

The demo meeting's minutes are built by hand in tests/minutes_factory.py from the demo case
files; the JSON export is pinned by a reviewed golden file (FACILITATOR_UPDATE_GOLDEN=1
rewrites it). Each test name reads as a rule.
"""
from __future__ import annotations

import csv
import dataclasses
import html as html_lib
import io
import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from pypdf import PdfReader

from facilitator.domain.minutes_model import (
    ChoiceCount,
    Count,
    MinutesDocument,
    NamedChoice,
    Signature,
    Vote,
    finalise,
)
from facilitator.domain.voting import Ballot, Question, owners_from_roster, parse_area, tally
from facilitator.exports import docx as docx_export
from facilitator.exports import html as html_export
from facilitator.exports import json as json_export
from facilitator.exports import labels
from facilitator.exports import markdown as markdown_export
from facilitator.exports import pdf as pdf_export
from tests.minutes_factory import CST, DEMO_DIR, case_data, demo_minutes, roster
from tests.support import require_service

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"
UPDATE_GOLDEN = os.environ.get("FACILITATOR_UPDATE_GOLDEN") == "1"
TEXT_FORMATS = {"md": markdown_export, "html": html_export, "json": json_export}
PARTY_NAMES_ZH = ("业主", "业主委员会", "物业服务企业", "建设单位", "住建部门", "街道办事处", "社区",
                  "政协委员", "专家", "列席")


def squash(text: str) -> str:
    """Text without any whitespace: PDF and DOCX break lines where the page ends."""
    return re.sub(r"\s+", "", text)


def extract_pdf_text(data: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it (what viewers copy and search), in
    drawing order (``-raw``), so a table cell's lines stay together.

    Not pypdf: the fonts are CID-keyed CFF (Noto SC), which fpdf2 addresses through an
    embedded encoding CMap (code -> CID), a standard form that poppler, pdf.js and Acrobat
    read but pypdf's text extraction does not (it garbles some characters). pypdf is used
    for the file's structure (fonts embedded, page size).
    """
    tool = shutil.which("pdftotext")
    require_service(tool is not None, "pdftotext (Debian's poppler-utils) is not installed")
    done = subprocess.run([tool, "-raw", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True,
                          timeout=60)
    return done.stdout.decode("utf-8")


def plain(fmt: str, text: str) -> str:
    """The words of a rendered format without its markup."""
    if fmt == "html":
        text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text.split("<body>", 1)[1]))
    elif fmt == "md":
        text = re.sub(r"<br>|\\(?=[\\*_`<>\[\]|#])|[|*]", " ", text)
    return text


@cache
def document(language: str = "zh") -> MinutesDocument:
    return demo_minutes(language)


@cache
def pdf_bytes(language: str = "zh") -> bytes:
    return pdf_export.render(document(language), language)


@cache
def pdf_text(language: str = "zh") -> str:
    return extract_pdf_text(pdf_bytes(language))


@cache
def docx_bytes(language: str = "zh") -> bytes:
    return docx_export.render(document(language), language)


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell in document order, then the footers."""
    doc = open_docx(io.BytesIO(data))
    parts = []
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                parts += [cell.text for cell in row.cells]
        else:
            parts.append(block.text)
    for section in doc.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def every_format_as_text(doc: MinutesDocument, language: str) -> dict[str, str]:
    texts = {name: plain(name, module.render(doc, language).decode("utf-8"))
             for name, module in TEXT_FORMATS.items()}
    texts["pdf"] = extract_pdf_text(pdf_export.render(doc, language))
    texts["docx"] = docx_text(docx_export.render(doc, language))
    return texts


# --------------------------------------------------------------------------- the model


def test_the_demo_minutes_carry_the_straw_poll_numbers_of_the_case_file():
    poll = case_data()["expected"]["straw_poll"]
    vote = document().votes[0]
    assert vote.kind == "straw_poll" and vote.non_binding
    assert vote.participation == Count(poll["participating_owners"], parse_area(poll["participating_area_m2"]))
    got = {c.choice: (c.owners, c.area) for c in vote.counts}
    assert got == {key: (poll[key]["owners"], parse_area(poll[key]["area_m2"]))
                   for key in ("A", "B", "C", "abstain")}
    assert got["C"] == (12, 144599)


def test_the_straw_poll_numbers_agree_with_counting_the_demo_ballots():
    rows = []
    with open(DEMO_DIR / "owners.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append((row["unit"], parse_area(row["area_m2"]), row["owner"], row["owner_key"]))
    owners = {o.key: o for o in owners_from_roster(rows)}
    with open(DEMO_DIR / "ballots.csv", encoding="utf-8", newline="") as handle:
        choices = {row["owner_key"]: row["straw_poll"] for row in csv.DictReader(handle)}
    ballots = [Ballot.cast(owners[key], choice) for key, choice in choices.items()
               if choice not in ("absent", "recused")]
    result = tally(Question.single("A", "B", "C"), ballots)
    vote = document().votes[0]
    assert result.participation == vote.participation
    assert {c.choice: Count(c.owners, c.area) for c in vote.counts} == result.counts
    # and the owners present are the owners who voted
    assert document().attendance.owners_present == result.participation


def test_the_demo_minutes_list_the_seven_agreed_items_of_the_case_file():
    items = case_data()["action_items"]
    agreed = document().agreed
    assert [(a.party, a.person, a.due.isoformat()) for a in agreed] == \
        [(i["party"], i["person"], i["due"]) for i in items]
    assert document().agreed[0].what == items[0]["what"]
    assert document("en").agreed[0].what == items[0]["what_en"]


def test_the_owners_decision_on_the_fund_is_pending_under_the_article_278_majority_rule():
    pending = document().pending[0]
    assert pending.kind == "owners_decision"
    assert pending.matters == ("use_fund",) and pending.rule == "art278_majority"


def test_the_model_holds_no_floats_and_reads_back_what_it_wrote():
    doc = document()
    text = doc.to_json()
    json.loads(text, parse_float=lambda value: pytest.fail(f"a float in the minutes: {value}"))
    assert MinutesDocument.from_json(text) == doc
    assert MinutesDocument.from_json(text).content_hash() == doc.content_hash()
    bad = dataclasses.replace(doc, attendance=dataclasses.replace(doc.attendance, owners_present=Count(22, 2553.93)))
    with pytest.raises(TypeError):
        bad.to_json()


def test_a_straw_poll_is_always_non_binding():
    with pytest.raises(ValueError):
        dataclasses.replace(document().votes[0], non_binding=False)


def test_a_secret_vote_cannot_hold_who_chose_what():
    with pytest.raises(ValueError, match="secret"):
        dataclasses.replace(document().votes[0], named_choices=(NamedChoice("张建国", "C"),))


def test_finalising_locks_the_version_and_changes_the_hash():
    final = document()
    draft = dataclasses.replace(final, header=dataclasses.replace(final.header, status="draft", finalised_at=None))
    assert draft.content_hash() != final.content_hash()
    again = finalise(draft, final.header.finalised_at)
    assert again == final and again.content_hash() == final.content_hash()
    with pytest.raises(ValueError):
        finalise(final, final.header.finalised_at)
    assert "草稿" in markdown_export.render(draft, "zh").decode()


# --------------------------------------------------------------------------- golden and determinism


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_json_export_matches_the_reviewed_golden_file(language):
    golden = GOLDEN_DIR / f"minutes_jinhua_{language}.json"
    rendered = json_export.render(document(language), language)
    if UPDATE_GOLDEN or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(rendered)
        if not UPDATE_GOLDEN:
            pytest.fail(f"{golden.name} was missing and has been written: review it, then run again")
    assert rendered.decode("utf-8") == golden.read_text(encoding="utf-8")


def test_the_json_export_carries_the_content_hash_of_its_minutes():
    payload = json.loads(json_export.render(document(), "zh"))
    canonical = json.dumps(payload["minutes"], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    import hashlib
    assert payload["content_hash"] == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    assert payload["content_hash"] == f"sha256:{document().content_hash()}"


@pytest.mark.parametrize("name", sorted(TEXT_FORMATS))
def test_rendering_twice_gives_the_same_bytes(name):
    module = TEXT_FORMATS[name]
    first = module.render(demo_minutes("zh"), "zh")
    second = module.render(demo_minutes("zh"), "zh")
    assert first == second
    assert demo_minutes("zh").content_hash() == demo_minutes("zh").content_hash()


def test_the_pdf_is_the_same_file_every_time():
    assert pdf_export.render(demo_minutes("zh"), "zh") == pdf_bytes("zh")


# --------------------------------------------------------------------------- PDF


def test_the_pdf_is_a4_with_its_chinese_fonts_embedded():
    reader = PdfReader(io.BytesIO(pdf_bytes()))
    fonts_seen = set()
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts_seen.add(str(font["/BaseFont"]))
            assert font["/Subtype"] == "/Type0"
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font["/BaseFont"]
            assert "/ToUnicode" in font  # text can be copied and searched
    assert fonts_seen == {"/MPDFAA+NotoSansSC"}  # one face, embedded as a subset (the MPDFAA+ tag)
    assert len(pdf_bytes()) < 500_000  # not the 8 MB font


def test_the_pdf_text_holds_the_title_every_party_the_straw_poll_and_every_agreed_item():
    text = squash(pdf_text())
    doc = document()
    assert squash(doc.header.title) in text
    assert squash(doc.header.case_title) in text
    for party in PARTY_NAMES_ZH:
        assert party in text, party
    assert "1,445.99" in text and "方案C12" in text  # the tally row: C, 12 owners, ...
    assert "意向表决" in text and "不具约束力" in text
    for item in doc.agreed:
        assert squash(item.what) in text, item.what
    assert doc.content_hash() in text
    assert "第1版" in text and "定稿" in text


def test_the_english_pdf_speaks_english():
    text = squash(pdf_text("en"))
    assert squash("Minutes no.") in text and squash("Agreed items") in text and "straw poll" in pdf_text("en")
    for item in document("en").agreed:
        assert squash(item.what) in text, item.what


# --------------------------------------------------------------------------- DOCX


def test_the_docx_opens_and_holds_the_same_content():
    text = squash(docx_text(docx_bytes()))
    doc = document()
    assert squash(doc.header.title) in text
    for party in PARTY_NAMES_ZH:
        assert party in text, party
    assert "1,445.99" in text and "12" in text
    for item in doc.agreed:
        assert squash(item.what) in text, item.what
    assert doc.content_hash() in text


def test_the_docx_styles_set_a_chinese_east_asian_font_and_language():
    word = open_docx(io.BytesIO(docx_bytes()))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid"):
        rpr = word.styles[name].element.rPr
        fonts = rpr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) in ("SimSun", "SimHei"), name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name
        assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN", name
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert len(word.tables) >= 8  # attendance, proxies, agenda, views, plans, tally, agreed, pending, ...


# --------------------------------------------------------------------------- HTML and Markdown


def test_the_html_page_is_standalone_and_prints_on_a4():
    page = html_export.render(document(), "zh").decode()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "size: A4" in page and "<script" not in page and "http" not in page.split("<body>")[0]
    assert document().content_hash() in page


def test_the_sections_are_numbered_as_in_chinese_minutes():
    text = markdown_export.render(document(), "zh").decode()
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings == ["一、会议基本情况", "二、出席情况", "三、协商事项", "四、议程及实际用时", "五、情况通报",
                        "六、各方意见", "七、方案比选与表决", "八、议定事项", "九、分歧及待决事项", "十、后续安排",
                        "十一、附件", "十二、签字", "附录"]


def test_markdown_escapes_the_clerks_text():
    doc = document()
    tricky = dataclasses.replace(doc.views[0], notes="| a *b* <script> [x](y)\nsecond line")
    rendered = markdown_export.render(dataclasses.replace(doc, views=(tricky,) + doc.views[1:]), "zh").decode()
    assert "\\| a \\*b\\* \\<script\\> \\[x\\](y)<br>second line" in rendered
    assert "<script>" not in rendered


# --------------------------------------------------------------------------- secret ballots


def _owner_names() -> list[str]:
    group = next(g for g in document().attendance.groups if g.party == "owner")
    return [person.name for person in group.people]


def _named_variant(doc: MinutesDocument) -> MinutesDocument:
    """The same straw poll as an open (named) vote, from the scripted ballots."""
    with open(DEMO_DIR / "ballots.csv", encoding="utf-8", newline="") as handle:
        choices = {row["owner_key"]: row["straw_poll"] for row in csv.DictReader(handle)}
    owners = roster()
    named = tuple(NamedChoice(owners[key]["name"].split("、")[0], choice, tuple(owners[key]["units"]),
                              cast_by=owners[key]["name"].split("、")[0], verified_via="desk")
                  for key, choice in choices.items() if choice not in ("absent", "recused"))
    vote = dataclasses.replace(doc.votes[0], secret=False, named_choices=named)
    return dataclasses.replace(doc, votes=(vote,))


def _vote_section(text: str, doc: MinutesDocument, language: str) -> str:
    flat = squash(text)
    start = flat.index(squash(labels.label("vote.heading", language, n=1, question=doc.votes[0].question)))
    end = flat.index(squash(labels.section_number(8, language) + labels.label("sec.agreed", language)), start)
    return flat[start:end]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_secret_vote_shows_no_voter_and_no_voter_choice_link_in_any_format(language):
    doc = document(language)
    assert doc.votes[0].secret
    names = _owner_names()
    named_label = squash(labels.label("vote.named_choices", language))
    for fmt, text in every_format_as_text(doc, language).items():
        if fmt == "json":
            payload = json.loads(text)
            assert all(v["named_choices"] is None for v in payload["minutes"]["votes"])
            continue
        assert named_label not in squash(text), fmt
        section = _vote_section(text, doc, language)
        leaked = [name for name in names if name in section]
        assert leaked == [], (fmt, leaked)
        assert squash(labels.label("vote.secret_note", language)) in section, fmt


def test_the_same_vote_held_openly_lists_who_chose_what_in_every_format():
    # The control for the test above: the check does find voter-choice pairs when they exist.
    doc = _named_variant(document("zh"))
    for fmt, text in every_format_as_text(doc, "zh").items():
        if fmt == "json":
            payload = json.loads(text)
            pairs = {(n["voter"], n["choice"]) for n in payload["minutes"]["votes"][0]["named_choices"]}
            assert ("张建国", "abstain") in pairs and ("刘秀英", "C") in pairs
            continue
        section = _vote_section(text, doc, "zh")
        assert "记名表决明细" in section, fmt
        # Who actually voted, the owner they voted for, the unit, how they were verified, the choice.
        assert "张建国张建国3-1-101签到台核验弃权" in section, fmt
        assert "刘秀英刘秀英3-1-102签到台核验方案C" in section, fmt


# --------------------------------------------------------------------------- labels


def test_every_key_the_demo_uses_has_a_label():
    doc = document()
    keys = {f"party.{g.party}" for g in doc.attendance.groups}
    keys |= {f"kind.{v.kind}" for v in doc.views} | {f"stance.{v.stance}" for v in doc.views if v.stance}
    keys |= {f"funding.{s.source}" for p in doc.plans for s in p.funding}
    keys |= {f"matter.{m}" for p in doc.plans for m in p.matters}
    keys |= {f"date.{d.key}" for d in doc.matter.dates} | {f"tl.{e.kind}" for e in doc.appendix.timeline}
    keys |= {f"pending.kind.{p.kind}" for p in doc.pending} | {f"role.{s.role}" for s in doc.signatures}
    keys |= {f"vote.kind.{v.kind}" for v in doc.votes} | {f"vote.method.{v.method}" for v in doc.votes}
    keys |= {f"segment.{a.segment}" for a in doc.agenda}
    missing = sorted(key for key in keys if not labels.has_label(key))
    assert missing == []


def test_dates_money_and_durations_read_naturally():
    assert labels.fmt_date(datetime(2026, 12, 5).date(), "zh") == "2026年12月5日"
    assert labels.fmt_date(datetime(2026, 12, 5).date(), "en") == "5 December 2026"
    start, end = datetime(2026, 12, 5, 14, 32, tzinfo=CST), datetime(2026, 12, 5, 16, 50, tzinfo=CST)
    assert labels.fmt_span(start, end, "zh") == "2026年12月5日 14:32—16:50"
    assert labels.fmt_money(475403, "zh") == "4,754.03元" and labels.fmt_money(475403, "en") == "CNY 4,754.03"
    assert labels.fmt_duration(8280, "zh") == "2小时18分" and labels.fmt_duration(150, "en") == "2 min 30 s"
    assert labels.section_number(12, "zh") == "十二、" and labels.section_number(12, "en") == "12. "


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError):
        markdown_export.render(document(), "fr")


def test_a_tally_without_area_shows_headcounts_only():
    doc = document()
    procedural = Vote(number=2, question="是否延长方案比选10分钟？", kind="procedural", non_binding=False,
                      method="yes_no", secret=False, rule="simple_majority", rule_text="",
                      eligible="全体与会人员", participation=Count(30, 0),
                      counts=(ChoiceCount("yes", "同意", 25), ChoiceCount("no", "反对", 3),
                              ChoiceCount("abstain", "弃权", 2)),
                      explanation="通过：同意 25/30 人（83.3%）；需过半数", passed=True, named_choices=())
    text = markdown_export.render(dataclasses.replace(doc, votes=doc.votes + (procedural,)), "zh").decode()
    assert "| 同意 | 25 | 83.3% |" in text and "程序表决（具有约束力）" in text


def test_the_clerks_text_cannot_inject_markup_into_the_html_page():
    doc = document()
    tricky = dataclasses.replace(doc.views[0], notes='<script>alert(1)</script> & "quoted"')
    page = html_export.render(dataclasses.replace(doc, views=(tricky,) + doc.views[1:]), "zh").decode()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;" in page


def test_a_note_longer_than_a_page_continues_on_the_next_pages_of_the_pdf():
    doc = document()
    long_note = "".join(f"第{n}句记录：业主认为排水口应先疏通。" for n in range(1, 301))
    view = dataclasses.replace(doc.views[0], notes=long_note)
    data = pdf_export.render(dataclasses.replace(doc, views=(view,) + doc.views[1:]), "zh")
    assert len(PdfReader(io.BytesIO(data)).pages) > len(PdfReader(io.BytesIO(pdf_bytes())).pages) + 2
    text = squash(extract_pdf_text(data))
    assert "第1句记录：业主认为排水口应先疏通。" in text and "第300句记录：业主认为排水口应先疏通。" in text
    # (a sentence cut by a page break has the footer and the next page's head in between)
    assert text.count("业主认为排水口应先疏通。") >= 290


def _pdf_pages(data: bytes) -> list[str]:
    return extract_pdf_text(data).split("\f")[:-1]


@pytest.mark.parametrize("signers", [3, 9, 14, 19, 24, 31, 40])
def test_no_pdf_page_holds_a_single_signature_row_or_the_seal_without_rows(signers):
    doc = document()
    people = tuple(Signature("owner_representative", f"签字人{n:02d}", "owner") for n in range(1, signers + 1))
    pages = _pdf_pages(pdf_export.render(dataclasses.replace(doc, signatures=people), "zh"))
    rows = [len(re.findall(r"签字人\d\d", page)) for page in pages]
    assert sum(rows) == signers
    assert all(n == 0 or n >= 2 for n in rows), rows
    (seal_page,) = [n for n, page in enumerate(pages) if "盖章处" in page]
    assert rows[seal_page] >= 2 and "主办单位（盖章）：锦华社区居委会" in squash(pages[seal_page])
    if signers <= 14:  # fits on one page: heading, notes, rows and seal together
        assert rows[seal_page] == signers and "十二、签字" in pages[seal_page]


def test_a_character_no_font_has_is_written_as_its_code_point():
    doc = dataclasses.replace(document(), summary=("业主表示满意😀，并点赞👍❤️。",))
    text = squash(extract_pdf_text(pdf_export.render(doc, "zh", fallback_fonts=())))
    # (the variation selector after the heart, U+FE0F, shows nothing on its own)
    assert "业主表示满意[U+1F600]，并点赞[U+1F44D][U+2764]。" in text


def test_a_fallback_font_draws_what_the_chinese_font_lacks():
    dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if not os.path.exists(dejavu):
        pytest.skip("DejaVu Sans (Debian's fonts-dejavu-core) is not installed")
    doc = dataclasses.replace(document(), summary=("业主表示满意😀✔，并点赞👍。",))
    data = pdf_export.render(doc, "zh", fallback_fonts=(dejavu,))
    assert "业主表示满意😀✔，并点赞[U+1F44D]。" in squash(extract_pdf_text(data))
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1] for page in PdfReader(io.BytesIO(data)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts == {"NotoSansSC", "DejaVuSansBook"}


def test_a_table_cell_split_by_page_breaks_stays_one_element_of_the_pdfs_structure():
    doc = document()
    long_note = "".join(f"第{n}句记录：业主认为排水口应先疏通。" for n in range(1, 301))
    view = dataclasses.replace(doc.views[0], notes=long_note)
    data = pdf_export.render(dataclasses.replace(doc, views=(view,) + doc.views[1:]), "zh")
    tool = shutil.which("pdfinfo")
    require_service(tool is not None, "pdfinfo (Debian's poppler-utils) is not installed")
    lines = subprocess.run([tool, "-struct-text", "-"], input=data, capture_output=True, check=True,
                           timeout=60).stdout.decode("utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if "第1句记录" in line)
    assert lines[start - 1].strip() == "TD"
    cell = []
    for line in lines[start:]:
        if not line.strip().startswith('"'):
            break
        cell.append(line.strip()[1:-1])
    assert "".join(cell) == long_note  # one cell over several pages, in order, nothing else


def test_the_language_defaults_to_the_meetings():
    assert markdown_export.render(document("en")) == markdown_export.render(document("en"), "en")
    assert pdf_export.render(document("zh")) == pdf_bytes("zh")


def test_a_typed_text_in_the_print_footer_cannot_end_its_style_element():
    """The case number (typed on the case form) sits in a CSS string inside <style>."""
    from facilitator.exports.html import _css_string
    written = _css_string('JH-</style><b>案</b>"\\')
    assert "<" not in written and "</style" not in written.lower()
    assert written == '"JH-\\3c /style>\\3c b>案\\3c /b>\\"\\\\"'
