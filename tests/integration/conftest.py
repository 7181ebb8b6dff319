"""Fixtures shared by the integration tests."""
from __future__ import annotations

import pytest

from facilitator.demo_played import load_played_demo
from facilitator.extensions import db
from facilitator.models import Meeting


@pytest.fixture
def played(ctx):
    """The demo meeting held, ended and its minutes final (version 1)."""
    return db.session.get(Meeting, load_played_demo()["meeting_id"])
