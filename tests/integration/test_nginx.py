"""Several hosts behind nginx (issue 17): Debian's nginx runs docs/nginx/facilitator.conf in
front of two `facilitator serve --workers 2` groups on two ports, as two hosts would run
them, with one PostgreSQL and one Redis. A meeting is played through it: pages, sign-in,
phones on the WebSocket spread over both groups, and polling clients on the sticky route."""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import socketio

from tests.integration.test_workers import deployment  # noqa: F401 - a fixture
from tests.worker_group import (RECONNECT_AT_ONCE, Group, Phone, console_client,
                                moderator_session, run_command)
from facilitator.workers import port_is_free
from tests.support import REPO_ROOT, free_port, require_service

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = REPO_ROOT / "docs" / "nginx" / "facilitator.conf"
METRICS_TOKEN = "nginx-scrape-" + "2" * 20


class Nginx:
    """nginx in the foreground with the documented site, its hosts replaced by the groups."""

    def __init__(self, tmp: Path, ports: dict[str, int]):
        """`ports`: the documented host:port → the port where the test runs it."""
        self.port = free_port()
        site = CONFIG.read_text()
        assert set(re.findall(r"server (10\.0\.0\.\d+:\d+);", site)) == set(ports), ports
        for documented, port in ports.items():
            site = site.replace(f"server {documented};", f"server 127.0.0.1:{port};")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        (tmp / "site.conf").write_text(site)
        temp = {name: tmp / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for path in temp.values():
            path.mkdir()
        (tmp / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {tmp}/site.conf;
}}
""")
        self.error_log = tmp / "error.log"
        self.process = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 15
        while True:
            assert self.process.poll() is None, self.process.stderr.read().decode()
            try:
                requests.get(f"{self.base}/healthz", timeout=2)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, "nginx did not answer"
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)  # graceful
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _consecutive_free_ports(count: int) -> list[int]:
    for _ in range(50):
        first = free_port()
        ports = list(range(first, first + count))
        if all(port_is_free("127.0.0.1", port) for port in ports):
            return ports
    raise AssertionError("no consecutive free ports")


def _sockets_of(group: Group) -> int:
    """The live sockets of the group's process that answers this scrape."""
    text = requests.get(f"{group.base}/metrics", timeout=5,
                        headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    return int(sum(float(value) for value in re.findall(
        r"^facilitator_connected_sockets\{[^}]*\} (\S+)$", text, re.M)))


def test_a_meeting_plays_through_nginx_in_front_of_two_groups(deployment, tmp_path):
    require_service(Path(NGINX).exists(), "nginx is not installed (Debian's nginx-light)")
    env = {**deployment, "PROXY_COUNT": "1", "METRICS_TOKEN": METRICS_TOKEN}
    groups, phones, pollers, console, nginx = [], [], [], None, None
    try:
        ports = {}
        for name, address in (("host-a", "10.0.0.11"), ("host-b", "10.0.0.12")):
            (tmp_path / name).mkdir()
            own = _consecutive_free_ports(2)
            groups.append(Group(env, 2, tmp_path / name, worker_ports=own))
            ports.update({f"{address}:5000": groups[-1].port, f"{address}:5101": own[0],
                          f"{address}:5102": own[1]})
        (tmp_path / "nginx").mkdir()
        nginx = Nginx(tmp_path / "nginx", ports)
        front = SimpleNamespace(base=nginx.base, env=env)

        # Pages and the API answer through nginx from either host.
        assert requests.get(f"{nginx.base}/join", timeout=10).status_code == 200
        assert requests.get(f"{nginx.base}/readyz", timeout=10).json()["status"] == "ready"

        # Phones open the WebSocket at once, as the pages do: no stickiness, spread over both.
        phones = [Phone(front, n) for n in range(12)]
        console = console_client(front)
        spread = [sum(_sockets_of(group) for _ in range(4)) for group in groups]
        assert all(count > 0 for count in spread), spread

        # Clients that fall back to long polling stay on one worker by the sticky route.
        for number in range(3):
            poller = socketio.Client(**RECONNECT_AT_ONCE)
            batches: list[dict] = []
            poller.on("batch", batches.append, namespace="/live")
            poller.connect(nginx.base, namespaces=["/live"], transports=["polling"],
                           auth={"meeting_id": 1, "face": "phone", "join": {
                               "code": env["JOIN_CODE"], "name": f"轮询{number}",
                               "party": "observer", "command_id": f"nginx-poll-{number}"}},
                           wait_timeout=15)
            pollers.append((poller, batches))

        acks = [run_command(console, 500 + n, name) for n, name in
                enumerate(("agenda.next", "agenda.next", "agenda.previous", "agenda.next"))]
        public = [ack["seq"] for ack in acks]
        everyone = [phone.seqs for phone in phones] + [
            (lambda got=got: {e["seq"] for b in got for e in b["events"]})
            for _poller, got in pollers]
        groups[0].wait_for(lambda: all(set(public) <= seqs() for seqs in everyone),
                           "every phone and poller behind nginx to get every event", 30)
        for phone in phones:  # in order, as they were committed
            got = [e["seq"] for b in phone.batches for e in b["events"] if e["seq"] in public]
            assert got == sorted(got), got

        # The minutes' live draft, signed in through nginx: any host serves the session.
        staff = moderator_session(nginx.base)
        drafts = [staff.get(f"{nginx.base}/meetings/1/minutes.md", timeout=10)
                  for _ in range(4)]
        assert all(d.status_code == 200 and "# " in d.text for d in drafts), drafts
    finally:
        for phone in phones:
            phone.client.disconnect()
        for poller, _batches in pollers:
            poller.disconnect()
        if console is not None:
            console.disconnect()
        if nginx is not None:
            nginx.stop()
        codes = [group.stop() for group in groups]
    assert codes == [0, 0]
    assert "[emerg]" not in nginx.error_log.read_text()
