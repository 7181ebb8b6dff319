"""Benchmarks of `facilitator serve --workers N` (issue 17): PostgreSQL + Redis, N
processes on one port, phones from several load-generator processes (bench/fleet.py).

    .venv/bin/python bench/scale.py one-meeting   # 3000 phones in one meeting, app vs bare
    .venv/bin/python bench/scale.py meetings      # 50 meetings × 40 phones, commands interleaved
    .venv/bin/python bench/scale.py failover      # kill -9 of a worker, 5 runs
    .venv/bin/python bench/scale.py single        # bench/run.py's 1000 phones on one process
    .venv/bin/python bench/scale.py all           # the four in a row, one table

one-meeting  `facilitator serve --workers 3` (a fresh PostgreSQL database with the demo,
             REDIS_URL), then its baseline `bare_server.py --processes 3 --message-queue`:
             3 bare Flask-SocketIO servers on one port (SO_REUSEPORT) joined by the same
             Redis. Against each: the phones load the join page (50 at a time over all the
             generator processes), then all connect at once and join in their handshake;
             then the moderator sends agenda.start commands one after the other and the
             generators note when the last phone had each. Join < 10 s; fan-out p99 ≤ 1.5×
             the bare group's.
meetings     the demo meeting and 49 more like it (facilitator/demo.py add_demo_meetings),
             40 phones each over the same 3 workers; every meeting's console sends its
             commands on its own clock (random phase, one every --meeting-interval ± 20 %),
             so commands of all the meetings interleave. Per meeting, the fan-out p99
             (< 300 ms); every phone checks that nothing it gets belongs to another meeting.
failover     N phones over the 3 workers, reconnecting as the phone page does; kill -9 of
             one worker, the moderator's next command at once (its console reconnects if it
             was on that worker); the time from the kill until the last phone holds that
             command's seq. --runs times, each with a fresh group and database.
single       runs bench/run.py (one process, SQLite, eventlet, 1000 phones, app and bare),
             so the single-process figures come from the same session.

Before each measurement it waits (up to --load-wait s) until the 1-minute load average is at
most --max-load, and records `uptime` beside the figure. Results: bench/results/<stamp>-scale.json
and .md. Every server and generator is killed at the end (also on Ctrl-C).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet import Fleet  # noqa: E402
from loadgen import (ONE_ADDRESS_FOR_ALL_PHONES, login, now, open_console,  # noqa: E402
                     pct, raise_nofile, summary_ms)
from run import (RESULTS, ROOT, _child_setup, _read, export_code, free_port,  # noqa: E402
                 machine_info, stop_process_group, venv_python)

BENCH = Path(__file__).resolve().parent
JOIN_TARGET_S = 10.0
FANOUT_RATIO = 1.5
MEETING_P99_TARGET_MS = 300.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


def say(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)


# ------------------------------------------------------------------ the machine's load

def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def wait_for_calm(max_load: float, max_wait: float) -> dict:
    """Wait until the 1-minute load average is at most max_load (checking once a minute, up
    to max_wait seconds); what `uptime` said then."""
    started = time.monotonic()
    while True:
        load = os.getloadavg()
        if load[0] <= max_load or time.monotonic() - started >= max_wait:
            break
        say(f"load average {load[0]:.2f} > {max_load}: waiting 60 s")
        time.sleep(60)
    return {"uptime": uptime(), "load": [round(x, 2) for x in os.getloadavg()],
            "waited_s": round(time.monotonic() - started)}


def proc_cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


def pids_named(*names: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{entry}/comm").read_text().strip() in names:
                    found.append(int(entry))
    return found


def machine_busy_s() -> float:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + steal) / CLK_TCK


class CpuMeter:
    """CPU seconds used during a phase by: the servers, the load generator (its children and
    this process), Redis, PostgreSQL (every postgres process), and the whole machine."""

    def __init__(self, server_pids, generator_pids, pg_sessions=None):
        self.server_pids, self.generator_pids = server_pids, generator_pids
        self.pg_sessions = pg_sessions  # how many connections PostgreSQL has accepted so far

    def sample(self) -> dict:
        own = os.times()
        return {"t": now(), "machine": machine_busy_s(),
                "pg_sessions": self.pg_sessions() if self.pg_sessions else None,
                "server": {p: proc_cpu(p) for p in self.server_pids()},
                "generator": {p: proc_cpu(p) for p in self.generator_pids()},
                "coordinator": own.user + own.system,
                "redis": {p: proc_cpu(p) for p in pids_named("redis-server")},
                "postgres": {p: proc_cpu(p) for p in pids_named("postgres")}}

    @staticmethod
    def between(a: dict, b: dict) -> dict:
        def used(key):
            total = 0.0
            for pid, cpu in b[key].items():
                if cpu is not None:
                    total += cpu - (a[key].get(pid) or 0.0)
            return total
        wall = b["t"] - a["t"]
        out = {"wall_s": round(wall, 2), "server_s": round(used("server"), 2),
               "generator_s": round(used("generator") + b["coordinator"] - a["coordinator"], 2),
               "redis_s": round(used("redis"), 2), "postgres_s": round(used("postgres"), 2),
               "machine_s": round(b["machine"] - a["machine"], 2)}
        ours = out["server_s"] + out["generator_s"] + out["redis_s"] + out["postgres_s"]
        out["other_programs_s"] = round(max(0.0, out["machine_s"] - ours), 2)
        out["other_programs_pct"] = round(100 * out["other_programs_s"] / wall) if wall else None
        if a.get("pg_sessions") is not None and b.get("pg_sessions") is not None:
            # each one a PostgreSQL backend process started (and its CPU not in postgres_s
            # when it ended within the phase)
            out["pg_connections_opened"] = b["pg_sessions"] - a["pg_sessions"]
        return out


# ------------------------------------------------------------------------- PostgreSQL

class Databases:
    """The demo in a template database; a copy of it for each run; all dropped at the end."""

    def __init__(self, server_url: str, stamp: str):
        self.server_url = server_url.rstrip("/")  # postgresql://postgres@127.0.0.1:5432
        self.prefix = f"scalebench_{stamp.replace('-', '_')}"
        self.made: list[str] = []

    def admin(self):
        import psycopg
        return psycopg.connect(f"{self.server_url}/postgres", autocommit=True)

    def url(self, name: str) -> str:
        return self.server_url.replace("postgresql://", "postgresql+psycopg://", 1) + "/" + name

    def create(self, label: str, template: str | None = None) -> str:
        name = f"{self.prefix}_{label}"
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"'
                         + (f' TEMPLATE "{template}"' if template else ""))
        self.made.append(name)
        return name

    def sessions(self, name: str) -> int | None:
        """Connections PostgreSQL has accepted to the database so far (pg_stat_database)."""
        with contextlib.suppress(Exception), self.admin() as conn:
            conn.execute("SELECT pg_stat_clear_snapshot()")
            row = conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s",
                               (name,)).fetchone()
            return int(row[0]) if row else None
        return None

    def drop(self, name: str) -> None:
        with contextlib.suppress(Exception), self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        for name in reversed(self.made):
            self.drop(name)


# -------------------------------------------------------------------- server processes

class Code:
    """Which code the servers run: the working tree or an exported commit."""

    def __init__(self, python: str, root: Path, label: str):
        self.python, self.root, self.label = python, root, label

    def env(self, workdir: Path, database_url: str | None, redis_url: str | None) -> dict:
        env = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "ASYNC_MODE", "DATABASE_URL", "PORT")}
        env.update({"FACILITATOR_INSTANCE": str(workdir), "SECRET_KEY": "bench-" + "0" * 32,
                    "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(self.root),
                    **ONE_ADDRESS_FOR_ALL_PHONES})
        if database_url:
            env["DATABASE_URL"] = database_url
        if redis_url and redis_url != "none":
            env["REDIS_URL"] = redis_url
        return env

    def facilitator(self, *args: str) -> list[str]:
        return [self.python, "-m", "facilitator", *args]


def setup_meetings(code: Code, workdir: Path, database_url: str, extra: int) -> list[dict]:
    """`facilitator demo` and `extra` more meetings like its one; every live meeting of the
    demo case with its join code, join key and agenda item ids."""
    env = code.env(workdir, database_url, None)
    done = subprocess.run(code.facilitator("demo"), env=env, cwd=str(code.root),
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"facilitator demo failed:\n{done.stdout}\n{done.stderr}")
    done = subprocess.run([code.python, str(BENCH / "scale.py"), "--setup-meetings", str(extra)],
                          env=env, cwd=str(code.root), capture_output=True, text=True,
                          timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"adding meetings failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _setup_meetings_here(extra: int) -> None:
    """(In a subprocess, DATABASE_URL set.) Add the meetings; print them as JSON."""
    from facilitator import create_app
    from facilitator.demo import add_demo_meetings, demo_case_data
    from facilitator.extensions import db
    from facilitator.models import AgendaItem, Case, Meeting
    app = create_app({"ASYNC_MODE": "threading"})
    with app.app_context():
        if extra:
            add_demo_meetings(extra)
        case = db.session.execute(db.select(Case).filter_by(
            number=demo_case_data()["case"]["number"])).scalar_one()
        out = []
        for meeting in db.session.execute(db.select(Meeting).filter_by(case_id=case.id)
                                          .order_by(Meeting.id)).scalars():
            items = db.session.execute(db.select(AgendaItem.id).filter_by(
                meeting_id=meeting.id)).scalars().all()
            out.append({"id": meeting.id, "code": meeting.join_code, "key": meeting.join_key,
                        "items": sorted(items)})
    print(json.dumps(out))


class Group:
    """A group of server processes on one port (`facilitator serve --workers N`, or
    bare_server.py --processes N), in its own process group; stopped on exit."""

    STARTED = re.compile(r"worker (\d+) started \(pid (\d+)\)")

    def __init__(self, kind: str, cmd: list[str], env: dict, cwd: Path, port: int,
                 workers: int, log_path: Path):
        self.kind, self.cmd, self.env, self.cwd = kind, cmd, env, cwd
        self.port, self.workers, self.log_path = port, workers, log_path
        self.proc: subprocess.Popen | None = None
        self.pg_sessions = None  # set for the app: its database's connection count
        ready = (r"^facilitator serving on \S+ \(\w+\)$" if kind == "app"
                 else r"^bare server on ")
        self.ready_re = re.compile(ready, re.M)

    def output(self) -> str:
        return _read(str(self.log_path))

    def worker_pids(self) -> dict[int, int]:
        """The newest pid of each worker number."""
        return {int(n): int(pid) for n, pid in self.STARTED.findall(self.output())}

    def all_pids(self) -> list[int]:
        return ([self.proc.pid] if self.proc else []) + list(self.worker_pids().values())

    def __enter__(self) -> "Group":
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=str(self.cwd), stdout=self.log,
                                     stderr=subprocess.STDOUT, preexec_fn=_child_setup,
                                     start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} group ended ({self.proc.returncode}): "
                                   f"{self.output()[-2000:]}")
            if len(self.ready_re.findall(self.output())) >= self.workers and self._answers():
                time.sleep(1.0)  # the last one printed its line just before listening
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.kind} group not ready within 120 s: {self.output()[-2000:]}")

    def _answers(self) -> bool:
        import urllib.request
        path = "/healthz" if self.kind == "app" else "/health"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        stop_process_group(self.proc, 20)  # a group's workers stop gracefully first

    def __exit__(self, *exc) -> None:
        self.stop()
        self.log.close()


def app_group(code: Code, workdir: Path, db_url: str, opts, label: str,
              dbs: Databases) -> Group:
    port = free_port()
    cmd = code.facilitator("serve", "--host", "127.0.0.1", "--port", str(port),
                           "--async-mode", "eventlet", "--workers", str(opts.workers))
    group = Group("app", cmd, code.env(workdir, db_url, opts.redis), code.root, port,
                  opts.workers, workdir / f"{label}.log")
    group.pg_sessions = lambda: dbs.sessions(db_url.rsplit("/", 1)[1])
    return group


def bare_group(code: Code, workdir: Path, opts, label: str, payload_bytes: int | None) -> Group:
    port = free_port()
    cmd = [code.python, str(BENCH / "bare_server.py"), "--async-mode", "eventlet",
           "--port", str(port), "--payload-bytes", str(payload_bytes or 1100),
           "--processes", str(opts.workers), "--message-queue", opts.redis,
           "--channel", f"bench-bare-{port}"]
    return Group("bare", cmd, code.env(workdir, None, None), ROOT, port, opts.workers,
                 workdir / f"{label}.log")


def py_spy(python: str, pid: int, out: Path) -> subprocess.Popen:
    """Record one server process (raw stacks for bench/profile_summary.py)."""
    return subprocess.Popen([str(Path(python).parent / "py-spy"), "record", "--pid", str(pid),
                             "--rate", "100", "--format", "raw", "--output", str(out),
                             "--nonblocking"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop_py_spy(spy: subprocess.Popen | None) -> None:
    if spy is None or spy.poll() is not None:
        return
    spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
    try:
        spy.wait(20)
    except subprocess.TimeoutExpired:
        spy.kill()
        spy.wait(5)


# ------------------------------------------------------------------ the measurements

class Console:
    """The moderator's console of one meeting (or the bare group's trigger); reconnects, as
    the console page does, when its worker goes away, and sends a command again with the
    same id (the app applies it once)."""

    def __init__(self, target: str, base: str, meeting_id: int, cookie: str | None,
                 wsconn: aiohttp.ClientSession, timeout: float = 30):
        self.target, self.meeting_id, self.cookie = target, meeting_id, cookie
        self.ws_url = base.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.wsconn, self.timeout = wsconn, timeout
        self.client, self.ids = None, [0, 0]
        self.reconnects = 0

    async def open(self) -> None:
        self.client, self.ids = await open_console(self.wsconn, self.ws_url, self.target,
                                                   self.meeting_id, self.cookie, self.timeout)

    async def command(self, number: int, tag: str, retry_for: float = 0) -> dict:
        cmd = {"id": f"scale-{tag}-{self.meeting_id}-{number}", "type": "agenda.start",
               "payload": {"id": self.ids[number % 2]}}
        give_up = now() + retry_for
        delay = 0.5
        while True:
            try:
                if self.client is None or not self.client.is_open:
                    raise ConnectionError("the console is not connected")
                return json.loads(await self.client.call("command", cmd, self.timeout))[0]
            except (ConnectionError, asyncio.TimeoutError):
                if now() > give_up:
                    raise
            # reconnect as the console page does, then send the same command again
            if self.client is not None:
                await self.client.close()
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 5.0)
            with contextlib.suppress(Exception):
                await self.open()
                self.reconnects += 1

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


async def _sessions():
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=10),
                                 cookie_jar=aiohttp.DummyCookieJar())
    wsconn = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                   cookie_jar=aiohttp.DummyCookieJar())
    return http, wsconn


async def close_clients(consoles, fleet: Fleet, http, wsconn) -> None:
    """The run's consoles (one, a list, or None), phones and HTTP sessions, closed."""
    if isinstance(consoles, Console):
        consoles = [consoles]
    await asyncio.gather(*(c.close() for c in consoles or []), return_exceptions=True)
    await fleet.close()
    await http.close()
    await wsconn.close()


