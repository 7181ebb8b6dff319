"""Live meeting core benchmark: the real server + N simulated phones, and a bare baseline.

    .venv/bin/python bench/run.py --modes eventlet gevent --sizes 100 500 1000 --commands 30

For each async mode and each N it
  1. copies a demo database (made once with `facilitator demo`) into a temporary directory,
  2. starts `facilitator serve --async-mode MODE` on a free 127.0.0.1 port (open-file limit
     raised), and runs bench/loadgen.py in its own process against it: the moderator signs
     in, N phones join over HTTP and connect to "/live", then the moderator sends
     --commands agenda.start commands (after 2 warm-ups) and the time until the last phone
     has each event is measured;
  3. starts bench/bare_server.py (same mode, same listen settings, no database) and measures
     it with the same generator: the baseline of the same run;
then a capacity check (--capacity phones connected at once, default 1100 > 1024) per mode.

Prints a table and writes bench/results/<stamp>.json and <stamp>.md (paste the markdown
into docs/performance.md). Every subprocess has a deadline and is killed at the end.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadgen import ONE_ADDRESS_FOR_ALL_PHONES  # bench/ is on the path: run as bench/run.py

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
PACKAGES = ("Flask", "Flask-SocketIO", "python-socketio", "python-engineio", "eventlet",
            "gevent", "greenlet", "simple-websocket", "SQLAlchemy", "Flask-SQLAlchemy",
            "Werkzeug", "aiohttp")
NOFILE = 65536

# Targets from the issue.
JOIN_TARGET_S = 5.0        # 1000 phones joined in under 5 s
JOIN_TARGET_N = 1000
FANOUT_RATIO = 1.5         # the app's fan-out p99 within 1.5x the bare baseline's
CAPACITY_TARGET = 1024     # more than 1024 phones connected at once


def venv_python() -> str:
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def facilitator_cmd(python: str, root: Path | None = None, patches=()) -> list[str]:
    """The `facilitator` command: the console script itself, or through bench/launch_app.py
    when the code comes from an exported commit (root) or experimental patches apply."""
    if root is None and not patches:
        script = Path(python).parent / "facilitator"
        return [str(script)] if script.exists() else [python, "-m", "facilitator"]
    cmd = [python, str(BENCH / "launch_app.py")]
    if root is not None:
        cmd += ["--root", str(root)]
    for patch in patches:
        cmd += ["--patch", patch]
    return cmd + ["--"]


def export_code(rev: str, workdir: Path) -> tuple[Path, str]:
    """`git archive <rev>` into workdir/src: the server then runs that commit, whatever the
    working tree holds meanwhile."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev],
                            capture_output=True, text=True, check=True).stdout.strip()
    target = workdir / "src"
    target.mkdir()
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", commit],
                               stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(target)], stdin=archive.stdout, check=True,
                   timeout=120)
    archive.stdout.close()
    if archive.wait(60) != 0:
        raise SystemExit(f"git archive {rev} failed")
    return target, commit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_nofile(limit: int = NOFILE) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(limit, hard) if hard != resource.RLIM_INFINITY else limit
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _child_setup() -> None:  # runs in the child between fork and exec
    raise_nofile()


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_info(python: str) -> dict:
    cpuinfo = _read("/proc/cpuinfo")
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    mhz = re.search(r"^cpu MHz\s*:\s*(.+)$", cpuinfo, re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.M)
    versions = subprocess.run(
        [python, "-c", "import json, sys; from importlib import metadata as m\n"
         "out = {'python': sys.version.split()[0]}\n"
         f"for p in {PACKAGES!r}:\n"
         "    try: out[p] = m.version(p)\n"
         "    except m.PackageNotFoundError: out[p] = None\n"
         "print(json.dumps(out))"], capture_output=True, text=True, timeout=60)
    try:
        packages = json.loads(versions.stdout)
    except ValueError:
        packages = {}
    date = subprocess.run(["date"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"],
                           capture_output=True, text=True).stdout.strip()
    return {
        "date": date, "iso_date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(), "cpu_model": model.group(1).strip() if model else None,
        "cpu_mhz": mhz.group(1).strip() if mhz else None,
        "ram_gb": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "kernel": platform.release(), "platform": platform.platform(),
        "somaxconn": _read("/proc/sys/net/core/somaxconn").strip(),
        "packages": packages, "git_commit": commit + ("+dirty" if dirty else ""),
    }


def server_env(tmp: Path, db_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "ASYNC_MODE", "DATABASE_URL", "PORT")}
    env.update({"DATABASE_URL": f"sqlite:///{db_path}", "FACILITATOR_INSTANCE": str(tmp),
                "SECRET_KEY": "bench-" + "0" * 32, "PYTHONUNBUFFERED": "1",
                **ONE_ADDRESS_FOR_ALL_PHONES})
    return env


