"""Validation of every command payload and form, before any handler runs (docs/architecture.md
§8).

A schema is a dict of field name → Field. `validate` returns a clean dict or raises a
DomainError naming the first bad field; nothing is changed before validation passes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .errors import DomainError

_MISSING = object()


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
        raise DomainError("validation.unknown_field", field=unknown[0])
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
        value = value.strip() if kind == "str" else value.replace("\r\n", "\n")
        if kind == "str" and any(ord(c) < 32 for c in value):
            raise DomainError("validation.control_chars", field=name)
        if len(value) > field.max_len:
            raise DomainError("validation.too_long", field=name, max=field.max_len)
        if len(value) < field.min_len:
            raise DomainError("validation.required", field=name)
    elif kind == "int":
        if isinstance(value, bool):
            raise DomainError("validation.type", field=name)
        if isinstance(value, str) and value.strip().lstrip("-").isascii() \
                and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int):
            raise DomainError("validation.type", field=name)
        if (field.min is not None and value < field.min) or (field.max is not None and value > field.max):
            raise DomainError("validation.range", field=name, min=field.min, max=field.max)
    elif kind == "bool":
        if isinstance(value, str) and value in ("1", "true", "on", "0", "false", "off"):
            value = value in ("1", "true", "on")
        if not isinstance(value, bool):
            raise DomainError("validation.type", field=name)
    elif kind == "date":
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError("validation.date", field=name) from None
    elif kind == "datetime":
        try:
            value = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError("validation.datetime", field=name) from None
    elif kind == "id_list":
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                  for v in value):
            raise DomainError("validation.type", field=name)
        if len(value) > field.max_len:
            raise DomainError("validation.too_long", field=name, max=field.max_len)
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
        if not item or len(item) > 60 or any(ord(c) < 32 for c in item):
            raise DomainError("validation.item", field=name)
        if field.choices is not None and item not in field.choices:
            raise DomainError("validation.choice", field=name)
    return items
