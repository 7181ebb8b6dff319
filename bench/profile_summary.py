"""Summarise a py-spy raw profile (`py-spy record --format raw`, written by run.py --profile).

Samples are split into phases by the app function on the stack, then the functions with the
most inclusive samples in each phase are listed (file:function, % of that phase):

    .venv/bin/python bench/profile_summary.py bench/results/<stamp>-eventlet-app-1000-main.pyspy.txt
"""
from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict

PHASES = [  # first match wins (the name of an app function on the stack)
    ("http join (GET/POST /j/<code>)", ("join_form (",)),
    ("socket connect", ("LiveNamespace.on_connect", "on_connect (")),
    ("socket sync", ("on_sync (",)),
    ("moderator command", ("on_command (",)),
    ("login / other HTTP", ("Flask.wsgi_app",)),
    # python-socketio building an ack after the handler returned: Packet() walks the data
    # for binary parts (data_is_binary), then json.dumps it.
    ("ack encoding (after a handler returned)", ("Server._handle_event_internal",)),
]
FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")


def frames(stack: str) -> list[str]:
    out = []
    for frame in stack.split(";"):
        m = FRAME.match(frame)
        out.append(f"{m['file']}:{m['func']}" if m else frame)
    return out


def phase_of(stack: str) -> str:
    for name, markers in PHASES:
        if any(marker in stack for marker in markers):
            return name
    if "send" in stack or "_websocket_handler" in stack or "writer" in stack:
        return "socket I/O (writers, readers, pings)"
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--own", action="store_true", help="also list self time")
    args = parser.parse_args()
    per_phase = Counter()
    inclusive: dict[str, Counter] = defaultdict(Counter)
    own: dict[str, Counter] = defaultdict(Counter)
    with open(args.profile) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            phase = phase_of(stack)
            per_phase[phase] += n
            names = frames(stack)
            for name in set(names):
                inclusive[phase][name] += n
            own[phase][names[-1]] += n
    total = sum(per_phase.values())
    print(f"{total} samples")
    for phase, n in per_phase.most_common():
        print(f"\n== {phase}: {n} samples ({100 * n / total:.1f}%)")
        for name, c in inclusive[phase].most_common(args.top):
            print(f"  {100 * c / n:5.1f}%  {name}")
        if args.own:
            print("  -- self time")
            for name, c in own[phase].most_common(12):
                print(f"  {100 * c / n:5.1f}%  {name}")


if __name__ == "__main__":
    main()
