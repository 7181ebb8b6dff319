"""Helpers for the tests of `facilitator serve --workers N` (issue 17): a fresh PostgreSQL
database with the demo, the group of workers running, phones and a console over the
websocket, a Redis server of a test's own (which it may stop or pause), which worker holds
which connection, the event log as the database has it, and a meeting's snapshot built from
the rows. Used by tests/integration/test_workers.py and test_failover.py."""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
import socketio

from tests import frozen_time
from tests.support import (FACILITATOR_COMMAND, REPO_ROOT, free_port, postgres_up, redis_up,
                           require_service, run_facilitator, service_env)

POSTGRES = os.environ.get("FACILITATOR_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("FACILITATOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
MEETING_ID = 1  # the demo's meeting, in a database of its own


@contextlib.contextmanager
def demo_deployment(tmp_path: Path, redis_url: str | None = None):
    """A fresh PostgreSQL database with the demo, and the environment of its servers (the
    shared Redis unless `redis_url` names a test's own)."""
    if redis_url is None:
        require_service(redis_up(), "Redis is not reachable at 127.0.0.1:6379")
    require_service(postgres_up(POSTGRES), f"PostgreSQL is not reachable at {POSTGRES}")
    import psycopg
    from sqlalchemy.engine import make_url
    name = f"workers_{uuid.uuid4().hex[:12]}"
    admin = POSTGRES.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "FACILITATOR_INSTANCE": str(tmp_path),
           "REDIS_URL": redis_url or REDIS_URL,
           "DATABASE_URL": make_url(POSTGRES).set(database=name).render_as_string(
               hide_password=False),
           "SECRET_KEY": "workers-" + "0" * 32, "JOIN_ADDRESS_LIMIT": "100000",
           "PYTHONUNBUFFERED": "1"}
    env.pop("ASYNC_MODE", None)
    demo = run_facilitator("demo", env=env, timeout=180)
    assert demo.returncode == 0, demo.stderr
    env["JOIN_CODE"] = re.search(r"Join code: (\d{6})", demo.stdout).group(1)
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Group:
    """`facilitator serve --workers N` running, its output in a file."""

    def __init__(self, env: dict, workers: int, tmp: Path, worker_ports: list[int] = ()):
        """`worker_ports`: each worker's port of its own (consecutive), if any."""
        self.env = env
        self.port = free_port()
        self.log_path = tmp / "group.log"
        self.log = open(self.log_path, "w")
        own = ["--worker-ports", str(worker_ports[0])] if worker_ports else []
        self.process = subprocess.Popen(
            [*FACILITATOR_COMMAND, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), *own], env=frozen_time.subprocess_env(env),
            cwd=REPO_ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        self.wait_for(lambda: len(self.pids()) >= workers, "the workers to start")
        self.wait_for(self._answers, "the port to answer")

    def output(self) -> str:
        return self.log_path.read_text()

    def pids(self) -> dict[int, int]:
        """The newest pid of each worker number."""
        return {int(n): int(pid) for n, pid in
                re.findall(r"worker (\d+) started \(pid (\d+)\)", self.output())}

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def wait_for(self, condition, what: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert self.process.poll() is None, f"the group ended:\n{self.output()}"
            assert time.monotonic() < deadline, f"waited for {what}:\n{self.output()}"
            time.sleep(0.1)

    def serving(self) -> set[int]:
        """The workers (numbers) whose newest process listens on the group's port."""
        return set(self._sockets_of_workers(listening=True).values())

    def worker_of_ports(self) -> dict[int, int]:
        """Which worker (its number) holds the connection from each client port: read from
        /proc, the sockets each worker has open on the group's port."""
        return self._sockets_of_workers(listening=False)

    def _sockets_of_workers(self, listening: bool) -> dict[int, int]:
        """client port → worker number of the connections on the group's port, or with
        `listening`, listening socket inode → worker number."""
        sockets = {}  # inode → the client's port (or the inode itself, listening)
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with contextlib.suppress(OSError), open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
                    if int(local.rsplit(":", 1)[1], 16) != self.port:
                        continue
                    if listening and state == "0A":
                        sockets[inode] = inode
                    elif not listening and state == "01":
                        sockets[inode] = int(remote.rsplit(":", 1)[1], 16)
        owners = {}
        for number, pid in self.pids().items():
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        target = os.readlink(f"/proc/{pid}/fd/{fd}")
                        inode = target[len("socket:["):-1] if target.startswith("socket:[") \
                            else None
                        if inode in sockets:
                            owners[sockets[inode]] = number
        return owners

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code


# Reconnect without a pause between tries: a timed pause is a timed wait on a condition,
# which libfaketime (CI's runs on a shifted clock) stretches out of all proportion.
RECONNECT_AT_ONCE = {"reconnection": True, "reconnection_delay": 0,
                     "randomization_factor": 0}


class Phone:
    """A phone over the websocket, reconnecting by itself as the page does."""

    def __init__(self, group: Group, number: int):
        self.batches: list[dict] = []
        self.seen_to = 0  # the newest seq it holds: from batches and its catch-ups
        self.told_restarting = 0
        self.client = socketio.Client(**RECONNECT_AT_ONCE)
        self.client.on("batch", self._batch, namespace="/live")
        self.client.on("restarting", self._restarting, namespace="/live")
        self.join = {"code": group.env["JOIN_CODE"], "name": f"居民{number}",
                     "party": "observer", "command_id": f"workers-join-{number:04d}"}
        self.client.connect(group.base, namespaces=["/live"], transports=["websocket"],
                            auth={"meeting_id": MEETING_ID, "face": "phone",
                                  "join": self.join}, wait_timeout=15)

    def _restarting(self, _data=None) -> None:
        self.told_restarting += 1

    def _batch(self, batch: dict) -> None:
        self.batches.append(batch)
        self.seen_to = max(self.seen_to, batch["to"])

    def seqs(self) -> set[int]:
        return {e["seq"] for batch in self.batches for e in batch["events"]}

    def catch_up(self) -> None:
        """What a reconnected page does: ask for everything after what it holds."""
        answer = self.client.call("sync", {"since": self.seen_to}, namespace="/live",
                                  timeout=15)
        assert answer["ok"], answer
        if answer.get("batch"):
            self._batch(answer["batch"])


def moderator_session(base: str) -> requests.Session:
    """The demo's moderator signed in at `base` (a group, or a proxy in front of groups)."""
    http = requests.Session()
    page = http.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = http.post(f"{base}/login", data={"username": "zhengwentao",
                                              "password": "demo-2026", "csrf_token": token})
    assert "/login" not in answer.url, re.findall(r'role="alert">([^<]*)<', answer.text)
    return http


def console_cookie(group: Group) -> str:
    """The session cookie of the demo's moderator, signed in."""
    return moderator_session(group.base).cookies["session"]


def console_client(group: Group) -> socketio.Client:
    client = socketio.Client(**RECONNECT_AT_ONCE)
    client.connect(group.base, namespaces=["/live"], transports=["websocket"],
                   headers={"Cookie": f"session={console_cookie(group)}"},
                   auth={"meeting_id": MEETING_ID, "face": "console"}, wait_timeout=15)
    return client


def run_command(client, number: int, name: str) -> dict:
    ack = client.call("command", {"id": f"workers-cmd-{number:04d}", "type": name,
                                  "payload": {}}, namespace="/live", timeout=15)
    assert ack["ok"], ack
    return ack


class PrivateRedis:
    """A redis-server of a test's own (not the shared one on 6379): it is stopped or paused,
    and no other test's servers hear its meetings."""

    def __init__(self, workdir: Path):
        self.port, self.workdir, self.process = free_port(), workdir, None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=service_env())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                done = subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                                      capture_output=True, text=True, timeout=2, env=service_env())
            except subprocess.TimeoutExpired:
                continue
            if done.stdout.strip() == "PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def pause(self) -> None:
        """Frozen (SIGSTOP): connections stay open and nothing answers, as on a stalled host."""
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

    def stop(self) -> None:
        if self.process is not None:
            if self.paused:
                self.resume()
            self.process.kill()  # an outage, not a goodbye
            self.process.wait(10)
            self.process = None


