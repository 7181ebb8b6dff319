"""Votes: who counts, how ballots are tallied, and whether a motion passes.

Pure domain logic (no Flask, no database): plain dataclasses and functions over plain data,
so the same numbers come out in the console, on the projector, in the minutes and in the
tests. The explanations' words are messages of the catalogue (``facilitator.catalogue``,
``explain.*``), the one file the module reads.

Why the numbers are integers
    Owners' decisions are legal acts (Civil Code Art. 278) whose thresholds sit exactly on
    fractions such as two-thirds. A float can put 2/3 on the wrong side of the line, so:

    * area is always an ``int`` in hundredths of a square metre ("89.76" -> 8976);
    * money is always an ``int`` in fen ("4754.03" -> 475403);
    * every comparison is cross-multiplied (``3*n >= 2*N``), every percentage and every
      share is rounded half-up with ``divmod``; no ``float`` is ever created.

Who counts as one owner (SPC interpretation on building ownership, Arts. 8-9)
    One roster row per exclusive unit. Rows sharing an ``owner_key`` are one owner whose
    area is the sum (one owner with several units; the developer's unsold units share one
    key). A co-owned unit is one row, hence one vote, cast by whoever the co-owners chose.

Methods (:class:`Method`)
    ``single`` (one option, or abstain), ``yes_no`` (yes / no / abstain on a motion),
    ``approval`` (any number of options, optionally capped) and ``ranked`` (instant runoff;
    every round is returned, see :func:`tally` for the tie-break). Every ballot carries its
    voter's headcount weight (1) and area weight, so every tally is given both by headcount
    and by area, plus participation (n, a): everyone who returned a ballot, abstentions
    included.

Decision rules (:class:`DecisionRule`, :class:`VotingSettings`)
    ``plurality``, ``simple_majority``, ``two_thirds`` (headcount, as in a consultation),
    ``art278_majority`` and ``art278_three_quarters`` (gate ``3n >= 2N`` and ``3a >= 2A``,
    then ``2*yn > n`` and ``2*ya > a``, resp. ``4*yn >= 3n`` and ``4*ya >= 3a``), and
    ``fund_two_thirds_of_total`` (the older fund-office rule: yes by at least two-thirds of
    *all* owners and of the *total* area). Which rule applies to which matter is a
    per-jurisdiction setting; :data:`CIVIL_CODE` is the default, :data:`FUND_OFFICE_2007`
    is the older variant. An option involving several matters must pass every matter's
    rule (:func:`decide_option`). Abstentions take part (they are in n and a) but are never
    yes; owners who did not vote are never counted as yes.

Error codes (raised as ``facilitator.errors.DomainError(code, **params)``)
    roster.bad_area                       value[, unit] -- area text not a non-negative number
                                          with at most 2 decimals; or a unit area <= 0
    roster.missing_field                  field, row -- unit, owner_name or owner_key empty
    roster.duplicate_unit                 unit -- the same unit listed twice
    roster.owner_name_conflict            owner_key, names -- one key, different names
    money.bad_amount                      value -- money text not a non-negative amount
                                          with at most 2 decimals
    money.negative                        field, value -- a money amount below zero or
                                          not an int number of fen
    vote.no_options                       method -- a question without options
    vote.duplicate_option                 option -- an option listed twice
    vote.reserved_option                  option -- "abstain" used as an option key
    vote.bad_options                      method, options -- yes/no question whose options
                                          are not exactly ("yes", "no")
    vote.bad_max_choices                  max_choices -- approval cap below 1 or used
                                          with a method other than approval
    vote.bad_weight                       voter, heads, area -- a weight that is not a
                                          non-negative int (heads must be >= 1)
    vote.duplicate_voter                  voter -- two ballots from one voter
    vote.not_eligible                     voter -- ballot from someone not eligible
    vote.weight_mismatch                  voter, heads, area, expected_heads,
                                          expected_area -- ballot weight differs from
                                          the eligible owner's
    vote.unknown_choice                   voter, choice -- a choice that is not an option
    vote.too_many_choices                 voter, count, max_choices -- more choices than
                                          the method allows
    vote.duplicate_choice                 voter, choice -- the same option twice on one
                                          ballot
    vote.abstain_mixed                    voter -- "abstain" together with options
    decision.unknown_option               option -- option not in the tally
    decision.scope_required               rule -- rule needs the scope totals (N, A)
    decision.participation_exceeds_scope  owners, area, scope_owners, scope_area
    decision.rule_not_for_method          rule, method -- threshold rule on a ranked vote
    decision.unknown_matter               matter -- matter key not in the settings
    decision.no_matters                   option -- an option decided on no matter
    share.bad_area                        area, total_area -- total <= 0, area < 0 or
                                          area > total
    fund.overdraw                         balance, draw -- a draw larger than the balance
    explain.unknown_language              lang -- a language the catalogue has no messages in
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from facilitator.catalogue import LOCALES, has_message, message_for
from facilitator.errors import DomainError

__all__ = [
    "ABSTAIN",
    "AREA",
    "ART278_MAJORITY",
    "ART278_THREE_QUARTERS",
    "BOTH",
    "Ballot",
    "Base",
    "CIVIL_CODE",
    "Count",
    "Decision",
    "DecisionRule",
    "FUND_OFFICE_2007",
    "FUND_TWO_THIRDS_OF_TOTAL",
    "FundStatus",
    "HALF_STRICT",
    "HEADS_ONLY",
    "Matter",
    "Method",
    "NO",
    "OWNERS",
    "OptionDecision",
    "OWNERS_MONEY",
    "Owner",
    "OwnerShare",
    "PLURALITY",
    "Question",
    "RosterRow",
    "Round",
    "SIMPLE_MAJORITY",
    "THREE_QUARTERS_AT_LEAST",
    "TWO_THIRDS",
    "TWO_THIRDS_AT_LEAST",
    "Tally",
    "Threshold",
    "VotingSettings",
    "YES",
    "decide",
    "decide_option",
    "explain",
    "explain_option",
    "format_area",
    "format_rate_per_m2",
    "format_yuan",
    "fund_after_draw",
    "owner_share",
    "owners_from_roster",
    "parse_area",
    "parse_yuan",
    "percent",
    "rule_for_matter",
    "scope_totals",
    "share_by_area",
    "tally",
]

ABSTAIN = "abstain"
YES = "yes"
NO = "no"

#: The two measures every owners' count is kept in.
OWNERS = "owners"
AREA = "area"


# --------------------------------------------------------------------------- numbers

# Strict decimal: ASCII digits, optional point followed by 1-2 digits. No sign, no
# thousands separators, no exponent, no full-width digits: a roster or a form field either
# means one exact number or is refused. At most 15 whole digits (ten times any amount of
# money or area the app can meet): the value then fits a 64-bit integer in hundredths, and
# a string of thousands of digits is refused instead of costing int() a ValueError.
_DECIMAL_2 = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,2})?")


def _parse_hundredths(text: object) -> int | None:
    """Exact hundredths of a strict decimal string, or ``None`` when it is not one."""
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if not _DECIMAL_2.fullmatch(stripped):
        return None
    whole, _, frac = stripped.partition(".")
    return int(whole) * 100 + int(frac.ljust(2, "0"))


def _format_hundredths(value: int) -> str:
    """``439734`` -> ``"4,397.34"`` (thousands separated, always two decimals)."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 100)
    return f"{sign}{whole:,}.{frac:02d}"


