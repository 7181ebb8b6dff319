"""Fixtures for the browser tests: the real server (`facilitator serve`, eventlet) on a free
port with the demo meeting loaded, and Debian's chromium driven by Playwright.

Screenshots and the server's log go to test-artifacts/browser/ at the repository root
(git-ignored). When a test fails, every page it opened is captured there as FAILED-*.png.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOCALE = "zh-CN"
SERVER_START_TIMEOUT = 30.0


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine without the browser; in CI a missing browser is a
    broken setup, not a reason to pass quietly."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


# --- failure capture ----------------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# --- the server ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _facilitator_command() -> list[str]:
    script = Path(sys.executable).with_name("facilitator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "facilitator"]


@dataclass
class LiveServer:
    """`facilitator serve` in a subprocess; stop() and start() again keep port and database."""
    workdir: Path
    port: int
    log_path: Path
    process: subprocess.Popen | None = None
    info: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict:
        env = dict(os.environ)
        for name in ("REDIS_URL", "ASYNC_MODE", "PUBLIC_URL", "SECRET_KEY"):
            env.pop(name, None)  # the default path: SQLite, eventlet, key kept in the instance dir
        env.update(DATABASE_URL=f"sqlite:///{self.workdir / 't.db'}",
                   FACILITATOR_INSTANCE=str(self.workdir), PORT=str(self.port),
                   PYTHONUNBUFFERED="1")
        return env

    def load_demo(self) -> dict:
        done = subprocess.run([*_facilitator_command(), "demo", "--base-url", self.base_url],
                              env=self.env, cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"facilitator demo failed:\n{done.stdout}\n{done.stderr}"
        text = done.stdout
        patterns = {"console_url": r"Console:\s+(\S+)", "username": r"Login:\s+(\S+) / (\S+)",
                    "join_code": r"Join code:\s+(\d{6})", "projector_url": r"Projector:\s+(\S+)"}
        info = {}
        for key, pattern in patterns.items():
            match = re.search(pattern, text)
            assert match, f"no {key} in the demo output:\n{text}"
            info[key] = match.group(1)
            if key == "username":
                info["password"] = match.group(2)
        info["meeting_id"] = int(re.search(r"/meetings/(\d+)/console", info["console_url"]).group(1))
        self.info = info
        return info

    def start(self) -> None:
        assert self.process is None, "the server is already running"
        log = self.log_path.open("a", encoding="utf-8")
        log.write(f"\n===== facilitator serve on port {self.port} ({time.strftime('%X')}) =====\n")
        log.flush()
        self.process = subprocess.Popen(
            [*_facilitator_command(), "serve", "--host", "127.0.0.1"], env=self.env,
            cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise RuntimeError(f"facilitator serve exited with {code}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answered (any status will do)
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"facilitator serve did not answer within {SERVER_START_TIMEOUT}s:\n"
                           f"{self.log_tail()}")

    def kill(self) -> None:
        """A crash: SIGKILL, no goodbye to the connected sockets."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in list(ARTIFACTS.glob("*.png")) + [ARTIFACTS / "server.log"]:
        old.unlink(missing_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def live_server(artifacts_dir):
    workdir = Path(tempfile.mkdtemp(prefix="facilitator-browser-"))
    server = LiveServer(workdir=workdir, port=_free_port(), log_path=artifacts_dir / "server.log")
    try:
        server.load_demo()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# --- the browser --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright for Python is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
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
def open_page(request, browser, playwright_instance, live_server, artifacts_dir):
    """open_page(kind) → a new page in its own context (own cookies), zh-CN.

    kind: "projector" (1920×1080), "console" (1440×900 laptop) or "phone" (iPhone 13).
    Uncaught script errors are collected; the test fails on any.
    """
    contexts, pages = [], []

    def make(kind: str, label: str | None = None):
        if kind == "phone":
            options = dict(playwright_instance.devices["iPhone 13"])
            options.pop("default_browser_type", None)
        elif kind == "projector":
            options = {"viewport": {"width": 1920, "height": 1080}, "device_scale_factor": 1}
        elif kind == "console":
            options = {"viewport": {"width": 1440, "height": 900}}
        else:
            raise ValueError(kind)
        context = browser.new_context(base_url=live_server.base_url, locale=LOCALE, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        opened = OpenPage(label or kind, page)
        page.on("pageerror", lambda error: opened.errors.append(str(error)))
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
        assert not errors, "uncaught script errors in the pages:\n" + "\n".join(errors)
