"""Validation of every command payload and form (DESIGN.md principle 8).

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
    kind: str  # "str", "text", "int", "bool", "date", "datetime", "id_list"
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
        if value is _MISSING or value is None or (field.kind in ("str", "date", "datetime")
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
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
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
    else:  # pragma: no cover - a schema bug, not user input
        raise ValueError(kind)
    if field.choices is not None and value not in field.choices:
        raise DomainError("validation.choice", field=name)
    return value
