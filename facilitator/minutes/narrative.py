"""The clerk's narrative sections (``minutes.write``) and how the builder reads them. Pure.

A section is plain text (at most 10,000 characters), one entry per line; blank lines are
ignored. Where an entry has several parts they are separated by ``|`` (or the full-width
``｜``), so the clerk types them in a textarea without a form per field:

=================  ===========================================================================
section key        what a line is
=================  ===========================================================================
``title``          the minutes' title (first line), instead of "<meeting title>纪要"
``item:<id>``      a point of agenda item <id>: the key points of a briefing, otherwise the
                   item's summary (小结)
``summary``        a paragraph of the summing up (归纳共识), shown with the agreed items
``dissent``        ``who | what`` — dissent as recorded (部分业主提出…); without this section
                   the minutes list the speeches against, with the clerk's notes
``pending``        ``[kind |] what | responsible | due`` — kind: owners_decision, escalated,
                   open_question (default), disagreement, or their Chinese labels
``follow_up``      ``label: value`` — 督办/supervisor, 通报/reporting, 公示地点/publication,
                   公示期/period (``2026-12-07 至 2026-12-11``), 反馈/feedback (a date);
                   any other line is a note
``attachments``    ``[kind |] title | note`` — kind: sign_in, proxies, assessment, plans,
                   tally, letter, work_orders, other (default), or their Chinese labels
``people``         ``name | title | role | party`` — titles and roles (convener, moderator,
                   clerk, representative, owner_representative, or 召集人, 主持人, 记录人,
                   代表, 业主代表) of the people named in the minutes
=================  ===========================================================================
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..domain.parties import PARTIES
from ..catalogue import LOCALES, message_for

MAX_TEXT = 10_000
FIXED_SECTIONS = ("title", "summary", "dissent", "pending", "follow_up", "attachments", "people")
ITEM_PREFIX = "item:"

PENDING_KINDS = ("owners_decision", "escalated", "open_question", "disagreement")
ATTACHMENT_KINDS = ("sign_in", "proxies", "assessment", "plans", "tally", "letter",
                    "work_orders", "other")
ROLES = ("convener", "moderator", "clerk", "representative", "owner_representative")

_SEPARATOR = re.compile(r"\s*[|｜]\s*")
_DATE = re.compile(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?")

_PENDING_ALIASES = {"需业主共同决定": "owners_decision", "业主共同决定": "owners_decision",
                    "已提交上级": "escalated", "提交上级": "escalated", "待答复": "open_question",
                    "待决": "open_question", "分歧": "disagreement"}
_ATTACHMENT_ALIASES = {"签到表": "sign_in", "授权委托书": "proxies", "委托书": "proxies",
                       "检测鉴定报告": "assessment", "检测报告": "assessment",
                       "方案及预算": "plans", "方案": "plans", "表决统计": "tally",
                       "统计表": "tally", "来信": "letter", "联名信": "letter",
                       "工单记录": "work_orders", "工单": "work_orders", "其他": "other"}
_ROLE_ALIASES = {"召集人": "convener", "第一召集人": "convener", "执行召集人": "convener",
                 "主持人": "moderator", "记录人": "clerk", "代表": "representative",
                 "业主代表": "owner_representative", "party_representative": "representative"}
_FOLLOW_UP_LABELS = (
    # (field, labels) — the longest label is tried first, so 公示期 wins over 公示.
    ("period", ("公示期", "公示时间", "publication period", "period")),
    ("publication_place", ("公示地点", "公示", "publication place", "publication", "published at")),
    ("supervisor", ("督办", "监督", "supervisor", "supervised by")),
    ("reporting", ("通报", "报告", "reporting", "reports")),
    ("feedback_due", ("反馈", "答复", "feedback", "feedback due")),
)


def is_valid_section(key: str) -> bool:
    if key in FIXED_SECTIONS:
        return True
    if key.startswith(ITEM_PREFIX):
        rest = key[len(ITEM_PREFIX):]
        return rest.isascii() and rest.isdigit() and 0 < len(rest) <= 12
    return False


def lines(text: str | None) -> tuple[str, ...]:
    """The non-blank lines of a section, stripped."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def parts(line: str) -> list[str]:
    return [part.strip() for part in _SEPARATOR.split(line)]


def parse_date(text: str) -> date | None:
    match = _DATE.search(text or "")
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _party_aliases() -> dict[str, str]:
    aliases = {}
    for key in PARTIES:
        aliases[key] = key
        for locale in LOCALES:
            aliases[message_for(f"party.{key}", locale).lower()] = key
    return aliases


