"""Engine settings and the migration check."""
from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Callable

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError, OperationalError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseNotMigrated(RuntimeError):
    pass


# How long a statement waits for another connection's lock before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 5000

# Besides its pool, a server process may start a roster import (roster_worker.py), a
# process of its own with one connection.
CONNECTIONS_BESIDE_THE_POOL = 1


def pool_options(config: dict) -> dict:
    """SQLAlchemy's pool settings for a PostgreSQL database (SQLite keeps its own)."""
    if config["DATABASE_POOL_SIZE"] < 1 or config["DATABASE_MAX_OVERFLOW"] < 0:
        raise ValueError("DATABASE_POOL_SIZE must be at least 1 and DATABASE_MAX_OVERFLOW "
                         "at least 0")
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return {}
    # No pre_ping: it tries every connection on every checkout, a round trip per checkout;
    # configure_engine tries only those that rested (try_connections_that_rested).
    return {"pool_size": config["DATABASE_POOL_SIZE"],
            "max_overflow": config["DATABASE_MAX_OVERFLOW"],
            "pool_timeout": config["DATABASE_POOL_TIMEOUT"]}


def connections_per_process(config: dict) -> int:
    """The most PostgreSQL connections one server process opens."""
    return (config["DATABASE_POOL_SIZE"] + config["DATABASE_MAX_OVERFLOW"]
            + CONNECTIONS_BESIDE_THE_POOL)


def connection_refusal(processes: int, per_process: int, max_connections: int,
                       reserved: int, in_use: int) -> str | None:
    """Why `processes` server processes would run out of PostgreSQL connections, or None.
    `in_use`: connections other clients hold now (this check's own excluded)."""
    available = max_connections - reserved - in_use
    needed = processes * per_process
    if needed <= available:
        return None
    return (f"{processes} workers may open {needed} PostgreSQL connections ({per_process} "
            f"each: DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW + 1 for a roster import), "
            f"but the server has {available} free (max_connections {max_connections}, "
            f"{reserved} reserved for superusers, {in_use} in use by others). Lower the "
            f"pool settings or the workers, or raise max_connections.")


def postgres_connection_room(engine) -> tuple[int, int, int]:
    """(max_connections, superuser_reserved_connections, connections other clients hold)."""
    with engine.connect() as connection:
        max_connections = int(connection.exec_driver_sql("SHOW max_connections").scalar())
        reserved = int(connection.exec_driver_sql(
            "SHOW superuser_reserved_connections").scalar())
        in_use = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND pid <> pg_backend_pid()").scalar()
    return max_connections, reserved, int(in_use)


# A pooled PostgreSQL connection that rested longer than this is tried before it is used.
TRY_AFTER_RESTING_SECONDS = 1.0
RESTED_SINCE = "facilitator_rested_since"  # in the pool's record of each connection


