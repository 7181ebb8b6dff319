"""Validation, redaction per role, the client reducer and the message catalog."""
import ast
from pathlib import Path

import pytest

from facilitator.domain.live_state import apply_event
from facilitator.errors import DomainError
from facilitator.live.redaction import (redact_changes, redact_event, redact_snapshot,
                                        redact_value, self_view)
from facilitator.catalogue import has_message
from facilitator.validation import Field, optional, validate

PACKAGE = Path(__file__).resolve().parents[2] / "facilitator"


def code_of(schema, payload):
    with pytest.raises(DomainError) as refused:
        validate(schema, payload)
    return refused.value.code


def test_validation_cleans_and_refuses_field_by_field():
    schema = {"title": Field("str", max_len=5), "minutes": Field("int", min=1, max=9),
              "on": optional("bool", default=False)}
    assert validate(schema, {"title": " abc ", "minutes": "3"}) == {"title": "abc", "minutes": 3,
                                                                    "on": False}
    assert code_of(schema, {"minutes": 3}) == "validation.required"
    assert code_of(schema, {"title": "   ", "minutes": 3}) == "validation.required"
    assert code_of(schema, {"title": "abcdef", "minutes": 3}) == "validation.too_long"
    assert code_of(schema, {"title": "a", "minutes": 10}) == "validation.range"
    assert code_of(schema, {"title": "a", "minutes": 2.5}) == "validation.type"
    assert code_of(schema, {"title": "a", "minutes": True}) == "validation.type"
    assert code_of(schema, {"title": "a", "minutes": 1, "x": 1}) == "validation.unknown_field"
    assert code_of(schema, {"title": "a\nb", "minutes": 1}) == "validation.control_chars"
    assert code_of(schema, None) == "validation.required"
    assert code_of(schema, "text") == "validation.not_an_object"


PERSON = {"id": 7, "name": "张建国", "party": "owner", "unit": "3-1-101", "owner_key": "P01",
          "status": "lobby", "has_phone": True, "joined_at": 1, "admitted_at": None,
          "registered_owner": "张建国", "verified_via": "desk", "verified_at": 2,
          "verified_by": "许静", "verification_note": "身份证"}


def test_the_projector_never_sees_the_lobby_and_phones_hold_no_list_of_people():
    assert redact_value("participants", PERSON, "projector") is None
    admitted = {**PERSON, "status": "admitted"}
    assert redact_value("participants", admitted, "projector") == {
        "id": 7, "name": "张建国", "party": "owner", "unit": "3-1-101", "status": "admitted",
        "verified_via": "desk"}
    assert redact_value("participants", admitted, "phone") is None
    assert redact_changes([{"c": "participants", "id": 7, "v": admitted}], "phone") == []
    # A phone hears about itself alone, owner key and who verified it left out, whatever
    # its status.
    assert self_view({**PERSON, "status": "rejected"}) == {
        "id": 7, "name": "张建国", "party": "owner", "unit": "3-1-101", "status": "rejected",
        "verified_via": "desk"}
    assert redact_value("participants", PERSON, "chair") == PERSON
    for status in ("rejected", "removed"):
        for role in ("phone", "projector"):
            assert redact_value("participants", {**PERSON, "status": status}, role) is None


def test_the_projector_token_is_only_for_the_console():
    meeting = {"id": 1, "projector_token": "secret", "join_code": "123456"}
    for role in ("phone", "projector", "api"):
        assert "projector_token" not in redact_value("meeting", meeting, role)
    assert redact_value("meeting", meeting, "chair")["projector_token"] == "secret"


def test_the_join_key_is_for_the_screens_that_show_the_qr_code():
    meeting = {"id": 1, "projector_token": "secret", "join_code": "123456", "join_key": "k" * 22}
    assert redact_value("meeting", meeting, "chair")["join_key"] == "k" * 22
    assert redact_value("meeting", meeting, "projector")["join_key"] == "k" * 22
    for role in ("phone", "api"):
        assert "join_key" not in redact_value("meeting", meeting, role)


def test_event_records_are_for_the_chair_unless_public():
    event = {"seq": 1, "type": "participant.joined", "at": 5, "data": {"name": "x"},
             "changes": [{"c": "participants", "id": 7, "v": PERSON}]}
    assert redact_event(event, "phone")["data"] == {}
    assert redact_event(event, "chair")["data"] == {"name": "x"}
    assert redact_event(event, "projector")["changes"] == [{"c": "participants", "id": 7,
                                                            "v": None}]


def test_snapshots_are_redacted_with_the_same_rules():
    snapshot = {"seq": 3, "case": {}, "meeting": {"projector_token": "s"},
                "participants": {"7": PERSON}, "agenda": {}, "queue": {},
                "speeches": {"1": {"id": 1, "notes": "业主认为应先修排水"}},
                "speakers": {"order": [], "stats": {"total": {}}, "stats_public": False}}
    assert redact_snapshot(snapshot, "projector")["participants"] == {}
    assert "participants" not in redact_snapshot(snapshot, "phone")
    # The clerk's draft notes and the statistics stay on the console.
    assert redact_snapshot(snapshot, "projector")["speeches"]["1"]["notes"] == ""
    assert redact_snapshot(snapshot, "chair")["speeches"]["1"]["notes"] == "业主认为应先修排水"
    assert redact_snapshot(snapshot, "projector")["speakers"]["stats"] is None
    public = {**snapshot, "speakers": {**snapshot["speakers"], "stats_public": True}}
    assert redact_snapshot(public, "projector")["speakers"]["stats"] == {"total": {}}
    assert redact_snapshot(public, "phone")["speakers"]["stats"] is None


def test_the_reducer_sets_and_drops_entities_and_refuses_gaps():
    state = {"seq": 1, "meeting": {"status": "live"}, "participants": {}, "agenda": {}}
    state = apply_event(state, {"seq": 2, "changes": [
        {"c": "participants", "id": 7, "v": {"id": 7}}, {"c": "meeting", "v": {"status": "ended"}}]})
    assert state["participants"] == {"7": {"id": 7}} and state["meeting"]["status"] == "ended"
    state = apply_event(state, {"seq": 3, "changes": [{"c": "participants", "id": 7, "v": None}]})
    assert state["participants"] == {} and state["seq"] == 3
    with pytest.raises(ValueError):
        apply_event(state, {"seq": 5, "changes": []})


def _error_codes_raised_in_code() -> set[str]:
    codes = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "DomainError" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                codes.add(node.args[0].value)
    return codes


# Pure-domain codes of features whose screens are not built yet (speaker queue, votes):
# their messages come with those screens.
PENDING_DOMAINS = ("explain.", "roster.bad_area", "roster.missing_field",
                   "roster.duplicate_unit", "roster.owner_name_conflict")


def test_every_error_the_app_raises_has_a_message():
    missing = sorted(code for code in _error_codes_raised_in_code()
                     if not has_message(code) and not code.startswith(PENDING_DOMAINS))
    assert missing == []
    for status in ("scheduled", "live", "ended"):
        assert has_message(f"meeting.is_{status}")
    for status in ("rejected", "removed"):
        assert has_message(f"auth.participant_{status}")
