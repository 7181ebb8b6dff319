"""A list of written authorisations (书面委托书) typed or pasted by staff, one per line:

    owner (unit or owner key), holder (the name of the person at the meeting, or #id),
    note on the paper[, vote number]

separated by commas (also "，"), tabs or semicolons; a header line naming the columns and
blank lines are skipped. Pure parsing: who the owner and the holder are is resolved by the
caller against the meeting's roster and people.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

MAX_LINES = 2000
_HEADER_WORDS = ("owner", "unit", "房号", "业主", "委托人")


@dataclass(frozen=True)
class ProxyLine:
    line: int
    owner: str
    holder: str
    note: str
    vote: str  # "" for the whole meeting


@dataclass(frozen=True)
class ProxyLineError:
    line: int
    reason: str  # a catalog key under proxies.reason.*
    params: dict


def parse_proxy_list(text: str) -> tuple[list[ProxyLine], list[ProxyLineError]]:
    rows = text.replace("，", ",").replace("；", ";").splitlines()
    if len([r for r in rows if r.strip()]) > MAX_LINES:
        return [], [ProxyLineError(0, "too_many", {"max": MAX_LINES})]
    lines, errors = [], []
    for number, raw in enumerate(rows, start=1):
        if not raw.strip():
            continue
        delimiter = "\t" if "\t" in raw else (";" if ";" in raw and "," not in raw else ",")
        cells = [c.strip() for c in next(csv.reader(io.StringIO(raw), delimiter=delimiter))]
        if number == 1 and cells and cells[0].lower() in _HEADER_WORDS:
            continue
        if len(cells) < 3 or not all(cells[:3]):
            errors.append(ProxyLineError(number, "columns", {}))
            continue
        owner, holder, note = cells[:3]
        vote = cells[3] if len(cells) > 3 else ""
        if vote and not re.fullmatch(r"#?\d{1,4}", vote):
            errors.append(ProxyLineError(number, "vote", {"value": vote[:20]}))
            continue
        if len(owner) > 40 or len(holder) > 60 or len(note) > 200:
            errors.append(ProxyLineError(number, "too_long", {}))
            continue
        lines.append(ProxyLine(number, owner, holder, note, vote.lstrip("#")))
    if not lines and not errors:
        errors.append(ProxyLineError(1, "empty", {}))
    return lines, errors
