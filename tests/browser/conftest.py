"""Fixtures for the browser tests: the real server (`facilitator serve`, eventlet) on a free
port with the demo meeting loaded, and Debian's chromium driven by Playwright.

Screenshots and the server's log go to test-artifacts/browser/ at the repository root
(git-ignored). When a test fails, every page it opened is captured there as FAILED-*.png.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support import REPO_ROOT, LiveServer, free_port, require_service

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOCALE = "zh-CN"

# --- failure capture ----------------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# --- the server ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in list(ARTIFACTS.glob("*.png")) + [ARTIFACTS / "server.log"]:
        old.unlink(missing_ok=True)
    return ARTIFACTS


def _demo_server(log_path: Path):
    workdir = Path(tempfile.mkdtemp(prefix="facilitator-browser-"))
    server = LiveServer(workdir=workdir, port=free_port(), log_path=log_path)
    try:
        server.load_demo()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server(artifacts_dir):
    """The demo meeting the browser tests share."""
    yield from _demo_server(artifacts_dir / "server.log")


def own_live_server(name: str):
    """A module's own server with the demo loaded, instead of the shared one: for tests
    that leave the demo meeting in a state the others must not meet (ended, a vote closed)."""
    @pytest.fixture(scope="module")
    def live_server(artifacts_dir):
        yield from _demo_server(artifacts_dir / f"server-{name}.log")
    return live_server


# --- the browser --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service(False, "Playwright for Python is not installed (pip install -e '.[test]')")
    require_service(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class OpenPage:
    label: str
    page: object
    errors: list = field(default_factory=list)


@pytest.fixture
def open_page(request, playwright_instance, browser, live_server, artifacts_dir):
    """open_page(kind) → a new page in its own context (own cookies), zh-CN (or `locale`).

    kind: "projector" (1920×1080), "console" (1440×900 laptop) or "phone" (iPhone 13).
    Uncaught script errors and Content-Security-Policy violations are collected; the test
    fails on any.
    """
    contexts, pages = [], []

    def make(kind: str, label: str | None = None, locale: str = LOCALE):
        if kind == "phone":
            options = dict(playwright_instance.devices["iPhone 13"])
            options.pop("default_browser_type", None)
        elif kind == "projector":
            options = {"viewport": {"width": 1920, "height": 1080}, "device_scale_factor": 1}
        elif kind == "console":
            options = {"viewport": {"width": 1440, "height": 900}}
        else:
            raise ValueError(kind)
        context = browser.new_context(base_url=live_server.base_url, locale=locale, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        opened = OpenPage(label or kind, page)
        page.on("pageerror", lambda error: opened.errors.append(str(error)))
        # A script, style or connection the Content-Security-Policy blocked (chromium says so
        # on the console): the page would silently lack it.
        page.on("console", lambda message: opened.errors.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None)
        pages.append(opened)
        return page

    yield make

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for opened in pages:
            try:
                opened.page.screenshot(
                    path=str(artifacts_dir / f"FAILED-{request.node.name}-{opened.label}.png"))
            except Exception:  # noqa: BLE001 - a page that died must not hide the failure
                pass
    for context in contexts:
        context.close()
    errors = [f"{p.label}: {e}" for p in pages for e in p.errors]
    if report is not None and report.passed:
        assert not errors, "script errors or CSP violations in the pages:\n" + "\n".join(errors)
