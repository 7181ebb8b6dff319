"""Factories: build users, cases, meetings and connected clients the way users would."""
from __future__ import annotations

import functools
import itertools
import re
import secrets
from datetime import timedelta
from pathlib import Path

from facilitator.actions import Actor, execute
from facilitator.actions.cases import create_case, create_meeting
from facilitator.actions.roster_import import import_roster
from facilitator.clock import utcnow
from facilitator.extensions import db, socketio
from facilitator.joining import phone_cookie_name
from facilitator.models import CaseMember, Meeting, User
from facilitator.staff_sessions import SESSION_KEY

DEMO_DIR = Path(__file__).resolve().parent.parent / "facilitator" / "demo_data" / "jinhua-garage"
PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def demo_roster_csv() -> str:
    return (DEMO_DIR / "owners.csv").read_text(encoding="utf-8")


@functools.cache
def _password_hash() -> str:
    """PASSWORD hashed once per test process: hashing takes a tenth of a second (scrypt, as
    the app stores passwords), and the tests make users by the thousand."""
    user = User()
    user.set_password(PASSWORD)
    return user.password_hash


def make_user(role: str = "moderator", username: str | None = None) -> User:
    n = next(_counter)
    user = User(username=username or f"{role}{n}", display_name=f"{role.title()} {n}", role=role)
    user.password_hash = _password_hash()
    db.session.add(user)
    db.session.commit()
    return user


def make_case(number: str | None = None, with_roster: bool = False, members=(), **values):
    """A case; `members`: the staff users who work on it (see facilitator/access.py)."""
    n = next(_counter)
    case = create_case({"number": number or f"T-{n:04d}", "title": values.pop("title", "车库渗漏"),
                        "community": values.pop("community", "锦华苑小区"), **values}, None)
    for user in members:
        db.session.add(CaseMember(case_id=case.id, user_id=user.id))
    db.session.commit()
    if with_roster:
        import_roster(case, demo_roster_csv())
    return case


def make_meeting(*, moderator: User | None = None, clerk: User | None = None, live: bool = True,
                 with_roster: bool = False, agenda: tuple = ("开场", "讨论", "总结"),
                 direct_entry: bool = False, members=()) -> Meeting:
    """A meeting of a new case; its moderator and clerk (and `members`) work on the case."""
    moderator = moderator or make_user("moderator")
    case = make_case(with_roster=with_roster, members=members)
    meeting = create_meeting(case, {"title": "协商会", "place": "议事室",
                                    "moderator_id": moderator.id,
                                    "clerk_id": clerk.id if clerk else None})
    chair = Actor(role="moderator", user_id=moderator.id)
    for title in agenda:
        run(meeting, chair, "agenda.add", {"title": title, "minutes": 10})
    if direct_entry:
        run(meeting, chair, "meeting.configure", {"allow_direct_entry": True})
    if live:
        run(meeting, chair, "meeting.open", {})
    db.session.refresh(meeting)
    return meeting


def run(meeting: Meeting, actor: Actor, command: str, payload: dict, command_id=None) -> dict:
    outcome = execute(meeting.id, actor, command, payload, command_id)
    assert outcome.ok, outcome.error
    return outcome.result


def chair_of(meeting: Meeting) -> Actor:
    return Actor(role="moderator", user_id=meeting.moderator_id)


def login(http_client, user: User) -> None:
    response = http_client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def sign_in_as(http_client, user: User) -> None:
    """Sign a test client in without the user's password (the demo's users have another):
    a server-side session, as a sign-in makes one (facilitator/staff_sessions.py)."""
    from facilitator.models import StaffSession
    from facilitator.models.users import hash_token
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(user_id=user.id, token_hash=hash_token(token),
                                expires_at=utcnow() + timedelta(days=1), address="127.0.0.1"))
    db.session.commit()
    with http_client.session_transaction() as session:
        session[SESSION_KEY] = token