def parse_area(text: str) -> int:
    """Parse a floor area in m² into hundredths of m²: ``"89.76"`` -> ``8976``.

    Only a string is accepted (never a float: 89.76 as a float is not 89.76). Leading and
    trailing blanks are ignored; a sign, more than two decimals, separators or anything else
    is refused with ``roster.bad_area``.
    """
    value = _parse_hundredths(text)
    if value is None:
        raise DomainError("roster.bad_area", value=str(text))
    return value


def format_area(hundredths: int) -> str:
    """Render hundredths of m² for people: ``439734`` -> ``"4,397.34"``."""
    return _format_hundredths(hundredths)


def parse_yuan(text: str) -> int:
    """Parse an amount of CNY into fen: ``"232900"`` -> ``23290000``, ``"0.5"`` -> ``50``.

    Same strict grammar as :func:`parse_area`; refused with ``money.bad_amount``.
    """
    value = _parse_hundredths(text)
    if value is None:
        raise DomainError("money.bad_amount", value=str(text))
    return value


def format_yuan(fen: int) -> str:
    """Render fen as CNY: ``475403`` -> ``"4,754.03"``."""
    return _format_hundredths(fen)


def _round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up, for ``numerator >= 0 < denominator``."""
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)


def _ceil_div(numerator: int, denominator: int) -> int:
    return -((-numerator) // denominator)


def percent(part: int, whole: int, decimals: int) -> str:
    """``part / whole`` as a percentage string rounded half-up: ``(21, 30, 1)`` -> ``"70.0%"``.

    Integer arithmetic only. ``whole == 0`` has no percentage and gives ``"—"``.
    Headcounts are shown with one decimal and areas with two in the explanations.
    """
    if whole == 0:
        return "—"
    scale = 10**decimals
    value = _round_half_up(part * 100 * scale, whole)
    if decimals == 0:
        return f"{value}%"
    return f"{value // scale}.{value % scale:0{decimals}d}%"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------- owners


@dataclass(frozen=True)
class Count:
    """A number of owners (headcount) together with their exclusive area (hundredths m²).

    Unpacks like a pair, so ``N, A = scope_totals(owners)`` reads as in the law.
    """

    owners: int = 0
    area: int = 0

    def __iter__(self) -> Iterator[int]:
        return iter((self.owners, self.area))

    def __add__(self, other: Count) -> Count:
        return Count(self.owners + other.owners, self.area + other.area)

    def get(self, measure: str) -> int:
        """The value of one measure, ``OWNERS`` or ``AREA``."""
        return self.owners if measure == OWNERS else self.area


class RosterRow(NamedTuple):
    """One exclusive unit of the roster (a plain 4-tuple works as well)."""

    unit: str
    area: int  # hundredths of m²
    owner_name: str
    owner_key: str


@dataclass(frozen=True)
class Owner:
    """One owner by the counting rules: one vote, the summed area of all their units."""

    key: str
    name: str
    units: tuple[str, ...]
    area: int  # hundredths of m²

    @property
    def weight(self) -> Count:
        return Count(1, self.area)


def owners_from_roster(rows: Iterable[RosterRow | tuple[str, int, str, str]]) -> list[Owner]:
    """Group roster rows ``(unit, area_hundredths, owner_name, owner_key)`` into owners.

    Rows with the same ``owner_key`` are one owner counted once with the summed area (SPC
    interpretation Art. 9): this is how one owner with several units, and the developer's
    unsold units (one key for all of them), count once. A co-owned unit is a single row and
    therefore a single vote. Owners come out in the order their key first appears.
    """
    by_key: dict[str, tuple[str, list[str], int]] = {}
    seen_units: set[str] = set()
    for index, row in enumerate(rows):
        unit, area, name, key = row
        for field_name, value in (("unit", unit), ("owner_name", name), ("owner_key", key)):
            if not isinstance(value, str) or not value.strip():
                raise DomainError("roster.missing_field", field=field_name, row=index)
        if not _is_int(area) or area <= 0:
            raise DomainError("roster.bad_area", value=str(area), unit=unit)
        if unit in seen_units:
            raise DomainError("roster.duplicate_unit", unit=unit)
        seen_units.add(unit)
        if key in by_key:
            known_name, units, total = by_key[key]
            if known_name != name:
                raise DomainError("roster.owner_name_conflict", owner_key=key, names=[known_name, name])
            units.append(unit)
            by_key[key] = (known_name, units, total + area)
        else:
            by_key[key] = (name, [unit], area)
    return [Owner(key, name, tuple(units), area) for key, (name, units, area) in by_key.items()]


def scope_totals(owners: Iterable[Owner]) -> Count:
    """``(N, A)``: owners and exclusive area of a scope (e.g. the building whose fund pays)."""
    total = Count()
    for owner in owners:
        total = total + owner.weight
    return total


# --------------------------------------------------------------------------- ballots


class Method(StrEnum):
    SINGLE = "single"
    YES_NO = "yes_no"
    APPROVAL = "approval"
    RANKED = "ranked"


@dataclass(frozen=True)
class Question:
    """What is asked: the method and the option keys (in display order).

    The option order matters only as the last tie-break of the instant runoff.
    Use the class methods rather than the constructor.
    """

    method: Method
    options: tuple[str, ...]
    max_choices: int | None = None  # approval only; None = no cap

    @classmethod
    def single(cls, *options: str) -> Question:
        return cls(Method.SINGLE, tuple(options))

    @classmethod
    def yes_no(cls) -> Question:
        return cls(Method.YES_NO, (YES, NO))

    @classmethod
    def approval(cls, *options: str, max_choices: int | None = None) -> Question:
        return cls(Method.APPROVAL, tuple(options), max_choices)

    @classmethod
    def ranked(cls, *options: str) -> Question:
        return cls(Method.RANKED, tuple(options))


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot with the voter's weights.

    ``choices``: the option for ``single`` / ``yes_no`` (one element), the approved options
    for ``approval`` (any order), the preference order for ``ranked`` (may be partial).
    ``()`` or ``("abstain",)`` is an abstention: the voter takes part but supports nothing.
    ``heads`` is the headcount weight (1 per owner), ``area`` the owner's area in hundredths.
    """

    voter: str
    choices: tuple[str, ...]
    area: int
    heads: int = 1

    @classmethod
    def cast(cls, owner: Owner, *choices: str) -> Ballot:
        """The ballot of ``owner`` with their own weights."""
        return cls(owner.key, tuple(choices), owner.area)

    @property
    def weight(self) -> Count:
        return Count(self.heads, self.area)


