"""The sign-off record of a version in every format (exports/layout.py `signoff_record`), and
the drawn signature as the app keeps it (minutes/drawings.py)."""
from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta, timezone

import pypdf
import pytest
from docx import Document as open_docx
from PIL import Image, ImageDraw

from facilitator.errors import DomainError
from facilitator.exports import docx, html, json as json_export, markdown, pdf
from facilitator.exports.layout import Drawing, Signoff, Table, build, flat
from facilitator.minutes.drawings import clean_drawing
from tests.minutes_factory import demo_minutes
from tests.unit.test_minutes_renderers import extract_pdf_text, squash

AT = datetime(2026, 12, 5, 17, 40, tzinfo=timezone(timedelta(hours=8)))


def _canvas(draw: bool = True, size=(600, 240)) -> str:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if draw:
        ImageDraw.Draw(image).line([(30, 200), (150, 40), (300, 180), (560, 60)],
                                   fill=(0, 0, 0, 255), width=8)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")


@pytest.fixture(scope="module")
def signoffs() -> tuple[Signoff, ...]:
    return (Signoff("李振宇", "owners_committee", "signed", "", AT, "phone", clean_drawing(_canvas())),
            Signoff("高峰", "developer", "refused", "对费用有保留意见", AT, "phone"),
            Signoff("何军", "street_office", "signed", "", AT, "chair"))


def test_without_sign_offs_the_layout_has_no_record():
    blocks = list(flat(build(demo_minutes("zh")).blocks))
    assert not any(isinstance(b, Table) and b.role == "signoffs" for b in blocks)
    assert not any(isinstance(b, Drawing) for b in blocks)


@pytest.mark.parametrize("language, phone, chair, refused", [
    ("zh", "本人手机签字", "主持方代为登记", "拒绝签字：对费用有保留意见"),
    ("en", "On their own phone", "Recorded by the chair", "Refused to sign: 对费用有保留意见")])
def test_every_format_lists_each_sign_off_and_how_it_was_made(signoffs, language, phone, chair,
                                                              refused):
    document = demo_minutes(language)
    record = next(b for b in flat(build(document, language, signoffs).blocks)
                  if isinstance(b, Table) and b.role == "signoffs")
    assert [row[0] for row in record.rows] == ["李振宇", "高峰", "何军"]
    assert [row[4] for row in record.rows] == [phone, phone, chair]
    assert record.rows[1][2] == refused
    texts = {
        "pdf": squash(extract_pdf_text(pdf.render(document, language, signoffs=signoffs))),
        "md": markdown.render(document, language, signoffs=signoffs).decode(),
        "html": html.render(document, language, signoffs=signoffs).decode(),
        "docx": "\n".join(c.text for t in open_docx(io.BytesIO(
            docx.render(document, language, signoffs=signoffs))).tables
            for r in t.rows for c in r.cells),
    }
    for fmt, text in texts.items():
        for expected in ("李振宇", "何军", chair):
            assert (squash(expected) if fmt == "pdf" else expected) in text, (fmt, expected)
    # The content hash the signers attest to is the document's, with or without them.
    assert (json_export.render(document, language, signoffs=signoffs).count(
        document.content_hash().encode()) == 1)


def test_a_drawn_signature_is_an_image_with_its_caption_in_the_pdf_docx_and_html(signoffs):
    document = demo_minutes("zh")
    data = pdf.render(document, "zh", signoffs=signoffs)
    assert data == pdf.render(document, "zh", signoffs=signoffs)  # the same file, byte for byte
    reader = pypdf.PdfReader(io.BytesIO(data))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1
    assert "李振宇（业主委员会）的手写签名" in squash(extract_pdf_text(data))
    shapes = open_docx(io.BytesIO(docx.render(document, "zh", signoffs=signoffs))).inline_shapes
    assert len(shapes) == 1
    page = html.render(document, "zh", signoffs=signoffs).decode()
    assert page.count('alt="李振宇（业主委员会）的手写签名"') == 1


def test_a_drawing_is_kept_as_a_small_greyscale_png_and_a_blank_canvas_as_none():
    kept = clean_drawing("data:image/png;base64," + _canvas(size=(1500, 600)))
    with Image.open(io.BytesIO(kept)) as image:
        assert (image.format, image.mode) == ("PNG", "L")
        assert image.size[0] <= 600 and image.size[1] <= 240
    assert clean_drawing(_canvas(draw=False)) is None
    for bad in (_canvas(size=(1601, 10)), "bm90IGEgcG5n", "***",
                base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40).decode()):
        with pytest.raises(DomainError) as refused:
            clean_drawing(bad)
        assert refused.value.code == "minutes.bad_drawing"
