"""Verified owners in real browsers: an owner opens the personal link printed on their
invitation (the QR code decoded from the PDF), another is checked at the desk, both vote in an
owners' decision; a third who only holds the join code is sent to the desk."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.test_live_meeting import LIVE, decode_qr, open_console, shot  # noqa: E402
from tests.support import require_service  # noqa: E402

INVITED = ("P13", "吕玉兰", "3-1-702")
AT_DESK = ("尹建华", "3-2-601")
CODE_ONLY = ("文亚楠", "3-2-702")


def verified_owners(console) -> int:
    text = console.locator("[data-testid=checkin-figures]").inner_text()
    return int(re.search(r"已核验业主 (\d+)/", text).group(1))


def qr_link_of_invitation(console, meeting_id: int, owner_key: str) -> str:
    tool = shutil.which("pdftoppm")
    require_service(tool is not None, "pdftoppm (poppler-utils) is not installed")
    page = console.context.new_page()
    page.goto(f"/meetings/{meeting_id}/invitations")
    issue = page.locator("[data-testid=invitations-issue]")
    if issue.count():
        issue.click()
        expect(page.locator("[data-testid=invitation-counts]")).to_contain_text("已发放 38 份")
    response = page.request.get(f"/meetings/{meeting_id}/invitations.pdf?owner={owner_key}")
    assert response.ok and response.body().startswith(b"%PDF")
    png = subprocess.run([tool, "-f", "2", "-l", "2", "-r", "110", "-png", "-"],
                         input=response.body(), capture_output=True, check=True,
                         timeout=60).stdout
    page.close()
    (link,) = decode_qr(png)
    return link


def join_with_code(phone, code: str, name: str, unit: str) -> None:
    phone.goto(f"/j/{code}")
    phone.fill("#name", name)
    phone.locator("input[name=party][value=owner]").check()
    phone.select_option("#unit", unit)
    phone.locator("form button[type=submit]").click()


def test_invited_and_desk_checked_owners_vote_and_an_unverified_one_is_sent_to_the_desk(
        open_page, live_server, artifacts_dir):
    console = open_page("console")
    open_console(console, live_server)
    meeting_id, code = live_server.info["meeting_id"], live_server.info["join_code"]
    figures = console.locator("[data-testid=checkin-figures]")
    expect(figures).to_contain_text("已核验业主", timeout=LIVE)
    before = verified_owners(console)

    # The printed invitation's QR code opens the owner's link: joined, verified, no lobby.
    link = qr_link_of_invitation(console, meeting_id, INVITED[0])
    assert re.search(r"/i/[A-Za-z0-9_-]{22}$", link)
    invited = open_page("phone", "invited")
    invited.goto(link)
    expect(invited.locator("#phone-live")).to_be_visible(timeout=LIVE)
    expect(figures).to_contain_text(f"已核验业主 {before + 1}/38", timeout=LIVE)
    verified = console.locator("[data-testid=checkin-verified] li", has_text=INVITED[1])
    expect(verified).to_contain_text("个人邀请链接")

    # An owner who came with the join code only: verified at the desk, beside the roster.
    desk = open_page("phone", "desk")
    join_with_code(desk, code, *AT_DESK)
    claim = console.locator("[data-testid=checkin-pending] li", has_text=AT_DESK[0])
    expect(claim).to_contain_text("名册登记：尹建华", timeout=LIVE)
    console.locator("#checkin-card").screenshot(path=str(artifacts_dir / "checkin-card-claim.png"))
    claim.locator("input[data-note]").fill("身份证")
    claim.locator("button[data-act=verify]").click()
    expect(figures).to_contain_text(f"已核验业主 {before + 2}/38", timeout=LIVE)
    expect(desk.locator("#phone-live")).to_be_visible(timeout=LIVE)

    # A third claims a unit with the join code and is not checked in.
    unverified = open_page("phone", "unverified")
    join_with_code(unverified, code, *CODE_ONLY)
    pending = console.locator("[data-testid=checkin-pending] li", has_text=CODE_ONLY[0])
    expect(pending).to_have_count(1, timeout=LIVE)
    console.locator("#lobby-list li", has_text=CODE_ONLY[0]).locator(
        "button[data-act=admit]").click()
    expect(unverified.locator("#phone-live")).to_be_visible(timeout=LIVE)

    # The owners' decision: yes/no on using the fund, verified owners only (the default).
    form = console.locator("#vote-new")
    form.locator("input[name=title]").fill("业主共同决定：使用维修资金（核验）")
    form.locator("select[name=kind]").select_option("owners_decision")
    form.locator("select[name=method]").select_option("yes_no")
    form.locator("input[name=matter][value=use_fund]").check()
    form.locator("button[type=submit]").click()
    vote = console.locator("#votes-console .vote-list li", has_text="使用维修资金（核验）")
    expect(vote).to_contain_text("仅计已核验业主", timeout=LIVE)
    vote.locator("button[data-act='vote.open']").click()
    expect(vote).to_contain_text("投票中", timeout=LIVE)

    for phone, choice in ((invited, "yes"), (desk, "no")):
        card = phone.locator("[data-testid=phone-vote]")
        expect(card).to_contain_text("使用维修资金（核验）", timeout=LIVE)
        card.locator(f"input[type=radio][value={choice}]").check()
        card.locator("button[type=submit]").click()
        expect(card.locator("[data-testid=phone-voted]")).to_be_visible(timeout=LIVE)
    shot(invited, artifacts_dir, "checkin-phone-invited-voted")
    refused = unverified.locator("[data-testid=phone-not-eligible]")
    expect(refused).to_contain_text("请先到签到台", timeout=LIVE)
    expect(unverified.locator("[data-testid=phone-vote] form")).to_have_count(0)
    shot(unverified, artifacts_dir, "checkin-phone-sent-to-the-desk")
    console.locator("#checkin-card").screenshot(path=str(artifacts_dir / "checkin-card-after.png"))
    cancel = vote.locator("button[data-act='vote.cancel']")
    cancel.click()
    expect(cancel).to_have_text(re.compile(r"^再点一次确认"))
    cancel.click()  # the second tap confirms; the shared meeting is left clean
    expect(vote).to_have_count(0, timeout=LIVE)  # a cancelled vote leaves the list
