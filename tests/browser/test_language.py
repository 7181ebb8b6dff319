"""The faces speak one language (issue 16, item 8): the demo meeting, which is in Chinese, walked
through every page and state (tests/browser/walk.py, the walk the accessibility audits take)
once in Chinese (zh-CN) and once with the pages switched to English by their language switch.

At each stop every visible text is read: the text nodes (as document.body.innerText shows
them, visually hidden labels included), the options of visible lists, the title, aria-label,
placeholder and alt attributes, a button's value and the document's title. Then:

* in Chinese, no run of Latin words may be left once the data is taken out (below) and for
  the few words that are Chinese UI text as they are written (ALLOWED_LATIN: file formats,
  QR, units);
* in English, no Chinese character or full-width punctuation may be left;
* in either, no raw message key ("live.something") where a message should be;
* in English, a number and its noun agree ("1 owner", "2 owners": every pair the catalogue's
  plural messages make), and the vote's counters on the console and the room's screen show
  0, 1 and 2 owners in their forms.

What is data is not the page's words and may be in any language: what people typed and the
demo's own records. It is taken out of a text exactly, string by string, before the text is
judged: every text column of the records the pages show, read from the server's database at
each stop (case, meeting, roster, people, agenda, plans, votes, questions, agreed items; no
column of codes), the demo's source files and what the walk typed (walk.TYPED). A data string
that is also a message of the catalogue is not taken out (it would hide that message). An
element that shows data of a known language carries ``lang`` (the language switch's link to the
other language does so too) and one that shows user data ``data-user-text``: both are skipped.

Every finding, by page, goes to test-artifacts/browser/language.txt; screenshots of every
stop to lang-<locale>-*.png beside it. One server per language (the walk ends the meeting).
"""
from __future__ import annotations

import csv
import json
import re
import sqlite3
from functools import cache

import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from babel.messages.pofile import read_po  # noqa: E402

from facilitator.catalogue import TRANSLATIONS, message_for  # noqa: E402
from facilitator.demo import DEMO_DIR  # noqa: E402
from tests.browser.conftest import _demo_server  # noqa: E402
from tests.browser.test_projector_fit import settle  # noqa: E402
from tests.browser.walk import TYPED, Walk  # noqa: E402

LOCALES = ["zh", "en"]
# Each walk's browser speaks the other language (a phone set to English in a Chinese meeting,
# a Chinese browser reading the English pages): the pages are put in the walk's language by
# their language switch, and nothing may come from the browser's own language (a date
# formatted by the device's locale, say).
BROWSER = {"zh": "en-US", "en": "zh-CN"}


