"""After the meeting, the chair sends the final minutes for signature and three phones answer
on an iPhone-sized screen (390 px): two sign (one draws a signature), one refuses with a
reason; the console shows the answers as they come, and the PDF lists them.

Its own server: the test ends a meeting (of its own, in the demo case) and signs its minutes.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import own_live_server
from tests.browser.test_minutes_download import LIVE, plan_and_open_a_meeting, shot
from tests.unit.test_minutes_renderers import extract_pdf_text, squash

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason before any test runs
    expect = None

live_server = own_live_server("minutes-signoff")

SIGNERS = (("李振宇", "owners_committee"), ("周明", "property_company"), ("高峰", "developer"))
REFUSAL = "对209,400元以外的费用有保留意见"


def test_three_phones_sign_the_minutes_one_refuses_and_the_console_sees_it(
        open_page, live_server, artifacts_dir):
    console = open_page("console")
    meeting_id = plan_and_open_a_meeting(console, live_server)
    code = console.locator("#join-code").inner_text().replace(" ", "")
    phones = {}
    for name, party in SIGNERS:
        phone = phones[name] = open_page("phone", party)
        phone.goto(f"/j/{code}")
        phone.fill("#name", name)
        phone.locator(f"input[name=party][value={party}]").check()
        phone.locator("form button[type=submit]").click()
        expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)

    end = console.locator("#end-meeting")
    end.click()
    end.click()
    finalise = console.locator("#minutes-finalise")
    expect(finalise).to_be_visible(timeout=LIVE)
    finalise.click()
    finalise.click()
    expect(console.locator("#minutes-versions li")).to_have_count(1, timeout=LIVE)
    for phone in phones.values():
        expect(phone.locator("#phone-sign")).to_be_hidden()  # final, not sent yet

    # One person first, then everyone present with a phone (the others).
    request = console.locator("[data-testid=minutes-request]")
    request.locator("select").select_option(label="李振宇 · 业主委员会")
    request.locator("button").click()
    requests = console.locator("[data-testid=minutes-v1-requests] li")
    expect(requests).to_have_count(1, timeout=LIVE)
    expect(phones["周明"].locator("#phone-sign")).to_be_hidden()
    request.locator("select").select_option(value="")
    request.locator("button").click()
    expect(requests).to_have_count(3, timeout=LIVE)

    first = phones["李振宇"]
    card = first.locator("#phone-sign")
    expect(card).to_be_visible(timeout=LIVE)
    expect(card).to_contain_text("第1版纪要")
    document = first.frame_locator("#phone-sign-document")
    expect(document.locator("h1")).to_contain_text("纪要", timeout=LIVE)
    card.scroll_into_view_if_needed()
    shot(first, artifacts_dir, "signoff-01-phone-asked")
    first.fill("#sign-name", "李振宇")
    pad = first.locator("#sign-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    first.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    first.mouse.down()
    for step in range(1, 12):
        first.mouse.move(box["x"] + 20 + step * box["width"] / 14,
                         box["y"] + box["height"] * (0.7 - 0.4 * (step % 2)))
    first.mouse.up()
    shot(first, artifacts_dir, "signoff-02-phone-drawn")
    first.locator("#sign-confirm").click()
    done = first.locator("#phone-sign-done")
    expect(done).to_contain_text("签字确认第1版纪要", timeout=LIVE)
    shot(first, artifacts_dir, "signoff-03-phone-signed")

    second = phones["周明"]
    expect(second.locator("#phone-sign")).to_be_visible(timeout=LIVE)
    second.locator("#sign-confirm").click()  # no name typed: refused, said so
    expect(second.locator("#sign-error")).to_be_visible(timeout=LIVE)
    second.fill("#sign-name", "周明")
    second.locator("#sign-confirm").click()
    expect(second.locator("#phone-sign-done")).to_be_visible(timeout=LIVE)

    third = phones["高峰"]
    expect(third.locator("#phone-sign")).to_be_visible(timeout=LIVE)
    third.fill("#sign-name", "高峰")
    third.locator("#sign-refuse-box summary").click()
    third.fill("#sign-note", REFUSAL)
    third.locator("#sign-refuse").click()
    expect(third.locator("#phone-sign-done")).to_contain_text(REFUSAL, timeout=LIVE)
    shot(third, artifacts_dir, "signoff-04-phone-refused")

    # The console saw each answer come in.
    expect(console.locator("[data-testid=minutes-v1-requests] li[data-answer=signed]")).to_have_count(
        2, timeout=LIVE)
    expect(console.locator("[data-testid=minutes-v1-requests] li[data-answer=refused]")).to_have_count(1)
    expect(console.locator("[data-testid=minutes-v1-signoffs] li[data-method=phone]")).to_have_count(3)
    console.locator("#minutes-versions").scroll_into_view_if_needed()
    shot(console, artifacts_dir, "signoff-05-console")

    response = console.request.get(f"/meetings/{meeting_id}/minutes.pdf")
    assert response.status == 200
    text = squash(extract_pdf_text(response.body()))
    rows = text.split("纪要更正后须重新签字。")[1]
    for name, _ in SIGNERS:
        assert name in rows
    assert rows.count("本人手机签字") == 3 and squash(REFUSAL) in rows
    assert "李振宇（业主委员会）的手写签名" in rows
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", rows)
