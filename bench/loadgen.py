"""Simulated phones: one asyncio process speaking Engine.IO v4 / Socket.IO v5 frames directly
over aiohttp websockets (about 20 KB a phone, so thousands fit in one process).

Targets
  app   the real facilitator: the moderator signs in (POST /login) and connects the console;
        each phone loads the join page (GET /j/<code>), then connects to "/live" with the join
        form's answers in its handshake (the join itself; the welcome carries its token) and
        syncs.
  bare  bench/bare_server.py: phones connect and sync only; a "trigger" client stands in for
        the moderator.

Measured
  join    from the first join page requested until every phone has joined over its socket
          and has its first sync ack (split into the page part and the socket part);
  fan-out for each moderator command: send → its ack, → the first phone, → the LAST phone
          having a broadcast that covers the command's seq (p50/p99 over the commands).

Broadcasts understood: "event" {seq, ...} (one event) and "batch" {from, to, ...} (events
from..to, as the app sends them since the coalesced fan-out).

Writes one JSON document to --out (or stdout), partial if a deadline struck. Every wait has a
timeout; it always exits. Only talks to the --url given (127.0.0.1 in the benchmark).
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import resource
import secrets
import statistics
import sys
import time
from collections import Counter, defaultdict

import aiohttp

NS = "/live"
EVENT_RE = re.compile(r'^42/live,\["event",\{"seq":(\d+)')
BATCH_RE = re.compile(r'^42/live,\["batch",\{"from":(\d+),"to":(\d+)')
TOKEN_RE = re.compile(r'"token":"([^"]+)"')
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CLK_TCK = os.sysconf("SC_CLK_TCK")
now = time.perf_counter

# Every simulated phone connects from 127.0.0.1: the server's limit on people joining from one
# address (JOIN_ADDRESS_LIMIT, sized for a real room) is lifted for the servers benchmarks start.
ONE_ADDRESS_FOR_ALL_PHONES = {"JOIN_ADDRESS_LIMIT": "100000"}
T0 = now()


def log(message: str) -> None:
    print(f"[{now() - T0:7.2f}s] {message}", file=sys.stderr, flush=True)


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def proc_sample(pid: int | None) -> dict | None:
    """CPU seconds (user+system), RSS and open fds of a process, from /proc."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
        rss_kb = 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss_kb = int(line.split()[1])
        return {"cpu_s": cpu, "rss_kb": rss_kb, "fds": len(os.listdir(f"/proc/{pid}/fd"))}
    except (OSError, ValueError, IndexError):
        return None


def machine_busy() -> float | None:
    """CPU seconds all processes on the machine have used (from /proc/stat): minus the
    server's and ours, what other programs took while we measured. Interrupt time is left
    out: it is mostly the loopback traffic of our own sockets."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = (fields + [0] * 8)[:8]
    return round((user + nice + system + steal) / CLK_TCK, 2)


def freeze_own_objects() -> None:
    """The generator's own garbage collector: after the phones joined it holds a thousand
    connections' objects, and a full collection of them stalled the generator itself for
    up to a second in the middle of a measurement (seen in the vote burst: acks "arriving"
    in a clump after a silent second). Freeze them, as the server's policy does."""
    gc.collect()
    gc.freeze()