async def _join(fleet: Fleet, meter: CpuMeter, result: dict) -> None:
    before = meter.sample()
    t0 = now()
    pages = await fleet.pages()
    t_pages = now()
    connected, _last = await fleet.sockets()
    t_all = now()
    result["join"] = {"phones": fleet.total, "pages_ok": pages, "connected": connected,
                      "total_s": round(t_all - t0, 3), "pages_s": round(t_pages - t0, 3),
                      "sockets_s": round(t_all - t_pages, 3),
                      "failed_after_s": getattr(fleet, "failed_after_s", None),
                      "phones_that_tried_again": getattr(fleet, "tried_again", None),
                      "cpu": CpuMeter.between(before, meter.sample())}
    say(f"  {connected}/{fleet.total} phones joined in {t_all - t0:.2f} s "
        f"(pages {t_pages - t0:.2f} + sockets {t_all - t_pages:.2f}; "
        f"{fleet.tried_again} phones had to connect again)")


async def _command_loop(console: Console, fleet: Fleet, meeting_id: int, commands: int,
                        warmup: int, interval: float, gap: float, rows: list, tag: str,
                        jitter: float = 0.0, errors: dict | None = None) -> None:
    for i in range(warmup + commands):
        t_send, sent_at = now(), time.time()
        try:
            ack = await console.command(i, tag)
        except Exception as error:  # noqa: BLE001
            if errors is not None:
                key = f"command: {type(error).__name__}: {str(error)[:80]}"
                errors[key] = errors.get(key, 0) + 1
            await asyncio.sleep(interval)
            continue
        t_ack = now()
        if not ack.get("ok"):
            if errors is not None:
                key = f"command refused: {(ack.get('error') or {}).get('code')}"
                errors[key] = errors.get(key, 0) + 1
            await asyncio.sleep(interval)
            continue
        seen = await fleet.watch(meeting_id, ack["seq"], 15.0)
        if i >= warmup:
            rows.append({"meeting": meeting_id, "seq": ack["seq"], "sent_at": round(sent_at, 3),
                         "complete": seen["complete"],
                         "received": seen["count"], "alive": seen["alive"],
                         "ack_ms": round((t_ack - t_send) * 1000, 2),
                         "first_ms": round(((seen["first"] or t_send) - t_send) * 1000, 2),
                         "last_ms": round(((seen["last"] or t_send) - t_send) * 1000, 2),
                         "bytes": seen["bytes"]})
        pause = interval * (1 + random.uniform(-jitter, jitter))
        await asyncio.sleep(max(gap, t_send + pause - now()))


