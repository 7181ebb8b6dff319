"""A command whose answer is lost with the connection is sent again as soon as the phone is
back, with the same id, and applied once (static/js/live.js, `send`): not after the 8-second
timeout of a try whose answer never comes. (socket.io-client fails a try that waits for its
answer with a timeout when the connection drops, and holds the next try until it is back.)
The phone's websocket is routed through the test, which lets the command reach the server,
drops the server's answer and closes the phone's side of the connection, as a worker that
dies or a network that drops would."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import own_live_server
from tests.browser.test_live_meeting import LIVE, open_console, open_projector
from tests.browser.test_speakers import join_and_admit

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason before any test runs
    expect = None

live_server = own_live_server("retry")


def test_a_command_whose_answer_was_lost_is_sent_again_on_reconnect_and_applied_once(
        open_page, live_server):
    projector, console, phone = open_page("projector"), open_page("console"), open_page("phone")
    code = open_projector(projector, live_server)
    open_console(console, live_server)
    console.locator("#agenda-next").click()  # an item in progress: hands can go up
    expect(projector.locator("#pj-item-title")).not_to_have_text("", timeout=LIVE)

    lost = {"command_sent": False, "answers_dropped": 0, "connections": 0}

    def route(page_side):
        lost["connections"] += 1
        server_side = page_side.connect_to_server()

        def to_server(message):
            if isinstance(message, str) and '"command"' in message and "hand.raise" in message:
                lost["command_sent"] = True
            server_side.send(message)

        def to_page(message):
            # The answer to a command (a socket.io ack on /live): lost, with the connection.
            if (lost["command_sent"] and not lost["answers_dropped"]
                    and isinstance(message, str) and message.startswith("43/live,")):
                lost["answers_dropped"] += 1
                page_side.close()
                return
            page_side.send(message)

        page_side.on_message(to_server)
        server_side.on_message(to_page)

    phone.route_web_socket(re.compile(r"/socket\.io/"), route)
    join_and_admit(phone, console, code, "韩梅", "owner", "3-1-301")

    answer = phone.evaluate("""async () => {
      const { store } = await import("/static/js/phone.js");
      const started = performance.now();
      const result = await store.send("hand.raise", { kind: "speech", stance: "for" });
      return { ms: performance.now() - started, result };
    }""")
    assert lost["answers_dropped"] == 1 and lost["connections"] >= 2
    # Answered after the reconnect (a few hundred ms), as the repeat of the first try.
    assert answer["ms"] < 4000, answer
    assert answer["result"]["entry_id"] > 0  # the hand the first try raised
    expect(console.locator("#queue-list li", has_text="韩梅")).to_have_count(1, timeout=LIVE)
