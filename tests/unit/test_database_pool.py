"""Each server process's PostgreSQL connections are bounded by its pool settings, and a
group of workers is refused when their pools together exceed what the server takes."""
from __future__ import annotations

import pytest

from facilitator.config import from_environment
from facilitator.database import connection_refusal, connections_per_process, pool_options

POSTGRES = "postgresql+psycopg://app@db/facilitator"


def _config(**settings) -> dict:
    return {**from_environment(), "SQLALCHEMY_DATABASE_URI": POSTGRES, **settings}


def test_the_pool_settings_reach_sqlalchemy_for_postgresql():
    options = pool_options(_config(DATABASE_POOL_SIZE=2, DATABASE_MAX_OVERFLOW=1,
                                   DATABASE_POOL_TIMEOUT=4.0))
    assert options == {"pool_size": 2, "max_overflow": 1, "pool_timeout": 4.0}


def test_sqlite_keeps_its_own_pool():
    assert pool_options(_config(SQLALCHEMY_DATABASE_URI="sqlite:///x.db")) == {}


@pytest.mark.parametrize("size,overflow", [(0, 10), (-1, 0), (5, -1)])
def test_a_pool_that_would_be_unbounded_or_negative_is_refused(size, overflow):
    # SQLAlchemy reads a pool size of 0 as "no limit".
    with pytest.raises(ValueError, match="DATABASE_POOL_SIZE"):
        pool_options(_config(DATABASE_POOL_SIZE=size, DATABASE_MAX_OVERFLOW=overflow))


def test_the_defaults_leave_room_for_five_workers_on_a_default_postgresql():
    per_process = connections_per_process(_config())
    assert per_process == 15 + 0 + 1
    assert connection_refusal(5, per_process, max_connections=100, reserved=3,
                              in_use=5) is None
    refusal = connection_refusal(6, per_process, max_connections=100, reserved=3, in_use=5)
    assert refusal.startswith("6 workers may open 96 PostgreSQL connections (16 each")
    assert "the server has 92 free (max_connections 100, 3 reserved for superusers, 5 in use" \
        in refusal


def test_a_server_process_opens_its_engine_with_those_settings():
    from facilitator import create_app
    from facilitator.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": POSTGRES, "REQUIRE_MIGRATED_DATABASE": False,
                      "DATABASE_POOL_SIZE": 3, "DATABASE_MAX_OVERFLOW": 2})
    with app.app_context():
        assert (db.engine.pool.size(), db.engine.pool._max_overflow) == (3, 2)