async def one_meeting(target: str, group: Group, meeting: dict, phones: int, opts,
                      workdir: Path) -> dict:
    """Phones of one meeting join; then the fan-out of --commands commands."""
    base = f"http://127.0.0.1:{group.port}"
    result: dict = {"target": target, "phones": phones, "errors": {}}
    fleet = Fleet(target, base, [meeting], phones, opts.gen_procs, workdir,
                  opts.join_concurrency, python=opts.python)
    http, wsconn = await _sessions()
    console = None
    try:
        await fleet.start()
        meter = CpuMeter(group.all_pids, lambda: fleet.pids, group.pg_sessions)
        cookie = (await login(http, base, "zhengwentao", "demo-2026", 30)
                  if target == "app" else None)
        console = Console(target, base, meeting["id"], cookie, wsconn)
        await console.open()
        await _join(fleet, meter, result)
        await asyncio.sleep(opts.settle)
        rows: list = []
        before = meter.sample()
        await _command_loop(console, fleet, meeting["id"], opts.commands, 2, opts.interval,
                            0.05, rows, f"{target}-{secrets.token_hex(3)}",
                            errors=result["errors"])
        cpu = CpuMeter.between(before, meter.sample())
        done = [r for r in rows if r["complete"]]
        result["fanout"] = {"measured": len(rows), "complete": len(done),
                            "last": summary_ms([r["last_ms"] / 1000 for r in done]),
                            "first": summary_ms([r["first_ms"] / 1000 for r in rows]),
                            "ack": summary_ms([r["ack_ms"] / 1000 for r in rows]),
                            "event_bytes": statistics.median(
                                [r["bytes"] for r in rows if r["bytes"]] or [0]) or None,
                            "cpu": cpu, "rows": rows}
        if rows:
            result["fanout"]["server_cpu_us_per_recipient"] = round(
                cpu["server_s"] / (len(rows) * max(1, result["join"]["connected"])) * 1e6, 1)
        result["generator"] = await fleet.stats()
        say(f"  fan-out {len(done)}/{len(rows)} complete, p50 "
            f"{result['fanout']['last'].get('p50')} ms, p99 {result['fanout']['last'].get('p99')} ms")
    finally:
        await close_clients(console, fleet, http, wsconn)
    return result


