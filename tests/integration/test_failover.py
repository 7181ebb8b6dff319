"""Failover without loss (issue 17, item 3): `facilitator serve --workers 3` with phones and a
console spread over the workers, each keeping its own state with the clients' reducer
(facilitator.domain.live_state) as static/js/live.js does, while commands keep coming.

- kill -9 of a worker mid-meeting: its phones and console reconnect to the others within a
  few seconds and catch up from their last sequence number; a command sent to the dying
  worker, and one it wrote but never answered, are sent again with the same id and applied
  once; every command answered before the kill is in the event log; every client ends with
  the state a snapshot built from the rows gives, having applied each sequence number once.
  A command sent again to another worker while its first try still waits to be written
  is answered as the repeat it is (the first seq and result), not run again.
- a bounded chaos test (hypothesis): random commands, random kills of a worker and pauses of
  the Redis server (a private one, frozen with SIGSTOP) in any order; afterwards the event
  log has no gap, every answered command is in it once, and every client holds the snapshot.

Nothing here waits on a condition with a timeout (threading.Event.wait, queue.get): under
libfaketime (CI's run on a shifted clock) such a wait never ends. The clients reconnect and
wait by polling with time.sleep instead.
"""
from __future__ import annotations

import itertools
import os
import re
import signal
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import socketio
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from facilitator.contract import is_public
from facilitator.domain.live_state import apply_batch
from facilitator.workers import QUICK_END_SECONDS
from tests.support import require_service
from tests.worker_group import (MEETING_ID, Group, PrivateRedis, console_cookie,
                                SnapshotReader, demo_deployment, event_log,
                                redis_server_installed)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

# A reconnected phone has caught up well within this (the measured figures are printed);
# generous, since CI's machines are slow.
RECONNECT_BOUND_SECONDS = 15.0
# A client that is behind the heartbeat syncs after this (static/js/live.js: 0.5-1.5 s).
BEHIND_SYNC_SECONDS = 0.7
# How long one try of a command waits for its answer before it is sent again with the same
# id (static/js/live.js: 8 s; shorter here, the test has no time to lose).
COMMAND_TRY_SECONDS = 4.0
# How long a worker hangs before it is killed (less than a try of a command).
FROZEN_SECONDS = 2.0


@dataclass
class Sent:
    """A command as its sender saw it: every try, and the answer that ended them."""
    sender: str
    id: str
    type: str
    payload: dict
    tries: int = 0
    answer: dict | None = None
    answered_at: float | None = None
    tries_at: list[float] = field(default_factory=list)


