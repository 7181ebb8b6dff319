"""Elderly mode (长辈模式) on a resident's phone (an iPhone 13, then a 360 px screen): one tap in
the page's head, remembered; text of 24 px and buttons of 64 px at least, contrast of 7:1,
no sideways scrolling; an open vote alone on the screen; the item, the question, the options
and the owner's own share read aloud in Chinese; the choice cast only by a second tap."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.conftest import own_live_server  # noqa: E402
from tests.browser.test_live_meeting import (  # noqa: E402
    FIRST, LIVE, open_console, open_projector, shot)
from tests.browser.test_projector_fit import LOW_CONTRAST, send  # noqa: E402

# The test casts a ballot in a vote it opens: on a server of its own.
live_server = own_live_server("elderly")

# What the page would say, recorded: a headless browser has no voice.
RECORD_SPEECH = """
window.spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: { speak: (u) => window.spoken.push({ text: u.text, lang: u.lang }), cancel: () => {} },
});
"""

# What is smaller than elderly mode allows on the page as it is shown: text under 24 px,
# buttons, fields and options under 64 px high, radio buttons and boxes under 32 px; and the
# smallest of each, for the report.
SIZE_PROBLEMS = """() => {
  const bad = [];
  const least = { text: Infinity, target: Infinity, box: Infinity };
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (!el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (own) {
      const size = parseFloat(getComputedStyle(el).fontSize);
      least.text = Math.min(least.text, size);
      if (size < 24) bad.push(`text ${el.tagName} "${el.textContent.trim().slice(0, 20)}": ${size}`);
    }
    if (el.matches("input[type=radio], input[type=checkbox]")) {
      least.box = Math.min(least.box, box.width, box.height);
      if (box.width < 32 || box.height < 32) bad.push(`box ${el.name}: ${box.width}×${box.height}`);
    } else if (el.matches("button, .button, input, select, textarea, label.choice, summary")) {
      least.target = Math.min(least.target, box.height);
      const what = (el.textContent || el.name).trim().slice(0, 20);
      if (box.height < 64) bad.push(`${el.tagName} "${what}": ${box.height} high`);
    }
  }
  return { bad, least };
}"""


def check_elderly(page, where: str) -> dict:
    """The page in elderly mode meets its sizes and contrast; the smallest sizes found."""
    sizes = page.evaluate(SIZE_PROBLEMS)
    assert sizes["bad"] == [], where
    assert page.evaluate(LOW_CONTRAST, 7) == [], where
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], where
    # Every text's contrast is under 100:1: the lowest of them.
    contrasts = [float(text.rsplit(": ", 1)[1]) for text in page.evaluate(LOW_CONTRAST, 100)]
    return {**sizes["least"], "contrast": min(contrasts)}


def switch_on(phone) -> None:
    toggle = phone.locator("[data-testid=elderly-toggle]")
    expect(toggle).to_have_text("长辈模式")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")


def visible_cards(phone) -> list[str]:
    """The cards the live page shows, by their test id or first heading."""
    return phone.evaluate("""() => [...document.querySelectorAll('#phone-live .phone-card')]
      .filter((card) => card.getClientRects().length)
      .map((card) => card.dataset.testid
                     || card.querySelector('h2, h3, span').textContent.trim())""")


def spoken(phone) -> list[dict]:
    return phone.evaluate("window.spoken.splice(0)")


def test_elderly_mode_on_the_live_phone(open_page, live_server, artifacts_dir):
    projector, console = open_page("projector"), open_page("console")
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    console.locator("#agenda-next").click()  # the first item in progress
    phone = open_page("phone", "elderly")
    phone.add_init_script(RECORD_SPEECH)

    # Switched on where the code is typed; still on at the join form, and after a reload.
    phone.goto("/join")
    switch_on(phone)
    least = {"code page": check_elderly(phone, "code page")}
    phone.fill("#code", code)
    phone.locator("form button[type=submit]").click()
    expect(phone.locator("#join-form")).to_be_visible()
    toggle = phone.locator("[data-testid=elderly-toggle]")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    phone.reload()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert phone.evaluate("document.documentElement.classList.contains('elderly')")
    least["join form"] = check_elderly(phone, "join form")
    shot(phone, artifacts_dir, "elderly-01-join-form")

    # The lobby, then the meeting.
    phone.fill("#name", "韩军")
    phone.select_option("#unit", "3-1-501")  # 89.76 m²: 4,754.03 under plan C
    phone.locator("form button[type=submit]").click()
    expect(phone.locator("#phone-waiting")).to_be_visible(timeout=LIVE)
    least["lobby"] = check_elderly(phone, "lobby")
    shot(phone, artifacts_dir, "elderly-02-lobby")
    entry = console.locator("#lobby-list li", has_text="韩军")
    entry.locator("button[data-act=admit]").click()
    expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)
    expect(phone.locator("[data-testid=phone-item]")).to_have_text(FIRST, timeout=LIVE)
    expect(phone.locator("[data-testid=plan-share]").first).to_be_visible(timeout=LIVE)
    least["live page"] = check_elderly(phone, "live page")
    phone.screenshot(path=str(artifacts_dir / "elderly-03-live.png"), full_page=True)

    # The agenda item, read aloud in Chinese.
    phone.locator(".phone-card.now .read-aloud").click()
    assert spoken(phone) == [{"text": f"当前议程：{FIRST}", "lang": "zh-CN"}]

    # A vote opens: it alone is on the screen, its options one under the other.
    phone.evaluate("""async () => { window.sent = [];
      const { store } = await import("/static/js/phone.js");
      const send = store.send.bind(store);
      store.send = (type, payload) => { window.sent.push(type); return send(type, payload); }; }""")
    vote_id = send(console, "vote.create", {
        "kind": "straw_poll", "method": "single", "title": "意向表决：维修方案",
        "question": "您倾向哪个维修方案？", "plans": ["A", "B", "C"],
        "eligibility": "owners_present"})["vote_id"]
    send(console, "vote.open", {"id": vote_id})
    card = phone.locator("[data-testid=phone-vote]")
    option_c = card.locator("label.choice", has=phone.locator("input[value=C]"))
    expect(option_c.locator("[data-testid=option-share]")).to_have_text("您的分摊：¥4,754.03",
                                                                        timeout=LIVE)
    assert visible_cards(phone) == ["phone-vote"]
    tops = card.locator("label.choice").evaluate_all("(labels) => labels.map((label) => "
                                                     "[label.getBoundingClientRect().left, "
                                                     "label.getBoundingClientRect().top])")
    assert len(tops) == 4 and len({left for left, _ in tops}) == 1
    assert [top for _, top in tops] == sorted({top for _, top in tops})
    least["vote"] = check_elderly(phone, "vote")
    phone.screenshot(path=str(artifacts_dir / "elderly-04-vote-alone.png"), full_page=True)

    # The question, the options and the owner's own share, read aloud in Chinese.
    card.locator(".read-aloud").click()
    said = spoken(phone)
    assert {s["lang"] for s in said} == {"zh-CN"}
    texts = [s["text"] for s in said]
    assert texts[:2] == ["意向表决：维修方案", "您倾向哪个维修方案？"]
    assert "您的分摊：¥4,754.03" in texts
    option_c_at = texts.index(next(t for t in texts if t.startswith("C")))
    assert texts[option_c_at + 1] == "您的分摊：¥4,754.03"
    assert texts[-1] == "弃权"

    # The first tap reads the choice out and asks for a second; anything else lets it go.
    option_b = card.locator("label.choice", has=phone.locator("input[value=B]"))
    option_b.click()
    note = option_b.locator(".elderly-confirm")
    expect(note).to_have_text(re.compile(r"^再点一次确认：B"))
    assert spoken(phone)[0]["text"].startswith("您选择：B")
    card.locator("h2").click()
    expect(note).to_have_count(0)
    expect(card.locator("button[type=submit]")).to_have_text("投票")
    option_c.click()
    expect(option_c.locator(".elderly-confirm")).to_have_text(re.compile(r"^再点一次确认：C"))
    expect(card.locator("button[type=submit]")).to_have_text(re.compile(r"^再点一次确认：C"))
    assert [s["text"] for s in spoken(phone)][1:] == ["您的分摊：¥4,754.03"]
    assert phone.evaluate("window.sent") == []
    check_elderly(phone, "vote, armed")
    shot(phone, artifacts_dir, "elderly-05-tap-again")
    # The second tap casts it; the rest of the page is back.
    option_c.click()
    expect(card.locator("[data-testid=phone-voted]")).to_be_visible(timeout=LIVE)
    assert phone.evaluate("window.sent") == ["ballot.cast"]
    expect(card).to_contain_text("您的选择：C")
    expect(phone.locator(".phone-card.now")).to_be_visible()
    assert "phone-vote" in visible_cards(phone) and len(visible_cards(phone)) > 2
    least["voted"] = check_elderly(phone, "voted")
    shot(phone, artifacts_dir, "elderly-06-voted")

    # A 360 px screen: nothing scrolls sideways.
    phone.set_viewport_size({"width": 360, "height": 640})
    least["360 px"] = check_elderly(phone, "360 px")
    phone.screenshot(path=str(artifacts_dir / "elderly-07-360px.png"), full_page=True)
    print("smallest sizes in elderly mode:", least)

    # An approval vote: the button's first tap asks again, also for no box ticked (abstaining).
    send(console, "vote.close", {"id": vote_id})
    vote_id = send(console, "vote.create", {
        "kind": "straw_poll", "method": "approval", "title": "意向表决：可以接受的方案",
        "plans": ["A", "B", "C"], "eligibility": "owners_present"})["vote_id"]
    send(console, "vote.open", {"id": vote_id})
    expect(card.locator("h2")).to_have_text("意向表决：可以接受的方案", timeout=LIVE)
    expect(card.locator("input[type=checkbox]")).to_have_count(3, timeout=LIVE)
    assert visible_cards(phone) == ["phone-vote"]
    phone.evaluate("window.sent.splice(0)")
    submit = card.locator("button[type=submit]")
    submit.click()
    expect(submit).to_have_text("再点一次确认：弃权")
    card.locator("input[value=A]").check()  # another choice: asked again from the start
    expect(submit).to_have_text("投票")
    card.locator("input[value=C]").check()
    submit.click()
    expect(submit).to_have_text(re.compile(r"^再点一次确认：A · .+、C · "))
    assert phone.evaluate("window.sent") == []
    submit.click()
    expect(card.locator("[data-testid=phone-voted]")).to_be_visible(timeout=LIVE)
    assert phone.evaluate("window.sent") == ["ballot.cast"]

    # Switched off: the page as before, its one tap casting (test_phone_shares.py).
    phone.locator("[data-testid=elderly-toggle]").click()
    expect(phone.locator("[data-testid=elderly-toggle]")).to_have_attribute("aria-pressed", "false")
    assert phone.evaluate("getComputedStyle(document.body).fontSize") == "18px"
    expect(phone.locator(".read-aloud").first).to_be_hidden()
