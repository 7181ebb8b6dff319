"""Validation of every input, before any handler runs (docs/architecture.md §8): command
payloads, forms, API bodies, the socket handshake, numbers in URLs and query strings
(docs/protocol.md §8, "Field types"; docs/api.md).

A schema is a dict of field name → Field. `validate` returns a clean dict or raises a
DomainError naming the first bad field; nothing is changed before validation passes.
The rules every field shares:

* Numbers are exact and bounded: integers only (no floats, no booleans), between the
  field's bounds and never beyond what an INTEGER column holds on PostgreSQL (32 bits: every
  id, count and sequence number is one), so no number reaches the database that it cannot
  hold. An id is 1 .. MAX_ID.
* Text is NFC-normalised. A single-line field ("str", "str_list" items) refuses control
  characters (C0, DEL, C1), lone surrogates and the non-characters U+FFFE/U+FFFF; free text
  ("text") keeps tabs and newlines, drops the other control characters and turns a lone
  surrogate into U+FFFD (a clerk's pasted notes are kept rather than refused for an
  invisible character).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from werkzeug.routing import IntegerConverter

from .errors import DomainError

_MISSING = object()

# An INTEGER column on PostgreSQL (SQLite's hold 64 bits): ids, counts, sequence numbers.
MAX_INT = 2**31 - 1
MIN_INT = -(2**31)
MAX_ID = MAX_INT

# What no text field accepts: control characters (C0, DEL, C1), lone surrogates (not
# encodable as UTF-8: the database and every file format refuse them) and U+FFFE/U+FFFF
# (not allowed in XML, hence in a DOCX).
_NOT_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Free text keeps its tabs and newlines.
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_DIGITS = re.compile("-?[0-9]{1,30}")  # beyond any column, short enough for int()


def has_forbidden_chars(text: str) -> bool:
    """Whether a single-line value holds a character no field accepts."""
    return _NOT_IN_LINE.search(text) is not None


def has_unstorable_chars(text: str) -> bool:
    """Whether a value holds what no column can store and no format render (a NUL, a lone
    surrogate), whatever the field."""
    return "\x00" in text or _SURROGATE.search(text) is not None


def printable_text(text: str) -> str:
    """Free text as it is kept (and as the minutes and exports render any text, including
    what was stored before these checks): tabs and newlines kept, other control characters
    dropped, lone surrogates → U+FFFD. Never refuses."""
    if _NOT_IN_TEXT.search(text) is not None:
        text = _NOT_IN_TEXT.sub("", text)
    if _SURROGATE.search(text) is not None:
        text = _SURROGATE.sub("\ufffd", text)
    return text


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def whole_number(text, low: int, high: int) -> int | None:
    """A number typed in a URL's query or a form ("12"), or None when it is not an integer
    between low and high (ASCII digits only: int() would also take "١٢", " 12" or "1_2",
    and a 5,000-digit string costs it a ValueError)."""
    if not isinstance(text, str) or _DIGITS.fullmatch(text) is None:
        return None
    value = int(text)
    return value if low <= value <= high else None


def is_token(value, low: int, high: int) -> bool:
    """Whether a value may be a token, key or command id the app or its clients make:
    printable ASCII of low .. high characters (a NUL or a lone surrogate would otherwise
    reach the database, or a hash of it, and fail there)."""
    return isinstance(value, str) and low <= len(value) <= high and value.isascii() \
        and value.isprintable()


def is_id(value) -> bool:
    """Whether a decoded JSON value is an id that may exist (an int 1 .. MAX_ID)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


@dataclass(frozen=True)
class Field:
    kind: str  # "str", "text", "int", "bool", "date", "datetime", "id_list", "str_list",
    #            "money", "money_map", "object"
    required: bool = True
    max_len: int = 200
    min_len: int = 1
    choices: tuple | None = None
    min: int | None = None
    max: int | None = None
    default: object = _MISSING


def optional(kind: str, **options) -> Field:
    return Field(kind, required=False, default=options.pop("default", None), **options)


def validate(schema: dict[str, Field], payload) -> dict:
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise DomainError("validation.not_an_object")
    unknown = sorted(set(payload) - set(schema))
    if unknown:
        raise DomainError("validation.unknown_field", field=printable_text(str(unknown[0]))[:60])
    clean = {}
    for name, field in schema.items():
        value = payload.get(name, _MISSING)
        if value is _MISSING or value is None or (field.kind in ("str", "text", "date", "datetime")
                                                  and isinstance(value, str) and not value.strip()):
            if field.required:
                raise DomainError("validation.required", field=name)
            if field.default is not _MISSING:
                clean[name] = field.default
            continue
        clean[name] = _coerce(name, field, value)
    return clean


