"""The live meeting over sockets: a moderator, a projector and phones, as in the room."""
from __future__ import annotations

import pytest

from facilitator.domain.live_state import apply_batch
from facilitator.extensions import db
from facilitator.joining import phone_cookie_name
from facilitator.models import AgendaItem, Meeting, MeetingEvent

from tests.factories import (command, connect, events_of, join_from_phone, login, make_meeting,
                             make_user, received_batches, sync)


@pytest.fixture
def room(app, ctx):
    """A live meeting with its moderator's console, the projector and two phones in the lobby."""
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, with_roster=True)
    console_http = app.test_client()
    login(console_http, moderator)
    console = connect(app, meeting, "console", console_http)
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    phone_a_http, a_id = join_from_phone(app, meeting, "张建国", "owner", "3-1-101")
    phone_b_http, b_id = join_from_phone(app, meeting, "周明", "property_company")
    phone_a = connect(app, meeting, "phone", phone_a_http)
    phone_b = connect(app, meeting, "phone", phone_b_http)
    clients = {"console": console, "projector": projector, "phone_a": phone_a, "phone_b": phone_b}
    for sock in clients.values():
        assert sock.is_connected("/live")
        sock.get_received("/live")
    return meeting, clients, a_id, b_id


def state_of(sock) -> dict:
    return sync(sock)["snapshot"]


def last_seq(meeting_id: int) -> int:
    db.session.rollback()
    return db.session.get(Meeting, meeting_id).last_seq


def test_admitting_and_advancing_the_agenda_reaches_every_screen(room):
    meeting, clients, a_id, b_id = room
    before = {name: state_of(sock) for name, sock in clients.items()}
    assert str(a_id) not in before["projector"]["participants"]  # the lobby is not projected
    assert "participants" not in before["phone_a"]  # phones hold no list of the room...
    assert sync(clients["phone_a"])["me"]["status"] == "lobby"  # ...only their own entry
    clients["phone_a"].get_received("/live")

    for person in (a_id, b_id):
        assert command(clients["console"], "participant.admit", {"id": person})["ok"]
    ack = command(clients["console"], "agenda.next")
    assert ack["ok"] and ack["result"]["item_id"]

    for name, sock in clients.items():
        messages = sock.get_received("/live")
        batches = [m["args"][0] for m in messages if m["name"] == "batch"]
        expected = (["participant.admitted", "participant.admitted"] if name == "console"
                    else []) + ["agenda.item_started"]  # screens get public records only
        assert [e["type"] for e in events_of(batches)] == expected, name
        state = before[name]
        for batch in batches:
            state = apply_batch(state, batch)
        assert state == state_of(sock), name
        current = state["agenda"][str(state["meeting"]["current_item_id"])]
        assert current["title"] == "开场" and current["run_started_at"] is not None
        if name.startswith("phone"):  # each phone is told of its own admission, alone
            own = [m["args"][0] for m in messages if m["name"] == "me"]
            assert [entry["status"] for entry in own] == ["admitted"]
            assert own[0]["id"] == (a_id if name == "phone_a" else b_id)
        else:
            assert state["participants"][str(a_id)]["status"] == "admitted"


def test_a_reconnecting_client_receives_exactly_the_events_it_missed(app, room):
    meeting, clients, *_ = room
    phone_http, _ = join_from_phone(app, meeting, "李娜", "observer")
    phone = connect(app, meeting, "phone", phone_http)
    seen = state_of(phone)["seq"]
    phone.disconnect(namespace="/live")
    for step in ("agenda.next", "agenda.next", "agenda.previous"):
        assert command(clients["console"], step)["ok"]
    token = phone_http.get_cookie(phone_cookie_name(meeting.id)).value
    phone.connect(namespace="/live", auth={"meeting_id": meeting.id, "face": "phone",
                                           "token": token})
    reply = sync(phone, since=seen)
    assert reply["ok"] and (reply["batch"]["from"], reply["batch"]["to"]) == (seen + 1, seen + 3)
    assert [e["seq"] for e in reply["batch"]["events"]] == [seen + 1, seen + 2, seen + 3]
    assert [e["type"] for e in reply["batch"]["events"]] == ["agenda.item_started"] * 3
    assert sync(phone, since=seen + 3)["batch"] is None  # up to date: nothing to send


def test_a_client_far_behind_gets_a_fresh_snapshot(app, room):
    meeting, clients, *_ = room
    app.config["CATCH_UP_MAX_EVENTS"] = 2
    try:
        for step in ("agenda.next", "agenda.next", "agenda.next"):
            command(clients["console"], step)
        reply = sync(clients["projector"], since=1)
        assert "snapshot" in reply and reply["snapshot"]["seq"] == last_seq(meeting.id)
    finally:
        app.config["CATCH_UP_MAX_EVENTS"] = 500


def test_a_client_that_claims_to_be_ahead_gets_a_fresh_snapshot(room):
    meeting, clients, *_ = room
    reply = sync(clients["phone_b"], since=10_000)
    assert reply["snapshot"]["seq"] == last_seq(meeting.id)


