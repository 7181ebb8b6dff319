"""The phone page on a slow phone and a slow network (issue 16's phone targets).

One `facilitator serve` (eventlet, SQLite) with the demo meeting, its first agenda item
started from the console in a browser. A phone that has joined before opens the join link
again (the QR code scanned again, with the phone's cookie and an empty browser cache), in
Debian's chromium through Playwright, and the page notes (performance.now(), from the start
of the navigation) when the current item's title is on the screen. Each run is made:

- plain: no throttling (the baseline of the same run);
- throttled: Chrome DevTools' "Slow 3G" network (2,000 ms latency, 50,000 bytes/s down and
  up; Network.emulateNetworkConditions) and the CPU slowed 4× (Emulation.setCPUThrottlingRate).

Also the JavaScript the page transfers: the bytes on the wire (encodedDataLength: the
compressed body and the response's headers, with the browser's own Accept-Encoding) and
decoded, of every script response.

Targets: the current item within 3 s throttled; at most 60 KB of JavaScript transferred.

    .venv/bin/python bench/phone_page.py --runs 5
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACILITATOR = ROOT / ".venv" / "bin" / "facilitator"
CHROMIUM = "/usr/bin/chromium"
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000,
           "uploadThroughput": 50_000}
CPU_SLOWDOWN = 4
SHOWN_WITHIN_MS = 3000
JS_BUDGET_BYTES = 60 * 1024

# Notes when #phone-item shows the title (set before the page's own scripts run).
WATCH_ITEM = """
(title) => {
  const check = () => {
    const item = document.getElementById("phone-item");
    if (!window.__shownAt && item && item.textContent.trim() === title && item.getClientRects().length) {
      window.__shownAt = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true,
                                                  attributes: true });
  document.addEventListener("DOMContentLoaded", check);
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workdir: Path) -> tuple[subprocess.Popen, dict]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir}/demo.db",
           "FACILITATOR_INSTANCE": str(workdir), "SECRET_KEY": "bench-phone-page"}
    env.pop("REDIS_URL", None)
    base = f"http://127.0.0.1:{port}"
    printed = subprocess.run([str(FACILITATOR), "demo", "--base-url", base], env=env, check=True,
                             capture_output=True, text=True).stdout
    info = {"base": base,
            "qr": re.search(r"QR link:\s+(\S+)", printed).group(1),
            "console": re.search(r"Console:\s+(\S+)", printed).group(1),
            "login": re.search(r"Login:\s+(\S+) / (\S+)", printed).groups()}
    with open(workdir / "serve.log", "w") as log:  # the child keeps its own copy open
        server = subprocess.Popen([str(FACILITATOR), "serve", "--port", str(port)], env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return server, info
        except OSError:
            time.sleep(0.3)
    server.kill()
    sys.exit("the server did not start (see serve.log)")


def start_first_item(browser, info: dict) -> str:
    """The moderator signs in, lets phones straight in and starts the first agenda item; its
    title."""
    page = browser.new_page()
    page.goto(info["base"] + "/login?next=" + info["console"].split(info["base"])[1])
    page.fill("#username", info["login"][0])
    page.fill("#password", info["login"][1])
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#connection[data-status=connected]", timeout=30_000)
    page.locator("#direct-entry").check()  # the phone comes straight in
    if not page.locator("#current-item strong").count():
        page.locator("#agenda-next").click()
    page.wait_for_selector("#current-item strong", timeout=30_000)
    title = page.locator("#current-item strong").inner_text().strip()
    page.close()
    return title


def join_once(browser, info: dict, title: str) -> dict:
    """A phone joins (unthrottled): its cookie, for the runs."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(info["qr"])
    page.fill("#name", "测速手机")
    page.locator("#join-form input[name=party][value=observer]").check()
    page.locator("#join-form button[type=submit]").click()
    page.wait_for_function("(t) => document.getElementById('phone-item').textContent.trim() === t",
                           arg=title, timeout=30_000)
    state = context.storage_state()
    context.close()
    return state


def one_run(browser, info: dict, title: str, state: dict, throttled: bool,
            per_file: bool = False) -> dict:
    context = browser.new_context(viewport={"width": 390, "height": 844}, storage_state=state)
    page = context.new_page()
    page.add_init_script(f"({WATCH_ITEM})({json.dumps(title)})")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    scripts: dict[str, str] = {}
    sizes = {"wire": 0, "decoded": 0, "files": 0}

    def received(event):
        if event.get("type") == "Script":
            scripts[event["requestId"]] = event["response"]["url"]

    def finished(event):
        if event["requestId"] in scripts:
            sizes["wire"] += event["encodedDataLength"]
            sizes["files"] += 1
            if per_file:
                print(f"  {scripts[event['requestId']]}: {event['encodedDataLength']:,} B on the wire",
                      file=sys.stderr)

    def data(event):
        if event["requestId"] in scripts:
            sizes["decoded"] += event["dataLength"]

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.dataReceived", data)
    if throttled:
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.goto(info["qr"], wait_until="commit", timeout=120_000)
    page.wait_for_function("() => window.__shownAt", timeout=120_000, polling=100)
    shown = page.evaluate("window.__shownAt")
    page.wait_for_load_state("load", timeout=120_000)
    page.wait_for_timeout(500)  # late script responses counted
    context.close()
    return {"shown_ms": round(shown, 1), "js_wire_bytes": sizes["wire"],
            "js_decoded_bytes": sizes["decoded"], "js_files": sizes["files"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--per-file", action="store_true",
                        help="print each script's bytes on the wire (headers included)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="phone-page-") as tmp:
        server, info = start_server(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM)
                title = start_first_item(browser, info)
                state = join_once(browser, info, title)
                runs = {"plain": [], "throttled": []}
                for _ in range(args.runs):
                    for kind in runs:
                        runs[kind].append(one_run(browser, info, title, state, kind == "throttled",
                                                 args.per_file))
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; commit {commit}")
    print("| run | shown ms (plain) | shown ms (Slow 3G, CPU 4×) | JS files | JS on the wire | JS decoded |")
    print("|---|---|---|---|---|---|")
    for i, (plain, slow) in enumerate(zip(runs["plain"], runs["throttled"]), 1):
        print(f"| {i} | {plain['shown_ms']:,.0f} | {slow['shown_ms']:,.0f} | {slow['js_files']} | "
              f"{slow['js_wire_bytes']:,} B | {slow['js_decoded_bytes']:,} B |")
    slow_ms = [r["shown_ms"] for r in runs["throttled"]]
    wire = max(r["js_wire_bytes"] for r in runs["throttled"] + runs["plain"])
    print(f"throttled: median {statistics.median(slow_ms):,.0f} ms, max {max(slow_ms):,.0f} ms "
          f"(target {SHOWN_WITHIN_MS:,} ms: {'pass' if max(slow_ms) <= SHOWN_WITHIN_MS else 'FAIL'}); "
          f"JS on the wire at most {wire:,} B (target {JS_BUDGET_BYTES:,} B: "
          f"{'pass' if wire <= JS_BUDGET_BYTES else 'FAIL'})")


if __name__ == "__main__":
    main()