class LiveClient:
    """A face of the meeting (console or phone) that keeps its own state from the snapshot it
    is given and the batches after it, by the rules of docs/protocol.md §5: a batch that
    fits is applied, one beyond a gap waits while the client syncs, one it already has is
    dropped; it syncs on every (re)connect (in the handshake), on a gap, and when the
    heartbeat says it is behind. It reconnects at once whenever its connection ends."""

    def __init__(self, group: Group, name: str, face: str, join: dict | None = None,
                 cookie: str | None = None, token: str | None = None):
        self.group, self.name, self.face = group, name, face
        self.join, self.cookie, self.token = join, cookie, token
        self.lock = threading.RLock()
        self.state: dict | None = None
        self.first_seq: int | None = None  # the seq of the first snapshot it was given
        self.pending: list[dict] = []
        self.applied: list[tuple[int, int, str]] = []  # (first new seq, last seq, how)
        self.records: list[int] = []  # the seqs of the event records it applied, in order
        self.progress: list[tuple[float, int]] = []  # (when, seq) each time it moved on
        self.problems: list[str] = []  # anything a client would have to refuse
        self.needs_sync = False
        self.heard = 0  # the newest seq a heartbeat told
        self.behind_since: float | None = None
        self.sync_sent_at: float | None = None
        self.sync_not_before = 0.0
        self.syncs = 0
        self.connections = 0  # counts the connections it made (each try of a command knows)
        self.connected_at: list[float] = []
        self.disconnected_at: list[float] = []
        self.history: list[tuple[float, str]] = []  # (when, what): for failure messages
        self.stopping = False
        self.client = socketio.Client(reconnection=False)
        for event, handler in (("welcome", self._welcome), ("batch", self._batch),
                               ("heartbeat", self._heartbeat), ("connect", self._connected),
                               ("disconnect", self._disconnected),
                               ("connect_error", self._refused)):
            self.client.on(event, handler, namespace="/live")
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    # --- the connection ----------------------------------------------------------------------
    @property
    def live(self) -> bool:
        return "/live" in self.client.namespaces and self.client.eio.state == "connected"

    def _auth(self) -> dict:
        with self.lock:
            auth = {"meeting_id": MEETING_ID, "face": self.face,
                    "sync": {"since": self.state["seq"] if self.state else None}}
        if self.face == "phone":
            if self.token:
                auth["token"] = self.token
            else:  # a join whose welcome was lost is the same join again (its command id)
                auth["join"] = self.join
        return auth

    def _run(self) -> None:
        while not self.stopping:
            if not self.live:
                self._connect_once()
            else:
                self._maybe_sync()
                time.sleep(0.02)

    def _connect_once(self) -> None:
        try:
            if self.client.connected or self.client.eio.state != "disconnected":
                self.client.disconnect()
            headers = {"Cookie": f"session={self.cookie}"} if self.cookie else {}
            self.history.append((time.monotonic(), "connecting"))
            self.client.connect(self.group.base, headers=headers, auth=self._auth,
                                transports=["websocket"], namespaces=["/live"], wait=False)
        except Exception as error:  # noqa: BLE001 - nobody listens yet, or a refusal: again
            self.history.append((time.monotonic(), f"not connected: {error!r}"))
            time.sleep(0.05)
            return
        self.history.append((time.monotonic(), f"transport open, port {self.port()}"))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not self.stopping:
            if self.live or self.client.eio.state != "connected" or self.client.failed_namespaces:
                break
            time.sleep(0.01)
        if not self.live:  # no answer to the namespace's connect (a frozen worker)
            self.history.append((time.monotonic(), "no namespace connect: closing"))
            try:
                self.client.disconnect()
            except Exception:  # noqa: BLE001
                pass

    def _connected(self) -> None:
        with self.lock:
            self.connections += 1
            self.connected_at.append(time.monotonic())
            self.history.append((time.monotonic(), "connected"))

    def _refused(self, data=None) -> None:
        """A connection that failed: nobody listened (a string), or the server refused it (our
        error object: the page would show it and stop), which must never happen here."""
        with self.lock:
            if isinstance(data, dict):
                self.problems.append(f"refused: {data}")
            self.history.append((time.monotonic(), f"connect error: {data}"))

    def _disconnected(self, reason=None) -> None:
        with self.lock:
            self.disconnected_at.append(time.monotonic())
            self.history.append((time.monotonic(), f"disconnected: {reason}"))
            self.sync_sent_at = None  # its answer will not come

    def close(self) -> None:
        self.stopping = True
        self.thread.join()
        try:
            self.client.disconnect()
        except Exception:  # noqa: BLE001
            pass

    def port(self) -> int | None:
        try:
            return self.client.eio.ws.sock.getsockname()[1]
        except Exception:  # noqa: BLE001 - not connected
            return None

    # --- what the server sends ---------------------------------------------------------------
    def _welcome(self, hello: dict) -> None:
        with self.lock:
            if hello.get("token"):
                self.token = hello["token"]
            if "sync" in hello:
                self._apply_sync(hello["sync"], "welcome")

    def _batch(self, batch: dict) -> None:
        with self.lock:
            self._receive(batch)

    def _heartbeat(self, beat: dict) -> None:
        with self.lock:
            self.heard = max(self.heard, beat["seq"])

    def _receive(self, batch: dict) -> None:
        if self.state is None:
            self.pending.append(batch)
        elif batch["to"] <= self.state["seq"]:
            return  # already held
        elif batch["from"] <= self.state["seq"] + 1:
            self._apply(batch, "batch")
            self._drain()
        else:  # a gap: keep it, and ask for what is missing
            self.pending.append(batch)
            self.needs_sync = True

    def _apply(self, batch: dict, how: str) -> None:
        before = self.state["seq"]
        try:
            self.state = apply_batch(self.state, batch)
        except ValueError as error:
            self.problems.append(f"{how} {batch['from']}-{batch['to']}: {error}")
            return
        self.applied.append((before + 1, batch["to"], how))
        self.records += [event["seq"] for event in batch["events"] if event["seq"] > before]
        self.progress.append((time.monotonic(), batch["to"]))

    def _drain(self) -> None:
        moved = True
        while moved and self.state is not None:
            moved = False
            self.pending = sorted((b for b in self.pending if b["to"] > self.state["seq"]),
                                  key=lambda b: b["from"])
            for batch in self.pending:
                if batch["from"] <= self.state["seq"] + 1:
                    self._apply(batch, "pending")
                    moved = True
                    break
        self.pending = [b for b in self.pending if self.state and b["to"] > self.state["seq"]]

    def _apply_sync(self, reply: dict, how: str) -> None:
        if not reply.get("ok"):
            error = reply.get("error", {})
            if error.get("code") == "sync.too_fast":
                self.sync_not_before = time.monotonic() + error["params"].get("seconds", 1)
            else:
                self.problems.append(f"{how}: {error}")
            self.needs_sync = True
            return
        if reply.get("snapshot") is not None:
            snapshot = reply["snapshot"]
            if self.state is not None:  # only ever for a database replaced meanwhile
                self.problems.append(f"{how}: a snapshot at {snapshot['seq']} replaced the "
                                     f"state at {self.state['seq']}")
            else:
                self.first_seq = snapshot["seq"]
            self.state = snapshot
        batch = reply.get("batch")
        if batch and self.state is not None:
            if batch["from"] > self.state["seq"] + 1:
                self.problems.append(f"{how}: the catch-up {batch['from']}-{batch['to']} "
                                     f"does not follow {self.state['seq']}")
            elif batch["to"] > self.state["seq"]:
                self._apply(batch, how)
        self._drain()
        self.needs_sync = bool(self.pending)
        if self.state is not None:
            self.progress.append((time.monotonic(), self.state["seq"]))

    # --- what it asks ------------------------------------------------------------------------
    def _maybe_sync(self) -> None:
        now = time.monotonic()
        with self.lock:
            if self.state is None:
                return
            behind = self.heard > self.state["seq"]
            self.behind_since = (self.behind_since or now) if behind else None
            wanted = self.needs_sync or (behind and now - self.behind_since >= BEHIND_SYNC_SECONDS)
            if not wanted or now < self.sync_not_before or (
                    self.sync_sent_at is not None and now - self.sync_sent_at < 10):
                return
            since = self.state["seq"]
            self.needs_sync = False
            self.sync_sent_at = now

        def answered(reply):
            with self.lock:
                self.sync_sent_at = None
                self.syncs += 1
                self._apply_sync(reply, "sync")
        try:
            self.client.emit("sync", {"since": since}, namespace="/live", callback=answered)
        except Exception:  # noqa: BLE001 - the connection just ended: the handshake syncs
            with self.lock:
                self.sync_sent_at = None

    def send(self, sent: Sent, give_up: float = 120) -> Sent:
        """Send a command until it is answered: a try that gets no answer (the connection
        ended, or nothing came within COMMAND_TRY_SECONDS) is sent again with the same id."""
        deadline = time.monotonic() + give_up
        while time.monotonic() < deadline:
            if not self.live:
                time.sleep(0.02)
                continue
            box = []
            connection = self.connections
            try:
                self.client.emit("command", {"id": sent.id, "type": sent.type,
                                             "payload": sent.payload},
                                 namespace="/live", callback=box.append)
            except Exception:  # noqa: BLE001 - the connection ended meanwhile
                time.sleep(0.02)
                continue
            sent.tries_at.append(time.monotonic())
            sent.tries += 1
            self.history.append((time.monotonic(), f"sent {sent.id}"))
            until = time.monotonic() + COMMAND_TRY_SECONDS
            while not box and time.monotonic() < until and self.live \
                    and self.connections == connection:
                time.sleep(0.01)
            if box:
                answer = box[0]
                if not answer["ok"] and answer["error"]["code"] == "command.too_fast":
                    time.sleep(0.5)  # not applied: the same id once the bucket refills
                    continue
                sent.answer, sent.answered_at = answer, time.monotonic()
                self.history.append((time.monotonic(), f"answered {sent.id}"))
                return sent
        raise AssertionError(f"{self.name}: no answer to {sent} in {give_up} s")

    # --- what the test reads -----------------------------------------------------------------
    def snapshot_now(self) -> dict | None:
        with self.lock:
            return self.state

    def seq(self) -> int:
        with self.lock:
            return self.state["seq"] if self.state else -1

    def caught_up(self, seq: int, after: float) -> float | None:
        """When, after the moment `after`, it held `seq` or later, from a catch-up or a batch
        (None: not yet)."""
        with self.lock:
            return next((at for at, to in self.progress if at > after and to >= seq), None)

    def reconnected(self, after: float) -> float | None:
        with self.lock:
            return next((at for at in self.connected_at if at > after), None)


