"""A vote in real browsers: the moderator opens a straw poll on plans A/B/C, three phones
vote, the projector follows the participation live and then shows the result with the
rule's explanation."""
from __future__ import annotations

import re
import sqlite3

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.test_live_meeting import LIVE, open_console, open_projector, shot  # noqa: E402
from tests.browser.test_speakers import join_and_admit  # noqa: E402

VOTERS = [("范文斌", "3-2-101", "C"), ("邹春生", "3-2-201", "C"), ("白立新", "3-2-301", "A")]


def open_straw_poll(console, title: str):
    """A straw poll of the owners present on the plans, created and opened on the console;
    its entry in the console's list."""
    form = console.locator("#vote-new")
    form.locator("input[name=title]").fill(title)
    form.locator("select[name=eligibility]").select_option("owners_present")
    form.locator("button[type=submit]").click()
    vote = console.locator("#votes-console .vote-list li", has_text=title)
    expect(vote).to_have_count(1, timeout=LIVE)
    vote.locator("button[data-act='vote.open']").click()
    expect(vote).to_contain_text("投票中", timeout=LIVE)
    return vote


def test_three_phones_vote_and_the_projector_shows_the_result_with_its_rule(
        open_page, live_server, artifacts_dir):
    projector, console = open_page("projector"), open_page("console")
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    phones = []
    for n, (name, unit, _) in enumerate(VOTERS):
        phone = open_page("phone", f"voter-{n}")
        join_and_admit(phone, console, code, name, "owner", unit)
        phones.append(phone)

    # The console shows the demo's plans with each owner's share of the fund.
    plans = console.locator("#votes-console .plan-list")
    expect(plans).to_contain_text("综合治理", timeout=LIVE)
    expect(plans).to_contain_text("89.76 m² 分摊 4,754.03 元")

    # The moderator creates a straw poll of the owners present on A/B/C and opens it.
    vote = open_straw_poll(console, "意向表决：方案 A / B / C")

    panel = projector.locator("#pj-vote")
    expect(panel).to_be_visible(timeout=LIVE)
    expect(panel).to_contain_text("意向表决（不具约束力）")
    expect(panel).to_contain_text("结果将在投票结束后公布")
    expect(panel.locator("[data-testid=vote-participation]")).to_contain_text("已投票 0 /")
    shot(projector, artifacts_dir, "20-projector-vote-open")

    for n, (phone, (_, _, choice)) in enumerate(zip(phones, VOTERS)):
        card = phone.locator("[data-testid=phone-vote]")
        expect(card).to_contain_text("意向表决：方案 A / B / C", timeout=LIVE)
        card.locator(f"input[type=radio][value={choice}]").check()
        card.locator("button[type=submit]").click()
        expect(card.locator("[data-testid=phone-voted]")).to_be_visible(timeout=LIVE)
        expect(card).to_contain_text(f"您的选择：{choice}")
        expect(panel.locator("[data-testid=vote-participation]")).to_contain_text(
            f"已投票 {n + 1} /", timeout=LIVE)
    shot(phones[0], artifacts_dir, "21-phone-voted")
    shot(projector, artifacts_dir, "22-projector-participation")

    # A second ballot from the same phone is refused: the form is gone (no change allowed).
    expect(phones[0].locator("[data-testid=phone-vote] form")).to_have_count(0)

    close = vote.locator("button[data-act='vote.close']")
    close.click()  # the first tap only arms it: nothing closes
    expect(close).to_have_text("再点一次确认：结束投票")
    expect(vote).to_contain_text("投票中")
    shot(console, artifacts_dir, "23a-console-close-armed")
    # Left alone, the armed button goes back after a few seconds, and nothing was closed.
    expect(close).to_have_text("结束投票", timeout=8000)
    expect(vote).to_contain_text("投票中")
    close.click()
    expect(close).to_have_text(re.compile(r"^再点一次确认"))
    close.click()
    explanation = panel.locator("[data-testid=vote-explanation]")
    expect(explanation).to_have_text(re.compile(r"^通过（选项 C）：2/3 人（66\.7%）；需得票多于其他任一选项"),
                                     timeout=LIVE)
    expect(panel.locator("li[data-choice=C]")).to_contain_text("2 人")
    expect(phones[1].locator(".vote-result")).to_contain_text("通过", timeout=LIVE)
    shot(projector, artifacts_dir, "23-projector-result")
    shot(console, artifacts_dir, "24-console-result")


def test_a_straw_poll_whose_top_is_shared_shows_a_tie_on_every_screen(
        open_page, live_server, artifacts_dir):
    projector, console = open_page("projector"), open_page("console")
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    phones = []
    for n, (name, unit, _) in enumerate(VOTERS[1:]):  # one votes C, the other A
        phone = open_page("phone", f"tie-{n}")
        join_and_admit(phone, console, code, name, "owner", unit)
        phones.append(phone)
    vote = open_straw_poll(console, "意向表决：平票")
    for phone, (_, _, choice) in zip(phones, VOTERS[1:]):
        card = phone.locator("[data-testid=phone-vote]")
        card.locator(f"input[type=radio][value={choice}]").check(timeout=LIVE)
        card.locator("button[type=submit]").click()
        expect(card.locator("[data-testid=phone-voted]")).to_be_visible(timeout=LIVE)
    close = vote.locator("button[data-act='vote.close']")
    close.click()
    expect(close).to_have_text(re.compile(r"^再点一次确认"))
    close.click()
    outcome = projector.locator("#pj-vote .vote-outcome")
    expect(outcome).to_have_text(re.compile(r"^平票（无多数）"), timeout=LIVE)
    expect(phones[0].locator(".vote-outcome")).to_have_text(re.compile(r"^平票"), timeout=LIVE)
    expect(vote.locator(".vote-outcome")).to_have_text(re.compile(r"^平票"), timeout=LIVE)
    shot(projector, artifacts_dir, "25-projector-tie")


