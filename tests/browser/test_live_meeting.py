"""A live meeting in real browsers against the real server (eventlet, SQLite, demo meeting).

A 1920×1080 projector, an iPhone-sized phone that joins through the URL in the projector's QR
code, and the moderator's console: the moderator admits the phone and runs the agenda, and
the projector and the phone follow live. A second test kills the server under a connected
phone and starts it again: the phone reconnects by itself, as the same person, and follows
the moderator again.

Screenshots of the key steps are kept in test-artifacts/browser/.
"""
from __future__ import annotations

import io
import re

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason before any test runs
    expect = None

from facilitator.demo import demo_case_data  # noqa: E402

AGENDA = [item["title"] for item in demo_case_data()["agenda"]]
FIRST, SECOND = AGENDA[0], AGENDA[1]  # 开场、介绍议题与议事规则 / 情况通报：诉求与历史
RESIDENT, UNIT = "张建国", "3-1-101"
LIVE = 10_000  # ms: a change made on one screen must show on the others within this
RECOVER = 30_000  # ms: a phone must be back within this after the server is back


def near(minutes: int) -> str:
    """A countdown just started on an item of `minutes`: m:00 down to (m-1):30."""
    return rf"({minutes}:00|{minutes - 1}:[3-5]\d)"


def decode_qr(png: bytes) -> list[str]:
    import zxingcpp  # the test extra: zxing-cpp and Pillow (pure wheels)
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("L")
    return [result.text for result in zxingcpp.read_barcodes(image)]


def shot(page, artifacts_dir, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / f"{name}.png"))


def open_console(page, server) -> None:
    page.goto(f"/login?next=/meetings/{server.info['meeting_id']}/console")
    page.fill("#username", server.info["username"])
    page.fill("#password", server.info["password"])
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{server.info['meeting_id']}/console$"))
    expect(page.locator("#connection")).to_have_attribute("data-status", "connected",
                                                          timeout=LIVE)


def open_projector(page, server) -> str:
    """Open the projector; returns the join code it shows."""
    page.goto(server.info["projector_url"])
    code_box = page.locator("#pj-code")
    expect(code_box).to_have_text(re.compile(r"^\d{3} \d{3}$"), timeout=LIVE)
    return code_box.inner_text().replace(" ", "")


def join(phone, url: str) -> None:
    """Fill in the join form as the resident of 3-1-101 and land in the lobby."""
    phone.goto(url)
    phone.fill("#name", RESIDENT)
    expect(phone.locator("input[name=party][value=owner]")).to_be_checked()
    # An owner who forgets the unit is told so next to it, and nobody joins.
    phone.locator("form button[type=submit]").click()
    expect(phone.locator("#unit-error")).to_have_text("业主请选择房号。", timeout=LIVE)
    expect(phone.locator("#unit")).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_url(re.compile(r"/j/\d{6}(\?k=[\w-]+)?$"))  # still on the join page
    phone.select_option("#unit", UNIT)
    phone.locator("form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/m/\d+/phone$"))
    waiting = phone.locator("#phone-waiting")
    expect(waiting).to_be_visible(timeout=LIVE)
    expect(waiting).to_contain_text("请稍候")
    expect(phone.locator("#phone-live")).to_be_hidden()


def admit(console, phone) -> None:
    """The lobby entry appears in the console without a reload; admitting it opens the
    phone's live view."""
    entry = console.locator("#lobby-list li", has_text=RESIDENT)
    expect(entry).to_have_count(1, timeout=LIVE)
    expect(entry).to_contain_text(UNIT)
    entry.locator("button[data-act=admit]").click()
    expect(console.locator("#lobby-list li", has_text=RESIDENT)).to_have_count(0, timeout=LIVE)
    expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)
    expect(phone.locator("#phone-waiting")).to_be_hidden()
    expect(phone.locator("#me-name")).to_have_text(RESIDENT)
    expect(phone.locator("#me-party")).to_contain_text(UNIT)


def expect_item(projector, phone, title: str, minutes: int | None = None) -> None:
    expect(projector.locator("#pj-item-title")).to_have_text(title, timeout=LIVE)
    expect(phone.locator("#phone-item")).to_have_text(title, timeout=LIVE)
    if minutes is not None:
        expect(projector.locator("#pj-countdown")).to_have_text(
            re.compile(rf"^{near(minutes)}$"), timeout=LIVE)
        expect(phone.locator("#phone-countdown")).to_have_text(
            re.compile(rf"^剩余 {near(minutes)}$"), timeout=LIVE)
        # And it runs: each screen's clock moves on by itself within a couple of seconds.
        for box in (projector.locator("#pj-countdown"), phone.locator("#phone-countdown")):
            expect(box).not_to_have_text(box.inner_text(), timeout=5_000)


def present_count(projector) -> int:
    expect(projector.locator("#pj-present")).to_have_text(re.compile(r"^\d+ 人到场$"),
                                                          timeout=LIVE)
    return int(projector.locator("#pj-present").inner_text().split()[0])


