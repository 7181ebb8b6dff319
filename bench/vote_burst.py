"""A vote burst against the real server: N phones vote within one second of the vote opening.

    .venv/bin/python -m bench.vote_burst --phones 1000 [--async-mode eventlet] [--out f.json]

Starts `facilitator serve` on the demo (SQLite, like a laptop), lets phones enter directly,
joins N phones over HTTP (party "community"), connects them and a projector, opens a straw
poll of everyone present with live results, and has every phone cast one ballot at a random
moment in the first second. Measured (the issue's targets in brackets):

- every ballot acknowledged ok, none twice, and stored (the closed vote's tally) [all];
- first ballot sent → last ack [≤ 3 s];
- last ack → the projector shows a tally with all N ballots [≤ 0.5 s];
- how many tally messages the projector got during the burst [a few per second];
- the projector's final tally equals the database's count (the vote's frozen result).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import ONE_ADDRESS_FOR_ALL_PHONES, freeze_own_objects, SocketClient, join_phone, login, raise_nofile, summary_ms  # noqa: E402
from tests.support import demo_server  # noqa: E402

now = time.perf_counter


class Projector:
    """A projector connection that records each `tally` message: when, and how many ballots
    it counted (a minimal Engine.IO/Socket.IO reader of its own)."""

    def __init__(self, http: aiohttp.ClientSession, ws_url: str, box: dict):
        self.http, self.ws_url, self.box = http, ws_url, box
        self.tallies: list[tuple[float, int, dict]] = []
        self.full = asyncio.Event()
        self.acks: dict[int, asyncio.Future] = {}
        self.next_ack = 1

    async def connect(self, auth: dict, timeout: float) -> None:
        self.ws = await self.http.ws_connect(self.ws_url, max_msg_size=16 * 1024 * 1024)
        await asyncio.wait_for(self.ws.receive(), timeout)  # the Engine.IO open packet
        await self.ws.send_str("40/live," + json.dumps(auth))
        self.connected = asyncio.get_running_loop().create_future()
        self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.connected, timeout)

    async def call(self, event: str, data, timeout: float) -> str:
        ack_id, self.next_ack = self.next_ack, self.next_ack + 1
        fut = self.acks[ack_id] = asyncio.get_running_loop().create_future()
        await self.ws.send_str(f"42/live,{ack_id}" + json.dumps([event, data]))
        return await asyncio.wait_for(fut, timeout)

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = msg.data
            if data == "2":
                await self.ws.send_str("3")
            elif data.startswith("40/live,") and not self.connected.done():
                self.connected.set_result(True)
            elif data.startswith('42/live,["tally"'):
                vote = json.loads(data[len("42/live,"):])[1]["votes"].get(
                    str(self.box.get("vote_id")))
                if vote is not None:
                    n = vote["participation"]["owners"]
                    self.tallies.append((now(), n, vote))
                    if n >= self.box["expected"]:
                        self.full.set()
            elif data.startswith("43/live,"):
                j = data.index("[")
                fut = self.acks.pop(int(data[len("43/live,"):j]), None)
                if fut is not None and not fut.done():
                    fut.set_result(data[j:])

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


async def command(client: SocketClient, type_: str, payload: dict, timeout: float = 30) -> dict:
    raw = await client.call("command", {"id": secrets.token_hex(16), "type": type_,
                                        "payload": payload}, timeout)
    return json.loads(raw)[0]


async def run(base: str, info: dict, phones: int, timeout: float, server_pid: int | None = None,
              pyspy: str | None = None) -> dict:
    ws_url = base.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        console_cookie = await login(http, base, info["username"], info["password"], timeout)
        console = SocketClient(http, ws_url, console_cookie, None)
        await console.connect({"meeting_id": info["meeting_id"], "face": "console"}, timeout)
        await command(console, "meeting.configure", {"allow_direct_entry": True})

        started = now()
        semaphore = asyncio.Semaphore(50)

        async def join(index: int) -> SocketClient:
            async with semaphore:
                client = SocketClient(http, ws_url, None, None)
                await join_phone(client, base, info["meeting_id"], info["join_code"], index,
                                 "community", timeout)
                await client.call("sync", {"since": None}, timeout)
                return client

        clients = await asyncio.gather(*(join(i) for i in range(phones)))
        joined_s = now() - started
        freeze_own_objects()

        box: dict = {"expected": phones}
        projector = Projector(http, ws_url, box)
        await projector.connect({"meeting_id": info["meeting_id"], "face": "projector",
                                 "token": info["projector_token"]}, timeout)
        created = await command(console, "vote.create", {
            "kind": "straw_poll", "method": "single", "title": "压测：意向表决",
            "plans": ["A", "B", "C"], "eligibility": "present", "show_results": "live"})
        vote_id = created["result"]["vote_id"]
        box["vote_id"] = vote_id
        spy = None
        if pyspy and server_pid:
            import subprocess
            spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record",
                                    "-p", str(server_pid), "-o", pyspy, "--format", "raw",
                                    "-d", "12", "-r", "200"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            await asyncio.sleep(1.5)
        await command(console, "vote.open", {"id": vote_id})
        opened = now()

        sent, acked, results = {}, {}, {}

        async def vote(index: int, client: SocketClient) -> None:
            await asyncio.sleep(random.random())  # within the first second
            sent[index] = now()
            raw = await client.call("command", {
                "id": f"burst-{index:05d}-{secrets.token_hex(4)}", "type": "ballot.cast",
                "payload": {"vote_id": vote_id, "choices": [random.choice("ABC")]}}, timeout)
            acked[index] = now()
            results[index] = json.loads(raw)[0]

        await asyncio.gather(*(vote(i, c) for i, c in enumerate(clients)))
        first_sent, last_ack = min(sent.values()), max(acked.values())
        try:
            await asyncio.wait_for(projector.full.wait(), 10)
        except asyncio.TimeoutError:
            pass
        full_at = next((t for t, n, _ in projector.tallies if n >= phones), None)
        during = [t for t, _, _ in projector.tallies if first_sent <= t <= (full_at or last_ack)]
        last_tally = projector.tallies[-1][2] if projector.tallies else None

        if spy is not None:
            spy.wait()
        closed = await command(console, "vote.close", {"id": vote_id})
        sync_reply = json.loads(await projector.call("sync", {"since": None}, timeout))[0]
        result = sync_reply["snapshot"]["votes"][str(vote_id)]["result"]
        stored = result["tally"]["participation"]["owners"]

        ok = sum(1 for r in results.values() if r.get("ok"))
        duplicates = sum(1 for r in results.values() if r.get("duplicate"))
        errors = sorted({r["error"]["code"] for r in results.values() if not r.get("ok")})
        for client in [*clients, projector, console]:
            await client.close()
        return {
            "phones": phones,
            "joined_s": round(joined_s, 2),
            "ballots_acked_ok": ok, "duplicates": duplicates, "errors": errors,
            "stored_in_database": stored,
            "projector_final_tally": last_tally["participation"]["owners"] if last_tally else None,
            "projector_equals_database": bool(last_tally)
            and last_tally["tally"]["counts"] == result["tally"]["counts"],
            "vote_opened_to_first_ballot_ms": round((first_sent - opened) * 1000, 1),
            "first_ballot_to_last_ack_ms": round((last_ack - first_sent) * 1000, 1),
            "last_ack_to_projector_full_tally_ms":
                round((full_at - last_ack) * 1000, 1) if full_at else None,
            "tally_messages_during_burst": len(during),
            "tally_messages_per_second": round(len(during) / max(0.001, (full_at or last_ack)
                                                               - first_sent), 1),
            "ack_latency": summary_ms([acked[i] - sent[i] for i in acked]),
            "tally_timeline_ms_ballots": [(round((t - first_sent) * 1000), n)
                                          for t, n, _ in projector.tallies],
            "acks_by_second": [sum(1 for t in acked.values() if k <= t - first_sent < k + 1)
                               for k in range(int(last_ack - first_sent) + 1)],
            "close_ok": closed.get("ok"),
            "targets": {
                "all_stored_and_acked_once": ok == phones == stored and duplicates == 0,
                "last_ack_within_3s": (last_ack - first_sent) <= 3.0,
                "projector_within_0_5s": bool(full_at) and (full_at - last_ack) <= 0.5,
            },
        }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--async-mode", default="eventlet", choices=["eventlet", "gevent"])
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--out")
    parser.add_argument("--pyspy", help="record the server with py-spy (raw format) to this file")
    opts = parser.parse_args(argv)
    raise_nofile()
    with demo_server(async_mode=opts.async_mode, **ONE_ADDRESS_FOR_ALL_PHONES) as server:
        report = asyncio.run(run(server.base_url, server.info, opts.phones, opts.timeout,
                                 server.process.pid, opts.pyspy))
    report["async_mode"] = opts.async_mode
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if opts.out:
        Path(opts.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if all(report["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