def try_connections_that_rested(engine) -> None:
    """A connection the pool hands out after resting more than TRY_AFTER_RESTING_SECONDS is
    tried first (the dialect's ping, SELECT 1); a dead one (the database restarted, a
    failover, an idle timeout) is replaced before a command uses it: SQLAlchemy's pool takes
    another on DisconnectionError. A connection back in the pool for less than that is
    handed out as it is. A busy server reuses its connections within milliseconds, so trying each at every
    checkout (pre_ping) cost a round trip per checkout, several per phone joining, for a
    failure that shows anyway: a statement that finds its connection dead makes SQLAlchemy
    replace every connection of the pool opened before it."""
    @event.listens_for(engine, "connect")
    def _opened(_dbapi_connection, record):
        record.info[RESTED_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):
        record.info[RESTED_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _tried(dbapi_connection, record, _proxy):
        rested_since = record.info.get(RESTED_SINCE)
        if rested_since is not None \
                and time.monotonic() - rested_since <= TRY_AFTER_RESTING_SECONDS:
            return
        try:
            # The dialect's own ping (pre_ping's), which leaves no transaction open.
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: the pool replaces the connection
            raise DisconnectionError(str(error)) from error


def configure_engine(engine) -> None:
    """PostgreSQL: connections that rested are tried before use (try_connections_that_rested).
    SQLite: WAL (readers never block the writer), a busy timeout, foreign keys on, and
    deleted content overwritten with zeros (secure_delete; some builds do it by default,
    not all): a closed secret vote's sealed ballots leave nothing in the file's free space."""
    if getattr(engine, "_facilitator_configured", False):
        return
    if engine.dialect.name == "postgresql":
        try_connections_that_rested(engine)
        engine._facilitator_configured = True
        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    engine._facilitator_configured = True
    engine.dispose()  # connections opened before the listener get the pragmas too


# Statements each on their own, as the database commits them (no transaction around them).
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


def read_committed_now():
    """The session's connection for reads of what is committed now, each statement on its own.

    PostgreSQL's READ COMMITTED gives each statement of a transaction a view of its own
    anyway; without the transaction, reading skips the BEGIN and ROLLBACK round trips, two
    of the six of a sync answer, which every phone of a room joining at once asks for. The
    session's next rollback returns the connection, as it was, to the pool."""
    from .extensions import db
    db.session.rollback()
    return db.session.connection(execution_options=AUTOCOMMIT)


WRITE_LOCK_PAUSE_SECONDS = 0.002
WRITE_LOCK_TRIES = SQLITE_BUSY_TIMEOUT_MS // 2


def begin_sqlite_write(connection, pause: Callable[[float], None]) -> None:
    """Begin a transaction that holds SQLite's write lock from its first statement.

    While another process writes (the roster import's worker, a command-line task), SQLite's
    own busy wait would sleep inside the driver, up to 100 ms a try, and with it every green
    thread of the server: every meeting's fan-out would stop. Instead each try fails at once
    and the pause between tries lets the others run; after about SQLITE_BUSY_TIMEOUT_MS of
    tries the caller gets "database is locked", as with SQLite's wait."""
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        for attempt in range(WRITE_LOCK_TRIES):
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                busy = getattr(error.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
                if not busy or attempt == WRITE_LOCK_TRIES - 1:
                    raise
            pause(WRITE_LOCK_PAUSE_SECONDS)
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


SCRUB_ATTEMPTS = 20
SCRUB_PAUSE_SECONDS = 0.25


def scrub_secret_ballots() -> bool:
    """Clear the database's own leftovers of a secret vote's ballots once it has closed
    (actions/votes.py): the deleted sealed ballots, each written beside a participation.

    SQLite: the write-ahead log (one page image per commit) is copied into the database file
    and truncated to nothing; it must wait for readers of older snapshots, so it is retried
    with pauses that let other greenlets finish (never SQLite's own blocking wait, which
    would stall a server running on one thread). PostgreSQL: the tables are rewritten
    without their dead row versions (VACUUM FULL: the sealed ballots of open votes and a
    few tally rows per closed vote, so the lock is brief).
    What stays out of reach (PostgreSQL's WAL archive, disk blocks) is in docs/security.md.
    Returns whether the scrub completed; a failure is logged, the vote is not affected."""
    from .extensions import db
    log = logging.getLogger(__name__)
    if db.engine.dialect.name == "sqlite":
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("PRAGMA busy_timeout=0")
            try:
                for _attempt in range(SCRUB_ATTEMPTS):
                    busy, _log_pages, _moved = cursor.execute(
                        "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                    if not busy:
                        return True
                    time.sleep(SCRUB_PAUSE_SECONDS)
            finally:
                cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                cursor.close()
        finally:
            connection.close()
        log.warning("secret ballots: the write-ahead log stayed in use; not truncated")
        return False
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            try:
                connection.exec_driver_sql("SET lock_timeout = '5s'")
                connection.exec_driver_sql("VACUUM FULL sealed_ballots, secret_tallies")
                return True
            except Exception:  # noqa: BLE001 - logged; retried at the next close
                log.exception("secret ballots: VACUUM FULL failed")
                return False
    return False


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_migrated(app) -> None:
    from .extensions import db
    current, head = current_revision(db.engine), head_revision()
    if current != head:
        raise DatabaseNotMigrated(
            f"The database at {db.engine.url.render_as_string(hide_password=True)} is not "
            f"migrated (it is at {current or 'no revision'}, the code needs {head}). "
            "Run `facilitator db upgrade` first (`facilitator demo` migrates by itself).")
