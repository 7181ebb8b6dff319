"""What people type stays text on every page (docs/architecture.md §12): someone tries to put
markup through every field the live pages draw, and none of it becomes an element.

The staff's case form (number, title, community: the heads of the console and the projector,
the minutes' footer), two phones' names, the agenda item, a plan from the console (title,
description, proposer, risks) and one proposed from a phone, three written questions, the
answer and the reason one was dismissed, the speaker's notes, a vote's title and question,
the clerk's minutes section and an agreed item. Then on the console, the projector (1920×1080)
and the phones (390×844), and in the minutes as a page: nothing typed ran (window.__pwned),
no element came from it (every frame, the minutes' draft too), and each string reads as
typed, placeholders (`${7*7}`, `{{7*7}}`, `{name}`) included.
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
from tests.browser.test_live_meeting import LIVE, open_console, open_projector  # noqa: E402
from tests.browser.test_projector_fit import send  # noqa: E402
from tests.browser.test_speakers import join_and_admit  # noqa: E402
from tests.browser.walk import PHONE  # noqa: E402

# The case is edited, plans and a vote added: on a server of its own.
live_server = own_live_server("markup")

RUN = "window.__pwned=1"
CASE_NUMBER = "</style><b>案</b>-1"  # the minutes' footer is in their <style>
CASE_TITLE = f"<script>{RUN}</script>车库渗水"
CASE_COMMUNITY = "<b>小区</b>{{7*7}}"
NAME = f'<img src=x onerror="{RUN}">王<b>伟</b>'
# A name with the placeholders of the message it is put in ("{name} · {party}").
NAME_B = f'{{party}}{{name}}"><svg onload={RUN}>'
AGENDA = f"<script>{RUN}</script>议程${{7*7}}"
PLAN = f'"><svg onload={RUN}>方案{{{{7*7}}}}'
PLAN_DESCRIPTION = f"<img src=x onerror={RUN}>描述 ${{7*7}} {{{{7*7}}}}"
PLAN_PROPOSER = "<b>陈工</b>"
PLAN_RISKS = "</p><b>风险</b>"
PROPOSAL = f"<b>提案</b><img src=x onerror={RUN}>"
PROPOSAL_DESCRIPTION = f"<script>{RUN}</script>说明"
Q_QUEUED = f"<b>问一</b><img src=x onerror={RUN}>"
Q_ANSWERED = f'"><svg onload={RUN}>问二{{{{7*7}}}}'
Q_DISMISSED = f"<script>{RUN}</script>问三"
ANSWER = f"<script>{RUN}</script><b>答复</b>${{7*7}}"
DISMISS_NOTE = f"<img src=x onerror={RUN}>理由"
SPEECH_NOTE = f"<b>记录</b><img src=x onerror={RUN}>"
VOTE = f"<svg onload={RUN}><b>表决</b>"
VOTE_QUESTION = f"<img src=x onerror={RUN}>同意吗？{{{{7*7}}}}"
SUMMARY = f"</p><script>{RUN}</script><b>归纳</b>"
AGREED = f"<img src=x onerror={RUN}>落实排水"
AGREED_PERSON = "<b>张三</b>"

# Elements that could only have come from what was typed: the pages draw no <b>, <svg> or
# inline handler of their own, and their only inline scripts are JSON blocks.
INJECTED = ('img[src="x"], [onerror], [onload], b, svg, '
            'script:not([src]):not([type="application/json"])')


def nothing_typed_became_markup(page, where: str) -> None:
    for frame in page.frames:  # the page and its frames (the minutes' draft, sandboxed)
        assert frame.evaluate("typeof window.__pwned") == "undefined", (where, frame.url)
        found = frame.locator(INJECTED).evaluate_all("(all) => all.map((e) => e.outerHTML)")
        assert found == [], (where, frame.url, found)


def reads(locator, *texts: str) -> None:
    for text in texts:
        expect(locator).to_contain_text(text, timeout=LIVE)


def test_markup_typed_into_every_field_is_shown_as_text_on_every_page(open_page, live_server):
    meeting_id = live_server.info["meeting_id"]
    console = open_page("console")
    open_console(console, live_server)

    # The case as the staff type it on its form (drawn in the pages' heads and the minutes).
    case_id = int(re.search(r"/cases/(\d+)", console.locator(".console-head a").first
                            .get_attribute("href")).group(1))
    console.goto(f"/cases/{case_id}/edit")
    console.fill("#f-number", CASE_NUMBER)
    console.fill("#f-title", CASE_TITLE)
    console.fill("#f-community", CASE_COMMUNITY)
    with console.expect_navigation():
        console.locator("form.form-grid button[type=submit]").click()
    expect(console).to_have_url(re.compile(rf"/cases/{case_id}$"))
    console.goto(f"/meetings/{meeting_id}/console")
    expect(console.locator("#connection")).to_have_attribute("data-status", "connected",
                                                             timeout=LIVE)

    projector = open_page("projector")
    code = open_projector(projector, live_server)
    phone, other = open_page("phone", "phone"), open_page("phone", "other-phone")
    for page in (phone, other):
        page.set_viewport_size(PHONE)
    join_and_admit(phone, console, code, NAME, "owner", "3-1-201")
    join_and_admit(other, console, code, NAME_B, "owner", "3-1-202")

    # An agenda item, started: on the room's screen and the phones.
    console.fill("#agenda-title", AGENDA)
    console.locator("#agenda-add button[type=submit]").click()
    item = console.locator("#agenda-list li", has_text="议程")
    expect(item).to_have_count(1, timeout=LIVE)
    item.locator("button[data-act=start]").click()
    expect(projector.locator("#pj-item-title")).to_have_text(AGENDA, timeout=LIVE)
    expect(phone.locator("#phone-item")).to_have_text(AGENDA, timeout=LIVE)

    # A plan from the console's dialog.
    console.locator("#plan-new-open").click()
    dialog = console.locator("#plan-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("#plan-key").fill("X")
    dialog.locator("#plan-title").fill(PLAN)
    dialog.locator("#plan-description").fill(PLAN_DESCRIPTION)
    dialog.locator("#plan-proposer").fill(PLAN_PROPOSER)
    dialog.locator("#plan-total").fill("1000")
    dialog.locator("#plan-fund-maintenance_fund").fill("1000")
    dialog.locator("#plan-risks").fill(PLAN_RISKS)
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden(timeout=LIVE)
    plan = console.locator("#votes-console .plan-list > li", has_text="方案{{7*7}}")
    expect(plan).to_have_count(1, timeout=LIVE)

    # One proposed from a phone, accepted.
    phone.locator("details.propose summary").click()
    proposal = phone.locator("#plan-propose")
    proposal.locator("input[name=title]").fill(PROPOSAL)
    proposal.locator("textarea[name=description]").fill(PROPOSAL_DESCRIPTION)
    proposal.locator("button[type=submit]").click()
    expect(phone.locator("#plan-propose-status")).to_have_text("已提交，等待主持人处理。", timeout=LIVE)
    proposed = console.locator("#votes-console .plan-list > li", has_text="提案")
    expect(proposed).to_have_count(1, timeout=LIVE)
    proposed.locator("button[data-act='plan.accept']").click()
    expect(proposed.locator("button[data-act='plan.accept']")).to_have_count(0, timeout=LIVE)

    # The plan alone on the room's screen.
    plan.locator("button[data-act='screen.focus']").click()
    focus = projector.locator("#pj-focus")
    reads(focus, PLAN, PLAN_DESCRIPTION, PLAN_RISKS)
    nothing_typed_became_markup(projector, "projector, a plan on the screen")

    # Written questions from both phones, the open ones on the room's screen.
    for page, text in ((phone, Q_QUEUED), (other, Q_ANSWERED), (other, Q_DISMISSED)):
        page.fill("#question-text", text)
        page.locator("[data-testid=phone-question-send]").click()
        expect(page.locator("#question-text")).to_have_value("", timeout=LIVE)
    expect(console.locator("#questions-list .cq-row")).to_have_count(3, timeout=LIVE)
    console.locator("#questions-screen").click()
    questions = projector.locator("[data-testid=projector-questions]")
    reads(questions, Q_QUEUED, Q_ANSWERED, Q_DISMISSED, NAME, f"{NAME_B} · 业主")
    reads(phone.locator("#question-list"), Q_ANSWERED, f"{NAME_B} · 业主")
    nothing_typed_became_markup(projector, "projector, the questions on the screen")
    console.locator("#questions-screen").click()
    expect(focus).to_be_hidden(timeout=LIVE)

    # The first to the speakers' list and given the floor; the moderator notes the turn.
    rows = console.locator("#questions-list .cq-row")
    rows.filter(has_text="问一").locator("button[data-act=to_queue]").click()
    reads(projector.locator("#pj-next"), NAME)
    console.locator("#floor-next").click()
    expect(projector.locator("#pj-speaker-name")).to_have_text(NAME, timeout=LIVE)
    reads(phone.locator("[data-testid=phone-floor-question]"), Q_QUEUED)
    reads(other.locator("#phone-speaker"), NAME)
    console.locator("#speech-notes").fill(SPEECH_NOTE)
    console.locator("#speech-notes").dispatch_event("change")

    # The second answered in writing, the third dismissed with a reason.
    dialog = console.locator("[data-testid=question-dialog]")
    rows.filter(has_text="问二").locator("button[data-act=answer]").click()
    dialog.locator("#question-answer").fill(ANSWER)
    dialog.locator("#question-dialog-save").click()
    expect(dialog).to_be_hidden(timeout=LIVE)
    rows.filter(has_text="问三").locator("button[data-act=dismiss]").click()
    dialog.locator("#question-reason").select_option("other")
    dialog.locator("#question-note").fill(DISMISS_NOTE)
    dialog.locator("#question-dialog-save").click()
    expect(dialog).to_be_hidden(timeout=LIVE)
    expect(console.locator("#questions-list .cq-row")).to_have_count(0, timeout=LIVE)
    console.locator("#speech-end").click()
    expect(console.locator("#speech-list li")).to_have_count(1, timeout=LIVE)

    # A vote whose title and question hold markup (the console's form has no question field:
    # sent as the console sends it), open on the screen and the phones.
    vote_id = send(console, "vote.create", {
        "kind": "straw_poll", "method": "single", "title": VOTE, "question": VOTE_QUESTION,
        "eligibility": "present", "plans": ["A", "X"]})["vote_id"]
    send(console, "vote.open", {"id": vote_id})
    reads(projector.locator("#pj-vote"), VOTE, VOTE_QUESTION)
    reads(phone.locator("[data-testid=phone-vote]"), VOTE, VOTE_QUESTION)

    # The clerk's summing up and an agreed item, in the minutes panel.
    section = console.locator("#minutes-sections [data-section=summary]")
    section.locator("textarea").fill(SUMMARY)
    section.locator("button").click()
    expect(section.locator("[role=status]")).not_to_have_text("", timeout=LIVE)
    agreed = console.locator("#minutes-item-form")
    agreed.locator("textarea[name=what]").fill(AGREED)
    agreed.locator("input[name=person]").fill(AGREED_PERSON)
    agreed.locator("button[type=submit]").click()
    reads(console.locator("#minutes-items"), AGREED, AGREED_PERSON)
    draft = console.frame_locator("#minutes-draft").locator("body")
    reads(draft, SUMMARY, AGREED, SPEECH_NOTE, VOTE_QUESTION)

    # Every page: nothing ran, no element came from the text, each string reads as typed.
    reads(console.locator(".console-head"), CASE_NUMBER, CASE_TITLE)
    reads(console.locator("#current-item"), AGENDA)
    reads(console.locator("#agenda-list"), AGENDA)
    reads(console.locator("#present-list"), NAME, NAME_B)
    reads(console.locator("#votes-console"), PLAN, PLAN_DESCRIPTION, PLAN_PROPOSER, PLAN_RISKS,
          PROPOSAL, PROPOSAL_DESCRIPTION, VOTE)
    console.locator("#questions-handled-box summary").click()
    console.locator("#questions-dismissed-box summary").click()
    reads(console.locator("#questions-handled"), Q_QUEUED, Q_ANSWERED, ANSWER, NAME_B)
    reads(console.locator("#questions-dismissed"), Q_DISMISSED, DISMISS_NOTE)
    expect(console.locator("#speech-list textarea")).to_have_value(SPEECH_NOTE)
    expect(section.locator("textarea")).to_have_value(SUMMARY)
    nothing_typed_became_markup(console, "console")

    reads(projector.locator(".pj-head"), CASE_NUMBER, CASE_COMMUNITY)
    reads(projector.locator("#pj-agenda"), AGENDA)
    nothing_typed_became_markup(projector, "projector")

    reads(phone.locator("#me-name"), NAME)
    reads(other.locator("#me-name"), NAME_B)
    phone_plans = phone.locator("#phone-votes")
    reads(phone_plans, PLAN, PLAN_DESCRIPTION, PROPOSAL, PROPOSAL_DESCRIPTION)
    handled = other.locator("#question-handled-box")
    handled.locator("summary").click()
    reads(other.locator("#question-handled"), Q_ANSWERED, ANSWER)
    for page, where in ((phone, "phone"), (other, "the other phone")):
        nothing_typed_became_markup(page, where)

    # The minutes as a page, as the staff open them.
    console.goto(f"/meetings/{meeting_id}/minutes")
    reads(console.locator("body"), CASE_NUMBER, CASE_TITLE, NAME, NAME_B,
          AGENDA, PLAN, PLAN_DESCRIPTION, PLAN_RISKS, PROPOSAL, PROPOSAL_DESCRIPTION, Q_QUEUED,
          Q_ANSWERED, ANSWER, SPEECH_NOTE, VOTE_QUESTION, SUMMARY, AGREED, AGREED_PERSON)
    nothing_typed_became_markup(console, "minutes")
