"""The explanations of decisions, word for word in both languages.

Every method, rule, base and outcome the explanations tell apart, each pinned to the exact
sentence it gives (written down from the renderer once and checked by reading), so a change
to how the sentences are put together cannot change what they say.
"""

from __future__ import annotations

import dataclasses

import pytest

from facilitator.domain.voting import (
    ABSTAIN,
    ART278_MAJORITY,
    ART278_THREE_QUARTERS,
    BOTH,
    FUND_OFFICE_2007,
    FUND_TWO_THIRDS_OF_TOTAL,
    HALF_STRICT,
    HEADS_ONLY,
    NO,
    PLURALITY,
    SIMPLE_MAJORITY,
    TWO_THIRDS,
    TWO_THIRDS_AT_LEAST,
    YES,
    Ballot,
    Base,
    Count,
    DecisionRule,
    Matter,
    Method,
    OptionDecision,
    Question,
    Tally,
    Threshold,
    VotingSettings,
    decide,
    decide_option,
    explain,
    explain_option,
    tally,
)

NOBODY = Count()


def _yes_no(yes: Count, no: Count = NOBODY, abstain: Count = NOBODY) -> Tally:
    return Tally(Method.YES_NO, (YES, NO), {YES: yes, NO: no, ABSTAIN: abstain}, yes + no + abstain)


def _single(*ballots: tuple[str, Count], options=("A", "B", "C")) -> Tally:
    return tally(Question.single(*options),
                 [Ballot(f"v{i}", (choice,), weight.area, weight.owners) for i, (choice, weight) in enumerate(ballots)])


def _ranked(*ballots: tuple[tuple[str, ...], Count]) -> Tally:
    return tally(Question.ranked("A", "B", "C"),
                 [Ballot(f"v{i}", choices, weight.area, weight.owners) for i, (choices, weight) in enumerate(ballots)])


SCOPE = Count(100, 1_000_000)
HALF_BOTH = DecisionRule("half_both", HALF_STRICT, measures=BOTH)
TWO_THIRDS_STRICT_BOTH = DecisionRule("two_thirds_strict_both", Threshold(2, 3, strict=True), measures=BOTH)
THREE_FIFTHS = DecisionRule("three_fifths", Threshold(3, 5, strict=False))
ONE_THIRD_STRICT = DecisionRule("one_third_strict", Threshold(1, 3, strict=True))
ELEVEN_TWELFTHS = DecisionRule("eleven_twelfths", Threshold(11, 12, strict=False), measures=BOTH)
HALF_OF_ALL_OWNERS = DecisionRule("half_of_all_owners", HALF_STRICT, Base.TOTAL)
STRICT_TWO_THIRDS_OF_TOTAL = DecisionRule("strict_two_thirds_of_total", Threshold(2, 3, strict=True), Base.TOTAL,
                                          None, BOTH)
HEADS_GATE = DecisionRule("heads_gate", HALF_STRICT, Base.PARTICIPATING, TWO_THIRDS_AT_LEAST, HEADS_ONLY)
PLURALITY_BOTH = DecisionRule("plurality_both", None, measures=BOTH)
MET = _yes_no(Count(70, 700_000), Count(20, 200_000), Count(5, 50_000))

