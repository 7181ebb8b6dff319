"""Sign-in and staff sessions as an attacker tried them (issue 13, item 3): throttled
sign-in, server-side sessions, Secure cookies and HSTS behind HTTPS, redirects only within
the site, and the security headers of every response."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from facilitator.extensions import db

from tests.factories import PASSWORD, command, connect, login, make_meeting, make_user

EN = {"Accept-Language": "en-US,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def text(response) -> str:
    return response.get_data(as_text=True)


def sign_in(http, username: str, password: str, headers=EN):
    return http.post("/login", data={"username": username, "password": password},
                     headers=headers)


def from_address(app, address: str):
    http = app.test_client()
    http.environ_base["REMOTE_ADDR"] = address
    return http


def checked_passwords() -> int:
    """Entries in the sign-in log: one per password checked."""
    from facilitator.models import SignInEvent  # new in the fix: the test fails before it
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(SignInEvent))


def now() -> datetime:
    return datetime.now(timezone.utc)


# --- throttling ----------------------------------------------------------------------------

def test_a_hundred_wrong_passwords_are_not_all_answered(app, ctx, time_machine):
    """Found: 100 wrong passwords at 11 per second, all answered. Now five are checked, the
    rest refused with when to try again, in the user's language."""
    user = make_user("moderator")
    time_machine.move_to(now(), tick=False)
    http = app.test_client()
    statuses = [sign_in(http, user.username, f"guess{i}").status_code for i in range(100)]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    refused = sign_in(http, user.username, PASSWORD)  # the right password is refused too
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "Try again at" in text(refused) and "in about 1 min" in text(refused)
    in_chinese = sign_in(http, user.username, PASSWORD, headers=ZH)
    assert "登录失败次数过多" in text(in_chinese) and "1 分钟后" in text(in_chinese)
    # Only the five checked tries are in the log; the refusals did not check a password.
    assert checked_passwords() == 5


def test_the_delay_doubles_with_each_further_failure_and_a_success_clears_it(
        app, ctx, time_machine):
    user = make_user("moderator")
    http = app.test_client()
    time_machine.move_to(now(), tick=False)
    for i in range(5):
        assert sign_in(http, user.username, f"guess{i}").status_code == 401
    assert sign_in(http, user.username, PASSWORD).status_code == 429
    time_machine.shift(59)
    assert sign_in(http, user.username, PASSWORD).status_code == 429
    time_machine.shift(2)  # the first lock (60 s) is over: one more try, then 120 s
    assert sign_in(http, user.username, "guess5").status_code == 401
    refused = sign_in(http, user.username, PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "120"
    time_machine.shift(121)
    assert sign_in(http, user.username, "guess6").status_code == 401
    assert sign_in(http, user.username, PASSWORD).headers["Retry-After"] == "240"
    time_machine.shift(241)
    assert sign_in(http, user.username, PASSWORD).status_code == 302
    # Signed in: the account's count starts again at five free tries.
    other = app.test_client()
    for i in range(5):
        assert sign_in(other, user.username, f"again{i}").status_code == 401


def test_one_address_trying_many_accounts_is_throttled(app, ctx):
    """Per address too: one address spraying a password over many names (existing or not)
    gets twenty tries, then waits; another address is not affected."""
    users = [make_user("clerk") for _ in range(3)]
    attacker = from_address(app, "203.0.113.7")
    names = [u.username for u in users] + [f"nobody{i}" for i in range(30)]
    statuses = [sign_in(attacker, name, "Password1").status_code for name in names]
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}
    assert sign_in(attacker, users[0].username, PASSWORD).status_code == 429
    assert sign_in(from_address(app, "198.51.100.2"), users[0].username,
                   PASSWORD).status_code == 302


def test_an_account_lock_applies_from_every_address(app, ctx):
    user = make_user("moderator")
    for i in range(5):
        assert sign_in(from_address(app, f"192.0.2.{i + 1}"), user.username,
                       "wrong").status_code == 401
    assert sign_in(from_address(app, "192.0.2.99"), user.username, PASSWORD).status_code == 429


