"""Sheets printed one per owner (personal invitations, and later ballot papers): their order
by building and unit, the cover list of each building, and the personal code as people
read and type it. Pure functions.

A unit number names its building first: "3-1-101" (building 3, entrance 1, flat 101),
"3幢1单元101" or "3栋101". Staff deliver sheets door to door, building by building, so the
sheets are sorted by building and then unit, numbers compared as numbers ("3-1-201" after
"3-1-102", "10-1-101" after "9-2-101").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

PERSONAL_CODE_DIGITS = 10
_NUMBER = re.compile(r"(\d+)")
_BUILDING = re.compile(r"^\s*(\d+)\s*(?:幢|栋|号楼|-|#)?")


def building_of(unit: str) -> str:
    """The building a unit number names ("3-1-101" → "3"); the unit itself when it names
    none."""
    match = _BUILDING.match(unit)
    if match:
        return match.group(1)
    return unit.split("-", 1)[0].strip() or unit


def unit_sort_key(unit: str) -> tuple:
    """Numbers compared as numbers, the rest as text."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in _NUMBER.split(unit) if part)


@dataclass(frozen=True)
class Building:
    name: str
    sheets: tuple  # each with a `units` tuple, sorted by their first unit


def by_building(sheets: Iterable) -> tuple[Building, ...]:
    """Sheets (anything with a non-empty `units` tuple) grouped by the building of their
    first unit, buildings and sheets in order."""
    ordered = sorted(sheets, key=lambda s: unit_sort_key(s.units[0]))
    groups: dict[str, list] = {}
    for sheet in ordered:
        groups.setdefault(building_of(sheet.units[0]), []).append(sheet)
    return tuple(Building(name, tuple(items))
                 for name, items in sorted(groups.items(), key=lambda kv: unit_sort_key(kv[0])))


def format_personal_code(code: str) -> str:
    """"1234567890" → "1234 5678 90": read out and typed in short groups."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_personal_code(text: str) -> str | None:
    """What a person typed → the personal code, or None: ten digits, spaces and dashes
    allowed, full-width digits accepted."""
    digits = "".join(ch for ch in str(text) if not ch.isspace() and ch != "-")
    digits = digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if len(digits) == PERSONAL_CODE_DIGITS and digits.isascii() and digits.isdigit():
        return digits
    return None