class Meeting:
    """The demo meeting served by `facilitator serve --workers 3`, a console and phones."""

    def __init__(self, env: dict, tmp: Path, workers: int = 3):
        self.env = env
        self.group = Group(env, workers, tmp)
        self.group.wait_for(lambda: len(self.group.serving()) == workers,
                            "every worker to listen")
        self.clients: list[LiveClient] = []
        self.sent: list[Sent] = []
        self.sent_lock = threading.Lock()
        self.repeats_checked = 0  # the commands sent more than once, sent again already
        self.ids = itertools.count(1)
        self.started_at = {pid: time.monotonic() for pid in self.group.pids().values()}
        self.snapshots = SnapshotReader(env)
        self.phones: list[LiveClient] = []
        try:
            self.console = self._add(LiveClient(self.group, "console", "console",
                                                cookie=console_cookie(self.group)))
        except BaseException:
            self.close()
            raise

    def _add(self, client: LiveClient) -> LiveClient:
        self.clients.append(client)
        self.wait_for(lambda: client.state is not None, f"{client.name} to hold a snapshot", 30)
        return client

    def add_phone(self) -> LiveClient:
        number = len(self.phones) + 1
        join = {"code": self.env["JOIN_CODE"], "name": f"居民{number}", "party": "observer",
                "command_id": f"failover-join-{number:04d}"}
        phone = self._add(LiveClient(self.group, f"phone{number}", "phone", join=join))
        self.phones.append(phone)
        return phone

    def spread_phones(self, at_least: int, per_worker: int, most: int = 40) -> None:
        """Phones joining until there are `at_least` and every worker holds `per_worker`."""
        while len(self.phones) < at_least or min(
                self.by_worker().get(n, 0) for n in self.group.pids()) < per_worker:
            assert len(self.phones) < most, f"phones do not spread: {self.by_worker()}"
            self.add_phone()

    def where(self) -> dict[str, int]:
        """Which worker each live client is connected to."""
        owners = self.group.worker_of_ports()
        return {c.name: owners[c.port()] for c in self.clients if c.port() in owners}

    def by_worker(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for name, number in self.where().items():
            if name != "console":
                counts[number] = counts.get(number, 0) + 1
        return counts

    def wait_for(self, condition, what: str, seconds: float = 60) -> None:
        self.group.wait_for(condition, what, seconds)

    def send(self, client: LiveClient, name: str, payload: dict | None = None,
             command_id: str | None = None) -> Sent:
        sent = Sent(client.name, command_id or f"failover-{client.name}-{next(self.ids):05d}",
                    name, payload or {})
        with self.sent_lock:
            self.sent.append(sent)
        return client.send(sent)

    def answered_before(self, moment: float) -> list[Sent]:
        with self.sent_lock:
            return [s for s in self.sent if s.answered_at is not None and s.answered_at < moment]

    def send_later(self, client: LiveClient, name: str, payload: dict | None = None
                   ) -> threading.Thread:
        thread = threading.Thread(target=self.send, args=(client, name, payload), daemon=True)
        thread.start()
        return thread

    def kill(self, number: int) -> tuple[int, float]:
        """kill -9 of a worker: (its pid, the moment)."""
        pid = self.group.pids()[number]
        os.kill(pid, signal.SIGKILL)
        return pid, time.monotonic()

    def age(self, number: int) -> float:
        pid = self.group.pids()[number]
        self.started_at.setdefault(pid, time.monotonic())
        return time.monotonic() - self.started_at[pid]

    def current_item(self) -> int:
        return self.console.snapshot_now()["meeting"]["current_item_id"]

    def close(self) -> int:
        for client in self.clients:
            client.close()
        self.snapshots.close()
        return self.group.stop()

    # --- the checks ----------------------------------------------------------------------
    def check_everything(self, wait_seconds: float = 30) -> dict:
        """Once every command is answered: the log has no gap and holds every answered
        command once, a repeat of a command sent more than once gets its first answer again,
        every client holds the snapshot built from the rows (first by itself, then after a
        last sync, sequence number included), and applied each sequence number once."""
        last, log = event_log(self.env)
        seqs = [row[0] for row in log]
        assert seqs == list(range(1, last + 1)), "the event log has a gap or a repeat"
        by_id: dict[str, list[int]] = {}
        for seq, _type, command_id, _actor in log:
            by_id.setdefault(command_id, []).append(seq)
        assert all(len(found) == 1 for found in by_id.values()), "a command id twice in the log"
        for sent in self.sent:
            assert sent.answer is not None, f"never answered: {sent}"
            if sent.answer["ok"] and sent.answer["seq"] is not None:
                assert by_id.get(sent.id) == [sent.answer["seq"]], (sent, by_id.get(sent.id))
            elif sent.answer["ok"] or sent.answer["error"]["code"] != "error.server":
                if sent.id in by_id:
                    print(self.story(sent))
                assert sent.id not in by_id, ("a command answered without an event is in the "
                                              "log", sent)
            else:
                raise AssertionError(f"a server error: {sent}")
        # Sent again now, a command that was sent more than once and written gets its first
        # answer, marked as a repeat. (One refused, or accepted without an event, left no
        # record: its id sent again is a new try, which may be applied now.)
        repeated = [sent for sent in self.sent[self.repeats_checked:]
                    if sent.tries > 1 and sent.answer["ok"] and sent.answer["seq"] is not None]
        self.repeats_checked = len(self.sent)
        clients = {c.name: c for c in self.clients}
        for sent in repeated:
            again = clients[sent.sender].send(Sent(sent.sender, sent.id, sent.type,
                                                   sent.payload)).answer
            assert again == {**sent.answer, "duplicate": True}, (sent, again)
        last, log = event_log(self.env)  # the repeats wrote nothing
        assert [row[0] for row in log] == list(range(1, last + 1))
        fresh = self.snapshots.read("chair", "phone")
        role = {"console": "chair"}

        def differing() -> dict[str, list[str]]:
            """Each client whose state differs from the rows' (but for its seq: a phone may
            stay at an older seq when the last events changed nothing it holds), and where."""
            out = {}
            for client in self.clients:
                want, held = fresh[role.get(client.name, "phone")], client.snapshot_now() or {}
                keys = sorted(k for k in set(want) | set(held)
                              if k != "seq" and want.get(k) != held.get(k))
                if keys:
                    out[client.name] = keys
            return out
        deadline = time.monotonic() + wait_seconds
        while differing() and time.monotonic() < deadline:  # by themselves: batches, gaps,
            time.sleep(0.1)  # heartbeats
        assert not differing(), f"states differ from the rows' snapshot: {differing()}"
        for client in self.clients:  # a last sync, as a page reconnecting would
            client.needs_sync = True
        self.wait_for(lambda: all(c.seq() == last and not c.pending for c in self.clients),
                      "every client to sync to the last event", wait_seconds)
        public = [seq for seq, type_, _, _ in log if is_public(type_)]
        for client in self.clients:
            with client.lock:
                assert not client.problems, (client.name, client.problems)
                assert client.state == fresh[role.get(client.name, "phone")], client.name
                covered = [seq for first, to, _ in client.applied
                           for seq in range(first, to + 1)]
                assert covered == list(range(client.first_seq + 1, last + 1)), (
                    f"{client.name} skipped or applied twice a seq: {client.applied}")
                expected = [seq for seq in (seqs if client.face == "console" else public)
                            if seq > client.first_seq]
                assert client.records == expected, (client.name, client.records, expected)
        return {"last_seq": last, "repeated": len(repeated)}


    def story(self, sent: Sent) -> str:
        """What the sender of a command went through meanwhile, and the group's log."""
        client = next(c for c in self.clients if c.name == sent.sender)
        start, end = sent.tries_at[0] - 1, (sent.answered_at or time.monotonic()) + 1
        lines = [f"{at:.3f} {what}" for at, what in client.history if start <= at <= end]
        return "\n".join(lines) + "\n" + self.group.output()[-3000:]


def _figures(seconds: list[float]) -> str:
    return (f"median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s "
            f"over {len(seconds)} clients")


class Stream:
    """A sender that keeps sending commands one after another (each until answered), until
    stopped or held."""

    def __init__(self, meeting: Meeting, client: LiveClient, commands, pause: float):
        self.meeting, self.client, self.commands, self.pause = meeting, client, commands, pause
        self.stopping = False
        self.held = False
        self.busy = False
        self.count = 0
        self.current: Sent | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for name, payload in self.commands:
                while self.held and not self.stopping:
                    time.sleep(0.02)
                if self.stopping:
                    return
                self.busy = True
                sent = self.meeting.send(self.client, name, payload(self.meeting)
                                         if callable(payload) else payload)
                self.busy = False
                self.count += 1
                assert sent.answer["ok"], sent
                time.sleep(self.pause)
        except BaseException as error:  # noqa: BLE001 - told at stop()
            self.error = error
            self.busy = False

    def hold(self) -> None:
        """No new command; the one under way is answered first."""
        self.held = True
        self.meeting.wait_for(lambda: not self.busy, f"{self.client.name}'s command", 60)

    def release(self) -> None:
        self.held = False

    def stop(self) -> None:
        self.stopping = True
        self.thread.join()
        if self.error is not None:
            raise self.error


def _console_commands():
    """Commands that are always applied: the current item's length, someone without a phone
    added (nothing a phone holds: the phones' batches skip it), again and again."""
    for n in itertools.count():
        if n % 4 == 3:
            yield "participant.add", {"name": f"来宾{n}", "party": "observer"}
        else:
            yield "agenda.edit", (lambda m, n=n: {"id": m.current_item(), "minutes": 5 + n % 40})


def _hands():
    """A phone's commands: its hand raised, then withdrawn, again and again."""
    while True:
        yield "hand.raise", {"kind": "point_of_order"}
        yield "hand.withdraw", {"kind": "point_of_order"}


def _prepare(meeting: Meeting) -> None:
    """Phones are let in at once, and an item is running (hands are raised in an item)."""
    for name, payload in (("meeting.configure", {"allow_direct_entry": True}),
                          ("agenda.next", {})):
        answer = meeting.send(meeting.console, name, payload).answer
        assert answer["ok"] or answer["error"]["code"] == "command.no_change", answer


@pytest.fixture
def private_redis(tmp_path):
    require_service(redis_server_installed(), "redis-server (and redis-cli) are not installed")
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def test_a_worker_killed_mid_meeting_loses_nothing(private_redis, tmp_path):
    with demo_deployment(tmp_path, private_redis.url) as env:
        meeting = Meeting(env, tmp_path)
        streams = []
        try:
            _prepare(meeting)
            meeting.spread_phones(at_least=9, per_worker=2)
            streams = [Stream(meeting, meeting.console, _console_commands(), 0.15)] + [
                Stream(meeting, phone, _hands(), 0.6) for phone in meeting.phones]
            time.sleep(2)
            _kill_with_a_command_unsent(meeting, streams)
            time.sleep(2)
            _kill_with_an_answer_lost(meeting, streams, private_redis)
            time.sleep(2)
            for stream in streams:
                stream.stop()
            assert all(stream.count > 0 for stream in streams)
            _a_repeat_meets_its_first_try(meeting)
            figures = meeting.check_everything()
            print(f"\nfailover: {figures['last_seq']} events, "
                  f"{sum(s.count for s in streams)} commands from the streams, "
                  f"{figures['repeated']} sent more than once")
        finally:
            for stream in streams:
                stream.stopping = True
            code = meeting.close()
        assert code == 0, meeting.group.output()


def _victims(meeting: Meeting, number: int) -> list[LiveClient]:
    where = meeting.where()
    return [c for c in meeting.clients if where.get(c.name) == number]


def _after_the_kill(meeting: Meeting, number: int, pid: int, killed_at: float,
                    last_before: int, victims: list[LiveClient], what: str) -> None:
    """The worker is started again and serves again; its clients reconnect and catch up
    with every event written before the kill (`last_before`) meanwhile; the times are
    printed."""
    group, seen = meeting.group, {}
    behind = [last_before - c.seq() for c in victims]  # what they lack: they hear nothing now

    def note(name: str, done: bool) -> bool:
        if done and name not in seen:
            seen[name] = time.monotonic() - killed_at
        return name in seen

    def all_done() -> bool:
        return all([
            note("reconnected", all(c.reconnected(killed_at) for c in victims)),
            note("caught up", all(c.reconnected(killed_at) is not None and c.caught_up(
                last_before, c.reconnected(killed_at)) for c in victims)),
            note("everyone", all(c.seq() >= last_before for c in meeting.clients)),
            note("started", group.pids()[number] != pid),
            note("serving", group.pids()[number] != pid and number in group.serving())])
    meeting.wait_for(all_done, f"after the kill: {seen}", 120)
    assert re.search(rf"worker {number} \(pid {pid}\) ended with code -9", group.output())
    reconnect = [c.reconnected(killed_at) - killed_at for c in victims]
    catch_up = [c.caught_up(last_before, c.reconnected(killed_at)) - killed_at
                for c in victims]
    print(f"\n{what}: {len(victims)} clients of worker {number} reconnected: "
          f"{_figures(reconnect)}; caught up to seq {last_before} (up to {max(behind)} "
          f"events behind): {_figures(catch_up)}; "
          f"worker started again after {seen['started']:.2f} s, serving after "
          f"{seen['serving']:.2f} s")
    assert max(catch_up) < RECONNECT_BOUND_SECONDS, (reconnect, catch_up)


def _kill_with_a_command_unsent(meeting: Meeting, streams: list[Stream]) -> None:
    """The console's worker freezes (its clients hear nothing while the others' commands go
    on: they have a few seconds to catch up), a command reaches it and is never read, the
    worker is killed: after the reconnect the command goes again with the same id and is
    applied once (not a repeat: nothing had written it)."""
    number = meeting.where()["console"]
    pid = meeting.group.pids()[number]
    victims = _victims(meeting, number)
    assert any(c.face == "phone" for c in victims)
    held = [stream for stream in streams if stream.client in victims]
    for stream in held:  # frozen between two commands: not in the middle of writing one
        stream.hold()
    os.kill(pid, signal.SIGSTOP)
    for stream in held:
        stream.release()
    command_id = f"failover-unsent-{next(meeting.ids):05d}"
    thread = threading.Thread(target=meeting.send, args=(
        meeting.console, "agenda.edit", {"id": meeting.current_item(), "minutes": 90},
        command_id))
    thread.start()
    meeting.wait_for(lambda: any(s.id == command_id and s.tries for s in meeting.sent),
                     "the command to go", 10)
    time.sleep(FROZEN_SECONDS)
    last_before, _ = event_log(meeting.env)
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    _after_the_kill(meeting, number, pid, killed_at, last_before, victims,
                    "kill -9 (a frozen worker)")
    thread.join()
    sent = next(s for s in meeting.sent if s.id == command_id)
    assert sent.tries >= 2 and sent.answer["ok"] and not sent.answer["duplicate"], sent
    assert sent.tries_at[0] < killed_at < sent.answered_at
    _in_the_log(meeting, meeting.answered_before(killed_at))


def _kill_with_an_answer_lost(meeting: Meeting, streams: list[Stream],
                              redis: PrivateRedis) -> None:
    """The command is written but its answer never leaves: the worker sends its events to
    the others through Redis before answering, and Redis is frozen; the worker is killed.
    Sent again with the same id to another worker, it is answered as the repeat it is, with
    the seq it was written with."""
    for stream in streams:  # a quiet moment, so that this command's events leave at once
        stream.hold()
    number = meeting.where()["console"]
    pid = meeting.group.pids()[number]
    victims = _victims(meeting, number)
    redis.pause()
    time.sleep(0.3)
    command_id = f"failover-lost-answer-{next(meeting.ids):05d}"
    thread = threading.Thread(target=meeting.send, args=(
        meeting.console, "agenda.edit", {"id": meeting.current_item(), "minutes": 91},
        command_id))
    thread.start()
    written = []

    def is_written() -> bool:
        written[:] = [row for row in event_log(meeting.env)[1] if row[2] == command_id]
        return bool(written)
    meeting.wait_for(is_written, "the command to be written", 10)
    last_before, _ = event_log(meeting.env)
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    redis.resume()

    for stream in streams:
        stream.release()
    _after_the_kill(meeting, number, pid, killed_at, last_before, victims,
                    "kill -9 (an answer lost, Redis frozen)")
    thread.join()
    sent = next(s for s in meeting.sent if s.id == command_id)
    assert sent.answer["ok"] and sent.answer["duplicate"], sent
    assert sent.answer["seq"] == written[0][0]
    assert sent.tries_at[0] < killed_at < sent.answered_at
    _in_the_log(meeting, meeting.answered_before(killed_at))


def _in_the_log(meeting: Meeting, answered: list[Sent]) -> None:
    """Every command answered (ok, with an event) before the kill is in the event log."""
    _, log = event_log(meeting.env)
    written = {row[2]: row[0] for row in log}
    for sent in answered:
        if sent.answer["ok"] and sent.answer["seq"] is not None:
            assert written.get(sent.id) == sent.answer["seq"], sent


def _a_repeat_meets_its_first_try(meeting: Meeting) -> None:
    """A phone's connection drops while its command waits to be written on one worker (the
    meeting's row is held by another writer); the phone reconnects to another worker and
    sends the command again with the same id, which waits for the same row. The first try
    is written; the second must be answered as its repeat, not run again against the state
    the first left (a hand already raised: no event; already withdrawn: "not waiting")."""
    import psycopg
    phone = meeting.add_phone()
    again = _same_phone_on_another_worker(meeting, phone)
    url = meeting.env["DATABASE_URL"].replace("+psycopg", "")
    with psycopg.connect(url, autocommit=True) as watcher:
        def waiting_for_the_lock() -> int:
            return watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                   "current_database() AND wait_event_type = 'Lock'"
                                   ).fetchone()[0]
        for name in ("hand.raise", "hand.withdraw"):
            command_id = f"failover-twice-{next(meeting.ids):05d}"
            tries = []
            with psycopg.connect(url) as writer:  # another writer holds the meeting's row
                writer.execute("SELECT id FROM meetings WHERE id = %s FOR UPDATE",
                               (MEETING_ID,))
                for client, waiting in ((phone, 1), (again, 2)):
                    tries.append(threading.Thread(target=meeting.send, args=(
                        client, name, {"kind": "point_of_order"}, command_id)))
                    tries[-1].start()
                    meeting.wait_for(lambda n=waiting: waiting_for_the_lock() >= n,
                                     f"{client.name}'s try to wait for the row", 30)
                writer.commit()
            for thread in tries:
                thread.join()
            # The try that wrote the command, and the other one.
            first, second = sorted((s for s in meeting.sent if s.id == command_id),
                                   key=lambda s: (not s.answer.get("seq"),
                                                  s.answer.get("duplicate", False)))
            assert first.answer["ok"] and first.answer["seq"], first
            assert second.answer == {**first.answer, "duplicate": True}, (first, second)
    print(f"\nthe same command from two workers at once: written once, the other answered "
          f"as its repeat ({phone.name} on worker {meeting.where()[phone.name]}, again on "
          f"worker {meeting.where()[again.name]})")


