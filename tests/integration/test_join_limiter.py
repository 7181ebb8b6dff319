"""The limit on guessing join codes fits a room (issue 13, item 4): the QR code's link carries a
key that takes no try, a room behind one address shares a budget sized for it, the count is
atomic under concurrent guesses (SQLite and PostgreSQL, real threads), many wrong codes on the
whole server warn the live consoles, and an ended meeting's code says so without costing a
try. Also: a phone's participant holds a bounded number of sockets, and `sync` is throttled."""
from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest

from facilitator import clock
from facilitator.errors import DomainError
from facilitator.extensions import db, socketio
from facilitator.live.namespace import authenticate, error_ack
from facilitator.models import JoinGuesses, Participant

from tests.factories import (chair_of, connect, join_from_phone, join_handshake, login,
                             make_meeting, make_user, run, sync, welcome_of)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
NAT = "203.0.113.7"  # the venue's Wi-Fi: every phone in the room has this address


@pytest.fixture(autouse=True)
def mid_window():
    """The app's clock stands still 30 s into a minute and into a 10-minute window, so a
    test's counts never straddle the start of a new one."""
    with clock.running_on(lambda: datetime(2026, 12, 5, 10, 0, 30)):
        yield


def text(response) -> str:
    return response.get_data(as_text=True)


def phone_at(app, address: str = NAT):
    http = app.test_client()
    http.environ_base["REMOTE_ADDR"] = address
    return http


def socket_at(app, auth: dict, address: str = NAT):
    return socketio.test_client(app, namespace="/live", auth=auth,
                                flask_test_client=phone_at(app, address))


def refusal(app, auth: dict, address: str = NAT) -> dict:
    """The error object a handshake is refused with (what the phone's connect_error
    carries: docs/protocol.md §2), from the namespace's own check of the handshake."""
    with app.test_request_context("/socket.io/", headers=ZH,
                                  environ_base={"REMOTE_ADDR": address}):
        try:
            authenticate(auth)
        except DomainError as error:
            return error_ack(error, "zh")["error"]
        finally:
            db.session.rollback()
    raise AssertionError("the handshake was accepted")


def wrong_code(meeting) -> str:
    return "999999" if meeting.join_code != "999999" else "888888"


def people() -> int:
    db.session.rollback()
    return db.session.execute(db.select(db.func.count(Participant.id))).scalar()


def qr_link(meeting) -> str:
    return f"/j/{meeting.join_code}?k={meeting.join_key}"


def with_key(meeting, name: str) -> dict:
    """A phone's join handshake from the page the QR code opened (it sends the key)."""
    auth = join_handshake(meeting, name, "observer")
    auth["join"]["key"] = meeting.join_key
    return auth


# --- a room behind one address ------------------------------------------------------------

def test_one_phones_ten_wrong_codes_do_not_lock_out_the_room_behind_its_address(app, ctx):
    meeting = make_meeting(direct_entry=True)
    typo_phone = phone_at(app)
    assert [typo_phone.get(f"/j/{wrong_code(meeting)}").status_code
            for _ in range(10)] == [404] * 10
    # The rest of the room, behind the same NAT: the QR code's link opens the page, and the
    # join from it (with the key) goes through.
    page = phone_at(app).get(qr_link(meeting), headers=ZH)
    assert page.status_code == 200 and f'data-key="{meeting.join_key}"' in text(page)
    assert socket_at(app, with_key(meeting, "李秀英")).is_connected("/live")
    # Typing the right code still works too: the budget is sized for a room.
    typed = phone_at(app).post("/join", data={"code": meeting.join_code})
    assert typed.status_code == 302 and qr_link(meeting) in typed.headers["Location"]
    assert socket_at(app, join_handshake(meeting, "王磊", "observer")).is_connected("/live")
    assert people() == 2


def test_past_the_budget_typed_codes_are_refused_and_the_qr_code_still_works(app, ctx):
    meeting = make_meeting(direct_entry=True)
    budget = app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]
    guesser = phone_at(app)
    for _ in range(budget):
        guesser.post("/join", data={"code": wrong_code(meeting)})
    # The right code typed on the page, in a link, or sent over the socket: all refused, and
    # the message points to the QR code...
    for refused in (guesser.post("/join", data={"code": meeting.join_code}, headers=ZH),
                    guesser.get(f"/j/{meeting.join_code}", headers=ZH)):
        assert refused.status_code == 429 and "扫描现场二维码" in text(refused)
    assert refusal(app, join_handshake(meeting))["code"] == \
        "meeting.too_many_attempts"
    # ...which works: its key takes no try.
    assert phone_at(app).get(qr_link(meeting)).status_code == 200
    assert socket_at(app, with_key(meeting, "李秀英")).is_connected("/live")
    assert people() == 1


def test_a_wrong_key_is_refused_and_costs_a_try(app, ctx):
    meeting = make_meeting()
    budget = app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]
    page = phone_at(app).get(f"/j/{meeting.join_code}?k=not-the-key-at-all", headers=ZH)
    assert page.status_code == 404 and "加入链接无效" in text(page)
    auth = with_key(meeting, "李秀英")
    auth["join"]["key"] = "A" * 22
    error = refusal(app, auth)
    assert error["code"] == "join.bad_link" and error["params"]["left"] == budget - 2
    assert people() == 0