EXPLAINED = {
    "art278 majority passed, gate met": lambda: decide(MET, YES, ART278_MAJORITY, SCOPE),
    "art278 majority, yes refused": lambda: decide(_yes_no(Count(40, 400_000), Count(55, 550_000)), YES,
                                                   ART278_MAJORITY, SCOPE),
    "art278 majority, yes by owners but not by area": lambda: decide(
        _yes_no(Count(60, 300_000), Count(20, 500_000)), YES, ART278_MAJORITY, SCOPE),
    "art278 majority, gate missed in both": lambda: decide(_yes_no(Count(40, 400_000), Count(10, 100_000)), YES,
                                                          ART278_MAJORITY, SCOPE),
    "art278 majority, gate missed by area only": lambda: decide(_yes_no(Count(60, 300_000), Count(10, 50_000)),
                                                               YES, ART278_MAJORITY, SCOPE),
    "art278 majority, gate missed by one owner": lambda: decide(_yes_no(Count(60, 900_000), Count(6, 10_000)),
                                                               YES, ART278_MAJORITY, SCOPE),
    "art278 majority, the no option": lambda: decide(MET, NO, ART278_MAJORITY, SCOPE),
    "art278 three-quarters passed": lambda: decide(_yes_no(Count(80, 800_000), Count(10, 100_000)), YES,
                                                   ART278_THREE_QUARTERS, SCOPE),
    "art278 three-quarters not passed": lambda: decide(MET, YES, ART278_THREE_QUARTERS, SCOPE),
    "art278 exact boundaries": lambda: decide(_yes_no(Count(51, 500_001), Count(16, 166_666)), YES,
                                              ART278_THREE_QUARTERS, SCOPE),
    "two-thirds of the total passed": lambda: decide(_yes_no(Count(67, 666_667), Count(3, 3)), YES,
                                                     FUND_TWO_THIRDS_OF_TOTAL, SCOPE),
    "two-thirds of the total not passed": lambda: decide(_yes_no(Count(66, 900_000), Count(30, 50_000)), YES,
                                                         FUND_TWO_THIRDS_OF_TOTAL, SCOPE),
    "more than two-thirds of the total": lambda: decide(MET, YES, STRICT_TWO_THIRDS_OF_TOTAL, SCOPE),
    "more than half of all owners": lambda: decide(MET, YES, HALF_OF_ALL_OWNERS, SCOPE),
    "simple majority passed": lambda: decide(MET, YES, SIMPLE_MAJORITY),
    "simple majority of nobody": lambda: decide(_yes_no(NOBODY), YES, SIMPLE_MAJORITY),
    "two-thirds by headcount": lambda: decide(MET, YES, TWO_THIRDS),
    "more than half of both without a gate": lambda: decide(MET, YES, HALF_BOTH),
    "more than two-thirds of both": lambda: decide(MET, YES, TWO_THIRDS_STRICT_BOTH),
    "three-fifths": lambda: decide(MET, YES, THREE_FIFTHS),
    "more than one-third": lambda: decide(MET, NO, ONE_THIRD_STRICT),
    "eleven-twelfths of both": lambda: decide(MET, YES, ELEVEN_TWELFTHS),
    "headcount gate met": lambda: decide(MET, YES, HEADS_GATE, SCOPE),
    "headcount gate missed": lambda: decide(_yes_no(Count(30, 1), Count(10, 1)), YES, HEADS_GATE, SCOPE),
    "headcount gate missed by one owner": lambda: decide(_yes_no(Count(60, 1), Count(6, 1)), YES, HEADS_GATE,
                                                         SCOPE),
    "an approval option by simple majority": lambda: decide(
        tally(Question.approval("A", "B"), [Ballot("v1", ("A", "B"), 100), Ballot("v2", ("A",), 200),
                                            Ballot("v3", (), 300)]), "A", SIMPLE_MAJORITY),
    "plurality passed": lambda: decide(_single(("C", Count(12, 1)), ("A", Count(5, 1)), ("B", Count(1, 1))), "C",
                                       PLURALITY),
    "plurality not passed": lambda: decide(_single(("C", Count(12, 1)), ("A", Count(5, 1))), "A", PLURALITY),
    "plurality tied": lambda: decide(_single(("C", Count(1, 1)), ("A", Count(1, 1))), "A", PLURALITY),
    "plurality with no votes": lambda: decide(_single(), "B", PLURALITY),
    "plurality by both measures passed": lambda: decide(
        _single(("A", Count(3, 30_000)), ("B", Count(2, 12_345))), "A", PLURALITY_BOTH),
    "plurality by both measures, more owners less area": lambda: decide(
        _single(("A", Count(3, 30_000)), ("B", Count(2, 123_456))), "A", PLURALITY_BOTH),
    "plurality by both measures tied": lambda: decide(
        _single(("A", Count(2, 30_000)), ("B", Count(2, 12_345))), "B", PLURALITY_BOTH),
    "plurality without a runner-up": lambda: dataclasses.replace(
        decide(_single(("A", Count(3, 30_000)), options=("A",)), "A", PLURALITY_BOTH), runner_up=None),
    "ranked winner in the first round": lambda: decide(
        _ranked((("A", "B"), Count(3, 100)), (("B",), Count(1, 100))), "A", PLURALITY),
    "ranked winner after eliminations": lambda: decide(
        _ranked((("A",), Count(2, 100)), (("B",), Count(2, 100)), (("C", "B"), Count(1, 100))), "B", PLURALITY),
    "ranked loser": lambda: decide(
        _ranked((("A",), Count(2, 100)), (("B",), Count(2, 100)), (("C", "B"), Count(1, 100))), "A", PLURALITY),
    "ranked loser by the tie-break": lambda: decide(
        _ranked((("A",), Count(2, 100)), (("B",), Count(2, 100))), "B", PLURALITY),
    "ranked by both measures": lambda: decide(
        _ranked((("A", "B"), Count(3, 100)), (("B",), Count(1, 250))), "B", PLURALITY_BOTH),
}

CUSTOM_MATTERS = VotingSettings("custom", {"paint_the_gate": SIMPLE_MAJORITY})

EXPLAINED_OPTIONS = {
    "one matter passed": lambda: decide_option(MET, YES, [Matter.USE_FUND], SCOPE),
    "two matters, one not passed": lambda: decide_option(MET, YES, [Matter.USE_FUND, Matter.RAISE_FUND], SCOPE),
    "every matter passed": lambda: decide_option(_yes_no(Count(80, 800_000), Count(10, 100_000)), YES,
                                                 list(Matter), SCOPE),
    "every matter, gate missed": lambda: decide_option(_yes_no(Count(40, 400_000), Count(10, 100_000)), YES,
                                                       list(Matter), SCOPE),
    "an option that is not yes": lambda: decide_option(MET, NO, [Matter.COVENANT, Matter.ALTER_REBUILD], SCOPE),
    "the older fund office's rule": lambda: decide_option(MET, YES, [Matter.USE_FUND, Matter.CHANGE_USE], SCOPE,
                                                          settings=FUND_OFFICE_2007),
    "a matter the labels do not know": lambda: decide_option(MET, YES, ["paint_the_gate"], SCOPE,
                                                             settings=CUSTOM_MATTERS),
    "a decision on no matter, named by its rule": lambda: OptionDecision(
        "C", "custom", False, (decide(_single(("C", Count(1, 1)), ("A", Count(2, 1))), "C", PLURALITY),)),
}

