"""The owners' roster: every line checked, exact counts, all or nothing."""
from hypothesis import given, strategies as st

from facilitator.domain.roster import format_area, parse_area, parse_roster_csv, summarise

from tests.factories import demo_roster_csv

HEADER = "unit,area_m2,owner,owner_key,note\n"


def test_the_demo_roster_has_40_units_38_owners_and_4397_34_square_metres():
    rows, errors = parse_roster_csv(demo_roster_csv())
    assert errors == []
    summary = summarise(rows)
    assert (summary.units, summary.owners, summary.area_hundredths) == (40, 38, 439734)
    assert format_area(summary.area_hundredths) == "4,397.34"


def test_one_owner_with_two_units_counts_once_with_both_areas():
    rows, _ = parse_roster_csv(HEADER + "3-1-301,89.76,胡丽华,P05,\n3-1-302,118.42,胡丽华,P05,\n")
    summary = summarise(rows)
    assert (summary.units, summary.owners, summary.area_hundredths) == (2, 1, 20818)


def test_areas_are_parsed_exactly_without_floats():
    assert parse_area("89.76") == 8976 and parse_area("0.1") == 10 and parse_area("156.8") == 15680
    for bad in ("", "-1", "0", "0.00", "1.234", "1,5", "abc", "1e3", " ", "１２"):
        assert parse_area(bad) is None, bad


@given(st.integers(min_value=1, max_value=10**8))
def test_formatting_and_parsing_an_area_round_trips(hundredths):
    assert parse_area(format_area(hundredths).replace(",", "")) == hundredths


def test_every_bad_line_is_reported_with_its_number_and_reason():
    text = HEADER + ("3-1-101,89.76,张建国,P01,\n"
                     "3-1-101,89.76,赵伟,P03,\n"
                     "3-1-102,,刘秀英,P02,\n"
                     ",10,X,P9,\n"
                     "3-1-103,10,,P9,\n"
                     "3-1-104,10,Y,,\n"
                     "3-1-105,10,王五,P01,\n"
                     "only,two\n"
                     "\n")
    rows, errors = parse_roster_csv(text)
    assert [(e.line, e.reason) for e in errors] == [
        (3, "unit_duplicate"), (4, "area"), (5, "unit_missing"), (6, "owner_missing"),
        (7, "owner_key_missing"), (8, "owner_key_name"), (9, "columns")]
    assert [r.unit for r in rows] == ["3-1-101"]


def test_a_wrong_header_or_an_empty_file_is_refused():
    assert parse_roster_csv("unit,area\n1,2\n")[1][0].reason == "header"
    assert parse_roster_csv("")[1][0].reason == "header"
    assert parse_roster_csv(HEADER)[1][0].reason == "empty"


def test_a_spreadsheet_byte_order_mark_is_accepted():
    rows, errors = parse_roster_csv("\ufeff" + HEADER + "3-1-101,89.76,张建国,P01,\n")
    assert errors == [] and rows[0].area_hundredths == 8976
