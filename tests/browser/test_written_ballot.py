"""A written ballot in real browsers: the owners' decision continues after the meeting, an
owner opens the QR link of their invitation on a phone, sees their own share, votes, and checks
the receipt on the public page; the notice board's progress page moves."""
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
from tests.browser.test_live_meeting import LIVE, open_console, shot  # noqa: E402
from tests.browser.test_projector_fit import send  # noqa: E402
from tests.frozen_time import SHANGHAI  # noqa: E402

# The test ends the meeting: on a server of its own.
live_server = own_live_server("written")

OWNER = ("P13", "吕玉兰")


def participation(page) -> int:
    text = page.locator("[data-testid=progress-participation]").inner_text()
    return int(re.search(r"已参与表决：(\d+)/38", text).group(1))


def test_an_owner_votes_by_the_link_of_their_invitation_after_the_meeting(
        open_page, live_server, artifacts_dir):
    console = open_page("console")
    open_console(console, live_server)
    meeting_id = live_server.info["meeting_id"]
    link = qr_link_of_invitation(console, meeting_id, OWNER[0])
    console.goto(f"/meetings/{meeting_id}/console")
    expect(console.locator("#connection")).to_have_attribute("data-status", "connected", timeout=LIVE)
    vote_id = send(console, "vote.create", {
        "kind": "owners_decision", "method": "single", "title": "业主共同决定：选择维修方案",
        "plans": ["A", "B", "C"]})["vote_id"]
    send(console, "vote.open", {"id": vote_id})
    send(console, "ballot.record", {"vote_id": vote_id, "owner_key": "P01", "choices": ["A"]})

    # The console's vote leads to the written ballot's page; the chair continues it there.
    console.locator(f"[data-testid=written-link-{vote_id}]").click()
    deadline = (datetime.now(SHANGHAI) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    console.fill("[data-testid=written-deadline]", deadline)
    console.locator("[data-testid=written-continue]").click()
    expect(console.locator(".flash")).to_contain_text("表决已转为书面征求意见")
    progress_url = console.locator("[data-testid=progress-link]").get_attribute("href")
    shot(console, artifacts_dir, "written-staff")
    console.goto(f"/meetings/{meeting_id}/console")
    expect(console.locator("#connection")).to_have_attribute("data-status", "connected", timeout=LIVE)
    send(console, "meeting.end", {})

    board = open_page("projector", "notice-board")
    board.goto(progress_url.replace(re.match(r"https?://[^/]+", progress_url).group(0), ""))
    before = participation(board)
    assert before == 1
    expect(board.locator("[data-testid=progress-result]")).to_contain_text("表决结束前不公布")
    shot(board, artifacts_dir, "written-progress-before")

    phone = open_page("phone")
    phone.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), ""))
    card = phone.locator(f"[data-testid=written-vote-{vote_id}]")
    expect(phone.locator("[data-testid=written-ballot]")).to_contain_text(OWNER[1])
    expect(card.locator("[data-testid=own-share-B]")).to_contain_text(re.compile(r"您应分摊 [\d,]+\.\d\d 元"))
    shot(phone, artifacts_dir, "written-phone-ballot")
    card.locator("[data-testid=option-B] input").check()
    card.locator("[data-testid=ballot-submit]").click()
    code = phone.locator("[data-testid=receipt-code]")
    expect(code).to_have_text(re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$"))
    shot(phone, artifacts_dir, "written-phone-receipt")
    phone.locator("[data-testid=receipt-check-link]").click()
    expect(phone.locator("[data-testid=receipt-state]")).to_have_attribute("data-state", "recorded")
    expect(phone.locator("[data-testid=receipt-choices]")).to_contain_text("B")
    shot(phone, artifacts_dir, "written-phone-receipt-checked")

    board.reload()
    assert participation(board) == before + 1
    shot(board, artifacts_dir, "written-progress-after")