def join_handshake(meeting: Meeting, name: str = "张建国", party: str = "observer",
                   unit: str | None = None, code: str | None = None,
                   command_id: str | None = None) -> dict:
    """The handshake of a phone joining with the join form's answers (docs/protocol.md)."""
    return {"meeting_id": meeting.id, "face": "phone",
            "join": {"code": meeting.join_code if code is None else code, "name": name,
                     "party": party, "unit": unit,
                     "command_id": command_id or f"join-{next(_counter):08d}"}}


def welcome_of(sock) -> dict:
    return next(message["args"][0] for message in sock.get_received("/live")
                if message["name"] == "welcome")


def join_from_phone(app, meeting: Meeting, name: str = "张建国", party: str = "observer",
                    unit: str | None = None, headers: dict | None = None):
    """A phone opens the join page and joins over the socket, then closes it (as a page
    reload would); returns its HTTP client, holding the `phone-<id>` cookie the page keeps,
    and the participant id."""
    phone = app.test_client()
    assert phone.get(f"/j/{meeting.join_code}", headers=headers or {}).status_code == 200
    sock = socketio.test_client(app, namespace="/live", flask_test_client=phone,
                                auth=join_handshake(meeting, name, party, unit), headers=headers)
    assert sock.is_connected("/live"), "the join was refused"
    welcome = welcome_of(sock)
    sock.disconnect(namespace="/live")
    phone.set_cookie(phone_cookie_name(meeting.id), welcome["token"])
    return phone, welcome["participant_id"]


def connect(app, meeting: Meeting, face: str, http_client=None, token=None, headers=None):
    """A Socket.IO test client on the live namespace, as the console, projector or a phone
    (a phone's token comes from its HTTP client's cookie unless given)."""
    auth = {"meeting_id": meeting.id, "face": face}
    if face == "phone" and token is None and http_client is not None:
        cookie = http_client.get_cookie(phone_cookie_name(meeting.id))
        token = cookie.value if cookie is not None else None
    if token is not None:
        auth["token"] = token
    return socketio.test_client(app, namespace="/live", auth=auth,
                                flask_test_client=http_client or app.test_client(),
                                headers=headers)


def command(sock, type_: str, payload: dict | None = None, command_id: str | None = None) -> dict:
    return sock.emit("command", {"id": command_id or f"cmd-{next(_counter):08d}", "type": type_,
                                 "payload": payload or {}}, namespace="/live", callback=True)


def sync(sock, since=None) -> dict:
    return sock.emit("sync", {"since": since}, namespace="/live", callback=True)


def received_batches(sock) -> list[dict]:
    return [message["args"][0] for message in sock.get_received("/live")
            if message["name"] == "batch"]


def events_of(batches: list[dict]) -> list[dict]:
    return [event for batch in batches for event in batch["events"]]


def is_join_code(text: str | None) -> bool:
    return bool(text and re.fullmatch(r"[1-9]\d{5}", text))


# --- the case record (life cycle, agreed items) ----------------------------------------------

def advance_case(case, *events, user: User | None = None, note: str = "已说明原因",
                 context: dict | None = None):
    """Move a case through life-cycle events as the case page does; the note is the reason."""
    from facilitator.actions.case_record import apply_transition
    for event in events:
        apply_transition(case, {"event": event, "note": note, **(context or {})}, user)
    return case


def make_action_item(case, meeting: Meeting | None = None, **values):
    """An agreed item (议定事项) of one of the case's meetings, as the minutes record it."""
    from datetime import date
    from facilitator.models import ActionItem
    if meeting is None:
        meeting = case.meetings[0] if case.meetings else create_meeting(case, {"title": "协商会"})
    number = (db.session.execute(db.select(db.func.max(ActionItem.number)).filter_by(
        meeting_id=meeting.id)).scalar() or 0) + 1
    due_on = values.pop("due_on", date(2026, 12, 31))
    item = ActionItem(case_id=case.id, meeting_id=meeting.id, number=number,
                      what=values.pop("what", "修复3幢车库顶板防水层"),
                      party=values.pop("party", "developer"),
                      person=values.pop("person", "周工"), due_on=due_on, **values)
    db.session.add(item)
    db.session.commit()
    return item