def test_the_moderator_declines_a_proposal_with_a_reason_typed_in_place(
        open_page, live_server, artifacts_dir):
    """The reason for declining a phone's proposal is asked under the plan, not in a
    browser prompt: Escape leaves the plan proposed, Enter declines it with the reason,
    which the phone that proposed it is told."""
    projector, console = open_page("projector"), open_page("console")
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    phone = open_page("phone", "proposer")
    join_and_admit(phone, console, code, "江德华", "owner", "3-2-401")
    title = "车库入口加装挡水板"
    phone.locator("details.propose summary").click()
    proposal = phone.locator("#plan-propose")
    proposal.locator("input[name=title]").fill(title)
    proposal.locator("button[type=submit]").click()
    expect(phone.locator("#plan-propose-status")).to_have_text("已提交，等待主持人处理。", timeout=LIVE)

    plan = console.locator("#votes-console .plan-list > li", has_text=title)
    expect(plan).to_have_count(1, timeout=LIVE)
    decline = plan.locator("button[data-act='plan.decline']")
    decline.click()
    reason = plan.get_by_label("退回理由（可不填）")
    expect(reason).to_be_focused()
    reason.fill("不在本次协商范围内")
    reason.press("Escape")  # changes nothing: the plan stays proposed
    expect(reason).to_have_count(0)
    expect(decline).to_be_focused()
    expect(plan).to_contain_text("待处理")

    decline.press("Enter")  # the keyboard's way in
    expect(reason).to_be_focused()
    reason.fill("不在本次协商范围内")
    shot(console, artifacts_dir, "26-console-decline-reason")
    reason.press("Enter")
    expect(plan).to_have_count(0, timeout=LIVE)
    # The focus is on the plans' own button, not on a control of another plan that took the
    # declined one's place (one more Enter would act on it).
    expect(console.locator("#plan-new-open")).to_be_focused()
    with sqlite3.connect(f"file:{live_server.database_path}?mode=ro", uri=True) as db:
        assert db.execute("SELECT status, decline_reason FROM plans WHERE title = ?",
                          (title,)).fetchall() == [("declined", "不在本次协商范围内")]
    # The phone that proposed it is told, with the reason (also after a reload).
    told = phone.locator("[data-testid=phone-proposals-declined]")
    for reloaded in (False, True):
        if reloaded:
            phone.reload()
        expect(told).to_be_visible(timeout=LIVE)
        expect(told.locator("h4")).to_have_text("您未被采纳的提议")
        expect(told.locator("li", has_text=title)).to_contain_text("未采纳：不在本次协商范围内")
    told.scroll_into_view_if_needed()
    shot(phone, artifacts_dir, "26b-phone-proposal-declined")


def test_a_refused_ballot_is_said_in_place_under_the_form(open_page, live_server, artifacts_dir):
    """Two co-owners of 3-2-501 have one vote: the second phone's ballot is refused, and the
    phone says why in its vote card, in its language (no browser alert)."""
    projector, console = open_page("projector"), open_page("console")
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    phones = []
    for n, name in enumerate(("王伟", "赵静")):
        phone = open_page("phone", f"co-owner-{n}")
        join_and_admit(phone, console, code, name, "owner", "3-2-501")
        phones.append(phone)
    vote = open_straw_poll(console, "意向表决：一户一票")
    cards = [phone.locator("[data-testid=phone-vote]") for phone in phones]
    for card in cards:
        expect(card.locator("input[type=radio][value=C]")).to_be_visible(timeout=LIVE)
    cards[0].locator("input[type=radio][value=C]").check()
    cards[0].locator("button[type=submit]").click()
    expect(cards[0].locator("[data-testid=phone-voted]")).to_be_visible(timeout=LIVE)

    # The other co-owner's phone still shows its form; its ballot is refused.
    cards[1].locator("input[type=radio][value=A]").check()
    cards[1].locator("button[type=submit]").click()
    error = cards[1].locator("[data-testid=ballot-error]")
    expect(error).to_have_text("本户的票已由 王伟 投出，同一套房屋只有一票。", timeout=LIVE)
    expect(error).to_have_attribute("role", "alert")
    expect(cards[1].locator("[data-testid=phone-voted-by-other]")).to_contain_text("王伟", timeout=LIVE)
    shot(phones[1], artifacts_dir, "27-phone-ballot-refused")

    close = vote.locator("button[data-act='vote.close']")
    close.click()
    expect(close).to_have_text(re.compile(r"^再点一次确认"))
    close.click()
    expect(vote).to_contain_text("已结束", timeout=LIVE)
    expect(error).to_have_count(0, timeout=LIVE)
