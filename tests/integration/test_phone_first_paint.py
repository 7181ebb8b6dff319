"""What a phone shows before any script has run: on a slow mobile network the page itself is
the first thing to arrive, seconds before its scripts and the live connection. A phone that
joined before sees the meeting and the item in progress; elderly mode is large at once; the
style comes with the page (facilitator/web/join.py, templates/base.html)."""
from __future__ import annotations

import re

import pytest

from facilitator.web import join

from tests.factories import chair_of, join_from_phone, make_meeting, run


@pytest.fixture(autouse=True)
def no_kept_pages(monkeypatch):
    monkeypatch.setattr(join, "_join_pages", {})


def _item_heading(page: str) -> str:
    return re.search(r'<h2 id="phone-item"[^>]*>[^<]*</h2>', page).group(0)


def test_a_phone_that_joined_before_is_drawn_in_the_meeting_with_the_item_in_progress(app, ctx):
    meeting = make_meeting(direct_entry=True)
    run(meeting, chair_of(meeting), "agenda.next", {})  # 开场 in progress
    stranger = app.test_client().get(f"/j/{meeting.join_code}").get_data(as_text=True)
    assert '<section id="phone-live" hidden>' in stranger  # the join form comes first
    assert _item_heading(stranger) == '<h2 id="phone-item" data-testid="phone-item"></h2>'

    phone, _ = join_from_phone(app, meeting)
    for url in (f"/j/{meeting.join_code}", f"/m/{meeting.id}/phone"):  # the QR code again, a reload
        page = phone.get(url).get_data(as_text=True)
        assert '<section id="phone-live">' in page, url
        assert _item_heading(page) == ('<h2 id="phone-item" data-testid="phone-item" '
                                       'data-user-text="" lang="zh-CN">开场</h2>'), url
    # Another phone without a cookie still gets the page of a stranger (pages are kept per
    # variant, never one phone's for another).
    assert app.test_client().get(f"/j/{meeting.join_code}").get_data(as_text=True) == stranger


def test_elderly_mode_remembered_in_its_cookie_is_large_from_the_first_frame(app, ctx):
    meeting = make_meeting()
    http = app.test_client()
    assert re.search(r"<html [^>]*>", http.get(f"/j/{meeting.join_code}").get_data(as_text=True)
                     ).group(0) == '<html lang="zh-CN">'
    http.set_cookie("elderly-mode", "on")
    page = http.get(f"/j/{meeting.join_code}").get_data(as_text=True)
    assert re.search(r"<html [^>]*>", page).group(0) == '<html lang="zh-CN" class="elderly">'
    http.set_cookie("elderly-mode", "off")
    assert 'class="elderly"' not in http.get(f"/j/{meeting.join_code}").get_data(as_text=True)


def test_a_phone_page_carries_its_style_and_holds_nothing_back(app, ctx):
    meeting = make_meeting()
    page = app.test_client().get(f"/j/{meeting.join_code}").get_data(as_text=True)
    head = page[:page.index("</head>")]
    assert "<style>" in head and ".phone-card" in head and 'rel="stylesheet"' not in page
    # No script in the head that the page waits for: each is deferred or a module.
    assert all(" defer" in tag or 'type="module"' in tag or 'type="application/json"' in tag
               for tag in re.findall(r"<script[^>]*>", page)), re.findall(r"<script[^>]*>", page)
