"""The parts of docs/protocol.md and the OpenAPI document that come from the declarations
(contract.py, actions/core.command): the command table, the event table and the OpenAPI
components for events and commands. `facilitator contract --write` rewrites them;
`--check` (and tests/unit/test_contract.py) fails when a file is not current."""
from __future__ import annotations

import json
import re
from pathlib import Path

from .actions import core
from .contract import Datum, event_registry, payload_json_schema
from .domain.statuses import ANY_MEETING_STATUS
from .validation import MAX_INT, MIN_INT, Field

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = ROOT / "docs" / "protocol.md"
OPENAPI = Path(__file__).resolve().parent / "web" / "openapi.json"


def _roles(roles: frozenset) -> str:
    names = [name for name, members in core.ROLE_SETS.items() if members <= roles]
    # A set named by a larger one is not named again (chair already holds moderator).
    names = [n for n in names if not any(core.ROLE_SETS[n] < core.ROLE_SETS[m] for m in names)]
    return ", ".join(names)


def _states(states: tuple) -> str:
    return "any" if tuple(states) == ANY_MEETING_STATUS else ", ".join(states)


def _field_text(name: str, spec: Field) -> str:
    kind = spec.kind
    if spec.choices is not None and kind in ("str", "int"):
        text = "one of " + ", ".join(f"`{c}`" for c in spec.choices)
    elif kind == "int":
        low, high = spec.min, spec.max
        if low == 1 and high is None:
            text = "id"
        elif low is not None and high is not None:
            text = f"int {low}–{high}"
        elif low is not None:
            text = f"int ≥{low}"
        elif high is not None:
            text = f"int ≤{high}"
        else:
            text = "int"
    elif kind in ("str", "text"):
        text = f"{kind} ≤{spec.max_len}"
    elif kind == "id_list":
        text = f"id list ≤{spec.max_len}"
    elif kind == "str_list":
        text = f"str list ≤{spec.max_len}"
        if spec.choices is not None:
            text += " of " + ", ".join(f"`{c}`" for c in spec.choices)
    elif kind == "money_map":
        text = "money map"
        if spec.choices is not None:
            text += " (keys " + ", ".join(f"`{c}`" for c in spec.choices) + ")"
    else:
        text = kind
    if not spec.required:
        default = spec.default
        text += ", optional" + ("" if default in (None, "", [], {}) else
                               f" (default `{json.dumps(default, ensure_ascii=False)}`)")
    return f"`{name}` {text}"


def _payload_text(schema: dict[str, Field]) -> str:
    return "; ".join(_field_text(n, f) for n, f in schema.items()) or "none"


def _datum_text(name: str, datum: Datum) -> str:
    text = ("`" + "` \\| `".join(map(str, datum.choices)) + "`" if datum.choices is not None
            else datum.kind)
    if datum.null:
        text += " or null"
    if datum.optional:
        text += ", not always"
    if datum.doc:
        text += f" ({datum.doc})"
    return f"`{name}` {text}"


def command_table() -> str:
    lines = ["| Command | Roles | Meeting status | Payload | Result keys | Events |",
             "|---|---|---|---|---|---|"]
    for name in sorted(core.registry):
        spec = core.registry[name]
        result = ", ".join(f"`{k}`" for k in spec.result) or "none"
        events = ", ".join(f"`{e}`" for e in spec.events)
        lines.append(f"| `{name}` | {_roles(spec.roles)} | {_states(spec.states)} | "
                     f"{_payload_text(spec.schema)} | {result} | {events} |")
    return "\n".join(lines)


def event_table() -> str:
    written_by: dict[str, list[str]] = {}
    for name, spec in core.registry.items():
        for event_type in spec.events:
            written_by.setdefault(event_type, []).append(name)
    lines = ["| Type | `data` | Public | Written by |", "|---|---|---|---|"]
    for event_type in sorted(event_registry):
        spec = event_registry[event_type]
        data = "; ".join(_datum_text(k, d) for k, d in spec.data.items()) or "none"
        if spec.doc:
            data += f". {spec.doc}"
        by = ", ".join(f"`{c}`" for c in sorted(written_by.get(event_type, [])))
        lines.append(f"| `{event_type}` | {data} | {'yes' if spec.public else ''} | {by} |")
    return "\n".join(lines)


def _marked(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- generated: {name} [^>]*-->\n)(?:.*?\n)?(<!-- end generated: {name} -->)",
                      re.S)


def protocol_text(current: str) -> str:
    """protocol.md with its generated tables current."""
    for name, table in (("commands", command_table()), ("events", event_table())):
        pattern = _marked(name)
        if not pattern.search(current):
            raise ValueError(f"docs/protocol.md has no generated block {name!r}")
        current = pattern.sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(2), current)
    return current


def openapi_components() -> dict:
    """The generated schemas: every event type's record data, every command's payload."""
    event_data = {
        event_type: {"type": "object", "additionalProperties": False,
                     "required": [k for k, d in spec.data.items() if not d.optional],
                     "properties": {k: d.json_schema() for k, d in spec.data.items()},
                     **({"description": spec.doc} if spec.doc else {})}
        for event_type, spec in sorted(event_registry.items())}
    return {
        "EventType": {"type": "string", "enum": sorted(event_registry)},
        "EventData": {
            "description": "An event's `data` by its `type` (docs/protocol.md §9).",
            "oneOf": [{"type": "object", "title": t, "required": ["type", "data"],
                       "properties": {"type": {"const": t}, "data": schema}}
                      for t, schema in event_data.items()]},
        "CommandName": {"type": "string", "enum": sorted(core.registry)},
        "CommandPayload": {
            "description": "A command's `payload` by its `name` (docs/protocol.md §8).",
            "oneOf": [{"type": "object", "title": name, "required": ["name"],
                       "properties": {"name": {"const": name},
                                      "payload": payload_json_schema(spec.schema)}}
                      for name, spec in sorted(core.registry.items())]},
        "Integer32": {"type": "integer", "minimum": MIN_INT, "maximum": MAX_INT},
    }


def openapi_document(current: dict) -> dict:
    document = json.loads(json.dumps(current))
    schemas = document["components"]["schemas"]
    schemas.update(openapi_components())
    schemas["Event"]["properties"]["type"] = {"$ref": "#/components/schemas/EventType"}
    return document


def openapi_text(current_text: str) -> str:
    return json.dumps(openapi_document(json.loads(current_text)), ensure_ascii=False,
                      indent=2) + "\n"


def stale_files() -> list[Path]:
    """The generated files that are not current."""
    stale = []
    for path, render in ((PROTOCOL, protocol_text), (OPENAPI, openapi_text)):
        text = path.read_text(encoding="utf-8")
        if render(text) != text:
            stale.append(path)
    return stale


def write_files() -> list[Path]:
    written = []
    for path, render in ((PROTOCOL, protocol_text), (OPENAPI, openapi_text)):
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            written.append(path)
    return written
