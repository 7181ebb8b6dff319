"""What every response carries for the browser's protection, and where redirects may go.

* Content-Security-Policy: scripts only from this site's files (no inline script or event
  handler on any page: data for the scripts is in <script type="application/json"> blocks),
  no plugins, forms posting only here, no <base>. Inline *styles* are allowed: the console
  shows the draft minutes, a self-contained document with its own styles, in a sandboxed
  frame that inherits the page's policy; styles run no code.
* frame-ancestors 'none' (and X-Frame-Options: DENY): no page can be framed by another
  site to trick a click. The projector page only where PROJECTOR_FRAME_ANCESTORS says
  (default 'self'): a screen controller or signage page of another site may show it.
* X-Content-Type-Options: nosniff; Referrer-Policy: same-origin (the projector and join
  links carry tokens that must not leak to other sites in a Referer).
* When the site is served over HTTPS (PUBLIC_URL starts with https://, or the request
  came over HTTPS: TLS on this server, or a proxy trusted through PROXY_COUNT): every cookie
  is Secure and Strict-Transport-Security is sent.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

HSTS = "max-age=31536000"

_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
           "base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}")

# An origin a projector may be framed by: 'self', or a scheme and host (and port).
_ANCESTOR = re.compile(r"'self'|https?://[A-Za-z0-9.-]+(:\d{1,5})?")


def check_frame_ancestors(value: str) -> str:
    """PROJECTOR_FRAME_ANCESTORS, refused at start-up unless it is a list of origins (so
    it cannot break or widen the header with another directive)."""
    parts = value.split()
    if not parts or not all(_ANCESTOR.fullmatch(part) for part in parts):
        raise ValueError("PROJECTOR_FRAME_ANCESTORS must be 'self' and/or origins such as "
                         f"https://screens.example.org separated by spaces, not {value!r}")
    return " ".join(parts)


def https_site() -> bool:
    public = current_app.config.get("PUBLIC_URL") or ""
    return public.startswith("https://") or request.is_secure


# Hosts behind one balancer keep time by NTP, yet a cookie signed by one host a moment ahead
# of another reads there as signed in the future, which Flask's check refuses: the user
# would be signed out by the next page. This much skew is taken.
CLOCK_SKEW_SECONDS = 60


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, Secure whenever the site is served over HTTPS, taken from a
    host whose clock runs up to CLOCK_SKEW_SECONDS ahead."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or https_site()

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(value, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        age = (datetime.now(timezone.utc) - signed_at).total_seconds()
        if not -CLOCK_SKEW_SECONDS <= age <= app.permanent_session_lifetime.total_seconds():
            return self.session_class()
        return self.session_class(data)


def allow_framing(ancestors: str) -> None:
    """This response may be framed by `ancestors` (a checked origin list)."""
    g.frame_ancestors = ancestors


# What the static folder serves that is never a document (an image could be one, opened by
# itself: it keeps every header).
SUBRESOURCE_TYPES = frozenset({"text/javascript", "application/javascript", "text/css"})


def add_headers(response):
    if request.endpoint == "static" and response.mimetype in SUBRESOURCE_TYPES:
        # A script, a style sheet: the page's policy governs them, and headers meant for
        # documents would only add bytes to each (a phone page fetches 14 of them).
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if https_site():
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
    ancestors = g.get("frame_ancestors") or "'none'"
    response.headers.setdefault("Content-Security-Policy", _POLICY.format(ancestors=ancestors))
    if ancestors == "'none'":
        response.headers.setdefault("X-Frame-Options", "DENY")
    elif ancestors == "'self'":
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    # Otherwise no X-Frame-Options: it cannot name another site, and browsers that know
    # frame-ancestors ignore it anyway.
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if https_site():
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def safe_target(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site, else `fallback`: every redirect to a target
    the request names (`next=`) goes through here. Browsers read a backslash as a slash and
    drop tabs and newlines, so "/\\evil.example" or "/\\t/evil.example" would leave the
    site; anything with those, a scheme, a host or not starting with one "/" is refused."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return fallback
    if any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7f for ch in target):
        return fallback
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