def test_ipv6_addresses_of_one_network_share_a_count(app, ctx):
    for i in range(20):
        assert sign_in(from_address(app, f"2001:db8:1:2::{i + 1:x}"), f"n{i}",
                       "x").status_code == 401
    assert sign_in(from_address(app, "2001:db8:1:2:ffff::1"), "n99", "x").status_code == 429
    assert sign_in(from_address(app, "2001:db8:1:3::1"), "n99", "x").status_code == 401


def test_concurrent_wrong_passwords_check_at_most_the_budget(app, ctx):
    """Counted in the database before the password is checked: 30 tries at once from 30
    threads (each its own connection) check at most five passwords."""
    user = make_user("moderator")
    username = user.username
    barrier = threading.Barrier(30)
    statuses: list[int] = []

    def attempt(i: int) -> None:
        http = from_address(app, f"198.51.100.{i + 1}")
        barrier.wait()
        statuses.append(sign_in(http, username, f"guess{i}").status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [401, 429] and statuses.count(401) == 5
    assert checked_passwords() == 5


def test_concurrent_sign_ins_and_failures_from_one_address_all_get_an_answer(app, ctx):
    """Successes (which clear and give back) and failures (which count) of two accounts
    from one address at the same moment: each gets its answer, none an error. Four right
    ones: a try in flight counts until its
    password is found right, so five at once would lock the account."""
    right, wrong = make_user("moderator"), make_user("clerk")
    names = {"right": right.username, "wrong": wrong.username}
    barrier = threading.Barrier(16)
    statuses: list[tuple[str, int]] = []

    def attempt(i: int) -> None:
        http = from_address(app, "198.51.100.77")
        kind = "right" if i % 4 == 0 else "wrong"
        barrier.wait()
        response = sign_in(http, names[kind], PASSWORD if kind == "right" else "nope")
        statuses.append((kind, response.status_code))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for kind, code in statuses if kind == "right") == [302] * 4
    assert sorted(code for kind, code in statuses if kind == "wrong") == [401] * 5 + [429] * 7


# --- the sign-in log -----------------------------------------------------------------------

def test_administrators_see_the_sign_in_log(app, ctx):
    admin, clerk = make_user("admin"), make_user("clerk")
    # At a moment of its own, before the suite's (which ticks: a long run passes 18:09).
    with time_machine.travel(datetime(2026, 12, 5, 9, 55, tzinfo=timezone.utc), tick=True):
        assert sign_in(from_address(app, "203.0.113.9"), clerk.username,
                       "wrong").status_code == 401
        login(from_address(app, "203.0.113.10"), clerk)
    http = app.test_client()
    login(http, admin)
    page = text(http.get("/admin/sign-ins", headers=EN))
    rows = re.findall(r"<tr data-success=\"(\w+)\">(.*?)</tr>", page, re.S)
    assert [(ok, clerk.username in row, "203.0.113.10" in row or "203.0.113.9" in row)
            for ok, row in rows[1:3]] == [("true", True, True), ("false", True, True)]
    assert "2026-12-05 17:55" in rows[1][1]  # the time, in the app's zone (Shanghai)
    as_clerk = app.test_client()
    login(as_clerk, clerk)
    assert as_clerk.get("/admin/sign-ins").status_code == 403


# --- sessions on the server ----------------------------------------------------------------

def copy_of(app, http):
    """Another client holding the same session cookie (a copied cookie)."""
    thief = app.test_client()
    cookie = http.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_copied_cookie_stops_working_after_sign_out(app, ctx):
    """Found: the session cookie still worked after sign-out."""
    user = make_user("moderator")
    http = app.test_client()
    login(http, user)
    thief = copy_of(app, http)
    assert thief.get("/cases").status_code == 200
    assert http.post("/logout").status_code == 302
    assert thief.get("/cases").status_code == 302


def test_a_console_socket_of_a_signed_out_session_is_closed(app, ctx):
    """A console connected with the copied cookie before the sign-out: its next command is
    refused and it is closed; it cannot connect again."""
    meeting = make_meeting()
    http = app.test_client()
    login(http, meeting.moderator)
    thief = copy_of(app, http)
    sock = connect(app, meeting, "console", thief)
    assert sock.is_connected("/live")
    assert command(sock, "agenda.next")["ok"]
    http.post("/logout")
    ack = command(sock, "agenda.next")
    assert ack["error"]["code"] == "auth.login_required"
    assert not sock.is_connected("/live")
    assert not connect(app, meeting, "console", thief).is_connected("/live")


