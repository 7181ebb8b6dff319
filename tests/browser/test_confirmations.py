"""Forms of the ordinary pages that cannot be taken back ask in place before a second press
sends them (static/js/confirm.js), as the live console's buttons do: no browser dialog, the
question in the page's language beside the button, and waiting or Escape changes nothing."""
from __future__ import annotations

import re

import pytest

from tests.browser.test_minutes_download import LIVE, plan_and_open_a_meeting

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason before any test runs
    expect = None


def test_ending_a_meeting_from_its_page_takes_a_second_press(open_page, live_server):
    page = open_page("console")
    meeting_id = plan_and_open_a_meeting(page, live_server)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"/meetings/{meeting_id}")
    end = page.locator(f"form[action$='/meetings/{meeting_id}/end'] button[type=submit]")
    note = page.locator(f"form[action$='/meetings/{meeting_id}/end'] [role=alert]")

    end.click()  # asks, beside the button
    expect(note).to_have_text("确定结束会议吗？结束后不能再加入。")
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}$"))
    expect(note).to_have_count(0, timeout=6_000)  # left alone, it lapses

    end.click()
    expect(note).to_be_visible()
    end.press("Escape")  # the keyboard's "no"
    expect(note).to_have_count(0)
    page.reload()
    expect(end).to_be_visible()  # still live: nothing was sent

    end.click()
    end.click()  # the second press within the time sends it
    expect(page.locator(f"form[action$='/meetings/{meeting_id}/end']")).to_have_count(0,
                                                                                     timeout=LIVE)
    assert dialogs == []
