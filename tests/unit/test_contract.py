"""The contract declared once (contract.py, actions/core.command): every command says which
events it writes, every event type what its data holds, and the protocol's tables and the
OpenAPI components are generated from those declarations and kept current."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from facilitator import contract_docs
from facilitator.actions import core
from facilitator.cli import cli
from facilitator.contract import ContractBroken, Datum, check_outcome, event_registry, is_public


def test_the_protocol_and_the_openapi_document_say_what_the_code_declares():
    stale = contract_docs.stale_files()
    assert stale == [], f"not current: {stale}; run `facilitator contract --write`"


def test_every_command_writes_declared_events_and_every_event_type_has_a_writer():
    written = {event for spec in core.registry.values() for event in spec.events}
    assert all(spec.events for spec in core.registry.values())
    assert written == set(event_registry)


def test_the_generated_tables_name_every_command_and_event_type_once():
    protocol = contract_docs.PROTOCOL.read_text(encoding="utf-8")
    commands = protocol.split("<!-- generated: commands")[1].split("<!-- end generated")[0]
    events = protocol.split("<!-- generated: events")[1].split("<!-- end generated")[0]
    for name in core.registry:
        assert commands.count(f"\n| `{name}` | ") == 1, name
    for event_type in event_registry:
        assert events.count(f"\n| `{event_type}` | ") == 1, event_type
    # the speaker queue, once missing from the tables
    assert "| `hand.raise` | phone | live |" in commands
    assert "| `floor.given` |" in events


def test_the_openapi_document_lists_every_event_type_and_command_with_its_schemas():
    document = json.loads(contract_docs.OPENAPI.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    assert schemas["Event"]["properties"]["type"] == {"$ref": "#/components/schemas/EventType"}
    assert set(schemas["EventType"]["enum"]) == set(event_registry)
    by_type = {s["title"]: s["properties"]["data"] for s in schemas["EventData"]["oneOf"]}
    assert by_type["agenda.item_started"]["required"] == ["item_id", "title", "how",
                                                          "previous_id"]
    assert by_type["agenda.item_started"]["properties"]["how"]["enum"] == [
        "start", "next", "previous"]
    payloads = {s["title"]: s["properties"]["payload"]
                for s in schemas["CommandPayload"]["oneOf"]}
    assert set(payloads) == set(core.registry)
    assert payloads["agenda.add"]["required"] == ["title", "minutes"]
    assert payloads["agenda.add"]["additionalProperties"] is False


def test_only_the_events_declared_public_reach_phones_with_their_data():
    public = {t for t in event_registry if is_public(t)}
    assert public == {"agenda.item_started", "agenda.finished", "meeting.opened",
                      "meeting.ended", "minutes.finalised", "minutes.corrected",
                      "minutes.signatures_requested", "notice.signatures_requested"}
    assert not is_public("no.such_event")


def _check(event_type="agenda.item_removed", data=None, result=None, events=None):
    check_outcome("agenda.remove", events or ("agenda.item_removed",), ("item_id",),
                  event_type, {"item_id": 3, "title": "议程"} if data is None else data,
                  result or {})


def test_an_outcome_as_declared_passes():
    _check()
    _check(result={"item_id": 3})
    check_outcome("vote.close", ("vote.closed",), ("vote_id", "passed"), "vote.closed",
                  {"vote_id": 1, "title": "t", "kind": "straw_poll", "by_countdown": False,
                   "result": {}}, {"vote_id": 1, "passed": True})  # ballots: not always


@pytest.mark.parametrize("broken", [
    {"event_type": "agenda.item_added"},                            # not what it declares
    {"data": {"item_id": 3}},                                       # a key missing
    {"data": {"item_id": 3, "title": "议程", "extra": 1}},           # a key undeclared
    {"data": {"item_id": "3", "title": "议程"}},                     # the wrong kind
    {"data": {"item_id": 0, "title": "议程"}},                       # not an id
    {"data": {"item_id": 2**31, "title": "议程"}},                   # beyond any id
    {"data": {"item_id": True, "title": "议程"}},                    # a bool is no number
    {"data": {"item_id": 3, "title": None}},                        # null where not allowed
    {"result": {"item_id": 3, "token": "secret"}},                  # a result key undeclared
])
def test_an_outcome_other_than_declared_is_caught(broken):
    with pytest.raises(ContractBroken):
        _check(**broken)


def test_a_datum_takes_its_choices_and_null_only_when_declared():
    how = Datum("str", choices=("start", "next"))
    assert how.accepts("next") and not how.accepts("sideways") and not how.accepts(None)
    assert Datum("id", null=True).accepts(None)
    assert Datum("int").accepts(1_796_452_200_000)  # milliseconds since 1970
    assert Datum("strs").accepts(["a"]) and not Datum("strs").accepts(["a", 1])
    with pytest.raises(ValueError):
        Datum("float")


def test_the_contract_command_checks_and_rewrites_the_generated_parts(tmp_path, monkeypatch):
    protocol = tmp_path / "protocol.md"
    openapi = tmp_path / "openapi.json"
    protocol.write_text(contract_docs.PROTOCOL.read_text(encoding="utf-8").replace(
        "| `hand.raise` |", "| `hand.raised_by_hand` |"), encoding="utf-8")
    openapi.write_text(contract_docs.OPENAPI.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(contract_docs, "PROTOCOL", protocol)
    monkeypatch.setattr(contract_docs, "OPENAPI", openapi)
    checked = CliRunner().invoke(cli, ["contract"])
    assert checked.exit_code == 1 and "not current" in checked.output
    assert CliRunner().invoke(cli, ["contract", "--write"]).exit_code == 0
    assert "| `hand.raise` |" in protocol.read_text(encoding="utf-8")
    checked = CliRunner().invoke(cli, ["contract"])
    assert checked.exit_code == 0, checked.output
