"""Fixtures shared by the integration tests."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event

from facilitator.demo_played import load_played_demo
from facilitator.extensions import db
from facilitator.models import Meeting


@pytest.fixture
def played(ctx):
    """The demo meeting held, ended and its minutes final (version 1)."""
    return db.session.get(Meeting, load_played_demo()["meeting_id"])


class StatementRecorder:
    """The SQL statements sent while `recording`: by every thread, or by the one recording.

    One listener per engine for the whole run: a listener removed while a background task
    (the tallies' flush, say) runs a statement breaks that task's loop over the listeners."""

    def __init__(self):
        self.statements: list[tuple[int, str]] | None = None
        self.slow: tuple[str, float] | None = None

    def __call__(self, _connection, _cursor, statement, *_args):
        if self.statements is not None:
            self.statements.append((threading.get_ident(), statement))
            if self.slow is not None and self.slow[0] in statement:
                time.sleep(self.slow[1])

    @contextmanager
    def recording(self, this_thread_only: bool = True, slow: tuple[str, float] | None = None):
        """Yields the list of statements, filled when the block ends. `slow`: (a piece of
        SQL, seconds): each statement holding it waits that long first (a busy database)."""
        self.statements, self.slow, me, seen = [], slow, threading.get_ident(), []
        try:
            yield seen
        finally:
            seen += [statement for thread, statement in self.statements
                     if not this_thread_only or thread == me]
            self.statements = self.slow = None


_recorders: dict = {}


@pytest.fixture
def sql_statements(app) -> StatementRecorder:
    with app.app_context():
        engine = db.engine
    if engine not in _recorders:
        _recorders[engine] = StatementRecorder()
        sa_event.listen(engine, "before_cursor_execute", _recorders[engine])
    return _recorders[engine]
