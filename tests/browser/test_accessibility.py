"""Accessibility in real browsers (issue 16, item 9): axe-core (node_modules, package.json's
pinned devDependency) on every page and in the states of a meeting that matter, with no
critical and no serious violation of WCAG 2.1 A/AA (colour contrast 4.5:1 included), and every
text of the room's screen at 7:1 (as axe's color-contrast-enhanced measures it); and the
moderator's console run with the keyboard alone, its focus always visible.

axe is put into each page by evaluating its file there (Playwright's evaluate is not subject to
the page's Content-Security-Policy, which refuses a script tag added by a test: script-src
'self'), so the pages are audited as they are served. Every audit, clean or not, is written to
test-artifacts/browser/accessibility.txt; the screenshots of the audited states beside it.

On a server of its own: the test ends the meeting.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.browser.conftest import own_live_server  # noqa: E402
from tests.browser.test_checkin import join_with_code, qr_link_of_invitation  # noqa: E402
from tests.browser.test_live_meeting import (  # noqa: E402
    LIVE, RESIDENT, UNIT, open_console, open_projector)
from tests.browser.test_projector_fit import send, settle  # noqa: E402
from tests.frozen_time import SHANGHAI  # noqa: E402
from tests.support import REPO_ROOT, require_service  # noqa: E402

live_server = own_live_server("accessibility")

AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("critical", "serious")
PHONE = {"width": 390, "height": 844}

# axe's result, cut to what a report needs; and the contrast of every text its colour-contrast
# rules measured (passed or not), for the lowest and the room's screen's 7:1.
RUN_AXE = """async (options) => {
  const result = await axe.run(document, options);
  const pick = (list) => list.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 160),
                                 summary: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 240) })) }));
  const contrasts = [...result.passes, ...result.violations]
    .filter((v) => v.id.startsWith("color-contrast")).flatMap((v) => v.nodes)
    .map((n) => ({ target: n.target.join(" "), ratio: ((n.any[0] || {}).data || {}).contrastRatio }))
    .filter((c) => Number.isFinite(c.ratio) && c.ratio > 0);
  return { violations: pick(result.violations), incomplete: pick(result.incomplete), contrasts };
}"""
PROJECTOR_TEXT = 7.0  # the room's screen: every text, large or not, at 7:1 at least

# The ticking clocks that a live region would read out every second: those of `selectors` on
# the page inside a live region that is not switched off for them.
LOUD_CLOCKS = """(selectors) => selectors.filter((s) => {
  const clock = document.querySelector(s);
  const region = clock && clock.closest("[aria-live], [role=alert], [role=status], [role=log]");
  return region && region.getAttribute("aria-live") !== "off";
})"""
PHONE_CLOCKS = ["#phone-countdown", "#floor-countdown"]
CONSOLE_CLOCKS = ["[data-testid=console-countdown]", "#speech-countdown"]


class Audits:
    """axe run on pages one after another; the findings kept for the report and the test's
    verdict at its end (every page's, not only the first one's)."""

    def __init__(self, source: str, artifacts_dir):
        self.source = source
        self.artifacts_dir = artifacts_dir
        self.blocking: list[str] = []
        self.lines: list[str] = []

    def _run(self, page, options: dict) -> dict:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.source)
        return page.evaluate(RUN_AXE, options)

    def check(self, page, where: str, *, projector: bool = False) -> None:
        """WCAG 2.1 A/AA on the page as it is now; on the room's screen, also text contrast
        of 7:1 (AAA: color-contrast-enhanced, 4.5:1 for large text)."""
        started = time.monotonic()
        if projector:
            settle(page)  # the screen has fitted its last change (no CSS transitions elsewhere)
        shot = re.sub(r"[^\w-]+", "-", where).strip("-")
        page.screenshot(path=str(self.artifacts_dir / f"a11y-{shot}.png"))
        result = self._run(page, {"runOnly": {"type": "tag", "values": WCAG}})
        found, undecided, contrasts = result["violations"], result["incomplete"], result["contrasts"]
        if projector:
            enhanced = self._run(page, {"runOnly": {"type": "rule",
                                                    "values": ["color-contrast-enhanced"]}})
            for violation in enhanced["violations"]:  # under 7:1 on the room's screen: as bad
                violation["impact"] = "serious"      # as under 4.5:1 elsewhere
            found += enhanced["violations"]
            undecided += enhanced["incomplete"]
            # AAA lets large text off with 4.5:1; the room's screen, read from the back of a
            # hall, holds all of its text to 7:1.
            low = [c for c in enhanced["contrasts"] if c["ratio"] < PROJECTOR_TEXT]
            assert enhanced["contrasts"], f"{where}: axe measured no text on the room's screen"
            if low:
                found.append({
                    "id": "projector-text-7", "impact": "serious",
                    "help": f"Text on the room's screen must have a contrast of {PROJECTOR_TEXT}:1",
                    "nodes": [{"target": c["target"], "summary": f"{c['ratio']}:1"} for c in low]})
        self.lines.append(f"== {where} ({page.url}, {time.monotonic() - started:.1f} s)")
        if contrasts:
            lowest = min(c["ratio"] for c in contrasts)
            self.lines.append(f"   contrast of {len(contrasts)} texts, the lowest {lowest}:1")
        if not found:
            self.lines.append("   no violation")
        for rule in undecided:  # what axe could not decide (text over an image, say): reported
            self.lines.append(f"   (undecided {rule['id']}: "
                              + ", ".join(node["target"] for node in rule["nodes"][:6]) + ")")
        for violation in found:
            lines = [f"   {violation['impact']} {violation['id']}: {violation['help']}"]
            lines += [f"      {node['target']}  {node['summary']}" for node in violation["nodes"][:12]]
            if len(violation["nodes"]) > 12:
                lines.append(f"      … and {len(violation['nodes']) - 12} more")
            self.lines += lines
            if violation["impact"] in BLOCKING:
                self.blocking.append(f"{where}:\n" + "\n".join(lines))

    def assert_clean(self) -> None:
        with (self.artifacts_dir / "accessibility.txt").open("a", encoding="utf-8") as report:
            report.write("\n".join(self.lines) + "\n")
        self.lines = []
        blocking, self.blocking = self.blocking, []
        assert not blocking, ("critical or serious accessibility violations:\n"
                              + "\n".join(blocking))


@pytest.fixture(scope="module")
def axe_source(artifacts_dir) -> str:
    require_service(AXE_JS.exists(), f"{AXE_JS} is missing (./dev installs package.json's packages)")
    (artifacts_dir / "accessibility.txt").unlink(missing_ok=True)
    return AXE_JS.read_text(encoding="utf-8") + "\n;0"


@pytest.fixture
def audits(axe_source, artifacts_dir) -> Audits:
    return Audits(axe_source, artifacts_dir)


def phone_page(open_page, label: str):
    phone = open_page("phone", label)
    phone.set_viewport_size(PHONE)
    return phone


# --- the staff's pages ------------------------------------------------------------------

def test_the_staff_pages(open_page, live_server, audits):
    page = open_page("console", "staff")
    case_id = None
    page.goto("/login")
    audits.check(page, "login")
    page.goto("/login?next=/cases")
    page.locator("form button[type=submit]").click()  # nothing typed: the errors shown
    audits.check(page, "login with errors")
    open_console(page, live_server)
    meeting_id = live_server.info["meeting_id"]
    case_id = int(re.search(r"/cases/(\d+)", page.locator(".console-head a").first
                            .get_attribute("href")).group(1))
    for path, where in [
            ("/", "home"), ("/cases", "case list"), (f"/cases/{case_id}", "case page"),
            (f"/cases/{case_id}/edit", "case form"), ("/cases/new", "new case"),
            (f"/cases/{case_id}/roster", "roster"), (f"/cases/{case_id}/meetings/new", "new meeting"),
            (f"/meetings/{meeting_id}", "meeting page"),
            (f"/meetings/{meeting_id}/invitations", "invitations (check-in)"),
            (f"/meetings/{meeting_id}/proxies", "proxies"), ("/board", "board"),
            ("/account/password", "password"), ("/cases?lang=en", "case list, English"),
            ("/cases/99999", "error page")]:
        page.goto(path)
        audits.check(page, where)
    page.goto(f"/meetings/{meeting_id}/console")
    expect(page.locator("#connection")).to_have_attribute("data-status", "connected", timeout=LIVE)
    expect(page.locator("#votes-console .plan-list")).to_be_visible(timeout=LIVE)
    audits.check(page, "console, before the agenda")
    audits.assert_clean()


# --- the console with the keyboard alone ---------------------------------------------------

# The focused element, and whether it shows so: an outline of 2 px at least or a ring
# (box-shadow), on an element that is on the page.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow !== "none";
  const label = (el.getAttribute("aria-label") || el.textContent || el.value || el.name || "").trim();
  return { what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.dataset.act ? `[${el.dataset.act}]` : "")
                 + ` "${label.replace(/\\s+/g, " ").slice(0, 30)}"`,
           shown: (outline || ring) && el.getClientRects().length > 0 };
}"""


