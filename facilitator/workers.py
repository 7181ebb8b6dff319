"""`facilitator serve --workers N`: N server processes on one port, kept running.

Each worker is a whole `facilitator serve` process that listens on the same port with
SO_REUSEPORT, so the kernel spreads new connections over them; the Redis message queue
carries every meeting's events to the phones of every worker, and the database is the
truth (docs/architecture.md §10). Because consecutive HTTP requests of one phone may reach
different workers, phones open the websocket transport at once (static/js/store.js); the
long-polling fallback needs one worker, or a balancer that keeps a phone on one worker.

This parent only watches: it starts the workers, starts again one that ends (a crash, an
out-of-memory kill), and on SIGTERM or SIGINT stops them all. It keeps the group's state
(each worker's pid and how often it was started again) in a small JSON file whose path the
workers get in FACILITATOR_GROUP_STATUS, so that any worker's /metrics can report the
restarts of the whole group (metrics.py). A worker's phones lose their
connection when it ends and reconnect to the others, catching up from their last sequence
number (docs/protocol.md §5).
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .server_log import WORKER_NUMBER_VARIABLE

GROUP_STATUS_VARIABLE = "FACILITATOR_GROUP_STATUS"

STOP_GRACE_SECONDS = 10
# A worker that ends this soon after it started, this many times in a row, will not start:
# the whole group stops with an error instead of restarting it for ever.
QUICK_END_SECONDS = 5.0
QUICK_ENDS_LIMIT = 5
WATCH_INTERVAL = 0.5


def group_refusal(workers: int, database_url: str, redis_url: str | None) -> str | None:
    """Why N workers cannot share this deployment, or None."""
    if workers < 2:
        return None
    if not redis_url:
        return (f"--workers {workers} needs REDIS_URL: the workers pass every meeting's "
                "events to each other's phones through Redis.")
    if not database_url.startswith(("postgresql", "postgres")):
        return (f"--workers {workers} needs a PostgreSQL DATABASE_URL: SQLite takes one "
                "server process.")
    return None


def this_program() -> list[str]:
    """How this process was started (the console script, `python -m facilitator`, or a
    wrapper module such as the tests' clock), so that its workers start the same way."""
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    if spec is not None and spec.name:
        return [sys.executable, "-m", spec.name.removesuffix(".__main__")]
    return [sys.executable, sys.argv[0]]


def port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on the port (the workers share it among themselves only)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        probe.close()


def read_group_status(path: str | None) -> dict[int, dict]:
    """The group's state as its parent wrote it last: worker number → pid, restarts."""
    if not path:
        return {}
    try:
        written = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return {int(number): state for number, state in written.items()}


@dataclass
class Worker:
    number: int
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_ends: int = 0
    restarts: int = 0  # how often it was started again after it ended


@dataclass
class WorkerGroup:
    """`command(number)` is one worker's command line; `say(message, **fields)` tells the
    operator (server_log.announce)."""
    command: Callable[[int], list[str]]
    count: int
    say: Callable[..., None]
    clock: Callable[[], float] = time.monotonic
    workers: list[Worker] = field(default_factory=list)
    stopping: bool = False
    failed: str | None = None
    status_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(
        prefix="facilitator-group-")))

    @property
    def status_path(self) -> Path:
        return self.status_dir / "workers.json"

    def start(self) -> None:
        self.workers = [Worker(number) for number in range(1, self.count + 1)]
        for worker in self.workers:
            self._spawn(worker)

    def _spawn(self, worker: Worker) -> None:
        environment = {**os.environ, WORKER_NUMBER_VARIABLE: str(worker.number),
                       GROUP_STATUS_VARIABLE: str(self.status_path)}
        worker.process = subprocess.Popen(self.command(worker.number), env=environment)
        worker.started_at = self.clock()
        self._write_status()
        self.say(f"worker {worker.number} started (pid {worker.process.pid})",
                 event="worker_started", worker=worker.number, worker_pid=worker.process.pid,
                 restarts=worker.restarts)

    def _write_status(self) -> None:
        status = {worker.number: {"pid": worker.process.pid, "restarts": worker.restarts}
                  for worker in self.workers if worker.process is not None}
        partial = self.status_path.with_suffix(".partial")
        partial.write_text(json.dumps(status))
        partial.replace(self.status_path)  # a worker never reads half a file

    def check(self) -> None:
        """Start again every worker that has ended (unless stopping)."""
        for worker in self.workers:
            code = worker.process.poll()
            if code is None or self.stopping:
                continue
            lived = self.clock() - worker.started_at
            worker.quick_ends = worker.quick_ends + 1 if lived < QUICK_END_SECONDS else 0
            self.say(f"worker {worker.number} (pid {worker.process.pid}) ended with code "
                     f"{code} after {lived:.1f} s", level=logging.WARNING, event="worker_ended",
                     worker=worker.number, worker_pid=worker.process.pid, exit_code=code,
                     lived_seconds=round(lived, 1))
            if worker.quick_ends >= QUICK_ENDS_LIMIT:
                self.failed = (f"worker {worker.number} ended {worker.quick_ends} times within "
                               f"{QUICK_END_SECONDS:g} s of starting: stopping the group")
                self.say(self.failed, level=logging.ERROR, event="group_failed",
                         worker=worker.number)
                self.stop()
                return
            worker.restarts += 1
            self._spawn(worker)

    def stop(self) -> None:
        """Ask every worker to end (SIGTERM), then end those still running after the grace."""
        if self.stopping:
            return
        self.stopping = True
        running = [w.process for w in self.workers if w.process.poll() is None]
        self.say(f"stopping {len(running)} workers", event="group_stopping",
                 workers=len(running))
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = self.clock() + STOP_GRACE_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.say("all workers stopped", event="group_stopped")

    def run(self) -> int:
        """Start, watch until told to stop; the exit status."""
        told: list[int] = []
        # The handler only notes the signal: it may run inside the green threads' hub,
        # where waiting for the workers is not allowed.
        signal.signal(signal.SIGTERM, lambda signum, _frame: told.append(signum))
        signal.signal(signal.SIGINT, lambda signum, _frame: told.append(signum))
        self.start()
        try:
            while not self.stopping:
                time.sleep(WATCH_INTERVAL)
                if told:
                    self.stop()
                else:
                    self.check()
        finally:
            shutil.rmtree(self.status_dir, ignore_errors=True)
        return 1 if self.failed else 0
