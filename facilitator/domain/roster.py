"""The owners' roster of a case's scope: read from the file staff have, checked line by line,
all or nothing.

Files: CSV in UTF-8 (with or without Excel's byte-order mark), in GBK/GB18030 (what Excel
saves in China) or UTF-16 (Excel's "Unicode text"), comma-, semicolon- or tab-separated; or
an Excel workbook (.xlsx, its first sheet). The encoding and the separator are found
without asking. The header names the columns, in any order, in English or Chinese:

    unit (房号)  area_m2 (面积)  owner (业主)  owner_key (业主编号)  note (备注, optional)

Area is kept in hundredths of m² (an int): "89.76" → 8976. No floats anywhere: a number
cell of a workbook is read back through its shortest decimal form.

Reading is pure and cooperative: ``pause`` is called every PAUSE_EVERY lines, so a server
can let other work run while a 50,000-line file is read.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..errors import DomainError
from .voting import format_area, parse_area as strict_parse_area  # noqa: F401  (re-exported)

HEADER = ["unit", "area_m2", "owner", "owner_key", "note"]
REQUIRED = ("unit", "area_m2", "owner", "owner_key")
# What the columns are called in the files staff have (compared without case and spaces).
HEADER_NAMES = {
    "unit": ("unit", "房号", "房屋", "房间号", "户号", "专有部分"),
    "area_m2": ("area_m2", "area", "面积", "建筑面积", "专有面积", "专有部分面积", "面积(m²)",
                "面积（m²）", "面积(㎡)", "面积（㎡）"),
    "owner": ("owner", "业主", "业主姓名", "姓名", "产权人"),
    "owner_key": ("owner_key", "业主编号", "业主标识", "产权人编号"),
    "note": ("note", "备注", "说明"),
}
LIMITS = {"unit": 40, "owner": 100, "owner_key": 40, "note": 500}

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# A workbook is a zip: what it may unpack to (a small file can unpack to gigabytes).
MAX_WORKBOOK_BYTES = 100 * 1024 * 1024
PAUSE_EVERY = 250  # lines between two pauses: a few milliseconds of work


@dataclass(frozen=True)
class RosterLine:
    """A line of an uploaded roster file, read (domain/voting.RosterRow is a unit as it is
    counted)."""
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


@dataclass
class RosterFile:
    """A file as read: its format, and every line's cells with the line's number."""
    source_format: str  # utf-8 | utf-16 | gb18030 | xlsx
    lines: list[tuple[int, list[str]]] = field(default_factory=list)


def parse_area(text: str) -> int | None:
    """'89.76' → 8976; None for anything that is not a positive number with ≤ 2 decimals."""
    try:
        value = strict_parse_area(text)
    except DomainError:
        return None
    return value if value > 0 else None


# --------------------------------------------------------------------------- the file

def check_file(data: bytes) -> None:
    """Refuse at once a file too large or empty (before it is read or kept)."""
    if len(data) > MAX_FILE_BYTES:
        raise DomainError("roster.too_large", max_mb=MAX_FILE_BYTES // (1024 * 1024))
    if not data.strip():
        raise DomainError("roster.empty_file")


def read_roster_file(data: bytes, pause: Callable[[], None] = lambda: None) -> RosterFile:
    """The lines of an uploaded file, or a DomainError saying why it cannot be read."""
    check_file(data)
    if data.startswith(b"PK\x03\x04"):
        return _read_workbook(data, pause)
    text, source_format = _decode(data)
    pause()
    return RosterFile(source_format, list(_csv_lines(text, pause)))


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise DomainError("roster.encoding") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # GB18030 is a superset of GBK and GB2312
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise DomainError("roster.encoding") from None


def _csv_lines(text: str, pause) -> Iterator[tuple[int, list[str]]]:
    if "\x00" in text:
        raise DomainError("roster.encoding")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            if number % PAUSE_EVERY == 0:
                pause()
            yield reader.line_num, cells
    except csv.Error:
        raise DomainError("roster.not_a_table") from None


def _read_workbook(data: bytes, pause) -> RosterFile:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_WORKBOOK_BYTES:
                raise DomainError("roster.too_large_unpacked",
                                  max_mb=MAX_WORKBOOK_BYTES // (1024 * 1024))
    except zipfile.BadZipFile:
        raise DomainError("roster.not_a_table") from None
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any reason a workbook cannot be opened is the same to staff
        raise DomainError("roster.not_a_table") from None
    try:
        sheet = book.worksheets[0]
        out = RosterFile("xlsx")
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number % PAUSE_EVERY == 0:
                pause()
            if number > MAX_ROWS + 1:
                raise DomainError("roster.too_many_rows", max=MAX_ROWS)
            out.lines.append((number, [_cell_text(v) for v in values]))
        return out
    finally:
        book.close()


def _cell_text(value) -> str:
    """A workbook cell as the text staff see: numbers through their shortest decimal form
    (89.76 stays "89.76"; 90.0 becomes "90")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# --------------------------------------------------------------------------- the lines