class Keyboard:
    """The console driven by keys only; every element the focus reaches is checked to show it."""

    def __init__(self, page):
        self.page = page
        self.stops: list[str] = []
        self.unseen: list[str] = []

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def press(self, key: str) -> dict | None:
        self.page.keyboard.press(key)
        now = self.focused()
        if now is not None:
            self.stops.append(now["what"])
            if not now["shown"]:
                self.unseen.append(now["what"])
        return now

    def tab_to(self, selector: str, backwards: bool = False, limit: int = 400) -> None:
        """Tab (or Shift+Tab) until the focus is on `selector`."""
        for _ in range(limit):
            if self.page.evaluate("(s) => Boolean(document.activeElement?.matches(s))", selector):
                return
            self.press("Shift+Tab" if backwards else "Tab")
        raise AssertionError(f"{selector} was never reached with {'Shift+' if backwards else ''}Tab; "
                             f"the last stops: {self.stops[-12:]}")

    def on(self, selector: str) -> bool:
        return self.page.evaluate("(s) => Boolean(document.activeElement?.matches(s))", selector)


def test_the_console_with_the_keyboard_alone(open_page, live_server, artifacts_dir, audits):
    console = open_page("console", "keyboard")
    keys = Keyboard(console)
    meeting_id = live_server.info["meeting_id"]

    # Signing in: the fields and the button by Tab, Enter sends.
    console.goto(f"/login?next=/meetings/{meeting_id}/console")
    keys.tab_to("#username")
    console.keyboard.type(live_server.info["username"])
    keys.press("Tab")
    assert keys.on("#password")
    console.keyboard.type(live_server.info["password"])
    console.keyboard.press("Enter")  # the form is sent: a new page
    expect(console).to_have_url(re.compile(rf"/meetings/{meeting_id}/console$"))
    expect(console.locator("#connection")).to_have_attribute("data-status", "connected", timeout=LIVE)
    expect(console.locator("#votes-console .plan-list")).to_be_visible(timeout=LIVE)

    # Once round the whole page: every stop shows the focus.
    keys.press("Tab")
    first = keys.stops[-1]
    for _ in range(600):
        if keys.press("Tab") is not None and keys.stops[-1] == first:
            break
    round_trip = len(keys.stops)
    assert round_trip > 40, keys.stops

    # The next agenda item, by Enter on its button.
    keys.tab_to("#agenda-next")
    title_before = console.locator("#current-item").inner_text()
    keys.press("Enter")
    expect(console.locator("#current-item")).not_to_have_text(title_before, timeout=LIVE)
    assert keys.on("#agenda-next"), "the focus left the button it pressed"

    # Someone waits in the lobby: admitted by Space on their button; the focus stays in the
    # lobby's list, not thrown back to the top of the page.
    phone = phone_page(open_page, "keyboard-phone")
    phone.goto(f"/j/{live_server.info['join_code']}")
    phone.fill("#name", "柳春花")
    phone.locator("input[name=party][value=observer]").check()
    phone.locator("form button[type=submit]").click()
    expect(console.locator("#lobby-list li", has_text="柳春花")).to_have_count(1, timeout=LIVE)
    keys.tab_to("#lobby-list button[data-act=admit]")
    keys.press("Space")
    expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)
    expect(console.locator("#lobby-list button[data-act=admit]")).to_have_count(0, timeout=LIVE)
    assert keys.focused() is not None, "after admitting, the focus fell back to the page"
    assert console.evaluate("document.activeElement.closest("
                            "'#lobby-list, [aria-labelledby=lobby-heading]') !== null"), keys.focused()

    # A vote: its title typed, Enter creates it; opened by Enter on its button.
    keys.tab_to("#vote-new-title")
    console.keyboard.type("意向表决：键盘操作")
    keys.press("Enter")
    vote = console.locator("#votes-console .vote-list li", has_text="键盘操作")
    expect(vote).to_have_count(1, timeout=LIVE)
    vote_id = vote.get_attribute("data-vote")
    keys.tab_to(f"li[data-vote='{vote_id}'] button[data-act='vote.open']", backwards=True)
    keys.press("Enter")
    expect(vote).to_contain_text("投票中", timeout=LIVE)
    console.wait_for_timeout(300)
    assert keys.on(f"li[data-vote='{vote_id}'] *"), \
        f"the focus left the vote it opened: {keys.focused()}"
    shot = artifacts_dir / "a11y-keyboard-vote-open.png"
    console.screenshot(path=str(shot))

    # Closing it takes a second press: Escape lets the first go, then Enter twice closes it.
    close = vote.locator("button[data-act='vote.close']")
    keys.tab_to(f"li[data-vote='{vote_id}'] button[data-act='vote.close']", backwards=True)
    keys.press("Enter")
    expect(close).to_have_text(re.compile(r"^再点一次确认"))
    console.screenshot(path=str(artifacts_dir / "a11y-keyboard-close-armed.png"))
    keys.press("Escape")
    expect(close).to_have_text("结束投票")
    expect(vote).to_contain_text("投票中")
    assert keys.on(f"li[data-vote='{vote_id}'] button[data-act='vote.close']")
    keys.press("Enter")
    expect(close).to_have_text(re.compile(r"^再点一次确认"))
    keys.press("Enter")
    expect(vote.locator("[data-testid=vote-result], .vote-result").first).to_be_visible(timeout=LIVE)
    console.wait_for_timeout(300)
    assert keys.on(f"li[data-vote='{vote_id}'] *"), \
        f"the focus left the vote it closed: {keys.focused()}"

    # A dialog (an agenda item's edit): the focus goes in, stays in while tabbing, and
    # Escape closes it and gives the focus back to the button that opened it.
    keys.tab_to("#agenda-list li:first-child button[data-act=edit]", backwards=True)
    keys.press("Enter")
    expect(console.locator("#item-dialog")).to_be_visible()
    assert keys.on("#item-dialog *")
    audits.check(console, "console, an agenda item's edit dialog")
    for _ in range(8):
        keys.press("Tab")
        assert keys.on("#item-dialog *"), f"the focus left the open dialog: {keys.focused()}"
    for _ in range(8):
        keys.press("Shift+Tab")
        assert keys.on("#item-dialog *"), f"the focus left the open dialog: {keys.focused()}"
    keys.press("Escape")
    expect(console.locator("#item-dialog")).to_be_hidden()
    assert keys.on("#agenda-list li:first-child button[data-act=edit]"), keys.focused()

    # The plan form's dialog likewise.
    keys.tab_to("#plan-new-open")
    keys.press("Enter")
    expect(console.locator("#plan-dialog")).to_be_visible()
    assert keys.on("#plan-dialog *")
    audits.check(console, "console, the plan form")
    for _ in range(30):
        keys.press("Tab")
        assert keys.on("#plan-dialog *"), f"the focus left the open dialog: {keys.focused()}"
    keys.press("Escape")
    expect(console.locator("#plan-dialog")).to_be_hidden()
    assert keys.on("#plan-new-open"), keys.focused()

    assert not keys.unseen, f"focus not visible on: {sorted(set(keys.unseen))}"
    print(f"{round_trip} stops round the console; {len(keys.stops)} key presses in all")
    audits.assert_clean()


