"""The browser's scripts as a phone on a slow network gets them: compressed, and every module
a page needs named by the page itself, so that the browser fetches them side by side instead
of one level of imports after another (facilitator/web/static_files.py)."""
from __future__ import annotations

import gzip
import re

import pytest

from facilitator.config import PROJECT_ROOT
from facilitator.web.static_files import _module_graph

from tests.factories import login, make_meeting, make_user

STATIC = PROJECT_ROOT / "static"


def test_a_script_is_sent_gzipped_to_a_browser_that_takes_it_and_plain_to_one_that_does_not(app):
    http = app.test_client()
    source = (STATIC / "js" / "phone.js").read_bytes()
    zipped = http.get("/static/js/phone.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.status_code == 200 and zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == source
    assert len(zipped.data) < len(source) / 2
    again = http.get("/static/js/phone.js", headers={"Accept-Encoding": "gzip"})
    assert again.data == zipped.data  # compressed once, kept
    plain = http.get("/static/js/phone.js")
    assert "Content-Encoding" not in plain.headers and plain.data == source
    styles = http.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert styles.headers["Content-Encoding"] == "gzip"
    # Headers for documents are not repeated on each file; nosniff is (a script is a script).
    assert zipped.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in zipped.headers and zipped.headers["Vary"] == "Accept-Encoding"


def _imports_of(path) -> set[str]:
    """The static files a module imports, as written: `from "./x.js"`, `import "../y.js"`."""
    found = set()
    for specifier in re.findall(r"""(?:from|import)\s*["'](\.{1,2}/[^"']+)["']""",
                                path.read_text(encoding="utf-8")):
        found.add(str((path.parent / specifier).resolve().relative_to(STATIC.resolve())))
    return found


def _page_modules(html: str) -> tuple[set[str], set[str]]:
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', html))
    entries = set(re.findall(r'<script type="module" src="/static/([^"]+)">', html))
    return preloaded, entries


@pytest.mark.parametrize("face", ["phone", "projector", "console"])
def test_each_live_page_names_every_module_it_needs(app, ctx, face):
    meeting = make_meeting()
    http = app.test_client()
    if face == "console":
        user = make_user("admin")
        login(http, user)
        page = http.get(f"/meetings/{meeting.id}/console")
    elif face == "projector":
        page = http.get(f"/p/{meeting.projector_token}")
    else:
        page = http.get(f"/j/{meeting.join_code}")
    preloaded, entries = _page_modules(page.get_data(as_text=True))
    assert entries and entries <= preloaded
    # Every import of every module the page loads is among the modules it names: none is
    # found only when its importer has arrived.
    for name in preloaded:
        assert _imports_of(STATIC / name) <= preloaded, name
    assert {"js/live.js", "js/reducer.js", "vendor/lit-html/lit-html.js",
            "vendor/socket.io.esm.min.js"} <= preloaded


def test_the_module_graph_follows_imports_over_lines_and_folders_once_each(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "js" / "page.js").write_text(
        'import {\n  a,\n  b,\n} from "./a.js";\nimport "../lib/c.js";\n'
        '// import { nothing } from "./commented.js" is not at a line start\n', encoding="utf-8")
    (tmp_path / "js" / "a.js").write_text('export { c } from "../lib/c.js";\nimport "./page.js";\n',
                                          encoding="utf-8")
    (tmp_path / "lib" / "c.js").write_text('export const c = "./not-an-import.js";\n',
                                           encoding="utf-8")
    assert _module_graph(str(tmp_path), ("js/page.js",)) == ("js/page.js", "js/a.js", "lib/c.js")