@dataclass(frozen=True)
class Round:
    """One round of an instant runoff.

    ``counts``: the ballots' current top continuing choice, per continuing option.
    ``exhausted``: ballots (not abstentions) with no continuing option left.
    ``eliminated``: the option dropped after this round; ``winner`` when it ended the count.
    """

    counts: dict[str, Count]
    exhausted: Count
    eliminated: str | None = None
    winner: str | None = None

    @property
    def continuing(self) -> Count:
        total = Count()
        for count in self.counts.values():
            total = total + count
        return total


@dataclass(frozen=True)
class Tally:
    """Counts by headcount and area for every option and for ``"abstain"``.

    ``participation`` is (n, a): every ballot returned, abstentions included. For approval a
    voter adds to every option they approve, so option counts may sum to more than n. For
    ranked, ``counts`` holds first preferences and ``rounds`` the runoff; ``winner`` is the
    runoff winner (other methods leave ``rounds`` empty and ``winner`` ``None``: use
    :func:`decide`). A tally never says who voted what (secret ballots stay secret).
    """

    method: Method
    options: tuple[str, ...]
    counts: dict[str, Count]
    participation: Count
    rounds: tuple[Round, ...] = ()
    winner: str | None = None


def _check_question(question: Question) -> None:
    options = question.options
    if not options:
        raise DomainError("vote.no_options", method=str(question.method))
    seen: set[str] = set()
    for option in options:
        if option == ABSTAIN:
            raise DomainError("vote.reserved_option", option=option)
        if option in seen:
            raise DomainError("vote.duplicate_option", option=option)
        seen.add(option)
    if question.method == Method.YES_NO and options != (YES, NO):
        raise DomainError("vote.bad_options", method=str(question.method), options=list(options))
    if question.max_choices is not None and (
        question.method != Method.APPROVAL or not _is_int(question.max_choices) or question.max_choices < 1
    ):
        raise DomainError("vote.bad_max_choices", max_choices=question.max_choices)


