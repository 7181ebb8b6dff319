"""The clerk's minutes panel (issue 16, item 6): two people write one section at once and the
second is warned instead of overwriting; what is typed survives a reload before it is saved;
an agreed item is previewed as the minutes will list it before it is added.

Its own server: the test plans a meeting of its own in the demo case and writes its minutes.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import own_live_server
from tests.browser.test_minutes_download import LIVE, plan_and_open_a_meeting, shot

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason before any test runs
    expect = None

live_server = own_live_server("minutes-clerk")


def _sign_in_to_console(page, server, meeting_id: int) -> None:
    page.goto(f"/login?next=/meetings/{meeting_id}/console")
    page.fill("#username", server.info["username"])
    page.fill("#password", server.info["password"])
    page.locator("form button[type=submit]").click()
    expect(page.locator("#connection")).to_have_attribute("data-status", "connected",
                                                          timeout=LIVE)


def _summary(page):
    return page.locator('#minutes-sections [data-section="summary"]')


def test_two_clerks_one_section_a_reload_and_an_agreed_item_previewed(
        open_page, live_server, artifacts_dir):
    first = open_page("console", "clerk-a")
    meeting_id = plan_and_open_a_meeting(first, live_server)
    second = open_page("console", "clerk-b")
    _sign_in_to_console(second, live_server, meeting_id)

    # Both start from the same empty summary; A saves first.
    a, b = _summary(first), _summary(second)
    a.locator("textarea").fill("各方同意先疏通排水口，再做防水。")
    b.locator("textarea").fill("物业公司本周内疏通排水口。")
    a.get_by_role("button", name="保存").click()
    expect(a.locator("[role=status]")).to_have_text("已保存", timeout=LIVE)

    # B's save is refused: A's text is shown beside B's, nothing of B's is lost.
    b.get_by_role("button", name="保存").click()
    conflict = b.locator("[data-testid=minutes-conflict]")
    expect(conflict).to_be_visible(timeout=LIVE)
    expect(conflict.locator("blockquote")).to_have_text("各方同意先疏通排水口，再做防水。")
    expect(b.locator("textarea")).to_have_value("物业公司本周内疏通排水口。")
    conflict.scroll_into_view_if_needed()
    shot(second, artifacts_dir, "clerk-01-conflict")

    # B merges by hand and keeps the result, knowingly.
    b.locator("textarea").fill("各方同意先疏通排水口（物业公司本周内），再做防水。")
    conflict.get_by_role("button", name="保留我的并保存").click()
    expect(conflict).to_be_hidden(timeout=LIVE)
    expect(b.locator("[role=status]")).to_have_text("已保存", timeout=LIVE)
    expect(a.locator("textarea")).to_have_value(
        "各方同意先疏通排水口（物业公司本周内），再做防水。", timeout=LIVE)

    # A types more, and the page reloads (a lost connection, a closed tab) before saving.
    dissent = first.locator('#minutes-sections [data-section="dissent"] textarea')
    dissent.fill("3-1-101业主对分摊比例保留意见。")
    first.reload()
    expect(first.locator("#connection")).to_have_attribute("data-status", "connected",
                                                           timeout=LIVE)
    restored = first.locator('#minutes-sections [data-section="dissent"]')
    expect(restored.locator("textarea")).to_have_value("3-1-101业主对分摊比例保留意见。",
                                                      timeout=LIVE)
    expect(restored.locator("[role=status]")).to_contain_text("已恢复")
    restored.get_by_role("button", name="保存").click()
    expect(restored.locator("[role=status]")).to_have_text("已保存", timeout=LIVE)
    first.reload()
    restored = first.locator('#minutes-sections [data-section="dissent"]')
    expect(restored.locator("textarea")).to_have_value("3-1-101业主对分摊比例保留意见。",
                                                      timeout=LIVE)
    expect(restored.locator("[role=status]")).to_have_text("")  # saved: nothing restored

    # An agreed item, previewed as the list will show it, then added.
    form = first.locator("#minutes-item-form")
    preview = first.locator("[data-testid=minutes-item-preview]")
    expect(preview).to_be_hidden()
    form.locator("textarea[name=what]").fill("疏通3幢车库排水口")
    form.locator("select[name=party]").select_option("property_company")
    form.locator("input[name=person]").fill("周明")
    form.locator("input[name=amount]").fill("12,500.5")
    form.locator("select[name=funding_source]").select_option("property_company")
    expect(preview).to_contain_text("疏通3幢车库排水口")
    expect(preview).to_contain_text("物业服务企业 · 周明 · ¥12,500.50")
    preview.scroll_into_view_if_needed()
    shot(first, artifacts_dir, "clerk-02-item-preview")
    first.reload()  # the item typed so far is still there
    expect(form.locator("textarea[name=what]")).to_have_value("疏通3幢车库排水口", timeout=LIVE)
    expect(form.locator("input[name=amount]")).to_have_value("12,500.5")
    expect(preview).to_contain_text("物业服务企业 · 周明 · ¥12,500.50")
    form.locator("#minutes-item-save").click()
    item = first.locator("#minutes-items li").first
    expect(item).to_contain_text("物业服务企业 · 周明 · ¥12,500.50", timeout=LIVE)
    expect(preview).to_be_hidden()
    first.reload()  # added: nothing kept any more
    expect(first.locator("#minutes-items li").first).to_contain_text("周明", timeout=LIVE)
    expect(form.locator("textarea[name=what]")).to_have_value("")
    assert re.search(r"疏通3幢车库排水口", first.locator("#minutes-items").inner_text())


# --- what a save may not lose, and what a shared computer may not keep --------------------

def _section(page, key: str):
    return page.locator(f'#minutes-sections [data-section="{key}"]')


def _sign_in(page, server, username: str, meeting_id: int) -> None:
    page.goto(f"/login?next=/meetings/{meeting_id}/console")
    page.fill("#username", username)
    page.fill("#password", server.info["password"])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#connection")).to_have_attribute("data-status", "connected",
                                                          timeout=LIVE)


def _kept_drafts(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('facilitator.minutes.'))")


def test_a_section_someone_else_saved_while_the_clerk_sat_in_it_is_not_overwritten_unseen(
        open_page, live_server):
    """A has clicked into a section (the focus there, nothing typed) when B saves it: A's
    field keeps what A was reading, and A's save, typed from that, must be shown B's text
    instead of overwriting it."""
    meeting_id = live_server.info["meeting_id"]
    first, second = open_page("console", "clerk-a"), open_page("console", "clerk-b")
    _sign_in(first, live_server, live_server.info["username"], meeting_id)
    _sign_in(second, live_server, live_server.info["username"], meeting_id)
    a, b = _section(first, "pending"), _section(second, "pending")
    a.locator("textarea").click()  # A reads, the focus in the field
    b.locator("textarea").fill("排水口疏通后的复查时间待定。")
    b.get_by_role("button", name="保存").click()
    expect(b.locator("[role=status]")).to_have_text("已保存", timeout=LIVE)
    # A's draft has been fetched again (B's text is in it); A's field was left as it was.
    expect(first.frame_locator("#minutes-draft").locator("body")).to_contain_text(
        "排水口疏通后的复查时间待定", timeout=LIVE)
    expect(a.locator("textarea")).to_have_value("")
    a.locator("textarea").press_sequentially("资金分担比例待下次会议再议。")
    a.get_by_role("button", name="保存").click()
    conflict = a.locator("[data-testid=minutes-conflict]")
    expect(conflict).to_be_visible(timeout=LIVE)
    expect(conflict.locator("blockquote")).to_have_text("排水口疏通后的复查时间待定。")
    expect(a.locator("textarea")).to_have_value("资金分担比例待下次会议再议。")
    expect(b.locator("textarea")).to_have_value("排水口疏通后的复查时间待定。")


def test_what_is_typed_while_a_save_is_on_its_way_is_kept(open_page, live_server):
    meeting_id = live_server.info["meeting_id"]
    page = open_page("console")
    _sign_in(page, live_server, live_server.info["username"], meeting_id)
    row = _section(page, "follow_up")
    # The save takes a while (a slow network): the clerk goes on typing meanwhile.
    page.evaluate("""async () => {
      const { store } = await import("/static/js/console.js");
      const send = store.send.bind(store);
      store.send = (type, payload) => new Promise((resolve) => setTimeout(resolve, 1500))
        .then(() => send(type, payload));
    }""")
    row.locator("textarea").fill("物业公司本周内疏通排水口。")
    row.get_by_role("button", name="保存").click()
    row.locator("textarea").fill("物业公司本周内疏通排水口。业委会下周复查。")
    page.locator("#minutes-heading").click()  # the focus leaves the field
    expect(row.locator("[role=status]")).to_have_text("已保存", timeout=LIVE)
    page.wait_for_timeout(1500)  # the draft is fetched again after the save
    expect(row.locator("textarea")).to_have_value("物业公司本周内疏通排水口。业委会下周复查。")
    page.reload()  # and the part not saved yet is still kept in the browser
    row = _section(page, "follow_up")
    expect(row.locator("textarea")).to_have_value("物业公司本周内疏通排水口。业委会下周复查。",
                                                  timeout=LIVE)
    expect(row.locator("[role=status]")).to_contain_text("已恢复")
    row.get_by_role("button", name="保存").click()
    expect(row.locator("[role=status]")).to_have_text("已保存", timeout=LIVE)


def test_on_a_shared_computer_the_next_user_never_gets_the_text_typed_before(
        open_page, live_server):
    """The moderator types into a section and leaves it unsaved; the clerk signs in on the
    same browser. The moderator's text is not put in the clerk's field (to be saved in the
    clerk's name); signing out deletes it from the browser, after asking in place."""
    from facilitator.demo import CLERK_USERNAME
    meeting_id = live_server.info["meeting_id"]
    page = open_page("console")
    _sign_in(page, live_server, live_server.info["username"], meeting_id)
    _section(page, "attachments").locator("textarea").fill("附件：郑文涛未保存的草稿")
    assert _kept_drafts(page)

    # Another user signs in on this browser without the first signing out (a session that
    # ran out, a colleague at the desk).
    _sign_in(page, live_server, CLERK_USERNAME, meeting_id)
    row = _section(page, "attachments")
    expect(row.locator("textarea")).to_have_value("")
    expect(row.locator("[role=status]")).to_have_text("")

    # The clerk types too, then signs out: the page asks in place (no dialog), and only a
    # second press signs out and keeps nothing typed here.
    row.locator("textarea").fill("附件：许静未保存的草稿")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_out = page.locator("header form button[type=submit]")
    sign_out.click()
    expect(page.locator("header form [role=alert]")).to_contain_text("未保存的纪要")
    assert "/console" in page.url and _kept_drafts(page)
    sign_out.click()
    expect(page).to_have_url(re.compile(r"/login"))
    assert _kept_drafts(page) == [] and dialogs == []

    # The moderator comes back: nothing of anyone's is restored.
    _sign_in(page, live_server, live_server.info["username"], meeting_id)
    row = _section(page, "attachments")
    expect(row.locator("textarea")).to_have_value("")
    expect(row.locator("[role=status]")).to_have_text("")


def test_signing_out_with_nothing_unsaved_asks_nothing(open_page, live_server):
    page = open_page("console")
    _sign_in(page, live_server, live_server.info["username"], live_server.info["meeting_id"])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.locator("header form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login"))
    assert dialogs == []
