"""Minutes as one standalone, print-friendly HTML page (A4 via CSS @page; no scripts, no
external files). Deterministic: same document, same bytes."""
from __future__ import annotations

import base64
from html import escape

from facilitator.domain.minutes_model import MinutesDocument

from . import labels as L
from .layout import (Bullets, Drawing, Fields, Heading, Keep, Layout, PageBreak, Paragraph, SignatureLines, Signoff, Table,
                     Title, build)

MEDIA_TYPE = "text/html; charset=utf-8"
EXTENSION = "html"

SERIF = '"Noto Serif CJK SC", "Noto Serif SC", "Source Han Serif SC", "Songti SC", SimSun, serif'
SANS = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", SimHei, sans-serif'


def _css_string(text: str) -> str:
    # "<" as its CSS escape: the string sits in a <style> element, which a "</style>" in the
    # text (a case number is typed) would end, the rest becoming the page's markup.
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return '"' + escaped.replace("<", "\\3c ") + '"'


def _style(footer: str, hash_text: str, page_words: tuple[str, str, str]) -> str:
    before, middle, after = page_words
    return f"""
@page {{
  size: A4;
  margin: 18mm 16mm 20mm 16mm;
  @bottom-left {{ content: {_css_string(footer)}; font: 7.5pt {SANS}; color: #444; }}
  @bottom-right {{ content: {_css_string(before)} counter(page) {_css_string(middle)} counter(pages) {_css_string(after)};
                   font: 7.5pt {SANS}; color: #444; }}
  @bottom-center {{ content: {_css_string(hash_text)}; font: 6pt monospace; color: #666; vertical-align: bottom; }}
}}
html {{ background: #f3f3f3; }}
body {{ font: 10.5pt/1.65 {SERIF}; color: #000; background: #fff; max-width: 178mm; margin: 1.5em auto;
        padding: 14mm 16mm; box-shadow: 0 0 6px rgba(0,0,0,.15); }}
h1, h2, h3, h4, .meta, th, .foot {{ font-family: {SANS}; }}
header.title {{ text-align: center; margin-bottom: 1.2em; }}
header.title h1 {{ font-size: 18pt; margin: 0 0 .3em; letter-spacing: .05em; }}
header.title .subtitle {{ font-size: 13pt; margin: 0 0 .4em; }}
header.title .meta {{ font-size: 9pt; margin: 0; color: #222; }}
header.title .draft {{ color: #b00; }}
h2 {{ font-size: 12.5pt; margin: 1.3em 0 .5em; border-bottom: 1px solid #000; padding-bottom: .15em; }}
h3 {{ font-size: 11pt; margin: 1em 0 .4em; }}
h4 {{ font-size: 10.5pt; margin: .9em 0 .35em; }}
h2, h3, h4 {{ break-after: avoid; page-break-after: avoid; }}
p {{ margin: .35em 0; }}
p.small, .foot {{ font-size: 8.5pt; color: #333; }}
.hash {{ font-family: monospace; word-break: break-all; }}
dl.fields {{ display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: .4em 0 .8em; }}
dl.fields dt {{ font-weight: bold; font-family: {SANS}; }}
dl.fields dd {{ margin: 0; }}
ul, ol {{ margin: .3em 0 .7em; padding-left: 1.6em; }}
table {{ width: 100%; border-collapse: collapse; margin: .4em 0 .9em; table-layout: fixed; }}
th, td {{ border: .6pt solid #000; padding: .25em .4em; vertical-align: top; overflow-wrap: anywhere; }}
th {{ background: #ececec; font-size: 9.5pt; text-align: center; }}
table.small {{ font-size: 9pt; line-height: 1.45; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
td.c {{ text-align: center; }} td.r {{ text-align: right; font-variant-numeric: tabular-nums; }}
table.signatures td {{ height: 11mm; vertical-align: middle; }}
figure.drawn-signature {{ margin: 2mm 0 4mm; break-inside: avoid; }}
figure.drawn-signature figcaption {{ font-size: 8.5pt; color: #444; }}
figure.drawn-signature img {{ width: 50mm; max-width: 100%; height: auto; border-bottom: 1px solid #999; }}
section.keep {{ break-inside: avoid; page-break-inside: avoid; }}
.seal {{ margin: 1.2em 0 0 auto; width: 80mm; text-align: center; }}
.seal p {{ margin: .3em 0; }}
.seal-box {{ margin: .4em auto; width: 40mm; height: 40mm; border: .6pt dashed #888; border-radius: 50%;
             display: flex; align-items: center; justify-content: center; color: #595959; font-size: 9pt; }}
.page-break {{ break-before: page; page-break-before: always; }}
footer.foot {{ margin-top: 2em; border-top: 1px solid #999; padding-top: .4em; }}
@media print {{
  html {{ background: none; }}
  body {{ margin: 0; padding: 0; max-width: none; box-shadow: none; }}
  footer.foot {{ display: none; }}
}}
"""