def redis_server_installed() -> bool:
    import shutil
    return shutil.which("redis-server") is not None and shutil.which("redis-cli") is not None


def event_log(env: dict, meeting_id: int = MEETING_ID) -> tuple[int, list[tuple]]:
    """The meeting's last_seq and its events (seq, type, command_id, actor), in seq order,
    as the database holds them."""
    import psycopg
    url = env["DATABASE_URL"].replace("+psycopg", "")
    with psycopg.connect(url) as conn:
        last = conn.execute("SELECT last_seq FROM meetings WHERE id = %s",
                            (meeting_id,)).fetchone()[0]
        rows = conn.execute("SELECT seq, type, command_id, actor FROM meeting_events "
                            "WHERE meeting_id = %s ORDER BY seq", (meeting_id,)).fetchall()
    return last, [tuple(row) for row in rows]


class SnapshotReader:
    """Each role's snapshot of a meeting built from the rows at the moment of asking (no
    server's cache), as JSON makes it. It reads in a process of its own, started once (the
    app takes seconds to load), so that this process's app is left alone."""

    def __init__(self, env: dict, meeting_id: int = MEETING_ID):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.worker_group", str(meeting_id)],
            env={**{k: v for k, v in env.items() if k != "REDIS_URL"},
                 "PYTHONPATH": str(REPO_ROOT), "PYTHONWARNINGS": "ignore"},
            cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def read(self, *roles: str) -> dict[str, dict]:
        self.process.stdin.write(" ".join(roles) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the snapshot reader ended"
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _serve_snapshots(meeting_id: int) -> None:
    """SnapshotReader's process: a line of roles in, a line of JSON out."""
    from facilitator import create_app
    from facilitator.extensions import db
    from facilitator.live.redaction import redact_snapshot
    from tests.snapshot_from_rows import snapshot_from_rows
    from facilitator.models import Meeting
    app = create_app({"REQUIRE_MIGRATED_DATABASE": False})
    with app.app_context():
        for line in sys.stdin:
            db.session.rollback()  # what is committed now
            full = snapshot_from_rows(db.session.get(Meeting, meeting_id))
            print(json.dumps({role: redact_snapshot(full, role) for role in line.split()}),
                  flush=True)


if __name__ == "__main__":
    _serve_snapshots(int(sys.argv[1]))
