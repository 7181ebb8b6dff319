"""Sheets printed one per owner: their order by building and unit, the personal code."""
from dataclasses import dataclass

from facilitator.domain.owner_sheets import (building_of, by_building, format_personal_code,
                                             normalise_personal_code, unit_sort_key)


@dataclass(frozen=True)
class Sheet:
    units: tuple


def test_a_unit_names_its_building_first():
    assert [building_of(u) for u in ("3-1-101", "12-2-1701", "3幢1单元101", "7栋201", "A101")] \
        == ["3", "12", "3", "7", "A101"]


def test_units_sort_with_numbers_compared_as_numbers():
    units = ["3-1-1001", "3-1-201", "10-1-101", "3-1-102", "9-2-101"]
    assert sorted(units, key=unit_sort_key) == ["3-1-102", "3-1-201", "3-1-1001", "9-2-101",
                                                 "10-1-101"]


def test_sheets_are_grouped_by_the_building_of_their_first_unit():
    groups = by_building([Sheet(("10-1-101",)), Sheet(("3-2-101", "10-1-102")),
                          Sheet(("3-1-101",))])
    assert [(g.name, [s.units[0] for s in g.sheets]) for g in groups] == [
        ("3", ["3-1-101", "3-2-101"]), ("10", ["10-1-101"])]


def test_a_personal_code_is_read_in_groups_and_typed_any_way():
    assert format_personal_code("1234567890") == "1234 5678 90"
    for typed in ("1234567890", "1234 5678 90", "1234-5678-90", "１２３４５６７８９０"):
        assert normalise_personal_code(typed) == "1234567890"
    for wrong in ("123456", "12345678901", "12345abcde", ""):
        assert normalise_personal_code(wrong) is None
