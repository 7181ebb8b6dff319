"""The addresses people are given: the phone join URL (in the QR code) and the projector link."""
from __future__ import annotations

import io

import segno
from flask import current_app, request, url_for


def public_base() -> str:
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


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
