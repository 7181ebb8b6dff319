from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC: SQLite keeps no time zone, so every stored datetime is UTC by convention."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_epoch_ms(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


def now_ms() -> int:
    return to_epoch_ms(utcnow())
