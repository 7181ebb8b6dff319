"""The documentation stands alone: it names only files that are in the repository, and
what docs/deployment.md quotes is what the repository holds."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Notes kept outside the repository, which earlier comments and docs cited: a reader of the
# repository alone cannot open them.
OUTSIDE = re.compile(r"DESIGN\.md|DESIGN principle|\bshared/|\.\./shared|consultation\.md"
                     r"|domain notes|design notes")


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    files = []
    for name in filter(None, names):
        path = ROOT / name
        if name.startswith("static/vendor/") or name == "package-lock.json" or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" not in data[:4096]:
            files.append(path)
    return files


def test_nothing_refers_to_notes_outside_the_repository():
    this = Path(__file__).resolve()
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in tracked_text_files() if path != this
             for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
             if OUTSIDE.search(line)]
    assert found == []


def test_every_document_named_exists():
    named = {(path.relative_to(ROOT), match) for path in tracked_text_files()
             for match in re.findall(r"\bdocs/[\w-]+\.md\b",
                                     path.read_text(errors="replace"))}
    assert [(str(where), doc) for where, doc in sorted(named) if not (ROOT / doc).is_file()] == []


def test_every_relative_link_in_the_docs_leads_to_a_file():
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert broken == []


def test_the_deployment_guide_quotes_the_procfile_as_it_is():
    procfile = (ROOT / "Procfile").read_text().strip()
    assert f"```\n{procfile}\n```" in (ROOT / "docs" / "deployment.md").read_text()
    types = dict(line.split(":", 1) for line in procfile.splitlines())
    # The platform runs `release` to completion before it starts the new `web` processes;
    # a `web` that migrated itself would race its siblings.
    assert set(types) == {"release", "web"}
    assert "upgrade-db" in types["release"] and "upgrade-db" not in types["web"]


def test_the_protocol_s_contents_list_every_section():
    protocol = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (\d+)\. ", protocol, re.M)
    listed = re.findall(r"^(\d+)\. \[", protocol.split("---", 1)[0], re.M)
    assert sections == listed and sections == [str(n) for n in range(1, len(sections) + 1)]
