"""People waiting in the lobby are seen wherever the moderator is on the console, and are
admitted all at once (issue 16, item 5)."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.test_live_meeting import LIVE, open_console, open_projector, shot  # noqa: E402

WAITING = [("伍家明", "observer"), ("柳春花", "observer"), ("钱小兵", "observer")]


def test_the_lobby_shows_on_top_of_the_console_and_admit_all_lets_everyone_in(
        open_page, live_server, artifacts_dir):
    projector, console = open_page("projector"), open_page("console")
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    banner = console.locator("[data-testid=lobby-banner]")
    expect(banner).to_be_hidden()
    console.mouse.wheel(0, 20000)  # the moderator is far down the page, at the minutes
    phones = []
    for name, party in WAITING:
        phone = open_page("phone", f"lobby-{name}")
        phone.goto(f"/j/{code}")
        phone.fill("#name", name)
        phone.locator(f"input[name=party][value={party}]").check()
        phone.locator("form button[type=submit]").click()
        phones.append(phone)
    expect(banner).to_have_text(re.compile(r"3 人在等候区等待入场"), timeout=LIVE)
    expect(banner).to_be_in_viewport()
    shot(console, artifacts_dir, "lobby-01-banner")
    banner.locator("#lobby-admit-all").click()
    for phone in phones:
        expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)
    expect(banner).to_be_hidden(timeout=LIVE)
    expect(console.locator("#lobby-list button[data-act=admit]")).to_have_count(0)
