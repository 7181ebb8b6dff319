"""The walk through every page and every state of a meeting that matters, shared by the
browser tests that look at all of them (issue 16): test_accessibility audits each stop with
axe, test_language reads each stop's words.

A walk calls ``check(page, where, projector=False)`` at each stop (``projector`` on the room's
screen). It speaks one language, a catalogue locale ("zh" or "en"): every page it opens is put
in that language with the page's own language switch where the page is in another (the browser
context then keeps the choice in its cookie), and what it waits for on the screens is the
catalogue's text in that language, so the same walk runs in either.

Three parts, each a test of its own on a server of its own module (the last ends the meeting):
``staff_pages``, ``live_meeting`` and ``written_ballot_and_end``.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from facilitator.catalogue import message_for
from tests.browser.test_live_meeting import LIVE, RESIDENT, UNIT, decode_qr
from tests.browser.test_projector_fit import send
from tests.frozen_time import SHANGHAI
from tests.support import require_service

PHONE = {"width": 390, "height": 844}

# People added to the meeting at the console, one of them with a long Latin name (a line that
# must wrap, and a name that is data in any language).
SPEAKERS = [("李桂兰", "street_office"), ("王建华", "owners_committee"), ("刘芳", "housing_bureau"),
            ("陈志强", "developer"), ("赵丽娟", "property_company"), ("孙伟", "cppcc_member"),
            ("周敏", "expert"), ("Maximilian Wolfeschlegelsteinhausenbergerdorff", "community")]
CLAIMANT = ("尹建华", "3-2-601")
QUESTION = "车库漏水期间，车辆停放在哪里？"
ANSWER = "施工期间可停放在小区东门临时停车场。"
OWNER = "P13"  # 吕玉兰, 3-1-702: votes in writing with her invitation's link
OBSERVER = "伍家明"
# Titles the walk types (data: in the meeting's language whatever the page's).
STRAW_POLL = "意向表决：维修方案"
APPROVAL_POLL = "意向表决：可以接受的方案"
DECIDED = "业主共同决定：维修方案（会上）"
WRITTEN = "业主共同决定：选择维修方案"
SUMMARY = "各方同意先按方案C组织检测，再定施工时间。"
CORRECTION = "补记归纳共识。"
# What the walk itself types: data, like the demo's own.
TYPED = [name for name, _ in SPEAKERS] + [CLAIMANT[0], QUESTION, ANSWER, OBSERVER, RESIDENT,
                                          STRAW_POLL, APPROVAL_POLL, DECIDED, WRITTEN, SUMMARY,
                                          CORRECTION]


class Walk:
    def __init__(self, open_page, live_server, check, lang: str = "zh"):
        self.open_page = open_page
        self.server = live_server
        self.check = check
        self.lang = lang
        self.meeting_id = live_server.info["meeting_id"]

    # --- the language -------------------------------------------------------------------

    def msg(self, key: str, **params) -> str:
        """The catalogue's message in the walk's language."""
        return message_for(key, self.lang, **params)

    def again(self) -> re.Pattern:
        """A button armed for its second press ("再点一次确认：…")."""
        head = self.msg("live.confirm_again").split("{")[0]
        return re.compile("^" + re.escape(head))

    def speak(self, page) -> None:
        """Put the page in the walk's language with its language switch, if it is in another.
        A document (the minutes as a page) has no switch: it is in the meeting's language."""
        tag = self.msg("lang.tag")
        if page.evaluate("document.documentElement.lang") == tag \
                or not page.locator(".lang-switch a").count():
            return
        switch = page.locator(f".lang-switch a[hreflang={self.lang}]")
        with page.expect_navigation():
            switch.click()
        expect(page.locator("html")).to_have_attribute("lang", tag)

    def goto(self, page, path: str) -> None:
        page.goto(path)
        self.speak(page)

    # --- the faces ----------------------------------------------------------------------

    def phone(self, label: str):
        """A phone of 390×844 (an iPhone 13's whole screen)."""
        phone = self.open_page("phone", label)
        phone.set_viewport_size(PHONE)
        return phone

    def open_console(self, page) -> None:
        self.goto(page, f"/login?next=/meetings/{self.meeting_id}/console")
        page.fill("#username", self.server.info["username"])
        page.fill("#password", self.server.info["password"])
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(re.compile(rf"/meetings/{self.meeting_id}/console$"))
        expect(page.locator("#connection")).to_have_attribute("data-status", "connected",
                                                              timeout=LIVE)

    def open_projector(self, page) -> str:
        """The room's screen; returns the join code it shows."""
        self.goto(page, self.server.info["projector_url"])
        code_box = page.locator("#pj-code")
        expect(code_box).to_have_text(re.compile(r"^\d{3} \d{3}$"), timeout=LIVE)
        return code_box.inner_text().replace(" ", "")

    def join(self, phone, code: str, name: str, party: str = "owner", unit: str | None = None):
        self.goto(phone, f"/j/{code}")
        phone.fill("#name", name)
        phone.locator(f"input[name=party][value={party}]").check()
        if unit:
            phone.select_option("#unit", unit)
        phone.locator("form button[type=submit]").click()

    def invitation_link(self, console, owner_key: str) -> str:
        """The link in the QR code of an owner's printed invitation (issued first if need be)."""
        tool = shutil.which("pdftoppm")
        require_service(tool is not None, "pdftoppm (poppler-utils) is not installed")
        page = console.context.new_page()
        self.goto(page, f"/meetings/{self.meeting_id}/invitations")
        issue = page.locator("[data-testid=invitations-issue]")
        if issue.count():
            with page.expect_navigation():
                issue.click()
            expect(issue).to_have_count(0)
        response = page.request.get(
            f"/meetings/{self.meeting_id}/invitations.pdf?owner={owner_key}")
        assert response.ok and response.body().startswith(b"%PDF")
        png = subprocess.run([tool, "-f", "2", "-l", "2", "-r", "110", "-png", "-"],
                             input=response.body(), capture_output=True, check=True,
                             timeout=60).stdout
        page.close()
        (link,) = decode_qr(png)
        return link

    # --- the staff's pages --------------------------------------------------------------

    def staff_pages(self):
        """Sign-in, every page of a case and a meeting, the console before the agenda; returns
        the console's page."""
        page = self.open_page("console", "staff")
        self.goto(page, "/login")
        self.check(page, "login")
        self.goto(page, "/login?next=/cases")
        page.locator("form button[type=submit]").click()  # nothing typed: the errors shown
        self.check(page, "login with errors")
        self.open_console(page)
        case_id = int(re.search(r"/cases/(\d+)", page.locator(".console-head a").first
                                .get_attribute("href")).group(1))
        meeting_id = self.meeting_id
        for path, where in [
                ("/", "home"), ("/cases", "case list"), (f"/cases/{case_id}", "case page"),
                (f"/cases/{case_id}/edit", "case form"), ("/cases/new", "new case"),
                (f"/cases/{case_id}/roster", "roster"),
                (f"/cases/{case_id}/meetings/new", "new meeting"),
                (f"/meetings/{meeting_id}", "meeting page"),
                (f"/meetings/{meeting_id}/invitations", "invitations (check-in)"),
                (f"/meetings/{meeting_id}/proxies", "proxies"), ("/board", "board"),
                ("/account/password", "password"), ("/cases/99999", "error page")]:
            self.goto(page, path)
            self.check(page, where)
        self.goto(page, f"/meetings/{meeting_id}/console")
        expect(page.locator("#connection")).to_have_attribute("data-status", "connected",
                                                              timeout=LIVE)
        expect(page.locator("#votes-console .plan-list")).to_be_visible(timeout=LIVE)
        self.check(page, "console, before the agenda")
        return page

    # --- the meeting, live: projector, console and phones -------------------------------

    def live_meeting(self):
        """Joining, the lobby, a long speakers' list, a written question, a claim at the
        check-in desk, an open vote with live counts and its result, elderly mode. Returns
        (projector, console, phone)."""
        check = self.check
        projector, console = self.open_page("projector"), self.open_page("console")
        code = self.open_projector(projector)
        check(projector, "projector, join screen", projector=True)
        self.open_console(console)

        # A phone joins: the code page, the join form (and its errors), the lobby.
        phone = self.phone("phone")
        self.goto(phone, "/join")
        check(phone, "phone, code page")
        self.goto(phone, f"/j/{code}")
        expect(phone.locator("#join-form")).to_be_visible(timeout=LIVE)
        check(phone, "phone, join form")
        phone.fill("#name", RESIDENT)
        phone.locator("form button[type=submit]").click()
        expect(phone.locator("#unit-error")).to_be_visible(timeout=LIVE)
        check(phone, "phone, join form with an error")
        phone.select_option("#unit", UNIT)
        phone.locator("form button[type=submit]").click()
        expect(phone.locator("#phone-waiting")).to_be_visible(timeout=LIVE)
        check(phone, "phone, lobby")
        entry = console.locator("#lobby-list li", has_text=RESIDENT)
        expect(entry).to_have_count(1, timeout=LIVE)
        check(console, "console, someone in the lobby")
        entry.locator("button[data-act=admit]").click()
        expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)

        # The first item; a long speakers' list, one of them speaking, the phone's hand up.
        console.locator("#agenda-next").click()
        expect(phone.locator("#phone-item")).not_to_have_text("", timeout=LIVE)
        check(phone, "phone, live")
        ids = [send(console, "participant.add", {"name": name, "party": party})["participant_id"]
               for name, party in SPEAKERS]
        entries = [send(console, "queue.add", {"participant_id": pid, "kind": "speech",
                                                "stance": "for"})["entry_id"] for pid in ids]
        send(console, "floor.give", {"entry_id": entries[0]})
        phone.locator("#hand-buttons button[data-stance=against]").click()
        expect(phone.locator("[data-testid=phone-place]")).to_have_count(1, timeout=LIVE)
        expect(projector.locator("#pj-speaker-name")).to_have_text(SPEAKERS[0][0], timeout=LIVE)

        # A written question from the phone, on the console's list.
        phone.fill("#question-text", QUESTION)
        phone.locator("[data-testid=phone-question-send]").click()
        expect(phone.locator("#question-sent")).to_be_visible(timeout=LIVE)
        expect(console.locator("#questions-list .cq-row", has_text=QUESTION)).to_have_count(
            1, timeout=LIVE)
        check(projector, "projector, long speakers' list", projector=True)
        check(console, "console, long speakers' list and a written question")
        check(phone, "phone, hand raised and a question asked")

        # The question answered in writing: the console's dialog, the phone's answer.
        console.locator("#questions-list .cq-row", has_text=QUESTION).locator(
            "button[data-act=answer]").click()
        dialog = console.locator("[data-testid=question-dialog]")
        expect(dialog).to_be_visible()
        dialog.locator("#question-answer").fill(ANSWER)
        check(console, "console, answering a written question")
        dialog.locator("#question-dialog-save").click()
        expect(dialog).to_be_hidden(timeout=LIVE)
        handled = phone.locator("#question-handled-box")
        expect(handled).to_be_visible(timeout=LIVE)
        handled.locator("summary").click()
        expect(phone.locator("#question-handled .question-row", has_text=QUESTION)).to_have_count(
            1, timeout=LIVE)
        console.locator("#questions-handled-box summary").click()
        check(phone, "phone, a question answered")
        check(console, "console, a question answered")

        # Someone claims a unit with the join code: the desk sees the claim to check.
        claimant = self.phone("claimant")
        self.join(claimant, code, CLAIMANT[0], unit=CLAIMANT[1])
        claim = console.locator("[data-testid=checkin-pending] li", has_text=CLAIMANT[0])
        expect(claim).to_have_count(1, timeout=LIVE)
        check(claimant, "phone, a claim waiting for the desk")
        check(console, "console, check-in with a claim to verify")
        claim.locator("button[data-act=verify]").click()
        expect(claimant.locator("#phone-live")).to_be_visible(timeout=LIVE)

        # An open vote with its counts live on the screens; the phone votes.
        vote_id = send(console, "vote.create", {
            "kind": "straw_poll", "method": "single", "title": STRAW_POLL,
            "eligibility": "present", "show_results": "live", "plans": ["A", "B", "C"]})["vote_id"]
        send(console, "vote.open", {"id": vote_id})
        for pid, choice in zip(ids, "CCAB"):
            send(console, "ballot.record", {"vote_id": vote_id, "participant_id": pid,
                                            "choices": [choice]})
        expect(projector.locator("#pj-vote li[data-choice=C]")).to_contain_text("2", timeout=LIVE)
        card = phone.locator("[data-testid=phone-vote]")
        expect(card.locator("input[type=radio][value=C]")).to_be_visible(timeout=LIVE)
        check(phone, "phone, open vote")
        card.locator("input[type=radio][value=C]").check()
        card.locator("button[type=submit]").click()
        expect(card.locator("[data-testid=phone-voted]")).to_be_visible(timeout=LIVE)
        check(projector, "projector, open vote with live counts", projector=True)
        check(console, "console, open vote")
        check(phone, "phone, voted")

        # Its result on every screen.
        send(console, "vote.close", {"id": vote_id})
        expect(projector.locator("#pj-vote [data-testid=vote-explanation]")).to_be_visible(
            timeout=LIVE)
        expect(phone.locator(".vote-result")).to_be_visible(timeout=LIVE)
        check(projector, "projector, vote result", projector=True)
        check(console, "console, vote result")
        check(phone, "phone, vote result")

        # Elderly mode (长辈模式): the live page, then a vote alone on the screen.
        phone.locator("[data-testid=elderly-toggle]").click()
        expect(phone.locator("[data-testid=elderly-toggle]")).to_have_attribute(
            "aria-pressed", "true")
        check(phone, "phone, elderly mode")
        vote_id = send(console, "vote.create", {
            "kind": "straw_poll", "method": "approval", "title": APPROVAL_POLL,
            "plans": ["A", "B", "C"], "eligibility": "present"})["vote_id"]
        send(console, "vote.open", {"id": vote_id})
        expect(card.locator("input[type=checkbox]")).to_have_count(3, timeout=LIVE)
        check(phone, "phone, elderly mode, open vote")
        card.locator("input[value=B]").check()
        card.locator("button[type=submit]").click()  # the first tap asks again
        expect(card.locator("button[type=submit]")).to_have_text(
            re.compile("^" + re.escape(self.msg("elderly.confirm").split("{")[0])))
        check(phone, "phone, elderly mode, asked to confirm")
        send(console, "vote.close", {"id": vote_id})
        return projector, console, phone

    # --- after the meeting: the written ballot, the end, the minutes --------------------

    def written_ballot_and_end(self):
        check = self.check
        projector, console = self.open_page("projector"), self.open_page("console")
        self.open_projector(projector)
        self.open_console(console)
        meeting_id = self.meeting_id
        phone = self.phone("phone-end")
        self.join(phone, self.server.info["join_code"], OBSERVER, party="observer")
        console.locator("#lobby-list li", has_text=OBSERVER).locator(
            "button[data-act=admit]").click()
        expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)
        link = self.invitation_link(console, OWNER)

        # An owners' decision with its counts live on the screens (an option with no owner,
        # one with one, one with two), then closed in the meeting: its result notice.
        decided = send(console, "vote.create", {
            "kind": "owners_decision", "method": "single", "title": DECIDED,
            "show_results": "live", "plans": ["A", "B", "C"]})["vote_id"]
        send(console, "vote.open", {"id": decided})
        for owner, choice in (("P01", "A"), ("P02", "C"), ("P03", "C")):
            send(console, "ballot.record", {"vote_id": decided, "owner_key": owner,
                                            "choices": [choice]})
        expect(projector.locator("#pj-vote li[data-choice=C]")).to_contain_text("2", timeout=LIVE)
        check(projector, "projector, owners' decision with live counts", projector=True)
        check(console, "console, owners' decision with live counts")
        send(console, "vote.close", {"id": decided})
        expect(projector.locator("#pj-vote [data-testid=vote-explanation]")).to_be_visible(
            timeout=LIVE)
        check(projector, "projector, owners' decision result", projector=True)
        check(console, "console, owners' decision result")

        # Another continued in writing after the meeting: the staff's page, the missing owners.
        written = send(console, "vote.create", {
            "kind": "owners_decision", "method": "single", "title": WRITTEN,
            "plans": ["A", "B", "C"]})["vote_id"]
        send(console, "vote.open", {"id": written})
        send(console, "ballot.record", {"vote_id": written, "owner_key": "P01", "choices": ["A"]})
        self.goto(console, f"/meetings/{meeting_id}/votes/{written}/written")
        check(console, "written ballot, staff page")
        deadline = (datetime.now(SHANGHAI) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
        console.fill("[data-testid=written-deadline]", deadline)
        console.locator("[data-testid=written-continue]").click()
        expect(console.locator(".flash")).to_contain_text(self.msg("written.continued"))
        check(console, "written ballot, staff page, continued")
        progress_url = console.locator("[data-testid=progress-link]").get_attribute("href")
        self.goto(console, f"/meetings/{meeting_id}/votes/{written}/missing")
        check(console, "written ballot, missing owners")
        self.goto(console, f"/meetings/{meeting_id}/votes/{decided}/notice")
        check(console, "result notice")

        # The end of the meeting on every screen.
        self.goto(console, f"/meetings/{meeting_id}/console")
        expect(console.locator("#connection")).to_have_attribute("data-status", "connected",
                                                                 timeout=LIVE)
        end = console.locator("#end-meeting")
        end.click()
        expect(end).to_have_text(self.again())
        end.click()
        expect(projector.locator("#pj-item-title")).to_have_text(self.msg("live.meeting_ended"),
                                                                 timeout=LIVE)
        expect(phone.locator("#phone-gone")).to_be_visible(timeout=LIVE)
        check(projector, "projector, the meeting ended", projector=True)
        check(console, "console, the meeting ended")
        check(phone, "phone, the meeting ended")

        # The minutes finalised and sent to the phones for signature.
        finalise = console.locator("#minutes-finalise")
        expect(finalise).to_be_visible(timeout=LIVE)
        finalise.click()
        finalise.click()
        expect(console.locator("#minutes-versions li")).to_have_count(1, timeout=LIVE)
        request = console.locator("[data-testid=minutes-request]")
        request.locator("select").select_option(value="")
        request.locator("button").click()
        expect(console.locator("[data-testid=minutes-v1-requests] li")).not_to_have_count(
            0, timeout=LIVE)
        expect(phone.locator("#phone-sign-form")).to_be_visible(timeout=LIVE)
        check(console, "console, the minutes sent for signature")
        check(phone, "phone, asked to sign the minutes")

        # A correction: the summing up written after the meeting; version 2 says what changed.
        section = console.locator("#minutes-sections [data-section=summary]")
        section.locator("textarea").fill(SUMMARY)
        section.locator("button").click()
        expect(section.locator("[role=status]")).not_to_have_text("", timeout=LIVE)
        correct = console.locator("#minutes-correct")
        correct.locator("textarea").fill(CORRECTION)
        correct.locator("button[type=submit]").click()
        expect(console.locator("#minutes-versions > li")).to_have_count(2, timeout=LIVE)
        check(console, "console, the minutes corrected")
        self.goto(console, f"/meetings/{meeting_id}/minutes")
        check(console, "minutes")

        # The notice board's progress page, on a screen of the room's size (its clock driven
        # by the test: the figures are fetched again each minute).
        board = self.open_page("projector", "board")
        board.clock.install()
        self.goto(board, re.sub(r"^https?://[^/]+", "", progress_url))
        participation = board.locator("[data-testid=progress-participation]")
        expect(participation).to_contain_text(self.participation(1))
        check(board, "written ballot, progress page")
        board.evaluate("window.stillTheSamePage = true")

        # An owner's written ballot on the phone (elderly mode too), the receipt, its check.
        ballot = self.phone("ballot")
        self.goto(ballot, re.sub(r"^https?://[^/]+", "", link))
        card = ballot.locator(f"[data-testid=written-vote-{written}]")
        expect(card).to_be_visible()
        check(ballot, "written ballot")
        ballot.locator("[data-testid=elderly-toggle]").click()
        expect(ballot.locator("[data-testid=elderly-toggle]")).to_have_attribute(
            "aria-pressed", "true")
        check(ballot, "written ballot, elderly mode")
        ballot.locator("[data-testid=elderly-toggle]").click()
        card.locator("[data-testid=option-B] input").check()
        card.locator("[data-testid=ballot-submit]").click()
        expect(ballot.locator("[data-testid=receipt-code]")).to_be_visible()
        check(ballot, "written ballot, receipt")
        ballot.locator("[data-testid=receipt-check-link]").click()
        expect(ballot.locator("[data-testid=receipt-state]")).to_be_visible()
        check(ballot, "written ballot, receipt checked")

        # A minute on, the board shows the new figure in place: no reload (WCAG 2.2.1), so a
        # reader keeps their place.
        board.clock.fast_forward("01:01")
        expect(participation).to_contain_text(self.participation(2), timeout=LIVE)
        assert board.evaluate("window.stillTheSamePage === true")

    def participation(self, owners: int) -> str:
        """The start of the progress page's participation line, up to the owners of the scope
        (38 in the demo's roster)."""
        text = self.msg("written.participation", owners=owners, scope_owners=38, area="",
                        scope_area="")
        return text[:text.index("38") + 2]
