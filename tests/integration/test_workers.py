"""`facilitator serve --workers N` (issue 17): N processes on one port with PostgreSQL and
Redis; phones spread over them all get every event; a worker killed is started again and
its phones reconnect and catch up; SIGTERM stops the group; a deployment that cannot hold
several processes is refused with a clear message."""
from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest
import requests

from facilitator.workers import QUICK_ENDS_LIMIT, WorkerGroup, group_refusal
from tests.support import free_port, run_facilitator
from tests.worker_group import (REDIS_URL, Group, Phone, console_client, demo_deployment,
                                run_command)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def deployment(tmp_path):
    """A fresh PostgreSQL database with the demo, and the environment of its servers."""
    with demo_deployment(tmp_path) as env:
        yield env


def test_three_workers_share_one_port_restart_a_killed_one_and_stop_on_sigterm(
        deployment, tmp_path):
    group = Group(deployment, 3, tmp_path)
    phones, console = [], None
    try:
        assert len(set(group.pids().values())) == 3
        phones = [Phone(group, n) for n in range(9)]
        console = console_client(group)
        acks = [run_command(console, n, name) for n, name in
                enumerate(("agenda.next", "agenda.next", "agenda.previous"))]
        public = {ack["seq"] for ack in acks}  # agenda.item_started: every phone gets it
        group.wait_for(lambda: all(public <= phone.seqs() for phone in phones),
                       "every phone to get every public event", 20)

        # kill -9 of one worker: it is started again, and its phones reconnect to a worker
        # and catch up with what happened meanwhile.
        number, victim = 2, group.pids()[2]
        os.kill(victim, signal.SIGKILL)
        group.wait_for(lambda: group.pids()[number] != victim, "the worker to start again")
        assert re.search(rf"worker {number} \(pid {victim}\) ended with code -9", group.output())
        group.wait_for(lambda: console.connected and all(p.client.connected for p in phones),
                       "the console and the phones to reconnect", 30)
        later = run_command(console, 10, "agenda.next")
        for phone in phones:
            phone.catch_up()
        group.wait_for(lambda: all(phone.seen_to >= later["seq"] for phone in phones),
                       "every phone to hold the command sent after the kill", 30)
    finally:
        for phone in phones:
            phone.client.disconnect()
        if console is not None:
            console.disconnect()
        code = group.stop()
    assert code == 0, group.output()
    assert "stopping 3 workers" in group.output() and "all workers stopped" in group.output()
    for pid in group.pids().values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.parametrize("database,redis,message", [
    ("sqlite:///{tmp}/one.db", REDIS_URL, "PostgreSQL DATABASE_URL"),
    ("postgresql+psycopg://postgres@127.0.0.1:5432/test", None, "needs REDIS_URL"),
])
def test_several_workers_are_refused_where_one_process_must_serve(tmp_path, database, redis,
                                                                   message):
    assert message in group_refusal(2, database.format(tmp=tmp_path), redis)
    assert group_refusal(1, "sqlite:///x.db", None) is None


def test_the_group_refuses_sqlite_from_the_command_line(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'one.db'}",
           "FACILITATOR_INSTANCE": str(tmp_path), "REDIS_URL": REDIS_URL}
    assert run_facilitator("upgrade-db", env=env).returncode == 0
    done = run_facilitator("serve", "--workers", "2", "--port", str(free_port()), env=env)
    assert done.returncode != 0 and "PostgreSQL DATABASE_URL" in done.stderr


def test_a_worker_that_keeps_ending_at_once_stops_the_group(tmp_path):
    said = []
    now = [0.0]
    group = WorkerGroup(lambda n: ["python3", "-c", "raise SystemExit(3)"], 2,
                        lambda message, **fields: said.append(message), clock=lambda: now[0],
                        status_dir=tmp_path)
    group.start()
    for _ in range(QUICK_ENDS_LIMIT):
        for worker in group.workers:
            worker.process.wait()
        group.check()
        now[0] += 0.1
    assert group.stopping and group.failed
    assert any("ended 5 times" in line for line in said)
    assert sum("started" in line for line in said) == 2 * QUICK_ENDS_LIMIT