def test_a_command_repeated_with_the_same_id_is_applied_once(room):
    meeting, clients, *_ = room
    first = command(clients["console"], "agenda.add", {"title": "临时动议", "minutes": 5},
                    command_id="same-id-0001")
    again = command(clients["console"], "agenda.add", {"title": "临时动议", "minutes": 5},
                    command_id="same-id-0001")
    assert first["ok"] and again["ok"] and again["duplicate"] is True
    assert again["seq"] == first["seq"] and again["result"] == first["result"]
    titles = db.session.execute(db.select(AgendaItem.title).filter_by(meeting_id=meeting.id)
                                ).scalars().all()
    assert titles.count("临时动议") == 1
    assert db.session.execute(db.select(db.func.count()).select_from(MeetingEvent).filter_by(
        meeting_id=meeting.id, command_id="same-id-0001")).scalar() == 1
    # Every screen got the change once.
    batches = received_batches(clients["projector"])
    assert [(b["from"], b["to"]) for b in batches] == [(first["seq"], first["seq"])]
    assert [c["c"] for c in batches[0]["changes"]] == ["agenda"]


def test_a_command_id_cannot_be_reused_by_someone_else(room):
    meeting, clients, a_id, _ = room
    assert command(clients["console"], "participant.admit", {"id": a_id},
                   command_id="shared-id-001")["ok"]
    ack = command(clients["phone_a"], "participant.admit", {"id": a_id},
                  command_id="shared-id-001")
    assert not ack["ok"]


@pytest.mark.parametrize("type_,payload", [
    ("agenda.next", {}),
    ("participant.admit", {"id": 1}),
    ("meeting.end", {}),
    ("agenda.add", {"title": "x", "minutes": 5}),
])
def test_a_phone_cannot_run_a_moderator_command(room, type_, payload):
    meeting, clients, *_ = room
    before = last_seq(meeting.id)
    ack = command(clients["phone_a"], type_, payload)
    assert ack == {"ok": False, "error": ack["error"]}
    assert ack["error"]["code"] == "auth.forbidden"
    assert last_seq(meeting.id) == before


@pytest.mark.parametrize("type_", ["agenda.next", "participant.join", "meeting.configure",
                                   "participant.add"])
def test_the_projector_link_cannot_run_any_command(room, type_):
    meeting, clients, *_ = room
    before = last_seq(meeting.id)
    ack = command(clients["projector"], type_, {})
    assert ack["ok"] is False and ack["error"]["code"] in ("auth.forbidden", "validation.required")
    assert last_seq(meeting.id) == before
    from facilitator.actions import registry
    for name, spec in registry.items():
        assert "projector" not in spec.roles, name


