"""Elderly mode (长辈模式) on the written ballot's pages after the meeting (an owner's link, the
receipt, the receipt check): the switch remembered from page to page, the sizes and contrast
of test_elderly.py, the vote read aloud with the owner's own share, and the ballot posted
only by a second tap."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.conftest import own_live_server  # noqa: E402
from tests.browser.test_checkin import qr_link_of_invitation  # noqa: E402
from tests.browser.test_elderly import (  # noqa: E402
    RECORD_SPEECH, SIZE_PROBLEMS, check_elderly, spoken, switch_on)
from tests.browser.test_live_meeting import LIVE, open_console, shot  # noqa: E402
from tests.browser.test_projector_fit import send  # noqa: E402
from tests.frozen_time import SHANGHAI  # noqa: E402

# The test ends the meeting: on a server of its own.
live_server = own_live_server("elderly-written")

OWNER = "P13"  # 吕玉兰


def test_elderly_mode_on_the_written_ballot(open_page, live_server, artifacts_dir):
    console = open_page("console")
    open_console(console, live_server)
    meeting_id = live_server.info["meeting_id"]
    link = qr_link_of_invitation(console, meeting_id, OWNER)
    console.goto(f"/meetings/{meeting_id}/console")
    expect(console.locator("#connection")).to_have_attribute("data-status", "connected",
                                                          timeout=LIVE)
    vote_id = send(console, "vote.create", {
        "kind": "owners_decision", "method": "single", "title": "业主共同决定：选择维修方案",
        "question": "同意采用哪个维修方案？", "plans": ["A", "B", "C"]})["vote_id"]
    send(console, "vote.open", {"id": vote_id})
    console.locator(f"[data-testid=written-link-{vote_id}]").click()
    deadline = (datetime.now(SHANGHAI) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    console.fill("[data-testid=written-deadline]", deadline)
    console.locator("[data-testid=written-continue]").click()
    expect(console.locator(".flash")).to_contain_text("表决已转为书面征求意见")
    console.goto(f"/meetings/{meeting_id}/console")
    expect(console.locator("#connection")).to_have_attribute("data-status", "connected",
                                                          timeout=LIVE)
    send(console, "meeting.end", {})

    phone = open_page("phone", "elderly-written")
    phone.add_init_script(RECORD_SPEECH)
    phone.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), ""))
    card = phone.locator(f"[data-testid=written-vote-{vote_id}]")
    own_share_b = card.locator("[data-testid=own-share-B]")
    expect(own_share_b).to_contain_text(re.compile(r"您应分摊 [\d,]+\.\d\d 元"))
    share_b = own_share_b.inner_text()
    # Without elderly mode the page is smaller than elderly mode allows, and reads nothing out.
    assert phone.evaluate(SIZE_PROBLEMS)["bad"]
    expect(card.locator(".read-aloud")).to_be_hidden()
    switch_on(phone)
    least = {"ballot": check_elderly(phone, "ballot")}
    phone.screenshot(path=str(artifacts_dir / "elderly-written-01-ballot.png"), full_page=True)

    card.locator(".read-aloud").click()
    said = spoken(phone)
    assert {s["lang"] for s in said} == {"zh-CN"}
    texts = [s["text"] for s in said]
    assert texts[:2] == ["业主共同决定：选择维修方案", "同意采用哪个维修方案？"]
    assert texts[texts.index(next(t for t in texts if t.startswith("B "))) + 1] == share_b

    # In English: the switch says so, and the page speaks English.
    english = open_page("phone", "elderly-written-en")
    english.add_init_script(RECORD_SPEECH)
    english.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), "") + "?lang=en")
    english.locator("[data-testid=elderly-toggle]", has_text="Large text").click()
    english_card = english.locator(f"[data-testid=written-vote-{vote_id}]")
    english_card.locator(".read-aloud", has_text="Read aloud").click()
    said = spoken(english)
    assert said[0] == {"text": "业主共同决定：选择维修方案", "lang": "en-US"}
    english_card.locator("[data-testid=option-A] input").check()  # armed only: nothing posted
    assert spoken(english)[0]["text"].startswith("Your choice: A ")
    expect(english_card.locator("[data-testid=ballot-submit]")).to_have_text(
        re.compile(r"^Tap again to confirm: A "))

    # The first tap on an option reads it out and asks again; anything else lets it go.
    card.locator("[data-testid=option-B] input").check()
    assert spoken(phone)[0]["text"].startswith("您选择：B ")
    expect(card.locator("[data-testid=option-B] .elderly-confirm")).to_have_text(
        re.compile(r"^再点一次确认：B "))
    card.locator("h2").click()
    expect(card.locator(".elderly-confirm")).to_have_count(0)
    # The same on the button: the first tap asks again, and the page stays.
    submit = card.locator("[data-testid=ballot-submit]")
    submit.click()
    expect(submit).to_have_text(re.compile(r"^再点一次确认：B "))
    shot(phone, artifacts_dir, "elderly-written-02-tap-again")
    assert spoken(phone)[0]["text"].startswith("您选择：B ")
    expect(phone.locator("[data-testid=receipt-code]")).to_have_count(0)
    # The second tap posts it.
    submit.click()
    expect(phone.locator("[data-testid=receipt-code]")).to_have_text(
        re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$"))

    # The receipt and its check: still in elderly mode.
    expect(phone.locator("[data-testid=elderly-toggle]")).to_have_attribute("aria-pressed", "true")
    least["receipt"] = check_elderly(phone, "receipt")
    shot(phone, artifacts_dir, "elderly-written-03-receipt")
    phone.locator("[data-testid=receipt-check-link]").click()
    expect(phone.locator("[data-testid=receipt-state]")).to_have_attribute("data-state", "recorded")
    least["receipt check"] = check_elderly(phone, "receipt check")
    shot(phone, artifacts_dir, "elderly-written-04-check")
    phone.set_viewport_size({"width": 360, "height": 640})
    least["receipt check, 360 px"] = check_elderly(phone, "receipt check, 360 px")
    print("smallest sizes in elderly mode:", least)

    # A browser that cannot speak shows no read-aloud button.
    mute = open_page("phone", "elderly-written-mute")
    mute.add_init_script('Object.defineProperty(window, "speechSynthesis", '
                         '{configurable: true, value: undefined});')
    mute.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), ""))
    switch_on(mute)
    expect(mute.locator(f"[data-testid=written-vote-{vote_id}] h2")).to_be_visible()
    expect(mute.locator(".read-aloud")).to_have_count(0)
