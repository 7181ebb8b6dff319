"""`facilitator serve`'s log: plain lines for a person, JSON lines for a collector."""
from __future__ import annotations

import json
import logging

import click
import pytest

from facilitator import server_log


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    server_log.configure("text")


def test_a_json_log_is_one_object_per_line_with_the_process_and_its_fields(
        restore_logging, capsys, monkeypatch):
    monkeypatch.setenv(server_log.WORKER_NUMBER_VARIABLE, "3")
    server_log.configure("json")
    server_log.announce("worker 3 started (pid 77)", event="worker_started", worker_pid=77)
    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        logging.getLogger("facilitator.test_server_log").exception("after-commit task failed")
    first, second = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert first["message"] == "worker 3 started (pid 77)"
    assert (first["level"], first["logger"], first["event"], first["worker_pid"],
            first["worker"]) == ("INFO", "facilitator.server", "worker_started", 77, 3)
    assert isinstance(first["pid"], int) and first["time"].endswith("+00:00")
    assert second["level"] == "ERROR"
    assert "RuntimeError: the database went away" in second["exc_info"]


def test_text_is_printed_for_a_person_and_warnings_go_to_stderr(restore_logging, capsys):
    server_log.configure("text")
    server_log.announce("facilitator serving on http://0.0.0.0:5000 (eventlet)",
                        event="serving")
    server_log.announce("warning: phones cannot reach this server", level=logging.WARNING)
    printed = capsys.readouterr()
    assert printed.out == "facilitator serving on http://0.0.0.0:5000 (eventlet)\n"
    assert printed.err == "warning: phones cannot reach this server\n"


@pytest.mark.parametrize("unknown", ["JSON", "xml", ""])
def test_an_unknown_format_is_refused_with_the_choices(unknown, restore_logging):
    with pytest.raises(click.ClickException, match="LOG_FORMAT must be one of text, json"):
        server_log.configure(unknown)