async def many_meetings(group: Group, meetings: list[dict], per_meeting: int, opts,
                        workdir: Path) -> dict:
    base = f"http://127.0.0.1:{group.port}"
    total = per_meeting * len(meetings)
    result: dict = {"meetings": len(meetings), "phones_per_meeting": per_meeting,
                    "phones": total, "errors": {}}
    fleet = Fleet("app", base, meetings, total, opts.gen_procs, workdir,
                  opts.join_concurrency, check_meetings=True, python=opts.python)
    http, wsconn = await _sessions()
    consoles: list[Console] = []
    try:
        await fleet.start()
        meter = CpuMeter(group.all_pids, lambda: fleet.pids, group.pg_sessions)
        cookie = await login(http, base, "zhengwentao", "demo-2026", 30)
        consoles = [Console("app", base, m["id"], cookie, wsconn) for m in meetings]
        for chunk in range(0, len(consoles), 10):
            await asyncio.gather(*(c.open() for c in consoles[chunk:chunk + 10]))
        await _join(fleet, meter, result)
        await asyncio.sleep(opts.settle)
        rows: list = []
        tag = secrets.token_hex(3)

        async def meeting_loop(console: Console) -> None:
            await asyncio.sleep(random.uniform(0, opts.meeting_interval))  # its own phase
            await _command_loop(console, fleet, console.meeting_id, opts.meeting_commands, 1,
                                opts.meeting_interval, 0.05, rows, tag, jitter=0.2,
                                errors=result["errors"])
        before = meter.sample()
        t0 = now()
        await asyncio.gather(*(meeting_loop(c) for c in consoles))
        wall = now() - t0
        cpu = CpuMeter.between(before, meter.sample())
        per: dict[int, list] = {}
        for r in rows:
            per.setdefault(r["meeting"], []).append(r)
        meetings_out = []
        for meeting_id, mine in sorted(per.items()):
            done = [r["last_ms"] for r in mine if r["complete"]]
            meetings_out.append({"meeting": meeting_id, "commands": len(mine),
                                 "complete": len(done), "p50": pct(done, 50),
                                 "p99": pct(done, 99), "max": max(done) if done else None})
        p99s = sorted(m["p99"] for m in meetings_out if m["p99"] is not None)
        worst = max(meetings_out, key=lambda m: m["p99"] or 0) if meetings_out else {}
        result["fanout"] = {
            "commands": len(rows), "complete": sum(1 for r in rows if r["complete"]),
            "commands_per_s": round(len(rows) / wall, 1) if wall else None,
            "all": summary_ms([r["last_ms"] / 1000 for r in rows if r["complete"]]),
            "worst_meeting": worst, "median_meeting_p99": statistics.median(p99s) if p99s else None,
            "meetings_over_target": sum(1 for p in p99s if p >= MEETING_P99_TARGET_MS),
            "per_meeting": meetings_out, "cpu": cpu, "rows": rows}
        stats = await fleet.stats()
        result["generator"] = stats
        result["foreign_events"] = sum(stats["foreign"].values())
        say(f"  {len(rows)} commands ({result['fanout']['commands_per_s']}/s); per-meeting "
            f"p99 worst {worst.get('p99')} ms, median {result['fanout']['median_meeting_p99']} ms;"
            f" foreign events {result['foreign_events']} of {stats['inspected']} inspected")
    finally:
        await close_clients(consoles, fleet, http, wsconn)
    return result


