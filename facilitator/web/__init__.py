"""Thin blueprints: they authenticate, validate and call actions; no domain logic here."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import clock, staff_sessions
from ..extensions import db
from ..errors import DomainError
from ..catalogue import LOCALES, message_for
from ..i18n import CLIENT_PREFIXES, client_catalog, current_locale, describe_error, t
from ..domain.parties import PARTIES
from ..domain.questions import DISMISS_REASONS
from ..domain.voting import format_area
from ..domain.statuses import MeetingStatus
from ..models.meetings import SEGMENTS
from ..models.cases import SOURCE_CHANNELS
from ..validation import IdConverter, has_unstorable_chars, printable_text
from .elderly import elderly_mode
from .security import add_headers, https_site


def register_web(app: Flask) -> None:
    # Before any route is added: every `<int:...>` is then a bounded id (validation.py).
    app.url_map.converters["int"] = IdConverter
    from . import api, auth, cases, join, meetings, projector
    from . import case_record
    from . import admin, ballot_papers, health, invitations, proxies, result_notice, written_ballot
    for module in (auth, cases, meetings, join, projector, api, case_record, invitations,
                   proxies, health, admin, written_ballot, ballot_papers, result_notice):
        app.register_blueprint(module.bp)
    from . import minutes as minutes_pages  # downloads of the minutes, the console's draft
    app.register_blueprint(minutes_pages.bp)

    @app.before_request
    def load_user():
        # Not for the static files: reading the session would make each of them vary by
        # cookie (no shared cache could keep them) for nothing.
        g.user = None if request.endpoint == "static" else staff_sessions.current_user()

    @app.before_request
    def refuse_unstorable_text():
        """No value of a request reaches a view holding a NUL or a lone surrogate: no column
        can store them (PostgreSQL refuses a NUL in text) and no format render them. The
        fields of a form or an API body are checked further by their schema
        (validation.py); this covers every other value (a token in the path, a query
        parameter, a login form), whichever route it comes to."""
        for name, value in (request.view_args or {}).items():
            if isinstance(value, str) and has_unstorable_chars(value):
                return _error_page(404, "error.not_found")  # no such token or code
        for values in (request.args, request.form):
            for name, value in values.items(multi=True):
                if has_unstorable_chars(name) or has_unstorable_chars(value):
                    error = DomainError("validation.control_chars",
                                        field=printable_text(name)[:60])
                    message = describe_error(error, current_locale())
                    if request.path.startswith("/api/"):
                        return jsonify({"error": {"code": error.code, "message": message,
                                                  "field": error.params["field"]}}), 400
                    return render_template("error.html", status=400, message=message), 400

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if chosen in LOCALES:
            response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax",
                                secure=https_site())
        return response

    app.after_request(add_headers)

    @app.template_filter("zip_labels")
    def zip_labels(keys, prefix: str):
        """["letter", ...] → [("letter", "来信"), ...] for select options."""
        return [(key, t(prefix + key)) for key in keys]

    @app.template_filter("local_time")
    def local_time(moment):
        """A stored (naive UTC) time in the app's zone, to the minute."""
        if moment is None:
            return ""
        return clock.local(moment).strftime("%Y-%m-%d %H:%M")

    @app.template_filter("area")
    def area(hundredths):
        """Hundredths of m² as m², exact: 4,397.34."""
        return format_area(hundredths)

    @app.template_filter("user_options")
    def user_options(users):
        return [(u.id, f"{u.display_name} ({t('role.' + u.role)})") for u in users]

    @app.context_processor
    def template_helpers():
        return {"t": t, "locale": current_locale(), "current_user": g.get("user"),
                "PARTIES": PARTIES, "SEGMENTS": SEGMENTS, "SOURCE_CHANNELS": SOURCE_CHANNELS,
                "MeetingStatus": MeetingStatus, "DISMISS_REASONS": DISMISS_REASONS,
                "client_catalog": lambda *prefixes: client_catalog(
                    current_locale(), frozenset(prefixes) or CLIENT_PREFIXES),
                "other_languages": _other_languages, "language_options": _language_options,
                "language_tag": lambda locale: message_for("lang.tag", locale),
                "elderly_mode": elderly_mode}

    def _error_page(status: int, key: str, headers=()):
        if request.path.startswith("/api/"):
            return jsonify({"error": {"code": key, "message": t(key)}}), status, headers
        return render_template("error.html", status=status, message=t(key)), status, headers

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return _error_page(400, "error.csrf")

    @app.errorhandler(HTTPException)
    def http_error(error):
        key = {404: "error.not_found", 403: "error.forbidden", 405: "error.method_not_allowed",
               413: "error.too_large"}.get(error.code, "error.generic")
        # A 405 names the methods the address takes (Allow), as HTTP requires.
        allow = [(name, value) for name, value in error.get_headers() if name == "Allow"]
        return _error_page(error.code or 500, key, allow)

    @app.errorhandler(Exception)
    def server_error(error):
        # The last line of defence: log it, roll back, and tell the user nothing was saved.
        app.logger.exception("unhandled error", exc_info=error)
        db.session.rollback()
        return _error_page(500, "error.server")


# Endpoints that take files larger than MAX_CONTENT_LENGTH: their own limit (a roster file of
# 5 MB at most, a ballot paper's scan of 10 MB at most, with room for the form around it).
UPLOAD_LIMITS = {"cases.preview_roster": 5 * 1024 * 1024 + 64 * 1024,
                 "ballot_papers.upload_scan": 10 * 1024 * 1024 + 64 * 1024}


def upload_limits() -> None:
    limit = UPLOAD_LIMITS.get(request.endpoint)
    if limit is not None:
        request.max_content_length = limit


def _language_options() -> list[tuple[str, str, str]]:
    """Every language as a select's option: (code, its name in itself, its tag)."""
    return [(locale, message_for("lang.name", locale), message_for("lang.tag", locale))
            for locale in LOCALES]


def _other_languages() -> list[dict]:
    """The language switch: each other language by its own name, with this page in it."""
    here = current_locale()
    return [{"code": locale, "name": message_for("lang.name", locale),
             "tag": message_for("lang.tag", locale),
             "url": request.path + "?" + urlencode({**request.args.to_dict(), "lang": locale})}
            for locale in LOCALES if locale != here]
