"""Rules for counting votes that owners and the law (Civil Code Art. 278) require.

Each test name reads as a rule. The demo case (jinhua-garage) is read from its files and its
expected numbers come from case.json, never retyped here.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from facilitator.domain import voting
from facilitator.domain.voting import (
    ABSTAIN,
    ART278_MAJORITY,
    ART278_THREE_QUARTERS,
    CIVIL_CODE,
    FUND_OFFICE_2007,
    FUND_TWO_THIRDS_OF_TOTAL,
    NO,
    PLURALITY,
    SIMPLE_MAJORITY,
    TWO_THIRDS,
    YES,
    Ballot,
    Count,
    Decision,
    Matter,
    Method,
    Owner,
    Question,
    RosterRow,
    Tally,
    Threshold,
    decide,
    decide_option,
    explain,
    explain_option,
    format_area,
    format_rate_per_m2,
    format_yuan,
    fund_after_draw,
    owner_share,
    owners_from_roster,
    parse_area,
    parse_yuan,
    percent,
    rule_for_matter,
    scope_totals,
    share_by_area,
    tally,
)
from facilitator.errors import DomainError


def demo_file(name: str) -> Path:
    """The demo case's files, as the project ships them."""
    from facilitator.demo import DEMO_DIR
    return DEMO_DIR / name


# --------------------------------------------------------------------------- helpers


@cache
def case() -> dict:
    return json.loads(demo_file("case.json").read_text(encoding="utf-8"))


def roster_rows() -> list[RosterRow]:
    with demo_file("owners.csv").open(encoding="utf-8", newline="") as f:
        return [RosterRow(r["unit"], parse_area(r["area_m2"]), r["owner"], r["owner_key"]) for r in csv.DictReader(f)]


def demo_owners() -> list[Owner]:
    return owners_from_roster(roster_rows())


