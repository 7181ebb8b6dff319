"""Test setup shared by every layer.

The database: SQLite in a temporary file by default; PostgreSQL when
FACILITATOR_TEST_DATABASE=postgresql (127.0.0.1:5432, database `test`, or under
pytest-xdist one beside it for each worker). A missing
PostgreSQL skips those runs with the reason, except under CI=true, where it fails.
The schema is built by the real Alembic migrations once per run; each test starts empty.
The clock: the whole session runs at TEST_NOW (tests/frozen_time.py), never the real time.
Property tests (hypothesis): seeded, bounded by their examples, no deadline.
"""
from __future__ import annotations

import os

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings

from facilitator import create_app
from facilitator.extensions import db, socketio

from tests.frozen_time import TEST_NOW
from tests.support import postgres_up, require_service

POSTGRES_URL = os.environ.get("FACILITATOR_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# Property tests are bounded and seeded: the same examples on every run (a failure is
# reproduced by running again), and no time limit per example, which a loaded machine
# (two pytest workers, a server, a browser on two cores) would break now and then.
hypothesis_settings.register_profile("suite", derandomize=True, deadline=None, database=None)
hypothesis_settings.load_profile("suite")


# Tests that must not run beside each other under pytest-xdist (`-n 2`, with pyproject's
# `--dist loadgroup`) each run in one group, one after another on one worker: those of the
# shared Redis, since the Socket.IO channel of their servers is the same in every Redis
# database and two at once would hear each other's meetings; and the browser tests, which
# share one demo server and one folder of screenshots and logs.
SERIAL_GROUPS = ("redis", "browser")
# A test of a serial group that pytest-xdist failed to keep on one worker.
UNGROUPED = pytest.StashKey[str]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(config, items):
    grouped = {}
    for item in items:
        group = next((g for g in SERIAL_GROUPS if item.get_closest_marker(g)), None)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
            grouped[item] = group
    yield  # pytest-xdist's hook: under --dist loadgroup, a worker appends @group to node ids
    # The scheduler sees only those node ids: where the renaming does not take (pytest-xdist
    # issue 1386) a group would be spread over the workers without a word.
    if getattr(config.option, "loadgroup", False):
        for item, group in grouped.items():
            if not item.nodeid.endswith("@" + group):
                item.stash[UNGROUPED] = group


def pytest_runtest_setup(item):
    if UNGROUPED in item.stash:
        pytest.fail(f"pytest-xdist did not keep the {item.stash[UNGROUPED]} tests on one worker "
                    "(pyproject's pytest pin): they would run beside each other", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def frozen_clock():
    """The wall clock moved to TEST_NOW for the whole session, ticking from there."""
    with time_machine.travel(TEST_NOW, tick=True):
        yield


def _postgres_database_of_this_worker() -> str:
    """The run's database; under pytest-xdist, one per worker (`test_gw0`, ...), created when
    missing, since each worker empties its database's schema and tables as it goes."""
    import psycopg
    from sqlalchemy.engine import make_url
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return POSTGRES_URL
    url = make_url(POSTGRES_URL)
    name = f"{url.database}_{worker}"
    with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def _test_database_url(tmp_path_factory) -> str:
    if os.environ.get("FACILITATOR_TEST_DATABASE") == "postgresql":
        require_service(postgres_up(POSTGRES_URL),
                        f"PostgreSQL is not reachable at {POSTGRES_URL}")
        import psycopg
        url = _postgres_database_of_this_worker()
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _test_database_url(tmp_path_factory)
    os.environ.setdefault("FACILITATOR_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    settings = {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "ASYNC_MODE": "threading",
                "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-secret",
                "REQUIRE_MIGRATED_DATABASE": False,
                # Every event leaves at once, so a test sees it right after the command;
                # the coalescing itself is tested on its own (test_broadcast.py).
                "LIVE_BATCH_INTERVAL_MS": 0,
                # Every event a command writes is checked against its declaration.
                "CHECK_CONTRACT": True}
    application = create_app(settings)
    with application.app_context():
        from flask_migrate import upgrade
        upgrade(directory=application.extensions["migrate"].directory)
    return application


def _empty_all_tables() -> None:
    from facilitator.models import Meeting
    db.session.rollback()
    db.session.execute(db.update(Meeting).values(current_item_id=None, current_speech_id=None))
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def logs_whole_entities(monkeypatch):
    """Every change this code logs holds its entity whole: a snapshot folded from the log
    never has to read an entity from its row, as it does for logs of older code
    (live/snapshot.py). The test of such logs puts the real reading back."""
    def refuse(state, part, entity_id, current):
        raise AssertionError(f"{part} {entity_id} was logged without all its fields")
    monkeypatch.setattr("facilitator.live.snapshot._read_older_shape", refuse)


@pytest.fixture(autouse=True)
def clean_state(request):
    """Each test starts with empty tables and no cached snapshots, connections, live join
    codes or counts of tries."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    from facilitator import joining
    from facilitator.live import namespace, snapshot
    with application.app_context():
        _empty_all_tables()
    snapshot.forget_all()
    namespace.connections.clear()
    namespace.phone_sockets.clear()
    application.extensions.pop(joining.RECENT_READS, None)
    application.extensions.pop("join_limiter", None)  # its settings and owed tries
    application.config["WTF_CSRF_ENABLED"] = False
    yield
    with application.app_context():
        db.session.rollback()


@pytest.fixture
def ctx(app):
    """An app context for tests that call actions and models directly."""
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sio():
    return socketio