def _text(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _table(block: Table) -> list[str]:
    total = sum(block.widths) or 1
    align = block.align.ljust(len(block.headers), "L")
    out = [f'<table class="{"small" if block.small else ""}"'
           + (f' data-role="{escape(block.role)}"' if block.role else "") + ">", "<colgroup>"]
    out += [f'<col style="width:{w * 100 / total:.1f}%">' for w in block.widths]
    out += ["</colgroup>", "<thead><tr>" + "".join(f"<th>{_text(h)}</th>" for h in block.headers) + "</tr></thead>",
            "<tbody>"]
    classes = {"L": "", "C": ' class="c"', "R": ' class="r"'}
    for row in block.rows:
        out.append("<tr>" + "".join(f"<td{classes[a]}>{_text(c)}</td>" for a, c in zip(align, row)) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def render(document: MinutesDocument, language: str | None = None,
           signoffs: tuple[Signoff, ...] = ()) -> bytes:
    return render_layout(build(document, language, signoffs))


def render_layout(layout: Layout) -> bytes:
    """A laid-out document (the minutes, a result notice) as one HTML page of its own."""
    lang = layout.language
    page = L.label("doc.page", lang, page="\x00", pages="\x01")
    before, rest = page.split("\x00")
    middle, after = rest.split("\x01")
    hash_text = f"SHA-256 {layout.content_hash}"
    body: list[str] = []

    def emit(block) -> None:
        if isinstance(block, Keep):
            # One page when it fits on one (printing breaks pages before it, not inside).
            body.append('<section class="keep">')
            for inner in block.blocks:
                emit(inner)
            body.append("</section>")
        elif isinstance(block, Title):
            body.append('<header class="title">')
            body.append(f"<h1>{_text(block.text)}</h1>")
            body.append(f'<p class="subtitle">{_text(block.subtitle)}</p>')
            for line in block.meta:
                body.append(f'<p class="meta{" draft" if layout.draft and line is block.meta[-1] else ""}">'
                            f"{_text(line)}</p>")
            body.append("</header>")
        elif isinstance(block, Heading):
            tag = f"h{block.level + 1}"
            body.append(f"<{tag}>{_text(block.text)}</{tag}>")
        elif isinstance(block, Paragraph):
            lead = f"<strong>{_text(block.lead)}</strong>{L.colon(lang)}" if block.lead else ""
            text = f'<span class="hash">{_text(block.text)}</span>' if block.text == layout.content_hash \
                else _text(block.text)
            css = ' class="small"' if block.small else ""
            body.append(f"<p{css}>{lead}{text}</p>")
        elif isinstance(block, Fields):
            body.append('<dl class="fields">')
            for key, value in block.rows:
                body.append(f"<dt>{_text(key)}</dt><dd>{_text(value)}</dd>")
            body.append("</dl>")
        elif isinstance(block, Bullets):
            tag = "ol" if block.ordered else "ul"
            body.append(f"<{tag}>" + "".join(f"<li>{_text(item)}</li>" for item in block.items) + f"</{tag}>")
        elif isinstance(block, Table):
            body.extend(_table(block))
        elif isinstance(block, SignatureLines):
            if block.rows:
                body.append('<table class="signatures"><colgroup><col style="width:26%"><col style="width:24%">'
                            '<col style="width:32%"><col style="width:18%"></colgroup>')
                body.append("<thead><tr>" + "".join(f"<th>{_text(h)}</th>" for h in block.headers)
                            + "</tr></thead><tbody>")
                for role, name in block.rows:
                    body.append(f"<tr><td>{_text(role)}</td><td>{_text(name)}</td><td></td><td></td></tr>")
                body.append("</tbody></table>")
            label, host = block.host
            body.append(f'<div class="seal"><p><strong>{_text(label)}</strong>{L.colon(lang)}{_text(host)}</p>'
                        f'<div class="seal-box">{_text(block.seal)}</div><p>{_text(block.date)}</p></div>')
        elif isinstance(block, Drawing):
            # A data: URL: the page loads nothing else (its policy allows img-src data:).
            source = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
            body.append(f'<figure class="drawn-signature"><figcaption>{_text(block.caption)}</figcaption>'
                        f'<img src="{source}" alt="{_text(block.caption)}"></figure>')
        elif isinstance(block, PageBreak):
            body.append('<div class="page-break"></div>')

    for block in layout.blocks:
        emit(block)
    html_lang = L.language_tag(lang)
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{html_lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="minutes-content-hash" content="sha256:{layout.content_hash}">',
        f"<title>{_text(layout.title)}</title>",
        f"<style>{_style(layout.footer, hash_text, (before, middle, after))}</style>",
        "</head>",
        "<body>",
    ]
    tail = [f'<footer class="foot">{_text(layout.footer)} · <span class="hash">{_text(hash_text)}</span></footer>',
            "</body>", "</html>", ""]
    return "\n".join(head + body + tail).encode("utf-8")