def demo_votes() -> list[dict[str, str]]:
    with demo_file("ballots.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def expected_count(entry: dict) -> Count:
    return Count(entry["owners"], parse_area(entry["area_m2"]))


def straw_poll() -> Tally:
    """Eligible: owners present; the developer recused himself; 'absent' did not vote."""
    owners = {o.key: o for o in demo_owners()}
    present = [owners[key] for key in case()["meeting_attendance_owner_keys"]]
    ballots = [
        Ballot.cast(owners[v["owner_key"]], v["straw_poll"])
        for v in demo_votes()
        if v["straw_poll"] not in ("absent", "recused")
    ]
    options = [o["key"] for o in case()["options"]]
    return tally(Question.single(*options), ballots, eligible=present)


def owners_decision() -> Tally:
    owners = {o.key: o for o in demo_owners()}
    ballots = [
        Ballot.cast(owners[v["owner_key"]], v["owners_decision"])
        for v in demo_votes()
        if v["owners_decision"] != "absent"
    ]
    return tally(Question.yes_no(), ballots, eligible=owners.values())


def counted(yes: Count, no: Count = Count(), abstain: Count = Count()) -> Tally:
    """A yes/no tally straight from counts, to test the decision rules at exact boundaries."""
    return Tally(Method.YES_NO, (YES, NO), {YES: yes, NO: no, ABSTAIN: abstain}, yes + no + abstain)


def numbers_in(value: object):
    """Every number reachable from a result (dataclasses, dicts, tuples), bools excluded."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, (int, float, Decimal, complex)):
        yield value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from numbers_in(getattr(value, f.name))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from numbers_in(k)
            yield from numbers_in(v)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from numbers_in(item)


def refused(code: str):
    """Context: the call must be refused with a DomainError of this code."""
    return pytest.raises(DomainError, match=f"^{re.escape(code)}$")


def half_up(part: int, whole: int, places: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# Strategies: a scope (N owners, A hundredths of m²), and counts within it.
owners_n = st.integers(min_value=1, max_value=2_000)
area_a = st.integers(min_value=1, max_value=50_000_000)


# --------------------------------------------------------------------------- area and money


@pytest.mark.parametrize(
    ("text", "hundredths"),
    [("89.76", 8976), ("89.7", 8970), ("90", 9000), (" 118.42 ", 11842), ("0.05", 5), ("4397.34", 439734)],
)
def test_area_is_read_exactly_in_hundredths_of_a_square_metre(text, hundredths):
    assert parse_area(text) == hundredths


@pytest.mark.parametrize(
    "text",
    ["-1", "-0.01", "1.234", "abc", "", " ", "1,234.5", "１２", "1e3", ".5", "5.", "+3", "1 2", "nan", 89.76, 90, None],
)
def test_an_area_that_is_not_a_plain_non_negative_number_with_two_decimals_is_refused(text):
    with refused("roster.bad_area") as info:
        parse_area(text)
    assert info.value.params["value"] == str(text)


@pytest.mark.parametrize(
    ("hundredths", "text"), [(439734, "4,397.34"), (60560, "605.60"), (5, "0.05"), (0, "0.00"), (123456789, "1,234,567.89")]
)
def test_area_is_shown_with_thousands_separators_and_two_decimals(hundredths, text):
    assert format_area(hundredths) == text


@given(st.integers(min_value=0, max_value=10**12))
def test_an_area_shown_and_read_back_is_the_same_area(hundredths):
    assert parse_area(format_area(hundredths).replace(",", "")) == hundredths


def test_money_is_read_in_fen_and_shown_in_yuan():
    assert parse_yuan("232900") == 23_290_000
    assert parse_yuan("571654.20") == 57_165_420
    assert format_yuan(475_403) == "4,754.03"
    for bad in ("-5", "1.001", "¥5", "5元", 5.0):
        with refused("money.bad_amount"):
            parse_yuan(bad)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9), st.sampled_from([0, 1, 2]))
def test_percentages_are_rounded_half_up_like_a_person_would(part, whole, places):
    assume(part <= whole)
    expected = half_up(part * 100, whole, places)
    assert percent(part, whole, places) == f"{expected}%"


def test_percentages_round_half_up_at_the_half():
    assert percent(1, 8, 1) == "12.5%"  # exact
    assert percent(1, 16, 1) == "6.3%"  # 6.25 -> 6.3, not banker's 6.2
    assert percent(1, 3, 2) == "33.33%"
    assert percent(2, 3, 1) == "66.7%"
    assert percent(0, 0, 1) == "—"


# --------------------------------------------------------------------------- who counts as one owner


def test_demo_roster_has_40_units_38_owners_and_4397_34_square_metres():
    rows = roster_rows()
    owners = demo_owners()
    n, a = scope_totals(owners)
    expected = case()["expected"]["owners_decision"]
    assert len(rows) == 40
    assert n == expected["scope_owners"] == len(owners)
    assert a == parse_area(expected["scope_area_m2"])
    assert format_area(a) == "4,397.34"


def test_one_owner_with_several_units_counts_once_with_the_summed_area():
    owners = {o.key: o for o in demo_owners()}
    hu = owners["P05"]
    assert hu.units == ("3-1-301", "3-1-302")
    assert hu.area == parse_area("89.76") + parse_area("118.42")


def test_the_developers_unsold_units_count_as_one_owner():
    developer = {o.key: o for o in demo_owners()}["P38"]
    assert developer.units == ("3-2-1001", "3-2-1002")
    assert developer.area == parse_area("168.25") + parse_area("156.80")


def test_a_co_owned_unit_is_one_vote():
    owners = [o for o in demo_owners() if "3-2-501" in o.units]
    assert len(owners) == 1
    assert owners[0].weight == Count(1, parse_area("118.42"))


@given(
    st.lists(
        st.tuples(st.integers(min_value=1, max_value=100_000), st.integers(min_value=0, max_value=9)),
        max_size=60,
    )
)
def test_grouping_units_into_owners_keeps_every_unit_and_all_the_area(units):
    rows = [RosterRow(f"u{i}", area, f"name{key}", f"K{key}") for i, (area, key) in enumerate(units)]
    owners = owners_from_roster(rows)
    n, a = scope_totals(owners)
    assert n == len({key for _, key in units})
    assert a == sum(area for area, _ in units)
    assert sorted(u for o in owners for u in o.units) == sorted(r.unit for r in rows)


def test_the_same_unit_twice_in_a_roster_is_refused():
    with refused("roster.duplicate_unit"):
        owners_from_roster([("1-101", 8976, "甲", "P1"), ("1-101", 8976, "乙", "P2")])


@pytest.mark.parametrize("area", [0, -100, 89.76, "8976", True])
def test_a_unit_needs_a_positive_integer_area(area):
    with refused("roster.bad_area"):
        owners_from_roster([("1-101", area, "甲", "P1")])


@pytest.mark.parametrize("row", [("", 1, "甲", "P1"), ("1-101", 1, " ", "P1"), ("1-101", 1, "甲", "")])
def test_a_unit_needs_a_unit_an_owner_name_and_an_owner_key(row):
    with refused("roster.missing_field"):
        owners_from_roster([row])


def test_one_owner_key_with_two_different_names_is_refused():
    with refused("roster.owner_name_conflict"):
        owners_from_roster([("1-101", 8976, "甲", "P1"), ("1-102", 8976, "乙", "P1")])


# --------------------------------------------------------------------------- the demo


def test_demo_straw_poll_counts_only_owners_present_without_the_recused_developer():
    expected = case()["expected"]["straw_poll"]
    result = straw_poll()
    assert result.participation == Count(expected["participating_owners"], parse_area(expected["participating_area_m2"]))
    for key in ("A", "B", "C"):
        assert result.counts[key] == expected_count(expected[key]), key
    assert result.counts[ABSTAIN] == expected_count(expected["abstain"])


def test_demo_straw_poll_voters_are_exactly_the_owners_in_the_room():
    voters = {v["owner_key"] for v in demo_votes() if v["straw_poll"] not in ("absent", "recused")}
    assert voters == set(case()["meeting_attendance_owner_keys"])


def test_the_recused_developer_cannot_vote_in_the_straw_poll():
    owners = {o.key: o for o in demo_owners()}
    present = [owners[key] for key in case()["meeting_attendance_owner_keys"]]
    with refused("vote.not_eligible"):
        tally(Question.single("A", "B", "C"), [Ballot.cast(owners["P38"], "C")], eligible=present)


def test_demo_owners_decision_counts_match_the_case():
    expected = case()["expected"]["owners_decision"]
    result = owners_decision()
    assert result.participation == Count(expected["participating_owners"], parse_area(expected["participating_area_m2"]))
    assert result.counts[YES] == expected_count(expected["yes"])
    assert result.counts[NO] == expected_count(expected["no"])
    assert result.counts[ABSTAIN] == expected_count(expected["abstain"])


def test_demo_owners_decision_to_use_the_fund_passes_by_majority_but_not_by_three_quarters():
    expected = case()["expected"]["owners_decision"]
    scope = scope_totals(demo_owners())
    result = owners_decision()
    majority = decide(result, YES, rule_for_matter(expected["matter"]), scope)
    three_quarters = decide(result, YES, ART278_THREE_QUARTERS, scope)
    assert majority.rule == "art278_majority"
    assert majority.gate_met is expected["participation_met"]
    assert three_quarters.gate_met is expected["participation_met"]
    assert majority.gate_shortfall == Count(0, 0)
    assert majority.passed is expected["majority_rule_passes"]
    assert three_quarters.passed is expected["three_quarters_rule_passes"]
    assert majority.scope == Count(expected["scope_owners"], parse_area(expected["scope_area_m2"]))


def test_demo_decision_is_explained_in_english_with_every_number():
    decision = decide(owners_decision(), YES, ART278_MAJORITY, scope_totals(demo_owners()))
    assert explain(decision, "en") == (
        "passed: 21 of 30 owners (70.0%) and 2,661.08 of 3,564.62 m² (74.65%); needed more than half of both; "
        "participation 30 of 38 owners and 3,564.62 of 4,397.34 m², needed two-thirds of both"
    )


def test_demo_decision_is_explained_in_chinese_with_every_number():
    scope = scope_totals(demo_owners())
    majority = decide(owners_decision(), YES, ART278_MAJORITY, scope)
    assert explain(majority, "zh") == (
        "通过：同意 21/30 人（70.0%）、面积 2,661.08/3,564.62 m²（74.65%）；需双过半；"
        "参与表决 30/38 人、面积 3,564.62/4,397.34 m²，需人数和面积均达三分之二以上"
    )
    three_quarters = decide(owners_decision(), YES, ART278_THREE_QUARTERS, scope)
    assert explain(three_quarters, "zh").startswith("未通过：同意 21/30 人（70.0%）")
    assert "需参与表决人数和面积均达四分之三以上" in explain(three_quarters, "zh")
    assert explain(three_quarters, "en").startswith("not passed: 21 of 30 owners (70.0%)")
    assert "needed three-quarters of both" in explain(three_quarters, "en")


def test_demo_plan_b_needs_three_quarters_because_its_levy_raises_the_fund():
    """Plan B uses the fund and levies owners: both matters' rules must pass."""
    plans = {o["key"]: o for o in case()["options"]}
    scope = scope_totals(demo_owners())
    result = decide_option(owners_decision(), YES, plans["B"]["matters"], scope)
    assert [d.matter for d in result.decisions] == ["use_fund", "raise_fund"]
    assert [d.passed for d in result.decisions] == [True, False]
    assert result.passed is False
    plan_c = decide_option(owners_decision(), YES, plans["C"]["matters"], scope)
    assert plan_c.passed is True


def test_demo_straw_poll_plurality_goes_to_plan_c():
    result = straw_poll()
    assert decide(result, "C", PLURALITY).passed
    assert not decide(result, "A", PLURALITY).passed
    assert explain(decide(result, "C", PLURALITY), "en") == (
        "passed (option C): 12 of 22 owners (54.5%); needed more votes than any other choice (next best 5 owners)"
    )
    assert explain(decide(result, "C", PLURALITY), "zh") == (
        "通过（选项 C）：12/22 人（54.5%）；需得票多于其他任一选项（次高 5 人）"
    )


def test_two_plans_sharing_the_top_of_a_plurality_are_a_tie_in_words_and_in_the_tally():
    owners = demo_owners()
    ballots = [Ballot.cast(owners[0], "A"), Ballot.cast(owners[1], "C")]
    result = tally(Question.single("A", "B", "C"), ballots, eligible=owners)
    assert voting.tied_for_first(result)
    assert not decide(result, "A", PLURALITY).passed
    assert explain(decide(result, "A", PLURALITY), "zh").startswith("平票（选项 A）：1/2 人（50.0%）")
    assert explain(decide(result, "C", PLURALITY), "en").startswith("tied (option C): 1 of 2 owners")
    # An option behind the shared top is simply not passed; one ahead of the rest passes.
    assert explain(decide(result, "B", PLURALITY), "zh").startswith("未通过（选项 B）")
    result = tally(Question.single("A", "B", "C"), [*ballots, Ballot.cast(owners[2], "C")],
                   eligible=owners)
    assert not voting.tied_for_first(result)
    assert explain(decide(result, "A", PLURALITY), "zh").startswith("未通过（选项 A）")


def test_demo_fund_share_is_exact_proportion_by_area_rounded_half_up():
    """case.json: 232,900 CNY over 4,397.34 m²: 89.76 m² pays 4,754.03, 118.42 m² pays 6,271.98."""
    fund_part = parse_yuan({o["key"]: o for o in case()["options"]}["C"]["funding_cny"]["maintenance_fund"])
    _, total_area = scope_totals(demo_owners())
    assert format_yuan(share_by_area(fund_part, parse_area("89.76"), total_area)) == "4,754.03"
    assert format_yuan(share_by_area(fund_part, parse_area("118.42"), total_area)) == "6,271.98"
    assert format_rate_per_m2(fund_part, total_area) == "52.964"


def test_an_owners_share_of_a_plan_is_its_fund_draw_and_levy_shared_by_area():
    """What a phone shows as "your share": plan C (fund only) gives case.json's 4,754.03 for
    89.76 m²; plan B both draws on the fund and levies the owners, each part shared alone;
    the developer's and the property company's parts cost owners nothing."""
    plans = {o["key"]: {source: parse_yuan(cny) for source, cny in o["funding_cny"].items()}
             for o in case()["options"]}
    _, total_area = scope_totals(demo_owners())
    c = owner_share(plans["C"], parse_area("89.76"), total_area)
    assert (format_yuan(c.fund), c.levy, format_yuan(c.total)) == ("4,754.03", 0, "4,754.03")
    assert format_yuan(owner_share(plans["C"], parse_area("118.42"), total_area).total) \
        == "6,271.98"
    b = owner_share(plans["B"], parse_area("89.76"), total_area)
    assert b.fund == share_by_area(plans["B"]["maintenance_fund"], 8976, total_area)
    assert b.levy == share_by_area(plans["B"]["owner_levy"], 8976, total_area)
    assert b.total == b.fund + b.levy
    assert owner_share({"developer": 20940000}, 8976, total_area).total == 0
    # The whole scope pays exactly the owners' money of the plan.
    assert owner_share(plans["B"], total_area, total_area).total == \
        plans["B"]["maintenance_fund"] + plans["B"]["owner_levy"]


def test_rounding_the_rate_first_would_not_give_the_published_shares():
    """Why share_by_area does not multiply by the rounded 52.964 CNY/m² rate."""
    rate_first = Decimal("52.964") * Decimal("89.76")
    assert rate_first.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) != Decimal("4754.03")