def _checked_choices(question: Question, ballot: Ballot) -> tuple[str, ...]:
    """The ballot's choices validated for the method; ``()`` for an abstention."""
    choices = tuple(ballot.choices)
    if ABSTAIN in choices:
        if len(choices) > 1:
            raise DomainError("vote.abstain_mixed", voter=ballot.voter)
        return ()
    for choice in choices:
        if choice not in question.options:
            raise DomainError("vote.unknown_choice", voter=ballot.voter, choice=choice)
    seen: set[str] = set()
    for choice in choices:
        if choice in seen:
            raise DomainError("vote.duplicate_choice", voter=ballot.voter, choice=choice)
        seen.add(choice)
    limit: int | None
    if question.method in (Method.SINGLE, Method.YES_NO):
        limit = 1
    elif question.method == Method.APPROVAL:
        limit = question.max_choices
    else:
        limit = None
    if limit is not None and len(choices) > limit:
        raise DomainError("vote.too_many_choices", voter=ballot.voter, count=len(choices), max_choices=limit)
    return choices


def tally(question: Question, ballots: Iterable[Ballot], eligible: Iterable[Owner] | None = None) -> Tally:
    """Count the ballots of a question by headcount and by area.

    ``eligible``, when given, is who may vote (e.g. owners present at a straw poll, or all
    owners of the fund's scope): a ballot from anyone else is refused, and so is a ballot
    whose weights differ from that owner's. Any bad ballot refuses the whole tally
    (``DomainError``), so a wrong number is never shown.

    Instant runoff (``ranked``): each round counts every ballot for its highest-ranked
    continuing option. An option with more than half of the continuing headcount wins, and
    so does the last option standing. Otherwise one option is eliminated: the one with the
    fewest owners; on a tie, the least area; on a further tie, the one listed last in the
    question. Ballots whose options are all eliminated are exhausted and leave the base.
    The runoff is decided by headcount because a ranked vote is a consultation tool; its
    area counts are reported in every round all the same. If no ballot supports any option
    there is one round and no winner.
    """
    _check_question(question)
    allowed: dict[str, Count] | None = None
    if eligible is not None:
        allowed = {owner.key: owner.weight for owner in eligible}

    counts: dict[str, Count] = {option: Count() for option in question.options}
    counts[ABSTAIN] = Count()
    participation = Count()
    preferences: list[tuple[tuple[str, ...], Count]] = []
    voters: set[str] = set()
    for ballot in ballots:
        heads, area = ballot.heads, ballot.area
        if not (_is_int(heads) and _is_int(area)) or heads < 1 or area < 0:
            raise DomainError("vote.bad_weight", voter=ballot.voter, heads=repr(heads), area=repr(area))
        if ballot.voter in voters:
            raise DomainError("vote.duplicate_voter", voter=ballot.voter)
        voters.add(ballot.voter)
        if allowed is not None:
            expected = allowed.get(ballot.voter)
            if expected is None:
                raise DomainError("vote.not_eligible", voter=ballot.voter)
            if expected != ballot.weight:
                raise DomainError(
                    "vote.weight_mismatch",
                    voter=ballot.voter,
                    heads=heads,
                    area=area,
                    expected_heads=expected.owners,
                    expected_area=expected.area,
                )
        choices = _checked_choices(question, ballot)
        weight = ballot.weight
        participation = participation + weight
        if not choices:
            counts[ABSTAIN] = counts[ABSTAIN] + weight
            continue
        if question.method == Method.RANKED:
            counts[choices[0]] = counts[choices[0]] + weight
            preferences.append((choices, weight))
        else:
            for choice in choices:
                counts[choice] = counts[choice] + weight

    if question.method != Method.RANKED:
        return Tally(question.method, question.options, counts, participation)
    rounds = _instant_runoff(question.options, preferences)
    return Tally(question.method, question.options, counts, participation, rounds, rounds[-1].winner)


def _instant_runoff(options: Sequence[str], preferences: Sequence[tuple[tuple[str, ...], Count]]) -> tuple[Round, ...]:
    order = {option: index for index, option in enumerate(options)}
    continuing = list(options)
    rounds: list[Round] = []
    while True:
        counts = {option: Count() for option in continuing}
        exhausted = Count()
        for choices, weight in preferences:
            top = next((choice for choice in choices if choice in counts), None)
            if top is None:
                exhausted = exhausted + weight
            else:
                counts[top] = counts[top] + weight
        active = sum(count.owners for count in counts.values())
        if active == 0:
            rounds.append(Round(counts, exhausted))
            return tuple(rounds)
        leader = max(continuing, key=lambda o: (counts[o].owners, counts[o].area, -order[o]))
        if 2 * counts[leader].owners > active or len(continuing) == 1:
            rounds.append(Round(counts, exhausted, winner=leader))
            return tuple(rounds)
        loser = min(continuing, key=lambda o: (counts[o].owners, counts[o].area, -order[o]))
        rounds.append(Round(counts, exhausted, eliminated=loser))
        continuing.remove(loser)


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Threshold:
    """A fraction ``num/den`` that a part must reach of a whole.

    ``strict`` means "more than" (过半数, 超过: boundary excluded); otherwise "at least"
    (以上: boundary included, Civil Code Art. 1259).
    """

    num: int
    den: int
    strict: bool

    def met(self, part: int, whole: int) -> bool:
        if self.strict:
            return part * self.den > self.num * whole
        return part * self.den >= self.num * whole

    def smallest_part(self, whole: int) -> int:
        """The least integer ``part`` for which :meth:`met` holds against ``whole``."""
        if self.strict:
            return self.num * whole // self.den + 1
        return _ceil_div(self.num * whole, self.den)


class Base(StrEnum):
    """What yes is compared with: those taking part (n, a) or the whole scope (N, A)."""

    PARTICIPATING = "participating"
    TOTAL = "total"


BOTH: tuple[str, ...] = (OWNERS, AREA)
HEADS_ONLY: tuple[str, ...] = (OWNERS,)


