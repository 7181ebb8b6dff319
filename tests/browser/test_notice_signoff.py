"""After the meeting, the chair sends an owners' decision's result notice for signature from
its page, and three phones (390 px) answer in their signing card: two sign (one of them on a
weak network, whose card fetches the notice again until it shows and lets it sign only
then), one refuses with a reason (the server will not show it the notice: it is not asked
again, and it cannot sign); the notice page lists the answers and the notice's PDF lists the
sign-offs.

Its own server: the test closes a vote and ends the demo meeting.
"""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.conftest import own_live_server
from tests.browser.test_live_meeting import LIVE, open_console, shot
from tests.browser.test_minutes_signoff import REFUSAL, SIGNERS
from tests.browser.test_projector_fit import send
from tests.unit.test_minutes_renderers import extract_pdf_text, squash

live_server = own_live_server("notice-signoff")


def test_three_phones_sign_the_result_notice_one_refuses_and_its_page_sees_it(
        open_page, live_server, artifacts_dir):
    console = open_page("console")
    open_console(console, live_server)
    meeting_id = live_server.info["meeting_id"]
    vote_id = send(console, "vote.create", {
        "kind": "owners_decision", "method": "single", "title": "业主共同决定：选择维修方案",
        "plans": ["A", "B", "C"]})["vote_id"]
    send(console, "vote.open", {"id": vote_id})
    for key, choice in (("P01", "A"), ("P02", "B"), ("P03", "B")):
        send(console, "ballot.record", {"vote_id": vote_id, "owner_key": key, "choices": [choice]})
    send(console, "vote.close", {"id": vote_id})
    send(console, "meeting.configure", {"allow_direct_entry": True})
    code = console.locator("#join-code").inner_text().replace(" ", "")
    phones = {}
    for name, party in SIGNERS:
        phone = phones[name] = open_page("phone", party)
        phone.goto(f"/j/{code}")
        phone.fill("#name", name)
        phone.locator(f"input[name=party][value={party}]").check()
        phone.locator("form button[type=submit]").click()
        expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)
    # 周明's phone is on a weak network: its first two fetches of the notice fail.
    failed = []

    def weak_network(route):
        if len(failed) < 2:
            failed.append(route.request.url)
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()
    phones["周明"].route("**/notice.html", weak_network)
    # 高峰's phone may not read it at all (the server refuses): it is not asked again.
    refused = []

    def not_allowed(route):
        refused.append(route.request.url)
        route.fulfill(status=403, body="no")
    phones["高峰"].route("**/notice.html", not_allowed)
    send(console, "meeting.end", {})

    console.goto(f"/meetings/{meeting_id}/votes/{vote_id}/notice")
    console.locator("[data-testid=notice-submit]").click()
    content_hash = console.locator("[data-testid=notice-hash]").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash)
    for phone in phones.values():
        expect(phone.locator("#phone-sign")).to_be_hidden()  # issued, not sent yet
    form = console.locator("[data-testid=notice-sign-request]")
    form.locator("input[name=participant_ids]").first.check()  # 李振宇 first
    form.locator("[data-testid=notice-sign-chosen]").click()
    expect(console.locator("[data-testid=notice-requests] li")).to_have_count(1)
    console.locator("[data-testid=notice-sign-everyone]").click()
    expect(console.locator("[data-testid=notice-requests] li")).to_have_count(3)
    shot(console, artifacts_dir, "notice-signoff-01-page-asked")

    first = phones["李振宇"]
    card = first.locator("#phone-sign")
    expect(card).to_be_visible(timeout=LIVE)
    expect(card.locator("h2")).to_have_text("结果公示签字确认")
    expect(card).to_contain_text("业主共同决定：选择维修方案")
    expect(first.locator("#phone-sign-hash")).to_have_text(content_hash)
    expect(first.frame_locator("#phone-sign-document").locator("h1")).to_contain_text(
        "公示", timeout=LIVE)
    card.scroll_into_view_if_needed()
    shot(first, artifacts_dir, "notice-signoff-02-phone-asked")
    first.fill("#sign-name", "李振宇")
    first.locator("#sign-confirm").click()
    expect(first.locator("#phone-sign-done")).to_contain_text("签字确认“业主共同决定", timeout=LIVE)
    expect(first.locator("#phone-sign-form")).to_be_hidden()

    second = phones["周明"]
    expect(second.locator("#phone-sign")).to_be_visible(timeout=LIVE)
    # It says the document did not come, tries again, and shows it: no empty frame to sign.
    # Meanwhile it cannot sign what it does not show.
    expect(second.locator("#phone-sign-document-status")).to_contain_text("未能载入")
    expect(second.locator("#sign-confirm")).to_be_disabled()
    expect(second.frame_locator("#phone-sign-document").locator("h1")).to_contain_text(
        "公示", timeout=LIVE)
    expect(second.locator("#phone-sign-document-status")).to_be_hidden()
    expect(second.locator("#sign-confirm")).to_be_enabled()
    assert len(failed) == 2
    second.fill("#sign-name", "周明")
    second.locator("#sign-confirm").click()
    expect(second.locator("#phone-sign-done")).to_be_visible(timeout=LIVE)

    third = phones["高峰"]
    expect(third.locator("#phone-sign")).to_be_visible(timeout=LIVE)
    expect(third.locator("#phone-sign-document-status")).to_contain_text("无法打开",
                                                                         timeout=LIVE)
    expect(third.locator("#sign-confirm")).to_be_disabled()  # it may still refuse
    third.fill("#sign-name", "高峰")
    third.locator("#sign-refuse-box summary").click()
    third.fill("#sign-note", REFUSAL)
    third.locator("#sign-refuse").click()
    expect(third.locator("#phone-sign-done")).to_contain_text(REFUSAL, timeout=LIVE)
    assert len(refused) == 1  # a refusal of the server's is not tried again
    shot(third, artifacts_dir, "notice-signoff-03-phone-refused")

    console.reload()
    requests = console.locator("[data-testid=notice-requests] li")
    expect(requests.locator("xpath=self::*[@data-answer='signed']")).to_have_count(2)
    expect(requests.locator("xpath=self::*[@data-answer='refused']")).to_have_count(1)
    shot(console, artifacts_dir, "notice-signoff-04-page-answered")

    response = console.request.get(f"/meetings/{meeting_id}/votes/{vote_id}/notice.pdf")
    assert response.status == 200
    rows = squash(extract_pdf_text(response.body())).split("公示发布后内容不再改变。")[1]
    for name, _ in SIGNERS:
        assert name in rows
    assert rows.count("本人手机签字") == 3
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", rows)