def test_demo_fund_stays_above_the_30_percent_floor_after_plan_c():
    fund = case()["case"]["maintenance_fund"]
    draw = parse_yuan({o["key"]: o for o in case()["options"]}["C"]["funding_cny"]["maintenance_fund"])
    status = fund_after_draw(parse_yuan(fund["balance_cny"]), draw, parse_yuan(fund["initial_deposit_cny"]))
    assert status.floor == parse_yuan(fund["floor_30_percent_cny"])
    assert status.balance_after == parse_yuan(fund["balance_cny"]) - draw
    assert not status.below_floor
    assert status.top_up == 0


# --------------------------------------------------------------------------- the participation gate


@given(owners_n, area_a)
def test_exactly_two_thirds_participation_meets_the_gate_and_one_less_does_not(big_n, big_a):
    n = -(-2 * big_n // 3)  # the least n with 3n >= 2N
    a = -(-2 * big_a // 3)
    scope = Count(big_n, big_a)
    assert 3 * n >= 2 * big_n and 3 * (n - 1) < 2 * big_n
    assert decide(counted(Count(n, a)), YES, ART278_MAJORITY, scope).gate_met is True
    assert decide(counted(Count(n - 1, a)), YES, ART278_MAJORITY, scope).gate_met is False
    assert decide(counted(Count(n, a - 1)), YES, ART278_MAJORITY, scope).gate_met is False


@given(owners_n, area_a, st.data())
def test_the_gate_shortfall_is_the_least_that_would_meet_it(big_n, big_a, data):
    n = data.draw(st.integers(min_value=0, max_value=big_n))
    a = data.draw(st.integers(min_value=0, max_value=big_a))
    scope = Count(big_n, big_a)
    short = decide(counted(Count(n, a)), YES, ART278_MAJORITY, scope).gate_shortfall
    assert short is not None
    assert 3 * (n + short.owners) >= 2 * big_n
    assert short.owners == 0 or 3 * (n + short.owners - 1) < 2 * big_n
    assert 3 * (a + short.area) >= 2 * big_a
    assert short.area == 0 or 3 * (a + short.area - 1) < 2 * big_a


@given(
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=1, max_value=20),
    st.booleans(),
    st.integers(min_value=0, max_value=10**9),
)
def test_the_least_part_that_meets_a_threshold_is_exact_for_more_than_and_at_least(num, den, strict, whole):
    assume(num <= den)
    threshold = Threshold(num, den, strict)
    least = threshold.smallest_part(whole)
    assert threshold.met(least, whole)
    assert least == 0 or not threshold.met(least - 1, whole)


def test_a_missed_gate_says_how_many_owners_and_how_much_area_are_still_needed():
    owners = demo_owners()
    result = tally(Question.yes_no(), [Ballot.cast(o, YES) for o in owners[:20]], owners)
    decision = decide(result, YES, ART278_MAJORITY, scope_totals(owners))
    assert decision.gate_met is False
    assert decision.passed is False  # unanimous yes is not enough without participation
    assert decision.gate_shortfall == Count(26 - 20, -(-2 * 439734 // 3) - result.participation.area)
    assert explain(decision, "en").endswith("needed two-thirds of both: not met, short by 6 owners and 614.47 m²")
    assert explain(decision, "zh").endswith("未达到：尚差 6 人、面积 614.47 m²")


def test_a_rule_with_a_gate_needs_the_scope_totals():
    with refused("decision.scope_required"):
        decide(owners_decision(), YES, ART278_MAJORITY)
    with refused("decision.scope_required"):
        decide(owners_decision(), YES, FUND_TWO_THIRDS_OF_TOTAL)


def test_more_participants_than_the_scope_is_refused():
    with refused("decision.participation_exceeds_scope"):
        decide(owners_decision(), YES, ART278_MAJORITY, Count(29, 10**9))


# --------------------------------------------------------------------------- approval thresholds


@given(st.integers(min_value=1, max_value=1_000), st.integers(min_value=1, max_value=10**7))
def test_exactly_half_yes_is_not_more_than_half(half_n, half_a):
    n, a = 2 * half_n, 2 * half_a
    scope = Count(n, a)  # everyone took part: the gate is met
    exactly_half = decide(counted(Count(half_n, half_a), no=Count(half_n, half_a)), YES, ART278_MAJORITY, scope)
    assert exactly_half.gate_met and not exactly_half.passed
    one_more = decide(counted(Count(half_n + 1, half_a + 1), no=Count(half_n - 1, half_a - 1)), YES, ART278_MAJORITY, scope)
    assert one_more.passed
    assert not decide(counted(Count(half_n), no=Count(half_n)), YES, SIMPLE_MAJORITY).passed


@given(st.integers(min_value=1, max_value=1_000), st.integers(min_value=1, max_value=10**7))
def test_more_than_half_the_owners_is_not_enough_without_more_than_half_the_area(half_n, half_a):
    n, a = 2 * half_n + 1, 2 * half_a
    result = counted(Count(half_n + 1, half_a), no=Count(half_n, half_a))
    decision = decide(result, YES, ART278_MAJORITY, Count(n, a))
    assert not decision.approval_met and not decision.passed


@given(st.integers(min_value=1, max_value=500), st.integers(min_value=1, max_value=10**7))
def test_exactly_three_quarters_passes_and_one_less_does_not(quarter_n, quarter_a):
    n, a = 4 * quarter_n, 4 * quarter_a
    scope = Count(n, a)
    exactly = decide(counted(Count(3 * quarter_n, 3 * quarter_a), no=Count(quarter_n, quarter_a)), YES, ART278_THREE_QUARTERS, scope)
    assert exactly.passed
    one_owner_less = decide(
        counted(Count(3 * quarter_n - 1, 3 * quarter_a), no=Count(quarter_n + 1, quarter_a)), YES, ART278_THREE_QUARTERS, scope
    )
    assert not one_owner_less.passed
    less_area = decide(
        counted(Count(3 * quarter_n, 3 * quarter_a - 1), no=Count(quarter_n, quarter_a + 1)), YES, ART278_THREE_QUARTERS, scope
    )
    assert not less_area.passed


@given(st.integers(min_value=1, max_value=500))
def test_exactly_two_thirds_passes_a_two_thirds_vote(third):
    assert decide(counted(Count(2 * third), no=Count(third)), YES, TWO_THIRDS).passed
    assert not decide(counted(Count(2 * third - 1), no=Count(third + 1)), YES, TWO_THIRDS).passed


@given(
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=1, max_value=300),
    st.sampled_from([SIMPLE_MAJORITY, TWO_THIRDS]),
)
def test_abstentions_take_part_but_never_count_as_yes(yes, no, abstain, rule):
    without = decide(counted(Count(yes), no=Count(no)), YES, rule)
    with_abstentions = decide(counted(Count(yes), no=Count(no), abstain=Count(abstain)), YES, rule)
    assert with_abstentions.base.owners == yes + no + abstain
    assert with_abstentions.passed <= without.passed  # abstaining can only make it harder


@given(owners_n, area_a, st.data())
def test_owners_who_do_not_vote_are_never_counted_as_yes(big_n, big_a, data):
    yes_n = data.draw(st.integers(min_value=0, max_value=big_n))
    yes_a = data.draw(st.integers(min_value=0, max_value=big_a))
    decision = decide(counted(Count(yes_n, yes_a)), YES, FUND_TWO_THIRDS_OF_TOTAL, Count(big_n, big_a))
    assert decision.base == Count(big_n, big_a)
    assert decision.passed == (3 * yes_n >= 2 * big_n and 3 * yes_a >= 2 * big_a)


def test_the_older_fund_office_rule_needs_two_thirds_of_all_owners_and_area():
    scope = scope_totals(demo_owners())
    decision = decide_option(owners_decision(), YES, ["use_fund"], scope, settings=FUND_OFFICE_2007)
    assert decision.settings == "fund_office_2007"
    assert decision.decisions[0].rule == "fund_two_thirds_of_total"
    assert decision.passed is False  # 21 of 38 owners is 55.3%
    assert explain(decision.decisions[0], "en") == (
        "not passed: 21 of 38 owners (55.3%) and 2,661.08 of 4,397.34 m² (60.52%); "
        "needed two-thirds of all owners and of the total area"
    )
    assert explain(decision.decisions[0], "zh") == (
        "未通过：同意 21/38 人（55.3%）、面积 2,661.08/4,397.34 m²（60.52%）；"
        "需同意人数和面积均达全体业主人数和总面积的三分之二以上"
    )


# --------------------------------------------------------------------------- matters


@pytest.mark.parametrize(
    ("matter", "rule"),
    [
        ("rules_of_procedure", "art278_majority"),
        ("covenant", "art278_majority"),
        ("committee", "art278_majority"),
        ("property_manager", "art278_majority"),
        ("use_fund", "art278_majority"),
        ("raise_fund", "art278_three_quarters"),
        ("alter_rebuild", "art278_three_quarters"),
        ("change_use", "art278_three_quarters"),
        ("other_major", "art278_majority"),
    ],
)
def test_each_civil_code_matter_has_the_rule_of_art_278(matter, rule):
    assert rule_for_matter(matter).key == rule
    assert rule_for_matter(Matter(matter), CIVIL_CODE).key == rule


def test_an_option_involving_several_matters_passes_only_if_every_rule_passes():
    scope = Count(100, 10_000)
    seventy = counted(Count(70, 7_000), no=Count(30, 3_000))
    eighty = counted(Count(80, 8_000), no=Count(20, 2_000))
    matters = ["use_fund", "raise_fund", "alter_rebuild"]
    assert not decide_option(seventy, YES, matters, scope).passed
    assert decide_option(eighty, YES, matters, scope).passed
    assert decide_option(seventy, YES, ["use_fund", "use_fund"], scope).decisions[0].matter == "use_fund"
    assert len(decide_option(seventy, YES, ["use_fund", "use_fund"], scope).decisions) == 1


def test_a_multi_matter_result_is_explained_matter_by_matter():
    plans = {o["key"]: o for o in case()["options"]}
    result = decide_option(owners_decision(), YES, plans["B"]["matters"], scope_totals(demo_owners()))
    en = explain_option(result, "en").splitlines()
    assert en[0] == "not passed: every matter's rule must pass"
    assert en[1].startswith("• use the maintenance fund — passed: 21 of 30 owners")
    assert en[2].startswith("• raise the maintenance fund — not passed: 21 of 30 owners")
    zh = explain_option(result, "zh").splitlines()
    assert zh[0] == "未通过：须每一事项均通过"
    assert zh[1].startswith("• 使用维修资金——通过：同意 21/30 人")
    assert zh[2].startswith("• 筹集维修资金——未通过：同意 21/30 人")


def test_unknown_or_missing_matters_are_refused():
    with refused("decision.unknown_matter"):
        decide_option(owners_decision(), YES, ["paint_the_gate"], Count(38, 439734))
    with refused("decision.no_matters"):
        decide_option(owners_decision(), YES, [], Count(38, 439734))


# --------------------------------------------------------------------------- methods


def voter(key: str, area: int = 10_000) -> Owner:
    return Owner(key, key, (key,), area)


def test_yes_no_counts_yes_no_and_abstain_by_heads_and_area():
    people = [voter("p1", 100), voter("p2", 200), voter("p3", 300), voter("p4", 400)]
    result = tally(
        Question.yes_no(),
        [Ballot.cast(people[0], YES), Ballot.cast(people[1], NO), Ballot.cast(people[2], ABSTAIN), Ballot.cast(people[3])],
        eligible=people,
    )
    assert result.counts == {YES: Count(1, 100), NO: Count(1, 200), ABSTAIN: Count(2, 700)}
    assert result.participation == Count(4, 1000)


def test_approval_gives_each_approved_option_the_voters_weight_but_counts_the_voter_once():
    people = [voter("p1", 100), voter("p2", 200), voter("p3", 300)]
    result = tally(
        Question.approval("A", "B", "C"),
        [Ballot.cast(people[0], "A", "B"), Ballot.cast(people[1], "B"), Ballot.cast(people[2])],
    )
    assert result.counts == {"A": Count(1, 100), "B": Count(2, 300), "C": Count(0, 0), ABSTAIN: Count(1, 300)}
    assert result.participation == Count(3, 600)
    assert decide(result, "B", PLURALITY).passed
    assert decide(result, "B", SIMPLE_MAJORITY).passed  # 2 of 3 approve B
    assert not decide(result, "A", SIMPLE_MAJORITY).passed


def test_approval_can_cap_the_number_of_choices():
    with refused("vote.too_many_choices") as info:
        tally(Question.approval("A", "B", "C", max_choices=2), [Ballot("p1", ("A", "B", "C"), 1)])
    assert info.value.params == {"voter": "p1", "count": 3, "max_choices": 2}


def test_instant_runoff_returns_every_round_and_transfers_eliminated_votes():
    ballots = (
        [Ballot(f"a{i}", ("A", "B"), 100) for i in range(4)]
        + [Ballot(f"b{i}", ("B", "C"), 100) for i in range(3)]
        + [Ballot(f"c{i}", ("C", "B"), 100) for i in range(2)]
    )
    result = tally(Question.ranked("A", "B", "C"), ballots)
    assert result.counts["A"] == Count(4, 400)  # first preferences
    first, second = result.rounds
    assert first.counts == {"A": Count(4, 400), "B": Count(3, 300), "C": Count(2, 200)}
    assert first.eliminated == "C" and first.winner is None
    assert second.counts == {"A": Count(4, 400), "B": Count(5, 500)}
    assert second.winner == "B" and result.winner == "B"
    decision = decide(result, "B", PLURALITY)
    assert decision.passed and decision.yes == Count(5, 500) and decision.rounds == 2
    assert not decide(result, "A", PLURALITY).passed
    assert explain(decision, "en") == (
        "passed (option B): 5 of 9 owners (55.6%); needed to win the instant runoff (final round 2; next best 4 owners)"
    )


def test_instant_runoff_ties_eliminate_the_least_area_then_the_option_listed_last():
    by_area = [Ballot("a1", ("A",), 300), Ballot("a2", ("A",), 300), Ballot("b1", ("B",), 200), Ballot("b2", ("B",), 200)]
    by_area += [Ballot(f"c{i}", ("C",), 1) for i in range(3)]
    first = tally(Question.ranked("A", "B", "C"), by_area).rounds[0]
    assert first.eliminated == "B"  # A and B tie on heads; B has less area

    by_order = [Ballot("a1", ("A",), 100), Ballot("a2", ("A",), 100), Ballot("b1", ("B",), 100), Ballot("b2", ("B",), 100)]
    by_order += [Ballot(f"c{i}", ("C",), 1) for i in range(3)]
    result = tally(Question.ranked("A", "B", "C"), by_order)
    assert result.rounds[0].eliminated == "B"  # full tie: the one listed last goes
    assert result.rounds[1].exhausted == Count(2, 200)  # B's ballots ranked nothing else
    assert result.rounds[1].counts == {"A": Count(2, 200), "C": Count(3, 3)}
    assert result.winner == "C"


def test_instant_runoff_with_only_abstentions_has_no_winner():
    result = tally(Question.ranked("A", "B"), [Ballot("p1", (), 100), Ballot("p2", (ABSTAIN,), 100)])
    assert result.winner is None
    assert len(result.rounds) == 1
    assert result.participation == Count(2, 200)
    assert not decide(result, "A", PLURALITY).passed


def test_a_threshold_rule_does_not_apply_to_a_ranked_vote():
    result = tally(Question.ranked("A", "B"), [Ballot("p1", ("A",), 1)])
    with refused("decision.rule_not_for_method"):
        decide(result, "A", SIMPLE_MAJORITY)


def test_plurality_needs_strictly_more_than_every_other_option():
    tie = tally(Question.single("A", "B"), [Ballot("p1", ("A",), 1), Ballot("p2", ("B",), 1)])
    assert not decide(tie, "A", PLURALITY).passed
    assert not decide(tie, "B", PLURALITY).passed
    nobody = tally(Question.single("A"), [Ballot("p1", (), 1)])
    assert not decide(nobody, "A", PLURALITY).passed


ranked_ballots = st.lists(
    st.tuples(st.permutations(["A", "B", "C", "D"]), st.integers(min_value=0, max_value=4), st.integers(0, 50_000)),
    max_size=40,
)


@given(ranked_ballots)
def test_every_instant_runoff_round_accounts_for_every_ballot(raw):
    ballots = [Ballot(f"v{i}", tuple(order[:depth]), area) for i, (order, depth, area) in enumerate(raw)]
    result = tally(Question.ranked("A", "B", "C", "D"), ballots)
    voting = result.participation.owners - result.counts[ABSTAIN].owners
    for index, round_ in enumerate(result.rounds):
        assert round_.continuing.owners + round_.exhausted.owners == voting
        assert len(round_.counts) == 4 - index
        if round_.eliminated is not None:
            assert round_.counts[round_.eliminated].owners == min(c.owners for c in round_.counts.values())
    last = result.rounds[-1]
    if result.winner is not None:
        winner = last.counts[result.winner].owners
        assert 2 * winner > last.continuing.owners or len(last.counts) == 1
    else:
        assert last.continuing.owners == 0


@given(ranked_ballots, st.randoms(use_true_random=False))
def test_the_order_ballots_arrive_in_does_not_change_the_result(raw, rng):
    ballots = [Ballot(f"v{i}", tuple(order[:depth]), area) for i, (order, depth, area) in enumerate(raw)]
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    question = Question.ranked("A", "B", "C", "D")
    assert tally(question, ballots) == tally(question, shuffled)


@given(
    st.lists(st.tuples(st.sampled_from([YES, NO, ABSTAIN]), st.integers(min_value=1, max_value=10**6)), max_size=50),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=10**7),
    st.sampled_from([PLURALITY, SIMPLE_MAJORITY, TWO_THIRDS, ART278_MAJORITY, ART278_THREE_QUARTERS, FUND_TWO_THIRDS_OF_TOTAL]),
)
def test_no_float_ever_enters_a_tally_or_a_decision(raw, extra_owners, extra_area, rule):
    ballots = [Ballot(f"v{i}", (choice,), area) for i, (choice, area) in enumerate(raw)]
    result = tally(Question.yes_no(), ballots)
    scope = result.participation + Count(extra_owners, extra_area)
    decision = decide(result, YES, rule, scope)
    numbers = list(numbers_in(result)) + list(numbers_in(decision))
    assert numbers and all(type(x) is int for x in numbers)
    assert isinstance(decision, Decision) and type(decision.passed) is bool
    assert explain(decision, "en") and explain(decision, "zh")


# --------------------------------------------------------------------------- bad ballots and questions


def test_a_choice_that_is_not_an_option_is_refused():
    with refused("vote.unknown_choice") as info:
        tally(Question.single("A", "B"), [Ballot("p1", ("Z",), 1)])
    assert info.value.params == {"voter": "p1", "choice": "Z"}
    with refused("vote.unknown_choice"):
        tally(Question.yes_no(), [Ballot("p1", ("maybe",), 1)])


def test_the_same_voter_cannot_vote_twice():
    with refused("vote.duplicate_voter") as info:
        tally(Question.yes_no(), [Ballot("p1", (YES,), 1), Ballot("p1", (NO,), 1)])
    assert info.value.params == {"voter": "p1"}


@pytest.mark.parametrize(("heads", "area"), [(1, -1), (0, 1), (2, 89.76), (1.0, 1), (True, 1), (1, "8976")])
def test_a_ballot_weight_must_be_a_whole_non_negative_number(heads, area):
    with refused("vote.bad_weight"):
        tally(Question.yes_no(), [Ballot("p1", (YES,), area, heads)])


def test_a_ballot_must_carry_the_eligible_owners_own_weight():
    owner = voter("p1", 8976)
    with refused("vote.weight_mismatch"):
        tally(Question.yes_no(), [Ballot("p1", (YES,), 11842)], eligible=[owner])
    with refused("vote.not_eligible"):
        tally(Question.yes_no(), [Ballot("tenant", (YES,), 0)], eligible=[owner])


@pytest.mark.parametrize(
    ("question", "choices", "code"),
    [
        (Question.single("A", "B"), ("A", "B"), "vote.too_many_choices"),
        (Question.yes_no(), (YES, NO), "vote.too_many_choices"),
        (Question.ranked("A", "B"), ("A", "A"), "vote.duplicate_choice"),
        (Question.approval("A", "B"), ("B", "B"), "vote.duplicate_choice"),
        (Question.single("A", "B"), (ABSTAIN, "A"), "vote.abstain_mixed"),
    ],
)
def test_a_ballot_that_does_not_fit_the_method_is_refused(question, choices, code):
    with refused(code):
        tally(question, [Ballot("p1", choices, 1)])


@pytest.mark.parametrize(
    ("question", "code"),
    [
        (Question.single(), "vote.no_options"),
        (Question.single("A", "A"), "vote.duplicate_option"),
        (Question.single("A", ABSTAIN), "vote.reserved_option"),
        (Question(Method.YES_NO, ("yes", "no", "maybe")), "vote.bad_options"),
        (Question.approval("A", max_choices=0), "vote.bad_max_choices"),
        (Question(Method.SINGLE, ("A",), max_choices=1), "vote.bad_max_choices"),
    ],
)
def test_a_malformed_question_is_refused(question, code):
    with refused(code):
        tally(question, [])


def test_a_decision_on_an_option_that_was_not_asked_is_refused():
    with refused("decision.unknown_option"):
        decide(owners_decision(), "maybe", SIMPLE_MAJORITY)


def test_only_chinese_and_english_explanations_are_rendered():
    decision = decide(owners_decision(), YES, SIMPLE_MAJORITY)
    with refused("explain.unknown_language"):
        explain(decision, "fr")
    with refused("explain.unknown_language"):
        explain_option(decide_option(owners_decision(), YES, ["use_fund"], Count(38, 439734)), "fr")


# --------------------------------------------------------------------------- sharing costs and the fund


@given(st.integers(min_value=0, max_value=10**10), st.integers(min_value=1, max_value=10**8), st.data())
def test_a_share_by_area_is_the_exact_proportion_rounded_half_up(total_fen, total_area, data):
    area = data.draw(st.integers(min_value=0, max_value=total_area))
    share = share_by_area(total_fen, area, total_area)
    assert type(share) is int
    assert share == int(half_up(total_fen * area, total_area, 0))
    assert 0 <= share <= total_fen
    if area < total_area:
        assert share <= share_by_area(total_fen, area + 1, total_area)  # more area never pays less


@given(st.integers(min_value=0, max_value=10**9), st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=50))
def test_rounded_shares_add_up_to_the_total_within_half_a_fen_per_owner(total_fen, areas):
    total_area = sum(areas)
    shares = [share_by_area(total_fen, area, total_area) for area in areas]
    assert 2 * abs(sum(shares) - total_fen) <= len(areas)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((-1, 1, 1), "money.negative"),
        ((1.5, 1, 1), "money.negative"),
        ((1, 2, 1), "share.bad_area"),
        ((1, -1, 1), "share.bad_area"),
        ((1, 0, 0), "share.bad_area"),
    ],
)
def test_a_share_of_impossible_numbers_is_refused(args, code):
    with refused(code):
        share_by_area(*args)


