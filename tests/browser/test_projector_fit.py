"""The room's screen stays whole in the states that crowd it most, on a 1920×1080 screen (in
Chinese) and a 1280×720 one (in English) side by side: eight plans (the demo's A–C and five
long ones), a long speakers' list with very long names, an open vote with live counts, its
result, one plan, one vote and the QR code alone on the screen (put up and taken down from
the console), and the end of the meeting. In each state nothing scrolls, nothing sticks out
of the screen or is clipped, long lists show a page indicator, and the text keeps a contrast
of at least 7:1.

Against its own server (the demo loaded): the test ends the meeting, which the other browser
tests' shared demo meeting must not.
"""
from __future__ import annotations

import re

import pytest


pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.conftest import own_live_server  # noqa: E402
from tests.browser.test_live_meeting import LIVE, open_console  # noqa: E402

SIZES = {"1080p": (1920, 1080), "720p": (1280, 720)}
LONG_NAME = "阿卜杜热合曼·买买提依明·艾力·库尔班·吐尔逊·热合曼·司马义·阿不都热依木·玉素甫"[:60]
LONG_LATIN = "Maximilian Wolfeschlegelsteinhausenbergerdorff-Hohenzollern"
LONG_PLANS = [  # key, title, total, funding
    ("D", "顶板整体翻修：凿除原防水层、重做双层卷材防水、增设排水沟与集水井，同步更换车库照明及通风设施（含施工期间临时停车安排）",
     "1265000.50", {"developer": "800000", "maintenance_fund": "465000.50"}),
    ("E", "分区分期治理：先治理渗漏最严重的东区顶板和侧墙，再视效果决定西区做法，期间每月公示监测数据",
     "356780", {"maintenance_fund": "256780", "property_company": "100000"}),
    ("F", "侧墙外侧开挖重做防水并回填，顶板局部注浆堵漏，开发商承担全部费用并承诺十年质保",
     "2100000", {"developer": "2100000"}),
    ("G", "仅做应急处理：疏通排水口、清理积水、临时注浆，待专项维修资金申请批准后再议整体方案",
     "48000", {"property_company": "48000"}),
    ("H", "引入第三方检测机构全面检测后，由业主大会在三种做法中选定，检测费用由维修资金列支",
     "95000", {"maintenance_fund": "95000"}),
]
PEOPLE = [(LONG_NAME, "expert"), (LONG_LATIN, "community"), ("李桂兰", "street_office"),
          ("王建华", "owners_committee"), ("刘芳", "housing_bureau"), ("陈志强", "developer"),
          ("赵丽娟", "property_company"), ("孙伟", "cppcc_member"), ("周敏", "expert")]

# Every element of the page: nothing outside the viewport, nothing whose content is cut by
# its box (text with a line clamp is shortened on purpose), and the page does not scroll.
FIT_PROBLEMS = """() => {
  const W = innerWidth, H = innerHeight, bad = [];
  const page = document.scrollingElement;
  if (page.scrollHeight > H || page.scrollWidth > W) bad.push(`the page scrolls: ${page.scrollWidth}×${page.scrollHeight}`);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  for (const el of document.body.querySelectorAll("*")) {
    if (["SCRIPT", "STYLE", "LINK"].includes(el.tagName) || !el.getClientRects().length) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1)
      bad.push(`${name(el)} sticks out: ${Math.round(r.left)},${Math.round(r.top)} – ${Math.round(r.right)},${Math.round(r.bottom)}`);
    if (!el.clientHeight || getComputedStyle(el).webkitLineClamp !== "none") continue;
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
      bad.push(`${name(el)} clipped: content ${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`);
  }
  return bad;
}"""

# The contrast of every visible text against the background it sits on (WCAG's formula).
LOW_CONTRAST = """(minimum) => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const fg = parse(getComputedStyle(el).color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < minimum) bad.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
  }
  return bad;
}"""


# The test ends the meeting: on a server of its own.
live_server = own_live_server("projector")


def send(console, type_: str, payload: dict) -> dict:
    """A command from the moderator's console, over its live connection, at the pace the
    server allows a connection (5 a second)."""
    console.wait_for_timeout(250)
    answer = console.evaluate("async ([t, p]) => (await import('/static/js/console.js')).store"
                              ".send(t, p).then((result) => ({ result }), (error) => ({ error }))",
                              [type_, payload])
    assert "error" not in answer, (type_, payload, answer["error"])
    return answer["result"]