@pytest.mark.parametrize("data,code", [
    ({"id": "abcdefgh01", "type": "agenda.fly", "payload": {}}, "command.unknown"),
    ({"id": "abcdefgh02", "type": "agenda.add", "payload": {}}, "validation.required"),
    ({"id": "abcdefgh03", "type": "agenda.add", "payload": {"title": "x", "minutes": "ten"}},
     "validation.type"),
    ({"id": "abcdefgh04", "type": "agenda.add", "payload": {"title": "x" * 201, "minutes": 5}},
     "validation.too_long"),
    ({"id": "abcdefgh05", "type": "agenda.add", "payload": {"title": "x", "minutes": 0}},
     "validation.range"),
    ({"id": "abcdefgh06", "type": "agenda.add", "payload": {"title": "x", "minutes": 5,
                                                            "segment": "party"}},
     "validation.choice"),
    ({"id": "abcdefgh07", "type": "agenda.add", "payload": {"title": "x", "minutes": 5,
                                                            "colour": "red"}},
     "validation.unknown_field"),
    ({"id": "abcdefgh08", "type": "agenda.add", "payload": ["x"]}, "validation.not_an_object"),
    ({"id": "short", "type": "agenda.next", "payload": {}}, "command.bad_id"),
    ({"id": "abcdefgh09", "type": "agenda.start", "payload": {"id": 999999}}, "agenda.not_found"),
    ({"id": "abcdefgh10", "type": "agenda.reorder", "payload": {"ids": [1]}},
     "agenda.reorder_mismatch"),
    ({"id": "abcdefgh11", "type": "participant.admit", "payload": {"id": True}},
     "validation.type"),
    ({"id": "abcdefgh12", "type": "participant.rename", "payload": {"id": 1, "name": "a\x00b"}},
     "validation.control_chars"),
    ({"id": "abcdefgh13", "type": "meeting.open", "payload": {}}, "meeting.is_live"),
    ({"id": "abcdefgh14", "type": "agenda.previous", "payload": {}}, "agenda.no_current"),
])
def test_bad_payloads_get_an_error_ack_and_change_nothing(room, data, code):
    meeting, clients, *_ = room
    before = last_seq(meeting.id)
    ack = clients["console"].emit("command", data, namespace="/live", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code
    assert ack["error"]["message"]  # a sentence for the moderator, not just a code
    assert last_seq(meeting.id) == before
    assert received_batches(clients["projector"]) == []


def test_a_command_that_is_not_an_object_is_refused(room):
    _, clients, *_ = room
    ack = clients["console"].emit("command", "agenda.next", namespace="/live", callback=True)
    assert ack["error"]["code"] == "validation.not_an_object"


def test_errors_are_in_the_users_language(app, ctx):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    http = app.test_client()
    login(http, moderator)
    chinese = connect(app, meeting, "console", http, headers={"Accept-Language": "zh-CN,zh"})
    english = connect(app, meeting, "console", http, headers={"Accept-Language": "en-US,en"})
    zh = command(chinese, "agenda.add", {"minutes": 5})["error"]["message"]
    en = command(english, "agenda.add", {"minutes": 5})["error"]["message"]
    assert "请填写" in zh and en.startswith("Please fill in")


def test_connections_without_the_right_credentials_are_refused(app, ctx):
    moderator, other = make_user("moderator"), make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    assert not connect(app, meeting, "projector", token="not-the-token").is_connected("/live")
    assert not connect(app, meeting, "phone").is_connected("/live")  # never joined
    assert not connect(app, meeting, "console").is_connected("/live")  # not signed in
    other_http = app.test_client()
    login(other_http, other)
    assert not connect(app, meeting, "console", other_http).is_connected("/live")


def test_a_moderator_of_another_meeting_cannot_command_this_one(app, ctx):
    from facilitator.actions import Actor, execute
    meeting = make_meeting()
    stranger = make_user("moderator")
    outcome = execute(meeting.id, Actor(role="moderator", user_id=stranger.id), "agenda.next", {})
    assert not outcome.ok and outcome.error.code == "auth.not_your_meeting"


def test_the_clerk_runs_the_agenda_but_only_the_moderator_ends_the_meeting(app, ctx):
    from facilitator.actions import Actor, execute
    clerk = make_user("clerk")
    meeting = make_meeting(clerk=clerk)
    as_clerk = Actor(role="clerk", user_id=clerk.id)
    assert execute(meeting.id, as_clerk, "agenda.next", {}).ok
    refused = execute(meeting.id, as_clerk, "meeting.end", {})
    assert not refused.ok and refused.error.code == "auth.forbidden"


def test_a_rejected_phone_is_disconnected_from_the_meeting(app, room):
    meeting, clients, a_id, _ = room
    assert command(clients["console"], "participant.reject", {"id": a_id})["ok"]
    # The phone is told, alone, that it was not admitted; the other phone hears nothing.
    own = [m["args"][0] for m in clients["phone_a"].get_received("/live") if m["name"] == "me"]
    assert own[-1]["status"] == "rejected"
    assert [m for m in clients["phone_b"].get_received("/live") if m["name"] == "me"] == []
    again = connect(app, meeting, "phone", clients["phone_a"].flask_test_client)
    assert not again.is_connected("/live")


def test_a_removed_phone_can_no_longer_send_commands(app, room):
    meeting, clients, a_id, _ = room
    command(clients["console"], "participant.admit", {"id": a_id})
    command(clients["console"], "participant.remove", {"id": a_id})
    ack = command(clients["phone_a"], "agenda.next")
    assert ack["error"]["code"] == "auth.participant_removed"


def test_a_flood_of_commands_is_throttled_with_a_clear_message(room):
    meeting, clients, *_ = room
    acks = [command(clients["phone_a"], "agenda.next") for _ in range(30)]
    throttled = [a for a in acks if not a["ok"] and a["error"]["code"] == "command.too_fast"]
    assert len(throttled) >= 15
    assert "频繁" in throttled[0]["error"]["message"]


def test_clock_sync_returns_the_server_time(room):
    import time
    _, clients, *_ = room
    reply = clients["phone_b"].emit("clock", {"t": 123}, namespace="/live", callback=True)
    assert reply["client_time"] == 123
    assert abs(reply["server_time"] - time.time() * 1000) < 5000


def test_sync_refuses_a_bad_sequence_number(room):
    _, clients, *_ = room
    assert sync(clients["phone_b"], since="7")["error"]["code"] == "validation.type"
    assert sync(clients["phone_b"], since=-1)["error"]["code"] == "validation.type"


def test_a_rejected_phone_is_told_it_was_not_admitted(app, room):
    meeting, clients, a_id, _ = room
    command(clients["console"], "participant.reject", {"id": a_id})
    ack = command(clients["phone_a"], "agenda.next")
    assert ack["error"]["code"] == "auth.participant_rejected"


def test_setting_what_is_already_set_is_refused_as_no_change(room):
    meeting, clients, *_ = room
    ack = command(clients["console"], "meeting.configure", {"allow_direct_entry": False})
    assert ack["error"]["code"] == "command.no_change"