@given(st.integers(min_value=0, max_value=10**10), st.data())
def test_the_fund_must_be_topped_up_exactly_when_it_falls_below_30_percent(initial, data):
    balance = data.draw(st.integers(min_value=0, max_value=2 * initial + 1))
    draw = data.draw(st.integers(min_value=0, max_value=balance))
    status = fund_after_draw(balance, draw, initial)
    after = balance - draw
    assert status.balance_after == after
    assert status.below_floor == (10 * after < 3 * initial)
    assert status.top_up == (status.floor - after if status.below_floor else 0)
    least_allowed = -(-3 * initial // 10)  # the least whole-fen balance not below 30%
    assert status.floor == least_allowed
    assert not fund_after_draw(least_allowed, 0, initial).below_floor
    if least_allowed > 0:
        assert fund_after_draw(least_allowed - 1, 0, initial).below_floor
        assert fund_after_draw(least_allowed - 1, 0, initial).top_up == 1


def test_a_floor_that_falls_between_two_fen_is_rounded_up():
    """30% of 0.05 CNY is 1.5 fen: 1 fen is below the floor, 2 fen is not."""
    assert fund_after_draw(1, 0, 5).below_floor
    assert not fund_after_draw(2, 0, 5).below_floor


def test_the_fund_cannot_pay_more_than_it_holds():
    with refused("fund.overdraw"):
        fund_after_draw(100, 101, 1_000)
    with refused("money.negative"):
        fund_after_draw(100, -1, 1_000)