def test_the_group_is_refused_when_its_pools_exceed_postgresql_connections(deployment):
    env = {**deployment, "DATABASE_POOL_SIZE": "40", "DATABASE_MAX_OVERFLOW": "10"}
    done = run_facilitator("serve", "--workers", "3", "--host", "127.0.0.1",
                           "--port", str(free_port()), env=env)
    assert done.returncode != 0
    assert "3 workers may open 153 PostgreSQL connections (51 each" in done.stderr
    assert "max_connections" in done.stderr


def _connections_to(database_url: str) -> int:
    import psycopg
    from sqlalchemy.engine import make_url
    url = make_url(database_url)
    with psycopg.connect(url.set(drivername="postgresql", database="postgres")
                         .render_as_string(hide_password=False), autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                            (url.database,)).fetchone()[0]


def test_three_workers_on_small_pools_write_one_meeting_from_every_phone_at_once(
        deployment, tmp_path):
    """Each worker's group commit holds one connection while the others wait their turn on
    the meeting's row: a burst from phones on every worker is applied whole, in one gap-free
    log, within the pools' bound on connections."""
    env = {**deployment, "DATABASE_POOL_SIZE": "2", "DATABASE_MAX_OVERFLOW": "1"}
    group = Group(env, 3, tmp_path)
    phones = []
    try:
        phones = [Phone(group, n) for n in range(24)]
        console = console_client(group)
        snapshot = console.call("sync", {"since": None}, namespace="/live",
                                timeout=15)["snapshot"]
        waiting = [p["id"] for p in snapshot["participants"].values()
                   if p["status"] == "lobby"]
        for number, participant in enumerate(waiting):
            admitted = console.call("command", {
                "id": f"pool-admit-{number}", "type": "participant.admit",
                "payload": {"id": participant}}, namespace="/live", timeout=15)
            assert admitted["ok"], admitted
            time.sleep(0.25)  # within a console's command rate (5 a second)
        run_command(console, 100, "agenda.next")  # hands are raised on an item under way
        console.disconnect()
        peak = [0]
        answers: list[dict] = []

        def raise_hand(phone: Phone) -> None:
            answers.append(phone.client.call("command", {
                "id": f"pool-hand-{phone.join['command_id']}", "type": "hand.raise",
                "payload": {"kind": "speech", "stance": "for"}}, namespace="/live",
                timeout=30))

        for phone in phones:
            phone.client.start_background_task(raise_hand, phone)
        deadline = time.monotonic() + 60
        while len(answers) < len(phones) and time.monotonic() < deadline:
            peak[0] = max(peak[0], _connections_to(env["DATABASE_URL"]))
            time.sleep(0.05)
        assert len(answers) == len(phones), group.output()
        assert all(answer["ok"] for answer in answers), answers
        assert peak[0] <= 3 * (2 + 1), peak[0]
        seqs = sorted(answer["seq"] for answer in answers)
        assert len(set(seqs)) == len(phones)
        import psycopg
        from sqlalchemy.engine import make_url
        url = make_url(env["DATABASE_URL"]).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
            logged = [row[0] for row in conn.execute(
                "SELECT seq FROM meeting_events WHERE meeting_id = 1 ORDER BY seq")]
        assert logged == list(range(1, len(logged) + 1))  # no gap
        assert set(seqs) <= set(logged)
    finally:
        for phone in phones:
            phone.client.disconnect()
        assert group.stop() == 0, group.output()