@dataclass(frozen=True)
class DecisionRule:
    """How a count becomes passed / not passed.

    ``approval`` ``None`` means plurality (more than any other option, in every measure).
    ``gate``, if any, is the participation the scope must reach first (always against the
    scope, N and A). ``measures``: every one of them must pass (Art. 278 counts both
    owners and area; consultations count people).
    """

    key: str
    approval: Threshold | None
    base: Base = Base.PARTICIPATING
    gate: Threshold | None = None
    measures: tuple[str, ...] = HEADS_ONLY


HALF_STRICT = Threshold(1, 2, strict=True)
TWO_THIRDS_AT_LEAST = Threshold(2, 3, strict=False)
THREE_QUARTERS_AT_LEAST = Threshold(3, 4, strict=False)

PLURALITY = DecisionRule("plurality", None)
SIMPLE_MAJORITY = DecisionRule("simple_majority", HALF_STRICT)
TWO_THIRDS = DecisionRule("two_thirds", TWO_THIRDS_AT_LEAST)
ART278_MAJORITY = DecisionRule("art278_majority", HALF_STRICT, Base.PARTICIPATING, TWO_THIRDS_AT_LEAST, BOTH)
ART278_THREE_QUARTERS = DecisionRule(
    "art278_three_quarters", THREE_QUARTERS_AT_LEAST, Base.PARTICIPATING, TWO_THIRDS_AT_LEAST, BOTH
)
#: 2007 fund measures / some fund offices: yes by two-thirds of ALL owners and ALL area.
FUND_TWO_THIRDS_OF_TOTAL = DecisionRule("fund_two_thirds_of_total", TWO_THIRDS_AT_LEAST, Base.TOTAL, None, BOTH)


class Matter(StrEnum):
    """The matters of Civil Code Art. 278 (an option may involve several)."""

    RULES_OF_PROCEDURE = "rules_of_procedure"
    COVENANT = "covenant"
    COMMITTEE = "committee"
    PROPERTY_MANAGER = "property_manager"
    USE_FUND = "use_fund"
    RAISE_FUND = "raise_fund"
    ALTER_REBUILD = "alter_rebuild"
    CHANGE_USE = "change_use"
    OTHER_MAJOR = "other_major"


@dataclass(frozen=True)
class VotingSettings:
    """A jurisdiction's rule per matter (thresholds and their base are local settings)."""

    key: str
    matter_rules: Mapping[str, DecisionRule]


CIVIL_CODE = VotingSettings(
    "civil_code",
    {
        Matter.RULES_OF_PROCEDURE: ART278_MAJORITY,
        Matter.COVENANT: ART278_MAJORITY,
        Matter.COMMITTEE: ART278_MAJORITY,
        Matter.PROPERTY_MANAGER: ART278_MAJORITY,
        Matter.USE_FUND: ART278_MAJORITY,
        Matter.RAISE_FUND: ART278_THREE_QUARTERS,
        Matter.ALTER_REBUILD: ART278_THREE_QUARTERS,
        Matter.CHANGE_USE: ART278_THREE_QUARTERS,
        Matter.OTHER_MAJOR: ART278_MAJORITY,
    },
)

#: Example of a local variant: a fund office still applying the 2007 fund measures.
FUND_OFFICE_2007 = VotingSettings(
    "fund_office_2007",
    {**CIVIL_CODE.matter_rules, Matter.USE_FUND: FUND_TWO_THIRDS_OF_TOTAL},
)


def rule_for_matter(matter: str, settings: VotingSettings = CIVIL_CODE) -> DecisionRule:
    """The rule ``settings`` applies to ``matter`` (``decision.unknown_matter`` if none)."""
    try:
        return settings.matter_rules[matter]
    except KeyError:
        raise DomainError("decision.unknown_matter", matter=str(matter)) from None


@dataclass(frozen=True)
class Decision:
    """Whether ``option`` passed under ``rule``, with every number that was used.

    ``yes``: support for the option (for ranked: its count in the final round).
    ``base``: what ``yes`` was compared with (n, a; N, A; or the final round's continuing
    ballots for ranked). ``runner_up`` (plurality only): the best other option per measure.
    ``gate_met`` is ``None`` when the rule has no gate; ``gate_shortfall`` is the smallest
    number of extra owners and extra area (hundredths) that would meet it, 0 where met.
    """

    option: str
    rule: str
    passed: bool
    method: Method
    measures: tuple[str, ...]
    yes: Count
    base: Count
    base_kind: Base
    participation: Count
    scope: Count | None
    approval: Threshold | None
    approval_met: bool
    gate: Threshold | None = None
    gate_met: bool | None = None
    gate_shortfall: Count | None = None
    runner_up: Count | None = None
    rounds: int = 0
    matter: str | None = None


@dataclass(frozen=True)
class OptionDecision:
    """An option that involves several matters: passed only if every matter's rule passed."""

    option: str
    settings: str
    passed: bool
    decisions: tuple[Decision, ...] = field(default_factory=tuple)