def test_a_password_change_ends_every_other_session(app, ctx):
    user = make_user("clerk")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    wrong = laptop.post("/account/password", headers=EN, data={
        "current_password": "nope", "new_password": "a new secret", "repeat": "a new secret"})
    assert wrong.status_code == 400 and "current password is wrong" in text(wrong)
    assert phone.get("/cases").status_code == 200
    short = laptop.post("/account/password", headers=EN, data={
        "current_password": PASSWORD, "new_password": "short", "repeat": "short"})
    assert short.status_code == 400 and "at least 8" in text(short)
    changed = laptop.post("/account/password", headers=EN, data={
        "current_password": PASSWORD, "new_password": "a new secret", "repeat": "a new secret"})
    assert changed.status_code == 302
    assert phone.get("/cases").status_code == 302  # signed out
    assert laptop.get("/cases").status_code == 200  # the one who changed it stays in
    assert sign_in(app.test_client(), user.username, "a new secret").status_code == 302


def test_an_administrator_signs_a_user_out_everywhere(app, ctx):
    admin, user = make_user("admin"), make_user("moderator")
    one, two = app.test_client(), app.test_client()
    login(one, user)
    login(two, user)
    http = app.test_client()
    login(http, admin)
    assert "data-sessions=\"2\"" in text(http.get("/admin/users"))
    response = http.post(f"/admin/users/{user.id}/sign-out", headers=EN)
    assert response.status_code == 302
    assert one.get("/cases").status_code == 302 and two.get("/cases").status_code == 302
    assert http.get("/cases").status_code == 200
    as_user = app.test_client()
    login(as_user, user)
    assert as_user.post(f"/admin/users/{admin.id}/sign-out").status_code == 403
    assert http.get("/cases").status_code == 200


def test_a_session_ends_after_thirty_days(app, ctx, time_machine):
    user = make_user("moderator")
    http = app.test_client()
    login(http, user)
    thief = copy_of(app, http)
    time_machine.move_to(now() + timedelta(days=30, seconds=1))
    assert thief.get("/cases").status_code == 302


# --- HTTPS ---------------------------------------------------------------------------------

@pytest.fixture
def https_public_url(app):
    app.config["PUBLIC_URL"] = "https://yishi.example.org"
    yield
    app.config["PUBLIC_URL"] = None