def test_an_operator_sees_the_group_in_json_logs_and_counts_restarts_in_metrics(
        deployment, tmp_path):
    env = {**deployment, "LOG_FORMAT": "json", "METRICS_TOKEN": "scrape-" + "1" * 24}
    group = Group(env, 2, tmp_path)

    def serving(worker: int) -> int:
        return sum(1 for line in group.output().splitlines() if line.startswith("{")
                   and json.loads(line).get("event") == "serving"
                   and json.loads(line).get("worker") == worker)
    try:
        group.wait_for(lambda: serving(1) and serving(2), "both workers to serve")
        victim = group.pids()[2]
        os.kill(victim, signal.SIGKILL)
        group.wait_for(lambda: serving(2) == 2, "the worker to start again and serve")
        scrapes = [requests.get(f"{group.base}/metrics", timeout=5, headers={
            "Authorization": f"Bearer {env['METRICS_TOKEN']}"}).text for _ in range(6)]
    finally:
        assert group.stop() == 0, group.output()
    # Whichever worker answers the scrape reports the whole group's restarts.
    for scrape in scrapes:
        assert 'facilitator_worker_restarts_total{worker="1"} 0.0' in scrape
        assert 'facilitator_worker_restarts_total{worker="2"} 1.0' in scrape
    answered = {re.search(r'facilitator_worker\{worker="(\d)"\} 1.0', s).group(1)
                for s in scrapes}
    assert answered <= {"1", "2"}
    lines = [json.loads(line) for line in group.output().splitlines()
             if line.startswith("{")]
    assert len(lines) == len(group.output().splitlines()), group.output()  # JSON only
    events = [(line.get("event"), line.get("worker")) for line in lines]
    assert events.count(("worker_started", 2)) == 2
    ended = next(line for line in lines if line.get("event") == "worker_ended")
    assert (ended["worker"], ended["worker_pid"], ended["exit_code"], ended["level"]) == \
        (2, victim, -9, "WARNING")
    # The workers' own lines carry their number and pid.
    assert all(line["time"].endswith("+00:00") for line in lines)
    assert events[-1] == ("group_stopped", None)


def test_worker_ports_go_with_a_group_and_must_be_free(deployment, tmp_path):
    alone = run_facilitator("serve", "--worker-ports", "5101", "--port", str(free_port()),
                            env=deployment)
    assert alone.returncode != 0 and "--worker-ports goes with --workers 2" in alone.stderr
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        done = run_facilitator("serve", "--host", "127.0.0.1", "--port", str(free_port()),
                               "--workers", "2", "--worker-ports", str(busy - 1),
                               env=deployment)
    assert done.returncode != 0 and "is in use: another server listens on it" in done.stderr


def test_a_worker_told_to_stop_tells_its_phones_to_reconnect_and_is_started_again(
        deployment, tmp_path):
    group = Group(deployment, 2, tmp_path)
    phones, console = [], None
    try:
        phones = [Phone(group, n) for n in range(8)]
        console = console_client(group)
        number, victim = 1, group.pids()[1]
        os.kill(victim, signal.SIGTERM)
        group.wait_for(lambda: group.pids()[number] != victim, "the worker to start again")
        assert re.search(rf"worker {number} \(pid {victim}\) ended with code 0 ", group.output())
        told = [phone for phone in phones if phone.told_restarting]
        assert told, "no phone was on the stopped worker"  # 8 phones over 2 workers
        said = re.search(r"stopping: (\d+) live connections told to reconnect", group.output())
        assert said and int(said.group(1)) >= len(told)  # its phones, and the console if there
        group.wait_for(lambda: console.connected and all(p.client.connected for p in phones),
                       "the phones to reconnect", 30)
        later = run_command(console, 20, "agenda.next")
        for phone in phones:
            phone.catch_up()
        group.wait_for(lambda: all(phone.seen_to >= later["seq"] for phone in phones),
                       "every phone to hold the command sent after the restart", 30)
    finally:
        for phone in phones:
            phone.client.disconnect()
        if console is not None:
            console.disconnect()
        assert group.stop() == 0, group.output()
