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


# --- the files staff have, and versions ---------------------------------------------------

def test_the_header_names_the_columns_in_any_order_in_english_or_chinese():
    from facilitator.domain.roster import parse_roster_lines
    lines = [(1, ["备注", "业主编号", "业主姓名", "建筑面积", "房号", "楼栋"]),
             (2, ["", "P01", "张建国", "89.76", "3-1-101", "3"])]
    rows, errors = parse_roster_lines(lines)
    assert errors == [] and (rows[0].unit, rows[0].area_hundredths, rows[0].owner_key) == (
        "3-1-101", 8976, "P01")
    assert parse_roster_lines([(1, ["房号", "面积", "业主"])])[1][0].reason == "header"


def test_a_workbook_number_cell_is_read_through_its_shortest_decimal():
    from facilitator.domain.roster import _cell_text
    assert [_cell_text(v) for v in (89.76, 118.42, 90.0, 101, None, "3-1-101")] == [
        "89.76", "118.42", "90", "101", "", "3-1-101"]


def test_two_versions_differ_unit_by_unit():
    from facilitator.domain.roster import diff_rosters
    old, _ = parse_roster_csv(HEADER + "1,10,A,K1,\n2,20,B,K2,\n3,30,C,K3,\n")
    new, _ = parse_roster_csv(HEADER + "2,20,B,K2,\n3,31,C,K3,\n4,40,D,K4,\n")
    diff = diff_rosters(old, new)
    assert [r.unit for r in diff.added] == ["4"] and [r.unit for r in diff.removed] == ["1"]
    assert [(c.unit, c.before[0], c.after[0]) for c in diff.changed] == [("3", 3000, 3100)]
    assert diff_rosters(old, old).empty


def test_control_characters_in_a_cell_are_a_bad_line():
    rows, errors = parse_roster_csv(HEADER + "3-1-101,89.76,张\x07建国,P01,\n")
    assert rows == [] and errors[0].reason == "control_chars"
