"""What each role may see: decided here and nowhere else (docs/architecture.md §4).

Roles: "chair" (moderator, clerk, admin: sees everything), "phone" (a participant),
"projector" (the read-only big screen) and "api" (case systems: everything but the secrets
that give power over the meeting). `redact_value` returns the entity as the role may
see it, or None when the role must not see it at all (the client then drops it).
"""
from __future__ import annotations

from ..contract import is_public
from ..domain.live_state import COLLECTIONS
from ..domain.statuses import (SHOWN_QUESTION, SHOWN_VOTE, ParticipantStatus, PlanStatus,
                               ProxyStatus, QuestionStatus)

CLIENT_ROLES = ("chair", "phone", "projector")

PUBLIC_PARTICIPANT_FIELDS = ("id", "name", "party", "unit", "status", "verified_via")

# Collections a role never holds. Phones do not keep the list of everyone in the room: a
# thousand phones joining would otherwise send every phone a thousand changes (N² messages)
# and make every phone's snapshot grow with the room. A phone learns its own entry from
# `self_view` (sent to it alone); the names it shows come with the speeches.
# Nor the check-in figures (a console's and the projector's).
HIDDEN_COLLECTIONS = {"phone": frozenset({"participants", "checkin"})}
# A written question's fields for the console only: why it was dismissed, who handled it.
QUESTION_CHAIR_FIELDS = ("dismiss_reason", "dismiss_note", "handled_by")


def self_view(participant: dict) -> dict:
    """A phone's own entry, whatever its status (it must learn it was rejected or removed)."""
    return {k: participant[k] for k in PUBLIC_PARTICIPANT_FIELDS}


# A dismissed question, a declined proposal: the room's screens never show them, but the
# phone that sent one is told which and why (the reason; a question's note is the console's
# and the record's): what someone submitted must not just vanish from their phone.
# Message → (collection, the field naming its sender, the status, the fields the sender is
# told, each its row's column of that name): the live message (personal_messages) and
# every phone's sync answer (live/namespace.py) both come from here.
OWN_ITEMS = {
    "dismissed": ("questions", "participant_id", QuestionStatus.DISMISSED,
                  ("id", "text", "dismiss_reason")),
    "declined": ("plans", "proposed_by_id", PlanStatus.DECLINED,
                 ("id", "title", "decline_reason")),
}


def personal_messages(change: dict) -> list[tuple[int, str, dict]]:
    """What a change tells one phone alone, as (participant id, message, data): its own
    entry (`me`), what it submitted that was set aside (OWN_ITEMS)."""
    value = change["v"]
    if value is None:
        return []
    if change["c"] == "participants":
        return [(change["id"], "me", self_view(value))]
    for message, (collection, sender, status, fields) in OWN_ITEMS.items():
        if change["c"] == collection and value["status"] == status \
                and value[sender] is not None:
            return [(value[sender], message, {k: value[k] for k in fields})]
    return []


def redact_value(collection: str, value: dict | None, role: str) -> dict | None:
    if value is None or role == "chair":
        return value
    if role == "api":
        return {k: v for k, v in value.items() if k not in ("projector_token", "join_key")}
    if collection == "meeting":
        # The projector shows the QR code, whose link carries the join key; a phone has
        # joined already and needs neither.
        hidden = ("projector_token",) if role == "projector" else ("projector_token", "join_key")
        return {k: v for k, v in value.items() if k not in hidden}
    if collection == "speeches":
        # The clerk's notes are a draft for the minutes: for the console until published.
        return {**value, "notes": ""}
    if collection == "speakers" and (role == "phone" or not value["stats_public"]):
        # Phones show the list, not the statistics; the projector only when the meeting says.
        return {**value, "stats": None}
    if collection in ("plans", "votes", "proxies"):
        return _redact_vote_entity(collection, value)
    if collection == "questions":
        # The room sees the questions still open and those taken up; one dismissed (and why)
        # or withdrawn is the console's and the record's.
        if value["status"] not in SHOWN_QUESTION:
            return None
        return {k: v for k, v in value.items() if k not in QUESTION_CHAIR_FIELDS}
    if collection == "participants":
        # The projector shows those admitted; the lobby, the rejected and the removed are for
        # the console (a phone hears about itself through self_view).
        if role == "phone" or value["status"] != ParticipantStatus.ADMITTED:
            return None
        return {k: value[k] for k in PUBLIC_PARTICIPANT_FIELDS}
    return value