def decide(
    result: Tally,
    option: str,
    rule: DecisionRule,
    scope: Count | None = None,
    *,
    matter: str | None = None,
) -> Decision:
    """Apply ``rule`` to ``option`` of a tally.

    ``scope`` (N, A) is required when the rule has a gate or compares with the total.
    Threshold rules count ``yes`` = the option's support, against n and a (abstentions
    included, so they weigh like "no") or N and A (so non-voters weigh like "no" too).
    """
    if option not in result.options:
        raise DomainError("decision.unknown_option", option=option)
    if scope is not None:
        n, a = result.participation
        if n > scope.owners or a > scope.area:
            raise DomainError(
                "decision.participation_exceeds_scope",
                owners=n,
                area=a,
                scope_owners=scope.owners,
                scope_area=scope.area,
            )
    if rule.approval is None:
        return _decide_plurality(result, option, rule, scope, matter)
    if result.method == Method.RANKED:
        raise DomainError("decision.rule_not_for_method", rule=rule.key, method=str(result.method))
    if scope is None and (rule.gate is not None or rule.base == Base.TOTAL):
        raise DomainError("decision.scope_required", rule=rule.key)

    yes = result.counts[option]
    base = scope if rule.base == Base.TOTAL else result.participation
    assert base is not None  # for type checkers: guaranteed by the scope_required check
    approval_met = all(rule.approval.met(yes.get(m), base.get(m)) for m in rule.measures)
    gate_met: bool | None = None
    shortfall: Count | None = None
    if rule.gate is not None:
        assert scope is not None  # for type checkers: guaranteed by the scope_required check
        part = result.participation
        gate_met = all(rule.gate.met(part.get(m), scope.get(m)) for m in rule.measures)
        missing = {m: max(0, rule.gate.smallest_part(scope.get(m)) - part.get(m)) for m in rule.measures}
        shortfall = Count(missing.get(OWNERS, 0), missing.get(AREA, 0))
    return Decision(
        option=option,
        rule=rule.key,
        passed=approval_met and gate_met is not False,
        method=result.method,
        measures=rule.measures,
        yes=yes,
        base=base,
        base_kind=rule.base,
        participation=result.participation,
        scope=scope,
        approval=rule.approval,
        approval_met=approval_met,
        gate=rule.gate,
        gate_met=gate_met,
        gate_shortfall=shortfall,
        matter=matter,
    )


def tied_for_first(result: Tally) -> bool:
    """Two or more options share the most votes by headcount (for ranked, in the runoff's
    final round): a plurality without a winner, told apart from a plain "not passed"."""
    if result.method == Method.RANKED and result.rounds:
        counts = list(result.rounds[-1].counts.values())
    else:
        counts = [result.counts[key] for key in result.options]
    heads = sorted((count.owners for count in counts), reverse=True)
    return len(heads) >= 2 and heads[0] > 0 and heads[0] == heads[1]


def _decide_plurality(
    result: Tally, option: str, rule: DecisionRule, scope: Count | None, matter: str | None
) -> Decision:
    """Plurality: more than every other option in every measure (a tie does not pass).

    For a ranked vote the instant runoff decides: the option passes if it won the runoff,
    and the numbers shown are those of the final round.
    """
    if result.method == Method.RANKED and result.rounds:
        final = result.rounds[-1]
        yes = final.counts.get(option, Count())
        others = [count for key, count in final.counts.items() if key != option]
        base = final.continuing
        passed = result.winner == option
    else:
        yes = result.counts[option]
        others = [result.counts[key] for key in result.options if key != option]
        base = result.participation
        passed = all(yes.get(m) > max((c.get(m) for c in others), default=0) for m in rule.measures)
    runner_up = Count(max((c.owners for c in others), default=0), max((c.area for c in others), default=0))
    return Decision(
        option=option,
        rule=rule.key,
        passed=passed,
        method=result.method,
        measures=rule.measures,
        yes=yes,
        base=base,
        base_kind=Base.PARTICIPATING,
        participation=result.participation,
        scope=scope,
        approval=None,
        approval_met=passed,
        runner_up=runner_up,
        rounds=len(result.rounds),
        matter=matter,
    )


def decide_option(
    result: Tally,
    option: str,
    matters: Iterable[str],
    scope: Count | None,
    settings: VotingSettings = CIVIL_CODE,
) -> OptionDecision:
    """Decide an option that involves one or more matters: every matter's rule must pass.

    E.g. plan B uses the fund (majority) and levies owners, which is raising the fund
    (three-quarters): it passes only if it meets three-quarters as well.
    """
    unique = list(dict.fromkeys(str(m) for m in matters))
    if not unique:
        raise DomainError("decision.no_matters", option=option)
    decisions = tuple(
        decide(result, option, rule_for_matter(m, settings), scope, matter=m) for m in unique
    )
    return OptionDecision(option, settings.key, all(d.passed for d in decisions), decisions)


# --------------------------------------------------------------------------- explanations
#
# Every word and every mark of an explanation is a message of the catalogue (keys under
# ``explain.``); the code below only chooses the messages and fills them in, the same way
# for every language.

# Chinese writes a fraction's terms up to ten in characters (三分之二); a message uses them
# as {num_numeral} and {den_numeral}, or the figures {num} and {den}.
_CN_DIGITS = "零一二三四五六七八九十"


def _fraction(t: Threshold, lang: str) -> str:
    """The fraction in words: a named one (half, two-thirds), else its terms."""
    named = f"explain.fraction.{t.num}_{t.den}"
    if has_message(named):
        return message_for(named, lang)
    if 0 < t.num < len(_CN_DIGITS) and 0 < t.den < len(_CN_DIGITS):
        return message_for("explain.fraction", lang, num=t.num, den=t.den,
                           num_numeral=_CN_DIGITS[t.num], den_numeral=_CN_DIGITS[t.den])
    return message_for("explain.fraction_in_figures", lang, num=t.num, den=t.den)