def make_demo_db(python: str, workdir: Path, root: Path | None) -> dict:
    """`facilitator demo` into workdir/template.db; returns the join code and meeting id."""
    db_path = workdir / "template.db"
    out = subprocess.run(facilitator_cmd(python, root) + ["demo"],
                         env=server_env(workdir, db_path),
                         capture_output=True, text=True, timeout=300, cwd=str(ROOT))
    if out.returncode != 0:
        raise SystemExit(f"facilitator demo failed:\n{out.stdout}\n{out.stderr}")
    code = re.search(r"Join code:\s*(\S+)", out.stdout)
    meeting = re.search(r"/meetings/(\d+)/console", out.stdout)
    if not code:  # fall back to the database itself
        import sqlite3
        with contextlib.closing(sqlite3.connect(db_path)) as con:
            row = con.execute("SELECT id, join_code FROM meetings WHERE status='live' "
                              "ORDER BY id LIMIT 1").fetchone()
        return {"db": db_path, "meeting_id": row[0], "code": row[1]}
    # The QR code's link carries a join key since issue 13 (older code prints none).
    key = re.search(r"QR link:\s*\S+\?k=(\S+)", out.stdout)
    return {"db": db_path, "code": code.group(1), "key": key.group(1) if key else None,
            "meeting_id": int(meeting.group(1)) if meeting else 1}


def fresh_db(template: Path, workdir: Path, name: str, python: str,
             root: Path | None) -> Path:
    """A copy of the demo database, migrated to the code's newest schema (the working tree
    may have gained a migration since the demo was loaded)."""
    target = workdir / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(template) + suffix)
        if src.exists():
            shutil.copy(src, str(target) + suffix)
    out = subprocess.run(facilitator_cmd(python, root) + ["upgrade-db"],
                         env=server_env(workdir, target), capture_output=True, text=True,
                         timeout=300, cwd=str(ROOT))
    if out.returncode != 0:
        raise RuntimeError(f"upgrade-db failed: {out.stdout[-500:]} {out.stderr[-1500:]}")
    return target


def stop_process_group(proc: subprocess.Popen | None, grace: float) -> None:
    """SIGTERM to the process's group; SIGKILL when it is still there after `grace` seconds."""
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


class Server:
    """A server subprocess in its own process group; killed on exit."""

    def __init__(self, cmd: list[str], env: dict, port: int, log: Path):
        self.cmd, self.env, self.port, self.log_path = cmd, env, port, log
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=str(ROOT), stdout=self.log,
                                     stderr=subprocess.STDOUT, preexec_fn=_child_setup,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}): "
                                   f"{_read(str(self.log_path))[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.port), timeout=1):
                time.sleep(0.3)
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not listen on {self.port} within 60 s")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        stop_process_group(self.proc, 5)

    def __exit__(self, *exc) -> None:
        self.stop()
        self.log.close()