def redact_changes(changes: list[dict], role: str) -> list[dict]:
    out = []
    hidden = HIDDEN_COLLECTIONS.get(role, ())
    for change in changes:
        if change["c"] in hidden:
            continue
        redacted = dict(change)
        redacted["v"] = redact_value(change["c"], change["v"], role)
        out.append(redacted)
    return out




def redact_event(event: dict, role: str) -> dict:
    """An event as a role receives it: changes cut per role, record data (what happened, for
    the record) only where its type is declared public (contract.py)."""
    return {
        "seq": event["seq"],
        "type": event["type"],
        "at": event["at"],
        "data": event["data"] if role in ("chair", "api") or is_public(event["type"]) else {},
        "changes": redact_changes(event["changes"], role),
    }


def redact_batch(batch: dict, role: str) -> dict:
    """A batch as a role receives it: the same rules as for single events."""
    return {
        "from": batch["from"], "to": batch["to"],
        # Other screens get only the records they may read: the rest of what happened
        # reaches them as changes (and an empty batch is not sent at all, broadcast.py).
        "events": [e for e in batch["events"]
                   if role in ("chair", "api") or is_public(e["type"])],
        "changes": redact_changes(batch["changes"], role),
    }


def redact_snapshot(snapshot: dict, role: str) -> dict:
    out = {"seq": snapshot["seq"], "case": snapshot["case"],
           "meeting": redact_value("meeting", snapshot["meeting"], role),
           "speakers": redact_value("speakers", snapshot["speakers"], role)}
    if "checkin" not in HIDDEN_COLLECTIONS.get(role, ()):
        out["checkin"] = snapshot.get("checkin")
    for collection in COLLECTIONS:
        if collection in HIDDEN_COLLECTIONS.get(role, ()):
            continue
        items = {}
        for key, value in snapshot.get(collection, {}).items():
            visible = redact_value(collection, value, role)
            if visible is not None:
                items[key] = visible
        out[collection] = items
    return out


# --- plans, votes, proxies, ballots and tallies --------------------------------------------

# Ballots change nothing a screen shows (the tally is derived data, sent coalesced by
# live/tallies.py), and screens get no records but the public ones (redact_batch): a burst
# of 1000 ballots sends phones and the projector nothing (broadcast.py folds empty batches).


def _redact_vote_entity(collection: str, value: dict) -> dict | None:
    """Phones and the projector: accepted plans only (proposals are the chair's to accept);
    votes once opened (not drafts, not cancelled ones), without the recusal list (owner
    keys); active proxies without the owner key."""
    if collection == "plans":
        return value if value["status"] == PlanStatus.ACCEPTED else None
    if collection == "votes":
        if value["status"] not in SHOWN_VOTE:
            return None
        return {**value, "recused": []}
    if value["status"] != ProxyStatus.ACTIVE:
        return None
    return {k: v for k, v in value.items() if k not in ("owner_key", "note")}


def results_visible(vote: dict, role: str) -> bool:
    """Whether a role may see the counts of an open vote. Secret: nobody (live counts next
    to the list of who has voted would tell who chose what). Otherwise the chair always;
    phones and the projector when the vote shows results live."""
    if vote["secret"]:
        return False
    return role in ("chair", "api") or vote["show_results"] == "live"


def redact_tally(tally: dict, vote: dict, role: str) -> dict:
    """A live tally (actions/counting.live_tally) as a role may see it: participation always;
    counts and the provisional outcome only when results_visible; who has voted (never what)
    for the chair only."""
    out = {k: v for k, v in tally.items() if k not in ("tally", "provisional", "voted")}
    if results_visible(vote, role):
        out["tally"] = tally["tally"]
        out["provisional"] = tally["provisional"]
    if role in ("chair", "api"):
        out["voted"] = tally["voted"]
    return out
