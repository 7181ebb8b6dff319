"""`facilitator serve --workers N`: N server processes on one port, kept running.

Each worker is a whole `facilitator serve` process that listens on the same port with
SO_REUSEPORT, so the kernel spreads new connections over them; the Redis message queue
carries every meeting's events to the phones of every worker, and the database is the
truth (docs/architecture.md §10). Because consecutive HTTP requests of one phone may reach
different workers, phones open the websocket transport at once (static/js/store.js); the
long-polling fallback needs one worker, or a balancer that keeps a phone on one worker.

This parent only watches: it starts the workers, starts again one that ends (a crash, an
out-of-memory kill), and on SIGTERM or SIGINT stops them all. A worker's phones lose their
connection when it ends and reconnect to the others, catching up from their last sequence
number (docs/protocol.md §5).
"""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

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


@dataclass
class Worker:
    number: int
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_ends: int = 0


@dataclass
class WorkerGroup:
    """`command(number)` is one worker's command line."""
    command: Callable[[int], list[str]]
    count: int
    say: Callable[[str], None]
    clock: Callable[[], float] = time.monotonic
    workers: list[Worker] = field(default_factory=list)
    stopping: bool = False
    failed: str | None = None

    def start(self) -> None:
        self.workers = [Worker(number) for number in range(1, self.count + 1)]
        for worker in self.workers:
            self._spawn(worker)

    def _spawn(self, worker: Worker) -> None:
        worker.process = subprocess.Popen(self.command(worker.number))
        worker.started_at = self.clock()
        self.say(f"worker {worker.number} started (pid {worker.process.pid})")

    def check(self) -> None:
        """Start again every worker that has ended (unless stopping)."""
        for worker in self.workers:
            code = worker.process.poll()
            if code is None or self.stopping:
                continue
            lived = self.clock() - worker.started_at
            worker.quick_ends = worker.quick_ends + 1 if lived < QUICK_END_SECONDS else 0
            self.say(f"worker {worker.number} (pid {worker.process.pid}) ended with code "
                     f"{code} after {lived:.1f} s")
            if worker.quick_ends >= QUICK_ENDS_LIMIT:
                self.failed = (f"worker {worker.number} ended {worker.quick_ends} times within "
                               f"{QUICK_END_SECONDS:g} s of starting: stopping the group")
                self.say(self.failed)
                self.stop()
                return
            self._spawn(worker)

    def stop(self) -> None:
        """Ask every worker to end (SIGTERM), then end those still running after the grace."""
        if self.stopping:
            return
        self.stopping = True
        running = [w.process for w in self.workers if w.process.poll() is None]
        self.say(f"stopping {len(running)} workers")
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = self.clock() + STOP_GRACE_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.say("all workers stopped")

    def run(self) -> int:
        """Start, watch until told to stop; the exit status."""
        told: list[int] = []
        # The handler only notes the signal: it may run inside the green threads' hub,
        # where waiting for the workers is not allowed.
        signal.signal(signal.SIGTERM, lambda signum, _frame: told.append(signum))
        signal.signal(signal.SIGINT, lambda signum, _frame: told.append(signum))
        self.start()
        while not self.stopping:
            time.sleep(WATCH_INTERVAL)
            if told:
                self.stop()
            else:
                self.check()
        return 1 if self.failed else 0