def _requirement(kind: str, t: Threshold, lang: str) -> str:
    """``needed more than half of both`` / ``需双过半``: the message ``explain.<kind>.more_than``
    (boundary excluded) or ``.at_least`` (included), or the one a language has for this very
    fraction (``explain.<kind>.more_than.1_2``: 过半数, 双过半)."""
    key = f"explain.{kind}.{'more_than' if t.strict else 'at_least'}"
    own = f"{key}.{t.num}_{t.den}"
    return message_for(own if has_message(own) else key, lang, fraction=_fraction(t, lang))


def _measures(owners: str, area: str | None, lang: str) -> str:
    """The headcount part of a figure, with its area part when there is one."""
    return message_for("explain.owners_and_area", lang, owners=owners, area=area) if area else owners


def _of(part: Count, whole: Count, measures: tuple[str, ...], lang: str) -> str:
    """``30 of 38 owners and 3,564.62 of 4,397.34 m²``."""
    owners = message_for("explain.owners_of", lang, part=part.owners, whole=whole.owners)
    if AREA not in measures:
        return owners
    area = message_for("explain.area_of", lang, part=format_area(part.area), whole=format_area(whole.area))
    return _measures(owners, area, lang)


def _counts(part: Count, whole: Count, measures: tuple[str, ...], lang: str) -> str:
    """``21 of 30 owners (70.0%) and 2,661.08 of 3,564.62 m² (74.65%)``."""
    owners = message_for("explain.with_percent", lang, count=_of(part, whole, HEADS_ONLY, lang),
                         percent=percent(part.owners, whole.owners, 1))
    if AREA not in measures:
        return owners
    area = message_for("explain.with_percent", lang,
                       count=message_for("explain.area_of", lang, part=format_area(part.area),
                                         whole=format_area(whole.area)),
                       percent=percent(part.area, whole.area, 2))
    return _measures(owners, area, lang)


def _shortfall(short: Count, measures: tuple[str, ...], lang: str) -> str:
    area = (message_for("explain.area", lang, area=format_area(short.area))
            if AREA in measures and short.area else None)
    if not short.owners:
        return area or ""
    return _measures(message_for("explain.owners_short", lang, owners=short.owners), area, lang)


def _shares_the_top(d: Decision) -> bool:
    """A plurality option not passed because another has as many votes: a tie, said so."""
    return (d.approval is None and not d.passed and d.method != Method.RANKED
            and d.runner_up is not None and d.yes.owners > 0
            and d.yes.owners == d.runner_up.owners)


def _head(status: str, option: str | None, lang: str) -> str:
    """``passed``, or with the option named ``passed (option C)``."""
    status = message_for(f"explain.status.{status}", lang)
    if option is None:
        return status
    return message_for("explain.status_of_option", lang, status=status, option=option)


def _named(option: str) -> str | None:
    """The option as a headline names it: not at all when it is a motion's yes."""
    return None if option == YES else option


def _plurality_need(d: Decision, lang: str) -> str:
    runner = d.runner_up
    runner_text = message_for("explain.owners", lang, owners=runner.owners if runner else 0)
    if AREA in d.measures and runner:
        area = message_for("explain.area", lang, area=format_area(runner.area))
        runner_text = _measures(runner_text, area, lang)
    if d.method == Method.RANKED:
        return message_for("explain.need_runoff", lang, rounds=d.rounds, runner_up=runner_text)
    return message_for("explain.need_most_votes", lang, runner_up=runner_text)


def _threshold_need(d: Decision, approval: Threshold, lang: str) -> str:
    both = AREA in d.measures
    if d.base_kind == Base.TOTAL:
        kind = "need.all_owners_and_area" if both else "need.all_owners"
    else:
        kind = "need.owners_and_area" if both else "need.owners"
    need = _requirement(kind, approval, lang)
    if d.gate is None or d.scope is None:
        return need
    gate = message_for("explain.participation", lang,
                       participation=_of(d.participation, d.scope, d.measures, lang),
                       need=_requirement("gate.owners_and_area" if both else "gate.owners", d.gate, lang))
    if not d.gate_met and d.gate_shortfall is not None:
        gate = message_for("explain.gate_not_met", lang, gate=gate,
                           shortfall=_shortfall(d.gate_shortfall, d.measures, lang))
    return message_for("explain.clauses", lang, first=need, then=gate)


def _render(d: Decision, lang: str, with_label: bool = True) -> str:
    status = "passed" if d.passed else "tied" if _shares_the_top(d) else "not_passed"
    head = _head(status, _named(d.option) if with_label else None, lang)
    counts = _counts(d.yes, d.base, d.measures, lang)
    if d.option == YES:
        counts = message_for("explain.support_for_yes", lang, counts=counts)
    need = _plurality_need(d, lang) if d.approval is None else _threshold_need(d, d.approval, lang)
    return message_for("explain.headed", lang, head=head,
                       text=message_for("explain.clauses", lang, first=counts, then=need))


def _check_language(lang: str) -> None:
    if lang not in LOCALES:
        raise DomainError("explain.unknown_language", lang=lang)


def explain(decision: Decision, lang: str) -> str:
    """One sentence saying whether the decision passed and why, in a language of the catalogue.

    E.g. en: ``passed: 21 of 30 owners (70.0%) and 2,661.08 of 3,564.62 m² (74.65%);
    needed more than half of both; participation 30 of 38 owners and 3,564.62 of
    4,397.34 m², needed two-thirds of both``. Headcount percentages have one decimal and
    area percentages two, rounded half-up.
    """
    _check_language(lang)
    return _render(decision, lang)


