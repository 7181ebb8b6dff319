"""Sign-in throttling, per account and per client address, counted in the database.

Every try is counted *before* its password is checked, under a lock on its row (PostgreSQL:
SELECT … FOR UPDATE; SQLite: the write lock the first INSERT takes), so tries made at the
same moment in any number of server processes cannot check more passwords than the budget.
A try refused by the throttle checks no password and costs nothing.

* An account ("account:<name as typed>", whether it exists or not, so a refusal tells
  nothing) may fail SIGN_IN_FREE_FAILURES times in a row (default 5). The try that reaches
  that count locks it for SIGN_IN_FIRST_DELAY_SECONDS (60), each further failure doubles the
  lock (120, 240, …) up to SIGN_IN_MAX_DELAY_SECONDS (3600). A success starts it again.
* A client address ("address:<IPv4>" or "address:<IPv6 /64>": one machine holds a whole
  /64) the same with SIGN_IN_ADDRESS_FREE_FAILURES (20): someone trying one password on many
  names. A success does not clear it (an attacker with one account of their own could),
  it only gives its own try back.
* A count with no try for FORGET (24 hours) and no lock starts again from nothing: a typo a
  week does not add up to a lock.
"""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .clock import utcnow
from .extensions import db
from .models import SignInEvent, SignInThrottle

FORGET = timedelta(hours=24)
# The sign-in log keeps this long (it names people and their addresses).
LOG_KEPT = timedelta(days=90)

_table = SignInThrottle.__table__


@dataclass(frozen=True)
class Policy:
    free: int
    first_delay: int
    max_delay: int

    def delay(self, failures: int) -> int:
        """Seconds locked after this many failures in a row."""
        if failures < self.free:
            return 0
        return min(self.max_delay, self.first_delay * 2 ** min(failures - self.free, 32))


class Throttled(Exception):
    """Too many failures: no password was checked. `until` is naive UTC."""

    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until

    def seconds_left(self, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds()))


def _policies(config) -> tuple[Policy, Policy]:
    first, most = config["SIGN_IN_FIRST_DELAY_SECONDS"], config["SIGN_IN_MAX_DELAY_SECONDS"]
    return (Policy(config["SIGN_IN_FREE_FAILURES"], first, most),
            Policy(config["SIGN_IN_ADDRESS_FREE_FAILURES"], first, most))


def account_key(username: str) -> str:
    return "account:" + username[:64]


def address_key(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "address:" + address[:64]
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 6:
        return "address:" + str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return "address:" + str(ip)


def _insert_missing(dialect: str):
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    return insert(_table).values(key=bindparam("key"), failures=0, locked_until=None,
                                 last_try_at=bindparam("now")
                                 ).on_conflict_do_nothing(index_elements=["key"])


def _take(connection, key: str, policy: Policy, now: datetime) -> None:
    """Count one try against `key`, or raise Throttled while it is locked."""
    connection.execute(_insert_missing(connection.dialect.name), {"key": key, "now": now})
    row = connection.execute(select(_table).where(_table.c.key == key).with_for_update()).one()
    if row.locked_until is not None and row.locked_until > now:
        raise Throttled(row.locked_until)
    failures = 1 if row.last_try_at < now - FORGET else row.failures + 1
    delay = policy.delay(failures)
    # The lock this try earns if it fails is set now, before the password is checked, so
    # no try that starts meanwhile gets past the budget; a success lifts it (succeeded()).
    connection.execute(update(_table).where(_table.c.key == key).values(
        failures=failures, last_try_at=now,
        locked_until=now + timedelta(seconds=delay) if delay else None))


def take_try(config, username: str, address: str | None) -> None:
    """Count a sign-in try (its password not yet checked) against the account and, when
    given, the address; raise Throttled (nothing counted) when either is locked."""
    from .actions.core import write_transaction
    account, by_address = _policies(config)
    now = utcnow()
    with write_transaction() as connection:
        connection.execute(delete(_table).where(
            _table.c.last_try_at < now - FORGET,
            (_table.c.locked_until.is_(None)) | (_table.c.locked_until <= now)))
        if address is not None:
            _take(connection, address_key(address), by_address, now)
        _take(connection, account_key(username), account, now)
        db.session.commit()


def finish(username: str, address: str | None, user_id: int | None, success: bool) -> None:
    """After the password was checked: a success clears the account's count and gives the
    address its try back; the sign-in log gets the try when an address is given (a sign-in,
    not another check of a password)."""
    from .actions.core import write_transaction
    now = utcnow()
    with write_transaction() as connection:
        if success:
            # Address, then account: the order take_try locks them in (PostgreSQL would
            # otherwise let the two deadlock).
            if address is not None:
                connection.execute(update(_table).where(
                    _table.c.key == address_key(address)).values(
                    failures=case((_table.c.failures > 0, _table.c.failures - 1), else_=0),
                    locked_until=None))
            connection.execute(update(_table).where(_table.c.key == account_key(username))
                               .values(failures=0, locked_until=None))
        if address is not None:
            connection.execute(delete(SignInEvent.__table__).where(
                SignInEvent.__table__.c.at < now - LOG_KEPT))
            connection.execute(SignInEvent.__table__.insert().values(
                at=now, username=username[:64], user_id=user_id, address=address[:64],
                success=success))
        db.session.commit()


def active_locks(now: datetime) -> list[SignInThrottle]:
    return list(db.session.execute(db.select(SignInThrottle).where(
        SignInThrottle.locked_until > now).order_by(SignInThrottle.locked_until.desc())
    ).scalars())
