"""The agenda: prepared before or during the meeting, run item by item."""
from datetime import timedelta

from ..domain.agenda import neighbour
from ..domain.statuses import NOT_ENDED
from ..errors import DomainError
from ..extensions import db
from ..models import AgendaItem
from ..models.meetings import SEGMENTS
from ..validation import Field, optional
from .core import CHAIR, Context, Outcome, command
from ..contract import Datum, event

_minutes = Field("int", min=1, max=480)


def _items(ctx: Context) -> list[AgendaItem]:
    return list(db.session.execute(
        db.select(AgendaItem).filter_by(meeting_id=ctx.meeting.id)
        .order_by(AgendaItem.position, AgendaItem.id)).scalars())


def _item(ctx: Context, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != ctx.meeting.id:
        raise DomainError("agenda.not_found")
    return item


def stop_current_run(ctx: Context) -> AgendaItem | None:
    """End the running item's current run, adding its time to what the item used."""
    meeting = ctx.meeting
    if meeting.current_item_id is None:
        return None
    item = db.session.get(AgendaItem, meeting.current_item_id)
    if item.run_started_at is not None:
        run_ms = (ctx.now - item.run_started_at) // timedelta(milliseconds=1)
        item.used_ms += max(0, run_ms)
        item.run_started_at = None
        item.ended_at = ctx.now
        ctx.changed(item)
    return item


def _start(ctx: Context, item: AgendaItem | None, event_type: str) -> Outcome:
    from .speakers import end_current_speech, refresh_speakers
    end_current_speech(ctx)  # a new item: whoever had the floor is done
    previous = stop_current_run(ctx)
    meeting = ctx.meeting
    if item is None:
        meeting.current_item_id = None
        ctx.changed(meeting)
        refresh_speakers(ctx)
        return Outcome("agenda.finished", {"previous_id": previous.id if previous else None})
    item.run_started_at = ctx.now
    if item.started_at is None:
        item.started_at = ctx.now
    meeting.current_item_id = item.id
    ctx.changed(item, meeting)
    refresh_speakers(ctx)  # the list shown is the new item's
    return Outcome("agenda.item_started", {"item_id": item.id, "title": item.title,
                                           "how": event_type,
                                           "previous_id": previous.id if previous else None},
                   {"item_id": item.id})



# --- events ------------------------------------------------------------------------------------
event("agenda.item_added", data={"item_id": Datum("id"), "title": Datum("str"),
                                 "minutes": Datum("int"),
                                 "segment": Datum("str", choices=SEGMENTS)})
event("agenda.item_edited", data={
    "item_id": Datum("id"), "title": Datum("str", optional=True),
    "minutes": Datum("int", optional=True),
    "segment": Datum("str", optional=True, choices=SEGMENTS)}, doc="each changed field")
event("agenda.reordered", data={"ids": Datum("ids")})
event("agenda.item_removed", data={"item_id": Datum("id"), "title": Datum("str")})
event("agenda.item_started", public=True, data={
    "item_id": Datum("id"), "title": Datum("str"),
    "how": Datum("str", choices=("start", "next", "previous")),
    "previous_id": Datum("id", null=True, doc="the item stopped")})
event("agenda.finished", public=True, data={"previous_id": Datum("id", null=True)})


@command("agenda.add", events=("agenda.item_added",), result=("item_id",), roles=CHAIR, states=NOT_ENDED, schema={
    "title": Field("str", max_len=200), "minutes": _minutes,
    "segment": optional("str", choices=SEGMENTS, default="discussion")})
def add_item(ctx: Context, title: str, minutes: int, segment: str) -> Outcome:
    items = _items(ctx)
    if len(items) >= 100:
        raise DomainError("agenda.too_many")
    position = (items[-1].position + 1) if items else 1
    item = AgendaItem(meeting_id=ctx.meeting.id, position=position, title=title,
                      segment=segment, planned_seconds=minutes * 60)
    db.session.add(item)
    ctx.changed(item)
    return Outcome("agenda.item_added", {"item_id": item.id, "title": title,
                                         "minutes": minutes, "segment": segment},
                   {"item_id": item.id})


@command("agenda.edit", events=("agenda.item_edited",), roles=CHAIR, states=NOT_ENDED, schema={
    "id": Field("int", min=1), "title": optional("str", max_len=200),
    "minutes": Field("int", min=1, max=480, required=False, default=None),
    "segment": optional("str", choices=SEGMENTS)})
def edit_item(ctx: Context, id: int, title, minutes, segment) -> Outcome:
    item = _item(ctx, id)
    changed = {}
    if title is not None and title != item.title:
        item.title = changed["title"] = title
    if minutes is not None and minutes * 60 != item.planned_seconds:
        item.planned_seconds = minutes * 60
        changed["minutes"] = minutes
    if segment is not None and segment != item.segment:
        item.segment = changed["segment"] = segment
    if not changed:
        raise DomainError("command.no_change")
    ctx.changed(item)
    return Outcome("agenda.item_edited", {"item_id": id, **changed})


@command("agenda.reorder", events=("agenda.reordered",), roles=CHAIR, states=NOT_ENDED,
         schema={"ids": Field("id_list", max_len=100)})
def reorder_items(ctx: Context, ids: list[int]) -> Outcome:
    items = _items(ctx)
    if sorted(ids) != sorted(item.id for item in items):
        raise DomainError("agenda.reorder_mismatch")
    by_id = {item.id: item for item in items}
    for position, item_id in enumerate(ids, start=1):
        if by_id[item_id].position != position:
            by_id[item_id].position = position
            ctx.changed(by_id[item_id])
    return Outcome("agenda.reordered", {"ids": ids})


@command("agenda.remove", events=("agenda.item_removed",), roles=CHAIR, states=NOT_ENDED, schema={"id": Field("int", min=1)})
def remove_item(ctx: Context, id: int) -> Outcome:
    item = _item(ctx, id)
    if ctx.meeting.current_item_id == item.id:
        raise DomainError("agenda.remove_current")
    if item.started_at is not None:
        raise DomainError("agenda.remove_started")
    db.session.delete(item)
    ctx.removed("agenda", id)
    return Outcome("agenda.item_removed", {"item_id": id, "title": item.title})


@command("agenda.start", events=("agenda.item_started",), result=("item_id",), roles=CHAIR, schema={"id": Field("int", min=1)})
def start_item(ctx: Context, id: int) -> Outcome:
    item = _item(ctx, id)
    if ctx.meeting.current_item_id == item.id:
        raise DomainError("agenda.already_current")
    return _start(ctx, item, "start")


def _step(ctx: Context, step: int) -> AgendaItem | None:
    items = _items(ctx)
    if not items:
        raise DomainError("agenda.empty")
    target = neighbour({item.id: item.position for item in items},
                       ctx.meeting.current_item_id, step)
    return next((item for item in items if item.id == target), None)


@command("agenda.next", events=("agenda.item_started", "agenda.finished"), result=("item_id",), roles=CHAIR, schema={})
def next_item(ctx: Context) -> Outcome:
    if ctx.meeting.current_item_id is None and any(i.started_at for i in _items(ctx)):
        raise DomainError("agenda.already_finished")
    return _start(ctx, _step(ctx, +1), "next")


@command("agenda.previous", events=("agenda.item_started",), result=("item_id",), roles=CHAIR, schema={})
def previous_item(ctx: Context) -> Outcome:
    if ctx.meeting.current_item_id is None:
        raise DomainError("agenda.no_current")
    target = _step(ctx, -1)
    if target is None:
        raise DomainError("agenda.at_first")
    return _start(ctx, target, "previous")
