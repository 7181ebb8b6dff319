"""A meeting's live state, part by part, and how events change it.

The state is what a client holds (docs/protocol.md §6–7): single parts (one entity each)
and collections (entities by id). An event's changes set an entity of a part to its
current state, or drop it when the value is None, so applying an event twice, or to a
snapshot that already contains it, gives the same state. These reducers are the ones every
client runs (static/js/reducer.js mirrors them) and the ones the server builds its
snapshots with, by folding the meeting's event log (live/snapshot.py).

One part is derived, not logged: `speakers`, the running item's speaking order and
statistics, a function of the other parts (`derived_parts`). Kept in every event it made
the log grow with the square of the queue; live batches carry it, and whoever folds the
log computes it.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from . import speaker_queue as rules

LOGGED_SINGLES = ("meeting", "case", "checkin")
COLLECTIONS = ("participants", "agenda", "queue", "speeches", "questions", "plans", "votes",
               "proxies")
DERIVED = ("speakers",)
SINGLE_PARTS = LOGGED_SINGLES + DERIVED


def _set_single(state: dict, change: dict) -> None:
    state[change["c"]] = change["v"]


def _set_in_collection(state: dict, change: dict) -> None:
    part = state.setdefault(change["c"], {})
    if change["v"] is None:
        part.pop(str(change["id"]), None)
    else:
        part[str(change["id"])] = change["v"]


# One reducer per part of the state.
REDUCERS: dict[str, Callable[[dict, dict], None]] = {
    **{part: _set_single for part in SINGLE_PARTS},
    **{part: _set_in_collection for part in COLLECTIONS},
}


def apply_change(state: dict, change: dict) -> None:
    """Apply one change in place (a part nobody declared is an error, not a silent skip)."""
    try:
        reducer = REDUCERS[change["c"]]
    except KeyError:
        raise ValueError(f"unknown part of the state: {change['c']!r}") from None
    reducer(state, change)


def empty_state() -> dict:
    """The state before a meeting's first event: no entities yet."""
    return {"seq": 0, **{part: None for part in SINGLE_PARTS},
            **{part: {} for part in COLLECTIONS}}


def fold(state: dict, events: Iterable[dict]) -> dict:
    """A new state: `state` with `events` applied in order (the logged parts only; call
    `derived_parts` after). `state` itself is not changed: its parts are copied once, not
    per event, so folding a long log costs the number of changes."""
    out = {key: dict(value) if key in COLLECTIONS and value is not None else value
           for key, value in state.items()}
    for event in events:
        if event["seq"] != out["seq"] + 1:
            raise ValueError(f"event {event['seq']} does not follow state {out['seq']}")
        for change in event["changes"]:
            apply_change(out, change)
        out["seq"] = event["seq"]
    return out


def derived_parts(state: dict) -> dict:
    """The parts computed from the others: the speakers' list of the running item, from its
    waiting hands, its speeches and the meeting's settings."""
    meeting = state["meeting"]
    item_id = meeting["current_item_id"] if meeting else None
    if item_id is None:
        entries, history = [], []
    else:
        entries = [_entry(e) for e in _of_item(state["queue"], item_id)]
        history = [_speech(s) for s in _of_item(state["speeches"], item_id)]
    # A state without a meeting yet (a client's before its first snapshot) has no item.
    settings = meeting["speaker_settings"] if meeting else None
    return {"speakers": rules.speakers_part(item_id, settings or rules.SETTING_DEFAULTS,
                                            entries, history)}


def _of_item(part: dict, item_id: int) -> list[dict]:
    return sorted((v for v in part.values() if v["item_id"] == item_id), key=lambda v: v["id"])


def _entry(view: dict) -> rules.QueueEntry:
    return rules.QueueEntry(id=view["id"], participant_id=view["participant_id"],
                            party=view["party"], kind=view["kind"], stance=view["stance"],
                            plan_key=view["plan_key"], raised_seq=view["raised_seq"],
                            manual_position=view["manual_position"])


def _speech(view: dict) -> rules.SpeechRecord:
    return rules.SpeechRecord(participant_id=view["participant_id"], party=view["party"],
                              kind=view["kind"], stance=view["stance"],
                              seconds=(view["spoken_ms"] or 0) // 1000,
                              started_seq=view["started_seq"])




def apply_event(snapshot: dict, event: dict) -> dict:
    if event["seq"] != snapshot["seq"] + 1:
        raise ValueError(f"event {event['seq']} does not follow snapshot {snapshot['seq']}")
    state = copy.deepcopy(snapshot)
    for change in event["changes"]:
        apply_change(state, change)
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
