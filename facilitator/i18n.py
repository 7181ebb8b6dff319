"""The language of a request, and the catalogue's messages in it (facilitator.catalogue)."""
from __future__ import annotations

from flask import has_request_context, request

from .catalogue import DEFAULT_LOCALE, LOCALES, client_messages, has_message, message_for


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


def describe_error(error, locale: str) -> str:
    """A refusal as a sentence; a field it names is given its label in that language."""
    params = dict(error.params)
    # An unknown field is named as it was sent; a known one (and the other field a date is
    # compared with) gets its label.
    for name in ("field", "other"):
        field = params.get(name)
        if isinstance(field, str) and has_message(f"field.{field}") \
                and error.code != "validation.unknown_field":
            params[name] = message_for(f"field.{field}", locale)
    return message_for(error.code, locale, **params)


def t(key: str, /, **params) -> str:
    return message_for(key, current_locale(), **params)


# The messages the browser needs: the live screens', every error code's, and the words
# that join them (punctuation, the language's tag).
CLIENT_PREFIXES = frozenset({
    "live", "party", "segment", "status", "error", "validation", "auth", "command", "meeting",
    "agenda", "participant", "field", "queue", "speech", "kind", "stance", "ruling", "checkin",
    # plans and votes (actions/plans.py, actions/votes.py)
    "plan", "proxy", "vote", "votes", "decision", "funding", "matter", "plan_status",
    "plan_warning", "vote_kind", "vote_method", "vote_rule", "vote_settings",
    "vote_eligibility", "vote_status", "vote_channel", "vote_choice",
    # the room's screen and the console's controls for it (actions/screen.py)
    "screen",
    # the written ballot's link on the console's vote (actions/written_ballot.py)
    "written",
    # a phone asked to sign the minutes or a result notice (static/js/phone.js)
    "sign",
    # written questions from phones (actions/questions.py)
    "question",
    "punct", "lang",
})


def client_catalog(locale: str, prefixes: frozenset[str] = CLIENT_PREFIXES) -> dict:
    """The messages the browser needs; a page without the live screens names its own few
    (the phone pages' elderly mode, templates/_elderly.html)."""
    return client_messages(locale, prefixes)