EXPECTED = [
    ('art278 majority passed, gate met', 'zh',
     '通过：同意 70/95 人（73.7%）、面积 7,000.00/9,500.00 m²（73.68%）；需双过半；参与表决 95/100 人、面积 9,500.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('art278 majority passed, gate met', 'en',
     'passed: 70 of 95 owners (73.7%) and 7,000.00 of 9,500.00 m² (73.68%); needed more than half of both; participation 95 of 100 owners and 9,500.00 of 10,000.00 m², needed two-thirds of both'),
    ('art278 majority, yes refused', 'zh',
     '未通过：同意 40/95 人（42.1%）、面积 4,000.00/9,500.00 m²（42.11%）；需双过半；参与表决 95/100 人、面积 9,500.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('art278 majority, yes refused', 'en',
     'not passed: 40 of 95 owners (42.1%) and 4,000.00 of 9,500.00 m² (42.11%); needed more than half of both; participation 95 of 100 owners and 9,500.00 of 10,000.00 m², needed two-thirds of both'),
    ('art278 majority, yes by owners but not by area', 'zh',
     '未通过：同意 60/80 人（75.0%）、面积 3,000.00/8,000.00 m²（37.50%）；需双过半；参与表决 80/100 人、面积 8,000.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('art278 majority, yes by owners but not by area', 'en',
     'not passed: 60 of 80 owners (75.0%) and 3,000.00 of 8,000.00 m² (37.50%); needed more than half of both; participation 80 of 100 owners and 8,000.00 of 10,000.00 m², needed two-thirds of both'),
    ('art278 majority, gate missed in both', 'zh',
     '未通过：同意 40/50 人（80.0%）、面积 4,000.00/5,000.00 m²（80.00%）；需双过半；参与表决 50/100 人、面积 5,000.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 17 人、面积 1,666.67 m²'),
    ('art278 majority, gate missed in both', 'en',
     'not passed: 40 of 50 owners (80.0%) and 4,000.00 of 5,000.00 m² (80.00%); needed more than half of both; participation 50 of 100 owners and 5,000.00 of 10,000.00 m², needed two-thirds of both: not met, short by 17 owners and 1,666.67 m²'),
    ('art278 majority, gate missed by area only', 'zh',
     '未通过：同意 60/70 人（85.7%）、面积 3,000.00/3,500.00 m²（85.71%）；需双过半；参与表决 70/100 人、面积 3,500.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 面积 3,166.67 m²'),
    ('art278 majority, gate missed by area only', 'en',
     'not passed: 60 of 70 owners (85.7%) and 3,000.00 of 3,500.00 m² (85.71%); needed more than half of both; participation 70 of 100 owners and 3,500.00 of 10,000.00 m², needed two-thirds of both: not met, short by 3,166.67 m²'),
    ('art278 majority, gate missed by one owner', 'zh',
     '未通过：同意 60/66 人（90.9%）、面积 9,000.00/9,100.00 m²（98.90%）；需双过半；参与表决 66/100 人、面积 9,100.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 1 人'),
    ('art278 majority, gate missed by one owner', 'en',
     'not passed: 60 of 66 owners (90.9%) and 9,000.00 of 9,100.00 m² (98.90%); needed more than half of both; participation 66 of 100 owners and 9,100.00 of 10,000.00 m², needed two-thirds of both: not met, short by 1 owner'),
    ('art278 majority, the no option', 'zh',
     '未通过（选项 no）：20/95 人（21.1%）、面积 2,000.00/9,500.00 m²（21.05%）；需双过半；参与表决 95/100 人、面积 9,500.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('art278 majority, the no option', 'en',
     'not passed (option no): 20 of 95 owners (21.1%) and 2,000.00 of 9,500.00 m² (21.05%); needed more than half of both; participation 95 of 100 owners and 9,500.00 of 10,000.00 m², needed two-thirds of both'),
    ('art278 three-quarters passed', 'zh',
     '通过：同意 80/90 人（88.9%）、面积 8,000.00/9,000.00 m²（88.89%）；需参与表决人数和面积均达四分之三以上；参与表决 90/100 人、面积 9,000.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('art278 three-quarters passed', 'en',
     'passed: 80 of 90 owners (88.9%) and 8,000.00 of 9,000.00 m² (88.89%); needed three-quarters of both; participation 90 of 100 owners and 9,000.00 of 10,000.00 m², needed two-thirds of both'),
    ('art278 three-quarters not passed', 'zh',
     '未通过：同意 70/95 人（73.7%）、面积 7,000.00/9,500.00 m²（73.68%）；需参与表决人数和面积均达四分之三以上；参与表决 95/100 人、面积 9,500.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('art278 three-quarters not passed', 'en',
     'not passed: 70 of 95 owners (73.7%) and 7,000.00 of 9,500.00 m² (73.68%); needed three-quarters of both; participation 95 of 100 owners and 9,500.00 of 10,000.00 m², needed two-thirds of both'),
    ('art278 exact boundaries', 'zh',
     '通过：同意 51/67 人（76.1%）、面积 5,000.01/6,666.67 m²（75.00%）；需参与表决人数和面积均达四分之三以上；参与表决 67/100 人、面积 6,666.67/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('art278 exact boundaries', 'en',
     'passed: 51 of 67 owners (76.1%) and 5,000.01 of 6,666.67 m² (75.00%); needed three-quarters of both; participation 67 of 100 owners and 6,666.67 of 10,000.00 m², needed two-thirds of both'),
    ('two-thirds of the total passed', 'zh',
     '通过：同意 67/100 人（67.0%）、面积 6,666.67/10,000.00 m²（66.67%）；需同意人数和面积均达全体业主人数和总面积的三分之二以上'),
    ('two-thirds of the total passed', 'en',
     'passed: 67 of 100 owners (67.0%) and 6,666.67 of 10,000.00 m² (66.67%); needed two-thirds of all owners and of the total area'),
    ('two-thirds of the total not passed', 'zh',
     '未通过：同意 66/100 人（66.0%）、面积 9,000.00/10,000.00 m²（90.00%）；需同意人数和面积均达全体业主人数和总面积的三分之二以上'),
    ('two-thirds of the total not passed', 'en',
     'not passed: 66 of 100 owners (66.0%) and 9,000.00 of 10,000.00 m² (90.00%); needed two-thirds of all owners and of the total area'),
    ('more than two-thirds of the total', 'zh',
     '通过：同意 70/100 人（70.0%）、面积 7,000.00/10,000.00 m²（70.00%）；需同意人数和面积均超过全体业主人数和总面积的三分之二'),
    ('more than two-thirds of the total', 'en',
     'passed: 70 of 100 owners (70.0%) and 7,000.00 of 10,000.00 m² (70.00%); needed more than two-thirds of all owners and of the total area'),
    ('more than half of all owners', 'zh',
     '通过：同意 70/100 人（70.0%）；需同意人数超过全体业主人数的二分之一'),
    ('more than half of all owners', 'en',
     'passed: 70 of 100 owners (70.0%); needed more than half of all owners'),
    ('simple majority passed', 'zh',
     '通过：同意 70/95 人（73.7%）；需过半数'),
    ('simple majority passed', 'en',
     'passed: 70 of 95 owners (73.7%); needed more than half'),
    ('simple majority of nobody', 'zh',
     '未通过：同意 0/0 人（—）；需过半数'),
    ('simple majority of nobody', 'en',
     'not passed: 0 of 0 owners (—); needed more than half'),
    ('two-thirds by headcount', 'zh',
     '通过：同意 70/95 人（73.7%）；需达三分之二以上'),
    ('two-thirds by headcount', 'en',
     'passed: 70 of 95 owners (73.7%); needed two-thirds'),
    ('more than half of both without a gate', 'zh',
     '通过：同意 70/95 人（73.7%）、面积 7,000.00/9,500.00 m²（73.68%）；需双过半'),
    ('more than half of both without a gate', 'en',
     'passed: 70 of 95 owners (73.7%) and 7,000.00 of 9,500.00 m² (73.68%); needed more than half of both'),
    ('more than two-thirds of both', 'zh',
     '通过：同意 70/95 人（73.7%）、面积 7,000.00/9,500.00 m²（73.68%）；需参与表决人数和面积均超过三分之二'),
    ('more than two-thirds of both', 'en',
     'passed: 70 of 95 owners (73.7%) and 7,000.00 of 9,500.00 m² (73.68%); needed more than two-thirds of both'),
    ('three-fifths', 'zh',
     '通过：同意 70/95 人（73.7%）；需达五分之三以上'),
    ('three-fifths', 'en',
     'passed: 70 of 95 owners (73.7%); needed 3/5'),
    ('more than one-third', 'zh',
     '未通过（选项 no）：20/95 人（21.1%）；需超过三分之一'),
    ('more than one-third', 'en',
     'not passed (option no): 20 of 95 owners (21.1%); needed more than one-third'),
    ('eleven-twelfths of both', 'zh',
     '未通过：同意 70/95 人（73.7%）、面积 7,000.00/9,500.00 m²（73.68%）；需参与表决人数和面积均达11/12以上'),
    ('eleven-twelfths of both', 'en',
     'not passed: 70 of 95 owners (73.7%) and 7,000.00 of 9,500.00 m² (73.68%); needed 11/12 of both'),
    ('headcount gate met', 'zh',
     '通过：同意 70/95 人（73.7%）；需过半数；参与表决 95/100 人，需人数达三分之二以上'),
    ('headcount gate met', 'en',
     'passed: 70 of 95 owners (73.7%); needed more than half; participation 95 of 100 owners, needed two-thirds'),
    ('headcount gate missed', 'zh',
     '未通过：同意 30/40 人（75.0%）；需过半数；参与表决 40/100 人，需人数达三分之二以上，未达到：尚差 27 人'),
    ('headcount gate missed', 'en',
     'not passed: 30 of 40 owners (75.0%); needed more than half; participation 40 of 100 owners, needed two-thirds: not met, short by 27 owners'),
    ('headcount gate missed by one owner', 'zh',
     '未通过：同意 60/66 人（90.9%）；需过半数；参与表决 66/100 人，需人数达三分之二以上，未达到：尚差 1 人'),
    ('headcount gate missed by one owner', 'en',
     'not passed: 60 of 66 owners (90.9%); needed more than half; participation 66 of 100 owners, needed two-thirds: not met, short by 1 owner'),
    ('an approval option by simple majority', 'zh',
     '通过（选项 A）：2/3 人（66.7%）；需过半数'),
    ('an approval option by simple majority', 'en',
     'passed (option A): 2 of 3 owners (66.7%); needed more than half'),
    ('plurality passed', 'zh',
     '通过（选项 C）：12/18 人（66.7%）；需得票多于其他任一选项（次高 5 人）'),
    ('plurality passed', 'en',
     'passed (option C): 12 of 18 owners (66.7%); needed more votes than any other choice (next best 5 owners)'),
    ('plurality not passed', 'zh',
     '未通过（选项 A）：5/17 人（29.4%）；需得票多于其他任一选项（次高 12 人）'),
    ('plurality not passed', 'en',
     'not passed (option A): 5 of 17 owners (29.4%); needed more votes than any other choice (next best 12 owners)'),
    ('plurality tied', 'zh',
     '平票（选项 A）：1/2 人（50.0%）；需得票多于其他任一选项（次高 1 人）'),
    ('plurality tied', 'en',
     'tied (option A): 1 of 2 owners (50.0%); needed more votes than any other choice (next best 1 owner)'),
    ('plurality with no votes', 'zh',
     '未通过（选项 B）：0/0 人（—）；需得票多于其他任一选项（次高 0 人）'),
    ('plurality with no votes', 'en',
     'not passed (option B): 0 of 0 owners (—); needed more votes than any other choice (next best 0 owners)'),
    ('plurality by both measures passed', 'zh',
     '通过（选项 A）：3/5 人（60.0%）、面积 300.00/423.45 m²（70.85%）；需得票多于其他任一选项（次高 2 人、面积 123.45 m²）'),
    ('plurality by both measures passed', 'en',
     'passed (option A): 3 of 5 owners (60.0%) and 300.00 of 423.45 m² (70.85%); needed more votes than any other choice (next best 2 owners and 123.45 m²)'),
    ('plurality by both measures, more owners less area', 'zh',
     '未通过（选项 A）：3/5 人（60.0%）、面积 300.00/1,534.56 m²（19.55%）；需得票多于其他任一选项（次高 2 人、面积 1,234.56 m²）'),
    ('plurality by both measures, more owners less area', 'en',
     'not passed (option A): 3 of 5 owners (60.0%) and 300.00 of 1,534.56 m² (19.55%); needed more votes than any other choice (next best 2 owners and 1,234.56 m²)'),
    ('plurality by both measures tied', 'zh',
     '平票（选项 B）：2/4 人（50.0%）、面积 123.45/423.45 m²（29.15%）；需得票多于其他任一选项（次高 2 人、面积 300.00 m²）'),
    ('plurality by both measures tied', 'en',
     'tied (option B): 2 of 4 owners (50.0%) and 123.45 of 423.45 m² (29.15%); needed more votes than any other choice (next best 2 owners and 300.00 m²)'),
    ('plurality without a runner-up', 'zh',
     '通过（选项 A）：3/3 人（100.0%）、面积 300.00/300.00 m²（100.00%）；需得票多于其他任一选项（次高 0 人）'),
    ('plurality without a runner-up', 'en',
     'passed (option A): 3 of 3 owners (100.0%) and 300.00 of 300.00 m² (100.00%); needed more votes than any other choice (next best 0 owners)'),
    ('ranked winner in the first round', 'zh',
     '通过（选项 A）：3/4 人（75.0%）；需在即时决选中胜出（第 1 轮决出；次高 1 人）'),
    ('ranked winner in the first round', 'en',
     'passed (option A): 3 of 4 owners (75.0%); needed to win the instant runoff (final round 1; next best 1 owner)'),
    ('ranked winner after eliminations', 'zh',
     '通过（选项 B）：3/5 人（60.0%）；需在即时决选中胜出（第 2 轮决出；次高 2 人）'),
    ('ranked winner after eliminations', 'en',
     'passed (option B): 3 of 5 owners (60.0%); needed to win the instant runoff (final round 2; next best 2 owners)'),
    ('ranked loser', 'zh',
     '未通过（选项 A）：2/5 人（40.0%）；需在即时决选中胜出（第 2 轮决出；次高 3 人）'),
    ('ranked loser', 'en',
     'not passed (option A): 2 of 5 owners (40.0%); needed to win the instant runoff (final round 2; next best 3 owners)'),
    ('ranked loser by the tie-break', 'zh',
     '未通过（选项 B）：0/2 人（0.0%）；需在即时决选中胜出（第 3 轮决出；次高 2 人）'),
    ('ranked loser by the tie-break', 'en',
     'not passed (option B): 0 of 2 owners (0.0%); needed to win the instant runoff (final round 3; next best 2 owners)'),
    ('ranked by both measures', 'zh',
     '未通过（选项 B）：1/4 人（25.0%）、面积 2.50/3.50 m²（71.43%）；需在即时决选中胜出（第 1 轮决出；次高 3 人、面积 1.00 m²）'),
    ('ranked by both measures', 'en',
     'not passed (option B): 1 of 4 owners (25.0%) and 2.50 of 3.50 m² (71.43%); needed to win the instant runoff (final round 1; next best 3 owners and 1.00 m²)'),
    ('one matter passed', 'zh',
     '通过：各事项均已通过\n• 使用维修资金——通过：同意 70/95 人（73.7%）、面积 7,000.00/9,500.00 m²（73.68%）；需双过半；参与表决 95/100 人、面积 9,500.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('one matter passed', 'en',
     "passed: every matter's rule is met\n• use the maintenance fund — passed: 70 of 95 owners (73.7%) and 7,000.00 of 9,500.00 m² (73.68%); needed more than half of both; participation 95 of 100 owners and 9,500.00 of 10,000.00 m², needed two-thirds of both"),
    ('two matters, one not passed', 'zh',
     '未通过：须每一事项均通过\n• 使用维修资金——通过：同意 70/95 人（73.7%）、面积 7,000.00/9,500.00 m²（73.68%）；需双过半；参与表决 95/100 人、面积 9,500.00/10,000.00 m²，需人数和面积均达三分之二以上\n• 筹集维修资金——未通过：同意 70/95 人（73.7%）、面积 7,000.00/9,500.00 m²（73.68%）；需参与表决人数和面积均达四分之三以上；参与表决 95/100 人、面积 9,500.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('two matters, one not passed', 'en',
     "not passed: every matter's rule must pass\n• use the maintenance fund — passed: 70 of 95 owners (73.7%) and 7,000.00 of 9,500.00 m² (73.68%); needed more than half of both; participation 95 of 100 owners and 9,500.00 of 10,000.00 m², needed two-thirds of both\n• raise the maintenance fund — not passed: 70 of 95 owners (73.7%) and 7,000.00 of 9,500.00 m² (73.68%); needed three-quarters of both; participation 95 of 100 owners and 9,500.00 of 10,000.00 m², needed two-thirds of both"),
    ('every matter passed', 'zh',
     '通过：各事项均已通过\n• 制定和修改议事规则——通过：同意 80/90 人（88.9%）、面积 8,000.00/9,000.00 m²（88.89%）；需双过半；参与表决 90/100 人、面积 9,000.00/10,000.00 m²，需人数和面积均达三分之二以上\n• 制定和修改管理规约——通过：同意 80/90 人（88.9%）、面积 8,000.00/9,000.00 m²（88.89%）；需双过半；参与表决 90/100 人、面积 9,000.00/10,000.00 m²，需人数和面积均达三分之二以上\n• 选举或更换业主委员会——通过：同意 80/90 人（88.9%）、面积 8,000.00/9,000.00 m²（88.89%）；需双过半；参与表决 90/100 人、面积 9,000.00/10,000.00 m²，需人数和面积均达三分之二以上\n• 选聘和解聘物业服务企业——通过：同意 80/90 人（88.9%）、面积 8,000.00/9,000.00 m²（88.89%）；需双过半；参与表决 90/100 人、面积 9,000.00/10,000.00 m²，需人数和面积均达三分之二以上\n• 使用维修资金——通过：同意 80/90 人（88.9%）、面积 8,000.00/9,000.00 m²（88.89%）；需双过半；参与表决 90/100 人、面积 9,000.00/10,000.00 m²，需人数和面积均达三分之二以上\n• 筹集维修资金——通过：同意 80/90 人（88.9%）、面积 8,000.00/9,000.00 m²（88.89%）；需参与表决人数和面积均达四分之三以上；参与表决 90/100 人、面积 9,000.00/10,000.00 m²，需人数和面积均达三分之二以上\n• 改建、重建建筑物及其附属设施——通过：同意 80/90 人（88.9%）、面积 8,000.00/9,000.00 m²（88.89%）；需参与表决人数和面积均达四分之三以上；参与表决 90/100 人、面积 9,000.00/10,000.00 m²，需人数和面积均达三分之二以上\n• 改变共有部分用途或利用共有部分经营——通过：同意 80/90 人（88.9%）、面积 8,000.00/9,000.00 m²（88.89%）；需参与表决人数和面积均达四分之三以上；参与表决 90/100 人、面积 9,000.00/10,000.00 m²，需人数和面积均达三分之二以上\n• 其他重大事项——通过：同意 80/90 人（88.9%）、面积 8,000.00/9,000.00 m²（88.89%）；需双过半；参与表决 90/100 人、面积 9,000.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('every matter passed', 'en',
     "passed: every matter's rule is met\n• owners' assembly rules — passed: 80 of 90 owners (88.9%) and 8,000.00 of 9,000.00 m² (88.89%); needed more than half of both; participation 90 of 100 owners and 9,000.00 of 10,000.00 m², needed two-thirds of both\n• management covenant — passed: 80 of 90 owners (88.9%) and 8,000.00 of 9,000.00 m² (88.89%); needed more than half of both; participation 90 of 100 owners and 9,000.00 of 10,000.00 m², needed two-thirds of both\n• elect or replace the owners' committee — passed: 80 of 90 owners (88.9%) and 8,000.00 of 9,000.00 m² (88.89%); needed more than half of both; participation 90 of 100 owners and 9,000.00 of 10,000.00 m², needed two-thirds of both\n• hire or fire the property manager — passed: 80 of 90 owners (88.9%) and 8,000.00 of 9,000.00 m² (88.89%); needed more than half of both; participation 90 of 100 owners and 9,000.00 of 10,000.00 m², needed two-thirds of both\n• use the maintenance fund — passed: 80 of 90 owners (88.9%) and 8,000.00 of 9,000.00 m² (88.89%); needed more than half of both; participation 90 of 100 owners and 9,000.00 of 10,000.00 m², needed two-thirds of both\n• raise the maintenance fund — passed: 80 of 90 owners (88.9%) and 8,000.00 of 9,000.00 m² (88.89%); needed three-quarters of both; participation 90 of 100 owners and 9,000.00 of 10,000.00 m², needed two-thirds of both\n• alter or rebuild buildings and facilities — passed: 80 of 90 owners (88.9%) and 8,000.00 of 9,000.00 m² (88.89%); needed three-quarters of both; participation 90 of 100 owners and 9,000.00 of 10,000.00 m², needed two-thirds of both\n• change the use of common parts — passed: 80 of 90 owners (88.9%) and 8,000.00 of 9,000.00 m² (88.89%); needed three-quarters of both; participation 90 of 100 owners and 9,000.00 of 10,000.00 m², needed two-thirds of both\n• other major matters — passed: 80 of 90 owners (88.9%) and 8,000.00 of 9,000.00 m² (88.89%); needed more than half of both; participation 90 of 100 owners and 9,000.00 of 10,000.00 m², needed two-thirds of both"),
    ('every matter, gate missed', 'zh',
     '未通过：须每一事项均通过\n• 制定和修改议事规则——未通过：同意 40/50 人（80.0%）、面积 4,000.00/5,000.00 m²（80.00%）；需双过半；参与表决 50/100 人、面积 5,000.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 17 人、面积 1,666.67 m²\n• 制定和修改管理规约——未通过：同意 40/50 人（80.0%）、面积 4,000.00/5,000.00 m²（80.00%）；需双过半；参与表决 50/100 人、面积 5,000.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 17 人、面积 1,666.67 m²\n• 选举或更换业主委员会——未通过：同意 40/50 人（80.0%）、面积 4,000.00/5,000.00 m²（80.00%）；需双过半；参与表决 50/100 人、面积 5,000.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 17 人、面积 1,666.67 m²\n• 选聘和解聘物业服务企业——未通过：同意 40/50 人（80.0%）、面积 4,000.00/5,000.00 m²（80.00%）；需双过半；参与表决 50/100 人、面积 5,000.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 17 人、面积 1,666.67 m²\n• 使用维修资金——未通过：同意 40/50 人（80.0%）、面积 4,000.00/5,000.00 m²（80.00%）；需双过半；参与表决 50/100 人、面积 5,000.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 17 人、面积 1,666.67 m²\n• 筹集维修资金——未通过：同意 40/50 人（80.0%）、面积 4,000.00/5,000.00 m²（80.00%）；需参与表决人数和面积均达四分之三以上；参与表决 50/100 人、面积 5,000.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 17 人、面积 1,666.67 m²\n• 改建、重建建筑物及其附属设施——未通过：同意 40/50 人（80.0%）、面积 4,000.00/5,000.00 m²（80.00%）；需参与表决人数和面积均达四分之三以上；参与表决 50/100 人、面积 5,000.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 17 人、面积 1,666.67 m²\n• 改变共有部分用途或利用共有部分经营——未通过：同意 40/50 人（80.0%）、面积 4,000.00/5,000.00 m²（80.00%）；需参与表决人数和面积均达四分之三以上；参与表决 50/100 人、面积 5,000.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 17 人、面积 1,666.67 m²\n• 其他重大事项——未通过：同意 40/50 人（80.0%）、面积 4,000.00/5,000.00 m²（80.00%）；需双过半；参与表决 50/100 人、面积 5,000.00/10,000.00 m²，需人数和面积均达三分之二以上，未达到：尚差 17 人、面积 1,666.67 m²'),
    ('every matter, gate missed', 'en',
     "not passed: every matter's rule must pass\n• owners' assembly rules — not passed: 40 of 50 owners (80.0%) and 4,000.00 of 5,000.00 m² (80.00%); needed more than half of both; participation 50 of 100 owners and 5,000.00 of 10,000.00 m², needed two-thirds of both: not met, short by 17 owners and 1,666.67 m²\n• management covenant — not passed: 40 of 50 owners (80.0%) and 4,000.00 of 5,000.00 m² (80.00%); needed more than half of both; participation 50 of 100 owners and 5,000.00 of 10,000.00 m², needed two-thirds of both: not met, short by 17 owners and 1,666.67 m²\n• elect or replace the owners' committee — not passed: 40 of 50 owners (80.0%) and 4,000.00 of 5,000.00 m² (80.00%); needed more than half of both; participation 50 of 100 owners and 5,000.00 of 10,000.00 m², needed two-thirds of both: not met, short by 17 owners and 1,666.67 m²\n• hire or fire the property manager — not passed: 40 of 50 owners (80.0%) and 4,000.00 of 5,000.00 m² (80.00%); needed more than half of both; participation 50 of 100 owners and 5,000.00 of 10,000.00 m², needed two-thirds of both: not met, short by 17 owners and 1,666.67 m²\n• use the maintenance fund — not passed: 40 of 50 owners (80.0%) and 4,000.00 of 5,000.00 m² (80.00%); needed more than half of both; participation 50 of 100 owners and 5,000.00 of 10,000.00 m², needed two-thirds of both: not met, short by 17 owners and 1,666.67 m²\n• raise the maintenance fund — not passed: 40 of 50 owners (80.0%) and 4,000.00 of 5,000.00 m² (80.00%); needed three-quarters of both; participation 50 of 100 owners and 5,000.00 of 10,000.00 m², needed two-thirds of both: not met, short by 17 owners and 1,666.67 m²\n• alter or rebuild buildings and facilities — not passed: 40 of 50 owners (80.0%) and 4,000.00 of 5,000.00 m² (80.00%); needed three-quarters of both; participation 50 of 100 owners and 5,000.00 of 10,000.00 m², needed two-thirds of both: not met, short by 17 owners and 1,666.67 m²\n• change the use of common parts — not passed: 40 of 50 owners (80.0%) and 4,000.00 of 5,000.00 m² (80.00%); needed three-quarters of both; participation 50 of 100 owners and 5,000.00 of 10,000.00 m², needed two-thirds of both: not met, short by 17 owners and 1,666.67 m²\n• other major matters — not passed: 40 of 50 owners (80.0%) and 4,000.00 of 5,000.00 m² (80.00%); needed more than half of both; participation 50 of 100 owners and 5,000.00 of 10,000.00 m², needed two-thirds of both: not met, short by 17 owners and 1,666.67 m²"),
    ('an option that is not yes', 'zh',
     '未通过（选项 no）：须每一事项均通过\n• 制定和修改管理规约——未通过：20/95 人（21.1%）、面积 2,000.00/9,500.00 m²（21.05%）；需双过半；参与表决 95/100 人、面积 9,500.00/10,000.00 m²，需人数和面积均达三分之二以上\n• 改建、重建建筑物及其附属设施——未通过：20/95 人（21.1%）、面积 2,000.00/9,500.00 m²（21.05%）；需参与表决人数和面积均达四分之三以上；参与表决 95/100 人、面积 9,500.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ('an option that is not yes', 'en',
     "not passed (option no): every matter's rule must pass\n• management covenant — not passed: 20 of 95 owners (21.1%) and 2,000.00 of 9,500.00 m² (21.05%); needed more than half of both; participation 95 of 100 owners and 9,500.00 of 10,000.00 m², needed two-thirds of both\n• alter or rebuild buildings and facilities — not passed: 20 of 95 owners (21.1%) and 2,000.00 of 9,500.00 m² (21.05%); needed three-quarters of both; participation 95 of 100 owners and 9,500.00 of 10,000.00 m², needed two-thirds of both"),
    ("the older fund office's rule", 'zh',
     '未通过：须每一事项均通过\n• 使用维修资金——通过：同意 70/100 人（70.0%）、面积 7,000.00/10,000.00 m²（70.00%）；需同意人数和面积均达全体业主人数和总面积的三分之二以上\n• 改变共有部分用途或利用共有部分经营——未通过：同意 70/95 人（73.7%）、面积 7,000.00/9,500.00 m²（73.68%）；需参与表决人数和面积均达四分之三以上；参与表决 95/100 人、面积 9,500.00/10,000.00 m²，需人数和面积均达三分之二以上'),
    ("the older fund office's rule", 'en',
     "not passed: every matter's rule must pass\n• use the maintenance fund — passed: 70 of 100 owners (70.0%) and 7,000.00 of 10,000.00 m² (70.00%); needed two-thirds of all owners and of the total area\n• change the use of common parts — not passed: 70 of 95 owners (73.7%) and 7,000.00 of 9,500.00 m² (73.68%); needed three-quarters of both; participation 95 of 100 owners and 9,500.00 of 10,000.00 m², needed two-thirds of both"),
    ('a matter the labels do not know', 'zh',
     '通过：各事项均已通过\n• paint_the_gate——通过：同意 70/95 人（73.7%）；需过半数'),
    ('a matter the labels do not know', 'en',
     "passed: every matter's rule is met\n• paint_the_gate — passed: 70 of 95 owners (73.7%); needed more than half"),
    ('a decision on no matter, named by its rule', 'zh',
     '未通过（选项 C）：须每一事项均通过\n• plurality——未通过：1/3 人（33.3%）；需得票多于其他任一选项（次高 2 人）'),
    ('a decision on no matter, named by its rule', 'en',
     "not passed (option C): every matter's rule must pass\n• plurality — not passed: 1 of 3 owners (33.3%); needed more votes than any other choice (next best 2 owners)"),
]


@pytest.mark.parametrize(("case", "lang", "sentence"), [row for row in EXPECTED if row[0] in EXPLAINED])
def test_a_decision_is_explained_word_for_word(case, lang, sentence):
    assert explain(EXPLAINED[case](), lang) == sentence


@pytest.mark.parametrize(("case", "lang", "sentence"), [row for row in EXPECTED if row[0] in EXPLAINED_OPTIONS])
def test_an_option_on_several_matters_is_explained_word_for_word(case, lang, sentence):
    assert explain_option(EXPLAINED_OPTIONS[case](), lang) == sentence


def test_every_case_is_pinned_in_both_languages():
    assert sorted((case, lang) for case, lang, _ in EXPECTED) == sorted(
        (case, lang) for case in [*EXPLAINED, *EXPLAINED_OPTIONS] for lang in ("zh", "en"))