def _columns(header: list[str]) -> dict[str, int] | None:
    """Column name → index, or None when a required column is missing."""
    wanted = {alias.replace(" ", "").lower(): name
              for name, aliases in HEADER_NAMES.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = wanted.get(cell.strip().replace(" ", "").lower())
        if name is not None and name not in columns:
            columns[name] = index
    return columns if all(name in columns for name in REQUIRED) else None


def parse_roster_lines(lines: Iterable[tuple[int, list[str]]],
                       pause: Callable[[], None] = lambda: None
                       ) -> tuple[list[RosterLine], list[LineError]]:
    """Every row, or every bad line with its number and reason. A header error stops early."""
    lines = iter(lines)
    rows: list[RosterLine] = []
    errors: list[LineError] = []
    first = next(lines, None)
    columns = _columns(first[1]) if first is not None else None
    if columns is None:
        return [], [LineError(1, "header", {"expected": ",".join(HEADER)})]
    first_line_of_unit: dict[str, int] = {}
    name_of_key: dict[str, tuple[str, int]] = {}
    width = max(columns.values()) + 1
    count = 0
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count % PAUSE_EVERY == 0:
            pause()
        if count > MAX_ROWS:
            raise DomainError("roster.too_many_rows", max=MAX_ROWS)
        if len(cells) < width:
            errors.append(LineError(line, "columns", {"count": len(cells)}))
            continue
        values = {name: cells[index].strip() for name, index in columns.items()}
        unit, area_text, owner, owner_key = (values[name] for name in REQUIRED)
        note = values.get("note", "")
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
            first_name, first_at = name_of_key[owner_key]
            errors.append(LineError(line, "owner_key_name", {"key": owner_key, "first": first_at,
                                                             "first_name": first_name,
                                                             "name": owner}))
            continue
        name_of_key.setdefault(owner_key, (owner, line))
        rows.append(RosterLine(line, unit, parse_area(area_text), owner, owner_key, note))
    if not rows and not errors:
        errors.append(LineError(2, "empty", {}))
    return rows, errors


def parse_roster_csv(text: str) -> tuple[list[RosterLine], list[LineError]]:
    """A roster given as CSV text (the demo's file, tests)."""
    return parse_roster_lines(_csv_lines(text.removeprefix("\ufeff"), lambda: None))


def _check_line(unit, area_text, owner, owner_key, note) -> tuple[str, dict] | None:
    if not unit:
        return "unit_missing", {}
    if parse_area(area_text) is None:
        return "area", {"value": area_text[:40]}
    if not owner:
        return "owner_missing", {}
    if not owner_key:
        return "owner_key_missing", {}
    for name, value in (("unit", unit), ("owner", owner), ("owner_key", owner_key),
                        ("note", note)):
        if len(value) > LIMITS[name]:
            return "too_long", {"field": name}
        if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
            return "control_chars", {"field": name}
    return None


def summarise(rows) -> RosterSummary:
    """Units, owners (one owner with several units counts once: by owner key) and exact area.
    Accepts anything with `owner_key` and `area_hundredths` attributes."""
    rows = list(rows)
    return RosterSummary(units=len(rows), owners=len({row.owner_key for row in rows}),
                         area_hundredths=sum(row.area_hundredths for row in rows))


# --------------------------------------------------------------------------- versions

@dataclass(frozen=True)
class UnitChange:
    unit: str
    before: tuple  # (area_hundredths, owner_name, owner_key, note)
    after: tuple


@dataclass(frozen=True)
class RosterDiff:
    added: tuple  # rows of the newer version only
    removed: tuple  # rows of the older version only
    changed: tuple[UnitChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _facts(row) -> tuple:
    return (row.area_hundredths, row.owner_name, row.owner_key, row.note)


def diff_rosters(older, newer, pause: Callable[[], None] = lambda: None) -> RosterDiff:
    """What changed between two versions, unit by unit (rows: anything with the attributes
    of RosterLine), in the newer file's order and then the older one's."""
    old, new = {}, {}
    for target, rows in ((old, older), (new, newer)):
        for count, row in enumerate(rows, start=1):
            target[row.unit] = row
            if count % PAUSE_EVERY == 0:
                pause()
    added, changed = [], []
    for count, (unit, row) in enumerate(new.items(), start=1):
        if unit not in old:
            added.append(row)
        elif _facts(old[unit]) != _facts(row):
            changed.append(UnitChange(unit, _facts(old[unit]), _facts(row)))
        if count % PAUSE_EVERY == 0:
            pause()
    removed = []
    for count, (unit, row) in enumerate(old.items(), start=1):
        if unit not in new:
            removed.append(row)
        if count % PAUSE_EVERY == 0:
            pause()
    return RosterDiff(added=tuple(added), removed=tuple(removed), changed=tuple(changed))
