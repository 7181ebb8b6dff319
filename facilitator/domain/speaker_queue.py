"""The speaker queue: who gets the floor next, what may be raised, how long a turn runs.

Pure domain logic: no Flask, no database, no clock. Every function takes the facts it
needs (the waiting entries, the history of the current agenda item, the meeting's
settings, the time in integer milliseconds) and returns new values; nothing is mutated.
The service layer loads the facts, calls these functions and stores what comes back.

The speaking rules are those commonly written into the rules of procedure of Chinese community
consultations (议事规则):
raise your hand, give your stance, at most N turns per item, people who have not yet
spoken go first, the moderator alternates for and against, a point of order goes to the
front, a point of information does not use up a turn.

How the queue is ordered (``order_queue``)
==========================================
The order is a plain sort by a key computed from **one entry, the item's history and the
settings only** -- never from the other waiting entries. That single design decision is
what makes two promises hold by construction:

* removing or withdrawing an entry never reorders the others (a sort by a per-entry key
  restricted to a subset is the same order restricted to that subset);
* the order is deterministic: it does not depend on the order of the input list
  (the key ends with ``raised_seq`` and ``id``, which are unique).

Entries fall into five *placements*, in this order (see ``placement_of``):

1. ``point_of_order``: every point of order, in the order raised, when
   ``settings.points_of_order_first`` (the default). They are ruled on at once, so
   nothing ever goes before them, not even a manual move. With the setting off they are
   ordinary entries (sections 2-5, no stance).
2. ``manual``: entries the moderator has placed (``manual_position`` set), ordered by
   ``manual_position``. See "Manual moves" below.
3. ``overdue``: entries passed over ``settings.overdue_after_floors`` (K) times or more,
   in the order raised. This is the aging that guarantees nobody waits forever.
4. ``information``: points of information, in the order raised, when
   ``settings.information_before_speeches`` (the default: they are short questions of
   fact that the debate needs answered). When off, they are ordered with the speeches.
5. ``debate``: everything else, sorted by these rules, the first that differs decides:

   a. party time budget (``party_time_budget_seconds``): a speech of a party whose
      speeches on this item already reached the budget goes after all others. Only
      speeches are charged; points of order and information are not debate time.
   b. balance by party (``balance_by_party``): an entry of the party that made the last
      speech goes after the entries of every other party, so no party gets two turns in
      a row while another waits.
   c. not yet spoken first (``not_yet_spoken_first``): entries of people who have not
      made a speech on this item go before those of people who have.
   d. alternation (``alternate_stance``): a speech with the same stance as the last
      *for/against* speech goes after the others, so the opposite side speaks next.
   e. first come, first served: ``raised_seq``, then ``id``.

Alternation and "neutral"/"question"
------------------------------------
Only "for" and "against" are sides. The side to yield is the stance of the last speech
whose stance was "for" or "against"; neutral and question speeches are skipped when
looking back, so they never break alternation (for, neutral, against, for... is still
alternating). Neutral and question speeches are never deferred: they are ordered first
come first served together with the side whose turn it is.

Why the displayed list groups "the other side first" instead of zig-zagging: a list that
shows the projected zig-zag cannot also keep the others in place when one withdraws.
Last speech "for"; waiting A(against, raised 1), B(for, 2), C(for, 3), D(against, 4).
The zig-zag A, B, D, C would, once A withdraws, have to become D, B, C (an "against" must
come next), swapping B and D although nobody touched them. So the list shows the next
side first (A, D, B, C) and the zig-zag happens floor by floor: when A has spoken, the
last side is "against" and B moves to the head. The same argument shows why neutral
entries cannot be "first come first served with both sides at once": with F1(for),
N2(neutral), A3(against) after a "for" speech that would need A3 < F1 < N2 < A3.

Bounded wait (aging)
--------------------
An entry is *passed over* each time somebody else gets the floor while it waits; that
count is the number of history records with ``started_seq > raised_seq``
(``times_passed_over``). Once it reaches K = ``settings.overdue_after_floors`` (default
8) the entry is *overdue* and goes before every automatically ordered entry (placements
4 and 5), overdue entries among themselves first come first served.

Guarantee. If the floor always goes to the head of ``order_queue`` and the moderator
makes no manual move while entry E waits, then E gets the floor after at most **K + W**
floors given to other entries outside the point-of-order section, where W is the number
of entries outside that section already waiting when E was raised. Proof: after at most
K floors E is overdue. From then on, only points of order, manually placed entries and
overdue entries raised before E can be ahead of E. Without new moves the manual ones were
already placed (hence waiting) when E was raised, and the overdue ones ahead were raised
before E; either way they are among the W, and each leaves the queue once it has spoken
(raising again makes a new entry, raised after E). So at most W more floors go to others.
Points of order are excluded from the count: they are always first by rule, and each is
ruled on at once. Consequence: the fairness rules (a-d) are guarantees among entries that
are not overdue; aging deliberately overrides them, and the budget too.

Manual moves
------------
``move_entry(..., entry_id, to_position)`` puts an entry at index ``to_position`` of the
*speakers' list* (the queue without points of order, which cannot be moved) and returns
the entries with ``manual_position`` rewritten. The moved entry and every entry shown
ahead of it at that moment are *pinned*: they form the manual lane, numbered 0, 1, 2...
in their new order; entries already pinned stay pinned, right behind. Entries behind the
moved one stay automatic. Right after the move, ``order_queue`` shows exactly the
previous list with the entry moved to ``to_position``.

What a move guarantees afterwards, whatever happens next (speeches, arrivals,
withdrawals): the moved entry keeps its place relative to every entry that was waiting
when it was moved -- those shown ahead of it stay ahead, those shown behind stay behind --
until another move or ``clear_manual_order``. New entries go behind the whole manual lane
(points of order excepted). Why pin the entries ahead: the moderator put the entry *after*
them; if they stayed automatic, a later change of history (someone spoke, the side to
yield flipped) could push them behind it. Pinned entries are never overtaken by aging: the
moderator's explicit order wins, which is why the bounded-wait guarantee above assumes no
move while E waits (each move can add at most the lane's length to E's wait).

Error codes
===========
Every refusal raises ``facilitator.errors.DomainError(code, **params)``:

``queue.invalid_setting``            field, value -- a QueueSettings value out of range
``queue.invalid_kind``               kind -- not speech / point_of_order / point_of_information
``queue.invalid_stance``             kind, stance -- a speech needs for / against / neutral /
                                     question; a point of order or information takes none
``queue.invalid_seconds``            seconds -- a speech record with negative seconds
``queue.duplicate_entry``            entry_id -- two waiting entries share an id
``queue.list_closed``                participant_id, kind -- the speakers' list is closed
                                     (points of order are still admitted)
``queue.turns_exhausted``            participant_id, turns, max_turns -- no speech left
                                     on this item
``queue.entry_not_found``            entry_id -- no waiting entry with that id
``queue.point_of_order_not_movable`` entry_id -- points of order are always first
``queue.position_out_of_range``      position, size -- target outside the speakers' list
``timing.not_integer``               field, value -- times are integer milliseconds/seconds
``timing.invalid_duration``          field, value -- speech length <= 0, extension or
                                     warning < 0
``timing.clock_before_start``        started_at_ms, now_ms -- "now" before the start
``timing.invalid_pause``             index, start_ms, end_ms -- a pause before the start,
                                     ending before it begins, overlapping another, or left
                                     open while a later one exists
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Final, Literal

from facilitator.errors import DomainError

Kind = Literal["speech", "point_of_order", "point_of_information"]
Stance = Literal["for", "against", "neutral", "question"]
Placement = Literal["point_of_order", "manual", "overdue", "information", "debate"]
TimingState = Literal["running", "warning", "overrun", "paused"]

SPEECH: Final = "speech"
POINT_OF_ORDER: Final = "point_of_order"
POINT_OF_INFORMATION: Final = "point_of_information"
KINDS: Final[frozenset[str]] = frozenset({SPEECH, POINT_OF_ORDER, POINT_OF_INFORMATION})
STANCES: Final[frozenset[str]] = frozenset({"for", "against", "neutral", "question"})
#: The stances that alternate. Neutral and question are not a side.
SIDES: Final[frozenset[str]] = frozenset({"for", "against"})

#: The last seconds of a turn shown as a warning.
WARNING_SECONDS: Final = 30


def _check_kind_and_stance(kind: str, stance: str | None) -> None:
    """Refuse a kind/stance pair that the speaking rules do not allow.

    A speech must declare its stance first (the rule "say your stance first"); points
    of order and information are about procedure or facts, so a stance would be noise.
    """
    if kind not in KINDS:
        raise DomainError("queue.invalid_kind", kind=kind)
    if kind == SPEECH:
        if stance not in STANCES:
            raise DomainError("queue.invalid_stance", kind=kind, stance=stance)
    elif stance is not None:
        raise DomainError("queue.invalid_stance", kind=kind, stance=stance)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, kw_only=True)
class QueueEntry:
    """A raised hand waiting for the floor.

    ``raised_seq`` is the meeting's event sequence number when the hand was raised: it is
    the arrival order and the clock for aging (compared with ``SpeechRecord.started_seq``).
    ``manual_position`` is set only by ``move_entry``; ``None`` means "ordered by the
    rules". ``plan_key`` is opaque here (it links the entry to a planned slot elsewhere)
    and never influences the order.
    """

    id: int
    participant_id: int
    party: str
    kind: Kind
    stance: Stance | None = None
    plan_key: str | None = None
    raised_seq: int
    manual_position: int | None = None

    def __post_init__(self) -> None:
        _check_kind_and_stance(self.kind, self.stance)


@dataclass(frozen=True, kw_only=True)
class SpeechRecord:
    """One floor given on the current agenda item (a speech, point of order or of information).

    ``started_seq`` is the event sequence number when the floor was given; ``seconds`` is
    the time spoken so far (0 for the speech in progress is fine).
    """

    participant_id: int
    party: str
    kind: Kind
    stance: Stance | None = None
    seconds: int
    started_seq: int

    def __post_init__(self) -> None:
        _check_kind_and_stance(self.kind, self.stance)
        if self.seconds < 0:
            raise DomainError("queue.invalid_seconds", seconds=self.seconds)


@dataclass(frozen=True, kw_only=True)
class QueueSettings:
    """The speaking rules of one meeting; every rule of the consultation doc is a setting.

    ``overdue_after_floors`` is K of the bounded-wait guarantee (module docstring): the
    number of times an entry may be passed over before aging puts it ahead of the
    automatic order. Validated on construction so a bad value is refused when the
    moderator saves it, not at the first ordering.
    """

    points_of_order_first: bool = True
    not_yet_spoken_first: bool = True
    alternate_stance: bool = True
    balance_by_party: bool = False
    party_time_budget_seconds: int | None = None
    speech_seconds: int = 180
    max_turns_per_item: int = 2
    information_before_speeches: bool = True
    overdue_after_floors: int = 8

    def __post_init__(self) -> None:
        positive = {
            "speech_seconds": self.speech_seconds,
            "max_turns_per_item": self.max_turns_per_item,
            "overdue_after_floors": self.overdue_after_floors,
        }
        if self.party_time_budget_seconds is not None:
            positive["party_time_budget_seconds"] = self.party_time_budget_seconds
        for name, value in positive.items():
            if type(value) is not int or value < 1:
                raise DomainError("queue.invalid_setting", field=name, value=value)


# ------------------------------------------------------------------ item context


@dataclass(frozen=True)
class _ItemContext:
    """Everything the sort key needs from the history, computed once per ordering."""

    turns: Mapping[int, int]
    party_speech_seconds: Mapping[str, int]
    last_speech_party: str | None
    last_side: str | None
    floor_seqs: tuple[int, ...]


def _context(history: Iterable[SpeechRecord]) -> _ItemContext:
    records = sorted(history, key=lambda r: r.started_seq)
    turns: dict[int, int] = {}
    party_seconds: dict[str, int] = {}
    last_party: str | None = None
    last_side: str | None = None
    for record in records:
        if record.kind != SPEECH:
            continue
        turns[record.participant_id] = turns.get(record.participant_id, 0) + 1
        party_seconds[record.party] = party_seconds.get(record.party, 0) + record.seconds
        last_party = record.party
        if record.stance in SIDES:
            last_side = record.stance
    return _ItemContext(
        turns=turns,
        party_speech_seconds=party_seconds,
        last_speech_party=last_party,
        last_side=last_side,
        floor_seqs=tuple(r.started_seq for r in records),
    )


def _passed_over(entry: QueueEntry, ctx: _ItemContext) -> int:
    return len(ctx.floor_seqs) - bisect_right(ctx.floor_seqs, entry.raised_seq)


def times_passed_over(entry: QueueEntry, history: Iterable[SpeechRecord]) -> int:
    """How many floors were given since ``entry`` was raised (all kinds count).

    This is the aging clock: the entry is waiting, so every one of those floors went to
    somebody else. Shown in the UI as "waited N turns".
    """
    return _passed_over(entry, _context(history))


def _placement(entry: QueueEntry, ctx: _ItemContext, settings: QueueSettings) -> Placement:
    if entry.kind == POINT_OF_ORDER and settings.points_of_order_first:
        return "point_of_order"
    if entry.manual_position is not None:
        return "manual"
    if _passed_over(entry, ctx) >= settings.overdue_after_floors:
        return "overdue"
    if entry.kind == POINT_OF_INFORMATION and settings.information_before_speeches:
        return "information"
    return "debate"


def placement_of(
    entry: QueueEntry, history: Iterable[SpeechRecord], settings: QueueSettings
) -> Placement:
    """Which section of the queue ``entry`` is in, i.e. *why* it stands where it stands.

    Lets the UI explain the order ("overdue", "placed by the moderator") and lets tests
    state the fairness rules for exactly the entries they govern.
    """
    return _placement(entry, _context(history), settings)


_PLACEMENT_RANK: Final[Mapping[str, int]] = {
    "point_of_order": 0,
    "manual": 1,
    "overdue": 2,
    "information": 3,
    "debate": 4,
}


def _sort_key(
    entry: QueueEntry, ctx: _ItemContext, settings: QueueSettings
) -> tuple[int, int, int, int, int, int, int, int]:
    """The whole ordering policy. Depends on this entry, the history and settings only."""
    placement = _placement(entry, ctx, settings)
    rank = _PLACEMENT_RANK[placement]
    fcfs = (entry.raised_seq, entry.id)
    if placement == "manual":
        assert entry.manual_position is not None
        return (rank, entry.manual_position, 0, 0, 0, 0, *fcfs)
    if placement != "debate":
        return (rank, 0, 0, 0, 0, 0, *fcfs)
    is_speech = entry.kind == SPEECH
    budget = settings.party_time_budget_seconds
    over_budget = (
        is_speech
        and budget is not None
        and ctx.party_speech_seconds.get(entry.party, 0) >= budget
    )
    same_party = settings.balance_by_party and entry.party == ctx.last_speech_party
    has_spoken = settings.not_yet_spoken_first and ctx.turns.get(entry.participant_id, 0) > 0
    same_side = (
        settings.alternate_stance
        and is_speech
        and ctx.last_side is not None
        and entry.stance == ctx.last_side
    )
    return (rank, 0, int(over_budget), int(same_party), int(has_spoken), int(same_side), *fcfs)


def _check_unique_ids(entries: Sequence[QueueEntry]) -> None:
    seen: set[int] = set()
    for entry in entries:
        if entry.id in seen:
            raise DomainError("queue.duplicate_entry", entry_id=entry.id)
        seen.add(entry.id)


def order_queue(
    entries: Iterable[QueueEntry],
    history: Iterable[SpeechRecord],
    settings: QueueSettings,
) -> list[QueueEntry]:
    """The waiting entries in the order they will get the floor; the head is next.

    A sort by ``_sort_key`` (see the module docstring for the rules and why a per-entry
    key). Pure and deterministic: same facts, same list, whatever the input order.
    """
    entries = list(entries)
    _check_unique_ids(entries)
    ctx = _context(history)
    return sorted(entries, key=lambda e: _sort_key(e, ctx, settings))


def next_entry(
    entries: Iterable[QueueEntry],
    history: Iterable[SpeechRecord],
    settings: QueueSettings,
) -> QueueEntry | None:
    """Who the moderator should give the floor to now, or ``None`` if nobody waits."""
    ordered = order_queue(entries, history, settings)
    return ordered[0] if ordered else None


# ------------------------------------------------------------ changing the queue


def _find(entries: Iterable[QueueEntry], entry_id: int) -> QueueEntry:
    for entry in entries:
        if entry.id == entry_id:
            return entry
    raise DomainError("queue.entry_not_found", entry_id=entry_id)


def remove_entry(entries: Iterable[QueueEntry], entry_id: int) -> list[QueueEntry]:
    """Withdraw (by the participant) or remove (by the moderator) one entry.

    Nothing else changes, and because the order is a per-entry sort the others keep
    their relative order -- a withdrawal never costs anyone their place.
    """
    entries = list(entries)
    _find(entries, entry_id)
    return [e for e in entries if e.id != entry_id]


def move_entry(
    entries: Iterable[QueueEntry],
    history: Iterable[SpeechRecord],
    settings: QueueSettings,
    entry_id: int,
    to_position: int,
) -> list[QueueEntry]:
    """The moderator puts an entry at ``to_position`` (0-based) of the speakers' list.

    The speakers' list is ``order_queue`` without points of order. Returns all entries,
    in the input order, with ``manual_position`` rewritten: the moved entry, everyone
    shown ahead of it and everyone already pinned form the manual lane 0..n-1 (module
    docstring, "Manual moves", says why and what is guaranteed afterwards).
    """
    entries = list(entries)
    target = _find(entries, entry_id)
    if target.kind == POINT_OF_ORDER and settings.points_of_order_first:
        raise DomainError("queue.point_of_order_not_movable", entry_id=entry_id)
    ctx = _context(history)
    speakers = [
        e
        for e in sorted(entries, key=lambda e: _sort_key(e, ctx, settings))
        if _placement(e, ctx, settings) != "point_of_order"
    ]
    if not 0 <= to_position < len(speakers):
        raise DomainError("queue.position_out_of_range", position=to_position, size=len(speakers))
    reordered = [e for e in speakers if e.id != entry_id]
    reordered.insert(to_position, target)
    lane_end = 1 + max(
        i
        for i, e in enumerate(reordered)
        if e.id == entry_id or _placement(e, ctx, settings) == "manual"
    )
    positions = {e.id: i for i, e in enumerate(reordered[:lane_end])}
    speaker_ids = {e.id for e in speakers}
    return [
        replace(e, manual_position=positions.get(e.id)) if e.id in speaker_ids else e
        for e in entries
    ]


def clear_manual_order(entries: Iterable[QueueEntry]) -> list[QueueEntry]:
    """Hand the whole queue back to the rules (the moderator's "reset order")."""
    return [replace(e, manual_position=None) for e in entries]


# ------------------------------------------------------------------ raising hands


def find_waiting(
    participant_id: int, kind: str, entries: Iterable[QueueEntry]
) -> QueueEntry | None:
    """The participant's waiting entry of this kind, if any (there is at most one)."""
    for entry in entries:
        if entry.participant_id == participant_id and entry.kind == kind:
            return entry
    return None


def can_raise(
    participant_id: int,
    kind: str,
    entries: Iterable[QueueEntry],
    history: Iterable[SpeechRecord],
    settings: QueueSettings,
    list_open: bool,
) -> QueueEntry | None:
    """Check whether ``participant_id`` may raise a hand of ``kind``.

    Returns the already waiting entry of the same kind if there is one (a hand raised
    twice is ONE entry; pressing the button again must not error nor lose the place),
    ``None`` if a new entry may be created, and raises ``DomainError`` if refused:

    * ``queue.invalid_kind``;
    * ``queue.list_closed`` -- for speeches and points of information once the
      moderator closed the list; a point of order is always admitted, since it may be
      exactly about the closing;
    * ``queue.turns_exhausted`` -- ``max_turns_per_item`` speeches already made on the
      item; points of order and of information never use up a turn.
    """
    if kind not in KINDS:
        raise DomainError("queue.invalid_kind", kind=kind)
    existing = find_waiting(participant_id, kind, entries)
    if existing is not None:
        return existing
    if not list_open and kind != POINT_OF_ORDER:
        raise DomainError("queue.list_closed", participant_id=participant_id, kind=kind)
    if kind == SPEECH:
        turns = _context(history).turns.get(participant_id, 0)
        if turns >= settings.max_turns_per_item:
            raise DomainError(
                "queue.turns_exhausted",
                participant_id=participant_id,
                turns=turns,
                max_turns=settings.max_turns_per_item,
            )
    return None


@dataclass(frozen=True)
class RaiseOutcome:
    """The entry standing for the raised hand, and whether it was created just now."""

    entry: QueueEntry
    created: bool


def raise_hand(
    entries: Iterable[QueueEntry],
    history: Iterable[SpeechRecord],
    settings: QueueSettings,
    list_open: bool,
    *,
    entry_id: int,
    participant_id: int,
    party: str,
    kind: str,
    stance: str | None,
    raised_seq: int,
    plan_key: str | None = None,
) -> RaiseOutcome:
    """Raise a hand idempotently: the existing entry if already waiting, else a new one.

    ``entry_id`` and ``raised_seq`` come from the caller (the store and the event log)
    so this stays pure. An existing entry is returned unchanged even if ``stance``
    differs: the stance decides the place in alternation, so changing it is a withdraw
    and a new raise, at the back. The new entry is not added to ``entries``; the caller
    stores it.
    """
    _check_kind_and_stance(kind, stance)
    entries = list(entries)
    existing = can_raise(participant_id, kind, entries, history, settings, list_open)
    if existing is not None:
        return RaiseOutcome(existing, created=False)
    entry = QueueEntry(
        id=entry_id,
        participant_id=participant_id,
        party=party,
        kind=kind,  # type: ignore[arg-type]  # validated above
        stance=stance,  # type: ignore[arg-type]
        plan_key=plan_key,
        raised_seq=raised_seq,
    )
    return RaiseOutcome(entry, created=True)


# ------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class SpeakingTally:
    """Floors and seconds of one participant, one party, or everyone.

    ``turns`` counts speeches only (what ``max_turns_per_item`` limits);
    ``speech_seconds`` is the debate time (what a party budget is charged);
    ``seconds`` is all floor time, points of order and information included.
    """

    turns: int = 0
    speech_seconds: int = 0
    points_of_information: int = 0
    points_of_order: int = 0
    seconds: int = 0

    def plus(self, record: SpeechRecord) -> SpeakingTally:
        """This tally with one more floor counted."""
        is_speech = record.kind == SPEECH
        return SpeakingTally(
            turns=self.turns + is_speech,
            speech_seconds=self.speech_seconds + (record.seconds if is_speech else 0),
            points_of_information=self.points_of_information
            + (record.kind == POINT_OF_INFORMATION),
            points_of_order=self.points_of_order + (record.kind == POINT_OF_ORDER),
            seconds=self.seconds + record.seconds,
        )


@dataclass(frozen=True)
class SpeakingStats:
    """Speaking statistics of an agenda item; mappings keep the order of first floor."""

    by_participant: Mapping[int, SpeakingTally] = field(default_factory=dict)
    by_party: Mapping[str, SpeakingTally] = field(default_factory=dict)
    total: SpeakingTally = SpeakingTally()


def speaking_stats(history: Iterable[SpeechRecord]) -> SpeakingStats:
    """Turns and seconds per participant, per party and in total.

    For the moderator's balance view and the minutes ("views of each party"). Records
    are taken in ``started_seq`` order so the mappings list people in speaking order.
    """
    by_participant: dict[int, SpeakingTally] = {}
    by_party: dict[str, SpeakingTally] = {}
    total = SpeakingTally()
    for record in sorted(history, key=lambda r: r.started_seq):
        by_participant[record.participant_id] = by_participant.get(
            record.participant_id, SpeakingTally()
        ).plus(record)
        by_party[record.party] = by_party.get(record.party, SpeakingTally()).plus(record)
        total = total.plus(record)
    return SpeakingStats(by_participant=by_participant, by_party=by_party, total=total)


# -------------------------------------------------------------- the speakers part


# Speaking rules a meeting can change, with defaults as rules of procedure commonly set them:
# 3 minutes a turn, briefings longer, short points, at most 2 turns per person per item.
SETTING_DEFAULTS = {
    "speech_seconds": 180, "briefing_seconds": 600, "point_seconds": 60,
    "max_turns_per_item": 2, "points_of_order_first": True, "not_yet_spoken_first": True,
    "alternate_stance": True, "balance_by_party": False, "party_time_budget_seconds": None,
    "stats_on_projector": False,
}


def queue_settings(settings: Mapping) -> QueueSettings:
    """The rules' settings out of a meeting's speaker settings (all keys, defaults filled)."""
    return QueueSettings(
        points_of_order_first=settings["points_of_order_first"],
        not_yet_spoken_first=settings["not_yet_spoken_first"],
        alternate_stance=settings["alternate_stance"],
        balance_by_party=settings["balance_by_party"],
        party_time_budget_seconds=settings["party_time_budget_seconds"] or None,
        speech_seconds=settings["speech_seconds"],
        max_turns_per_item=settings["max_turns_per_item"])


def speakers_part(item_id: int | None, settings: Mapping, entries: Iterable[QueueEntry],
                  history: Iterable[SpeechRecord]) -> dict:
    """The live state's single ``speakers`` part: the running item's waiting entries in the
    order the rules give, and its speaking statistics. The speech still at the floor counts
    as a turn with no time yet: the part depends on what is recorded, never on the clock,
    so a command computing it from its rows and a snapshot computing it from the event log
    give the same value."""
    history = list(history)
    ordered = order_queue(entries, history, queue_settings(settings))
    stats = speaking_stats(history)
    return {
        "item_id": item_id,
        "order": [entry.id for entry in ordered],
        "stats_public": settings["stats_on_projector"],
        "stats": {
            "by_participant": {str(pid): asdict(t) for pid, t in stats.by_participant.items()},
            "by_party": {party: asdict(t) for party, t in stats.by_party.items()},
            "total": asdict(stats.total),
        },
    }


# ----------------------------------------------------------------------- timing


@dataclass(frozen=True)
class SpeechTiming:
    """Where a running turn stands.

    ``remaining_seconds`` is rounded *up* (a countdown shows 1 until the time is really
    up) and ``overrun_seconds`` *down* (a stopwatch shows completed seconds). With that
    rounding, outside a pause: ``running`` iff remaining_seconds > warning seconds,
    ``warning`` iff 1 <= remaining_seconds <= warning seconds (exactly 30 s left is a
    warning), ``overrun`` iff remaining_seconds == 0 (exactly 0 left is overrun: the
    allotted time is used up, so the moderator should now close the turn).
    """

    state: TimingState
    allowed_ms: int
    elapsed_ms: int
    remaining_ms: int
    remaining_seconds: int
    overrun_seconds: int


def _require_int(name: str, value: object) -> int:
    if type(value) is not int:
        raise DomainError("timing.not_integer", field=name, value=value)
    return value


def speech_timing(
    started_at_ms: int,
    paused_intervals: Sequence[tuple[int, int | None]],
    extension_seconds: int,
    now_ms: int,
    *,
    speech_seconds: int = 180,
    warning_seconds: int = WARNING_SECONDS,
) -> SpeechTiming:
    """Remaining time, overrun and state of a turn at ``now_ms``.

    ``paused_intervals`` are ``(start_ms, end_ms)`` pairs, ``end_ms`` ``None`` for the
    pause still in progress; paused time does not count. The allowance is
    ``speech_seconds + extension_seconds`` (the moderator's recorded extensions). The
    state is ``paused`` whenever ``now_ms`` falls in a pause, whatever the time left;
    a pause starting after ``now_ms`` has not happened yet and is ignored.
    Integer milliseconds only, so the result is exact and the same on every machine.
    """
    started_at_ms = _require_int("started_at_ms", started_at_ms)
    now_ms = _require_int("now_ms", now_ms)
    extension_seconds = _require_int("extension_seconds", extension_seconds)
    speech_seconds = _require_int("speech_seconds", speech_seconds)
    warning_seconds = _require_int("warning_seconds", warning_seconds)
    if speech_seconds < 1:
        raise DomainError("timing.invalid_duration", field="speech_seconds", value=speech_seconds)
    if extension_seconds < 0:
        raise DomainError(
            "timing.invalid_duration", field="extension_seconds", value=extension_seconds
        )
    if warning_seconds < 0:
        raise DomainError("timing.invalid_duration", field="warning_seconds", value=warning_seconds)
    if now_ms < started_at_ms:
        raise DomainError("timing.clock_before_start", started_at_ms=started_at_ms, now_ms=now_ms)

    pauses: list[tuple[int, int, int | None]] = []
    for index, (start, end) in enumerate(paused_intervals):
        start = _require_int("pause_start_ms", start)
        end = None if end is None else _require_int("pause_end_ms", end)
        pauses.append((start, index, end))

    paused_ms = 0
    paused_now = False
    previous_end: int | None = started_at_ms
    for start, index, end in sorted(pauses, key=lambda pause: pause[:2]):
        if (
            previous_end is None  # an open pause followed by another one
            or start < previous_end
            or (end is not None and end < start)
        ):
            raise DomainError("timing.invalid_pause", index=index, start_ms=start, end_ms=end)
        previous_end = end
        if start > now_ms:
            continue
        stop = now_ms if end is None else min(end, now_ms)
        paused_ms += stop - start
        if end is None or now_ms < end:
            paused_now = True

    allowed_ms = (speech_seconds + extension_seconds) * 1000
    elapsed_ms = now_ms - started_at_ms - paused_ms
    remaining_ms = allowed_ms - elapsed_ms
    remaining_seconds = -(-remaining_ms // 1000) if remaining_ms > 0 else 0
    overrun_seconds = (-remaining_ms) // 1000 if remaining_ms < 0 else 0
    state: TimingState
    if paused_now:
        state = "paused"
    elif remaining_ms <= 0:
        state = "overrun"
    elif remaining_ms <= warning_seconds * 1000:
        state = "warning"
    else:
        state = "running"
    return SpeechTiming(
        state=state,
        allowed_ms=allowed_ms,
        elapsed_ms=elapsed_ms,
        remaining_ms=remaining_ms,
        remaining_seconds=remaining_seconds,
        overrun_seconds=overrun_seconds,
    )
