"""The browser's scripts and styles: sent compressed, and announced ahead of their imports.

Compressed with Flask-Compress (gzip for browsers on plain HTTP, which offer nothing better
there; brotli or zstd where offered), each file once per process and encoding: the files do
not change while a process runs, and a room of phones opening the page at once must not cost
a compression each.

The phone's page carries its style sheets in itself (`inline_styles`): on a slow mobile
network each sheet is one more round trip before the first paint, and the Content-Security-
Policy allows inline styles (not scripts).

A page's scripts are ES modules that import one another (docs/architecture.md §12). Left to
itself a browser learns of an import only when the importing module has arrived, one round
trip per level of imports; on a slow mobile network that is seconds. `module_preloads` lists
every module a page's entry modules import, directly or not, read from their import
statements, so that the page names them all at once (`<link rel="modulepreload">`) and the
browser fetches them side by side.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path, PurePosixPath

from flask import Flask, current_app, url_for
from flask_compress import Compress
from markupsafe import Markup, escape

COMPRESSED_TYPES = ["text/javascript", "application/javascript", "text/css"]

# `import … from "./x.js"`, `import "./x.js"`, `export … from "./x.js"`: relative specifiers.
# At a line's start or after a `;` (minified files put their imports on one line).
_IMPORT = re.compile(
    r"""(?:^|;)\s*(?:import\s*|(?:import|export)\b[^"';]*?\bfrom\s*)["'](\.{1,2}/[^"']+)["']""", re.M)


class _CompressedOnce:
    """Flask-Compress's cache (get/set): the compressed bytes by encoding and path."""

    def __init__(self) -> None:
        self._bytes: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self._bytes.get(key)

    def set(self, key: str, value: bytes) -> None:
        self._bytes[key] = value


def init_static_files(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", _CompressedOnce)
    # Only the static folder serves these types: its path names the file.
    app.config.setdefault("COMPRESS_CACHE_KEY", lambda request: request.path)
    Compress(app)
    app.jinja_env.globals["module_scripts"] = module_scripts
    app.jinja_env.globals["inline_styles"] = inline_styles


@lru_cache(maxsize=16)
def _module_graph(static_folder: str, entries: tuple[str, ...]) -> tuple[str, ...]:
    """The static files (paths under the static folder) the entry modules import, directly
    or not, the entries first, each once."""
    root = PurePosixPath(static_folder)
    seen: list[str] = []
    waiting = list(entries)
    while waiting:
        name = waiting.pop(0)
        if name in seen:
            continue
        seen.append(name)
        text = Path(root, name).read_text(encoding="utf-8")
        for specifier in _IMPORT.findall(text):
            target = PurePosixPath(name).parent / specifier
            parts: list[str] = []
            for part in target.parts:
                if part == "..":
                    parts.pop()
                elif part != ".":
                    parts.append(part)
            waiting.append("/".join(parts))
    return tuple(seen)


def module_preloads(*entries: str) -> list[str]:
    """The addresses of every module the page's entry modules (paths under static/, e.g.
    "js/phone.js") need, the entries first."""
    names = _module_graph(current_app.static_folder, tuple(entries))
    return [url_for("static", filename=name) for name in names]


def module_scripts(*entries: str) -> Markup:
    """A page's entry modules as script elements, after a modulepreload link for each module
    they need (the template's one place for its scripts)."""
    links = [f'<link rel="modulepreload" href="{escape(href)}">' for href in module_preloads(*entries)]
    scripts = [f'<script type="module" src="{escape(url_for("static", filename=name))}"></script>'
               for name in entries]
    return Markup("\n".join(links + scripts))


@lru_cache(maxsize=16)
def _style_text(static_folder: str, name: str) -> str:
    text = Path(static_folder, name).read_text(encoding="utf-8")
    if "</" in text or "url(" in text:
        # Inside <style> a "</" could end the element, and a relative url() would resolve
        # against the page instead of the sheet.
        raise ValueError(f"{name} cannot be inlined")
    return text


def inline_styles(*names: str) -> Markup:
    """The style sheets (paths under static/) as one <style> element of the page."""
    folder = current_app.static_folder
    return Markup("<style>\n" + "\n".join(_style_text(folder, n) for n in names) + "</style>")
