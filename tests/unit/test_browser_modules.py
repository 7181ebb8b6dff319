"""The browser's own modules under node's test runner: the reducer that holds every page's
state (static/js/reducer.js, docs/protocol.md §5 and §7) on batches that arrive early, late,
twice or after a gap (tests/js/*.test.mjs). Also: every page script is an ES module that
node can parse, and none sets a global of its own on window."""
from __future__ import annotations

import re
import shutil
import subprocess

from tests.support import REPO_ROOT, require_service

SCRIPTS = REPO_ROOT / "static" / "js"


def node() -> str:
    binary = shutil.which("node")
    require_service(binary is not None, "node is not installed (the browser modules' tests need it)")
    return binary


def test_the_reducer_of_the_pages_passes_its_tests_under_node():
    run = subprocess.run([node(), "--test", "--test-reporter=spec", "tests/js/"], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=120)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    passed = re.search(r"ℹ pass (\d+)", report)
    assert passed and int(passed.group(1)) >= 10 and "ℹ fail 0" in report, report


def test_every_page_script_parses_as_a_module():
    for script in sorted(SCRIPTS.glob("*.js")):
        run = subprocess.run([node(), "--check", str(script)], capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == 0, (script.name, run.stderr)


def test_no_page_script_sets_a_global_of_its_own():
    """Modules share what they export; window holds only the browser's own objects."""
    assignment = re.compile(r"\bwindow\.([A-Za-z_$][\w$]*)\s*=(?!=)")
    found = [(script.name, match.group(1)) for script in sorted(SCRIPTS.glob("*.js"))
             for match in assignment.finditer(script.read_text(encoding="utf-8"))]
    assert found == []


def _code_of(script) -> str:
    """The script without its comments (which may name what the code must not do)."""
    text = script.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"(^|\s)//[^\n]*", r"\1", text)


def test_no_page_script_writes_html_as_a_string_or_opens_a_dialog():
    """Pages draw with lit-html templates, which set values as text or attributes (never
    parsed as HTML), and show errors and questions in place, in the page's language."""
    forbidden = re.compile(r"\.(?:innerHTML|outerHTML)\s*\+?=|insertAdjacentHTML|document\.write"
                           r"|escapeHtml|\b(?:alert|prompt|confirm)\s*\(")
    found = [(script.name, match.group(0)) for script in sorted(SCRIPTS.glob("*.js"))
             for match in forbidden.finditer(_code_of(script))]
    assert found == []
    assert not (SCRIPTS / "legacy.js").exists()
