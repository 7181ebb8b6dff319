"""Simplified Chinese and English: one catalog for pages, error messages and the browser.

Why not gettext/Flask-Babel: the same messages are needed in Python (pages, error acks) and
in the browser (live screens), and a plain catalog is shared by both without a compile step.
A test checks that every key has both languages and the same placeholders.
"""
from __future__ import annotations

from flask import has_request_context, request

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"

from .messages import CATALOG  # noqa: E402  (the catalog is data; kept in its own module)


def select_locale() -> str:
    """?lang= (also stored in a cookie by the language switch), then the cookie, then a
    page's own default (the projector speaks the meeting's language), then the browser's
    Accept-Language matched against zh and en, then Chinese."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in LOCALES:
        return chosen
    page_default = getattr(request, "page_locale", None)
    if page_default in LOCALES:
        return page_default
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def current_locale() -> str:
    # Not cached in `g`: the app context (and `g`) can outlive one request.
    return select_locale()


def message_for(key: str, locale: str, /, **params) -> str:
    entry = CATALOG.get(key)
    if entry is None:
        # An unknown error code still reads as something rather than failing.
        entry = CATALOG["error.generic"]
    text = entry[0] if locale == "zh" else entry[1]
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def describe_error(error, locale: str) -> str:
    """A refusal as a sentence; a field it names is given its label in that language."""
    params = dict(error.params)
    # An unknown field is named as it was sent; a known one (and the other field a date is
    # compared with) gets its label.
    for name in ("field", "other"):
        field = params.get(name)
        if isinstance(field, str) and f"field.{field}" in CATALOG \
                and error.code != "validation.unknown_field":
            params[name] = message_for(f"field.{field}", locale)
    return message_for(error.code, locale, **params)


def t(key: str, /, **params) -> str:
    return message_for(key, current_locale(), **params)


def client_catalog(locale: str) -> dict:
    """The messages the browser needs (live screens and error codes)."""
    index = 0 if locale == "zh" else 1
    return {key: entry[index] for key, entry in CATALOG.items()
            if key.split(".")[0] in CLIENT_PREFIXES}


CLIENT_PREFIXES = {"live", "party", "segment", "status", "error", "validation", "auth",
                   "command", "meeting", "agenda", "participant", "field", "queue", "speech",
                   "kind", "stance", "ruling", "checkin"}
# Plans and votes (actions/plans.py, actions/votes.py).
CLIENT_PREFIXES |= {"plan", "proxy", "vote", "votes", "decision", "funding", "matter",
                    "plan_status", "plan_warning", "vote_kind", "vote_method", "vote_rule",
                    "vote_settings", "vote_eligibility", "vote_status", "vote_channel",
                    "vote_choice"}
# The room's screen and the console's controls for it (actions/screen.py).
CLIENT_PREFIXES |= {"screen"}