# --- the meeting, live: projector, console and phones -------------------------------------

SPEAKERS = [("李桂兰", "street_office"), ("王建华", "owners_committee"), ("刘芳", "housing_bureau"),
            ("陈志强", "developer"), ("赵丽娟", "property_company"), ("孙伟", "cppcc_member"),
            ("周敏", "expert"), ("Maximilian Wolfeschlegelsteinhausenbergerdorff", "community")]
CLAIMANT = ("尹建华", "3-2-601")


def test_the_live_meeting_in_every_state(open_page, live_server, audits):
    projector, console = open_page("projector"), open_page("console")
    code = open_projector(projector, live_server)
    audits.check(projector, "projector, join screen", projector=True)
    open_console(console, live_server)

    # A phone joins: the code page, the join form (and its errors), the lobby.
    phone = phone_page(open_page, "phone")
    phone.goto("/join")
    audits.check(phone, "phone, code page")
    phone.goto(f"/j/{code}")
    expect(phone.locator("#join-form")).to_be_visible(timeout=LIVE)
    audits.check(phone, "phone, join form")
    phone.fill("#name", RESIDENT)
    phone.locator("form button[type=submit]").click()
    expect(phone.locator("#unit-error")).to_be_visible(timeout=LIVE)
    audits.check(phone, "phone, join form with an error")
    phone.select_option("#unit", UNIT)
    phone.locator("form button[type=submit]").click()
    expect(phone.locator("#phone-waiting")).to_be_visible(timeout=LIVE)
    audits.check(phone, "phone, lobby")
    entry = console.locator("#lobby-list li", has_text=RESIDENT)
    expect(entry).to_have_count(1, timeout=LIVE)
    audits.check(console, "console, someone in the lobby")
    entry.locator("button[data-act=admit]").click()
    expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)

    # The first item; a long speakers' list, one of them speaking, the phone's hand up.
    console.locator("#agenda-next").click()
    expect(phone.locator("#phone-item")).not_to_have_text("", timeout=LIVE)
    audits.check(phone, "phone, live")
    ids = [send(console, "participant.add", {"name": name, "party": party})["participant_id"]
           for name, party in SPEAKERS]
    entries = [send(console, "queue.add", {"participant_id": pid, "kind": "speech", "stance": "for"})
               ["entry_id"] for pid in ids]
    send(console, "floor.give", {"entry_id": entries[0]})
    phone.locator("#hand-buttons button[data-stance=against]").click()
    expect(phone.locator("[data-testid=phone-place]")).to_have_count(1, timeout=LIVE)
    expect(projector.locator("#pj-speaker-name")).to_have_text(SPEAKERS[0][0], timeout=LIVE)
    audits.check(projector, "projector, long speakers' list", projector=True)
    audits.check(console, "console, long speakers' list")
    audits.check(phone, "phone, hand raised")
    assert console.evaluate(LOUD_CLOCKS, CONSOLE_CLOCKS) == []
    assert phone.evaluate(LOUD_CLOCKS, PHONE_CLOCKS) == []

    # Someone claims a unit with the join code: the desk sees the claim to check.
    claimant = phone_page(open_page, "claimant")
    join_with_code(claimant, code, *CLAIMANT)
    claim = console.locator("[data-testid=checkin-pending] li", has_text=CLAIMANT[0])
    expect(claim).to_have_count(1, timeout=LIVE)
    audits.check(console, "console, check-in with a claim to verify")
    claim.locator("button[data-act=verify]").click()
    expect(claimant.locator("#phone-live")).to_be_visible(timeout=LIVE)

    # An open vote with its counts live on the screens; the phone votes.
    vote_id = send(console, "vote.create", {
        "kind": "straw_poll", "method": "single", "title": "意向表决：维修方案", "eligibility": "present",
        "show_results": "live", "plans": ["A", "B", "C"]})["vote_id"]
    send(console, "vote.open", {"id": vote_id})
    for pid, choice in zip(ids, "CCAB"):
        send(console, "ballot.record", {"vote_id": vote_id, "participant_id": pid, "choices": [choice]})
    expect(projector.locator("#pj-vote li[data-choice=C]")).to_contain_text("2", timeout=LIVE)
    card = phone.locator("[data-testid=phone-vote]")
    expect(card.locator("input[type=radio][value=C]")).to_be_visible(timeout=LIVE)
    audits.check(phone, "phone, open vote")
    card.locator("input[type=radio][value=C]").check()
    card.locator("button[type=submit]").click()
    expect(card.locator("[data-testid=phone-voted]")).to_be_visible(timeout=LIVE)
    audits.check(projector, "projector, open vote with live counts", projector=True)
    audits.check(console, "console, open vote")
    audits.check(phone, "phone, voted")

    # Its result on every screen.
    send(console, "vote.close", {"id": vote_id})
    expect(projector.locator("#pj-vote [data-testid=vote-explanation]")).to_be_visible(timeout=LIVE)
    expect(phone.locator(".vote-result")).to_be_visible(timeout=LIVE)
    audits.check(projector, "projector, vote result", projector=True)
    audits.check(console, "console, vote result")
    audits.check(phone, "phone, vote result")

    # Elderly mode (长辈模式): the live page, then a vote alone on the screen.
    phone.locator("[data-testid=elderly-toggle]").click()
    expect(phone.locator("[data-testid=elderly-toggle]")).to_have_attribute("aria-pressed", "true")
    audits.check(phone, "phone, elderly mode")
    vote_id = send(console, "vote.create", {
        "kind": "straw_poll", "method": "approval", "title": "意向表决：可以接受的方案",
        "plans": ["A", "B", "C"], "eligibility": "present"})["vote_id"]
    send(console, "vote.open", {"id": vote_id})
    expect(card.locator("input[type=checkbox]")).to_have_count(3, timeout=LIVE)
    audits.check(phone, "phone, elderly mode, open vote")
    card.locator("input[value=B]").check()
    card.locator("button[type=submit]").click()  # the first tap asks again
    expect(card.locator("button[type=submit]")).to_have_text(re.compile(r"^再点一次确认"))
    audits.check(phone, "phone, elderly mode, asked to confirm")
    send(console, "vote.close", {"id": vote_id})
    audits.assert_clean()


