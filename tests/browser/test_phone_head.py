"""The phone's head (the meeting's title, the language switch, elderly mode) on a narrow phone:
the link to the other language is one line, in English too, where the long title pressed the
switch so that "中文" stood one character above the other."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.test_live_meeting import shot  # noqa: E402

# How many lines a link takes (an inline box broken over lines has a rectangle per line).
LINES = "(link) => link.getClientRects().length"


@pytest.mark.parametrize("locale, other", [("en", "zh"), ("zh-CN", "en")])
@pytest.mark.parametrize("width", [390, 360])
def test_the_language_switch_stays_on_one_line(open_page, live_server, artifacts_dir,
                                                locale, other, width):
    phone = open_page("phone", f"head-{locale}-{width}", locale=locale)
    phone.set_viewport_size({"width": width, "height": 844})
    phone.goto(f"/j/{live_server.info['join_code']}")
    expect(phone.locator("#join-form")).to_be_visible()
    switch = phone.locator(f".phone-head a[hreflang={other}]")
    assert switch.evaluate(LINES) == 1
    toggle = phone.locator("[data-testid=elderly-toggle]")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert switch.evaluate(LINES) == 1
    shot(phone, artifacts_dir, f"phone-head-{locale}-{width}")
    toggle.click()
