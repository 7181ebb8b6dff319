"""The join link and QR code phones are given when the moderator opens the console on the
server's own laptop as http://127.0.0.1:5000 (issue 16, item 7)."""
from __future__ import annotations

import pytest

from facilitator.extensions import db

from facilitator.models import User

from tests.factories import PASSWORD, make_meeting

LOCAL = "http://127.0.0.1:5000"


@pytest.fixture
def console(app, ctx):
    meeting = make_meeting()
    moderator = db.session.get(User, meeting.moderator_id)
    db.session.commit()
    client = app.test_client()
    client.moderator = moderator.username
    yield client, meeting.id
    for key in ("LAN_ADDRESSES", "PUBLIC_URL"):
        app.config[key] = None


def open_console(client, meeting_id, base=LOCAL, language="zh"):
    """The console as the moderator opens it at `base` (signed in there: a cookie is kept
    per host)."""
    signed_in = client.post("/login", base_url=base,
                            data={"username": client.moderator, "password": PASSWORD})
    assert signed_in.status_code == 302
    response = client.get(f"/meetings/{meeting_id}/console", base_url=base,
                          headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_console_opened_as_localhost_gives_phones_the_local_network_address(app, console):
    client, meeting_id = console
    app.config["LAN_ADDRESSES"] = ["192.168.1.23"]
    page = open_console(client, meeting_id)
    assert 'data-join-base="http://192.168.1.23:5000/j/"' in page
    assert 'id="join-unreachable"' not in page
    qr = client.get("/join-qr/123456.svg", base_url=LOCAL)
    assert qr.status_code == 200


def test_without_a_local_network_address_the_console_warns_in_the_users_language(app, console):
    client, meeting_id = console
    app.config["LAN_ADDRESSES"] = []
    page = open_console(client, meeting_id)
    assert 'data-join-base="http://127.0.0.1:5000/j/"' in page
    assert "手机无法打开这个加入地址：它只指向本机（127.0.0.1）" in page
    assert "Phones cannot open this join address" in open_console(client, meeting_id,
                                                                  language="en")


def test_public_url_wins_and_an_address_phones_can_reach_gets_no_warning(app, console):
    client, meeting_id = console
    app.config["LAN_ADDRESSES"] = ["192.168.1.23"]
    app.config["PUBLIC_URL"] = "https://yishi.example.org"
    page = open_console(client, meeting_id)
    assert 'data-join-base="https://yishi.example.org/j/"' in page
    app.config["PUBLIC_URL"] = None
    page = open_console(client, meeting_id, base="http://192.168.1.40:5000")
    assert 'data-join-base="http://192.168.1.40:5000/j/"' in page
    assert 'id="join-unreachable"' not in page


def test_a_host_header_that_is_no_host_is_answered_as_it_came(app, console):
    client, _meeting_id = console
    app.config["LAN_ADDRESSES"] = ["192.168.1.23"]
    response = client.get("/join-qr/123456.svg", headers={"Host": "127.0.0.1:notaport"})
    assert response.status_code == 200 and b"<svg" in response.data