# --- the count is atomic ------------------------------------------------------------------

def _at_once(count: int, attempt) -> list:
    """`attempt(i)` from `count` threads released together; their answers."""
    answers = [None] * count
    start = threading.Barrier(count)

    def one(i):
        start.wait()
        answers[i] = attempt(i)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def _tries_counted(address: str = NAT) -> int:
    db.session.rollback()
    return db.session.execute(db.select(db.func.sum(JoinGuesses.count)).filter_by(
        scope=f"address:{address}")).scalar()


def test_150_wrong_codes_at_once_on_the_join_page_get_at_most_the_budget_answered(app, ctx):
    meeting = make_meeting()
    budget = app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]
    wrong = wrong_code(meeting)

    def guess(i):
        with app.app_context():
            return phone_at(app).get(f"/j/{wrong}").status_code
    statuses = _at_once(150, guess)
    assert statuses.count(404) == budget  # told "wrong code": the guesses really checked
    assert statuses.count(429) == 150 - budget  # refused before their code was looked at
    assert _tries_counted() == budget


def test_150_wrong_codes_at_once_over_the_socket_get_at_most_the_budget_answered(app, ctx):
    meeting = make_meeting()
    budget = app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]
    wrong = wrong_code(meeting)

    def guess(i):
        with app.app_context():
            return refusal(app, join_handshake(meeting, code=wrong))["code"]
    codes = _at_once(150, guess)
    assert codes.count("meeting.bad_code") == budget
    assert codes.count("meeting.too_many_attempts") == 150 - budget
    assert _tries_counted() == budget and people() == 0


def test_right_codes_at_once_give_their_tries_back(app, ctx):
    """A room typing the right code at once: each try is taken while its code is checked and
    given back after, so the room never uses up its budget."""
    meeting = make_meeting(direct_entry=True)
    budget = app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]

    def join(i):
        with app.app_context():
            return phone_at(app).post("/join", data={"code": meeting.join_code}).status_code
    assert _at_once(budget, join) == [302] * budget
    assert [phone_at(app).post("/join", data={"code": meeting.join_code}).status_code
            for _ in range(budget)] == [302] * budget
    # The budget is untouched: as many wrong codes as ever are still allowed.
    left = [phone_at(app).get(f"/j/{wrong_code(meeting)}").status_code for _ in range(budget)]
    assert left == [404] * budget


# --- the whole server -----------------------------------------------------------------------

def test_many_wrong_codes_in_a_minute_warn_the_live_consoles_and_pause_typed_codes(
        app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "JOIN_CODE_LIMIT_PER_MINUTE", 20)
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, direct_entry=True)
    console_http = app.test_client()
    login(console_http, moderator)
    console = connect(app, meeting, "console", console_http)
    console.get_received("/live")
    # Twenty addresses, one wrong code each (no address near its own budget).
    for i in range(20):
        phone_at(app, f"198.51.100.{i}").get(f"/j/{wrong_code(meeting)}")
    notices = [m["args"][0] for m in console.get_received("/live") if m["name"] == "notice"]
    assert [(n["code"], n["active"]) for n in notices] == [("live.notice_join_guessing", True)]
    assert notices[0]["until"] == clock.to_epoch_ms(datetime(2026, 12, 5, 10, 1))
    # Until the minute ends, a typed code is refused from any address, the right one too;
    # the QR code's link still works.
    fresh = phone_at(app, "192.0.2.1")
    assert fresh.post("/join", data={"code": meeting.join_code}).status_code == 429
    assert fresh.get(qr_link(meeting)).status_code == 200
    # A console that connects within the minute gets the notice with its welcome.
    again = welcome_of(connect(app, meeting, "console", console_http))
    assert [n["code"] for n in again["notices"]] == ["live.notice_join_guessing"]


# --- an ended meeting -------------------------------------------------------------------------

def test_an_ended_meetings_code_says_it_has_ended_and_costs_no_try(app, ctx):
    meeting = make_meeting()
    code, key = meeting.join_code, meeting.join_key
    auth = join_handshake(meeting)
    run(meeting, chair_of(meeting), "meeting.end", {})
    phone = phone_at(app)
    for page in (phone.get(f"/j/{code}", headers=ZH), phone.get(f"/j/{code}?k={key}", headers=ZH),
                 phone.post("/join", data={"code": code}, headers=ZH)):
        assert page.status_code == 410 and "此会议已结束" in text(page)
    assert refusal(app, auth)["code"] == "join.meeting_ended"
    auth["join"]["key"] = key
    assert refusal(app, auth)["code"] == "join.meeting_ended"
    # None of it cost a try: the next wrong code still has the whole budget but one.
    budget = app.config["JOIN_CODE_LIMIT_PER_ADDRESS"]
    wrong = phone.get(f"/j/{wrong_code(meeting)}", headers=ZH)
    assert wrong.status_code == 404 and f"还可尝试 {budget - 1} 次" in text(wrong)
    assert people() == 0


