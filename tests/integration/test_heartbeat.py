"""The heartbeat (live/heartbeat.py): each role room is told the last event it is sent
something for, so a phone is never sent off to sync for events it would not have got
(people joining, ballots), and only when that number moved."""
from __future__ import annotations

from facilitator.actions import core
from facilitator.live.heartbeat import Heartbeat
from facilitator.extensions import db
from facilitator.live.queue import LiveQueue
from facilitator.models import User

from tests.factories import (chair_of, connect, events_of, join_from_phone, login,
                             make_meeting, received_batches, run)


def beats(sock) -> list[int]:
    return [m["args"][0]["seq"] for m in sock.get_received("/live") if m["name"] == "heartbeat"]


def screens_of(app, meeting) -> tuple:
    """The meeting's console, an admitted phone and the projector, connected."""
    moderator = db.session.get(User, meeting.moderator_id)
    http = app.test_client()
    login(http, moderator)
    console = connect(app, meeting, "console", http)
    phone_http, person = join_from_phone(app, meeting)
    run(meeting, chair_of(meeting), "participant.admit", {"id": person})
    phone = connect(app, meeting, "phone", phone_http)
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    return console, phone, projector


def test_each_role_hears_the_last_event_it_is_sent_and_only_when_it_moves(app, ctx):
    meeting = make_meeting()
    opened = meeting.last_seq  # the meeting opened: the last event a phone is sent so far
    console, phone, projector = screens_of(app, meeting)
    heartbeat = Heartbeat()
    for sock in (console, phone, projector):
        sock.get_received("/live")

    heartbeat.tick()
    last = meeting.last_seq  # a phone joined and was admitted: changes of people
    assert beats(console) == [last] and beats(projector) == [last] and beats(phone) == [opened]
    heartbeat.tick()  # nothing moved: nothing sent
    assert beats(console) == beats(phone) == beats(projector) == []

    # Someone joins: the console is sent the event, a phone nothing (broadcast.py holds it).
    join_from_phone(app, meeting, "李秀英")
    heartbeat.tick()
    assert beats(console) == [last + 1] and beats(phone) == []
    assert beats(projector) == [last + 1]  # the projector drops the one in the lobby
    # The next item: every screen is sent it.
    run(meeting, chair_of(meeting), "agenda.next", {})
    seq = meeting.last_seq
    heartbeat.tick()
    assert beats(console) == beats(phone) == beats(projector) == [seq]


def use_the_queue(monkeypatch) -> tuple[LiveQueue, list[dict]]:
    """From now on the process's client manager is the Redis queue (live/queue.py), as with
    `serve --workers`: it hands every emit to this process's sockets and publishes it
    (captured here: no Redis, no listener). Flask-SocketIO's test clients refuse to connect
    with a queue: it takes over the rooms of the sockets connected before."""
    from facilitator.extensions import socketio
    plain = socketio.server.manager
    queue = LiveQueue("redis://127.0.0.1:1/0")  # never reached
    for state in ("server", "rooms", "eio_to_sid", "callbacks", "pending_connect",
                  "pending_disconnect", "json"):
        setattr(queue, state, getattr(plain, state))
    published = []
    monkeypatch.setattr(queue, "_publish", published.append)
    monkeypatch.setattr(socketio.server, "manager", queue)
    return queue, published


def test_a_room_handed_the_batch_hears_no_heartbeat_one_that_missed_it_does(
        app, ctx, monkeypatch):
    """With the message queue, a room this process handed a batch up to the newest event
    holds it already: a heartbeat would tell it nothing (a busy meeting's phones would get
    one every interval). A batch lost on its way (another process's, published while this
    one's listener was cut) leaves the room behind: it hears the heartbeat."""
    meeting = make_meeting()
    console, phone, projector = screens_of(app, meeting)
    queue, published = use_the_queue(monkeypatch)
    # The queue hands this process every meeting's batches; only its own meetings' are kept.
    queue.delivered["meeting:99999:phone"] = 12
    heartbeat = Heartbeat()
    heartbeat.tick()  # first seen: tells what each room was last sent
    assert "meeting:99999:phone" not in queue.delivered
    screens = (console, phone, projector)
    for sock in screens:
        sock.get_received("/live")

    run(meeting, chair_of(meeting), "agenda.next", {})  # handed to both rooms here
    seq = meeting.last_seq
    assert [events_of(received_batches(sock))[-1]["seq"] for sock in screens] == [seq] * 3
    assert published[-1]["event"] == "batch"  # and published for the other processes
    assert heartbeat.tick() == 0
    assert [beats(sock) for sock in screens] == [[], [], []]

    # The next event is committed, but its batch never reaches this process's sockets.
    monkeypatch.setattr(core, "publishers", [])
    run(meeting, chair_of(meeting), "agenda.next", {})
    assert heartbeat.tick() == 3
    assert [beats(sock) for sock in screens] == [[seq + 1]] * 3
