"""Applying events to a client snapshot: the reducer every client runs.

The same rules are in static/js/store.js for the browser. An event's changes set an entity
to its current state (or drop it when the value is None), so applying an event twice, or
applying it to a snapshot that already contains it, gives the same state.
"""
from __future__ import annotations

import copy

SINGLETON_COLLECTIONS = ("meeting", "case")


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
