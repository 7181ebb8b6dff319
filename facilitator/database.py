"""Engine settings and the migration check."""
from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseNotMigrated(RuntimeError):
    pass


def configure_engine(engine) -> None:
    """SQLite: WAL (readers never block the writer), a busy timeout, foreign keys on."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_facilitator_configured", False):
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    engine._facilitator_configured = True
    engine.dispose()  # connections opened before the listener get the pragmas too


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
