"""What `facilitator serve` writes to its log: plain lines for a person at a terminal, or
JSON lines (LOG_FORMAT=json) for a log collector.

In JSON each line is one object: `time` (ISO 8601, UTC), `level`, `logger`, `message`, the
process's `pid`, with `worker` (its number in a `--workers` group) where there is one, and
the fields a message names (`event`, `exit_code`, …); an exception adds `exc_info`.
"""
from __future__ import annotations

import logging
import os
import sys

import click

LOG_FORMATS = ("text", "json")
# A worker of a `serve --workers` group learns its number from its parent (workers.py).
WORKER_NUMBER_VARIABLE = "FACILITATOR_WORKER"

logger = logging.getLogger("facilitator.server")
_format = {"name": "text"}


class _ProcessFields(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.pid = os.getpid()
        worker = os.environ.get(WORKER_NUMBER_VARIABLE)
        if worker:
            record.worker = int(worker)
        return True


def configure(log_format: str) -> None:
    """Set the process's log format. Text leaves Python's logging as it is (warnings and
    errors on stderr); JSON sends every record from INFO up to stderr as JSON lines."""
    if log_format not in LOG_FORMATS:
        raise click.ClickException(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, "
                                   f"not {log_format!r}.")
    _format["name"] = log_format
    if log_format != "json":
        return
    from pythonjsonlogger.json import JsonFormatter
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(
        "{levelname}{name}{message}", style="{", timestamp="time",
        rename_fields={"levelname": "level", "name": "logger"}))
    handler.addFilter(_ProcessFields())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # A logging.config.fileConfig run earlier in the process (Alembic's, by default) disables
    # the loggers that existed then: ours must still be heard.
    for name, existing in logging.root.manager.loggerDict.items():
        if name.startswith("facilitator") and isinstance(existing, logging.Logger):
            existing.disabled = False


def announce(message: str, level: int = logging.INFO, **fields) -> None:
    """A line about the server's life (started, a worker ended, stopping): printed for a
    person (warnings and errors on stderr), or logged with its fields as a JSON line."""
    if _format["name"] == "json":
        logger.log(level, message, extra=fields)
    else:
        click.echo(message, err=level >= logging.WARNING)

