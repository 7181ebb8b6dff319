"""Minutes as Markdown (GitHub-flavoured tables), UTF-8. Deterministic: same document, same bytes."""
from __future__ import annotations

from facilitator.catalogue import message_for
from facilitator.domain.minutes_model import MinutesDocument

from . import labels as L
from .layout import (Bullets, Drawing, Fields, Heading, PageBreak, Paragraph, SignatureLines, Signoff, Table, Title,
                     build, flat)

MEDIA_TYPE = "text/markdown; charset=utf-8"
EXTENSION = "md"


def _escape(text: str) -> str:
    # Keep the clerk's text as text: no accidental emphasis, headings, links or HTML.
    out = text.replace("\\", "\\\\").replace("\r", "")
    for ch in ("*", "_", "`", "<", ">", "[", "]", "|", "#"):
        out = out.replace(ch, "\\" + ch)
    return out


def _cell(text: str) -> str:
    return _escape(text).replace("\n", "<br>") or " "


def _inline(text: str) -> str:
    return _escape(text).replace("\n", "  \n")


def _table(headers, rows, align: str = "") -> list[str]:
    marks = {"L": ":---", "C": ":---:", "R": "---:"}
    align = align.ljust(len(headers), "L")
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |",
             "| " + " | ".join(marks[a] for a in align) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def render(document: MinutesDocument, language: str | None = None,
           signoffs: tuple[Signoff, ...] = ()) -> bytes:
    layout = build(document, language, signoffs)
    lang = layout.language
    out: list[str] = []
    for block in flat(layout.blocks):
        if isinstance(block, Title):
            out += [f"# {_inline(block.text)}", "", f"**{_inline(block.subtitle)}**", ""]
            out += [_inline(line) + "  " for line in block.meta]
            out.append("")
        elif isinstance(block, Heading):
            out += [f"{'#' * (block.level + 1)} {_inline(block.text)}", ""]
        elif isinstance(block, Paragraph):
            text = _inline(block.text)
            if block.lead:
                text = f"**{_inline(block.lead)}**{L.colon(lang)}{text}"
            elif block.small:
                text = f"*{text}*"
            out += [text, ""]
        elif isinstance(block, Fields):
            out += [f"- **{_inline(k)}**{L.colon(lang)}{_inline(v)}" for k, v in block.rows]
            out.append("")
        elif isinstance(block, Bullets):
            if block.ordered:
                out += [f"{n}. {_inline(item)}" for n, item in enumerate(block.items, 1)]
            else:
                out += [f"- {_inline(item)}" for item in block.items]
            out.append("")
        elif isinstance(block, Table):
            out += _table(block.headers, block.rows, block.align)
            out.append("")
        elif isinstance(block, SignatureLines):
            if block.rows:
                out += _table(block.headers, [(role, name, "", "") for role, name in block.rows])
                out.append("")
            label, host = block.host
            out += [f"**{_inline(label)}**{L.colon(lang)}{_inline(host)}  ",
                    message_for("punct.paren_alone", lang, text=_inline(block.seal)) + "  ",
                    _inline(block.date), ""]
        elif isinstance(block, Drawing):  # plain text holds no image: the other formats do
            out += [f"*{_inline(block.caption)}*" + message_for("label.sign.drawing_elsewhere", lang), ""]
        elif isinstance(block, PageBreak):
            out += ["---", ""]
    out += ["---", "", f"*{_inline(layout.footer)} · SHA-256 {layout.content_hash}*", ""]
    return "\n".join(out).encode("utf-8")
