"""A pooled PostgreSQL connection the database dropped (a restart, a failover, an idle
timeout) is replaced before use when it rested in the pool; one used a moment ago is handed
out untried, and the statement that finds it dead makes the pool replace it
(database.try_connections_that_rested)."""
from __future__ import annotations

import psycopg
import pytest
import sqlalchemy
from sqlalchemy import create_engine, text

from facilitator import database

from tests.conftest import POSTGRES_URL
from tests.support import postgres_up, require_service


@pytest.fixture
def engine():
    require_service(postgres_up(POSTGRES_URL), f"PostgreSQL is not reachable at {POSTGRES_URL}")
    engine = create_engine(POSTGRES_URL, pool_size=1, max_overflow=0)
    database.configure_engine(engine)
    yield engine
    engine.dispose()


def backend_of(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def drop_on_the_server(pid: int) -> None:
    with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def test_a_rested_connection_the_database_dropped_is_replaced_before_use(engine, monkeypatch):
    monkeypatch.setattr(database, "TRY_AFTER_RESTING_SECONDS", 0.0)  # every one rested
    dropped = backend_of(engine)
    drop_on_the_server(dropped)
    assert backend_of(engine) != dropped  # no error: the pool opened another
    # The try leaves no transaction open: reads on their own (database.read_committed_now)
    # can still switch the connection to autocommit.
    with engine.connect().execution_options(**database.AUTOCOMMIT) as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1


def test_a_connection_used_a_moment_ago_is_not_tried_and_a_dead_one_is_replaced_after(
        engine, monkeypatch):
    monkeypatch.setattr(database, "TRY_AFTER_RESTING_SECONDS", 3600.0)
    dropped = backend_of(engine)
    drop_on_the_server(dropped)
    with pytest.raises(sqlalchemy.exc.OperationalError) as failure:
        backend_of(engine)
    assert failure.value.connection_invalidated
    assert backend_of(engine) != dropped
