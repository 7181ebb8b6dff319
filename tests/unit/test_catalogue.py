"""The one message catalogue (facilitator/catalogue.py, facilitator/translations/*.po)."""
from __future__ import annotations

import ast
import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from facilitator import catalogue
from facilitator.catalogue import LOCALES, client_messages, message_for

PACKAGE = Path(catalogue.__file__).parent
ROOT = PACKAGE.parent


# Chinese numbers a subsection on its own, （一）; English under its section, 2.1.
OWN_NUMBERING = {"label.subsection_n"}


def po(locale: str):
    with (PACKAGE / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)


def placeholders(text: str) -> set[str]:
    """The placeholders a text fills in; {numeral} (a number written in Chinese characters,
    一、二、三) counts as the {n} it spells, and {den_numeral} as {den}."""
    return {"n" if field == "numeral" else field.removesuffix("_numeral")
            for _, field, _, _ in string.Formatter().parse(text) if field}


def forms(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


def test_every_message_exists_in_chinese_and_english_with_the_same_placeholders():
    zh, en = ({m.id if isinstance(m.id, str) else m.id[0]: m for m in po(locale) if m.id}
              for locale in ("zh", "en"))
    assert zh.keys() == en.keys()
    assert len(zh) > 1000
    for key, chinese in zh.items():
        english = en[key]
        assert chinese.id == english.id, f"{key}: plural in one language only, or counted by another placeholder"
        texts = forms(chinese) + forms(english)
        assert all(text.strip() or (text and key.startswith("punct.")) for text in texts), \
            f"{key}: an empty form"
        if key not in OWN_NUMBERING:
            assert len({frozenset(placeholders(text)) for text in texts}) == 1, f"{key}: placeholders differ"
        if chinese.pluralizable:
            assert len(forms(english)) == 2 and len(forms(chinese)) == 1, key
            assert chinese.id[1] in placeholders(forms(chinese)[0]), f"{key}: counts a placeholder it lacks"
        # Chinese: Chinese characters, or no letters at all (punctuation, a format); the tag
        # that names the language is the one message in Latin letters.
        words = re.sub(r"\{\w*(:[^}]*)?\}", "", "".join(forms(chinese)))
        if key != "lang.tag":
            assert re.search(r"[\u4e00-\u9fff]", words) or not re.search(r"[A-Za-z]", words), \
                f"{key}: the Chinese text is not Chinese"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogue_is_the_one_its_source_gives(locale):
    """The app reads the .mo files; after a change to a .po file, `pybabel compile -d
    facilitator/translations` must have been run."""
    compiled = io.BytesIO()
    write_mo(compiled, po(locale))
    assert compiled.getvalue() == catalogue.mo_path(locale).read_bytes(), \
        f"{locale}: run `pybabel compile -d facilitator/translations`"


def test_english_counts_one_owner_and_many_owners_chinese_has_one_form():
    assert message_for("votes.owners", "en", n=1) == "1 owner"
    assert message_for("votes.owners", "en", n=0) == "0 owners"
    assert message_for("votes.owners", "en", n=21) == "21 owners"
    assert message_for("votes.owners", "zh", n=1) == message_for("votes.owners", "zh", n=5).replace("5", "1")
    assert message_for("checkin.gate_missing", "en", owners=1, area="95.00") \
        == "Short of the two-thirds gate by 1 owner and 95.00 m²."
    assert message_for("invitation.issued", "en", count=1) == "Issued 1 invitation."
    assert message_for("invitation.issued", "en", count=3) == "Issued 3 invitations."


@pytest.mark.parametrize("locale", LOCALES)
def test_the_browser_chooses_the_form_the_server_chooses(locale):
    """The browser picks a form by the CLDR category of the number (Intl.PluralRules); the
    server by the .po file's gettext rule: for every number both must give the same text."""
    from babel import Locale
    rule = Locale.parse(locale).plural_form
    entry = client_messages(locale, frozenset({"votes"}))["votes.owners"]
    assert entry["count"] == "n"
    for number in range(0, 300):
        assert entry["forms"][rule(number)].format(n=number) == message_for("votes.owners", locale, n=number)


def test_an_unknown_key_reads_as_the_generic_error_and_an_unknown_language_is_refused():
    assert message_for("no.such.key", "en") == message_for("error.generic", "en")
    with pytest.raises(ValueError):
        message_for("error.generic", "fr")


def test_no_code_branches_on_the_language():
    """Words and punctuation differ by language in the catalogue, not in `if lang == "zh"`."""
    branches = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                if any(isinstance(o, ast.Constant) and o.value in LOCALES for o in operands):
                    branches.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    for folder, pattern in (("templates", r"locale\s*[!=]=|lang\s*[!=]="),
                            ("static/js", r"""[!=]==?\s*["'](zh|en)["']|startsWith\(["'](zh|en)""")):
        for path in (ROOT / folder).rglob("*.*"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(pattern, line):
                    branches.append(f"{path.relative_to(ROOT)}:{number}")
    assert branches == []


# Chinese characters and full-width punctuation (、，：（）) of the text a face shows.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Where Chinese is read, not written: a co-owned unit's owners as the roster joins them (、),
# a list as people type it (，).
READS_INPUT = re.compile(r"""\.split\((["'])[、，]\1\)|\.split\(/\[[^\]]*，[^\]]*\]""")
COMMENTS = {".html": re.compile(r"\{#.*?#\}|<!--.*?-->", re.DOTALL),
            ".js": re.compile(r"/\*.*?\*/|(?<![:\\\"'])//[^\n]*", re.DOTALL)}


def _docstrings(tree) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_the_faces_write_no_chinese_of_their_own():
    """Every word a page or a script shows comes from the catalogue, in the page's language:
    no Chinese character or full-width punctuation is written into templates/, static/js/ or
    the web layer's code outside comments and docstrings (a "：" or "、" there shows on an
    English page; tests/browser/test_language.py finds it on the faces it walks, this on
    every one)."""
    found = []
    for folder in ("templates", "static/js"):
        for path in sorted((ROOT / folder).rglob("*.*")):
            pattern = COMMENTS.get(path.suffix)
            text = path.read_text(encoding="utf-8")
            if pattern:
                text = pattern.sub(lambda m: "\n" * m.group(0).count("\n"), text)
            for number, line in enumerate(text.splitlines(), 1):
                if CJK.search(READS_INPUT.sub("", line)):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    for folder in ("web", "views"):
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = _docstrings(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and id(node) not in docstrings and CJK.search(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:100]!r}")
    assert found == [], "\n".join(found)
