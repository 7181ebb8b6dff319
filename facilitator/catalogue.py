"""The one message catalogue: every word the app shows, in Simplified Chinese and English.

The messages live in gettext files, ``translations/<locale>/LC_MESSAGES/messages.po``, one per
language; the msgid is the message's key (``vote.closed``), so a caller names what it says
and not its English wording. A message with plural forms takes its form from the number in
one of its placeholders, the one its ``msgid_plural`` names (``msgid_plural "owners"`` for
"{owners} owners"), by the language's gettext plural rule (Chinese has one form, English
two). Callers pass the same parameters either way, and an error's parameters on the wire
keep their names. The compiled ``.mo`` files beside them are what the app reads; they are
compiled from the ``.po`` files with ``pybabel compile -d facilitator/translations`` and
checked in, and a test fails when one is older than its source (tests/unit/test_catalogue.py).

Pages, socket and API errors, the live screens (through ``client_messages``) and the
documents all read this catalogue. Nothing here depends on a request: the page's language
is chosen in ``facilitator.i18n``.
"""
from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import read_mo

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "messages"
# A message's text when its key is unknown (an error code from a newer server, say).
FALLBACK_KEY = "error.generic"


def mo_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


@cache
def _translations(locale: str) -> gettext.GNUTranslations:
    with mo_path(locale).open("rb") as compiled:
        return gettext.GNUTranslations(compiled)


@cache
def _counted_by() -> dict[str, str]:
    """Each message with plural forms → the placeholder whose number chooses the form (the
    same in every language: a test says so)."""
    with mo_path(DEFAULT_LOCALE).open("rb") as compiled:
        return {message.id[0]: message.id[1] for message in read_mo(compiled)
                if message.id and isinstance(message.id, (tuple, list))}


@cache
def keys() -> tuple[str, ...]:
    with mo_path(DEFAULT_LOCALE).open("rb") as compiled:
        return tuple((message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
                     for message in read_mo(compiled) if message.id)


@cache
def _known() -> frozenset[str]:
    return frozenset(keys())


def has_message(key: str) -> bool:
    return key in _known()


def counted_by(key: str) -> str | None:
    """The placeholder that chooses the form of ``key``'s message, if it has plural forms."""
    return _counted_by().get(key)


def _check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise ValueError(f"messages exist in {LOCALES}, not {locale!r}")
    return locale


def message_for(key: str, locale: str, /, **params) -> str:
    """The message ``key`` in ``locale`` with its placeholders filled in.

    An unknown key reads as the generic error rather than failing (a refusal's code is
    always shown as something). A plural message takes its form from the parameter its
    catalogue entry names.
    """
    translations = _translations(_check_locale(locale))
    if not has_message(key):
        key = FALLBACK_KEY
    counter = counted_by(key)
    if counter is not None:
        count = params.get(counter)
        text = translations.ngettext(key, key, count if isinstance(count, int) else _MANY)
    else:
        text = translations.gettext(key)
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text


# The number a plural message is shown for when no count was given: one that every language
# here puts in its general ("other") form.
_MANY = 2


def client_messages(locale: str, prefixes: frozenset[str]) -> dict[str, str | dict[str, str]]:
    """The messages under ``prefixes`` for the browser: a string each, or for a plural
    message the placeholder that counts and its forms by CLDR plural category
    ({"count": "owners", "forms": {"one": …, "other": …}}), which the browser picks with
    Intl.PluralRules for the same language."""
    translations = _translations(_check_locale(locale))
    out: dict[str, str | dict[str, str]] = {}
    for key in keys():
        if key.split(".")[0] not in prefixes:
            continue
        counter = counted_by(key)
        if counter is not None:
            out[key] = {"count": counter,
                        "forms": {category: translations.ngettext(key, key, number)
                                  for category, number in plural_samples(locale).items()}}
        else:
            out[key] = translations.gettext(key)
    return out


@cache
def plural_samples(locale: str) -> dict[str, int]:
    """One number for each CLDR plural category of the language (the smallest), e.g. en
    {"one": 1, "other": 0}; the category is what the browser's Intl.PluralRules names."""
    rule = Locale.parse(locale).plural_form
    samples: dict[str, int] = {}
    for number in range(200):
        samples.setdefault(rule(number), number)
    return samples
