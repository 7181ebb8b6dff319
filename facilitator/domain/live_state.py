"""Applying events to a client snapshot: the reducer every client runs.

The same rules are in static/js/store.js for the browser. An event's changes set an entity
to its current state (or drop it when the value is None), so applying an event twice, or
applying it to a snapshot that already contains it, gives the same state.
"""
from __future__ import annotations

import copy

SINGLETON_COLLECTIONS = ("meeting", "case", "speakers", "checkin")


def apply_event(snapshot: dict, event: dict) -> dict:
    if event["seq"] != snapshot["seq"] + 1:
        raise ValueError(f"event {event['seq']} does not follow snapshot {snapshot['seq']}")
    state = copy.deepcopy(snapshot)
    for change in event["changes"]:
        collection, value = change["c"], change["v"]
        if collection in SINGLETON_COLLECTIONS:
            state[collection] = value
        elif value is None:
            state.setdefault(collection, {}).pop(str(change["id"]), None)
        else:
            state.setdefault(collection, {})[str(change["id"])] = value
    state["seq"] = event["seq"]
    return state


def apply_events(snapshot: dict, events: list[dict]) -> dict:
    for event in events:
        snapshot = apply_event(snapshot, event)
    return snapshot


def compact(events: list[dict]) -> dict:
    """Consecutive events as one batch: their records, and their changes reduced to the last
    state of each entity. Applying the batch equals applying the events one by one."""
    if any(b["seq"] != a["seq"] + 1 for a, b in zip(events, events[1:])):
        raise ValueError("a batch needs consecutive events")
    last: dict[tuple, dict] = {}
    for event in events:
        for change in event["changes"]:
            key = (change["c"], change.get("id"))
            last.pop(key, None)  # keep the order of last writes
            last[key] = change
    return {"from": events[0]["seq"], "to": events[-1]["seq"],
            "events": [{k: event[k] for k in ("seq", "type", "at", "data")} for event in events],
            "changes": list(last.values())}


def apply_batch(snapshot: dict, batch: dict) -> dict:
    """Apply a batch to a snapshot at any sequence number from batch["from"] - 1 to
    batch["to"]: each change is an entity's state as of batch["to"], so what the snapshot
    already has of the batch is set again to the same or a later state."""
    if not batch["from"] - 1 <= snapshot["seq"] <= batch["to"]:
        raise ValueError(f"batch {batch['from']}-{batch['to']} does not fit "
                         f"snapshot {snapshot['seq']}")
    return apply_event({**snapshot, "seq": batch["to"] - 1},
                       {"seq": batch["to"], "changes": batch["changes"]})
