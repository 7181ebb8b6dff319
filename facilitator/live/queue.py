"""The Redis message queue between server processes, kept going through an outage.

python-socketio's RedisManager delivers every emit to this process's own clients first, then
publishes it for the other processes. When Redis is unreachable it tries to publish twice
and drops the message, and its listener waits up to a minute between reconnections, so the
clients of the other processes miss events silently. Here:

- a message that cannot be published waits, in order, with those after it, and is retried
  with a growing pause (up to 5 s) until Redis takes it (at most BACKLOG messages wait; the
  oldest go first when more come: the heartbeat below makes clients catch up anyway);
- the listener reconnects after at most 2 s;
- whenever publishing fails or the listener is cut off, this process's consoles are told
  (live/notices.py), and told again when both work.

Messages published while another process's listener is still reconnecting are lost for its
clients: every process therefore also tells its own clients, from the database, the last
sequence number of their meetings (live/heartbeat.py), and a client that is behind syncs.
For that, the queue notes the newest batch it handed to each room of this process
(`delivered`): the heartbeat tells a room only what it was not handed.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque

import socketio

from .. import metrics

logger = logging.getLogger(__name__)

BACKLOG = 2000
RETRY_MAX_SECONDS = 5.0
LISTEN_RETRY_MAX_SECONDS = 2.0


def channel_for(url: str) -> str:
    """The publish/subscribe channel of the database a Redis URL names. Redis hands a
    channel's messages to every subscriber, whichever database it selected: under one fixed
    name two deployments sharing a Redis server (production on /0, a test run on /1) would
    receive each other's events — meeting 1 of one is meeting 1 of the other. Named after
    the database, the URL keeps their events apart as it keeps their keys."""
    from redis.connection import parse_url
    return f"facilitator-db{parse_url(url).get('db', 0)}"


class LiveQueue(socketio.RedisManager):
    def __init__(self, url: str, channel: str | None = None):
        super().__init__(url, channel=channel or channel_for(url))
        self._backlog: deque = deque(maxlen=BACKLOG)
        self._backlog_lock = threading.Lock()  # green after monkey-patching
        self._retrying = False
        self._publishing_fails = False
        self._listener_cut = False
        # room → the `to` of the newest batch handed to this process's sockets in it
        self.delivered: dict[str, int] = {}

    # --- delivering ------------------------------------------------------------------------
    def _handle_emit(self, message):
        """Every emit reaches this process's sockets here: its own (at once, before it is
        published) and those of the other processes (from the listener)."""
        super()._handle_emit(message)
        if message.get("event") == "batch" and isinstance(message.get("room"), str):
            handed = message["data"][0]["to"]
            if handed > self.delivered.get(message["room"], 0):
                self.delivered[message["room"]] = handed

    # --- publishing ------------------------------------------------------------------------
    def _publish(self, data):
        with self._backlog_lock:
            if self._retrying:  # behind the ones already waiting, to keep the order
                self._backlog.append(data)
                return
        if self._try_publish(data):
            return
        with self._backlog_lock:
            self._backlog.append(data)
            start = not self._retrying
            self._retrying = True
        if start:
            self.server.start_background_task(self._retry)

    def _try_publish(self, data) -> bool:
        try:
            if not self.connected:
                self._redis_connect()
            self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as error:  # noqa: BLE001 - any failure of Redis or the network
            self.connected = False
            metrics.queue_errors.inc()
            if not self._publishing_fails:
                logger.error("cannot publish to the message queue (%s): retrying", error)
            self._set_state(publishing_fails=True)
            return False
        self._set_state(publishing_fails=False)
        return True

    def _retry(self) -> None:
        pause = 0.25
        while True:
            with self._backlog_lock:
                if not self._backlog:
                    self._retrying = False
                    return
                data = self._backlog[0]
            if self._try_publish(data):
                with self._backlog_lock:
                    if self._backlog and self._backlog[0] is data:
                        self._backlog.popleft()
                pause = 0.25
                continue
            self.server.sleep(pause)
            pause = min(pause * 2, RETRY_MAX_SECONDS)

    # --- listening -------------------------------------------------------------------------
    def _redis_listen_with_retries(self):
        pause = 0.25
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    pause = 0.25
                    self._set_state(listener_cut=False)
                yield from self.pubsub.listen()
            except Exception as error:  # noqa: BLE001
                metrics.queue_errors.inc()
                if not self._listener_cut:
                    logger.error("cannot receive from the message queue (%s): reconnecting",
                                 error)
                subscribed = False
                self._set_state(listener_cut=True)
                time.sleep(pause)  # green after monkey-patching, as in RedisManager
                pause = min(pause * 2, LISTEN_RETRY_MAX_SECONDS)

    # --- state -----------------------------------------------------------------------------
    @property
    def down(self) -> bool:
        return self._publishing_fails or self._listener_cut

    def _set_state(self, **state) -> None:
        was = self.down
        for name, value in state.items():
            setattr(self, "_" + name, value)
        if self.down != was:
            if not self.down:
                logger.warning("the message queue is reachable again")
            from .notices import queue_state
            queue_state(self.down)