def settle(page) -> None:
    """Wait until the screen has fitted its last change (projector.js counts its fits)."""
    last = None
    for _ in range(40):
        fits = page.evaluate("document.getElementById('projector').dataset.fits || ''")
        if fits and fits == last:
            return
        last = fits
        page.wait_for_timeout(250)


def check_screens(screens: dict, artifacts_dir, state: str) -> None:
    for size, page in screens.items():
        settle(page)
        page.screenshot(path=str(artifacts_dir / f"projector-{state}-{size}.png"))
        assert page.evaluate(FIT_PROBLEMS) == [], f"{state} at {size}"
        assert page.evaluate(LOW_CONTRAST, 7) == [], f"{state} at {size}"


def test_every_crowded_state_fits_both_screens(open_page, live_server, artifacts_dir):
    console = open_page("console")
    open_console(console, live_server)
    screens = {}
    for size, (width, height) in SIZES.items():
        page = open_page("projector", f"projector-{size}")
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.info["projector_url"])
        expect(page.locator("#pj-code")).to_have_text(re.compile(r"^\d{3} \d{3}$"), timeout=LIVE)
        screens[size] = page
    screens["720p"].locator(".lang-switch a").click()  # the second screen in English
    expect(screens["720p"].locator("#pj-code")).to_have_text(re.compile(r"^\d{3} \d{3}$"), timeout=LIVE)
    zh, en = screens["1080p"], screens["720p"]

    # The demo's three plans show at once, the type a little smaller rather than in pages.
    for page in screens.values():
        expect(page.locator("#pj-plan-list li")).to_have_count(3, timeout=LIVE)
    check_screens(screens, artifacts_dir, "00-demo-plans")
    for page in screens.values():
        expect(page.locator("#pj-plan-list li:not([hidden])")).to_have_count(3)
        expect(page.locator("[data-testid=projector-page]")).to_be_hidden()

    # All the plans: the demo's three and five long ones, a page at a time.
    for key, title, total, funding in LONG_PLANS:
        send(console, "plan.create", {"key": key, "title": title, "total": total, "funding": funding})
    for page in screens.values():
        expect(page.locator("#pj-plan-list li")).to_have_count(8, timeout=LIVE)
    # Plan C: 482,300.00 CNY over the roster's 4,397.34 m² is 109.68 CNY per m².
    expect(zh.locator("li[data-plan-key=C] .pj-plan-money")).to_contain_text(
        "总造价 482,300.00 元 · 折合每平方米 109.68 元")
    expect(en.locator("li[data-plan-key=C] .pj-plan-money")).to_contain_text(
        "Total 482,300.00 CNY · 109.68 CNY per m²")
    check_screens(screens, artifacts_dir, "01-all-plans")
    for page, first in ((zh, "第 1/"), (en, "Page 1 of ")):
        pages = page.evaluate("async () => (await import('/static/js/projector.js'))"
                              ".projectorFit.pagesOf('pj-plan-list').pages")
        assert len(pages) > 1 and pages[-1][1] == 8, pages  # every plan is on a page
        expect(page.locator("[data-testid=projector-page]")).to_be_visible()
        expect(page.locator("[data-testid=projector-page]")).to_contain_text(first)
    # The pages turn by themselves.
    expect(zh.locator("[data-testid=projector-page]")).to_contain_text("第 2/", timeout=15_000)
    check_screens({"1080p": zh}, artifacts_dir, "02-plans-page-2")

    # A long speakers' list, the very long names wrapping in full; one of them speaks.
    ids = {name: send(console, "participant.add", {"name": name, "party": party})["participant_id"]
           for name, party in PEOPLE}
    send(console, "agenda.next", {})
    entries = [send(console, "queue.add", {"participant_id": ids[name], "kind": "speech",
                                           "stance": "for"})["entry_id"] for name, _ in PEOPLE]
    send(console, "floor.give", {"entry_id": entries[0]})
    for page in screens.values():
        expect(page.locator("#pj-speaker-name")).to_have_text(LONG_NAME, timeout=LIVE)
        expect(page.locator("#pj-next li").first).to_contain_text(LONG_LATIN, timeout=LIVE)
    check_screens(screens, artifacts_dir, "03-long-queue")
    # Of eight waiting, the screen lists what fits of the next five and counts the rest.
    shown = zh.locator("#pj-next li:not([hidden])").count()
    expect(zh.locator("[data-testid=projector-queue-more]")).to_have_text(f"另有 {8 - shown} 人排队")
    shown_en = en.locator("#pj-next li:not([hidden])").count()
    expect(en.locator("[data-testid=projector-queue-more]")).to_have_text(f"{8 - shown_en} more waiting")

    # An open vote on the eight plans with its counts shown live, from paper ballots.
    vote_id = send(console, "vote.create", {
        "kind": "straw_poll", "method": "single", "title": "意向表决：八个方案选一", "eligibility": "present",
        "show_results": "live", "plans": [key for key in "ABCDEFGH"]})["vote_id"]
    send(console, "vote.open", {"id": vote_id})
    for (name, _), choice in zip(PEOPLE, "CCADEFGHC"):
        send(console, "ballot.record", {"vote_id": vote_id, "participant_id": ids[name], "choices": [choice]})
    for page in screens.values():
        expect(page.locator("#pj-vote li[data-choice=C]")).to_contain_text("3", timeout=LIVE)
    check_screens(screens, artifacts_dir, "04-open-vote")

    close = console.locator(f"#votes-console li[data-vote='{vote_id}'] button[data-act='vote.close']")
    close.click()
    close.click()
    for page in screens.values():
        expect(page.locator("#pj-vote [data-testid=vote-explanation]")).to_be_visible(timeout=LIVE)
    check_screens(screens, artifacts_dir, "05-vote-result")

    # From the console: one plan alone, the vote's result alone, the QR code, and back.
    plan_d = console.locator("#votes-console li.plan", has_text="顶板整体翻修")
    plan_d.locator("button[data-act='screen.focus']").click()
    expect(console.locator("[data-testid=screen-bar]")).to_contain_text("大屏正在单独显示方案 D", timeout=LIVE)
    for page in screens.values():
        expect(page.locator("#pj-focus [data-plan-key=D]")).to_be_visible(timeout=LIVE)
        expect(page.locator("#pj-grid")).to_be_hidden()
    expect(zh.locator("#pj-focus [data-testid=plan-per-m2]")).to_have_text("折合每平方米 287.67 元")
    console.screenshot(path=str(artifacts_dir / "projector-06-console-screen-bar.png"))
    check_screens(screens, artifacts_dir, "06-focus-plan")

    console.locator(f"#votes-console li[data-vote='{vote_id}'] button[data-act='screen.focus']").click()
    for page in screens.values():
        expect(page.locator(f"#pj-focus .pj-vote[data-vote-id='{vote_id}'] [data-testid=vote-result]")
               ).to_be_visible(timeout=LIVE)
    check_screens(screens, artifacts_dir, "07-focus-vote")

    console.locator("#screen-qr").click()
    for page in screens.values():
        expect(page.locator("#pj-focus [data-testid=projector-focus-qr]")).to_be_visible(timeout=LIVE)
        page.wait_for_function("() => document.querySelector('#pj-focus img').complete")
    check_screens(screens, artifacts_dir, "08-focus-qr")
    en.reload()  # a screen that reloads shows what the moderator put up
    expect(en.locator("#pj-focus [data-testid=projector-focus-qr]")).to_be_visible(timeout=LIVE)
    expect(en.locator("#pj-grid")).to_be_hidden()

    console.locator("#screen-back").click()
    expect(console.locator("[data-testid=screen-bar]")).to_be_hidden(timeout=LIVE)
    for page in screens.values():
        expect(page.locator("#pj-focus")).to_be_hidden(timeout=LIVE)
        expect(page.locator("#pj-grid")).to_be_visible()

    # The end of the meeting, with whatever was on the screen before.
    send(console, "screen.focus", {"show": "plan", "id": int(plan_d.get_attribute("data-plan"))})
    expect(zh.locator("#pj-focus")).to_be_visible(timeout=LIVE)
    end = console.locator("#end-meeting")
    end.click()
    end.click()
    expect(zh.locator("#pj-item-title")).to_have_text("会议已结束，感谢参与。", timeout=LIVE)
    expect(en.locator("#pj-item-title")).to_have_text("The meeting has ended. Thank you.", timeout=LIVE)
    for page in screens.values():
        expect(page.locator("#pj-item-title")).to_be_in_viewport()
        expect(page.locator("#pj-focus")).to_be_hidden()
    check_screens(screens, artifacts_dir, "09-ended")
