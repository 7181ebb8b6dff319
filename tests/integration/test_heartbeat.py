"""The heartbeat (live/heartbeat.py): each role room is told the last event it is sent
something for, so a phone is never sent off to sync for events it would not have got
(people joining, ballots), and only when that number moved."""
from __future__ import annotations

from facilitator.live.heartbeat import Heartbeat

from tests.factories import (chair_of, connect, join_from_phone, login, make_meeting,
                             make_user, run)


def beats(sock) -> list[int]:
    return [m["args"][0]["seq"] for m in sock.get_received("/live") if m["name"] == "heartbeat"]


def test_each_role_hears_the_last_event_it_is_sent_and_only_when_it_moves(app, ctx):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    opened = meeting.last_seq  # the meeting opened: the last event a phone is sent so far
    http = app.test_client()
    login(http, moderator)
    console = connect(app, meeting, "console", http)
    phone_http, person = join_from_phone(app, meeting)
    run(meeting, chair_of(meeting), "participant.admit", {"id": person})
    phone = connect(app, meeting, "phone", phone_http)
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
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