def _coerce(name: str, field: Field, value):
    kind = field.kind
    if kind in ("str", "text"):
        if not isinstance(value, str):
            raise DomainError("validation.type", field=name)
        if kind == "str":
            value = value.strip()
            if has_forbidden_chars(value):
                raise DomainError("validation.control_chars", field=name)
        else:
            value = printable_text(value.replace("\r\n", "\n").replace("\r", "\n"))
        value = _nfc(value)
        if len(value) > field.max_len:
            raise DomainError("validation.too_long", field=name, max=field.max_len)
        if len(value) < field.min_len:
            raise DomainError("validation.required", field=name)
    elif kind == "int":
        if isinstance(value, bool):
            raise DomainError("validation.type", field=name)
        if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):  # a form's "12"
            value = int(value.strip())
        if not isinstance(value, int):  # floats too: 1.0, 1e30 and NaN are not integers
            raise DomainError("validation.type", field=name)
        low = MIN_INT if field.min is None else field.min
        high = MAX_INT if field.max is None else field.max
        if not low <= value <= high:
            raise DomainError("validation.range", field=name, min=low, max=high)
    elif kind == "bool":
        if isinstance(value, str) and value in ("1", "true", "on", "0", "false", "off"):
            value = value in ("1", "true", "on")
        if not isinstance(value, bool):
            raise DomainError("validation.type", field=name)
    elif kind == "date":
        # Text only: Python reads the number 20261213 as a date too.
        try:
            value = date.fromisoformat(value.strip() if isinstance(value, str) else "")
        except ValueError:
            raise DomainError("validation.date", field=name) from None
    elif kind == "datetime":
        try:
            value = datetime.fromisoformat(value.strip() if isinstance(value, str) else "")
        except ValueError:
            raise DomainError("validation.datetime", field=name) from None
    elif kind == "id_list":
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                  for v in value):
            raise DomainError("validation.type", field=name)
        if len(value) > field.max_len:
            raise DomainError("validation.too_long", field=name, max=field.max_len)
        if not all(is_id(v) for v in value):
            raise DomainError("validation.range", field=name, min=1, max=MAX_ID)
    elif kind == "str_list":  # max_len: how many items; each a short single-line string
        return _str_list(name, field, value)
    elif kind == "money":  # CNY as "232900" or "232900.50" (or a whole number) → fen
        return _money(name, value)
    elif kind == "money_map":  # {choice: money} → {choice: fen}, zero amounts dropped
        if not isinstance(value, dict):
            raise DomainError("validation.type", field=name)
        if len(value) > field.max_len:
            raise DomainError("validation.too_long", field=name, max=field.max_len)
        clean = {}
        for key, amount in value.items():
            if field.choices is not None and key not in field.choices:
                raise DomainError("validation.choice", field=name)
            fen = _money(name, amount)
            if fen:
                clean[key] = fen
        return clean
    elif kind == "object":  # a small JSON object, checked by the command itself
        if not isinstance(value, dict):
            raise DomainError("validation.type", field=name)
        if len(value) > field.max_len:
            raise DomainError("validation.too_long", field=name, max=field.max_len)
    else:  # pragma: no cover - a schema bug, not user input
        raise ValueError(kind)
    if field.choices is not None and value not in field.choices:
        raise DomainError("validation.choice", field=name)
    return value


_MAX_FEN = 10**14  # a trillion CNY: more than any repair


def _money(name: str, value) -> int:
    """An amount of CNY → fen, exactly: never through a float."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise DomainError("validation.money", field=name)
    from .domain.voting import parse_yuan
    try:
        fen = parse_yuan(value.replace(",", ""))
    except DomainError:
        raise DomainError("validation.money", field=name) from None
    if fen > _MAX_FEN:
        raise DomainError("validation.money", field=name)
    return fen


def _str_list(name: str, field: Field, value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DomainError("validation.type", field=name)
    if len(value) > field.max_len:
        raise DomainError("validation.too_long", field=name, max=field.max_len)
    if len(value) < field.min_len:
        raise DomainError("validation.required", field=name)
    items = [v.strip() for v in value]
    for item in items:
        if not item or has_forbidden_chars(item):
            raise DomainError("validation.item", field=name)
    items = [_nfc(item) for item in items]
    for item in items:
        if len(item) > 60:
            raise DomainError("validation.item", field=name)
        if field.choices is not None and item not in field.choices:
            raise DomainError("validation.choice", field=name)
    return items


# 1 .. 2147483647 (MAX_ID), no leading zero, digit by digit.
_ID_PATTERN = ("(?:[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
               "|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
               "|21474836[0-3][0-9]|214748364[0-7])")
assert MAX_ID == 2147483647, "_ID_PATTERN spells MAX_ID out"


class IdConverter(IntegerConverter):
    """`<int:...>` in every route (registered app-wide under the name "int", so no route
    can miss it): an id, 1 .. MAX_ID in ASCII digits. Anything else matches no route: 404,
    never a number the database cannot hold (a 500). The range is in the pattern itself:
    the router tells 405 from 404 by the pattern alone, so an id the pattern took but the
    range refused got a 405 naming another route's methods."""
    regex = _ID_PATTERN

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID,
                 signed: bool = False):
        super().__init__(map, fixed_digits, min, max, signed)
