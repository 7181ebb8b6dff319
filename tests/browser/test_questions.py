"""Written questions in real browsers: one phone (390×844) asks, another upvotes it and asks
its own; the console (1920×1080) sees them by upvotes, puts the first on the room's screen and
then on the speakers' list (its asker's phone shows it to read aloud when given the floor),
answers the second in writing (its asker's phone shows the answer) and dismisses an abusive
one (gone from the other phones; its asker's shows it set aside, with the reason). The
question card in elderly mode meets its sizes."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.conftest import own_live_server  # noqa: E402
from tests.browser.test_elderly import check_elderly, switch_on  # noqa: E402
from tests.browser.test_live_meeting import LIVE, open_console, open_projector, shot  # noqa: E402
from tests.browser.test_speakers import join_and_admit  # noqa: E402

# The test runs the speakers' list and the screen: on a server of its own.
live_server = own_live_server("questions")

PARKING = "车库漏水期间，车辆停放在哪里？"
FUND = "维修资金还剩多少？"


def ask(phone, text: str) -> None:
    phone.fill("#question-text", text)
    phone.locator("[data-testid=phone-question-send]").click()
    expect(phone.locator("#question-sent")).to_have_text("问题已提交，请留意主持人安排。",
                                                         timeout=LIVE)
    expect(phone.locator("#question-text")).to_have_value("")


def test_phones_ask_and_upvote_and_the_moderator_takes_them_up(open_page, live_server,
                                                               artifacts_dir):
    projector, console = open_page("projector"), open_page("console")
    console.set_viewport_size({"width": 1920, "height": 1080})
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    console.locator("#agenda-next").click()  # an item in progress: the list takes hands
    expect(projector.locator("#pj-item-title")).not_to_have_text("", timeout=LIVE)
    asker, voter = open_page("phone", "asker"), open_page("phone", "voter")
    for phone in (asker, voter):  # the whole screen of an iPhone 13 (its browser's is 390×664)
        phone.set_viewport_size({"width": 390, "height": 844})
    join_and_admit(asker, console, code, "赵伟", "owner", "3-1-201")
    join_and_admit(voter, console, code, "吴静", "owner", "3-1-202")

    # An empty question is refused in place, in the page's language.
    asker.locator("[data-testid=phone-question-send]").click()
    expect(asker.locator("#question-error")).to_have_text("请填写“内容”。", timeout=LIVE)
    expect(asker.locator("#question-text")).to_have_attribute("aria-invalid", "true")
    asker.fill("#question-text", "排水")
    expect(asker.locator("#question-count")).to_have_text("2/300 字")

    ask(asker, "  " + PARKING + "  ")
    expect(asker.locator("#question-error")).to_be_hidden()
    expect(asker.locator("#question-list .question-row")).to_have_count(1, timeout=LIVE)
    own = asker.locator("#question-list .question-row", has_text=PARKING)
    expect(own.locator(".question-text")).to_have_text(PARKING)  # trimmed
    expect(own).to_contain_text("我提的")
    expect(own.locator("[data-testid=question-upvote]")).to_have_count(0)  # not one's own

    # The other phone sees it live, upvotes it once and asks its own.
    theirs = voter.locator("#question-list .question-row", has_text=PARKING)
    expect(theirs).to_have_count(1, timeout=LIVE)
    expect(theirs).to_contain_text("赵伟 · 业主")
    ask(voter, FUND)
    upvote = theirs.locator("[data-testid=question-upvote]")
    expect(upvote).to_have_text("赞同")
    upvote.click()
    expect(upvote).to_have_text("已赞同", timeout=LIVE)
    expect(upvote).to_have_attribute("aria-pressed", "true")
    expect(theirs.locator("[data-testid=question-votes]")).to_have_text("1 人赞同")
    expect(own.locator("[data-testid=question-votes]")).to_have_text("1 人赞同", timeout=LIVE)
    # Most upvoted first, on both phones and on the console.
    for page, rows in ((voter, "#question-list .question-row"),
                       (console, "#questions-list .cq-row")):
        listed = page.locator(rows)
        expect(listed).to_have_count(2, timeout=LIVE)
        expect(listed.nth(0)).to_contain_text(PARKING)
        expect(listed.nth(1)).to_contain_text(FUND)
    expect(console.locator("#questions-list .cq-row").nth(0).locator(
        "[data-testid=console-question-votes] strong")).to_have_text("1")
    voter.locator("#question-card").scroll_into_view_if_needed()
    shot(voter, artifacts_dir, "questions-01-phone-upvoted")
    asker.locator("#question-card").scroll_into_view_if_needed()
    shot(asker, artifacts_dir, "questions-02-phone-asked")
    console.locator("#questions-card").scroll_into_view_if_needed()
    shot(console, artifacts_dir, "questions-03-console")

    # The top questions alone on the room's screen, and back.
    console.locator("#questions-screen").click()
    focus = projector.locator("[data-testid=projector-focus]")
    expect(focus).to_have_attribute("data-focus", "questions", timeout=LIVE)
    on_screen = projector.locator("[data-testid=projector-questions] li")
    expect(on_screen).to_have_count(2)
    expect(on_screen.nth(0)).to_contain_text(PARKING)
    expect(on_screen.nth(0).locator(".pj-q-votes")).to_have_text("1")
    expect(console.locator("[data-testid=screen-bar]")).to_contain_text("热门书面提问")
    shot(projector, artifacts_dir, "questions-04-projector")
    # Nothing on the screen is clipped, and the list has the room for its full size.
    assert projector.evaluate("document.getElementById('pj-focus').style"
                              ".getPropertyValue('--fit')") == "1"
    console.locator("#questions-screen").click()
    expect(focus).to_be_hidden(timeout=LIVE)

    # The first to the speakers' list: its asker says it aloud when given the floor.
    console.locator("#questions-list .cq-row", has_text=PARKING).locator(
        "button[data-act=to_queue]").click()
    queued = console.locator("#queue-list li")
    expect(queued).to_have_count(1, timeout=LIVE)
    expect(queued).to_contain_text("赵伟")
    expect(queued.locator("[data-testid=console-attached-question]")).to_contain_text(PARKING)
    expect(asker.locator("[data-testid=phone-place]")).to_have_count(1, timeout=LIVE)
    expect(asker.locator("[data-testid=phone-queued-question]")).to_contain_text(PARKING)
    expect(theirs.locator("[data-testid=question-upvote]")).to_have_count(0, timeout=LIVE)
    console.locator("#floor-next").click()
    expect(asker.locator("#floor-card")).to_be_visible(timeout=LIVE)
    expect(asker.locator("[data-testid=phone-floor-question]")).to_contain_text(PARKING)
    expect(console.locator("#speaker-now [data-testid=console-attached-question]")).to_contain_text(
        PARKING)
    asker.evaluate("window.scrollTo(0, 0)")
    shot(asker, artifacts_dir, "questions-05-phone-floor")

    # The second answered in writing, in the console's dialog; its asker's phone shows it.
    console.locator("#questions-list .cq-row", has_text=FUND).locator(
        "button[data-act=answer]").click()
    dialog = console.locator("[data-testid=question-dialog]")
    expect(dialog).to_be_visible()
    dialog.locator("#question-answer").fill("约 23.29 万元，明细见附件。")
    shot(console, artifacts_dir, "questions-06-console-answer")
    dialog.locator("#question-dialog-save").click()
    expect(dialog).to_be_hidden(timeout=LIVE)
    handled = voter.locator("#question-handled-box")
    expect(handled).to_be_visible(timeout=LIVE)
    handled.locator("summary").click()
    answered = voter.locator("#question-handled .question-row", has_text=FUND)
    expect(answered.locator(".question-answer")).to_have_text("答复：约 23.29 万元，明细见附件。")
    expect(answered).to_contain_text("已答复")
    expect(voter.locator("#question-handled .question-row", has_text=PARKING)).to_contain_text(
        "已当面提出")
    expect(voter.locator("#question-list")).to_contain_text("还没有待回答的问题。")

    # An abusive one dismissed: gone from the phones, kept (with why) on the console.
    ask(asker, "物业全是骗子")
    row = console.locator("#questions-list .cq-row", has_text="骗子")
    expect(row).to_have_count(1, timeout=LIVE)
    row.locator("button[data-act=dismiss]").click()
    dialog.locator("#question-reason").select_option("abusive")
    dialog.locator("#question-dialog-save").click()
    expect(dialog).to_be_hidden(timeout=LIVE)
    expect(voter.locator("#question-card")).not_to_contain_text("骗子", timeout=LIVE)
    # Its asker alone is told which of theirs was set aside, and why (also after a reload).
    expect(asker.locator("#question-list")).not_to_contain_text("骗子", timeout=LIVE)
    told = asker.locator("[data-testid=phone-question-dismissed]")
    for reloaded in (False, True):
        if reloaded:
            asker.reload()
        expect(told).to_be_visible(timeout=LIVE)
        expect(told.locator("h4")).to_have_text("您未被采纳的问题")
        expect(told.locator(".question-row", has_text="物业全是骗子")).to_contain_text(
            "未采纳：不文明")
    told.scroll_into_view_if_needed()
    shot(asker, artifacts_dir, "questions-07b-phone-own-dismissed")
    console.locator("#questions-dismissed-box summary").click()
    expect(console.locator("#questions-dismissed")).to_contain_text("未采纳：不文明")
    console.locator("#questions-card").scroll_into_view_if_needed()
    shot(console, artifacts_dir, "questions-07-console-handled")
    voter.locator("#question-card").scroll_into_view_if_needed()
    shot(voter, artifacts_dir, "questions-08-phone-answered")

    # Elderly mode: the card's text and buttons as large as the rest of the page.
    ask(asker, "施工期间噪音怎么处理？")
    expect(voter.locator("#question-list [data-testid=question-upvote]")).to_have_count(
        1, timeout=LIVE)
    switch_on(voter)
    check_elderly(voter, "questions")
    voter.locator("#question-card").scroll_into_view_if_needed()
    shot(voter, artifacts_dir, "questions-09-phone-elderly")
    voter.screenshot(path=str(artifacts_dir / "questions-10-phone-elderly-full.png"),
                     full_page=True)

    # An upvote taken back: the button answers again once the first answer is in.
    noise = voter.locator("#question-list .question-row", has_text="噪音")
    noise.locator("[data-testid=question-upvote]").click()
    expect(noise.locator("[data-testid=question-votes]")).to_have_text("1 人赞同", timeout=LIVE)
    noise.locator("[data-testid=question-upvote]").click()
    expect(noise.locator("[data-testid=question-upvote]")).to_have_attribute(
        "aria-pressed", "false", timeout=LIVE)
    expect(noise.locator("[data-testid=question-votes]")).to_have_text("0 人赞同")

    # Its asker withdraws it by a second tap: the first only arms the button (Escape lets go).
    withdraw = asker.locator("#question-list .question-row", has_text="噪音").locator(
        "[data-testid=question-withdraw]")
    withdraw.click()
    expect(withdraw).to_have_text("再点一次确认：撤回")
    withdraw.press("Escape")
    expect(withdraw).to_have_text("撤回")
    expect(withdraw).to_be_focused()
    withdraw.click()
    withdraw.click()
    expect(voter.locator("#question-card")).not_to_contain_text("噪音", timeout=LIVE)
    expect(asker.locator("#question-list")).to_contain_text("还没有待回答的问题。")
