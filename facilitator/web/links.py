"""The addresses people are given: the phone join URL (in the QR code) and the projector link."""
from __future__ import annotations

import io
from urllib.parse import urlsplit

import segno
from flask import current_app, request, url_for

from ..addresses import is_this_computer_only


def public_base() -> str:
    """PUBLIC_URL when set. Else the address the request came to, unless that address means
    "this computer" (a console opened as http://127.0.0.1:5000 on the server's laptop): then
    the server's address on the local network, with the same port, when it has one."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured
    lan = current_app.config.get("LAN_ADDRESSES") or []
    try:
        host = urlsplit("//" + request.host)
        local, port = is_this_computer_only(host.hostname or ""), host.port
    except ValueError:  # a Host header that is no host: answered as it came
        local = False
    if local and lan:
        return f"{request.scheme}://{lan[0]}" + (f":{port}" if port else "")
    return request.host_url.rstrip("/")


def phones_cannot_reach(base: str) -> bool:
    """The join address given to phones is this computer's own (no PUBLIC_URL, no address on
    a local network): the console warns."""
    return is_this_computer_only(urlsplit(base).hostname or "")


def join_url(code: str, key: str | None = None) -> str:
    """The phone join link; with the meeting's join key, the QR code's link (it skips the
    limit on typed codes: facilitator/joining.py)."""
    return public_base() + url_for("join.join_page", code=code, k=key)


def projector_url(meeting) -> str:
    return public_base() + url_for("projector.show", token=meeting.projector_token)


def qr_svg(text: str) -> bytes:
    """An SVG document of a QR code, black on white, with a quiet zone so phones read it off
    a wall."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=8, border=2, dark="#000",
                                     light="#fff")
    return buffer.getvalue()
