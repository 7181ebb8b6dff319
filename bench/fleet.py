"""Phones spread over several load-generator processes, for the worker-group benchmarks
(bench/scale.py).

One asyncio process reading every broadcast of 3000 phones is itself the bottleneck on a
2-core machine (bench/loadgen.py holds about 1000 comfortably). Here the phones live in K
child processes (`python bench/fleet.py --child …`), phone i in child i % K and in meeting
i % M; the calling process (`Fleet`) holds the moderators' consoles and tells the children
what to do over their stdin, one JSON object a line; they answer on stdout the same way.

The children reuse bench/loadgen.py's connections (`SocketClient`, `Tracker`, the join
page and handshake). What a child adds:

- each phone checks every event the server sends it against its own meeting: an
  `agenda.item_started` of an item of another meeting, a `heartbeat` naming another
  meeting, or a change to another meeting's entity counts as a **foreign event**;
- with `--reconnect`, a phone that loses its connection reconnects as the phone page does
  (socket.io-client's delays: 0.5 s, doubling up to 5 s, ±50 %; the handshake carries its
  token and `sync: {since: <its newest seq>}`) and syncs when a `heartbeat` shows it is
  behind (after 0.5–1.5 s, docs/protocol.md §5); it notes when its newest seq changed.

Times are `time.perf_counter()`, CLOCK_MONOTONIC on Linux: one clock for every process of
the machine, so the children's arrival times compare with the coordinator's send times.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import sys
from collections import Counter
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import (BATCH_RE, EVENT_RE, SocketClient, Tracker,  # noqa: E402
                     freeze_own_objects, join_auth, now, open_join_page, raise_nofile)

# what names a meeting or an agenda item in a batch: an event's item, an agenda entity's id,
# the meeting entity's id and its current item (docs/protocol.md §3, §7)
ITEM_RE = re.compile(r'"(?:item_id|current_item_id)":(\d+)')
AGENDA_RE = re.compile(r'\{"c":"agenda","id":(\d+)')
MEETING_RE = re.compile(r'\{"c":"meeting",(?:"id":\d+,)?"v":\{"id":(\d+)')
HEARTBEAT_RE = re.compile(r'^42/live,\["heartbeat",\{"meeting_id":(\d+),"seq":(\d+)')
# socket.io-client 4 with the phone page's options (static/js/store.js)
RECONNECT_DELAY, RECONNECT_DELAY_MAX, RANDOMIZATION = 0.5, 5.0, 0.5


# ------------------------------------------------------------------------- the children

class Phone:
    def __init__(self, child: "Child", index: int, meeting: dict):
        self.child, self.index, self.meeting = child, index, meeting
        self.items = set(meeting.get("items") or ())
        self.client: SocketClient | None = None
        self.token: str | None = None
        self.held = 0                  # the newest seq it holds
        self.history: list[tuple[float, int]] = []   # (when, newest seq) at each rise
        self.drops: list[float] = []   # when its connection was lost (not by us)
        self.backs: list[float] = []   # when it was connected again
        self.refused: str | None = None
        self.syncing = False
        self.join_answers: dict | None = None
        self.join_tries = 0

    # what the server sends
    def inspect(self, text: str, t: float) -> None:
        child = self.child
        child.inspected += 1
        if text.startswith('42/live,["batch"'):
            if child.sample is None and '"item_id"' in text:
                child.sample = text[:1500]
            m = BATCH_RE.match(text)
            if child.check_meetings:
                self._check(text)
            if m:
                self._hold(int(m.group(2)), t)
        elif text.startswith('42/live,["event"'):
            m = EVENT_RE.match(text)
            if child.check_meetings:
                self._check(text)
            if m:
                self._hold(int(m.group(1)), t)
        elif text.startswith('42/live,["heartbeat"'):
            m = HEARTBEAT_RE.match(text)
            if m is None:
                return
            if int(m.group(1)) != self.meeting["id"]:
                child.foreign["heartbeat of another meeting"] += 1
            elif child.reconnect and int(m.group(2)) > self.held and not self.syncing:
                self.syncing = True
                asyncio.get_running_loop().create_task(self._sync_later(int(m.group(2))))

    def _check(self, text: str) -> None:
        if self.items:
            for item in ITEM_RE.findall(text):
                if int(item) not in self.items:
                    self.child.foreign["an item of another meeting"] += 1
        for meeting in MEETING_RE.findall(text):
            self.child.named_meetings += 1
            if int(meeting) != self.meeting["id"]:
                self.child.foreign["another meeting's entity"] += 1
        if self.items:
            for item in AGENDA_RE.findall(text):
                if int(item) not in self.items:
                    self.child.foreign["another meeting's agenda item"] += 1

    def _hold(self, seq: int, t: float) -> None:
        if seq > self.held:
            self.held = seq
            if self.child.reconnect:
                self.history.append((t, seq))

    # connecting
    def auth(self) -> dict:
        m = self.meeting
        if self.child.target != "app":
            return {"meeting_id": m["id"], "face": "phone", "sync": {"since": None}}
        if self.token is None:  # the join form's answers, the same at every try
            if self.join_answers is None:
                self.join_answers = join_auth(m["id"], m["code"], self.index, self.child.party,
                                              m.get("key"))
            return self.join_answers
        return {"meeting_id": m["id"], "face": "phone", "token": self.token,
                "sync": {"since": self.held}}

    async def connect(self) -> None:
        child = self.child
        client = SocketClient(child.wsconn, child.ws_url, None, child.trackers[self.meeting["id"]])
        client.inspect = self.inspect
        self.client = client
        await client.connect(self.auth(), child.timeout)
        welcome = client.welcome.result()
        if '"sync":{"ok":true' not in welcome:
            raise RuntimeError(f"no catch-up in the welcome: {welcome[:200]}")
        if client.token:
            self.token = client.token
        if child.reconnect:  # the catch-up in the welcome: the newest seq it holds now
            sync = json.loads(welcome[welcome.index("["):])[1].get("sync") or {}
            newest = ((sync.get("batch") or {}).get("to")
                      or (sync.get("snapshot") or {}).get("seq"))
            if newest:
                self._hold(int(newest), now())
        client.counted = True
        client.tracker.alive += 1
        if child.reconnect:
            asyncio.get_running_loop().create_task(self._watch(client))

    async def _watch(self, client: SocketClient) -> None:
        try:
            await client.reader
        except asyncio.CancelledError:
            return
        if client.closing or self.child.closing:
            return
        self.drops.append(now())
        delay = RECONNECT_DELAY
        while not self.child.closing:
            jitter = delay * RANDOMIZATION * random.uniform(-1, 1)
            await asyncio.sleep(min(delay + jitter, RECONNECT_DELAY_MAX))
            try:
                await self.connect()
                self.backs.append(now())
                return
            except ConnectionRefusedError as error:
                if str(error).startswith("44"):  # the server's refusal: the page stops
                    self.refused = str(error)[:200]
                    return
                if self.client is not None:
                    await self.client.close()
                delay = min(delay * 2, RECONNECT_DELAY_MAX)
            except Exception:  # noqa: BLE001 - a network error: try again, later
                if self.client is not None:
                    await self.client.close()
                delay = min(delay * 2, RECONNECT_DELAY_MAX)

    async def _sync_later(self, behind_to: int) -> None:
        try:
            await asyncio.sleep(random.uniform(0.5, 1.5))
            if self.held >= behind_to or self.client is None or not self.client.is_open:
                return
            raw = await self.client.call("sync", {"since": self.held}, self.child.timeout)
            answer = json.loads(raw)[0]
            newest = ((answer.get("batch") or {}).get("to")
                      or (answer.get("snapshot") or {}).get("seq"))
            if newest:
                self._hold(int(newest), now())
        except Exception:  # noqa: BLE001 - the next heartbeat tries again
            pass
        finally:
            self.syncing = False


class Child:
    def __init__(self, args):
        self.target, self.party, self.timeout = args.target, args.party, args.timeout
        self.reconnect = args.reconnect
        self.check_meetings = args.check_meetings
        meetings = json.loads(args.meetings)
        self.base = args.url.rstrip("/")
        self.ws_url = self.base.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.trackers = {m["id"]: Tracker() for m in meetings}
        self.phones = [Phone(self, i, meetings[i % len(meetings)])
                       for i in range(args.number, args.total, args.children)]
        self.join_concurrency = args.join_concurrency
        self.inspected = 0
        self.sample: str | None = None  # a batch, to show what the check reads
        self.named_meetings = 0  # meeting entities seen (the check is not vacuous)
        self.foreign: Counter = Counter()
        self.errors: Counter = Counter()
        self.closing = False

    def say(self, message: dict) -> None:
        sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
        sys.stdout.flush()

    async def pages(self) -> dict:
        if self.target != "app":
            return {"ok": len(self.phones)}
        gate = asyncio.Semaphore(self.join_concurrency)

        async def one(phone: Phone) -> bool:
            async with gate:
                try:
                    await open_join_page(self.http, self.base, phone.meeting["code"],
                                         self.timeout, phone.meeting.get("key"))
                    return True
                except Exception as error:  # noqa: BLE001
                    self.errors[f"join page: {type(error).__name__}: {str(error)[:80]}"] += 1
                    return False
        done = await asyncio.gather(*(one(p) for p in self.phones))
        return {"ok": sum(done)}

    async def sockets(self, give_up_s: float) -> dict:
        """Every phone connects (and joins in its handshake) at once. A connection that fails
        without the server's refusal is tried again as the phone page does (socket.io-client's
        delays; the same join answers and command id, so the same join), for up to give_up_s;
        the tries that failed are counted."""
        start = now()
        failed_after: list[float] = []

        async def one(phone: Phone) -> float | None:
            delay = RECONNECT_DELAY
            while True:
                phone.join_tries += 1
                try:
                    await phone.connect()
                    return now()
                except Exception as error:  # noqa: BLE001
                    self.errors[f"socket: {type(error).__name__}: {str(error)[:80]}"] += 1
                    failed_after.append(now() - start)
                    if phone.client is not None:
                        await phone.client.close()
                    if str(error).startswith("44") or now() - start > give_up_s:
                        return None
                await asyncio.sleep(min(delay * (1 + RANDOMIZATION * random.uniform(-1, 1)),
                                        RECONNECT_DELAY_MAX))
                delay = min(delay * 2, RECONNECT_DELAY_MAX)
        done = [t for t in await asyncio.gather(*(one(p) for p in self.phones)) if t]
        freeze_own_objects()
        failed_after.sort()
        return {"connected": len(done), "last": max(done) if done else None,
                "phones_that_tried_again": sum(1 for p in self.phones if p.join_tries > 1),
                "failed_after_s": [round(failed_after[0], 1), round(failed_after[-1], 1)]
                if failed_after else None}

    async def watch(self, meeting: int, seq: int, timeout: float) -> dict:
        tracker = self.trackers[meeting]
        complete = await tracker.wait_all(seq, timeout)
        return {"complete": complete, "count": tracker.count.get(seq, 0),
                "alive": tracker.alive, "first": tracker.first.get(seq),
                "last": tracker.last.get(seq), "bytes": tracker.bytes.get(seq)}

    async def caught(self, seq: int, since: float, timeout: float) -> dict:
        """Wait until every phone holds `seq`; when each first did, and what each went
        through since `since` (the kill)."""
        deadline = now() + timeout
        while now() < deadline and any(p.held < seq for p in self.phones if not p.refused):
            await asyncio.sleep(0.01)
        rows = []
        for p in self.phones:
            at = next((t for t, s in p.history if s >= seq), None)
            drops = [t for t in p.drops if t >= since]
            rows.append({"caught": at, "dropped": bool(drops),
                         "back": min((t for t in p.backs if t >= since), default=None),
                         "refused": p.refused})
        return {"phones": rows}

    def stats(self) -> dict:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        lost = Counter(p.client.closed_reason for p in self.phones
                       if p.client is not None and p.client.closed_reason)
        return {"phones": len(self.phones), "inspected": self.inspected,
                "meeting_entities": self.named_meetings,
                "foreign": dict(self.foreign), "errors": dict(self.errors),
                "open": sum(1 for p in self.phones if p.client is not None and p.client.is_open),
                "lost": dict(lost), "refused": sum(1 for p in self.phones if p.refused),
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "sample": self.sample,
                "rss_kb": usage.ru_maxrss}

    async def handle(self, order: dict) -> None:
        op = order["op"]
        try:
            if op == "pages":
                answer = await self.pages()
            elif op == "sockets":
                answer = await self.sockets(order["give_up_s"])
            elif op == "watch":
                answer = await self.watch(order["meeting"], order["seq"], order["timeout"])
            elif op == "caught":
                answer = await self.caught(order["seq"], order["since"], order["timeout"])
            elif op == "stats":
                answer = self.stats()
            else:
                answer = {"error": f"unknown op {op}"}
        except Exception as error:  # noqa: BLE001
            answer = {"error": f"{type(error).__name__}: {error}"[:300]}
        self.say({"rid": order["rid"], **answer})

    async def run(self) -> None:
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.join_concurrency),
            cookie_jar=aiohttp.DummyCookieJar())
        self.wsconn = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                            cookie_jar=aiohttp.DummyCookieJar())
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=1 << 20)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        self.say({"rid": 0, "ready": len(self.phones)})
        tasks = set()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                order = json.loads(line)
                if order["op"] == "close":
                    break
                task = loop.create_task(self.handle(order))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        finally:
            self.closing = True
            for task in tasks:
                task.cancel()
            for p in self.phones:
                if p.client is not None:
                    p.client.closing = True
            await asyncio.gather(*(p.client.close() for p in self.phones
                                   if p.client is not None), return_exceptions=True)
            await self.http.close()
            await self.wsconn.close()


def child_main(argv=None) -> int:
    p = argparse.ArgumentParser(description="one load-generator child (bench/fleet.py)")
    p.add_argument("--child", action="store_true", required=True)
    p.add_argument("--target", choices=["app", "bare"], required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--meetings", required=True,
                   help='JSON list of {"id", "code", "key", "items"}')
    p.add_argument("--total", type=int, required=True, help="phones over all the children")
    p.add_argument("--children", type=int, required=True)
    p.add_argument("--number", type=int, required=True, help="this child, 0..children-1")
    p.add_argument("--join-concurrency", type=int, default=17)
    p.add_argument("--party", default="observer")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--reconnect", action="store_true")
    p.add_argument("--check-meetings", action="store_true")
    args = p.parse_args(argv)
    raise_nofile()
    asyncio.run(Child(args).run())
    return 0


# ------------------------------------------------------------------------ the coordinator

class Fleet:
    """K children holding `total` phones of `meetings` ([{id, code, key, items}])."""

    def __init__(self, target: str, url: str, meetings: list[dict], total: int,
                 children: int, log_dir: Path, join_concurrency: int = 50,
                 reconnect: bool = False, check_meetings: bool = False,
                 python: str = sys.executable):
        self.target, self.url, self.meetings, self.total = target, url, meetings, total
        self.children_n = max(1, min(children, total))
        self.log_dir, self.python = log_dir, python
        self.join_concurrency = max(1, -(-join_concurrency // self.children_n))
        self.reconnect, self.check_meetings = reconnect, check_meetings
        self.procs: list[asyncio.subprocess.Process] = []
        self.pending: dict[tuple[int, int], asyncio.Future] = {}
        self.next_rid = 1
        self.readers: list[asyncio.Task] = []

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        meetings = json.dumps(self.meetings, separators=(",", ":"))
        for number in range(self.children_n):
            cmd = [self.python, __file__, "--child", "--target", self.target, "--url", self.url,
                   "--meetings", meetings, "--total", str(self.total), "--children",
                   str(self.children_n), "--number", str(number), "--join-concurrency",
                   str(self.join_concurrency)]
            if self.reconnect:
                cmd.append("--reconnect")
            if self.check_meetings:
                cmd.append("--check-meetings")
            stderr = open(self.log_dir / f"fleet-child-{number}.log", "a")
            proc = await asyncio.create_subprocess_exec(
                *cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=stderr, limit=1 << 24)
            stderr.close()
            self.procs.append(proc)
            self.pending[(number, 0)] = loop.create_future()
            self.readers.append(loop.create_task(self._read(number, proc)))
        await asyncio.wait_for(asyncio.gather(*(self.pending[(n, 0)]
                                                for n in range(self.children_n))), 60)

    async def _read(self, number: int, proc) -> None:
        while True:
            line = await proc.stdout.readline()
            if not line:
                break
            answer = json.loads(line)
            fut = self.pending.pop((number, answer.get("rid")), None)
            if fut is not None and not fut.done():
                fut.set_result(answer)
        for (n, rid), fut in list(self.pending.items()):
            if n == number and not fut.done():
                fut.set_exception(ConnectionError(f"load-generator child {number} ended"))

    async def ask_all(self, order: dict, timeout: float) -> list[dict]:
        """Send one order to every child; their answers, in child order."""
        rid = self.next_rid
        self.next_rid += 1
        loop = asyncio.get_running_loop()
        line = (json.dumps({**order, "rid": rid}, separators=(",", ":")) + "\n").encode()
        futs = []
        for number, proc in enumerate(self.procs):
            fut = self.pending[(number, rid)] = loop.create_future()
            futs.append(fut)
            proc.stdin.write(line)
        await asyncio.gather(*(p.stdin.drain() for p in self.procs))
        return await asyncio.wait_for(asyncio.gather(*futs), timeout)

    async def pages(self, timeout: float = 300) -> int:
        return sum(a["ok"] for a in await self.ask_all({"op": "pages"}, timeout))

    async def sockets(self, give_up_s: float = 120) -> tuple[int, float | None]:
        answers = await self.ask_all({"op": "sockets", "give_up_s": give_up_s},
                                     give_up_s + 120)
        lasts = [a["last"] for a in answers if a.get("last")]
        self.failed_after_s = [a["failed_after_s"] for a in answers if a.get("failed_after_s")]
        self.tried_again = sum(a.get("phones_that_tried_again") or 0 for a in answers)
        return sum(a["connected"] for a in answers), (max(lasts) if lasts else None)

    async def watch(self, meeting: int, seq: int, timeout: float) -> dict:
        """When the last (and first) phone of the meeting had seq; whether all did."""
        answers = await self.ask_all({"op": "watch", "meeting": meeting, "seq": seq,
                                      "timeout": timeout}, timeout + 30)
        lasts = [a["last"] for a in answers if a.get("last")]
        firsts = [a["first"] for a in answers if a.get("first")]
        return {"complete": all(a.get("complete") for a in answers),
                "count": sum(a.get("count", 0) for a in answers),
                "alive": sum(a.get("alive", 0) for a in answers),
                "last": max(lasts) if lasts else None,
                "first": min(firsts) if firsts else None,
                "bytes": next((a["bytes"] for a in answers if a.get("bytes")), None)}

    async def caught(self, seq: int, since: float, timeout: float) -> list[dict]:
        answers = await self.ask_all({"op": "caught", "seq": seq, "since": since,
                                      "timeout": timeout}, timeout + 30)
        return [row for a in answers for row in a.get("phones", [])]

    async def stats(self) -> dict:
        answers = await self.ask_all({"op": "stats"}, 60)
        total: dict = {"children": answers, "foreign": Counter(), "errors": Counter(),
                       "lost": Counter()}
        for a in answers:
            for key in ("foreign", "errors", "lost"):
                total[key].update(a.get(key) or {})
        for key in ("phones", "inspected", "meeting_entities", "open", "refused", "cpu_s"):
            total[key] = round(sum(a.get(key) or 0 for a in answers), 2)
        for key in ("foreign", "errors", "lost"):
            total[key] = dict(total[key])
        return total

    async def close(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                try:
                    proc.stdin.write(b'{"op":"close"}\n')
                    await proc.stdin.drain()
                except (ConnectionError, RuntimeError):
                    pass
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        for task in self.readers:
            task.cancel()


if __name__ == "__main__":
    if "--child" in sys.argv:
        sys.exit(child_main())
    sys.exit("bench/fleet.py is started by bench/scale.py (--child)")
