"""Does the live server's garbage-collection policy keep memory bounded?

`facilitator serve` freezes the surviving objects every few seconds (gc.freeze), so Python's
own collections skip the long-lived ones and stay short, and every few minutes, at a quiet
moment, unfreezes and runs one full collection (facilitator/live/gc_policy.py). Frozen
objects that become *cyclic* garbage are only reclaimed by that full collection. This
script runs the real policy code (GcPolicy + GcPolicyRunner) on a process that looks like
a busy server and reports what happens to the garbage, the memory and the pauses:

- long-lived objects, like the connections of 1000 phones (--long-lived, default 360,000);
- a steady stream of objects in reference cycles (--cycles-per-second pairs pointing at
  each other, each holding --payload bytes) that stay in use for --lifetime seconds (like a
  request's or a reconnecting phone's objects) and are then dropped: being alive at a
  freeze, many are frozen, and once dropped they are garbage only a full collection frees;
  plus garbage without cycles (freed at once, frozen or not);
- "broadcasts": busy spells (a broadcast every 0.3 s for --busy s) separated by quiet gaps
  (--gap s), or never quiet (--never-quiet) to show the upper bound on postponing.

Each policy runs in its own process (same scenario, same seed):

  on           the policy as served (intervals scaled down so that a run takes a minute)
  freeze-only  gc.freeze() every interval and never a full collection (the bench
               experiment `launch_app.py --patch gc-freeze`): cyclic garbage piles up
  off          Python's default collector

    .venv/bin/python bench/gc_policy_check.py [--seconds 60] [--policy on freeze-only off]
        [--mode threading|eventlet] [--never-quiet] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Check that the live server's GC policy reclaims frozen cyclic garbage "
                    "(facilitator/live/gc_policy.py), and what pauses each policy gives.")
    parser.add_argument("--policy", nargs="+", default=["on", "freeze-only", "off"],
                        choices=["on", "freeze-only", "off"], help="policies to run and compare")
    parser.add_argument("--mode", choices=["threading", "eventlet"], default="eventlet",
                        help="run the policy's loop on eventlet green threads (as served) or "
                             "on a thread (default: eventlet)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each run")
    parser.add_argument("--freeze-interval", type=float, default=1.0,
                        help="GC_FREEZE_INTERVAL_SECONDS for the run (served default 5)")
    parser.add_argument("--full-collect", type=float, default=15.0,
                        help="GC_FULL_COLLECT_SECONDS for the run (served default 300)")
    parser.add_argument("--quiet", type=float, default=1.0,
                        help="GC_QUIET_SECONDS for the run (served default 2)")
    parser.add_argument("--max-delay", type=float, default=10.0,
                        help="GC_FULL_COLLECT_MAX_DELAY_SECONDS for the run (served default 300)")
    parser.add_argument("--long-lived", type=int, default=360_000,
                        help="long-lived objects kept for the whole run (default 360,000: what "
                             "the server tracks with 1000 phones connected)")
    parser.add_argument("--cycles-per-second", type=int, default=5_000,
                        help="pairs of objects dropped in reference cycles per second")
    parser.add_argument("--payload", type=int, default=512, help="bytes held by each object")
    parser.add_argument("--lifetime", type=float, default=3.0,
                        help="seconds each cycle stays in use before it is dropped")
    parser.add_argument("--busy", type=float, default=8.0, help="length of a busy spell, s")
    parser.add_argument("--gap", type=float, default=3.0, help="quiet gap between spells, s")
    parser.add_argument("--never-quiet", action="store_true",
                        help="a broadcast every 0.3 s for the whole run")
    parser.add_argument("--json", help="write every run's samples and summary here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args)
    runs = {}
    for policy in args.policy:
        cmd = [sys.executable, __file__, "--child", policy] + [
            a for a in sys.argv[1:] if a not in args.policy and a != "--policy"]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=
                              args.seconds * 3 + 120)
        if done.returncode:
            sys.exit(f"the {policy} run failed:\n{done.stdout}\n{done.stderr}")
        runs[policy] = json.loads(done.stdout.strip().splitlines()[-1])
        print_run(policy, runs[policy])
    print_summary(args, runs)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))
    return 0


def print_run(policy, run):
    print(f"\n== policy {policy} ({run['mode']}) ==")
    print(f"{'t s':>6} {'garbage alive':>13} {'in use':>7} {'frozen objs':>12} "
          f"{'tracked':>9} {'RSS MB':>7}  what happened since the last line")
    for s in run["samples"]:
        print(f"{s['t']:6.1f} {s['alive']:13,} {s['in_use']:7,} {s['frozen']:12,} "
              f"{s['tracked']:9,} {s['rss_mb']:7.1f}  {s['note']}")


def print_summary(args, runs):
    print(f"\nScenario: {args.long_lived:,} long-lived objects; {args.cycles_per_second:,} "
          f"cycles/s of garbage ({args.payload} B each); "
          + ("a broadcast every 0.3 s throughout" if args.never_quiet else
             f"busy {args.busy:g} s / quiet {args.gap:g} s")
          + f"; policy settings: freeze every {args.freeze_interval:g} s, full collection every "
            f"{args.full_collect:g} s when quiet for {args.quiet:g} s, at most {args.max_delay:g} "
            f"s late; {args.seconds:g} s per run, {args.mode}.\n")
    print("| policy | objects made (in cycles) | garbage not reclaimed at the end | at most | "
          "RSS MB start / "
          "max / end | longest automatic collection ms | policy's full collections: n "
          "(overdue), longest ms, during a broadcast spell; garbage left after each |")
    print("|---|---:|---:|---:|---|---:|---|")
    for policy, run in runs.items():
        s = run["summary"]
        full = (f"{s['full_collects']} ({s['overdue']}), {s['full_max_ms']:.0f}, "
                f"{s['full_in_busy']}; garbage left after each: "
                f"{', '.join(f'{n:,}' for n in s['left_after_full']) or '–'}"
                if policy == "on" else "–")
        print(f"| {policy} | {s['made']:,} | {s['alive_end']:,} | {s['alive_max']:,} | "
              f"{s['rss_start']:.0f} / {s['rss_max']:.0f} / {s['rss_end']:.0f} | "
              f"{s['auto_max_ms']:.1f} | {full} |")


# --- one run, in its own process ----------------------------------------------------------

def child(args) -> int:
    policy_name = args.child
    if args.mode == "eventlet":
        import eventlet
        eventlet.monkey_patch()
        start_task, sleep = eventlet.spawn, eventlet.sleep
    else:
        import threading
        import time as _time

        def start_task(fn, *a):
            thread = threading.Thread(target=fn, args=a, daemon=True)
            thread.start()
            return thread
        sleep = _time.sleep
    import collections
    import gc
    import random
    import time

    sys.path.insert(0, str(ROOT))
    from facilitator.live.gc_policy import GcPolicy, GcPolicyRunner

    class Node:
        alive = 0
        made = 0
        __slots__ = ("other", "payload", "__weakref__")

        def __init__(self, payload):
            self.payload = payload
            self.other = None
            Node.alive += 1
            Node.made += 1

        def __del__(self):
            Node.alive -= 1

    def rss_mb() -> float:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    random.seed(1)
    keep = [{"sid": i, "room": i % 7, "name": f"phone {i}"} for i in range(args.long_lived // 2)]
    keep += [[i] for i in range(args.long_lived - len(keep))]
    rss_start = rss_mb()

    auto = {"max_ms": 0.0, "start": 0.0, "by_policy": False}

    def on_gc(phase, info):  # automatic collections (the policy's own are timed by it)
        if phase == "start":
            auto["start"] = time.perf_counter()
        elif not auto["by_policy"]:
            auto["max_ms"] = max(auto["max_ms"], (time.perf_counter() - auto["start"]) * 1000)
    gc.callbacks.append(on_gc)

    started = time.monotonic()
    activity = {"last": None}
    state = {"in_use_pairs": 0}

    def busy_now(t: float) -> bool:
        if args.never_quiet:
            return True
        return (t % (args.busy + args.gap)) < args.busy

    def broadcasts():  # the stand-in for Broadcaster.last_activity_at
        while True:
            t = time.monotonic() - started
            if t > args.seconds:
                return
            if busy_now(t):
                activity["last"] = time.monotonic()
            sleep(0.3)

    runner = None
    events = []
    if policy_name == "on":
        policy = GcPolicy(freeze_interval=args.freeze_interval,
                          full_collect_interval=args.full_collect, quiet=args.quiet,
                          max_delay=args.max_delay)

        class Timed(GcPolicyRunner):
            def perform(self, action):
                if action == "nothing":
                    return
                auto["by_policy"] = True
                before = self.stats.full_collects
                try:
                    super().perform(action)
                finally:
                    auto["by_policy"] = False
                if self.stats.full_collects != before:
                    t = time.monotonic() - started
                    events.append({"t": t, "action": action, "ms": self.stats.last_full_ms,
                                   "collected": self.stats.last_full_collected,
                                   "left": Node.alive - 2 * state["in_use_pairs"],
                                   "busy": activity["last"] is not None
                                   and time.monotonic() - activity["last"] < 0.35})
        runner = Timed(policy, lambda: activity["last"], start_task, sleep)
        runner.start()
    elif policy_name == "freeze-only":
        def freezer():
            while True:
                sleep(args.freeze_interval)
                gc.freeze()
        start_task(freezer)
    start_task(broadcasts)  # after the policy's start-up collection, as in `facilitator serve`

    samples, last_sample, chunk = [], 0.0, max(1, args.cycles_per_second // 50)
    seen_events = 0
    in_use = collections.deque()  # (dropped at, [pairs]) in creation order
    while True:
        t = time.monotonic() - started
        if t >= args.seconds:
            break
        pairs = []
        for _ in range(chunk):  # a pair in a cycle, and some garbage without one
            a, b = Node(bytes(args.payload)), Node(bytes(args.payload))
            a.other, b.other = b, a
            pairs.append(a)
            {"batch": [1, 2, 3], "seq": random.random()}
        del a, b
        in_use.append((t + args.lifetime, pairs))
        state["in_use_pairs"] += len(pairs)
        while in_use and in_use[0][0] <= t:
            state["in_use_pairs"] -= len(in_use.popleft()[1])
        sleep(0.02)
        if t - last_sample >= 2.0 or t + 0.05 >= args.seconds:
            last_sample = t
            notes = [f"{e['action']} at {e['t']:.1f} s: {e['collected']:,} collected in "
                     f"{e['ms']:.0f} ms, {e['left']:,} garbage left"
                     + (" (during a spell)" if e["busy"] else "")
                     for e in events[seen_events:]]
            seen_events = len(events)
            samples.append({"t": t, "alive": Node.alive - 2 * state["in_use_pairs"],
                            "in_use": 2 * state["in_use_pairs"], "frozen": gc.get_freeze_count(),
                            "tracked": len(gc.get_objects()), "rss_mb": rss_mb(),
                            "note": "; ".join(notes)})
    if runner is not None:
        runner.stop()
    in_use.clear()
    summary = {
        "made": Node.made, "alive_end": samples[-1]["alive"],
        "alive_max": max(s["alive"] for s in samples),
        "rss_start": rss_start, "rss_max": max(s["rss_mb"] for s in samples),
        "rss_end": samples[-1]["rss_mb"], "auto_max_ms": auto["max_ms"],
        "full_collects": len(events),
        "overdue": sum(e["action"] == "full_collect_overdue" for e in events),
        "full_max_ms": max((e["ms"] for e in events), default=0.0),
        "full_in_busy": sum(e["busy"] for e in events),
        "left_after_full": [e["left"] for e in events[1:]],
    }
    del keep
    print(json.dumps({"mode": args.mode, "samples": samples, "events": events,
                      "summary": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