# --- after the meeting: the written ballot, the end, the minutes --------------------------

OWNER = "P13"  # 吕玉兰, 3-1-702


def test_the_written_ballot_and_the_end_of_the_meeting(open_page, live_server, audits):
    projector, console = open_page("projector"), open_page("console")
    open_projector(projector, live_server)
    open_console(console, live_server)
    meeting_id = live_server.info["meeting_id"]
    phone = phone_page(open_page, "phone-end")
    phone.goto(f"/j/{live_server.info['join_code']}")
    phone.fill("#name", "伍家明")
    phone.locator("input[name=party][value=observer]").check()
    phone.locator("form button[type=submit]").click()
    console.locator("#lobby-list li", has_text="伍家明").locator("button[data-act=admit]").click()
    expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)
    link = qr_link_of_invitation(console, meeting_id, OWNER)

    # An owners' decision closed in the meeting: its result notice.
    decided = send(console, "vote.create", {
        "kind": "owners_decision", "method": "single", "title": "业主共同决定：维修方案（会上）",
        "plans": ["A", "B", "C"]})["vote_id"]
    send(console, "vote.open", {"id": decided})
    for owner in ("P01", "P02", "P03"):
        send(console, "ballot.record", {"vote_id": decided, "owner_key": owner, "choices": ["C"]})
    send(console, "vote.close", {"id": decided})

    # Another continued in writing after the meeting: the staff's page, the missing owners.
    written = send(console, "vote.create", {
        "kind": "owners_decision", "method": "single", "title": "业主共同决定：选择维修方案",
        "plans": ["A", "B", "C"]})["vote_id"]
    send(console, "vote.open", {"id": written})
    send(console, "ballot.record", {"vote_id": written, "owner_key": "P01", "choices": ["A"]})
    console.goto(f"/meetings/{meeting_id}/votes/{written}/written")
    audits.check(console, "written ballot, staff page")
    deadline = (datetime.now(SHANGHAI) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    console.fill("[data-testid=written-deadline]", deadline)
    console.locator("[data-testid=written-continue]").click()
    expect(console.locator(".flash")).to_contain_text("表决已转为书面征求意见")
    audits.check(console, "written ballot, staff page, continued")
    progress_url = console.locator("[data-testid=progress-link]").get_attribute("href")
    console.goto(f"/meetings/{meeting_id}/votes/{written}/missing")
    audits.check(console, "written ballot, missing owners")
    console.goto(f"/meetings/{meeting_id}/votes/{decided}/notice")
    audits.check(console, "result notice")

    # The end of the meeting on every screen.
    console.goto(f"/meetings/{meeting_id}/console")
    expect(console.locator("#connection")).to_have_attribute("data-status", "connected", timeout=LIVE)
    end = console.locator("#end-meeting")
    end.click()
    expect(end).to_have_text(re.compile(r"^再点一次确认"))
    end.click()
    expect(projector.locator("#pj-item-title")).to_have_text("会议已结束，感谢参与。", timeout=LIVE)
    expect(phone.locator("#phone-gone")).to_be_visible(timeout=LIVE)
    audits.check(projector, "projector, the meeting ended", projector=True)
    audits.check(console, "console, the meeting ended")
    audits.check(phone, "phone, the meeting ended")

    # The minutes finalised and sent to the phones for signature.
    finalise = console.locator("#minutes-finalise")
    expect(finalise).to_be_visible(timeout=LIVE)
    finalise.click()
    finalise.click()
    expect(console.locator("#minutes-versions li")).to_have_count(1, timeout=LIVE)
    request = console.locator("[data-testid=minutes-request]")
    request.locator("select").select_option(value="")
    request.locator("button").click()
    expect(console.locator("[data-testid=minutes-v1-requests] li")).not_to_have_count(0, timeout=LIVE)
    expect(phone.locator("#phone-sign-form")).to_be_visible(timeout=LIVE)
    audits.check(console, "console, the minutes sent for signature")
    audits.check(phone, "phone, asked to sign the minutes")
    console.goto(f"/meetings/{meeting_id}/minutes")
    audits.check(console, "minutes")

    # The notice board's progress page, on a screen of the room's size (its clock driven by
    # the test: the figures are fetched again each minute).
    board = open_page("projector", "board")
    board.clock.install()
    board.goto(re.sub(r"^https?://[^/]+", "", progress_url))
    participation = board.locator("[data-testid=progress-participation]")
    expect(participation).to_contain_text("已参与表决：1/38")
    audits.check(board, "written ballot, progress page")
    board.evaluate("window.stillTheSamePage = true")

    # An owner's written ballot on the phone (elderly mode too), the receipt, its check.
    ballot = phone_page(open_page, "ballot")
    ballot.goto(re.sub(r"^https?://[^/]+", "", link))
    card = ballot.locator(f"[data-testid=written-vote-{written}]")
    expect(card).to_be_visible()
    audits.check(ballot, "written ballot")
    ballot.locator("[data-testid=elderly-toggle]").click()
    expect(ballot.locator("[data-testid=elderly-toggle]")).to_have_attribute("aria-pressed", "true")
    audits.check(ballot, "written ballot, elderly mode")
    ballot.locator("[data-testid=elderly-toggle]").click()
    card.locator("[data-testid=option-B] input").check()
    card.locator("[data-testid=ballot-submit]").click()
    expect(ballot.locator("[data-testid=receipt-code]")).to_be_visible()
    audits.check(ballot, "written ballot, receipt")
    ballot.locator("[data-testid=receipt-check-link]").click()
    expect(ballot.locator("[data-testid=receipt-state]")).to_be_visible()
    audits.check(ballot, "written ballot, receipt checked")

    # A minute on, the board shows the new figure in place: no reload (WCAG 2.2.1), so a
    # reader keeps their place.
    board.clock.fast_forward("01:01")
    expect(participation).to_contain_text("已参与表决：2/38", timeout=LIVE)
    assert board.evaluate("window.stillTheSamePage === true")
    audits.assert_clean()
