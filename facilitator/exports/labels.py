"""Every word of the minutes that is not content: labels in Simplified Chinese and English,
and the formats of dates, times, money, area and durations.

The minutes model (``facilitator.domain.minutes_model``) carries keys (``party="developer"``,
``stance="against"``, ``kind="straw_poll"``); the renderers turn them into words here, from
the app's one message catalogue (``facilitator.catalogue``). Party and segment names are the
console's and the phones' own, so the minutes call a party what the room called it.
"""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date

from facilitator.catalogue import LOCALES, has_message, message_for
from facilitator.domain.voting import format_area, format_yuan, percent

LANGUAGES = LOCALES
# Labels of the minutes are the catalogue's messages under "label." (translations/*.po).
PREFIX = "label."


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"the minutes are rendered in {LANGUAGES}, not {language!r}")
    return language


def _key(key: str) -> str | None:
    """The catalogue key of a label: the minutes' own, else the party or segment name that
    the console and the phones use."""
    if has_message(PREFIX + key):
        return PREFIX + key
    if key.startswith(("party.", "segment.")) and has_message(key):
        return key
    return None


def label(key: str, language: str, /, **params) -> str:
    """The label ``key`` in ``language``; unknown keys fall back to the key's last part."""
    found = _key(key)
    if found is None:
        return key.rsplit(".", 1)[-1].replace("_", " ")
    return message_for(found, language, **params)


def has_label(key: str) -> bool:
    return _key(key) is not None


def party(key: str, language: str) -> str:
    return label(f"party.{key}", language)


def section_number(n: int, language: str) -> str:
    """一、 二、 … 十三、 in Chinese; "1." in English."""
    return message_for("label.section_n", language, n=n, numeral=zh_numeral(n))


_ZH_NUMERALS = "零一二三四五六七八九十"


def zh_numeral(n: int) -> str:
    if n <= 10:
        return _ZH_NUMERALS[n]
    if n < 20:
        return "十" + _ZH_NUMERALS[n - 10]
    tens, ones = divmod(n, 10)
    return _ZH_NUMERALS[tens] + "十" + (_ZH_NUMERALS[ones] if ones else "")


def fmt_date(value: date | None, language: str) -> str:
    """2026年12月5日; en 5 December 2026 (the pattern is the catalogue's, the month names
    CLDR's)."""
    if value is None:
        return "—"
    return format_date(value, message_for("format.date", language), locale=language)


def fmt_time(value: datetime | None) -> str:
    return "—" if value is None else f"{value.hour:02d}:{value.minute:02d}"


def fmt_datetime(value: datetime | None, language: str) -> str:
    if value is None:
        return "—"
    return message_for("format.datetime", language, date=fmt_date(value.date(), language),
                       time=fmt_time(value))


def fmt_span(start: datetime, end: datetime | None, language: str) -> str:
    """Start and end to the minute: 2026年12月5日 14:30—16:40 (the end's date when it differs)."""
    if end is None:
        return fmt_datetime(start, language)
    until = fmt_time(end) if end.date() == start.date() else fmt_datetime(end, language)
    return message_for("punct.range", language, start=fmt_datetime(start, language), end=until)


def fmt_money(fen: int | None, language: str) -> str:
    if fen is None:
        return "—"
    return message_for("format.yuan", language, amount=format_yuan(fen))


def fmt_area(hundredths: int | None) -> str:
    return "—" if hundredths is None else format_area(hundredths)


def fmt_pct(part: int, whole: int, decimals: int = 1) -> str:
    return percent(part, whole, decimals)


def fmt_duration(seconds: int, language: str) -> str:
    """1小时35分 / 12分30秒 / 45秒; en 1 h 35 min / 12 min 30 s / 45 s."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        key = "hours_minutes" if minutes else "hours"
    elif minutes:
        key = "minutes_seconds" if secs else "minutes"
    else:
        key = "seconds"
    return message_for(f"format.duration.{key}", language, hours=hours, minutes=minutes,
                       seconds=secs)


def join_list(items, language: str) -> str:
    return message_for("punct.list", language).join(item for item in items if item)


def paren(text: str, language: str) -> str:
    return message_for("punct.paren", language, text=text) if text else ""


def language_tag(language: str) -> str:
    """The BCP 47 tag that documents declare (zh-CN, en-US)."""
    return message_for("lang.tag", language)


def colon(language: str) -> str:
    return message_for("punct.colon", language)
