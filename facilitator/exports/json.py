"""Minutes as JSON: the canonical document plus its content hash, pretty-printed with sorted
keys so that the same document always gives the same bytes.

Money is in fen (``*_fen``) and floor area in hundredths of a square metre (``area``): integers,
never floats. ``content_hash`` is the SHA-256 of the canonical (compact) JSON of ``minutes``,
so anyone can check it: ``sha256(json.dumps(minutes, sort_keys=True, ensure_ascii=False,
separators=(",", ":")).encode())``.
"""
from __future__ import annotations

import json as _json

from facilitator.domain.minutes_model import FORMAT, FORMAT_VERSION, MinutesDocument

from . import labels as L
from .layout import Signoff

MEDIA_TYPE = "application/json"
EXTENSION = "json"

UNITS = {"money": "fen (1/100 CNY), integer", "area": "hundredths of a square metre, integer",
         "time": "ISO 8601, the meeting's local time", "seconds": "integer"}


def render(document: MinutesDocument, language: str | None = None,
           signoffs: tuple[Signoff, ...] = ()) -> bytes:
    """The file; with the version's sign-offs (when it has any) beside the document, outside
    what the hash covers: a drawn signature is noted (`drawn`), its image is in the PDF."""
    L.check_language(language or document.language)
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "content_hash": f"sha256:{document.content_hash()}",
        "language": document.language,
        "units": UNITS,
        "minutes": document.printable().to_plain(),
    }
    if signoffs:
        payload["signoffs"] = [
            {"name": s.name, "party": s.party, "decision": s.decision, "note": s.note,
             "at": s.at.isoformat(), "method": s.method, "drawn": s.drawing is not None}
            for s in signoffs]
    text = _json.dumps(payload, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")