def _matter_name(d: Decision, lang: str) -> str:
    """The matter as the explanation names it (a matter the catalogue does not know by its
    key; a decision on no matter by its rule)."""
    if not d.matter:
        return d.rule
    key = f"explain.matter.{d.matter}"
    return message_for(key, lang) if has_message(key) else d.matter


def explain_option(result: OptionDecision, lang: str) -> str:
    """A headline, then one line per matter (``"• use the maintenance fund — passed: ..."``)."""
    _check_language(lang)
    head = _head("passed" if result.passed else "not_passed", _named(result.option), lang)
    rule = message_for(f"explain.every_matter_{'passed' if result.passed else 'must_pass'}", lang)
    lines = [message_for("explain.headed", lang, head=head, text=rule)]
    lines.extend(message_for("explain.matter_line", lang, matter=_matter_name(d, lang),
                             text=_render(d, lang, with_label=False))
                 for d in result.decisions)
    return "\n".join(lines)


# --------------------------------------------------------------------------- money


def _check_fen(field_name: str, value: int) -> None:
    if not _is_int(value) or value < 0:
        raise DomainError("money.negative", field=field_name, value=repr(value))


def share_by_area(total_fen: int, area: int, total_area: int) -> int:
    """An owner's share of a cost shared by exclusive floor area (Civil Code Art. 283), in fen.

    ``total_fen * area / total_area`` computed exactly and rounded half-up to the fen. The
    per-m² rate is NOT rounded first: the demo's 232,900 CNY over 4,397.34 m² gives
    89.76 m² -> 4,754.03 and 118.42 m² -> 6,271.98 this way, whereas rounding the rate to
    52.964 CNY/m² first would give 4,754.05 and 6,272.00. The published rate
    (:func:`format_rate_per_m2`) is for display only. Rounded shares may differ from the
    total by a few fen in sum.
    """
    _check_fen("total", total_fen)
    if not (_is_int(area) and _is_int(total_area)) or total_area <= 0 or area < 0 or area > total_area:
        raise DomainError("share.bad_area", area=repr(area), total_area=repr(total_area))
    return _round_half_up(total_fen * area, total_area)


#: The sources of a plan's money that are the owners' own, shared among them by area: the
#: draw on the maintenance fund (the owners' money held for them) and a levy raised from them.
#: The other sources (the developer, the property company, a subsidy) cost owners nothing.
OWNERS_MONEY = ("maintenance_fund", "owner_levy")


@dataclass(frozen=True)
class OwnerShare:
    """What an owner (or one of their units) pays toward a plan, in fen: its part of the
    plan's draw on the maintenance fund and of its levy, each by :func:`share_by_area`."""

    fund: int
    levy: int

    @property
    def total(self) -> int:
        return self.fund + self.levy


def owner_share(funding: Mapping[str, int], area: int, total_area: int) -> OwnerShare:
    """The share of a plan's owners' money (``funding``: source -> fen) for ``area``
    (hundredths of m²) out of the scope's ``total_area``: the same numbers as the plan's table
    of shares, e.g. the demo's plan C (232,900 CNY from the fund) gives 89.76 m² 4,754.03."""
    fund, levy = (funding.get(source, 0) for source in OWNERS_MONEY)
    return OwnerShare(fund=share_by_area(fund, area, total_area),
                      levy=share_by_area(levy, area, total_area))


def format_rate_per_m2(total_fen: int, total_area: int, decimals: int = 3) -> str:
    """The display rate in CNY per m², rounded half-up: 232,900 over 4,397.34 -> ``"52.964"``."""
    _check_fen("total", total_fen)
    if not _is_int(total_area) or total_area <= 0:
        raise DomainError("share.bad_area", area=repr(total_area), total_area=repr(total_area))
    scale = 10**decimals
    # fen / hundredths of m² = CNY / m²; scaled to `decimals` places.
    value = _round_half_up(total_fen * scale, total_area)
    whole, frac = divmod(value, scale)
    return f"{whole:,}.{frac:0{decimals}d}" if decimals else f"{whole:,}"


@dataclass(frozen=True)
class FundStatus:
    """The maintenance fund after a draw, against the top-up floor (all amounts in fen).

    ``floor`` is the least whole-fen balance that is not below ``floor_percent`` of the
    initial deposit (rounded up, so ``balance >= floor`` is exactly the legal test).
    ``top_up`` is what brings the balance back to the floor; a top-up is raising the fund,
    which needs the three-quarters rule.
    """

    balance_before: int
    draw: int
    balance_after: int
    initial_deposit: int
    floor: int
    below_floor: bool
    top_up: int


def fund_after_draw(balance_fen: int, draw_fen: int, initial_deposit_fen: int, floor_percent: int = 30) -> FundStatus:
    """The balance after paying ``draw_fen`` and whether it falls below the top-up floor.

    A draw larger than the balance is refused (``fund.overdraw``): the fund can only pay
    what it holds.
    """
    _check_fen("balance", balance_fen)
    _check_fen("draw", draw_fen)
    _check_fen("initial_deposit", initial_deposit_fen)
    if draw_fen > balance_fen:
        raise DomainError("fund.overdraw", balance=balance_fen, draw=draw_fen)
    after = balance_fen - draw_fen
    floor = _ceil_div(initial_deposit_fen * floor_percent, 100)
    return FundStatus(
        balance_before=balance_fen,
        draw=draw_fen,
        balance_after=after,
        initial_deposit=initial_deposit_fen,
        floor=floor,
        below_floor=after < floor,
        top_up=max(0, floor - after),
    )
