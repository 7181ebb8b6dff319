"""The minutes document model (协商纪要): one plain, immutable value per version of the minutes.

The minutes are a pure function of the event log plus the case record (docs/architecture.md
§6).
The builder (event log -> :class:`MinutesDocument`) produces this model; every renderer
(``facilitator.exports``: Markdown, HTML, PDF, DOCX, JSON) takes it and nothing else, so no
renderer queries the database and every format says the same thing.

What the model holds, and what it does not
    * Content only, in the meeting's language (``Header.language``): names, titles, the
      clerk's notes, the result explanations. Every *label* (section titles, party names,
      stance words, "non-binding", ...) comes from ``facilitator.exports.labels`` at render
      time, so the model carries keys such as ``party="developer"`` or ``stance="against"``.
    * No floats, ever. Money is an ``int`` of fen (``23290000`` = 232,900.00 CNY) in fields
      named ``*_fen``; floor area is an ``int`` of hundredths of a m² (``144599`` =
      1,445.99 m²) in fields named ``area`` (``Count.area`` as in ``domain.voting``).
    * Times are ``datetime`` in the meeting's local time (aware, e.g. +08:00) and dates are
      ``date``; JSON gives them in ISO 8601.
    * A secret vote carries no per-voter choices: ``Vote.named_choices`` must be ``None``
      when ``Vote.secret`` is true (checked on construction), so no renderer can leak a
      voter-choice link because the model cannot hold one.

Canonical JSON and the content hash
    :meth:`MinutesDocument.to_json` is deterministic: dataclass fields become object keys,
    keys are sorted, tuples become lists, no whitespace, UTF-8 without escaping. The same
    document always gives the same bytes; :meth:`MinutesDocument.content_hash` is the
    SHA-256 of those bytes (hex). The header's version, status and finalisation time are
    part of the hash, so a hash identifies exactly one version. :meth:`from_json` reads
    the canonical JSON back (e.g. a stored, finalised version to render again).

Vocabulary (keys; their labels are in ``facilitator.exports.labels``)
    party        owner, owners_committee, property_company, developer, housing_bureau,
                 street_office, community, cppcc_member, expert, observer
    form         on_site, online, hybrid
    status       draft, final
    role         convener, moderator, clerk, participant, observer, proxy
    segment      opening, briefing, questions, discussion, vote, closing
    view kind    speech, question, answer, point_of_order, point_of_information, motion,
                 amendment, extension
    stance       for, against, question, neutral ("" when none was given)
    vote kind    straw_poll (always non-binding), owners_decision, procedural
    method       single, yes_no, approval, ranked (``domain.voting.Method``)
    rule         a ``domain.voting.DecisionRule`` key (plurality, art278_majority, ...)
    funding      developer, property_company, maintenance_fund, owner_levy, contractor,
                 government, other
    pending kind owners_decision, escalated, open_question, disagreement
    attachment   sign_in, proxies, assessment, plans, tally, letter, work_orders, other
    signature    moderator, clerk, convener, party_representative, owner_representative
    timeline     meeting_opened, meeting_ended, item_started, item_ended, speech,
                 point_of_order, vote_opened, vote_closed, motion, note, other
    question     answered, asked_aloud, on_list, not_taken_up (a written question's outcome);
                 dismissed by reason: duplicate, off_topic, abusive, other
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from facilitator.domain.parties import PARTIES
from facilitator.domain.questions import OUTCOMES as QUESTION_OUTCOMES
from facilitator.domain.voting import Count
from facilitator.validation import printable_text

# A field added after versions of the minutes were stored: left out of the canonical JSON
# while it is empty, so a version stored before it existed keeps its content hash.
LATER_FIELD = {"omit_when_empty": True}

__all__ = [
    "AbsentPerson",
    "AgendaRun",
    "AgreedItem",
    "Appendix",
    "Attachment",
    "Attendance",
    "AttendanceGroup",
    "Attendee",
    "Briefing",
    "ChoiceCount",
    "Count",
    "Dissent",
    "DismissedQuestions",
    "FollowUp",
    "Fund",
    "FundingShare",
    "Header",
    "KeyDate",
    "LANGUAGES",
    "Matter",
    "MinutesDocument",
    "MinutesStatus",
    "NamedChoice",
    "PartyTime",
    "PendingItem",
    "Person",
    "Plan",
    "Proxy",
    "Signature",
    "TimelineEntry",
    "View",
    "Vote",
    "WrittenQuestion",
    "finalise",
]

LANGUAGES = ("zh", "en")
FORMAT = "facilitator.minutes"
FORMAT_VERSION = 1


class MinutesStatus(StrEnum):
    """The live draft, built from the log; a final version, stored (models.minutes)."""
    DRAFT = "draft"
    FINAL = "final"


FORMS = ("on_site", "online", "hybrid")
VOTE_KINDS = ("straw_poll", "owners_decision", "procedural")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


# --------------------------------------------------------------------------- header


@dataclass(frozen=True)
class Person:
    """Someone named in the header or a signature line."""

    name: str
    party: str
    title: str = ""  # position and organisation, free text


@dataclass(frozen=True)
class Header:
    """1-2: title and number, time, place, form, convener, moderator, clerk; the version."""

    title: str  # e.g. 锦华社区“有事好商量”协商议事会议纪要
    number: str  # the minutes' own number
    case_number: str
    case_title: str
    meeting_title: str
    organiser: str  # the consultation platform / room (协商平台)
    place: str
    form: str  # on_site | online | hybrid
    started_at: datetime
    ended_at: datetime | None
    conveners: tuple[Person, ...]
    moderator: Person
    clerk: Person
    language: str  # zh | en: the language of the free text
    version: int = 1
    status: str = MinutesStatus.DRAFT
    finalised_at: datetime | None = None
    last_event_seq: int = 0  # the event log's last sequence number these minutes cover
    # 主办单位: the organisation that holds the consultation and seals the minutes (the
    # case's organiser, else its community).
    host: str = field(default="", metadata=LATER_FIELD)

    def __post_init__(self):
        _require(self.language in LANGUAGES, f"language must be one of {LANGUAGES}")
        _require(self.status in tuple(MinutesStatus),
                 f"status must be one of {', '.join(MinutesStatus)}")
        _require(self.form in FORMS, f"form must be one of {FORMS}")
        _require(isinstance(self.version, int) and self.version >= 1, "version must be an int >= 1")
        _require((self.status == MinutesStatus.FINAL) == (self.finalised_at is not None),
                 "a final version has a finalisation time, a draft has none")


# --------------------------------------------------------------------------- attendance


@dataclass(frozen=True)
class Attendee:
    """One person present. Owners carry their unit numbers; a proxy names whom they stand for."""

    name: str
    title: str = ""
    units: tuple[str, ...] = ()
    role: str = "participant"
    proxy_for: str | None = None  # the owner this person holds a written authorisation from


@dataclass(frozen=True)
class AttendanceGroup:
    """Everyone present for one party (``organisation``: e.g. the property company's name)."""

    party: str
    people: tuple[Attendee, ...]
    organisation: str = ""

    def __post_init__(self):
        _require(self.party in PARTIES, f"unknown party {self.party!r}")


@dataclass(frozen=True)
class AbsentPerson:
    """Invited but excused (请假)."""

    name: str
    party: str
    units: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Proxy:
    """A written authorisation (委托代理): ``proxy`` votes for ``owner`` as directed."""

    owner: str
    units: tuple[str, ...]
    proxy: str
    authorisation: str = ""  # e.g. 书面委托书, with its date


@dataclass(frozen=True)
class SignIn:
    """One line of the owners' sign-in sheet (签到表): an owner present, how their identity
    was verified (``personal_link``, ``desk``, ``proxy``), by whom and when; the attendee is
    the person who came (the owner, a co-owner, or the proxy holder)."""

    owner: str
    units: tuple[str, ...]
    attendee: str
    via: str
    by: str = ""
    at: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class RosterRef:
    """The version of the owners' roster the meeting counted on (who is an owner, and how much
    area each holds), as imported: number, when, what it held, the file's SHA-256."""

    version: int
    imported_at: datetime
    units: int
    owners: int
    area: int  # hundredths of m²
    sha256: str


@dataclass(frozen=True)
class Attendance:
    """3: attendance grouped by party, observers (列席), absent (请假), proxies.

    ``owners_present`` / ``owners_in_scope``: owners by the counting rules and their
    exclusive area (hundredths of m²), e.g. 22 owners, 2,553.93 m² of 38, 4,397.34 m².
    """

    groups: tuple[AttendanceGroup, ...]
    observers: tuple[Attendee, ...] = ()
    absent: tuple[AbsentPerson, ...] = ()
    proxies: tuple[Proxy, ...] = ()
    owners_present: Count | None = None
    owners_in_scope: Count | None = None
    roster: RosterRef | None = None
    sign_in: tuple[SignIn, ...] = ()


# --------------------------------------------------------------------------- the matter


@dataclass(frozen=True)
class KeyDate:
    """A dated fact of the case, e.g. ``KeyDate("developer_warranty_end", date(2025, 12, 26))``."""

    key: str
    on: date


@dataclass(frozen=True)
class Fund:
    """The maintenance fund of the scope (all amounts in fen)."""

    balance_fen: int
    initial_deposit_fen: int | None = None
    floor_fen: int | None = None  # the top-up floor (30% of the initial deposit)
    drawn_fen: int | None = None  # already drawn for this matter (e.g. emergency repair)
    as_of: date | None = None


@dataclass(frozen=True)
class Matter:
    """4: the matter and its source, scope, warranty dates and fund balance."""

    title: str
    source: str
    scope: str
    description: str = ""
    scope_count: Count | None = None
    dates: tuple[KeyDate, ...] = ()
    fund: Fund | None = None
    assessment: str = ""


# --------------------------------------------------------------------------- the meeting


@dataclass(frozen=True)
class AgendaRun:
    """5: one agenda item as run: planned and actual times (seconds; local datetimes)."""

    number: int
    title: str
    segment: str
    planned_seconds: int
    planned_start: datetime | None = None
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    used_seconds: int = 0
    note: str = ""  # e.g. "extended by 5 min (moderator)"
    summary: tuple[str, ...] = ()  # the clerk's summary of a non-briefing item, by paragraph


@dataclass(frozen=True)
class Briefing:
    """6: a briefing's key points."""

    item: int  # agenda item number
    title: str
    presenter: str
    party: str
    points: tuple[str, ...]


@dataclass(frozen=True)
class View:
    """7: one contribution in speaking order, with the clerk's notes.

    ``seq`` numbers the contributions 1, 2, … in speaking order; ``reply_to`` is the ``seq``
    of the question an answer answers.
    """

    seq: int
    item: int  # agenda item number
    speaker: str
    party: str
    kind: str  # speech | question | answer | point_of_order | ...
    stance: str  # for | against | question | neutral | ""
    notes: str
    at: datetime | None = None
    seconds: int = 0
    units: tuple[str, ...] = ()
    reply_to: int | None = None
    ruling: str = ""  # a point of order: upheld | not_upheld ("" when not ruled)
    overrun_seconds: int = 0  # beyond the time allowed (extensions included)


@dataclass(frozen=True)
class WrittenQuestion:
    """7: a question a participant asked in writing from their phone, as it was taken up.

    ``number`` numbers the questions 1, 2, … in the order they were asked; ``outcome`` is one
    of ``facilitator.domain.questions.OUTCOMES`` (answered, asked_aloud, on_list,
    not_taken_up); ``answer`` the chair's short written answer ("" when answered aloud or not
    answered); ``view`` the ``View.seq`` of the speech in which its asker said it aloud;
    ``upvotes`` the room's upvotes when it was taken up (or at the end)."""

    number: int
    asker: str
    party: str
    text: str
    outcome: str
    at: datetime | None = None
    item: int | None = None  # agenda item number
    upvotes: int = 0
    answer: str = ""
    view: int | None = None

    def __post_init__(self):
        _require(self.outcome in QUESTION_OUTCOMES, f"unknown question outcome {self.outcome!r}")


@dataclass(frozen=True)
class DismissedQuestions:
    """7: how many written questions the chair set aside for one reason (duplicate,
    off_topic, abusive, other). Their text is in the event log, not in the minutes."""

    reason: str
    count: int


@dataclass(frozen=True)
class Dissent:
    """7: dissent recorded faithfully ("部分业主提出…")."""

    held_by: str  # who, in words: "4 位业主", "建设单位"
    text: str
    parties: tuple[str, ...] = ()


@dataclass(frozen=True)
class FundingShare:
    source: str  # developer | property_company | maintenance_fund | owner_levy | ...
    amount_fen: int
    note: str = ""


@dataclass(frozen=True)
class Plan:
    """8: an option compared: cost, funding split, duration, pros and cons, matters."""

    key: str
    title: str
    total_fen: int
    funding: tuple[FundingShare, ...]
    duration_days: int
    matters: tuple[str, ...] = ()  # Art. 278 matters an owners' decision on it involves
    pros: tuple[str, ...] = ()
    cons: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ChoiceCount:
    """One line of a tally: by headcount and (for owners' votes) by area in hundredths."""

    choice: str  # option key, or "abstain"
    label: str  # as shown to voters, in the meeting's language
    owners: int
    area: int | None = None


@dataclass(frozen=True)
class NamedChoice:
    """A named (open) vote: who chose what. Never present for a secret vote. ``voter`` is the
    owner (or non-owner voter) the ballot counts for; ``cast_by`` the person who actually
    cast it (the owner, a co-owner, a proxy holder; "" for a paper ballot staff entered);
    ``verified_via`` how that voter was verified when it was cast (personal_link, desk,
    proxy, paper; None: not verified)."""

    voter: str
    choice: str  # option key
    units: tuple[str, ...] = ()
    cast_by: str = ""
    verified_via: str | None = None


@dataclass(frozen=True)
class Vote:
    """8: a vote with its kind, method, rule, participation, tallies and result.

    A straw poll (``kind="straw_poll"``) is always non-binding. ``named_choices`` is the
    list of who chose what for an open vote, and ``None`` for a secret one (enforced).
    ``explanation`` is the result in words (``domain.voting.explain``) in the meeting's
    language; ``rule_text`` the rule in words.
    """

    number: int
    question: str
    kind: str
    non_binding: bool
    method: str
    secret: bool
    rule: str
    rule_text: str
    eligible: str  # who could vote, in words
    participation: Count
    counts: tuple[ChoiceCount, ...]
    explanation: str
    result: str = ""  # the winning option key, "" when none
    passed: bool | None = None
    eligible_count: Count | None = None
    recused: tuple[str, ...] = ()  # e.g. "高峰（建设单位）"
    item: int | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    named_choices: tuple[NamedChoice, ...] | None = None
    verified_only: bool = False  # only owners whose identity was verified could vote

    def __post_init__(self):
        _require(self.kind in VOTE_KINDS, f"unknown vote kind {self.kind!r}")
        _require(self.kind != "straw_poll" or self.non_binding, "a straw poll is always non-binding")
        _require(not (self.secret and self.named_choices is not None),
                 "a secret vote cannot carry who chose what")


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class AgreedItem:
    """9: an agreed item (议定事项)."""

    number: int
    what: str
    party: str
    person: str
    organisation: str = ""
    due: date | None = None
    amount_fen: int | None = None
    funding_source: str | None = None
    acceptance: str = ""  # the acceptance criterion
    evidence: str = ""


@dataclass(frozen=True)
class PendingItem:
    """10: a disagreement or pending item, e.g. an owners' decision still needed, with its rule."""

    number: int
    kind: str  # owners_decision | escalated | open_question | disagreement
    what: str
    matters: tuple[str, ...] = ()
    rule: str = ""  # DecisionRule key, when a decision is needed
    rule_text: str = ""
    responsible: str = ""
    due: date | None = None


@dataclass(frozen=True)
class FollowUp:
    """11: who supervises, reporting rhythm, publication place and period, feedback date."""

    supervisor: str
    reporting: str
    publication_place: str
    publication_from: date | None = None
    publication_to: date | None = None
    feedback_due: date | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attachment:
    number: int
    kind: str
    title: str
    note: str = ""


@dataclass(frozen=True)
class Signature:
    """13: a signature line: role, party, name (signed on paper; the date is written by hand)."""

    role: str
    name: str
    party: str = ""
    title: str = ""


@dataclass(frozen=True)
class PartyTime:
    """Appendix: speaking time by party."""

    party: str
    speakers: int
    turns: int
    seconds: int


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    text: str


@dataclass(frozen=True)
class Appendix:
    """Speaking time by party and the timeline of the meeting.

    ``timeline`` holds the milestones (items, speeches, votes opened and closed); the rest of
    the log (hands raised, ballots, reconnects) is counted in ``events_total`` but not
    listed, and ballots never appear.
    """

    speaking_time: tuple[PartyTime, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    events_total: int = 0


# --------------------------------------------------------------------------- the document


@dataclass(frozen=True)
class MinutesDocument:
    header: Header
    attendance: Attendance
    matter: Matter
    agenda: tuple[AgendaRun, ...] = ()
    briefings: tuple[Briefing, ...] = ()
    views: tuple[View, ...] = ()
    dissent: tuple[Dissent, ...] = ()
    plans: tuple[Plan, ...] = ()
    votes: tuple[Vote, ...] = ()
    agreed: tuple[AgreedItem, ...] = ()
    # The summing up (归纳共识) in the clerk's words, by paragraph; shown with the agreed items.
    summary: tuple[str, ...] = ()
    pending: tuple[PendingItem, ...] = ()
    # Written questions from phones (7), and those dismissed, counted by reason: fields added
    # later, so a version stored before them keeps its hash.
    questions: tuple[WrittenQuestion, ...] = field(default=(), metadata=LATER_FIELD)
    questions_dismissed: tuple[DismissedQuestions, ...] = field(default=(), metadata=LATER_FIELD)
    follow_up: FollowUp | None = None
    attachments: tuple[Attachment, ...] = ()
    signatures: tuple[Signature, ...] = ()
    appendix: Appendix = field(default_factory=Appendix)

    @property
    def language(self) -> str:
        return self.header.language

    def to_plain(self) -> dict[str, Any]:
        """The document as JSON-ready plain data (dicts, lists, str, int, bool, None)."""
        return _to_plain(self)

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no whitespace, UTF-8 text (not ASCII-escaped)."""
        return canonical_json(self.to_plain())

    def content_hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON: the same document, the same hash. (A lone
        surrogate, which UTF-8 cannot carry, is hashed as it stands rather than failing:
        the same bytes as before for every other document.)"""
        return hashlib.sha256(self.to_json().encode("utf-8", "surrogatepass")).hexdigest()

    def printable(self) -> MinutesDocument:
        """The document with every text as a format can carry it (validation.printable_text:
        no NUL or other control character but tab and newline, no lone surrogate): what the
        builder gives and every renderer is handed, whatever the log or a stored version
        holds from before the input was checked. Itself when already so."""
        plain = self.to_plain()
        clean = _printable(plain)
        return self if clean == plain else MinutesDocument.from_plain(clean)

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> MinutesDocument:
        return _from_plain(cls, data)

    @classmethod
    def from_json(cls, text: str | bytes) -> MinutesDocument:
        return cls.from_plain(json.loads(text))


def finalise(document: MinutesDocument, at: datetime) -> MinutesDocument:
    """The same content as a final (locked) version, finalised at ``at``.

    Locking itself (refusing later edits) is the caller's: a final version is stored with
    its :meth:`~MinutesDocument.content_hash` and a change makes a new version.
    """
    _require(document.header.status == MinutesStatus.DRAFT, "only a draft can be finalised")
    header = dataclasses.replace(document.header, status=MinutesStatus.FINAL, finalised_at=at)
    return dataclasses.replace(document, header=header)


# --------------------------------------------------------------------------- plain data


def _printable(plain: Any) -> Any:
    if isinstance(plain, str):
        return printable_text(plain)
    if isinstance(plain, dict):
        return {printable_text(key): _printable(value) for key, value in plain.items()}
    if isinstance(plain, list):
        return [_printable(value) for value in plain]
    return plain


def canonical_json(plain: Any) -> str:
    return json.dumps(plain, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


def _to_plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        raise TypeError("the minutes model holds no floats (money in fen, area in hundredths)")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not (f.metadata.get("omit_when_empty") and getattr(value, f.name) == f.default)}
    if isinstance(value, (tuple, list)):
        return [_to_plain(item) for item in value]
    raise TypeError(f"cannot put {type(value).__name__} into the minutes JSON")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        module = __import__(cls.__module__, fromlist=["_"])
        hints = typing.get_type_hints(cls, vars(module))
        _HINTS[cls] = hints
    return hints


def _from_plain(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _from_plain(args[0], value)
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(tp)
        return tuple(_from_plain(item_type, item) for item in value)
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    if tp is Any:
        return value
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        unknown = set(value) - names
        _require(not unknown, f"{tp.__name__}: unknown fields {sorted(unknown)}")
        return tp(**{name: _from_plain(hints[name], item) for name, item in value.items()})
    if tp in (str, int, bool):
        _require(isinstance(value, tp) and not (tp is int and isinstance(value, bool)),
                 f"expected {tp.__name__}, got {value!r}")
        return value
    raise TypeError(f"cannot read {tp!r} from the minutes JSON")
