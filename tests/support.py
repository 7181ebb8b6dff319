"""Helpers shared by test layers: services that may be missing, and real server processes
(`facilitator serve` on eventlet or gevent) for tests of the production path."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import frozen_time

REPO_ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI") == "true"
SERVER_START_TIMEOUT = 30.0


def require_service(available: bool, reason: str) -> None:
    """Skip when a service or tool is absent on a developer's machine; under CI=true a missing
    one is a broken setup and fails."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: it must be there)", pytrace=False)
    pytest.skip(reason)


def service_env() -> dict:
    """The environment for a real service a test starts (redis-server): without the
    shifted machine clock CI runs part of the suite under (libfaketime through LD_PRELOAD).
    The clock is the suite's business, not the service's, and redis-server under libfaketime
    never answers."""
    return {name: value for name, value in os.environ.items()
            if name != "LD_PRELOAD" and not name.startswith("FAKETIME")}


def redis_up(port: int = 6379) -> bool:
    """Whether a Redis server answers on 127.0.0.1."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def postgres_up(url: str) -> bool:
    """Whether PostgreSQL answers at a SQLAlchemy URL."""
    import psycopg
    try:
        with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# `facilitator` as tests start it: on the test's frozen clock (tests/frozen_time.py).
FACILITATOR_COMMAND = frozen_time.command()


def run_facilitator(*args: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    """The `facilitator` command run to its end, as an operator runs it (on the test's clock)."""
    return subprocess.run([*FACILITATOR_COMMAND, *args], env=frozen_time.subprocess_env(env),
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)


@dataclass
class LiveServer:
    """`facilitator serve` in a subprocess; stop() and start() again keep port and database."""
    workdir: Path
    port: int
    log_path: Path
    async_mode: str = "eventlet"
    extra_env: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None
    info: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_path(self) -> Path:
        return self.workdir / "t.db"

    @property
    def env(self) -> dict:
        env = frozen_time.subprocess_env()
        for name in ("REDIS_URL", "ASYNC_MODE", "PUBLIC_URL", "SECRET_KEY"):
            env.pop(name, None)  # the default path: SQLite, eventlet, key kept in the instance dir
        env.update(DATABASE_URL=f"sqlite:///{self.database_path}",
                   FACILITATOR_INSTANCE=str(self.workdir), PORT=str(self.port),
                   PYTHONUNBUFFERED="1", **self.extra_env)
        return env

    def load_demo(self) -> dict:
        done = subprocess.run([*FACILITATOR_COMMAND, "demo", "--base-url", self.base_url],
                              env=self.env, cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"facilitator demo failed:\n{done.stdout}\n{done.stderr}"
        text = done.stdout
        patterns = {"console_url": r"Console:\s+(\S+)", "username": r"Login:\s+(\S+) / (\S+)",
                    "join_code": r"Join code:\s+(\d{6})", "projector_url": r"Projector:\s+(\S+)"}
        info = {}
        for key, pattern in patterns.items():
            match = re.search(pattern, text)
            assert match, f"no {key} in the demo output:\n{text}"
            info[key] = match.group(1)
            if key == "username":
                info["password"] = match.group(2)
        info["meeting_id"] = int(re.search(r"/meetings/(\d+)/console", info["console_url"]).group(1))
        info["projector_token"] = info["projector_url"].rsplit("/", 1)[1]
        self.info = info
        return info

    def start(self) -> None:
        assert self.process is None, "the server is already running"
        log = self.log_path.open("a", encoding="utf-8")
        log.write(f"\n===== facilitator serve on port {self.port} ({time.strftime('%X')}) =====\n")
        log.flush()
        self.process = subprocess.Popen(
            [*FACILITATOR_COMMAND, "serve", "--host", "127.0.0.1", "--async-mode",
             self.async_mode], env=self.env,
            cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise RuntimeError(f"facilitator serve exited with {code}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answered (any status will do)
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"facilitator serve did not answer within {SERVER_START_TIMEOUT}s:\n"
                           f"{self.log_tail()}")

    def kill(self) -> None:
        """A crash: SIGKILL, no goodbye to the connected sockets."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@contextlib.contextmanager
def demo_server(workdir: Path | None = None, async_mode: str = "eventlet", **extra_env):
    """The demo loaded and `facilitator serve` running until the block ends. Servers given the
    same workdir share one database (several processes of one deployment)."""
    own_workdir = workdir is None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="facilitator-server-"))
    server = LiveServer(workdir=workdir, port=free_port(), log_path=workdir / "serve.log",
                        async_mode=async_mode, extra_env=extra_env)
    try:
        server.load_demo()
        server.start()
        yield server
    finally:
        server.stop()
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def csrf_token_in(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