def _same_phone_on_another_worker(meeting: Meeting, phone: LiveClient) -> LiveClient:
    """A second connection of the phone (its token), to a worker other than its first's."""
    first = meeting.where()[phone.name]
    for attempt in range(30):
        again = LiveClient(meeting.group, f"{phone.name}-again-{attempt}", "phone",
                           token=phone.token)
        meeting.wait_for(lambda: again.state is not None, "the second connection", 30)
        if meeting.group.worker_of_ports().get(again.port()) not in (None, first):
            meeting.clients.append(again)
            return again
        again.close()
    raise AssertionError("every connection went to the same worker")


# --- chaos ---------------------------------------------------------------------------------
CHAOS_PHONES = 6
# Bounded: a few examples of a few rounds, always the same ones (derandomize), no shrinking
# (each replay is a meeting's worth of kills); about two minutes on a 2-core machine.
CHAOS_EXAMPLES = 10
CHAOS_ROUNDS = 4

CONSOLE_COMMANDS = ("agenda.edit", "participant.add", "agenda.start", "queue.set_open",
                    "meeting.configure")
# What goes wrong in a round: the first is what the simplest examples get.
DISRUPTIONS = ("kill", "pause", "kill while paused", "nothing")
commands = st.lists(st.one_of(
    st.tuples(st.just("console"), st.sampled_from(CONSOLE_COMMANDS), st.integers(0, 1000)),
    st.tuples(st.just("phone"), st.integers(0, CHAOS_PHONES - 1), st.booleans())),
    max_size=5)


