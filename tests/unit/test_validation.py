"""The shared rules of validation.py, as pure functions: text, numbers, tokens, ids; and the
minutes renderers handed text that no format can carry (a document built before the checks)."""
from __future__ import annotations

import dataclasses

import pytest

from facilitator.errors import DomainError
from facilitator.exports import docx as docx_export
from facilitator.exports import html as html_export
from facilitator.exports import json as json_export
from facilitator.exports import markdown as markdown_export
from facilitator.exports import pdf as pdf_export
from facilitator.validation import (MAX_ID, Field, has_forbidden_chars, is_id, is_token,
                                    printable_text, validate, whole_number)
from tests.minutes_factory import demo_minutes

BAD = "\x00\x01\x0b\x1b\x7f\x85\ud800\udfff\ufffe\uffff"


def test_a_line_refuses_every_control_character_surrogate_and_non_character():
    for char in BAD:
        assert has_forbidden_chars(f"a{char}b"), repr(char)
        with pytest.raises(DomainError) as refused:
            validate({"name": Field("str")}, {"name": f"a{char}b"})
        assert refused.value.code == "validation.control_chars"
    assert not has_forbidden_chars("张建国 3-1-101 (é) 😀 \u202f")


def test_free_text_keeps_its_lines_drops_controls_and_marks_surrogates():
    assert printable_text("a\tb\nc" + BAD + "d") == "a\tb\nc\ufffd\ufffdd"
    clean = validate({"note": Field("text")}, {"note": "第一行\r\n第二行\r第三\x00行\ud800"})
    assert clean["note"] == "第一行\n第二行\n第三行\ufffd"


def test_text_is_nfc_normalised_before_its_length_is_counted():
    assert validate({"t": Field("str", max_len=4)}, {"t": "Cafe\u0301"})["t"] == "Caf\u00e9"
    assert validate({"l": Field("str_list", max_len=2)}, {"l": ["e\u0301"]})["l"] == ["\u00e9"]


@pytest.mark.parametrize("value,code", [
    (2**31, "validation.range"), (2**63, "validation.range"), (-1, "validation.range"),
    ("99999999999999999999", "validation.range"), ("9" * 5000, "validation.type"),
    ("١٢", "validation.type"), ("--5", "validation.type"), (1.0, "validation.type"),
    (float("nan"), "validation.type"), (True, "validation.type"), ([1], "validation.type"),
])
def test_an_id_is_a_bounded_exact_integer(value, code):
    with pytest.raises(DomainError) as refused:
        validate({"id": Field("int", min=1)}, {"id": value})
    assert refused.value.code == code
    assert validate({"id": Field("int", min=1)}, {"id": " 12 "})["id"] == 12


def test_numbers_typed_in_a_query_are_ascii_digits_within_bounds():
    assert whole_number("12", 1, 100) == 12
    for text in ("0", "101", "", "1e3", "١٢", " 12", "1_2", "9" * 5000, None, 12):
        assert whole_number(text, 1, 100) is None, text
    assert is_id(MAX_ID) and not is_id(MAX_ID + 1) and not is_id(0) and not is_id(True)


def test_tokens_are_printable_ascii():
    assert is_token("Q2x-abc_12", 8, 64)
    for token in ("short", "a" * 65, "abcdefgh\x00", "abcdefgh\ud800", "中文中文中文中文",
                  12345678):
        assert not is_token(token, 8, 64), token


def test_money_of_thousands_of_digits_is_refused_not_a_crash():
    with pytest.raises(DomainError) as refused:
        validate({"amount": Field("money")}, {"amount": "9" * 5000})
    assert refused.value.code == "validation.money"


@pytest.mark.parametrize("renderer", [markdown_export, html_export, json_export, pdf_export,
                                      docx_export], ids=lambda r: r.__name__.rsplit(".", 1)[1])
def test_every_format_renders_text_it_could_not_carry(renderer):
    """A document built from a log written before the checks: its title and a heading hold a
    NUL, a lone surrogate and other control characters."""
    document = demo_minutes("zh")
    header = dataclasses.replace(document.header, title="纪要" + BAD,
                                 case_title="案件\x00" + BAD)
    document = dataclasses.replace(document, header=header)
    body = renderer.render(document, "zh")
    assert body
    if renderer in (markdown_export, html_export, json_export):
        text = body.decode("utf-8")
        assert "纪要" in text and "\x00" not in text
    assert document.printable().header.title == "纪要\ufffd\ufffd"