_PARTY_ALIASES = _party_aliases()


def party_key(text: str) -> str:
    return _PARTY_ALIASES.get(text.strip(), _PARTY_ALIASES.get(text.strip().lower(), ""))


# --------------------------------------------------------------------------- per section


@dataclass(frozen=True)
class PersonNote:
    name: str
    title: str = ""
    role: str = ""  # one of ROLES, or ""
    party: str = ""  # a party key, or ""


def people(text: str | None) -> tuple[PersonNote, ...]:
    out = []
    for line in lines(text):
        fields = parts(line) + ["", "", ""]
        name, title, role, party = fields[0], fields[1], fields[2], fields[3]
        if not name:
            continue
        role = _ROLE_ALIASES.get(role, role.lower() if role.lower() in ROLES else "")
        out.append(PersonNote(name, title, role, party_key(party) if party else ""))
    return tuple(out)


@dataclass(frozen=True)
class DissentNote:
    held_by: str
    text: str


def dissent(text: str | None) -> tuple[DissentNote, ...]:
    out = []
    for line in lines(text):
        fields = parts(line)
        if len(fields) >= 2:
            out.append(DissentNote(fields[0], " ".join(f for f in fields[1:] if f)))
        else:
            out.append(DissentNote("", fields[0]))
    return tuple(out)


@dataclass(frozen=True)
class PendingNote:
    kind: str
    what: str
    responsible: str = ""
    due: date | None = None


def pending(text: str | None) -> tuple[PendingNote, ...]:
    out = []
    for line in lines(text):
        fields = parts(line)
        kind = "open_question"
        head = fields[0]
        if len(fields) > 1 and (head in PENDING_KINDS or head in _PENDING_ALIASES):
            kind = _PENDING_ALIASES.get(head, head)
            fields = fields[1:]
        what = fields[0]
        responsible, due = "", None
        for field in fields[1:]:
            moment = parse_date(field) if _DATE.fullmatch(field.strip()) else None
            if moment is not None and due is None:
                due = moment
            elif field:
                responsible = f"{responsible} {field}".strip()
        if what:
            out.append(PendingNote(kind, what, responsible, due))
    return tuple(out)


@dataclass(frozen=True)
class AttachmentNote:
    kind: str
    title: str
    note: str = ""


def attachments(text: str | None) -> tuple[AttachmentNote, ...]:
    out = []
    for line in lines(text):
        fields = parts(line)
        kind = "other"
        if len(fields) > 1 and (fields[0] in ATTACHMENT_KINDS or fields[0] in _ATTACHMENT_ALIASES):
            kind = _ATTACHMENT_ALIASES.get(fields[0], fields[0])
            fields = fields[1:]
        title = fields[0]
        note = " ".join(f for f in fields[1:] if f)
        if title:
            out.append(AttachmentNote(kind, title, note))
    return tuple(out)


@dataclass(frozen=True)
class FollowUpNote:
    supervisor: str = ""
    reporting: str = ""
    publication_place: str = ""
    publication_from: date | None = None
    publication_to: date | None = None
    feedback_due: date | None = None
    notes: tuple[str, ...] = ()


_LABELS_LONGEST_FIRST = sorted(((label, field) for field, labels in _FOLLOW_UP_LABELS
                                for label in labels), key=lambda pair: (-len(pair[0]), pair[0]))


def follow_up(text: str | None) -> FollowUpNote | None:
    found = lines(text)
    if not found:
        return None
    values: dict[str, object] = {}
    notes = []
    for line in found:
        match = re.match(r"^\s*([^:：]{1,24})\s*[:：]\s*(.*)$", line)
        field = None
        if match:
            label = match.group(1).strip()
            field = next((f for l, f in _LABELS_LONGEST_FIRST if label.lower() == l), None)
        if field is None:
            notes.append(line)
            continue
        value = match.group(2).strip()
        if field == "period":
            dates = [parse_date(m.group(0)) for m in _DATE.finditer(value)]
            dates = [d for d in dates if d is not None]
            if dates:
                values["publication_from"] = dates[0]
                values["publication_to"] = dates[-1] if len(dates) > 1 else dates[0]
            else:
                notes.append(line)
        elif field == "feedback_due":
            moment = parse_date(value)
            if moment is None:
                notes.append(line)
            else:
                values["feedback_due"] = moment
        else:
            values[field] = value
    return FollowUpNote(notes=tuple(notes), **values)
