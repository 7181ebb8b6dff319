"""Plans and a vote held elsewhere, from the moderator's console in real browsers.

The moderator creates a repair plan with its funding split in the plan dialog: a split that
does not add up to the total is refused with the server's message, the live check shows the
gap, the fixed plan is saved, then amended (a revision appears with what changed), and the
phone and the projector show it. Then an owners' decision held elsewhere (paper ballots
counted outside the meeting) gets its totals entered and is closed: the console shows the
result with the rule's explanation.
"""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.test_live_meeting import LIVE, open_console, open_projector, shot  # noqa: E402
from tests.browser.test_speakers import join_and_admit  # noqa: E402

TITLE = "车库顶板排水沟疏通"
AMENDED = "车库顶板排水沟疏通及止水带更换"


def test_the_moderator_creates_and_amends_a_plan_and_records_a_vote_held_elsewhere(
        open_page, live_server, artifacts_dir):
    projector, console = open_page("projector"), open_page("console")
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    phone = open_page("phone")
    join_and_admit(phone, console, code, "姚慧", "owner", "3-2-102")

    # No written authorisation yet: the list says so rather than standing empty.
    expect(console.locator("#votes-console .people-list")).to_have_text("还没有登记书面委托。")

    # A new plan whose split does not add up: the live check shows the gap …
    console.locator("#plan-new-open").click()
    dialog = console.locator("#plan-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("方案编号", exact=True).fill("T")
    dialog.get_by_label("标题", exact=True).fill(TITLE)
    dialog.get_by_label("情况描述", exact=True).fill("疏通顶板排水沟，清理堵塞的落水口。")
    dialog.get_by_label("提出人", exact=True).fill("陈工")
    dialog.locator("#plan-proposer-party").select_option("property_company")
    dialog.get_by_label("总造价（元）", exact=True).fill("100000")
    dialog.get_by_label("物业服务企业", exact=True).fill("30000")
    dialog.get_by_label("专项维修资金", exact=True).fill("60000.50")
    dialog.get_by_label("工期（天）", exact=True).fill("20")
    dialog.get_by_label("风险", exact=True).fill("雨季施工可能延期。")
    dialog.get_by_label("使用维修资金", exact=True).check()
    check = dialog.locator("[data-testid=funding-check]")
    expect(check).to_have_text("资金来源合计 90,000.50 元，总造价 100,000.00 元 · 相差 9,999.50 元")
    # … and the server refuses it, in the moderator's language.
    dialog.locator("button[type=submit]").click()
    error = dialog.locator("#plan-form-error")
    expect(error).to_have_text("各资金来源合计 90,000.50 元，与总造价 100,000.00 元不符。", timeout=LIVE)
    shot(console, artifacts_dir, "30-console-plan-refused")

    # Fixed: the plan is saved and listed with its money.
    dialog.get_by_label("专项维修资金", exact=True).fill("70000")
    expect(check).to_contain_text("相符")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden(timeout=LIVE)
    card = console.locator("#votes-console .plan-list > li", has_text=TITLE)
    expect(card).to_have_count(1, timeout=LIVE)
    expect(card).to_contain_text("总造价 100,000.00 元")
    expect(card).to_contain_text("专项维修资金 70,000.00")
    expect(card.locator(".badge")).to_contain_text("第 1 版")

    # Amended: the title and the split change; the revision says what changed.
    card.locator("button[data-act='plan.edit-open']").click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("专项维修资金", exact=True)).to_have_value("70000")
    dialog.get_by_label("标题", exact=True).fill(AMENDED)
    dialog.get_by_label("专项维修资金", exact=True).fill("60000")
    dialog.get_by_label("建设单位（保修责任）", exact=True).fill("10000")
    dialog.get_by_label("修改说明（记入修改记录）", exact=True).fill("建设单位同意承担一万元")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden(timeout=LIVE)
    card = console.locator("#votes-console .plan-list > li", has_text=AMENDED)
    expect(card.locator(".badge")).to_contain_text("第 2 版", timeout=LIVE)
    card.locator("details.plan-revisions summary").click()
    latest = card.locator("li[data-revision='2']")
    expect(latest).to_contain_text("第 2 版 · 修改")
    expect(latest).to_contain_text("建设单位同意承担一万元")
    expect(latest).to_contain_text(TITLE)  # the title before …
    expect(latest).to_contain_text(AMENDED)  # … and after
    expect(latest).to_contain_text("建设单位（保修责任） 10,000.00")
    card.scroll_into_view_if_needed()
    shot(console, artifacts_dir, "31-console-plan-revisions")

    # The phone and the projector show the amended plan.
    phone_plan = phone.locator("details.plan", has_text=AMENDED)
    expect(phone_plan).to_have_count(1, timeout=LIVE)
    phone_plan.locator("summary").click()
    expect(phone_plan).to_contain_text("总造价 100,000.00 元")
    shot(phone, artifacts_dir, "32-phone-plan")
    pj_plan = projector.locator("[data-testid=projector-plans] li[data-plan-key=T]")
    expect(pj_plan).to_contain_text(AMENDED, timeout=LIVE)
    expect(pj_plan).to_contain_text("总造价 100,000.00 元")
    shot(projector, artifacts_dir, "33-projector-plans")

    # An owners' decision on plan T, held elsewhere: the totals are entered, then it closes.
    form = console.locator("#vote-new")
    form.locator("input[name=title]").fill("业主共同决定：方案 T（书面表决）")
    form.locator("select[name=kind]").select_option("owners_decision")
    form.locator("select[name=method]").select_option("yes_no")
    form.locator("select[name=channel]").select_option("elsewhere")
    form.locator("select[name=plan_id]").select_option(label=f"T · {AMENDED}")
    form.get_by_label("会外表决说明", exact=True).fill("书面表决 2026-12-22 至 2027-01-05")
    form.locator("button[type=submit]").click()
    vote = console.locator("#votes-console .vote-list > li", has_text="业主共同决定：方案 T（书面表决）")
    expect(vote).to_have_count(1, timeout=LIVE)
    expect(vote).to_contain_text("会外表决")
    vote.locator("button[data-act='vote.open']").click()
    expect(vote).to_contain_text("投票中", timeout=LIVE)
    vote.locator("details.totals summary").click()
    totals = vote.locator("form.totals-form")
    for choice, owners, area in (("赞成", 21, "2661.08"), ("反对", 6, "605.60"), ("弃权", 3, "297.94")):
        totals.get_by_label(f"{choice}：人数", exact=True).fill(str(owners))
        totals.get_by_label(f"{choice}：面积（m²）", exact=True).fill(area)
    shot(console, artifacts_dir, "34-console-totals-form")
    totals.locator("button[type=submit]").click()
    expect(vote.locator("[data-testid=totals-entered]")).to_be_visible(timeout=LIVE)
    expect(vote.locator("[data-testid=vote-participation]")).to_contain_text("已投票 30 /", timeout=LIVE)
    close = vote.locator("button[data-act='vote.close']")
    close.click()
    expect(close).to_have_text(re.compile(r"^再点一次确认"))
    close.click()  # the second tap confirms
    explanation = vote.locator("[data-testid=vote-explanation]")
    expect(explanation).to_contain_text("通过", timeout=LIVE)
    expect(explanation).to_contain_text("使用维修资金——通过：同意 21/30 人")
    expect(explanation).to_contain_text("需双过半")
    expect(vote.locator(".vote-outcome")).to_have_text(re.compile(r"^通过"))
    # Yes, no and abstain bars each in a colour of their own.
    colours = [vote.locator(f".vote-result li[data-choice={key}] .vote-bar span").evaluate(
        "bar => getComputedStyle(bar).backgroundColor") for key in ("yes", "no", "abstain")]
    assert len(set(colours)) == 3, colours
    vote.scroll_into_view_if_needed()
    shot(console, artifacts_dir, "35-console-elsewhere-result")