@pytest.fixture(scope="module", params=LOCALES)
def lang(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def live_server(artifacts_dir, lang):
    """A server of the module's for each language: the walk ends the meeting."""
    yield from _demo_server(artifacts_dir / f"server-language-{lang}.log")


# --- what is read on a page -------------------------------------------------------------

# Every visible text of the page, each with where it is, the language it is marked as (the
# nearest lang attribute) and whether it is marked as user data.
COLLECT = """() => {
  const items = [];
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.documentElement && parts.length < 3; e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) { parts.unshift(s + "#" + e.id); break; }
      if (e.dataset && e.dataset.testid) s += `[data-testid=${e.dataset.testid}]`;
      else if (e.classList.length) s += "." + [...e.classList].slice(0, 2).join(".");
      parts.unshift(s);
    }
    return parts.join(" > ");
  };
  const shown = (el) => {
    if (el.closest("datalist, script, style, template, noscript, head")) return false;
    const box = el.closest("option, optgroup") ? el.closest("select") : el;
    return Boolean(box) && box.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
  };
  const add = (text, el, how) => {
    text = (text || "").replace(/\\s+/g, " ").trim();
    if (!text) return;
    const marked = el.closest("[lang]");
    items.push({ text, where: describe(el) + how,
                 lang: marked ? marked.getAttribute("lang") : "",
                 data: Boolean(el.closest("[data-user-text]")) });
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (el && shown(el)) add(node.nodeValue, el, "");
  }
  const attributed = "[title], [aria-label], [placeholder], [alt], input[type=submit], input[type=button]";
  for (const el of document.body.querySelectorAll(attributed)) {
    if (!shown(el)) continue;
    for (const name of ["title", "aria-label", "placeholder", "alt"]) {
      if (el.hasAttribute(name)) add(el.getAttribute(name), el, "@" + name);
    }
    if (el.matches("input[type=submit], input[type=button]")) add(el.value, el, "@value");
  }
  add(document.title, document.documentElement, " <title>");
  return items;
}"""


# --- the catalogue --------------------------------------------------------------------

def _catalogue(locale: str):
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        return read_po(po)


@cache
def message_keys() -> frozenset[str]:
    return frozenset(m.id[0] if isinstance(m.id, tuple) else m.id
                     for m in _catalogue("zh") if m.id)


@cache
def all_messages() -> frozenset[str]:
    """Every message's text in every language, as written (placeholders unfilled)."""
    texts = set()
    for locale in LOCALES:
        for m in _catalogue(locale):
            if m.id:
                texts.update(s for s in (m.string if isinstance(m.string, tuple) else [m.string])
                             if s)
    return frozenset(texts)


@cache
def english_plurals() -> frozenset[tuple[str, str]]:
    """(singular, plural) nouns that follow the counted number in the catalogue's English
    plural messages ("{n} owner" / "{n} owners")."""
    pairs = set()
    for m in _catalogue("en"):
        if not isinstance(m.id, tuple):
            continue
        counter = m.id[1]
        words = [re.search(r"\{" + counter + r"\} (\w+)", form) for form in m.string]
        if len(words) == 2 and all(words) and words[0].group(1) != words[1].group(1):
            pairs.add((words[0].group(1), words[1].group(1)))
    return frozenset(pairs)


# --- data -------------------------------------------------------------------------------

# The text columns of the records the pages show (no column of codes: a party or status shown
# raw must still be found).
DATA_COLUMNS = {
    "cases": ["number", "title", "community", "organiser", "source", "description", "scope"],
    "meetings": ["title", "place"],
    "users": ["display_name", "username"],
    "roster_units": ["unit", "owner_name", "note"],
    "participants": ["name", "unit", "registered_owner", "verification_note"],
    "agenda_items": ["title"],
    "plans": ["title", "description", "proposer", "risks"],
    "votes": ["title", "question"],
    "questions": ["name", "text", "answer", "dismiss_note"],
    "action_items": ["what", "person", "organisation", "acceptance"],
    "result_notices": ["where_to_object", "issued_by"],
    "roster_versions": ["filename"],
}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@cache
def demo_strings() -> tuple[str, ...]:
    found = list(_strings(json.loads((DEMO_DIR / "case.json").read_text(encoding="utf-8"))))
    with (DEMO_DIR / "owners.csv").open(encoding="utf-8") as rows:
        for row in csv.reader(rows):
            found += row
    return tuple(found + TYPED)


def stored_strings(database) -> list[str]:
    found = []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        for table, columns in DATA_COLUMNS.items():
            present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for column in columns:
                if column in present:
                    found += [value for (value,) in db.execute(f"SELECT {column} FROM {table}")
                              if isinstance(value, str)]
    return found


def data_corpus(database) -> list[str]:
    """The data strings, each line of a longer one too, longest first, less those that are
    also a message."""
    strings = set()
    for value in [*demo_strings(), *stored_strings(database)]:
        for part in [value, *value.splitlines()]:
            part = part.strip()
            if len(part) >= 2 and part not in all_messages():
                strings.add(part)
    return sorted(strings, key=len, reverse=True)


# --- judging a text ----------------------------------------------------------------------

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f]+")
# Codes written as they are typed or configured: a setting's name (PUBLIC_URL), a party as
# the recusal field takes it (party:developer).
CODE = re.compile(r"\b[A-Z0-9]+(?:_[A-Z0-9]+)+\b|\bparty:[a-z_]+")
# Addresses: a URL, a host with its path (the join address as the room's screen shows it), a
# path, an e-mail address.
URL = re.compile(r"https?://[\w./?=&%#:~+-]+"
                 r"|\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?(?:/[\w./?=&%#~+-]*)?"
                 r"|\b[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?/[\w./?=&%#~+-]*"
                 r"|(?<![\w/])/[\w./?=&%#~+-]+|[\w.+-]+@[\w-]+\.[\w.]+", re.ASCII)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*\.?")
RAW_KEY = re.compile(r"(?<![A-Za-z0-9_.])[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?![A-Za-z0-9_])")
# Latin words that are Chinese UI text as they are written: file formats and the QR code as
# the Chinese pages name them, units.
ALLOWED_LATIN = frozenset({"PDF", "DOCX", "HTML", "JSON", "MD", "CSV", "QR", "SHA-256", "Excel",
                           "m²", "m2"})