def test_phone_joins_by_qr_and_follows_the_agenda(open_page, live_server, artifacts_dir):
    projector = open_page("projector")
    console = open_page("console")
    phone = open_page("phone")

    # The projector shows the join code, the QR code and Chinese labels.
    code = open_projector(projector, live_server)
    assert code == live_server.info["join_code"]
    expect(projector.locator(".pj-join")).to_contain_text("扫码或打开网址加入")
    qr = projector.locator("#pj-qr")
    # The QR code's link carries the meeting's join key (it takes no try from the limit on
    # typed codes).
    expect(qr).to_have_attribute("src", re.compile(rf"^/join-qr/{code}\.svg\?k=[\w-]{{22}}$"))
    key = qr.get_attribute("src").rsplit("?k=", 1)[1]
    projector.wait_for_function(
        "() => { const img = document.getElementById('pj-qr');"
        " return img.complete && img.naturalWidth > 0; }")
    expect(projector.locator("#pj-item-title")).to_have_text("议程尚未开始")
    shot(projector, artifacts_dir, "01-projector-join")

    # The phone reads the QR code as a phone camera would: from the pixels on the screen.
    qr_png = qr.screenshot(path=str(artifacts_dir / "01-projector-qr.png"))
    decoded = decode_qr(qr_png)
    assert len(decoded) == 1, f"expected one QR code on the projector, read {decoded!r}"
    join_url = decoded[0]
    assert join_url.endswith(f"/j/{code}?k={key}"), join_url
    assert join_url.startswith(("http://", "https://")), join_url

    open_console(console, live_server)
    present_before = present_count(projector)

    join(phone, join_url)
    shot(phone, artifacts_dir, "02-phone-lobby")
    expect(console.locator("#lobby-count")).to_have_text("(1)", timeout=LIVE)
    shot(console, artifacts_dir, "03-console-lobby")

    admit(console, phone)
    expect(console.locator("#present-list li", has_text=RESIDENT)).to_have_count(1)
    expect(projector.locator("#pj-present")).to_have_text(f"{present_before + 1} 人到场",
                                                          timeout=LIVE)
    expect(phone.locator("#phone-item")).to_have_text("议程尚未开始")
    shot(phone, artifacts_dir, "04-phone-live")

    # Next: the first item, with its 10-minute countdown, on both screens.
    console.locator("#agenda-next").click()
    expect_item(projector, phone, FIRST, minutes=10)
    expect(console.locator("#current-item")).to_contain_text(FIRST)
    expect(projector.locator("#pj-item-segment")).to_have_text("开场")
    shot(projector, artifacts_dir, "05-projector-item-1")
    shot(phone, artifacts_dir, "05-phone-item-1")
    shot(console, artifacts_dir, "05-console-item-1")

    # Next again: the second item.
    console.locator("#agenda-next").click()
    expect_item(projector, phone, SECOND, minutes=8)
    expect(projector.locator("#pj-agenda li.current")).to_contain_text(SECOND)
    expect(phone.locator("#phone-agenda li.current")).to_contain_text(SECOND)
    shot(projector, artifacts_dir, "06-projector-item-2")
    shot(phone, artifacts_dir, "06-phone-item-2")

    # The keyboard shortcut P on the console goes back, on both screens.
    console.locator("body").click(position={"x": 5, "y": 5})  # focus the page, not a field
    console.keyboard.press("p")
    expect_item(projector, phone, FIRST)
    expect(console.locator("#current-item")).to_contain_text(FIRST)
    shot(projector, artifacts_dir, "07-projector-back-to-1")
    shot(phone, artifacts_dir, "07-phone-back-to-1")
    shot(console, artifacts_dir, "07-console-back-to-1")


def start_item(console, title: str) -> None:
    row = console.locator("#agenda-list li", has_text=title)
    start = row.locator("button[data-act=start]")
    if start.count():  # absent when it is already the current item
        start.click()
    expect(console.locator("#current-item")).to_contain_text(title, timeout=LIVE)


def test_phone_recovers_after_a_server_restart(open_page, live_server, artifacts_dir):
    projector = open_page("projector")
    console = open_page("console")
    phone = open_page("phone", "phone-restart")

    code = open_projector(projector, live_server)
    open_console(console, live_server)
    join(phone, f"{live_server.base_url}/j/{code}")
    admit(console, phone)

    # A known place in the agenda: the third item.
    start_item(console, AGENDA[2])
    expect_item(projector, phone, AGENDA[2])
    banner = phone.locator("#connection")
    expect(banner).to_be_hidden()

    live_server.kill()
    expect(banner).to_be_visible(timeout=LIVE)
    expect(banner).to_contain_text("正在重新连接")
    expect(banner).to_have_attribute("data-status", "reconnecting")
    expect(console.locator("#connection")).to_have_attribute("data-status", "reconnecting",
                                                             timeout=LIVE)
    shot(phone, artifacts_dir, "10-phone-reconnecting")
    shot(console, artifacts_dir, "10-console-reconnecting")

    live_server.start()  # same port, same database, same secret key
    expect(banner).to_be_hidden(timeout=RECOVER)
    expect(phone.locator("#phone-live")).to_be_visible()
    expect(phone.locator("#me-name")).to_have_text(RESIDENT)
    expect(phone.locator("#phone-item")).to_have_text(AGENDA[2])
    expect(phone).to_have_url(re.compile(r"/m/\d+/phone$"))
    expect(console.locator("#connection")).to_have_attribute("data-status", "connected",
                                                             timeout=RECOVER)
    expect(projector.locator("#connection")).to_have_text("", timeout=RECOVER)
    shot(phone, artifacts_dir, "11-phone-recovered")

    # A command issued after the restart reaches the phone (and the projector).
    console.locator("#agenda-next").click()
    expect_item(projector, phone, AGENDA[3])
    expect(phone.locator("#me-name")).to_have_text(RESIDENT)
    shot(phone, artifacts_dir, "12-phone-after-restart-next")
    shot(projector, artifacts_dir, "12-projector-after-restart-next")

    # The phone's identity is the token its page keeps in a cookie: a reload after the
    # restart is still 张建国.
    phone.reload()
    expect(phone.locator("#phone-live")).to_be_visible(timeout=LIVE)
    expect(phone.locator("#me-name")).to_have_text(RESIDENT)
    expect(phone.locator("#phone-item")).to_have_text(AGENDA[3])