class Chaos(RuleBasedStateMachine):
    """Rounds of: commands from the console and the phones sent in the background (each
    until answered), then a kill -9 of a worker, a pause of Redis or both, then more
    commands (sent during the outage). After each example, Meeting.check_everything."""

    meeting: Meeting
    redis: PrivateRedis
    rounds: list[str] = []  # every example's rounds, for the figures

    def __init__(self):
        super().__init__()
        self.threads: list[threading.Thread] = []
        self.rounds.append("|")

    @rule(before=commands, disruption=st.sampled_from(DISRUPTIONS),
          delay=st.sampled_from([0.0, 0.05, 0.3]), worker=st.integers(0, 2),
          seconds=st.sampled_from([0.5, 1.5, 3.0]), after=commands)
    def round(self, before, disruption, delay, worker, seconds, after):
        self.rounds.append(f"{len(before)}+{disruption}+{len(after)}")
        self._send(before)
        time.sleep(delay)
        if "pause" in disruption or "paused" in disruption:
            self.redis.pause()
            time.sleep(0.2)
        if "kill" in disruption:
            self._kill(worker)
        self._send(after)
        if self.redis.paused:
            time.sleep(seconds)
            self.redis.resume()

    def _send(self, commands) -> None:
        meeting = self.meeting
        for who, what, n in commands:
            if who == "phone":
                name, payload = ("hand.raise" if n else "hand.withdraw",
                                 {"kind": "point_of_order"})
                client = meeting.phones[what]
            else:
                name, client = what, meeting.console
                items = sorted(int(i) for i in meeting.console.snapshot_now()["agenda"])
                payload = {
                    "agenda.edit": lambda: {"id": meeting.current_item(), "minutes": 1 + n % 480},
                    "agenda.start": lambda: {"id": items[n % len(items)]},
                    "participant.add": lambda: {"name": f"来宾{n}", "party": "observer"},
                    "meeting.configure": lambda: {"allow_direct_entry": n % 2 == 0},
                    "queue.set_open": lambda: {"open": n % 3 != 0},
                }[what]()
            self.threads.append(meeting.send_later(client, name, payload))

    def _kill(self, n: int) -> None:
        """kill -9 of a worker that serves and has run for a while (one that keeps ending at
        once would stop the group: facilitator/workers.py), while another one serves too:
        a whole group down is no failover."""
        group, grown, choice = self.meeting.group, QUICK_END_SECONDS + 0.5, []

        def eligible() -> bool:
            serving = group.serving()
            choice[:] = sorted(number for number in serving
                               if self.meeting.age(number) >= grown) if len(serving) > 1 else []
            return bool(choice)
        self.meeting.wait_for(eligible, "two workers to serve", 120)
        self.meeting.kill(choice[n % len(choice)])

    def teardown(self):
        if self.redis.paused:
            self.redis.resume()
        for thread in self.threads:
            thread.join()
        self.meeting.check_everything()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_random_kills_and_redis_pauses_during_random_commands_lose_nothing(private_redis,
                                                                          tmp_path):
    with demo_deployment(tmp_path, private_redis.url) as env:
        meeting = Meeting(env, tmp_path)
        try:
            _prepare(meeting)
            meeting.spread_phones(at_least=CHAOS_PHONES, per_worker=1)
            Chaos.meeting, Chaos.redis, Chaos.rounds = meeting, private_redis, []
            started = time.monotonic()
            run_state_machine_as_test(Chaos, settings=settings(
                max_examples=CHAOS_EXAMPLES, stateful_step_count=CHAOS_ROUNDS,
                derandomize=True, deadline=None, database=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck)))
            kills = meeting.group.output().count("ended with code -9")
            last, _ = event_log(env)
            repeated = sum(sent.tries > 1 for sent in meeting.sent)
            print(f"\nchaos: {CHAOS_EXAMPLES} examples in {time.monotonic() - started:.0f} s, "
                  f"{kills} workers killed, {len(meeting.sent)} commands ({repeated} sent "
                  f"more than once), {last} events; rounds: {' '.join(Chaos.rounds)}")
        finally:
            code = meeting.close()
        assert code == 0, meeting.group.output()
