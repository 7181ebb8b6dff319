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


def test_deleting_an_agenda_item_takes_a_second_tap(open_page, live_server):
    """The rows below move up when an item goes: a double click must not delete two."""
    page = open_page("console")
    plan_and_open_a_meeting(page, live_server)
    add = page.locator("#agenda-add")
    for title in ("临时议题甲", "临时议题乙"):
        add.locator("input[name=title]").fill(title)
        add.locator("button[type=submit]").click()
        expect(page.locator("#agenda-list")).to_contain_text(title, timeout=LIVE)
        # The form empties itself at the server's answer, which can come after the list has
        # the item (on a loaded machine, after the next title was typed, wiping it).
        expect(add.locator("input[name=title]")).to_have_value("", timeout=LIVE)
    first = page.locator("#agenda-list li", has_text="临时议题甲")
    delete = first.locator("button[data-act=delete]")

    delete.click()  # armed: says so in place, nothing sent
    expect(delete).to_have_text("再点一次确认：删除")
    expect(delete).to_have_class(re.compile(r"\barmed\b"))
    delete.press("Escape")
    expect(delete).to_have_text("删除")

    delete.dblclick()  # a double click deletes the one item it was on
    expect(first).to_have_count(0, timeout=LIVE)
    expect(page.locator("#agenda-list")).to_contain_text("临时议题乙")