def test_behind_https_the_cookies_are_secure_and_hsts_is_sent(app, ctx, https_public_url):
    """Found: behind HTTPS the session cookie had no Secure flag."""
    user = make_user("moderator")
    http = app.test_client()
    response = http.post("/login?lang=en", data={"username": user.username,
                                                  "password": PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in cookie for cookie in cookies)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert http.get("/cases").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_a_request_that_came_over_https_gets_secure_cookies(app, ctx):
    """Without PUBLIC_URL: a request the app knows came over HTTPS (TLS on the server, or a
    proxy trusted with PROXY_COUNT) still gets them."""
    user = make_user("moderator")
    http = app.test_client()
    response = http.post("/login", base_url="https://localhost",
                         data={"username": user.username, "password": PASSWORD})
    assert "; Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers
    plain = app.test_client().get("/login")
    assert "Strict-Transport-Security" not in plain.headers


# --- redirects -----------------------------------------------------------------------------

OFF_SITE = ["https://evil.example/x", "//evil.example/x", "/\\evil.example/x",
            "\\\\evil.example", "javascript:alert(1)", " //evil.example", "/\t/evil.example",
            "http:evil.example", "///evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_opening_a_meeting_redirects_only_within_the_site(app, ctx, target):
    """Found: `next=` on /meetings/<id>/open redirected to another host."""
    meeting = make_meeting(live=False)
    http = app.test_client()
    login(http, meeting.moderator)
    response = http.post(f"/meetings/{meeting.id}/open", data={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{meeting.id}"


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_redirects_only_within_the_site(app, ctx, target):
    user = make_user()
    response = app.test_client().post("/login", query_string={"next": target},
                                      data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] == "/cases"


def test_a_path_on_the_site_is_kept(app, ctx):
    meeting = make_meeting(live=False)
    http = app.test_client()
    login(http, meeting.moderator)
    target = f"/meetings/{meeting.id}/console?x=1"
    response = http.post(f"/meetings/{meeting.id}/open", data={"next": target})
    assert response.headers["Location"] == target


# --- headers -------------------------------------------------------------------------------

def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_response_has_the_security_headers(app, ctx):
    meeting = make_meeting()
    http = app.test_client()
    login(http, meeting.moderator)
    responses = [http.get("/cases"), http.get(f"/meetings/{meeting.id}/console"),
                 http.get("/login"), http.get("/no/such/page"),
                 http.get("/api/v1/cases"),
                 app.test_client().get(f"/j/{meeting.join_code}")]
    for response in responses:
        csp = policy(response)
        assert csp["script-src"] == "script-src 'self'", response.request.path
        assert csp["object-src"] == "object-src 'none'"
        assert csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    # A script or a style sheet is never a document: no document's headers, but nosniff.
    for path in ("/static/css/app.css", "/static/js/live.js"):
        response = http.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "Content-Security-Policy" not in response.headers, path


def test_the_projector_may_be_framed_only_where_configured(app, ctx):
    meeting = make_meeting()
    response = app.test_client().get(f"/p/{meeting.projector_token}")
    assert policy(response)["frame-ancestors"] == "frame-ancestors 'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    app.config["PROJECTOR_FRAME_ANCESTORS"] = "'self' https://screens.example.org"
    try:
        response = app.test_client().get(f"/p/{meeting.projector_token}")
    finally:
        app.config["PROJECTOR_FRAME_ANCESTORS"] = "'self'"
    assert policy(response)["frame-ancestors"] == \
        "frame-ancestors 'self' https://screens.example.org"
    assert "X-Frame-Options" not in response.headers  # it cannot name another site


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def test_no_page_has_an_inline_script_or_event_handler(app, ctx):
    meeting = make_meeting()
    http = app.test_client()
    login(http, meeting.moderator)
    pages = [http.get(f"/meetings/{meeting.id}"), http.get(f"/meetings/{meeting.id}/console"),
             http.get(f"/cases/{meeting.case_id}"), http.get("/cases"),
             app.test_client().get(f"/p/{meeting.projector_token}"),
             app.test_client().get(f"/j/{meeting.join_code}?k={meeting.join_key}"),
             app.test_client().get("/login")]
    for page in pages:
        assert page.status_code == 200, page.request.path
        body = text(page)
        assert not INLINE_SCRIPT.search(body), page.request.path
        assert not INLINE_HANDLER.search(body), page.request.path


def test_the_minutes_as_html_are_a_document_without_scripts(app, ctx):
    meeting = make_meeting()
    http = app.test_client()
    login(http, meeting.moderator)
    response = http.get(f"/meetings/{meeting.id}/minutes?draft=1")
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == "default-src 'none'" and "script-src" not in csp
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"


@pytest.mark.parametrize("ahead_seconds,signed_in", [(2, True), (59, True), (61, False)])
def test_a_session_signed_by_a_host_whose_clock_runs_ahead_is_kept_within_a_minute(
        app, ctx, ahead_seconds, signed_in):
    """Behind a balancer, the sign-in may be answered by one host and the next page by
    another whose clock is a little behind: the cookie then seems signed in the future. A
    skew of seconds must not sign the user out; a cookie from far in the future is refused."""
    user = make_user(username="clerk-skew", role="clerk")
    http = app.test_client()
    start = datetime.now(timezone.utc)
    with time_machine.travel(start + timedelta(seconds=ahead_seconds), tick=False):
        login(http, user)  # the host ahead signs the cookie
    with time_machine.travel(start, tick=False):
        page = http.get("/cases")
    assert (page.status_code == 200) is signed_in, page.headers.get("Location")
