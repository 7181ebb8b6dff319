"""What each role may see: decided here and nowhere else (DESIGN.md principle 4).

Roles: "chair" (moderator, clerk, admin: sees everything), "phone" (a participant),
"projector" (the read-only big screen) and "api" (case systems: everything but the secrets
that give power over the meeting). `redact_value` returns the entity as the role may
see it, or None when the role must not see it at all (the client then drops it).
"""
from __future__ import annotations

CLIENT_ROLES = ("chair", "phone", "projector")

_PUBLIC_PARTICIPANT_FIELDS = ("id", "name", "party", "unit", "status")


def redact_value(collection: str, value: dict | None, role: str) -> dict | None:
    if value is None or role == "chair":
        return value
    if role == "api":
        return {k: v for k, v in value.items() if k != "projector_token"}
    if collection == "meeting":
        return {k: v for k, v in value.items() if k != "projector_token"}
    if collection == "participants":
        # Phones see people waiting too (a phone in the lobby learns it was admitted from
        # its own entry); the projector shows only those admitted. Rejected and removed
        # people disappear from every screen but the console.
        visible = ("admitted",) if role == "projector" else ("lobby", "admitted")
        if value["status"] not in visible:
            return None
        return {k: value[k] for k in _PUBLIC_PARTICIPANT_FIELDS}
    return value


def redact_changes(changes: list[dict], role: str) -> list[dict]:
    out = []
    for change in changes:
        redacted = dict(change)
        redacted["v"] = redact_value(change["c"], change["v"], role)
        out.append(redacted)
    return out


# Event data (what happened, for the record) that non-chair roles may read as it is.
_PUBLIC_EVENT_DATA = {"agenda.item_started", "agenda.finished", "meeting.opened", "meeting.ended"}


def redact_event(event: dict, role: str) -> dict:
    """An event as a role receives it: changes cut per role, record data only where public."""
    return {
        "seq": event["seq"],
        "type": event["type"],
        "at": event["at"],
        "data": event["data"] if role in ("chair", "api") or event["type"] in _PUBLIC_EVENT_DATA else {},
        "changes": redact_changes(event["changes"], role),
    }


def redact_batch(batch: dict, role: str) -> dict:
    """A batch as a role receives it: the same rules as for single events."""
    return {
        "from": batch["from"], "to": batch["to"],
        "events": [{**e, "data": e["data"] if role in ("chair", "api")
                    or e["type"] in _PUBLIC_EVENT_DATA else {}} for e in batch["events"]],
        "changes": redact_changes(batch["changes"], role),
    }


def redact_snapshot(snapshot: dict, role: str) -> dict:
    out = {"seq": snapshot["seq"], "case": snapshot["case"],
           "meeting": redact_value("meeting", snapshot["meeting"], role)}
    for collection in ("participants", "agenda"):
        items = {}
        for key, value in snapshot[collection].items():
            visible = redact_value(collection, value, role)
            if visible is not None:
                items[key] = visible
        out[collection] = items
    return out
