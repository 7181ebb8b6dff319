"""What an operator and a load balancer read: /healthz, /readyz and /metrics (issue 17,
item 4)."""
from __future__ import annotations

import re

import pytest

from facilitator.actions import execute
from facilitator.extensions import db

from tests.factories import chair_of, make_meeting

METRICS_TOKEN = "scrape-" + "x" * 32


@pytest.fixture
def scraping(app):
    app.config["METRICS_TOKEN"] = METRICS_TOKEN
    yield app.test_client()
    app.config["METRICS_TOKEN"] = None


def scrape(client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return response.get_data(as_text=True)


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus's text format (0 when it is absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", line)
        if match and ",".join(sorted((match.group(1) or "").split(","))) == wanted:
            return float(match.group(2))
    return 0.0


def test_the_process_answers_without_touching_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_ready_when_the_database_answers_and_is_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok"}}


def test_not_ready_when_the_database_is_behind_the_code(client, monkeypatch):
    from facilitator.web import health
    monkeypatch.setattr(health, "head_revision", lambda: "f00dfeedbeef")
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["status"] == "not ready"
    assert response.json["checks"]["database"].startswith("not migrated")
    assert "f00dfeedbeef" in response.json["checks"]["database"]


def test_not_ready_when_the_message_queue_does_not_answer(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/readyz")
    finally:
        app.config["REDIS_URL"] = None
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok",
                                       "message_queue": "unreachable: ConnectionError"}


def test_metrics_do_not_exist_without_a_token_setting(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {METRICS_TOKEN}",
                                           f"Bearer {METRICS_TOKEN}x", "Bearer"])
def test_metrics_need_the_token(scraping, authorization):
    headers = {"Authorization": authorization, "Accept-Language": "zh"} if authorization else {}
    response = scraping.get("/metrics", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json["error"]["code"] == "auth.bad_token"
    assert "facilitator_" not in response.get_data(as_text=True)


def test_commands_are_counted_by_name_and_outcome_and_timed(scraping, ctx):
    meeting = make_meeting()
    chair = chair_of(meeting)
    before = scrape(scraping)
    assert execute(meeting.id, chair, "agenda.next", {}).ok
    assert not execute(meeting.id, chair, "agenda.start", {"id": 999999}).ok
    assert not execute(meeting.id, chair, "no.such.command", {}).ok
    db.session.rollback()
    after = scrape(scraping)

    def grew(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)
    assert grew("facilitator_commands_total", command="agenda.next", outcome="ok") == 1
    assert grew("facilitator_commands_total", command="agenda.start", outcome="refused") == 1
    assert grew("facilitator_commands_total", command="(unknown)", outcome="refused") == 1
    assert grew("facilitator_command_seconds_count") == 3
    assert grew("facilitator_fanout_seconds_count") >= 1  # agenda.next's event went out


def test_live_sockets_are_counted_by_meeting_and_role(scraping, ctx, monkeypatch):
    from facilitator.live import namespace
    meeting = make_meeting()
    monkeypatch.setitem(namespace.connections, "sid-1", namespace.Connection(
        meeting.id, "phone", chair_of(meeting), "zh"))
    monkeypatch.setitem(namespace.connections, "sid-2", namespace.Connection(
        meeting.id, "phone", chair_of(meeting), "zh"))
    monkeypatch.setitem(namespace.connections, "sid-3", namespace.Connection(
        meeting.id, "chair", chair_of(meeting), "zh"))
    text = scrape(scraping)
    assert sample(text, "facilitator_connected_sockets", meeting=meeting.id, role="phone") == 2
    assert sample(text, "facilitator_connected_sockets", meeting=meeting.id, role="chair") == 1


def test_a_message_the_queue_cannot_take_is_counted(scraping, monkeypatch):
    from facilitator.live import notices
    from facilitator.live.queue import LiveQueue
    # The failure tells this process's consoles the queue is down: not the later tests'.
    monkeypatch.setattr(notices, "_queue_down", False)
    monkeypatch.setattr(notices, "queue_state", lambda down: None)
    queue = LiveQueue("redis://127.0.0.1:1/0")  # nothing listens on port 1
    before = sample(scrape(scraping), "facilitator_message_queue_errors_total")
    assert queue._try_publish({"method": "emit"}) is False
    after = sample(scrape(scraping), "facilitator_message_queue_errors_total")
    assert after - before == 1