def _latin_left(text: str) -> list[str]:
    """The runs of Latin words in a Chinese text that are not allowed: a word is allowed when
    it is in ALLOWED_LATIN, a code in capitals and digits (a plan's or option's key A, an owner's
    P13, B1, a receipt's code) or a hash."""
    runs, run = [], []
    last_end = None
    for match in WORD.finditer(text.replace("m²", " ")):
        word = match.group(0).rstrip(".")
        allowed = (word in ALLOWED_LATIN or re.fullmatch(r"[A-Z][A-Z0-9-]*", word)
                   or re.fullmatch(r"[0-9a-f]{8,}", word))
        if allowed:
            if run:
                runs.append(" ".join(run))
            run, last_end = [], None
            continue
        if run and last_end is not None and text[last_end:match.start()].strip(" ,.:;'\"()-/"):
            runs.append(" ".join(run))
            run = []
        run.append(word)
        last_end = match.end()
    if run:
        runs.append(" ".join(run))
    return runs


class Words:
    """Each stop's texts judged in the walk's language; the findings kept for the report and
    the test's verdict at its end (every page's, not only the first one's), each once with the
    stops it was seen at."""

    def __init__(self, lang: str, server, artifacts_dir):
        self.lang = lang
        self.tag = message_for("lang.tag", lang)
        self.server = server
        self.artifacts_dir = artifacts_dir
        self.findings: dict[str, list[str]] = {}
        self.lines: list[str] = []
        self.after_stop = {}  # where → an extra check of that stop

    def check(self, page, where: str, *, projector: bool = False) -> None:
        if projector:
            settle(page)
        shot = re.sub(r"[^\w-]+", "-", where).strip("-")
        page.screenshot(path=str(self.artifacts_dir / f"lang-{self.lang}-{shot}.png"))
        tag = page.evaluate("document.documentElement.lang")
        if page.locator(".lang-switch a").count():
            assert tag == self.tag, f"{where}: the page is in {tag}, not {self.tag}"
            lang = self.lang
        else:  # a document (the minutes as a page): all of it in its own language
            lang = next(locale for locale in LOCALES if message_for("lang.tag", locale) == tag)
        items = page.evaluate(COLLECT)
        corpus = data_corpus(self.server.database_path)
        found = 0
        for item in items:
            if item["data"] or (item["lang"] and item["lang"] != tag):
                continue
            for problem in self.judge(item["text"], corpus, lang):
                found += 1
                key = f"{item['where']}: {problem} in “{item['text'][:200]}”"
                self.findings.setdefault(key, []).append(where)
        self.lines.append(f"{where} ({page.url}, {tag}): {len(items)} texts, {found} findings")
        extra = self.after_stop.get(where)
        if extra:
            extra(page, where)

    @staticmethod
    def judge(text: str, corpus: list[str], lang: str) -> list[str]:
        """What is wrong with a text of a page in `lang`."""
        problems = []
        suspect = CJK.search(text) if lang == "en" else re.search(r"[A-Za-z]{2}", text)
        left = Words.without_data(text, corpus) if suspect or "." in text else text
        left = CODE.sub(" ", URL.sub(" ", left))
        for key in RAW_KEY.findall(left):
            if key in message_keys() or key.split(".")[0] in message_prefixes():
                problems.append(f"raw message key {key!r}")
                left = left.replace(key, " ")  # found as what it is, not again as words
        if lang == "en":
            problems += [f"Chinese {run!r}" for run in CJK.findall(left)]
            for singular, plural in english_plurals():
                if re.search(rf"(?<![\w.,/-])1 {plural}\b", text):
                    problems.append(f"“1 {plural}”")
                bad = re.search(rf"(?<![\w.,/-])(0|[2-9]|[1-9]\d+) {singular}\b", text)
                if bad:
                    problems.append(f"“{bad.group(0)}”")
        else:
            problems += [f"Latin {run!r}" for run in _latin_left(left)]
        return problems

    @staticmethod
    def without_data(text: str, corpus: list[str]) -> str:
        for data in corpus:
            if data in text:
                text = text.replace(data, " ")
        return text

    def assert_clean(self) -> None:
        findings = [f"{finding}\n      at: {'; '.join(dict.fromkeys(stops))}"
                    for finding, stops in self.findings.items()]
        self.findings = {}
        with (self.artifacts_dir / "language.txt").open("a", encoding="utf-8") as report:
            report.write(f"######## {self.lang}: {len(self.lines)} stops\n"
                         + "".join(f"   {line}\n" for line in self.lines)
                         + "".join(f"!! {finding}\n" for finding in findings))
        assert not findings, (f"text of the wrong language or raw keys ({self.lang}):\n"
                              + "\n".join(findings))


