"""The message queue through an outage (live/queue.py): what cannot be published waits, in
order, and is published when Redis is back; the consoles are told when it goes and comes."""
from __future__ import annotations

import json
import threading

from facilitator.live import notices
from facilitator.live.queue import LiveQueue, channel_for


class FlakyRedis:
    """Refuses the first `failures` publishes, as a Redis that is down would."""

    def __init__(self, failures: int):
        self.failures, self.published = failures, []

    def publish(self, channel, text):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Connection refused")
        self.published.append(json.loads(text)["n"])


class Server:
    def __init__(self):
        self.threads = []

    def start_background_task(self, func, *args):
        thread = threading.Thread(target=func, args=args)
        self.threads.append(thread)
        thread.start()

    def sleep(self, _seconds):
        pass


def test_messages_wait_in_order_while_redis_is_down_and_the_consoles_are_told(monkeypatch):
    told = []
    monkeypatch.setattr(notices, "queue_state", told.append)
    redis = FlakyRedis(failures=4)
    queue = LiveQueue("redis://127.0.0.1:1/0")
    queue.server, queue.json = Server(), json

    def connect():
        queue.redis, queue.connected = redis, True
    monkeypatch.setattr(queue, "_redis_connect", connect)
    release = threading.Event()
    real_retry = queue._retry
    monkeypatch.setattr(queue, "_retry", lambda: (release.wait(5), real_retry()))
    for n in range(5):  # the first fails: it and the ones after it wait behind it
        queue._publish({"n": n})
    assert redis.published == [] and told == [True] and queue.down
    release.set()
    for thread in queue.server.threads:
        thread.join(5)
    assert redis.published == [0, 1, 2, 3, 4]
    assert told == [True, False] and not queue.down
    queue._publish({"n": 5})  # and straight through again
    assert redis.published[-1] == 5


def test_each_redis_database_has_its_own_channel():
    """Redis publishes to every subscriber of a channel whatever database it selected: two
    deployments on one Redis server (different databases) must not share the channel."""
    assert channel_for("redis://127.0.0.1:6379/3") != channel_for("redis://127.0.0.1:6379/4")
    assert channel_for("redis://127.0.0.1:6379") == channel_for("redis://127.0.0.1:6379/0")
    assert channel_for("redis://:secret@redis.example:6380/2") == "facilitator-db2"
    assert LiveQueue("redis://127.0.0.1:1/5").channel == "facilitator-db5"
