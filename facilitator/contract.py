"""The live protocol's contract, declared once: each event type with the record data it
carries, and the shapes of what commands accept (validation.Field) as JSON Schema.

Commands are declared where they are handled (actions/core.command: name, roles, meeting
states, payload schema, the events it produces, its result's keys); event types here are
declared beside them (`event(...)`). From these declarations come the payload validation,
the redaction of record data for phones and the projector (`EventSpec.public`), the
command and event tables of docs/protocol.md and the OpenAPI components (`facilitator
contract --write` regenerates both; a test fails when they are not current). While the
tests run, every event a command writes is checked against its declaration
(`check_outcome`), so a declaration that no longer says what happens fails the suite.
"""
from __future__ import annotations

from dataclasses import dataclass

from .validation import MAX_ID, MAX_INT, MIN_INT, Field

# The kinds of value an event's data holds, as JSON Schema.
_DATUM_SCHEMAS = {
    "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "int": {"type": "integer"},
    "str": {"type": "string"},
    "bool": {"type": "boolean"},
    "money": {"type": "string", "pattern": "^-?[0-9]{1,15}(\\.[0-9]{1,2})?$",
              "description": "CNY, exact, as a decimal string"},
    "ids": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
    "strs": {"type": "array", "items": {"type": "string"}},
    "list": {"type": "array"},
    "object": {"type": "object"},
}


@dataclass(frozen=True)
class Datum:
    """One key of an event's record data: its kind, whether it may be null, whether it may
    be left out (only some events of the type have it), the values it takes."""
    kind: str
    null: bool = False
    optional: bool = False
    choices: tuple | None = None
    doc: str = ""

    def __post_init__(self):
        if self.kind not in _DATUM_SCHEMAS:
            raise ValueError(f"unknown datum kind {self.kind!r}")

    def json_schema(self) -> dict:
        schema = dict(_DATUM_SCHEMAS[self.kind])
        if self.choices is not None:
            schema["enum"] = list(self.choices)
        if self.null:
            schema = {"anyOf": [schema, {"type": "null"}]}
        if self.doc:
            schema["description"] = self.doc
        return schema

    def accepts(self, value) -> bool:
        if value is None:
            return self.null
        if self.choices is not None and value not in self.choices:
            return False
        kind = self.kind
        if kind in ("id", "int"):  # an int may be beyond 32 bits (milliseconds since 1970)
            return (isinstance(value, int) and not isinstance(value, bool)
                    and (kind == "int" or 1 <= value <= MAX_ID))
        if kind in ("str", "money"):
            return isinstance(value, str)
        if kind == "bool":
            return isinstance(value, bool)
        if kind in ("ids", "strs", "list"):
            item = {"ids": Datum("id"), "strs": Datum("str")}.get(kind)
            return isinstance(value, list) and (item is None or all(map(item.accepts, value)))
        return isinstance(value, dict)


@dataclass(frozen=True)
class EventSpec:
    type: str
    data: dict[str, Datum]
    # Phones and the projector receive the record data of a public event (a batch's
    # `events`); of the others they get only the changes, redacted per role.
    public: bool = False
    doc: str = ""


event_registry: dict[str, EventSpec] = {}


def event(type: str, *, data: dict[str, Datum], public: bool = False, doc: str = "") -> str:
    """Declare an event type; returns its name, for the handlers' Outcome."""
    if type in event_registry:
        raise ValueError(f"event type {type!r} declared twice")
    event_registry[type] = EventSpec(type, data, public, doc)
    return type


def is_public(event_type: str) -> bool:
    spec = event_registry.get(event_type)
    return spec is not None and spec.public


class ContractBroken(AssertionError):
    """A command did something its declaration does not say (a programming error)."""


def check_outcome(command: str, events: tuple, result_keys: tuple, event_type: str,
                  data: dict, result: dict) -> None:
    """That a command's event and result are what the declarations say."""
    if event_type not in events:
        raise ContractBroken(f"{command} produced {event_type}, declared {events}")
    spec = event_registry[event_type]
    missing = [k for k, d in spec.data.items() if not d.optional and k not in data]
    unknown = [k for k in data if k not in spec.data]
    wrong = [k for k, v in data.items() if k in spec.data and not spec.data[k].accepts(v)]
    if missing or unknown or wrong:
        raise ContractBroken(f"{event_type} from {command}: missing {missing}, undeclared "
                             f"{unknown}, wrong kind {[(k, data[k]) for k in wrong]}")
    extra = sorted(set(result) - set(result_keys))
    if extra:
        raise ContractBroken(f"{command}: result keys {extra} not declared {result_keys}")


_MONEY_TEXT = {"type": "string", "pattern": "^[0-9,]{1,20}(\\.[0-9]{1,2})?$"}


def field_json_schema(spec: Field) -> dict:
    """A command payload field (validation.Field) as JSON Schema: what it accepts."""
    low = MIN_INT if spec.min is None else spec.min
    high = MAX_INT if spec.max is None else spec.max
    by_kind = {
        "str": {"type": "string", "maxLength": spec.max_len},
        "text": {"type": "string", "maxLength": spec.max_len},
        "int": {"anyOf": [{"type": "integer", "minimum": low, "maximum": high},
                          {"type": "string", "pattern": "^\\s*-?[0-9]{1,30}\\s*$"}]},
        "bool": {"anyOf": [{"type": "boolean"},
                           {"enum": ["1", "true", "on", "0", "false", "off"]}]},
        "date": {"type": "string", "format": "date"},
        "datetime": {"type": "string", "format": "date-time"},
        "id_list": {"type": "array", "maxItems": spec.max_len,
                    "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
        "str_list": {"type": "array", "maxItems": spec.max_len,
                     "items": {"type": "string", "maxLength": 60}},
        "money": {"anyOf": [_MONEY_TEXT, {"type": "integer", "minimum": 0}]},
        "money_map": {"type": "object", "maxProperties": spec.max_len,
                      "additionalProperties": {"anyOf": [_MONEY_TEXT,
                                                         {"type": "integer", "minimum": 0}]}},
        "object": {"type": "object", "maxProperties": spec.max_len},
    }
    schema = by_kind[spec.kind]
    if spec.choices is not None:
        if spec.kind == "str_list":
            schema = {**schema, "items": {"enum": list(spec.choices)}}
        elif spec.kind == "money_map":
            schema = {**schema, "propertyNames": {"enum": list(spec.choices)}}
        else:
            schema = {"enum": list(spec.choices)}
    return schema


def payload_json_schema(fields: dict[str, Field]) -> dict:
    """A command's payload as one JSON Schema object (null or {} when it takes none)."""
    return {"type": "object", "additionalProperties": False,
            "required": [n for n, f in fields.items() if f.required],
            "properties": {n: field_json_schema(f) for n, f in fields.items()}}
