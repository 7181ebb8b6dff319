"""An owner's phone (an iPhone 13, 390×844) shows their own share beside each plan and each option of the
open vote; when a vote opens the phone brings it into view and vibrates. A phone without a
unit shows the sample shares of the plans' tables instead."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.conftest import own_live_server  # noqa: E402
from tests.browser.test_live_meeting import LIVE, open_console, open_projector, shot  # noqa: E402
from tests.browser.test_speakers import join_and_admit  # noqa: E402
from tests.browser.test_votes import open_straw_poll  # noqa: E402
from tests.browser.test_checkin import join_with_code  # noqa: E402

# The test closes a straw poll, whose result the shared demo's projector would then show in
# place of the plans: on a server of its own.
live_server = own_live_server("shares")

# The phone's vibrations, recorded (a headless browser has no motor to vibrate).
RECORD_VIBRATIONS = """
window.vibrations = [];
Object.defineProperty(navigator, "vibrate", {
  configurable: true,
  value: (pattern) => { window.vibrations.push(pattern); return true; },
});
"""


def plan_summary(phone, key: str):
    return phone.locator(f"#phone-votes details.plan[data-plan={key}] summary")


def test_an_owners_phone_shows_their_share_and_brings_an_opened_vote_into_view(
        open_page, live_server, artifacts_dir):
    projector, console = open_page("projector"), open_page("console")
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    owner = open_page("phone", "share-owner")
    # iPhone 13: a 390×844 screen, of which the browser's bars leave 390×664 to the page.
    assert owner.viewport_size == {"width": 390, "height": 664}
    owner.add_init_script(RECORD_VIBRATIONS)
    join_and_admit(owner, console, code, "韩军", "owner", "3-1-501")  # 89.76 m²
    expert = open_page("phone", "share-expert")
    join_and_admit(expert, console, code, "刘工", "expert", None)

    # Each plan with the owner's own share (case.json: 89.76 m² pays 4,754.03 under plan C).
    expect(plan_summary(owner, "C").locator("[data-testid=plan-share]")).to_have_text(
        "您的分摊：¥4,754.03", timeout=LIVE)
    for key in ("A", "B"):
        expect(plan_summary(owner, key).locator("[data-testid=plan-share]")).to_have_text(
            re.compile(r"^您的分摊：¥\d{1,3}(,\d{3})*\.\d{2}$"))
    # Plan B both draws on the fund and levies the owners: what the share is made of.
    plan_summary(owner, "B").click()
    expect(owner.locator("details.plan[data-plan=B] .my-share-parts")).to_have_text(
        re.compile(r"^其中维修资金 ¥[\d,]+\.\d{2}，业主筹集 ¥[\d,]+\.\d{2}$"))
    plan_summary(owner, "B").scroll_into_view_if_needed()
    shot(owner, artifacts_dir, "40-phone-own-share-plans")
    # Someone without a unit sees the plans' sample shares, and no "your share".
    expect(expert.locator("#phone-votes details.plan[data-plan=C]")).to_contain_text(
        "89.76 m² 分摊 4,754.03 元", timeout=LIVE)
    expect(expert.locator("[data-testid=plan-share]")).to_have_count(0)

    # Read further down the page (the agenda): the vote opens out of sight.
    owner.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    owner.wait_for_function("() => window.scrollY > 0")
    assert owner.evaluate("window.vibrations.length") == 0
    vote = open_straw_poll(console, "意向表决：我的分摊")
    card = owner.locator("[data-testid=phone-vote]")
    expect(card).to_contain_text("意向表决：我的分摊", timeout=LIVE)
    expect(card).to_be_in_viewport(timeout=LIVE)
    assert owner.evaluate("window.vibrations") == [[200, 100, 200]]
    option_c = card.locator("label.choice", has=owner.locator("input[value=C]"))
    expect(option_c.locator("[data-testid=option-share]")).to_have_text(
        "您的分摊：¥4,754.03", timeout=LIVE)
    expect(card.locator("label.choice", has=owner.locator("input[value=abstain]"))
           .locator("[data-testid=option-share]")).to_have_count(0)
    # At the top of the screen, its head (the kind of vote) in sight.
    top = owner.evaluate("document.querySelector('[data-testid=phone-vote]')"
                         ".getBoundingClientRect().top")
    assert 0 <= top < 40, top
    shot(owner, artifacts_dir, "41-phone-vote-opened-with-shares")

    # Once voted the form is gone; the share still stands beside each option.
    option_c.locator("input").check()
    card.locator("button[type=submit]").click()
    expect(card.locator("[data-testid=phone-voted]")).to_be_visible(timeout=LIVE)
    expect(card.locator(".my-shares li", has_text="C ·")).to_contain_text("您的分摊：¥4,754.03")
    expect(expert.locator("[data-testid=option-share]")).to_have_count(0)
    shot(owner, artifacts_dir, "42-phone-voted-with-shares")

    close = vote.locator("button[data-act='vote.close']")
    close.click()
    expect(close).to_have_text(re.compile(r"^再点一次确认"))
    close.click()
    expect(vote).not_to_contain_text("投票中", timeout=LIVE)


def test_the_share_in_english(open_page, live_server, artifacts_dir):
    console = open_page("console")
    open_console(console, live_server)
    code = open_projector(open_page("projector"), live_server)
    owner = open_page("phone", "share-owner-en")
    owner.goto("/?lang=en")
    join_and_admit(owner, console, code, "程晓东", "owner", "3-1-601")  # 89.76 m²
    expect(plan_summary(owner, "C").locator("[data-testid=plan-share]")).to_have_text(
        "Your share: ¥4,754.03", timeout=LIVE)


def test_an_owner_of_two_units_sees_both_once_checked_at_the_desk(open_page, live_server,
                                                                   artifacts_dir):
    console = open_page("console")
    open_console(console, live_server)
    code = open_projector(open_page("projector"), live_server)
    owner = open_page("phone", "share-two-units")
    join_with_code(owner, code, "胡丽华", "3-1-301")  # and 3-1-302, says the roster
    claim = console.locator("[data-testid=checkin-pending] li", has_text="胡丽华")
    expect(claim).to_contain_text("名册登记：胡丽华", timeout=LIVE)
    console.locator("#lobby-list li", has_text="胡丽华").locator("button[data-act=admit]").click()
    share = plan_summary(owner, "C").locator("[data-testid=plan-share]")
    # The claim alone: the claimed unit's share, and nothing of another unit.
    expect(share).to_have_text("您的分摊：¥4,754.03", timeout=LIVE)
    expect(owner.locator("[data-testid=my-share-units]")).to_have_count(0)
    claim.locator("input[data-note]").fill("房产证")
    claim.locator("button[data-act=verify]").click()
    # Verified: both units, 89.76 + 118.42 = 208.18 m², and each unit's share.
    expect(share).to_have_text("您的分摊：¥11,026.01", timeout=LIVE)
    plan_summary(owner, "C").click()
    units = owner.locator("details.plan[data-plan=C] [data-testid=my-share-units]")
    expect(units).to_have_text(re.compile(
        r"^3-1-301 分摊 ¥4,754\.03\s*3-1-302 分摊 ¥6,271\.98\s*合计按您名下 208\.18 m² 计算$"))
    plan_summary(owner, "C").scroll_into_view_if_needed()
    shot(owner, artifacts_dir, "43-phone-two-units-verified")
