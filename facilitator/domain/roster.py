"""The owners' roster of a case's scope, parsed from CSV, checked line by line, all or nothing.

Format (as the demo's owners.csv): unit,area_m2,owner,owner_key,note
Area is kept in hundredths of m² (an int): "89.76" → 8976. No floats anywhere.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..errors import DomainError
from .voting import format_area, parse_area as strict_parse_area  # noqa: F401  (re-exported)

HEADER = ["unit", "area_m2", "owner", "owner_key", "note"]


@dataclass(frozen=True)
class RosterRow:
    line: int
    unit: str
    area_hundredths: int
    owner_name: str
    owner_key: str
    note: str


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str  # a catalog key under roster.reason.*
    params: dict


@dataclass(frozen=True)
class RosterSummary:
    units: int
    owners: int
    area_hundredths: int


def parse_area(text: str) -> int | None:
    """'89.76' → 8976; None for anything that is not a positive number with ≤ 2 decimals."""
    try:
        value = strict_parse_area(text)
    except DomainError:
        return None
    return value if value > 0 else None


def parse_roster_csv(text: str) -> tuple[list[RosterRow], list[LineError]]:
    """Every row, or every bad line with its number and reason. A header error stops early."""
    if text.startswith("\ufeff"):  # Excel's UTF-8 byte-order mark
        text = text[1:]
    reader = csv.reader(io.StringIO(text))
    rows: list[RosterRow] = []
    errors: list[LineError] = []
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header] != HEADER:
        return [], [LineError(1, "header", {"expected": ",".join(HEADER)})]
    first_line_of_unit: dict[str, int] = {}
    name_of_key: dict[str, tuple[str, int]] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(HEADER):
            errors.append(LineError(line, "columns", {"count": len(cells)}))
            continue
        unit, area_text, owner, owner_key, note = (cell.strip() for cell in cells)
        problem = _check_line(unit, area_text, owner, owner_key, note)
        if problem:
            errors.append(LineError(line, *problem))
            continue
        if unit in first_line_of_unit:
            errors.append(LineError(line, "unit_duplicate",
                                    {"unit": unit, "first": first_line_of_unit[unit]}))
            continue
        first_line_of_unit[unit] = line
        if owner_key in name_of_key and name_of_key[owner_key][0] != owner:
            first_name, first = name_of_key[owner_key]
            errors.append(LineError(line, "owner_key_name", {"key": owner_key, "first": first,
                                                             "first_name": first_name,
                                                             "name": owner}))
            continue
        name_of_key.setdefault(owner_key, (owner, line))
        rows.append(RosterRow(line, unit, parse_area(area_text), owner, owner_key, note))
    if not rows and not errors:
        errors.append(LineError(2, "empty", {}))
    return rows, errors


def _check_line(unit, area_text, owner, owner_key, note) -> tuple[str, dict] | None:
    if not unit:
        return "unit_missing", {}
    if parse_area(area_text) is None:
        return "area", {"value": area_text}
    if not owner:
        return "owner_missing", {}
    if not owner_key:
        return "owner_key_missing", {}
    for field, value, limit in (("unit", unit, 40), ("owner", owner, 100),
                                ("owner_key", owner_key, 40), ("note", note, 500)):
        if len(value) > limit:
            return "too_long", {"field": field}
    return None


def summarise(rows) -> RosterSummary:
    """Units, owners (one owner with several units counts once: by owner key) and exact area.
    Accepts anything with `owner_key` and `area_hundredths` attributes."""
    rows = list(rows)
    return RosterSummary(units=len(rows), owners=len({row.owner_key for row in rows}),
                         area_hundredths=sum(row.area_hundredths for row in rows))
