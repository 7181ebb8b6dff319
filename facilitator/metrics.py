"""What an operator watches: counters and histograms of this process, in Prometheus's text
format at /metrics (web/health.py).

Each server process keeps its own figures; a scraper reads each process (with several
processes behind one port, each scrape lands on one of them: label them by instance). The
restarts of a `serve --workers` group are the group's: every worker reports them all.
"""
from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .server_log import WORKER_NUMBER_VARIABLE
from .workers import GROUP_STATUS_VARIABLE, read_group_status

registry = CollectorRegistry()
ProcessCollector(registry=registry)  # CPU, memory and open files of this process


class _WorkerGroupCollector:
    """The group's state as the parent wrote it (workers.py): nothing outside a group."""

    def collect(self):
        status = read_group_status(os.environ.get(GROUP_STATUS_VARIABLE))
        if not status:
            return
        restarts = CounterMetricFamily(
            "facilitator_worker_restarts", "Times the group's parent started a worker "
            "again after it ended (a crash, a kill), by worker number", labels=["worker"])
        for number, state in sorted(status.items()):
            restarts.add_metric([str(number)], state["restarts"])
        yield restarts
        this = GaugeMetricFamily("facilitator_worker", "This process's number in its "
                                 "group (1 for the process that answered)", labels=["worker"])
        this.add_metric([os.environ.get(WORKER_NUMBER_VARIABLE, "")], 1)
        yield this


registry.register(_WorkerGroupCollector())

# Latency buckets in seconds: a command is written in milliseconds, a burst in a second or two.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

commands = Counter("facilitator_commands", "Commands answered, by name and outcome "
                   "(ok, refused: a user error, failed: a server error)",
                   ["command", "outcome"], registry=registry)
command_seconds = Histogram("facilitator_command_seconds", "From a command's arrival to its "
                            "answer (validation, the wait for its group, the commit)",
                            buckets=_BUCKETS, registry=registry)
fanout_seconds = Histogram("facilitator_fanout_seconds", "From a commit's events handed to the "
                           "broadcaster to their batch handed to the sockets (includes the "
                           "coalescing interval)", buckets=_BUCKETS, registry=registry)
queue_errors = Counter("facilitator_message_queue_errors", "Failed attempts to publish to, or "
                       "listen on, the Redis message queue", registry=registry)
