"""A signature drawn on a phone (optional beside the typed name): checked, then re-encoded
before it is stored, so what the documents embed is a small greyscale PNG this module wrote,
never the bytes a phone sent (no other format, no metadata chunks, no oversized image).
"""
from __future__ import annotations

import base64
import binascii
import io

from PIL import Image, UnidentifiedImageError

from ..errors import DomainError

# The PNG as the phone sends it, base64 (a data: URL's prefix allowed): a socket message is
# at most 64 KiB (docs/protocol.md §1); a signature drawn on a 390 px canvas takes 5–20 KB.
MAX_DRAWING_CHARS = 48_000
# The largest canvas a phone may send (pixels a side), checked before the image is decoded.
MAX_SIDE = 1600
# What is kept: at most this size, enough for a signature line in the PDF and DOCX.
STORED_SIZE = (600, 240)
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DATA_URL = "data:image/png;base64,"


def clean_drawing(text: str) -> bytes | None:
    """The drawing to store, from the phone's base64 PNG; None for a blank canvas. Anything
    that is not a PNG of at most MAX_SIDE pixels a side is refused (minutes.bad_drawing)."""
    if text.startswith(_DATA_URL):
        text = text[len(_DATA_URL):]
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("minutes.bad_drawing") from None
    if not raw.startswith(_PNG_MAGIC):
        raise DomainError("minutes.bad_drawing")
    try:
        with Image.open(io.BytesIO(raw), formats=("PNG",)) as image:
            if max(image.size) > MAX_SIDE or min(image.size) < 1:
                raise DomainError("minutes.bad_drawing")
            image.load()
            flat = Image.new("RGBA", image.size, (255, 255, 255, 255))
            flat.alpha_composite(image.convert("RGBA"))
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        raise DomainError("minutes.bad_drawing") from None
    grey = flat.convert("L")
    if grey.getextrema()[0] >= 250:  # nothing drawn: a blank canvas is no signature
        return None
    grey.thumbnail(STORED_SIZE)
    out = io.BytesIO()
    grey.save(out, format="PNG", optimize=True)
    return out.getvalue()
