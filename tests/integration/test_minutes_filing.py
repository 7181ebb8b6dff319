"""Minutes that a street office would file: downloaded over HTTP the way the chair does, then
read back the way a reader gets them (poppler's pdftotext for the PDF, python-docx for the
DOCX). The organiser and its seal line, the actual voters, one language, no lost character,
zh-CN in Word, a signature page that holds together, amounts that wrap whole, table cells
apart in the PDF's text, a tagged PDF/A-2u.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from pypdf import PdfReader

from facilitator.actions.cases import create_meeting
from facilitator.demo import load_demo
from facilitator.demo_played import load_played_demo
from facilitator.extensions import db
from facilitator.models import Case, Meeting, User
from tests.factories import chair_of, login, make_meeting, make_user, run, sign_in_as
from tests.support import require_service
from tests.unit.test_minutes_renderers import docx_text, plain, squash


@pytest.fixture
def played(ctx):
    """The demo meeting held, ended and its minutes final (version 1)."""
    info = load_played_demo()
    return db.session.get(Meeting, info["meeting_id"])


def _chair_client(app, meeting: Meeting):
    client = app.test_client()
    sign_in_as(client, db.session.get(User, meeting.moderator_id))
    return client


def _download(app, meeting: Meeting, fmt: str) -> bytes:
    response = _chair_client(app, meeting).get(f"/meetings/{meeting.id}/minutes.{fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


def pdftotext(data: bytes, *args: str) -> str:
    """pdftotext's reading of the PDF (-layout: the page as laid out, columns kept)."""
    tool = shutil.which("pdftotext")
    require_service(tool is not None, "pdftotext (Debian's poppler-utils) is not installed")
    done = subprocess.run([tool, "-layout", "-enc", "UTF-8", *args, "-", "-"], input=data,
                          capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")


def structure(data: bytes) -> list:
    """The PDF's structure tree as poppler reads it (pdfinfo -struct-text): nested
    [type, text, children] lists, a cell's lines joined."""
    tool = shutil.which("pdfinfo")
    require_service(tool is not None, "pdfinfo (Debian's poppler-utils) is not installed")
    done = subprocess.run([tool, "-struct-text", "-"], input=data, capture_output=True, check=True,
                          timeout=60)
    root: list = ["", "", []]
    stack = [(-1, root)]
    for line in done.stdout.decode("utf-8").splitlines():
        depth = len(line) - len(line.lstrip(" "))
        while stack[-1][0] >= depth:
            stack.pop()
        item = line.strip()
        if item.startswith('"'):
            stack[-1][1][1] += item[1:-1]
        else:
            node = [item.split(" ")[0], "", []]
            stack[-1][1][2].append(node)
            stack.append((depth, node))
    return root[2]


def rows_of(tree: list) -> list[list[str]]:
    """Every table row of the structure tree, as the texts of its cells."""
    out = []
    for kind, _, children in tree:
        if kind == "TR":
            out.append([text for _, text, _ in children])
        out += rows_of(children)
    return out


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text (pdftotext separates pages with a form feed)."""
    return pdftotext(data).split("\f")[:-1]


# --------------------------------------------------------------------------- the organiser


def test_the_minutes_name_the_organiser_and_leave_a_seal_line_in_every_format(played, app):
    pdf = squash(pdftotext(_download(app, played, "pdf")))
    docx = squash(docx_text(_download(app, played, "docx")))
    md = squash(_download(app, played, "md").decode("utf-8")).replace("**", "")
    html = squash(re.sub(r"<[^>]+>", "", _download(app, played, "html").decode("utf-8")))
    for fmt, text in (("pdf", pdf), ("docx", docx), ("md", md), ("html", html)):
        assert re.search("主办单位：?锦华社区居委会", text), fmt  # 一、会议基本情况
        assert "主办单位（盖章）：锦华社区居委会" in text, fmt  # 十二、签字
        assert "盖章处" in text, fmt


def test_the_organiser_is_set_on_the_case_form_and_defaults_to_the_community(ctx, app):
    moderator = make_user("moderator")
    client = app.test_client()
    login(client, moderator)
    form = {"number": "JH-2026-101", "title": "电梯加装", "community": "锦华苑小区",
            "source_channel": "letter"}
    assert "主办单位" in client.get("/cases/new").get_data(as_text=True)
    assert client.post("/cases/new", data=form).status_code == 302
    case = db.session.execute(db.select(Case).filter_by(number="JH-2026-101")).scalar_one()
    assert case.organiser == ""
    meeting = create_meeting(case, {"title": "协商会", "moderator_id": moderator.id})
    draft = client.get(f"/meetings/{meeting.id}/minutes.md").get_data(as_text=True)
    assert "**主办单位（盖章）**：锦华苑小区" in draft  # the community, until an organiser is set
    edited = client.post(f"/cases/{case.id}/edit", data={**form, "organiser": "锦华社区居委会"})
    assert edited.status_code == 302
    assert db.session.get(Case, case.id).organiser == "锦华社区居委会"
    draft = client.get(f"/meetings/{meeting.id}/minutes.md").get_data(as_text=True)
    assert "**主办单位（盖章）**：锦华社区居委会" in draft
    too_long = client.post(f"/cases/{case.id}/edit", data={**form, "organiser": "社" * 101})
    assert too_long.status_code == 400
    assert "“主办单位”太长（最多 100 个字）。" in too_long.get_data(as_text=True)
    assert db.session.get(Case, case.id).organiser == "锦华社区居委会"  # nothing changed


# --------------------------------------------------------------------------- one language

# Latin letters a Chinese minutes may hold: the case and minutes numbers, a work order's
# number, millimetres, the name of the hash (the hashes themselves are taken out first).
LATIN_IN_CHINESE = {"JH", "YSHSL", "JY", "WO", "mm", "SHA"}


def test_the_chinese_demo_minutes_are_chinese_throughout(played, app):
    texts = {"pdf": pdftotext(_download(app, played, "pdf")),
             "docx": docx_text(_download(app, played, "docx")),
             "md": plain("md", _download(app, played, "md").decode("utf-8"))}
    for fmt, text in texts.items():
        words = set(re.findall(r"[A-Za-z]{2,}", re.sub(r"\b[0-9a-f]{64}\b", "", text)))
        assert not words - LATIN_IN_CHINESE, (fmt, sorted(words - LATIN_IN_CHINESE))


def test_the_live_demos_draft_minutes_are_chinese_throughout(ctx, app):
    """`facilitator demo`: the meeting open, the plans as the case file gives them."""
    info = load_demo()
    meeting = db.session.get(Meeting, info["meeting_id"])
    text = pdftotext(_download(app, meeting, "pdf"))
    assert "内侧注浆堵漏" in text  # plan A, with its description
    words = set(re.findall(r"[A-Za-z]{2,}", re.sub(r"\b[0-9a-f]{64}\b", "", text)))
    assert not words - LATIN_IN_CHINESE, sorted(words - LATIN_IN_CHINESE)


# --------------------------------------------------------------------------- characters


def test_an_emoji_in_the_clerks_text_is_drawn_or_marked_never_dropped(ctx, app):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    client = app.test_client()
    login(client, moderator)
    run(meeting, chair_of(meeting), "minutes.write",
        {"section": "summary", "text": "各方同意先疏通排水口👍，业主表示满意😀。"})
    pdf = squash(pdftotext(client.get(f"/meetings/{meeting.id}/minutes.pdf").data))
    # Drawn by a fallback font where the machine has one, else its code point in brackets.
    assert re.search(r"排水口(👍|\[U\+1F44D\])，业主表示满意(😀|\[U\+1F600\])。", pdf), pdf[:2000]
    docx = docx_text(client.get(f"/meetings/{meeting.id}/minutes.docx").data)
    assert "各方同意先疏通排水口👍，业主表示满意😀。" in docx


def test_word_is_told_the_text_is_simplified_chinese_in_every_part_of_the_docx(played, app):
    package = zipfile.ZipFile(io.BytesIO(_download(app, played, "docx")))
    east_asian = set()
    for name in package.namelist():
        if not name.endswith(".xml"):
            continue
        xml = package.read(name).decode("utf-8")
        assert "ja-JP" not in xml, name
        east_asian |= set(re.findall(r'w:eastAsia="([A-Za-z]{2}-[A-Z]{2})"', xml))
    assert east_asian == {"zh-CN"}
    settings = package.read("word/settings.xml").decode("utf-8")
    assert re.search(r'<w:themeFontLang w:val="zh-CN" w:eastAsia="zh-CN"/>', settings)
    assert open_docx(io.BytesIO(_download(app, played, "docx"))).core_properties.language == "zh-CN"


# --------------------------------------------------------------------------- the signature page


def test_the_signature_section_holds_together_on_one_page_of_the_pdf(played, app):
    pages = pdf_pages(_download(app, played, "pdf"))
    (page,) = [p for p in pages if "十二、签字" in p]
    doc_signers = [name for name in ("郑文涛", "许静", "陈立华", "周明", "高峰", "林晓", "何军", "刘工")]
    flat = squash(page)
    for name in doc_signers:
        assert name in flat, name
    assert "主办单位（盖章）：锦华社区居委会" in flat and "盖章处" in flat
    # and no other page holds a signature row
    for other in pages:
        if other is not page:
            assert "与会各方确认" not in other and "盖章处" not in other


def test_word_keeps_the_signature_section_together(played, app):
    """Word paginates a DOCX itself: from the heading to the seal's date line every paragraph
    keeps with the next, and every signature row keeps with the next and is never split."""
    body = open_docx(io.BytesIO(_download(app, played, "docx"))).element.body
    blocks = list(body.iterchildren())

    def text(block) -> str:
        return "".join(t.text or "" for t in block.iter(qn("w:t")))

    start = next(n for n, b in enumerate(blocks) if b.tag == qn("w:p") and text(b) == "十二、签字")
    end = next(n for n, b in enumerate(blocks) if n > start and "年　　月　　日" in text(b))
    section = blocks[start:end]
    tables = [b for b in section if b.tag == qn("w:tbl")]
    assert len(tables) == 1 and len(tables[0].findall(qn("w:tr"))) == 11  # head and 10 signers
    for block in section:
        if block.tag == qn("w:p"):
            assert block.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None or \
                block.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val")) == "Heading1", text(block)
        elif block.tag == qn("w:tbl"):
            for row in block.findall(qn("w:tr")):
                assert row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
                for paragraph in row.iter(qn("w:p")):
                    assert paragraph.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None


# --------------------------------------------------------------------------- amounts and cells


def test_every_yuan_amount_stands_whole_on_one_line_of_the_pdf(played, app):
    text = pdftotext(_download(app, played, "pdf"))
    amounts = re.findall(r"\d{1,3}(?:,\d{3})*\.\d{2}元", squash(text))
    assert len(amounts) > 20  # plans, funding shares, the fund, agreed items
    for amount in set(amounts):
        assert amount in text, amount  # never "1,569,600.00" on one line and "元" on the next
    assert not re.search(r"^\s*元", text, flags=re.M)


def test_an_amount_wider_than_its_column_breaks_after_a_thousands_separator(ctx, app):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    client = app.test_client()
    login(client, moderator)
    run(meeting, chair_of(meeting), "action_item.add", {
        "what": "整体改造", "party": "developer", "person": "高峰", "due": "2027-06-30",
        "amount": "987654321.09", "funding_source": "developer"})
    text = pdftotext(client.get(f"/meetings/{meeting.id}/minutes.pdf").data)
    pieces = re.findall(r"[\d,.]*[,.][\d,.]*元?", text)
    pieces = [p for p in pieces if p in "987,654,321.09元" and len(p) > 3]
    # whole, or cut right after a comma: never inside a group of digits, never before 元
    assert pieces in (["987,654,321.09元"], ["987,654,", "321.09元"], ["987,", "654,321.09元"]), pieces


def test_pdftotext_keeps_table_cells_apart(played, app):
    text = pdftotext(_download(app, played, "pdf"))
    # Plan A's total (aligned right) and its first funding share (aligned left) side by side.
    assert re.search(r"387,900\.00元\s{2,}建设单位 209,400\.00元", text)
    # Agreed item 1: its money and its acceptance criterion.
    assert re.search(r"247,400\.00元\s{2,}确认书签署", text)
    # The straw poll's row for plan C: choice, owners, share, area, share.
    assert re.search(r"方案C\s{2,}12\s{2,}54\.5%\s{2,}1,445\.99\s{2,}56\.62%", text)
    # The attendance table: the party, the count and the people, each a cell of its own.
    assert re.search(r"物业服务企业\s{2,}2\s{2,}周明", text)
    # The agreed items: number, what, responsible, due date.
    assert re.search(r"1\s{2,}签署维修责任确认书", text)


def test_the_pdf_is_tagged_with_each_table_cell_an_element_of_its_own(played, app):
    data = _download(app, played, "pdf")
    tree = structure(data)
    (document,) = tree
    assert document[0] == "Document"
    kinds = [kind for kind, _, _ in document[2]]
    assert kinds[:2] == ["H1", "P"] and "H2" in kinds and "Table" in kinds and "L" in kinds
    rows = rows_of(tree)
    assert ["选项", "人数", "占比", "面积（m²）", "占比"] in rows  # the tally's head, TH cells
    assert ["方案C", "12", "54.5%", "1,445.99", "56.62%"] in rows
    assert ["宋宇", "宋海燕", "3-1-402", "书面委托", "方案B"] in rows
    assert ["主持人", "郑文涛", "", ""] in rows  # a signature row: blank cells to sign in
    # The running head and foot are page furniture: not in the structure.
    flat = repr(tree)
    assert "SHA-256 " not in flat and "第 2 页" not in flat


def test_the_pdf_declares_pdf_a_2u_with_its_colour_profile_and_metadata(played, app):
    data = _download(app, played, "pdf")
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] and catalog["/Lang"] == "zh-CN"
    (intent,) = catalog["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intent.get_object()
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>U</pdfaid:conformance>" in xmp
    # dated by the minutes (finalised 17:30 in Shanghai), not by the clock: the same file each time
    assert 'xmp:ModifyDate="2026-12-05T09:30:00+00:00"' in xmp
    assert _download(app, played, "pdf") == data


# --------------------------------------------------------------------------- the voters


def test_a_named_vote_lists_who_actually_voted_and_for_which_owner(played, app):
    text = pdftotext(_download(app, played, "pdf"))
    assert re.search(r"投票人\s{2,}所代表业主\s{2,}房号\s{2,}核验方式\s{2,}选项", text)
    # 宋宇 holds 宋海燕's written authorisation; 王伟 votes for the unit he co-owns with 赵静.
    assert re.search(r"宋宇\s{2,}宋海燕\s{2,}3-1-402\s{2,}书面委托\s{2,}方案B", text)
    assert re.search(r"王伟\s{2,}王伟、赵静\s{2,}3-2-501\s{2,}未核验\s{2,}方案C", text)
    docx = open_docx(io.BytesIO(_download(app, played, "docx")))
    rows = [[cell.text for cell in row.cells] for table in docx.tables for row in table.rows]
    assert ["宋宇", "宋海燕", "3-1-402", "书面委托", "方案B"] in rows
    assert ["王伟", "王伟、赵静", "3-2-501", "未核验", "方案C"] in rows