async def failover_run(group: Group, meeting: dict, phones: int, opts, workdir: Path,
                       run_number: int) -> dict:
    base = f"http://127.0.0.1:{group.port}"
    result: dict = {"run": run_number, "phones": phones, "errors": {}}
    fleet = Fleet("app", base, [meeting], phones, opts.gen_procs, workdir,
                  opts.join_concurrency, reconnect=True, python=opts.python)
    http, wsconn = await _sessions()
    console = None
    try:
        await fleet.start()
        meter = CpuMeter(group.all_pids, lambda: fleet.pids, group.pg_sessions)
        cookie = await login(http, base, "zhengwentao", "demo-2026", 30)
        console = Console("app", base, meeting["id"], cookie, wsconn)
        await console.open()
        await _join(fleet, meter, result)
        await asyncio.sleep(opts.settle)
        warm: list = []
        await _command_loop(console, fleet, meeting["id"], 2, 0, 0.3, 0.05, warm,
                            f"warm-{run_number}", errors=result["errors"])
        await asyncio.sleep(1.0)
        number = run_number % opts.workers + 1
        victim = group.worker_pids()[number]
        restarted: dict = {}

        async def watch_restart() -> None:  # when the group has started the worker again
            while group.worker_pids().get(number) == victim:
                await asyncio.sleep(0.05)
            restarted["started"] = now()
            serving = len(group.ready_re.findall(group.output()))
            while len(group.ready_re.findall(group.output())) <= serving:
                await asyncio.sleep(0.05)
            restarted["serving"] = now()
        before = meter.sample()
        t_kill = now()
        os.kill(victim, signal.SIGKILL)
        watcher = asyncio.get_running_loop().create_task(watch_restart())
        ack = await console.command(100, f"kill-{run_number}", retry_for=30)
        t_ack = now()
        if not ack.get("ok"):
            raise RuntimeError(f"the command after the kill was refused: {ack}")
        rows = await fleet.caught(ack["seq"], t_kill, opts.failover_timeout)
        cpu = CpuMeter.between(before, meter.sample())
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(watcher), 30)
        watcher.cancel()
        caught = [r["caught"] for r in rows if r["caught"] is not None]
        dropped = [r for r in rows if r["dropped"]]
        backs = [r["back"] for r in dropped if r["back"] is not None]
        result.update({
            "victim": {"worker": number, "pid": victim},
            "phones_dropped": len(dropped), "phones_not_caught": len(rows) - len(caught),
            "refused": sum(1 for r in rows if r["refused"]),
            "command_ack_s": round(t_ack - t_kill, 3),
            "console_reconnects": console.reconnects,
            "last_caught_up_s": round(max(caught) - t_kill, 3) if caught else None,
            "dropped_back_s": summary_ms([b - t_kill for b in backs]),
            "caught_up_s": summary_ms([c - t_kill for c in caught]),
            "worker_restarted_s": round(restarted["started"] - t_kill, 3)
            if "started" in restarted else None,
            "worker_serving_s": round(restarted["serving"] - t_kill, 3)
            if "serving" in restarted else None,
            "cpu": cpu})
        result["generator"] = await fleet.stats()
        say(f"  run {run_number}: killed worker {number} (pid {victim}) holding "
            f"{len(dropped)} phones; last phone caught up {result['last_caught_up_s']} s after "
            f"the kill (not caught: {result['phones_not_caught']}); command acked after "
            f"{result['command_ack_s']} s; worker serving again after "
            f"{result['worker_serving_s']} s")
    finally:
        await close_clients(console, fleet, http, wsconn)
    return result


# ---------------------------------------------------------------------- the scenarios

