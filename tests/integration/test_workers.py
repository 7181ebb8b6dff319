"""`facilitator serve --workers N` (issue 17): N processes on one port with PostgreSQL and
Redis; phones spread over them all get every event; a worker killed is started again and
its phones reconnect and catch up; SIGTERM stops the group; a deployment that cannot hold
several processes is refused with a clear message."""
from __future__ import annotations

import os
import re
import signal

import pytest

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
    group = WorkerGroup(lambda n: ["python3", "-c", "raise SystemExit(3)"], 2, said.append,
                        clock=lambda: now[0])
    group.start()
    for _ in range(QUICK_ENDS_LIMIT):
        for worker in group.workers:
            worker.process.wait()
        group.check()
        now[0] += 0.1
    assert group.stopping and group.failed
    assert any("ended 5 times" in line for line in said)
    assert sum("started" in line for line in said) == 2 * QUICK_ENDS_LIMIT