@cache
def message_prefixes() -> frozenset[str]:
    return frozenset(key.split(".")[0] for key in message_keys())


@pytest.fixture(scope="module")
def report(artifacts_dir):
    (artifacts_dir / "language.txt").unlink(missing_ok=True)


@pytest.fixture
def words(lang, live_server, artifacts_dir, report) -> Words:
    return Words(lang, live_server, artifacts_dir)


@pytest.fixture
def walk(open_page, live_server, lang, words) -> Walk:
    def in_the_other_language(kind: str, label: str | None = None):
        return open_page(kind, label, locale=BROWSER[lang])
    return Walk(in_the_other_language, live_server, words.check, lang)


# --- plurals on the counters ---------------------------------------------------------------

def counters_in_their_forms(words: Words):
    """The owners' decision's counters (A: 1 owner, B: none, C: 2) in their plural forms, the
    catalogue's for the language; in English exactly “1 owner”, “0 owners”, “2 owners”."""
    def check(page, where):
        expected = {"A": 1, "B": 0, "C": 2}
        for choice, owners in expected.items():
            counter = page.locator(f"li[data-choice={choice}]").first
            text = counter.inner_text()
            form = message_for("votes.owners", words.lang, n=owners)
            assert form in text, f"{where}: option {choice} shows “{text}”, not “{form}”"
            if words.lang == "en":
                assert re.search(rf"(?<!\d){owners} owners?\b", text).group(0) == \
                    ("1 owner" if owners == 1 else f"{owners} owners"), (where, text)
    return check


# --- the tests --------------------------------------------------------------------------

def test_the_staff_pages(walk, words):
    walk.staff_pages()
    words.assert_clean()


def test_the_live_meeting_in_every_state(walk, words):
    walk.live_meeting()
    words.assert_clean()


def test_the_written_ballot_and_the_end_of_the_meeting(walk, words):
    counters = counters_in_their_forms(words)
    for where in ("projector, owners' decision with live counts",
                  "console, owners' decision with live counts",
                  "projector, owners' decision result", "console, owners' decision result"):
        words.after_stop[where] = counters
    walk.written_ballot_and_end()
    words.assert_clean()


def test_what_the_judge_finds():
    """The rules above on texts made for them (no browser): what they must find and what they
    must let pass."""
    corpus = ["李桂兰", "Maximilian Wolfeschlegelsteinhausenbergerdorff", "3-1-101"]
    judge = Words.judge
    # English: Chinese words and full-width punctuation, but not data; plurals; raw keys.
    assert judge("Speaking：李桂兰 · Street office", corpus, "en") == ["Chinese '：'"]
    assert judge("Speaking: 李桂兰 · Street office", corpus, "en") == []
    assert judge("投票中", corpus, "en") == ["Chinese '投票中'"]
    assert judge("1 owners · 89.76 m²", corpus, "en") == ["“1 owners”"]
    assert judge("2 owner · 89.76 m²", corpus, "en") == ["“2 owner”"]
    assert judge("1 owner, 0 owners, 12 owners", corpus, "en") == []
    assert judge("live.connecting", corpus, "en") == ["raw message key 'live.connecting'"]
    # Chinese: Latin words, but not data, codes, addresses, formats, keys of plans.
    assert judge("正在发言：Maximilian Wolfeschlegelsteinhausenbergerdorff", corpus, "zh") == []
    assert judge("下载 PDF、DOCX；方案A；P13 3-1-101 4,397.34 m²", corpus, "zh") == []
    assert judge("打开 127.0.0.1:5000/j/123456 或 https://example.org/j/1?k=x", corpus, "zh") == []
    assert judge("请设置 PUBLIC_URL；回避：party:developer", corpus, "zh") == []
    assert judge("Open meeting 开会", corpus, "zh") == ["Latin 'Open meeting'"]
    assert judge("采纳 · r2", corpus, "zh") == ["Latin 'r2'"]
    assert judge("状态：live.connecting", corpus, "zh") == ["raw message key 'live.connecting'"]