def scenario_one_meeting(ctx) -> dict:
    opts, code, workdir = ctx["opts"], ctx["code"], ctx["workdir"]
    meeting = ctx["meetings"][0]
    out = ctx["out"]["one_meeting"] = {"phones": opts.phones, "workers": opts.workers,
                                       "runs": {}, "ratio_p99": None}
    for target in ("app", "bare"):
        calm = wait_for_calm(opts.max_load, opts.load_wait)
        say(f"one meeting, {opts.phones} phones, {opts.workers} {target} workers "
            f"({calm['uptime']})")
        if target == "app":
            name = ctx["dbs"].create("one", ctx["template"])
            group = app_group(code, workdir, ctx["dbs"].url(name), opts, "one-app", ctx["dbs"])
        else:
            size = out["runs"]["app"].get("fanout", {}).get("event_bytes")
            group = bare_group(code, workdir, opts, "one-bare", int(size) if size else None)
        try:
            with group:
                spy = None
                if opts.profile and target == "app":
                    spy = py_spy(opts.python, group.worker_pids().get(1, group.proc.pid),
                                 RESULTS / f"{ctx['stamp']}-scale-one-app-worker1.pyspy.txt")
                try:
                    result = asyncio.run(one_meeting(target, group, meeting, opts.phones,
                                                     opts, workdir))
                finally:
                    stop_py_spy(spy)
                result["server_log_tail"] = group.output()[-1500:]
        except Exception as error:  # noqa: BLE001
            result = {"errors": {f"{type(error).__name__}: {error}"[:500]: 1}}
            say(f"  failed: {error}")
        result["load_before"] = calm
        out["runs"][target] = result
        if target == "app":
            ctx["dbs"].drop(name)
    app = out["runs"]["app"].get("fanout", {}).get("last", {})
    bare = out["runs"]["bare"].get("fanout", {}).get("last", {})
    out["ratio_p99"] = round(app["p99"] / bare["p99"], 2) if app.get("p99") and bare.get("p99") else None
    return out


def scenario_meetings(ctx) -> dict:
    opts, code, workdir = ctx["opts"], ctx["code"], ctx["workdir"]
    meetings = ctx["meetings"][:opts.meetings]
    calm = wait_for_calm(opts.max_load, opts.load_wait)
    say(f"{len(meetings)} meetings × {opts.phones_per_meeting} phones over {opts.workers} "
        f"workers ({calm['uptime']})")
    name = ctx["dbs"].create("meetings", ctx["template"])
    try:
        with app_group(code, workdir, ctx["dbs"].url(name), opts, "meetings-app",
                       ctx["dbs"]) as group:
            spy = None
            if opts.profile:
                spy = py_spy(opts.python, group.worker_pids().get(1, group.proc.pid),
                             RESULTS / f"{ctx['stamp']}-scale-meetings-app-worker1.pyspy.txt")
            try:
                result = asyncio.run(many_meetings(group, meetings, opts.phones_per_meeting,
                                                   opts, workdir))
            finally:
                stop_py_spy(spy)
            result["server_log_tail"] = group.output()[-1500:]
    except Exception as error:  # noqa: BLE001
        result = {"errors": {f"{type(error).__name__}: {error}"[:500]: 1}}
        say(f"  failed: {error}")
    ctx["dbs"].drop(name)
    result["load_before"] = calm
    return result


def scenario_failover(ctx) -> dict:
    opts, code, workdir = ctx["opts"], ctx["code"], ctx["workdir"]
    meeting = ctx["meetings"][0]
    runs: list = []
    ctx["out"]["failover"] = {"phones": opts.failover_phones, "runs": runs, "complete_runs": 0}
    for number in range(opts.runs):
        calm = wait_for_calm(opts.max_load, opts.load_wait)
        say(f"failover run {number + 1}/{opts.runs}: {opts.failover_phones} phones over "
            f"{opts.workers} workers ({calm['uptime']})")
        name = ctx["dbs"].create(f"failover{number}", ctx["template"])
        try:
            with app_group(code, workdir, ctx["dbs"].url(name), opts,
                           f"failover-{number}", ctx["dbs"]) as group:
                result = asyncio.run(failover_run(group, meeting, opts.failover_phones, opts,
                                                  workdir, number))
                result["server_log_tail"] = group.output()[-1500:]
        except Exception as error:  # noqa: BLE001
            result = {"run": number, "errors": {f"{type(error).__name__}: {error}"[:500]: 1}}
            say(f"  failed: {error}")
        ctx["dbs"].drop(name)
        result["load_before"] = calm
        runs.append(result)
    times = [r["last_caught_up_s"] for r in runs if r.get("last_caught_up_s") is not None
             and not r.get("phones_not_caught")]
    return {"phones": opts.failover_phones, "runs": runs, "complete_runs": len(times),
            "p50_s": round(statistics.median(times), 3) if times else None,
            "max_s": max(times) if times else None}


def scenario_single(ctx) -> dict:
    opts = ctx["opts"]
    calm = wait_for_calm(opts.max_load, opts.load_wait)
    say(f"single process, 1000 phones (bench/run.py) ({calm['uptime']})")
    cmd = [opts.python, str(BENCH / "run.py"), "--code", opts.code, "--modes", "eventlet",
           "--sizes", "1000", "--commands", str(opts.commands), "--capacity", "0",
           "--retries", "0", "--quiet-wait", "0"]
    done = subprocess.run(cmd, cwd=str(ROOT), capture_output=True, text=True, timeout=1800)
    found = re.search(r"results: (\S+\.json)", done.stdout)
    if not found:
        return {"errors": {f"run.py: {done.stdout[-800:]} {done.stderr[-800:]}": 1},
                "load_before": calm}
    data = json.loads(Path(found.group(1)).read_text())
    row = (data["summary"]["rows"] or [{}])[0]
    say(f"  joined in {row.get('join_total_s')} s; p99 app {row.get('app_p99')} / bare "
        f"{row.get('bare_p99')} ms = {row.get('ratio_p99')}")
    return {"row": row, "results": found.group(1), "command": " ".join(cmd[1:]),
            "load_before": calm}


# ------------------------------------------------------------------------- the report

