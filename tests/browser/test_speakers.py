"""The speakers' list in real browsers: three phones raise hands of different kinds, the
projector shows them in the order the rules give, and the speaker's phone gets the floor."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.test_live_meeting import LIVE, open_console, open_projector, shot  # noqa: E402

PEOPLE = [  # name, party, unit, the hand they raise
    ("赵伟", "owner", "3-1-201", "[data-stance=for]"),
    ("周明", "property_company", None, "[data-stance=against]"),
    ("吴静", "owner", "3-1-202", "[data-kind=point_of_order]"),
]


def join_and_admit(phone, console, code: str, name: str, party: str, unit: str | None):
    phone.goto(f"/j/{code}")
    phone.fill("#name", name)
    phone.locator(f"input[name=party][value={party}]").check()
    if unit:
        phone.select_option("#unit", unit)
    phone.locator("form button[type=submit]").click()
    entry = console.locator("#lobby-list li", has_text=name)
    expect(entry).to_have_count(1, timeout=LIVE)
    entry.locator("button[data-act=admit]").click()
    expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)


def test_hands_from_three_phones_in_the_rules_order_and_the_floor(open_page, live_server,
                                                                   artifacts_dir):
    projector, console = open_page("projector"), open_page("console")
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    console.locator("#agenda-next").click()  # an item in progress: hands can go up
    expect(projector.locator("#pj-item-title")).not_to_have_text("", timeout=LIVE)

    phones = []
    for name, party, unit, _ in PEOPLE:
        phone = open_page("phone", label=f"phone-{name}")
        join_and_admit(phone, console, code, name, party, unit)
        phones.append(phone)
    for phone, (_, _, _, button) in zip(phones, PEOPLE):
        phone.locator(f"#hand-buttons button{button}").click()
        expect(phone.locator("[data-testid=phone-place]")).to_have_count(1, timeout=LIVE)

    # A point of order first; then first come, first served among people yet to speak.
    expected = ["吴静", "赵伟", "周明"]
    queue = projector.locator("#pj-next li")
    expect(queue).to_have_count(3, timeout=LIVE)
    for index, name in enumerate(expected):
        expect(queue.nth(index)).to_contain_text(name)
    expect(queue.nth(0)).to_contain_text("程序问题")
    expect(phones[0].locator("[data-testid=phone-place]")).to_contain_text("第 2 位")
    shot(projector, artifacts_dir, "speakers-projector-queue")
    shot(phones[0], artifacts_dir, "speakers-phone-waiting")

    console.locator("#floor-next").click()
    point_phone = phones[2]
    expect(point_phone.locator("#floor-card")).to_be_visible(timeout=LIVE)
    expect(point_phone.locator("#floor-countdown")).to_have_text(re.compile(r"^(1:00|0:5\d)$"),
                                                                 timeout=LIVE)
    expect(projector.locator("#pj-speaker-name")).to_have_text("吴静", timeout=LIVE)
    expect(phones[0].locator("#floor-card")).to_be_hidden()
    expect(queue).to_have_count(2, timeout=LIVE)
    shot(point_phone, artifacts_dir, "speakers-phone-has-the-floor")
    shot(projector, artifacts_dir, "speakers-projector-speaker")
    shot(console, artifacts_dir, "speakers-console")

    # The resident of 3-1-201 withdraws: gone from every screen.
    phones[0].locator("button[data-withdraw]").click()
    expect(queue).to_have_count(1, timeout=LIVE)
    expect(console.locator("#queue-list li", has_text="赵伟")).to_have_count(0, timeout=LIVE)
