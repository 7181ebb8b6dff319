"""After the meeting, every participant's phone offers the minutes (纪要下载), and the PDF downloads.

Against the real server (eventlet, SQLite, the demo loaded). The demo meeting itself is shared
with the other browser tests and stays live: this test plans its own meeting in the demo case,
from the pages, as a moderator would — opens it, lets a phone join, ends it and finalises the
minutes from the console's minutes panel (纪要).
"""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason before any test runs
    expect = None

LIVE = 10_000
TITLE = "纪要下载测试会"
RESIDENT = "王建华"


def shot(page, artifacts_dir, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / f"{name}.png"))


def plan_and_open_a_meeting(console, server) -> int:
    demo = server.info["meeting_id"]
    console.goto(f"/login?next=/meetings/{demo}")
    console.fill("#username", server.info["username"])
    console.fill("#password", server.info["password"])
    console.locator("form button[type=submit]").click()
    expect(console).to_have_url(re.compile(rf"/meetings/{demo}$"))
    console.locator("p.muted a").first.click()  # the case page
    expect(console).to_have_url(re.compile(r"/cases/\d+$"))
    console.locator("a[href$='/meetings/new']").click()
    console.fill("#f-title", TITLE)
    console.locator("form.form-grid button[type=submit]").click()
    expect(console).to_have_url(re.compile(r"/meetings/\d+$"))
    meeting_id = int(console.url.rsplit("/", 1)[1])
    console.locator("form button.primary[type=submit]").click()  # open the meeting
    console.goto(f"/meetings/{meeting_id}/console")
    expect(console.locator("#connection")).to_have_attribute("data-status", "connected", timeout=LIVE)
    expect(console.locator("#join-code")).to_have_text(re.compile(r"^\d{3} \d{3}$"), timeout=LIVE)
    console.locator("#direct-entry").check()  # the phone comes straight in
    expect(console.locator("#direct-entry")).to_be_checked()
    return meeting_id


def test_after_the_meeting_ends_a_phone_shows_the_minutes_and_the_pdf_downloads(
        open_page, live_server, artifacts_dir):
    console = open_page("console")
    phone = open_page("phone")
    meeting_id = plan_and_open_a_meeting(console, live_server)
    code = console.locator("#join-code").inner_text().replace(" ", "")

    phone.goto(f"/j/{code}")
    phone.fill("#name", RESIDENT)
    phone.locator("input[name=party][value=observer]").check()
    phone.locator("form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(rf"/m/{meeting_id}/phone$"))
    expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)
    expect(phone.locator("#phone-minutes")).to_be_hidden()  # not while the meeting runs
    assert phone.request.get(f"/meetings/{meeting_id}/minutes.pdf").status == 403

    # The clerk's text shows in the console's live draft.
    summary = console.locator("#minutes-sections [data-section=summary]")
    summary.locator("textarea").fill("各方同意先疏通排水口，下次会议再议资金分担。")
    summary.locator("button").click()
    expect(summary.locator("[role=status]")).not_to_have_text("", timeout=LIVE)
    draft = console.frame_locator("#minutes-draft")
    expect(draft.locator("body")).to_contain_text("各方同意先疏通排水口", timeout=LIVE)

    # The moderator ends the meeting: the phone offers the minutes once they are final.
    end = console.locator("#end-meeting")
    end.click()  # the first tap arms the button, in place; the second ends the meeting
    expect(end).to_have_text(re.compile(r"^再点一次确认："))
    expect(phone.locator("#phone-minutes")).to_be_hidden()
    end.click()
    card = phone.locator("#phone-minutes")
    expect(card).to_be_visible(timeout=LIVE)
    expect(card).to_contain_text("纪要下载")
    expect(phone.locator("#phone-minutes-links a")).to_have_count(0)
    finalise = console.locator("#minutes-finalise")
    expect(finalise).to_be_visible(timeout=LIVE)
    finalise.click()
    expect(finalise).to_have_text(re.compile(r"^再点一次确认"))
    finalise.click()
    expect(console.locator("#minutes-versions li")).to_have_count(1, timeout=LIVE)
    expect(console.locator("[data-testid=minutes-v1-pdf]")).to_be_visible()

    pdf_link = phone.locator("[data-testid=phone-minutes-pdf]")
    expect(pdf_link).to_be_visible(timeout=LIVE)
    for fmt in ("docx", "md", "html", "json"):
        expect(phone.locator(f"[data-testid=phone-minutes-{fmt}]")).to_be_visible()
    shot(phone, artifacts_dir, "minutes-01-phone-download")
    # After version 1, the console's draft is the next version's (a correction would make it).
    expect(draft.locator("body")).to_contain_text("第 2 版", timeout=LIVE)
    console.locator("#minutes-draft").scroll_into_view_if_needed()
    shot(console, artifacts_dir, "minutes-02-console-panel")
    with phone.expect_download() as download_info:
        pdf_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith("-v1.pdf"), download.suggested_filename
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    # A browser that never joined gets nothing.
    stranger = open_page("phone", "stranger")
    assert stranger.request.get(f"/meetings/{meeting_id}/minutes.pdf").status == 403