def snap(pid: int | None) -> dict:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {**(proc_sample(pid) or {}),
            "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "machine_busy_s": machine_busy(), "t": round(now(), 3)}


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def summary_ms(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "p50": round(pct(ms, 50), 1), "p90": round(pct(ms, 90), 1),
            "p99": round(pct(ms, 99), 1), "max": round(max(ms), 1),
            "mean": round(statistics.fmean(ms), 1)}


class Tracker:
    """When each seq reached the phones: count, first and last arrival. A seq is complete
    when every phone still connected has it."""

    def __init__(self):
        self.alive = 0
        self.count: dict[int, int] = defaultdict(int)
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.bytes: dict[int, int] = {}
        self.waiters: dict[int, asyncio.Future] = {}
        self.messages = 0
        self.last_message_at = now()

    def hit(self, first_seq: int, last_seq: int, t: float, size: int) -> None:
        self.messages += 1
        self.last_message_at = t
        for seq in range(first_seq, last_seq + 1):
            c = self.count[seq] + 1
            self.count[seq] = c
            if c == 1:
                self.first[seq] = t
                self.bytes[seq] = size
            self.last[seq] = t
            if seq in self.waiters:
                self._check(seq)

    def lost_phone(self) -> None:
        self.alive -= 1
        for seq in list(self.waiters):
            self._check(seq)

    def _check(self, seq: int) -> None:
        fut = self.waiters.get(seq)
        if fut is not None and not fut.done() and self.count[seq] >= self.alive:
            fut.set_result(None)

    async def wait_all(self, seq: int, timeout: float) -> bool:
        if self.count[seq] >= self.alive:
            return True
        fut = self.waiters.setdefault(seq, asyncio.get_running_loop().create_future())
        try:
            await asyncio.wait_for(asyncio.shield(fut), timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            self.waiters.pop(seq, None)


class SocketClient:
    """One Engine.IO/Socket.IO connection to the "/live" namespace."""

    def __init__(self, http: aiohttp.ClientSession, ws_url: str, cookie: str | None,
                 tracker: Tracker | None):
        self.http = http
        self.ws_url = ws_url
        self.cookie = cookie
        self.tracker = tracker
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task | None = None
        self.acks: dict[int, asyncio.Future] = {}
        self.next_ack = 1
        self.connected: asyncio.Future | None = None
        self.welcome: asyncio.Future | None = None
        self.counted = False  # in tracker.alive
        self.closing = False
        self.closed_reason: str | None = None
        self.token: str | None = None  # a phone's, from the welcome when it joined
        # Called with (text, arrival time) for every event the server sends ("42/live,[…"),
        # before the generator's own handling (bench/fleet.py checks where each came from).
        self.inspect = None

    @property
    def is_open(self) -> bool:
        return self.ws is not None and not self.ws.closed and self.closed_reason is None

    async def connect(self, auth: dict, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        self.connected = loop.create_future()
        self.welcome = loop.create_future()
        headers = {"Cookie": f"session={self.cookie}"} if self.cookie else {}
        self.ws = await asyncio.wait_for(
            self.http.ws_connect(self.ws_url, headers=headers, autoping=True,
                                 max_msg_size=16 * 1024 * 1024, compress=0), timeout)
        opening = await asyncio.wait_for(self.ws.receive(), timeout)
        if opening.type != aiohttp.WSMsgType.TEXT or not opening.data.startswith("0"):
            raise ConnectionError(f"no Engine.IO open packet: {str(opening.data)[:200]}")
        self.reader = asyncio.create_task(self._read())
        await self.ws.send_str(f"40{NS}," + json.dumps(auth, separators=(",", ":")))
        await asyncio.wait_for(asyncio.shield(self.connected), timeout)
        await asyncio.wait_for(asyncio.shield(self.welcome), timeout)

    async def call(self, event: str, data, timeout: float) -> str:
        """Emit with an ack id; returns the ack's payload (the JSON array) as text."""
        ack_id = self.next_ack
        self.next_ack += 1
        fut = asyncio.get_running_loop().create_future()
        self.acks[ack_id] = fut
        await self.ws.send_str(f"42{NS},{ack_id}" + json.dumps([event, data],
                                                              separators=(",", ":")))
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.acks.pop(ack_id, None)

    async def _read(self) -> None:
        prefix_ack = f"43{NS},"
        try:
            async for msg in self.ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = msg.data
                if data == "2":
                    await self.ws.send_str("3")
                    continue
                if self.inspect is not None and data.startswith("42"):
                    self.inspect(data, now())
                if data.startswith('42/live,["batch"') or data.startswith('42/live,["event"'):
                    t = now()
                    if self.tracker is not None:
                        m = BATCH_RE.match(data)
                        if m:
                            self.tracker.hit(int(m.group(1)), int(m.group(2)), t, len(data))
                        else:
                            m = EVENT_RE.match(data)
                            if m:
                                seq = int(m.group(1))
                                self.tracker.hit(seq, seq, t, len(data))
                elif data.startswith(prefix_ack):
                    i = len(prefix_ack)
                    j = data.index("[", i)
                    fut = self.acks.get(int(data[i:j]))
                    if fut is not None and not fut.done():
                        fut.set_result(data[j:])
                elif data.startswith(f"40{NS},"):
                    if not self.connected.done():
                        self.connected.set_result(data)
                elif data.startswith(f"44{NS},"):
                    if not self.connected.done():
                        self.connected.set_exception(ConnectionRefusedError(data[:300]))
                elif data.startswith(f'42{NS},["welcome"'):
                    if not self.welcome.done():
                        self.welcome.set_result(data)
                        token = TOKEN_RE.search(data)  # not json.loads: ~9 KB of snapshot
                        self.token = token.group(1) if token else None
                elif data.startswith("1"):  # Engine.IO close
                    break
            self.closed_reason = f"closed by server (ws code {self.ws.close_code})"
        except Exception as error:  # noqa: BLE001 - recorded, the run continues
            self.closed_reason = f"{type(error).__name__}: {error}"[:120]
        finally:
            if self.closing:
                self.closed_reason = "closed by us"
            for fut in (self.connected, self.welcome, *self.acks.values()):
                if fut is not None and not fut.done():
                    fut.set_exception(ConnectionError(self.closed_reason or "closed"))
            if self.counted and self.tracker is not None:
                self.counted = False
                self.tracker.lost_phone()

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None and not self.ws.closed:
            try:
                await asyncio.wait_for(self.ws.close(), 2)
            except Exception:  # noqa: BLE001
                pass
        if self.reader is not None:
            self.reader.cancel()


def _session_cookie(resp: aiohttp.ClientResponse) -> str | None:
    morsel = resp.cookies.get("session")
    return morsel.value if morsel is not None else None


async def login(http: aiohttp.ClientSession, base: str, username: str, password: str,
                timeout: float) -> str:
    t = aiohttp.ClientTimeout(total=timeout)
    async with http.get(f"{base}/login", timeout=t) as r:
        html = await r.text()
        cookie = _session_cookie(r)
    token = CSRF_RE.search(html).group(1)
    async with http.post(f"{base}/login", data={"csrf_token": token, "username": username,
                                                "password": password},
                         headers={"Cookie": f"session={cookie}"} if cookie else {},
                         allow_redirects=False, timeout=t) as r:
        await r.read()
        if r.status != 302:
            raise RuntimeError(f"login failed: HTTP {r.status}")
        return _session_cookie(r)


async def open_join_page(http: aiohttp.ClientSession, base: str, code: str,
                         timeout: float, key: str | None = None) -> None:
    """What a phone does first: GET the page the QR code points to (the join form; with the
    meeting's join key when the app puts one in the QR code)."""
    t = aiohttp.ClientTimeout(total=timeout)
    async with http.get(f"{base}/j/{code}" + (f"?k={key}" if key else ""), timeout=t) as r:
        html = await r.text()
        if r.status != 200 or 'id="join-form"' not in html:
            raise RuntimeError(f"GET /j: HTTP {r.status}")


def join_auth(meeting_id: int, code: str, index: int, party: str,
              key: str | None = None) -> dict:
    """The handshake of a phone joining with the join form's answers (docs/protocol.md)."""
    answers = {"code": code, "name": f"Phone {index:04d}", "party": party, "unit": None,
               "command_id": secrets.token_hex(16)}
    if key:
        answers["key"] = key  # the page the QR code opened sends the link's key
    return {"meeting_id": meeting_id, "face": "phone", "join": answers,
            "sync": {"since": None}}  # the catch-up comes with the welcome


async def join_phone(client: "SocketClient", base: str, meeting_id: int, code: str,
                     index: int, party: str, timeout: float) -> None:
    """A phone's whole join: the page, then the socket with the join form's answers (the
    welcome carries the phone's token, kept in client.token)."""
    await open_join_page(client.http, base, code, timeout)
    await client.connect(join_auth(meeting_id, code, index, party), timeout)


async def sync(client: SocketClient, timeout: float) -> str:
    raw = await client.call("sync", {"since": None}, timeout)
    if not raw.startswith('[{"ok":true'):
        raise RuntimeError(f"sync refused: {raw[:300]}")
    return raw


async def open_console(wsconn: aiohttp.ClientSession, ws_url: str, target: str,
                       meeting_id: int, cookie: str | None,
                       timeout: float) -> tuple[SocketClient, list[int]]:
    """The moderator's console of a meeting (app; `cookie` from `login`) with direct entry
    on, and the two agenda items its agenda.start commands alternate between (the first
    one not running now first); or the bare server's trigger client (ids unused)."""
    if target != "app":
        chair = SocketClient(wsconn, ws_url, None, None)
        await chair.connect({"meeting_id": meeting_id, "face": "trigger"}, timeout)
        return chair, [0, 0]
    chair = SocketClient(wsconn, ws_url, cookie, None)
    await chair.connect({"meeting_id": meeting_id, "face": "console"}, timeout)
    snapshot = json.loads(await sync(chair, timeout))[0]["snapshot"]
    agenda = sorted(snapshot["agenda"].values(), key=lambda a: a["position"])
    ids = [a["id"] for a in agenda[:2]]
    if snapshot["meeting"].get("current_item_id") == ids[0]:
        ids.reverse()
    if not snapshot["meeting"].get("allow_direct_entry"):
        ack = json.loads(await chair.call("command", {
            "id": "bench-configure-" + secrets.token_hex(4),
            "type": "meeting.configure", "payload": {"allow_direct_entry": True}},
            timeout))[0]
        if not ack.get("ok"):
            raise RuntimeError(f"meeting.configure refused: {ack}")
        await asyncio.sleep(0.3)
    return chair, ids


# The straw poll a vote.open command opens (the demo's three plans).
BENCH_VOTE = {"kind": "straw_poll", "method": "single", "title": "意向表决：维修方案",
              "question": "您倾向哪个维修方案？", "plans": ["A", "B", "C"],
              "eligibility": "owners_present"}


def _derive(result: dict, args) -> None:
    """CPU, memory and machine-load figures from the /proc samples."""
    s = result.get("server", {})
    join = result.get("join") or {}
    try:
        if s.get("before_phones", {}).get("rss_kb") and s.get("after_join", {}).get("rss_kb") \
                and join.get("connected"):
            n = join["connected"]
            result["server_rss_kb_per_phone"] = round(
                (s["after_join"]["rss_kb"] - s["before_phones"]["rss_kb"]) / n, 1)
            result["server_cpu_join_s"] = round(
                s["after_join"]["cpu_s"] - s["before_phones"]["cpu_s"], 2)
        for phase, (a, b) in {"join": ("before_phones", "after_join"),
                              "fanout": ("before_fanout", "after_fanout")}.items():
            if s.get(a) and s.get(b) and s[a].get("machine_busy_s") is not None:
                wall = s[b]["t"] - s[a]["t"]
                busy = s[b]["machine_busy_s"] - s[a]["machine_busy_s"]
                server = s[b].get("cpu_s", 0) - s[a].get("cpu_s", 0)
                client = s[b]["client_cpu_s"] - s[a]["client_cpu_s"]
                result[f"cpu_{phase}"] = {
                    "wall_s": round(wall, 2), "server_s": round(server, 2),
                    "client_s": round(client, 2),
                    "other_programs_s": round(max(0.0, busy - server - client), 2)}
        fan = result.get("fanout") or {}
        if s.get("before_fanout") and s.get("after_fanout") and fan.get("sent"):
            cpu = s["after_fanout"]["cpu_s"] - s["before_fanout"]["cpu_s"]
            recipients = fan["sent"] * max(1, join.get("connected") or 1)
            result["server_cpu_fanout_s"] = round(cpu, 2)
            result["server_cpu_us_per_recipient"] = round(cpu / recipients * 1e6, 1)
    except (KeyError, TypeError, ZeroDivisionError):
        pass


async def run(args, result: dict) -> None:
    base = args.url.rstrip("/")
    ws_url = base.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    tracker = Tracker()
    errors: dict[str, int] = result["errors"]
    samples = result["server"]
    samples["start"] = snap(args.server_pid)

    http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=args.join_concurrency),
        cookie_jar=aiohttp.DummyCookieJar())
    wsconn = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                   cookie_jar=aiohttp.DummyCookieJar())
    phones: list[SocketClient] = []
    chair = None
    try:
        # --- the moderator (app) or the trigger (bare)
        cookie = None
        if args.target == "app":
            cookie = await login(http, base, args.username, args.password, args.timeout)
        chair, ids = await open_console(wsconn, ws_url, args.target, args.meeting_id, cookie,
                                        args.timeout)
        log("moderator connected")
        samples["before_phones"] = snap(args.server_pid)

        # --- N phones join and connect
        join_sem = asyncio.Semaphore(args.join_concurrency)
        sock_sem = asyncio.Semaphore(args.socket_concurrency or max(1, args.phones))
        http_done: list[float] = []
        http_durations: list[float] = []
        sock_durations: list[float] = []
        sync_bytes: list[int] = []

        async def join_page(i: int) -> bool:
            if args.target != "app":
                return True
            async with join_sem:
                t = now()
                try:
                    await open_join_page(http, base, args.code, args.timeout, args.join_key)
                except Exception as error:  # noqa: BLE001
                    errors[f"join page: {type(error).__name__}: {str(error)[:80]}"] += 1
                    return False
                http_durations.append(now() - t)
                http_done.append(now())
                return True

        async def join_socket(i: int) -> bool:
            client = SocketClient(wsconn, ws_url, None, tracker)
            phones.append(client)
            auth = (join_auth(args.meeting_id, args.code, i, args.party, args.join_key)
                    if args.target == "app" else {"meeting_id": args.meeting_id, "face": "phone",
                                                  "sync": {"since": None}})
            async with sock_sem:
                t = now()
                try:
                    await client.connect(auth, args.timeout)
                    client.counted = True
                    tracker.alive += 1
                    welcome = client.welcome.result()
                    if '"sync":{"ok":true' not in welcome:
                        raise RuntimeError(f"no catch-up in the welcome: {welcome[:200]}")
                    sync_bytes.append(len(welcome))
                except Exception as error:  # noqa: BLE001
                    errors[f"socket: {type(error).__name__}: {str(error)[:80]}"] += 1
                    return False
                sock_durations.append(now() - t)
                return True

        async def join_pipelined(i: int) -> bool:
            return await join_page(i) and await join_socket(i)

        t0 = now()
        if args.join_style == "pipelined":
            oks = await asyncio.gather(*(join_pipelined(i) for i in range(args.phones)))
            t_http = max(http_done) if http_done else t0
            t_sock_start = t0
        else:
            pages = await asyncio.gather(*(join_page(i) for i in range(args.phones)))
            t_http = now()
            samples["after_http"] = snap(args.server_pid)
            log(f"join pages loaded in {t_http - t0:.2f} s")
            t_sock_start = now()
            oks = await asyncio.gather(*(join_socket(i) for i, ok in enumerate(pages) if ok))
        t_all = now()
        samples["after_join"] = snap(args.server_pid)
        connected = sum(1 for ok in oks if ok)
        result["join"] = {
            "connected": connected,
            "total_s": round(t_all - t0, 3),
            "http_s": round(t_http - t0, 3) if args.target == "app" else 0.0,
            "socket_s": round(t_all - t_sock_start, 3),
            "http_per_phone": summary_ms(http_durations),
            "socket_per_phone": summary_ms(sock_durations),
            "open_sockets_after_join": sum(1 for p in phones if p.is_open),
            "broadcasts_received_during_join": tracker.messages,
            "welcome_bytes": {"median": statistics.median(sync_bytes) if sync_bytes else None,
                               "max": max(sync_bytes) if sync_bytes else None},
        }
        log(f"{connected}/{args.phones} phones connected and synced in {t_all - t0:.2f} s")
        freeze_own_objects()

        # Let the server flush what is still queued (joins broadcast to those connected).
        settle_until = now() + args.settle_max
        while now() < settle_until and now() - tracker.last_message_at < args.settle_quiet:
            await asyncio.sleep(0.1)
        await asyncio.sleep(args.settle_quiet)

        # --- fan-out: the moderator's commands, paced (the app allows 5/s per connection)
        rows = []
        result["fanout"] = fan = {"rows": rows, "sent": 0}
        samples["before_fanout"] = snap(args.server_pid)
        votes = []
        if args.target == "app" and args.fanout_command == "vote.open":
            # The votes the commands open, one each, made beforehand (not measured).
            for i in range(args.warmup + args.commands):
                made = json.loads(await chair.call("command", {
                    "id": f"bench-vote-{secrets.token_hex(6)}-{i}", "type": "vote.create",
                    "payload": BENCH_VOTE}, args.ack_timeout))[0]
                if not made.get("ok"):
                    raise RuntimeError(f"vote.create refused: {made}")
                votes.append(made["result"]["vote_id"])
                await asyncio.sleep(args.interval)
            await asyncio.sleep(args.settle_quiet)
        budget_end = now() + args.fanout_budget
        for i in range(args.warmup + args.commands):
            if not chair.is_open:
                errors[f"moderator disconnected: {chair.closed_reason}"] += 1
                break
            if now() > budget_end:
                errors["fan-out phase over its time budget"] += 1
                break
            if votes:
                cmd = {"id": f"bench-{secrets.token_hex(6)}-{i}", "type": "vote.open",
                       "payload": {"id": votes[i]}}
            else:
                cmd = {"id": f"bench-{secrets.token_hex(6)}-{i}", "type": "agenda.start",
                       "payload": {"id": ids[i % 2]}}
            alive = tracker.alive
            t_send = now()
            try:
                ack = json.loads(await chair.call("command", cmd, args.ack_timeout))[0]
            except Exception as error:  # noqa: BLE001
                errors[f"command: {type(error).__name__}: {str(error)[:80]}"] += 1
                await asyncio.sleep(args.interval)
                continue
            t_ack = now()
            fan["sent"] += 1
            if not ack.get("ok"):
                errors[f"command refused: {(ack.get('error') or {}).get('code')}"] += 1
                await asyncio.sleep(args.interval)
                continue
            seq = ack["seq"]
            complete = await tracker.wait_all(seq, args.fanout_timeout)
            if i >= args.warmup:
                rows.append({
                    "seq": seq, "complete": complete, "received": tracker.count[seq],
                    "sent_at": round(time.time() - (now() - t_send), 3),
                    "phones_alive": alive,
                    "ack_ms": round((t_ack - t_send) * 1000, 2),
                    "first_ms": round((tracker.first.get(seq, t_send) - t_send) * 1000, 2),
                    "last_ms": round((tracker.last.get(seq, t_send) - t_send) * 1000, 2),
                    "bytes": tracker.bytes.get(seq)})
            # Next command no sooner than `interval` after this one, and a short quiet gap
            # after the last phone had it, so commands never overlap.
            await asyncio.sleep(max(args.gap, t_send + args.interval - now()))
            if votes:  # the vote opened goes again (cancelled, not measured): one open at a time
                t_cancel = now()
                gone = json.loads(await chair.call("command", {
                    "id": f"bench-cancel-{secrets.token_hex(6)}-{i}", "type": "vote.cancel",
                    "payload": {"id": votes[i]}}, args.ack_timeout))[0]
                if gone.get("ok"):
                    await tracker.wait_all(gone["seq"], args.fanout_timeout)
                else:
                    errors[f"vote.cancel refused: {(gone.get('error') or {}).get('code')}"] += 1
                await asyncio.sleep(max(args.gap, t_cancel + args.interval - now()))
        samples["after_fanout"] = snap(args.server_pid)
        done = [r for r in rows if r["complete"]]
        fan.update({
            "measured": len(rows), "complete": len(done),
            "last": summary_ms([r["last_ms"] / 1000 for r in done]),
            "first": summary_ms([r["first_ms"] / 1000 for r in rows]),
            "ack": summary_ms([r["ack_ms"] / 1000 for r in rows]),
            "event_bytes": statistics.median([r["bytes"] for r in rows if r["bytes"]])
            if any(r["bytes"] for r in rows) else None,
        })
        log(f"fan-out: {len(done)}/{len(rows)} complete, p50 {fan['last'].get('p50')} ms")
    finally:
        result["open_sockets_at_end"] = sum(1 for p in phones if p.is_open)
        result["broadcasts_received_total"] = tracker.messages
        lost = Counter(p.closed_reason for p in phones if p.closed_reason)
        if lost:
            result["phones_lost"] = dict(lost)
        _derive(result, args)
        for p in phones:
            p.closing = True
        await asyncio.gather(*(p.close() for p in phones), return_exceptions=True)
        if chair is not None:
            await chair.close()
        await http.close()
        await wsconn.close()


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Simulated phones for the facilitator benchmark.")
    p.add_argument("--target", choices=["app", "bare"], required=True)
    p.add_argument("--url", required=True, help="e.g. http://127.0.0.1:5101")
    p.add_argument("--phones", type=int, default=100)
    p.add_argument("--commands", type=int, default=30, help="measured commands")
    p.add_argument("--fanout-command", choices=["agenda.start", "vote.open"], default="agenda.start",
                   help="what the moderator's measured commands do (app): start an agenda item, "
                        "or open a straw poll made beforehand (cancelled after each, unmeasured)")
    p.add_argument("--warmup", type=int, default=2, help="commands sent first, not measured")
    p.add_argument("--interval", type=float, default=0.3,
                   help="seconds between commands (the app allows 5/s, burst 10)")
    p.add_argument("--gap", type=float, default=0.05,
                   help="minimum quiet seconds after the last phone had a broadcast")
    p.add_argument("--code", help="join code (app)")
    p.add_argument("--join-key", help="the meeting's join key, as the QR code's link carries "
                                      "it (app; without it the phones go by the code alone)")
    p.add_argument("--meeting-id", type=int, default=1)
    p.add_argument("--username", default="zhengwentao")
    p.add_argument("--password", default="demo-2026")
    p.add_argument("--party", default="observer")
    p.add_argument("--join-style", choices=["phased", "pipelined"], default="phased",
                   help="phased: all join pages, then all sockets (each joining in its "
                        "handshake); pipelined: each phone connects right after loading its "
                        "page (joins happen in front of the phones connected)")
    p.add_argument("--join-concurrency", type=int, default=50,
                   help="HTTP connections used for the join pages")
    p.add_argument("--socket-concurrency", type=int, default=0,
                   help="sockets opening at once (0: all N at once)")
    p.add_argument("--timeout", type=float, default=60.0, help="per request, connect or sync")
    p.add_argument("--ack-timeout", type=float, default=15.0, help="per moderator command")
    p.add_argument("--fanout-timeout", type=float, default=10.0,
                   help="per command, for the last phone")
    p.add_argument("--fanout-budget", type=float, default=240.0,
                   help="the whole fan-out phase stops after this many seconds")
    p.add_argument("--settle-quiet", type=float, default=1.0)
    p.add_argument("--settle-max", type=float, default=30.0)
    p.add_argument("--server-pid", type=int, help="read the server's CPU and memory from /proc")
    p.add_argument("--deadline", type=float, default=600.0, help="give up after this long")
    p.add_argument("--out", help="write the JSON result here (default: stdout)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.target == "app" and not args.code:
        sys.exit("--code is needed for the app")
    result: dict = {"target": args.target, "phones": args.phones, "commands": args.commands,
                    "join_style": args.join_style, "client_nofile": raise_nofile(),
                    "errors": defaultdict(int), "server": {}}

    async def bounded():
        await asyncio.wait_for(run(args, result), args.deadline)

    try:
        asyncio.run(bounded())
    except asyncio.TimeoutError:
        result["errors"][f"load generator deadline ({args.deadline:.0f} s) exceeded"] += 1
    except Exception as error:  # noqa: BLE001
        result["errors"][f"{type(error).__name__}: {error}"[:300]] += 1
    result["errors"] = dict(result["errors"])
    text = json.dumps(result, indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        print(text)
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