def test_a_meeting_that_ends_right_after_a_join_tells_the_next_phone_it_has_ended(app, ctx):
    """The code a phone just joined with is taken as live for a second (a room joins at
    once); the meeting ending within that second still refuses the next phone, as ended."""
    meeting = make_meeting(direct_entry=True)
    assert socket_at(app, join_handshake(meeting, "张建国", "observer")).is_connected("/live")
    next_phone = join_handshake(meeting, "李秀英", "observer")
    run(meeting, chair_of(meeting), "meeting.end", {})
    error = refusal(app, next_phone)
    assert error["code"] == "join.meeting_ended"
    assert people() == 1


# --- sockets per phone, sync -----------------------------------------------------------------

def test_one_phone_holds_at_most_three_sockets_and_the_oldest_is_told_why(app, ctx):
    meeting = make_meeting(direct_entry=True)
    phone, _ = join_from_phone(app, meeting)
    sockets = [connect(app, meeting, "phone", phone, headers=ZH) for _ in range(30)]
    open_now = [sock for sock in sockets if sock.is_connected("/live")]
    assert open_now == sockets[-3:]
    # (get_received refuses a closed client; what reached it before is in its queue)
    closed = [m["args"][0] for m in sockets[0].queue if m["name"] == "closed"]
    assert closed[0]["code"] == "live.too_many_connections"
    assert "此页面已断开" in closed[0]["message"]


def test_sync_is_throttled_per_connection(app, ctx):
    meeting = make_meeting(direct_entry=True)
    phone, _ = join_from_phone(app, meeting)
    sock = connect(app, meeting, "phone", phone)
    answers = [sync(sock) for _ in range(20)]
    burst = app.config["SYNC_BURST"]
    assert all(answer["ok"] for answer in answers[:burst])
    refused = answers[burst:]
    assert refused and all(answer["error"]["code"] == "sync.too_fast" for answer in refused)
    assert refused[0]["error"]["params"]["seconds"] >= 1
    # Another connection has its own allowance.
    assert sync(connect(app, meeting, "phone", phone))["ok"]


def test_a_room_scanning_the_qr_code_at_once_has_its_key_read_once(
        app, ctx, sql_statements, monkeypatch):
    """The key's answer is kept a second; when it runs out, the phones joining at that moment
    wait for one read of it instead of each reading it (and each taking a connection)."""
    from facilitator import joining
    # Kept (and waited for) long enough that a loaded machine starting the threads slowly
    # changes nothing: what is tested is that phones asking together cause one read.
    monkeypatch.setattr(joining, "RECENT_SECONDS", 60.0)
    meeting = make_meeting()
    key, answers = meeting.join_key, []
    together = threading.Barrier(12)

    def scan():
        with app.app_context():
            together.wait(30)
            answers.append(joining.by_key(key))
            db.session.rollback()

    # The database is busy: every phone arrives while the key is read.
    with sql_statements.recording(this_thread_only=False, slow=("join_key", 0.2)) as sent:
        phones = [threading.Thread(target=scan) for _ in range(12)]
        for phone in phones:
            phone.start()
        for phone in phones:
            phone.join()
    assert answers == [((meeting.id, meeting.join_code), True)] * 12
    assert len([statement for statement in sent if "WHERE meetings.join_key" in statement]) == 1


def test_phones_connecting_together_go_through_their_handshake_a_few_at_a_time(
        app, ctx, monkeypatch):
    """A room connecting at once: at most HANDSHAKES_AT_ONCE handshakes of a process run
    together (each may wait for a database connection); the others wait their turn, and
    every phone is let in."""
    from facilitator.live import namespace
    meeting = make_meeting(direct_entry=True)
    monkeypatch.setitem(app.config, "HANDSHAKES_AT_ONCE", 2)
    app.extensions.pop(namespace.HANDSHAKES, None)
    running, most, lock = [0], [0], threading.Lock()
    two_in = threading.Event()
    real_authenticate = namespace.authenticate

    def slow_authenticate(auth):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            if running[0] >= 2:
                two_in.set()
        try:
            two_in.wait(10)  # the database is busy: each stays until a second one is in
            time.sleep(0.05)
            return real_authenticate(auth)
        finally:
            with lock:
                running[0] -= 1
    monkeypatch.setattr(namespace, "authenticate", slow_authenticate)
    welcomes = []

    def connect_phone(number):
        with app.app_context():
            sock = socketio.test_client(app, namespace="/live", auth=join_handshake(
                meeting, f"居民{number}", "observer"), flask_test_client=app.test_client())
            welcomes.append(welcome_of(sock)["participant_id"])
            db.session.remove()

    phones = [threading.Thread(target=connect_phone, args=(n,)) for n in range(8)]
    for phone in phones:
        phone.start()
    for phone in phones:
        phone.join(30)
    app.extensions.pop(namespace.HANDSHAKES, None)
    assert len(set(welcomes)) == 8
    assert most[0] == 2
