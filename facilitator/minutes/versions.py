"""Finalised versions of the minutes: numbering, the final document, what a correction changed.

A version stores the canonical JSON of its document and that JSON's SHA-256; renderers
read it back with ``MinutesDocument.from_json`` (no other query). The live draft is never
stored: it is built from the log on demand (``load.minutes_for``).
"""
from __future__ import annotations

import dataclasses
from datetime import datetime

from ..domain.minutes_model import MinutesDocument, finalise
from ..extensions import db
from ..models import MinutesVersion

# Header fields that differ between any two versions by construction, not by content.
_VERSION_FIELDS = ("version", "status", "finalised_at", "last_event_seq")


def versions_of(meeting_id: int) -> list[MinutesVersion]:
    return list(db.session.execute(db.select(MinutesVersion).filter_by(meeting_id=meeting_id)
                                   .order_by(MinutesVersion.number)).scalars())


def latest_version(meeting_id: int) -> MinutesVersion | None:
    return db.session.execute(db.select(MinutesVersion).filter_by(meeting_id=meeting_id)
                              .order_by(MinutesVersion.number.desc()).limit(1)).scalar_one_or_none()


def version_number(meeting_id: int, number: int) -> MinutesVersion | None:
    return db.session.execute(db.select(MinutesVersion).filter_by(
        meeting_id=meeting_id, number=number)).scalar_one_or_none()


def document_of(version: MinutesVersion) -> MinutesDocument:
    return MinutesDocument.from_json(version.document)


def as_final(document: MinutesDocument, number: int, at: datetime) -> MinutesDocument:
    header = dataclasses.replace(document.header, version=number)
    return finalise(dataclasses.replace(document, header=header), at)


def _comparable(document: MinutesDocument) -> dict:
    plain = document.to_plain()
    plain["header"] = {k: v for k, v in plain["header"].items() if k not in _VERSION_FIELDS}
    appendix = plain.get("appendix") or {}
    # The log grows with every correction's own events: their count is not a change.
    plain["appendix"] = {k: v for k, v in appendix.items() if k != "events_total"}
    return plain


def section_changes(before: MinutesDocument, after: MinutesDocument) -> list[dict]:
    """Which sections differ, in document order: [{"section", "before", "after"}] where
    before/after count the entries of a list section (None for a single value)."""
    old, new = _comparable(before), _comparable(after)
    out = []
    for field in dataclasses.fields(MinutesDocument):
        name = field.name
        if old.get(name) == new.get(name):
            continue
        a, b = old.get(name), new.get(name)
        if isinstance(a, list) or isinstance(b, list):
            out.append({"section": name, "before": len(a or []), "after": len(b or [])})
        elif name == "appendix":
            out.append({"section": name, "before": len(a.get("timeline") or []),
                        "after": len(b.get("timeline") or [])})
        else:
            out.append({"section": name, "before": None, "after": None})
    return out