def run_loadgen(python: str, args: list[str], out: Path, deadline: float,
                profile: Path | None = None, server_pid: int | None = None) -> dict:
    cmd = [python, str(BENCH / "loadgen.py"), *args, "--out", str(out),
           "--deadline", str(deadline)]
    log = out.with_suffix(".loadgen.log")
    spy = None
    if profile is not None and server_pid:
        py_spy = shutil.which("py-spy") or str(Path(python).parent / "py-spy")
        spy = subprocess.Popen([py_spy, "record", "--pid", str(server_pid), "--rate", "250",
                                "--format", "raw", "--output", str(profile), "--nonblocking",
                                "--duration", str(int(deadline))],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        with open(log, "w") as stderr:
            subprocess.run(cmd, cwd=str(ROOT), timeout=deadline + 60, preexec_fn=_child_setup,
                           stdout=subprocess.DEVNULL, stderr=stderr)
    except subprocess.TimeoutExpired:
        return {"errors": {"load generator killed at its deadline": 1}}
    finally:
        if spy is not None and spy.poll() is None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            try:
                spy.wait(15)
            except subprocess.TimeoutExpired:
                spy.kill()
                spy.wait(5)
    try:
        result = json.loads(out.read_text())
    except (OSError, ValueError) as error:
        result = {"errors": {f"no result: {error}": 1}}
    if result.get("errors"):
        result["loadgen_log_tail"] = _read(str(log))[-1500:]
    return result


def machine_busy_cores(seconds: float = 1.0) -> float:
    """How many cores the whole machine keeps busy (from /proc/stat) over `seconds`."""
    def busy():
        fields = [int(x) for x in _read("/proc/stat").splitlines()[0].split()[1:]]
        user, nice, system, _idle, _iowait, _irq, _softirq, steal = (fields + [0] * 8)[:8]
        return (user + nice + system + steal) / os.sysconf("SC_CLK_TCK")
    a = busy()
    time.sleep(seconds)  # noqa: this is the measurement
    return (busy() - a) / seconds


BUDGET = {"end": float("inf")}  # after --max-minutes: no more waiting or retrying


def wait_quiet(limit: float, timeout: float) -> float:
    """Wait (up to timeout seconds) until other programs have used less than `limit` cores
    for 6 s in a row (3 readings of 2 s); returns the last reading."""
    deadline = min(time.monotonic() + timeout, BUDGET["end"])
    quiet_readings = 0
    load = 0.0
    while quiet_readings < 3:
        load = machine_busy_cores(2.0)
        quiet_readings = quiet_readings + 1 if load <= limit else 0
        if time.monotonic() > deadline:
            break
    return round(load, 2)


def one_run(opts, python, workdir, demo, mode, target, n, commands, stamp, label,
            payload_bytes=None, join_style="phased", snapshot_participants=0,
            patches=()) -> dict:
    port = free_port()
    name = f"{mode}-{target}-{n}-{label}"
    if target == "app":
        try:
            db_path = fresh_db(demo["db"], workdir, name, python, demo["root"])
        except RuntimeError as error:
            print(f"  {name}: {error}", flush=True)
            return {"errors": {str(error)[:500]: 1}, "mode": mode, "target": target,
                    "phones": n, "label": label, "join_style": join_style,
                    "patches": list(patches)}
        patches = tuple(dict.fromkeys([*opts.app_patches, *patches]))
        cmd = facilitator_cmd(python, demo["root"], patches) + [
            "serve", "--host", "127.0.0.1", "--port", str(port), "--async-mode", mode]
        env = server_env(workdir, db_path)
    else:
        cmd = [python, str(BENCH / "bare_server.py"), "--async-mode", mode, "--port", str(port),
               "--payload-bytes", str(payload_bytes or 1100),
               "--snapshot-participants", str(snapshot_participants)]
        if "gc-log" in opts.app_patches:
            cmd.append("--gc-log")
        env = server_env(workdir, workdir / "unused.db")
    gen_args = ["--target", target, "--url", f"http://127.0.0.1:{port}", "--phones", str(n),
                "--commands", str(commands), "--interval", str(opts.interval),
                "--fanout-command", opts.fanout_command,
                "--join-concurrency", str(opts.join_concurrency), "--join-style", join_style,
                "--meeting-id", str(demo["meeting_id"])]
    if target == "app":
        gen_args += ["--code", demo["code"]]
        if demo.get("key") and not opts.typed_codes:
            gen_args += ["--join-key", demo["key"]]
    deadline = 240 + n * 0.3 + (commands + 2) * (opts.interval + 2)
    quiet = wait_quiet(opts.quiet_below, opts.quiet_wait) if opts.quiet_wait else None
    print(f"  {name}: {n} phones, {commands} commands (machine busy {quiet} cores before) ...",
          end=" ", flush=True)
    started = time.monotonic()
    try:
        with Server(cmd, env, port, workdir / f"{name}.log") as server:
            gen_args += ["--server-pid", str(server.pid)]
            profile = None
            if opts.profile and target == "app":
                profile = RESULTS / f"{stamp}-{name}.pyspy.txt"
            result = run_loadgen(python, gen_args, workdir / f"{name}.json", deadline,
                                 profile, server.pid)
            if profile is not None:
                result["profile"] = str(profile.relative_to(ROOT))
    except RuntimeError as error:
        result = {"errors": {str(error)[:500]: 1}}
    server_log = _read(str(workdir / f"{name}.log"))
    if server_log.strip():
        (RESULTS / f"{stamp}-{name}.server.log").write_text(server_log)
    log_tail = server_log[-1500:]
    if result.get("errors") and log_tail:
        result["server_log_tail"] = log_tail
    result.update({"machine_busy_cores_before": quiet,
                   "mode": mode, "target": target, "phones": n, "label": label,
                   "join_style": join_style, "patches": list(patches), "wall_s": round(time.monotonic() - started, 1)})
    join, fan = result.get("join", {}), result.get("fanout", {}).get("last", {})
    print(f"joined {join.get('connected')}/{n} in {join.get('total_s')} s, "
          f"fan-out p50 {fan.get('p50')} ms p99 {fan.get('p99')} ms, "
          f"other programs {_other_pct(result)}% of a core"
          + (f"  ERRORS {result['errors']}" if result.get("errors") else ""), flush=True)
    return result


def fmt(value, digits=1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def verdict(ok) -> str:
    return "–" if ok is None else ("pass" if ok else "**FAIL**")


def _int(value):
    return int(value) if isinstance(value, float) else value


def _other_pct(run: dict) -> float | None:
    """Other programs' CPU during this run's join or fan-out (the larger), % of one core."""
    if not run or not (run.get("cpu_join") or run.get("cpu_fanout")):
        return None
    return noise([run])


def noise(pair: list[dict]) -> float:
    """The most other programs took (% of a core) in either phase of any run of a pair."""
    worst = 0.0
    for run in pair:
        for phase in ("cpu_join", "cpu_fanout"):
            cpu = run.get(phase) or {}
            if cpu.get("wall_s"):
                worst = max(worst, 100 * cpu["other_programs_s"] / cpu["wall_s"])
    return round(worst)


def evaluate(runs: list[dict]) -> dict:
    """Pair each app run with the bare run of the same mode and N; check the targets."""
    rows = []
    by_key = {(r["mode"], r["target"], r["phones"], r["label"]): r for r in runs}
    for r in runs:
        if r["target"] != "app" or r["label"] != "main":
            continue
        bare = by_key.get((r["mode"], "bare", r["phones"], "main"), {})
        a_f = r.get("fanout", {}).get("last", {})
        b_f = bare.get("fanout", {}).get("last", {})
        ratio = (a_f["p99"] / b_f["p99"]) if a_f.get("p99") and b_f.get("p99") else None
        join = r.get("join", {})
        complete = (join.get("connected") == r["phones"]
                    and r.get("fanout", {}).get("complete") == r.get("fanout", {}).get("measured")
                    and not r.get("errors"))
        join_ok = None
        if r["phones"] == JOIN_TARGET_N:
            join_ok = bool(complete and join.get("total_s") is not None
                           and join["total_s"] < JOIN_TARGET_S)
        rows.append({
            "mode": r["mode"], "phones": r["phones"], "complete": complete,
            "join_total_s": join.get("total_s"), "join_http_s": join.get("http_s"),
            "join_socket_s": join.get("socket_s"),
            "app_p50": a_f.get("p50"), "app_p99": a_f.get("p99"),
            "app_ack_p50": r.get("fanout", {}).get("ack", {}).get("p50"),
            "bare_socket_s": bare.get("join", {}).get("socket_s"),
            "bare_p50": b_f.get("p50"), "bare_p99": b_f.get("p99"),
            "ratio_p99": round(ratio, 2) if ratio else None,
            "fanout_ok": (ratio is not None and ratio <= FANOUT_RATIO) if ratio else None,
            "join_ok": join_ok,
            "app_us_per_recipient": r.get("server_cpu_us_per_recipient"),
            "bare_us_per_recipient": bare.get("server_cpu_us_per_recipient"),
            "app_kb_per_phone": r.get("server_rss_kb_per_phone"),
            "bare_kb_per_phone": bare.get("server_rss_kb_per_phone"),
            "event_bytes": r.get("fanout", {}).get("event_bytes"),
            "sync_ack_bytes": r.get("join", {}).get("welcome_bytes", {}).get("median"),
            "other_cpu_pct": [_other_pct(r), _other_pct(bare)],
        })
    capacity = []
    for r in runs:
        if r["label"] != "capacity":
            continue
        join = r.get("join", {})
        fan = r.get("fanout", {})
        ok = (join.get("connected") == r["phones"] and r["phones"] > CAPACITY_TARGET
              and r.get("open_sockets_at_end") == r["phones"]
              and fan.get("complete") == fan.get("measured") and not r.get("errors"))
        capacity.append({"mode": r["mode"], "target": r["target"], "phones": r["phones"],
                         "connected": join.get("connected"),
                         "open_at_end": r.get("open_sockets_at_end"),
                         "join_total_s": join.get("total_s"),
                         "fanout_p50": fan.get("last", {}).get("p50"),
                         "fanout_p99": fan.get("last", {}).get("p99"),
                         "server_fds": (r.get("server", {}).get("after_join") or {}).get("fds"),
                         "other_cpu_pct": _other_pct(r), "ok": ok})
    extra = []
    for r in runs:
        if r["label"] != "pipelined":
            continue
        join = r.get("join", {})
        fan = r.get("fanout", {}).get("last", {})
        extra.append({"mode": r["mode"], "phones": r["phones"], "connected": join.get("connected"),
                      "join_total_s": join.get("total_s"), "join_http_s": join.get("http_s"),
                      "fanout_p50": fan.get("p50"), "fanout_p99": fan.get("p99"),
                      "server_cpu_join_s": r.get("server_cpu_join_s"),
                      "broadcasts_during_join": join.get("broadcasts_received_during_join"),
                      "other_cpu_pct": _other_pct(r)})
    snap = []
    for r in runs:
        if r["label"] != "bare_snapshot":
            continue
        join = r.get("join", {})
        app = by_key.get((r["mode"], "app", r["phones"], "main"), {})
        snap.append({"mode": r["mode"], "phones": r["phones"],
                     "connected": join.get("connected"),
                     "bare_socket_s": join.get("socket_s"),
                     "bare_sync_bytes": _int(join.get("welcome_bytes", {}).get("median")),
                     "app_socket_s": app.get("join", {}).get("socket_s"),
                     "app_sync_bytes": _int(app.get("join", {}).get("welcome_bytes", {}).get(
                         "median"))})
    patched = []
    for r in runs:
        if r["label"] != "patched":
            continue
        app = by_key.get((r["mode"], "app", r["phones"], "main"), {})
        patched.append({"mode": r["mode"], "phones": r["phones"], "patches": r.get("patches"),
                        "connected": r.get("join", {}).get("connected"),
                        "join": [x.get("join", {}).get(k) for x in (app, r)
                                 for k in ("total_s", "http_s", "socket_s")],
                        "server_cpu_join_s": [app.get("server_cpu_join_s"),
                                              r.get("server_cpu_join_s")],
                        "fanout_p50_p99": [x.get("fanout", {}).get("last", {}).get(k)
                                           for x in (app, r) for k in ("p50", "p99")],
                        "other_cpu_pct": [_other_pct(app), _other_pct(r)]})
    return {"rows": rows, "capacity": capacity, "pipelined": extra, "bare_snapshot": snap,
            "patched": patched}


def markdown(machine: dict, command: str, summary: dict, opts) -> str:
    pk = machine.get("packages", {})
    lines = [
        f"- Date: {machine['date']}",
        f"- Machine: {machine['nproc']} CPUs ({machine['cpu_model']}), "
        f"{machine['ram_gb']} GB RAM, Linux {machine['kernel']}",
        f"- Python {pk.get('python')}; " + ", ".join(
            f"{p} {pk.get(p)}" for p in PACKAGES if pk.get(p)),
        f"- Code: {machine['code']}",
        f"- Command: `{command}`",
        f"- Server and load generator share the machine; one server process; SQLite (WAL) in "
        f"a temporary directory; {opts.commands} measured commands per run (after 2 warm-ups), "
        f"one every {opts.interval} s; join pages over {opts.join_concurrency} HTTP connections, then each phone joins over its socket.",
        "",
        "| mode | phones | join total s (HTTP + socket) | app fan-out p50 / p99 ms | "
        "bare fan-out p50 / p99 ms | p99 app/bare | app ack p50 ms | "
        "server CPU µs/recipient app / bare | KB/phone app / bare | "
        "other programs' CPU app / bare | join < 5 s | p99 ≤ 1.5× bare |",
        "|---|---:|---|---|---|---:|---:|---|---|---|---|---|",
    ]
    for r in summary["rows"]:
        lines.append(
            f"| {r['mode']} | {r['phones']}{'' if r['complete'] else ' (incomplete)'} | "
            f"{fmt(r['join_total_s'], 2)} ({fmt(r['join_http_s'], 2)} + "
            f"{fmt(r['join_socket_s'], 2)}) | {fmt(r['app_p50'])} / {fmt(r['app_p99'])} | "
            f"{fmt(r['bare_p50'])} / {fmt(r['bare_p99'])} | {fmt(r['ratio_p99'], 2)} | "
            f"{fmt(r['app_ack_p50'])} | {fmt(r['app_us_per_recipient'])} / "
            f"{fmt(r['bare_us_per_recipient'])} | {fmt(r['app_kb_per_phone'], 0)} / "
            f"{fmt(r['bare_kb_per_phone'], 0)} | {fmt(r['other_cpu_pct'][0])}% / "
            f"{fmt(r['other_cpu_pct'][1])}% | {verdict(r['join_ok'])} | "
            f"{verdict(r['fanout_ok'])} |")
    if summary["capacity"]:
        lines += ["", "Capacity (all phones connected at the same time, then "
                  "fan-out to all of them):", "",
                  "| mode | server | phones | connected | still open at end | join s | "
                  "fan-out p50 / p99 ms | server fds | other programs' CPU | > 1024 at once |",
                  "|---|---|---:|---:|---:|---:|---|---:|---:|---|"]
        for c in summary["capacity"]:
            lines.append(f"| {c['mode']} | {c['target']} | {c['phones']} | {c['connected']} | "
                         f"{c['open_at_end']} | {fmt(c['join_total_s'], 2)} | "
                         f"{fmt(c['fanout_p50'])} / {fmt(c['fanout_p99'])} | "
                         f"{fmt(c['server_fds'])} | {fmt(c['other_cpu_pct'])}% | "
                         f"{verdict(c['ok'])} |")
    if summary["pipelined"]:
        lines += ["", "Pipelined joins (each phone joins over its socket right after loading its join page, so "
                  "joins happen while earlier phones are connected and whatever a join "
                  "broadcasts reaches them):", "",
                  "| mode | phones | connected | join total s | HTTP part done at s | "
                  "server CPU during join s | broadcasts the phones got while joining | "
                  "fan-out p50 / p99 ms | other programs' CPU |",
                  "|---|---:|---:|---:|---:|---:|---:|---|---:|"]
        for c in summary["pipelined"]:
            lines.append(f"| {c['mode']} | {c['phones']} | {c['connected']} | "
                         f"{fmt(c['join_total_s'], 2)} | {fmt(c['join_http_s'], 2)} | "
                         f"{fmt(c['server_cpu_join_s'], 2)} | {fmt(c['broadcasts_during_join'])} | "
                         f"{fmt(c['fanout_p50'])} / {fmt(c['fanout_p99'])} | "
                         f"{fmt(c['other_cpu_pct'])}% |")
    if summary.get("bare_snapshot"):
        lines += ["", "Socket part of the join with a snapshot as big as the app's (the bare "
                  "server answering sync with one entry per phone):", "",
                  "| mode | phones | bare socket s (sync ack bytes) | "
                  "app socket s (sync ack bytes) |", "|---|---:|---|---|"]
        for c in summary["bare_snapshot"]:
            lines.append(f"| {c['mode']} | {c['phones']} | {fmt(c['bare_socket_s'], 2)} "
                         f"({fmt(c['bare_sync_bytes'])}) | {fmt(c['app_socket_s'], 2)} "
                         f"({fmt(c['app_sync_bytes'])}) |")
    if summary.get("patched"):
        lines += ["", "The app as it is (the main run above) vs. with experimental patches "
                  "applied at run time "
                  "(bench/launch_app.py; the app's files unchanged):", "",
                  "| mode | phones | patches | join total s (HTTP + socket): as is → patched | "
                  "server CPU during join s | fan-out p50 / p99 ms | other programs' CPU |",
                  "|---|---:|---|---|---|---|---|"]
        for c in summary["patched"]:
            j = c["join"]
            f = c["fanout_p50_p99"]
            lines.append(
                f"| {c['mode']} | {c['phones']} | {', '.join(c['patches'] or [])} | "
                f"{fmt(j[0], 2)} ({fmt(j[1], 2)} + {fmt(j[2], 2)}) → {fmt(j[3], 2)} "
                f"({fmt(j[4], 2)} + {fmt(j[5], 2)}) | {fmt(c['server_cpu_join_s'][0], 2)} → "
                f"{fmt(c['server_cpu_join_s'][1], 2)} | {fmt(f[0])} / {fmt(f[1])} → "
                f"{fmt(f[2])} / {fmt(f[3])} | {fmt(c['other_cpu_pct'][0])}% → "
                f"{fmt(c['other_cpu_pct'][1])}% |")
    lines += ["", "Fan-out = moderator sends the command → the last phone has the event; "
              "ack = the moderator's own acknowledgement. Server CPU per recipient = server "
              "CPU during the fan-out phase / (commands × phones). KB/phone = server RSS growth "
              "while the phones joined / phones. Other programs' CPU = machine-wide CPU use "
              "minus the server's and the generator's, in % of one core, the larger of the "
              "join and the fan-out phase (other work on the shared machine: noise)."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", choices=["eventlet", "gevent"],
                        default=["eventlet", "gevent"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 500, 1000])
    parser.add_argument("--commands", type=int, default=30)
    parser.add_argument("--fanout-command", choices=["agenda.start", "vote.open"],
                        default="agenda.start",
                        help="the measured command: an agenda item started, or a vote opened "
                             "(its batch carries the vote; the bare server's is padded to its size)")
    parser.add_argument("--interval", type=float, default=0.3,
                        help="seconds between the moderator's commands")
    parser.add_argument("--join-concurrency", type=int, default=50)
    parser.add_argument("--capacity", type=int, default=1100,
                        help="phones for the connected-at-once check (0: skip)")
    parser.add_argument("--capacity-modes", nargs="+", choices=["eventlet", "gevent"],
                        help="modes for the capacity check (default: --modes)")
    parser.add_argument("--pipelined-sizes", nargs="*", type=int, default=[],
                        help="also run the app with pipelined joins for these N")
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--typed-codes", action="store_true",
                        help="phones join with the code alone (as if typed), not with the QR "
                             "code's join key: every join passes the limit on typed codes")
    parser.add_argument("--patched-sizes", nargs="*", type=int, default=[],
                        help="also run the app with --patches applied (bench/launch_app.py)")
    patch_names = ["no-binary-check", "snapshot-json", "gc-log", "gc-freeze"]
    parser.add_argument("--patch-sets", nargs="+",
                        default=["no-binary-check+snapshot-json", "gc-freeze"],
                        help="experiments for --patched-sizes: each a '+'-joined set of "
                             f"patches from {patch_names}")
    parser.add_argument("--app-patches", nargs="+", default=[], choices=patch_names,
                        help="patches for every app run (diagnostics, e.g. gc-log)")
    parser.add_argument("--bare-snapshot-sizes", nargs="*", type=int, default=[],
                        help="also run the bare server answering sync with an app-sized "
                             "snapshot (one entry per phone) for these N")
    parser.add_argument("--profile", action="store_true",
                        help="record the app server with py-spy (raw stacks in bench/results)")
    parser.add_argument("--quiet-wait", type=float, default=300.0,
                        help="before each run, wait up to this many seconds for other programs "
                             "to calm down (0: don't wait)")
    parser.add_argument("--max-minutes", type=float, default=120.0,
                        help="after this long, stop waiting for quiet and stop retrying")
    parser.add_argument("--retries", type=int, default=2,
                        help="measure an app/bare pair again when other programs disturbed it")
    parser.add_argument("--noisy", type=float, default=25.0,
                        help="...by more than this %% of one core")
    parser.add_argument("--quiet-below", type=float, default=0.3,
                        help="...until the machine uses fewer cores than this")
    parser.add_argument("--code", default="worktree",
                        help="which code the server runs: worktree (default) or a git "
                             "revision such as HEAD, exported to a temporary directory")
    parser.add_argument("--python", default=venv_python(),
                        help="interpreter with the app installed (default: .venv)")
    opts = parser.parse_args(argv)
    for patch_set in opts.patch_sets:
        if set(patch_set.split("+")) - set(patch_names):
            parser.error(f"unknown patch in {patch_set!r}; known: {patch_names}")
    raise_nofile()
    BUDGET["end"] = time.monotonic() + 60 * opts.max_minutes

    def _terminate(signum, _frame):  # SIGTERM: clean up like Ctrl-C (servers are killed)
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _terminate)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    command = "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
    machine = machine_info(opts.python)
    machine["code"] = (f"working tree at commit {machine['git_commit']}"
                       if opts.code == "worktree" else None)
    print(f"{machine['date']} | {machine['nproc']} CPUs {machine['cpu_model']} | "
          f"{machine['ram_gb']} GB | Python {machine['packages'].get('python')}", flush=True)
    runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="facilitator-bench-") as tmp:
        workdir = Path(tmp)
        root = None
        if opts.code != "worktree":
            root, commit = export_code(opts.code, workdir)
            machine["code"] = f"commit {commit} (exported with git archive, not the working tree)"
        print(f"code: {machine['code']}", flush=True)
        demo = make_demo_db(opts.python, workdir, root)
        demo["root"] = root
        print(f"demo meeting {demo['meeting_id']}, join code {demo['code']}", flush=True)
        try:
            for mode in opts.modes:
                print(f"[{mode}]", flush=True)
                for n in opts.sizes:
                    # The app and its baseline as a pair; a pair disturbed by other programs
                    # (more than --noisy % of a core) is measured again, the quietest kept.
                    pairs = []
                    for attempt in range(1 + opts.retries):
                        app = one_run(opts, opts.python, workdir, demo, mode, "app", n,
                                      opts.commands, stamp, "main")
                        pair = [app]
                        if not opts.skip_bare:
                            size = app.get("fanout", {}).get("event_bytes")
                            pair.append(one_run(opts, opts.python, workdir, demo, mode, "bare",
                                                n, opts.commands, stamp, "main",
                                                payload_bytes=int(size) if size else None))
                        pairs.append((noise(pair), attempt, pair))
                        if noise(pair) <= opts.noisy or time.monotonic() > BUDGET["end"]:
                            break
                        print(f"  (other programs took {noise(pair)}% of a core: again)",
                              flush=True)
                    pairs.sort(key=lambda p: (p[0], p[1]))
                    for rank, (_, _, pair) in enumerate(pairs):
                        for r in pair:
                            if rank:
                                r["label"] = "main-noisier-attempt"
                            runs.append(r)
                def quietest(*args, **kwargs):
                    """One run, measured again while other programs disturbed it."""
                    attempts = []
                    for attempt in range(1 + opts.retries):
                        r = one_run(opts, opts.python, workdir, demo, mode, *args, **kwargs)
                        attempts.append((noise([r]), attempt, r))
                        if noise([r]) <= opts.noisy or time.monotonic() > BUDGET["end"]:
                            break
                        print(f"  (other programs took {noise([r])}% of a core: again)",
                              flush=True)
                    attempts.sort(key=lambda a: (a[0], a[1]))
                    for rank, (_, _, r) in enumerate(attempts):
                        if rank:
                            r["label"] += "-noisier-attempt"
                        runs.append(r)

                for n in opts.bare_snapshot_sizes:
                    quietest("bare", n, 5, stamp, "bare_snapshot",
                             snapshot_participants=n + 10)
                for n in opts.patched_sizes:
                    for patch_set in opts.patch_sets:
                        quietest("app", n, opts.commands, stamp, "patched",
                                 patches=tuple(patch_set.split("+")))
                for n in opts.pipelined_sizes:
                    quietest("app", n, opts.commands, stamp, "pipelined",
                             join_style="pipelined")
                if opts.capacity and mode in (opts.capacity_modes or opts.modes):
                    print(f"[capacity {mode}]", flush=True)
                    quietest("app", opts.capacity, 5, stamp, "capacity")
        except KeyboardInterrupt:
            print("interrupted: writing what was measured", flush=True)
    summary = evaluate(runs)
    md = markdown(machine, command, summary, opts)
    (RESULTS / f"{stamp}.json").write_text(json.dumps(
        {"machine": machine, "command": command, "summary": summary, "runs": runs}, indent=1))
    (RESULTS / f"{stamp}.md").write_text(md)
    print()
    print(md)
    print(f"results: {RESULTS / (stamp + '.json')} and {stamp}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