def fmt(value, digits=1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def verdict(ok) -> str:
    return "–" if ok is None else ("pass" if ok else "**missed**")


def _load(run: dict) -> str:
    load = (run or {}).get("load_before", {}).get("load")
    return " / ".join(f"{x:.2f}" for x in load) if load else "–"


def _cpu(cpu: dict | None) -> str:
    if not cpu:
        return "–"
    return (f"servers {cpu['server_s']:.1f}, generator {cpu['generator_s']:.1f}, "
            f"PostgreSQL {cpu['postgres_s']:.1f}, Redis {cpu['redis_s']:.1f}, other programs "
            f"{cpu['other_programs_s']:.1f} CPU-s in {cpu['wall_s']:.0f} s"
            + (f"; {cpu['pg_connections_opened']} PostgreSQL connections opened"
               if cpu.get("pg_connections_opened") is not None else ""))


def markdown(machine: dict, command: str, out: dict, opts) -> str:
    lines = [
        f"- Date: {machine['date']} (`date`)",
        (f"- Machine: {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['ram_gb']} GB "
         f"RAM, Linux {machine['kernel']}; Python {machine['packages'].get('python')}"),
        f"- Code: {machine['code']}",
        f"- Command: `{command}`",
        (f"- Everything shares the {machine['nproc']} cores: the {opts.workers} server workers "
         f"(eventlet), the load generator ({opts.gen_procs} processes of phones + 1 with the "
         f"consoles), PostgreSQL, Redis — and whatever else runs on the machine."),
        "",
        "| benchmark | load average before (1 / 5 / 15 min) | join | fan-out | target | result |",
        "|---|---|---|---|---|---|",
    ]
    single = out.get("single")
    if single:
        r = single.get("row") or {}
        lines.append(
            f"| one process (SQLite), 1000 phones, app vs bare | {_load(single)} | "
            f"{fmt(r.get('join_total_s'), 2)} s | app p50/p99 {fmt(r.get('app_p50'))} / "
            f"{fmt(r.get('app_p99'))} ms, bare {fmt(r.get('bare_p50'))} / "
            f"{fmt(r.get('bare_p99'))} ms: **{fmt(r.get('ratio_p99'), 2)}×** | join < 5 s, "
            f"p99 ≤ 1.5× bare | {verdict(r.get('join_ok'))}, {verdict(r.get('fanout_ok'))} |")
    one = out.get("one_meeting")
    if one:
        app, bare = one["runs"].get("app", {}), one["runs"].get("bare", {})
        j, bj = app.get("join", {}), bare.get("join", {})
        af, bf = app.get("fanout", {}).get("last", {}), bare.get("fanout", {}).get("last", {})
        join_ok = (j.get("connected") == one["phones"] and j.get("total_s") is not None
                   and j["total_s"] < JOIN_TARGET_S) if j else None
        # like with like: a ratio only when every phone joined in both runs
        all_in = j.get("connected") == bj.get("connected") == one["phones"]
        ratio_ok = (one["ratio_p99"] <= FANOUT_RATIO if one.get("ratio_p99") and all_in
                    else None)
        lines.append(
            f"| {one['workers']} workers, {one['phones']} phones in one meeting, app vs "
            f"{one['workers']} bare processes on the same Redis | app {_load(app)}; bare "
            f"{_load(bare)} | app {j.get('connected')}/{one['phones']} in "
            f"{fmt(j.get('total_s'), 2)} s ({fmt(j.get('pages_s'), 2)} pages + "
            f"{fmt(j.get('sockets_s'), 2)} sockets; {fmt(j.get('phones_that_tried_again'))} "
            f"connected again); bare {fmt(bj.get('total_s'), 2)} s | "
            f"app p50/p99 {fmt(af.get('p50'))} / {fmt(af.get('p99'))} ms, bare "
            f"{fmt(bf.get('p50'))} / {fmt(bf.get('p99'))} ms: **{fmt(one.get('ratio_p99'), 2)}×**"
            f"{'' if all_in else ' (not comparable: not every phone joined)'} "
            f"| join < 10 s, p99 ≤ 1.5× bare | {verdict(join_ok)}, {verdict(ratio_ok)} |")
    many = out.get("meetings")
    if many and many.get("fanout"):
        f = many["fanout"]
        worst = f.get("worst_meeting") or {}
        ok = (f["meetings_over_target"] == 0 and f["complete"] == f["commands"]
              and many.get("foreign_events") == 0)
        lines.append(
            f"| {opts.workers} workers, {many['meetings']} meetings × "
            f"{many['phones_per_meeting']} phones, commands interleaved "
            f"({fmt(f.get('commands_per_s'))}/s in all) | {_load(many)} | "
            f"{many['join'].get('connected')}/{many['phones']} in "
            f"{fmt(many['join'].get('total_s'), 2)} s ({fmt(many['join'].get('phones_that_tried_again'))}"
            f" connected again) | per-meeting p99: worst "
            f"{fmt(worst.get('p99'))} ms, median {fmt(f.get('median_meeting_p99'))} ms (all "
            f"commands p50/p99 {fmt(f['all'].get('p50'))} / {fmt(f['all'].get('p99'))} ms); "
            f"**{many.get('foreign_events')}** events of another meeting in "
            f"{many['generator'].get('inspected')} received | every meeting's p99 < 300 ms; "
            f"0 foreign | {verdict(ok)} |")
    fo = out.get("failover")
    if fo:
        per = ", ".join(fmt(r.get("last_caught_up_s"), 2) for r in fo["runs"])
        loads = "; ".join(_load(r) for r in fo["runs"])
        lines.append(
            f"| failover: kill -9 of 1 of {opts.workers} workers, {fo['phones']} phones | "
            f"{loads} | – | kill → last phone caught up: p50 **{fmt(fo.get('p50_s'), 2)} s**, "
            f"max **{fmt(fo.get('max_s'), 2)} s** over {len(fo['runs'])} runs ({per}) | "
            f"(measured) | {fo['complete_runs']}/{len(fo['runs'])} runs with every phone "
            f"caught up |")
    lines.append("")
    if one:
        for target in ("app", "bare"):
            run = one["runs"].get(target, {})
            lines.append(f"- one meeting, {target}: join CPU: {_cpu(run.get('join', {}).get('cpu'))};"
                         f" fan-out CPU: {_cpu(run.get('fanout', {}).get('cpu'))}; errors "
                         f"{run.get('errors') or 'none'}")
    if many and many.get("fanout"):
        lines.append(f"- meetings: fan-out CPU: {_cpu(many['fanout'].get('cpu'))}; errors "
                     f"{many.get('errors') or 'none'}; foreign by kind "
                     f"{many['generator'].get('foreign') or {}}")
    if fo:
        for r in fo["runs"]:
            lines.append(
                f"- failover run {r.get('run')}: worker {r.get('victim', {}).get('worker')} "
                f"killed with {r.get('phones_dropped')} phones; console's command acked "
                f"{fmt(r.get('command_ack_s'), 2)} s after the kill (console reconnects "
                f"{r.get('console_reconnects')}); dropped phones back p50/max "
                f"{fmt(r.get('dropped_back_s', {}).get('p50'))} / "
                f"{fmt(r.get('dropped_back_s', {}).get('max'))} ms; last caught up "
                f"{fmt(r.get('last_caught_up_s'), 2)} s; not caught {r.get('phones_not_caught')};"
                f" worker serving again {fmt(r.get('worker_serving_s'), 2)} s; errors "
                f"{r.get('errors') or 'none'}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    if argv is None and len(sys.argv) == 3 and sys.argv[1] == "--setup-meetings":
        _setup_meetings_here(int(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["one-meeting", "meetings", "failover", "single",
                                             "all"])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--gen-procs", type=int, default=3,
                        help="load-generator processes holding the phones")
    parser.add_argument("--phones", type=int, default=3000, help="one-meeting")
    parser.add_argument("--commands", type=int, default=100,
                        help="measured commands (one-meeting, single)")
    parser.add_argument("--interval", type=float, default=0.3)
    parser.add_argument("--meetings", type=int, default=50)
    parser.add_argument("--phones-per-meeting", type=int, default=40)
    parser.add_argument("--meeting-commands", type=int, default=60,
                        help="measured commands per meeting")
    parser.add_argument("--meeting-interval", type=float, default=1.0,
                        help="seconds between one meeting's commands (± 20 %%)")
    parser.add_argument("--failover-phones", type=int, default=900)
    parser.add_argument("--runs", type=int, default=5, help="failover runs")
    parser.add_argument("--failover-timeout", type=float, default=60.0)
    parser.add_argument("--join-concurrency", type=int, default=50,
                        help="join pages loading at once, over all generator processes")
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7",
                        help="the app's REDIS_URL ('none' with --workers 1: without Redis)")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--max-load", type=float, default=1.0,
                        help="wait before each measurement until the 1-minute load average "
                             "is at most this")
    parser.add_argument("--load-wait", type=float, default=900.0,
                        help="...for at most this many seconds")
    parser.add_argument("--code", default="worktree",
                        help="worktree (default) or a git revision exported with git archive")
    parser.add_argument("--python", default=venv_python())
    parser.add_argument("--profile", action="store_true",
                        help="one-meeting and meetings: record the app's worker 1 with py-spy "
                             "(.venv/bin/pip install py-spy; bench/profile_summary.py)")
    opts = parser.parse_args(argv)
    raise_nofile()

    def _terminate(signum, _frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _terminate)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    command = "python bench/scale.py " + " ".join(sys.argv[1:] if argv is None else argv)
    machine = machine_info(opts.python)
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="facilitator-scale-") as tmp:
        workdir = Path(tmp)
        if opts.code == "worktree":
            code = Code(opts.python, ROOT, f"working tree at commit {machine['git_commit']}")
        else:
            root, commit = export_code(opts.code, workdir)
            code = Code(opts.python, root, f"commit {commit} (exported with git archive)")
        machine["code"] = code.label
        say(f"{machine['date']} | {machine['nproc']} CPUs | {machine['ram_gb']} GB | "
            f"{code.label}")
        dbs = Databases(opts.postgres, stamp)
        ctx = {"opts": opts, "code": code, "workdir": workdir, "dbs": dbs, "stamp": stamp,
               "out": out}
        scenarios = (["single", "one_meeting", "meetings", "failover"]
                     if opts.scenario == "all" else [opts.scenario.replace("-", "_")])
        try:
            if any(s != "single" for s in scenarios):
                ctx["template"] = dbs.create("template")
                extra = max(0, opts.meetings - 1) if "meetings" in scenarios else 0
                say(f"loading the demo{f' and {extra} more meetings' if extra else ''} "
                    f"into PostgreSQL")
                ctx["meetings"] = setup_meetings(code, workdir, dbs.url(ctx["template"]), extra)
            for name in scenarios:
                out[name] = globals()[f"scenario_{name}"](ctx)
        except KeyboardInterrupt:
            say("interrupted: writing what was measured")
        finally:
            dbs.drop_all()
            for log in workdir.glob("*.log"):
                (RESULTS / f"{stamp}-scale-{log.name}").write_text(_read(str(log)))
    md = markdown(machine, command, out, opts)
    (RESULTS / f"{stamp}-scale.json").write_text(json.dumps(
        {"machine": machine, "command": command, "results": out}, indent=1))
    (RESULTS / f"{stamp}-scale.md").write_text(md)
    print()
    print(md)
    print(f"results: {RESULTS / (stamp + '-scale.json')} and {stamp}-scale.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
